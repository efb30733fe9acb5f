"""Command line: ``esstools run``, ``esstools list``, ``esstools fetch``.

Examples::

    esstools run                                   # every run of reports.yml (or every notebook)
    esstools run notebooks/01_territorial_comparison.ipynb -p departement 92
    esstools run --config reports.yml --jobs 2 --output reports/ --pdf
    esstools run --force --timeout 600              # re-run everything, 10 min per notebook
    esstools list                                  # notebooks and their parameters
    esstools fetch all --departement 93            # every public file the study needs (make data)
    esstools fetch list                            # the sources: URL or resolver, evidence date, use
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from . import paths
from .errors import EsstoolsError
from .runner.pool import Stopped


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import config as cfg
    from .runner.execute import run

    options: dict = {}
    if args.notebooks:
        params = {name: value for name, value in (args.parameters or [])}
        specs = []
        for nb in args.notebooks:
            notebook = cfg._resolve_notebook(nb, Path.cwd())
            label = args.label or cfg.label_from_parameters(params)
            specs.append(cfg.RunSpec(notebook=notebook, parameters=dict(params), label=label,
                                     stage=cfg.default_stage(notebook)))
        specs.sort(key=lambda s: s.stage)
    else:
        config_path = Path(args.config) if args.config else paths.REPO_ROOT / "reports.yml"
        if args.config or config_path.exists():
            specs, options = cfg.load_config(config_path)
        else:
            specs = cfg.default_runs()
        if args.parameters:
            raise EsstoolsError("-p applies to the notebooks named on the command line; edit the configuration file to change its runs.")
    jobs = args.jobs if args.jobs is not None else int(options.get("jobs", 1))
    pdf_mode = args.pdf if args.pdf is not None else options.get("pdf", False)
    records = run(specs, args.output, jobs=jobs, show_code=args.show_code or bool(options.get("show_code", False)),
                  timeout=args.timeout if args.timeout is not None else options.get("timeout"),
                  cell_timeout=options.get("cell_timeout"), force=args.force, pdf_mode=pdf_mode)
    return 0 if all(r.status == "ok" for r in records) else 1


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _cmd_list(args: argparse.Namespace) -> int:
    from .runner import params
    from .runner.config import default_runs

    for spec in default_runs():
        print(f"{spec.notebook.relative_to(paths.REPO_ROOT)}")
        declared = params.inspect(spec.notebook)
        if not declared:
            print("    (aucun paramètre)")
        for name, info in declared.items():
            help_text = f"  # {info['help']}" if info.get("help") else ""
            kind = f" ({info['type']})" if info.get("type") and info["type"] != "None" else ""
            print(f"    {name}{kind} = {info['default']}{help_text}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from . import fetch

    return fetch.main(args.fetch_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="esstools", description="ESS analytical toolkit: reports, notebooks, data.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="execute notebooks with papermill and render them to HTML")
    p_run.add_argument("notebooks", nargs="*", help="notebooks to run (default: the runs of reports.yml)")
    p_run.add_argument("-p", "--parameter", dest="parameters", nargs=2, action="append", metavar=("NAME", "VALUE"),
                       help="notebook parameter (typed after the notebook's default)")
    p_run.add_argument("--config", help="YAML file listing the runs (default: reports.yml)")
    p_run.add_argument("--output", help="output directory (default: reports/)")
    p_run.add_argument("--jobs", type=int, help="notebooks run in parallel (default: config or 1)")
    p_run.add_argument("--label", help="label of the run (default: derived from the parameters)")
    p_run.add_argument("--show-code", action="store_true", help="keep code cells in the HTML reports (hidden by default)")
    p_run.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                       help="time allowed to each notebook (default: config 'timeout' or 1200 s)")
    p_run.add_argument("--force", action="store_true", help="re-run every notebook, even those whose inputs did not change")
    p_run.add_argument("--pdf", dest="pdf", action="store_const", const=True,
                       help="also print each report to PDF with headless Chromium (required)")
    p_run.add_argument("--no-pdf", dest="pdf", action="store_const", const=False, help="no PDF (overrides 'pdf:' of the config)")
    p_run.set_defaults(func=_cmd_run)

    p_list = sub.add_parser("list", help="list notebooks and their parameters")
    p_list.set_defaults(func=_cmd_list)

    p_fetch = sub.add_parser("fetch", help="download the public data files into the cache (resumable, checksum verified)",
                             add_help=False)
    p_fetch.add_argument("fetch_args", nargs=argparse.REMAINDER,
                         help="all | list | SOURCE... [--departement D] [--optional] [--refresh] [--dest DIR] [--quiet]; "
                              "see `esstools fetch --help`")
    p_fetch.set_defaults(func=_cmd_fetch)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fetch"]:  # options belong to the fetch command itself (esstools.fetch.main)
        from . import fetch

        return fetch.main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except EsstoolsError as exc:
        print(f"esstools: erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("esstools: interrompu ; les rapports précédents sont intacts.", file=sys.stderr)
        return 130
    except Stopped as exc:
        name = "SIGTERM" if exc.signum == signal.SIGTERM else "SIGINT"
        print(f"esstools: arrêté ({name}) ; notebooks et noyaux arrêtés, les rapports précédents sont intacts.",
              file=sys.stderr)
        return 128 + exc.signum


if __name__ == "__main__":
    sys.exit(main())
