"""Reading French tabular files: CSV (any usual separator/encoding), zipped CSV, XLSX, Parquet.

:func:`read_table` returns every column as text (pandas string dtype, NA for
empty cells) so that codes keep their leading zeros; typing and checks are
done by :mod:`esstools.loaders.schema`. The returned DataFrame's index, named
``line``, holds the file line number of each row (header = line 1; for XLSX
the sheet row number; for Parquet the 1-based record number), which every
error message quotes.

Conventions handled (documented choices):

* **Encodings** — UTF-8 with or without BOM is tried first; if the bytes are
  not valid UTF-8 the file is decoded as Windows-1252 (the encoding of French
  Excel "CSV (séparateur : point-virgule)" exports, a superset of Latin-1 for
  printable characters). Bytes undefined in Windows-1252, NUL bytes (UTF-16
  files) or UTF-8 sequences mixed with Windows-1252 bytes ("Ã©" mojibake)
  raise :class:`~esstools.errors.InputFileError`.
* **Separators** — ``;``, ``,``, tab and ``|`` are counted on the header line
  (outside quotes); the most frequent one wins. A data line whose number of
  fields differs from the header raises InputFileError naming the line (the
  usual symptom of a wrong separator or an unquoted separator in a value).
* **Decimal convention** — recorded in :class:`ReadInfo` (``"comma"``,
  ``"dot"``, ``"mixed"`` or ``None``) from the numeric-looking cells; numbers
  are parsed by :func:`parse_number` (decimal comma, thousands separators as
  spaces, NBSP U+00A0, narrow NBSP U+202F or dots, "€" and "%" stripped).
* **NA tokens** — empty cells and ``NA``, ``N/A``, ``#N/A``, ``NaN``,
  ``NULL``, ``None``, ``nd``, ``n.d.``, ``s`` (statistical secret) become NA.
* **Limits** — a single field larger than ``max_field_bytes`` (1 MB by
  default) raises InputFileError naming the line and column.

Input files are opened read-only and never modified.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import InputFileError, SchemaError

__all__ = [
    "ReadInfo",
    "read_table",
    "parse_number",
    "NA_TOKENS",
    "MAX_FIELD_BYTES",
    "normalise_header",
    "row_numbers",
    "sniff_separator",
]

MAX_FIELD_BYTES = 1_000_000
SEPARATORS = (";", ",", "\t", "|")
NA_TOKENS = frozenset(
    {"", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None", "nd", "n.d.", "ND", "s"}
)
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")


@dataclass
class ReadInfo:
    """What :func:`read_table` detected about a file."""

    path: str
    format: str  # "csv", "zip", "xlsx", "parquet", "json"
    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None  # "comma", "dot", "mixed" or None (no decimal numbers seen)
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    sheet: str | None = None
    member: str | None = None

    @property
    def typed(self) -> bool:
        """True for formats whose numbers are typed (Parquet, JSON): no decimal comma allowed."""
        return self.format in ("parquet", "json")


# --------------------------------------------------------------------------- helpers


def normalise_header(name: object) -> str:
    """Lower-case ASCII snake form of a column name, used to match aliases.

    ``"N° SIRET"`` -> ``"n_siret"``, ``"Année"`` -> ``"annee"``.
    """
    import unicodedata

    s = unicodedata.normalize("NFKD", str(name).replace("\ufeff", "")).encode("ascii", "ignore").decode()
    s = re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()
    return s


def row_numbers(obj: pd.Series | pd.DataFrame, mask) -> list[int]:
    """File line numbers of the rows where ``mask`` is True.

    Uses the index when it is named ``line`` (tables from :func:`read_table`),
    otherwise positions + 2 (header = line 1).
    """
    mask = np.asarray(mask, dtype=bool)
    if obj.index.name == "line":
        return [int(v) for v in np.asarray(obj.index)[mask]]
    return [int(p) + 2 for p in np.flatnonzero(mask)]


def _fail(path, msg: str) -> InputFileError:
    return InputFileError(f"File '{path}': {msg}")


def check_data_file(path, what: str = "File", expected: str = "a data file") -> int:
    """Raise InputFileError unless ``path`` is a non-empty regular file; return its size in bytes.

    ``what`` names the file in messages (e.g. "SIRENE establishments file").
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{what} '{path}' does not exist.")
    if path.is_dir():
        raise InputFileError(f"{what} '{path}' is a directory; expected {expected}.")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{what} '{path}': file is empty (0 bytes).")
    return size


def sniff_separator(header_line: str) -> str | None:
    """Most frequent of ``; , TAB |`` on the header line outside quotes (None if none)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    in_q = False
    for ch in header_line:
        if ch == '"':
            in_q = not in_q
        elif not in_q and ch in counts:
            counts[ch] += 1
    best = max(SEPARATORS, key=lambda c: counts[c])
    return best if counts[best] else None


def _decode(data: bytes, path) -> tuple[str, str]:
    if b"\x00" in data[:1_000_000]:
        raise _fail(
            path,
            "cannot be decoded: it contains NUL bytes (UTF-16 or binary file?); "
            "expected a text file in UTF-8 (with or without BOM) or Windows-1252",
        )
    try:
        text = data.decode("utf-8-sig")
        return text, ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _fail(
            path,
            f"cannot be decoded: not valid UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) "
            f"nor Windows-1252/Latin-1 ({exc.reason} at byte {exc.start}); "
            "expected a text file in UTF-8 or Windows-1252",
        ) from None
    m = _MOJIBAKE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise _fail(
            path,
            f"mixes encodings: UTF-8 sequences (e.g. {m.group()!r} at line {line}) next to bytes invalid "
            f"in UTF-8 ({utf8_error.reason} at byte {utf8_error.start}); re-save the file in a single "
            "encoding (UTF-8 recommended)",
        )
    return text, "cp1252"


def _na_and_strip(df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in df.columns:
        s = df[col].astype("string").str.strip()
        out[col] = s.mask(s.isin(NA_TOKENS))
    return pd.DataFrame(out, index=df.index)


_COMMA_DEC = re.compile(r"^[+-]?\d{1,3}(?:[ .\u00a0\u202f]\d{3})*,\d+$|^[+-]?\d+,\d+$")
_DOT_DEC = re.compile(r"^[+-]?\d+\.\d+$")


def _detect_decimal(df: pd.DataFrame, sample: int = 2000) -> str | None:
    head = df.head(sample)
    comma = dot = 0
    for col in head.columns:
        vals = head[col].dropna()
        if vals.empty:
            continue
        vals = vals.str.replace(r"[€%\s]", "", regex=True)
        comma += int(vals.str.fullmatch(_COMMA_DEC.pattern).sum())
        dot += int((vals.str.fullmatch(_DOT_DEC.pattern) & ~vals.str.fullmatch(r"[+-]?\d{1,3}\.\d{3}")).sum())
    if comma and dot:
        return "mixed"
    if comma:
        return "comma"
    if dot:
        return "dot"
    return None


def _check_field_sizes(df: pd.DataFrame, path, limit: int) -> None:
    for col in df.columns:
        lens = df[col].str.len()
        if lens.max(skipna=True) is not pd.NA and (lens.fillna(0) > limit).any():
            big = lens.fillna(0) > limit
            rows = row_numbers(df, big)
            raise _fail(
                path,
                f"column '{col}' at line {rows[0]} holds a field of {int(lens[big].iloc[0]):,} characters, "
                f"larger than the {limit:,}-character limit (corrupt or concatenated file?)",
            )


def _check_long_lines(text: str, path, limit: int) -> None:
    """Find a physical line longer than ``limit`` and name its line and column (before parsing)."""
    if len(text) <= limit:
        return
    m = re.search(r"[^\n]{%d,}" % (limit + 1), text)
    if not m:
        return
    line_no = text.count("\n", 0, m.start()) + 1
    header = text.split("\n", 1)[0].rstrip("\r").lstrip("\ufeff")
    sep = sniff_separator(header) or ";"
    csv.field_size_limit(max(len(m.group()) + 10, 131072))
    try:
        fields = next(csv.reader([m.group()], delimiter=sep))
        names = next(csv.reader([header], delimiter=sep))
    finally:
        csv.field_size_limit(131072)
    for i, f in enumerate(fields):
        if len(f) > limit:
            col = names[i] if i < len(names) else f"#{i + 1}"
            raise _fail(
                path,
                f"column '{col}' at line {line_no} holds a field of {len(f):,} characters, larger than "
                f"the {limit:,}-character limit (corrupt or concatenated file?)",
            )


# --------------------------------------------------------------------------- readers


def _read_csv_text(text: str, path, limit: int) -> tuple[pd.DataFrame, str | None]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _fail(path, "file is empty (no header line)")
    _check_long_lines(text, path, limit)
    first_nl = text.find("\n")
    header_line = (text if first_nl < 0 else text[:first_nl]).rstrip("\r")
    sep = sniff_separator(header_line)
    names = next(csv.reader([header_line], delimiter=sep or ";"))
    names = [n.strip() for n in names]
    _check_header(names, path)
    body = "" if first_nl < 0 else text[first_nl + 1 :]
    lines = body.split("\n")
    if not any(ln.strip() for ln in lines):
        raise _fail(path, f"has a header line ({len(names)} columns) but no data rows")
    bad: list = []

    def handler(row):
        bad.append(row)
        return "skip"

    try:
        table = pcsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names, block_size=max(1 << 22, limit * 4)),
            parse_options=pcsv.ParseOptions(
                delimiter=sep or "\x1f", invalid_row_handler=handler, newlines_in_values=True
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False, null_values=[]
            ),
        )
    except pa.ArrowInvalid as exc:
        raise _fail(path, f"cannot be parsed as CSV with separator {sep!r}: {exc}") from None
    if bad:
        first = bad[0]
        line = _find_line(lines, first.text)
        raise _fail(
            path,
            f"line {line} has {first.actual_columns} field(s) where the header has {first.expected_columns} "
            f"(separator detected on the header: {sep!r}); {len(bad)} line(s) affected, first: {first.text[:120]!r}. "
            "Wrong separator, or an unquoted separator inside a value?",
        )
    df = table.to_pandas()
    # line numbers: header = line 1; blank lines are skipped by the parser
    nonblank = [i + 2 for i, ln in enumerate(lines) if ln.strip()]
    if len(nonblank) == len(df):
        df.index = pd.Index(nonblank, name="line")
    else:  # quoted values spanning lines: fall back to ordinal numbering
        df.index = pd.RangeIndex(2, 2 + len(df), name="line")
    return df, sep


def _find_line(lines: list[str], row_text: str) -> int | str:
    target = row_text.rstrip("\r")
    for i, ln in enumerate(lines):
        if ln.rstrip("\r") == target:
            return i + 2
    return "?"


def _check_header(names: Sequence[str], path) -> None:
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise SchemaError(
                f"File '{path}', column '{n}': the header holds this column name twice "
                f"(positions {seen[n] + 1} and {i + 1}); expected unique column names.",
                path=str(path),
                column=n,
                rows=[1],
                values=[n],
                expected="unique column names",
            )
        seen[n] = i
    if names and all(n == "" for n in names):
        raise _fail(path, "the header line is blank; expected column names on line 1")


def _read_zip(path: Path, member: str | None, limit: int) -> tuple[pd.DataFrame, str | None, str, str]:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise _fail(path, f"is not a readable ZIP archive ({exc})") from None
    with zf:
        names = [
            n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX") and "/." not in n
        ]
        if member is None:
            csvs = [n for n in names if n.lower().endswith((".csv", ".txt", ".tsv"))]
            if len(names) == 1:
                member = names[0]
            elif len(csvs) == 1:
                member = csvs[0]
            else:
                raise _fail(
                    path,
                    f"holds {len(names)} files ({', '.join(names[:10]) or 'none'}); pass member=... to choose one",
                )
        elif member not in names:
            raise _fail(path, f"has no member '{member}'; members are: {', '.join(names[:20])}")
        try:
            data = zf.read(member)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise _fail(path, f"member '{member}' cannot be extracted ({exc}); truncated download?") from None
    if not data.strip():
        raise _fail(f"{path}!{member}", "file is empty")
    text, enc = _decode(data, f"{path}!{member}")
    df, sep = _read_csv_text(text, f"{path}!{member}", limit)
    return df, sep, enc, member


def _cell_text(v) -> str | None:
    import datetime as dt

    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise _fail(path, f"is not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise _fail(path, f"has no sheet '{sheet}'; sheets are: {', '.join(wb.sheetnames)}")
        rows: list[list] = []
        header: list[str] | None = None
        line_numbers: list[int] = []
        for r_idx, row in enumerate(ws.iter_rows(), start=1):
            values = []
            for c_idx, cell in enumerate(row, start=1):
                v = cell.value
                if getattr(cell, "data_type", None) == "f":
                    col = header[c_idx - 1] if header and c_idx - 1 < len(header) else get_column_letter(c_idx)
                    raise SchemaError(
                        f"File '{path}', sheet '{ws.title}', cell {get_column_letter(c_idx)}{r_idx} "
                        f"(column '{col}'): the cell holds a formula ({str(v)[:80]!r}); expected a plain value "
                        "(paste values only: formulas are not evaluated by esstools).",
                        path=str(path),
                        column=col,
                        rows=[r_idx],
                        values=[v],
                        expected="a plain value, not a formula",
                    )
                values.append(_cell_text(v))
            if header is None:
                if all(v is None for v in values):
                    continue
                header = [("" if v is None else str(v)).strip() for v in values]
                while header and header[-1] == "":
                    header.pop()
                continue
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            values = (values + [None] * len(header))[: len(header)]
            rows.append(values)
            line_numbers.append(r_idx)
        title = ws.title
    finally:
        wb.close()
    if header is None:
        raise _fail(path, f"sheet '{title}' is empty (no header row)")
    _check_header(header, path)
    if not rows:
        raise _fail(path, f"sheet '{title}' has a header row ({len(header)} columns) but no data rows")
    df = pd.DataFrame(rows, columns=header, dtype="string")
    df.index = pd.Index(line_numbers, name="line")
    return df, title


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise _fail(path, f"is not a readable Parquet file (truncated or corrupt: {exc})") from None
    if table.num_rows == 0:
        raise _fail(path, f"has a schema ({table.num_columns} columns) but no data rows")
    out = {}
    for name in table.column_names:
        col = table.column(name)
        t = col.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            s = col.to_pandas().astype("string")
        elif pa.types.is_floating(t):
            arr = col.to_numpy(zero_copy_only=False)
            s = pd.Series([None if (v is None or (isinstance(v, float) and math.isnan(v))) else _cell_text(float(v)) for v in arr], dtype="string")
        elif pa.types.is_dictionary(t):
            s = col.to_pandas().astype("string")
        else:
            s = pd.Series([_cell_text(v) for v in col.to_pylist()], dtype="string")
        out[name] = s
    df = pd.DataFrame(out)
    df.index = pd.RangeIndex(1, 1 + len(df), name="line")
    return df


def read_table(
    path,
    *,
    sheet: str | None = None,
    member: str | None = None,
    expected_columns: Sequence[str] | None = None,
    max_field_bytes: int = MAX_FIELD_BYTES,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV / zipped CSV / XLSX / Parquet file as text columns.

    Returns ``(df, info)``: ``df`` has one string column per header field
    (values stripped, NA tokens -> NA) and an index named ``line`` holding
    file line numbers; ``info`` is a :class:`ReadInfo`. ``expected_columns``
    (optional) only serves the error message when the header matches none of
    them. Raises InputFileError (missing, empty, header only, undecodable,
    truncated, wrong field count, oversized field) or SchemaError (formula in
    an XLSX cell, duplicated column names).
    """
    path = Path(path)
    check_data_file(path)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    suffix = path.suffix.lower()
    info = ReadInfo(path=str(path), format="csv")
    if magic == b"PAR1" or suffix in (".parquet", ".pq"):
        df = _read_parquet(path)
        info.format = "parquet"
    elif suffix in (".xlsx", ".xlsm") or (magic[:2] == b"PK" and _is_xlsx(path)):
        df, info.sheet = _read_xlsx(path, sheet)
        info.format = "xlsx"
    elif suffix == ".xls":
        raise _fail(path, "is a legacy Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV")
    elif magic[:2] == b"PK" or suffix == ".zip":
        df, info.separator, info.encoding, info.member = _read_zip(path, member, max_field_bytes)
        info.format = "zip"
    else:
        with open(path, "rb") as fh:
            data = fh.read()
        if not data.strip(b" \t\r\n\xef\xbb\xbf"):
            raise _fail(path, "file is empty (blank content)")
        text, info.encoding = _decode(data, path)
        df, info.separator = _read_csv_text(text, path, max_field_bytes)
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    df = _na_and_strip(df)
    _check_field_sizes(df, path, max_field_bytes)
    info.rows = len(df)
    info.columns = list(df.columns)
    info.decimal = "dot" if info.typed and _detect_decimal(df) is None else _detect_decimal(df)
    if info.format == "parquet" and info.decimal is None:
        info.decimal = "dot"
    return df, info


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


# --------------------------------------------------------------------------- numbers

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_INT = r"[+-]?\d+"
_PAT_INT = re.compile(rf"^{_INT}$")
_PAT_DOT = re.compile(r"^[+-]?\d*\.\d+$")
_PAT_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_PAT_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_PAT_SCI = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")


def parse_number(
    series: pd.Series,
    path=None,
    column=None,
    *,
    allow_negative: bool = True,
    integer: bool = False,
    decimal: str = "auto",
) -> pd.Series:
    """Parse French-formatted numbers; NA stays NA.

    Accepted: ``1234``, ``1 234,5`` (space, NBSP or narrow NBSP as thousands
    separator), ``1234,5``, ``1234.5``, ``1.234.567`` and ``1.234,5`` (dots as
    thousands separators), ``1e6``; a trailing/leading ``€``, ``EUR`` or ``%``
    is stripped (percentages are *not* divided by 100).

    ``decimal``: ``"auto"`` decides per column (a column holding decimal commas
    treats dots as thousands separators, so ``"2.5"`` next to ``"1,5"`` is an
    error); ``"dot"`` (typed formats such as Parquet/JSON, or files declared
    with dot decimals) rejects any comma; ``"comma"`` treats every dot as a
    thousands separator. Failures raise SchemaError listing file rows and
    values. Returns float64 (``integer=False``) or nullable Int64.
    """
    from ..errors import check_choice

    check_choice("decimal", decimal, ["auto", "dot", "comma"])
    raw = series.astype("string")
    s = raw.str.strip()
    s = s.str.replace(r"(?i)^(?:€|eur)\s*|\s*(?:€|eur|%)$", "", regex=True)
    s = s.str.replace(_SPACES.pattern, "", regex=True)
    present = s.notna() & (s != "")
    v = s.fillna("")
    is_int = v.str.fullmatch(_PAT_INT.pattern)
    is_dot = v.str.fullmatch(_PAT_DOT.pattern)
    is_comma = v.str.fullmatch(_PAT_COMMA.pattern)
    is_dth = v.str.fullmatch(_PAT_DOT_THOUSANDS.pattern)
    is_sci = v.str.fullmatch(_PAT_SCI.pattern)
    col_has_comma = bool((present & (is_comma | (is_dth & v.str.contains(",", regex=False)))).any())
    ambiguous_dot = is_dot & v.str.fullmatch(r"[+-]?\d{1,3}\.\d{3}")  # "1.234": decimal or thousands?

    out = pd.Series(np.nan, index=series.index, dtype="float64")
    bad = present & ~(is_int | is_dot | is_comma | is_dth | is_sci)
    expected = "a number (French format accepted: '1 234,5')"
    if decimal == "dot":
        bad |= present & v.str.contains(",", regex=False)
        expected = "a number with a dot as decimal separator (no decimal comma in this file/format)"
        dot_is_thousands = pd.Series(False, index=series.index)
        dot_is_thousands |= present & is_dth & ~is_dot  # "1.234.567"
    elif decimal == "comma" or col_has_comma:
        # dots are thousands separators: "2.5" (not groups of 3) is inconsistent
        mixed = present & is_dot & ~ambiguous_dot
        if mixed.any() and decimal == "auto":
            expected = (
                "one decimal convention per column (this column uses decimal commas, "
                "so a dot can only separate thousands)"
            )
        bad |= mixed
        dot_is_thousands = present & (is_dth | ambiguous_dot)
    else:
        dot_is_thousands = present & is_dth & ~is_dot
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(series, bad), values=list(raw[bad].head(5)), expected=expected
        )
    clean = v.where(~dot_is_thousands, v.str.replace(".", "", regex=False))
    clean = clean.str.replace(",", ".", regex=False)
    out[present.to_numpy()] = clean[present].astype("float64").to_numpy()
    def reject(bad, expected):
        if bad.any():
            raise SchemaError(path=path, column=column, rows=row_numbers(series, bad),
                              values=list(raw[bad].head(5)), expected=expected)

    if not allow_negative:
        reject(present & (out < 0), "a non-negative number")
    if integer:
        reject(present & (out != np.floor(out)), "a whole number")
        return out.round().astype("Int64")
    return out
