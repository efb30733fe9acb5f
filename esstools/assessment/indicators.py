"""The roadmap's quantified statements (``data/roadmap/indicators.csv``) and their reading notes.

:func:`load_indicators` reads ``indicators.csv`` plus any evaluator files (``extra_paths``)
through :func:`esstools.loaders.common.read_table` and the :data:`INDICATORS_SCHEMA`
(:class:`esstools.loaders.schema.Schema`), then checks what a schema cannot: identifiers
unique across files, nodes that exist in the roadmap, target fields consistent with the row
kind, one node / unit / measure per series, one value per series, kind and year. Every error
is a :class:`~esstools.errors.SchemaError` naming the file, the row (header = row 1), the
column and the value.

:func:`load_indicator_notes` reads ``indicator_notes.csv``: for each series, what it counts
(``definition``) and why it documents its action (``why``), written from the roadmap and the
RTES page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from .. import paths
from ..errors import InputFileError, SchemaError
from ..loaders.common import read_table
from ..loaders.schema import Column, Schema
from .roadmap import Roadmap, load_roadmap, normalise_quote, seed_path

__all__ = [
    "ALLOWED_UNITS",
    "INDICATORS_SCHEMA",
    "INDICATOR_COLUMNS",
    "KINDS",
    "MEASURES",
    "MEASURE_LABELS_FR",
    "NOTES_SCHEMA",
    "QUALIFIERS",
    "TARGET_DIRECTIONS",
    "UNIT_LABELS_FR",
    "YEAR_BASES",
    "YEAR_RANGE",
    "default_indicators_path",
    "default_notes_path",
    "iter_seed_checks",
    "load_indicator_notes",
    "load_indicators",
    "unit_label_fr",
]

#: Allowed units (machine codes) and their French display labels.
UNIT_LABELS_FR: dict[str, str] = {
    "EUR": "€",
    "EUR_per_month": "€ par mois",
    "hours": "heures",
    "FTE": "ETP",
    "persons": "personnes",
    "structures": "structures",
    "establishments": "établissements",
    "jobs": "emplois",
    "projects": "projets",
    "positions": "postes",
    "count": "nombre",
    "percent": "%",
    "m2": "m²",
    "ha": "ha",
    "months": "mois",
    "rank": "rang",
}
ALLOWED_UNITS: tuple[str, ...] = tuple(UNIT_LABELS_FR)

#: ``exact`` = figure stated as such; ``lower_bound`` = "plus de", "+ de";
#: ``approx`` = "près de", "une centaine", "≈".
QUALIFIERS: tuple[str, ...] = ("exact", "lower_bound", "approx")
#: ``observed`` = a measured value; ``target`` = a quantified goal (needs
#: ``target_value`` and ``>=``/``<=``); ``commitment`` = an undertaking
#: (``>=``, ``<=`` with ``target_value``, or ``stable`` with optional level).
KINDS: tuple[str, ...] = ("observed", "target", "commitment")
TARGET_DIRECTIONS: tuple[str, ...] = (">=", "<=", "stable")
YEAR_RANGE: tuple[int, int] = (2000, 2035)
#: ``data`` = ``year`` is the year the figure refers to (given by the source, or by the document
#: it repeats — see ``note``); ``publication`` = the source gives no year: ``year`` is the year the
#: document was published or updated. An empty cell means ``data``.
YEAR_BASES: tuple[str, ...] = ("data", "publication")
#: What a figure measures: ``annual`` = a flow or a count over one year; ``level`` = a level at a
#: date (stock, share, rank, staff); ``cumulative`` = a total over several years or an unstated
#: period; ``feature`` = a characteristic of a scheme (unit amount, duration, capacity, number of
#: themes). One measure per series; an empty cell takes the measure of the series' other rows.
MEASURES: tuple[str, ...] = ("annual", "level", "cumulative", "feature")
MEASURE_LABELS_FR: dict[str, str] = {
    "annual": "flux annuel",
    "level": "niveau à une date",
    "cumulative": "cumul pluriannuel",
    "feature": "caractéristique d'un dispositif",
}

_INDICATOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_SERIES = re.compile(r"^[a-z0-9][a-z0-9_]*$")


def _text(name: str, required: bool = True, nullable: bool = False, description: str = "") -> Column:
    return Column(name, "str", required=required, nullable=nullable, description=description)


#: Schema of ``indicators.csv`` and of the evaluator template (columns in file order).
INDICATORS_SCHEMA = Schema(
    "roadmap indicators",
    [
        _text("indicator_id", description="a unique identifier such as 'EVAL-2025-001'"),
        _text("node_id", description="a roadmap node id such as 'E1.O2.A4', or 'FDR'"),
        _text("series", description="a series key such as 'insertion_hours_financed'"),
        _text("label", description="a French label"),
        Column("year", "year", min=YEAR_RANGE[0], max=YEAR_RANGE[1], description="the year of the value"),
        Column("value", "float", nullable=True, description="the observed value"),
        Column("unit", "category", choices=ALLOWED_UNITS),
        Column("qualifier", "category", choices=QUALIFIERS),
        Column("kind", "category", choices=KINDS),
        Column("target_value", "float", nullable=True),
        _text("target_direction", nullable=True),
        _text("source_document", description="the source: a key such as 'FDR-ESS-93-2024-2028' or a title"),
        _text("source_section", required=False, nullable=True),
        _text("quote", required=False, nullable=True),
        _text("note", required=False, nullable=True),
        Column("year_basis", "category", required=False, nullable=True, choices=YEAR_BASES),
        Column("measure", "category", required=False, nullable=True, choices=MEASURES),
    ],
    source_doc="data/roadmap/README.md",
)
#: Columns of ``indicators.csv`` (and of the evaluator template), in order.
INDICATOR_COLUMNS: tuple[str, ...] = tuple(INDICATORS_SCHEMA.names)
_TEXT_COLUMNS = [c.name for c in INDICATORS_SCHEMA.columns if c.kind in ("str", "category")]

#: Schema of ``indicator_notes.csv``: one row per series.
NOTES_SCHEMA = Schema(
    "roadmap indicator notes",
    [_text("series"), _text("definition", description="what the figure counts"),
     _text("why", description="why this figure documents its roadmap node")],
    unique=("series",),
    source_doc="data/roadmap/README.md",
)


def default_indicators_path() -> Path:
    """``data/roadmap/indicators.csv``."""
    return paths.data_dir() / "roadmap" / "indicators.csv"


def default_notes_path() -> Path:
    """``data/roadmap/indicator_notes.csv``."""
    return paths.data_dir() / "roadmap" / "indicator_notes.csv"


def unit_label_fr(unit: str) -> str:
    """French display label of a unit code (the code itself if unknown)."""
    return UNIT_LABELS_FR.get(unit, unit)


def _fail(path, column, rows, values, expected):
    raise SchemaError(path=str(path), column=column, rows=[int(r) for r in rows], values=list(values),
                      expected=expected)


def _read(path: Path) -> pd.DataFrame:
    """Typed rows of one indicators file (comment rows dropped), ``row`` = file line (header = 1)."""
    if not path.exists():
        raise InputFileError(f"Indicators file '{path}' does not exist.")
    raw, _info = read_table(path, expected_columns=INDICATOR_COLUMNS)
    first = raw.columns[0]
    raw = raw[~raw[first].fillna("").str.lstrip().str.startswith("#")]
    if raw.empty:  # e.g. the template: header and commented example only
        return pd.DataFrame(columns=list(INDICATOR_COLUMNS) + ["row"])
    df = INDICATORS_SCHEMA.validate(raw, path)
    for col in ("value", "target_value"):  # the cells as written, for error messages
        df["_raw_" + col] = raw[col].fillna("") if col in raw else ""
    for col in _TEXT_COLUMNS:
        df[col] = df[col].astype("object").where(df[col].notna(), "").astype(str)
    df["row"] = df.index.astype("int64")
    return df.reset_index(drop=True)


def _check_rows(df: pd.DataFrame, path: Path, node_ids: set[str]) -> None:
    """Checks of one file a schema cannot express: formats, roadmap nodes, target fields vs kind."""
    records = df.to_dict("records")

    def bad(column, predicate, expected):
        off = [r for r in records if predicate(r)]
        if off:
            _fail(path, column, [r["row"] for r in off], [r.get("_raw_" + column, r[column]) for r in off], expected)

    has = (lambda r, c: not pd.isna(r[c]))
    bad("indicator_id", lambda r: not _INDICATOR_ID.match(r["indicator_id"]),
        "an identifier made of letters, digits and _ . : - (e.g. 'EVAL-2025-001')")
    bad("node_id", lambda r: r["node_id"] not in node_ids,
        "an existing roadmap node id such as 'E1', 'E1.O2' or 'E1.O2.A4' (see data/roadmap/roadmap.yml), or 'FDR'")
    bad("series", lambda r: not _SERIES.match(r["series"]),
        "a series key in lower-case letters, digits and underscores (e.g. 'insertion_hours_financed')")
    bad("target_direction", lambda r: r["target_direction"] not in ("",) + TARGET_DIRECTIONS,
        "empty or one of " + ", ".join(TARGET_DIRECTIONS))
    observed = (lambda r: r["kind"] == "observed")
    bad("value", lambda r: observed(r) and not has(r, "value"), "a number for an observed value (kind 'observed')")
    bad("value", lambda r: not observed(r) and has(r, "value"),
        "an empty cell for a target or commitment (put the level in 'target_value')")
    bad("target_value", lambda r: observed(r) and has(r, "target_value"),
        "an empty cell for an observed value (targets go on their own row with kind 'target' or 'commitment')")
    bad("target_direction", lambda r: observed(r) and r["target_direction"] != "", "an empty cell for an observed value")
    bad("target_direction", lambda r: r["kind"] == "target" and r["target_direction"] not in (">=", "<="),
        "'>=' or '<=' for a target (use kind 'commitment' for 'stable')")
    bad("target_direction", lambda r: r["kind"] == "commitment" and r["target_direction"] == "",
        "one of " + ", ".join(TARGET_DIRECTIONS) + " for a commitment")
    bad("target_value", lambda r: not observed(r) and r["target_direction"] in (">=", "<=") and not has(r, "target_value"),
        "a number: the level the target or commitment must reach")


def _series_error(off: pd.Series, first: pd.Series, column: str, series: str, what: str) -> SchemaError:
    return SchemaError(
        f"File '{off['source_path']}', column '{column}': row {off['row']} gives {off[column]!r} for series "
        f"{series!r}, but row {first['row']} of '{first['source_file']}' gives {first[column]!r}; expected {what}.",
        path=off["source_path"], column=column, rows=[int(off["row"])], values=[off[column]], expected=what)


def _check_across_files(df: pd.DataFrame) -> pd.DataFrame:
    """Unique ids; one node, unit and measure per series (empty measures inherited); one value per year."""
    dup = df[df.duplicated("indicator_id", keep="first")]
    if not dup.empty:
        off = dup.iloc[0]
        first = df[df["indicator_id"] == off["indicator_id"]].iloc[0]
        raise SchemaError(
            f"File '{off['source_path']}', column 'indicator_id': duplicate identifier {off['indicator_id']!r} "
            f"at row {off['row']} (already used at row {first['row']} of '{first['source_file']}'); "
            "expected a unique identifier per row.",
            path=off["source_path"], column="indicator_id", rows=[int(off["row"])], values=[off["indicator_id"]],
            expected="a unique identifier per row")
    for column in ("node_id", "unit", "measure"):
        given = df[df[column] != ""]
        n = given.groupby("series")[column].nunique()
        for series in n[n > 1].index:
            sub = given[given["series"] == series]
            off = sub[sub[column] != sub.iloc[0][column]].iloc[0]
            raise _series_error(off, sub.iloc[0], column, series, f"one {column} per series")
    given = df[df["measure"] != ""]
    inherited = dict(zip(given["series"], given["measure"]))
    df["measure"] = [inherited.get(s, "") for s in df["series"]]
    if (df["measure"] == "").any():
        off = df[df["measure"] == ""].iloc[0]
        raise SchemaError(
            path=off["source_path"], column="measure", rows=[int(off["row"])], values=[""],
            expected="one of " + ", ".join(MEASURES) + " (on this row or on another row of series "
            f"{off['series']!r})")
    value = df["value"].fillna(df["target_value"])
    for (series, kind, year), sub in df.assign(_v=value).groupby(["series", "kind", "year"], sort=False):
        if len(sub) > 1 and sub["_v"].nunique(dropna=False) > 1:
            off, first = sub.iloc[1], sub.iloc[0]
            raise SchemaError(
                f"File '{off['source_path']}', column 'value': row {off['row']} gives {off['_v']!r} for series "
                f"{series!r} ({kind}, {year}) but row {first['row']} of '{first['source_file']}' gives "
                f"{first['_v']!r}; expected one value per series, kind and year (two sources must agree).",
                path=off["source_path"], column="value", rows=[int(off["row"])], values=[off["_v"]],
                expected="one value per series, kind and year")
    return df


def load_indicators(
    path: str | Path | None = None,
    roadmap: Roadmap | None = None,
    extra_paths: Iterable[str | Path] = (),
) -> pd.DataFrame:
    """Read and validate the indicators table (default ``data/roadmap/indicators.csv``).

    ``extra_paths`` are further files with the same columns (an evaluator's new yearly values,
    see ``data/roadmap/README.md``), in CSV (comma or semicolon, UTF-8 or Windows-1252, decimal
    point or comma) or XLSX; rows are appended in the order given. Rows whose first cell starts
    with ``#`` are comments (they keep the columns, as the template's example row does).

    Returns one row per indicator with the columns of :data:`INDICATOR_COLUMNS` (``year`` Int64,
    ``value``/``target_value`` float, NaN when empty; text columns "" when empty;
    ``year_basis`` "data" when empty; ``measure`` inherited within a series) plus ``row``,
    ``source_file`` and ``source_path``.
    """
    roadmap = roadmap if roadmap is not None else load_roadmap()
    files = [Path(path) if path is not None else default_indicators_path()]
    if isinstance(extra_paths, (str, Path)):
        extra_paths = [extra_paths]
    files += [Path(p) for p in extra_paths]
    frames = []
    for f in files:
        df = _read(f)
        _check_rows(df, f, roadmap.node_ids)
        frames.append(df.assign(source_file=f.name, source_path=str(f)))
    df = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    df["year_basis"] = df["year_basis"].replace("", "data")
    df = _check_across_files(df)
    df["year"] = df["year"].astype("Int64")
    for col in ("value", "target_value"):
        df[col] = df[col].astype("float64")
    df["row"] = df["row"].astype("int64")
    return df[list(INDICATOR_COLUMNS) + ["row", "source_file", "source_path"]]


def load_indicator_notes(path: str | Path | None = None) -> pd.DataFrame:
    """Reading notes per series (``series``, ``definition``, ``why``) from ``indicator_notes.csv``."""
    path = Path(path) if path is not None else default_notes_path()
    raw, _info = read_table(path, expected_columns=NOTES_SCHEMA.names)
    df = NOTES_SCHEMA.validate(raw, path)
    return df.astype(str).reset_index(drop=True)


def iter_seed_checks(indicators: pd.DataFrame) -> Iterator[tuple[str, Path | None, bool | None]]:
    """For each indicator: (id, seed path or None, quote found in seed? or None if not checkable)."""
    cache: dict[Path, str] = {}
    for rec in indicators.itertuples(index=False):
        seed = seed_path(rec.source_document)
        if seed is None or not rec.quote or not seed.exists():
            yield rec.indicator_id, seed, None
            continue
        if seed not in cache:
            cache[seed] = normalise_quote(seed.read_text(encoding="utf-8"))
        yield rec.indicator_id, seed, normalise_quote(rec.quote) in cache[seed]
