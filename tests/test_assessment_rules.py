"""Each written status rule (esstools.assessment.rules.RULES) tested on constructed cases.

The tests named after a defect of issue 12 fail on the former rules: a single value without
target or trend was « en ligne », a statement repeated in two documents made a "stable" series,
a figure from before the roadmap (or undated, cumulative, context) gave a status, an objective
was « en ligne » whatever the share of its actions documented.
"""

from __future__ import annotations

import pytest

from esstools.assessment.rules import (
    EXCLUSION_REASONS_FR,
    MIN_EVALUATED_SHARE,
    RULES,
    STATUS_AHEAD,
    STATUS_NO_DATA,
    STATUS_NOT_ASSESSABLE,
    STATUS_OBSERVED,
    STATUS_ON_TRACK,
    STATUS_WATCH,
    Observation,
    aggregate_actions,
    aggregate_status,
    classify,
    exclusion_reason,
    merge_repeated,
    min_evaluated,
    reasons_text,
    rules_table_fr,
    trend_of,
)
from esstools.errors import ParameterError

START = 2024


# ------------------------------------------------------------------ R2: one statement repeated is one observation


def test_r2_repeated_statement_is_one_observation():
    # "plus de 50 millions d'euros ... chaque année": roadmap (publ. 2024) and RTES page (publ. 2025).
    a = Observation(2024, 50e6, "lower_bound", "publication", "annual", documents=("FDR",))
    b = Observation(2025, 50e6, "lower_bound", "publication", "annual", documents=("RTES",))
    merged = merge_repeated([b, a])
    assert len(merged) == 1
    assert merged[0].year == 2024 and merged[0].documents == ("FDR", "RTES")


def test_r2_dated_value_restated_undated_keeps_its_year():
    dated = Observation(2024, 150000, year_basis="data", documents=("RTES",))
    restated = Observation(2026, 150000, year_basis="publication", documents=("bilan",))
    (one,) = merge_repeated([restated, dated])
    assert (one.year, one.year_basis) == (2024, "data") and exclusion_reason(one, START) is None


def test_r2_two_dated_equal_values_stay_two_observations():
    """The same value measured in two different years is a stable series, not a repeated statement."""
    obs = merge_repeated([Observation(2024, 10, year_basis="data"), Observation(2025, 10, year_basis="data")])
    assert [o.year for o in obs] == [2024, 2025]
    assert classify([(o.year, o.value) for o in obs]).status == STATUS_ON_TRACK


def test_r2_same_year_corroborating_sources_count_once():
    obs = merge_repeated([Observation(2021, 3297, documents=("FDR",)), Observation(2021, 3297, documents=("RTES",))])
    assert len(obs) == 1 and obs[0].documents == ("FDR", "RTES")


# ------------------------------------------------------------------ R3: figures that describe


@pytest.mark.parametrize(
    "obs, reason",
    [
        (Observation(2024, 26990, context=True), "chiffre de contexte"),
        (Observation(2024, 50, measure="feature"), "caractéristique d'un dispositif"),
        (Observation(2025, 2.5e6, year_basis="publication", measure="cumulative"), "cumul pluriannuel"),
        (Observation(2025, 67, year_basis="publication", measure="annual"), "chiffre non daté"),
        (Observation(2023, 54e6, measure="annual"), "chiffre antérieur à la feuille de route"),
    ],
)
def test_r3_figures_that_describe_give_no_status(obs, reason):
    assert exclusion_reason(obs, START).startswith(reason)


def test_r3_reasons_text_lists_years_of_pre_roadmap_figures():
    obs = [Observation(2022, 1), Observation(2023, 2), Observation(2025, 3, year_basis="publication")]
    assert reasons_text(obs, START) == ("chiffre antérieur à la feuille de route (2022, 2023) ; "
                                        "chiffre non daté (seule l'année de publication est connue)")


def test_r3_dated_figure_since_the_roadmap_counts():
    assert exclusion_reason(Observation(2024, 150000, year_basis="data", measure="annual"), START) is None
    assert exclusion_reason(Observation(2026, 8, year_basis="data", measure="level"), START) is None
    assert len(EXCLUSION_REASONS_FR) == 5


# ------------------------------------------------------------------ R4: no target


def test_r4_single_value_without_target_is_constat_not_on_track():
    a = classify([(2024, 150000)])
    assert a.status == STATUS_OBSERVED and a.rule == "R4" and a.trend is None
    assert "une seule valeur" in a.basis


@pytest.mark.parametrize(
    "values, status, trend",
    [([100, 120], STATUS_ON_TRACK, "en hausse"), ([100, 105], STATUS_ON_TRACK, "stable"),
     ([100, 95], STATUS_ON_TRACK, "stable"), ([100, 94], STATUS_WATCH, "en baisse"),
     ([100, 80, 130], STATUS_ON_TRACK, "en hausse")],
)
def test_r4_trend_from_two_dated_values(values, status, trend):
    a = classify(list(zip(range(2024, 2024 + len(values)), values)))
    assert (a.status, a.trend, a.rule, a.reference) == (status, trend, "R4", values[0])


def test_trend_labels_boundaries():
    assert trend_of(100, 106) == "en hausse" and trend_of(100, 105) == "stable"
    assert trend_of(100, 94) == "en baisse" and trend_of(0, 0) == "stable" and trend_of(0, 1) == "en hausse"


# ------------------------------------------------------------------ R5-R6: targets


@pytest.mark.parametrize(
    "latest, status",
    [(120, STATUS_AHEAD), (110, STATUS_AHEAD), (109.9, STATUS_ON_TRACK), (100, STATUS_ON_TRACK),
     (95, STATUS_ON_TRACK), (94.9, STATUS_WATCH), (50, STATUS_WATCH)],
)
def test_r5_target_at_least_due(latest, status):
    a = classify([(2026, latest)], 100.0, ">=", 2026)
    assert (a.status, a.reference, a.rule) == (status, 100, "R5")


@pytest.mark.parametrize(
    "latest, status",
    [(80, STATUS_AHEAD), (90, STATUS_AHEAD), (90.1, STATUS_ON_TRACK), (105, STATUS_ON_TRACK), (105.1, STATUS_WATCH)],
)
def test_r5_target_at_most_due(latest, status):
    assert classify([(2026, latest)], 100.0, "<=", 2026).status == status


def test_r6_trajectory_towards_future_target():
    # 100 in 2024, target 200 in 2028: the path passes 150 in 2026.
    a = classify([(2024, 100), (2026, 150)], 200.0, ">=", 2028)
    assert a.reference == pytest.approx(150) and a.status == STATUS_ON_TRACK and a.rule == "R6"
    assert classify([(2024, 100), (2026, 140)], 200.0, ">=", 2028).status == STATUS_WATCH
    assert classify([(2024, 100), (2026, 165)], 200.0, ">=", 2028).status == STATUS_AHEAD


def test_r6_single_value_before_deadline_is_constat_unless_target_reached():
    short = classify([(2025, 60)], 200.0, ">=", 2028)
    assert short.status == STATUS_OBSERVED and short.rule == "R6" and "2028" in short.basis
    reached = classify([(2025, 230)], 200.0, ">=", 2028)
    assert reached.status == STATUS_AHEAD and reached.reference == 200


def test_target_needs_a_level_and_a_known_direction():
    with pytest.raises(ParameterError, match="'target_value'"):
        classify([(2024, 1)], None, ">=", 2026)
    with pytest.raises(ParameterError, match="'target_direction'"):
        classify([(2024, 1)], 1.0, "=>", 2026)
    with pytest.raises(ParameterError, match="at least one dated value"):
        classify([])


# ------------------------------------------------------------------ R7: stability commitments


@pytest.mark.parametrize(
    "latest, status",
    [(100, STATUS_ON_TRACK), (105, STATUS_ON_TRACK), (95, STATUS_ON_TRACK), (105.5, STATUS_AHEAD), (94.5, STATUS_WATCH)],
)
def test_r7_stable_commitment_against_first_dated_value(latest, status):
    a = classify([(2024, 100), (2025, latest)], None, "stable", 2027)
    assert (a.status, a.reference, a.rule) == (status, 100, "R7")


def test_r7_stable_commitment_single_value_without_level_is_constat():
    # Appel à Agir: 2,7 M€ in 2025, "stabiliser pour les 3 prochaines années" without a level.
    a = classify([(2025, 2.7e6)], None, "stable", 2027)
    assert a.status == STATUS_OBSERVED and "deux valeurs" in a.basis
    with_level = classify([(2025, 80)], 100.0, "stable", 2027)
    assert with_level.status == STATUS_WATCH and with_level.reference == 100


# ------------------------------------------------------------------ A1, O1, O2: aggregation


def test_a1_action_status():
    assert aggregate_status([]) == STATUS_NO_DATA
    assert aggregate_status([STATUS_NO_DATA]) == STATUS_NO_DATA
    assert aggregate_status([STATUS_OBSERVED, STATUS_NO_DATA]) == STATUS_OBSERVED
    assert aggregate_status([STATUS_AHEAD, STATUS_OBSERVED]) == STATUS_AHEAD
    assert aggregate_status([STATUS_AHEAD, STATUS_ON_TRACK]) == STATUS_ON_TRACK
    assert aggregate_status([STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH, STATUS_OBSERVED]) == STATUS_WATCH
    with pytest.raises(ParameterError, match="Unknown status"):
        aggregate_status(["bien"])


def test_o2_objective_without_enough_evaluated_actions_is_not_assessable():
    # 4 actions, one evaluated « en ligne », two with a single figure, one without: not assessable.
    status, basis = aggregate_actions([STATUS_ON_TRACK, STATUS_OBSERVED, STATUS_OBSERVED, STATUS_NO_DATA])
    assert status == STATUS_NOT_ASSESSABLE
    assert basis == "1 action évaluée sur 4 (3 renseignées) ; il en faut au moins 2"
    # Constats alone never make an objective assessable, however many there are.
    assert aggregate_actions([STATUS_OBSERVED] * 4)[0] == STATUS_NOT_ASSESSABLE


def test_o2_objective_with_half_its_actions_evaluated():
    status, basis = aggregate_actions([STATUS_ON_TRACK, STATUS_AHEAD, STATUS_NO_DATA, STATUS_NO_DATA])
    assert status == STATUS_ON_TRACK and basis.startswith("2 actions évaluées sur 4")
    assert aggregate_actions([STATUS_WATCH, STATUS_AHEAD, STATUS_OBSERVED])[0] == STATUS_WATCH
    assert aggregate_actions([STATUS_AHEAD])[0] == STATUS_AHEAD


def test_o2_threshold():
    assert MIN_EVALUATED_SHARE == 0.5
    assert [min_evaluated(n) for n in (1, 2, 3, 4, 5, 6, 13, 17)] == [1, 1, 2, 2, 3, 3, 7, 9]


# ------------------------------------------------------------------ the rule book


def test_rule_table_is_readable_french_and_complete():
    table = rules_table_fr()
    assert list(table.columns) == ["règle", "niveau", "situation", "statut"]
    assert table["règle"].tolist() == [r.id for r in RULES] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8",
                                                                 "A1", "O1", "O2"]
    text = " ".join(table["situation"]) + " ".join(table["statut"])
    for status in (STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH, STATUS_OBSERVED, STATUS_NO_DATA, STATUS_NOT_ASSESSABLE):
        assert f"« {status} »" in text
    for threshold in ("110 %", "95 %", "±5 %", "50 %", "avant 2024"):
        assert threshold in text
