"""Employment-trend models for ESS series (annual or quarterly), built on statsmodels.

- :func:`fit_loglinear` — log-linear trend, OLS with Newey-West errors; annual growth and its interval.
- :func:`fit_break`, :func:`chow_test` — break at a chosen year (level/slope), exact Chow F-test;
  :func:`sup_f_test` — break at an unknown date (sup-F, Monte Carlo p-value).
- :func:`fit_local_linear_trend` (``UnobservedComponents``) and :func:`fit_ets` (``ETSModel``).
- :func:`backtest` — rolling-origin MAE / MAPE / interval coverage; :func:`combine_forecasts` (exact
  quantiles of the weight-mixture of the models' predictive laws).
- :func:`choose_projection` — the pre-stated projection rule (break model if the Chow test rejects,
  else the 1/MAPE-weighted average of the models without break); :data:`RULE_FR` states it in French.
- ``result.forecast(2028)`` — projections with 80 % and 95 % intervals.
- :func:`growth_gap`, :func:`shift_share`, :func:`period_growth` — territory vs reference.
- :mod:`esstools.trends.plots`, :func:`reading_fr` — charts and the French reading of the numbers.

Every result has ``params``, ``std_errors``, ``pvalues``, ``conf_int(level)``, ``nobs``,
``fitted``, ``resid``, ``summary()`` (French) and ``to_frame()``.
"""

from .backtest import BacktestResult, backtest, default_models
from .breaks import BreakResult, SupFResult, chow_test, fit_break, sup_f_test
from .compare import GrowthGapResult, ShiftShareResult, annual_growth, growth_gap, period_growth, shift_share
from .forecast import ForecastResult, combine_forecasts, forecast
from .projection import RULE_FR, ProjectionChoice, choose_projection, combination_weights
from .loglinear import LogLinearResult, fit_loglinear, hac_ols_batch, newey_west_lags, simulated_critical_value
from .reading import reading_fr
from .results import TrendResult, compare
from .structural import ETSResult, StructuralResult, fit_ets, fit_local_linear_trend

__all__ = [
    "RULE_FR", "ProjectionChoice", "choose_projection", "combination_weights",
    "BacktestResult", "BreakResult", "ETSResult", "ForecastResult", "GrowthGapResult", "LogLinearResult",
    "ShiftShareResult", "StructuralResult", "SupFResult", "TrendResult", "annual_growth", "backtest", "chow_test",
    "combine_forecasts", "compare", "default_models", "fit_break", "fit_ets", "fit_local_linear_trend",
    "fit_loglinear", "forecast", "growth_gap", "hac_ols_batch", "newey_west_lags", "period_growth", "reading_fr",
    "shift_share", "simulated_critical_value", "sup_f_test",
]
