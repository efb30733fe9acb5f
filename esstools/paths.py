"""Where esstools finds its data and writes its outputs (one place for every path).

The repository layout is ``<root>/esstools`` (this package), ``<root>/data``,
``<root>/notebooks`` and ``<root>/reports``. The wheel ships ``data/`` as the package data
``esstools/data`` (pyproject ``package-dir``), so an installed esstools finds its reference
tables without the repository. ``ESSTOOLS_DATA_DIR`` overrides the data directory; the download
cache follows the platform's conventions (``platformdirs``) unless ``ESSTOOLS_CACHE_DIR`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """Directory of the committed data tables: ``ESSTOOLS_DATA_DIR``, else the checkout's ``data/``,
    else the installed package data ``esstools/data``."""
    if os.environ.get("ESSTOOLS_DATA_DIR"):
        return Path(os.environ["ESSTOOLS_DATA_DIR"])
    checkout = REPO_ROOT / "data"
    if (checkout / "reference").is_dir():
        return checkout
    return PACKAGE_DIR / "data"


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
    """Download cache of ``esstools fetch``: ``ESSTOOLS_CACHE_DIR``, else the platform's user cache
    directory (``platformdirs.user_cache_dir("esstools")``: ``~/.cache/esstools`` on Linux,
    ``~/Library/Caches/esstools`` on macOS, ``%LOCALAPPDATA%\\esstools\\Cache`` on Windows)."""
    if os.environ.get("ESSTOOLS_CACHE_DIR"):
        return Path(os.environ["ESSTOOLS_CACHE_DIR"])
    import platformdirs

    return Path(platformdirs.user_cache_dir("esstools", appauthor=False))
