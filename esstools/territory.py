"""Territorial reference of esstools: communes, EPT, EPCI, départements, régions (COG 2021-2026).

Built by ``scripts/build_reference.py`` from the npm package
``@etalab/decoupage-administratif`` (INSEE Code officiel géographique, DGCL
EPCI lists, INSEE EPT lists, INSEE populations légales; see
``data/reference/PROVENANCE.md``). Every function takes ``cog`` (the COG
vintage, i.e. the geography at 1 January of that year, 2021..2026, default
2026); codes are strings with leading zeros.

Levels: ``commune`` (actual communes; the 45 arrondissements municipaux of
Paris, Lyon and Marseille are communes-table rows of type
``"arrondissement municipal"``), ``ept`` (the 11 établissements publics
territoriaux of the Métropole du Grand Paris, coded by SIREN, numbered T2..T12;
"T1" is the City of Paris, a commune with special status and not an EPT),
``epci`` (EPCI à fiscalité propre, SIREN), ``departement`` (101) and
``region`` (18). Populations are populations municipales as shipped for each
vintage (see :func:`vintages` for the INSEE year).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from . import paths
from .errors import (
    EsstoolsError,
    EsstoolsWarning,
    InputFileError,
    ParameterError,
    RepairWarning,
    SchemaError,
    UnknownCodeError,
    check_choice,
)

__all__ = [
    "COG_VINTAGES", "DEFAULT_COG", "LEVELS", "MGP_SIREN", "PARIS", "ARRONDISSEMENT_COMMUNES",
    "Territory", "TerritoryWarning", "HarmonisationError",
    "communes", "commune_codes", "departements", "regions", "epcis", "epts", "vintages", "source_note",
    "lookup", "parents", "children", "aggregate", "harmonise", "normalise_codes",
    "population", "populations", "commune_changes",
]

COG_VINTAGES: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025, 2026)
DEFAULT_COG = 2026
LEVELS: tuple[str, ...] = ("commune", "ept", "epci", "departement", "region")
AGGREGATION_LEVELS: tuple[str, ...] = ("ept", "epci", "departement", "region")
Level = Literal["commune", "ept", "epci", "departement", "region"]

MGP_SIREN = "200054781"  # Métropole du Grand Paris
PARIS = "75056"
# Arrondissements municipaux -> their commune (Paris, Lyon, Marseille).
ARRONDISSEMENT_COMMUNES: dict[str, str] = {
    **{f"751{i:02d}": "75056" for i in range(1, 21)},
    **{f"6938{i}": "69123" for i in range(1, 10)},
    **{f"132{i:02d}": "13055" for i in range(1, 17)},
}

TYPE_COMMUNE = "commune"
TYPE_ARM = "arrondissement municipal"
LEVEL_TYPES = {"departement": "département", "region": "région", "ept": "EPT"}
LEVEL_LABELS_FR = {
    "commune": "commune", "ept": "EPT", "epci": "EPCI", "departement": "département", "region": "région",
}

_AGG_HOWS = ("sum", "mean", "median", "min", "max", "count")
_HARMONISE_HOWS = ("sum", "mean", "min", "max")


class TerritoryWarning(EsstoolsWarning):
    """Rows left out of an aggregation or re-keyed approximately (counted in the message)."""


class HarmonisationError(EsstoolsError):
    """Values cannot be carried from one COG vintage to another without an assumption (commune splits)."""


# ---------------------------------------------------------------------------- loading
def _check_cog(cog: int) -> int:
    check_choice("cog", cog, COG_VINTAGES)
    return int(cog)


@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    """Read one reference CSV once (all columns as strings, empty -> NA)."""
    path = paths.reference_dir() / name
    if not path.exists():
        raise InputFileError(
            f"Reference file '{path}' is missing; rebuild it with "
            "`.venv/bin/python scripts/build_reference.py`."
        )
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    for col in ("cog_from", "cog_to", "cog", "from_cog", "to_cog", "population_year"):
        if col in df.columns:
            df[col] = df[col].astype(int)
    return df


def _valid(df: pd.DataFrame, cog: int) -> pd.DataFrame:
    return df[(df["cog_from"] <= cog) & (df["cog_to"] >= cog)].drop(columns=["cog_from", "cog_to"])


@lru_cache(maxsize=None)
def _communes_all(cog: int) -> pd.DataFrame:
    """Communes + arrondissements municipaux of one vintage (cached; never handed out uncopied)."""
    df = _valid(_read("communes.csv"), cog).reset_index(drop=True)
    pops = _read("commune_populations.csv").set_index("code")[f"population_{cog}"]
    df["population"] = df["code"].map(pops).astype("Int64")
    df["commune"] = df["commune"].fillna(df["code"])
    cols = ["code", "name", "type", "commune", "departement", "region", "epci", "ept", "population"]
    return df[cols].sort_values("code", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=None)
def _commune_index(cog: int) -> pd.DataFrame:
    return _communes_all(cog).set_index("code")


@lru_cache(maxsize=None)
def _actual(cog: int) -> pd.DataFrame:
    df = _communes_all(cog)
    return df[df["type"] == TYPE_COMMUNE].reset_index(drop=True)


@lru_cache(maxsize=None)
def _table(level: str, cog: int) -> pd.DataFrame:
    """Territory table of one level (code, name, type, parent, population, ...)."""
    act = _actual(cog)
    if level == "commune":
        return _communes_all(cog)
    if level == "region":
        df = _valid(_read("regions.csv"), cog)
        pop = act.groupby("region")["population"].sum()
        out = pd.DataFrame({
            "code": df["code"], "name": df["name"], "type": LEVEL_TYPES["region"],
            "parent": pd.Series(pd.NA, index=df.index, dtype="str"),
            "population": df["code"].map(pop).astype("Int64"),
            "n_communes": df["code"].map(act.groupby("region").size()).astype("Int64"),
        })
    elif level == "departement":
        df = _valid(_read("departements.csv"), cog)
        pop = act.groupby("departement")["population"].sum()
        out = pd.DataFrame({
            "code": df["code"], "name": df["name"], "type": LEVEL_TYPES["departement"],
            "parent": df["region"],
            "population": df["code"].map(pop).astype("Int64"),
            "n_communes": df["code"].map(act.groupby("departement").size()).astype("Int64"),
        })
    elif level == "epci":
        df = _valid(_read("epcis.csv"), cog)
        g = act.groupby("epci")
        deps = g["departement"].agg(lambda s: ";".join(sorted(set(s))))
        out = pd.DataFrame({
            "code": df["code"], "name": df["name"], "type": df["type"],
            "parent": df["code"].map(deps.where(~deps.str.contains(";", regex=False))).astype("str"),
            "population": df["code"].map(g["population"].sum()).astype("Int64"),
            "n_communes": df["code"].map(g.size()).astype("Int64"),
            "departements": df["code"].map(deps),
        })
    elif level == "ept":
        m = _read("ept_members.csv")
        m = m[m["cog"] == cog]
        first = m.drop_duplicates("ept_siren")
        g = act.groupby("ept")
        deps = g["departement"].agg(lambda s: ";".join(sorted(set(s))))
        out = pd.DataFrame({
            "code": first["ept_siren"].to_numpy(), "name": first["ept_name"].to_numpy(),
            "type": LEVEL_TYPES["ept"], "parent": MGP_SIREN,
            "number": first["ept_number"].to_numpy(),
        })
        out["population"] = out["code"].map(g["population"].sum()).astype("Int64")
        out["n_communes"] = out["code"].map(g.size()).astype("Int64")
        out["departements"] = out["code"].map(deps)
        out["source"] = first["source"].to_numpy()
    else:  # pragma: no cover - guarded by callers
        raise ParameterError(f"Unknown level {level!r}.")
    return out.sort_values("code", kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------- tables (public)
def communes(cog: int = DEFAULT_COG, departement: str | None = None,
             include_arrondissements: bool = False) -> pd.DataFrame:
    """Communes of vintage ``cog`` (optionally of one département).

    Columns: ``code`` (str 5), ``name``, ``type`` ("commune" or "arrondissement
    municipal"), ``commune`` (own code, or the parent commune of an
    arrondissement), ``departement``, ``region``, ``epci`` (SIREN, NA for the four
    islands outside any EPCI), ``ept`` (SIREN, NA outside the 11 EPT),
    ``population`` (population municipale, inhabitants). Arrondissements
    municipaux are left out unless ``include_arrondissements`` (their
    population is already in Paris / Lyon / Marseille: do not add both).
    """
    cog = _check_cog(cog)
    df = _communes_all(cog) if include_arrondissements else _actual(cog)
    if departement is not None:
        dep = str(departement)
        if dep not in set(_table("departement", cog)["code"]):
            raise UnknownCodeError(
                f"Unknown département code {dep!r} in COG {cog}; expected one of the 101 codes "
                "such as '01', '2A', '93' or '974'.", [dep])
        df = df[df["departement"] == dep]
    return df.reset_index(drop=True).copy()


def commune_codes(cog: int = DEFAULT_COG, include_arrondissements: bool = True) -> frozenset[str]:
    """Set of valid commune codes of ``cog`` (with arrondissements municipaux by default, as in SIRENE)."""
    cog = _check_cog(cog)
    return _code_set(cog, bool(include_arrondissements))


@lru_cache(maxsize=None)
def _code_set(cog: int, arrondissements: bool) -> frozenset[str]:
    df = _communes_all(cog) if arrondissements else _actual(cog)
    return frozenset(df["code"])


def departements(cog: int = DEFAULT_COG) -> pd.DataFrame:
    """The 101 départements: ``code``, ``name``, ``type``, ``parent`` (région), ``population``, ``n_communes``."""
    return _table("departement", _check_cog(cog)).copy()


def regions(cog: int = DEFAULT_COG) -> pd.DataFrame:
    """The 18 régions: ``code``, ``name``, ``type``, ``parent`` (NA), ``population``, ``n_communes``."""
    return _table("region", _check_cog(cog)).copy()


def epcis(cog: int = DEFAULT_COG) -> pd.DataFrame:
    """EPCI à fiscalité propre: ``code`` (SIREN), ``name``, ``type`` (CC, CA, CU, METRO, MET69),
    ``parent`` (département when all members are in one, else NA), ``population``, ``n_communes``,
    ``departements`` (";"-joined). Note: the package's COG 2026 EPCI data is identical to its
    COG 2025 data (perimeters of 1 January 2025; see data/reference/PROVENANCE.md)."""
    return _table("epci", _check_cog(cog)).copy()


def epts(cog: int = DEFAULT_COG) -> pd.DataFrame:
    """The 11 EPT of the Métropole du Grand Paris (Paris, "T1", is not an EPT and is not listed).

    Columns: ``code`` (SIREN), ``name``, ``type`` ("EPT"), ``parent`` (the
    Métropole du Grand Paris, SIREN 200054781), ``number`` (T2..T12),
    ``population``, ``n_communes``, ``departements`` (";"-joined), ``source``.
    """
    return _table("ept", _check_cog(cog)).copy()


def vintages() -> pd.DataFrame:
    """COG vintages: ``cog``, ``npm_version``, ``population_year`` (INSEE legal population year), ``sha256``."""
    return _read("vintages.csv").copy()


def source_note(cog: int = DEFAULT_COG) -> str:
    """French source line for tables and charts built on the reference of vintage ``cog``."""
    cog = _check_cog(cog)
    v = _read("vintages.csv").set_index("cog").loc[cog]
    return (f"Source : Insee, Code officiel géographique {cog} et populations municipales "
            f"{v['population_year']} (paquet @etalab/decoupage-administratif {v['npm_version']}).")


def commune_changes(from_cog: int | None = None, to_cog: int | None = None) -> pd.DataFrame:
    """Commune code changes between consecutive vintages (``merger``, ``code_change``, ``split``)."""
    df = _read("commune_changes.csv")
    if from_cog is not None:
        df = df[df["from_cog"] >= _check_cog(from_cog)]
    if to_cog is not None:
        df = df[df["to_cog"] <= _check_cog(to_cog)]
    return df.reset_index(drop=True).copy()


# ------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Territory:
    """One territory of a COG vintage.

    ``parents`` maps each enclosing level to its code, nearest first
    (e.g. ``{"ept": "200057867", "epci": "200054781", "departement": "93",
    "region": "11"}``); an arrondissement municipal also has ``"commune"``.
    """

    code: str
    name: str
    level: str
    cog: int
    type: str
    population: int | None
    parents: dict = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return f"{self.name} ({LEVEL_LABELS_FR[self.level]} {self.code}, COG {self.cog})"


_SIREN_RE = re.compile(r"^\d{9}$")
_EPT_NUM_RE = re.compile(r"^T(\d{1,2})$", re.IGNORECASE)


def _candidate_levels(code: str) -> list[str]:
    if _SIREN_RE.match(code):
        return ["ept", "epci"]
    if _EPT_NUM_RE.match(code):
        return ["ept"]
    if len(code) == 5:
        return ["commune"]
    if len(code) in (2, 3):
        return ["departement", "region"]
    return []


def _find(code: str, level: str, cog: int) -> pd.Series | None:
    if level == "commune":
        idx = _commune_index(cog)
        return idx.loc[code] if code in idx.index else None
    tab = _table(level, cog)
    if level == "ept":
        m = _EPT_NUM_RE.match(code)
        if m:
            hit = tab[tab["number"] == f"T{int(m.group(1))}"]
            return hit.iloc[0] if len(hit) else None
    hit = tab[tab["code"] == code]
    return hit.iloc[0] if len(hit) else None


def _vintages_with_commune(code: str) -> list[int]:
    df = _read("communes.csv")
    rows = df[df["code"] == code]
    return sorted({c for f, t in zip(rows["cog_from"], rows["cog_to"]) for c in range(f, t + 1)})


def _unknown_message(code: str, level: str | None, cog: int) -> str:
    what = LEVEL_LABELS_FR.get(level, "territory") if level else "territory"
    msg = f"Unknown {what} code {code!r} in COG {cog}"
    if level in (None, "commune") and len(code) == 5:
        other = _vintages_with_commune(code)
        if other:
            msg += (f"; it is a commune code of COG {', '.join(map(str, other))} only "
                    f"(use territory.harmonise() to re-key a table from an older vintage)")
        elif code.isdigit() and code.startswith("20"):
            msg += "; Corsican codes start with 2A or 2B"
    elif code == "T1":
        msg += "; T1 is the City of Paris, a commune with special status (code 75056), not an EPT"
    return msg + "."


def lookup(code: str, cog: int = DEFAULT_COG, level: Level | None = None) -> Territory:
    """The territory bearing ``code`` in vintage ``cog``.

    ``level`` is inferred when omitted: 5 characters = commune, 9 digits = EPT
    then EPCI, "T2".."T12" = EPT, 2-3 characters = département then région
    (pass ``level="region"`` for a région whose code is also a département's,
    e.g. "11", "93"). Unknown codes raise :class:`UnknownCodeError`.
    """
    cog = _check_cog(cog)
    if level is not None:
        check_choice("level", level, LEVELS)
    code = str(code).strip()
    levels = [level] if level is not None else _candidate_levels(code)
    for lev in levels:
        row = _find(code, lev, cog)
        if row is not None:
            return _record(row, lev, cog, code)
    raise UnknownCodeError(_unknown_message(code, level, cog), [code])


def _record(row: pd.Series, level: str, cog: int, code: str) -> Territory:
    pop = row.get("population")
    pop = None if pop is None or pd.isna(pop) else int(pop)
    par: dict[str, str] = {}
    if level == "commune":
        code = str(row.name)
        if row["type"] == TYPE_ARM:
            par["commune"] = row["commune"]
        for lev in ("ept", "epci", "departement", "region"):
            if not pd.isna(row[lev]):
                par[lev] = row[lev]
        return Territory(code, row["name"], level, cog, row["type"], pop, par)
    if level == "ept":
        par["epci"] = MGP_SIREN
        par["region"] = "11"
    elif level == "epci":
        if not pd.isna(row["parent"]):
            par["departement"] = row["parent"]
        regs = {_table("departement", cog).set_index("code").loc[d, "parent"]
                for d in str(row["departements"]).split(";") if d and d != "nan"}
        if len(regs) == 1:
            par["region"] = regs.pop()
    elif level == "departement":
        par["region"] = row["parent"]
    return Territory(row["code"], row["name"], level, cog, row["type"], pop, par)


def parents(code: str, cog: int = DEFAULT_COG, level: Level | None = None) -> list[Territory]:
    """Enclosing territories of ``code``, nearest first.

    A commune gives [EPT (if any), EPCI, département, région]; an arrondissement
    municipal starts with its commune; an EPT gives [Métropole du Grand Paris,
    Île-de-France]; an EPCI its département / région when it lies in only one.
    """
    rec = lookup(code, cog, level)
    out = []
    for lev, c in rec.parents.items():
        out.append(lookup(c, rec.cog, "commune" if lev == "commune" else lev))
    return out


def children(code: str, level: Level, cog: int = DEFAULT_COG, parent_level: Level | None = None) -> pd.DataFrame:
    """Territories of ``level`` inside ``code`` (same columns as the level's table).

    E.g. ``children("93", "commune")``, ``children("200057867", "commune")`` (or
    ``"T6"``), ``children("11", "departement")``, ``children("93", "ept")``.
    The parent's level is the nearest level above ``level`` at which ``code``
    exists (so "93" is the département for communes and the région PACA for
    départements), unless ``parent_level`` is given. For ``ept`` and ``epci``
    children, a territory is listed when at least one of its member communes
    lies in the parent (Boucle Nord de Seine is in 92 and 95).
    """
    cog = _check_cog(cog)
    check_choice("level", level, LEVELS[:-1])
    code = str(code).strip()
    above = LEVELS[LEVELS.index(level) + 1:]
    if parent_level is not None:
        check_choice("parent_level", parent_level, above)
        cands = [parent_level]
    else:
        cands = [lv for lv in above if lv in _candidate_levels(code)]
    parent = None
    for lev in cands:
        row = _find(code, lev, cog)
        if row is not None:
            parent = _record(row, lev, cog, code)
            break
    if parent is None:
        raise UnknownCodeError(
            f"Unknown code {code!r} in COG {cog} at the level(s) that can contain a {LEVEL_LABELS_FR[level]} "
            f"({', '.join(above)}).", [code])
    plev, pcode = parent.level, parent.code
    act = _actual(cog)
    if level == "commune":
        return act[(act[plev] == pcode).fillna(False)].reset_index(drop=True).copy()
    if level == "departement":
        tab = _table("departement", cog)
        return tab[tab["parent"] == pcode].reset_index(drop=True).copy()
    # ept / epci inside a larger territory
    inside = act[(act[plev] == pcode).fillna(False)][level].dropna().unique()
    tab = _table(level, cog)
    return tab[tab["code"].isin(inside)].reset_index(drop=True).copy()


# -------------------------------------------------------------------------- populations
def population(code: str, cog: int = DEFAULT_COG, level: Level | None = None) -> int:
    """Population municipale of a territory (inhabitants; INSEE year: :func:`vintages`)."""
    rec = lookup(code, cog, level)
    if rec.population is None:
        raise UnknownCodeError(f"No population for {rec} in the reference.", [rec.code])
    return rec.population


def populations(level: Level = "commune", cog: int = DEFAULT_COG) -> pd.Series:
    """Population municipale of every territory of ``level`` (Series indexed by code, inhabitants).

    ``level="commune"`` gives actual communes only (no arrondissements).
    """
    cog = _check_cog(cog)
    check_choice("level", level, LEVELS)
    tab = _actual(cog) if level == "commune" else _table(level, cog)
    s = tab.set_index("code")["population"].astype("int64")
    s.name = "population"
    return s


# ---------------------------------------------------------------------------- codes
def normalise_codes(series: pd.Series | Sequence, level: Literal["commune", "departement"] = "commune",
                    arrondissements: Literal["keep", "to_commune"] = "keep",
                    path: str | None = None) -> pd.Series:
    """Return INSEE codes as clean strings (a new Series; the input is not modified).

    The rules are those of :func:`esstools.vocabulary.normalise_commune_codes` and
    :func:`~esstools.vocabulary.normalise_departement_codes` (the one normaliser of
    esstools): numbers and strings accepted, a lost leading zero, a spreadsheet ".0" and
    a lower-case Corsican letter repaired with one counted :class:`RepairWarning`,
    "20xxx"/"20" refused as ambiguous Corsican codes, unknown département prefixes and
    malformed values refused with :class:`SchemaError` naming rows and values.
    ``arrondissements="to_commune"`` maps 75101..75120, 69381..69389 and 13201..13216 to
    75056, 69123 and 13055.
    """
    from . import vocabulary

    check_choice("level", level, ("commune", "departement"))
    check_choice("arrondissements", arrondissements, ("keep", "to_commune"))
    s = series if isinstance(series, pd.Series) else pd.Series(list(series))
    fn = vocabulary.normalise_commune_codes if level == "commune" else vocabulary.normalise_departement_codes
    out = fn(s, path, s.name)
    if level == "commune" and arrondissements == "to_commune":
        out = out.map(lambda c: ARRONDISSEMENT_COMMUNES.get(c, c) if isinstance(c, str) else c)
    return pd.Series(out.to_numpy(dtype=object, na_value=pd.NA), index=s.index, name=s.name, dtype="str")


# --------------------------------------------------------------------------- aggregate
def _value_columns(df: pd.DataFrame, value_cols: Iterable[str] | None, exclude: Sequence[str],
                   what: str) -> list[str]:
    if value_cols is None:
        cols = [c for c in df.columns if c not in exclude and pd.api.types.is_numeric_dtype(df[c])
                and not pd.api.types.is_bool_dtype(df[c])]
        if not cols:
            raise SchemaError(f"Table has no numeric column to {what} besides {list(exclude)}; "
                              "pass value_cols explicitly.")
        return cols
    cols = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(f"Table has no column(s) {missing}; available columns are {list(df.columns)}.",
                          column=missing[0])
    for c in cols:
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise SchemaError(f"Column '{c}' must be numeric to {what} it; its dtype is {df[c].dtype}.",
                              column=c)
    return cols


def _codes_of(df: pd.DataFrame, code_col: str) -> pd.Series:
    if code_col not in df.columns:
        raise SchemaError(f"Table has no code column '{code_col}'; available columns are {list(df.columns)} "
                          "(pass code_col=...).", column=code_col)
    col = df[code_col]
    return col.astype("str").where(col.notna(), None)


def _list_codes(codes: Sequence[object], n: int = 10) -> str:
    shown = ", ".join(repr(c) for c in list(codes)[:n])
    return shown + (f" (and {len(codes) - n} more)" if len(codes) > n else "")


def aggregate(df: pd.DataFrame, to: Literal["ept", "epci", "departement", "region"],
              code_col: str = "commune_code", value_cols: Iterable[str] | None = None,
              cog: int = DEFAULT_COG, how: str = "sum",
              unmatched: Literal["raise", "report"] = "raise"):
    """Aggregate a commune-level table to ``to`` in vintage ``cog``.

    Rows are matched on ``code_col`` (commune or arrondissement municipal codes
    of vintage ``cog``; re-key older tables with :func:`harmonise` first).
    Returns a DataFrame with columns ``to`` (code), ``name`` (and ``number``,
    T2..T12, for EPT), the
    ``value_cols`` (default: every numeric column) aggregated with ``how``
    (sum, mean, median, min, max, count; a sum of only-missing values stays
    missing) and ``n_rows`` (input rows per territory), sorted by code.

    Nothing is dropped silently. Rows whose code is unknown in ``cog``:
    ``unmatched="raise"`` raises :class:`UnknownCodeError` listing them;
    ``unmatched="report"`` returns a tuple ``(aggregate, report)`` where
    ``report`` holds the unmatched input rows plus a French ``reason`` column.
    Known communes outside every territory of ``to`` (e.g. outside the 11 EPT,
    Paris included) are listed in the report, or, with ``"raise"``, left out
    with a :class:`TerritoryWarning` counting them.
    """
    cog = _check_cog(cog)
    check_choice("to", to, AGGREGATION_LEVELS)
    check_choice("how", how, _AGG_HOWS)
    check_choice("unmatched", unmatched, ("raise", "report"))
    codes = _codes_of(df, code_col)
    cols = _value_columns(df, value_cols, [code_col], "aggregate")
    idx = _commune_index(cog)
    known = codes.isin(idx.index)
    target = codes.map(idx[to]).where(known)
    outside = known & target.isna()
    if to == "ept":
        reason_out = "commune hors des 11 EPT de la Métropole du Grand Paris"
    elif to == "epci":
        reason_out = "commune hors EPCI à fiscalité propre"
    else:
        reason_out = "commune sans rattachement"
    reasons = pd.Series(pd.NA, index=df.index, dtype="str")
    reasons[~known] = np.where(codes[~known].isna(), "code manquant", f"code inconnu dans le COG {cog}")
    reasons[outside] = reason_out
    bad = reasons.notna()
    if unmatched == "raise" and (~known).any():
        unknown_codes = sorted({str(c) for c in codes[~known]})
        rows = [i + 2 for i in np.flatnonzero((~known).to_numpy())]
        raise UnknownCodeError(
            f"{int((~known).sum())} row(s) of column '{code_col}' have commune codes unknown in COG {cog}: "
            f"{_list_codes(unknown_codes)} (rows {_list_codes(rows, 5)}). Re-key older codes with "
            "territory.harmonise(), repair lost leading zeros with territory.normalise_codes(), or pass "
            "unmatched='report'.", unknown_codes)
    arms = codes[known & (idx["type"].reindex(codes.where(known)).to_numpy() == TYPE_ARM)]
    if len(arms):
        parents_present = set(arms.map(idx["commune"])) & set(codes[known])
        if parents_present:
            warnings.warn(
                f"Column '{code_col}' holds both arrondissements municipaux and their commune(s) "
                f"{sorted(parents_present)}: their values are added together (double counting?).",
                TerritoryWarning, stacklevel=2)
    if unmatched == "raise" and outside.any():
        ex = sorted({str(c) for c in codes[outside]})
        warnings.warn(
            f"{int(outside.sum())} row(s) left out of the aggregation to '{to}' ({reason_out}): "
            f"{_list_codes(ex)}.", TerritoryWarning, stacklevel=2)
    keep = ~bad
    work = df.loc[keep, cols].copy()
    work[to] = target[keep].to_numpy()
    g = work.groupby(to, sort=True)
    if how == "sum":
        agg = g[cols].sum(min_count=1)
    else:
        agg = g[cols].agg(how)
    agg["n_rows"] = g.size()
    tab = _table(to, cog).set_index("code")
    agg.insert(0, "name", agg.index.map(tab["name"]))
    if to == "ept":
        agg.insert(1, "number", agg.index.map(tab["number"]))
    out = agg.reset_index()
    out[to] = out[to].astype("str")
    if unmatched == "report":
        report = df.loc[bad].copy()
        report["reason"] = reasons[bad].to_numpy()
        return out, report
    return out


# --------------------------------------------------------------------------- harmonise
@lru_cache(maxsize=None)
def _step(from_cog: int, to_cog: int) -> dict[str, tuple[tuple[str, float], ...]]:
    """Changed codes between two consecutive vintages -> ((target, weight), ...)."""
    ch = _read("commune_changes.csv")
    ch = ch[(ch["from_cog"] == from_cog) & (ch["to_cog"] == to_cog)]
    pops = _read("commune_populations.csv").set_index("code")[f"population_{to_cog}"].astype(float)
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    for code, grp in ch.groupby("from_code", sort=True):
        targets = list(grp["to_code"])
        if len(targets) == 1:
            out[code] = ((targets[0], 1.0),)
        else:
            w = np.array([pops.get(t, np.nan) for t in targets])
            w = w / np.nansum(w)
            out[code] = tuple((t, float(x)) for t, x in zip(targets, w))
    return out


def _carry(code: str, from_cog: int, to_cog: int) -> list[tuple[str, float]]:
    cur = [(code, 1.0)]
    for a in range(from_cog, to_cog):
        step = _step(a, a + 1)
        nxt: dict[str, float] = {}
        for c, w in cur:
            for t, w2 in step.get(c, ((c, 1.0),)):
                nxt[t] = nxt.get(t, 0.0) + w * w2
        cur = sorted(nxt.items())
    return cur


def harmonise(df: pd.DataFrame, from_cog: int, to_cog: int = DEFAULT_COG,
              code_col: str = "commune_code", value_cols: Iterable[str] | None = None,
              how: str = "sum", by: Iterable[str] | None = None,
              splits: Literal["raise", "population"] = "raise") -> pd.DataFrame:
    """Re-key a commune table from vintage ``from_cog`` to ``to_cog`` (``to_cog >= from_cog``).

    Codes of communes merged or renumbered between the vintages land on their
    successor (e.g. Pierrefitte-sur-Seine 93059, merged into Saint-Denis 93066 on
    1 January 2025); rows falling on the same code are combined with ``how``
    (sum, mean, min, max) within the groups of ``by`` (e.g. ``["year"]``). The
    result has columns ``code_col``, ``by`` and ``value_cols`` (default: every
    numeric column not in ``by``); other columns are not carried over.

    A commune split between the vintages (rare: 85084 and 60054 in 2024, 15141
    in 2025) raises :class:`HarmonisationError` unless
    ``splits="population"``, which shares its values among the resulting
    communes in proportion to their population in the later vintage (sums only)
    and warns. Codes unknown in ``from_cog`` raise :class:`UnknownCodeError`.
    The re-keying applied is in ``result.attrs["harmonisation"]``.
    """
    from_cog, to_cog = _check_cog(from_cog), _check_cog(to_cog)
    check_choice("how", how, _HARMONISE_HOWS)
    check_choice("splits", splits, ("raise", "population"))
    if to_cog < from_cog:
        raise ParameterError(
            f"Cannot harmonise backwards from COG {from_cog} to COG {to_cog}: that would split merged "
            "communes' values without data to do so; harmonise the older table forward instead.")
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise SchemaError(f"Table has no column(s) {missing} given in 'by'.", column=missing[0])
    codes = _codes_of(df, code_col)
    cols = _value_columns(df, value_cols, [code_col, *by], "harmonise")
    if codes.isna().any():
        rows = [i + 2 for i in np.flatnonzero(codes.isna().to_numpy())]
        raise SchemaError(path=None, column=code_col, rows=rows, values=[None] * len(rows),
                          expected=f"a commune code of COG {from_cog} on every row (missing codes cannot be re-keyed)")
    idx = _commune_index(from_cog)
    unknown = sorted({str(c) for c in codes[~codes.isin(idx.index)].tolist()})
    if unknown:
        hint = ""
        if any(c in _commune_index(to_cog).index for c in unknown):
            hint = f" Some are codes of COG {to_cog}: is the table already in that vintage?"
        raise UnknownCodeError(
            f"{len(unknown)} commune code(s) of column '{code_col}' are unknown in COG {from_cog}: "
            f"{_list_codes(unknown)}.{hint}", unknown)
    mapping = {c: _carry(c, from_cog, to_cog) for c in sorted(set(codes))}
    split = {c: m for c, m in mapping.items() if len(m) > 1}
    if split:
        desc = "; ".join(f"{c} -> {', '.join(t for t, _ in m)}" for c, m in list(split.items())[:5])
        if splits == "raise":
            raise HarmonisationError(
                f"{len(split)} commune(s) of column '{code_col}' were split between COG {from_cog} and "
                f"COG {to_cog} ({desc}); their values cannot be carried without an assumption. Pass "
                "splits='population' to share them by population, or drop these rows.")
        if how != "sum":
            raise HarmonisationError(
                f"Communes {sorted(split)} were split between COG {from_cog} and {to_cog}; sharing by "
                f"population only makes sense for how='sum', not how={how!r}.")
        warnings.warn(
            f"{len(split)} split commune(s) shared among their successors in proportion to population "
            f"(COG {to_cog}): {desc}.", TerritoryWarning, stacklevel=2)
    links = pd.DataFrame(
        [(c, t, w) for c, m in mapping.items() for t, w in m],
        columns=["from_code", "to_code", "weight"])
    work = df[[*by, *cols]].copy()
    work["_from"] = codes.to_numpy()
    work = work.merge(links, left_on="_from", right_on="from_code", how="left", sort=False)
    if split:
        for c in cols:
            work[c] = work[c] * work["weight"]
    g = work.groupby(["to_code", *by], sort=True, dropna=False)
    res = g[cols].sum(min_count=1) if how == "sum" else g[cols].agg(how)
    res = res.reset_index().rename(columns={"to_code": code_col})
    res[code_col] = res[code_col].astype("str")
    res = res[[code_col, *by, *cols]].sort_values([*by, code_col], kind="stable").reset_index(drop=True)
    changed = links[links["from_code"] != links["to_code"]].reset_index(drop=True)
    res.attrs["harmonisation"] = changed
    return res
