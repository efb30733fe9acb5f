"""A compact schema layer: declared columns, French header aliases, typed conversion, checks.

A :class:`Schema` lists :class:`Column` objects. :meth:`Schema.validate` takes
the all-text table returned by :func:`esstools.loaders.common.read_table` and

1. renames known aliases to the canonical names (matching is done on a
   normalised form: case, accents and punctuation ignored, so ``"N° SIRET"``,
   ``"Siret"`` and ``"n_siret"`` all match an alias ``"N° SIRET"``);
2. raises :class:`~esstools.errors.SchemaError` listing the missing and the
   found columns when a required column is absent;
3. converts each column according to its ``kind`` and checks nullability,
   ranges and allowed values;
4. checks the uniqueness of the declared key.

Every error names the file, the column *as written in the file*, the first
offending rows (file line numbers, header = line 1) and values, and what was
expected; a missing column also names the schema and its ``version`` (quoted by the
fetch registry) and the closest header found (a renamed upstream column).

Before conversion, :meth:`Schema.validate` also

* drops total and subtotal rows (a "Total", "Sous-total", "Ensemble"… label in a column
  declared with ``totals=True``), counted in one
  :class:`~esstools.errors.RepairWarning` (esstools recomputes totals; summing them with
  the data would double the figures);
* restores the leading zeros of identifiers (``siren``, ``siret``, ``code`` with a
  ``width``) that a typed source stored as numbers (Parquet int64/double, XLSX numbers),
  counted in a RepairWarning — given the :class:`~esstools.loaders.common.ReadInfo`.

Numbers are parsed by :func:`~esstools.loaders.common.parse_number` (its rules are the
rules of every numeric column): ``amount`` columns accept a "€"/"EUR" sign, columns whose
``unit`` is ``"%"`` a "%" sign, others no unit at all.

Kinds: ``str``, ``code`` (fixed-width digits, ``width``), ``siren``, ``siret``
(Luhn, La Poste exception), ``commune`` (5-character COG code, lost leading
zero repaired with a RepairWarning), ``departement``, ``naf``, ``int``,
``float``, ``amount`` (euros, non-negative unless ``min`` is negative),
``year`` (default range 1990..2035), ``date``, ``bool`` (oui/non, true/false,
1/0, vrai/faux, x), ``category`` (``choices``; case-insensitive match to the
canonical spelling).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

import difflib
import warnings

from ..errors import RepairWarning, SchemaError
from . import codes
from .common import ReadInfo, find_total_rows, normalise_header, parse_number, row_numbers

__all__ = ["Column", "Schema", "KINDS", "parse_bool", "parse_date"]

KINDS = (
    "str", "code", "siren", "siret", "commune", "departement", "naf",
    "int", "float", "amount", "year", "date", "bool", "category",
)
YEAR_MIN, YEAR_MAX = 1990, 2035

_EMPTY_DTYPE = {"float": "float64", "amount": "float64", "int": "Int64", "year": "Int64",
                "bool": "boolean", "date": "datetime64[ns]"}

_TRUE = {"oui", "o", "true", "vrai", "1", "x", "yes", "y", "1.0"}
_FALSE = {"non", "n", "false", "faux", "0", "no", "0.0"}


@dataclass(frozen=True)
class Column:
    """One column of a schema.

    ``aliases``: other header spellings found in the real files (French
    variants). ``default``: value used for empty cells before the nullability
    check (e.g. ``False`` for an "x"-marked flag column). ``width``: number of
    digits of a ``code`` column. ``unit``/``description``: documentation (a ``"%"``
    unit lets numbers carry a "%" sign). ``totals``: a total/subtotal label in this
    column ("Total", "Sous-total", "Ensemble"…) marks a total row, dropped by
    :meth:`Schema.validate` with a counted RepairWarning (key and category columns,
    never free-text names).
    """

    name: str
    kind: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""
    unit: str = ""
    width: int | None = None
    default: Any = None
    totals: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Column '{self.name}': unknown kind {self.kind!r}; allowed: {', '.join(KINDS)}.")
        if self.kind == "category" and not self.choices:
            raise ValueError(f"Column '{self.name}': kind 'category' needs choices.")


def parse_bool(series: pd.Series, path=None, column=None) -> pd.Series:
    """oui/non, true/false, vrai/faux, 1/0, x (ticked) -> nullable boolean; other values -> SchemaError."""
    s = series.astype("string").str.strip().str.lower()
    present = s.notna() & (s != "")
    t = s.isin(_TRUE).fillna(False).astype(bool)
    f = s.isin(_FALSE).fillna(False).astype(bool)
    bad = present & ~t & ~f
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(series, bad), values=list(series[bad.to_numpy()].head(5)),
            expected="a yes/no value (oui/non, true/false, vrai/faux, 1/0, x)",
        )
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[t.to_numpy()] = True
    out[f.to_numpy()] = False
    return out


_DATE_FORMATS = (
    (r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"),
    (r"\d{2}/\d{2}/\d{4}", "%d/%m/%Y"),
    (r"\d{8}", "%Y%m%d"),
)


def try_parse_dates(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(datetime64 Series, mask of present values that are not dates): ISO dates (time/timezone part
    dropped), DD/MM/YYYY or YYYYMMDD; years outside 1700..2200 count as not dates (typos such as 0218)."""
    s = series.astype("string").str.strip()
    present = (s.notna() & (s != "")).fillna(False).astype(bool)
    day = s.str.replace(r"^(\d{4}-\d{2}-\d{2})[T ].*$", r"\1", regex=True)
    day = day.str.replace(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$", r"\1", regex=True)
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    done = ~present
    for pattern, fmt in _DATE_FORMATS:
        m = present & ~done & day.str.fullmatch(pattern).fillna(False).astype(bool)
        if m.any():
            year = pd.to_numeric(day[m].str.extract(r"(\d{4})", expand=False), errors="coerce")
            if fmt == "%d/%m/%Y":
                year = pd.to_numeric(day[m].str[-4:], errors="coerce")
            ok = ((year >= 1700) & (year <= 2200)).fillna(False)
            parsed = pd.to_datetime(day[m].where(ok), format=fmt, errors="coerce")
            out[m.to_numpy()] = parsed.astype("datetime64[ns]").to_numpy()
            done |= m
    bad = (present & (out.isna() | ~done)).to_numpy()
    return out, bad


def parse_date(series: pd.Series, path=None, column=None) -> pd.Series:
    """ISO dates (time/timezone part dropped), dd/mm/yyyy or yyyymmdd -> datetime64; else SchemaError."""
    out, bad = try_parse_dates(series)
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(series, bad), values=list(series[bad].head(5)),
            expected="a date as YYYY-MM-DD (ISO 8601), DD/MM/YYYY or YYYYMMDD, year 1700..2200",
        )
    return out


def _relabel(c: Column, label: str) -> Column:
    """Copy of ``c`` whose name is the file's header (so messages quote what the user sees)."""
    from dataclasses import replace

    return replace(c, name=label)


def _converter(col: Column, decimal: str, hint: str | None = None) -> Callable[[pd.Series, Any], pd.Series]:
    k = col.kind
    units = ("%",) if col.unit == "%" else ()
    if k == "siren":
        return lambda s, p: codes.check_siren_series(s, p, col.name)
    if k == "siret":
        return lambda s, p: codes.check_siret_series(s, p, col.name)
    if k == "commune":
        return lambda s, p: codes.normalise_commune_codes(s, p, col.name)
    if k == "departement":
        return lambda s, p: codes.normalise_departement_codes(s, p, col.name)
    if k == "naf":
        return lambda s, p: codes.normalise_naf(s, p, col.name)
    if k in ("int", "year"):
        return lambda s, p: parse_number(s, p, col.name, integer=True, decimal=decimal, units=units, hint=hint)
    if k == "float":
        return lambda s, p: parse_number(s, p, col.name, decimal=decimal, units=units, hint=hint)
    if k == "amount":
        neg = col.min is not None and col.min < 0
        return lambda s, p: parse_number(s, p, col.name, allow_negative=neg, decimal=decimal,
                                         units=("€", "EUR", "euros"), hint=hint)
    if k == "bool":
        return lambda s, p: parse_bool(s, p, col.name)
    if k == "date":
        return lambda s, p: parse_date(s, p, col.name)
    if k == "code":
        return lambda s, p: _check_code(s, p, col)
    if k == "category":
        return lambda s, p: _check_category(s, p, col)
    return lambda s, p: s.astype("string").str.strip()


def _check_code(s: pd.Series, path, col: Column) -> pd.Series:
    v = s.astype("string").str.strip()
    present = v.notna() & (v != "")
    pat = rf"\d{{{col.width}}}" if col.width else r"\d+"
    bad = present & ~v.fillna("").str.fullmatch(pat).astype(bool)
    if bad.any():
        raise SchemaError(
            path=path, column=col.name, rows=row_numbers(s, bad), values=list(s[bad.to_numpy()].head(5)),
            expected=f"a {col.width or ''}-digit code kept as text (leading zeros included)".replace("a -digit", "a digit"),
        )
    return v


def _check_category(s: pd.Series, path, col: Column) -> pd.Series:
    v = s.astype("string").str.strip()
    canon = {normalise_header(c): c for c in col.choices or ()}
    key = v.map(lambda x: canon.get(normalise_header(x)) if isinstance(x, str) else None)
    present = v.notna() & (v != "")
    bad = present & key.isna()
    if bad.any():
        raise SchemaError(
            path=path, column=col.name, rows=row_numbers(s, bad), values=list(s[bad.to_numpy()].head(5)),
            expected="one of " + ", ".join(repr(c) for c in col.choices or ()),
        )
    return key.astype("string")


@dataclass
class Schema:
    """Named list of columns with an optional unique key, the documentation source and a version.

    ``version`` (``schema_version``) identifies the upstream layout the schema follows
    (e.g. ``"urssaf-ess-departements/2026-08"``); error messages quote it so that a
    changed upstream schema is recognised as such.
    """

    name: str
    columns: Sequence[Column]
    unique: tuple[str, ...] = ()
    source_doc: str = ""
    version: str = ""
    _lookup: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.columns = list(self.columns)
        self._lookup = {}
        for c in self.columns:
            for alias in (c.name, *c.aliases):
                self._lookup.setdefault(normalise_header(alias), c.name)

    def _version_text(self) -> str:
        return f" (schema_version {self.version!r})" if self.version else ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def rename(self, df: pd.DataFrame, path=None, header: Sequence[str] | None = None) -> pd.DataFrame:
        """Rename aliased headers to canonical names; SchemaError on missing required columns.

        ``header``: every column of the file (when only some were read), for the message."""
        mapping: dict[str, str] = {}
        taken: dict[str, str] = {}
        for h in df.columns:
            target = self._lookup.get(normalise_header(h))
            if target is None:
                continue
            if target in taken:
                raise SchemaError(
                    f"File '{path}', column '{target}': both '{taken[target]}' and '{h}' map to column "
                    f"'{target}' of the {self.name} schema; expected only one of them.",
                    path=None if path is None else str(path), column=target, expected="a single column per field",
                )
            taken[target] = h
            mapping[h] = target
        out = df.rename(columns=mapping)
        missing = [c for c in self.columns if c.required and c.name not in out.columns]
        if missing:
            found = list(header) if header else list(df.columns)
            hint = ""
            if len(found) == 1 and re.search(r"[;,\t|]", str(found[0])):
                hint = " The whole header was read as one column: is the separator unusual?"
            first = missing[0]
            accepted = ", ".join(repr(a) for a in (first.name, *first.aliases))
            known = {normalise_header(a) for c in self.columns for a in (c.name, *c.aliases)}
            unknown = [f for f in found if normalise_header(f) not in known]
            close = difflib.get_close_matches(normalise_header(first.aliases[-1] if first.aliases else first.name),
                                              [normalise_header(f) for f in unknown], n=1, cutoff=0.6)
            if close:
                near = next(f for f in unknown if normalise_header(f) == close[0])
                hint += (f" Column {near!r} looks like a renamed '{first.name}': has the upstream schema changed?")
            raise SchemaError(
                f"File '{path}': missing required column(s) "
                + ", ".join(f"'{c.name}'" for c in missing)
                + f" for the {self.name} schema{self._version_text()} (column '{first.name}' accepts headers "
                f"{accepted}); found columns: {', '.join(repr(f) for f in found)}.{hint}",
                path=None if path is None else str(path),
                column=first.name,
                values=found,
                expected="columns " + ", ".join(c.name for c in missing),
            )
        return out

    def validate(self, df_raw: pd.DataFrame, path=None, *, decimal: str = "auto", keep_extra: bool = False,
                 info: ReadInfo | None = None, drop_totals: bool = True) -> pd.DataFrame:
        """Typed copy of ``df_raw`` with the schema's columns (in order); ``df_raw`` is not modified.

        Optional columns absent from the file are added as NA. ``decimal`` is
        passed to :func:`~esstools.loaders.common.parse_number`; with ``info`` (the
        :class:`ReadInfo` of :func:`read_table`) typed formats use ``"dot"``, the
        file's decimal convention settles ambiguous numbers, and identifiers stored
        as numbers get their leading zeros back. ``keep_extra`` keeps the columns
        the schema does not know (after the schema's ones). ``drop_totals`` drops
        total rows (see module docstring).
        """
        hint = None
        if info is not None:
            decimal = "dot" if info.typed else decimal
            hint = info.decimal if info.decimal in ("comma", "dot") else None
        labels = self.source_headers(df_raw)
        if drop_totals:
            df_raw = self._drop_totals(df_raw, path, labels)
        df = self.rename(df_raw, path, header=info.header if info is not None else None)
        out: dict[str, pd.Series] = {}
        for c in self.columns:
            if c.name not in df.columns:
                out[c.name] = pd.Series([None] * len(df), index=df.index, dtype=_EMPTY_DTYPE.get(c.kind, "string"))
                continue
            raw = df[c.name]
            if c.default is not None:
                raw = raw.astype("string").fillna(str(c.default))
            label = labels.get(c.name, c.name)
            cl = c if label == c.name else _relabel(c, label)
            if info is not None and info.source_types.get(label) in ("int", "float", "mixed"):
                width = {"siren": 9, "siret": 14}.get(c.kind, c.width if c.kind == "code" else None)
                if width:
                    from .codes import pad_numeric_ids

                    raw = pad_numeric_ids(raw, width, path, label, c.kind.upper() if c.kind != "code" else "code")
            val = _converter(cl, decimal, hint)(raw, path)
            self._check_nulls(cl, val, raw, path)
            self._check_range(cl, val, raw, path)
            out[c.name] = val
        res = pd.DataFrame(out, index=df.index)
        if keep_extra:
            for h in df.columns:
                if h not in res.columns:
                    res[h] = df[h]
        if self.unique:
            self._check_unique(res, path, labels)
        return res

    def _drop_totals(self, df_raw: pd.DataFrame, path, labels: dict[str, str]) -> pd.DataFrame:
        cols = [labels[c.name] for c in self.columns if c.totals and c.name in labels]
        if not cols:
            return df_raw
        mask = find_total_rows(df_raw, cols)
        if not mask.any():
            return df_raw
        m = mask.to_numpy()
        rows = row_numbers(df_raw, m)
        sub = df_raw.loc[m, cols]
        first_col = next(c for c in cols if find_total_rows(sub.iloc[:1], [c]).any())
        warnings.warn(
            f"Dropped {int(m.sum())} total/subtotal row(s) in file '{path}' (e.g. row {rows[0]}, column "
            f"'{first_col}' = {sub.iloc[0][first_col]!r}): esstools sums the detailed rows itself, a total summed "
            "with them would count them twice.", RepairWarning, stacklevel=3)
        return df_raw[~m]

    def source_headers(self, df_raw: pd.DataFrame) -> dict[str, str]:
        """Canonical column name -> header as written in the file (for messages)."""
        out: dict[str, str] = {}
        for h in df_raw.columns:
            target = self._lookup.get(normalise_header(h))
            if target is not None and target not in out:
                out[target] = str(h)
        return out

    def _check_nulls(self, c: Column, val: pd.Series, raw: pd.Series, path) -> None:
        if c.nullable:
            return
        na = val.isna().to_numpy()
        if na.any():
            raise SchemaError(
                path=path, column=c.name, rows=row_numbers(raw, na), values=list(raw[na].head(5).fillna("")),
                expected=f"a non-empty value ({c.description or c.kind})",
            )

    def _check_range(self, c: Column, val: pd.Series, raw: pd.Series, path) -> None:
        if c.kind not in ("int", "float", "amount", "year"):
            return
        lo = c.min if c.min is not None else (YEAR_MIN if c.kind == "year" else (0 if c.kind == "amount" else None))
        hi = c.max if c.max is not None else (YEAR_MAX if c.kind == "year" else None)
        num = pd.to_numeric(val, errors="coerce").astype("float64")
        bad = np.zeros(len(val), dtype=bool)
        if lo is not None:
            bad |= (num < lo).fillna(False).to_numpy()
        if hi is not None:
            bad |= (num > hi).fillna(False).to_numpy()
        if bad.any():
            rng = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
                f">= {lo:g}" if lo is not None else f"<= {hi:g}"
            )
            what = "a year" if c.kind == "year" else ("an amount in euros" if c.kind == "amount" else "a value")
            raise SchemaError(
                path=path, column=c.name, rows=row_numbers(raw, bad), values=list(raw[bad].head(5)),
                expected=f"{what} {rng}" + (f" ({c.unit})" if c.unit else ""),
            )

    def _check_unique(self, df: pd.DataFrame, path, labels: dict[str, str] | None = None) -> None:
        labels = labels or {}
        key = [k for k in self.unique if k in df.columns]
        dup = df.duplicated(subset=key, keep=False).to_numpy()
        if dup.any():
            rows = row_numbers(df, dup)
            sub = df.loc[dup, key].head(5).astype("string")
            vals = [tuple(r) if len(key) > 1 else r[0] for r in sub.itertuples(index=False)]
            raise SchemaError(
                path=path, column=", ".join(labels.get(k, k) for k in key), rows=rows, values=vals,
                expected=f"one row per ({', '.join(labels.get(k, k) for k in key)}) — duplicated key(s)",
            )

    def describe(self) -> pd.DataFrame:
        """Documentation table of the schema (column, kind, unit, required, aliases, description)."""
        return pd.DataFrame(
            [
                {
                    "column": c.name, "kind": c.kind, "unit": c.unit, "required": c.required,
                    "aliases": ", ".join(c.aliases), "description": c.description,
                }
                for c in self.columns
            ]
        )
