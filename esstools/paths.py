"""Where esstools finds its data and writes its outputs (one place for every path).

The repository layout is ``<root>/esstools`` (this package), ``<root>/data``,
``<root>/notebooks`` and ``<root>/reports``. ``ESSTOOLS_DATA_DIR`` overrides the
data directory (for an installed package used outside the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Directory of the committed data tables (``data/``)."""
    return Path(os.environ.get("ESSTOOLS_DATA_DIR", REPO_ROOT / "data"))


def reference_dir() -> Path:
    """Directory of the territorial reference and published figures (``data/reference/``)."""
    return data_dir() / "reference"


def notebooks_dir() -> Path:
    """Directory of the analysis notebooks."""
    return REPO_ROOT / "notebooks"


def reports_dir() -> Path:
    """Default output directory of ``esstools run``."""
    return Path(os.environ.get("ESSTOOLS_REPORTS_DIR", REPO_ROOT / "reports"))


def results_dir() -> Path:
    """Directory where notebooks write their machine-readable results (JSON).

    ``esstools run`` sets ``ESSTOOLS_RESULTS_DIR`` for each run; the default is
    ``reports/results``.
    """
    return Path(os.environ.get("ESSTOOLS_RESULTS_DIR", reports_dir() / "results"))


def cache_dir() -> Path:
    """Download cache of ``esstools fetch`` (``ESSTOOLS_CACHE_DIR`` or ``~/.cache/esstools``)."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "esstools"
    return Path(os.environ.get("ESSTOOLS_CACHE_DIR", default))
