"""Notebook 02 when the URSSAF series is missing (``source="fetched"``, file absent from the cache).

:func:`esstools.trends.report.build` returns a :class:`PartialTrendReport`: every ``show_*`` method of the
notebook says « donnée manquante » (what, which source, which ``esstools fetch`` command) and what can
still be stated — the published figures recensés about the département and its reference, as
published (real; no series to compare them with). No growth, break test or projection is computed,
and nothing is replaced by demonstration data.
"""

from __future__ import annotations

from .. import results
from ..display import say, show_table
from ..sources import fetched as fetched_mod

NOTEBOOK = "02_employment_trends"


class PartialTrendReport:
    """The missing inputs of notebook 02 and the published figures it can still list."""

    def __init__(self, sourced, published, params: dict):
        self.sourced = sourced
        self.missing = sourced.missing
        self.provenance = published.provenance
        self.published, self.labels = published.data
        self.params = params

    @property
    def label(self) -> str:
        return self.labels["departement"]

    def synthesis(self) -> list[dict]:
        items = [m.synthesis_item for m in self.missing]
        n_dep = int((self.published["territoire"] == f"département {self.params['departement']}").sum())
        items.append({"text": (f"Croissance, rupture et projection de l'emploi salarié de l'ESS de {self.label} non "
                               "calculées faute de série ; aucune série de démonstration ne la remplace."),
                      "nature": fetched_mod.MISSING_LABEL, "source": "esstools.trends"})
        if len(self.published):
            items.append({"text": (f"{len(self.published)} chiffre(s) publié(s) recensé(s) sur {self.label} ({n_dep}) et "
                                   f"{self.labels['reference']} ({len(self.published) - n_dep}) : voir le tableau, tels "
                                   "que publiés (sans série pour les comparer)."),
                          "nature": "publié", "source": "data/employment/published_points.csv"})
        return items

    def synthesis_md(self) -> str:
        head = f"## Synthèse — {self.label}, référence {self.labels['reference']}\n\n"
        return head + "\n".join(f"- {it['text']} *({it['nature']} ; source : {it['source']})*" for it in self.synthesis())

    def _not_computed(self, what: str) -> None:
        gaps = " ; ".join(m.what for m in self.missing)
        say(f"{what} : non calculé, {fetched_mod.MISSING_LABEL} ({gaps} ; voir « Données »).", self.provenance)

    def show_data(self) -> None:
        for m in self.missing:
            say(m.text_fr, self.provenance)

    def show_published(self) -> None:
        if self.published.empty:
            say(f"Aucun chiffre publié sur l'emploi salarié de l'ESS de {self.label} n'est recensé.", self.provenance)
            return
        show_table(self.published, self.provenance, source="data/employment/published_points.csv (sources par ligne)",
                   uuid=f"t02_published_only_{self.params['departement']}")

    def show_growth(self) -> None:
        self._not_computed("Croissance annuelle moyenne")

    def show_breaks(self) -> None:
        self._not_computed("Tests de rupture")

    def show_projection(self) -> None:
        self._not_computed("Projection")

    def show_reference(self) -> None:
        self._not_computed("Comparaison à la référence et décomposition par famille")

    def show_validation(self) -> None:
        self._not_computed("Validation par simulation (sur le plan de la série)")

    def payload(self) -> dict:
        return {**self.provenance.to_dict(), "source": self.provenance.source_fr,
                "parameters": {k: v for k, v in self.params.items()}, "headline": {},
                "synthesis": self.synthesis(), "missing": [m.text_fr for m in self.missing]}

    def save(self, run: str | None = None):
        path = results.save(NOTEBOOK, self.payload(), run=run or self.params["departement"])
        say(f"Résultats enregistrés : {path.name}", self.provenance)
        return path
