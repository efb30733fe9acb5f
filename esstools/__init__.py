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
