"""Log-linear trend by OLS with Newey-West (HAC) standard errors.

Model: ``log(y_t) = a + b * (t - t0) + u_t`` with ``t`` in decimal years, so
``b`` is the annual log-growth and ``100 * (exp(b) - 1)`` the annual growth
rate in %. Standard errors: Newey-West (Bartlett kernel) with the lag rule
``floor(4 * (n / 100) ** (2 / 9))`` and the small-sample factor ``n / (n - k)``
(statsmodels ``cov_type="HAC"``, ``use_correction=True``).

Intervals (``ci_method``):

- ``"simulated"`` (default): the two-sided critical value of the HAC t-statistic is
  simulated for the actual sample size, design and lag (20 000 seeded draws under
  Gaussian white noise; the statistic is pivotal under that null). This is the
  finite-sample ("fixed-b") correction: plain t(n-k) critical values with HAC
  errors cover only about 86-90 % at nominal 95 % in series of 14-40 points.
- ``"t"``: Student t with n - k degrees of freedom.

Both are exact or close to nominal for white-noise residuals; with positively
autocorrelated residuals coverage falls (about 92-93 % at AR(1) = 0.2).
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..errors import ParameterError, check_choice
from ._series import as_series_data
from .results import TrendResult

CiMethod = Literal["simulated", "t"]
CI_METHODS = ("simulated", "t")
N_SIM_CRITICAL = 20_000
SIM_SEED = 20_240_528


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) lag rule ``floor(4 (n/100)^(2/9))`` (at least 1)."""
    return max(1, int(np.floor(4 * (n / 100.0) ** (2.0 / 9.0))))


def hac_ols_batch(Y: np.ndarray, X: np.ndarray, lags: int, correction: bool = True):
    """OLS with Newey-West covariance for many outcome vectors at once.

    ``Y`` has shape (R, n) (one series per row), ``X`` (n, k). Returns the
    coefficients (R, k) and HAC standard errors (R, k), identical to statsmodels
    ``OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": correction})``.
    """
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    n, k = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    B = Y @ X @ xtx_inv
    E = Y - B @ X.T
    S = E[:, :, None] * X[None, :, :]
    M = np.einsum("rni,rnj->rij", S, S)
    for lag in range(1, lags + 1):
        w = 1.0 - lag / (lags + 1.0)
        G = np.einsum("rni,rnj->rij", S[:, lag:], S[:, :-lag])
        M += w * (G + G.transpose(0, 2, 1))
    if correction:
        M *= n / (n - k)
    V = xtx_inv @ M @ xtx_inv
    se = np.sqrt(np.einsum("rii->ri", V))
    return B, se


def trend_design(time: np.ndarray) -> np.ndarray:
    """Design matrix [1, t - t0] (t in decimal years)."""
    t = np.asarray(time, dtype=float)
    return np.column_stack([np.ones(len(t)), t - t[0]])


@lru_cache(maxsize=64)
def _null_tstats(n: int, spacing: float, lags: int) -> np.ndarray:
    """Simulated |t| of the slope under Gaussian white noise (sorted), for the design."""
    X = trend_design(np.arange(n) * spacing)
    rng = np.random.default_rng(SIM_SEED + 7919 * n + lags)
    out = []
    for chunk in np.array_split(np.arange(N_SIM_CRITICAL), 4):
        Z = rng.standard_normal((len(chunk), n))
        B, se = hac_ols_batch(Z, X, lags)
        out.append(np.abs(B / se))
    return np.sort(np.vstack(out), axis=0)  # (N, k)


def simulated_critical_value(n: int, lags: int, level: float = 0.95, spacing: float = 1.0, term: int = 1) -> float:
    """Finite-sample two-sided critical value of the HAC t-statistic (see module docstring)."""
    draws = _null_tstats(int(n), float(spacing), int(lags))[:, term]
    return float(np.quantile(draws, level))


def _simulated_pvalues(n: int, lags: int, spacing: float, t: np.ndarray) -> np.ndarray:
    draws = _null_tstats(int(n), float(spacing), int(lags))
    p = []
    for j, tj in enumerate(np.abs(t)):
        col = draws[:, j]
        count = len(col) - np.searchsorted(col, tj, side="left")
        p.append((1 + count) / (1 + len(col)))
    return np.array(p)


class LogLinearResult(TrendResult):
    """Result of :func:`fit_loglinear`; ``growth_rate()`` in % per year."""

    model_label_fr = "tendance log-linéaire"

    def __init__(self, *args, ols=None, hac_lags: int = 1, ci_method: str = "simulated", **kwargs):
        super().__init__(*args, **kwargs)
        self._ols = ols
        self.hac_lags = hac_lags
        self.ci_method = ci_method

    @property
    def log_growth(self) -> float:
        """Annual log-growth (slope)."""
        return float(self._params["trend"])

    def growth_rate(self) -> float:
        return 100.0 * float(np.expm1(self._params["trend"]))

    def growth_ci(self, level: float = 0.95) -> tuple[float, float]:
        ci = self.conf_int(level).loc["trend"]
        return 100.0 * float(np.expm1(ci["lower"])), 100.0 * float(np.expm1(ci["upper"]))

    def _forecast_log(self, steps: int):
        """Classical OLS prediction interval (t with n - k df) on the log scale."""
        X = trend_design(self._data.time)
        fut = self._data.future_time(steps) - self._data.time[0]
        X0 = np.column_stack([np.ones(steps), fut])
        xtx_inv = np.linalg.inv(X.T @ X)
        s2 = float(np.sum(self._resid.to_numpy() ** 2) / (self.nobs - 2))
        mean = X0 @ self._params.to_numpy()
        se = np.sqrt(s2 * (1 + np.einsum("ij,jk,ik->i", X0, xtx_inv, X0)))
        df = self.nobs - 2
        return mean, se, lambda q: stats.t.ppf(q, df)

    def _extra_lines(self) -> list[str]:
        lo, hi = self.growth_ci(0.95)
        from .results import fmt_fr

        return [
            f"Croissance annuelle tendancielle : {fmt_fr(self.growth_rate(), 2, True)} % par an "
            f"(IC 95 % : {fmt_fr(lo, 2, True)} ; {fmt_fr(hi, 2, True)})",
            f"Erreurs HAC Newey-West, {self.hac_lags} retard(s) ; intervalles : "
            + ("valeurs critiques simulées (petit échantillon)" if self.ci_method == "simulated"
               else "loi de Student à n - 2 ddl"),
        ]


def fit_loglinear(
    series,
    *,
    hac_lags: int | None = None,
    ci_method: CiMethod = "simulated",
    name: str | None = None,
    data_kind: str = "demo",
) -> LogLinearResult:
    """Fit a log-linear trend to a positive series (annual or quarterly).

    ``series``: pandas Series of levels (e.g. employees) indexed by year or quarter.
    ``hac_lags``: Newey-West lags (default: :func:`newey_west_lags`).
    ``ci_method``: "simulated" (finite-sample critical values) or "t".
    ``data_kind``: "real" or "demo" (printed in summaries).
    """
    check_choice("ci_method", ci_method, CI_METHODS)
    data = as_series_data(series, name=name, min_obs=5)
    n = data.nobs
    lags = newey_west_lags(n) if hac_lags is None else int(hac_lags)
    if lags < 0 or lags >= n - 2:
        raise ParameterError(f"Invalid hac_lags={hac_lags!r} for a series of {n} observations; expected 0 to {n - 3}.")
    X = trend_design(data.time)
    y = data.log_values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ols = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    index = data.index
    params = pd.Series(ols.params, index=["const", "trend"])
    se = pd.Series(ols.bse, index=["const", "trend"])
    fitted = pd.Series(np.exp(ols.fittedvalues), index=index, name="fitted")
    resid = pd.Series(ols.resid, index=index, name="resid")
    spacing = 1.0 / data.periods_per_year
    if ci_method == "simulated":
        crit = lambda level: simulated_critical_value(n, lags, level, spacing)  # noqa: E731
        pfun = lambda t: _simulated_pvalues(n, lags, spacing, t)  # noqa: E731
    else:
        crit, pfun = None, None
    diagnostics = _residual_diagnostics(resid.to_numpy())
    diagnostics["r2"] = float(ols.rsquared)
    diagnostics["retards_hac"] = lags
    return LogLinearResult(
        data, params, se, fitted=fitted, resid=resid, df_resid=float(n - 2), critical_value=crit,
        pvalue_func=pfun, diagnostics=diagnostics,
        param_labels={"const": f"log niveau {data.labels[0]}", "trend": "pente (log-croissance / an)"},
        method_fr="MCO sur log(effectifs), erreurs HAC (Newey-West)", data_kind=data_kind,
        ols=ols, hac_lags=lags, ci_method=ci_method,
    )


def _residual_diagnostics(e: np.ndarray) -> dict:
    """Durbin-Watson, first-order autocorrelation and Ljung-Box p-value of residuals."""
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    n = len(e)
    out = {"durbin_watson": float(durbin_watson(e))}
    out["autocorr_ordre1"] = float(np.corrcoef(e[1:], e[:-1])[0, 1]) if n > 3 else float("nan")
    lb_lag = max(1, min(4, n // 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["ljung_box_p"] = float(acorr_ljungbox(e, lags=[lb_lag])["lb_pvalue"].iloc[0])
    return out
