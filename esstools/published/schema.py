"""Columns, controlled vocabularies and validation of the published-figures table.

Three committed files, all read through :func:`esstools.loaders.common.read_table` and a
:class:`~esstools.loaders.schema.Schema`, then checked across columns here:

- ``data/reference/published_figures.csv`` — one published figure per row (:data:`COLUMNS`);
- ``data/reference/published_indicators.csv`` — the indicator vocabulary: each indicator fixes
  what it counts (``counts``), of what a share is (``share_of``) and its field (``scope``), so
  that two figures with the same indicator count the same thing;
- ``data/reference/published_vocabulary.csv`` — the controlled values of ``counts``, ``scope``,
  ``producer``, ``year_basis`` and ``qualifier``.

Columns are documented in ``data/reference/published_figures.md``.
"""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import InputFileError, SchemaError
from ..loaders.common import read_table
from ..loaders.schema import Column, Schema

__all__ = [
    "COLUMNS", "LEVELS", "QUALIFIERS", "YEAR_BASES", "EXTRA_ORIGIN", "YEAR_MIN", "YEAR_MAX",
    "table_path", "doc_path", "indicators_path", "vocabulary_path", "renamed_path",
    "TABLE_SCHEMA", "INDICATOR_SCHEMA", "VOCABULARY_SCHEMA", "RENAMED_SCHEMA",
    "read_checked", "indicators", "vocabulary", "renamed", "validate_frame", "validate_table",
]

LEVELS: tuple[str, ...] = ("france", "region", "departement", "ept", "commune", "metropole")
QUALIFIERS: tuple[str, ...] = ("exact", "lower_bound", "approx", "upper_bound")
YEAR_BASES: tuple[str, ...] = ("énoncée", "ligne de source")
EXTRA_ORIGIN = "shared:published_figures_extra"
YEAR_MIN, YEAR_MAX = 1990, 2030

#: Derived from the indicator vocabulary (same value on every row of an indicator).
DEFINITION_COLUMNS: tuple[str, ...] = ("counts", "share_of", "scope")
_TEXT_COLUMNS = ("figure_id", "origin", "territory_level", "territory_code", "territory_name", "indicator",
                 "counts", "share_of", "scope", "year_basis", "unit", "qualifier", "producer", "definition", "notes",
                 "source_document", "source_section", "source_producer", "source_url", "quote")
_INT_COLUMNS = ("year", "period_start", "publication_year")


def _year(name: str, description: str) -> Column:
    return Column(name, "year", nullable=True, min=YEAR_MIN, max=YEAR_MAX, description=description)


TABLE_SCHEMA = Schema("published figures", [
    Column("figure_id", "str", description="stable id <territory>_<indicator>_<year>"),
    Column("origin", "str", description="seed:NNN or shared:published_figures_extra"),
    Column("territory_level", "category", choices=LEVELS),
    Column("territory_code", "str"),
    Column("territory_name", "str", nullable=True),
    Column("indicator", "str", description="indicator of published_indicators.csv"),
    Column("counts", "str", description="what the value counts (vocabulary)"),
    Column("share_of", "str", nullable=True, description="for a share: of what"),
    Column("scope", "str", description="field of the figure (vocabulary)"),
    _year("year", "data reference year"),
    Column("year_basis", "category", nullable=True, choices=YEAR_BASES),
    _year("period_start", "first year of a change"),
    _year("publication_year", "year of publication"),
    Column("value", "float", description="the number as published"),
    Column("unit", "str", description="unit as worded by the source"),
    Column("qualifier", "category", choices=QUALIFIERS),
    Column("producer", "str", description="data producer (vocabulary)"),
    Column("definition", "str", nullable=True),
    Column("notes", "str", nullable=True),
    Column("source_document", "str", description="the title of the source document (never blank)"),
    Column("source_section", "str", nullable=True),
    Column("source_producer", "str", nullable=True),
    Column("source_url", "str", nullable=True),
    Column("quote", "str", nullable=True),
], unique=("figure_id",), source_doc="data/reference/published_figures.md")

COLUMNS: tuple[str, ...] = tuple(TABLE_SCHEMA.names)

INDICATOR_SCHEMA = Schema("published indicators", [
    Column("indicator", "str"), Column("group", "str"), Column("label_fr", "str"), Column("counts", "str"),
    Column("share_of", "str", nullable=True), Column("scope", "str"), Column("definition", "str", nullable=True),
], unique=("indicator",))

VOCABULARY_SCHEMA = Schema("published vocabulary", [
    Column("field", "category", choices=("counts", "scope", "producer", "year_basis", "qualifier")),
    Column("value", "str"), Column("description", "str", nullable=True),
], unique=("field", "value"))

RENAMED_SCHEMA = Schema("renamed published figure ids", [
    Column("old_id", "str"), Column("new_id", "str"), Column("reason", "str"),
], unique=("old_id",))

_CODE_PATTERNS: dict[str, str] = {
    "france": r"FR",
    "region": r"\d{2}",
    "departement": r"(\d{2}|2A|2B|97\d)",
    "ept": r"T\d{1,2}(\+T\d{1,2})*",
    "commune": r"(\d{5}|2[AB]\d{3})(\+(\d{5}|2[AB]\d{3}))*",
    "metropole": r"MGP",
}
_ORIGIN_RE = r"seed:\d{3}|" + re.escape(EXTRA_ORIGIN)
_ID_RE = r"[a-z0-9][a-z0-9_]*"
_NUMBER_RE = r"-?\d+(\.\d+)?"


# --------------------------------------------------------------------------- paths
def table_path() -> Path:
    """The committed table ``data/reference/published_figures.csv``."""
    return paths.reference_dir() / "published_figures.csv"


def doc_path() -> Path:
    """Documentation of the columns and vocabularies, ``published_figures.md``."""
    return paths.reference_dir() / "published_figures.md"


def indicators_path() -> Path:
    """The indicator vocabulary ``published_indicators.csv``."""
    return paths.reference_dir() / "published_indicators.csv"


def vocabulary_path() -> Path:
    """The controlled values ``published_vocabulary.csv``."""
    return paths.reference_dir() / "published_vocabulary.csv"


def renamed_path() -> Path:
    """Ids renamed by an audit: ``published_figures_renamed.csv`` (old_id, new_id, reason)."""
    return paths.reference_dir() / "published_figures_renamed.csv"


# --------------------------------------------------------------------------- reading
def read_checked(path: str | os.PathLike, schema: Schema) -> pd.DataFrame:
    """Read ``path`` with ``read_table`` and validate it with ``schema`` (dot decimals).

    Text columns come back as ``object`` with ``""`` for blank cells; years as ``Int64``;
    numbers as ``float64``. The index is reset (0-based); file line numbers are in error messages.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"File '{p}' does not exist.")
    raw, _ = read_table(p, expected_columns=schema.names)
    _strict_numbers(raw, schema, p)
    df = schema.validate(raw, path=str(p), decimal="dot")
    out = {}
    for c in schema.columns:
        s = df[c.name]
        if c.kind in ("str", "category"):
            out[c.name] = s.astype("object").where(s.notna(), "").astype(object)
        elif c.kind == "year":
            out[c.name] = s.astype("Int64")
        else:
            out[c.name] = s.astype("float64")
    return pd.DataFrame(out).reset_index(drop=True)


def _fail(path, column: str, raw: pd.Series, mask, expected: str) -> None:
    mask = pd.Series(mask, index=raw.index).fillna(False).astype(bool)
    if mask.any():
        raise SchemaError(path=None if path is None else str(path), column=column,
                          rows=[int(i) for i in raw.index[mask]][:20], values=list(raw[mask].head(5)),
                          expected=expected)


def _strict_numbers(raw: pd.DataFrame, schema: Schema, path) -> None:
    """Numbers of the committed tables are machine-written: dot decimal, no separators."""
    for c in schema.columns:
        if c.name not in raw.columns or c.kind not in ("float", "year"):
            continue
        s = raw[c.name]
        filled = s.notna()
        pattern = r"\d{4}" if c.kind == "year" else _NUMBER_RE
        expected = ("a year written with 4 digits, or blank" if c.kind == "year"
                    else "a number with a dot as decimal separator and no thousands separator")
        _fail(path, c.name, s, filled & ~s.fillna("").str.fullmatch(pattern), expected)


@lru_cache(maxsize=8)
def _indicators_cached(path: str, mtime: float) -> pd.DataFrame:
    return read_checked(path, INDICATOR_SCHEMA)


def indicators(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The indicator vocabulary: ``indicator``, ``group``, ``label_fr``, ``counts``, ``share_of``,
    ``scope``, ``definition`` (a fresh copy)."""
    p = Path(path) if path is not None else indicators_path()
    if not p.exists():
        raise InputFileError(f"Indicator vocabulary file '{p}' does not exist.")
    return _indicators_cached(str(p), p.stat().st_mtime).copy()


@lru_cache(maxsize=8)
def _vocabulary_cached(path: str, mtime: float) -> pd.DataFrame:
    return read_checked(path, VOCABULARY_SCHEMA)


def vocabulary(field: str | None = None, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Controlled values (``field``, ``value``, ``description``), all or those of one ``field``."""
    p = Path(path) if path is not None else vocabulary_path()
    if not p.exists():
        raise InputFileError(f"Vocabulary file '{p}' does not exist.")
    voc = _vocabulary_cached(str(p), p.stat().st_mtime)
    return (voc if field is None else voc[voc["field"] == field]).reset_index(drop=True).copy()


def renamed(path: str | os.PathLike | None = None) -> dict[str, str]:
    """Old id -> current id of the rows renamed by an audit (empty when the file is absent)."""
    p = Path(path) if path is not None else renamed_path()
    if not p.exists():
        return {}
    df = read_checked(p, RENAMED_SCHEMA)
    return dict(zip(df["old_id"], df["new_id"]))


# --------------------------------------------------------------------------- cross-column checks
def validate_frame(df: pd.DataFrame, path=None, *, indicators_file=None, vocabulary_file=None,
                   line_offset: int = 2) -> None:
    """Checks a typed table (from :func:`read_checked`) cannot express column by column.

    Rows are reported as file lines (``line_offset`` = line of the first data row).
    """
    idx = pd.RangeIndex(line_offset, line_offset + len(df))
    s = {c: pd.Series(df[c].astype(str).to_numpy(), index=idx) for c in _TEXT_COLUMNS if c in df.columns}

    _fail(path, "figure_id", s["figure_id"], ~s["figure_id"].str.fullmatch(_ID_RE),
          "a non-empty snake_case id ([a-z0-9_])")
    _fail(path, "origin", s["origin"], ~s["origin"].str.fullmatch(_ORIGIN_RE), f"'seed:NNN' or '{EXTRA_ORIGIN}'")
    ok = pd.Series(True, index=idx)
    for level, pattern in _CODE_PATTERNS.items():
        sel = s["territory_level"] == level
        ok[sel] = s["territory_code"][sel].str.fullmatch(pattern)
    _fail(path, "territory_code", s["territory_code"], ~ok.astype(bool),
          "a code matching its level (FR; region '11'; département '93'; EPT 'T8'; commune '93066'; 'MGP')")

    years = {c: pd.Series(df[c].to_numpy(dtype="float64", na_value=math.nan), index=idx) for c in _INT_COLUMNS}
    _fail(path, "period_start", years["period_start"].astype("object"),
          (years["period_start"] > years["year"]).to_numpy(), "a period start not after 'year'")
    _fail(path, "year_basis", s["year_basis"], years["year"].isna() & (s["year_basis"] != ""),
          "blank when 'year' is blank")
    _fail(path, "year_basis", s["year_basis"], years["year"].notna() & (s["year_basis"] == ""),
          "how the data year is known: " + " or ".join(repr(b) for b in YEAR_BASES))

    voc = indicators(indicators_file).set_index("indicator")
    _fail(path, "indicator", s["indicator"], ~s["indicator"].isin(voc.index),
          f"an indicator of the vocabulary '{indicators_file or indicators_path()}'")
    for col in ("counts", "share_of", "scope"):
        want = s["indicator"].map(voc[col])
        _fail(path, col, s[col], s[col] != want,
              f"the {col} of the row's indicator in '{indicators_file or indicators_path()}'")

    values = vocabulary(path=vocabulary_file)
    allowed = {f: set(values.loc[values["field"] == f, "value"]) for f in ("counts", "scope", "producer")}
    bad_ind = ~voc["counts"].isin(allowed["counts"]) | ~voc["scope"].isin(allowed["scope"])
    if bad_ind.any():
        raise SchemaError(f"Indicator vocabulary '{indicators_file or indicators_path()}' uses counts/scope "
                          f"values absent from '{vocabulary_file or vocabulary_path()}': "
                          f"{sorted(voc.index[bad_ind])[:5]}.", column="counts")
    prod_ok = s["producer"].map(lambda p: all(part in allowed["producer"] for part in p.split(" + ")))
    _fail(path, "producer", s["producer"], ~prod_ok.astype(bool),
          "a producer of the vocabulary (several joined with ' + ')")

    seed = s["origin"].str.startswith("seed:")
    _fail(path, "quote", s["quote"], seed & (s["quote"].str.strip() == ""),
          "the verbatim French passage for every seed-origin row")


def validate_table(path: str | os.PathLike | None = None, indicators_file=None, vocabulary_file=None) -> pd.DataFrame:
    """Check the table against its schema and vocabularies and return it typed.

    Column checks (:data:`TABLE_SCHEMA`): every documented column present; ``figure_id``
    unique; ``territory_level``, ``qualifier``, ``year_basis`` allowed; ``value`` a number
    with a dot decimal; years in 1990..2030 or blank; ``source_document`` never blank.
    Cross-column checks (:func:`validate_frame`): id and origin patterns; code matching its
    level; period start not after year; ``year_basis`` filled exactly when ``year`` is;
    ``indicator`` in the vocabulary and ``counts``/``share_of``/``scope`` equal to the
    indicator's; ``producer`` in the vocabulary; seed rows carry a ``quote``.

    Raises :class:`~esstools.errors.SchemaError` naming the file, column, rows (header = row 1)
    and offending values.
    """
    p = Path(path) if path is not None else table_path()
    df = read_checked(p, TABLE_SCHEMA)
    validate_frame(df, str(p), indicators_file=indicators_file, vocabulary_file=vocabulary_file)
    return df
