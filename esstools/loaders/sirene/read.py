"""SIRENE files as DuckDB relations: format detection, literal paths, whole-file integrity checks.

A file is inspected without being loaded: Parquet through its footer (read by DuckDB),
CSV through its first 64 KB, a zipped CSV by extracting its one member to a temporary
file (deleted afterwards). CSV files are scanned once in bounded chunks for NUL bytes
(a damaged download whose tail was zero-filled) and unbalanced quotes (INSEE stock files
never hold a value spanning lines: a line with an odd number of quotes would swallow the
following records). Names are taken literally: a path holding glob characters
(``[1]``, ``*``, ``?``, ``{``) is read through a symbolic link with a plain name, so
DuckDB never expands it into other files.
"""

from __future__ import annotations

import codecs
import os
import shutil
import tempfile
import warnings
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import duckdb
import numpy as np

from ...errors import EsstoolsWarning, InputFileError, SchemaError
from ..common import check_data_file, check_unique_header, sniff_separator
from .schema import SCHEMA_VERSION

_CHUNK = 64 * 1024 * 1024
_GLOB_CHARS = set("*?[]{}")


def sql_str(value: str) -> str:
    """SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Source:
    path: Path  # the file the user gave
    kind: str  # "csv" or "parquet"
    read_path: Path
    columns: dict[str, str] = field(default_factory=dict)  # name -> "text" | "int" | "float" | "date" | "bool" | "other"
    delimiter: str = ","
    encoding: str = "utf-8"
    skip_bom: bool = False
    rows: int | None = None  # Parquet: from the footer

    def relation(self, row_numbers: bool = False) -> str:
        p = sql_str(str(self.read_path))
        if self.kind == "parquet":
            return f"read_parquet({p}" + (", file_row_number=true)" if row_numbers else ")")
        enc = "latin-1" if self.encoding != "utf-8" else "utf-8"
        cols = ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in self.columns)
        return (
            f"read_csv({p}, delim={sql_str(self.delimiter)}, header=true, quote='\"', escape='\"', "
            f"encoding={sql_str(enc)}, auto_detect=false, columns={{{cols}}}, null_padding=false, strict_mode=true)"
        )

    def row_number_expr(self) -> str:
        # file line / record number as a spreadsheet user counts it (header = row 1)
        return "file_row_number + 2" if self.kind == "parquet" else "row_number() OVER () + 1"


def _literal(p: Path, stack: ExitStack) -> Path:
    """A path DuckDB reads as exactly this file: absolute, and without glob characters."""
    p = p.absolute()
    if not (_GLOB_CHARS & set(str(p))):
        return p
    tmpdir = Path(tempfile.mkdtemp(prefix="esstools-sirene-"))
    stack.callback(shutil.rmtree, tmpdir, True)
    link = tmpdir / ("data" + "".join(c for c in p.suffix if c.isalnum() or c == "."))
    try:
        link.symlink_to(p)
    except OSError:  # pragma: no cover - filesystems without symbolic links
        shutil.copyfile(p, link)
    return link


def open_source(path, role: str, stack: ExitStack, con: duckdb.DuckDBPyConnection | None = None) -> Source:
    """Inspect ``path`` (format, encoding, separator, header, integrity) without loading it."""
    p = Path(path)
    check_data_file(p, f"SIRENE {role} file", "a CSV, zipped CSV or Parquet file")
    with open(p, "rb") as fh:
        head = fh.read(4)
    if head == b"PAR1" or p.suffix.lower() in (".parquet", ".pq"):
        return _open_parquet(p, role, con, _literal(p, stack))
    if head.startswith(b"PK\x03\x04") or p.suffix.lower() == ".zip":
        return _open_zip(p, role, stack)
    return _open_csv(_literal(p, stack), p, role, scan=True)


_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
              "UBIGINT", "UHUGEINT")


def _kind_of(dtype: str) -> str:
    dtype = dtype.upper()
    if dtype in _INT_TYPES:
        return "int"
    if dtype in ("FLOAT", "DOUBLE", "REAL") or dtype.startswith("DECIMAL"):
        return "float"
    if dtype == "VARCHAR":
        return "text"
    if dtype == "DATE" or dtype.startswith("TIMESTAMP"):
        return "date"
    if dtype == "BOOLEAN":
        return "bool"
    return "other"


def _open_parquet(p: Path, role: str, con: duckdb.DuckDBPyConnection | None = None,
                  read_path: Path | None = None) -> Source:
    # The footer is read by DuckDB itself (importing pyarrow.parquet would cost ~0.15 s per
    # process), on the caller's connection when given (a new DuckDB instance costs ~20 ms).
    read_path = read_path or p
    rp = sql_str(str(read_path))
    try:
        with ExitStack() as own:
            if con is None:
                con = own.enter_context(duckdb.connect())
            names = [r[0] for r in con.execute(
                f"SELECT name FROM parquet_schema({rp}) WHERE num_children IS NULL OR num_children = 0").fetchall()]
            schema = con.execute(f"DESCRIBE SELECT * FROM read_parquet({rp})").fetchall()
            rows = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({rp})").fetchone()[0]
    except duckdb.Error as exc:  # "No magic bytes found at end of file" for truncated files
        detail = str(exc).strip().splitlines()[0]
        raise InputFileError(
            f"SIRENE {role} file '{p}' cannot be read as Parquet (truncated or corrupt file: {detail}). "
            "Download it again (esstools fetch) or check the copy."
        ) from exc
    _check_unique_names(names, p, role)
    if not rows:
        raise InputFileError(f"SIRENE {role} file '{p}' has a schema ({len(schema)} columns) but no data rows.")
    cols = {name: _kind_of(str(dtype)) for name, dtype, *_ in schema}
    return Source(path=p, kind="parquet", read_path=read_path, columns=cols, rows=int(rows))


def _check_unique_names(names: list[str], p: Path, role: str) -> None:
    check_unique_header(names, p, f"SIRENE {role} file", f" (schema_version {SCHEMA_VERSION!r})")


class _Integrity:
    """Streaming checks of a CSV byte stream: NUL bytes, odd quote count per line (carried across chunks)."""

    def __init__(self, shown, role: str) -> None:
        self.shown, self.role = shown, role
        self.offset = 0
        self.lines = 0  # complete lines seen before the current chunk
        self.carry_quotes = 0  # quotes on the current (unfinished) line

    def feed(self, chunk: bytes) -> None:
        nul = chunk.find(b"\x00")
        if nul >= 0:
            line = self.lines + chunk.count(b"\n", 0, nul) + 1
            raise InputFileError(
                f"SIRENE {self.role} file '{self.shown}' contains NUL bytes (first at byte {self.offset + nul:,}, "
                f"line {line}): a damaged or truncated download whose tail was filled with zeros, or a binary "
                "file. Download it again (esstools fetch).")
        if b'"' in chunk or self.carry_quotes % 2:
            arr = np.frombuffer(chunk, dtype=np.uint8)
            q = np.flatnonzero(arr == 34)
            nl = np.flatnonzero(arr == 10)
            line_of_q = np.searchsorted(nl, q)  # index of the line (within the chunk) holding each quote
            counts = np.bincount(line_of_q, minlength=len(nl) + 1)
            counts[0] += self.carry_quotes
            odd = np.flatnonzero(counts[: len(nl)] % 2)
            if odd.size:
                i = int(odd[0])
                line = self.lines + i + 1
                start = 0 if i == 0 else int(nl[i - 1]) + 1
                text = chunk[start:int(nl[i])][:120].decode("utf-8", "replace")
                raise InputFileError(
                    f"SIRENE {self.role} file '{self.shown}', line {line}: an odd number of quote characters "
                    f"(unbalanced quote: {text!r}); the parser would read the following lines into one value. "
                    "INSEE stock files never hold a value spanning lines: fix the quote in the file.")
            self.carry_quotes = int(counts[len(nl)])
        elif b"\n" in chunk:
            self.carry_quotes = 0
        self.lines += chunk.count(b"\n")
        self.offset += len(chunk)

    def finish(self) -> None:
        if self.carry_quotes % 2:
            raise InputFileError(
                f"SIRENE {self.role} file '{self.shown}', line {self.lines + 1} (last line): an odd number of quote "
                "characters (unbalanced quote at the end of the file: truncated file?).")


def _scan_file(path: Path, shown, role: str) -> None:
    check = _Integrity(shown, role)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            check.feed(chunk)
    check.finish()


def _open_zip(p: Path, role: str, stack: ExitStack) -> Source:
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
        target = tmpdir / "member.csv"
        shown = f"{p}!{members[0].filename}"
        check = _Integrity(shown, role)
        try:
            with zf.open(members[0]) as src, open(target, "wb") as dst:  # CRC checked at the end of the member
                while chunk := src.read(_CHUNK):
                    check.feed(chunk)
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise InputFileError(
                f"SIRENE {role} zip archive '{p}' is truncated or corrupt: member "
                f"'{members[0].filename}' cannot be extracted ({exc})."
            ) from exc
        check.finish()
    return _open_csv(target, p, role, scan=False)


def _open_csv(read_path: Path, shown: Path, role: str, scan: bool) -> Source:
    with open(read_path, "rb") as fh:
        sample = fh.read(1 << 16)
    if not sample.strip():
        raise InputFileError(f"SIRENE {role} file '{shown}' is empty.")
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in sample[:1000]:
        raise InputFileError(
            f"SIRENE {role} file '{shown}' is encoded in UTF-16 (NUL bytes found); "
            "expected UTF-8 (INSEE stock files) or Windows-1252/Latin-1. Re-save it as UTF-8 CSV."
        )
    if scan:
        _scan_file(read_path, shown, role)
    skip_bom = sample.startswith(b"\xef\xbb\xbf")
    body = sample[3:] if skip_bom else sample
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
    _check_unique_names(names, shown, role)
    data_lines = [ln for ln in lines[1:] if ln.strip()]
    if not data_lines and len(sample) < (1 << 16):
        raise InputFileError(f"SIRENE {role} file '{shown}' contains a header line but no data rows.")
    return Source(path=shown, kind="csv", read_path=read_path, columns={n: "text" for n in names},
                  delimiter=sep, encoding=encoding, skip_bom=skip_bom)


def require(src: Source, required: Iterable[str], role: str, hint: str) -> None:
    """SchemaError naming the missing INSEE columns (and a renamed one when the header has a close name)."""
    import difflib

    missing = [c for c in required if c not in src.columns]
    if missing:
        found = ", ".join(list(src.columns)[:8]) + (", ..." if len(src.columns) > 8 else "")
        from .schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

        known = set(ETABLISSEMENT_COLUMNS) | set(UNITE_LEGALE_COLUMNS)
        close = difflib.get_close_matches(missing[0], [c for c in src.columns if c not in known], n=1, cutoff=0.6)
        renamed = f" Column {close[0]!r} looks like a renamed {missing[0]!r}: has the upstream schema changed?" \
            if close else ""
        raise SchemaError(
            f"SIRENE {role} file '{src.path}' lacks required column(s) {', '.join(repr(m) for m in missing)} "
            f"(found: {found}); expected the INSEE {hint} header (schema_version {SCHEMA_VERSION!r})"
            + (" (separator detected: " + repr(src.delimiter) + ")" if src.kind == "csv" else "")
            + "." + renamed,
            path=str(src.path),
            column=missing[0],
            expected=f"INSEE {hint} columns",
        )


def temp_directory() -> str:
    """DuckDB spill directory of this process."""
    return str(Path(tempfile.gettempdir()) / f"esstools-duckdb-{os.getpid()}")
