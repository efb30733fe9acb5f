"""Execute and render ONE notebook; run as ``python -m esstools.runner.worker SPEC.json``.

Each notebook runs in its own process (own environment variables, own kernel),
which keeps parallel runs apart. The worker prints one JSON object per line on
stdout for the parent: ``{"event": "progress", "done": i, "total": n}`` after each
cell, then ``{"event": "end", "status": "ok"|"failed", ...}``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path


def _emit(**event) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def _progress_engine():
    from papermill.engines import NBClientEngine

    class ProgressEngine(NBClientEngine):
        """papermill's nbclient engine reporting each completed cell to the parent."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            total = len(nb_man.nb.cells)
            original = nb_man.cell_complete
            done = {"n": 0}

            def cell_complete(cell, cell_index=None, **kw):
                original(cell, cell_index=cell_index, **kw)
                done["n"] += 1
                _emit(event="progress", done=(cell_index + 1 if cell_index is not None else done["n"]), total=total)

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    return ProgressEngine


def render_html(ipynb_path: Path, html_path: Path, show_code: bool = False) -> None:
    """Render an executed notebook to standalone HTML (images embedded), atomically."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(ipynb_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb)
    from ..atomic import write_text

    write_text(html_path, body)


def failing_cell(ipynb_path: Path) -> dict:
    """Position (1-based, in the source notebook), execution count and error of the first failed cell.

    Cells added by papermill (error banner, injected parameters) are not counted, so the
    position matches what the author sees in the notebook.
    """
    import nbformat

    nb = nbformat.read(ipynb_path, as_version=4)
    added = {"injected-parameters", "papermill-error-cell-tag"}
    original = [c for c in nb.cells if not added & set(c.get("metadata", {}).get("tags", []))]
    for i, cell in enumerate(original, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return {
                    "cell": i,
                    "execution_count": cell.get("execution_count"),
                    "ename": out.get("ename"),
                    "evalue": str(out.get("evalue"))[:500],
                    "source": cell.get("source", "")[:200],
                }
    return {}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    import papermill as pm
    from papermill.engines import papermill_engines
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.WARNING)
    papermill_engines.register("esstools-progress", _progress_engine())
    out_ipynb = Path(spec["output_ipynb"])
    out_html = Path(spec["output_html"])
    start = time.time()
    status, error = "ok", {}
    try:
        pm.execute_notebook(
            spec["notebook"],
            str(out_ipynb),
            parameters=spec["parameters"],
            kernel_name=spec["kernel"],
            engine_name="esstools-progress",
            progress_bar=False,
            cwd=spec["cwd"],
            start_timeout=120,
            execution_timeout=spec.get("cell_timeout"),
        )
    except PapermillExecutionError as exc:
        status = "failed"
        error = failing_cell(out_ipynb) or {"ename": exc.ename, "evalue": str(exc.evalue)[:500]}
        error.setdefault("execution_count", exc.exec_count)
    except Exception as exc:  # kernel died, notebook unreadable...
        status = "failed"
        error = {"ename": type(exc).__name__, "evalue": str(exc)[:500]}
    html_error = None
    if out_ipynb.exists():
        try:
            render_html(out_ipynb, out_html, show_code=spec.get("show_code", False))
        except Exception as exc:
            html_error = f"{type(exc).__name__}: {exc}"
            status = "failed"
            error = error or {"ename": "RenderError", "evalue": html_error}
    _emit(event="end", status=status, error=error, seconds=round(time.time() - start, 1))
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
