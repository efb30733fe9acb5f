"""Batched statistics of esstools.trends.core against independent references (scipy, statsmodels)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.tsa.statespace.sarimax import SARIMAX

from esstools.trends import calibration, core


def _paths(seed=0, reps=5, n=14, rho=1.0):
    rng = np.random.default_rng(seed)
    return np.log(30_000) + 0.015 * np.arange(n) + 0.01 * calibration.simulate_deviations(rng, reps, n, rho)


def test_growth_and_segment_statistics_match_numpy():
    Y = _paths()
    m, s, nd = core.growth_stats(Y)
    D = np.diff(Y, axis=1)
    np.testing.assert_allclose(m, D.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(s, D.std(axis=1, ddof=1), rtol=1e-12)
    assert nd == 13
    m0, m1, sp, npre, npost = core.segment_stats(Y, 4)
    assert (npre, npost) == (9, 4)
    np.testing.assert_allclose(m1, D[:, -4:].mean(axis=1), rtol=1e-12)
    pooled = (D[:, :9].var(axis=1, ddof=1) * 8 + D[:, 9:].var(axis=1, ddof=1) * 3) / 11
    np.testing.assert_allclose(sp, np.sqrt(pooled), rtol=1e-12)


def test_break_t_is_the_pooled_two_sample_t_test_of_scipy():
    Y = _paths(seed=1)
    D = np.diff(Y, axis=1)
    ref = stats.ttest_ind(D[:, -4:], D[:, :-4], axis=1, equal_var=True).statistic
    np.testing.assert_allclose(core.break_tstat(Y, 4), ref, rtol=1e-10)


def test_sup_statistic_is_the_largest_break_t_over_the_candidates():
    Y = _paths(seed=2, n=20)
    cands = core.sup_candidates(19)
    assert cands[0] == 3 and cands[-1] == 16  # 15 % trimmed at each end (ceil(0.15 x 19) = 3)
    stat, pos = core.sup_break_stat(Y, cands)
    each = np.column_stack([np.abs(core.break_tstat(Y, int(c))) for c in cands])
    np.testing.assert_allclose(stat, each.max(axis=1), rtol=1e-10)
    np.testing.assert_array_equal(pos, cands[each.argmax(axis=1)])


@pytest.mark.parametrize("npost", [None, 4])
def test_dickey_fuller_coefficient_matches_statsmodels_ols(npost):
    Y = _paths(seed=3, reps=3)
    n = Y.shape[1]
    X = core.trend_columns(n, npost)
    got = core.df_rho(Y, npost)
    for r in range(3):
        ref = sm.OLS(Y[r, 1:], np.column_stack([X[1:], Y[r, :-1]])).fit().params[-1]
        assert got[r] == pytest.approx(ref, rel=1e-9)


def test_persistence_statistic_is_invariant_to_level_drift_break_and_scale():
    Y = _paths(seed=4, reps=4, rho=0.6)
    n = Y.shape[1]
    kink = np.maximum(0, np.arange(n) - (n - 4) + 1)
    moved = 3.0 * (Y + 7.0 + 0.03 * np.arange(n) + 0.05 * kink)
    np.testing.assert_allclose(core.df_rho(moved, 4), core.df_rho(Y, 4), rtol=1e-8)
    np.testing.assert_allclose(core.df_rho(3.0 * Y + 1.0), core.df_rho(Y), rtol=1e-8)


def test_random_walk_forecast_matches_statsmodels_sarimax():
    """ARIMA(0,1,0) with drift (statsmodels SARIMAX, ML started at the closed form) gives the same mean to
    1e-6 log points (its optimiser stops near, not exactly at, the closed form); our variance adds the
    uncertainty of the drift and uses the unbiased variance: var_ours = var_sarimax nd / (nd - 1) (1 + k / nd)
    (to 1e-4 relative)."""
    y = _paths(seed=5, reps=1)[0]
    d = np.diff(y)
    nd, m = len(d), d.mean()
    mod = SARIMAX(y, order=(0, 1, 0), trend="c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mod.fit(start_params=[m, np.mean((d - m) ** 2)], disp=False, method="lbfgs", maxiter=500,
                      optim_complex_step=False)
    fc = res.get_forecast(5)
    steps = np.arange(1, 6)
    mean, se = core.forecast_no_break(y, steps)
    np.testing.assert_allclose(mean[0], fc.predicted_mean, rtol=0, atol=1e-6)
    ratio = se[0] ** 2 / fc.var_pred_mean
    np.testing.assert_allclose(ratio, nd / (nd - 1) * (1 + steps / nd), rtol=1e-4)
    assert res.params[0] == pytest.approx(m, rel=1e-6)  # the drift is the mean growth rate


def test_break_forecast_matches_sarimax_with_a_step_in_the_drift():
    y = _paths(seed=6, reps=1)[0]
    n = len(y)
    kink = np.maximum(0.0, np.arange(n) - (n - 4) + 1)  # its difference is 1 on the last 4 growth rates
    d = np.diff(y)
    m0, m1 = d[:-4].mean(), d[-4:].mean()
    mod = SARIMAX(y, exog=kink, order=(0, 1, 0), trend="c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = mod.fit(start_params=[m0, m1 - m0, np.var(np.r_[d[:-4] - m0, d[-4:] - m1])], disp=False,
                      method="lbfgs", maxiter=500, optim_complex_step=False)
    future = kink[-1] + np.arange(1, 6)
    mean, _ = core.forecast_break(y, 4, np.arange(1, 6))
    np.testing.assert_allclose(mean[0], res.get_forecast(5, exog=future).predicted_mean, atol=1e-6)


def test_mixture_quantiles_and_level_pivot():
    q = core.mixture_quantile(np.array([0.1, 0.5, 0.9]), 0.0, 1.0, 0.0, 1.0)
    np.testing.assert_allclose(q, stats.norm.ppf([0.1, 0.5, 0.9]), atol=1e-10)
    x = core.mixture_quantile(0.7, 0.0, 1.0, 2.0, 0.5)
    assert core.mixture_cdf(x, 0.0, 1.0, 2.0, 0.5) == pytest.approx(0.7, abs=1e-12)
    # a value is inside the central interval of probability lam iff its pivot is <= -log(1 - lam)
    lam = 0.8
    lo, hi = core.mixture_quantile(0.1, 0, 1, 2, 0.5), core.mixture_quantile(0.9, 0, 1, 2, 0.5)
    k = -np.log(1 - lam)
    for v, inside in ((lo + 1e-6, True), (hi - 1e-6, True), (lo - 1e-3, False), (hi + 1e-3, False)):
        assert (core.level_pivot(core.mixture_cdf(v, 0, 1, 2, 0.5)) <= k) == inside
    assert core.level_from_kappa(k) == pytest.approx(lam)


def test_simulated_deviations_have_the_stated_laws():
    rng = np.random.default_rng(7)
    u = calibration.simulate_deviations(rng, 20_000, 30, 0.5)
    assert u.var(axis=0).mean() == pytest.approx(1 / (1 - 0.25), rel=0.03)  # stationary from the start
    assert np.corrcoef(u[:, 10], u[:, 11])[0, 1] == pytest.approx(0.5, abs=0.02)
    w = calibration.simulate_deviations(rng, 20_000, 30, 1.0)
    d = np.diff(w, axis=1)
    assert d.std() == pytest.approx(1.0, rel=0.01) and abs(np.corrcoef(d[:, 5], d[:, 6])[0, 1]) < 0.02
    g = np.diff(calibration.simulate_deviations(rng, 20_000, 30, 1.0, 0.5), axis=1)
    assert np.corrcoef(g[:, 5], g[:, 6])[0, 1] == pytest.approx(0.5, abs=0.02)


def test_isotonic_and_kappa_table_interpolation():
    np.testing.assert_allclose(calibration._isotonic(np.array([1.0, 3.0, 2.0, 4.0])), [1.0, 2.5, 2.5, 4.0])
    t = calibration.KappaTable(np.array([0.0, 1.0]), np.array([1.0, 4.0]), 0.95)
    assert t(0.5) == pytest.approx(2.0)  # log-linear between knots
    assert t(-5) == pytest.approx(1.0) and t(5) == pytest.approx(4.0)  # constant outside
    assert calibration.KappaTable.from_dict(t.to_dict())(0.25) == pytest.approx(t(0.25))


def test_calibration_recovers_a_known_critical_value_function():
    """Toy family: at grid value p the statistic is S ~ p + N(0, 0.05) and the pivot |Z| (1 + p);
    the calibrated kappa must be close to 1.96 (1 + p) and cover 95 % at every grid value."""
    rng = np.random.default_rng(8)
    grid = np.linspace(0, 1, 11)
    S = grid[:, None] + 0.05 * rng.standard_normal((11, 3000))
    T = np.abs(rng.standard_normal((11, 3000))) * (1 + grid[:, None])
    tab = calibration.calibrate(S, {"t": T}, {"k": ("t", 0.95)}, grid=grid)["k"]
    lo, hi = tab.fit_range
    assert 0.93 <= lo and hi <= 0.97
    assert tab(0.5) == pytest.approx(1.96 * 1.5, rel=0.08)
    assert np.all(np.diff(tab.values) >= 0)


def test_random_walk_forecast_matches_statsmodels_ets_holt_with_alpha_one():
    """Holt's linear trend (statsmodels ETSModel A,A,N) with alpha -> 1, beta -> 0 and initial trend m is the
    random walk with drift m: same forecasts (to 1e-6) and, up to the variance estimators, the same variance:
    var_ours = var_ets n / (nd - 1) (1 + k / nd) (ETS divides the squared one-step errors by n, one of them
    being zero)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = _paths(seed=9, reps=1)[0]
    d = np.diff(y)
    n, nd, m = len(y), len(d), d.mean()
    ets = ETSModel(pd.Series(y), error="add", trend="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ets.smooth(np.array([1 - 1e-9, 1e-9, y[0] - m, m]))
        frame = res.get_prediction(start=n, end=n + 4).summary_frame(alpha=0.05)
    steps = np.arange(1, 6)
    mean, se = core.forecast_no_break(y, steps)
    np.testing.assert_allclose(mean[0], frame["mean"], atol=1e-6)
    var_ets = ((frame["pi_upper"] - frame["mean"]) / stats.norm.ppf(0.975)).to_numpy() ** 2
    np.testing.assert_allclose(se[0] ** 2 / var_ets, n / (nd - 1) * (1 + steps / nd), rtol=1e-4)


def test_tables_are_cached_on_disk_and_read_back_identically(tmp_path, monkeypatch):
    monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(calibration, "SIMS_PER_POINT", 40)  # part of the cache key: a small, separate table set
    design = calibration.Design(n=9, freq="A", npost=3, steps=(1, 2))
    calibration.tables.cache_clear()
    built = calibration.tables(design)
    files = list((tmp_path / "trend_tables").glob("*.json"))
    assert [f.name for f in files] == [f"{design.key()}.json"]
    calibration.tables.cache_clear()
    again = calibration.tables(design)  # from the disk cache
    assert set(again.tables) == set(built.tables)
    for name, tab in built.tables.items():
        np.testing.assert_array_equal(again.tables[name].values, tab.values)
    assert {"growth", "growth_post", "fc0/2/0.95", "fc1/1/0.8", "mix/2/0.95", "break/0.05", "sup/0.01"} <= set(built.tables)
    calibration.tables.cache_clear()
