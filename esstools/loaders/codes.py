"""Identifier checks for loaders: SIREN / SIRET series, commune and département codes.

The rules themselves (Luhn, La Poste exception, commune and département domains,
NAF format) live in :mod:`esstools.vocabulary`, the one vocabulary of esstools; this
module applies them to table columns and keeps the historical names importable.

SIREN (9 digits) and SIRET (14 digits = SIREN + 5-digit NIC) end with a check digit
computed with the Luhn formula (INSEE, "Numéro Siret",
https://www.insee.fr/fr/metadonnees/definition/c1841 ; "Numéro Siren",
https://www.insee.fr/fr/metadonnees/definition/c2047). La Poste exception: all its
establishments share SIREN 356 000 000 and their SIRETs follow another rule (the sum of
the 14 digits is a multiple of 5; INSEE "Numéro Siret", relayed by the French Wikipedia
article "Système d'identification du répertoire des établissements").
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..errors import RepairWarning, SchemaError
from ..vocabulary import (  # noqa: F401 - re-exported (historical import place)
    LA_POSTE_SIREN,
    departement_of_commune,
    is_valid_siren,
    is_valid_siret,
    luhn_check_digit,
    luhn_valid,
    normalise_commune_codes,
    normalise_departement_codes,
    normalise_naf,
    row_numbers,
    valid_siren_array,
    valid_siret_array,
)

__all__ = [
    "LA_POSTE_SIREN",
    "luhn_valid",
    "luhn_check_digit",
    "is_valid_siren",
    "is_valid_siret",
    "check_siren_series",
    "check_siret_series",
    "pad_numeric_ids",
    "normalise_commune_codes",
    "normalise_departement_codes",
    "departement_of_commune",
    "check_known_communes",
    "normalise_naf",
]


def pad_numeric_ids(series: pd.Series, width: int, path=None, column=None, label: str = "identifier") -> pd.Series:
    """Zero-pad identifiers that a typed source (Parquet/JSON number, spreadsheet number) stored as integers.

    Only for columns whose *source type* is numeric: ``"98765431"`` from an int64 column
    was ``"098765431"``. Counted in one RepairWarning. Text columns are never padded
    (a 13-digit SIRET typed as text is an error, not a lost zero).
    """
    s = series.astype("string").str.strip()
    short = s.str.fullmatch(r"\d{1,%d}" % (width - 1)).fillna(False).astype(bool)
    n = int(short.sum())
    if n:
        ex = f"{series[short.to_numpy()].iloc[0]!r} -> {s[short].iloc[0].zfill(width)!r}"
        where = (f" in file '{path}'" if path else "") + (f" column '{column}'" if column else "")
        warnings.warn(
            f"Repaired {n} {label}(s){where} stored as numbers by restoring their leading zeros "
            f"({width} digits), e.g. {ex}.", RepairWarning, stacklevel=3)
        s = s.where(~short, s.str.zfill(width))
    return s


def _check_ids(series: pd.Series, path, column, width: int, label: str) -> pd.Series:
    s = series.astype("string").str.strip().str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    present = (s.notna() & (s != "")).to_numpy()
    vals = s.to_numpy(dtype=object, na_value=None)
    valid = valid_siret_array(vals) if width == 14 else valid_siren_array(vals)
    bad = present & ~valid
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(series, bad), values=list(series[bad].head(5)),
            expected=f"a {width}-digit {label} number with a valid Luhn check digit"
            + (" (La Poste SIRETs of SIREN 356000000: digit sum multiple of 5)" if width == 14 else ""),
        )
    return s.where(present, pd.NA)


def check_siren_series(series: pd.Series, path=None, column=None) -> pd.Series:
    """Return ``series`` stripped of spaces, raising SchemaError on any invalid SIREN.

    Empty/NA entries are left as NA (required-ness is checked by the schema).
    """
    return _check_ids(series, path, column, 9, "SIREN")


def check_siret_series(series: pd.Series, path=None, column=None) -> pd.Series:
    """Return ``series`` stripped of spaces, raising SchemaError on any invalid SIRET."""
    return _check_ids(series, path, column, 14, "SIRET")


def check_known_communes(
    series: pd.Series, path=None, column=None, cog: int | None = None, on_missing: str = "warn"
) -> pd.Series:
    """Raise SchemaError when a (normalised) commune code is unknown in the COG vintage ``cog``.

    ``cog=None``: known in any vintage of the reference (2021-2026). Uses
    :mod:`esstools.territory` (arrondissements municipaux count as known, as in SIRENE).
    If that module is not available, the check is skipped: with a ``UserWarning`` saying
    so when ``on_missing="warn"``, silently when ``"skip"``. Returns ``series``.
    """
    known = _known_commune_codes(cog)
    if known is None:
        if on_missing == "warn":
            warnings.warn("Unknown-commune check skipped: esstools.territory is not available.", UserWarning,
                          stacklevel=2)
        return series
    s = series.astype("string")
    present = s.notna() & (s != "")
    bad = (present & ~s.isin(known).fillna(False).astype(bool)).to_numpy()
    if bad.any():
        vintage = f"COG {cog}" if cog else "any COG vintage of the esstools reference (2021-2026)"
        raise SchemaError(path=path, column=column, rows=row_numbers(s, bad), values=list(s[bad].head(5)),
                          expected=f"a commune code that exists in {vintage}")
    return series


def _known_commune_codes(cog: int | None):
    """Set of commune codes of the territory reference (one vintage, or all), or None if unavailable."""
    try:
        from .. import territory
    except ImportError:  # pragma: no cover - territory ships with esstools
        return None
    if cog is not None:
        return territory.commune_codes(cog)
    return frozenset().union(*(territory.commune_codes(c) for c in territory.COG_VINTAGES))

