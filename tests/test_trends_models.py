"""Unit tests of esstools.trends: estimators against statsmodels, results API, errors."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from esstools import trends
from esstools.errors import ParameterError, SchemaError
from esstools.provenance import DEMO_LABEL
from esstools.trends.loglinear import hac_ols_batch, newey_west_lags, trend_design


def _series(n=14, growth=0.02, sigma=0.01, seed=0, start=2010, name="test"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.Series(30_000 * np.exp(np.log1p(growth) * t + rng.normal(0, sigma, n)), index=range(start, start + n),
                     name=name)


def test_vectorised_hac_equals_statsmodels():
    rng = np.random.default_rng(1)
    n = 40
    X = trend_design(np.arange(n, dtype=float))
    Y = 10 + 0.02 * np.arange(n) + rng.normal(0, 0.02, (3, n))
    lags = newey_west_lags(n)
    B, se = hac_ols_batch(Y, X, lags)
    for r in range(3):
        ref = sm.OLS(Y[r], X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
        np.testing.assert_allclose(B[r], ref.params, rtol=1e-10)
        np.testing.assert_allclose(se[r], ref.bse, rtol=1e-10)


def test_loglinear_recovers_growth_and_matches_statsmodels():
    s = _series(n=30, growth=0.03, sigma=0.005)
    r = trends.fit_loglinear(s)
    assert r.nobs == 30
    assert r.growth_rate() == pytest.approx(3.0, abs=0.15)
    lo, hi = r.growth_ci(0.95)
    assert lo < r.growth_rate() < hi
    ref = sm.OLS(np.log(s.to_numpy()), trend_design(np.arange(30.0))).fit(
        cov_type="HAC", cov_kwds={"maxlags": r.hac_lags, "use_correction": True})
    np.testing.assert_allclose(r.params.to_numpy(), ref.params, rtol=1e-10)
    np.testing.assert_allclose(r.std_errors.to_numpy(), ref.bse, rtol=1e-10)
    # simulated critical value is larger than Student's (small-sample correction)
    assert r.critical_value(0.95) > 2.05
    t_r = trends.fit_loglinear(s, ci_method="t")
    assert t_r.critical_value(0.95) == pytest.approx(2.0484, abs=1e-3)
    np.testing.assert_allclose(r.fitted.to_numpy(), np.exp(ref.fittedvalues), rtol=1e-10)


def test_results_api_summary_frame_repr():
    r = trends.fit_loglinear(_series(), data_kind="demo")
    frame = r.to_frame()
    assert list(frame["term"]) == ["const", "trend"]
    assert {"estimate", "std_error", "p_value", "ci95_lower", "ci95_upper", "data_kind"} <= set(frame.columns)
    text = r.summary()
    assert DEMO_LABEL in text and "Croissance annuelle tendancielle" in text
    assert repr(r) == text
    assert r._repr_html_().startswith("<pre>")
    ci = r.conf_int(0.8)
    assert (ci["lower"] < r.params).all() and (ci["upper"] > r.params).all()
    with pytest.raises(AttributeError):
        r.params = None
    with pytest.raises(ParameterError, match="between 0 and 1"):
        r.conf_int(95)


def test_quarterly_series_growth_is_annual():
    rng = np.random.default_rng(3)
    idx = pd.period_range("2014Q1", periods=40, freq="Q")
    q = pd.Series(30_000 * np.exp(0.01 * np.arange(40) + rng.normal(0, 0.002, 40)), index=idx)
    r = trends.fit_loglinear(q)
    assert r.growth_rate() == pytest.approx(100 * np.expm1(0.04), abs=0.1)
    fc = r.forecast(2026)
    assert str(fc.frame.index[-1]) == "2026Q4" and len(fc.frame) == 12
    assert fc.at(2026)["value"] == pytest.approx(float(fc.frame["mean"].iloc[-1]))
    lab = pd.Series(q.to_numpy(), index=[f"{p.year}-T{p.quarter}" for p in idx])
    assert trends.fit_loglinear(lab).growth_rate() == pytest.approx(r.growth_rate())


def test_forecast_intervals_nested_and_ordered():
    r = trends.fit_loglinear(_series())
    fc = r.forecast(2028)
    f = fc.frame
    assert list(f.index) == [2024, 2025, 2026, 2027, 2028]
    assert (f["lower_95"] < f["lower_80"]).all() and (f["lower_80"] < f["mean"]).all()
    assert (f["mean"] < f["upper_80"]).all() and (f["upper_80"] < f["upper_95"]).all()
    widths = f["upper_95"] - f["lower_95"]
    assert widths.is_monotonic_increasing
    assert "IC 95 %" in fc.summary() and DEMO_LABEL in fc.summary()
    with pytest.raises(ParameterError, match="not after the last observation"):
        r.forecast(2020)


def test_break_model_recovers_shift_and_chow_matches_statsmodels():
    rng = np.random.default_rng(5)
    t = np.arange(14)
    d = (t >= 10).astype(float)
    y = pd.Series(np.exp(10 + 0.02 * t - 0.05 * d + 0.03 * d * (t - 10) + rng.normal(0, 0.005, 14)),
                  index=range(2010, 2024), name="x")
    r = trends.fit_break(y, 2020, kind="both")
    assert r.level_shift_pct == pytest.approx(100 * np.expm1(-0.05), abs=1.5)
    assert r.slope_change_pp == pytest.approx(3.0, abs=0.8)
    assert r.chow_pvalue < 0.001
    X = np.column_stack([np.ones(14), t, d, d * (t - 10)])
    full = sm.OLS(np.log(y.to_numpy()), X).fit()
    f_sm = full.f_test("x2 = 0, x3 = 0")
    assert r.chow_f == pytest.approx(float(np.squeeze(f_sm.fvalue)), rel=1e-8)
    assert r.chow_pvalue == pytest.approx(float(f_sm.pvalue), rel=1e-6)
    assert "Test de Chow" in r.summary()
    assert r.forecast(2026).frame["mean"].iloc[-1] > y.iloc[-1]


def test_supf_finds_break_date():
    rng = np.random.default_rng(7)
    t = np.arange(20)
    d = (t >= 12).astype(float)
    y = pd.Series(np.exp(10 + 0.02 * t + 0.06 * d + 0.02 * d * (t - 12) + rng.normal(0, 0.01, 20)),
                  index=range(2004, 2024))
    res = trends.sup_f_test(y)
    assert res.break_year == 2016
    assert res.pvalue < 0.01
    assert res.statistic > res.critical_5pct
    assert "sup-F" in res.summary()


def test_structural_and_ets_fit_and_forecast():
    s = _series(n=14, growth=0.02, sigma=0.01, seed=2)
    llt = trends.fit_local_linear_trend(s)
    ets = trends.fit_ets(s)
    for r in (llt, ets):
        assert r.growth_rate() == pytest.approx(2.0, abs=1.0)
        fc = r.forecast(2028).at(2028)
        assert fc["ci95"][0] < fc["ci80"][0] < fc["value"] < fc["ci80"][1] < fc["ci95"][1]
        assert r.nobs == 14 and len(r.fitted) == 14
    assert list(llt.params.index) == ["sigma2.irregular", "sigma2.level", "sigma2.trend"]
    assert "smoothing_level" in ets.params.index
    lo, hi = llt.growth_ci()
    assert lo < llt.growth_rate() < hi


def test_backtest_scores_and_weights():
    s = _series(n=14, seed=4)
    bt = trends.backtest(s, min_train=8, max_horizon=3)
    sc = bt.scores
    assert set(sc.index) == {"tendance log-linéaire", "rupture 2020", "tendance locale linéaire",
                             "lissage exponentiel (ETS)"}
    assert sc.loc["tendance log-linéaire", "n_forecasts"] == 15  # origins 8..13, horizons up to 3
    assert sc.loc["rupture 2020", "n_forecasts"] < 15
    assert "rupture 2020" not in bt.eligible()
    w = bt.weights()
    assert sum(w.values()) == pytest.approx(1.0)
    assert bt.best() in w
    e = bt.errors
    row = e.iloc[0]
    assert row["ape"] == pytest.approx(100 * abs(row["actual"] - row["forecast"]) / row["actual"])
    assert "EAMP (%)" in bt.to_frame().columns


def test_combine_forecasts_single_model_is_identity():
    r = trends.fit_loglinear(_series())
    fc = r.forecast(2026)
    comb = trends.combine_forecasts([fc], [1.0])
    np.testing.assert_allclose(comb.frame["mean"], fc.frame["mean"], rtol=1e-8)
    np.testing.assert_allclose(comb.frame["upper_95"], fc.frame["upper_95"], rtol=1e-8)
    # the mixture uses each model's own law (Student t here), so the 80 % bounds are exact too
    np.testing.assert_allclose(comb.frame["upper_80"], fc.frame["upper_80"], rtol=1e-8)
    np.testing.assert_allclose(comb.frame["lower_80"], fc.frame["lower_80"], rtol=1e-8)
    with pytest.raises(ParameterError, match="non-negative"):
        trends.combine_forecasts([fc], [-1.0])


def test_growth_gap_recovers_difference():
    a = _series(n=30, growth=0.04, sigma=0.004, seed=8, name="A")
    b = _series(n=30, growth=0.01, sigma=0.004, seed=9, name="B")
    g = trends.growth_gap(a, b)
    assert g.value == pytest.approx(3.0, abs=0.3)
    lo, hi = g.conf_int()
    assert lo < g.value < hi and lo > 0
    assert g.pvalue < 0.001
    assert "Écart" in g.summary()


def test_shift_share_identity_and_known_values():
    local = pd.DataFrame({"a": [100.0, 130.0], "b": [50.0, 50.0]}, index=[2013, 2022])
    ref = pd.DataFrame({"a": [1000.0, 1100.0], "b": [1000.0, 900.0]}, index=[2013, 2022])
    ss = trends.shift_share(local, ref, 2013, 2022)
    t = ss.totals
    assert t["effet_reference"] == pytest.approx(0.0)
    assert t["effet_structurel"] == pytest.approx(100 * 0.1 + 50 * -0.1)
    assert t["effet_local"] == pytest.approx(100 * 0.2 + 50 * 0.1)
    assert t["effet_reference"] + t["effet_structurel"] + t["effet_local"] == pytest.approx(t["variation"])
    with pytest.raises(SchemaError, match="missing from the reference"):
        trends.shift_share(local.assign(c=[1.0, 2.0]), ref, 2013, 2022)


def test_period_and_annual_growth():
    s = pd.Series([100.0, 104.2, 110.0], index=[2021, 2022, 2023])
    assert trends.period_growth(s, 2021, 2022) == pytest.approx(4.2)
    assert trends.annual_growth(s).round(3).tolist() == [4.2, 5.566]
    with pytest.raises(ParameterError, match="not in series"):
        trends.period_growth(s, 2010, 2022)


def test_input_errors_are_clear():
    s = _series()
    bad = s.copy()
    bad.loc[2015] = -3.0
    with pytest.raises(SchemaError, match=r"non-positive value\(s\) at period\(s\) 2015 \(-3.0\)"):
        trends.fit_loglinear(bad)
    with pytest.raises(SchemaError, match="not regularly spaced"):
        trends.fit_loglinear(s.drop(2015))
    with pytest.raises(ParameterError, match="at least 5"):
        trends.fit_loglinear(s.iloc[:3])
    with pytest.raises(ParameterError, match="allowed values are: 'simulated', 't'"):
        trends.fit_loglinear(s, ci_method="bootstrap")
    with pytest.raises(ParameterError, match="allowed values are: 'level', 'slope', 'both'"):
        trends.fit_break(s, 2020, kind="trend")
    with pytest.raises(ParameterError, match="leaves 13 observation"):
        trends.fit_break(s, 2023, kind="both")
    with pytest.raises(ParameterError, match="neither years nor quarters"):
        trends.fit_loglinear(pd.Series([1.0] * 6, index=list("abcdef")))
    with pytest.raises(ParameterError, match="Expected a pandas Series"):
        trends.fit_loglinear([1, 2, 3, 4, 5, 6])


def test_reading_is_generated_from_numbers():
    text = trends.reading_fr(territory="93", reference="11", growth=2.19, growth_ci=(1.86, 2.53), chow_p=0.0002,
                             break_year=2020, supf_p=0.001, supf_year="2020", gap=1.35, gap_ci=(1.08, 1.62),
                             projection_year=2028, projection=47975, ci80=(47000, 53459), ci95=(46547, 55577),
                             last_year=2023, last_value=43764, model_rule="règle", data_kind="demo")
    assert DEMO_LABEL in text
    assert "2,2 % par an" in text and "rejette l'absence de rupture en 2020" in text
    assert "plus vite que la référence 11" in text and "47\u202f975" in text
