"""Former import path of the scorecard: kept as a re-export of :mod:`esstools.assessment.rules`,
:mod:`esstools.assessment.model` and :mod:`esstools.assessment.headlines` (new code imports from
:mod:`esstools.assessment`)."""

from .assessment.headlines import *  # noqa: F401,F403
from .assessment.headlines import __all__ as _headlines_all
from .assessment.model import *  # noqa: F401,F403
from .assessment.model import __all__ as _model_all
from .assessment.rules import *  # noqa: F401,F403
from .assessment.rules import __all__ as _rules_all

__all__ = list(_rules_all) + list(_model_all) + list(_headlines_all)
