"""INSEE SIRENE stock files: active establishments, their legal unit and ESS family.

Source
------
Insee, « Base Sirene des entreprises et de leurs établissements (SIREN, SIRET) »,
monthly stock files published on data.gouv.fr
(https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/),
variables documented in Insee, « Description des fichiers de la base Sirene —
fichiers stock » (https://www.sirene.fr/static-resources/documentation/v_sommaire_311.htm).
Files: ``StockEtablissement_utf8.zip`` / ``.parquet`` and
``StockUniteLegale_utf8.zip`` / ``.parquet``; the CSV inside the zip is
comma-separated, UTF-8, double-quoted when needed, one header line with the
INSEE variable names below. In the published Parquet some codes are integers
(e.g. ``categorieJuridiqueUniteLegale`` is BIGINT) and dates are DATE /
TIMESTAMP: esstools casts every code back to a zero-padded string.

Establishment file header (StockEtablissement, 2024-2025 vintages; extra
columns such as ``activitePrincipaleNAF25Etablissement`` are accepted)::

    siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,
    trancheEffectifsEtablissement,anneeEffectifsEtablissement,
    activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,
    etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,
    numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,
    indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,
    libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,
    libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,
    codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,
    codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,
    identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,
    coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,
    numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,
    libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,
    libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,
    codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,
    codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,
    etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,
    enseigne3Etablissement,denominationUsuelleEtablissement,
    activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,
    caractereEmployeurEtablissement

Legal-unit file header (StockUniteLegale)::

    siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,
    sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,
    prenom3UniteLegale,prenom4UniteLegale,prenomUsuelUniteLegale,pseudonymeUniteLegale,
    identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,
    anneeEffectifsUniteLegale,dateDernierTraitementUniteLegale,
    nombrePeriodesUniteLegale,categorieEntreprise,anneeCategorieEntreprise,dateDebut,
    etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,
    denominationUniteLegale,denominationUsuelle1UniteLegale,
    denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,
    categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,
    nomenclatureActivitePrincipaleUniteLegale,nicSiegeUniteLegale,
    economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,
    caractereEmployeurUniteLegale

Columns used (all read as text):

=============================================  =========================================
``siren`` (9), ``nic`` (5), ``siret`` (14)     identifiers, Luhn-checked on selected rows
``codeCommuneEtablissement``                   COG commune code (5 chars; Paris, Lyon,
                                               Marseille: municipal arrondissement code)
``etatAdministratifEtablissement``             ``A`` active / ``F`` closed
``trancheEffectifsEtablissement``              employee-size band (see below), may be empty
``activitePrincipaleEtablissement``            NAF code, e.g. ``88.99B``
``nomenclatureActivitePrincipaleEtablissement``  ``NAFRev2`` (also ``NAFv2``); older codes
                                               (``NAFRev1``, ``NAF1993``, ``NAP``) get no A21/A38
``caractereEmployeurEtablissement``            ``O``/``N`` (only with ``employer_only``)
``dateCreationEtablissement``, ``dateDebut``   only with ``date=``
``categorieJuridiqueUniteLegale``              4-digit legal category
``economieSocialeSolidaireUniteLegale``        ``O`` / ``N`` / empty (empty = not declared)
=============================================  =========================================

Masked values ``[ND]`` (partially diffusible units) and empty strings are NA.

Derived columns and rules
-------------------------
* ``ess_family`` from the legal category (:func:`esstools.vocabulary.legal_categories`), table ``data/nomenclatures/ess_legal_categories.csv``
  (Insee statistical perimeter of the économie sociale: associations, coopératives,
  mutuelles, fondations); a commercial company (``commercial_company``) whose legal unit
  declares ``economieSocialeSolidaireUniteLegale = 'O'`` is a ``societe_commerciale_ess``
  (law of 31 July 2014, art. 1 II). With ``naf_exclusions=True`` (default, Insee
  perimeter) establishments of the four statutory families whose NAF rév. 2 activity is
  listed in ``data/nomenclatures/ess_naf_exclusions.csv`` (public administration,
  employers' organisations, trade unions, religious and political organisations) are
  ``hors_ess``. Establishments whose legal unit is absent from the unit file are ``hors_ess``.
* Employee-size band → ``headcount_low`` / ``headcount_high`` / ``headcount_mid`` from
  ``data/nomenclatures/tranches_effectifs.csv``: midpoint of the band; ``NN`` and ``00``
  count 0; the open band ``53`` (10 000+) has no upper bound (NA) and a conventional
  central estimate of 1.5 × 10 000 = 15 000. The band is the one of
  ``anneeEffectifsEtablissement`` (usually two years before the stock date).
* ``a21`` / ``a38`` from the NAF division, ``data/nomenclatures/naf_a21_a38.csv``.
* ``departement``: first 3 characters of overseas commune codes (97x), else first 2.

Active establishments: ``etatAdministratifEtablissement == 'A'`` in the current stock
(any value other than ``A``/``F`` — a lower-case ``a``, ``Actif`` — is an error naming the
rows, never read as closed). ``employer_only``: ``caractereEmployeurEtablissement == 'O'``
(empty = unknown, left out; a value outside ``O``/``N`` is an error).
With ``date=`` (historical approximation from the stock file only): created on or before
the date (empty creation date = created long ago) and either still active or closed after
the date (``dateDebut`` of the current, closed period > date). Dates are ``YYYY-MM-DD``
(DATE in Parquet); ``DD/MM/YYYY`` is parsed explicitly as day/month/year and counted in a
RepairWarning; any other non-empty date is an error (never "created long ago"). Limits: the stock holds
only the last period, so an establishment closed, reopened and still open is counted as
open throughout, and the headcount band and legal category are current values, not
values at the date. Use ``StockEtablissementHistorique`` for exact history.

Whole files (before any row is used): the path is taken literally (a name holding ``[1]``
or ``*`` is never expanded into other files); the file must be a regular, non-empty file;
a Parquet file must have rows and readable footer; CSV files (and the member of a zip,
whose CRC is checked) are scanned once for NUL bytes anywhere (a damaged download whose
tail was zero-filled) and for lines with an odd number of quotes (an unbalanced quote that
would swallow the following records: INSEE files never hold a value spanning lines);
DuckDB reads CSV in strict mode (a wrong field count or an unterminated quote is an error);
a column name twice in the header is an error.

Checks (on the rows selected by the filters): required columns present (SchemaError
listing the missing ones, naming a renamed column and the ``schema_version``); SIRET =
siren || nic = 14 digits passing the Luhn check, La Poste SIRETs (SIREN 356000000)
passing Luhn or the digit-sum-multiple-of-5 rule, and the file's ``siret`` column equal to
siren || nic (``invalid_siret="raise"`` SchemaError, ``"warn"`` keep and warn, ``"drop"``
drop and warn); band codes in the INSEE list; commune codes of an existing département
(:mod:`esstools.vocabulary`: ``20004`` is refused, Corsica is 2A/2B; ``00…``, ``96…``,
``979…`` are refused) — codes absent from every COG vintage of the reference (2021-2026)
are kept with a counted warning; state in A/F, employer flag in O/N; NAF rév. 2 codes of
the form ``NN.NNL``. Legal units: ESS flag in O/N/empty (``Oui``, ``1``, ``o`` are errors,
never read as "not ESS"); legal category in the Insee nomenclature (an unknown code among
the units read is an error: a new Insee code must be added to the table). Repairs, with a
:class:`~esstools.errors.RepairWarning` counting them: 4-digit commune codes get their lost
leading zero back; NAF codes written without their dot (``8899B``) get it back (so that
the NAF exclusions apply); codes stored as numbers in Parquet files (int64 or double) are
zero-padded. Files without a ``nic`` column take the NIC from the SIRET.

Join (establishments ↔ legal units): :func:`load_establishments` checks every selected
establishment, :func:`aggregate_ess` the first 50,000 (all of a département-sized
selection): when none has its legal unit in the unit file (another stock, a SIREN stored
with another type, an empty or filtered unit file) it is a SchemaError — the result would
be all ``hors_ess``; some without a unit give a counted warning (below ``min_unit_match``
for :func:`aggregate_ess`). A selection matching no establishment gives an empty result
with a warning naming the filters.

The INSEE stock defines the SIRET as the SIREN followed by the NIC, so ``siret`` is a
redundant column. :func:`load_establishments` (which returns it) and :func:`aggregate_ess` on
CSV/zip files check it row by row. :func:`aggregate_ess` on Parquet files, which never uses
it, does not read it by default (reading 14-character strings costs ~15 % of a national run):
it validates every establishment's siren || nic as above and screens ``siret`` on the Parquet
row-group statistics (each row group's min/max SIRET must be 14 characters starting with its
min/max SIREN; this catches swapped, shifted or re-typed columns); when the screening fails or
statistics are missing, the row-by-row check runs. An isolated SIRET that disagrees with its
own siren and nic is only caught with ``check_siret_column=True``.

Keys: :func:`load_establishments` raises SchemaError when a SIRET appears twice after the
join (duplicated SIRET, or duplicated SIREN in the unit file); :func:`aggregate_ess` checks
that no SIREN is duplicated among the ESS legal units (duplicated SIRETs are not checked at
national scale).

Performance: everything runs in DuckDB (CSV, zipped CSV — extracted to a temporary file
that is deleted afterwards —, or Parquet, mixed allowed). Only the needed columns are read,
the activity/employer filters are pushed into the scan, legal units are reduced in the scan
to those that can be ESS (a few % of the national file) and grouped by SIREN in that pass
(which counts duplicated SIRENs) before the join. :func:`aggregate_ess` makes one pass over
the establishments with the checks as aggregates (``count(*) FILTER (WHERE NOT ...)``;
offending rows are only looked up when a count is non-zero); the Luhn check is integer
arithmetic on the SIREN and NIC (see :func:`_siren_luhn_part`); with ``commune_code`` among
the keys, commune codes are checked and repaired on the distinct codes of the grouped result.
Only the grouped result reaches pandas. A ``departements`` / ``communes`` selection is put into
the scan as a superset of the territory: a prefix test on the commune code as read when one
scan of the commune column shows every code has the 5-character shape (Parquet), else a test
that also keeps every code to repair or report; the other columns of a national file are then
decoded for the selected territory only. The join match rate probes the unit file within the
SIREN range of its sample only (row groups pruned on the Parquet statistics of a file sorted by
SIREN, like the INSEE stock). See ``benchmarks/RESULTS.md`` (section "SIRENE at national
scale").

Package layout: :mod:`.schema` (columns, domains, ``SCHEMA_VERSION``), :mod:`.read` (files
as DuckDB relations, integrity), :mod:`.classify` (SQL of the selection, checks and ESS
family), :mod:`.checks` (diagnostics, join match), :mod:`.aggregate` (public functions).
"""

from __future__ import annotations

from .aggregate import aggregate_ess, load_establishments, load_legal_units
from .schema import (
    AGGREGATE_KEYS,
    ESS_FAMILIES,
    ESS_FAMILY_LABELS,
    ETABLISSEMENT_COLUMNS,
    HEADCOUNT_BANDS,
    OUTPUT_COLUMNS,
    SCHEMA_VERSION,
    UNITE_LEGALE_COLUMNS,
    headcount_bands,
    legal_categories,
    naf_aggregations,
    naf_exclusions,
)

__all__ = [
    "ESS_FAMILIES",
    "ESS_FAMILY_LABELS",
    "ETABLISSEMENT_COLUMNS",
    "UNITE_LEGALE_COLUMNS",
    "OUTPUT_COLUMNS",
    "AGGREGATE_KEYS",
    "HEADCOUNT_BANDS",
    "SCHEMA_VERSION",
    "legal_categories",
    "naf_aggregations",
    "headcount_bands",
    "naf_exclusions",
    "load_establishments",
    "aggregate_ess",
    "load_legal_units",
]
