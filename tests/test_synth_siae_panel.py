"""Tests of the synthetic SIAE panel generator (esstools.synth.siae_panel)."""

import numpy as np
import pandas as pd
import pytest

from esstools.errors import ParameterError
from esstools.synth.siae_panel import TrueEffects, generate_siae_panel, kind_counts, simulate_arrays

CONTRACT = {
    "directory": ["siret", "siren", "name", "kind", "address", "postcode", "commune_code", "departement"],
    "clause_hours": ["siret", "operation", "buyer", "year", "insertion_hours", "beneficiaries"],
    "decp": ["siret", "year", "reserved_market_eur", "social_clause_contracts", "contracts", "amount_eur"],
    "financials": ["siren", "year", "revenue_eur"],
}


@pytest.fixture(scope="module")
def demo():
    return generate_siae_panel(seed=0)


def test_kind_mix_scaled_from_idf_2023():
    assert kind_counts(123) == {"ACI": 51, "EI": 43, "ETTI": 15, "AI": 12, "EITI": 2}
    assert sum(kind_counts(250).values()) == 250


def test_loader_schemas_and_demo_mark(demo):
    for name, cols in CONTRACT.items():
        df = getattr(demo, name)
        assert list(df.columns) == cols
        assert df.attrs["data_kind"] == "demo"
    d = demo.directory
    assert len(d) == 123 and d["siret"].str.fullmatch(r"\d{14}").all() and (d["siret"].str[:9] == d["siren"]).all()
    assert d["commune_code"].str.startswith("93").all()
    assert demo.clause_hours["year"].dtype.kind == "i"


def test_calibrated_2024_totals(demo):
    h24 = demo.clause_hours.loc[demo.clause_hours.year == 2024, "insertion_hours"].sum()
    r24 = demo.decp.loc[demo.decp.year == 2024, "reserved_market_eur"].sum()
    assert abs(h24 - 150_000) < 200
    assert abs(r24 - 2_500_000) < 200
    # 2020 Covid shock visible in the no-policy revenue
    tp = demo.truth_panel.groupby("year")["revenue_no_policy_eur"].mean()
    assert tp[2020] < 0.93 * tp[2019]


def test_deterministic_and_seed_sensitive():
    a, b, c = generate_siae_panel(seed=5), generate_siae_panel(seed=5), generate_siae_panel(seed=6)
    pd.testing.assert_frame_equal(a.financials, b.financials)
    pd.testing.assert_frame_equal(a.clause_hours, b.clause_hours)
    assert not a.financials["revenue_eur"].equals(c.financials["revenue_eur"])


def test_truth_matches_dgp(demo):
    ef = TrueEffects()
    m = demo.truth["award_mean_eur"]
    att = demo.truth["att_event"]
    # e = 0: (1 + crowd_in) * m * 0.5 + 0 ; e >= 3: (1.2) m + 30 000
    assert att[0] == pytest.approx(1.2 * m * 0.5)
    assert att[3] == pytest.approx(1.2 * m + 30_000)
    assert demo.truth["hours_eur_per_1000h_by_kind"]["ETTI"] == 30_000
    assert ef.dose(np.array([1000.0]))[0] == 1000.0


def test_dose_and_parameter_errors():
    ef = TrueEffects(hours_knots=(2000,), hours_slopes=(1.0, 0.5))
    assert ef.dose(np.array([3000.0]))[0] == pytest.approx(2500.0)
    with pytest.raises(ParameterError, match="hours_slopes has 1 value"):
        TrueEffects(hours_knots=(2000,)).dose(np.array([1.0]))
    with pytest.raises(ParameterError, match="expected 'YYYY-YYYY'"):
        simulate_arrays(years="2016 to 2020")
