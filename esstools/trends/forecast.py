"""Forecasts to a horizon year with prediction intervals (80 % and 95 % by default).

Models forecast on the log scale (Gaussian, or Student t for the OLS trend
models); levels are ``exp`` of the log forecast, so the central projection is
the *median* level and intervals are asymmetric in employees.
:func:`combine_forecasts` averages models with given weights (e.g. inverse
backtest MAPE) as the weight-mixture of their own predictive distributions
(location ``log_mean``, scale ``log_se``, degrees of freedom ``log_df``; normal
when ``log_df`` is infinite): the combined median and interval bounds are the
exact quantiles of that mixture (solved numerically). When the models disagree
the mixture is skewed or bimodal and so is the interval: it then carries the
uncertainty about the model as well as within each model.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import ParameterError
from ..provenance import DEMO_LABEL
from ._series import SeriesData, make_index, period_label
from .results import _check_level, fmt_fr


def _level_key(level: float) -> str:
    return f"{int(round(level * 100))}"


class ForecastResult:
    """Point forecasts and prediction intervals of one model (levels, employees).

    ``frame`` columns: ``mean`` (median level), ``lower_80``, ``upper_80``,
    ``lower_95``, ``upper_95`` (one pair per level), ``log_mean``, ``log_se``;
    index: years (annual) or quarterly periods.
    """

    def __init__(self, frame: pd.DataFrame, model: str, history: pd.Series, levels: Sequence[float],
                 freq: str = "A", data_kind: str = "demo", name: str = "") -> None:
        self._frame = frame
        self.model = model
        self.history = history
        self.levels = tuple(levels)
        self.freq = freq
        self.data_kind = data_kind
        self.name = name
        self.weights: dict[str, float] | None = None  # set by combine_forecasts

    @classmethod
    def from_log_moments(cls, result, steps: int, levels: Sequence[float] = (0.8, 0.95)) -> "ForecastResult":
        for lv in levels:
            _check_level(lv)
        mean, se, ppf = result._forecast_log(steps)
        data: SeriesData = result.data
        fut = data.future_time(steps)
        frame = pd.DataFrame({"mean": np.exp(mean)}, index=make_index(fut, data.freq))
        for lv in levels:
            q = ppf(0.5 + lv / 2)
            frame[f"lower_{_level_key(lv)}"] = np.exp(mean - q * se)
            frame[f"upper_{_level_key(lv)}"] = np.exp(mean + q * se)
        frame["log_mean"] = mean
        frame["log_se"] = se
        frame["log_df"] = _dist_df(ppf)
        # normal-equivalent sd matching the model's 95 % interval (Student-t models), used to combine models
        frame["log_sd95"] = se * ppf(0.975) / stats.norm.ppf(0.975)
        return cls(frame, result.model_label_fr, data.to_series(), levels, data.freq, result.data_kind, data.name)

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame.copy()

    def interval(self, period, level: float = 0.95) -> tuple[float, float]:
        row = self._row(period)
        key = _level_key(level)
        if f"lower_{key}" not in row:
            raise ParameterError(f"No {key} % interval in this forecast; levels available: "
                                 + ", ".join(_level_key(x) for x in self.levels) + ".")
        return float(row[f"lower_{key}"]), float(row[f"upper_{key}"])

    def _row(self, period) -> pd.Series:
        idx = self._frame.index
        if self.freq == "Q" and isinstance(period, (int, np.integer)):
            matches = [p for p in idx if p.year == int(period)]
            if matches:
                return self._frame.loc[matches[-1]]
        elif self.freq == "Q" and isinstance(period, str):
            period = pd.Period(period.replace("T", "Q"), freq="Q")
        if period not in idx:
            raise ParameterError(
                f"Period {period!r} is not in the forecast horizon ({idx[0]} – {idx[-1]})."
            )
        return self._frame.loc[period]

    def at(self, period) -> dict:
        """Central projection and intervals at ``period`` (a year: its last period)."""
        row = self._row(period)
        out = {"value": float(row["mean"])}
        for lv in self.levels:
            out[f"ci{_level_key(lv)}"] = [float(row[f"lower_{_level_key(lv)}"]), float(row[f"upper_{_level_key(lv)}"])]
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: period, model, projection, interval bounds."""
        out = self._frame.drop(columns=["log_mean", "log_se", "log_df", "log_sd95"], errors="ignore").copy()
        out.insert(0, "model", self.model)
        out.index = [str(i) if self.freq == "A" else period_label(i.year + (i.quarter - 1) / 4, "Q")
                     for i in out.index]
        out.index.name = "période"
        return out

    def summary(self) -> str:
        lines = [f"Projection — {self.model} — série « {self.name} »"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        hdr = "période   projection" + "".join(f"   IC {_level_key(lv)} %" + " " * 14 for lv in self.levels)
        lines.append(hdr)
        for lab, row in self.to_frame().iterrows():
            cells = "".join(
                f"   [{fmt_fr(row[f'lower_{_level_key(lv)}'], 0)} ; {fmt_fr(row[f'upper_{_level_key(lv)}'], 0)}]"
                for lv in self.levels
            )
            lines.append(f"{lab:<9} {fmt_fr(row['mean'], 0):>10}{cells}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def forecast(result, until=2028, levels: Sequence[float] = (0.8, 0.95)) -> ForecastResult:
    """Forecast of a fitted trend result to ``until`` (see :meth:`TrendResult.forecast`)."""
    return result.forecast(until, levels)


def _dist_df(ppf) -> float:
    """Degrees of freedom of a quantile function (Student t), ``inf`` for the normal."""
    z = stats.norm.ppf(0.975)
    q = float(ppf(0.975))
    if abs(q - z) < 1e-10:
        return float("inf")
    # invert the t quantile in df (monotone decreasing in df)
    return float(optimize.brentq(lambda d: stats.t.ppf(0.975, d) - q, 0.05, 1e7, xtol=1e-10))


def mixture_cdf(x: float, mus: np.ndarray, scales: np.ndarray, dfs: np.ndarray, w: np.ndarray) -> float:
    """CDF at ``x`` of the weight-mixture of location-scale Student t laws (normal when df is inf)."""
    z = (x - mus) / scales
    return float(np.sum(w * np.where(np.isinf(dfs), stats.norm.cdf(z), stats.t.cdf(z, np.where(np.isinf(dfs), 1.0, dfs)))))


def mixture_quantile(q: float, mus: np.ndarray, scales: np.ndarray, dfs: np.ndarray, w: np.ndarray) -> float:
    """Exact ``q``-quantile of the mixture (root of the mixture CDF, bracketed by the components' quantiles)."""
    mus, scales, dfs, w = (np.asarray(a, dtype=float) for a in (mus, scales, dfs, w))
    comp = mus + scales * np.where(np.isinf(dfs), stats.norm.ppf(q), stats.t.ppf(q, np.where(np.isinf(dfs), 1.0, dfs)))
    lo, hi = float(np.min(comp)), float(np.max(comp))
    if hi - lo < 1e-14:
        return lo
    # the mixture quantile lies between the smallest and largest component quantiles
    return optimize.brentq(lambda x: mixture_cdf(x, mus, scales, dfs, w) - q, lo, hi, xtol=1e-12)


def combine_forecasts(forecasts: Sequence[ForecastResult], weights: Mapping[str, float] | Sequence[float],
                      label: str = "moyenne pondérée des modèles") -> ForecastResult:
    """Weighted combination of forecasts (same periods) as a mixture of the models' predictive laws.

    ``weights``: one per forecast (sequence) or a mapping model label -> weight;
    weights are normalised to sum to 1. Each model's predictive law of the log
    level is its own (normal, or Student t with the model's degrees of freedom,
    location ``log_mean`` and scale ``log_se``). The combined central projection
    is the mixture *median* and the bounds at level L are the mixture quantiles
    (1 - L) / 2 and (1 + L) / 2, all exact (numerical root of the mixture CDF),
    then exponentiated. With one model (or identical models) this returns that
    model's forecast. The mixture is a linear opinion pool: its interval widens
    (and becomes asymmetric) when the models disagree.
    """
    if not forecasts:
        raise ParameterError("combine_forecasts needs at least one forecast.")
    if isinstance(weights, Mapping):
        missing = [f.model for f in forecasts if f.model not in weights]
        if missing:
            raise ParameterError(f"No weight given for model(s) {missing}; weights were given for {list(weights)}.")
        w = np.array([float(weights[f.model]) for f in forecasts])
    else:
        w = np.asarray(list(weights), dtype=float)
    if len(w) != len(forecasts) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ParameterError(f"Invalid weights {w.tolist()}; expected {len(forecasts)} non-negative numbers, not all zero.")
    w = w / w.sum()
    base = forecasts[0]
    idx = base.frame.index
    for f in forecasts[1:]:
        if not f.frame.index.equals(idx):
            raise ParameterError("combine_forecasts needs forecasts over the same periods.")
    for f in forecasts:
        if f.frame["log_se"].isna().any():
            raise ParameterError(f"Forecast '{f.model}' has no predictive law (it is itself a combination); "
                                 f"combine the underlying model forecasts instead.")
    mus = np.column_stack([f.frame["log_mean"].to_numpy() for f in forecasts])
    sds = np.column_stack([f.frame["log_se"].to_numpy() for f in forecasts])
    dfs = np.column_stack([f.frame["log_df"].to_numpy() if "log_df" in f.frame else np.full(len(idx), np.inf)
                           for f in forecasts])

    def q(p):
        return np.exp([mixture_quantile(p, mus[i], sds[i], dfs[i], w) for i in range(len(idx))])

    frame = pd.DataFrame(index=idx)
    frame["mean"] = q(0.5)
    for lv in base.levels:
        k = _level_key(lv)
        frame[f"lower_{k}"] = q(0.5 - lv / 2)
        frame[f"upper_{k}"] = q(0.5 + lv / 2)
    frame["log_mean"] = np.log(frame["mean"])
    frame["log_se"] = np.nan
    frame["log_df"] = np.nan
    frame["log_sd95"] = np.nan
    out = ForecastResult(frame, label, base.history, base.levels, base.freq, base.data_kind, base.name)
    out.weights = {f.model: float(wi) for f, wi in zip(forecasts, w)}
    return out
