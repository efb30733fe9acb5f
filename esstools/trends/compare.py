"""Territory vs reference: growth over a period, trend-growth gap, shift-share.

- :func:`period_growth` — % change between two periods of one series.
- :func:`growth_gap` — difference of annual trend growth rates (territory minus
  reference, percentage points) with its interval. The gap is estimated in one
  regression, the log-linear trend of ``log(territory / reference)`` with
  Newey-West errors (same finite-sample intervals as
  :func:`~esstools.trends.loglinear.fit_loglinear`); its slope ``delta`` is the
  difference of log-growth rates. It is converted to percentage points as
  ``100 * (exp(b_ref + delta) - exp(b_ref))``, the reference slope ``b_ref``
  being held at its estimate (its sampling error is second order here).
- :func:`shift_share` — classic decomposition of the change in employment of a
  territory between two years into reference growth, sector (family) mix and
  local effect (Dunn 1960): ``ΔE = E0 g_R + Σ_i E0_i (g_Ri - g_R) + Σ_i E0_i (g_i - g_Ri)``.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError
from ..provenance import DEMO_LABEL
from ._series import SeriesData, as_series_data
from .loglinear import fit_loglinear
from .results import fmt_fr, p_text


def period_growth(series, start, end) -> float:
    """Growth in % of ``series`` from period ``start`` to period ``end`` (e.g. 2013 -> 2022)."""
    s = series if isinstance(series, pd.Series) else as_series_data(series).to_series()
    for p in (start, end):
        if p not in s.index:
            raise ParameterError(
                f"Period {p!r} is not in series '{s.name}' (available: {s.index[0]} – {s.index[-1]})."
            )
    return 100.0 * (float(s.loc[end]) / float(s.loc[start]) - 1.0)


def annual_growth(series) -> pd.Series:
    """Year-on-year growth in % (annual series) or on the same quarter a year before (quarterly)."""
    d = as_series_data(series, min_obs=2)
    s = d.to_series()
    lag = d.periods_per_year
    out = 100 * (s / s.shift(lag) - 1)
    return out.iloc[lag:].rename("croissance (%)")


def _align(series, reference, name, ref_name) -> tuple[SeriesData, SeriesData]:
    a = as_series_data(series, name=name, min_obs=2).to_series()
    b = as_series_data(reference, name=ref_name, min_obs=2).to_series()
    common = a.index.intersection(b.index)
    if len(common) < 5:
        raise ParameterError(
            f"Series '{a.name}' and reference '{b.name}' share only {len(common)} period(s); at least 5 are needed."
        )
    return as_series_data(a.loc[common], name=str(a.name)), as_series_data(b.loc[common], name=str(b.name))


class GrowthGapResult:
    """Trend growth of a territory and its reference and their difference (pp)."""

    def __init__(self, territory, reference, ratio, data_kind: str = "demo") -> None:
        self.territory = territory  # LogLinearResult
        self.reference = reference  # LogLinearResult
        self.ratio = ratio  # LogLinearResult on log(territory / reference)
        self.data_kind = data_kind

    @property
    def delta(self) -> float:
        """Difference of annual log-growth rates (log points per year)."""
        return float(self.ratio.params["trend"])

    @property
    def value(self) -> float:
        """Growth gap in percentage points per year (territory minus reference)."""
        return self._to_pp(self.delta)

    @property
    def pvalue(self) -> float:
        """p-value of 'no difference of trend growth'."""
        return float(self.ratio.pvalues["trend"])

    def _to_pp(self, delta: float) -> float:
        b_ref = float(self.reference.params["trend"])
        return float(100.0 * (np.exp(b_ref + delta) - np.exp(b_ref)))

    def conf_int(self, level: float = 0.95) -> tuple[float, float]:
        ci = self.ratio.conf_int(level).loc["trend"]
        return self._to_pp(float(ci["lower"])), self._to_pp(float(ci["upper"]))

    def to_frame(self) -> pd.DataFrame:
        lo, hi = self.conf_int(0.95)
        t_lo, t_hi = self.territory.growth_ci(0.95)
        r_lo, r_hi = self.reference.growth_ci(0.95)
        return pd.DataFrame({
            "grandeur": [f"croissance annuelle {self.territory.name}", f"croissance annuelle {self.reference.name}",
                         "écart (points de %)"],
            "estimation": [self.territory.growth_rate(), self.reference.growth_rate(), self.value],
            "IC 95 % bas": [t_lo, r_lo, lo],
            "IC 95 % haut": [t_hi, r_hi, hi],
            "unité": ["% par an", "% par an", "points de % par an"],
        })

    def summary(self) -> str:
        lo, hi = self.conf_int(0.95)
        d = self.ratio.data
        lines = [f"Écart de croissance tendancielle « {self.territory.name} » − « {self.reference.name} » "
                 f"({d.labels[0]} – {d.labels[-1]}, {d.nobs} obs.)"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        lines += [
            f"Croissance {self.territory.name} : {fmt_fr(self.territory.growth_rate(), 2, True)} %/an ; "
            f"{self.reference.name} : {fmt_fr(self.reference.growth_rate(), 2, True)} %/an",
            f"Écart : {fmt_fr(self.value, 2, True)} point(s) de % par an (IC 95 % : {fmt_fr(lo, 2, True)} ; "
            f"{fmt_fr(hi, 2, True)}), {p_text(self.pvalue)}",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def growth_gap(series, reference, *, name: str | None = None, reference_name: str | None = None,
               hac_lags: int | None = None, ci_method: str = "simulated", data_kind: str = "demo") -> GrowthGapResult:
    """Difference of annual trend growth between ``series`` and ``reference`` (common periods)."""
    a, b = _align(series, reference, name, reference_name)
    ta = fit_loglinear(a, hac_lags=hac_lags, ci_method=ci_method, data_kind=data_kind)
    tb = fit_loglinear(b, hac_lags=hac_lags, ci_method=ci_method, data_kind=data_kind)
    ratio = pd.Series(a.values / b.values, index=a.index, name=f"{a.name} / {b.name}")
    tr = fit_loglinear(ratio, hac_lags=hac_lags, ci_method=ci_method, data_kind=data_kind)
    return GrowthGapResult(ta, tb, tr, data_kind)


class ShiftShareResult:
    """Shift-share decomposition; ``frame`` has one row per sector, ``totals`` the sums."""

    COMPONENTS = ("effet_reference", "effet_structurel", "effet_local")

    def __init__(self, frame: pd.DataFrame, start, end, name: str, reference_name: str, data_kind: str) -> None:
        self.frame = frame
        self.start, self.end = start, end
        self.name, self.reference_name = name, reference_name
        self.data_kind = data_kind

    @property
    def totals(self) -> pd.Series:
        return self.frame[["emplois_debut", "emplois_fin", "variation", *self.COMPONENTS]].sum()

    def to_frame(self) -> pd.DataFrame:
        """French table: components in jobs and in % of the initial level."""
        t = self.totals
        labels = {"effet_reference": "croissance de la référence", "effet_structurel": "effet de structure (familles)",
                  "effet_local": "effet local (propre au territoire)"}
        rows = [{"composante": labels[c], "emplois": t[c], "% de l'emploi initial": 100 * t[c] / t["emplois_debut"]}
                for c in self.COMPONENTS]
        rows.append({"composante": "variation totale", "emplois": t["variation"],
                     "% de l'emploi initial": 100 * t["variation"] / t["emplois_debut"]})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [f"Analyse structurelle-résiduelle (shift-share) « {self.name} » vs « {self.reference_name} », "
                 f"{self.start} → {self.end}"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        pct_col = "% de l'emploi initial"
        for _, r in self.to_frame().iterrows():
            lines.append(f"{r['composante']:<36} {fmt_fr(r['emplois'], 0, True):>10} emplois "
                         f"({fmt_fr(r[pct_col], 1, True)} %)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def shift_share(local: pd.DataFrame, reference: pd.DataFrame, start, end, *, name: str = "territoire",
                reference_name: str = "référence", data_kind: str = "demo") -> ShiftShareResult:
    """Shift-share decomposition of the change of employment from ``start`` to ``end``.

    ``local`` and ``reference``: wide tables, one row per period (index) and one
    column per sector (e.g. ESS family), values = employees. Sectors must match.
    """
    for label, df in (("local", local), ("reference", reference)):
        if not isinstance(df, pd.DataFrame):
            raise ParameterError(f"shift_share: '{label}' must be a DataFrame (periods x sectors); got {type(df).__name__}.")
        for p in (start, end):
            if p not in df.index:
                raise ParameterError(f"shift_share: period {p!r} missing from the {label} table "
                                     f"(available: {list(df.index)[:3]}...).")
    sectors = list(local.columns)
    missing = [c for c in sectors if c not in reference.columns]
    if missing:
        raise SchemaError(f"shift_share: sector(s) {missing} of the local table are missing from the reference table.",
                          column="sector", values=missing)
    e0 = local.loc[start, sectors].astype(float)
    e1 = local.loc[end, sectors].astype(float)
    r0 = reference.loc[start, sectors].astype(float)
    r1 = reference.loc[end, sectors].astype(float)
    bad = [c for c in sectors if not (e0[c] > 0 and r0[c] > 0)]
    if bad:
        raise SchemaError(f"shift_share: sector(s) {bad} have no employees in {start}; growth rates are undefined.",
                          column="sector", values=bad)
    g_r = float(r1.sum() / r0.sum() - 1)
    g_ri = r1 / r0 - 1
    g_i = e1 / e0 - 1
    frame = pd.DataFrame({
        "emplois_debut": e0, "emplois_fin": e1, "variation": e1 - e0,
        "effet_reference": e0 * g_r, "effet_structurel": e0 * (g_ri - g_r), "effet_local": e0 * (g_i - g_ri),
    })
    frame.index.name = "secteur"
    return ShiftShareResult(frame, start, end, name, reference_name, data_kind)
