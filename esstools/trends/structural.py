"""State-space trend models (statsmodels): local linear trend and exponential smoothing.

- :func:`fit_local_linear_trend` — ``UnobservedComponents(log y, "local linear trend")``:
  stochastic level and slope estimated by maximum likelihood (Kalman filter).
  The annual growth reported is the smoothed slope at the last observation.
- :func:`fit_ets` — ``ETSModel(log y, error="add", trend="add")`` (Holt's linear
  trend, optionally damped); growth = last trend state.

Both work on annual and quarterly (seasonally adjusted) series; forecasts are
Gaussian on the log scale. Estimation warnings (e.g. convergence on very short
series) are captured into ``diagnostics["avertissements"]`` instead of being
printed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._series import as_series_data
from .results import TrendResult, fmt_fr


def _capture(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    msgs = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:120]}" for w in caught})
    return out, msgs


class _StateSpaceResult(TrendResult):
    """Shared part of the statsmodels state-space results: the wrapped result and the end-of-period slope."""

    def __init__(self, *args, sm_result=None, slope: float = np.nan, **kwargs):
        super().__init__(*args, **kwargs)
        self._sm = sm_result
        self._slope = slope  # annual log-growth at the last period

    @property
    def statsmodels_result(self):
        """The underlying statsmodels results object."""
        return self._sm

    def growth_rate(self) -> float:
        """Annual growth at the end of the period, in %."""
        return 100 * float(np.expm1(self._slope))


class StructuralResult(_StateSpaceResult):
    """Result of :func:`fit_local_linear_trend` (smoothed level = fitted trend)."""

    model_label_fr = "modèle structurel (tendance locale linéaire)"

    def __init__(self, *args, slope_se: float = np.nan, **kwargs):
        super().__init__(*args, **kwargs)
        self._slope_se = slope_se

    def growth_ci(self, level: float = 0.95) -> tuple[float, float]:
        z = stats.norm.ppf(0.5 + level / 2)
        return (100 * float(np.expm1(self._slope - z * self._slope_se)),
                100 * float(np.expm1(self._slope + z * self._slope_se)))

    def _forecast_log(self, steps: int):
        fc = self._sm.get_forecast(steps)
        mean = np.asarray(fc.predicted_mean, dtype=float)
        se = np.sqrt(np.asarray(fc.var_pred_mean, dtype=float))
        return mean, se, stats.norm.ppf

    def _extra_lines(self) -> list[str]:
        lo, hi = self.growth_ci(0.95)
        return [f"Croissance annuelle en fin de période (pente lissée) : {fmt_fr(self.growth_rate(), 2, True)} % "
                f"(IC 95 % : {fmt_fr(lo, 2, True)} ; {fmt_fr(hi, 2, True)})"]


def fit_local_linear_trend(series, *, name: str | None = None, data_kind: str = "demo") -> StructuralResult:
    """Local linear trend model on log levels (statsmodels ``UnobservedComponents``).

    Parameters are the variances of the irregular, level and slope disturbances.
    """
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    data = as_series_data(series, name=name, min_obs=6)
    y = data.log_values
    mod = UnobservedComponents(y, level="local linear trend")
    res, msgs = _capture(lambda: mod.fit(disp=False, maxiter=500))
    ppy = data.periods_per_year
    level = res.smoothed_state[0]
    slope = float(res.smoothed_state[1, -1]) * ppy
    slope_se = float(np.sqrt(max(res.smoothed_state_cov[1, 1, -1], 0.0))) * ppy
    names = ["sigma2.irregular", "sigma2.level", "sigma2.trend"]
    params = pd.Series(np.asarray(res.params, dtype=float), index=names)
    bse, msgs2 = _capture(lambda: np.asarray(res.bse, dtype=float))
    index = data.index
    diag = {"log_vraisemblance": float(res.llf), "aic": float(res.aic)}
    if msgs or msgs2:
        diag["avertissements"] = sorted(set(msgs) | set(msgs2))
    return StructuralResult(
        data, params, pd.Series(bse, index=names),
        fitted=pd.Series(np.exp(level), index=index, name="fitted"),
        resid=pd.Series(y - level, index=index, name="resid"), df_resid=None, diagnostics=diag,
        param_labels={"sigma2.irregular": "variance irrégulier", "sigma2.level": "variance niveau",
                      "sigma2.trend": "variance pente"},
        method_fr="UnobservedComponents (statsmodels), maximum de vraisemblance, log(effectifs)",
        data_kind=data_kind, sm_result=res, slope=slope, slope_se=slope_se,
    )


class ETSResult(_StateSpaceResult):
    """Result of :func:`fit_ets` (Holt linear trend on logs)."""

    model_label_fr = "lissage exponentiel (ETS)"
    #: Why no growth interval is given (shown in the notebook's growth table).
    growth_ci_note_fr = ("pas d'intervalle : le lissage exponentiel ne fournit pas l'incertitude de son état de "
                         "pente (voir la tendance locale linéaire, modèle proche qui la fournit)")

    def __init__(self, *args, damped: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.damped = damped
        if damped:
            self.model_label_fr = "lissage exponentiel amorti (ETS)"

    def growth_ci(self, level: float = 0.95) -> tuple[float, float]:
        """Not available (NaN, NaN): see :attr:`growth_ci_note_fr`."""
        return (float("nan"), float("nan"))

    def _forecast_log(self, steps: int):
        n = self.nobs
        pred, _ = _capture(lambda: self._sm.get_prediction(start=n, end=n + steps - 1))
        frame = pred.summary_frame(alpha=0.05)
        mean = frame["mean"].to_numpy(dtype=float)
        se = (frame["pi_upper"].to_numpy(dtype=float) - mean) / stats.norm.ppf(0.975)
        return mean, se, stats.norm.ppf

    def _extra_lines(self) -> list[str]:
        return [f"Croissance annuelle en fin de période (dernier état de pente) : "
                f"{fmt_fr(self.growth_rate(), 2, True)} %"]


def fit_ets(series, *, damped: bool = False, name: str | None = None, data_kind: str = "demo") -> ETSResult:
    """Additive-error, additive-trend exponential smoothing on log levels (statsmodels ``ETSModel``)."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    data = as_series_data(series, name=name, min_obs=6)
    y = data.log_values
    mod = ETSModel(pd.Series(y), error="add", trend="add", damped_trend=damped)
    res, msgs = _capture(lambda: mod.fit(disp=False, maxiter=1000))
    names = list(res.param_names)
    params = pd.Series(np.asarray(res.params, dtype=float), index=names)
    bse, msgs2 = _capture(lambda: np.asarray(res.bse, dtype=float))
    fitted_log = np.asarray(res.fittedvalues, dtype=float)
    trend_states = np.asarray(res.states, dtype=float)[:, 1] if np.ndim(res.states) == 2 else np.asarray(
        res.states)[:, 1]
    slope = float(trend_states[-1]) * data.periods_per_year
    if damped:
        slope *= float(params.get("damping_trend", 1.0))
    index = data.index
    diag = {"log_vraisemblance": float(res.llf), "aic": float(res.aic)}
    if msgs or msgs2:
        diag["avertissements"] = sorted(set(msgs) | set(msgs2))
    labels = {"smoothing_level": "lissage du niveau (alpha)", "smoothing_trend": "lissage de la pente (beta)",
              "damping_trend": "amortissement (phi)", "initial_level": "niveau initial (log)",
              "initial_trend": "pente initiale (log)"}
    return ETSResult(
        data, params, pd.Series(bse, index=names),
        fitted=pd.Series(np.exp(fitted_log), index=index, name="fitted"),
        resid=pd.Series(y - fitted_log, index=index, name="resid"), df_resid=None, diagnostics=diag,
        param_labels=labels, method_fr="ETSModel (statsmodels) A,A" + ("d" if damped else "") + ",N sur log(effectifs)",
        data_kind=data_kind, sm_result=res, slope=slope, damped=damped,
    )
