"""Reading tabular files: the one way esstools reads a table (CSV, zipped CSV, XLSX, Parquet) and a JSON document.

:func:`read_table` + :class:`~esstools.loaders.schema.Schema` is the one way to read and
validate a table in esstools: read every column as text with :func:`read_table`, then
type and check it with ``Schema.validate(df, path, info=info)``. The contract of
:func:`read_table` is in its docstring; :func:`read_json_document` is its counterpart for
JSON files (DECP, API pages). :func:`parse_number` is the one number parser (rules in its
docstring). Input files are opened read-only and never modified.
"""

from __future__ import annotations

import csv
import io
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import InputFileError, SchemaError, check_choice
from ..vocabulary import normalise_text, row_numbers

__all__ = [
    "ReadInfo",
    "read_table",
    "read_json_document",
    "parse_number",
    "find_total_rows",
    "NA_TOKENS",
    "MAX_FIELD_BYTES",
    "MAX_TABLE_BYTES",
    "MAX_JSON_BYTES",
    "normalise_header",
    "row_numbers",
    "sniff_separator",
    "check_data_file",
    "check_unique_header",
]

MAX_FIELD_BYTES = 1_000_000
MAX_TABLE_BYTES = 4_000_000_000
MAX_JSON_BYTES = 1_500_000_000
SEPARATORS = (";", ",", "\t", "|")
NA_TOKENS = frozenset(
    {"", "NA", "N/A", "n/a", "#N/A", "NaN", "nan", "NULL", "null", "None", "nd", "n.d.", "ND", "s"}
)
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u2013-\u203a\u20ac\u2122]")

#: Header normalisation used to match aliases (``"N° SIRET"`` -> ``"n_siret"``).
normalise_header = normalise_text


@dataclass
class ReadInfo:
    """What :func:`read_table` detected about a file.

    ``source_types``: per column, the type the file stored it with: ``"text"`` (CSV
    cells, Parquet strings), ``"int"``, ``"float"``, ``"bool"``, ``"date"``,
    ``"datetime"``, ``"mixed"`` (XLSX column mixing numbers and text) or ``"other"``.
    Schemas use it to restore the leading zeros of identifiers stored as numbers.
    """

    path: str
    format: str  # "csv", "zip", "xlsx", "parquet", "json"
    encoding: str | None = None
    separator: str | None = None
    decimal: str | None = None  # "comma", "dot", "mixed" or None (no decimal numbers seen)
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    sheet: str | None = None
    member: str | None = None
    source_types: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)  # every column of the file, also those not read

    @property
    def typed(self) -> bool:
        """True for formats whose numbers are typed (Parquet, JSON): no decimal comma allowed."""
        return self.format in ("parquet", "json")


# --------------------------------------------------------------------------- file checks


def _fail(path, msg: str) -> InputFileError:
    return InputFileError(f"File '{path}': {msg}")


def check_data_file(path, what: str = "File", expected: str = "a data file", max_bytes: int | None = None) -> int:
    """Raise InputFileError unless ``path`` is a non-empty regular file (of at most ``max_bytes``); return its size.

    The path is taken literally (``[1]`` or ``*`` in a name are characters, not patterns).
    Directories, FIFOs, devices and sockets are refused (an endless stream such as
    ``/dev/zero`` is never read). ``what`` names the file in messages.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputFileError(f"{what} '{path}' does not exist.") from None
    except OSError as exc:
        raise InputFileError(f"{what} '{path}' cannot be opened ({exc.strerror}).") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputFileError(f"{what} '{path}' is a directory; expected {expected}.")
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"{what} '{path}' is not a regular file (a pipe, device or socket); expected {expected}.")
    if st.st_size == 0:
        raise InputFileError(f"{what} '{path}': file is empty (0 bytes).")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputFileError(
            f"{what} '{path}' holds {st.st_size:,} bytes, more than the {max_bytes:,}-byte limit of this reader; "
            "filter the file first (e.g. one département or one year) or raise the limit (max_bytes=...).")
    return st.st_size


def _read_bounded(path: Path, limit: int) -> bytes:
    """Read at most ``limit`` bytes; InputFileError if the file holds more (it may grow while read)."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _fail(path, f"holds more than the {limit:,}-byte limit of this reader; filter it first or raise max_bytes")
    return data


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
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise _fail(
            path,
            f"contains NUL bytes (first at byte {nul:,}, line {line}): a UTF-16 file, a binary file or a damaged "
            "download whose tail was filled with zeros; expected a text file in UTF-8 (with or without BOM) or "
            "Windows-1252",
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
        lens = df[col].str.len().fillna(0)
        big = (lens > limit).to_numpy()
        if big.any():
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
    raise _fail(path, f"line {line_no} holds {len(m.group()):,} characters, more than the {limit:,}-character "
                      "limit of a record (corrupt or concatenated file?)")


# --------------------------------------------------------------------------- readers


def _select(names: Sequence[str], columns) -> list[str] | None:
    if columns is None:
        return None
    if callable(columns):
        return [n for n in names if columns(n)]
    wanted = set(columns)
    return [n for n in names if n in wanted]


def _record_lines(lines: list[str], n_records: int) -> list[int] | None:
    """File line of the first physical line of each record when values span lines (quote parity walk)."""
    out: list[int] = []
    open_q = False
    for i, ln in enumerate(lines):
        if not open_q:
            if not ln.strip():
                continue
            out.append(i + 2)
        if ln.count('"') % 2:
            open_q = not open_q
    return out if len(out) == n_records else None


def _check_swallowed(df: pd.DataFrame, sep: str, path) -> None:
    """A quoted value holding whole records means an unbalanced quote swallowed the following lines."""
    n_cols = len(df.columns)
    if n_cols < 2:
        return
    for col in df.columns:
        s = df[col]
        multi = s.str.contains("\n", regex=False).fillna(False).to_numpy(bool)
        if not multi.any():
            continue
        for line, value in zip(np.asarray(df.index)[multi], s[multi]):
            inner = value.split("\n")
            swallowed = [ln for ln in inner[1:] if ln.count(sep) >= n_cols - 1]
            if swallowed:
                raise _fail(
                    path,
                    f"column '{col}' at line {line}: an unbalanced quote makes one value of {len(inner)} lines that "
                    f"holds {len(swallowed)} whole record(s) (e.g. {swallowed[0][:80]!r}); the quote opened in "
                    f"{inner[0][:60]!r} is never closed where it should be. Fix the quote in the file",
                )


def _read_csv_text(text: str, path, limit: int, columns=None) -> tuple[pd.DataFrame, str | None, list[str]]:
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

    keep = _select(names, columns)
    try:
        table = pcsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names, block_size=max(1 << 22, limit * 4)),
            parse_options=pcsv.ParseOptions(
                delimiter=sep or "\x1f", invalid_row_handler=handler, newlines_in_values=True
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False, null_values=[],
                include_columns=keep,
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
    nonblank = [i + 2 for i, ln in enumerate(lines) if ln.strip()]
    if len(nonblank) == len(df):
        df.index = pd.Index(nonblank, name="line")
    else:  # quoted values spanning lines
        starts = _record_lines(lines, len(df))
        df.index = pd.Index(starts, name="line") if starts else pd.RangeIndex(2, 2 + len(df), name="line")
        _check_swallowed(df.astype("string"), sep or ";", path)
    return df, sep, names


def _find_line(lines: list[str], row_text: str) -> int | str:
    target = row_text.rstrip("\r")
    for i, ln in enumerate(lines):
        if ln.rstrip("\r") == target:
            return i + 2
    return "?"


def check_unique_header(names: Sequence[str], path, label: str = "File", note: str = "") -> None:
    """SchemaError when a column name appears twice in a header (the last would silently win)."""
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen:
            raise SchemaError(
                f"{label} '{path}', column '{n}': the header holds this column name twice "
                f"(positions {seen[n] + 1} and {i + 1}); expected unique column names{note}.",
                path=str(path),
                column=n,
                rows=[1],
                values=[n],
                expected="unique column names",
            )
        seen[n] = i


def _check_header(names: Sequence[str], path) -> None:
    check_unique_header(names, path)
    if names and all(n == "" for n in names):
        raise _fail(path, "the header line is blank; expected column names on line 1")


def _zip_member(path: Path, member: str | None, suffixes: tuple[str, ...], limit: int) -> tuple[bytes, str]:
    """Bytes of the one data member of a ZIP archive (CRC-checked; InputFileError when truncated)."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(path, f"is not a readable ZIP archive ({exc}); truncated download?") from None
    with zf:
        names = [
            n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX") and "/." not in n
        ]
        if member is None:
            wanted = [n for n in names if n.lower().endswith(suffixes)]
            if len(names) == 1:
                member = names[0]
            elif len(wanted) == 1:
                member = wanted[0]
            else:
                raise _fail(
                    path,
                    f"holds {len(names)} files ({', '.join(names[:10]) or 'none'}); pass member=... to choose one",
                )
        elif member not in names:
            raise _fail(path, f"has no member '{member}'; members are: {', '.join(names[:20])}")
        if zf.getinfo(member).file_size > limit:
            raise _fail(f"{path}!{member}", f"holds {zf.getinfo(member).file_size:,} bytes uncompressed, more "
                                            f"than the {limit:,}-byte limit of this reader")
        try:
            data = zf.read(member)
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            raise _fail(path, f"member '{member}' cannot be extracted ({exc}); truncated download?") from None
    return data, member


def _read_zip(path: Path, member: str | None, limit: int, max_bytes: int, columns) -> tuple:
    data, member = _zip_member(path, member, (".csv", ".txt", ".tsv"), max_bytes)
    if not data.strip():
        raise _fail(f"{path}!{member}", "file is empty")
    text, enc = _decode(data, f"{path}!{member}")
    df, sep, names = _read_csv_text(text, f"{path}!{member}", limit, columns)
    return df, sep, enc, member, names


def _cell_text(v) -> str | None:
    import datetime as dt
    import math

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


def _xlsx_type(types: set) -> str:
    types = types - {type(None)}
    if not types:
        return "text"
    if types <= {int, float}:
        return "int" if types == {int} else "float"
    if types == {str}:
        return "text"
    return "mixed" if types & {int, float} else "other"


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str, dict[str, str]]:
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
        col_types: list[set] = []
        for r_idx, row in enumerate(ws.iter_rows(), start=1):
            values = []
            raw = []
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
                raw.append(v)
            if header is None:
                if all(v is None for v in values):
                    continue
                header = [("" if v is None else str(v)).strip() for v in values]
                while header and header[-1] == "":
                    header.pop()
                col_types = [set() for _ in header]
                continue
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            values = (values + [None] * len(header))[: len(header)]
            for j, v in enumerate(raw[: len(header)]):
                col_types[j].add(type(v))
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
    types = {h: _xlsx_type(t) for h, t in zip(header, col_types)}
    return df, title, types


def _arrow_text(col) -> tuple[pd.Series, str]:
    """(text Series, source type) of one Arrow column, vectorised."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = col.type
    if pa.types.is_dictionary(t):
        col = col.cast(t.value_type)
        t = t.value_type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return col.to_pandas().astype("string"), "text"
    if pa.types.is_boolean(t):
        return pc.if_else(col, "true", "false").to_pandas().astype("string"), "bool"
    if pa.types.is_integer(t):
        return pc.cast(col, pa.string()).to_pandas().astype("string"), "int"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        f = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(f)
        whole = finite & (np.floor(np.where(finite, f, 0)) == np.where(finite, f, 0)) & (np.abs(np.where(finite, f, 0)) < 2**53)
        text = pd.Series(pc.cast(col, pa.string()).to_pandas(), dtype="string")
        ints = pd.Series(np.where(whole, f, 0).astype(np.int64)).astype("string")
        text = text.where(~whole, ints)
        text = text.where(~np.isnan(f), pd.NA)
        return text, "float"
    if pa.types.is_date(t):
        return pc.cast(col, pa.string()).to_pandas().astype("string"), "date"
    if pa.types.is_timestamp(t):
        s = pc.cast(col, pa.string()).to_pandas().astype("string")
        s = s.str.replace(r"\.0+$", "", regex=True).str.replace(r" 00:00:00$", "", regex=True).str.replace(" ", "T")
        return s, "datetime"
    return pd.Series([_cell_text(v) for v in col.to_pylist()], dtype="string"), "other"


def _read_parquet(path: Path, columns) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        names = list(schema.names)
        _check_header(names, path)
        keep = _select(names, columns)
        table = pq.read_table(path, columns=keep)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as exc:
        raise _fail(path, f"is not a readable Parquet file (truncated or corrupt: {exc})") from None
    if table.num_rows == 0:
        raise _fail(path, f"has a schema ({table.num_columns} columns) but no data rows")
    out, types = {}, {}
    for name in table.column_names:
        out[name], types[name] = _arrow_text(table.column(name))
    df = pd.DataFrame(out)
    df.index = pd.RangeIndex(1, 1 + len(df), name="line")
    return df, types, names


def read_table(
    path,
    *,
    sheet: str | None = None,
    member: str | None = None,
    expected_columns: Sequence[str] | None = None,
    columns: Callable[[str], bool] | Sequence[str] | None = None,
    max_field_bytes: int = MAX_FIELD_BYTES,
    max_bytes: int = MAX_TABLE_BYTES,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read a CSV / zipped CSV / XLSX / Parquet file as text columns — the one way to read a table.

    **Input.** ``path`` is taken literally (no glob: ``[1]`` or ``*`` in a name are
    characters) and must be a regular file of at most ``max_bytes`` (FIFOs, devices and
    directories are refused). The format is recognised by its magic bytes, then by its
    suffix: Parquet (``PAR1``), XLSX (``sheet=`` to choose the sheet, first by default;
    plain values only, a formula is an error), ZIP holding one CSV (``member=`` to choose
    it), legacy ``.xls`` (refused), otherwise CSV text.

    **CSV conventions.** Encoding UTF-8 with or without BOM, else Windows-1252 (a mix
    of both is an error). Separator: the most frequent of ``; , TAB |`` on the header line
    (outside quotes). Quote ``"`` (doubled inside values); values may span lines only when
    quoted, and a quoted value that holds whole records (an unbalanced quote) is an error.

    **Output.** ``(df, info)``. ``df`` has one pandas ``string`` column per header field,
    named as written in the file (stripped); values are stripped and the tokens of
    :data:`NA_TOKENS` (empty, ``NA``, ``N/A``, ``NULL``, ``nd``, ``s``…) are NA. Typed
    sources are written as text without loss: integers as digits, integral floats as
    digits, other floats in shortest repr, dates ``YYYY-MM-DD``, booleans ``true``/``false``.
    The index, named ``line``, holds the file line of each record (CSV: its first
    physical line, header = line 1; XLSX: the sheet row; Parquet: the 1-based record
    number), quoted by every error message. ``columns`` (a list of header names or a
    predicate on them) keeps only those columns (Parquet and CSV read no others).
    ``info`` is a :class:`ReadInfo` (format, encoding, separator, decimal convention
    seen, source type of each column).

    **Errors.** :class:`~esstools.errors.InputFileError` (missing, not a regular file,
    empty, too big, header only, undecodable, NUL bytes anywhere, a line or field longer
    than ``max_field_bytes``, a wrong field count, an unbalanced quote, truncated ZIP /
    Parquet / XLSX) or :class:`~esstools.errors.SchemaError` (a column name twice in the
    header, a formula in an XLSX cell), each naming the file, the line and the column.
    ``expected_columns`` is accepted for compatibility and unused.
    """
    path = Path(path)
    check_data_file(path, max_bytes=max_bytes)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    suffix = path.suffix.lower()
    info = ReadInfo(path=str(path), format="csv")
    types: dict[str, str] = {}
    header: list[str] | None = None
    if magic == b"PAR1" or suffix in (".parquet", ".pq"):
        df, types, header = _read_parquet(path, columns)
        info.format = "parquet"
    elif suffix in (".xlsx", ".xlsm") or (magic[:2] == b"PK" and _is_xlsx(path)):
        df, info.sheet, types = _read_xlsx(path, sheet)
        info.format = "xlsx"
        keep = _select(list(df.columns), columns)
        if keep is not None:
            df = df[keep]
    elif suffix == ".xls":
        raise _fail(path, "is a legacy Excel 97-2003 (.xls) workbook; save it as .xlsx or CSV")
    elif magic[:2] == b"PK" or suffix == ".zip":
        df, info.separator, info.encoding, info.member, header = _read_zip(path, member, max_field_bytes, max_bytes,
                                                                           columns)
        info.format = "zip"
    else:
        data = _read_bounded(path, max_bytes)
        if not data.strip(b" \t\r\n\xef\xbb\xbf"):
            raise _fail(path, "file is empty (blank content)")
        text, info.encoding = _decode(data, path)
        df, info.separator, header = _read_csv_text(text, path, max_field_bytes, columns)
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    df = _na_and_strip(df)
    _check_field_sizes(df, path, max_field_bytes)
    info.rows = len(df)
    info.columns = list(df.columns)
    info.source_types = {c: types.get(c, "text") for c in df.columns}
    info.header = list(header or df.columns)
    info.decimal = _detect_decimal(df)
    if info.format == "parquet" and info.decimal in (None, "mixed"):
        info.decimal = "dot"
    return df, info


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def read_json_document(path, *, max_bytes: int = MAX_JSON_BYTES, member: str | None = None):
    """Parse a JSON file (or the one JSON member of a ZIP archive), bounded by ``max_bytes``.

    The path is literal and must be a regular file (an endless stream is refused before
    any read); the content must be UTF-8 (BOM allowed). Errors
    (:class:`~esstools.errors.InputFileError`) name the file and, for syntax errors, the
    line and column (truncated download or hand-edited file).
    """
    path = Path(path)
    check_data_file(path, "File", "a JSON file", max_bytes=max_bytes)
    with open(path, "rb") as fh:
        magic = fh.read(4)
    shown: object = path
    if magic[:2] == b"PK":
        data, member = _zip_member(path, member, (".json",), max_bytes)
        shown = f"{path}!{member}"
    else:
        data = _read_bounded(path, max_bytes)
    if not data.strip():
        raise _fail(shown, "file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _fail(shown, f"contains NUL bytes (first at byte {nul:,}): damaged download or not a JSON text file")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _fail(shown, f"JSON must be UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _fail(
            shown, f"invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); truncated download or "
                   "hand-edited file?") from None
    except RecursionError:
        raise _fail(shown, "JSON nested too deeply to be a data file") from None


# --------------------------------------------------------------------------- totals

_TOTAL_RE = re.compile(
    r"^(?:total|totaux|total_general|total_ess|total_annuel|total_\d{4}|total_des?_.*|total_par_.*"
    r"|sous_total(?:_.*)?|sous_totaux(?:_.*)?"
    r"|ensemble|ensemble_des_.*|tous_secteurs|toutes_activites|france_entiere)$")


def find_total_rows(df: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Mask of rows that are totals or subtotals: a label such as "Total", "Sous-total …",
    "Total général", "Ensemble", "Tous secteurs" in one of ``columns`` (key/category
    columns where such a label can only mean a total, never in free-text name columns).

    Returns a boolean Series aligned on ``df``; callers drop them with a counted
    RepairWarning or refuse them.
    """
    mask = pd.Series(False, index=df.index)
    for c in columns:
        if c not in df.columns:
            continue
        v = df[c].astype("string")
        uniq = v.dropna().unique()
        tot = {u for u in uniq if _TOTAL_RE.match(normalise_text(u))}
        if tot:
            mask |= v.isin(tot).fillna(False).astype(bool)
    return mask


# --------------------------------------------------------------------------- numbers

_GROUP_SPACE = r"[ \u00a0\u202f\u2009\u2007']"
_NUM_PATTERNS = {
    # classes of a cleaned value (sign removed, spaces between digit groups removed)
    "int": r"\d+",
    "comma_dec": r"\d+,\d+",
    "dot_thousands_comma_dec": r"\d{1,3}(?:\.\d{3})+,\d+",
    "dot_grouped": r"\d{1,3}(?:\.\d{3}){2,}",
    "dot_ambiguous": r"[1-9]\d{0,2}\.\d{3}",
    "dot_dec": r"\d*\.\d+",
    "sci": r"\d+(?:[.,]\d+)?[eE][+-]?\d+",
}
_SPACED = re.compile(rf"^\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}})+(?:[.,]\d+)?$")


def _classify(v: pd.Series) -> dict[str, pd.Series]:
    return {k: v.str.fullmatch(p).fillna(False).astype(bool) for k, p in _NUM_PATTERNS.items()}


def parse_number(
    series: pd.Series,
    path=None,
    column=None,
    *,
    allow_negative: bool = True,
    integer: bool = False,
    decimal: str = "auto",
    units: Sequence[str] = (),
    hint: str | None = None,
) -> pd.Series:
    """The one number parser of esstools; NA stays NA, anything it cannot decide is refused.

    Rules, applied to each value:

    1. Leading ``+``/``-`` (or U+2212 minus) allowed; a unit is stripped only when listed
       in ``units`` (e.g. ``("€", "EUR")`` for amounts, ``("%",)`` for percentages): ``12 %``
       in an hours column is an error, never 12.
    2. Spaces (including NBSP U+00A0, narrow NBSP U+202F, thin space) and apostrophes are
       thousands separators only between groups of exactly three digits (``1 234 567,5``);
       ``12 34`` is refused.
    3. The decimal convention is decided **per column** (``decimal="auto"``): a comma
       decimal (``2,5``) or dots grouping thousands (``1.234.567``, ``1.234,5``) make the
       column French (dots are thousands separators); a dot followed by other than three
       digits (``2.5``, ``0.125``) makes it English (dot decimal). Both in one column is an
       error. ``48.000`` alone (a dot and exactly three digits) is ambiguous: decided by
       the column, else by ``hint`` (the file's convention, from :class:`ReadInfo`), else
       refused. ``decimal="dot"`` (typed formats, JSON/Parquet) refuses commas and dot
       grouping; ``decimal="comma"`` treats every dot as a thousands separator.
    4. Scientific notation (``1e6``, ``1,5E+06``) is accepted; non-finite results
       (``1e309``, ``inf``, ``nan`` written out) are refused.
    5. ``integer=True`` refuses fractions; ``allow_negative=False`` refuses negatives.

    Failures raise SchemaError naming the file, the column, the rows and the values.
    Returns float64 (``integer=False``) or nullable Int64.
    """
    check_choice("decimal", decimal, ["auto", "dot", "comma"])
    raw = series.astype("string")
    s = raw.str.strip()
    if units:
        alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
        s = s.str.replace(rf"(?i)^(?:{alt})\s*|\s*(?:{alt})$", "", regex=True)
    present = (s.notna() & (s != "")).fillna(False).astype(bool)
    v = s.fillna("")
    sign = v.str.extract(r"^([+\-\u2212]?)", expand=False).fillna("")
    v = v.str.replace(r"^[+\-\u2212]", "", regex=True)
    spaced = v.str.contains(_GROUP_SPACE, regex=True)
    bad_space = present & spaced & ~v.str.fullmatch(_SPACED.pattern).fillna(False).astype(bool)
    v = v.str.replace(_GROUP_SPACE, "", regex=True)
    cls = _classify(v)
    known = cls["int"] | cls["comma_dec"] | cls["dot_thousands_comma_dec"] | cls["dot_grouped"] | cls["dot_dec"] | cls["sci"]

    def fail(mask, expected):
        mask = (mask & present).to_numpy()
        if mask.any():
            raise SchemaError(path=path, column=column, rows=row_numbers(series, mask),
                              values=list(raw[mask].head(5)), expected=expected)

    unit_txt = f" (units allowed: {', '.join(units)})" if units else " (no unit or % sign in this column)"
    fail(~known, "a number such as '1234', '1 234,5' or '1234.5'" + unit_txt)
    fail(bad_space, "digit groups of three separated by spaces, e.g. '1 234 567,5'")

    french = cls["comma_dec"] | cls["dot_thousands_comma_dec"] | cls["dot_grouped"]
    english = (cls["dot_dec"] & ~cls["dot_ambiguous"]) | (cls["sci"] & v.str.contains(".", regex=False))
    ambiguous = cls["dot_ambiguous"]
    if decimal == "dot":
        fail(v.str.contains(",", regex=False) | cls["dot_grouped"],
             "a number with a dot as decimal separator and no thousands separator (typed format)")
        dot_thousands = pd.Series(False, index=v.index)
    elif decimal == "comma":
        fail(english & ~cls["sci"], "a number with a decimal comma (dots can only separate thousands in this file)")
        dot_thousands = ambiguous | cls["dot_grouped"] | cls["dot_thousands_comma_dec"]
    else:
        has_fr, has_en = bool((french & present).any()), bool((english & present).any())
        if has_fr and has_en:
            ex_fr = raw[(french & present).to_numpy()].iloc[0]
            ex_en = raw[(english & present).to_numpy()].iloc[0]
            fail(english, f"one decimal convention per column: this column has French numbers (e.g. {ex_fr!r}, dot = "
                          f"thousands separator) and English ones (e.g. {ex_en!r}, dot = decimal separator)")
        convention = "comma" if has_fr else "dot" if has_en else hint if hint in ("comma", "dot") else None
        if convention is None:
            fail(ambiguous, "an unambiguous number: a dot followed by exactly three digits may be a decimal point "
                            "or a thousands separator (48.000 = 48 or 48 000?); write it without the dot or with a "
                            "decimal comma")
        dot_thousands = (ambiguous if convention == "comma" else pd.Series(False, index=v.index)) | cls["dot_grouped"] | cls["dot_thousands_comma_dec"]
    clean = v.where(~dot_thousands, v.str.replace(".", "", regex=False)).str.replace(",", ".", regex=False)
    out = pd.Series(np.nan, index=series.index, dtype="float64")
    num = pd.to_numeric(clean.where(present, None), errors="coerce").astype("float64")
    neg = (sign != "").to_numpy() & (sign != "+").to_numpy()
    num = num.where(~neg, -num)
    out[present.to_numpy()] = num[present].to_numpy()
    fail(present & ~np.isfinite(out.fillna(0.0)), "a finite number (this one overflows: too many digits or exponent)")
    if not allow_negative:
        fail(present & (out < 0), "a non-negative number")
    if integer:
        fail(present & (out != np.floor(out)), "a whole number")
        fail(present & (out.abs() >= 2**63), "a whole number below 9.2e18")
        return out.round().astype("Int64")
    return out
