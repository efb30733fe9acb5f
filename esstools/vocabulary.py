"""The one vocabulary of esstools: ESS families, legal categories, NAF, headcount bands, codes, Luhn.

Everything that names or checks a code lives here, once; loaders, indicators, the
territory reference and the synthetic generators import it from here.

* **ESS families** (column ``ess_family``): :data:`ESS_FAMILIES` and their French labels
  :data:`ESS_FAMILY_LABELS`; :func:`parse_family_labels` reads published labels
  ("Associations", "Sociétés commerciales de l'ESS"…) as a vocabulary (exact match on a
  normalised form, never a substring: "Entreprise hors ESS (ex-coopérative)" is refused,
  not read as a cooperative).
* **Nomenclatures** (``data/nomenclatures/``, Insee): legal category → ESS family
  (:func:`legal_categories`), NAF rév. 2 division → A21/A38 with labels
  (:func:`naf_aggregations`, :func:`a21_labels`), NAF activities outside the ESS
  perimeter (:func:`naf_exclusions`), employee-size bands (:func:`headcount_bands`,
  :data:`HEADCOUNT_BANDS`), NAF code format (:func:`normalise_naf`).
* **Territorial codes** (COG): the one commune-code normaliser
  (:func:`normalise_commune_codes`), the one département-code normaliser
  (:func:`normalise_departement_codes`), :func:`departement_of_commune`,
  :func:`postcode_departement`, the domains :data:`DEPARTEMENTS`, :data:`COM_CODES`,
  :data:`REGIONS` and the regular expressions :data:`COMMUNE_PATTERN`,
  :data:`DEPARTEMENT_PATTERN`.
* **Identifiers**: the one Luhn (:func:`luhn_valid`, vectorised :func:`luhn_valid_array`,
  :func:`luhn_check_digit`, :func:`luhn_complete_digits`), :func:`is_valid_siren`,
  :func:`is_valid_siret` (La Poste rule).

Rules for commune codes (5 characters: 2-character département + 3 digits, or a
3-digit overseas département/collectivity + 2 digits):

* a 4-digit number is a code whose leading zero a spreadsheet removed (départements
  01-09): repaired, counted in one :class:`~esstools.errors.RepairWarning`; so are a
  trailing ``.0`` and a lower-case Corsican letter (``2a004``);
* Corsica is ``2A``/``2B``; ``20xxx`` (or département ``20``) is ambiguous since the
  1976 split and is refused, the message naming the 2A/2B code the reference knows;
* the département part must exist (``00xxx``, ``96xxx``, ``979xx`` are refused).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from . import paths
from .errors import InputFileError, RepairWarning, SchemaError

__all__ = [
    "ESS_FAMILIES", "ESS_ONLY_FAMILIES", "ESS_FAMILY_LABELS", "FAMILY_AGGREGATES", "FAMILY_AGGREGATE_LABELS",
    "parse_family_labels", "family_of_label",
    "legal_categories", "naf_aggregations", "a21_labels", "naf_exclusions", "headcount_bands", "HEADCOUNT_BANDS",
    "normalise_naf", "NAF_PATTERN",
    "DEPARTEMENTS", "COM_CODES", "TERRITORY_DEPARTEMENTS", "REGIONS", "COMMUNE_PATTERN", "DEPARTEMENT_PATTERN",
    "normalise_commune_codes", "normalise_departement_codes", "departement_of_commune", "postcode_departement",
    "commune_code_problem",
    "LA_POSTE_SIREN", "luhn_valid", "luhn_valid_array", "luhn_check_digit", "luhn_complete_digits",
    "is_valid_siren", "is_valid_siret", "valid_siren_array", "valid_siret_array",
    "normalise_text", "row_numbers",
]

# ------------------------------------------------------------------------------ helpers


def normalise_text(text: object) -> str:
    """Lower-case ASCII snake form used to match headers and labels.

    ``"N° SIRET"`` -> ``"n_siret"``, ``"Sociétés commerciales de l'ESS"`` ->
    ``"societes_commerciales_de_l_ess"``.
    """
    s = unicodedata.normalize("NFKD", str(text).replace("\ufeff", "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-zA-Z]+", "_", s).strip("_").lower()


def row_numbers(obj: pd.Series | pd.DataFrame, mask) -> list[int]:
    """File line numbers of the rows where ``mask`` is True.

    Uses the index when it is named ``line`` (tables read by the loaders), otherwise
    positions + 2 (spreadsheet numbering: header = row 1).
    """
    mask = np.asarray(mask, dtype=bool)
    if obj.index.name == "line":
        return [int(v) for v in np.asarray(obj.index)[mask]]
    return [int(p) + 2 for p in np.flatnonzero(mask)]


def _where(path, column) -> str:
    parts = []
    if path:
        parts.append(f"file '{path}'")
    if column is not None:
        parts.append(f"column '{column}'")
    return " in " + ", ".join(parts) if parts else ""


def _as_text(series: pd.Series | Sequence) -> pd.Series:
    """Values as stripped text (numbers as digits, spreadsheet '.0' removed later); NA kept."""
    s = series if isinstance(series, pd.Series) else pd.Series(list(series))
    if pd.api.types.is_bool_dtype(s):
        return s.astype("string")
    if pd.api.types.is_float_dtype(s):
        whole = s.notna() & (s == np.floor(s))
        out = s.astype("string")
        out[whole.to_numpy()] = s[whole].astype("int64").astype("string")
        return out
    return s.astype("string").str.strip()


# ------------------------------------------------------------------------------ ESS families

ESS_FAMILIES = ("association", "cooperative", "mutuelle", "fondation", "societe_commerciale_ess", "hors_ess")
#: The five ESS families (statutory families + ESS commercial companies), without ``hors_ess``.
ESS_ONLY_FAMILIES = ESS_FAMILIES[:5]

ESS_FAMILY_LABELS = {
    "association": "Associations",
    "cooperative": "Coopératives",
    "mutuelle": "Mutuelles",
    "fondation": "Fondations",
    "societe_commerciale_ess": "Sociétés commerciales de l'ESS",
    "hors_ess": "Hors ESS",
}

#: Aggregates found beside the families in published tables (URSSAF): all ESS
#: families, and the whole private sector (ESS + non-ESS).
FAMILY_AGGREGATES = ("ensemble", "secteur_prive")
FAMILY_AGGREGATE_LABELS = {"ensemble": "Ensemble ESS", "secteur_prive": "Ensemble du secteur privé"}

# Published spellings (normalised with normalise_text) -> family. Exact matches only.
_FAMILY_SYNONYMS = {
    "association": ("association", "associations"),
    "cooperative": ("cooperative", "cooperatives", "societe_cooperative", "societes_cooperatives"),
    "mutuelle": ("mutuelle", "mutuelles", "mutuelles_et_unions", "mutualite"),
    "fondation": ("fondation", "fondations"),
    "societe_commerciale_ess": (
        "societe_commerciale_ess", "societes_commerciales_ess", "societe_commerciale_de_l_ess",
        "societes_commerciales_de_l_ess", "entreprise_commerciale_de_l_ess", "entreprises_commerciales_de_l_ess",
        "entreprises_commerciales_ess", "societes_commerciales_de_l_economie_sociale_et_solidaire",
    ),
    "hors_ess": ("hors_ess", "hors_economie_sociale_et_solidaire", "non_ess", "hors_champ_ess", "hors_champ_de_l_ess"),
}
_AGGREGATE_SYNONYMS = {
    "ensemble": ("ensemble_ess", "ess", "total_ess", "economie_sociale_et_solidaire", "ensemble_de_l_ess",
                 "ensemble_economie_sociale_et_solidaire"),
    "secteur_prive": ("ensemble", "total", "secteur_prive", "ensemble_du_secteur_prive", "total_secteur_prive"),
}
_FAMILY_LOOKUP = {syn: fam for fam, syns in _FAMILY_SYNONYMS.items() for syn in syns}
_AGGREGATE_LOOKUP = {syn: fam for fam, syns in _AGGREGATE_SYNONYMS.items() for syn in syns}


def family_of_label(label: object, aggregates: bool = False) -> str | None:
    """ESS family code of one published label (exact vocabulary, see :func:`parse_family_labels`), or None."""
    if label is None or (not isinstance(label, str) and pd.isna(label)):
        return None
    key = normalise_text(label)
    if key in _FAMILY_LOOKUP:
        return _FAMILY_LOOKUP[key]
    if key in ESS_FAMILIES:
        return key
    if aggregates:
        return _AGGREGATE_LOOKUP.get(key, key if key in FAMILY_AGGREGATES else None)
    return None


def parse_family_labels(series: pd.Series, path=None, column=None, *, aggregates: bool = False) -> pd.Series:
    """ESS family codes of published labels; SchemaError naming rows and values for any unknown label.

    Accepted: the codes themselves, the labels of :data:`ESS_FAMILY_LABELS` and their
    published variants (singular/plural, "Sociétés commerciales de l'ESS" /
    "Entreprises commerciales de l'ESS", "Hors ESS"), compared after
    :func:`normalise_text` (case, accents and punctuation ignored) — never as substrings.
    With ``aggregates``: "Ensemble ESS"/"Total ESS" -> ``ensemble`` and
    "Ensemble"/"Total"/"Secteur privé" -> ``secteur_prive``. Empty cells stay NA.
    """
    values = series.astype("string")
    uniq = values.dropna().unique()
    mapping = {v: family_of_label(v, aggregates) for v in uniq}
    out = values.map(lambda v: mapping.get(v) if isinstance(v, str) else None).astype("string")
    bad = (values.notna() & out.isna()).to_numpy()
    if bad.any():
        allowed = list(ESS_FAMILY_LABELS.values()) + (list(FAMILY_AGGREGATE_LABELS.values()) if aggregates else [])
        raise SchemaError(path=path, column=column, rows=row_numbers(series, bad), values=list(series[bad].head(5)),
                          expected="an ESS family label among " + ", ".join(repr(a) for a in allowed)
                          + " (exact labels, case and accents ignored)")
    return out


# ------------------------------------------------------------------------------ nomenclatures


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
    """NAF rév. 2 division (2 digits) → A21 section letter and A38 code, with French labels (Insee)."""
    return _naf_cached().copy()


def a21_labels() -> dict[str, str]:
    """French labels of the NAF A21 sections, e.g. ``{"Q": "Santé humaine et action sociale", ...}`` (Insee)."""
    nom = _naf_cached()[["a21", "a21_label"]].drop_duplicates("a21")
    return dict(zip(nom["a21"], nom["a21_label"]))


@functools.lru_cache(maxsize=None)
def _bands_cached() -> pd.DataFrame:
    df = _nomenclature("tranches_effectifs.csv")
    for col in ("headcount_low", "headcount_high"):
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    df["headcount_mid"] = pd.to_numeric(df["headcount_mid"]).astype("float64")
    return df


def headcount_bands() -> pd.DataFrame:
    """INSEE employee-size bands: ``tranche``, ``libelle``, ``headcount_low``/``high``/``mid`` (employees)."""
    return _bands_cached().copy()


# --------------------------------------------------------------------------- inclusion structures
#: Kinds of structure in the lists of « Les emplois de l'inclusion » (API field ``type``).
INCLUSION_KINDS = ("ACI", "AI", "EI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT", "OPCS")
#: The five kinds of SIAE proper (insertion par l'activité économique, Code du travail L5132-1).
SIAE_KINDS = ("ACI", "AI", "EI", "ETTI", "EITI")
#: French names of the kinds (les emplois de l'inclusion, ``itou/companies/enums.py``).
INCLUSION_KIND_NAMES = {
    "ACI": "Atelier et chantier d'insertion",
    "AI": "Association intermédiaire",
    "EI": "Entreprise d'insertion",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
    "ESAT": "Établissement et service d'accompagnement par le travail",
    "OPCS": "Organisation porteuse de clauses sociales",
}


HEADCOUNT_BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")


@functools.lru_cache(maxsize=None)
def _exclusions_cached() -> pd.DataFrame:
    return _nomenclature("ess_naf_exclusions.csv")


def naf_exclusions() -> pd.DataFrame:
    """NAF activities excluded from the statistical ESS perimeter (``naf_prefix``, ``libelle``, ``source``)."""
    return _exclusions_cached().copy()


NAF_PATTERN = re.compile(r"^\d{2}\.?\d{2}[A-Z]$")


def normalise_naf(series: pd.Series, path=None, column=None) -> pd.Series:
    """NAF rév. 2 codes as 'NN.NNL' (e.g. '88.99B'); '8899B' gets its dot back, lower case is upper-cased.

    The dot-less form is the one of many exports (ASP, URSSAF): restoring it is a format
    conversion, not a repair, so no warning. Other values raise SchemaError.
    """
    s = _as_text(series).str.upper()
    present = s.notna() & (s != "")
    ok = s.fillna("").str.fullmatch(NAF_PATTERN.pattern).astype(bool)
    bad = (present & ~ok).to_numpy()
    if bad.any():
        raise SchemaError(path=path, column=column, rows=row_numbers(series, bad), values=list(series[bad].head(5)),
                          expected="a NAF rév. 2 code such as '88.99B' (or '8899B')")
    s = s.where(s.str.contains(".", regex=False).fillna(True), s.str[:2] + "." + s.str[2:])
    return s.where(present, pd.NA)


# ------------------------------------------------------------------------------ territorial codes

#: Départements (COG): 01-95 without 20, 2A, 2B, and the five overseas départements 971-974 and 976.
DEPARTEMENTS = frozenset({f"{i:02d}" for i in range(1, 96) if i != 20} | {"2A", "2B"}
                         | {"971", "972", "973", "974", "976"})
#: Overseas collectivities with COG codes: Saint-Pierre-et-Miquelon, Saint-Barthélemy,
#: Saint-Martin, TAAF, Wallis-et-Futuna, Polynésie française, Nouvelle-Calédonie, Clipperton.
COM_CODES = frozenset({"975", "977", "978", "984", "986", "987", "988", "989"})
#: Codes accepted at département level (départements and overseas collectivities).
TERRITORY_DEPARTEMENTS = DEPARTEMENTS | COM_CODES
#: Regions since 1 January 2016 (COG).
REGIONS = frozenset({"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84",
                     "93", "94"})
#: Shape of a commune code (the département part is checked separately).
COMMUNE_PATTERN = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
#: Shape of a département-level code (the value is checked against TERRITORY_DEPARTEMENTS).
DEPARTEMENT_PATTERN = re.compile(r"^(?:\d{2}|2[AB]|9[78]\d)$")


def commune_code_problem(code: str) -> str | None:
    """Why a (clean, upper-case) string is not a commune code, or None when it is one."""
    if not COMMUNE_PATTERN.match(code):
        return "not a 5-character commune code"
    if code[:2] == "20":
        return "ambiguous Corsican code"
    if code[:2] in ("97", "98"):
        return None if code[:3] in TERRITORY_DEPARTEMENTS else "unknown overseas prefix"
    return None if code[:2] in DEPARTEMENTS else "unknown département prefix"


def _known_corsican(codes: list[str]) -> list[str]:
    """2A/2B codes the territory reference knows for Corsican codes written '20xxx' (suggestion only)."""
    try:
        from . import territory

        known = set().union(*(territory.commune_codes(c) for c in territory.COG_VINTAGES))
    except Exception:  # noqa: BLE001 - the suggestion is optional
        return []
    out = []
    for c in codes:
        cand = [p + c[2:] for p in ("2A", "2B") if isinstance(c, str) and len(c) == 5 and p + c[2:] in known]
        out.extend(cand)
    return out


def _clean_codes(series, width: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(clean text, present mask, repaired mask): upper case, '.0' removed, one lost leading zero restored."""
    raw = _as_text(series)
    s = raw.str.upper().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    present = (s.notna() & (s != "")).fillna(False).astype(bool)
    short = present & s.str.fullmatch(r"[1-9]\d{%d}" % (width - 2)).fillna(False).astype(bool)
    s = s.where(~short, "0" + s)
    repaired = present & (s != raw).fillna(False).astype(bool)
    return s, present, repaired


def _warn_repairs(n: int, level: str, raw: pd.Series, fixed: pd.Series, mask, path, column) -> None:
    if not n:
        return
    m = np.asarray(mask, dtype=bool)
    ex = ", ".join(f"{o!r} -> {f!r}" for o, f in list(zip(pd.Series(raw).to_numpy()[m], fixed.to_numpy()[m]))[:3])
    warnings.warn(
        f"Repaired {n} {level} code(s){_where(path, column)} (restored a lost leading zero, removed a spreadsheet "
        f"'.0' or upper-cased a Corsican letter), e.g. {ex}.",
        RepairWarning, stacklevel=3,
    )


def _corsica_error(path, column, rows, values, level: str) -> SchemaError:
    hint = _known_corsican([str(v) for v in values]) if level == "commune" else []
    where = f"file '{path}', " if path else ""
    col = f"column '{column}'" if column is not None else "the code column"
    msg = (f"In {where}{col}, row(s) {', '.join(map(str, rows[:5]))}{' (and more)' if len(rows) > 5 else ''}: "
           f"value(s) {', '.join(repr(v) for v in values[:5])} use the Corsican prefix '20', which is ambiguous "
           "since the 1976 split into 2A (Corse-du-Sud) and 2B (Haute-Corse); write the code with 2A or 2B"
           + (f" (the reference knows {', '.join(repr(h) for h in hint[:5])})" if hint else "") + ".")
    return SchemaError(msg, path=None if path is None else str(path), column=None if column is None else str(column),
                       rows=rows, values=values, expected="2A/2B Corsican codes")


def normalise_commune_codes(series: pd.Series | Sequence, path=None, column=None) -> pd.Series:
    """Commune codes (COG) as 5-character strings (pandas ``string`` dtype; NA stays NA).

    Numbers and strings are accepted. Repairs, counted in one RepairWarning: a lost
    leading zero (4 digits), a spreadsheet ``.0``, a lower-case Corsican letter. Refused
    (SchemaError naming rows and values): ``20xxx`` (ambiguous Corsican code; the message
    names the 2A/2B code the reference knows), an unknown département prefix (``00``,
    ``96``, ``979``…), anything that is not 5 characters. Whether the code exists in a
    given COG vintage is checked by :func:`esstools.loaders.codes.check_known_communes`.
    """
    s0 = series if isinstance(series, pd.Series) else pd.Series(list(series))
    s, present, repaired = _clean_codes(s0, 5)
    problem = pd.Series([None] * len(s), index=s.index, dtype="object")
    vals = s[present]
    uniq = {v: commune_code_problem(v) for v in vals.unique()}
    problem[present.to_numpy()] = vals.map(uniq).to_numpy()
    corsica = (problem == "ambiguous Corsican code").to_numpy()
    bad = (problem.notna().to_numpy()) & ~corsica
    return _finish_codes(s0, s, present, repaired, corsica, bad, path, column, "commune",
                         "a 5-character INSEE commune code of an existing département "
                         "(e.g. '01001', '93066', '2A004', '97411')")


def _finish_codes(s0, s, present, repaired, corsica, bad, path, column, level: str, expected: str) -> pd.Series:
    """Raise for ambiguous Corsican and invalid codes, warn for repairs, return the clean codes."""
    if corsica.any():
        raise _corsica_error(path, column, row_numbers(s0, corsica), list(s0[corsica].head(5)), level)
    if bad.any():
        raise SchemaError(path=path, column=column, rows=row_numbers(s0, bad), values=list(s0[bad].head(5)),
                          expected=expected)
    _warn_repairs(int(repaired.sum()), level, s0, s, repaired, path, column)
    return s.where(present, pd.NA).astype("string")


def normalise_departement_codes(series: pd.Series | Sequence, path=None, column=None) -> pd.Series:
    """Département-level codes as strings ('01'..'95', '2A', '2B', '971'..'976', overseas collectivities).

    A lost leading zero ('1' -> '01'), a spreadsheet '.0' and a lower-case Corsican
    letter are repaired (one counted RepairWarning). Refused with SchemaError naming rows
    and values: '20' (ambiguous Corsica), '00', '96', '979', names such as 'Île-de-France'.
    """
    s0 = series if isinstance(series, pd.Series) else pd.Series(list(series))
    s, present, repaired = _clean_codes(s0, 2)
    ok = s.isin(TERRITORY_DEPARTEMENTS).fillna(False).astype(bool)
    corsica = (present & (s == "20").fillna(False)).to_numpy()
    bad = (present & ~ok).to_numpy() & ~corsica
    return _finish_codes(s0, s, present, repaired, corsica, bad, path, column, "departement",
                         "a département code ('01'..'95', '2A', '2B', '971'..'976') or an overseas "
                         "collectivity code (975, 977, 978, 984, 986-989)")


def departement_of_commune(codes: pd.Series) -> pd.Series:
    """Département code of (normalised) commune codes: first 3 characters overseas (97x, 98x), else first 2."""
    s = codes.astype("string")
    overseas = s.str.match(r"9[78]").fillna(False).astype(bool)
    return s.str[:2].mask(overseas, s.str[:3])


def postcode_departement(postcodes: pd.Series) -> pd.Series:
    """Département (or overseas collectivity) of French postcodes; NA where the postcode tells none.

    Rules (La Poste): ``20000``-``20199`` Corse-du-Sud (2A), ``20200`` and above
    Haute-Corse (2B); ``97133`` Saint-Barthélemy (977), ``97150`` Saint-Martin (978);
    ``975xx`` Saint-Pierre-et-Miquelon; other ``97x``/``98x`` postcodes give the 3-digit
    code (``980xx`` is Monaco: NA); other postcodes their first 2 digits when they form a
    département. Malformed postcodes give NA (check them with the schema's ``code`` kind).
    """
    pc = postcodes.astype("string").str.strip()
    ok = pc.str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    dep = pc.str[:2]
    overseas = pc.str.match(r"9[78]").fillna(False).astype(bool)
    dep = dep.mask(overseas, pc.str[:3])
    dep = dep.mask(pc == "97133", "977").mask(pc == "97150", "978")
    num = pd.to_numeric(pc.where(ok), errors="coerce")
    corsica = (pc.str.startswith("20").fillna(False) & ok).astype(bool)
    dep = dep.mask(corsica & (num < 20200), "2A").mask(corsica & (num >= 20200), "2B")
    known = dep.isin(TERRITORY_DEPARTEMENTS).fillna(False).astype(bool)
    return dep.where(ok & known, pd.NA).astype("string")


# ------------------------------------------------------------------------------ Luhn, SIREN, SIRET

LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (a string of ASCII decimal digits) passes the Luhn check."""
    if not isinstance(digits, str) or not digits.isascii() or not digits.isdigit():
        return False
    return bool(luhn_valid_array(np.array([digits]))[0])


def _digit_matrix(values: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(n × width digit matrix, mask of rows that are exactly ``width`` ASCII digits)."""
    vals = pd.Series(values, dtype="object")
    txt = vals.where(vals.map(lambda v: isinstance(v, str)), "")
    ok = txt.str.fullmatch(r"[0-9]{%d}" % width).fillna(False).to_numpy(bool)
    filled = np.where(ok, txt.to_numpy(dtype=object), "0" * width).astype(f"S{width}")
    mat = np.frombuffer(filled.tobytes(), dtype=np.uint8).reshape(len(filled), width) - 48
    return mat.astype(np.int64), ok


def _luhn_sum(mat: np.ndarray) -> np.ndarray:
    width = mat.shape[1]
    double = ((width - 1 - np.arange(width)) % 2) == 1  # every second digit from the right
    d = np.where(double, mat * 2, mat)
    d = np.where(d > 9, d - 9, d)
    return d.sum(axis=1)


def luhn_valid_array(values, width: int | None = None) -> np.ndarray:
    """Vectorised Luhn check of strings of digits (all of length ``width``, default: the first one's).

    Non-strings and strings of another length or with non-digits are False.
    """
    arr = np.asarray(values, dtype=object)
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    if width is None:
        first = next((v for v in arr if isinstance(v, str)), "")
        width = len(first) or 1
    mat, ok = _digit_matrix(arr, width)
    return ok & (_luhn_sum(mat) % 10 == 0)


def luhn_check_digit(prefix: str) -> str:
    """The digit to append to ``prefix`` so that the whole number passes Luhn (to build test identifiers)."""
    return str(int(luhn_complete_digits(np.array([[int(c) for c in prefix]]))[0, -1]))


def luhn_complete_digits(payload: np.ndarray) -> np.ndarray:
    """Append a Luhn check digit to each row of an (n × k) digit matrix (vectorised)."""
    payload = np.asarray(payload, dtype=np.int64)
    zero = np.concatenate([payload, np.zeros((payload.shape[0], 1), dtype=np.int64)], axis=1)
    check = (10 - _luhn_sum(zero) % 10) % 10
    return np.concatenate([payload, check[:, None]], axis=1)


def valid_siren_array(values) -> np.ndarray:
    """Vectorised :func:`is_valid_siren`."""
    return luhn_valid_array(values, 9)


def valid_siret_array(values) -> np.ndarray:
    """Vectorised :func:`is_valid_siret` (Luhn, or La Poste: SIREN 356000000 and digit sum multiple of 5)."""
    arr = np.asarray(values, dtype=object)
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    mat, ok = _digit_matrix(arr, 14)
    luhn = ok & (_luhn_sum(mat) % 10 == 0)
    la_poste = ok & np.all(mat[:, :9] == np.array([int(c) for c in LA_POSTE_SIREN]), axis=1) & (mat.sum(axis=1) % 5 == 0)
    return luhn | la_poste


def is_valid_siren(s: object) -> bool:
    """True for a 9-digit string passing the Luhn check (INSEE, « Numéro Siren »)."""
    return isinstance(s, str) and len(s) == 9 and luhn_valid(s)


def is_valid_siret(s: object) -> bool:
    """True for a 14-digit SIRET passing Luhn, or of La Poste (SIREN 356000000) with a digit sum multiple of 5."""
    return isinstance(s, str) and len(s) == 14 and bool(valid_siret_array([s])[0])
