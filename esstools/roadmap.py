"""Former import path of the roadmap data: kept as a re-export of :mod:`esstools.assessment.roadmap`
and :mod:`esstools.assessment.indicators` (new code imports from :mod:`esstools.assessment`)."""

from .assessment.indicators import *  # noqa: F401,F403
from .assessment.indicators import __all__ as _indicators_all
from .assessment.roadmap import *  # noqa: F401,F403
from .assessment.roadmap import __all__ as _roadmap_all

__all__ = list(_roadmap_all) + list(_indicators_all)
