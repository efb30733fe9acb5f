"""Establishment-level data of the département (and of its peers) with their territorial units."""

from __future__ import annotations

import pandas as pd

from ..provenance import Provenance
from ..sources import Sourced
from ..sources import sirene as sirene_source
from .geography import commune_units
from .parameters import Parameters

UNIT_COLUMNS = ("unit_code", "unit_name", "commune_name")


def with_units(etab: pd.DataFrame, params: Parameters, level: str | None = None) -> pd.DataFrame:
    """Copy of ``etab`` with ``unit_code``, ``unit_name`` (units of ``level``) and ``commune_name``.

    Establishments whose commune code is not in the département's reference (another COG
    vintage, a typo) keep their code as unit with the name "commune inconnue (<code>)".
    """
    units = commune_units(params, level).set_index("commune_code")
    out = etab.drop(columns=[c for c in UNIT_COLUMNS if c in etab.columns]).copy()
    code = out["commune_code"].astype("string")
    out["unit_code"] = code.map(units["unit_code"]).fillna(code).astype("string")
    unknown = "commune inconnue (" + code + ")"
    out["unit_name"] = code.map(units["unit_name"]).fillna(unknown).astype("string")
    out["commune_name"] = code.map(units["commune_name"]).fillna(unknown).astype("string")
    return out


def _source(params: Parameters) -> str:
    return "demo" if params.data_kind == "demo" else ("fetched" if params.source == "fetched" else "real")


def load(params: Parameters, seed: int = 2026) -> Sourced:
    """The département's establishments with their units (level of ``params``), and their provenance
    (``data`` None and ``missing`` set when a fetched SIRENE file is absent)."""
    if params.missing:
        return Sourced(None, Provenance.real(), missing=params.missing)
    src = sirene_source.establishments(params.departement, _source(params),
                                       etab_path=params.etab_path, ul_path=params.ul_path, cog=params.cog,
                                       seed=seed, year=params.year)
    dep = src.data[src.data["departement"] == params.departement]
    return Sourced(with_units(dep, params), src.provenance, src.files, src.notes)


def load_peers(params: Parameters, seed: int = 2026) -> Sourced:
    """Establishments of the peer départements (``params.peers``; same source as the département's)."""
    if params.missing:
        return Sourced(None, Provenance.real(), missing=params.missing)
    return sirene_source.establishments(list(params.peers), _source(params),
                                        etab_path=params.etab_path, ul_path=params.ul_path, cog=params.cog,
                                        seed=seed, year=params.year)
