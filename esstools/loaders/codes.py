"""Identifier checks: SIREN / SIRET check digits, commune and département codes.

SIREN (9 digits) and SIRET (14 digits = SIREN + 5-digit NIC) end with a check
digit computed with the Luhn formula (INSEE, "Numéro Siret", definition page
https://www.insee.fr/fr/metadonnees/definition/c1841 ; "Numéro Siren",
https://www.insee.fr/fr/metadonnees/definition/c2047).

La Poste exception: since La Poste became a société anonyme (2010), all its
establishments share SIREN 356 000 000; their SIRETs do not satisfy the Luhn
formula. The rule published for them (INSEE "Numéro Siret", as relayed by the
French Wikipedia article "Système d'identification du répertoire des
établissements", section "Exceptions pour le groupe La Poste") is: *the sum of
the 14 digits must be a multiple of 5*. Only the head office SIRET
35600000000048 also satisfies Luhn. :func:`is_valid_siret` therefore accepts a
SIRET of SIREN 356000000 when it passes Luhn **or** its digit sum is a multiple
of 5.

Commune codes (code officiel géographique, COG) are 5 characters: 2-digit
département + 3-digit number, or ``2A``/``2B`` + 3 digits for Corsica, or
``97x``/``98x`` + 2 digits overseas. A 4-digit numeric code is a code whose
leading zero was lost by a spreadsheet (départements 01-09): it is repaired by
zero-padding with a :class:`~esstools.errors.RepairWarning` that counts the
repairs. Anything else is a :class:`~esstools.errors.SchemaError`.
"""

from __future__ import annotations

import re
import warnings
import pandas as pd

from ..errors import RepairWarning, SchemaError

LA_POSTE_SIREN = "356000000"

_COMMUNE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEP_RE = re.compile(r"^(?:\d{2}|2[AB]|97\d)$")
_NAF_RE = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")

__all__ = [
    "LA_POSTE_SIREN",
    "luhn_valid",
    "luhn_check_digit",
    "is_valid_siren",
    "is_valid_siret",
    "check_siren_series",
    "check_siret_series",
    "normalise_commune_codes",
    "normalise_departement_codes",
    "departement_of_commune",
    "check_known_communes",
    "normalise_naf",
]


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (a string of decimal digits) passes the Luhn check."""
    if not isinstance(digits, str) or not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(prefix: str) -> str:
    """The digit to append to ``prefix`` so that the whole number passes Luhn (to build test identifiers)."""
    for d in "0123456789":
        if luhn_valid(prefix + d):
            return d
    raise ValueError(f"no Luhn check digit for {prefix!r}")  # pragma: no cover


def is_valid_siren(s: object) -> bool:
    """True for a 9-digit string passing the Luhn check."""
    return isinstance(s, str) and len(s) == 9 and luhn_valid(s)


def is_valid_siret(s: object) -> bool:
    """True for a 14-digit SIRET passing Luhn (or the La Poste digit-sum rule, see module doc)."""
    if not (isinstance(s, str) and len(s) == 14 and s.isdigit() and s.isascii()):
        return False
    if luhn_valid(s):
        return True
    if s.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in s) % 5 == 0
    return False


def _row_numbers(series: pd.Series, mask) -> list[int]:
    """File line numbers of the True entries of ``mask`` (see common.row_numbers)."""
    from .common import row_numbers

    return row_numbers(series, mask)



def _raise_if_invalid(normalised: pd.Series, original: pd.Series, bad: pd.Series, path, column, expected: str) -> None:
    """Raise SchemaError naming the rows and original values where ``bad`` is true."""
    if bad.any():
        raise SchemaError(
            path=path,
            column=column,
            rows=_row_numbers(normalised, bad),
            values=list(original[bad.to_numpy()].head(5)),
            expected=expected,
        )

def _check_ids(series: pd.Series, path, column, width: int, validator, label: str) -> pd.Series:
    s = series.astype("string").str.strip()
    s = s.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    present = s.notna() & (s != "")
    bad = present & ~s.fillna("").map(validator).astype(bool)
    _raise_if_invalid(s, series, bad, path, column, f"a {width}-digit {label} number with a valid Luhn check digit"
            + (" (La Poste SIRETs of SIREN 356000000: digit sum multiple of 5)" if width == 14 else ""))
    return s.where(present, pd.NA)


def check_siren_series(series: pd.Series, path=None, column=None) -> pd.Series:
    """Return ``series`` stripped of spaces, raising SchemaError on any invalid SIREN.

    Empty/NA entries are left as NA (required-ness is checked by the schema).
    """
    return _check_ids(series, path, column, 9, is_valid_siren, "SIREN")


def check_siret_series(series: pd.Series, path=None, column=None) -> pd.Series:
    """Return ``series`` stripped of spaces, raising SchemaError on any invalid SIRET."""
    return _check_ids(series, path, column, 14, is_valid_siret, "SIRET")


def normalise_commune_codes(series: pd.Series, path=None, column=None) -> pd.Series:
    """Commune codes as 5-character strings.

    A 4-digit numeric code is zero-padded (lost leading zero; RepairWarning
    counting the repairs); ``2A``/``2B`` (Corsica) are accepted (lower case is
    upper-cased); anything else raises SchemaError with file rows and values.
    NA/empty entries are returned as NA.
    """
    s = series.astype("string").str.strip().str.upper()
    s = s.str.replace(r"\.0$", "", regex=True)  # "1004.0" written by a spreadsheet
    present = s.notna() & (s != "")
    four = present & s.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    n_rep = int(four.sum())
    if n_rep:
        s = s.where(~four, "0" + s)
        where = f" in file '{path}'" if path else ""
        col = f" column '{column}'" if column else ""
        warnings.warn(
            f"Repaired {n_rep} commune code(s){where}{col} by restoring a lost leading zero "
            f"(4-digit code -> 5 digits, e.g. {series[four.to_numpy()].iloc[0]!r} -> {s[four].iloc[0]!r}).",
            RepairWarning,
            stacklevel=2,
        )
    ok = s.fillna("").str.fullmatch(_COMMUNE_RE.pattern).astype(bool)
    bad = present & ~ok
    _raise_if_invalid(s, series, bad, path, column, "a 5-character commune code (COG), e.g. '93066' or '2A004'")
    return s.where(present, pd.NA)


def normalise_departement_codes(series: pd.Series, path=None, column=None) -> pd.Series:
    """Département codes as strings ('01'..'95', '2A', '2B', '971'..'976').

    A 1-digit numeric code is zero-padded with a RepairWarning; other invalid
    values raise SchemaError.
    """
    s = series.astype("string").str.strip().str.upper()
    s = s.str.replace(r"\.0$", "", regex=True)
    present = s.notna() & (s != "")
    one = present & s.str.fullmatch(r"\d").fillna(False).astype(bool)
    if one.any():
        s = s.where(~one, "0" + s)
        where = f" in file '{path}'" if path else ""
        col = f" column '{column}'" if column else ""
        warnings.warn(
            f"Repaired {int(one.sum())} département code(s){where}{col} by restoring a lost leading zero.",
            RepairWarning,
            stacklevel=2,
        )
    bad = present & ~s.fillna("").str.fullmatch(_DEP_RE.pattern).astype(bool)
    _raise_if_invalid(s, series, bad, path, column, "a département code such as '93', '2A' or '974'")
    return s.where(present, pd.NA)


def departement_of_commune(codes: pd.Series) -> pd.Series:
    """Département code of 5-character commune codes ('97x' overseas, else first 2 characters)."""
    s = codes.astype("string")
    overseas = s.str.match(r"9[78]").fillna(False).astype(bool)
    return s.str[:2].mask(overseas, s.str[:3])


def check_known_communes(
    series: pd.Series, path=None, column=None, cog: int | None = None, on_missing: str = "warn"
) -> pd.Series:
    """Raise SchemaError when a (normalised) commune code is unknown in the COG vintage ``cog``.

    Uses :mod:`esstools.territory` (imported lazily; arrondissements
    municipaux count as known, as in SIRENE). If that module is not
    available, the check is skipped: with a ``UserWarning`` saying so when
    ``on_missing="warn"``, silently when ``"skip"``. Returns ``series``.
    """
    known = _known_commune_codes(cog)
    if known is None:
        if on_missing == "warn":
            warnings.warn(
                "Unknown-commune check skipped: esstools.territory is not available.",
                UserWarning,
                stacklevel=2,
            )
        return series
    s = series.astype("string")
    present = s.notna() & (s != "")
    bad = present & ~s.isin(known).fillna(False).astype(bool)
    if bad.any():
        vintage = f"COG {cog}" if cog else "the COG (esstools.territory default vintage)"
        raise SchemaError(
            path=path,
            column=column,
            rows=_row_numbers(s, bad),
            values=list(s[bad].head(5)),
            expected=f"a commune code that exists in {vintage}",
        )
    return series


def _known_commune_codes(cog: int | None):
    """Set of commune codes of the territory reference, or None if unavailable."""
    try:
        from .. import territory  # lazy: module owned by the territory engineer
    except ImportError:
        return None
    fn = getattr(territory, "commune_codes", None)
    if fn is not None:
        return fn(cog) if cog is not None else fn()
    fn = getattr(territory, "communes", None)
    if fn is None:
        return None
    table = fn(cog) if cog is not None else fn()
    for name in ("code", "commune_code", "code_commune"):
        if name in table.columns:
            return set(table[name].astype(str))
    return None


def normalise_naf(series: pd.Series, path=None, column=None) -> pd.Series:
    """NAF rév. 2 codes as 'NN.NNL' (e.g. '88.99B'); '8899B' gets its dot back.

    Invalid codes raise SchemaError.
    """
    s = series.astype("string").str.strip().str.upper()
    present = s.notna() & (s != "")
    ok = s.fillna("").str.fullmatch(_NAF_RE.pattern).astype(bool)
    bad = present & ~ok
    _raise_if_invalid(s, series, bad, path, column, "a NAF rév. 2 code such as '88.99B'")
    s = s.where(s.str.contains(".", regex=False).fillna(True), s.str[:2] + "." + s.str[2:])
    return s.where(present, pd.NA)
