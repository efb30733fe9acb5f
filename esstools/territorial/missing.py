"""Part 2 of notebook 01 when the SIRENE establishments are missing (``source="fetched"``).

Without the establishment file there is no geography: no count by territory, no share, no map. What
can still be said comes from the published figures (part 1, unchanged) and, when the legal-unit file
was fetched, from the legal units it holds (national, no geography): their number and their ESS
family (legal category and ESS flag, :func:`esstools.loaders.sirene.load_legal_units`). Real data only.
"""

from __future__ import annotations

import pandas as pd

from ..display import fmt_number
from ..sources import sirene as sirene_source
from ..vocabulary import ESS_FAMILIES, ESS_FAMILY_LABELS


def legal_units(params):
    """The fetched legal units (:func:`esstools.sources.sirene.legal_units`), or None when not fetched."""
    if params.source != "fetched":
        return None
    src = sirene_source.legal_units("fetched")
    return None if src.missing else src


def family_table(units: pd.DataFrame) -> pd.DataFrame:
    """Legal units by ESS family (French labels), with the ESS flag count."""
    counts = units["ess_family_status"].value_counts()
    flags = units.groupby("ess_family_status")["ess_flag"].sum()
    rows = [{"famille": ESS_FAMILY_LABELS[f], "unités légales": int(counts.get(f, 0)),
             "dont indicateur ESS = O": int(flags.get(f, 0))} for f in ESS_FAMILIES if counts.get(f, 0)]
    rows.append({"famille": "Ensemble", "unités légales": len(units), "dont indicateur ESS = O": int(units["ess_flag"].sum())})
    return pd.DataFrame(rows)


def units_sentence(units: pd.DataFrame) -> str:
    """« Fichier des unités légales SIRENE : N unités légales … » (national, no geography)."""
    t = family_table(units).set_index("famille")["unités légales"]
    parts = ", ".join(f"{fmt_number(v, 0)} {k[0].lower() + k[1:]}" for k, v in t.items() if k != "Ensemble")
    return (f"Fichier des unités légales SIRENE : {fmt_number(len(units), 0)} unités légales lues "
            f"({fmt_number(int(units['ess_flag'].sum()), 0)} avec l'indicateur ESS = O) — {parts}. Fichier sans "
            "géographie : ces unités ne sont pas rattachées au département sans le fichier des établissements.")


def synthesis_items(missing, units_src) -> list[dict]:
    """Synthesis items of part 2: the missing inputs, then the legal units read (if any)."""
    items = [m.synthesis_item for m in missing]
    items.append({"text": "Comparaison territoriale des établissements de l'ESS (effectifs, parts, quotient de "
                          "localisation, cartes) non calculée faute du fichier des établissements ; aucune donnée de "
                          "démonstration ne le remplace.", "nature": "donnée manquante", "source": "esstools.territorial"})
    if units_src is not None and units_src.data is not None:
        items.append({"text": units_sentence(units_src.data), "nature": "calculé sur données réelles",
                      "source": units_src.provenance.source_fr})
    return items
