"""Notebook 01 with default parameters on a diverse sample of départements (papermill, kernel ``esstools``),
and its shape (≤ 60 code lines, synthesis first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_territorial_comparison.ipynb"
#: Paris (arrondissements), Lyon's Métropole, Marseille's, Corsica, two overseas départements, the
#: largest département and Seine-Saint-Denis (EPT).
SAMPLE = ("93", "75", "69", "13", "2A", "974", "976", "59")
EXPECTED_UNIT = {"93": "Est Ensemble", "75": "Paris 11e Arrondissement", "69": "Métropole de Lyon",
                 "13": "Métropole d'Aix-Marseille-Provence", "2A": "CA du Pays Ajaccien",
                 "974": "CA Territoire de la Côte Ouest (TCO)", "976": "CA de Dembeni / Mamoudzou",
                 "59": "Métropole Européenne de Lille"}


def test_notebook_shape():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    lines = [l for c in code for l in "".join(c["source"]).splitlines() if l.strip() and not l.strip().startswith("#")]
    assert len(lines) <= 60
    assert code[0]["metadata"]["tags"] == ["parameters"]
    params = "".join(code[0]["source"])
    assert 'departement = "93"' in params and "territory" not in params
    titles = [("".join(c["source"]).splitlines() or [""])[0] for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert titles[1] == "## Synthèse" and titles[2].startswith("## Partie 1")
    text = "".join(l for c in code for l in c["source"])
    assert "fmt_num" not in text and "print(f" not in text  # numbers go through display.say / show_table


@pytest.mark.parametrize("dep", SAMPLE)
def test_notebook_runs_with_default_parameters(dep, tmp_path):
    out = tmp_path / f"nb{dep}.ipynb"
    env = {**os.environ, "ESSTOOLS_RESULTS_DIR": str(tmp_path / "results")}
    proc = subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-k", "esstools",
                           "-r", "departement", dep, "--cwd", str(NOTEBOOK.parent), "--log-level", "WARNING"],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads((tmp_path / "results" / f"01_territorial_comparison--{dep}.json").read_text(encoding="utf-8"))
    assert result["data_kind"] == "mixed" and result["parameters"]["departement"] == dep
    assert {u["name"] for u in result["units"]} >= {EXPECTED_UNIT[dep]}
    assert result["synthesis"] and {i["nature"] for i in result["synthesis"]} >= {"publié", "démonstration"}
    executed = json.loads(out.read_text(encoding="utf-8"))
    stdout = "".join("".join(o.get("text", "")) for c in executed["cells"] if c["cell_type"] == "code"
                     for o in c.get("outputs", []))
    assert "Aucun fichier de contours fourni" in stdout
    for line in stdout.splitlines():  # every printed number built on demo data carries the mark
        if "(démonstration)" in line:
            assert line.endswith("[⚠ données de démonstration — synthétiques]")
