"""Territorial units of a département at each level, from the COG reference (``esstools.territory``).

:func:`commune_units` maps every commune code as SIRENE writes it (arrondissements municipaux of
Paris, Lyon and Marseille included) to its unit of the level; :func:`unit_populations` gives the
population municipale of each unit (same COG vintage).
"""

from __future__ import annotations

import pandas as pd

from .parameters import Parameters

#: Unit of the communes outside any EPT / EPCI (the four single-commune islands have no EPCI).
OUTSIDE = {"ept": ("hors_ept", "Communes hors EPT"), "epci": ("hors_epci", "Communes hors EPCI")}


def commune_units(params: Parameters, level: str | None = None) -> pd.DataFrame:
    """One row per commune code of the département as SIRENE codes it.

    Columns: ``commune_code``, ``commune_name``, ``type`` ("commune" / "arrondissement municipal"),
    ``unit_code``, ``unit_name``, ``population`` (population municipale of the row; the parent commune
    of arrondissements keeps its total), ``counts`` (True for the rows whose populations add up to the
    département's: actual communes, or arrondissements instead of their commune at the arrondissement
    level).
    """
    from .. import territory

    level = level or params.level
    com = territory.communes(params.cog, params.departement, include_arrondissements=True)
    parent = com.set_index("code")
    is_arm = com["type"] != territory.TYPE_COMMUNE
    parent_code = com["commune"].where(is_arm, com["code"])
    out = pd.DataFrame({"commune_code": com["code"], "commune_name": com["name"], "type": com["type"],
                        "population": com["population"].astype("float64")})
    if level == "departement":
        out["unit_code"], out["unit_name"] = params.departement, params.departement_name
    elif level == "commune":
        out["unit_code"] = parent_code
        out["unit_name"] = parent_code.map(parent["name"])
    elif level == "arrondissement":
        out["unit_code"], out["unit_name"] = com["code"], com["name"]
    else:
        codes = parent_code.map(parent[level])
        table = territory.epts(params.cog) if level == "ept" else territory.epcis(params.cog)
        names = codes.map(table.set_index("code")["name"])
        hors_code, hors_name = OUTSIDE[level]
        out["unit_code"] = codes.fillna(hors_code).astype(str)
        out["unit_name"] = names.fillna(hors_name).astype(str)
    has_arm = set(com.loc[is_arm, "commune"])
    if level == "arrondissement":
        out["counts"] = ~com["code"].isin(has_arm).to_numpy()
    else:
        out["counts"] = ~is_arm.to_numpy()
    return out.reset_index(drop=True)


def unit_populations(params: Parameters, level: str | None = None) -> pd.Series:
    """Population municipale of each unit of the level (same COG vintage), indexed by unit code."""
    units = commune_units(params, level)
    return units[units["counts"]].groupby("unit_code")["population"].sum().astype("float64")


def unit_names(params: Parameters, level: str | None = None) -> pd.Series:
    """Name of each unit of the level, indexed by unit code."""
    units = commune_units(params, level)
    return units.drop_duplicates("unit_code").set_index("unit_code")["unit_name"]
