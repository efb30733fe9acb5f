"""SIAE panel assembly and impact estimators (issue 6).

- :mod:`.panel`: :func:`assemble` (loader outputs + provenance -> SIAE x year panel + match report),
  :func:`assemble_sourced` (from :func:`esstools.sources.siae.siae_inputs`), :class:`Assembly`;
- :mod:`.twfe`: :func:`fit_fe` (within estimator), :func:`twfe_revenue` (level / excluding contracts / log), :func:`twfe_binary`;
- :mod:`.event_study`: :func:`event_study` (leads/lags, reference -1, binned ends);
- :mod:`.staggered`: :func:`callaway_santanna` (robust staggered DiD; R ``did``-compatible options);
- :mod:`.heterogeneity`: :func:`by_kind`, :func:`dose_response`;
- :mod:`.bootstrap`: wild (cluster) bootstrap for estimates resting on few clusters;
- :mod:`.power`: :func:`mde_grid`, :func:`power_curve` (the simulator is an argument);
- :mod:`.results`: :class:`ImpactResult`, :class:`WaldTest`, :func:`compare`;
- :mod:`.report`: the notebook's back-end (tables, figures, reading, synthesis, results JSON).

Every estimator takes an :class:`Assembly` (whose provenance it carries) or a DataFrame with an
explicit ``provenance``; pre-trend tests: ``result.pretrend_test()``.
"""

from .event_study import event_frame, event_study, plot_event_study
from .heterogeneity import by_kind, dose_response
from .panel import Assembly, assemble, assemble_sourced, cohort_summary
from .power import mde_grid, power_curve
from .results import ImpactResult, WaldTest, compare
from .staggered import StaggeredResult, callaway_santanna, dynamic_frame
from .twfe import fit_fe, twfe_binary, twfe_revenue

__all__ = [
    "Assembly", "ImpactResult", "StaggeredResult", "WaldTest", "assemble", "assemble_sourced", "by_kind",
    "callaway_santanna", "cohort_summary", "compare", "dose_response", "dynamic_frame", "event_frame", "event_study",
    "fit_fe", "mde_grid", "plot_event_study", "power_curve", "twfe_binary", "twfe_revenue",
]
