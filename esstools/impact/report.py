"""Back-end of notebook 03 (SIAE impact): runs the analysis for one département and builds its tables,
figures, French reading, synthesis and results JSON.

:func:`run` reads the four inputs through :func:`esstools.sources.siae.siae_inputs` (demo by default,
real files when their paths are given), assembles the panel, fits every estimator once and runs the
power simulations with the demo generator handed over by :func:`esstools.sources.siae.power_simulator`.
The :class:`SiaeImpactReport` it returns shows each part (``show_*`` methods: tables through
:func:`esstools.display.show_table`, printed lines with a demo number through :func:`esstools.display.say`,
charts marked with :func:`esstools.provenance.mark_figure`) and saves the results JSON
(:meth:`SiaeImpactReport.save`: ``headline`` items built by :func:`esstools.display.headline` and the
``synthesis``). Estimators that the data cannot support (e.g. no kind with 5 exposed SIAE in a small
département) are reported as not estimable, with the reason, instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import results as results_io
from ..display import fmt_interval, fmt_number, fmt_percent, fmt_pvalue, headline, say, show_table
from ..errors import ParameterError
from ..provenance import Provenance
from ..sources.siae import power_simulator, siae_inputs
from . import figures
from .heterogeneity import by_kind, dose_response, table_with_truth_fr
from .panel import Assembly, assemble_sourced, cohort_summary
from .partial import PartialImpactReport
from .power import mde_grid, mde_table_fr
from .results import ImpactResult, compare
from .staggered import StaggeredResult, callaway_santanna
from .event_study import event_study
from .twfe import fit_fe, twfe_binary, twfe_revenue

NOTEBOOK = "03_siae_impact"
NATURE = {"real": "calculé sur données réelles", "demo": "démonstration", "mixed": "démonstration"}
RESERVED_LABEL = ("Chiffre d'affaires total associé à un euro de marché réservé (TWFE) — contrat, entraînement "
                  "et effet dynamique de l'attribution confondus")
RESERVED_DEFINITION = (
    "Coefficient des euros de marchés réservés dans la régression à effets fixes SIAE et année du chiffre "
    "d'affaires. Il additionne le contrat lui-même (1 €), les recettes hors contrat qu'il entraîne et l'effet "
    "dynamique de l'attribution (croissance des SIAE attributaires les années suivantes), que la régression attribue "
    "aux euros de marché : ce n'est pas le rendement du seul contrat.")


def _attempt(fn: Callable, *args, **kwargs) -> tuple[Any, str | None]:
    """(result, None), or (None, reason) when the data cannot support the estimator."""
    try:
        return fn(*args, **kwargs), None
    except ParameterError as exc:
        return None, str(exc)


@dataclass
class SiaeImpactReport:
    """Every result of the SIAE impact analysis for one département (built by :func:`run`)."""

    departement: str
    parameters: dict
    assembly: Assembly
    twfe: dict
    binary: ImpactResult
    event: ImpactResult
    cs: StaggeredResult
    cs_did: StaggeredResult
    kind: ImpactResult | None
    dose: ImpactResult | None
    mde: pd.DataFrame
    mde_provenance: Provenance
    demo: Any = None
    skipped: dict = field(default_factory=dict)
    source_notes: tuple = ()

    # ------------------------------------------------------------------ basics
    @property
    def provenance(self) -> Provenance:
        return self.assembly.provenance

    @property
    def panel(self) -> pd.DataFrame:
        return self.assembly.panel

    @property
    def source(self) -> str:
        """Short source line of tables and charts."""
        if self.provenance.is_demo:
            return "panel SIAE de démonstration (esstools.synth.siae_panel, relu par les chargeurs esstools) ; estimations esstools.impact"
        return "annuaire des SIAE, heures d'insertion, DECP, ratios financiers INPI-BCE ; estimations esstools.impact"

    @property
    def n_siae(self) -> int:
        return int(self.panel["siren"].nunique())

    @property
    def n_years(self) -> int:
        return int(self.panel["year"].nunique())

    # ------------------------------------------------------------------ derived numbers
    def reserved_estimand(self) -> float | None:
        """Demo only: what the TWFE reserved-market coefficient estimates under the demo's true effects
        (the same regression on the true causal component of revenue, contract + dynamic effect)."""
        if self.demo is None:
            return None
        tp = self.demo.truth_panel[["siren", "year", "true_effect_eur"]]
        p = self.panel.merge(tp, on=["siren", "year"], how="left")
        p = p[p["revenue_eur"].notna()]
        res = fit_fe(p, "true_effect_eur", ["hours_k", "reserved_market_eur"], provenance=self.provenance, wild=False)
        return float(res.params["reserved_market_eur"])

    def true_simple_att(self, cs: StaggeredResult | None = None) -> float | None:
        """Demo only: the true effect aggregated with the estimator's own weights."""
        if self.demo is None:
            return None
        cs = cs or self.cs
        tg = self.demo.truth["att_gt"].merge(cs.weights_simple, on=["cohort", "year"])
        return float((tg["att"] * tg["weight"]).sum())

    def mde_row(self) -> pd.Series:
        """MDE rows (by target) at the panel's own number of SIAE and years."""
        g = self.mde
        return g[(g["n_siae"] == self.n_siae) & (g["n_years"] == self.n_years)].set_index("target")

    @staticmethod
    def _ci(res: ImpactResult, term: str) -> tuple[float, float]:
        """95 % interval of ``term``: the wild bootstrap one when the estimate rests on fewer than 30 SIAE."""
        if res.wild is not None and term in res.wild.index:
            w = res.wild.loc[term]
            return float(w["ci_lower"]), float(w["ci_upper"])
        ci = res.conf_int().loc[term]
        return float(ci["lower"]), float(ci["upper"])

    @staticmethod
    def _ci_label(res: ImpactResult, term: str) -> str:
        if res.wild is not None and term in res.wild.index:
            return "IC 95 % bootstrap sauvage"
        return f"IC 95 % Student à {res.df_dist} ddl" if res.cov_type == "influence" and res.df_dist else "IC 95 %"

    # ------------------------------------------------------------------ synthesis
    def synthesis(self) -> list[dict]:
        """Key findings, each with its nature (publié / calculé sur données réelles / démonstration) and source."""
        prov, nat = self.provenance, NATURE[self.provenance.kind]
        items = []
        cal = getattr(self.demo, "calibration", None)
        if cal is not None and "publiées pour le département" in cal.rule_fr:
            items.append({"text": f"{cal.name} compte {cal.n_siae} structures d'insertion par l'activité économique (SIAE).",
                          "nature": "publié", "source": cal.sources_fr[0]})
        cs = self.cs.simple
        lo, hi = self._ci(cs, "att")
        att = (f"Après la première attribution d'un marché réservé, l'écart entre le chiffre d'affaires des SIAE "
               f"attributaires et leur trajectoire sans attribution est de {fmt_number(cs.params['att'] / 1e3, 0)} k€ par an "
               f"({self._ci_label(cs, 'att')} {fmt_interval(lo / 1e3, hi / 1e3, 0)} ; Callaway et Sant'Anna, "
               f"{self.n_siae} SIAE, {self.n_years} années)")
        if self.demo is not None:
            att += f" ; effet vrai injecté dans la démonstration : {fmt_number(self.true_simple_att() / 1e3, 0)} k€ par an"
        items.append({"text": att + ".", "nature": nat, "source": self.source})
        lev = self.twfe["level"]
        lo, hi = self._ci(lev, "reserved_market_eur")
        txt = (f"Un euro de marché réservé va de pair avec {fmt_number(lev.params['reserved_market_eur'], 2)} € de chiffre "
               f"d'affaires total ({self._ci_label(lev, 'reserved_market_eur')} {fmt_interval(lo, hi, 2)}) : ce coefficient mêle le contrat lui-même, "
               "l'entraînement et l'effet dynamique de l'attribution ; ce n'est pas le rendement du seul contrat")
        if self.demo is not None:
            txt += (f" (démonstration : {fmt_number(self.demo.truth['reserved_total_per_eur'], 2)} € pour le contrat et "
                    f"son entraînement, {fmt_number(self.reserved_estimand(), 2)} € visés par le coefficient)")
        items.append({"text": txt + ".", "nature": nat, "source": self.source})
        lo, hi = self._ci(lev, "hours_k")
        items.append({"text": f"1 000 heures d'insertion de plus vont de pair avec {fmt_number(lev.params['hours_k'] / 1e3, 1)} k€ "
                              f"de chiffre d'affaires ({self._ci_label(lev, 'hours_k')} {fmt_interval(lo / 1e3, hi / 1e3, 1)} ; "
                              "effets fixes SIAE et année).",
                      "nature": nat, "source": self.source})
        row = self.mde_row()
        if "att" in row.index:
            items.append({"text": f"Avec {self.n_siae} SIAE sur {self.n_years} ans, seul un effet de la première attribution "
                                  f"d'au moins {fmt_number(row.loc['att', 'mde'] / 1e3, 0)} k€ par an "
                                  f"({fmt_percent(row.loc['att', 'mde_pct_mean_revenue'], 1)} du chiffre d'affaires moyen) "
                                  "serait détecté 8 fois sur 10 (Callaway et Sant'Anna, risque 5 %) ; un effet plus petit "
                                  "peut passer inaperçu.", "nature": "démonstration",
                          "source": "simulations du générateur de démonstration esstools (" + self.parameters["power"] + ")"})
        return items

    def show_synthesis(self) -> None:
        """Print the key findings (demo ones carry the mark)."""
        for it in self.synthesis():
            prov = Provenance.real(it["source"]) if it["nature"] in ("publié", "calculé sur données réelles") else Provenance.demo(it["source"])
            say(f"• {it['text']} [{it['nature']} — source : {it['source']}]", prov)

    # ------------------------------------------------------------------ sections
    def show_data(self) -> None:
        """Data kind, panel size, notes, match report, 2024 volumes and adoption cohorts."""
        p, prov = self.panel, self.provenance
        say(f"Nature des données : {prov.label_fr}", prov)
        say(f"{self.n_siae} SIAE × {self.n_years} années = {fmt_number(len(p), 0)} SIAE-années", prov)
        for note in self.assembly.notes:
            say("· " + note, prov)
        show_table(self.assembly.match_report, prov, source="appariement esstools.impact.panel",
                   digits={"taux de correspondance (%)": 1}, uuid=f"t03_match_{self.departement}")
        y24 = p[p["year"] == 2024]
        if len(y24):
            say(f"2024 : {fmt_number(y24['insertion_hours'].sum(), 0)} heures d'insertion, "
                f"{fmt_number(y24['reserved_market_eur'].sum() / 1e6, 2)} M€ de marchés réservés", prov)
        coh = cohort_summary(p).T.reset_index(drop=True)
        show_table(coh.rename_axis(None, axis=1), prov, source="SIAE par année de première attribution d'un marché réservé",
                   digits=0)

    def show_description(self) -> None:
        self._figure(figures.description(self.panel, self.provenance, self.source))

    def show_twfe(self) -> None:
        """The three TWFE specifications and their reading (the € per € coefficient labelled for what it measures)."""
        prov, tw = self.provenance, self.twfe
        show_table(compare({"CA total (€)": tw["level"], "CA hors marchés réservés (€)": tw["excl"], "log CA": tw["log"]}),
                   prov, source=self.source)
        lev = tw["level"]
        lo, hi = self._ci(lev, "reserved_market_eur")
        say(f"€ de CA total par € de marché réservé (contrat + entraînement + effet dynamique de l'attribution) : "
            f"{fmt_number(lev.params['reserved_market_eur'], 2)} {fmt_interval(lo, hi, 2)}"
            + (" (bootstrap sauvage)" if self._ci_label(lev, "reserved_market_eur") != "IC 95 %" else ""), prov)
        say(f"Hors contrat, par € de marché réservé : {fmt_number(tw['excl'].params['reserved_market_eur'], 2)} €", prov)
        lo, hi = self._ci(lev, "hours_k")
        say(f"€ de CA pour 1 000 heures : {fmt_number(lev.params['hours_k'], 0)} {fmt_interval(lo, hi, 0)}"
            + (" (bootstrap sauvage)" if self._ci_label(lev, "hours_k") != "IC 95 %" else ""), prov)
        if self.demo is not None:
            t = self.demo.truth
            say(f"Vérité de la démonstration : {fmt_number(t['reserved_total_per_eur'], 2)} € par € de contrat (contrat et "
                f"entraînement seuls) ; {fmt_number(self.reserved_estimand(), 2)} € en comptant l'effet dynamique de "
                "l'attribution, que le coefficient absorbe ; "
                f"{fmt_number(t['effects']['hours_eur_per_1000h'], 0)} € pour 1 000 h avant multiplicateur par type", prov)

    def show_event_study(self) -> None:
        truth = self.demo.truth["att_event"].loc[:5] if self.demo is not None else None
        self._figure(figures.event_study_figure(self.event, self.cs, truth, self.provenance, self.source))
        pe, pc = self.event.pretrend_test(), self.cs.pretrend_test()
        say(f"Test joint de pré-tendance (TWFE) : F = {fmt_number(pe.stat, 2)}, p = {fmt_number(pe.pvalue, 2)}", self.provenance)
        say(f"Test joint de pré-tendance (Callaway–Sant'Anna) : chi² = {fmt_number(pc.stat, 2)}, "
            f"p = {fmt_number(pc.pvalue, 2)}", self.provenance)

    def staggered_table(self) -> pd.DataFrame:
        """TWFE vs Callaway–Sant'Anna (k€/an), with R did's sample and standard errors, and the demo's truth."""
        rows = []

        def add(name, res, term, truth=None):
            lo, hi = res.conf_int().loc[term]  # analytic; TWFE's wild interval (few SIAE) is printed below the table
            row = {"estimateur": name, "estimation (k€/an)": res.params[term] / 1e3,
                   "erreur type (k€)": res.std_errors[term] / 1e3, "IC 95 % bas": lo / 1e3, "IC 95 % haut": hi / 1e3,
                   "SIAE": res.n_units}
            if self.demo is not None:
                row["vrai effet (démo, k€/an)"] = truth / 1e3 if truth is not None else np.nan
            rows.append(row)

        add("TWFE statique", self.binary, "treated")
        add("Callaway–Sant'Anna (esstools : SIAE écartées des seules cellules manquantes, facteur petits échantillons)",
            self.cs.simple, "att", self.true_simple_att())
        add("Callaway–Sant'Anna (comme R did : panel cylindré, erreurs types sans facteur)", self.cs_did.simple, "att",
            self.true_simple_att(self.cs_did))
        return pd.DataFrame(rows)

    def show_staggered(self) -> None:
        prov = self.provenance
        tab = self.staggered_table()
        show_table(tab, prov, source=self.source, digits=1, uuid=f"t03_staggered_{self.departement}")  # id not from raw floats
        for r in tab.itertuples(index=False):
            say(f"{r[0]} : {fmt_number(r[1], 1)} k€/an {fmt_interval(r[3], r[4], 1)}", prov)
        if self.binary.wild is not None:
            lo, hi = self._ci(self.binary, "treated")
            say(f"TWFE statique, moins de 30 SIAE : intervalle bootstrap sauvage {fmt_interval(lo / 1e3, hi / 1e3, 1)} k€/an", prov)
        for note in self.cs.simple.notes:
            say("· Callaway–Sant'Anna : " + note, prov)

    def show_heterogeneity(self) -> None:
        prov = self.provenance
        if self.kind is None:
            say("Effets par type de SIAE non estimables : " + self.skipped["kind"], prov)
        else:
            truth = None
            if self.demo is not None:
                ef = self.demo.truth["effects"]
                truth = {n: ef["hours_eur_per_1000h"] * ef["hours_kind_multiplier"].get(n.split(":")[1], 1.0)
                         if n.startswith("hours_k") else 1 + ef["crowd_in"] for n in self.kind.params.index}
            show_table(table_with_truth_fr(self.kind, truth), prov, source=self.source)
            for n in self.kind.notes:
                say("· " + n, prov)
        if self.dose is None:
            say("Dose–réponse non estimable : " + self.skipped["dose"], prov)
        else:
            show_table(self.dose.table_display(), prov, source=self.source)

    def show_power(self) -> None:
        self._figure(figures.power_figure(self.mde, self.mde_provenance, "simulations du générateur de démonstration"))
        show_table(mde_table_fr(self.mde), self.mde_provenance,
                   source=f"simulation, {self.parameters['n_power_sims']} panels par case ({self.parameters['power']})")
        row = self.mde_row()
        say(f"{self.n_siae} SIAE sur {self.n_years} ans : effet minimal détectable de la 1re attribution ≈ "
            f"{fmt_number(row.loc['att', 'mde'] / 1e3, 0)} k€/an par Callaway–Sant'Anna, l'estimateur retenu "
            f"({fmt_number(row.loc['att_twfe', 'mde'] / 1e3, 0)} k€/an pour le TWFE statique) ; "
            f"{fmt_number(row.loc['reserved', 'mde'], 2)} € de CA par € de marché réservé ; "
            f"{fmt_number(row.loc['hours', 'mde'] / 1e3, 1)} k€ pour 1 000 heures", self.mde_provenance)

    def show_reading(self) -> None:
        """The French reading of the results (each line marked when demo)."""
        prov = self.provenance
        pe, pc = self.event.pretrend_test(), self.cs.pretrend_test()
        say("Lecture (données " + ("SYNTHÉTIQUES : les chiffres illustrent la méthode, pas les SIAE réelles)"
                                   if prov.is_demo else "réelles)"), prov)
        for it in self.synthesis()[-4:]:
            say("- " + it["text"], prov if it["nature"] != "publié" else Provenance.real(it["source"]))
        say(f"- Pré-tendances : p = {fmt_number(pe.pvalue, 2)} (TWFE), p = {fmt_number(pc.pvalue, 2)} (Callaway–Sant'Anna) ; "
            "elles ne prouvent pas les tendances parallèles.", prov)

    # ------------------------------------------------------------------ results JSON
    def payload(self) -> dict:
        prov = self.provenance
        lev, cs = self.twfe["level"], self.cs.simple
        row = self.mde_row()
        head = {
            "twfe_reserved_eur": headline(lev.params["reserved_market_eur"], "€ de CA par € de marché réservé", RESERVED_LABEL,
                                          prov, ci95=self._ci(lev, "reserved_market_eur"), definition=RESERVED_DEFINITION),
            "twfe_hours": headline(lev.params["hours_k"], "€ pour 1 000 heures",
                                   "Chiffre d'affaires associé à 1 000 heures d'insertion (TWFE)", prov,
                                   ci95=self._ci(lev, "hours_k")),
            "cs_att": headline(cs.params["att"], "€/an", "Effet moyen de la 1re attribution d'un marché réservé "
                               "(Callaway–Sant'Anna)", prov, ci95=self._ci(cs, "att")),
        }
        if "att" in row.index:
            head["mde_cs_att"] = headline(row.loc["att", "mde"], "€/an",
                                          f"Effet minimal détectable de la 1re attribution, {self.n_siae} SIAE sur "
                                          f"{self.n_years} ans (Callaway–Sant'Anna, 80 %, 5 %)", self.mde_provenance,
                                          definition="par simulation de l'estimateur retenu (esstools.impact.power)")
        return {**prov.to_dict(), "source": prov.source_fr, "parameters": self.parameters, "headline": head,
                "synthesis": self.synthesis()}

    def save(self) -> None:
        path = results_io.save(NOTEBOOK, self.payload(), run=self.departement)
        print("Résultats enregistrés :", path.name)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _figure(fig) -> None:
        import matplotlib.pyplot as plt
        from IPython.display import display

        display(fig)
        plt.close(fig)


def run(departement: str = "93", *, years: str = "2016-2025", seed: int = 0, effects: dict | None = None,
        n_power_sims: int = 40, directory=None, clause_hours=None, decp=None, financials=None,
        source: str = "demo") -> SiaeImpactReport | PartialImpactReport:
    """Read, assemble and estimate everything for ``departement`` (demo unless the four paths are given).

    ``source="fetched"``: the files of the ``esstools fetch`` cache (explicit paths replace them); when
    one is missing, a :class:`~esstools.impact.partial.PartialImpactReport` says what is missing and
    what the files read still show, and nothing is estimated.
    """
    departement = str(departement)
    src = siae_inputs(departement, years=years, seed=seed, effects=effects, directory=directory,
                      clause_hours=clause_hours, decp=decp, financials=financials, source=source)
    if src.missing:
        return PartialImpactReport(departement, {"departement": departement, "years": years, "source": source,
                                                 "demo": False}, src)
    asm = assemble_sourced(src, years=years, departement=departement)
    skipped = {}
    cs, _ = _attempt(callaway_santanna, asm, control_group="never")
    if cs is None:
        cs = callaway_santanna(asm, control_group="notyet")
        skipped["cs_never"] = "aucune SIAE jamais attributaire : contrôles « pas encore attributaires »."
    cs_did = callaway_santanna(asm, control_group=cs.control_group, small_sample=False, missing="units")
    kind, skipped["kind"] = _attempt(by_kind, asm)
    dose, skipped["dose"] = _attempt(dose_response, asm, knots=(2000, 5000))
    n = int(asm.panel["siren"].nunique())
    t = int(asm.panel["year"].nunique())
    simulator = power_simulator(departement)
    grid_n = sorted({max(10, round(n / 2)), n, 2 * n})
    grid_t = sorted({4, 6, 8, 10, t})
    mde = mde_grid(simulator, grid_n, grid_t, n_sims=n_power_sims, seed=seed)
    params = {"departement": departement, "years": years, "seed": seed, "effects": effects or {},
              "n_power_sims": n_power_sims, "demo": src.data.demo is not None, "power": simulator.description_fr}
    if source != "demo":
        params["source"] = source
    return SiaeImpactReport(
        departement=departement, parameters=params, assembly=asm, twfe=twfe_revenue(asm), binary=twfe_binary(asm),
        event=event_study(asm, leads=4, lags=5), cs=cs, cs_did=cs_did, kind=kind, dose=dose, mde=mde,
        mde_provenance=Provenance.demo(simulator.description_fr), demo=src.data.demo,
        skipped={k: v for k, v in skipped.items() if v}, source_notes=src.notes)
