"""SIAE panel assembly and impact estimators (issue 6).

- :mod:`.panel`: :func:`assemble` (loader outputs -> SIAE x year panel + match report), :func:`assemble_from_files`;
- :mod:`.twfe`: :func:`fit_fe` (within estimator), :func:`twfe_revenue` (level / excluding contracts / log), :func:`twfe_binary`;
- :mod:`.event_study`: :func:`event_study` (leads/lags, reference -1, binned ends, joint pre-trend test);
- :mod:`.staggered`: :func:`callaway_santanna` (robust staggered DiD);
- :mod:`.heterogeneity`: :func:`by_kind`, :func:`dose_response`;
- :mod:`.power`: :func:`mde_grid`, :func:`power_curve`;
- :mod:`.results`: :class:`ImpactResult`, :func:`compare`.
"""

from .event_study import event_frame, event_study, plot_event_study
from .heterogeneity import by_kind, dose_response
from .panel import Assembly, assemble, assemble_from_files, cohort_summary
from .power import mde_grid, power_curve
from .results import ImpactResult, compare
from .staggered import StaggeredResult, callaway_santanna, dynamic_frame
from .twfe import fit_fe, twfe_binary, twfe_revenue

__all__ = [
    "Assembly", "ImpactResult", "StaggeredResult", "assemble", "assemble_from_files", "by_kind", "callaway_santanna",
    "cohort_summary", "compare", "dose_response", "dynamic_frame", "event_frame", "event_study", "fit_fe", "mde_grid",
    "plot_event_study", "power_curve", "twfe_binary", "twfe_revenue",
]
