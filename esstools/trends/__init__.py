"""Employment-trend statistics valid for persistent series (annual or quarterly), and their report.

Employment series are persistent (close to random walks with drift), so ordinary trend regressions
with independent errors give intervals that are far too narrow. This package treats the series as
possibly difference-stationary:

- :func:`analyse_trend` — mean annual growth (mean of Δlog y) with a 95 % interval, tests of a change
  of drift at a chosen date and at an unknown date, and projections (random walk with drift, drift
  after the break, and their ½–½ average fixed in advance, the retained projection) with 80 % and
  95 % intervals. Critical values are calibrated by simulation over persistent processes, from white
  noise around a trend to a random walk with autocorrelated growth (:mod:`.calibration`), so that
  coverage and size hold whatever the persistence (validated in :mod:`.validation`).
- :func:`growth_gap`, :func:`shift_share`, :func:`period_growth`, :func:`annual_growth` — territory
  versus reference.
- :mod:`.report` — the back-end of notebook ``02_employment_trends`` (tables, charts, synthesis, results).

Methods and references: Andrews (1993, Econometrica 61) for the invariance of the
persistence statistics and the sup test; McCloskey (2017, J. Econometrics 200) for data-dependent
(size-corrected) critical values; Beran (1987, Biometrika 74) for calibrating the level of a
predictive interval; Hamilton (1994, ch. 15-17) and Hyndman & Athanasopoulos (FPP3, ch. 5 and 9) for
random walks with drift and their forecast intervals.
"""

from .calibration import Design, TableSet, tables
from .compare import GrowthGapResult, ShiftShareResult, annual_growth, growth_gap, period_growth, shift_share
from .model import MODEL_LABELS_FR, BreakTest, Interval, Projection, TrendAnalysis, analyse_trend

__all__ = [
    "BreakTest", "Design", "GrowthGapResult", "Interval", "MODEL_LABELS_FR", "Projection", "ShiftShareResult",
    "TableSet", "TrendAnalysis", "analyse_trend", "annual_growth", "growth_gap", "period_growth", "shift_share",
    "tables",
]
