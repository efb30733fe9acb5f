"""Report back-end of the roadmap assessment (notebook ``00_roadmap_assessment``).

:func:`build_report` loads the roadmap, its indicators (plus evaluator files), the reading notes
and the results of the analyses 01-03, and builds the scorecard. The :class:`AssessmentReport`
it returns gives everything the notebook shows: the synthesis items (French, each with its
nature and source), the French tables (:meth:`AssessmentReport.table`, shown with
:func:`esstools.display.show_table`: French numbers, no index column, source caption), the chart,
the headline payload (:func:`esstools.display.headline`) and the saved results.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from .. import paths, results
from ..display import fmt_number, fmt_percent, headline, styled_table
from ..errors import check_choice
from ..provenance import DEMO_LABEL, Provenance, mark_figure
from .headlines import (
    analyses_without_synthesis,
    analysis_synthesis_items,
    headline_results_table,
    load_results_safely,
    report_provenance,
)
from .indicators import MEASURE_LABELS_FR, load_indicator_notes, load_indicators, unit_label_fr
from .model import Scorecard, build_scorecard
from .roadmap import Roadmap, load_roadmap, source_title_fr
from .rules import (
    PROGRESS_STATUSES,
    STATUS_NO_DATA,
    STATUS_NOT_ASSESSABLE,
    STATUS_OBSERVED,
    STATUSES,
    rules_table_fr,
)

__all__ = ["NOTEBOOK", "ROADMAP_SOURCES", "AssessmentReport", "build_report", "value_text", "year_text"]

NOTEBOOK = "00_roadmap_assessment"
#: The two documents every roadmap figure is quoted from (keys of ``SOURCE_DOCUMENTS``).
ROADMAP_SOURCES: tuple[str, ...] = ("FDR-ESS-93-2024-2028", "RTES-CD93-2025")
_QUALIFIER_FR = {"lower_bound": "plus de ", "approx": "environ ", "exact": ""}
_DIRECTION_FR = {">=": "au moins", "<=": "au plus", "stable": "stable"}
STATUS_COLORS = dict(zip(STATUSES, ["#1b7837", "#7fbf7b", "#e08214", "#92c5de", "#d9d9d9"]))


def value_text(value, unit: str, qualifier: str = "exact") -> str:
    """A figure as a French reader reads it: ``"plus de 150 000 heures"``, ``"2,7 M€"``, ``"6,6 %"``."""
    if value is None or pd.isna(value):
        return "—"
    if unit == "EUR" and abs(value) >= 1e6:
        text = fmt_number(value / 1e6, 1, trim=True) + "\u00a0M€"
    elif unit == "percent":
        text = fmt_percent(value, 1).replace(",0\u00a0%", "\u00a0%")
    elif unit == "count":
        text = fmt_number(value, None)
    elif unit == "rank":
        text = "1er" if value == 1 else f"{fmt_number(value, 0)}e"
    else:
        text = f"{fmt_number(value, None)} {unit_label_fr(unit)}"
    return _QUALIFIER_FR.get(qualifier, "") + text


def year_text(year, year_basis: str = "data") -> str:
    """``"2024"`` for a dated figure, ``"publ. 2025"`` when only the publication year is known."""
    if year is None or pd.isna(year):
        return "—"
    return f"publ. {int(year)}" if year_basis == "publication" else str(int(year))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


@dataclass
class AssessmentReport:
    """Everything notebook 00 shows, built from published figures (real) and the analyses' results."""

    roadmap: Roadmap
    indicators: pd.DataFrame
    notes: pd.DataFrame
    scorecard: Scorecard
    results: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    territory: str = "93"
    extra_files: tuple[str, ...] = ()

    # ------------------------------------------------------------ provenance and sources

    @property
    def provenance(self) -> Provenance:
        """The scorecard rests on published figures only: real."""
        return Provenance.real(*(source_title_fr(k, short=True) for k in ROADMAP_SOURCES))

    @property
    def report_provenance(self) -> Provenance:
        """The whole report: the scorecard combined with the analyses it quotes (real, demo or mixed)."""
        return report_provenance(self.provenance, self.results)

    @property
    def source(self) -> str:
        extra = f" ; fichiers d'évaluation : {', '.join(self.extra_files)}" if self.extra_files else ""
        return self.provenance.source_fr + extra + " ; traitement esstools"

    # ------------------------------------------------------------ series and their display

    def _series_with_latest(self) -> pd.DataFrame:
        """Series with the year basis of their last observation (for « publ. YYYY »)."""
        obs = self.indicators[self.indicators["kind"] == "observed"].sort_values("year", kind="stable")
        dated = obs[obs["year_basis"] == "data"]
        basis = {}
        for s, sub in obs.groupby("series", sort=False):
            year = self.scorecard.series.set_index("series").at[s, "latest_year"]
            at_year = dated[(dated["series"] == s) & (dated["year"] == year)]
            basis[s] = "data" if len(at_year) else sub["year_basis"].iloc[-1]
        out = self.scorecard.series.copy()
        out["latest_year_basis"] = out["series"].map(basis).fillna("data")
        source_notes = self.indicators[self.indicators["note"] != ""].groupby("series", sort=False)["note"].agg(
            lambda n: " ".join(dict.fromkeys(n)))
        out["source_note"] = out["series"].map(source_notes).fillna("—")
        return out.merge(self.notes, on="series", how="left")

    def _latest_text(self, s: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
        values = [value_text(r.latest, r.unit, r.latest_qualifier) for r in s.itertuples()]
        years = [year_text(r.latest_year, r.latest_year_basis) for r in s.itertuples()]
        return pd.Series(values, index=s.index), pd.Series(years, index=s.index)

    @staticmethod
    def _target_text(r) -> str:
        if r.target_kind is None or pd.isna(r.target_kind):
            return "—"
        if r.target_direction == "stable":
            level = "" if pd.isna(r.target_value) else " à " + value_text(r.target_value, r.unit)
            return f"engagement : stable{level} (échéance {int(r.target_year)})"
        what = "cible" if r.target_kind == "target" else "engagement"
        return f"{what} : {_DIRECTION_FR[r.target_direction]} {value_text(r.target_value, r.unit)} " \
               f"(échéance {int(r.target_year)})"

    # ------------------------------------------------------------ tables

    TABLES = ("structure", "rules", "challenges", "objectives", "actions", "notes", "undocumented", "context",
              "headlines")

    def table(self, name: str) -> pd.DataFrame:
        """French table ``name`` (one of :attr:`TABLES`): no index, full titles, figures as French text."""
        check_choice("name", name, self.TABLES)
        return getattr(self, f"_table_{name}")()

    def _table_structure(self) -> pd.DataFrame:
        o = self.roadmap.objectives.merge(self.roadmap.challenges[["challenge_id", "keyword"]], on="challenge_id",
                                          suffixes=("", "_c"))
        return pd.DataFrame({
            "enjeu": o["challenge_id"] + " " + o["keyword_c"], "objectif": o["objective_id"] + " " + o["keyword"],
            "intitulé": o["title"], "actions": o["n_actions"].astype(int)})

    def _table_rules(self) -> pd.DataFrame:
        return rules_table_fr()

    def _nodes(self, df: pd.DataFrame, id_col: str, label: str) -> pd.DataFrame:
        return pd.DataFrame({
            label: df[id_col] + " " + df["keyword"], "intitulé": df["title"], "actions": df["n_actions"].astype(int),
            "renseignées": df["n_documented"].astype(int), "évaluées": df["n_evaluated"].astype(int),
            "statut": df["status"], "fondement du statut": df["basis"]})

    def _table_challenges(self) -> pd.DataFrame:
        return self._nodes(self.scorecard.challenges, "challenge_id", "enjeu")

    def _table_objectives(self) -> pd.DataFrame:
        return self._nodes(self.scorecard.objectives, "objective_id", "objectif")

    def _action_series(self) -> pd.DataFrame:
        s = self._series_with_latest()
        order = {a: i for i, a in enumerate(self.roadmap.actions["action_id"])}
        s = s[s["node_id"].isin(order)].copy()
        s["_order"] = s["node_id"].map(order)
        return s.sort_values("_order", kind="stable").reset_index(drop=True)

    def _table_actions(self) -> pd.DataFrame:
        s = self._action_series()
        values, years = self._latest_text(s)
        return pd.DataFrame({
            "action": s["node_id"], "indicateur": s["label"], "dernière valeur": values, "année": years,
            "nature du chiffre": s["measure"].map(MEASURE_LABELS_FR),
            "cible ou engagement": [self._target_text(r) for r in s.itertuples()],
            "statut": s["status"], "fondement (règle)": s["basis"] + " (" + s["rule"] + ")",
            "note": s["note"].replace("", "—")})

    def _table_notes(self) -> pd.DataFrame:
        s = self._action_series()
        return pd.DataFrame({"action": s["node_id"], "indicateur": s["label"],
                             "définition : ce que le chiffre compte": s["definition"].fillna("—"),
                             "pourquoi cet indicateur": s["why"].fillna("—"),
                             "précisions sur la source": s["source_note"]})

    def _table_undocumented(self) -> pd.DataFrame:
        u = self.scorecard.coverage.undocumented
        return pd.DataFrame({"action": u["action_id"], "intitulé": u["title"]})

    def _table_context(self) -> pd.DataFrame:
        s = self._series_with_latest()
        s = s[s["node_id"] == self.roadmap.root_id].reset_index(drop=True)
        values, years = self._latest_text(s)
        return pd.DataFrame({"indicateur": s["label"], "valeur": values, "année": years,
                             "définition": s["definition"].fillna("—"),
                             "producteur et précisions de la source": s["source_note"],
                             "note": s["note"].replace("", "—")})

    def _table_headlines(self) -> pd.DataFrame:
        return headline_results_table(self.results)[0]

    def show(self, name: str) -> None:
        """Display table ``name`` with its caption (source; demo mark for the analyses' table when needed)."""
        from IPython.display import HTML, display

        df = self.table(name)
        prov, source = self.provenance, self.source
        if name == "headlines":
            for message in self.problems + headline_results_table(self.results)[1]:
                print(message)
            if df.empty:
                print("Aucun résultat d'analyse disponible dans le dossier de résultats.")
                return
            prov = report_provenance(Provenance.real(), self.results)
            source = "fichiers de résultats des analyses 01 à 03 (voir la colonne « source »)"
        display(HTML(self._styled(df, prov, source).to_html()))

    # ------------------------------------------------------------ chart

    def figure_actions(self):
        """Stacked bars: the actions of each objective by status, titled and sourced."""
        import matplotlib.pyplot as plt

        status = self.scorecard.action_statuses()
        obj = self.roadmap.actions.set_index("action_id")["objective_id"]
        counts = (pd.crosstab(obj.loc[status.index], status).reindex(columns=list(STATUSES), fill_value=0)
                  .reindex(self.roadmap.objectives["objective_id"], fill_value=0))
        labels = [f"{o} {k}" for o, k in zip(self.roadmap.objectives["objective_id"], self.roadmap.objectives["keyword"])]
        fig, ax = plt.subplots(figsize=(10, 5.5))
        left = pd.Series(0, index=counts.index)
        for st in STATUSES:
            ax.barh(labels, counts[st], left=left, color=STATUS_COLORS[st], label=f"{st} ({int(counts[st].sum())})")
            left = left + counts[st]
        ax.invert_yaxis()
        ax.set_xlabel("Nombre d'actions")
        ax.set_title(f"Statut des {len(status)} actions de la feuille de route, par objectif stratégique")
        ax.legend(title="Statut de l'action", loc="upper left", bbox_to_anchor=(1.01, 1))
        fig.text(0.01, 0.01, "Source : " + self.source + ".", fontsize=7.5, color="#555", wrap=True)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        mark_figure(fig, self.provenance)
        return fig

    def show_figure(self) -> None:
        """Display :meth:`figure_actions` once (then close it, so that it is not shown twice)."""
        import matplotlib.pyplot as plt
        from IPython.display import display

        fig = self.figure_actions()
        display(fig)
        plt.close(fig)

    # ------------------------------------------------------------ synthesis

    def _targets_text(self) -> str:
        rows = self.indicators[self.indicators["kind"] != "observed"]
        parts = []
        words = {"target": ("une cible chiffrée", "cibles chiffrées"), "commitment": ("un engagement", "engagements")}
        for kind, (one, many) in words.items():
            sub = rows[rows["kind"] == kind]
            if sub.empty:
                continue
            what = []
            for r in sub.itertuples():
                if r.target_direction == "stable":
                    level = "sans niveau chiffré" if pd.isna(r.target_value) else f"à {value_text(r.target_value, r.unit)}"
                    what.append(f"{r.label}, {level}, échéance {r.year}")
                else:
                    what.append(f"{r.label} : {_DIRECTION_FR[r.target_direction]} "
                                f"{value_text(r.target_value, r.unit)}, échéance {r.year}")
            parts.append(f"{one if len(sub) == 1 else f'{len(sub)} {many}'} ({' ; '.join(what)})")
        return " et ".join(parts) if parts else ""

    def _fixes_text(self) -> str:
        targets = self._targets_text()
        if not targets:
            return "elle ne fixe aucune cible chiffrée"
        return "elle ne fixe " + ("qu'" if targets[0] in "aeiouéu" else "que ") + targets

    def synthesis_items(self) -> list[dict]:
        """Key findings of the scorecard, in French, each with its nature and source (results JSON "synthesis")."""
        sc, cov = self.scorecard, self.scorecard.coverage
        both = self.provenance.source_fr
        items = [{
            "text": f"La feuille de route 2024-2028 compte {self.roadmap.summary_fr()} ; {self._fixes_text()}.",
            "nature": "publié", "source": source_title_fr(ROADMAP_SOURCES[0], short=True)}]
        items.append({
            "text": f"{cov.n_documented} actions sur {cov.n_actions} ({fmt_number(100 * cov.share, 0)} %) sont renseignées "
                    f"par au moins un chiffre publié ; {cov.n_actions - cov.n_documented} n'en ont aucun.",
            "nature": "calculé sur données réelles", "source": both})
        s = self._action_series()
        if cov.n_evaluated == 0:
            n_single = int(((s["status"] == STATUS_OBSERVED) & (s["rule"] != "R3")).sum())
            n_descr = int((s["rule"] == "R3").sum())
            text = (f"Aucune action n'a encore de statut d'avancement : sur les {len(s)} séries chiffrées des actions, "
                    f"{n_single} n'ont qu'une valeur datée depuis 2024, sans cible atteinte ni deuxième année, et "
                    f"{n_descr} décrivent sans mesurer l'avancement (chiffres non datés, cumuls, caractéristiques de "
                    "dispositifs, chiffres antérieurs à 2024)")
            if int((s["status"] == STATUS_NO_DATA).sum()):
                text += f" ; {_plural(int((s['status'] == STATUS_NO_DATA).sum()), 'série')} n'a qu'une cible"
            items.append({"text": text + ".", "nature": "calculé sur données réelles", "source": both})
        else:
            st = sc.action_statuses()
            detail = ", ".join(f"{int((st == x).sum())} « {x} »" for x in PROGRESS_STATUSES if (st == x).any())
            items.append({"text": f"{cov.n_evaluated} actions sur {cov.n_actions} ont un statut d'avancement : {detail}.",
                          "nature": "calculé sur données réelles", "source": both})
        o = sc.objectives
        assessable = o[o["status"] != STATUS_NOT_ASSESSABLE]
        if assessable.empty:
            text = (f"Aucun des {len(o)} objectifs stratégiques n'est évaluable : il faudrait qu'au moins la moitié "
                    "de leurs actions aient un statut d'avancement (règle O2).")
        else:
            detail = ", ".join(f"{r.objective_id} {r.keyword} « {r.status} »" for r in assessable.itertuples())
            text = (f"{len(assessable)} objectifs sur {len(o)} sont évaluables ({detail}) ; les autres sont "
                    f"« {STATUS_NOT_ASSESSABLE} » faute d'actions évaluées en nombre suffisant (règle O2).")
        items.append({"text": text, "nature": "calculé sur données réelles", "source": both})
        dated = s[s["n_dated"] > 0]
        if len(dated):
            values, years = self._latest_text(dated)
            listed = " ; ".join(f"{lab} : {v} ({y})" for lab, v, y in zip(dated["label"], values, years))
            docs = dict.fromkeys(d for src in dated["sources"] for d in src.split(" ; "))
            items.append({"text": f"Valeurs datées depuis 2024, base d'un suivi annuel : {listed}.",
                          "nature": "publié", "source": " ; ".join(source_title_fr(d, short=True) for d in docs)})
        return items

    def analyses_synthesis_items(self) -> list[dict]:
        """Synthesis items of the analyses 01-03 (demo items carry the demo mark) and the report's nature."""
        prov = self.report_provenance
        items = analysis_synthesis_items(self.results)
        if self.results:
            nature = {"real": "repose uniquement sur des données réelles",
                      "demo": f"repose sur des {DEMO_LABEL}",
                      "mixed": f"combine des données réelles et des {DEMO_LABEL}"}[prov.kind]
            items.append({"text": f"Ce rapport, avec les résultats des analyses qu'il reprend, {nature}.",
                          "nature": "démonstration" if prov.is_demo else "calculé sur données réelles",
                          "source": "fichiers de résultats des analyses 01 à 03"})
        return items

    def show_synthesis(self, part: str = "roadmap") -> None:
        """Display the synthesis as a French list: each finding with its nature and source."""
        from IPython.display import HTML, display

        check_choice("part", part, ["roadmap", "analyses"])
        items = self.synthesis_items() if part == "roadmap" else self.analyses_synthesis_items()
        if not items:
            print("Résultats des analyses 01 à 03 : aucun fichier de résultats disponible "
                  "(exécuter d'abord les analyses, par exemple avec `make report`).")
            return
        li = []
        for i in items:
            color = "#b00020" if i["nature"] == "démonstration" else "#555"
            li.append(f"<li>{html.escape(i['text'])}<br><span style=\"font-size:0.85em;color:{color}\">"
                      f"<i>{html.escape(i['nature'])}</i> · Source : {html.escape(i['source'] or '—')}</span></li>")
        out = "<ul class=\"esstools-synthese\">" + "".join(li) + "</ul>"
        silent = analyses_without_synthesis(self.results) if part == "analyses" else []
        if silent:
            out += ("<p>Sans synthèse dans leur fichier de résultats : " + html.escape(" ; ".join(silent))
                    + " — leurs chiffres principaux figurent à la section 7.</p>")
        display(HTML(out))

    def _styled(self, df: pd.DataFrame, prov: Provenance, source: str):
        """:func:`esstools.display.styled_table` with text left-aligned and short columns kept on one line."""
        styler = styled_table(df, prov, source=source, digits=0)
        text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
        short = [c for c in text if len(df) and df[c].astype(str).str.len().max() <= 20]  # ids, statuses, years
        if short:
            styler = styler.set_properties(subset=short, **{"white-space": "nowrap"})
        return styler.set_table_styles([{"selector": "th", "props": "text-align: left;"}], overwrite=False)

    # ------------------------------------------------------------ results JSON and exports

    def headline_payload(self) -> dict:
        """Headline numbers of the assessment (:func:`esstools.display.headline` items)."""
        cov, o = self.scorecard.coverage, self.scorecard.objectives
        prov, start = self.provenance, self.roadmap.start_year
        state = int(self.indicators.loc[self.indicators["kind"] == "observed", "year"].max())
        defn = "actions des tableaux « Le plan d'action en synthèse » de la feuille de route"
        return {
            "n_objectives": headline(len(o), "objectifs", "Objectifs stratégiques", prov, year=start, digits=0,
                                     definition="objectifs stratégiques de la feuille de route"),
            "n_actions": headline(cov.n_actions, "actions", "Actions de la feuille de route", prov, year=start,
                                  digits=0, definition=defn),
            "n_actions_documented": headline(
                cov.n_documented, "actions", "Actions renseignées par au moins un chiffre publié", prov, year=state,
                digits=0, definition="action avec au moins une valeur publiée (règle O1), sources parues jusqu'en "
                f"{state}"),
            "coverage_pct": headline(
                100 * cov.share, "%", "Part des actions renseignées par un chiffre publié", prov, year=state, digits=1,
                definition="actions renseignées / actions de la feuille de route"),
            "n_actions_evaluated": headline(
                cov.n_evaluated, "actions", "Actions ayant un statut d'avancement", prov, year=state, digits=0,
                definition="statut « en avance », « en ligne » ou « à surveiller » selon les règles écrites R1-R8 et A1"),
            "n_objectives_assessable": headline(
                int((o["status"] != STATUS_NOT_ASSESSABLE).sum()), "objectifs", "Objectifs évaluables", prov,
                year=state, digits=0, definition="au moins la moitié des actions de l'objectif évaluées (règle O2)"),
        }

    def payload(self) -> dict:
        """The results JSON of the assessment (data kind of the whole report, headline, synthesis)."""
        prov = self.report_provenance
        return {
            **prov.to_dict(), "source": prov.source_fr,
            "parameters": {"territory": self.territory, "n_indicator_rows": len(self.indicators),
                           "extra_indicator_files": list(self.extra_files)},
            "headline": self.headline_payload(), "synthesis": self.synthesis_items(),
        }

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write the results JSON (atomically) and print where."""
        path = results.save(NOTEBOOK, self.payload(), run=self.territory, directory=directory)
        print(f"Résultats enregistrés : {path.name}")
        return path

    def export(self, directory: str | os.PathLike | None = None) -> list[Path]:
        """Export the scorecard (objectives and actions, CSV and XLSX) and print the file names."""
        written = self.scorecard.export(Path(directory) if directory is not None else paths.reports_dir())
        print("Fichiers écrits :", ", ".join(sorted(p.name for p in written)))
        return written


def build_report(roadmap_path=None, indicators_path=None, extra_indicator_paths: Iterable = (),
                 results_dir=None, departement: str = "93", notes_path=None) -> AssessmentReport:
    """Load the roadmap, its indicators and notes, the analyses' results; build the scorecard.

    ``departement``: the département whose roadmap is assessed (the same parameter name as in
    notebooks 01-03; only "93" has a roadmap in ``data/roadmap/`` today)."""
    check_choice("departement", departement, ["93"])
    territory = departement
    extra = [extra_indicator_paths] if isinstance(extra_indicator_paths, (str, Path)) else list(extra_indicator_paths)
    roadmap = load_roadmap(roadmap_path)
    indicators = load_indicators(indicators_path, roadmap=roadmap, extra_paths=extra)
    payloads, problems = load_results_safely(results_dir if results_dir is not None else paths.results_dir())
    payloads = [p for p in payloads if p.get("notebook") != NOTEBOOK]  # its own earlier results
    return AssessmentReport(
        roadmap=roadmap, indicators=indicators, notes=load_indicator_notes(notes_path),
        scorecard=build_scorecard(roadmap, indicators), results=payloads, problems=problems,
        territory=territory, extra_files=tuple(Path(p).name for p in extra))
