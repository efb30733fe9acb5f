"""Backward-compatible names of the territorial comparison (moved to :mod:`esstools.territorial`).

The published-figure part is :mod:`esstools.territorial.published_part`; parameters, units,
composition and maps are in the other modules of :mod:`esstools.territorial`.
"""

from .territorial.composition import (a21_labels, concentration, family_composition, family_labels,  # noqa: F401
                                      section_composition, unit_summary)
from .territorial.geography import unit_populations  # noqa: F401
from .territorial.parameters import (LEVEL_HEADERS, LEVEL_LABELS, LEVELS, REFERENCES, Parameters,  # noqa: F401
                                     check_parameters)
from .territorial.published_part import *  # noqa: F401,F403
from .territorial.report import map_figures  # noqa: F401
