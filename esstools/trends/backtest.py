"""Rolling-origin backtesting of trend models on one series.

For each forecast origin (the first ``min_train`` observations, then one more
each time) every model is fitted on the data up to the origin and forecasts up
to ``max_horizon`` periods ahead; forecasts are compared with the observed
values. Scores per model: MAE (employees), MAPE (%), coverage of the 80 % and
95 % prediction intervals (share of observed values inside), number of
forecasts. Models that cannot be fitted at an origin (e.g. a break model before
the break) are skipped there and their ``n_forecasts`` is smaller.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Callable, Mapping

import pandas as pd

from ..errors import EsstoolsError, ParameterError
from ..provenance import DEMO_LABEL
from ._series import as_series_data, period_label
from .results import fmt_fr

SCORE_METRICS = ("mae", "mape")


def default_models(break_year: int | None = 2020) -> dict[str, Callable]:
    """The models compared by default: log-linear, break at ``break_year``, local linear trend, ETS."""
    from .breaks import fit_break
    from .loglinear import fit_loglinear
    from .structural import fit_ets, fit_local_linear_trend

    models = {"tendance log-linéaire": fit_loglinear}
    if break_year is not None:
        models[f"rupture {break_year}"] = partial(fit_break, break_year=break_year, kind="both")
    models["tendance locale linéaire"] = fit_local_linear_trend
    models["lissage exponentiel (ETS)"] = fit_ets
    return models


class BacktestResult:
    """Forecast errors (``errors``) and per-model scores (``scores``)."""

    def __init__(self, errors: pd.DataFrame, name: str, min_train: int, max_horizon: int, data_kind: str):
        self.errors = errors
        self.name = name
        self.min_train = min_train
        self.max_horizon = max_horizon
        self.data_kind = data_kind

    @property
    def scores(self) -> pd.DataFrame:
        """Per model: mae, mape, coverage_80, coverage_95 (shares), n_forecasts; sorted by MAPE."""
        e = self.errors
        g = e.groupby("model", sort=False)
        out = pd.DataFrame({
            "mae": g["abs_error"].mean(),
            "mape": g["ape"].mean(),
            "coverage_80": g["inside_80"].mean(),
            "coverage_95": g["inside_95"].mean(),
            "n_forecasts": g.size(),
        })
        out.index.name = "model"
        return out.sort_values(["mape", "mae"])

    def eligible(self, min_share: float = 0.5) -> list[str]:
        """Models scored on at least ``min_share`` of the largest number of forecasts.

        A model fitted only at late origins (e.g. a break model) is scored on
        fewer, different forecasts and is not comparable with the others.
        """
        n = self.scores["n_forecasts"]
        return [str(m) for m in n.index if n[m] >= min_share * n.max()]

    def best(self, metric: str = "mape", min_share: float = 0.5) -> str:
        """Eligible model with the lowest score ``metric`` ("mape" or "mae")."""
        if metric not in SCORE_METRICS:
            raise ParameterError(f"Invalid metric {metric!r}; allowed values are: 'mae', 'mape'.")
        return str(self.scores.loc[self.eligible(min_share), metric].idxmin())

    def weights(self, metric: str = "mape", min_share: float = 0.5) -> dict[str, float]:
        """Inverse-score weights (normalised to 1) of the eligible models, for model averaging."""
        if metric not in SCORE_METRICS:
            raise ParameterError(f"Invalid metric {metric!r}; allowed values are: 'mae', 'mape'.")
        s = self.scores.loc[self.eligible(min_share), metric]
        inv = 1.0 / s.clip(lower=1e-12)
        return {str(k): float(v) for k, v in (inv / inv.sum()).items()}

    def to_frame(self) -> pd.DataFrame:
        """French score table (one row per model)."""
        s = self.scores
        return pd.DataFrame({
            "modèle": s.index,
            "EAM (emplois)": s["mae"].to_numpy(),
            "EAMP (%)": s["mape"].to_numpy(),
            "couverture IC 80 % (%)": 100 * s["coverage_80"].to_numpy(),
            "couverture IC 95 % (%)": 100 * s["coverage_95"].to_numpy(),
            "prévisions": s["n_forecasts"].to_numpy(),
        })

    def summary(self) -> str:
        lines = [f"Backtest à origine glissante — série « {self.name} » (apprentissage ≥ {self.min_train} obs., "
                 f"horizons 1 à {self.max_horizon})"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        lines.append(f"{'modèle':<32}{'EAM':>9}{'EAMP %':>9}{'couv. 80':>10}{'couv. 95':>10}{'n':>5}")
        for m, r in self.scores.iterrows():
            lines.append(f"{m:<32}{fmt_fr(r['mae'], 0):>9}{fmt_fr(r['mape'], 2):>9}"
                         f"{fmt_fr(100 * r['coverage_80'], 0):>10}{fmt_fr(100 * r['coverage_95'], 0):>10}"
                         f"{int(r['n_forecasts']):>5}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def backtest(series, models: Mapping[str, Callable] | None = None, *, min_train: int = 8, max_horizon: int = 3,
             name: str | None = None, data_kind: str = "demo") -> BacktestResult:
    """Rolling-origin evaluation of ``models`` (name -> fit function) on ``series``.

    Each fit function takes a series and returns a result with ``forecast``.
    """
    data = as_series_data(series, name=name, min_obs=min_train + 1)
    if min_train < 5:
        raise ParameterError(f"min_train={min_train} is too small; the models need at least 5 observations.")
    if max_horizon < 1:
        raise ParameterError(f"max_horizon={max_horizon} must be at least 1.")
    models = dict(models) if models is not None else default_models()
    rows = []
    for origin in range(min_train, data.nobs):
        train = data.head(origin).to_series()
        steps = min(max_horizon, data.nobs - origin)
        for label, fit in models.items():
            try:
                res = fit(train)
                fc = res.forecast(_until_label(data, origin + steps - 1)).frame
            except EsstoolsError:
                continue
            for h in range(1, steps + 1):
                actual = float(data.values[origin + h - 1])
                row = fc.iloc[h - 1]
                rows.append({
                    "model": label, "origin": data.labels[origin - 1], "horizon": h,
                    "period": data.labels[origin + h - 1], "actual": actual, "forecast": float(row["mean"]),
                    "abs_error": abs(actual - float(row["mean"])),
                    "ape": 100 * abs(actual - float(row["mean"])) / actual,
                    "inside_80": bool(row["lower_80"] <= actual <= row["upper_80"]),
                    "inside_95": bool(row["lower_95"] <= actual <= row["upper_95"]),
                })
    if not rows:
        raise ParameterError(f"No model could be fitted at any origin of series '{data.name}'.")
    return BacktestResult(pd.DataFrame(rows), data.name, min_train, max_horizon, data_kind)


def _until_label(data, i: int):
    t = data.time[i]
    if data.freq == "A":
        return int(round(t))
    return period_label(t, "Q").replace("T", "Q")
