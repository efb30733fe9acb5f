"""Back-end of notebook ``02_employment_trends``: data, models, tables, charts, synthesis and results JSON.

:func:`build` runs the whole analysis for one département and returns a :class:`TrendReport`
whose ``show_*`` methods display each section (French tables through
:func:`esstools.display.show_table`, charts titled and sourced, every printed line with a number
through :func:`esstools.display.say`, so demo numbers carry the demo mark), :meth:`TrendReport.synthesis_md`
the opening synthesis and :meth:`TrendReport.save` the results file read by the assessment.
"""

from __future__ import annotations

from functools import cached_property

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import results
from ..display import fmt_interval, fmt_number, headline, say, show_table
from ..errors import ParameterError, check_choice
from ..sources.employment import REFERENCES, employment_series, published_only
from . import plots, validation
from .compare import growth_gap, shift_share
from .model import MODEL_LABELS_FR, analyse_trend
from .partial import PartialTrendReport

NOTEBOOK = "02_employment_trends"
VALIDATION_REPS = 500
VALIDATION_SEED = 20_250_613
DGP_LABELS_FR = {
    "iid": "bruit blanc autour d'une tendance",
    "ar1": "écarts AR(1), ρ = 0,5 par an",
    "ar1-strong": "écarts AR(1), ρ = 0,8 par an",
    "rw": "marche aléatoire avec dérive",
    "rw-break": "marche aléatoire, dérive +2 points à la date testée",
}

METHODS_MD = """\
**Méthodes (et pourquoi).** Les séries d'emploi sont **persistantes** : leurs écarts à une tendance vont
du bruit blanc à la marche aléatoire, et une régression de tendance à erreurs indépendantes donne des
intervalles beaucoup trop étroits (couverture de 51 % au lieu de 95 % pour une marche aléatoire). On
traite donc la série comme possiblement **non stationnaire en différence** :

- **croissance annuelle moyenne** = moyenne des taux de croissance Δlog (emploi), c'est-à-dire le taux de
  croissance annuel moyen de la période, sans biais que la série soit une tendance bruitée ou une marche
  aléatoire (Hamilton 1994, ch. 15-17) ;
- **intervalles et tests à valeurs critiques calibrées** : la statistique est comparée à une valeur
  critique qui dépend de la persistance estimée (coefficient de Dickey-Fuller avec tendance), calibrée
  par simulation (bootstrap paramétrique sous une famille d'hypothèses nulles ajustées, du bruit blanc
  autour d'une tendance à la marche aléatoire avec dérive) pour que la couverture et le niveau soient
  tenus **quelle que soit la persistance**, et pas seulement pour une valeur estimée (invariance :
  Andrews 1993 ; valeurs critiques dépendant des données : McCloskey 2017 ; niveau d'un intervalle de
  prévision calibré : Beran 1987) ;
- **rupture à date connue** : test du changement de croissance moyenne à la date choisie, sur les taux de
  croissance ; **à date inconnue** : plus grande statistique sur les dates candidates (15 % exclus à
  chaque bout ; Andrews 1993), valeur critique calibrée de même ;
- **projections** : marche aléatoire avec dérive (croissance moyenne prolongée) et dérive d'après la
  rupture ; intervalles qui s'élargissent avec l'horizon et incluent l'incertitude sur la dérive
  (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3e éd., § 5.5 et ch. 9). **Aucun
  pré-test** : la projection retenue est la **moyenne à poids fixés à l'avance (½–½)** des deux
  modèles, un mélange de leurs lois de prévision dont le niveau de probabilité est calibré ; sa
  couverture est mesurée ci-dessous et dans `benchmarks/RESULTS.md`.

Limites : la famille calibrée ne contient pas de taux de croissance eux-mêmes autocorrélés (élan) ;
avec une autocorrélation de 0,5 la couverture de l'intervalle de croissance tombe vers 85 % (voir
`benchmarks/RESULTS.md`). Une projection prolonge le passé : elle ne prévoit ni choc ni changement de
politique.
"""


def _range(values) -> str:
    """'78,0–82,4' (percent) of a list of shares."""
    return f"{fmt_number(100 * min(values), 1)}–{fmt_number(100 * max(values), 1)}"


def _nature(prov) -> str:
    return "démonstration" if prov.is_demo else "calculé sur données réelles"


class TrendReport:
    """Everything notebook 02 shows, for one département (see :func:`build`)."""

    def __init__(self, sourced, params: dict, validation_reps: int = VALIDATION_REPS):
        self.sourced = sourced
        self.data = sourced.data
        self.provenance = sourced.provenance
        self.params = params
        self.validation_reps = validation_reps
        d = self.data
        kw = dict(break_year=params["break_year"], horizon=params["horizon"], provenance=self.provenance)
        self.analysis = analyse_trend(d.series, name=d.label, **kw)
        self.reference_analysis = analyse_trend(d.reference, name=d.reference_label, **kw)
        self.gap = growth_gap(d.series, d.reference, name=d.label, reference_name=d.reference_label, **kw)
        self.projection = self.analysis.projection()

    # ------------------------------------------------------------------ labels
    @property
    def source(self) -> str:
        return self.provenance.source_fr

    @property
    def period(self) -> str:
        lab = self.analysis.data.labels
        return f"{lab[0]}-{lab[-1]}"

    @property
    def horizon_label(self) -> str:
        return str(self.projection.frames[self.projection.retained].index[-1]).replace("Q", "T")

    @property
    def _key(self) -> str:
        """Stable part of the HTML ids of this report's tables (parameters, not data: ids do not move with noise)."""
        p = self.params
        return f"{p['departement']}_{p['frequency']}_{p['horizon']}"

    def _say(self, text: str) -> None:
        say(text, self.provenance)

    # ------------------------------------------------------------------ synthesis
    def synthesis(self) -> list[dict]:
        """Key findings: French sentence, nature (publié / calculé sur données réelles / démonstration), source."""
        a, d, nat, src = self.analysis, self.data, _nature(self.provenance), self.source
        g = a.growth
        verb = "a crû" if g.value >= 0 else "a évolué"
        items = [{"text": (f"{d.label} : l'emploi salarié de l'ESS {verb} en moyenne de {fmt_number(g.value, 2, True)} % "
                           f"par an sur {self.period} (intervalle à 95 % : {fmt_interval(g.lower, g.upper, 2, True)})."),
                  "nature": nat, "source": src}]
        if a.has_break_model:
            bk = a.break_known
            verdict = "se confirme" if bk.rejected else "n'est pas établie"
            items.append({"text": (f"Une rupture de rythme en {a.break_label} {verdict} ({bk.pvalue_text}) : croissance "
                                   f"moyenne de {fmt_number(a.growth_before, 2, True)} % par an avant, "
                                   f"{fmt_number(a.growth_after.value, 2, True)} % depuis."),
                          "nature": nat, "source": src})
        p = self.projection.at(self.projection.frames[self.projection.retained].index[-1])
        items.append({"text": (f"Projection {self.horizon_label} ({'moyenne ½–½ fixée à l’avance des modèles sans et avec rupture' if a.has_break_model else 'croissance moyenne prolongée'}) : "
                               f"{fmt_number(p['value'], 0)} salariés (80 % : {fmt_interval(*p['ci80'], 0)} ; "
                               f"95 % : {fmt_interval(*p['ci95'], 0)}), contre {fmt_number(float(d.series.iloc[-1]), 0)} "
                               f"en {a.data.labels[-1]}."),
                      "nature": nat, "source": src})
        lo, hi = self.gap.conf_int()
        items.append({"text": (f"Écart de croissance avec {d.reference_label} : {fmt_number(self.gap.value, 2, True)} point "
                               f"de % par an (intervalle à 95 % : {fmt_interval(lo, hi, 2, True)})."),
                      "nature": nat, "source": src})
        pub = self.data.published
        own = pub[pub["territoire"] == f"département {d.departement}"] if not pub.empty else pub
        for _, row in own.iterrows():
            items.append({"text": (f"Chiffre publié ({row['territoire']}) : {row['chiffre publié']} — "
                                   + ("la série de démonstration est calibrée sur ce chiffre, elle ne peut pas le confirmer."
                                      if self.provenance.is_demo else "comparé à la série dans le tableau des chiffres publiés.")),
                          "nature": "publié", "source": row["source"]})
        if len(pub) > len(own):
            items.append({"text": (f"{len(pub) - len(own)} chiffre(s) publié(s) sur {d.reference_label} : voir le tableau "
                                   "des chiffres publiés" + (" (la démonstration est calibrée dessus)." if self.provenance.is_demo
                                                             else ".")),
                          "nature": "publié", "source": "data/employment/published_points.csv"})
        return items

    def synthesis_md(self) -> str:
        """The opening "Synthèse" (Markdown): key findings, each with its nature and source."""
        head = f"## Synthèse — {self.data.label}, référence {self.data.reference_label}\n\n"
        if self.provenance.is_demo:
            head += (f"**⚠ {self.provenance.mark_fr}** : les chiffres calculés ci-dessous illustrent la méthode ; "
                     f"ils ne décrivent pas l'emploi réel de l'ESS.\n\n")
        lines = [f"- {it['text']} *({it['nature']} ; source : {it['source']})*" for it in self.synthesis()]
        return head + "\n".join(lines)

    # ------------------------------------------------------------------ sections
    def show_data(self) -> None:
        """Series, frequency given by the source, notes on the data, indexed chart."""
        d, a = self.data, self.analysis
        self._say(f"{d.label} : {a.nobs} observations ({self.period}), dernier niveau "
                  f"{fmt_number(float(d.series.iloc[-1]), 0)} salariés.")
        ref = self.reference_analysis
        self._say(f"Référence {d.reference_label} : dernier niveau {fmt_number(float(d.reference.iloc[-1]), 0)} "
                  f"salariés ({ref.data.labels[-1]}).")
        for note in self.sourced.notes:
            self._say(note)
        base = d.series.index[0]
        plots.plot_indexed({d.label: d.series, d.reference_label: d.reference}, base, self.provenance,
                           f"Emploi salarié de l'ESS, {d.label} et {d.reference_label} (base 100)", self.source)
        plt.show()

    def published_table(self) -> pd.DataFrame:
        return self.data.published.drop(columns=["figure_id"], errors="ignore")

    def show_published(self) -> None:
        tab = self.published_table()
        if tab.empty:
            self._say(f"Aucun chiffre publié sur l'emploi salarié de l'ESS de ces territoires ({self.data.label}, "
                      f"{self.data.reference_label}) n'est recensé dans data/employment/published_points.csv.")
            return
        show_table(tab, self.provenance, source="data/employment/published_points.csv (sources par ligne)",
                   digits={"valeur publiée": None, "valeur de la série": None}, uuid=f"t02_published_{self._key}")

    def growth_table(self) -> pd.DataFrame:
        a, r = self.analysis, self.reference_analysis
        rows = [{"grandeur": f"croissance annuelle moyenne, {a.name}", "estimation": a.growth.value,
                 "IC 95 % bas": a.growth.lower, "IC 95 % haut": a.growth.upper, "unité": "% par an"},
                {"grandeur": f"croissance annuelle moyenne, {r.name}", "estimation": r.growth.value,
                 "IC 95 % bas": r.growth.lower, "IC 95 % haut": r.growth.upper, "unité": "% par an"}]
        if a.has_break_model:
            rows.append({"grandeur": f"croissance moyenne avant {a.break_label}, {a.name}", "estimation": a.growth_before,
                         "IC 95 % bas": np.nan, "IC 95 % haut": np.nan, "unité": "% par an"})
            rows.append({"grandeur": f"croissance moyenne depuis {a.break_label}, {a.name}",
                         "estimation": a.growth_after.value, "IC 95 % bas": a.growth_after.lower,
                         "IC 95 % haut": a.growth_after.upper, "unité": "% par an"})
        lo, hi = self.gap.conf_int()
        rows.append({"grandeur": "écart territoire − référence", "estimation": self.gap.value, "IC 95 % bas": lo,
                     "IC 95 % haut": hi, "unité": "points de % par an"})
        return pd.DataFrame(rows)

    def persistence_table(self) -> pd.DataFrame:
        p = self.analysis.persistence
        return pd.DataFrame([
            {"diagnostic": "Durbin-Watson des résidus d'une tendance log-linéaire (MCO)",
             "valeur": p["durbin_watson_loglinear"],
             "lecture": "loin de 2 : résidus autocorrélés, une régression à erreurs indépendantes serait trompeuse",
             "prise en compte": "oui : valeurs critiques calibrées pour cette persistance"},
            {"diagnostic": "coefficient de Dickey-Fuller avec tendance (persistance estimée)", "valeur": p["df_rho"],
             "lecture": "proche de 1 : marche aléatoire ; proche de 0 : bruit autour d'une tendance",
             "prise en compte": "oui : c'est la statistique dont dépendent les valeurs critiques"},
            {"diagnostic": "autocorrélation d'ordre 1 des taux de croissance", "valeur": p["growth_autocorr"],
             "lecture": "négative : retour vers la tendance ; positive : élan des taux de croissance",
             "prise en compte": "en partie : la famille calibrée ne contient pas d'élan (voir les limites)"},
        ])

    def show_growth(self) -> None:
        show_table(self.growth_table(), self.provenance, source=self.source,
                   digits={"estimation": (2, True), "IC 95 % bas": (2, True), "IC 95 % haut": (2, True)},
                   uuid=f"t02_growth_{self._key}")
        show_table(self.persistence_table(), self.provenance, source=self.source, digits={"valeur": (2, False)},
                   uuid=f"t02_persistence_{self._key}")
        a = self.analysis
        gr = 100 * np.expm1(np.diff(np.log(self.data.series.to_numpy())))
        s = pd.Series(gr, index=self.data.series.index[1:])
        ppy = a.data.periods_per_year
        before = 100 * np.expm1(np.log1p(a.growth_before / 100) / ppy) if a.has_break_model else float("nan")
        after = 100 * np.expm1(np.log1p(a.growth_after.value / 100) / ppy) if a.has_break_model else None
        plots.plot_growth_rates(s, before, after, a.break_label, self.provenance, ppy,
                                f"Taux de croissance de l'emploi salarié de l'ESS, {self.data.label}", self.source)
        plt.show()

    def break_table(self) -> pd.DataFrame:
        a = self.analysis
        rows = []
        if a.has_break_model:
            b = a.break_known
            rows.append({"test": f"changement de croissance moyenne en {b.date} (date choisie)",
                         "statistique |t|": abs(b.statistic), "p-value": b.pvalue_text,
                         "décision à 5 %": "rupture" if b.rejected else "pas de rupture établie"})
        if a.break_unknown is not None:
            b = a.break_unknown
            rows.append({"test": f"rupture à date inconnue (date la plus marquée : {b.date})",
                         "statistique |t|": b.statistic, "p-value": b.pvalue_text,
                         "décision à 5 %": "rupture" if b.rejected else "pas de rupture établie"})
        return pd.DataFrame(rows)

    def show_breaks(self) -> None:
        tab = self.break_table()
        if tab.empty:
            self._say(f"Série trop courte pour tester une rupture ({self.analysis.nobs} observations).")
            return
        show_table(tab, self.provenance, source=self.source, digits={"statistique |t|": (2, False)},
                   uuid=f"t02_breaks_{self._key}")

    def projection_table(self) -> pd.DataFrame:
        return self.projection.to_frame(self.projection.frames[self.projection.retained].index[-1])

    def show_projection(self) -> None:
        a = self.analysis
        show_table(self.projection_table(), self.provenance, source=self.source, digits=0,
                   uuid=f"t02_projection_{self._key}")
        p = self.projection.at(self.projection.frames[self.projection.retained].index[-1])
        how = ("moyenne ½–½, fixée à l'avance, des projections sans et avec rupture" if a.has_break_model
               else "croissance moyenne prolongée")
        self._say(f"Projection retenue {self.horizon_label} : {fmt_number(p['value'], 0)} salariés ; intervalle à 80 % "
                  f"{fmt_interval(*p['ci80'], 0)} ; à 95 % {fmt_interval(*p['ci95'], 0)} ({how}).")
        plots.plot_fan(a.data.to_series(), self.projection, self.provenance,
                       f"Projection de l'emploi salarié de l'ESS, {self.data.label}, à {self.horizon_label}", self.source)
        plt.show()

    @cached_property
    def shift_share(self):
        d = self.data
        if d.families is None or d.reference_families is None:
            return None
        years = [y for y in d.families.index if y in d.reference_families.index]
        y0, y1 = max(years[0], int(self.params.get("start_year") or years[0])), \
            min(years[-1], int(self.params.get("end_year") or years[-1]))
        return shift_share(d.families, d.reference_families, y0, y1, name=d.label, reference_name=d.reference_label,
                           provenance=self.provenance)

    def show_reference(self) -> None:
        ss = self.shift_share
        if ss is None:
            self._say("Décomposition par famille indisponible : la source ne donne pas l'emploi par famille de l'ESS.")
            return
        show_table(ss.to_frame(), self.provenance, source=self.source,
                   digits={"emplois": (0, True), "% de l'emploi initial": (1, True)}, uuid=f"t02_shiftshare_{self._key}")

    @cached_property
    def validation(self) -> pd.DataFrame:
        """Coverage and size/power on simulated series of this report's design (seeded, quick)."""
        design = self.analysis.design
        if design.npost is None:
            return pd.DataFrame()
        rows = []
        for dgp, label in DGP_LABELS_FR.items():
            r = validation.run_design(dgp, design.n, design.freq, reps=self.validation_reps, seed=VALIDATION_SEED,
                                      design=design)
            fc = r["forecast"]["retained"]
            rows.append({"processus simulé": label,
                         "couverture IC 95 % de la croissance": 100 * r["growth_ci95_coverage"],
                         "rejet test date connue (%)": 100 * r["break_test_known_date"]["rate"],
                         "rejet test date inconnue (%)": 100 * r["break_test_unknown_date"]["rate"],
                         "couverture IC 80 % projection (min–max sur h)": _range(fc["coverage_80"]),
                         "couverture IC 95 % projection (min–max sur h)": _range(fc["coverage_95"])})
        return pd.DataFrame(rows)

    def show_validation(self) -> None:
        tab = self.validation
        if tab.empty:
            self._say("Pas de validation : la série ne permet pas de modèle avec rupture.")
            return
        d = self.analysis.design
        show_table(tab, "real", source=(f"simulations esstools ({self.validation_reps} séries par processus, graine "
                                        f"{VALIDATION_SEED}, {d.n} observations, fréquence {'annuelle' if d.freq == 'A' else 'trimestrielle'})"),
                   digits=1, uuid=f"t02_validation_{self._key}")
        say(f"Lecture : les taux de rejet de la ligne « {DGP_LABELS_FR['rw-break']} » sont des puissances (rupture "
            f"réelle de 2 points) ; ceux des autres lignes des niveaux (cible 5 %). Erreur de Monte-Carlo : environ "
            f"{fmt_number(100 * np.sqrt(0.05 * 0.95 / self.validation_reps), 1)} point à 95 %.", "real")

    # ------------------------------------------------------------------ results
    def payload(self) -> dict:
        a, d, prov = self.analysis, self.data, self.provenance
        g = a.growth
        last = a.data.labels[-1]
        last_period = self.projection.frames[self.projection.retained].index[-1]
        p = self.projection.at(last_period)
        lo, hi = self.gap.conf_int()
        weights = {"sans rupture": 0.5, "avec rupture": 0.5} if a.has_break_model else {"sans rupture": 1.0}
        head = {
            "annual_growth_pct": headline(
                g.value, "% par an", f"Croissance annuelle moyenne de l'emploi salarié ESS ({d.departement}, {self.period})",
                prov, ci95=[g.lower, g.upper], year=last,
                definition="moyenne des taux de croissance Δlog (taux annuel moyen) ; intervalle à valeurs critiques "
                           "calibrées pour la persistance de la série"),
            f"projection_{self.params['horizon']}": headline(
                p["value"], "salariés", f"Projection de l'emploi salarié ESS ({d.departement}) en {self.horizon_label}",
                prov, ci95=p["ci95"], ci80=[round(v) for v in p["ci80"]], year=self.horizon_label, digits=0,
                definition=MODEL_LABELS_FR[self.projection.retained], weights=weights),
            "growth_gap_pp": headline(
                self.gap.value, "points de % par an",
                f"Écart de croissance annuelle moyenne {d.departement} − {d.reference_label}", prov, ci95=[lo, hi],
                definition="croissance moyenne du rapport territoire / référence, convertie en points de %"),
        }
        if a.has_break_model:
            head["break_pvalue"] = headline(
                a.break_known.pvalue, "p-value", f"Test d'un changement de croissance moyenne en {a.break_label}",
                prov, definition="p-value calibrée ; 0,01 signifie ≤ 0,01 et 1 signifie > 0,5",
                pvalue_text=a.break_known.pvalue_text,
                unknown_date=a.break_unknown.date if a.break_unknown else None,
                unknown_date_pvalue=a.break_unknown.pvalue if a.break_unknown else None)
        return {
            **prov.to_dict(), "source": self.source,
            "parameters": {k: (v if k != "source" or v == "demo" else str(v).rsplit("/", 1)[-1])
                           for k, v in self.params.items()},
            "headline": head,
            "synthesis": self.synthesis(),
            "notes": list(self.sourced.notes),
            "validation": self.validation.round(2).to_dict(orient="records"),
        }

    def save(self, run: str | None = None):
        """Write the results JSON (``esstools.results.save``) and print where."""
        path = results.save(NOTEBOOK, self.payload(), run=run or self.data.departement)
        say(f"Résultats enregistrés : {path.name}", self.provenance)
        return path


def build(departement: str = "93", reference: str = "region", horizon: int = 2028, frequency: str = "A",
          source: str = "demo", start_year: int | None = None, end_year: int | None = None, break_year=2020,
          validation_reps: int = VALIDATION_REPS) -> TrendReport | PartialTrendReport:
    """Run the analysis of notebook 02 for ``departement`` (any of the 101; see :func:`esstools.sources.employment.employment_series`).

    ``reference``: "region" (its own région) or "FR"; ``horizon``: last year projected; ``frequency``:
    "A" or "Q" (quarterly only if the source gives quarters); ``source``: "demo", "fetched" (the export of
    ``esstools fetch urssaf-ess-departements``; absent: a :class:`~esstools.trends.partial.PartialTrendReport`
    says so) or a URSSAF export path; ``break_year``: date of the tested change of growth (None: no break model).
    """
    check_choice("frequency", frequency, ["A", "Q"])
    if str(reference) not in REFERENCES and not str(reference).isdigit():
        check_choice("reference", str(reference), REFERENCES)
    try:
        horizon = int(horizon)
    except (TypeError, ValueError):
        raise ParameterError(f"Invalid horizon {horizon!r}; expected a year such as 2028.") from None
    by = None if break_year in (None, "", "none") else int(break_year)
    params = {"departement": str(departement), "reference": str(reference), "horizon": horizon,
              "frequency": frequency, "source": str(source), "start_year": start_year, "end_year": end_year,
              "break_year": by}
    sourced = employment_series(str(departement), str(reference), str(source), frequency, start_year, end_year)
    if sourced.missing:
        return PartialTrendReport(sourced, published_only(str(departement), str(reference)), params)
    return TrendReport(sourced, params, validation_reps)
