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
* ``ess_family`` from the legal category, table ``data/nomenclatures/ess_legal_categories.csv``
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

Active establishments: ``etatAdministratifEtablissement == 'A'`` in the current stock.
With ``date=`` (historical approximation from the stock file only): created on or before
the date (empty creation date = created long ago) and either still active or closed after
the date (``dateDebut`` of the current, closed period > date). Limits: the stock holds
only the last period, so an establishment closed, reopened and still open is counted as
open throughout, and the headcount band and legal category are current values, not
values at the date. Use ``StockEtablissementHistorique`` for exact history.

Checks (on the rows selected by the filters only): required columns present (SchemaError
listing the missing ones); SIRET = siren || nic = 14 digits passing the Luhn check, La Poste
SIRETs (SIREN 356000000) passing Luhn or the digit-sum-multiple-of-5 rule, and the file's
``siret`` column equal to siren || nic (``invalid_siret="raise"`` SchemaError, ``"warn"``
keep and warn, ``"drop"`` drop and warn); band codes in the INSEE list (SchemaError);
commune codes of 5 characters. Repairs, with a :class:`~esstools.errors.RepairWarning`
counting them: 4-digit commune codes get their lost leading zero back; integer-typed codes
in Parquet files are zero-padded. Files without a ``nic`` column take the NIC from the SIRET.

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
Only the grouped result reaches pandas. See ``benchmarks/RESULTS.md`` (section "SIRENE
aggregation").
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import duckdb
import pandas as pd

from .. import paths
from .common import check_data_file
from ..errors import (
    EsstoolsWarning,
    InputFileError,
    ParameterError,
    RepairWarning,
    SchemaError,
    check_choice,
)

__all__ = [
    "ESS_FAMILIES",
    "ESS_FAMILY_LABELS",
    "ETABLISSEMENT_COLUMNS",
    "UNITE_LEGALE_COLUMNS",
    "OUTPUT_COLUMNS",
    "AGGREGATE_KEYS",
    "HEADCOUNT_BANDS",
    "legal_categories",
    "naf_aggregations",
    "headcount_bands",
    "naf_exclusions",
    "load_establishments",
    "aggregate_ess",
]

ESS_FAMILIES = ("association", "cooperative", "mutuelle", "fondation", "societe_commerciale_ess", "hors_ess")

ESS_FAMILY_LABELS = {
    "association": "Associations",
    "cooperative": "Coopératives",
    "mutuelle": "Mutuelles",
    "fondation": "Fondations",
    "societe_commerciale_ess": "Sociétés commerciales de l'ESS",
    "hors_ess": "Hors ESS",
}

ETABLISSEMENT_COLUMNS = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
    "trancheEffectifsEtablissement,anneeEffectifsEtablissement,"
    "activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,"
    "etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,"
    "numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,"
    "indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,"
    "libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
    "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,"
    "codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,"
    "codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
    "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
    "coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,"
    "numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,"
    "libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,"
    "libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,"
    "codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,"
    "codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,"
    "etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,"
    "enseigne3Etablissement,denominationUsuelleEtablissement,"
    "activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,"
    "caractereEmployeurEtablissement"
).split(",")

UNITE_LEGALE_COLUMNS = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
    "sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,"
    "prenom3UniteLegale,prenom4UniteLegale,prenomUsuelUniteLegale,pseudonymeUniteLegale,"
    "identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,"
    "anneeEffectifsUniteLegale,dateDernierTraitementUniteLegale,"
    "nombrePeriodesUniteLegale,categorieEntreprise,anneeCategorieEntreprise,dateDebut,"
    "etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,"
    "denominationUniteLegale,denominationUsuelle1UniteLegale,"
    "denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,"
    "categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,"
    "nomenclatureActivitePrincipaleUniteLegale,nicSiegeUniteLegale,"
    "economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,"
    "caractereEmployeurUniteLegale"
).split(",")

OUTPUT_COLUMNS = (
    "siret", "siren", "commune_code", "departement", "naf", "a21", "a38", "legal_category",
    "ess_flag", "ess_family", "headcount_band", "headcount_low", "headcount_high", "headcount_mid",
)

AGGREGATE_KEYS = (
    "commune_code", "departement", "ess_family", "legal_category", "ess_flag", "naf", "a21", "a38",
    "headcount_band",
)

HEADCOUNT_BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")

_ETAB_REQUIRED = (
    "siren", "siret", "codeCommuneEtablissement", "etatAdministratifEtablissement",
    "trancheEffectifsEtablissement", "activitePrincipaleEtablissement",
)
_UL_REQUIRED = ("siren", "categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale")

# zero-padding width of code columns (integer-typed Parquet columns are padded back)
_CODE_WIDTH = {
    "siren": 9, "siret": 14, "nic": 5, "codeCommuneEtablissement": 5, "categorieJuridiqueUniteLegale": 4,
    "trancheEffectifsEtablissement": 2,
}
_NAFV2_NAMES = ("NAFREV2", "NAFV2")
_DEP_RE = re.compile(r"^(?:\d{2}|2[AB]|97\d)$")
_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_INVALID_SIRET = ("raise", "warn", "drop")


# --------------------------------------------------------------------------------------
# Reference tables
# --------------------------------------------------------------------------------------
def _nomenclature(name: str) -> pd.DataFrame:
    path = paths.data_dir() / "nomenclatures" / name
    if not path.exists():
        raise InputFileError(f"Reference table '{path}' is missing; it is part of the esstools repository.")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _legal_categories_cached() -> pd.DataFrame:
    df = _nomenclature("ess_legal_categories.csv")
    df["commercial_company"] = df["commercial_company"].str.lower().eq("true")
    return df


def legal_categories() -> pd.DataFrame:
    """Legal category → ESS family table (Insee nomenclature, statistical ESS perimeter).

    Columns: ``categorie_juridique`` (4-char code), ``libelle``, ``ess_family``,
    ``commercial_company`` (bool: ESS commercial company when the unit's ESS flag is 'O'),
    ``source``, ``note`` (uncertain classifications are explained there).
    """
    return _legal_categories_cached().copy()


@functools.lru_cache(maxsize=None)
def _naf_cached() -> pd.DataFrame:
    return _nomenclature("naf_a21_a38.csv")


def naf_aggregations() -> pd.DataFrame:
    """NAF rév. 2 division (2 digits) → A21 section letter and A38 code, with French labels."""
    return _naf_cached().copy()


@functools.lru_cache(maxsize=None)
def _bands_cached() -> pd.DataFrame:
    df = _nomenclature("tranches_effectifs.csv")
    for col in ("headcount_low", "headcount_high"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    df["headcount_mid"] = pd.to_numeric(df["headcount_mid"]).astype("float64")
    return df


def headcount_bands() -> pd.DataFrame:
    """INSEE employee-size bands: ``tranche``, ``libelle``, ``headcount_low``/``high``/``mid``."""
    return _bands_cached().copy()


@functools.lru_cache(maxsize=None)
def _exclusions_cached() -> pd.DataFrame:
    return _nomenclature("ess_naf_exclusions.csv")


def naf_exclusions() -> pd.DataFrame:
    """NAF activities excluded from the statistical ESS perimeter (``naf_prefix``, ``libelle``, ``source``)."""
    return _exclusions_cached().copy()


# --------------------------------------------------------------------------------------
# Sources (CSV, zipped CSV, Parquet) as DuckDB relations
# --------------------------------------------------------------------------------------
def _sql_str(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class _Source:
    path: Path  # the file the user gave
    kind: str  # "csv" or "parquet"
    read_path: Path
    columns: dict[str, str] = field(default_factory=dict)  # name -> "text" | "int" | "date" | "other"
    delimiter: str = ","
    encoding: str = "utf-8"
    skip_bom: bool = False

    def relation(self, row_numbers: bool = False) -> str:
        p = _sql_str(str(self.read_path))
        if self.kind == "parquet":
            return f"read_parquet({p}" + (", file_row_number=true)" if row_numbers else ")")
        enc = "latin-1" if self.encoding != "utf-8" else "utf-8"
        cols = ", ".join(f"{_sql_str(c)}: 'VARCHAR'" for c in self.columns)
        return (
            f"read_csv({p}, delim={_sql_str(self.delimiter)}, header=true, quote='\"', escape='\"', "
            f"encoding={_sql_str(enc)}, auto_detect=false, columns={{{cols}}}, null_padding=false)"
        )

    def row_number_expr(self) -> str:
        # file line / record number as a spreadsheet user counts it (header = row 1)
        return "file_row_number + 2" if self.kind == "parquet" else "row_number() OVER () + 1"


def _open_source(path, role: str, stack: ExitStack, con: duckdb.DuckDBPyConnection | None = None) -> _Source:
    """Inspect ``path`` (format, encoding, separator, header) without loading it."""
    p = Path(path)
    check_data_file(p, f"SIRENE {role} file", "a CSV, zipped CSV or Parquet file")
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1" or p.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(p, role, con)
    if head.startswith(b"PK\x03\x04") or p.suffix.lower() == ".zip":
        return _open_zip(p, role, stack)
    return _open_csv(p, p, role)


_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
              "UBIGINT", "UHUGEINT")


def _open_parquet(p: Path, role: str, con: duckdb.DuckDBPyConnection | None = None) -> _Source:
    # The footer is read by DuckDB itself (importing pyarrow.parquet would cost ~0.15 s per
    # process), on the caller's connection when given (a new DuckDB instance costs ~20 ms).
    try:
        with ExitStack() as own:
            if con is None:
                con = own.enter_context(duckdb.connect())
            schema = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_str(str(p))})").fetchall()
    except duckdb.Error as exc:  # "No magic bytes found at end of file" for truncated files
        detail = str(exc).strip().splitlines()[0]
        raise InputFileError(
            f"SIRENE {role} file '{p}' cannot be read as Parquet (truncated or corrupt file: {detail}). "
            "Download it again (esstools fetch) or check the copy."
        ) from exc
    cols: dict[str, str] = {}
    for name, dtype, *_ in schema:
        dtype = str(dtype).upper()
        if dtype in _INT_TYPES:
            kind = "int"
        elif dtype == "VARCHAR":
            kind = "text"
        elif dtype == "DATE" or dtype.startswith("TIMESTAMP"):
            kind = "date"
        else:
            kind = "other"
        cols[name] = kind
    return _Source(path=p, kind="parquet", read_path=p, columns=cols)


def _open_zip(p: Path, role: str, stack: ExitStack) -> _Source:
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"SIRENE {role} file '{p}' is not a readable zip archive ({exc}).") from exc
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt"))]
        if len(members) != 1:
            names = ", ".join(m.filename for m in zf.infolist()) or "(none)"
            raise InputFileError(
                f"SIRENE {role} zip archive '{p}' must contain exactly one CSV file; it contains: {names}."
            )
        tmpdir = Path(tempfile.mkdtemp(prefix="esstools-sirene-"))
        stack.callback(shutil.rmtree, tmpdir, True)
        target = tmpdir / Path(members[0].filename).name
        try:
            with zf.open(members[0]) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, length=16 * 1024 * 1024)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputFileError(
                f"SIRENE {role} zip archive '{p}' is truncated or corrupt: member "
                f"'{members[0].filename}' cannot be extracted ({exc})."
            ) from exc
    return _open_csv(target, p, role)


def _open_csv(read_path: Path, shown: Path, role: str) -> _Source:
    from .common import sniff_separator

    with open(read_path, "rb") as fh:
        sample = fh.read(1 << 16)
    if not sample.strip():
        raise InputFileError(f"SIRENE {role} file '{shown}' is empty.")
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in sample[:1000]:
        raise InputFileError(
            f"SIRENE {role} file '{shown}' is encoded in UTF-16 (NUL bytes found); "
            "expected UTF-8 (INSEE stock files) or Windows-1252/Latin-1. Re-save it as UTF-8 CSV."
        )
    skip_bom = sample.startswith(b"\xef\xbb\xbf")
    body = sample[3:] if skip_bom else sample
    # trim a possibly cut multi-byte character at the end of the sample
    import codecs

    try:
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
        warnings.warn(
            f"SIRENE {role} file '{shown}' is not UTF-8; it is read as Latin-1/Windows-1252 "
            "(INSEE publishes UTF-8: codes are unaffected, labels may differ for € and typographic quotes).",
            EsstoolsWarning,
            stacklevel=4,
        )
    text = body.decode("utf-8" if encoding == "utf-8" else "latin-1", errors="ignore")
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    sep = sniff_separator(header_line) or ","
    names = [h.strip().strip('"').strip().lstrip("\ufeff") for h in header_line.split(sep)]
    data_lines = [ln for ln in lines[1:] if ln.strip()]
    if not data_lines and len(sample) < (1 << 16):
        raise InputFileError(
            f"SIRENE {role} file '{shown}' contains a header line but no data rows."
        )
    src = _Source(path=shown, kind="csv", read_path=read_path, columns={n: "text" for n in names},
                  delimiter=sep, encoding=encoding, skip_bom=skip_bom)
    return src


def _require(src: _Source, required: Iterable[str], role: str, hint: str) -> None:
    missing = [c for c in required if c not in src.columns]
    if missing:
        found = ", ".join(list(src.columns)[:8]) + (", ..." if len(src.columns) > 8 else "")
        raise SchemaError(
            f"SIRENE {role} file '{src.path}' lacks required column(s) {', '.join(repr(m) for m in missing)} "
            f"(found: {found}); expected the INSEE {hint} header"
            + (" (separator detected: " + repr(src.delimiter) + ")" if src.kind == "csv" else "")
            + ".",
            path=str(src.path),
            column=missing[0],
            expected=f"INSEE {hint} columns",
        )


# --------------------------------------------------------------------------------------
# SQL building blocks
# --------------------------------------------------------------------------------------
def _text(src: _Source, col: str) -> str:
    """Cleaned text expression of a source column ('' and '[ND]' → NULL, zero-padded codes)."""
    q = _ident(col)
    kind = src.columns.get(col, "text")
    if kind == "int" and col in _CODE_WIDTH:
        return f"lpad(CAST({q} AS VARCHAR), {_CODE_WIDTH[col]}, '0')"
    if kind == "date":
        return f"strftime(CAST({q} AS DATE), '%Y-%m-%d')"
    if kind == "text" and src.kind == "parquet":
        # INSEE Parquet strings are clean: skip trim (the national file has 40 M rows)
        return f"nullif(nullif({q}, ''), '[ND]')"
    return f"nullif(nullif(trim(CAST({q} AS VARCHAR)), ''), '[ND]')"


def _raw(src: _Source, col: str) -> str:
    """Cheapest expression usable in a WHERE clause (lets DuckDB push the filter into the scan)."""
    if src.kind == "parquet" and src.columns.get(col) in ("text", "int"):
        return _ident(col)
    return _text(src, col)


def _date(src: _Source, col: str) -> str:
    q = _ident(col)
    if src.columns.get(col) == "date":
        return f"CAST({q} AS DATE)"
    return f"TRY_CAST(nullif(trim(CAST({q} AS VARCHAR)), '') AS DATE)"


_D9, _D5 = "[0-9]" * 9, "[0-9]" * 5
LA_POSTE_SIREN = 356000000


def _siren_luhn_part(sn: str) -> str:
    """SQL: Luhn contribution (mod 10) of a SIREN held in BIGINT ``sn`` once followed by a 5-digit NIC.

    The SIREN digits sit at positions 5..13 from the right of the SIRET, so its last digit is
    doubled. With q_j = sn // 10^j, digit d_j = q_j mod 10 and, because 2d + [d >= 5] is the
    doubled digit's contribution mod 10 and floor(11 q / 5) = 2 q + floor(q / 5) = 2 q + 2 q_(j+1)
    + [d_j >= 5], the contribution is  sum_(j even) floor(11 q_j / 5) - sum_(j odd) q_j  (mod 10):
    26 vectorised integer operations, no digit extraction or doubling (checked against a
    digit-wise Luhn in the tests).
    """
    q = [sn] + [f"({sn} // {10 ** j})" for j in range(1, 9)]
    return ("(" + " + ".join(f"(11 * {q[j]}) // 5" for j in range(0, 9, 2)) + " - "
            + " - ".join(q[j] for j in range(1, 9, 2)) + ")")


def _nic_luhn_part(nn: str) -> str:
    """SQL: Luhn contribution (mod 10) of the 5-digit NIC held in integer ``nn`` (last SIRET digits)."""
    return f"({nn} - {nn} // 100 - {nn} // 10000 + (11 * ({nn} // 10)) // 5 + (11 * ({nn} // 1000)) // 5)"


def _id_ok_expr(siret_col: str | None) -> str:
    """SQL over columns siren, nic, _sn (BIGINT), _nn (INTEGER) [and ``siret_col``]: the SIRET
    siren || nic is 14 digits and passes the Luhn check or, for La Poste (SIREN 356000000),
    has a digit sum multiple of 5. With ``siret_col`` the file's siret must also equal
    siren || nic. NULL-safe (NULL -> false); the La Poste rule is only evaluated on the rows
    failing Luhn."""
    luhn = f"({_siren_luhn_part('_sn')} + {_nic_luhn_part('_nn')}) % 10 = 0"
    # digit sum of 356000000 is 14; the NIC's digit sum is the sum of its five digits
    la_poste = "(14 + " + " + ".join(f"(_nn // {10 ** k}) % 10" for k in range(5)) + ") % 5 = 0"
    same = f" AND {siret_col} = siren || nic" if siret_col else ""
    return (f"coalesce(siren GLOB '{_D9}' AND nic GLOB '{_D5}'{same} AND "
            f"CASE WHEN {luhn} THEN true WHEN _sn = {LA_POSTE_SIREN} THEN {la_poste} ELSE false END, false)")


def _connect(threads: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    tmp = Path(tempfile.gettempdir()) / f"esstools-duckdb-{os.getpid()}"
    config = {
        "threads": int(threads or os.cpu_count() or 1),
        "preserve_insertion_order": False,
        "temp_directory": str(tmp),
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    try:  # nothing on stderr (notebooks stay clean)
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        # In a Jupyter kernel without ipywidgets DuckDB refuses to touch the setting;
        # it then has no progress bar to show anyway.
        pass
    con.register("_cj_map", _legal_categories_cached()[["categorie_juridique", "ess_family", "commercial_company"]])
    bands = _bands_cached()[["tranche", "headcount_low", "headcount_high", "headcount_mid"]]
    con.register("_bands", bands)
    # float copy for the sums of aggregate_ess: DuckDB sums BIGINT into HUGEINT accumulators,
    # ~10 % of the whole aggregation; band bounds are integers < 2^53, so float sums are exact
    con.register("_bands_f", bands.astype({"headcount_low": "float64", "headcount_high": "float64"}))
    con.register("_naf", _naf_cached()[["naf_division", "a21", "a38"]])
    return con


def _check_filters(departements, communes) -> tuple[list[str] | None, list[str] | None]:
    def as_list(name, value, regex, example):
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        out = []
        for v in value:
            s = str(v).strip().upper()
            if not regex.match(s):
                raise ParameterError(
                    f"Invalid {name} code {v!r}; expected codes such as {example} (strings with leading zeros)."
                )
            out.append(s)
        if not out:
            raise ParameterError(f"Parameter '{name}' is an empty list; pass None to keep all {name}s.")
        return sorted(set(out))

    return (
        as_list("departement", departements, _DEP_RE, "'93', '2A' or '974'"),
        as_list("commune", communes, _COMMUNE_RE, "'93066' or '2A004'"),
    )


def _parse_date(date) -> _dt.date | None:
    if date is None:
        return None
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    try:
        return _dt.date.fromisoformat(str(date))
    except ValueError as exc:
        raise ParameterError(f"Invalid date {date!r}; expected 'YYYY-MM-DD'.") from exc


@dataclass
class _Plan:
    """SQL of the selected establishments with cleaned columns and check flags."""

    etab: _Source
    ul: _Source
    select_sql: str  # SELECT ... FROM etab WHERE filters (one row per selected establishment)
    rn_sql: str  # same with a row-number column "_rn", for error messages
    family_sql: str = ""  # ESS family CASE over e (establishment), u (unit), m (category map)
    siret_checked: bool = True  # the file's siret column is read and compared with siren || nic


def _nafv2_sql(has_nom: bool, prefix: str = "") -> str:
    """SQL: the activity code is a NAF rév. 2 code (nomenclature column, else the code's shape).
    The nomenclature is normalised here, not in the scan, so that it is only computed on the
    rows that need it (ESS rows in the family CASE, rows whose A21/A38 is asked for)."""
    naf, nom = prefix + "naf", prefix + "nom"
    shape = f"{naf} GLOB '[0-9][0-9].[0-9][0-9][A-Z]'"
    if not has_nom:
        return f"({shape})"
    return f"(upper(replace({nom}, ' ', '')) IN {tuple(_NAFV2_NAMES)!r} OR ({nom} IS NULL AND {shape}))"


def _etab_plan(etab: _Source, ul: _Source, *, date, departements, communes, employer_only, naf_exclusions_on,
               check_siret_column: bool = True) -> _Plan:
    """SQL of the selected establishments. ``check_siret_column``: read the 14-character
    ``siret`` column and require siret = siren || nic (always done when there is no ``nic``
    column: the NIC is then taken from the SIRET)."""
    need = list(_ETAB_REQUIRED)
    if employer_only:
        need.append("caractereEmployeurEtablissement")
    if date is not None:
        need += ["dateCreationEtablissement", "dateDebut"]
    _require(etab, need, "establishments", "StockEtablissement")
    _require(ul, _UL_REQUIRED, "legal units", "StockUniteLegale")
    deps, coms = _check_filters(departements, communes)
    d = _parse_date(date)

    upper = (lambda x: f"upper({x})") if etab.kind == "csv" else (lambda x: x)
    has_nom = "nomenclatureActivitePrincipaleEtablissement" in etab.columns
    has_nic = "nic" in etab.columns
    check_siret = check_siret_column or not has_nic

    def level1(read_siret: bool) -> list[str]:
        # the needed columns, lightly cleaned, filtered in the scan
        cols = [f"{_text(etab, 'siren')} AS siren"]
        if read_siret:
            cols.append(f"{_text(etab, 'siret')} AS siret_file")
        if has_nic:
            cols.append(f"{_text(etab, 'nic')} AS nic")
        cols += [
            f"{upper(_text(etab, 'codeCommuneEtablissement'))} AS raw_commune",
            f"{_text(etab, 'trancheEffectifsEtablissement')} AS raw_band",
            f"{upper(_text(etab, 'activitePrincipaleEtablissement'))} AS naf",
            (f"{_text(etab, 'nomenclatureActivitePrincipaleEtablissement')} AS nom"
             if has_nom else "CAST(NULL AS VARCHAR) AS nom"),
        ]
        return cols

    etat = _raw(etab, "etatAdministratifEtablissement")
    where = []
    if d is None:
        where.append(f"{etat} = 'A'")
    else:
        created = _date(etab, "dateCreationEtablissement")
        debut = _date(etab, "dateDebut")
        ds = _sql_str(d.isoformat())
        where.append(f"({created} IS NULL OR {created} <= DATE {ds})")
        where.append(f"({etat} = 'A' OR ({etat} = 'F' AND {debut} > DATE {ds}))")
    if employer_only:
        where.append(f"{_raw(etab, 'caractereEmployeurEtablissement')} = 'O'")
    where_sql = " AND ".join(where) if where else "true"

    # level 2: NIC (from the SIRET when the file has no nic column); a 4-character commune
    # code lost its leading zero (départements 01-09); a non-numeric one is caught by
    # bad_commune below after padding
    rep_cols = "*, coalesce(length(raw_commune) = 4, false) AS repaired_commune"
    if not has_nic:
        rep_cols += ", CASE WHEN strlen(siret_file) = 14 THEN right(siret_file, 5) END AS nic"
    # level 3: repaired commune code, numeric SIREN and NIC for the Luhn arithmetic
    mid_cols = (
        "*, CASE WHEN repaired_commune THEN '0' || raw_commune ELSE raw_commune END AS commune_code, "
        "TRY_CAST(siren AS BIGINT) AS _sn, TRY_CAST(nic AS INTEGER) AS _nn"
    )
    naf_excluded = _naf_excluded_sql(naf_exclusions_on, has_nom, "")
    dep_expr = "(CASE WHEN starts_with(commune_code, '97') THEN left(commune_code, 3) ELSE left(commune_code, 2) END)"
    geo = []
    if deps:
        geo.append(f"{dep_expr} IN ({', '.join(_sql_str(x) for x in deps)})")
    if coms:
        geo.append(f"commune_code IN ({', '.join(_sql_str(x) for x in coms)})")
    geo_sql = ("WHERE " + " OR ".join(geo)) if geo else ""
    # a scalar test (an IN list would become a join, which DuckDB does not prune when unused)
    band_re = "|".join(HEADCOUNT_BANDS)

    def outer_cols(read_siret: bool) -> str:
        shown = "siret_file" if read_siret else "siren || nic"
        return f"""
        {shown} AS siret, siren, nic, commune_code, {dep_expr} AS departement, naf,
        CASE WHEN {_nafv2_sql(has_nom)} THEN left(naf, 2) END AS naf_division,
        raw_band AS headcount_band, {naf_excluded} AS naf_excluded,
        {_id_ok_expr("siret_file" if check_siret else None)} AS id_ok,
        (raw_band IS NOT NULL AND NOT regexp_full_match(raw_band, '{band_re}')) AS bad_band,
        (raw_commune IS NOT NULL AND NOT (commune_code GLOB '[0-9][0-9][0-9][0-9][0-9]'
            OR commune_code GLOB '2[AB][0-9][0-9][0-9]')) AS bad_commune,
        repaired_commune, nom,
        raw_commune, raw_band
    """

    def select(rn: bool) -> str:
        # error details always show the file's siret (when it has one), whatever was checked
        read_siret = check_siret or (rn and "siret" in etab.columns)
        inner = ", ".join(level1(read_siret))
        if rn:  # row numbers are taken before filtering, so they are file rows
            scan = (f"SELECT _rn, {inner} FROM (SELECT {etab.row_number_expr()} AS _rn, * "
                    f"FROM {etab.relation(row_numbers=True)}) WHERE {where_sql}")
        else:
            scan = f"SELECT {inner} FROM {etab.relation()} WHERE {where_sql}"
        mid = f"SELECT {mid_cols} FROM (SELECT {rep_cols} FROM ({scan})) {geo_sql}"
        return (f"SELECT *, NOT id_ok AS bad_siret "
                f"FROM (SELECT {'_rn, ' if rn else ''}{outer_cols(read_siret)} FROM ({mid}))")

    return _Plan(etab=etab, ul=ul, select_sql=select(False), rn_sql=select(True),
                 family_sql=_FAMILY_SQL.replace("e.naf_excluded", _naf_excluded_sql(naf_exclusions_on, has_nom, "e.")),
                 siret_checked=check_siret)


def _naf_excluded_sql(on: bool, has_nom: bool, prefix: str) -> str:
    """SQL: NAF rév. 2 activity excluded from the statistical ESS perimeter (columns naf, nom)."""
    excl = _exclusions_cached()["naf_prefix"].tolist()
    if not (on and excl):
        return "false"
    naf = prefix + "naf"
    v2 = _nafv2_sql(has_nom, prefix)
    return "((" + " OR ".join(f"starts_with({naf}, {_sql_str(x)})" for x in excl) + f") AND {v2})"


def _ul_sql(ul: _Source, prefilter: bool = False) -> str:
    """Legal units: siren, legal_category, ess_flag. ``prefilter`` keeps, in the scan itself,
    only units of an ESS legal category or declaring the ESS flag (superset of the ESS units)."""
    siren = _text(ul, "siren")
    cj = _text(ul, "categorieJuridiqueUniteLegale")
    flag = f"upper({_text(ul, 'economieSocialeSolidaireUniteLegale')})"
    where = ""
    if prefilter:
        cjm = _legal_categories_cached()
        codes = cjm.loc[cjm["ess_family"] != "hors_ess", "categorie_juridique"].tolist()
        if ul.columns.get("categorieJuridiqueUniteLegale") == "int":
            in_list = ", ".join(str(int(c)) for c in codes)
        else:
            in_list = ", ".join(_sql_str(c) for c in codes)
        where = (f" WHERE {_raw(ul, 'categorieJuridiqueUniteLegale')} IN ({in_list}) "
                 f"OR {_raw(ul, 'economieSocialeSolidaireUniteLegale')} IN ('O', 'o')")
    return (f"SELECT {siren} AS siren, {cj} AS legal_category, coalesce({flag} = 'O', false) AS ess_flag "
            f"FROM {ul.relation()}{where}")


_FAMILY_SQL = """
    CASE
        WHEN m.ess_family IS NULL THEN 'hors_ess'
        WHEN m.ess_family <> 'hors_ess' AND e.naf_excluded THEN 'hors_ess'
        WHEN m.ess_family <> 'hors_ess' THEN m.ess_family
        WHEN m.commercial_company AND u.ess_flag THEN 'societe_commerciale_ess'
        ELSE 'hors_ess'
    END
"""


def _raise_row_errors(con, plan: _Plan, *, flag: str, column: str, value_col: str, expected: str) -> None:
    con.execute("SET preserve_insertion_order = true")  # row numbers must follow the file order
    rows = con.execute(
        f"SELECT _rn, {value_col} FROM ({plan.rn_sql}) WHERE {flag} ORDER BY _rn LIMIT 5"
    ).fetchall()
    n = con.execute(f"SELECT count(*) FROM ({plan.select_sql}) WHERE {flag}").fetchone()[0]
    raise SchemaError(
        path=str(plan.etab.path),
        column=column,
        rows=[int(r[0]) for r in rows],
        values=[r[1] for r in rows],
        expected=expected + (f" ({n} invalid value(s) among the selected rows)" if n else ""),
    )


_SIRET_EXPECTED = (
    "a 14-digit SIRET starting with the row's SIREN and passing the Luhn check "
    "(La Poste, SIREN 356000000: digit sum multiple of 5)"
)


def _handle_diagnostics(con, plan: _Plan, diag: dict, invalid_siret: str) -> None:
    """Raise or warn according to the per-row check counts of the selected rows."""
    if diag.get("bad_band"):
        _raise_row_errors(con, plan, flag="bad_band", column="trancheEffectifsEtablissement",
                          value_col="raw_band",
                          expected="an INSEE employee-size band code (" + ", ".join(HEADCOUNT_BANDS) + ") or empty")
    if diag.get("bad_commune"):
        _raise_row_errors(con, plan, flag="bad_commune", column="codeCommuneEtablissement",
                          value_col="raw_commune", expected="a 5-character COG commune code such as '93066' or '2A004'")
    n_bad = int(diag.get("bad_siret") or 0)
    if n_bad:
        if invalid_siret == "raise":
            _raise_row_errors(con, plan, flag="bad_siret", column="siret", value_col="siret",
                              expected=_SIRET_EXPECTED + "; pass invalid_siret='warn' or 'drop' to go on")
        verb = "dropped" if invalid_siret == "drop" else "kept"
        warnings.warn(
            f"SIRENE establishments file '{plan.etab.path}' column 'siret': {n_bad} selected row(s) have an invalid "
            f"SIRET (check digit or SIREN prefix); they were {verb} (invalid_siret={invalid_siret!r}).",
            EsstoolsWarning,
            stacklevel=3,
        )
    n_rep = int(diag.get("repaired_commune") or 0)
    if n_rep:
        warnings.warn(
            f"Repaired {n_rep} commune code(s) in file '{plan.etab.path}' column 'codeCommuneEtablissement' "
            "by restoring a lost leading zero (4-digit code -> 5 digits).",
            RepairWarning,
            stacklevel=3,
        )


def _warn_int_codes(*sources: _Source) -> None:
    for src in sources:
        if src.kind != "parquet":
            continue
        ints = [c for c in ("siren", "nic", "siret", "codeCommuneEtablissement") if src.columns.get(c) == "int"]
        if ints:
            warnings.warn(
                f"Parquet file '{src.path}' stores code column(s) {', '.join(ints)} as integers; "
                "they were zero-padded back to fixed-width strings (lost leading zeros repaired).",
                RepairWarning,
                stacklevel=3,
            )


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------
def load_establishments(
    etab_path,
    ul_path,
    *,
    date=None,
    departements: Sequence[str] | str | None = None,
    communes: Sequence[str] | str | None = None,
    ess_only: bool = False,
    employer_only: bool = False,
    invalid_siret: str = "raise",
    naf_exclusions: bool = True,
    threads: int | None = None,
    memory_limit: str | None = "2GB",
) -> pd.DataFrame:
    """Active establishments (one row per SIRET) joined to their legal unit.

    ``departements`` / ``communes`` (codes as strings, e.g. ``["93"]``, ``["93066"]``)
    select establishments located in any of them; ``date`` ('YYYY-MM-DD') approximates
    the establishments active at that date (see module docstring for the limits);
    ``ess_only`` keeps ESS families only; ``employer_only`` keeps
    ``caractereEmployeurEtablissement == 'O'``. Returns the columns of
    :data:`OUTPUT_COLUMNS` (codes as strings; ``headcount_*`` in employees), sorted by SIRET.
    """
    check_choice("invalid_siret", invalid_siret, _INVALID_SIRET)
    with ExitStack() as stack:
        con = _connect(threads, memory_limit)
        stack.callback(con.close)
        etab = _open_source(etab_path, "establishments", stack, con)
        ul = _open_source(ul_path, "legal units", stack, con)
        plan = _etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                          employer_only=employer_only, naf_exclusions_on=naf_exclusions)
        _warn_int_codes(etab, ul)
        try:
            con.execute(f"CREATE TEMP TABLE _sel AS {plan.select_sql}")
            diag = con.execute(
                "SELECT count(*) FILTER (WHERE bad_siret) AS bad_siret, count(*) FILTER (WHERE bad_band) AS bad_band, "
                "count(*) FILTER (WHERE bad_commune) AS bad_commune, "
                "count(*) FILTER (WHERE repaired_commune) AS repaired_commune FROM _sel"
            ).fetchdf().iloc[0].to_dict()
            _handle_diagnostics(con, plan, diag, invalid_siret)
            keep = "WHERE NOT e.bad_siret" if invalid_siret == "drop" else ""
            df = con.execute(
                f"""
                WITH u AS ({_ul_sql(ul)} WHERE {_text(ul, 'siren')} IN (SELECT DISTINCT siren FROM _sel))
                SELECT e.siret, e.siren, e.commune_code, e.departement, e.naf, n.a21, n.a38,
                       u.legal_category, coalesce(u.ess_flag, false) AS ess_flag,
                       {_FAMILY_SQL} AS ess_family,
                       e.headcount_band, b.headcount_low, b.headcount_high, b.headcount_mid,
                       u.siren IS NULL AS _no_unit
                FROM _sel e
                LEFT JOIN u ON u.siren = e.siren
                LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category
                LEFT JOIN _bands b ON b.tranche = e.headcount_band
                LEFT JOIN _naf n ON n.naf_division = e.naf_division
                {keep}
                ORDER BY e.siret
                """
            ).df()
        except duckdb.Error as exc:
            raise InputFileError(
                f"SIRENE files '{etab.path}' / '{ul.path}' could not be read: {exc}"
            ) from exc
    dup = df["siret"].duplicated(keep=False)
    if dup.any():
        dups = df.loc[dup, "siret"]
        # duplicated SIRET or duplicated SIREN in the unit file
        ul_dup = df.loc[dup, "siren"].iloc[0]
        raise SchemaError(
            f"SIRENE files '{etab.path}' / '{ul.path}': SIRET {dups.iloc[0]!r} appears {int((df['siret'] == dups.iloc[0]).sum())} "
            f"times after the join (duplicated 'siret' in '{etab.path}' or duplicated 'siren' {ul_dup!r} in '{ul.path}'); "
            "expected one row per SIRET and one legal unit per SIREN.",
            path=str(etab.path), column="siret", values=list(dups.unique()[:5]),
            expected="unique SIRET / SIREN keys",
        )
    n_missing = int(df["_no_unit"].sum())
    if n_missing:
        warnings.warn(
            f"{n_missing} selected establishment(s) of '{etab.path}' have no legal unit in '{ul.path}' "
            f"(e.g. SIREN {df.loc[df['_no_unit'], 'siren'].iloc[0]!r}); they are classified 'hors_ess'.",
            EsstoolsWarning,
            stacklevel=2,
        )
    df = df.drop(columns="_no_unit")
    if ess_only:
        df = df[df["ess_family"] != "hors_ess"]
    return _finish(df.reset_index(drop=True))


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in ("siret", "siren", "commune_code", "departement", "naf", "a21", "a38", "legal_category",
                        "ess_family", "headcount_band") if c in df.columns]
    for c in text:
        df[c] = df[c].astype("string")
    if "ess_flag" in df.columns:
        df["ess_flag"] = df["ess_flag"].astype(bool)
    for c in ("headcount_low", "headcount_high", "employees_low", "employees_high"):
        if c in df.columns:
            df[c] = pd.array(df[c], dtype="Int64")
    for c in ("headcount_mid", "employees_est"):
        if c in df.columns:
            df[c] = df[c].astype("float64")
    for c in ("establishments", "establishments_unknown_band"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    return df


def aggregate_ess(
    etab_path,
    ul_path,
    *,
    by: Sequence[str] = ("commune_code", "ess_family"),
    departements: Sequence[str] | str | None = None,
    communes: Sequence[str] | str | None = None,
    date=None,
    employer_only: bool = True,
    invalid_siret: str = "raise",
    naf_exclusions: bool = True,
    check_siret_column: bool | None = None,
    threads: int | None = None,
    memory_limit: str | None = "1GB",
) -> pd.DataFrame:
    """Establishments and estimated employees by ``by`` keys, computed out of core in DuckDB.

    ``by`` is any subset of :data:`AGGREGATE_KEYS`. Output columns: the keys, then
    ``establishments`` (count), ``employees_est`` (sum of band midpoints, employees),
    ``employees_low`` and ``employees_high`` (sums of band bounds; ``employees_high`` is
    NA when the group holds an establishment of the open band 53; establishments with an
    empty band add 0 to the three sums) and
    ``establishments_unknown_band`` (establishments with an empty band, left out of the
    employee sums). Filters and checks as in :func:`load_establishments`; no
    establishment-level row ever reaches pandas.

    The SIRET of every selected establishment is validated as siren || nic (14 digits, Luhn,
    La Poste rule). ``check_siret_column``: also read the file's 14-character ``siret`` column
    and require siret = siren || nic on every selected row. Default (None): done for CSV and
    zip files; for Parquet files, where reading ``siret`` costs ~15 % of the run time and the
    aggregation never uses it, the column is screened on the Parquet row-group statistics
    (min/max SIRET must start with min/max SIREN) and the row-by-row check only runs when the
    screening fails (see "Checks" in the module docstring).
    """
    check_choice("invalid_siret", invalid_siret, _INVALID_SIRET)
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ParameterError("Parameter 'by' is empty; give at least one of: " + ", ".join(AGGREGATE_KEYS) + ".")
    for key in by:
        check_choice("by", key, AGGREGATE_KEYS)
    if len(set(by)) != len(by):
        raise ParameterError(f"Parameter 'by' repeats a key: {by!r}.")
    check_choice("check_siret_column", check_siret_column, (None, True, False))
    with ExitStack() as stack:
        con = _connect(threads, memory_limit)
        stack.callback(con.close)
        etab = _open_source(etab_path, "establishments", stack, con)
        ul = _open_source(ul_path, "legal units", stack, con)
        full_siret = check_siret_column if check_siret_column is not None else etab.kind != "parquet"
        plan = _etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                          employer_only=employer_only, naf_exclusions_on=naf_exclusions,
                          check_siret_column=full_siret)
        _warn_int_codes(etab, ul)
        full_join = bool({"legal_category", "ess_flag"} & set(by))
        try:
            if not plan.siret_checked and not _siret_statistics_agree(con, etab):
                # the cheap screening failed: check siret = siren || nic on every row instead
                # (errors then name the rows and follow ``invalid_siret``)
                plan = _etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                                  employer_only=employer_only, naf_exclusions_on=naf_exclusions,
                                  check_siret_column=True)
            if full_join:
                u_table = f"({_ul_sql(ul)})"
            else:
                # Only legal units that can be ESS are needed (a few % of the national file):
                # the join's hash table stays small. Grouping them by SIREN in the same pass
                # counts duplicated SIRENs for free.
                con.execute(
                    "CREATE TEMP TABLE _u AS SELECT siren, any_value(legal_category) AS legal_category, "
                    f"bool_or(ess_flag) AS ess_flag, count(*) AS _rows FROM ({_ul_sql(ul, prefilter=True)}) u0 "
                    "JOIN _cj_map m ON m.categorie_juridique = u0.legal_category "
                    "WHERE m.ess_family <> 'hors_ess' OR (m.commercial_company AND u0.ess_flag) GROUP BY siren"
                )
                _check_unique_units(con, ul)
                u_table = "_u"
            df = con.execute(_aggregate_sql(plan, by, u_table, drop=invalid_siret == "drop")).df()
            if int(df["_bad"].sum()) or int(df["_repaired"].sum()):
                # only now are the per-check counts and offending rows computed
                diag = con.execute(
                    "SELECT count(*) FILTER (WHERE bad_siret) AS bad_siret, count(*) FILTER (WHERE bad_band) AS bad_band, "
                    "count(*) FILTER (WHERE bad_commune) AS bad_commune, "
                    f"count(*) FILTER (WHERE repaired_commune) AS repaired_commune FROM ({plan.select_sql})"
                ).fetchdf().iloc[0].to_dict()
                _handle_diagnostics(con, plan, diag, invalid_siret)
        except duckdb.Error as exc:
            raise InputFileError(f"SIRENE files '{etab.path}' / '{ul.path}' could not be read: {exc}") from exc
    # rows are already filtered (establishments > 0) and sorted by the keys, NULLs last, in SQL
    df = df.drop(columns=[c for c in df.columns if c.startswith("_")])
    if invalid_siret == "drop":  # groups made only of dropped rows were kept for the counts
        df = df[df["establishments"] > 0]
    return _finish(df.reset_index(drop=True))


def _aggregate_sql(plan: _Plan, by: list[str], u_table: str, drop: bool) -> str:
    """One pass over the establishments: GROUP BY with the checks as aggregates.

    Inner level (one row per establishment read): the ``by`` keys, except that when
    ``commune_code`` is a key the raw commune code is grouped on, and the commune checks
    (format, lost leading zero) are done on the ~35 000 distinct codes of the outer level
    instead of on every row. ``_bad`` counts the rows failing a check (invalid SIRET, unknown
    band code, malformed commune code); ``_repaired`` the 4-digit commune codes.
    With ``drop`` the SIRET validity is an inner key and invalid rows are left out of the
    outer sums (but still counted in ``_bad``).
    """
    commune_on_keys = "commune_code" in by
    key_sql = {
        "commune_code": "e.raw_commune", "departement": "e.departement", "ess_family": plan.family_sql,
        "legal_category": "u.legal_category", "ess_flag": "coalesce(u.ess_flag, false)", "naf": "e.naf",
        "a21": "n.a21", "a38": "n.a38", "headcount_band": "e.headcount_band",
    }
    naf_join = "LEFT JOIN _naf n ON n.naf_division = e.naf_division" if {"a21", "a38"} & set(by) else ""
    inner_keys = [f"{key_sql[k]} AS {'_raw_commune' if k == 'commune_code' else k}" for k in by]
    if drop:
        inner_keys.append("e.id_ok AS _id_ok")
    bad = ["NOT e.id_ok", "(e.headcount_band IS NOT NULL AND b.tranche IS NULL)"]
    repaired = ""
    if not commune_on_keys:
        bad.append("e.bad_commune")
        repaired = ", count(*) FILTER (WHERE e.repaired_commune) AS _repaired"
    inner = f"""
        SELECT {", ".join(inner_keys)},
               count(*) AS _n, sum(b.headcount_mid) AS _mid, sum(b.headcount_low) AS _low,
               sum(b.headcount_high) AS _high, count(b.headcount_low) AS _n_low,
               count(b.headcount_high) AS _n_high,
               count(*) FILTER (WHERE {" OR ".join(bad)}) AS _bad{repaired}
        FROM ({plan.select_sql}) e
        LEFT JOIN {u_table} u ON u.siren = e.siren
        LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category
        LEFT JOIN _bands_f b ON b.tranche = e.headcount_band
        {naf_join}
        GROUP BY ALL
    """
    if commune_on_keys:
        fix = ("*, CASE WHEN length(_raw_commune) = 4 THEN '0' || _raw_commune ELSE _raw_commune END AS commune_code")
        bad_commune = ("(_raw_commune IS NOT NULL AND NOT (commune_code GLOB '[0-9][0-9][0-9][0-9][0-9]' "
                       "OR commune_code GLOB '2[AB][0-9][0-9][0-9]'))")
        checks = (f"sum(_bad) + coalesce(sum(_n) FILTER (WHERE {bad_commune}), 0) AS _bad, "
                  "coalesce(sum(_n) FILTER (WHERE length(_raw_commune) = 4), 0) AS _repaired")
    else:
        fix = "*"
        checks = "sum(_bad) AS _bad, sum(_repaired) AS _repaired"
    keep = " FILTER (WHERE _id_ok)" if drop else ""
    return f"""
        SELECT {", ".join(by)},
               coalesce(sum(_n){keep}, 0) AS establishments,
               coalesce(sum(_mid){keep}, 0) AS employees_est,
               coalesce(sum(_low){keep}, 0) AS employees_low,
               CASE WHEN coalesce(sum(_n_low){keep}, 0) > coalesce(sum(_n_high){keep}, 0) THEN NULL
                    ELSE coalesce(sum(_high){keep}, 0) END AS employees_high,
               coalesce(sum(_n){keep}, 0) - coalesce(sum(_n_low){keep}, 0) AS establishments_unknown_band,
               {checks}
        FROM (SELECT {fix} FROM ({inner}))
        GROUP BY {", ".join(by)}
        HAVING coalesce(sum(_n){keep}, 0) > 0 OR sum(_bad) > 0
        ORDER BY {", ".join(f"{k} ASC NULLS LAST" for k in by)}
    """


def _check_unique_units(con, ul: _Source) -> None:
    """SchemaError when an ESS legal unit appears twice in the unit file (``_u`` holds the row
    count of each SIREN)."""
    dup = con.execute(
        "SELECT siren, _rows FROM _u WHERE _rows > 1 ORDER BY siren LIMIT 5"
    ).fetchall()
    if dup:
        n = con.execute("SELECT sum(_rows - 1) FROM _u WHERE _rows > 1").fetchone()[0]
        raise SchemaError(
            f"SIRENE legal units file '{ul.path}' column 'siren': {n} duplicated SIREN row(s), e.g. "
            + ", ".join(f"{r[0]!r} ({r[1]} rows)" for r in dup)
            + "; expected one row per SIREN.",
            path=str(ul.path), column="siren", values=[r[0] for r in dup], expected="unique SIREN",
        )


def _siret_statistics_agree(con, etab: _Source) -> bool:
    """Parquet: does the ``siret`` column agree with ``siren`` on the row-group statistics?

    If siret = siren || nic on every row (SIRENs of 9 characters), each row group's min (max)
    SIRET starts with its min (max) SIREN and is 14 characters long. This reads the Parquet
    footer only: it catches swapped, shifted or re-coded columns, not an isolated wrong SIRET
    (``check_siret_column=True`` does). Row groups without statistics count as disagreeing.
    """
    try:
        rows = con.execute(
            "SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value "
            f"FROM parquet_metadata({_sql_str(str(etab.read_path))}) WHERE path_in_schema IN ('siren', 'siret')"
        ).fetchall()
    except duckdb.Error:
        return False
    stats: dict[int, dict[str, tuple]] = {}
    for rg, col, lo, hi in rows:
        stats.setdefault(rg, {})[col] = (lo, hi)
    if not stats:
        return False
    for st in stats.values():
        if set(st) != {"siren", "siret"} or any(v is None for pair in st.values() for v in pair):
            return False
        siren_lo, siren_hi = (_pad_stat(v, 9, etab.columns.get("siren")) for v in st["siren"])
        siret_lo, siret_hi = (_pad_stat(v, 14, etab.columns.get("siret")) for v in st["siret"])
        if not (len(siren_lo) == len(siren_hi) == 9 and len(siret_lo) == len(siret_hi) == 14
                and siret_lo.startswith(siren_lo) and siret_hi.startswith(siren_hi)):
            return False
    return True


def _pad_stat(value, width: int, kind: str | None) -> str:
    text = str(value)
    return text.zfill(width) if kind == "int" else text
