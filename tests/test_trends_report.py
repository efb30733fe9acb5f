"""The report back-end of notebook 02 (in process, fast): synthesis, tables, honest labels, results payload."""

import json

import matplotlib
import pytest

matplotlib.use("Agg")

from esstools.provenance import DEMO_LABEL  # noqa: E402
from esstools.trends import report  # noqa: E402


@pytest.fixture(scope="module")
def rep93():
    return report.build("93", validation_reps=60)


def test_synthesis_first_items_have_nature_and_source(rep93):
    items = rep93.synthesis()
    assert items[0]["text"].startswith("Seine-Saint-Denis (93) : l'emploi salarié de l'ESS a crû en moyenne de ")
    assert {it["nature"] for it in items} == {"démonstration", "publié"}
    assert all(it["source"] for it in items)
    md = rep93.synthesis_md()
    assert md.startswith("## Synthèse — Seine-Saint-Denis (93), référence Île-de-France (région 11)")
    assert DEMO_LABEL in md
    published = [it for it in items if it["nature"] == "publié"]
    assert any("+23 %" in it["text"] and "ne peut pas le confirmer" in it["text"] for it in published)


def test_tables_speak_french_and_label_calibration_honestly(rep93):
    pub = rep93.published_table()
    assert "figure_id" not in pub.columns and "concorde" not in " ".join(pub.columns)
    assert pub["rôle"].str.startswith(("calibré sur", "hypothèse")).all()
    g = rep93.growth_table()
    assert list(g.columns) == ["grandeur", "estimation", "IC 95 % bas", "IC 95 % haut", "unité"]
    assert (g["IC 95 % bas"].dropna() < g.loc[g["IC 95 % bas"].notna(), "estimation"]).all()
    per = rep93.persistence_table()
    assert per["diagnostic"].str.contains("Durbin-Watson").any() and per["prise en compte"].str.startswith(("oui", "en partie")).all()
    assert set(rep93.break_table()["décision à 5 %"]) <= {"rupture", "pas de rupture établie"}
    proj = rep93.projection_table()
    assert len(proj) == 3 and proj["projection"].iloc[-1].startswith("projection retenue")


def test_printed_lines_carry_the_demo_mark(rep93, capsys):
    rep93.show_projection()
    out = capsys.readouterr().out  # outside a notebook the table shows as its repr, then the printed line
    line = next(x for x in out.splitlines() if x.startswith("Projection retenue 2028 : "))
    assert line.endswith(f"[⚠ {DEMO_LABEL}]")
    assert "\u202f" in out  # French thousands separator


def test_payload_keeps_the_keys_the_assessment_reads(rep93, tmp_path, monkeypatch):
    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path))
    monkeypatch.delenv("ESSTOOLS_RUN_LABEL", raising=False)
    rep93.save()
    data = json.loads((tmp_path / "02_employment_trends--93.json").read_text(encoding="utf-8"))
    assert data["data_kind"] == "demo" and data["sources"] and data["parameters"]["departement"] == "93"
    h = data["headline"]
    assert set(h) == {"annual_growth_pct", "projection_2028", "growth_gap_pp", "break_pvalue"}
    a = rep93.analysis
    assert h["annual_growth_pct"]["value"] == pytest.approx(a.growth.value, abs=1e-4)
    p = rep93.projection.at(2028)
    assert h["projection_2028"]["value"] == round(p["value"]) and h["projection_2028"]["ci95"] == [round(v) for v in p["ci95"]]
    assert h["break_pvalue"]["pvalue_text"] == a.break_known.pvalue_text
    assert len(data["synthesis"]) == len(rep93.synthesis()) and len(data["validation"]) == 5


def test_overseas_departement_uses_france_and_explains_why():
    rep = report.build("974", validation_reps=30)
    assert rep.data.reference_label == "France"
    assert any("ne compte qu'un département" in n for n in rep.sourced.notes)
    assert "France" in rep.synthesis()[3]["text"]


def test_parameters_are_checked():
    with pytest.raises(Exception, match="allowed values"):
        report.build("93", frequency="M")
    with pytest.raises(Exception, match="allowed values"):
        report.build("93", reference="84")
    with pytest.raises(Exception, match="Invalid horizon"):
        report.build("93", horizon="bientôt")
    with pytest.raises(Exception):
        report.build("00")
