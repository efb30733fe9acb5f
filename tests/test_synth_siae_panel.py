"""Synthetic SIAE records (esstools.synth.siae_panel): calibration for any département, real places,
fictitious identifiers, known truth."""

import numpy as np
import pandas as pd
import pytest

from esstools import territory
from esstools.errors import ParameterError
from esstools.loaders.codes import is_valid_siren, is_valid_siret
from esstools.postcodes import postcodes
from esstools.synth.siae_panel import (MIN_SIAE, TrueEffects, calibration, generate_siae_panel, kind_counts,
                                       simulate_arrays)


@pytest.fixture(scope="module")
def demo():
    return generate_siae_panel("93", seed=0)


def test_kind_mix_scaled_from_published_counts():
    assert kind_counts(123) == {"ACI": 51, "EI": 43, "ETTI": 15, "AI": 12, "EITI": 2}  # IDF 2023 mix
    fr = calibration("69").kind_mix
    assert fr == {"ACI": 1900, "EI": 962, "AI": 663, "ETTI": 278}  # France 2018 (Dares), no EITI yet
    assert sum(kind_counts(250, fr).values()) == 250 and "EITI" not in kind_counts(250, fr)


@pytest.mark.parametrize("dep,n,rule", [
    ("93", 123, "publiées pour le département"),
    ("92", 80, "de la région (603 SIAE)"),       # 603 x 1 647 435 / 12 358 932 = 80.3
    ("69", 108, "de la France (3\u202f843 SIAE)"),
    ("2A", MIN_SIAE, "porté au minimum de 20 (au lieu de 9)"),
])
def test_calibration_rules(dep, n, rule):
    cal = calibration(dep)
    assert cal.n_siae == n and rule in cal.rule_fr
    assert cal.hours_per_siae == pytest.approx(150_000 / 123) and cal.reserved_per_siae == pytest.approx(2_500_000 / 123)
    assert cal.sources_fr and all(cal.sources_fr)


def test_records_use_real_places_and_fictitious_identifiers(demo):
    s = demo.structures
    assert len(s) == 123 and s["siren"].is_unique
    assert s["siren"].str.fullmatch(r"000\d{6}").all() and s["siren"].map(is_valid_siren).all()
    assert s["siret"].map(is_valid_siret).all() and (s["siret"].str[:9] == s["siren"]).all()
    com = territory.communes(2026, departement="93")
    assert set(s["commune_code"]) <= set(com["code"])
    pairs = set(map(tuple, postcodes("93")[["code", "postcode"]].to_numpy()))
    assert all((c, p) in pairs for c, p in zip(s["commune_code"], s["postcode"]))
    names = com.set_index("code")["name"]
    assert (s["city"] == s["commune_code"].map(names)).all()
    assert demo.awards["buyer_siret"].str.startswith("000").all()


def test_paris_lyon_marseille_use_arrondissements():
    s = generate_siae_panel("75", seed=0, n_siae=30).structures
    assert s["commune_code"].str.match(r"751(0[1-9]|1\d|20)$").all() and (s["city"] == "Paris").all()


def test_calibrated_2024_totals(demo):
    h24 = demo.clause_rows.loc[demo.clause_rows.year == 2024, "insertion_hours"].sum()
    r24 = demo.awards.loc[demo.awards.notification_date.str.startswith("2024")
                          & demo.awards.social.map(lambda s: "Marché réservé" in s), "amount_eur"].sum()
    assert abs(h24 - 150_000) < 200
    assert abs(r24 - 2_500_000) < 200
    tp = demo.truth_panel.groupby("year")["revenue_no_policy_eur"].mean()
    assert tp[2020] < 0.95 * tp[2019] and tp[2019] > tp[2018]  # the stylised 2020 shock after growth


def test_awards_sum_to_reserved_euros_and_accounts_are_the_revenue(demo):
    res = demo.awards[demo.awards.social.map(lambda s: "Marché réservé" in s)]
    by = res.assign(year=res.notification_date.str[:4].astype(int)).groupby(["holder_siret", "year"])["amount_eur"].sum()
    sim = demo.sim
    i = {s: k for k, s in enumerate(demo.structures["siret"])}
    for (siret, year), amount in by.items():
        assert amount == sim.reserved[0, i[siret], list(sim.years).index(year)]
    acc = demo.accounts.assign(year=demo.accounts.closing_date.str[:4].astype(int)).set_index(["siren", "year"])
    k = {s: j for j, s in enumerate(demo.structures["siren"])}
    sample = acc.iloc[:20]
    for (siren, year), r in sample.iterrows():
        assert r["revenue_eur"] == round(max(sim.revenue[0, k[siren], list(sim.years).index(year)], 0.0))


def test_deterministic_and_seed_sensitive():
    a, b, c = generate_siae_panel(seed=5), generate_siae_panel(seed=5), generate_siae_panel(seed=6)
    pd.testing.assert_frame_equal(a.accounts, b.accounts)
    pd.testing.assert_frame_equal(a.awards, b.awards)
    assert not a.accounts["revenue_eur"].equals(c.accounts["revenue_eur"])


def test_truth_matches_dgp(demo):
    m = demo.truth["award_mean_eur"]
    att = demo.truth["att_event"]
    assert att[0] == pytest.approx(1.2 * m * 0.5)  # (1 + crowd_in) m profile(0) + dynamic(0)
    assert att[3] == pytest.approx(1.2 * m + 30_000)
    assert demo.truth["hours_eur_per_1000h_by_kind"]["ETTI"] == 30_000
    assert TrueEffects().dose(np.array([1000.0]))[0] == 1000.0


def test_dose_and_parameter_errors():
    ef = TrueEffects(hours_knots=(2000,), hours_slopes=(1.0, 0.5))
    assert ef.dose(np.array([3000.0]))[0] == pytest.approx(2500.0)
    with pytest.raises(ParameterError, match="hours_slopes has 1 value"):
        TrueEffects(hours_knots=(2000,)).dose(np.array([1.0]))
    with pytest.raises(ParameterError, match="expected 'YYYY-YYYY'"):
        simulate_arrays(years="2016 to 2020")
    with pytest.raises(ParameterError, match="missing_revenue_share"):
        generate_siae_panel(missing_revenue_share=0.7)
