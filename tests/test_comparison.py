"""Territorial comparison: parameter checks, published figures, notebook runs for 92 and 93."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from esstools import comparison as cmp
from esstools.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_territorial_comparison.ipynb"


def test_check_parameters_errors():
    with pytest.raises(ParameterError, match="Unknown département '99'"):
        cmp.check_parameters("99")
    with pytest.raises(ParameterError, match="Invalid value 'region' for 'level'; allowed values are: 'ept', 'commune', 'departement'"):
        cmp.check_parameters("93", level="region")
    with pytest.raises(ParameterError, match="'reference'"):
        cmp.check_parameters("93", reference="75")
    with pytest.raises(ParameterError, match="no établissement public territorial"):
        cmp.check_parameters("78", level="ept")
    with pytest.raises(ParameterError, match="expected 'demo', a directory"):
        cmp.check_parameters("93", source="/nonexistent/sirene")
    p = cmp.check_parameters("92", level="commune", reference="FR")
    assert (p.departement_name, p.region, p.data_kind) == ("Hauts-de-Seine", "11", "demo")


def test_published_part_reproduces_figures():
    p = cmp.check_parameters("93")
    t = cmp.published_table(p)
    assert t["source"].str.startswith("Source : ").all()
    assert cmp.latest(t, "93", "ess_share_establishments_pct")["valeur"] == 6.6
    assert cmp.latest(t, "93", "ess_share_employment_pct")["valeur"] == 6.2
    assert cmp.latest(t, "93", "ess_establishments_employer")["valeur"] == 3297
    assert cmp.latest(t, "93", "ess_jobs")["valeur"] == 42000
    assert cmp.latest(t, "93", "ess_rank_idf_establishments")["valeur"] == 3
    assert {"75", "92", "94", "11", "FR"} <= set(t["code"])
    text = cmp.published_reading(p, t)
    assert "3\u202f297" in text and "6,6 %" in text and "42\u202f000" in text and "3e département" in text
    p92 = cmp.check_parameters("92")
    t92 = cmp.published_table(p92)
    assert cmp.latest(t92, "92", "ess_establishments")["valeur"] == 3355
    assert cmp.latest(t92, "92", "ess_employees")["valeur"] == 50206
    assert "Aucun rang régional" in cmp.published_reading(p92, t92)


def test_part2_on_demo_data(tmp_path):
    p = cmp.check_parameters("93")
    etab, label = cmp.load_establishments(p, out_dir=tmp_path)
    assert "synthétiques" in label
    summ = cmp.unit_summary(etab, p, reference={"ess_share_establishments_pct": 7.2})
    assert list(summ["name"][:2]) == ["Est Ensemble", "Plaine Commune"]
    conc = cmp.concentration(summ)
    assert conc["top_k_share_pct"] > 60
    comp = cmp.family_composition(etab, p)
    assert comp.loc["Seine-Saint-Denis", "Associations"] == pytest.approx(92.0, abs=0.5)
    text = cmp.part2_reading(p, summ, comp, conc, {"ess_share_establishments_pct": 7.2})
    assert text.startswith("⚠ Données de démonstration — synthétiques")
    assert f"{cmp.fmt_num(conc['top_k_share_pct'], 1)} %" in text


def _run(dep: str, tmp_path: Path) -> dict:
    out = tmp_path / f"nb{dep}.ipynb"
    env = {**os.environ, "ESSTOOLS_RESULTS_DIR": str(tmp_path / "results"), "ESSTOOLS_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-k", "esstools",
                    "-p", "departement", dep, "--cwd", str(NOTEBOOK.parent), "--log-level", "WARNING"],
                   check=True, env=env, capture_output=True)
    return json.loads((tmp_path / "results" / f"01_territorial_comparison--{dep}.json").read_text(encoding="utf-8"))


def test_notebook_runs_for_92_and_differs_from_93(tmp_path):
    r92 = _run("92", tmp_path)
    committed = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    text93 = "".join("".join(o.get("text", "")) for c in committed["cells"] if c["cell_type"] == "code"
                     for o in c.get("outputs", []))
    units92 = {u["name"] for u in r92["units"]}
    assert units92 == {"Paris Ouest La Défense", "Vallée Sud-Grand Paris", "Grand Paris Seine Ouest",
                       "Boucle Nord de Seine"}
    assert "Est Ensemble" in text93 and "Paris Ouest La Défense" not in text93
    assert r92["data_kind"] == "demo"
    h = r92["headline"]
    assert h["published_ess_establishments"]["value"] == 3355
    assert h["published_ess_establishments"]["data_kind"] == "real"
    assert h["ess_employer_establishments"]["value"] == 3355
    assert h["ess_employer_establishments"]["data_kind"] == "demo"
    assert h["top2_share_ess_establishments_pct"]["value"] > 50  # POLD alone holds a third
