"""Intervals, tests and projection bands with calibrated critical values, for many series at once.

Every function takes ``Y`` (R, n) log levels and the :class:`~esstools.trends.calibration.TableSet`
of the design, and returns arrays with one row per series: the model classes call them with
R = 1 and the validation harness with R = thousands, so what is validated is what is reported.

- growth: mean growth per period ``m`` ± ``kappa s / sqrt(nd)`` (``s``: standard deviation of the
  growth rates), in log points per **year** (× periods per year);
- break at a known date: ``t`` of the change of mean growth, p-value from calibrated levels;
- break at an unknown date: largest ``|t|`` over the trimmed candidate dates (Andrews 1993 sup test
  on growth rates), p-value from calibrated levels;
- projections: random walk with drift (``fc0``), drift after the break (``fc1``) and their average
  with weights fixed at ½–½ before seeing the data (``mix``), whose interval probability level is
  calibrated (the interval of nominal level L covers with probability L over the whole family).
"""

from __future__ import annotations

import numpy as np

from . import core
from .calibration import LEVELS, TableSet

BREAK_WEIGHT = core.BREAK_WEIGHT


def _kappa_at(ts: TableSet, prefix: str, step: float, level: float, s) -> np.ndarray:
    """kappa of ``prefix/<step>/<level>``, linearly interpolated between calibrated steps."""
    steps = np.array(ts.design.steps, dtype=float)
    if step <= steps[0]:
        return ts.kappa(f"{prefix}/{int(steps[0])}/{level}", s)
    if step >= steps[-1]:
        return ts.kappa(f"{prefix}/{int(steps[-1])}/{level}", s)
    j = int(np.searchsorted(steps, step))
    a, b = steps[j - 1], steps[j]
    ka = ts.kappa(f"{prefix}/{int(a)}/{level}", s)
    if b == step:
        return ts.kappa(f"{prefix}/{int(b)}/{level}", s)
    kb = ts.kappa(f"{prefix}/{int(b)}/{level}", s)
    return ka + (kb - ka) * (step - a) / (b - a)


def growth_interval(Y, ts: TableSet, ppy: int = 1):
    """Mean growth per year (log points) and its calibrated 95 % interval: (estimate, lower, upper).

    With a break date in the design, the scale is the within-segment standard deviation of the
    growth rates and the critical value is conditioned on the break-design statistics: a change of
    drift at that date then changes neither (the interval is for the average drift of the period).
    """
    Y = core.as_rows(Y)
    m, s, nd = core.growth_stats(Y)
    if ts.design.npost is not None:
        _, _, s, _, _ = core.segment_stats(Y, ts.design.npost)
    half = ts.kappa("growth", core.df_rho(Y, ts.design.npost)) * s / np.sqrt(nd)
    return ppy * m, ppy * (m - half), ppy * (m + half)


def growth_post_interval(Y, ts: TableSet, ppy: int = 1):
    """Mean growth per year before the break, after it (with its calibrated 95 % interval)."""
    Y = core.as_rows(Y)
    m0, m1, sp, _, npost = core.segment_stats(Y, ts.design.npost)
    half = ts.kappa("growth_post", core.df_rho(Y, ts.design.npost)) * sp / np.sqrt(npost)
    return ppy * m0, ppy * m1, ppy * (m1 - half), ppy * (m1 + half)


def break_test(Y, ts: TableSet):
    """Known-date test of a change of drift: (t statistic, calibrated p-value, rejected at 5 %)."""
    Y = core.as_rows(Y)
    t = core.break_tstat(Y, ts.design.npost)
    b = core.df_rho(Y, ts.design.npost)
    return t, ts.pvalue("break", t, b), np.abs(t) > ts.kappa("break/0.05", b)


def sup_test(Y, ts: TableSet):
    """Unknown-date test: (largest |t|, its position = growth rates after the break, p-value, rejected at 5 %)."""
    Y = core.as_rows(Y)
    cands = core.sup_candidates(Y.shape[1] - 1, ts.design.trim)
    stat, pos = core.sup_break_stat(Y, cands)
    c = core.df_rho_rows(Y, pos)
    return stat, pos, ts.pvalue("sup", stat, c), stat > ts.kappa("sup/0.05", c)


def _symmetric(prefix: str, ts: TableSet, mean, se, steps, levels, s) -> dict:
    """Median and ``mean ± kappa se`` bands of a single model."""
    out = {"median": mean}
    for lv in levels:
        k = np.column_stack([_kappa_at(ts, prefix, h, lv, s) for h in steps])
        out[("lower", lv)], out[("upper", lv)] = mean - k * se, mean + k * se
    return out


def bands(Y, ts: TableSet, which: str, steps, levels=LEVELS) -> dict:
    """Projection bands (log levels) of model ``which`` ("fc0", "fc1" or "mix") at ``steps`` periods ahead.

    Returns {"median": (R, S), ("lower", L): (R, S), ("upper", L): (R, S)} for each level L.
    """
    Y = core.as_rows(Y)
    steps = np.asarray(steps, dtype=float)
    f0, se0 = core.forecast_no_break(Y, steps)
    if which == "fc0":
        return _symmetric("fc0", ts, f0, se0, steps, levels, core.df_rho(Y))
    f1, se1 = core.forecast_break(Y, ts.design.npost, steps)
    b = core.df_rho(Y, ts.design.npost)
    if which == "fc1":
        return _symmetric("fc1", ts, f1, se1, steps, levels, b)
    out = {"median": core.mixture_quantile(0.5, f0, se0, f1, se1, BREAK_WEIGHT)}
    for lv in levels:
        lam = core.level_from_kappa(np.column_stack([_kappa_at(ts, "mix", h, lv, b) for h in steps]))
        out[("lower", lv)] = core.mixture_quantile(0.5 - lam / 2, f0, se0, f1, se1, BREAK_WEIGHT)
        out[("upper", lv)] = core.mixture_quantile(0.5 + lam / 2, f0, se0, f1, se1, BREAK_WEIGHT)
    return out
