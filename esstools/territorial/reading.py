"""French text of the territorial comparison, generated from the numbers it describes."""

from __future__ import annotations

from ..display import fmt_number
from .parameters import Parameters


def de(name: str) -> str:
    """French "de X" with elision before a vowel ("d'Est Ensemble", "de Plaine Commune")."""
    return ("d'" if str(name)[:1].upper() in "AEIOUYÉÈÊÎÏÔÂ" else "de ") + str(name)


def part2_reading(params: Parameters, summ, comp, conc: dict, totals: dict, reference: dict | None) -> str:
    """French paragraph on the establishment-level results (demo warning first on synthetic data)."""
    txt = ""
    if params.data_kind == "demo":
        txt += "⚠ Données de démonstration — synthétiques : ces chiffres illustrent la méthode et ne décrivent pas le territoire. "
    txt += (f"Le fichier compte {fmt_number(totals['ess_establishments'], 0)} établissements employeurs de l'ESS sur "
            f"{fmt_number(totals['all_establishments'], 0)} établissements employeurs privés "
            f"({fmt_number(totals['ess_share_establishments_pct'], 1)} %), pour environ "
            f"{fmt_number(totals['ess_employees'], 0)} salariés (centres des tranches d'effectifs).")
    if params.level != "departement" and len(summ) > 1:
        dense = summ.sort_values("ess_employees_per_1000", ascending=False)
        txt += (f" Les {conc['top_k']} premiers territoires ({' et '.join(conc['top_units'])}) regroupent "
                f"{fmt_number(conc['top_k_share_pct'], 1)} % des établissements employeurs de l'ESS "
                f"(indice de Herfindahl {fmt_number(conc['herfindahl'], 2)}). La part de l'ESS va de "
                f"{fmt_number(summ['ess_share_establishments_pct'].min(), 1)} % à "
                f"{fmt_number(summ['ess_share_establishments_pct'].max(), 1)} % des établissements selon le "
                f"territoire ; la densité la plus forte est celle {de(dense['name'].iloc[0])} "
                f"({fmt_number(dense['ess_employees_per_1000'].iloc[0], 1)} salariés de l'ESS pour 1\u202f000 "
                f"habitants). {summ['name'].iloc[0]} compte le plus d'établissements "
                f"({fmt_number(summ['ess_establishments'].iloc[0], 0)}).")
    if reference and reference.get("value") is not None:
        lq = totals["ess_share_establishments_pct"] / reference["value"]
        txt += (f" Rapportée à la part de l'ESS de la référence, {reference['label']} "
                f"({fmt_number(reference['value'], 1)} %, {reference['nature']}), la part du département donne un "
                f"quotient de localisation de {fmt_number(lq, 2)}.")
    if reference and reference.get("note"):
        txt += f" {reference['note']}"
    fam = comp.set_index(comp.columns[0]).iloc[-1]
    txt += (f" Les associations représentent {fmt_number(fam.get('Associations', 0), 1)} % des établissements "
            f"employeurs de l'ESS et les coopératives {fmt_number(fam.get('Coopératives', 0), 1)} %.")
    return txt
