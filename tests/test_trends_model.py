"""The trend-analysis API (esstools.trends): estimates, intervals, tests, projections, errors, display."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from esstools import trends
from esstools.errors import ParameterError, SchemaError
from esstools.provenance import DEMO_LABEL, Provenance
from esstools.trends import calibration, core

DEMO = Provenance.demo("série simulée pour les tests")


def _walk(n=14, drift=0.015, sigma=0.01, seed=0, start=2010, name="test", rho=1.0, freq="A"):
    rng = np.random.default_rng(seed)
    ppy = 1 if freq == "A" else 4
    y = np.log(30_000) + drift / ppy * np.arange(n) + sigma / np.sqrt(ppy) * calibration.simulate_deviations(
        rng, 1, n, rho)[0]
    if freq == "A":
        index = range(start, start + n)
    else:
        index = pd.period_range(f"{start}Q1", periods=n, freq="Q")
    return pd.Series(np.exp(y), index=index, name=name)


def test_growth_is_the_mean_growth_rate_and_its_interval_contains_it():
    s = _walk()
    a = trends.analyse_trend(s, provenance=DEMO)
    y = np.log(s.to_numpy())
    assert a.growth.value == pytest.approx(100 * np.expm1((y[-1] - y[0]) / 13), rel=1e-12)
    assert a.growth.lower < a.growth.value < a.growth.upper
    assert a.nobs == 14 and a.break_label == "2020"
    assert a.growth_before == pytest.approx(100 * np.expm1(np.diff(y)[:9].mean()), rel=1e-12)
    assert a.growth_after.value == pytest.approx(100 * np.expm1(np.diff(y)[9:].mean()), rel=1e-12)


def _sarimax_drift_interval(y):
    d = np.diff(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = SARIMAX(y, order=(0, 1, 0), trend="c").fit(start_params=[d.mean(), d.var()], disp=False,
                                                        method="lbfgs", optim_complex_step=False)
    lo, hi = res.conf_int(alpha=0.05)[0]
    return res.params[0], hi - lo


@pytest.mark.parametrize("seed", range(6))
def test_growth_interval_compared_with_statsmodels_sarimax_drift(seed):
    """Same centre as the drift of statsmodels' ARIMA(0,1,0) with drift (to 1e-6). The width differs by
    design: SARIMAX's asymptotic interval assumes a random walk; ours adapts to the estimated persistence
    and is never wider than the calibration ceiling, 1.4 x the random walk's Student quantile
    (t(11) = 2.20 over 1.96), x sqrt(nd / (nd - 2)) for the unbiased within-segment variance. For a series
    that looks like a random walk (high Dickey-Fuller coefficient) it is at least as wide as SARIMAX's."""
    s = _walk(seed=seed)
    a = trends.analyse_trend(s, provenance=DEMO)
    y = np.log(s.to_numpy())
    centre, width = _sarimax_drift_interval(y)
    ours = np.log1p(np.array([a.growth.lower, a.growth.value, a.growth.upper]) / 100)
    assert ours[1] == pytest.approx(centre, abs=1e-6)
    ratio = (ours[2] - ours[0]) / width
    assert ratio < 1.4 * 2.201 / 1.96 * np.sqrt(13 / 11) * 1.1  # (1.1: sp vs the ML sd of one sample)
    if a.persistence["df_rho"] > 0.7:
        assert ratio > 0.95


def test_a_clear_break_is_detected_and_dated():
    s = _walk(seed=5, sigma=0.003)
    y = np.log(s.to_numpy())
    y[10:] += 0.03 * np.arange(1, 5)  # drift +3 points from 2020
    a = trends.analyse_trend(pd.Series(np.exp(y), index=s.index), provenance=DEMO)
    assert a.break_known.rejected and a.break_known.pvalue <= 0.05
    assert a.break_unknown.date == "2020"
    assert a.growth_after.value - a.growth_before == pytest.approx(3.0, abs=1.0)


def test_no_break_is_reported_on_a_plain_random_walk():
    a = trends.analyse_trend(_walk(seed=11), provenance=DEMO)
    assert not a.break_known.rejected and a.break_known.pvalue > 0.05
    assert a.break_known.pvalue_text.startswith("p ")


def test_projection_models_widen_with_horizon_and_retained_is_the_average():
    a = trends.analyse_trend(_walk(seed=2), provenance=DEMO, horizon=2028)
    p = a.projection()
    assert set(p.frames) == {"fc0", "fc1", "mix"} and p.retained == "mix"
    for key, f in p.frames.items():
        assert list(f.index) == [2024, 2025, 2026, 2027, 2028]
        assert (f["lower_95"] <= f["lower_80"]).all() and (f["lower_80"] <= f["median"]).all()
        assert (f["median"] <= f["upper_80"]).all() and (f["upper_80"] <= f["upper_95"]).all()
        width = np.log(f["upper_95"] / f["lower_95"]).to_numpy()
        assert width[-1] > width[0]  # intervals widen with the horizon
    f0, f1, mix = (p.frames[k]["median"].iloc[-1] for k in ("fc0", "fc1", "mix"))
    assert min(f0, f1) <= mix <= max(f0, f1)
    y = np.log(_walk(seed=2).to_numpy())
    assert f0 == pytest.approx(np.exp(y[-1] + 5 * np.diff(y).mean()), rel=1e-12)
    at = p.at(2028)
    assert at["ci95"][0] < at["ci80"][0] < at["value"] < at["ci80"][1] < at["ci95"][1]
    tab = p.to_frame(2028)
    assert list(tab["projection"]) == [trends.MODEL_LABELS_FR[k] for k in ("fc0", "fc1", "mix")]
    with pytest.raises(ParameterError, match="not in the projection"):
        p.at(2035)


def test_quarterly_series_growth_is_annual_and_projects_to_the_last_quarter():
    s = _walk(n=48, freq="Q", start=2012, seed=4)
    a = trends.analyse_trend(s, provenance=DEMO, horizon=2025)
    y = np.log(s.to_numpy())
    assert a.growth.value == pytest.approx(100 * np.expm1(4 * np.diff(y).mean()), rel=1e-12)
    assert a.break_label == "2020T1" and a.design.npost == 16
    f = a.projection().frames["mix"]
    assert str(f.index[-1]) == "2025Q4" and len(f) == 8
    assert a.design.steps == (1, 2, 3, 4, 8)


def test_short_series_have_no_break_model_and_clear_errors():
    s = _walk(n=10, start=2014)
    a = trends.analyse_trend(s, provenance=DEMO, break_year=2022)  # 2 growth rates after: allowed
    assert a.has_break_model and a.design.npost == 2
    b = trends.analyse_trend(s, provenance=DEMO, break_year=2023)  # 1 growth rate after: no break model
    assert not b.has_break_model and b.break_known is None and list(b.projection().frames) == ["fc0"]
    with pytest.raises(ParameterError, match="at least 8"):
        trends.analyse_trend(s.iloc[:6], provenance=DEMO)
    with pytest.raises(ParameterError, match="not after the last observation"):
        trends.analyse_trend(s, provenance=DEMO, horizon=2020)
    bad = s.copy()
    bad.loc[2016] = 0.0
    with pytest.raises(SchemaError, match=r"non-positive value\(s\) at period\(s\) 2016"):
        trends.analyse_trend(bad, provenance=DEMO)
    with pytest.raises(SchemaError, match="not regularly spaced"):
        trends.analyse_trend(_walk().drop(2015), provenance=DEMO)
    with pytest.raises(TypeError, match="say where the data come from"):
        trends.analyse_trend(s, provenance="peut-être")  # no default that could turn demo into real


def test_summary_and_html_carry_the_demo_mark():
    a = trends.analyse_trend(_walk(), provenance=DEMO, name="Série test")
    text = a.summary()
    assert DEMO_LABEL in text and "Croissance annuelle moyenne" in text and "Durbin-Watson" in text
    assert repr(a) == text and DEMO_LABEL in a._repr_html_()
    real = trends.analyse_trend(_walk(), provenance="real")
    assert DEMO_LABEL not in real.summary()


def test_growth_gap_recovers_the_difference():
    a = _walk(n=30, drift=0.04, sigma=0.004, seed=8, start=1994, name="A")
    b = _walk(n=30, drift=0.01, sigma=0.004, seed=9, start=1994, name="B")
    g = trends.growth_gap(a, b, provenance=DEMO)
    assert g.value == pytest.approx(100 * (np.exp(0.04) - np.exp(0.01)), abs=0.5)
    lo, hi = g.conf_int()
    assert lo < g.value < hi
    assert "Écart" in g.summary() and len(g.to_frame()) == 3


def test_shift_share_identity_and_known_values():
    local = pd.DataFrame({"a": [100.0, 130.0], "b": [50.0, 50.0]}, index=[2013, 2022])
    ref = pd.DataFrame({"a": [1000.0, 1100.0], "b": [1000.0, 900.0]}, index=[2013, 2022])
    ss = trends.shift_share(local, ref, 2013, 2022, provenance=DEMO)
    t = ss.totals
    assert t["effet_reference"] == pytest.approx(0.0)
    assert t["effet_structurel"] == pytest.approx(100 * 0.1 + 50 * -0.1)
    assert t["effet_local"] == pytest.approx(100 * 0.2 + 50 * 0.1)
    assert t["effet_reference"] + t["effet_structurel"] + t["effet_local"] == pytest.approx(t["variation"])
    assert DEMO_LABEL in ss.summary()
    with pytest.raises(SchemaError, match="missing from the reference"):
        trends.shift_share(local.assign(c=[1.0, 2.0]), ref, 2013, 2022, provenance=DEMO)


def test_period_and_annual_growth():
    s = pd.Series([100.0, 104.2, 110.0], index=[2021, 2022, 2023])
    assert trends.period_growth(s, 2021, 2022) == pytest.approx(4.2)
    assert trends.annual_growth(s).round(3).tolist() == [4.2, 5.566]
    with pytest.raises(ParameterError, match="not in series"):
        trends.period_growth(s, 2010, 2022)


def test_pvalue_interpolation_is_monotone_and_matches_the_5pct_critical_value():
    a = trends.analyse_trend(_walk(), provenance=DEMO)
    ts = calibration.tables(a.design)
    b = core.df_rho(np.log(_walk().to_numpy())[None, :], a.design.npost)
    crit = ts.kappa("break/0.05", b)[0]
    assert ts.pvalue("break", crit, b)[0] == pytest.approx(0.05, rel=1e-6)
    p = ts.pvalue("break", np.linspace(0, 3 * crit, 30), np.full(30, b[0]))
    assert np.all(np.diff(p) <= 1e-12) and p[0] == 1.0 and p[-1] == 0.01
