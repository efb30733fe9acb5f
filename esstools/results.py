"""Machine-readable results written by each notebook and read by the assessment.

Each analysis notebook calls :func:`save` once with a JSON-serialisable dict of
headline numbers. Every number must say where it comes from and whether it
rests on real or demo data::

    save("02_employment_trends", run="93", payload={
        "data_kind": "demo",            # "real", "demo" or "mixed" (esstools.provenance.Provenance)
        "source": "...", "sources": [...],  # human-readable provenance
        "parameters": {...},
        "headline": {"annual_growth_pct": display.headline(2.3, "%", "Croissance annuelle moyenne",
                                                           provenance, ci95=(1.9, 2.7))},
        "synthesis": [{"text": "…", "nature": "démonstration", "source": "…"}],
    })

Files land in :func:`esstools.paths.results_dir` as ``<notebook>--<run>.json``,
written atomically. When ``esstools run`` executes a notebook it sets
``ESSTOOLS_RUN_LABEL`` to the run's label, which then names the file (so the
runner can attach each results file to its report); ``run`` is kept inside.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from . import atomic, paths


def _clean(obj: Any) -> Any:
    """Convert numpy/pandas scalars and NaN to JSON-friendly values."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def result_path(notebook: str, run: str = "default", directory: str | os.PathLike | None = None) -> Path:
    """Path of the results file of ``notebook`` for run label ``run``."""
    directory = Path(directory) if directory is not None else paths.results_dir()
    return directory / f"{notebook}--{run}.json"


def save(notebook: str, payload: dict, run: str = "default", directory: str | os.PathLike | None = None) -> Path:
    """Write ``payload`` as JSON atomically (temp file then rename); return the path.

    The file is named after ``ESSTOOLS_RUN_LABEL`` when set (by ``esstools run``), else ``run``.
    """
    target = result_path(notebook, os.environ.get("ESSTOOLS_RUN_LABEL") or run, directory)
    data = {"notebook": notebook, "run": run, **_clean(payload)}
    return atomic.write_text(target, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))


def load(notebook: str, run: str = "default", directory: str | os.PathLike | None = None) -> dict:
    """Read the results of ``notebook`` for ``run``; FileNotFoundError names the expected path."""
    path = result_path(notebook, run, directory)
    if not path.exists():
        raise FileNotFoundError(
            f"No results file '{path}' for notebook '{notebook}' run '{run}': run "
            f"`esstools run notebooks/{notebook}.ipynb` first."
        )
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_all(directory: str | os.PathLike | None = None) -> list[dict]:
    """All results files of a directory, sorted by file name."""
    directory = Path(directory) if directory is not None else paths.results_dir()
    out = []
    for path in sorted(directory.glob("*--*.json")):
        with open(path, encoding="utf-8") as fh:
            out.append(json.load(fh))
    return out
