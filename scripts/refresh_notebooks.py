"""Re-execute the committed notebooks in place and strip run-specific metadata.

Usage: .venv/bin/python scripts/refresh_notebooks.py [notebooks/NAME.ipynb ...]   (or `make notebooks`)

The committed notebooks carry their outputs (checked by nbval), but not the run's
timestamps and durations, so that re-running an unchanged notebook gives no diff.
Analysis notebooks run first, the assessment (00_*) last, as in `esstools run`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from esstools import atomic  # noqa: E402
from esstools.runner.config import default_stage  # noqa: E402

VOLATILE_CELL_KEYS = ("execution",)
VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration")


def merge_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks: how a kernel splits them depends on timing."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            prev["text"] = "".join(prev["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove timestamps/durations written by Jupyter and papermill; merge split streams; keep outputs and tags."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
        for key in VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        pm_meta = cell.metadata.get("papermill")
        if pm_meta is not None:
            for key in VOLATILE_PAPERMILL_KEYS:
                pm_meta.pop(key, None)
    pm_meta = nb.metadata.get("papermill")
    if pm_meta is not None:
        for key in VOLATILE_PAPERMILL_KEYS + ("input_path", "output_path"):
            pm_meta.pop(key, None)
        pm_meta.pop("environment_variables", None)
    return nb


def refresh(path: Path) -> None:
    print(f"executing {path.relative_to(ROOT)}", flush=True)
    nb = pm.execute_notebook(str(path), None, kernel_name="esstools", cwd=str(path.parent), progress_bar=False)
    atomic.write_text(path, nbformat.writes(strip_volatile(nb)) + "\n")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in sorted(paths, key=lambda p: (default_stage(p), p.name)):
        refresh(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
