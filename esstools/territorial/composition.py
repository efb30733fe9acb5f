"""Indicators of the territorial comparison by unit: size, shares, densities, location quotients,
concentration, family and activity composition (pure computations on loader output + units)."""

from __future__ import annotations

import unicodedata

import pandas as pd

from .. import indicators as ind
from ..vocabulary import ESS_FAMILY_LABELS
from ..vocabulary import a21_labels
from .geography import unit_names, unit_populations
from .parameters import Parameters


def family_labels() -> dict[str, str]:
    """French labels of ESS families (:data:`esstools.vocabulary.ESS_FAMILY_LABELS`)."""
    return dict(ESS_FAMILY_LABELS)


def unit_summary(etab: pd.DataFrame, params: Parameters, reference: dict | None = None) -> pd.DataFrame:
    """Indicators by unit (ESS employer establishments, shares, densities, location quotients,
    share of the département's ESS, rank), sorted by ESS establishments (largest first); index ``code``.

    Denominator of the shares: all private employer establishments / their employees (SIRENE
    headcount-band mid-points). ``reference``: ``{"ess_share_establishments_pct": x, ...}``.
    """
    counts = ind.count_table(etab, "unit_code")
    summ = ind.summarise_units(counts, "unit_code", population=unit_populations(params), reference=reference)
    names = unit_names(params)
    summ.insert(0, "name", summ.index.map(lambda c: names.get(c, f"commune inconnue ({c})")).astype("string"))
    summ.index.name = "code"
    return summ.sort_values(["ess_establishments", "name"], ascending=[False, True])


def totals(etab: pd.DataFrame) -> dict:
    """Whole-area totals: ESS and all private employer establishments and employees, shares (percent)."""
    row = ind.ess_shares(ind.count_table(etab, "departement")).sum()
    e, a = float(row["ess_establishments"]), float(row["all_establishments"])
    j, aj = float(row["ess_employees"]), float(row["all_employees"])
    return {"ess_establishments": e, "all_establishments": a, "ess_employees": j, "all_employees": aj,
            "ess_share_establishments_pct": ind.share(e, a), "ess_share_employees_pct": ind.share(j, aj)}


def concentration(summ: pd.DataFrame, k: int = 2) -> dict:
    """Top-k share (%) and Herfindahl index of ESS employer establishments across units."""
    vals = summ["ess_establishments"].astype("float64")
    top = ind.top_k_units(vals, k)
    return {"top_k": k, "top_units": [str(summ["name"].loc[c]) for c in top],
            "top_k_share_pct": ind.top_k_share(vals, k), "herfindahl": ind.herfindahl(vals),
            "n_units": int(len(vals))}


def french_sort_key(index: pd.Index) -> pd.Index:
    """Alphabetical order ignoring accents and case ("Épinay" sorts with the E's)."""
    return pd.Index([unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode().casefold()
                     for v in index])


def family_composition(etab: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Mix of ESS employer establishments by family (percent): one row per unit (alphabetical), then
    the whole département; first column = the unit's name (header of the level)."""
    from .parameters import LEVEL_HEADERS

    counts = ind.count_table(etab, "unit_code")
    whole = ind.composition(counts)
    whole.index = [params.departement_name]
    if params.level == "departement":
        out = whole
    else:
        by_unit = ind.composition(counts, "unit_code")
        names = unit_names(params)
        by_unit.index = [names.get(c, f"commune inconnue ({c})") for c in by_unit.index]
        out = pd.concat([by_unit.sort_index(key=french_sort_key), whole])
    out = out.rename(columns=family_labels()).fillna(0.0)
    out.columns.name = None
    return out.rename_axis(LEVEL_HEADERS[params.level]).reset_index()


def section_composition(etab: pd.DataFrame, top: int = 6) -> pd.DataFrame:
    """Share (%) of ESS employer establishments by NAF section (A21): the ``top`` sections then
    "Autres sections". Columns: ``Section d'activité (NAF A21)`` ("Q — Santé humaine…"), ``Part (%)``."""
    counts = ind.count_table(etab, "a21")
    comp = ind.composition(counts, category="a21").loc["ensemble"].sort_values(ascending=False)
    out = comp.head(top)
    if len(comp) > top:
        out = pd.concat([out, pd.Series({"autres": comp.iloc[top:].sum()})])
    lab = a21_labels()
    names = [f"{c} — {lab[c]}" if c in lab else ("Autres sections" if c == "autres" else str(c)) for c in out.index]
    return pd.DataFrame({"Section d'activité (NAF A21)": names,
                         "Part des établissements employeurs de l'ESS (%)": out.to_numpy("float64")})
