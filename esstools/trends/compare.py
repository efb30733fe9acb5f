"""Territory vs reference: growth over a period, gap of mean growth, shift-share.

- :func:`period_growth` — % change between two periods of one series.
- :func:`growth_gap` — difference of mean annual growth (territory minus reference, percentage
  points) with its 95 % interval. It is estimated on the ratio territory / reference: the mean growth
  of ``log(territory / reference)`` is the difference of log-growth rates ``delta``, with the same
  calibrated interval as the growth of one series (:func:`esstools.trends.model.analyse_trend`,
  valid under persistence and robust to a change of drift at the tested date). It is converted to
  percentage points as ``100 (exp(b_ref + delta) - exp(b_ref))``, the reference growth ``b_ref`` held
  at its estimate.
- :func:`shift_share` — classic decomposition of the change in employment of a territory between
  two years into reference growth, sector (family) mix and local effect (Dunn 1960):
  ``ΔE = E0 g_R + Σ_i E0_i (g_Ri - g_R) + Σ_i E0_i (g_i - g_Ri)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..display import SummaryMixin, fmt_interval, fmt_number
from ..errors import ParameterError, SchemaError
from ..provenance import ProvenanceLike, as_provenance
from ._series import SeriesData, as_series_data


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


def _align(series, reference, name, ref_name) -> tuple[pd.Series, pd.Series]:
    a = as_series_data(series, name=name, min_obs=2).to_series()
    b = as_series_data(reference, name=ref_name, min_obs=2).to_series()
    common = a.index.intersection(b.index)
    if len(common) < 5:
        raise ParameterError(
            f"Series '{a.name}' and reference '{b.name}' share only {len(common)} period(s); at least 5 are needed."
        )
    return a.loc[common], b.loc[common]


class GrowthGapResult(SummaryMixin):
    """Mean annual growth of a territory and of its reference and their difference (points of %)."""

    title_fr = "Écart de croissance avec la référence"

    def __init__(self, territory, reference, ratio) -> None:
        self.territory = territory  # TrendAnalysis
        self.reference = reference  # TrendAnalysis
        self.ratio = ratio  # TrendAnalysis of territory / reference
        self.provenance = territory.provenance

    def _to_pp(self, growth_ratio_pct: float) -> float:
        b_ref = np.log1p(self.reference.growth.value / 100)
        delta = np.log1p(growth_ratio_pct / 100)
        return float(100.0 * (np.exp(b_ref + delta) - np.exp(b_ref)))

    @property
    def value(self) -> float:
        """Gap of mean annual growth, points of % per year (territory minus reference)."""
        return self._to_pp(self.ratio.growth.value)

    def conf_int(self) -> tuple[float, float]:
        return self._to_pp(self.ratio.growth.lower), self._to_pp(self.ratio.growth.upper)

    def to_frame(self) -> pd.DataFrame:
        lo, hi = self.conf_int()
        t, r = self.territory.growth, self.reference.growth
        return pd.DataFrame({
            "grandeur": [f"croissance annuelle moyenne, {self.territory.name}",
                         f"croissance annuelle moyenne, {self.reference.name}", "écart (points de %)"],
            "estimation": [t.value, r.value, self.value],
            "IC 95 % bas": [t.lower, r.lower, lo],
            "IC 95 % haut": [t.upper, r.upper, hi],
            "unité": ["% par an", "% par an", "points de % par an"],
        })

    def summary(self) -> str:
        lo, hi = self.conf_int()
        return (f"Écart de croissance annuelle moyenne « {self.territory.name} » − « {self.reference.name} » : "
                f"{fmt_number(self.value, 2, True)} point(s) de % par an {fmt_interval(lo, hi, 2, True)}")


def growth_gap(series, reference, *, provenance: ProvenanceLike, name: str | None = None,
               reference_name: str | None = None, break_year=2020, horizon=2028) -> GrowthGapResult:
    """Difference of mean annual growth between ``series`` and ``reference`` (common periods)."""
    from .model import analyse_trend

    a, b = _align(series, reference, name, reference_name)
    prov = as_provenance(provenance)
    kw = dict(break_year=break_year, horizon=horizon, provenance=prov)
    ratio = pd.Series(a.to_numpy() / b.to_numpy(), index=a.index, name=f"{a.name} / {b.name}")
    return GrowthGapResult(analyse_trend(a, **kw), analyse_trend(b, **kw), analyse_trend(ratio, **kw))


class ShiftShareResult(SummaryMixin):
    """Shift-share decomposition; ``frame`` has one row per sector, ``totals`` the sums."""

    COMPONENTS = ("effet_reference", "effet_structurel", "effet_local")

    title_fr = "Analyse structurelle-résiduelle"

    def __init__(self, frame: pd.DataFrame, start, end, name: str, reference_name: str, provenance) -> None:
        self.frame = frame
        self.start, self.end = start, end
        self.name, self.reference_name = name, reference_name
        self.provenance = as_provenance(provenance)

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
        if self.provenance.is_demo:
            lines.append("⚠ " + self.provenance.mark_fr)
        pct_col = "% de l'emploi initial"
        for _, r in self.to_frame().iterrows():
            lines.append(f"{r['composante']:<36} {fmt_number(r['emplois'], 0, True):>10} emplois "
                         f"({fmt_number(r[pct_col], 1, True)} %)")
        return "\n".join(lines)


def shift_share(local: pd.DataFrame, reference: pd.DataFrame, start, end, *, name: str = "territoire",
                reference_name: str = "référence", provenance: ProvenanceLike) -> ShiftShareResult:
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
    return ShiftShareResult(frame, start, end, name, reference_name, provenance)
