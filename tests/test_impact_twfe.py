"""Fixed-effects estimator: textbook reproduction, equality with linearmodels, SIAE specifications."""

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS
from statsmodels.datasets import grunfeld

from esstools.errors import ParameterError, SchemaError
from esstools.impact import assemble_sourced, compare, fit_fe, twfe_revenue
from esstools.impact._core import batched_twfe
from esstools.sources.siae import siae_inputs
from esstools.synth.siae_panel import TrueEffects, simulate_arrays

REAL = "real"  # textbook and simulated arrays below are not demo SIAE data: provenance given explicitly


def test_grunfeld_within_reproduces_baltagi_table_2_1():
    """Baltagi, Econometric Analysis of Panel Data, Table 2.1 (Grunfeld data, 10 firms x 20 years 1935-1954):
    within (one-way fixed-effects) estimates beta_F = 0.1101238 (SE 0.0118567) and beta_C = 0.3100653
    (SE 0.0173545), conventional standard errors. Dataset: statsmodels.datasets.grunfeld without
    'American Steel' (the 11th firm, not in Baltagi's 10-firm panel)."""
    d = grunfeld.load_pandas().data
    d = d[d["firm"] != "American Steel"].assign(year=lambda x: x["year"].astype(int))
    assert d.shape[0] == 200
    res = fit_fe(d, "invest", ["value", "capital"], unit="firm", time="year", effects="unit", cov_type="unadjusted",
                 provenance=REAL)
    assert round(res.params["value"], 7) == 0.1101238
    assert round(res.params["capital"], 7) == 0.3100653
    assert round(res.std_errors["value"], 7) == 0.0118567
    assert round(res.std_errors["capital"], 7) == 0.0173545
    assert res.nobs == 200 and res.n_units == 10 and res.df_dist == 188


@pytest.fixture(scope="module")
def sim_df():
    sim = simulate_arrays(123, "2016-2023", TrueEffects.homogeneous(), seed=3, n_rep=1)
    n, t = 123, 8
    df = pd.DataFrame({"u": np.repeat(np.arange(n), t), "t": np.tile(sim.years, n), "y": sim.revenue[0].ravel(),
                       "h": sim.hours[0].ravel() / 1000, "r": sim.reserved[0].ravel()})
    return sim, df


def test_fast_path_equals_fit_fe_and_linearmodels(sim_df):
    sim, df = sim_df
    b, se = batched_twfe(sim.revenue, np.stack([sim.hours / 1000, sim.reserved], -1))
    r = fit_fe(df, "y", ["h", "r"], unit="u", time="t", provenance=REAL)
    np.testing.assert_allclose(b[0], r.params.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(se[0], r.std_errors.to_numpy(), rtol=1e-9)
    lm = PanelOLS(df.set_index(["u", "t"])["y"], df.set_index(["u", "t"])[["h", "r"]], entity_effects=True,
                  time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(r.params.to_numpy(), lm.params.to_numpy(), rtol=1e-9)
    # same cluster "meat"; linearmodels' default factor is n/(n-(N+T-1)-k) (all effects counted),
    # ours is Stata's G/(G-1) * (n-1)/(n-k-T) (unit effects nested in the clusters are not counted)
    n, k, t, g = len(df), 2, 8, 123
    ratio = np.sqrt(g / (g - 1) * (n - 1) / (n - k - t) * (n - (g + t - 1) - k) / n)
    np.testing.assert_allclose(r.std_errors.to_numpy(), lm.std_errors.to_numpy() * ratio, rtol=1e-9)


def test_unbalanced_within_equals_linearmodels(sim_df):
    _, df = sim_df
    d2 = df.sample(frac=0.85, random_state=2)
    r = fit_fe(d2, "y", ["h", "r"], unit="u", time="t", provenance=REAL)
    lm = PanelOLS(d2.set_index(["u", "t"])["y"], d2.set_index(["u", "t"])[["h", "r"]], entity_effects=True,
                  time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(r.params.to_numpy(), lm.params.to_numpy(), rtol=1e-8)


def test_twfe_revenue_accounting_identity_and_outputs():
    src = siae_inputs("93", seed=2, effects=dict(dynamic_eur=(0.0,), hours_kind_multiplier={k: 1.0 for k in
                                                                                        ("ACI", "AI", "EI", "ETTI", "EITI")}))
    res = twfe_revenue(assemble_sourced(src))
    lev, exc = res["level"], res["excl"]
    # revenue excluding contracts: reserved coefficient is exactly the level coefficient minus 1
    assert exc.params["reserved_market_eur"] == pytest.approx(lev.params["reserved_market_eur"] - 1, abs=1e-9)
    assert exc.std_errors["reserved_market_eur"] == pytest.approx(lev.std_errors["reserved_market_eur"])
    assert abs(lev.params["hours_k"] - 20_000) < 3 * lev.std_errors["hours_k"]
    assert abs(lev.params["reserved_market_eur"] - 1.2) < 3 * lev.std_errors["reserved_market_eur"]
    f = lev.to_frame()
    assert list(f.columns[:6]) == ["term", "estimate", "std_error", "ci_lower", "ci_upper", "pvalue"]
    assert "données de démonstration — synthétiques" in lev.summary() and lev.provenance.kind == "demo"
    assert "effet d'entraînement" in exc.summary()
    assert lev.tvalues.equals(lev.tstats) and lev.tvalues["hours_k"] == pytest.approx(
        lev.params["hours_k"] / lev.std_errors["hours_k"])
    tab = compare({"niveau": lev, "hors contrats": exc})
    assert list(tab.columns) == ["terme", "niveau", "hors contrats"] and tab["terme"].iloc[-1] == "N"


def test_fit_fe_errors(sim_df):
    _, df = sim_df
    kw = dict(unit="u", time="t", provenance=REAL)
    with pytest.raises(SchemaError, match="no column\\(s\\) 'zz'"):
        fit_fe(df, "y", ["zz"], **kw)
    with pytest.raises(SchemaError, match="duplicated \\(u, t\\) pairs"):
        fit_fe(pd.concat([df, df.iloc[[0]]]), "y", ["h"], **kw)
    with pytest.raises(ParameterError, match="Invalid value 'bogus' for 'cov_type'"):
        fit_fe(df, "y", ["h"], cov_type="bogus", **kw)
    with pytest.raises(ParameterError, match="do not vary within units and years"):
        fit_fe(df.assign(c=df["u"] * 2.0), "y", ["h", "c"], **kw)
    with pytest.raises(TypeError, match="needs provenance="):
        fit_fe(df, "y", ["h"], unit="u", time="t")
