"""Scorecard of the ESS roadmap: each series, action, objective and challenge with its status.

:func:`build_scorecard` applies the written rules of :mod:`esstools.assessment.rules` to the
indicators of :func:`esstools.assessment.indicators.load_indicators`: observations are merged
when a statement is repeated (R2), figures that describe are set aside (R3), the remaining dated
values are compared with the target or followed over time (R4-R8), then actions (A1), objectives
and challenges (O1-O2) are aggregated with their coverage.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..atomic import atomic_path
from ..display import fmt_number
from ..errors import ParameterError
from .indicators import unit_label_fr
from .roadmap import Roadmap
from .rules import (
    BASIS_NONE,
    PROGRESS_STATUSES,
    STATUS_NO_DATA,
    STATUS_OBSERVED,
    STATUSES,
    Observation,
    aggregate_actions,
    aggregate_status,
    classify,
    exclusion_reason,
    merge_repeated,
    min_evaluated,
    reasons_text,
)

__all__ = ["COLUMN_LABELS_FR", "Coverage", "Scorecard", "assess_series", "build_scorecard"]


@dataclass(frozen=True)
class Coverage:
    """How many of the roadmap's actions are documented (a figure) and evaluated (a progress status)."""

    n_actions: int
    n_documented: int
    n_evaluated: int
    undocumented: pd.DataFrame

    @property
    def share(self) -> float:
        """Share of actions documented by at least one figure (0-1)."""
        return self.n_documented / self.n_actions if self.n_actions else float("nan")

    @property
    def evaluated_share(self) -> float:
        """Share of actions with a progress status (0-1)."""
        return self.n_evaluated / self.n_actions if self.n_actions else float("nan")

    def summary_fr(self) -> str:
        return (
            f"{self.n_documented} actions sur {self.n_actions} sont renseignées par au moins un chiffre publié "
            f"({fmt_number(100 * self.share, 0)} %) ; {self.n_evaluated} ont un statut d'avancement ; "
            f"{self.n_actions - self.n_documented} n'ont aucun chiffre."
        )


COLUMN_LABELS_FR = {
    "challenge_id": "enjeu", "objective_id": "objectif", "action_id": "action", "node_id": "nœud",
    "keyword": "mot-clé", "title": "intitulé", "leads": "pilotes (nommés)", "series": "série",
    "label": "indicateur", "unit": "unité", "measure": "nature du chiffre",
    "n_observations": "nb d'observations", "n_dated": "valeurs datées depuis le début de la feuille de route",
    "baseline_year": "année de départ", "baseline": "valeur de départ", "latest_year": "dernière année",
    "latest": "dernière valeur", "latest_qualifier": "qualificatif", "target_kind": "type de cible",
    "target_year": "échéance", "target_value": "cible", "target_direction": "sens",
    "reference": "référence comparée", "trend": "tendance", "status": "statut", "basis": "fondement",
    "rule": "règle", "note": "note", "sources": "sources", "indicator_ids": "identifiants",
    "action_status": "statut de l'action", "n_actions": "nb d'actions",
    "n_documented": "actions renseignées", "n_evaluated": "actions évaluées",
    "n_en_avance": "actions en avance", "n_en_ligne": "actions en ligne", "n_a_surveiller": "actions à surveiller",
    "n_constat": "actions au constat", "n_pas_de_donnee": "actions sans donnée",
    "n_own_series": "séries propres", "own_series_status": "statut des séries propres",
    "n_objectives": "nb d'objectifs",
}
_COUNT_COLUMNS = dict(zip(STATUSES, ["n_en_avance", "n_en_ligne", "n_a_surveiller", "n_constat", "n_pas_de_donnee"]))

SERIES_COLUMNS = [
    "node_id", "series", "label", "unit", "measure", "n_observations", "n_dated", "baseline_year", "baseline",
    "latest_year", "latest", "latest_qualifier", "target_kind", "target_year", "target_value", "target_direction",
    "reference", "trend", "status", "basis", "rule", "note", "sources", "indicator_ids",
]


def _observations(obs: pd.DataFrame, root_id: str) -> list[Observation]:
    return [Observation(year=int(r.year), value=float(r.value), qualifier=r.qualifier, year_basis=r.year_basis,
                        measure=r.measure, context=r.node_id == root_id, documents=(r.source_document,))
            for r in obs.itertuples(index=False)]


def _pick_target(targets: pd.DataFrame, last_year: int | None):
    """The target due at or after the last dated value (else the last one); None without target."""
    if targets.empty:
        return None
    if last_year is not None:
        due = targets[targets["year"] >= last_year]
        if len(due):
            return due.iloc[0]
    return targets.iloc[-1]


def _series_row(series: str, sub: pd.DataFrame, root_id: str, start_year: int) -> dict:
    obs = merge_repeated(_observations(sub[sub["kind"] == "observed"], root_id))
    dated = [o for o in obs if exclusion_reason(o, start_year) is None]
    targets = sub[sub["kind"] != "observed"].sort_values("year", kind="stable")
    target = _pick_target(targets, dated[-1].year if dated else None)
    t_value = None if target is None or pd.isna(target["target_value"]) else float(target["target_value"])
    t_dir = None if target is None else target["target_direction"]
    t_year = None if target is None else int(target["year"])
    notes = []
    if not obs:
        status, basis, rule, ref, trend = STATUS_NO_DATA, BASIS_NONE, "R1", None, None
        if target is not None:
            notes.append("cible fixée, aucune valeur observée")
    elif not dated:
        status, basis, rule, ref, trend = STATUS_OBSERVED, reasons_text(obs, start_year), "R3", None, None
    else:
        a = classify([(o.year, o.value) for o in dated], t_value, t_dir, t_year)
        status, basis, rule, ref, trend = a.status, a.basis, a.rule, a.reference, a.trend
        if len(dated) < len(obs):
            notes.append("valeurs écartées : " + reasons_text(obs, start_year))
    repeated = [o for o in obs if len(o.documents) > 1]
    if repeated:
        notes.append(f"même énoncé repris par {max(len(o.documents) for o in repeated)} documents : une observation")
    last = obs[-1] if obs else None
    if last is not None and last.qualifier == "lower_bound":
        notes.append("valeur plancher (« plus de »)")
    elif last is not None and last.qualifier == "approx":
        notes.append("valeur approchée")
    label_row = sub[sub["kind"] == "observed"].iloc[-1] if obs else sub.iloc[0]
    return {
        "node_id": sub["node_id"].iloc[0], "series": series, "label": label_row["label"],
        "unit": sub["unit"].iloc[0], "measure": sub["measure"].iloc[0], "n_observations": len(obs),
        "n_dated": len(dated), "baseline_year": obs[0].year if obs else None,
        "baseline": obs[0].value if obs else None, "latest_year": last.year if last else None,
        "latest": last.value if last else None, "latest_qualifier": last.qualifier if last else None,
        "target_kind": None if target is None else target["kind"], "target_year": t_year, "target_value": t_value,
        "target_direction": t_dir, "reference": ref, "trend": trend, "status": status, "basis": basis,
        "rule": rule, "note": " ; ".join(notes), "sources": " ; ".join(dict.fromkeys(sub["source_document"])),
        "indicator_ids": ", ".join(sub["indicator_id"]),
    }


def assess_series(indicators: pd.DataFrame, roadmap: Roadmap) -> pd.DataFrame:
    """One row per ``series`` with first and last observation, target, trend, status, basis and rule."""
    rows = [_series_row(s, sub, roadmap.root_id, roadmap.start_year)
            for s, sub in indicators.groupby("series", sort=False)]
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    for col in ("n_observations", "n_dated", "baseline_year", "latest_year", "target_year"):
        out[col] = out[col].astype("Int64")
    for col in ("baseline", "latest", "target_value", "reference"):
        out[col] = out[col].astype("float64")
    return out


@dataclass(frozen=True)
class Scorecard:
    """Scorecard tables.

    ``series``: one row per indicator series (every node, incl. context ``FDR``);
    ``actions``: one row per action × series (an action without indicator has one row,
    « pas de donnée »), with the aggregated ``action_status``; ``objectives`` and ``challenges``:
    one row per node with the counts of action statuses, documented and evaluated actions, the
    status (rule O2) and its ``basis``; ``coverage``: :class:`Coverage`.
    """

    series: pd.DataFrame
    actions: pd.DataFrame
    objectives: pd.DataFrame
    challenges: pd.DataFrame
    coverage: Coverage
    root_id: str = "FDR"

    def context_series(self) -> pd.DataFrame:
        """Series attached to the root node (territorial context, never scored)."""
        return self.series[self.series["node_id"] == self.root_id].reset_index(drop=True)

    def action_statuses(self) -> pd.Series:
        """Status of each action (index: action id), in roadmap order."""
        return self.actions.drop_duplicates("action_id").set_index("action_id")["action_status"]

    def to_french(self, table: str) -> pd.DataFrame:
        """Copy of ``table`` ('series', 'actions', 'objectives', 'challenges') with French headers and units."""
        if table not in ("series", "actions", "objectives", "challenges"):
            raise ParameterError(f"Invalid value {table!r} for 'table'; allowed values are: 'series', 'actions', "
                                 "'objectives', 'challenges'.")
        df = getattr(self, table).copy()
        if "unit" in df:
            df["unit"] = df["unit"].map(lambda u: unit_label_fr(u) if isinstance(u, str) else u)
        return df.rename(columns=COLUMN_LABELS_FR)

    def export(self, directory: str | os.PathLike, formats: Sequence[str] = ("csv", "xlsx")) -> list[Path]:
        """Write ``scorecard_objectives`` and ``scorecard_actions`` (French headers) atomically; return the paths."""
        for fmt in formats:
            if fmt not in ("csv", "xlsx"):
                raise ParameterError(f"Invalid value {fmt!r} for 'formats'; allowed values are: 'csv', 'xlsx'.")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("objectives", "actions"):
            df = self.to_french(table)
            for fmt in formats:
                target = directory / f"scorecard_{table}.{fmt}"
                with atomic_path(target) as tmp:
                    if fmt == "csv":
                        df.to_csv(tmp, index=False, encoding="utf-8")
                    else:
                        df.to_excel(tmp, index=False, sheet_name=table[:31], engine="openpyxl")
                written.append(target)
        return written


def _node_rows(nodes: pd.DataFrame, id_col: str, columns: list[str], action_status: pd.Series,
               action_parent: pd.Series, series: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for rec in nodes.to_dict("records"):
        kids = action_status[action_parent == rec[id_col]]
        own = series.loc[series["node_id"] == rec[id_col], "status"]
        status, basis = aggregate_actions(list(kids))
        row = {c: rec[c] for c in columns}
        row.update({"n_documented": int((kids != STATUS_NO_DATA).sum()),
                    "n_evaluated": int(kids.isin(PROGRESS_STATUSES).sum()), "min_evaluated": min_evaluated(len(kids))})
        row.update({col: int((kids == s).sum()) for s, col in _COUNT_COLUMNS.items()})
        row.update({"n_own_series": int(len(own)),
                    "own_series_status": aggregate_status(own) if len(own) else STATUS_NO_DATA,
                    "status": status, "basis": basis})
        rows.append(row)
    return pd.DataFrame(rows)


def build_scorecard(roadmap: Roadmap, indicators: pd.DataFrame) -> Scorecard:
    """Assess every series, then aggregate per action (A1), objective and challenge (O1-O2)."""
    series = assess_series(indicators, roadmap)
    acts = roadmap.actions[["action_id", "objective_id", "challenge_id", "title", "leads"]]
    a_series = series[series["node_id"].isin(acts["action_id"])].rename(columns={"node_id": "action_id"})
    actions = acts.merge(a_series, on="action_id", how="left", sort=False)
    actions["status"] = actions["status"].fillna(STATUS_NO_DATA)
    actions["basis"] = actions["basis"].fillna(BASIS_NONE)
    actions["rule"] = actions["rule"].fillna("R1")
    for col in ("n_observations", "n_dated"):
        actions[col] = actions[col].fillna(0).astype("Int64")
    action_status = actions.groupby("action_id", sort=False)["status"].agg(aggregate_status)
    actions["action_status"] = actions["action_id"].map(action_status)
    actions = actions.drop(columns=["indicator_ids"]).reset_index(drop=True)

    status = roadmap.actions["action_id"].map(action_status)
    status.index = roadmap.actions["action_id"]
    undocumented = roadmap.actions.loc[(status == STATUS_NO_DATA).to_numpy(),
                                       ["action_id", "objective_id", "title"]].reset_index(drop=True)
    coverage = Coverage(n_actions=len(status), n_documented=int((status != STATUS_NO_DATA).sum()),
                        n_evaluated=int(status.isin(PROGRESS_STATUSES).sum()), undocumented=undocumented)
    parent_o = pd.Series(roadmap.actions["objective_id"].to_numpy(), index=status.index)
    parent_c = pd.Series(roadmap.actions["challenge_id"].to_numpy(), index=status.index)
    objectives = _node_rows(roadmap.objectives, "objective_id",
                            ["objective_id", "challenge_id", "keyword", "title", "n_actions"],
                            status, parent_o, series)
    challenges = _node_rows(roadmap.challenges, "challenge_id",
                            ["challenge_id", "keyword", "title", "n_objectives", "n_actions"],
                            status, parent_c, series)
    return Scorecard(series=series, actions=actions, objectives=objectives, challenges=challenges,
                     coverage=coverage, root_id=roadmap.root_id)
