"""Tests of the scorecard (esstools.assessment.model, also importable as esstools.scorecard) on constructed
indicator files and on the committed roadmap data, and of the headline results table of the analyses."""

from __future__ import annotations

import pandas as pd
import pytest

from esstools import paths
from esstools.assessment.headlines import headline_results_table, load_results_safely, report_provenance
from esstools.assessment.model import build_scorecard
from esstools.assessment.rules import (
    PROGRESS_STATUSES,
    STATUS_AHEAD,
    STATUS_NO_DATA,
    STATUS_NOT_ASSESSABLE,
    STATUS_OBSERVED,
    STATUS_ON_TRACK,
    STATUS_WATCH,
)
from esstools.display import headline
from esstools.errors import ParameterError
from esstools.provenance import DEMO_LABEL, Provenance
from esstools.roadmap import INDICATOR_COLUMNS, load_indicators, load_roadmap

ROADMAP_DIR = paths.data_dir() / "roadmap"


@pytest.fixture(scope="module")
def roadmap():
    return load_roadmap()


def _frame(*rows):
    base = dict(label="L", unit="count", qualifier="exact", target_value="", target_direction="", value="",
                source_document="Src", source_section="", quote="", note="", year_basis="data", measure="annual")
    return pd.DataFrame([{**base, "indicator_id": f"T-{i}", **r} for i, r in enumerate(rows, 1)],
                        columns=list(INDICATOR_COLUMNS))


def _scorecard(tmp_path, roadmap, *rows):
    path = tmp_path / "ind.csv"
    _frame(*rows).to_csv(path, index=False)
    return build_scorecard(roadmap, load_indicators(path, roadmap=roadmap))


def obs(node, series, year, value, **kw):
    return dict(node_id=node, series=series, year=year, value=value, kind="observed", **kw)


# ------------------------------------------------------------------ the defects of issue 12, on constructed files


def test_single_value_is_constat_not_on_track(tmp_path, roadmap):
    sc = _scorecard(tmp_path, roadmap, obs("E1.O2.A4", "hours", 2024, 150000, qualifier="lower_bound"))
    s = sc.series.set_index("series").loc["hours"]
    assert (s["status"], s["rule"], s["n_dated"]) == (STATUS_OBSERVED, "R4", 1)
    assert sc.action_statuses()["E1.O2.A4"] == STATUS_OBSERVED
    assert sc.objectives.set_index("objective_id").at["E1.O2", "status"] == STATUS_NOT_ASSESSABLE


def test_repeated_statement_is_not_a_series(tmp_path, roadmap):
    sc = _scorecard(
        tmp_path, roadmap,
        obs("E1.O2.A1", "floor", 2024, 50e6, year_basis="publication", source_document="FDR"),
        obs("E1.O2.A1", "floor", 2025, 50e6, year_basis="publication", source_document="RTES"),
        obs("E1.O2.A2", "hours", 2024, 10, source_document="RTES"),
        obs("E1.O2.A2", "hours", 2026, 10, year_basis="publication", source_document="bilan"),
    )
    s = sc.series.set_index("series")
    assert s.at["floor", "n_observations"] == 1 and s.at["floor", "status"] == STATUS_OBSERVED
    assert pd.isna(s.at["floor", "trend"]) and "même énoncé repris par 2 documents" in s.at["floor", "note"]
    # A dated value restated later without a date stays one value of its year: still a single value.
    assert (s.at["hours", "n_observations"], s.at["hours", "latest_year"], s.at["hours", "status"]) == (
        1, 2024, STATUS_OBSERVED)


def test_pre_roadmap_undated_cumulative_context_and_feature_figures_give_no_status(tmp_path, roadmap):
    sc = _scorecard(
        tmp_path, roadmap,
        # before the roadmap: even two values, and a target already "reached", give no status
        obs("E1.O2.A1", "grants", 2022, 40e6), obs("E1.O2.A1", "grants", 2023, 54e6),
        dict(node_id="E1.O2.A1", series="grants", year=2023, kind="target", target_value=50e6, target_direction=">="),
        obs("E1.O3.A1", "dla", 2025, 67, year_basis="publication"),
        obs("E1.O3.A1", "dla", 2026, 70, year_basis="publication"),
        obs("E2.O4.A5", "facilitated_hours", 2025, 2.5e6, measure="cumulative"),
        obs("E2.O4.A5", "facilitated_hours", 2026, 2.9e6, measure="cumulative"),
        obs("E2.O1.A2", "voucher", 2024, 50, measure="feature"), obs("E2.O1.A2", "voucher", 2025, 60, measure="feature"),
        obs("FDR", "jobs", 2024, 42000, measure="level"), obs("FDR", "jobs", 2025, 43000, measure="level"),
    )
    s = sc.series.set_index("series")
    assert set(s["status"]) == {STATUS_OBSERVED} and set(s["rule"]) == {"R3"} and (s["n_dated"] == 0).all()
    assert s.at["grants", "basis"] == "chiffre antérieur à la feuille de route (2022, 2023)"
    assert s.at["dla", "basis"].startswith("chiffre non daté")
    assert s.at["facilitated_hours", "basis"].startswith("cumul")
    assert s.at["voucher", "basis"] == "caractéristique d'un dispositif"
    assert s.at["jobs", "basis"] == "chiffre de contexte"
    assert sc.coverage.n_evaluated == 0 and sc.coverage.n_documented == 4


def test_pre_roadmap_value_is_no_baseline_for_a_trend(tmp_path, roadmap):
    sc = _scorecard(tmp_path, roadmap, obs("E1.O2.A1", "grants", 2023, 54e6), obs("E1.O2.A1", "grants", 2025, 40e6))
    s = sc.series.set_index("series").loc["grants"]
    assert (s["status"], s["n_observations"], s["n_dated"]) == (STATUS_OBSERVED, 2, 1)
    assert "valeurs écartées : chiffre antérieur à la feuille de route (2023)" in s["note"]


def test_objective_status_says_its_coverage(tmp_path, roadmap):
    rising = lambda node: [obs(node, node.replace(".", "_").lower(), 2024, 10), obs(node, node.replace(".", "_").lower(), 2025, 12)]
    one = _scorecard(tmp_path, roadmap, *rising("E1.O1.A1"), obs("E1.O1.A2", "x", 2024, 3))
    o = one.objectives.set_index("objective_id").loc["E1.O1"]
    assert (o["status"], o["n_evaluated"], o["n_documented"], o["n_actions"]) == (STATUS_NOT_ASSESSABLE, 1, 2, 4)
    assert o["basis"] == "1 action évaluée sur 4 (2 renseignées) ; il en faut au moins 2"
    two = _scorecard(tmp_path, roadmap, *rising("E1.O1.A1"), *rising("E1.O1.A2"))
    o = two.objectives.set_index("objective_id").loc["E1.O1"]
    assert (o["status"], o["n_evaluated"]) == (STATUS_ON_TRACK, 2)
    assert o["basis"] == "2 actions évaluées sur 4 (2 renseignées)"
    c = two.challenges.set_index("challenge_id").loc["E1"]
    assert c["status"] == STATUS_NOT_ASSESSABLE and c["n_evaluated"] == 2 and "il en faut au moins 7" in c["basis"]


def test_targets_and_aggregation_on_constructed_file(tmp_path, roadmap):
    sc = _scorecard(
        tmp_path, roadmap,
        obs("E1.O1.A1", "a", 2026, 120),
        dict(node_id="E1.O1.A1", series="a", year=2026, kind="target", target_value=100, target_direction=">="),
        obs("E1.O1.A2", "b", 2024, 100), obs("E1.O1.A2", "b", 2025, 80),
        obs("E1.O1.A2", "c", 2024, 10), obs("E1.O1.A2", "c", 2025, 12),
        obs("E1.O2.A1", "d", 2024, 50), obs("E1.O2.A1", "d", 2025, 51),
        dict(node_id="E1.O2.A1", series="d", year=2027, kind="commitment", target_direction="stable"),
        dict(node_id="E1.O2.A2", series="e", year=2026, kind="target", target_value=5, target_direction=">="),
    )
    s = sc.series.set_index("series")
    assert s.at["a", "status"] == STATUS_AHEAD and s.at["a", "rule"] == "R5"
    assert s.at["b", "status"] == STATUS_WATCH and s.at["b", "trend"] == "en baisse"
    assert s.at["c", "status"] == STATUS_ON_TRACK and s.at["d", "status"] == STATUS_ON_TRACK and s.at["d", "reference"] == 50
    assert s.at["e", "status"] == STATUS_NO_DATA and s.at["e", "note"] == "cible fixée, aucune valeur observée"
    a = sc.action_statuses()
    assert (a["E1.O1.A1"], a["E1.O1.A2"], a["E1.O2.A1"], a["E1.O2.A2"]) == (
        STATUS_AHEAD, STATUS_WATCH, STATUS_ON_TRACK, STATUS_NO_DATA)
    o = sc.objectives.set_index("objective_id")
    assert o.at["E1.O1", "status"] == STATUS_WATCH and o.at["E1.O1", "n_a_surveiller"] == 1
    assert o.at["E1.O2", "status"] == STATUS_NOT_ASSESSABLE  # 1 action evaluated out of 4
    assert sc.coverage.n_documented == 3 and sc.coverage.n_evaluated == 3
    assert len(sc.coverage.undocumented) == 41 and "E1.O2.A2" in set(sc.coverage.undocumented["action_id"])


# ------------------------------------------------------------------ the committed data


def test_real_scorecard_has_no_status_on_a_single_value(roadmap):
    sc = build_scorecard(roadmap, load_indicators(roadmap=roadmap))
    s = sc.series
    progress = s[s["status"].isin(PROGRESS_STATUSES)]
    # Every progress status rests on two dated values or on a target: none today.
    assert ((progress["n_dated"] >= 2) | progress["target_kind"].notna()).all()
    assert progress.empty
    assert sc.action_statuses().value_counts().to_dict() == {STATUS_NO_DATA: 32, STATUS_OBSERVED: 12}
    assert (sc.objectives["status"] == STATUS_NOT_ASSESSABLE).all() and len(sc.objectives) == 13
    assert (sc.coverage.n_actions, sc.coverage.n_documented, sc.coverage.n_evaluated) == (44, 12, 0)
    by = s.set_index("series")
    assert by.at["ess_support_floor_eur", "n_observations"] == 1  # roadmap 2024 + RTES 2025: one statement
    assert by.at["appel_a_agir_amount_eur", "rule"] == "R7"
    assert by.at["bondy_dedicated_area_m2", "status"] == STATUS_NO_DATA
    assert len(sc.context_series()) == 26 and set(sc.context_series()["basis"]) == {"chiffre de contexte"}


def test_evaluator_template_gives_a_trend_based_status(roadmap, tmp_path):
    """Appending a new yearly value of a series (the template's example row) gives a status from the trend."""
    lines = (ROADMAP_DIR / "indicators_template.csv").read_text(encoding="utf-8").splitlines()
    new = tmp_path / "indicateurs_2025.csv"
    new.write_text(lines[0] + "\n" + lines[1].lstrip("# ") + "\n", encoding="utf-8")
    sc = build_scorecard(roadmap, load_indicators(roadmap=roadmap, extra_paths=[new]))
    s = sc.series.set_index("series").loc["insertion_hours_financed"]
    assert (s["status"], s["rule"], s["trend"], s["n_dated"]) == (STATUS_ON_TRACK, "R4", "en hausse", 2)
    assert (s["baseline"], s["latest"], s["latest_year"]) == (150000, 160000, 2025)
    assert sc.action_statuses()["E1.O2.A4"] == STATUS_ON_TRACK
    o = sc.objectives.set_index("objective_id").loc["E1.O2"]
    assert o["status"] == STATUS_NOT_ASSESSABLE and o["n_evaluated"] == 1


def test_export_files(tmp_path, roadmap):
    sc = build_scorecard(roadmap, load_indicators(roadmap=roadmap))
    written = sc.export(tmp_path)
    assert sorted(p.name for p in written) == ["scorecard_actions.csv", "scorecard_actions.xlsx",
                                               "scorecard_objectives.csv", "scorecard_objectives.xlsx"]
    back = pd.read_csv(tmp_path / "scorecard_objectives.csv")
    assert {"statut", "fondement", "actions évaluées", "actions renseignées"} <= set(back.columns) and len(back) == 13
    xl = pd.read_excel(tmp_path / "scorecard_actions.xlsx")
    assert "statut de l'action" in xl.columns and xl["action"].nunique() == 44
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    with pytest.raises(ParameterError, match="'formats'"):
        sc.export(tmp_path, formats=("pdf",))


def test_former_import_paths():
    import esstools.roadmap as old_roadmap
    import esstools.scorecard as old_scorecard
    from esstools.assessment import build_scorecard as new_build, load_roadmap as new_load

    assert old_scorecard.build_scorecard is new_build and old_roadmap.load_roadmap is new_load
    assert not hasattr(old_scorecard, "format_number_fr")  # replaced by esstools.display.fmt_number


# ------------------------------------------------------------------ headline results of the analyses


def _payloads():
    demo = Provenance.demo("série synthétique esstools")
    real = Provenance.real("Insee, Flores")
    return [
        {"notebook": "02_employment_trends", "run": "93", **demo.to_dict(),
         "headline": {"growth": headline(2.345, "%", "Croissance annuelle", demo, ci95=(1.9, 2.7),
                                         definition="taux de croissance annuel moyen des salariés", year="2015-2024")}},
        {"notebook": "01_territorial_comparison", "run": "92", **real.to_dict(),
         "headline": {"jobs": headline(50206, "salariés", "Salariés de l'ESS", real, definition="postes salariés",
                                       year=2013)}},
        {"notebook": "03_siae_impact", "run": "93", "headline": {"att": {"value": 0.12, "unit": "log"}}},
        {"notebook": "00_roadmap_assessment", "run": "93", "data_kind": "real", "headline": {"x": {"value": 1}}},
    ]


def test_headline_table_shows_unit_definition_year_and_never_a_demo_number_unmarked():
    table, missing = headline_results_table(_payloads())
    assert len(table) == 3 and missing == []
    rows = table.set_index("analyse")
    demo = rows.loc["Tendances de l'emploi de l'ESS"]
    assert demo["valeur"] == "2,35\u00a0% ⚠" and demo["intervalle (95 %)"] == "[1,90 ; 2,70]"
    assert demo["définition"] == "taux de croissance annuel moyen des salariés" and demo["année"] == "2015-2024"
    assert DEMO_LABEL in demo["nature des données"]
    real = rows.loc["Comparaison territoriale"]
    assert real["valeur"] == "50\u202f206 salariés" and real["année"] == "2013" and real["exécution"] == "92"
    assert DEMO_LABEL not in real["nature des données"] and real["source"] == "Insee, Flores"
    # No data kind given anywhere: never read as real.
    unknown = rows.loc["Impact des SIAE"]
    assert unknown["valeur"].endswith("⚠") and DEMO_LABEL in unknown["nature des données"]
    for _, r in table.iterrows():
        if "⚠" in r["valeur"]:
            assert DEMO_LABEL in r["nature des données"]
    assert report_provenance(Provenance.real("FDR"), _payloads()).kind == "mixed"
    assert report_provenance(Provenance.real("FDR"), _payloads()[1:2]).kind == "real"


def test_headline_table_missing_analyses():
    empty, missing = headline_results_table([])
    assert empty.empty and len(missing) == 3 and "02_employment_trends" in missing[1]
    assert missing[0].startswith("Comparaison territoriale : résultat non disponible")


def test_load_results_safely(tmp_path):
    from esstools import results

    assert load_results_safely(tmp_path / "absent") == ([], [])
    results.save("01_territorial_comparison", {"data_kind": "real", "headline": {"x": {"value": 1.5}}},
                 run="93", directory=tmp_path)
    (tmp_path / "02_employment_trends--93.json").write_text("{not json", encoding="utf-8")
    payloads, problems = load_results_safely(tmp_path)
    assert [p["notebook"] for p in payloads] == ["01_territorial_comparison"]
    assert len(problems) == 1 and "02_employment_trends--93.json" in problems[0]
    table, missing = headline_results_table(payloads)
    assert table["valeur"].tolist() == ["1,5"] and len(missing) == 2
