"""Trend analysis of one employment series: growth, breaks and projections valid under persistence.

:func:`analyse_trend` works on the log levels of an annual or quarterly series and returns a
:class:`TrendAnalysis` with

- ``growth``: mean annual growth (mean of the growth rates Δlog y, in % a year) and its 95 %
  interval with critical values calibrated over persistent processes (:mod:`.calibration`);
- ``growth_before`` / ``growth_after``: mean growth before and from the tested break date;
- ``break_known``: test of a change of drift at the chosen date (t test on growth rates,
  calibrated p-value); ``break_unknown``: sup test over the trimmed dates (Andrews 1993 on growth rates);
- ``persistence``: Dickey-Fuller coefficient with trend, autocorrelation of the growth rates, and the
  Durbin-Watson statistic of a plain log-linear trend (what an OLS trend would have ignored);
- :meth:`TrendAnalysis.projection`: random walk with drift (no break), drift after the break, and
  the retained projection, their average with weights ½–½ fixed before seeing the data, each with
  80 % and 95 % intervals that widen with the horizon and include parameter uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..display import SummaryMixin, fmt_interval, fmt_number, fmt_pvalue
from ..errors import ParameterError
from ..provenance import Provenance, ProvenanceLike, as_provenance
from . import core, inference
from ._series import SeriesData, as_series_data, make_index, period_label
from .calibration import LEVELS, Design, tables

MIN_OBS = 8
MODEL_LABELS_FR = {
    "fc0": "sans rupture (croissance moyenne prolongée)",
    "fc1": "avec rupture (croissance depuis la date testée prolongée)",
    "mix": "projection retenue (moyenne ½–½ des deux, poids fixés à l'avance)",
}


def _pct(log_growth) -> np.ndarray:
    """Log growth per year -> % per year."""
    return 100.0 * np.expm1(np.asarray(log_growth, dtype=float))


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval (same unit)."""

    value: float
    lower: float
    upper: float
    unit: str = "% par an"

    def text(self, digits: int = 2, signed: bool = False) -> str:
        return f"{fmt_number(self.value, digits, signed)} {fmt_interval(self.lower, self.upper, digits, signed)}"


@dataclass(frozen=True)
class BreakTest:
    """A break test: statistic, calibrated p-value (0.01 means ≤ 1 %), decision at 5 %, date."""

    statistic: float
    pvalue: float
    rejected: bool
    date: str
    known_date: bool

    @property
    def pvalue_text(self) -> str:
        if self.pvalue <= 0.01:
            return "p ≤ 0,01"
        if self.pvalue >= 1.0:
            return "p > 0,5"
        return f"p = {fmt_pvalue(self.pvalue)}"


def steps_for(freq: str, horizon_steps: int) -> tuple[int, ...]:
    """Forecast steps whose critical values are calibrated (others are interpolated)."""
    if freq == "A":
        return tuple(range(1, horizon_steps + 1))
    steps = {1, 2, 3} | set(range(4, horizon_steps + 1, 4)) | {horizon_steps}
    return tuple(sorted(s for s in steps if s <= horizon_steps))


def _break_position(data: SeriesData, break_year) -> int | None:
    """Number of growth rates from the break period on (None when the break model cannot be fitted)."""
    if break_year is None:
        return None
    tb = float(int(break_year))  # the growth from the previous period to the first period of that year
    npost = int(np.sum(data.time[1:] >= tb - 1e-9))
    npre = data.nobs - 1 - npost
    if npost < core.MIN_SEGMENT or npre < core.MIN_SEGMENT or data.nobs < MIN_OBS:
        return None
    return npost


class TrendAnalysis(SummaryMixin):
    """Result of :func:`analyse_trend` (see module docstring). Levels are employees, growth in % a year."""

    title_fr = "Tendance de l'emploi salarié"

    def __init__(self, data: SeriesData, provenance: Provenance, break_year, horizon, design: Design):
        self.data = data
        self.provenance = provenance
        self.break_year = break_year
        self.horizon = horizon
        self.design = design
        self._ts = tables(design)
        self._Y = data.log_values[None, :]
        ppy = data.periods_per_year
        g, lo, hi = inference.growth_interval(self._Y, self._ts, ppy)
        self.growth = Interval(*(float(x) for x in _pct([g[0], lo[0], hi[0]])))
        self.persistence = {"df_rho": float(core.df_rho(self._Y)[0]),
                            "growth_autocorr": float(core.growth_autocorr(self._Y)[0]),
                            "durbin_watson_loglinear": _durbin_watson_loglinear(data.log_values)}
        self.has_break_model = design.npost is not None
        if self.has_break_model:
            m0, m1, lo1, hi1 = inference.growth_post_interval(self._Y, self._ts, ppy)
            self.growth_before = float(_pct(m0[0]))
            self.growth_after = Interval(*(float(x) for x in _pct([m1[0], lo1[0], hi1[0]])))
            t, p, rej = inference.break_test(self._Y, self._ts)
            self.break_known = BreakTest(float(t[0]), float(p[0]), bool(rej[0]), self.break_label, True)
        else:
            self.growth_before = float("nan")
            self.growth_after = None
            self.break_known = None
        cands = core.sup_candidates(data.nobs - 1, design.trim)
        if len(cands):
            stat, pos, p, rej = inference.sup_test(self._Y, self._ts)
            first = data.nobs - int(pos[0])  # index of the first level whose growth follows the new drift
            self.break_unknown = BreakTest(float(stat[0]), float(p[0]), bool(rej[0]),
                                           period_label(data.time[first], data.freq), False)
        else:
            self.break_unknown = None

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def nobs(self) -> int:
        return self.data.nobs

    @property
    def break_label(self) -> str:
        if not self.has_break_model:
            return "—"
        return period_label(self.data.time[self.data.nobs - self.design.npost], self.data.freq)

    def projection(self, levels=LEVELS) -> "Projection":
        """Projections of every model from the next period to the horizon (see :class:`Projection`)."""
        steps = np.arange(1, self.data.steps_to(self.horizon) + 1)
        models = ("fc0", "fc1", "mix") if self.has_break_model else ("fc0",)
        frames = {}
        idx = make_index(self.data.future_time(len(steps)), self.data.freq)
        for m in models:
            b = inference.bands(self._Y, self._ts, m, steps, levels)
            f = pd.DataFrame({"median": np.exp(b["median"][0])}, index=idx)
            for lv in levels:
                k = int(round(100 * lv))
                f[f"lower_{k}"] = np.exp(b[("lower", lv)][0])
                f[f"upper_{k}"] = np.exp(b[("upper", lv)][0])
            frames[m] = f
        return Projection(frames, "mix" if self.has_break_model else "fc0", self.data, self.provenance)

    def summary(self) -> str:
        d = self.data
        lines = [f"Tendance de l'emploi — série « {d.name} », {d.labels[0]} – {d.labels[-1]} ({d.nobs} obs., "
                 f"{'annuelle' if d.freq == 'A' else 'trimestrielle'})"]
        if self.provenance.is_demo:
            lines.append("⚠ " + self.provenance.mark_fr)
        lines.append(f"Croissance annuelle moyenne : {self.growth.text(2)} %")
        if self.has_break_model:
            lines.append(f"Avant {self.break_label} : {fmt_number(self.growth_before, 2)} % ; depuis : "
                         f"{self.growth_after.text(2)} % ; rupture en {self.break_label} : "
                         f"{self.break_known.pvalue_text}")
        if self.break_unknown is not None:
            lines.append(f"Rupture à date inconnue (sup) : date la plus marquée {self.break_unknown.date}, "
                         f"{self.break_unknown.pvalue_text}")
        p = self.persistence
        lines.append(f"Persistance : coefficient de Dickey-Fuller {fmt_number(p['df_rho'], 2)}, autocorrélation des "
                     f"taux de croissance {fmt_number(p['growth_autocorr'], 2)}, Durbin-Watson d'une tendance "
                     f"log-linéaire {fmt_number(p['durbin_watson_loglinear'], 2)}")
        return "\n".join(lines)


def _durbin_watson_loglinear(y: np.ndarray) -> float:
    """Durbin-Watson statistic of the OLS residuals of log y on [1, t]."""
    t = np.arange(len(y), dtype=float)
    X = np.column_stack([np.ones_like(t), t])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    e = y - X @ beta
    return float(np.sum(np.diff(e) ** 2) / np.sum(e ** 2))


class Projection(SummaryMixin):
    """Projections (employees) of the models; ``frames[model]`` has ``median``, ``lower_80`` … ``upper_95``."""

    title_fr = "Projections"

    def __init__(self, frames: dict, retained: str, data: SeriesData, provenance: Provenance):
        self.frames = frames
        self.retained = retained
        self.data = data
        self.provenance = provenance

    def _row(self, model: str, period) -> pd.Series:
        f = self.frames[model]
        if self.data.freq == "Q" and isinstance(period, (int, np.integer)):
            period = [p for p in f.index if p.year == int(period)][-1]
        if period not in f.index:
            raise ParameterError(f"Period {period!r} is not in the projection ({f.index[0]} – {f.index[-1]}).")
        return f.loc[period]

    def at(self, period, model: str | None = None) -> dict:
        """``{"value", "ci80": [lo, hi], "ci95": [lo, hi]}`` of ``model`` (default: the retained one)."""
        r = self._row(model or self.retained, period)
        return {"value": float(r["median"]), "ci80": [float(r["lower_80"]), float(r["upper_80"])],
                "ci95": [float(r["lower_95"]), float(r["upper_95"])]}

    def to_frame(self, period) -> pd.DataFrame:
        """French table at ``period``: one row per model."""
        rows = []
        for m in self.frames:
            a = self.at(period, m)
            rows.append({"projection": MODEL_LABELS_FR[m], "médiane": a["value"], "IC 80 % bas": a["ci80"][0],
                         "IC 80 % haut": a["ci80"][1], "IC 95 % bas": a["ci95"][0], "IC 95 % haut": a["ci95"][1]})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        last = self.frames[self.retained].index[-1]
        a = self.at(last)
        return (f"Projection {last} ({MODEL_LABELS_FR[self.retained]}) : {fmt_number(a['value'], 0)} "
                f"(IC 80 % {fmt_interval(*a['ci80'], 0)} ; IC 95 % {fmt_interval(*a['ci95'], 0)})")


def analyse_trend(series, *, break_year=2020, horizon=2028, provenance: ProvenanceLike, name: str | None = None,
                  trim: float = 0.15) -> TrendAnalysis:
    """Analyse an employment series (pandas Series of positive levels indexed by year or quarter).

    ``break_year``: date of the tested change of drift (the growth rates of that year on follow the
    new drift; None: no break model); ``horizon``: last year (or quarter) projected; ``provenance``:
    "real", "demo" or a :class:`~esstools.provenance.Provenance` (required: no default that could turn
    demo data into real ones).
    """
    prov = as_provenance(provenance)
    data = as_series_data(series, name=name, min_obs=MIN_OBS)
    npost = _break_position(data, break_year)
    steps = steps_for(data.freq, data.steps_to(horizon))
    design = Design(n=data.nobs, freq=data.freq, npost=npost, steps=steps, trim=trim)
    return TrendAnalysis(data, prov, break_year, horizon, design)
