"""Exception and warning classes shared by every esstools module.

One small class per domain failure; messages are full sentences that name the
file, the column, the offending rows/values and what was expected.
"""

from __future__ import annotations

from typing import Iterable, Sequence


class EsstoolsError(Exception):
    """Base class of every error raised on purpose by esstools."""


class InputFileError(EsstoolsError):
    """A file cannot be read at all (missing, empty, wrong encoding, truncated...)."""


class SchemaError(EsstoolsError):
    """A table does not match its documented schema.

    Attributes give the machine-readable details: ``path`` (file or None),
    ``column``, ``rows`` (first offending row numbers, 1-based data rows as a
    spreadsheet user would count them, header = row 1), ``values`` (the
    offending values) and ``expected`` (what the column must contain).
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        path: str | None = None,
        column: str | None = None,
        rows: Sequence[int] = (),
        values: Sequence[object] = (),
        expected: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.column = column
        self.rows = list(rows)
        self.values = list(values)
        self.expected = expected
        if message is None:
            message = format_schema_message(self.path, column, self.rows, self.values, expected)
        super().__init__(message)


class UnknownCodeError(EsstoolsError, KeyError):
    """Territorial codes (commune, EPT, département...) unknown in the chosen vintage."""

    def __init__(self, message: str, codes: Iterable[str] = ()) -> None:
        self.codes = list(codes)
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class ParameterError(EsstoolsError, ValueError):
    """A function or notebook parameter has a value outside the allowed set."""


class FetchError(EsstoolsError):
    """A download failed (network, checksum mismatch, unknown source)."""


class EsstoolsWarning(UserWarning):
    """Base class for recoverable conditions esstools repairs or reports."""


class RepairWarning(EsstoolsWarning):
    """esstools repaired input values in an unambiguous, documented way (counted in the message)."""


class DemoDataWarning(EsstoolsWarning):
    """Results rest on synthetic demonstration data."""


def format_schema_message(
    path: str | None,
    column: str | None,
    rows: Sequence[int],
    values: Sequence[object],
    expected: str | None,
    max_items: int = 5,
) -> str:
    """Build the standard one-paragraph message used by :class:`SchemaError`."""
    where = f"File '{path}'" if path else "Table"
    parts = [where]
    if column is not None:
        parts.append(f"column '{column}'")
    msg = ", ".join(parts)
    if rows:
        shown = ", ".join(str(r) for r in list(rows)[:max_items])
        more = f" (and {len(rows) - max_items} more)" if len(rows) > max_items else ""
        msg += f": invalid value(s) at row(s) {shown}{more}"
    if values:
        shown_v = ", ".join(repr(v) for v in list(values)[:max_items])
        msg += f"; got {shown_v}"
    if expected:
        msg += f"; expected {expected}"
    return msg + "."


def check_choice(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise :class:`ParameterError` listing ``allowed`` when ``value`` is not one of them."""
    allowed = list(allowed)
    if value not in allowed:
        raise ParameterError(
            f"Invalid value {value!r} for '{name}'; allowed values are: "
            + ", ".join(repr(a) for a in allowed)
            + "."
        )
