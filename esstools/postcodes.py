"""Postcodes of communes (La Poste, COG 2026) and commune codes recovered from (postcode, city).

Table: ``data/reference/commune_postcodes.csv`` (see ``commune_postcodes.md``: npm
``@etalab/decoupage-administratif`` 6.0.0, field ``codesPostaux``), one row per (commune or
arrondissement municipal, postcode).

:func:`resolve_communes` gives the commune code of an address known only by its postcode and city
name (the les emplois SIAE API has no commune code). Rule, per row: the communes (and arrondissements
municipaux) served by the postcode, in the row's département when known; a parent commune is dropped
when one of its arrondissements is also served (SIRENE codes Paris, Lyon and Marseille by
arrondissement); one candidate left → its code; several → the one whose name (or parent commune's
name) equals the city name, compared without case, accents, punctuation and with "St"/"Ste" spelt
out; otherwise missing (counted by the caller, never guessed).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

from . import paths, territory

COG = 2026


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    df = pd.read_csv(paths.reference_dir() / "commune_postcodes.csv", dtype=str, keep_default_na=False)
    com = territory.communes(COG, include_arrondissements=True)[["code", "name", "type", "commune", "departement"]]
    out = df.merge(com, on="code", how="inner")
    parent_names = com.set_index("code")["name"]
    out["parent_name"] = out["commune"].map(parent_names).fillna(out["name"])
    return out


def postcodes(departement: str | None = None) -> pd.DataFrame:
    """(code, postcode, name, type, commune, departement) rows, optionally of one département."""
    t = _table()
    return (t if departement is None else t[t["departement"] == str(departement)]).reset_index(drop=True)


def normalise_name(name) -> str:
    """Upper-case ASCII words of a commune name: "Saint-Ouen-sur-Seine" and "ST OUEN SUR SEINE" agree."""
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"[^A-Z0-9]+", " ", text).strip()
    text = re.sub(r"\bSTE\b", "SAINTE", text)
    return re.sub(r"\bST\b", "SAINT", text)


def _resolve_one(cands: pd.DataFrame, city: str) -> str | None:
    if cands.empty:
        return None
    arr_parents = set(cands.loc[cands["type"] != "commune", "commune"])
    cands = cands[~cands["code"].isin(arr_parents)]
    if len(cands) == 1:
        return str(cands["code"].iloc[0])
    target = normalise_name(city)
    hit = cands[(cands["name"].map(normalise_name) == target) | (cands["parent_name"].map(normalise_name) == target)]
    return str(hit["code"].iloc[0]) if len(hit) == 1 else None


def resolve_communes(postcode: pd.Series, city: pd.Series, departement: pd.Series | None = None) -> pd.Series:
    """Commune code of each (postcode, city[, département]) row (see module docstring); NA when not unique."""
    t = _table()
    t = t[t["postcode"].isin(set(postcode.dropna().astype(str)))].astype(object)
    by_pc = {pc: g for pc, g in t.groupby("postcode", sort=False)}
    deps = departement if departement is not None else pd.Series(None, index=postcode.index, dtype="object")
    out = []
    for pc, name, dep in zip(postcode.astype("string"), city, deps):
        cands = by_pc.get(pc) if isinstance(pc, str) else None
        if cands is not None and isinstance(dep, str) and dep:
            cands = cands[cands["departement"] == dep]
        out.append(_resolve_one(cands, name) if cands is not None else None)
    return pd.Series(out, index=postcode.index, dtype="string")
