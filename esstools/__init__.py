"""esstools: analytical toolkit for the social and solidarity economy (ESS) of French territories.

Subpackages and modules (see CONTRIBUTING.md for the repository map):

- ``esstools.territory``   communes -> EPT/EPCI -> département -> région, code vintages (COG 2021-2026)
- ``esstools.published``   published figures with their sources
- ``esstools.loaders``     readers for the official open-data formats
- ``esstools.indicators``  ESS indicators (shares, location quotients, densities, growth, concentration)
- ``esstools.trends``      employment-trend models
- ``esstools.impact``      SIAE panel assembly and impact estimators
- ``esstools.synth``       deterministic synthetic demo data (always labelled as such)
- ``esstools.roadmap``     the Seine-Saint-Denis ESS roadmap 2024-2028 as data
- ``esstools.runner``      papermill/nbconvert report runner (``esstools run``)

Importing esstools never touches the network.
"""

__version__ = "0.1.0"

from importlib import import_module as _import_module

from .errors import EsstoolsError, ParameterError, SchemaError
from .provenance import DEMO_LABEL, Provenance, combine

# Subpackages load on first use (``esstools.territory`` …) so that ``import esstools`` stays light.
_LAZY = ("territory", "published", "loaders", "indicators", "trends", "impact", "roadmap", "scorecard", "runner",
         "sources", "display", "results", "paths", "fetch", "maps", "comparison")


def __getattr__(name: str):
    if name in _LAZY:
        return _import_module(f".{name}", __name__)
    raise AttributeError(f"module 'esstools' has no attribute {name!r}")


__all__ = ["DEMO_LABEL", "EsstoolsError", "ParameterError", "Provenance", "SchemaError", "__version__", "combine",
           *_LAZY]
