"""French reading of the trend results, generated from the numbers (no hand-written figures)."""

from __future__ import annotations

from ..provenance import DEMO_LABEL
from .results import fmt_fr, p_text


def _sig(p: float, alpha: float = 0.05) -> bool:
    return p is not None and p < alpha


def reading_fr(*, territory: str, reference: str, growth: float, growth_ci: tuple[float, float],
               chow_p: float, break_year, supf_p: float, supf_year, gap: float, gap_ci: tuple[float, float],
               projection_year: int, projection: float, ci80: tuple[float, float], ci95: tuple[float, float],
               last_year, last_value: float, model_rule: str, data_kind: str = "demo",
               published_check: str | None = None, decision: str | None = None,
               break_retained: bool = False, growth_before: float | None = None,
               growth_after: float | None = None) -> str:
    """Short French paragraph summarising growth, break tests, gap and projection.

    ``model_rule``: short name of the retained projection; ``decision``: the
    sentence of :class:`~esstools.trends.projection.ProjectionChoice` saying why
    (``decision_fr``); ``break_retained``: the projection prolongs the
    post-break trend (changes the closing caveat); ``growth_before`` /
    ``growth_after``: trend growth (%/yr) of the break model, quoted when the
    break is significant.
    """
    lines = []
    if data_kind == "demo":
        lines.append(f"**⚠ {DEMO_LABEL}** : les chiffres ci-dessous illustrent la méthode ; ils ne décrivent pas "
                     f"l'emploi réel de l'ESS.")
    lo, hi = growth_ci
    trend_txt = ("une hausse" if lo > 0 else "une baisse" if hi < 0 else "une évolution non significativement "
                 "différente de zéro")
    lines.append(f"- **Tendance** : l'emploi salarié de l'ESS du territoire {territory} progresse en moyenne de "
                 f"{fmt_fr(growth, 1)} % par an (intervalle de confiance à 95 % : {fmt_fr(lo, 1)} à "
                 f"{fmt_fr(hi, 1)} %), soit {trend_txt}.")
    if _sig(chow_p):
        brk = (f"- **Rupture** : le test de Chow rejette l'absence de rupture en {break_year} "
               f"({p_text(chow_p)}) : la croissance récente n'est pas le simple prolongement de la tendance.")
        if growth_before is not None and growth_after is not None:
            brk += (f" La croissance tendancielle passe de {fmt_fr(growth_before, 1)} % par an avant {break_year} "
                    f"à {fmt_fr(growth_after, 1)} % par an depuis.")
    else:
        brk = (f"- **Rupture** : le test de Chow ne permet pas de conclure à une rupture en {break_year} "
               f"({p_text(chow_p)}) : la croissance récente reste compatible avec la tendance de long terme, "
               f"aux aléas annuels près.")
    brk += (f" La recherche d'une rupture à date inconnue (sup-F) situe le changement le plus marqué en {supf_year} "
            f"({p_text(supf_p)}" + (", significatif à 5 %)." if _sig(supf_p) else ", non significatif à 5 %)."))
    if _sig(supf_p) and str(supf_year) != str(break_year):
        brk += (f" Cette date, choisie par les données, diffère de la date testée ({break_year}) : la règle de "
                f"projection, fixée à l'avance, reste fondée sur {break_year} ; à lire avec prudence.")
    lines.append(brk)
    glo, ghi = gap_ci
    if glo > 0:
        gap_txt = f"plus vite que la référence {reference}"
    elif ghi < 0:
        gap_txt = f"moins vite que la référence {reference}"
    else:
        gap_txt = f"sans écart significatif avec la référence {reference}"
    lines.append(f"- **Écart à la référence** : {fmt_fr(gap, 1, True)} point(s) de % par an (IC 95 % : "
                 f"{fmt_fr(glo, 1, True)} à {fmt_fr(ghi, 1, True)}) : le territoire croît {gap_txt}.")
    caveat = ("si la tendance d'après rupture se prolonge" if break_retained
              else "si les tendances observées se prolongent")
    proj = (f"- **Projection {projection_year}** ({model_rule}, selon la règle fixée à l'avance) : environ {fmt_fr(projection, 0)} salariés "
            f"(intervalle de prévision à 80 % : {fmt_fr(ci80[0], 0)} – {fmt_fr(ci80[1], 0)} ; à 95 % : "
            f"{fmt_fr(ci95[0], 0)} – {fmt_fr(ci95[1], 0)}), contre {fmt_fr(last_value, 0)} en {last_year}, "
            f"{caveat}.")
    if decision:
        proj += " " + decision
    lines.append(proj)
    if published_check:
        lines.append(f"- **Chiffres publiés** : {published_check}")
    return "\n".join(lines)
