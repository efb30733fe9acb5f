"""``esstools fetch``: every public file the study needs, downloaded and verified in one command.

Getting the real data::

    esstools fetch all --departement 93     # or: make data (DEPARTEMENT=93 by default)
    esstools fetch list                     # the registry: URL or resolver, date, use of each source
    esstools fetch siae-directory --departement 92
    esstools fetch all --optional           # also the optional sources

Files land in the cache (:func:`esstools.paths.cache_dir`: ``ESSTOOLS_CACHE_DIR`` or
``~/.cache/esstools``; ``--cache DIR`` or ``--dest DIR`` to place them elsewhere), next to
``manifest.json`` (URL, sha256, size, publisher's date, registry version, licence of each
file). Readers find them with :func:`cached_path`. Rules:

* **Cache hit = no request**: a cached file whose manifest entry (size, mtime, else sha256)
  still matches is not requested again; ``--refresh`` fetches the current version.
* **Resumption**: files download into ``<file>.part`` and continue with ``Range`` requests
  (``If-Range`` guards against a file changed meanwhile); paginated APIs save their cursor
  after each page and resume at the page that failed. Run the same command again.
* **Checksums**: verified against the registry's pinned sha256 or the checksum given by the
  data.gouv.fr API; recorded otherwise. A mismatch raises :class:`~esstools.errors.FetchError`
  naming the URL and both checksums and deletes the download. Completion is an atomic rename.
* ``fetch all``: a failed source does not stop the others; a French summary says what was
  fetched, from where, what is missing and why; exit code 0 only if every needed file is there.
* **Département**: ``decp`` is filtered by the data.gouv.fr tabular API
  (``titulaire_departement_code``); ``siae-directory`` is published per département.
  The other files are national (SIRENE ~2.2 GB + 0.7 GB, with a size warning) and are
  filtered when read.
* **Mirror** (tests, offline machines): ``ESSTOOLS_FETCH_BASE_URL=http://127.0.0.1:PORT`` sends
  every request (redirects and API links included) to ``<base>/<host>/<path>?<query>``; the
  layout is described in :mod:`esstools.fetch.mirror`. ``ESSTOOLS_FETCH_URL_<NAME>``
  replaces one source's URL; ``ESSTOOLS_FETCH_REGISTRY=<file.yml>`` overlays registry fields
  (e.g. a checksum you pinned yourself).

Sources (``registry.yml``, version 2026-11-29.1). **None was tested live**: the date is that
of the most recent public evidence gathered in ``shared/research/download-urls.md``, with its
confidence level. (n) needed by the study, (o) optional.

=========================  ===========================================================  ==========  ==========================================================
source                     URL or resolver                                              evidence    what the study takes from it
=========================  ===========================================================  ==========  ==========================================================
sirene-etablissements (n)  data.gouv.fr dataset 5b7ffc618b4c4169d30727e0, resource      2026-08-01  establishments: commune, APE, headcount band, head office
                           a29c1297-1f92-4e2a-8f6b-8c902ce96c5f (Parquet; fallback      HIGH
                           https://www.data.gouv.fr/api/1/datasets/r/<same id>)
sirene-unites-legales (n)  same dataset, resource 350182c9-148a-46e0-8389-76c2ec1374a3  2026-08-01  legal category and ESS flag of each SIREN (ESS families)
                           (Parquet)                                                    HIGH
urssaf-ess-departements    https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/    2026        ESS establishments, average employees, payroll by
(n)                        nombre-etab-effectifs-salaries-et-masse-salariale-ess-       HIGH        département x ESS family x year (trends)
                           departements/exports/csv?delimiter=%3B&with_bom=false&...
decp (n)                   https://www.data.gouv.fr/api/1/datasets/r/22847056-61df-     2026-05-14  awards held by SIAE: amount, date, considerationsSociales
                           452d-837d-8b8ceadbfc52 (decp.info CSV); per département:     HIGH        (social clause, reserved market)
                           tabular-api.data.gouv.fr/api/resources/<same id>/data/csv/
                           ?titulaire_departement_code__exact=D
siae-directory (n)         https://emplois.inclusion.beta.gouv.fr/api/v1/siaes/         2026-08-20  SIAE of the département (SIRET, kind, address, postcode)
                           ?departement=D&page_size=1000&format=json (pages -> 1 file)  HIGH
ratios-financiers (n)      https://www.data.gouv.fr/datasets/r/9d213815-1649-4527-      2026-07-30  revenue by SIREN and fiscal year (impact outcome)
                           9eb4-427146ef2e5b (CSV ;)                                    HIGH
communes-geometry (n)      https://etalab-datasets.geo.data.gouv.fr/contours-           2026-03-10  commune outlines (maps; EPT = union of member communes)
                           administratifs/2026/geojson/communes-100m.geojson.gz         HIGH
                           (sha256 pinned)
departements-geometry (n)  same host, 2026/geojson/departements-100m.geojson.gz         2026-03-10  département outlines (maps)
                                                                                        HIGH
epci-geometry (o)          same host, 2026/geojson/epci-100m.geojson.gz                 2026-03-10  EPCI outlines
                                                                                        HIGH
decp-minef-json (o)        data.gouv.fr dataset 5cd57bf68b4c4179299eb0e9, latest        2026-08-04  raw considerationsSociales arrays, concessions
                           resource titled decp-YYYY.json                               MEDIUM
ess-france-list (o)        https://www.data.gouv.fr/datasets/r/57bc99ca-0432-4b46-      2026-01-19  cross-check of ESS membership by SIREN
                           8fcc-e76a35c9efaf (CSV)                                      HIGH/MED.
=========================  ===========================================================  ==========  ==========================================================

Public API: :func:`fetch` (path), :func:`fetch_source` (:class:`FetchResult`),
:func:`fetch_all`, :func:`cached_path`, :func:`load_registry`, :data:`SOURCES`, :class:`Source`,
:func:`sha256_file`, :func:`main` (command line). Only the standard library is used for
HTTP; nothing is downloaded at import time.
"""

from __future__ import annotations

from .cli import main
from .core import FetchResult, cached_path, fetch, fetch_all, fetch_source
from .manifest import read_manifest, sha256_file
from .registry import REGISTRY_FILE, Source, check_departement, load_registry

__all__ = [
    "Source", "SOURCES", "REGISTRY_VERSION", "FetchResult", "fetch", "fetch_source", "fetch_all",
    "cached_path", "load_registry", "read_manifest", "sha256_file", "check_departement", "describe", "main",
    "REGISTRY_FILE",
]

SOURCES: dict[str, Source] = load_registry(overlay="")
"""The packaged registry (without overlay), for documentation; fetching reads the overlay too."""

REGISTRY_VERSION: str = next(iter(SOURCES.values())).registry_version


def describe(source: str) -> dict:
    """The registry entry of ``source`` as a dict (for documentation and the loaders' schema checks)."""
    from dataclasses import asdict

    from .core import _lookup

    return asdict(_lookup(source, SOURCES))
