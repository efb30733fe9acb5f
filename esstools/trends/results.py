"""Result objects of the trend models (statsmodels/linearmodels style).

Every estimator returns a subclass of :class:`TrendResult` with read-only
properties ``params``, ``std_errors``, ``pvalues``, ``nobs``, ``fitted``,
``resid``, ``diagnostics``, a method ``conf_int(level)``, a French text
``summary()`` (also used by ``repr`` and the notebook HTML display) and a tidy
``to_frame()``. Levels are employees; growth rates are in % per year.
"""

from __future__ import annotations

import html
import math
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..provenance import DEMO_LABEL
from ._series import SeriesData


def fmt_fr(x: float | None, digits: int = 1, signed: bool = False) -> str:
    """French number formatting: comma decimal, narrow no-break space thousands."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    s = f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"
    return s.replace(",", "\u202f").replace(".", ",")


class TrendResult:
    """Base class: parameter table, uncertainty, fitted values and diagnostics."""

    model_label_fr = "modèle de tendance"

    def __init__(
        self,
        data: SeriesData,
        params: pd.Series,
        std_errors: pd.Series,
        *,
        fitted: pd.Series,
        resid: pd.Series,
        df_resid: float | None,
        critical_value: Callable[[float], float] | None = None,
        pvalue_func: Callable[[np.ndarray], np.ndarray] | None = None,
        diagnostics: dict | None = None,
        param_labels: dict | None = None,
        method_fr: str = "",
        data_kind: str = "demo",
    ) -> None:
        self._data = data
        self._params = params.astype(float)
        self._std_errors = std_errors.reindex(params.index).astype(float)
        self._fitted = fitted
        self._resid = resid
        self._df_resid = df_resid
        self._critical_value = critical_value
        self._pvalue_func = pvalue_func
        self._diagnostics = dict(diagnostics or {})
        self._param_labels = dict(param_labels or {})
        self.method_fr = method_fr
        self.data_kind = data_kind

    # -- core properties -------------------------------------------------
    @property
    def data(self) -> SeriesData:
        return self._data

    @property
    def name(self) -> str:
        return self._data.name

    @property
    def params(self) -> pd.Series:
        return self._params.copy()

    @property
    def std_errors(self) -> pd.Series:
        return self._std_errors.copy()

    @property
    def tvalues(self) -> pd.Series:
        return self._params / self._std_errors

    @property
    def pvalues(self) -> pd.Series:
        t = self.tvalues.to_numpy()
        if self._pvalue_func is not None:
            p = self._pvalue_func(t)
        elif self._df_resid is not None:
            p = 2 * stats.t.sf(np.abs(t), self._df_resid)
        else:
            p = 2 * stats.norm.sf(np.abs(t))
        return pd.Series(p, index=self._params.index)

    @property
    def nobs(self) -> int:
        return self._data.nobs

    @property
    def df_resid(self) -> float | None:
        return self._df_resid

    @property
    def fitted(self) -> pd.Series:
        """Fitted levels (employees) on the estimation sample."""
        return self._fitted.copy()

    @property
    def resid(self) -> pd.Series:
        """Residuals on the log scale (log observed - log fitted)."""
        return self._resid.copy()

    @property
    def diagnostics(self) -> dict:
        return dict(self._diagnostics)

    def critical_value(self, level: float = 0.95) -> float:
        """Two-sided critical value used for intervals at ``level``."""
        _check_level(level)
        if self._critical_value is not None:
            return float(self._critical_value(level))
        if self._df_resid is not None:
            return float(stats.t.ppf(0.5 + level / 2, self._df_resid))
        return float(stats.norm.ppf(0.5 + level / 2))

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Confidence intervals of the parameters (columns ``lower``, ``upper``)."""
        c = self.critical_value(level)
        return pd.DataFrame(
            {"lower": self._params - c * self._std_errors, "upper": self._params + c * self._std_errors}
        )

    # -- growth ------------------------------------------------------------
    def growth_rate(self) -> float:
        """Annual growth rate of the trend, in % per year (NaN if the model has none)."""
        return float("nan")

    def growth_ci(self, level: float = 0.95) -> tuple[float, float]:
        return (float("nan"), float("nan"))

    # -- forecasting -------------------------------------------------------
    def _forecast_log(self, steps: int) -> tuple[np.ndarray, np.ndarray, Callable[[float], float]]:
        """Mean and standard error of future log levels, and the quantile function used."""
        raise NotImplementedError

    def forecast(self, until=2028, levels: Sequence[float] = (0.8, 0.95)):
        """Forecast levels to ``until`` (a year, or a quarter for quarterly series).

        Returns a :class:`~esstools.trends.forecast.ForecastResult` with the central
        projection (median, employees) and prediction intervals at each ``level``.
        """
        from .forecast import ForecastResult

        steps = self._data.steps_to(until)
        return ForecastResult.from_log_moments(self, steps, levels)

    # -- display -----------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Tidy parameter table: term, estimate, std_error, statistic, p_value, ci95 bounds."""
        ci = self.conf_int(0.95)
        return pd.DataFrame(
            {
                "model": self.model_label_fr,
                "series": self.name,
                "term": self._params.index,
                "label_fr": [self._param_labels.get(k, k) for k in self._params.index],
                "estimate": self._params.to_numpy(),
                "std_error": self._std_errors.to_numpy(),
                "statistic": self.tvalues.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "ci95_lower": ci["lower"].to_numpy(),
                "ci95_upper": ci["upper"].to_numpy(),
                "data_kind": self.data_kind,
            }
        ).reset_index(drop=True)

    def _extra_lines(self) -> list[str]:
        return []

    def summary(self) -> str:
        """French text summary (parameters, intervals, diagnostics)."""
        d = self._data
        lines = [
            f"{self.model_label_fr[:1].upper() + self.model_label_fr[1:]} — série « {d.name} »",
            f"Méthode : {self.method_fr}" if self.method_fr else "",
            f"Période : {d.labels[0]} – {d.labels[-1]} ({d.nobs} obs., "
            f"{'annuelle' if d.freq == 'A' else 'trimestrielle'})",
        ]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        lines = [x for x in lines if x]
        tab = self.to_frame()
        w = max([len(str(x)) for x in tab["label_fr"]] + [10])
        lines.append("")
        lines.append(f"{'paramètre':<{w}}  {'estimation':>11} {'écart-type':>11} {'p':>7}   IC 95 %")
        for _, r in tab.iterrows():
            lines.append(
                f"{str(r['label_fr']):<{w}}  {_g(r['estimate']):>11} {_g(r['std_error']):>11} "
                f"{_p(r['p_value']):>7}   [{_g(r['ci95_lower'])} ; {_g(r['ci95_upper'])}]"
            )
        extra = self._extra_lines()
        if extra:
            lines.append("")
            lines.extend(extra)
        diag = {k: v for k, v in self._diagnostics.items() if not isinstance(v, (list, dict))}
        if diag:
            lines.append("")
            lines.append("Diagnostics : " + " ; ".join(f"{k} = {_g(v) if isinstance(v, float) else v}"
                                                       for k, v in diag.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def _g(x) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return "—"
    if x != 0 and (abs(x) < 1e-3 or abs(x) >= 1e5):
        return f"{x:.3e}".replace(".", ",")
    return f"{x:.4f}".replace(".", ",")


def _p(x) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(x):
        return "—"
    return "<0,001" if x < 0.001 else f"{x:.3f}".replace(".", ",")


def p_text(x) -> str:
    """'p = 0,012' or 'p < 0,001' (French)."""
    s = _p(x)
    return "p " + s.replace("<", "< ") if s.startswith("<") else f"p = {s}"


def _check_level(level: float) -> None:
    from ..errors import ParameterError

    if not (0 < float(level) < 1):
        raise ParameterError(f"Invalid confidence level {level!r}; expected a number strictly between 0 and 1 (e.g. 0.95).")


def compare(results: Sequence[TrendResult]) -> pd.DataFrame:
    """Side-by-side table of several results: growth rate, its 95 % interval, nobs."""
    rows = []
    for r in results:
        lo, hi = r.growth_ci(0.95)
        rows.append({"modèle": r.model_label_fr, "série": r.name, "croissance annuelle (%)": r.growth_rate(),
                     "IC 95 % bas": lo, "IC 95 % haut": hi, "observations": r.nobs})
    return pd.DataFrame(rows)
