"""Seeded Monte Carlo checks of the trend methods (used by the tests and the notebook).

All simulations are vectorised with numpy (one matrix per replication set); the
estimators used are the same functions as the models (``hac_ols_batch``,
``f_profile_batch``, simulated critical values), checked against statsmodels
in the tests.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from .breaks import _candidates, f_profile_batch, supf_pvalues
from .loglinear import hac_ols_batch, newey_west_lags, simulated_critical_value, trend_design

VALIDATION_SEED = 5_052_024


def _noise(rng, n_rep: int, n: int, sigma: float, ar: float) -> np.ndarray:
    e = rng.normal(0.0, sigma, (n_rep, n))
    if ar:
        e[:, 0] /= np.sqrt(1 - ar ** 2)
        for i in range(1, n):
            e[:, i] += ar * e[:, i - 1]
    return e


def loglinear_coverage(n_rep: int = 1000, n: int = 40, growth: float = 0.02, sigma: float = 0.02, ar: float = 0.0,
                       level: float = 0.95, ci_method: str = "simulated", seed: int = VALIDATION_SEED) -> dict:
    """Coverage of the growth-rate interval and bias of the growth estimate (true growth in %/yr = 100(e^b - 1))."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    b = np.log1p(growth)
    Y = np.log(10_000.0) + b * t + _noise(rng, n_rep, n, sigma, ar)
    lags = newey_west_lags(n)
    B, se = hac_ols_batch(Y, trend_design(t), lags)
    crit = simulated_critical_value(n, lags, level) if ci_method == "simulated" else stats.t.ppf(0.5 + level / 2, n - 2)
    cover = np.abs(B[:, 1] - b) <= crit * se[:, 1]
    g_hat = 100 * np.expm1(B[:, 1])
    return {
        "coverage": float(cover.mean()),
        "coverage_mc_se": float(np.sqrt(cover.mean() * (1 - cover.mean()) / n_rep)),
        "true_growth_pct": 100 * growth,
        "mean_growth_pct": float(g_hat.mean()),
        "bias_pct_points": float(g_hat.mean() - 100 * growth),
        "bias_mc_se": float(g_hat.std(ddof=1) / np.sqrt(n_rep)),
        "n_rep": n_rep, "n": n, "lags": lags, "ar": ar,
    }


def chow_size(n_rep: int = 2000, n: int = 14, break_index: int = 10, kind: str = "both", alpha: float = 0.05,
              sigma: float = 0.02, seed: int = VALIDATION_SEED + 1) -> dict:
    """Rejection rate of the Chow F-test at a known date on series without break."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    Y = 10 + 0.02 * t + rng.normal(0, sigma, (n_rep, n))
    F = f_profile_batch(Y, t, np.array([break_index]), kind)[:, 0]
    q = 1 if kind != "both" else 2
    p = stats.f.sf(F, q, n - 2 - q)
    return {"size": float(np.mean(p < alpha)), "alpha": alpha, "n_rep": n_rep, "n": n}


def supf_size(n_rep: int = 1000, n: int = 14, kind: str = "both", alpha: float = 0.05, sigma: float = 0.02,
              seed: int = VALIDATION_SEED + 2) -> dict:
    """Rejection rate of the sup-F test (Monte Carlo p-values) on series without break."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    Y = 10 + 0.02 * t + rng.normal(0, sigma, (n_rep, n))
    stat = f_profile_batch(Y, t, _candidates(n, 0.15, kind), kind).max(axis=1)
    p = supf_pvalues(stat, n, kind)
    return {"size": float(np.mean(p < alpha)), "alpha": alpha, "n_rep": n_rep, "n": n}


def supf_detection(n_rep: int = 300, n: int = 20, break_index: int = 12, level_shift: float = 0.06,
                   slope_change: float = 0.02, sigma: float = 0.01, kind: str = "both",
                   seed: int = VALIDATION_SEED + 3) -> dict:
    """Share of series with a true break where the sup-F rejects at 5 % and dates the break exactly (±0 / ±1)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    D = (t >= break_index).astype(float)
    Y = 10 + 0.02 * t + level_shift * D + slope_change * D * (t - break_index) + rng.normal(0, sigma, (n_rep, n))
    pos = _candidates(n, 0.15, kind)
    F = f_profile_batch(Y, t, pos, kind)
    found = pos[F.argmax(axis=1)]
    p = supf_pvalues(F.max(axis=1), n, kind)
    return {"power": float(np.mean(p < 0.05)), "exact_date": float(np.mean(found == break_index)),
            "within_one": float(np.mean(np.abs(found - break_index) <= 1)), "n_rep": n_rep, "n": n,
            "break_index": break_index}


def forecast_coverage(n_rep: int = 2000, n: int = 14, horizon: int = 5, sigma: float = 0.02,
                      levels=(0.8, 0.95), seed: int = VALIDATION_SEED + 4) -> dict:
    """Coverage of the log-linear prediction intervals ``horizon`` periods ahead."""
    rng = np.random.default_rng(seed)
    t = np.arange(n + horizon, dtype=float)
    Y = 10 + 0.02 * t + rng.normal(0, sigma, (n_rep, n + horizon))
    X = trend_design(t[:n])
    xtx_inv = np.linalg.inv(X.T @ X)
    B = Y[:, :n] @ X @ xtx_inv
    E = Y[:, :n] - B @ X.T
    s2 = np.sum(E ** 2, axis=1) / (n - 2)
    x0 = np.array([1.0, t[n + horizon - 1]])
    pred = B @ x0
    se = np.sqrt(s2 * (1 + x0 @ xtx_inv @ x0))
    out = {"n_rep": n_rep, "n": n, "horizon": horizon}
    for lv in levels:
        q = stats.t.ppf(0.5 + lv / 2, n - 2)
        out[f"coverage_{int(round(lv * 100))}"] = float(np.mean(np.abs(Y[:, -1] - pred) <= q * se))
    return out


def _ols_prediction(Y: np.ndarray, X: np.ndarray, x0: np.ndarray):
    """Batch OLS point prediction at ``x0`` and its prediction standard error (classical, n - k df)."""
    n, k = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    B = Y @ X @ xtx_inv
    E = Y - B @ X.T
    s2 = np.sum(E ** 2, axis=1) / (n - k)
    return B @ x0, np.sqrt(s2 * (1 + x0 @ xtx_inv @ x0)), n - k


def projection_rule_coverage(n_rep: int = 2000, n: int = 14, break_index: int = 10, horizon: int = 5,
                             slope_change: float = 0.015, level_shift: float = 0.0, growth: float = 0.02,
                             sigma: float = 0.006, alpha: float = 0.05, levels=(0.8, 0.95),
                             seed: int = VALIDATION_SEED + 5) -> dict:
    """Coverage of the ``horizon``-ahead prediction intervals chosen by the projection rule.

    Series of ``n`` annual points with a break (level ``level_shift``, slope
    ``slope_change``) at ``break_index`` (set both to 0 for "no break"). Rule
    (:mod:`esstools.trends.projection`, with the log-linear trend as the
    model without break): the break model when the Chow test rejects at
    ``alpha``, else the log-linear trend. Returns the rejection rate and the
    coverage of the rule and of each model used alone, per level.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n + horizon, dtype=float)
    D = (t >= break_index).astype(float)
    Y = (10 + growth * t + level_shift * D + slope_change * D * (t - break_index)
         + rng.normal(0, sigma, (n_rep, n + horizon)))
    Yobs, target = Y[:, :n], Y[:, -1]
    tb = t[break_index]
    X0 = trend_design(t[:n])
    Xb = np.column_stack([X0, D[:n], D[:n] * (t[:n] - tb)])
    tf = t[n + horizon - 1]
    x0 = np.array([1.0, tf - t[0]])
    xb = np.array([1.0, tf - t[0], 1.0, tf - tb])
    m0, s0, df0 = _ols_prediction(Yobs, X0, x0)
    mb, sb, dfb = _ols_prediction(Yobs, Xb, xb)
    F = f_profile_batch(Yobs, t[:n] - t[0], np.array([break_index]), "both")[:, 0]
    reject = stats.f.sf(F, 2, n - 4) < alpha
    out = {"rejection_rate": float(reject.mean()), "n_rep": n_rep, "n": n, "horizon": horizon,
           "slope_change": slope_change, "level_shift": level_shift}
    for lv in levels:
        k = int(round(lv * 100))
        in0 = np.abs(target - m0) <= stats.t.ppf(0.5 + lv / 2, df0) * s0
        inb = np.abs(target - mb) <= stats.t.ppf(0.5 + lv / 2, dfb) * sb
        out[f"coverage_{k}_rule"] = float(np.where(reject, inb, in0).mean())
        out[f"coverage_{k}_no_break_model"] = float(in0.mean())
        out[f"coverage_{k}_break_model"] = float(inb.mean())
        # median full width of the interval, in % of the projected level (≈ 100 x log width)
        w0 = 2 * stats.t.ppf(0.5 + lv / 2, df0) * s0
        wb = 2 * stats.t.ppf(0.5 + lv / 2, dfb) * sb
        out[f"width_{k}_rule_pct"] = float(100 * np.median(np.where(reject, wb, w0)))
        out[f"width_{k}_no_break_model_pct"] = float(100 * np.median(w0))
        out[f"width_{k}_break_model_pct"] = float(100 * np.median(wb))
    return out
