"""Territorial comparison of the ESS (notebook 01), for any département of France.

Shape: data access (:mod:`esstools.sources.sirene`) → model (:mod:`.parameters`, :mod:`.geography`,
:mod:`.establishments`, :mod:`.composition`) → report back-end (:mod:`.report`: tables, charts
(:mod:`.charts`), maps (:mod:`.maps`, :mod:`.contours`), French text (:mod:`.reading`), synthesis and
results payload) → notebook. Part 1 (published figures) lives in :mod:`esstools.comparison`.
"""

from .parameters import LEVELS, REFERENCES, Parameters, check_parameters, peer_departements
from .report import TerritorialReport, build

__all__ = ["LEVELS", "REFERENCES", "Parameters", "TerritorialReport", "build", "check_parameters",
           "peer_departements"]
