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
from esstools.nbtools import strip_volatile  # noqa: E402
from esstools.runner.config import default_stage  # noqa: E402


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
