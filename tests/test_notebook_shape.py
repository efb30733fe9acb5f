"""The four notebooks share one shape: thin (≤ 60 code lines, logic in esstools), one name for the
territory parameter (``departement``), code cells free of inline data tables (issues 14 and 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_CODE_LINES = 60


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def code_lines(path: Path) -> int:
    """Non-blank, non-comment lines of the code cells (what a reader has to follow)."""
    return sum(1 for c in _cells(path) if c["cell_type"] == "code"
               for line in "".join(c["source"]).splitlines()
               if line.strip() and not line.strip().startswith("#"))


def parameter_names(path: Path) -> list[str]:
    cell = next(c for c in _cells(path) if "parameters" in c.get("metadata", {}).get("tags", []))
    return [line.split("=")[0].strip() for line in "".join(cell["source"]).splitlines()
            if "=" in line and not line.lstrip().startswith("#")]


def test_the_four_notebooks_are_there():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_notebook_is_thin(path):
    n = code_lines(path)
    assert n <= MAX_CODE_LINES, f"{path.name}: {n} code lines (at most {MAX_CODE_LINES}; move logic into esstools)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_one_name_for_the_territory(path):
    names = parameter_names(path)
    assert "departement" in names, f"{path.name}: parameters {names}"
    assert "territory" not in names and "territoire" not in names


def test_counting_rule_ignores_comments_and_blank_lines(tmp_path):
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": ["# titre\n", "\n", "x = 1\n", "  # c\n", "y = 2"]},
                    {"cell_type": "markdown", "metadata": {}, "source": ["z = 3"]}]}
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps(nb), encoding="utf-8")
    assert code_lines(p) == 2
