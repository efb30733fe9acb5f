"""Back-end of notebook 03 (esstools.impact.report): synthesis first, honest labels, marked lines,
results JSON, any département, real files."""

import json

import pytest

from esstools.impact import report
from esstools.provenance import DEMO_LABEL
from esstools.sources.siae import siae_inputs

MARK = f"[⚠ {DEMO_LABEL}]"


@pytest.fixture(scope="module")
def rep93():
    return report.run("93", n_power_sims=5)


def _printed(capsys, rep, method):
    getattr(rep, method)()
    return capsys.readouterr().out.splitlines()


def test_payload_keeps_the_keys_and_labels_the_reserved_coefficient(rep93, tmp_path, monkeypatch):
    p = rep93.payload()
    assert p["data_kind"] == "demo" and p["sources"]
    h = p["headline"]
    assert set(h) == {"twfe_reserved_eur", "twfe_hours", "cs_att", "mde_cs_att"}
    assert all(item["data_kind"] == "demo" and item["label_fr"] and item["source"] for item in h.values())
    res = h["twfe_reserved_eur"]
    assert "effet dynamique de l'attribution" in res["label_fr"] and "pas le rendement du seul contrat" in res["definition"]
    assert res["ci95"][0] < res["value"] < res["ci95"][1]
    assert "Callaway–Sant'Anna" in h["mde_cs_att"]["label_fr"] and h["mde_cs_att"]["value"] > 0
    natures = [s["nature"] for s in p["synthesis"]]
    assert natures[0] == "publié" and "123 structures" in p["synthesis"][0]["text"]
    assert set(natures[1:]) == {"démonstration"} and all(s["source"] for s in p["synthesis"])
    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path))
    monkeypatch.delenv("ESSTOOLS_RUN_LABEL", raising=False)
    rep93.save()
    saved = json.loads((tmp_path / "03_siae_impact--93.json").read_text(encoding="utf-8"))
    assert saved["headline"]["cs_att"]["value"] == pytest.approx(rep93.cs.simple.params["att"], rel=1e-6)


def test_reserved_coefficient_targets_more_than_the_contract(rep93):
    """The demo's truth for the contract (and its crowd-in) is 1.2 € per €; with the dynamic effect of the award the
    TWFE coefficient targets more (about 1.37): the report states both."""
    est = rep93.reserved_estimand()
    assert 1.3 < est < 1.5
    text = rep93.synthesis()[2]["text"]
    assert "1,20 € pour le contrat" in text and "visés par le coefficient" in text


def test_every_printed_demo_number_carries_the_mark(rep93, capsys):
    for method in ("show_synthesis", "show_data", "show_twfe", "show_event_study", "show_staggered",
                   "show_heterogeneity", "show_power", "show_reading"):
        for line in _printed(capsys, rep93, method):
            if any(ch.isdigit() for ch in line) and not line.startswith(("<", "Figure(")):  # displayed objects
                assert line.endswith(MARK) or "[publié" in line, (method, line)


def test_staggered_table_shows_both_missing_outcome_rules(rep93):
    tab = rep93.staggered_table()
    assert len(tab) == 3 and tab["SIAE"].iloc[2] < tab["SIAE"].iloc[1]
    assert "comme R did" in tab["estimateur"].iloc[2]
    assert tab["vrai effet (démo, k€/an)"].iloc[1] == pytest.approx(rep93.true_simple_att() / 1e3)


def test_small_departement_uses_few_cluster_inference():
    rep = report.run("976", n_power_sims=3)
    assert rep.n_siae == 20
    assert rep.cs.simple.df_dist == 19 and "Student à 19 ddl" in rep.synthesis()[0]["text"]
    lev = rep.twfe["level"]
    assert set(lev.wild.index) == {"hours_k", "reserved_market_eur"}  # 20 clusters: wild bootstrap everywhere
    assert "bootstrap sauvage" in rep.synthesis()[1]["text"]
    lo, hi = lev.wild.loc["reserved_market_eur", ["ci_lower", "ci_upper"]]
    assert rep.payload()["headline"]["twfe_reserved_eur"]["ci95"] == [round(lo, 4), round(hi, 4)]


def test_real_files_are_reported_as_real(rep93, capsys):
    demo = siae_inputs("93")
    f = demo.files
    rep = report.run("93", n_power_sims=3, directory=f[0], clause_hours=f[1], decp=f[2], financials=f[3])
    assert rep.provenance.kind == "real" and rep.demo is None
    p = rep.payload()
    assert p["data_kind"] == "real" and p["headline"]["cs_att"]["data_kind"] == "real"
    assert p["headline"]["mde_cs_att"]["data_kind"] == "demo"  # simulated with the demo generator
    assert [s["nature"] for s in p["synthesis"]][:3] == ["calculé sur données réelles"] * 3
    lines = _printed(capsys, rep, "show_twfe")
    assert lines and not any(MARK in line for line in lines) and not any("Vérité" in line for line in lines)
