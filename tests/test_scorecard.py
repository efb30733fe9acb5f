"""Tests of esstools.scorecard: status rules, boundaries, aggregation, coverage, exports, headline table."""

from __future__ import annotations

import pandas as pd
import pytest

from esstools.errors import ParameterError
from esstools.provenance import DEMO_LABEL
from esstools.roadmap import INDICATOR_COLUMNS, load_indicators, load_roadmap
from esstools.scorecard import (
    AGGREGATION_RULE_FR,
    STATUS_AHEAD,
    STATUS_NO_DATA,
    STATUS_ON_TRACK,
    STATUS_RULES_FR,
    STATUS_WATCH,
    aggregate_status,
    build_scorecard,
    classify,
    format_number_fr,
    headline_results_table,
    trend_of,
)


@pytest.fixture(scope="module")
def roadmap():
    return load_roadmap()


# ------------------------------------------------------------------ rules


def _target(latest, target=100.0, direction=">=", n=1, baseline=None, by=2024, ly=2024, ty=2024):
    return classify(baseline=latest if baseline is None else baseline, latest=latest, n_observations=n,
                    baseline_year=by, latest_year=ly, target_value=target, target_direction=direction,
                    target_year=ty)


def test_no_observation_is_no_data():
    assert classify(baseline=None, latest=None, n_observations=0).status == STATUS_NO_DATA
    a = classify(baseline=None, latest=None, n_observations=0, target_value=10, target_direction=">=", target_year=2026)
    assert a.status == STATUS_NO_DATA and "aucune valeur" in a.note


@pytest.mark.parametrize(
    "latest, status",
    [(120, STATUS_AHEAD), (110, STATUS_AHEAD), (109.9, STATUS_ON_TRACK), (100, STATUS_ON_TRACK),
     (95, STATUS_ON_TRACK), (94.9, STATUS_WATCH), (50, STATUS_WATCH)],
)
def test_target_at_least_boundaries(latest, status):
    a = _target(latest)
    assert a.status == status and a.reference == 100 and a.basis == "cible chiffrée"


@pytest.mark.parametrize(
    "latest, status",
    [(80, STATUS_AHEAD), (90, STATUS_AHEAD), (90.1, STATUS_ON_TRACK), (105, STATUS_ON_TRACK),
     (105.1, STATUS_WATCH)],
)
def test_target_at_most_boundaries(latest, status):
    assert _target(latest, direction="<=").status == status


def test_trajectory_towards_future_target():
    # Baseline 100 in 2024, target 200 in 2028: the path passes 150 in 2026.
    a = _target(150, target=200, n=2, baseline=100, by=2024, ly=2026, ty=2028)
    assert a.reference == pytest.approx(150) and a.status == STATUS_ON_TRACK and a.basis == "trajectoire vers la cible"
    assert _target(140, target=200, n=2, baseline=100, by=2024, ly=2026, ty=2028).status == STATUS_WATCH
    assert _target(165, target=200, n=2, baseline=100, by=2024, ly=2026, ty=2028).status == STATUS_AHEAD
    # One observation before the deadline: compared with the target itself.
    single = _target(60, target=200, n=1, by=2025, ly=2025, ty=2028)
    assert single.status == STATUS_WATCH and single.reference == 200 and "2028" in single.note


@pytest.mark.parametrize(
    "latest, status",
    [(100, STATUS_ON_TRACK), (105, STATUS_ON_TRACK), (95, STATUS_ON_TRACK), (105.5, STATUS_AHEAD),
     (94.5, STATUS_WATCH)],
)
def test_stable_commitment(latest, status):
    a = classify(baseline=100, latest=latest, n_observations=2, target_direction="stable")
    assert a.status == status and a.reference == 100 and a.basis == "engagement de stabilité"


def test_stable_commitment_with_level_and_single_value():
    a = classify(baseline=80, latest=80, n_observations=1, target_value=100, target_direction="stable")
    assert a.status == STATUS_WATCH and a.reference == 100
    b = classify(baseline=2.7e6, latest=2.7e6, n_observations=1, target_direction="stable")
    assert b.status == STATUS_ON_TRACK and "à confirmer" in b.note


def test_no_target_uses_trend():
    assert classify(baseline=100, latest=120, n_observations=3).status == STATUS_ON_TRACK
    assert classify(baseline=100, latest=100, n_observations=2).status == STATUS_ON_TRACK
    down = classify(baseline=100, latest=90, n_observations=2)
    assert down.status == STATUS_WATCH and down.trend == "en baisse" and down.basis == "tendance, pas de cible"
    assert classify(baseline=100, latest=95, n_observations=2).status == STATUS_ON_TRACK  # boundary: -5 % is stable
    single = classify(baseline=7, latest=7, n_observations=1)
    assert single.status == STATUS_ON_TRACK and single.basis == "valeur unique, pas de cible"


def test_trend_labels():
    assert trend_of(100, 106, 2) == "en hausse"
    assert trend_of(100, 105, 2) == "stable"
    assert trend_of(100, 94, 2) == "en baisse"
    assert trend_of(100, 100, 1) == "une seule valeur"
    assert trend_of(None, None, 0) is None


def test_invalid_direction():
    with pytest.raises(ParameterError, match="'target_direction'"):
        classify(baseline=1, latest=1, n_observations=1, target_value=1, target_direction="=>")


def test_aggregation():
    assert aggregate_status([]) == STATUS_NO_DATA
    assert aggregate_status([STATUS_NO_DATA, STATUS_NO_DATA]) == STATUS_NO_DATA
    assert aggregate_status([STATUS_AHEAD, STATUS_NO_DATA]) == STATUS_AHEAD
    assert aggregate_status([STATUS_AHEAD, STATUS_ON_TRACK]) == STATUS_ON_TRACK
    assert aggregate_status([STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH]) == STATUS_WATCH
    with pytest.raises(ParameterError, match="Unknown status"):
        aggregate_status(["bien"])


def test_rules_text_in_french():
    for s in (STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH, STATUS_NO_DATA):
        assert f"« {s} »" in STATUS_RULES_FR
    assert "110 %" in STATUS_RULES_FR and "±5 %" in STATUS_RULES_FR
    assert "écartés" in AGGREGATION_RULE_FR


# ------------------------------------------------------------------ scorecard on constructed data


def _rows(*rows):
    base = dict(label="L", unit="count", qualifier="exact", target_value="", target_direction="",
                source_document="Src", source_section="", quote="", note="", value="")
    out = []
    for i, r in enumerate(rows, 1):
        rec = {**base, "indicator_id": f"T-{i}", **r}
        out.append([str(rec[c]) for c in INDICATOR_COLUMNS])
    return out


@pytest.fixture
def constructed(tmp_path, roadmap):
    rows = _rows(
        # E1.O1.A1: target reached +20 % → en avance
        dict(node_id="E1.O1.A1", series="a", year=2024, value=120, kind="observed"),
        dict(node_id="E1.O1.A1", series="a", year=2024, kind="target", target_value=100, target_direction=">="),
        # E1.O1.A2: falling series → à surveiller ; plus a rising one → action à surveiller
        dict(node_id="E1.O1.A2", series="b", year=2023, value=100, kind="observed"),
        dict(node_id="E1.O1.A2", series="b", year=2025, value=80, kind="observed"),
        dict(node_id="E1.O1.A2", series="c", year=2023, value=10, kind="observed"),
        dict(node_id="E1.O1.A2", series="c", year=2024, value=12, kind="observed"),
        # E1.O2.A1: stable commitment kept
        dict(node_id="E1.O2.A1", series="d", year=2024, value=50, kind="observed"),
        dict(node_id="E1.O2.A1", series="d", year=2025, value=51, kind="observed"),
        dict(node_id="E1.O2.A1", series="d", year=2027, kind="commitment", target_direction="stable"),
        # E1.O2.A2: only a target → pas de donnée
        dict(node_id="E1.O2.A2", series="e", year=2026, kind="target", target_value=5, target_direction=">="),
        # E1.O3 objective-level series, single value
        dict(node_id="E1.O3", series="f", year=2024, value=3, kind="observed"),
        # context
        dict(node_id="FDR", series="g", year=2021, value=3297, kind="observed", unit="establishments"),
        # duplicated corroborating row (same series, year, value)
        dict(node_id="FDR", series="g", year=2021, value=3297, kind="observed", unit="establishments"),
    )
    path = tmp_path / "ind.csv"
    pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS)).to_csv(path, index=False)
    return build_scorecard(roadmap, load_indicators(path, roadmap=roadmap))


def test_constructed_series_statuses(constructed):
    s = constructed.series.set_index("series")
    assert s.loc["a", "status"] == STATUS_AHEAD
    assert s.loc["b", "status"] == STATUS_WATCH and s.loc["b", "trend"] == "en baisse"
    assert s.loc["b", "baseline"] == 100 and s.loc["b", "latest"] == 80
    assert s.loc["b", "baseline_year"] == 2023 and s.loc["b", "latest_year"] == 2025
    assert s.loc["c", "status"] == STATUS_ON_TRACK and s.loc["c", "trend"] == "en hausse"
    assert s.loc["d", "status"] == STATUS_ON_TRACK and s.loc["d", "reference"] == 50
    assert s.loc["e", "status"] == STATUS_NO_DATA and s.loc["e", "target_value"] == 5
    assert s.loc["g", "n_observations"] == 1  # corroborating duplicate counted once


def test_constructed_action_and_objective_aggregation(constructed):
    a = constructed.actions.drop_duplicates("action_id").set_index("action_id")["action_status"]
    assert a["E1.O1.A1"] == STATUS_AHEAD
    assert a["E1.O1.A2"] == STATUS_WATCH
    assert a["E1.O2.A1"] == STATUS_ON_TRACK
    assert a["E1.O2.A2"] == STATUS_NO_DATA
    assert a["E3.O5.A2"] == STATUS_NO_DATA
    o = constructed.objectives.set_index("objective_id")
    assert o.loc["E1.O1", "status"] == STATUS_WATCH
    assert o.loc["E1.O1", "n_en_avance"] == 1 and o.loc["E1.O1", "n_a_surveiller"] == 1
    assert o.loc["E1.O1", "n_pas_de_donnee"] == 2 and o.loc["E1.O1", "n_actions_with_data"] == 2
    assert o.loc["E1.O2", "status"] == STATUS_ON_TRACK
    # E1.O3: no action has data, but the objective's own series gives a status.
    assert o.loc["E1.O3", "n_actions_with_data"] == 0 and o.loc["E1.O3", "status"] == STATUS_ON_TRACK
    assert o.loc["E2.O1", "status"] == STATUS_NO_DATA
    c = constructed.challenges.set_index("challenge_id")
    assert c.loc["E1", "status"] == STATUS_WATCH and c.loc["E2", "status"] == STATUS_NO_DATA


def test_constructed_coverage(constructed):
    cov = constructed.coverage
    # E1.O2.A2 has only a target: it counts as covered (an indicator exists) but has no data.
    assert cov.n_actions == 44 and cov.n_covered == 4
    assert cov.share == pytest.approx(4 / 44)
    assert len(cov.uncovered) == 40 and "E1.O1.A1" not in set(cov.uncovered["action_id"])
    assert cov.summary_fr().startswith("4 actions sur 44")
    assert len(constructed.context_series()) == 1


# ------------------------------------------------------------------ real data


def test_real_scorecard(roadmap):
    sc = build_scorecard(roadmap, load_indicators(roadmap=roadmap))
    assert sc.coverage.n_actions == 44 and sc.coverage.n_covered == 12
    assert len(sc.objectives) == 13 and len(sc.challenges) == 3
    assert sc.actions["action_id"].nunique() == 44
    s = sc.series.set_index("series")
    assert s.loc["bondy_dedicated_area_m2", "status"] == STATUS_NO_DATA
    assert s.loc["appel_a_agir_amount_eur", "basis"] == "engagement de stabilité"
    assert s.loc["ess_support_floor_eur", "trend"] == "stable"
    uncovered = set(sc.coverage.uncovered["action_id"])
    assert {"E1.O2.A2", "E2.O2.A1", "E3.O4.A6"} <= uncovered and "E1.O2.A4" not in uncovered


def test_export_files(tmp_path, constructed):
    written = constructed.export(tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["scorecard_actions.csv", "scorecard_actions.xlsx",
                     "scorecard_objectives.csv", "scorecard_objectives.xlsx"]
    back = pd.read_csv(tmp_path / "scorecard_objectives.csv")
    assert "statut" in back.columns and len(back) == 13
    xl = pd.read_excel(tmp_path / "scorecard_actions.xlsx")
    assert "statut de l'action" in xl.columns and xl["action"].nunique() == 44
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    with pytest.raises(ParameterError, match="'formats'"):
        constructed.export(tmp_path, formats=("pdf",))


# ------------------------------------------------------------------ headline results


def test_headline_results_table():
    results = [
        {"notebook": "02_employment_trends", "run": "93", "data_kind": "demo", "source": "synthétique",
         "headline": {"annual_growth_pct": {"value": 2.345, "ci95": [1.9, 2.7], "unit": "%",
                                            "label_fr": "Croissance annuelle", "data_kind": "demo",
                                            "source": "esstools.synth"}}},
        {"notebook": "01_territorial_comparison", "run": "93", "data_kind": "real", "source": "Insee",
         "headline": {"ess_jobs": {"value": 42000, "unit": "emplois", "label_fr": "Emplois ESS"}}},
        {"notebook": "00_roadmap_assessment", "run": "93", "headline": {"x": {"value": 1}}},
    ]
    table, missing = headline_results_table(results)
    assert len(table) == 2
    demo = table[table["analyse"] == "02_employment_trends"].iloc[0]
    assert demo["valeur"] == "2,35" and demo["intervalle (95 %)"] == "[1,9 ; 2,7]"
    assert DEMO_LABEL in demo["nature des données"]
    real = table[table["analyse"] == "01_territorial_comparison"].iloc[0]
    assert real["valeur"] == "42\u202f000" and real["source"] == "Insee" and DEMO_LABEL not in real["nature des données"]
    assert missing == [m for m in missing if "03_siae_impact" in m] and len(missing) == 1
    assert missing[0].startswith("résultat non disponible : exécuter")
    empty, missing_all = headline_results_table([])
    assert empty.empty and len(missing_all) == 3


def test_format_number_fr():
    assert format_number_fr(2.7e6) == "2\u202f700\u202f000"
    assert format_number_fr(6.6) == "6,6"
    assert format_number_fr(None) == "—"
    assert format_number_fr(27.27, 0) == "27"


def test_load_results_safely(tmp_path):
    from esstools import results
    from esstools.scorecard import load_results_safely

    assert load_results_safely(tmp_path / "absent") == ([], [])
    results.save("01_territorial_comparison", {"data_kind": "real", "headline": {"x": {"value": 1.5}}},
                 run="93", directory=tmp_path)
    (tmp_path / "02_employment_trends--93.json").write_text("{not json", encoding="utf-8")
    payloads, problems = load_results_safely(tmp_path)
    assert [p["notebook"] for p in payloads] == ["01_territorial_comparison"]
    assert len(problems) == 1 and "02_employment_trends--93.json" in problems[0]
    table, missing = headline_results_table(payloads)
    assert table["valeur"].tolist() == ["1,5"] and len(missing) == 2
