"""Shared machinery of the data-access layer: the :class:`Sourced` container, the demo cache and
the input perturbation used by the reproducibility check.

Perturbation (issue "reproducible on any machine"): when the environment variable
``ESSTOOLS_PERTURB_RELATIVE`` is set (e.g. ``1e-10``), :func:`perturb` multiplies every float
column of the frames handed to the analyses by ``1 + r·u`` with ``u`` uniform on [-1, 1] drawn
from a generator seeded by ``ESSTOOLS_PERTURB_SEED`` (default 0) and the column name. Integer
columns (counts, codes, years) are left alone. Printed results must not change (beyond one unit in
the last printed digit of a value on a rounding boundary): ``tests/test_reproducibility.py``
re-executes the committed notebooks this way and compares their outputs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from .. import paths
from ..provenance import Provenance

T = TypeVar("T")

PERTURB_ENV = "ESSTOOLS_PERTURB_RELATIVE"
PERTURB_SEED_ENV = "ESSTOOLS_PERTURB_SEED"


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """Data with their provenance, the files they were read from, notes (French) on gaps, and the
    inputs that could not be had (``missing``: :class:`esstools.sources.fetched.Missing` items; ``data``
    is then None, or holds what could be read)."""

    data: T
    provenance: Provenance
    files: tuple[Path, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    missing: tuple = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.provenance, Provenance):
            raise TypeError(f"Sourced.provenance must be a Provenance, got {self.provenance!r}.")
        object.__setattr__(self, "files", tuple(Path(f) for f in self.files))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "missing", tuple(self.missing))


def demo_dir(name: str) -> Path:
    """Cache directory where demo files of ``name`` are written (in the real formats) before being read back.

    Under ``ESSTOOLS_DEMO_DIR`` when set, else ``<cache_dir>/demo/<name>``.
    """
    root = Path(os.environ["ESSTOOLS_DEMO_DIR"]) if os.environ.get("ESSTOOLS_DEMO_DIR") else paths.cache_dir() / "demo"
    target = root / name
    target.mkdir(parents=True, exist_ok=True)
    return target


def perturbation() -> float:
    """Relative size of the input perturbation (0 when ``ESSTOOLS_PERTURB_RELATIVE`` is unset)."""
    raw = os.environ.get(PERTURB_ENV, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{PERTURB_ENV}={raw!r} is not a number (expected e.g. 1e-10).") from None
    if not (0 <= value < 1e-3):
        raise ValueError(f"{PERTURB_ENV}={raw!r} must be in [0, 1e-3): it simulates rounding noise, not new data.")
    return value


def perturb(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Copy of ``frame`` with measure columns multiplied by ``1 + r·u`` when a perturbation is set (else ``frame``).

    ``columns``: the measure columns (counts included, which become floats); default: the float columns.
    Identifiers, codes, years and quarters must not be listed.
    """
    rel = perturbation()
    if rel == 0 or frame.empty:
        return frame
    out = frame.copy()
    seed = int(os.environ.get(PERTURB_SEED_ENV, "0"))
    targets = columns if columns is not None else [c for c in out.columns if pd.api.types.is_float_dtype(out[c])]
    for col in targets:
        if pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("float64")
            digest = hashlib.sha256(f"{seed}|{col}".encode("utf-8")).digest()
            rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
            out[col] = out[col] * (1.0 + rel * rng.uniform(-1.0, 1.0, len(out)))
    return out
