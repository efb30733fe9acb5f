"""Wall time of the whole study: `esstools run` (parallel and sequential) vs plain papermill + nbconvert.

Usage: .venv/bin/python benchmarks/report_benchmark.py [--repeat 1]

Runs every run of reports.yml three ways into temporary directories:
1. `esstools run --config reports.yml --jobs 2` (what `make report` does);
2. `esstools run --config reports.yml --jobs 1` (same pipeline, one notebook at a time);
3. plain `papermill` then `jupyter nbconvert --to html`, one notebook after the other (the baseline).
Writes the figures into benchmarks/RESULTS.md between the REPORT-BENCHMARK markers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from esstools.runner import config  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from benchlib import machine, write_section  # noqa: E402

BIN = Path(sys.executable).parent
START, END = "<!-- REPORT-BENCHMARK:START -->", "<!-- REPORT-BENCHMARK:END -->"


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def esstools_run(jobs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        return timed([str(BIN / "esstools"), "run", "--config", str(ROOT / "reports.yml"), "--jobs", str(jobs),
                      "--output", str(Path(tmp) / "reports")])


def plain_papermill() -> float:
    specs, _ = config.load_config(ROOT / "reports.yml")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, ESSTOOLS_RESULTS_DIR=str(Path(tmp) / "results"), ESSTOOLS_REPORTS_DIR=tmp)
        t0 = time.perf_counter()
        for spec in specs:
            out = Path(tmp) / f"{spec.run_id}.ipynb"
            cmd = [str(BIN / "papermill"), str(spec.notebook), str(out), "-k", "esstools", "--cwd", str(spec.notebook.parent),
                   "--no-progress-bar"]
            for k, v in spec.parameters.items():
                cmd += ["-r" if isinstance(v, str) else "-p", k, str(v)]
            subprocess.run(cmd, check=True, env=dict(env, ESSTOOLS_RUN_LABEL=spec.label),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t0


def machine_line() -> str:
    m = machine()
    return (f"{m['nproc']} cores ({m['cpu']}), {m['memory']} RAM, {m['os']}, Python {m['python']}, "
            f"papermill {m['papermill']}, nbconvert {m['nbconvert']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    n_runs = len(config.load_config(ROOT / "reports.yml")[0])
    rows = []
    for label, fn in [("esstools run --jobs 2 (make report)", lambda: esstools_run(2)),
                      ("esstools run --jobs 1", lambda: esstools_run(1)),
                      ("papermill + nbconvert, one by one", plain_papermill)]:
        times = [fn() for _ in range(args.repeat)]
        rows.append((label, min(times)))
        print(f"{label}: {min(times):.1f} s", flush=True)
    base = rows[2][1]
    table = "\n".join(f"| {label} | {secs:.1f} | {base / secs:.2f}× |" for label, secs in rows)
    section = f"""
## Report pipeline (issue 7): `make report` vs plain papermill + nbconvert

Command: `.venv/bin/python benchmarks/report_benchmark.py` — {n_runs} runs of `reports.yml`, best of {args.repeat}.
Machine: {machine_line()}. Date: {time.strftime('%Y-%m-%d')}.

| pipeline | wall time (s) | speed-up vs baseline |
|---|---|---|
{table}

The esstools runner also renders HTML, writes the index and manifest, and stages outputs atomically;
the baseline only executes and converts. Parallelism is bounded by the 2 cores: each notebook has its own kernel.
"""
    write_section(START, END, section)

if __name__ == "__main__":
    main()
