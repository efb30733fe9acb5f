"""Where the tests find ``../shared`` (seeds, real files, reference results), and how they skip without it.

``../shared`` sits beside the repository in the project's CI layout; ``ESSTOOLS_SHARED_DIR``
points elsewhere. Its files are read in place, never copied into the repository. A test that
needs one calls :func:`require` (or uses :func:`needs`): without it the test is skipped with ONE
line saying what is not checked and why, e.g.

    SKIPPED ... not checked: seed quotes found verbatim in the seed documents
                (../shared/seeds absent; see README « Suite complète »)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ESSTOOLS_SHARED_DIR", ROOT.parent / "shared"))


def path(*parts: str) -> Path:
    return SHARED.joinpath(*parts)


def reason(what: str, *parts: str) -> str:
    where = "/".join(("../shared",) + parts)
    return f"not checked: {what} ({where} absent; see README « Suite complète »)"


def needs(what: str, *parts: str):
    """Skip marker: the test checks ``what`` and needs ``../shared/<parts>``."""
    return pytest.mark.skipif(not path(*parts).exists(), reason=reason(what, *parts))


def require(what: str, *parts: str) -> Path:
    """The path of ``../shared/<parts>``, or skip the calling test with the one-line reason."""
    target = path(*parts)
    if not target.exists():
        pytest.skip(reason(what, *parts))
    return target
