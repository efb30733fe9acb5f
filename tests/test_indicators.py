"""Indicators on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from esstools import indicators as ind
from esstools.errors import ParameterError, SchemaError


@pytest.fixture()
def counts() -> pd.DataFrame:
    # Two units. A: 9 ESS estab (8 assoc, 1 coop) of 100; 50 ESS employees of 400.
    #            B: 1 ESS estab (fondation) of 10; 30 ESS employees of 60.
    return pd.DataFrame(
        {
            "ept": ["A", "A", "A", "B", "B"],
            "ess_family": ["association", "cooperative", "hors_ess", "fondation", "hors_ess"],
            "establishments": [8, 1, 91, 1, 9],
            "employees": [40.0, 10.0, 350.0, 30.0, 30.0],
        }
    )


def test_ess_shares_by_unit(counts):
    out = ind.ess_shares(counts, "ept").set_index("ept")
    assert out.loc["A", "ess_establishments"] == 9
    assert out.loc["A", "all_establishments"] == 100
    assert out.loc["A", "ess_share_establishments_pct"] == pytest.approx(9.0)
    assert out.loc["A", "ess_share_employees_pct"] == pytest.approx(12.5)
    assert out.loc["B", "ess_share_establishments_pct"] == pytest.approx(10.0)
    assert out.loc["B", "ess_share_employees_pct"] == pytest.approx(50.0)


def test_ess_shares_whole_table(counts):
    out = ind.ess_shares(counts)
    assert len(out) == 1
    assert out["ess_share_establishments_pct"].iloc[0] == pytest.approx(100 * 10 / 110)
    assert out["ess_share_employees_pct"].iloc[0] == pytest.approx(100 * 80 / 460)


def test_ess_shares_missing_column_message(counts):
    with pytest.raises(SchemaError, match="missing column\\(s\\) 'employees'"):
        ind.ess_shares(counts.drop(columns="employees"), "ept")


def test_location_quotient():
    # local 9 % vs reference 6 % -> 1.5
    assert ind.location_quotient(9, 100, 6, 100) == pytest.approx(1.5)
    s = ind.location_quotient(pd.Series([5, 12]), pd.Series([100, 100]), 8.0, 100.0)
    assert s.tolist() == pytest.approx([0.625, 1.5])


def test_density():
    assert ind.density(42, 21000) == pytest.approx(2.0)  # per 1,000 inhabitants
    assert ind.density(5, 0) != ind.density(5, 0)  # NaN when population is 0
    assert ind.density(pd.Series([10, 30]), pd.Series([5000, 10000]), per=10000).tolist() == pytest.approx([20, 30])


def test_growth():
    g = ind.growth(100, 121, 2020, 2022)
    assert g["absolute"] == pytest.approx(21)
    assert g["pct"] == pytest.approx(21.0)
    assert g["cagr_pct"] == pytest.approx(10.0)
    g2 = ind.growth(0, 5, 2020, 2021)
    assert math.isnan(g2["pct"]) and g2["absolute"] == 5
    with pytest.raises(ParameterError, match="must be later"):
        ind.growth(1, 2, 2022, 2022)
    gs = ind.growth(pd.Series([100.0, 50.0]), pd.Series([110.0, 25.0]), 2010, 2011)
    assert gs["pct"].tolist() == pytest.approx([10.0, -50.0])


def test_composition(counts):
    comp = ind.composition(counts, "ept")
    assert list(comp.columns) == ["association", "cooperative", "fondation"]
    assert comp.loc["A", "association"] == pytest.approx(100 * 8 / 9)
    assert comp.loc["A", "cooperative"] == pytest.approx(100 / 9)
    assert comp.loc["B", "fondation"] == pytest.approx(100)
    assert comp.sum(axis=1).tolist() == pytest.approx([100, 100])
    whole = ind.composition(counts, measure="employees")
    assert whole.loc["ensemble", "fondation"] == pytest.approx(37.5)  # 30 / 80


def test_composition_by_section():
    df = pd.DataFrame({"ess_family": ["association"] * 3 + ["hors_ess"], "a21": ["Q", "Q", "S", "G"],
                       "establishments": [1, 2, 1, 10]})
    comp = ind.composition(df, category="a21")
    assert comp.loc["ensemble", "Q"] == pytest.approx(75.0)
    assert "G" not in comp.columns


def test_concentration():
    vals = pd.Series({"EE": 40, "PC": 30, "GPGE": 20, "PTE": 10})
    assert ind.top_k_share(vals, 2) == pytest.approx(70.0)
    assert ind.top_k_units(vals, 2) == ["EE", "PC"]
    assert ind.herfindahl(vals) == pytest.approx(0.16 + 0.09 + 0.04 + 0.01)
    assert ind.herfindahl([1, 1, 1, 1]) == pytest.approx(0.25)
    assert ind.herfindahl([1, 1, 1, 1], normalized=True) == pytest.approx(0.0)
    assert ind.herfindahl([5, 0, 0], normalized=True) == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="non-negative"):
        ind.herfindahl([1, -1])
    with pytest.raises(ParameterError, match="at least 1"):
        ind.top_k_share(vals, 0)


def test_rank_quantile():
    rq = ind.rank_quantile(pd.Series({"75": 12900.0, "92": 3355.0, "93": 3297.0, "94": 3850.0}))
    assert rq.loc["75", "rank"] == 1
    assert rq.loc["93", "rank"] == 4
    assert rq.loc["94", "rank"] == 2
    assert rq.loc["75", "percentile"] == pytest.approx(100.0)
    assert rq.loc["93", "percentile"] == pytest.approx(25.0)
    assert (rq["n"] == 4).all()
    ties = ind.rank_quantile(pd.Series([5.0, 5.0, 1.0]))
    assert ties["rank"].tolist() == [1, 1, 3]


def test_count_table_from_establishments():
    etab = pd.DataFrame(
        {
            "commune_code": ["93001", "93001", "93001", "93048", "93048", "93048"],
            "ess_family": ["association", "hors_ess", "association", "cooperative", "hors_ess", "hors_ess"],
            "headcount_band": ["01", "11", "NN", "02", "03", pd.NA],
            "legal_category": ["9220", "5710", "9220", "5458", "7210", "5499"],
            "headcount_mid": [1.5, 14.5, 0.0, 4.0, 7.5, np.nan],
        }
    )
    original = etab.copy()
    t = ind.count_table(etab, "commune_code")
    pd.testing.assert_frame_equal(etab, original)  # input untouched
    t = t.set_index(["commune_code", "ess_family"])
    # non-employer (NN), public (7210) and unknown band rows are dropped
    assert t.loc[("93001", "association"), "establishments"] == 1
    assert t.loc[("93001", "hors_ess"), "employees"] == pytest.approx(14.5)
    assert ("93048", "hors_ess") not in t.index
    t_all = ind.count_table(etab, "commune_code", universe="all").set_index(["commune_code", "ess_family"])
    assert t_all.loc[("93048", "hors_ess"), "establishments"] == 1
    with pytest.raises(ParameterError, match="allowed values are: 'private', 'all'"):
        ind.count_table(etab, "commune_code", universe="public")


def test_summarise_units(counts):
    pop = pd.Series({"A": 10000, "B": 2000})
    s = ind.summarise_units(counts, "ept", population=pop,
                            reference={"ess_share_establishments_pct": 6.0, "ess_share_employees_pct": 10.0})
    assert s.loc["A", "ess_establishments_per_1000"] == pytest.approx(0.9)
    assert s.loc["B", "ess_employees_per_1000"] == pytest.approx(15.0)
    assert s.loc["A", "lq_establishments"] == pytest.approx(1.5)
    assert s.loc["B", "lq_employees"] == pytest.approx(5.0)
    assert s.loc["A", "share_of_total_ess_establishments_pct"] == pytest.approx(90.0)
    assert s.loc["A", "rank_ess_establishments"] == 1
