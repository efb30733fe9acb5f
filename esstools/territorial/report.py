"""Report back-end of notebook 01: every table, figure, French text, synthesis item and the results
payload of the territorial comparison, built from the data access (:mod:`esstools.sources.sirene`),
the territorial units (:mod:`.geography`) and the indicators (:mod:`.composition`).

Part 1 (published figures, real) uses the functions kept in :mod:`esstools.comparison`
(``published_table``, ``published_view``, ``published_reading``, ``most_recent``, ``latest``,
``results_payload``, ``headline_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd

from ..display import fmt_number, say, show_table
from ..provenance import Provenance, combine
from . import charts, composition, contours, establishments, geography, maps, reading
from . import missing as missing_part
from .parameters import LEVEL_HEADERS, PEER_RULE_FR, Parameters, check_parameters

PUBLISHED_SOURCE = ("chiffres publiés recensés par esstools (data/reference/published_figures.csv), sources "
                    "numérotées ci-dessous")
MAP_INDICATORS = ("ess_jobs", "ess_employees")
SUMMARY_COLUMNS = {
    "ess_establishments": "Étab. employeurs ESS",
    "ess_share_establishments_pct": "Part ESS étab. (%)",
    "ess_employees": "Salariés ESS (est.)",
    "ess_share_employees_pct": "Part ESS emploi (%)",
    "ess_establishments_per_1000": "Étab. ESS / 1\u202f000 hab.",
    "ess_employees_per_1000": "Salariés ESS / 1\u202f000 hab.",
    "lq_establishments": "Quotient de localisation (étab.)",
    "share_of_total_ess_establishments_pct": "Part du total ESS (%)",
    "rank_ess_establishments": "Rang",
}
NATURE = {"real": "calculé sur données réelles", "demo": "démonstration"}


def map_figures(table: pd.DataFrame, params: Parameters, indicators=MAP_INDICATORS) -> pd.DataFrame:
    """Published ESS employment shown on the map for each département of the table, chosen by
    ``comparison.most_recent`` (rule ``comparison.SELECTION_RULE_FR``)."""
    from . import published_part as cmp

    rows = []
    for code in table.loc[table["territory_level"] == "departement", "code"].unique():
        r = cmp.most_recent(table, code, indicators)
        if r is not None:
            rows.append({"code": code, "territoire": r["territoire"], "valeur": float(r["valeur"]),
                         "unite": r["unite"], "qualificatif": r["qualificatif"],
                         "annee_affichee": r["annee_affichee"], "indicateur": r["indicateur"], "source": r["source"]})
    cols = ["code", "territoire", "valeur", "unite", "qualificatif", "annee_affichee", "indicateur", "source"]
    return pd.DataFrame(rows, columns=cols).sort_values("code").reset_index(drop=True)


@dataclass
class TerritorialReport:
    """Everything notebook 01 shows, computed once (figures are drawn on demand)."""

    params: Parameters
    seed: int = 2026
    figures_made: list = field(default_factory=list)

    # ------------------------------------------------------------------ Part 1 (published, real)
    @cached_property
    def published(self) -> pd.DataFrame:
        from . import published_part as cmp

        return cmp.published_table(self.params)

    @cached_property
    def published_view(self) -> tuple[pd.DataFrame, list[str]]:
        from . import published_part as cmp

        return cmp.published_view(self.published)

    def published_sources_fr(self) -> str:
        return "Sources :\n" + "\n".join(f"  [{i}] {s.removeprefix('Source : ')}"
                                         for i, s in enumerate(self.published_view[1], 1))

    def published_reading_fr(self) -> str:
        from . import published_part as cmp

        return cmp.published_reading(self.params, self.published)

    @cached_property
    def map_figures(self) -> pd.DataFrame:
        return map_figures(self.published, self.params)

    def departement_map(self):
        return maps.departement_map(self.map_figures, self.params)

    def map_legend_fr(self) -> str:
        from . import published_part as cmp

        lines = [cmp.SELECTION_RULE_FR]
        sources = self.published_view[1]
        for _, r in self.map_figures.iterrows():
            prec = (r["qualificatif"] + " ") if r["qualificatif"] else ""
            lines.append(f"  {r['code']} {r['territoire']} : {prec}{cmp.fmt_value(r['valeur'])} {r['unite']} "
                         f"({r['annee_affichee']}) [source {sources.index(r['source']) + 1}]")
        if self.map_figures.empty:
            lines.append(f"  Aucun chiffre publié d'emploi dans l'ESS par département pour la région "
                         f"{self.params.region_name} : carte sans valeur (gris).")
        return "\n".join(lines)

    # ------------------------------------------------------------------ Part 2 (establishments)
    @cached_property
    def data(self):
        return establishments.load(self.params, seed=self.seed)

    @property
    def provenance(self) -> Provenance:
        """Provenance of the establishment-level results (demo or real)."""
        return self.data.provenance

    @property
    def missing(self) -> tuple:
        """Inputs absent from the fetch cache (``source="fetched"``): part 2 is then not computed."""
        return self.params.missing

    @cached_property
    def legal_units(self):
        """The fetched legal units (national, no geography) when the establishments are missing, else None."""
        return missing_part.legal_units(self.params) if self.missing else None

    @property
    def report_provenance(self) -> Provenance:
        """Provenance of the whole report: published figures (real) + establishment data."""
        return combine(Provenance.real("chiffres publiés (data/reference/published_figures.csv)"), self.provenance)

    @property
    def source(self) -> str:
        return self.provenance.source_fr

    @cached_property
    def totals(self) -> dict:
        return composition.totals(self.data.data)

    @cached_property
    def reference(self) -> dict:
        """Reference share of ESS in employer establishments: ``value`` (%), ``label``, ``nature``, ``note``."""
        from . import published_part as cmp

        p = self.params
        if p.reference == "peers":
            peers = establishments.load_peers(p, seed=self.seed)
            tot = composition.totals(peers.data)
            names = pd.Series(geography_names(p.cog)).reindex(list(p.peers))
            return {"value": tot["ess_share_establishments_pct"], "label": "départements pairs ("
                    + ", ".join(f"{n} ({c})" for c, n in names.items()) + ")",
                    "nature": NATURE["demo" if peers.provenance.is_demo else "real"],
                    "note": PEER_RULE_FR, "employees": tot["ess_share_employees_pct"], "provenance": peers.provenance}
        code, label, note = (p.region, p.region_name, "") if p.reference == "region" else ("FR", "France", "")
        # like with like first: the share of private employer establishments (what SIRENE gives here)
        shares = ["ess_share_private_establishments_pct", "ess_share_establishments_pct"]
        row = cmp.latest(self.published, code, shares)
        if row is None and p.reference == "region":
            note = (f"Aucune part de l'ESS dans les établissements n'est publiée pour la région {p.region_name} "
                    "dans la table des chiffres publiés : la référence est la France.")
            code, label = "FR", "France"
            row = cmp.latest(self.published, code, shares)
        if row is not None and row["indicator"] != shares[0]:
            of = str(row.get("part_de") or "").strip() or "établissements (dénominateur non précisé)"
            note = (note + " " if note else "") + (
                f"Définitions différentes : la part publiée de la référence porte sur « {of} », la part calculée "
                "ici sur les établissements employeurs privés ; le quotient de localisation est indicatif.")
        if row is None:
            return {"value": None, "label": label, "nature": "publié", "note": note + " Aucune part de référence "
                    "publiée : quotient de localisation non calculé.", "provenance": Provenance.real()}
        return {"value": float(row["valeur"]), "label": f"{label} ({row['annee_affichee']})",
                "nature": "publié", "note": note, "source": row["source"],
                "provenance": Provenance.real(row["source"].removeprefix("Source : "))}

    @cached_property
    def summary(self) -> pd.DataFrame:
        ref = self.reference
        shares = {"ess_share_establishments_pct": ref["value"]} if ref.get("value") is not None else None
        return composition.unit_summary(self.data.data, self.params, reference=shares)

    @cached_property
    def concentration(self) -> dict:
        return composition.concentration(self.summary, k=2)

    @cached_property
    def families(self) -> pd.DataFrame:
        return composition.family_composition(self.data.data, self.params)

    @cached_property
    def sections(self) -> pd.DataFrame:
        return composition.section_composition(self.data.data)

    def summary_view(self) -> tuple[pd.DataFrame, dict]:
        """French view of :attr:`summary` (first column = unit name) and its decimals per column."""
        cols = {"name": LEVEL_HEADERS[self.params.level], **SUMMARY_COLUMNS}
        view = self.summary[[c for c in cols if c in self.summary.columns]].rename(columns=cols)
        view = view.reset_index(drop=True)
        view["Salariés ESS (est.)"] = view["Salariés ESS (est.)"].astype("float64").round(0)
        view["Rang"] = view["Rang"].astype("int64")
        digits = {c: (2 if "Quotient" in c else (0 if c.startswith(("Étab. employeurs", "Salariés ESS (est"))
                                                   else 1)) for c in view.columns[1:]}
        return view, digits

    def calibration_fr(self) -> str:
        """Where the establishment data come from (and, for demo data, on which published figures they are calibrated)."""
        if self.params.data_kind != "demo":
            return f"Données par établissement : {self.source}."
        return (f"Données par établissement : {self.source}. Elles ne décrivent pas le territoire : elles servent "
                "à montrer la méthode ; avec les fichiers SIRENE réels (paramètre source), les mêmes calculs "
                "décrivent le territoire.")

    def reading_fr(self) -> str:
        return reading.part2_reading(self.params, self.summary, self.families, self.concentration, self.totals,
                                     self.reference)

    # ------------------------------------------------------------------ charts and maps
    def ranked_bars(self):
        return charts.ranked_bars(self.summary, self.params, self.provenance, self.source, self.reference)

    def family_chart(self):
        return charts.family_chart(self.families, self.params, self.provenance, self.source)

    def scatter(self):
        return charts.share_density_scatter(self.summary, self.params, self.provenance, self.source)

    def maps(self):
        """Unit maps from real contours: yields figures, or French messages where a level has no contour."""
        p = self.params
        if self.missing:
            yield (f"Cartes des salariés de l'ESS par {p.level_label} non produites : "
                   + " ; ".join(m.text_fr for m in self.missing) + ".")
            return
        message = contours.missing_message(p.contours)
        if message:
            yield message
            return
        levels = [p.level] if p.level == "departement" else [p.level, "commune"]
        if p.level in ("arrondissement", "commune"):
            levels = [p.level]
        for level in levels:
            params = replace(p, level=level)
            units = geography.commune_units(params)
            shapes = contours.unit_shapes(params, units, level)
            label = params.level_label
            if shapes is None or not shapes.polygons:
                yield (f"Pas de contour pour le niveau « {label} » de {p.departement_name} dans « {p.contours} » : "
                       f"carte non produite. Pour en {contours.FETCH_HINT}.")
                continue
            summ = self.summary if level == p.level else composition.unit_summary(
                establishments.with_units(self.data.data, params), params)
            names = summ["name"]
            fig = maps.choropleth(
                shapes, summ["ess_employees_per_1000"], names, max_labels=14 if len(summ) <= 20 else 8,
                title=f"{p.departement_name} — salariés de l'ESS pour 1 000 habitants par {label}",
                label="Salariés de l'ESS pour 1 000 habitants", provenance=self.provenance, source=self.source)
            for note in shapes.notes:
                fig.text(0.01, 0.035, "Contours harmonisés : " + note, fontsize=6.5, color="#555555")
            yield fig

    # ------------------------------------------------------------------ notebook sections (part 2)
    def show_establishments(self) -> None:
        """Source line, summary table by territory and ranked bars; or what is missing and the legal units read."""
        import matplotlib.pyplot as plt

        if self.missing:
            for m in self.missing:
                say(m.text_fr, self.provenance)
            units = self.legal_units
            if units is not None and units.data is not None:
                say(missing_part.units_sentence(units.data), units.provenance)
                show_table(missing_part.family_table(units.data), units.provenance, source=units.provenance.source_fr,
                           digits=0, uuid="unites_legales")
            elif units is not None:
                for note in units.notes:
                    say(note, units.provenance)
            return
        say(self.calibration_fr(), self.provenance)
        view, digits = self.summary_view()
        show_table(view, self.provenance, digits=digits, uuid="territoires")
        self.ranked_bars()
        plt.show()

    def show_composition(self) -> None:
        """ESS families and activity sections of the département's establishments (or why not)."""
        import matplotlib.pyplot as plt

        if self.missing:
            say("Familles, secteurs d'activité et densité par territoire non calculés : fichier des établissements "
                "SIRENE manquant (voir ci-dessus).", self.provenance)
            return
        show_table(self.families, self.provenance, digits=1, uuid="familles")
        self.family_chart()
        plt.show()
        self.scatter()
        plt.show()
        show_table(self.sections, self.provenance, digits=1, uuid="sections")

    def show_maps(self) -> None:
        """The unit maps, or the French message of each map not produced."""
        import matplotlib.pyplot as plt

        for item in self.maps():
            print(item) if isinstance(item, str) else plt.show()

    def show_reading(self) -> None:
        if self.missing:
            for it in missing_part.synthesis_items(self.missing, self.legal_units):
                say(it["text"], self.provenance)
            say("Ce qui reste établi : les chiffres publiés de la partie 1 (tels que publiés).", self.provenance)
            return
        say(self.reading_fr(), self.provenance)

    def show_results(self) -> None:
        """Save the results JSON and print its headline lines (demo ones marked)."""
        from .. import results

        payload = self.payload()
        results.save("01_territorial_comparison", payload, run=self.params.departement)
        for line, provenance in self.headline_lines(payload):
            say(line, provenance)

    # ------------------------------------------------------------------ synthesis and results
    def synthesis(self) -> list[dict]:
        """Key findings in French, each with its nature ("publié", "calculé sur données réelles",
        "démonstration") and its source."""
        from . import published_part as cmp

        p, items = self.params, []
        pub = cmp.latest(self.published, p.departement, ["ess_establishments_employer", "ess_establishments"])
        jobs = cmp.latest(self.published, p.departement, ["ess_jobs", "ess_employees"])
        for row in (pub, jobs):
            if row is not None:
                q = (row["qualificatif"] + " ") if row["qualificatif"] else ""
                items.append({"text": f"{p.departement_name} — {row['indicateur']} : {q}{cmp.fmt_value(row['valeur'])} "
                                      f"{row['unite']} ({row['annee_affichee']}, chiffre publié).",
                              "nature": "publié", "source": row["source"].removeprefix("Source : ")})
        if pub is None and jobs is None:
            items.append({"text": f"Aucun chiffre publié sur l'ESS n'est recensé pour {p.departement_name} dans la "
                                  "table des chiffres publiés.", "nature": "publié",
                          "source": "data/reference/published_figures.csv"})
        if self.missing:
            return items + missing_part.synthesis_items(self.missing, self.legal_units)
        nature = NATURE["demo" if self.provenance.is_demo else "real"]
        t = self.totals
        items.append({"text": f"Fichier SIRENE : {fmt_number(t['ess_establishments'], 0)} établissements employeurs "
                              f"de l'ESS, soit {fmt_number(t['ess_share_establishments_pct'], 1)} % des établissements "
                              f"employeurs privés, et environ {fmt_number(t['ess_employees'], 0)} salariés.",
                      "nature": nature, "source": self.source})
        c = self.concentration
        if p.level != "departement" and c["n_units"] > 1:
            items.append({"text": f"Les deux premiers territoires ({p.level_label}) — {' et '.join(c['top_units'])} — "
                                  f"regroupent {fmt_number(c['top_k_share_pct'], 1)} % des établissements employeurs "
                                  f"de l'ESS ({c['n_units']} territoires).", "nature": nature, "source": self.source})
        ref = self.reference
        if ref.get("value") is not None:
            lq = t["ess_share_establishments_pct"] / ref["value"]
            items.append({"text": f"Quotient de localisation {fmt_number(lq, 2)} par rapport à la référence "
                                  f"{ref['label']} ({fmt_number(ref['value'], 1)} %, {ref['nature']}).",
                          "nature": nature, "source": self.source + " ; référence : " + ref["nature"]})
        return items

    def synthesis_table(self) -> pd.DataFrame:
        return pd.DataFrame([{"Constat": i["text"], "Nature": i["nature"], "Source": i["source"]}
                             for i in self.synthesis()])

    def payload(self) -> dict:
        """Results JSON: ``comparison.results_payload`` + provenance sources, parameters and synthesis."""
        from . import published_part as cmp

        if self.missing:
            p = self.params
            return {"data_kind": "real", "source": "chiffres publiés (partie 1)",
                    "sources": list(self.report_provenance.sources),
                    "parameters": {"departement": p.departement, "level": p.level, "reference": p.reference,
                                   "year": p.year, "source": p.source, "cog": p.cog},
                    "units": [], "headline": cmp.published_headlines(p, self.published),
                    "synthesis": self.synthesis(), "missing": [m.text_fr for m in self.missing],
                    "legal_units": (len(self.legal_units.data) if self.legal_units is not None
                                    and self.legal_units.data is not None else None)}
        payload = cmp.results_payload(self.params, self.published, self.summary, self.concentration, self.source)
        payload.update(self.report_provenance.to_dict())
        payload["parameters"].update({"level": self.params.level, "requested_level": self.params.requested_level,
                                      "reference": self.params.reference, "peers": list(self.params.peers)})
        payload["synthesis"] = self.synthesis()
        return payload

    def headline_lines(self, payload: dict) -> list[tuple[str, Provenance]]:
        """Lines of ``comparison.headline_text`` with the provenance each must be printed with."""
        from . import published_part as cmp

        return [(line, self.provenance if "(démonstration" in line else Provenance.real())
                for line in cmp.headline_text(payload).split("\n")]

    def header_fr(self) -> str:
        p = self.params
        auto = " (automatique)" if p.requested_level == "auto" else ""
        return (f"Département : {p.departement_name} ({p.departement}) · région : {p.region_name} · niveau : "
                f"{p.level_label}{auto} · référence : {p.reference_label} · année : {p.year}")


def geography_names(cog: int) -> dict[str, str]:
    from .. import territory

    return dict(zip(territory.departements(cog)["code"], territory.departements(cog)["name"]))


def build(departement="93", level="auto", reference="region", year=2024, source="demo", contours=None,
          cog: int = 2026, seed: int = 2026) -> TerritorialReport:
    """Validate the parameters (before any work) and return the report back-end."""
    return TerritorialReport(check_parameters(departement, level, reference, year, source, cog=cog,
                                              contours=contours), seed=seed)
