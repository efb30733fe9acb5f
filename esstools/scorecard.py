"""Scorecard of the ESS roadmap: baseline, latest value, target, trend and status.

Built from :func:`esstools.roadmap.load_roadmap` and
:func:`esstools.roadmap.load_indicators`. Observations and targets are matched
by ``series`` (one quantity, one unit, several years). The status rules are
the constants below and the French text :data:`STATUS_RULES_FR`; objective and
challenge statuses aggregate their actions as told in :data:`AGGREGATION_RULE_FR`.

:func:`headline_results_table` gathers the headline numbers written by the
analysis notebooks (``esstools.results``) into one French table.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .errors import ParameterError
from .atomic import atomic_path
from .provenance import DEMO_LABEL, REAL_LABEL
from .roadmap import Roadmap, unit_label_fr

__all__ = [
    "AGGREGATION_RULE_FR",
    "AHEAD_RATIO",
    "ANALYSIS_NOTEBOOKS",
    "STABLE_TOLERANCE",
    "STATUSES",
    "STATUS_AHEAD",
    "STATUS_NO_DATA",
    "STATUS_ON_TRACK",
    "STATUS_RULES_FR",
    "STATUS_WATCH",
    "TARGET_TOLERANCE",
    "TREND_TOLERANCE",
    "Assessment",
    "Coverage",
    "Scorecard",
    "aggregate_status",
    "assess_series",
    "build_scorecard",
    "classify",
    "format_number_fr",
    "headline_results_table",
    "load_results_safely",
    "trend_of",
]

STATUS_AHEAD = "en avance"
STATUS_ON_TRACK = "en ligne"
STATUS_WATCH = "à surveiller"
STATUS_NO_DATA = "pas de donnée"
#: Every status, from best to "no data".
STATUSES: tuple[str, ...] = (STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH, STATUS_NO_DATA)

#: Latest value ≥ 110 % of the reference ("≥" targets) → "en avance" (≤ 90 % for "≤" targets).
AHEAD_RATIO = 1.10
#: A value short of its reference by at most 5 % still counts as "en ligne".
TARGET_TOLERANCE = 0.05
#: "stable" commitments: within ±5 % of the reference → "en ligne".
STABLE_TOLERANCE = 0.05
#: Relative change between baseline and latest value beyond ±5 % → "en hausse"/"en baisse".
TREND_TOLERANCE = 0.05

TREND_UP = "en hausse"
TREND_FLAT = "stable"
TREND_DOWN = "en baisse"
TREND_NONE = "une seule valeur"

BASIS_TARGET = "cible chiffrée"
BASIS_TRAJECTORY = "trajectoire vers la cible"
BASIS_STABLE = "engagement de stabilité"
BASIS_TREND = "tendance, pas de cible"
BASIS_SINGLE = "valeur unique, pas de cible"
BASIS_NONE = "aucune valeur observée"

_EPS = 1e-9


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


STATUS_RULES_FR = f"""Règles de statut (par série d'indicateur : une même grandeur suivie d'année en année)
- Valeur de départ = première valeur observée ; dernière valeur = valeur observée la plus récente ;
  tendance = « {TREND_UP} » / « {TREND_DOWN} » si l'écart relatif entre les deux dépasse ±{_pct(TREND_TOLERANCE)},
  « {TREND_FLAT} » sinon, « {TREND_NONE} » s'il n'y a qu'une observation.
- Aucune valeur observée → « {STATUS_NO_DATA} » (même si une cible existe).
- Cible ou engagement « ≥ » : la référence est la cible ; si l'échéance n'est pas atteinte et que la série
  compte au moins deux observations, la référence est le point de la trajectoire linéaire qui va de la valeur
  de départ à la cible à l'échéance. Dernière valeur ≥ {_pct(AHEAD_RATIO)} de la référence → « {STATUS_AHEAD} » ;
  ≥ {_pct(1 - TARGET_TOLERANCE)} de la référence (tolérance {_pct(TARGET_TOLERANCE)}) → « {STATUS_ON_TRACK} » ;
  sinon → « {STATUS_WATCH} ».
- Cible « ≤ » : symétrique (≤ {_pct(2 - AHEAD_RATIO)} de la référence → « {STATUS_AHEAD} », ≤ {_pct(1 + TARGET_TOLERANCE)} → « {STATUS_ON_TRACK} », au-delà → « {STATUS_WATCH} »).
- Engagement « stable » : référence = niveau indiqué, ou à défaut la valeur de départ ; dernière valeur à
  ±{_pct(STABLE_TOLERANCE)} de la référence → « {STATUS_ON_TRACK} », au-dessus → « {STATUS_AHEAD} », en dessous → « {STATUS_WATCH} ».
- Valeurs observées sans cible : au moins deux observations → « {STATUS_WATCH} » si la tendance est « {TREND_DOWN} »,
  « {STATUS_ON_TRACK} » sinon ; une seule observation → « {STATUS_ON_TRACK} » avec la mention « {BASIS_SINGLE} »
  (constat sans évolution mesurable : la colonne « fondement » le rappelle).
- Les valeurs « plus de » (planchers) et « environ » sont comparées telles quelles ; la colonne « note » le signale."""

AGGREGATION_RULE_FR = f"""Agrégation (action ← ses séries ; objectif ← ses actions et ses propres séries ; enjeu ← ses objectifs)
- Les éléments « {STATUS_NO_DATA} » sont écartés ; s'il ne reste rien → « {STATUS_NO_DATA} ».
- Au moins un élément « {STATUS_WATCH} » → « {STATUS_WATCH} » (règle prudente : un signal négatif suffit à
  demander un examen).
- Tous les éléments « {STATUS_AHEAD} » → « {STATUS_AHEAD} » ; sinon → « {STATUS_ON_TRACK} ».
- Le statut d'un objectif se lit avec sa couverture (nombre d'actions renseignées sur le total) : un objectif
  « {STATUS_ON_TRACK} » dont la plupart des actions n'ont aucune donnée n'est que partiellement évalué."""


# ------------------------------------------------------------------ pure rules


def _ge(a: float, b: float) -> bool:
    return a >= b - _EPS * max(1.0, abs(b))


def _le(a: float, b: float) -> bool:
    return a <= b + _EPS * max(1.0, abs(b))


def _relative_change(baseline: float, latest: float) -> float:
    if baseline == 0:
        return 0.0 if latest == 0 else math.copysign(math.inf, latest)
    return (latest - baseline) / abs(baseline)


def trend_of(baseline: float | None, latest: float | None, n_observations: int) -> str | None:
    """French trend label between baseline and latest value (None without observation)."""
    if n_observations == 0 or baseline is None or latest is None:
        return None
    if n_observations < 2:
        return TREND_NONE
    change = _relative_change(baseline, latest)
    if change > TREND_TOLERANCE + _EPS:
        return TREND_UP
    if change < -TREND_TOLERANCE - _EPS:
        return TREND_DOWN
    return TREND_FLAT


@dataclass(frozen=True)
class Assessment:
    """Status of one series: ``status``, ``basis`` (what it rests on), ``reference``
    (value the latest one was compared with, if any), ``trend`` and ``note``."""

    status: str
    basis: str
    reference: float | None = None
    trend: str | None = None
    note: str = ""


def classify(
    *,
    baseline: float | None,
    latest: float | None,
    n_observations: int,
    baseline_year: int | None = None,
    latest_year: int | None = None,
    target_value: float | None = None,
    target_direction: str | None = None,
    target_year: int | None = None,
) -> Assessment:
    """Apply :data:`STATUS_RULES_FR` to one series (pure function).

    ``target_direction`` is ``">="``, ``"<="``, ``"stable"`` or None (no target).
    """
    if target_direction not in (None, ">=", "<=", "stable"):
        raise ParameterError(
            f"Invalid value {target_direction!r} for 'target_direction'; allowed values are: "
            "None, '>=', '<=', 'stable'."
        )
    if target_value is not None and isinstance(target_value, float) and math.isnan(target_value):
        target_value = None
    if n_observations == 0 or latest is None or (isinstance(latest, float) and math.isnan(latest)):
        note = "cible fixée, aucune valeur observée" if target_direction else ""
        return Assessment(STATUS_NO_DATA, BASIS_NONE, None, None, note)
    trend = trend_of(baseline, latest, n_observations)

    if target_direction == "stable":
        ref = target_value if target_value is not None else baseline
        note = "" if n_observations >= 2 or target_value is not None else "une seule valeur : stabilité à confirmer"
        dev = _relative_change(ref, latest)
        if abs(dev) <= STABLE_TOLERANCE + _EPS:
            status = STATUS_ON_TRACK
        elif dev > 0:
            status = STATUS_AHEAD
        else:
            status = STATUS_WATCH
        return Assessment(status, BASIS_STABLE, ref, trend, note)

    if target_direction in (">=", "<="):
        if target_value is None:
            raise ParameterError(f"A target with direction {target_direction!r} needs a 'target_value'.")
        ref = float(target_value)
        basis = BASIS_TARGET
        note = ""
        if (
            target_year is not None
            and latest_year is not None
            and baseline_year is not None
            and n_observations >= 2
            and baseline_year < latest_year < target_year
        ):
            share = (latest_year - baseline_year) / (target_year - baseline_year)
            ref = baseline + (target_value - baseline) * share
            basis = BASIS_TRAJECTORY
            note = f"échéance {target_year}"
        elif target_year is not None and latest_year is not None and latest_year < target_year:
            note = f"échéance {target_year}, cible pas encore due"
        if target_direction == ">=":
            if _ge(latest, AHEAD_RATIO * ref):
                status = STATUS_AHEAD
            elif _ge(latest, (1 - TARGET_TOLERANCE) * ref):
                status = STATUS_ON_TRACK
            else:
                status = STATUS_WATCH
        else:
            if _le(latest, (2 - AHEAD_RATIO) * ref):
                status = STATUS_AHEAD
            elif _le(latest, (1 + TARGET_TOLERANCE) * ref):
                status = STATUS_ON_TRACK
            else:
                status = STATUS_WATCH
        return Assessment(status, basis, ref, trend, note)

    # No target: trend, or a single value.
    if n_observations >= 2:
        status = STATUS_WATCH if trend == TREND_DOWN else STATUS_ON_TRACK
        return Assessment(status, BASIS_TREND, baseline, trend, "")
    return Assessment(STATUS_ON_TRACK, BASIS_SINGLE, None, trend, "")


def aggregate_status(statuses: Iterable[str]) -> str:
    """Combine statuses as told in :data:`AGGREGATION_RULE_FR`."""
    statuses = [s for s in statuses if s is not None]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ParameterError(
            f"Unknown status value(s) {unknown!r}; allowed values are: " + ", ".join(repr(s) for s in STATUSES) + "."
        )
    assessed = [s for s in statuses if s != STATUS_NO_DATA]
    if not assessed:
        return STATUS_NO_DATA
    if STATUS_WATCH in assessed:
        return STATUS_WATCH
    if all(s == STATUS_AHEAD for s in assessed):
        return STATUS_AHEAD
    return STATUS_ON_TRACK


# ------------------------------------------------------------------ series


SERIES_COLUMNS = [
    "node_id", "series", "label", "unit", "n_observations", "baseline_year", "baseline",
    "latest_year", "latest", "latest_qualifier", "target_kind", "target_year", "target_value",
    "target_direction", "reference", "trend", "status", "basis", "note", "sources", "indicator_ids",
]


def assess_series(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per ``series`` of an indicators table with baseline, latest, target, trend, status.

    When several rows give the same series and year (corroborating sources),
    the year counts once. The target used is the nearest one due at or after
    the latest observation (else the last one).
    """
    rows = []
    for series, sub in indicators.groupby("series", sort=False):
        obs = sub[sub["kind"] == "observed"].sort_values("year", kind="stable")
        obs_by_year = obs.drop_duplicates("year", keep="first")
        targets = sub[sub["kind"] != "observed"].sort_values("year", kind="stable")
        n_obs = len(obs_by_year)
        base = obs_by_year.iloc[0] if n_obs else None
        last = obs_by_year.iloc[-1] if n_obs else None
        target = None
        if len(targets):
            if last is not None:
                due = targets[targets["year"] >= last["year"]]
                target = due.iloc[0] if len(due) else targets.iloc[-1]
            else:
                target = targets.iloc[0]
        t_value = None if target is None or pd.isna(target["target_value"]) else float(target["target_value"])
        t_dir = None if target is None else target["target_direction"]
        t_year = None if target is None else int(target["year"])
        a = classify(
            baseline=None if base is None else float(base["value"]),
            latest=None if last is None else float(last["value"]),
            n_observations=n_obs,
            baseline_year=None if base is None else int(base["year"]),
            latest_year=None if last is None else int(last["year"]),
            target_value=t_value,
            target_direction=t_dir,
            target_year=t_year,
        )
        notes = [a.note] if a.note else []
        if last is not None and last["qualifier"] == "lower_bound":
            notes.append("valeur plancher (« plus de »)")
        elif last is not None and last["qualifier"] == "approx":
            notes.append("valeur approchée")
        label_row = last if last is not None else sub.iloc[0]
        rows.append(
            {
                "node_id": sub["node_id"].iloc[0],
                "series": series,
                "label": label_row["label"],
                "unit": sub["unit"].iloc[0],
                "n_observations": n_obs,
                "baseline_year": None if base is None else int(base["year"]),
                "baseline": None if base is None else float(base["value"]),
                "latest_year": None if last is None else int(last["year"]),
                "latest": None if last is None else float(last["value"]),
                "latest_qualifier": None if last is None else last["qualifier"],
                "target_kind": None if target is None else target["kind"],
                "target_year": t_year,
                "target_value": t_value,
                "target_direction": t_dir,
                "reference": a.reference,
                "trend": a.trend,
                "status": a.status,
                "basis": a.basis,
                "note": " ; ".join(notes),
                "sources": " ; ".join(dict.fromkeys(sub["source_document"])),
                "indicator_ids": ", ".join(sub["indicator_id"]),
            }
        )
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    for col in ("n_observations", "baseline_year", "latest_year", "target_year"):
        out[col] = out[col].astype("Int64")
    for col in ("baseline", "latest", "target_value", "reference"):
        out[col] = out[col].astype("float64")
    return out


# ------------------------------------------------------------------ scorecard


@dataclass(frozen=True)
class Coverage:
    """How many of the roadmap's actions have at least one indicator."""

    n_actions: int
    n_covered: int
    uncovered: pd.DataFrame

    @property
    def share(self) -> float:
        """Share of actions with at least one indicator (0-1)."""
        return self.n_covered / self.n_actions if self.n_actions else float("nan")

    def summary_fr(self) -> str:
        return (
            f"{self.n_covered} actions sur {self.n_actions} ont au moins un indicateur "
            f"({format_number_fr(100 * self.share, 0)} %) ; {self.n_actions - self.n_covered} n'en ont aucun."
        )


COLUMN_LABELS_FR = {
    "challenge_id": "enjeu",
    "objective_id": "objectif",
    "action_id": "action",
    "node_id": "nœud",
    "keyword": "mot-clé",
    "title": "intitulé",
    "leads": "pilotes (nommés)",
    "series": "série",
    "label": "indicateur",
    "unit": "unité",
    "n_observations": "nb d'observations",
    "baseline_year": "année de départ",
    "baseline": "valeur de départ",
    "latest_year": "dernière année",
    "latest": "dernière valeur",
    "latest_qualifier": "qualificatif",
    "target_kind": "type de cible",
    "target_year": "échéance",
    "target_value": "cible",
    "target_direction": "sens",
    "reference": "référence comparée",
    "trend": "tendance",
    "status": "statut",
    "basis": "fondement",
    "note": "note",
    "sources": "sources",
    "indicator_ids": "identifiants",
    "action_status": "statut de l'action",
    "n_actions": "nb d'actions",
    "n_actions_with_data": "actions renseignées",
    "coverage_pct": "couverture (%)",
    "n_en_avance": "actions en avance",
    "n_en_ligne": "actions en ligne",
    "n_a_surveiller": "actions à surveiller",
    "n_pas_de_donnee": "actions sans donnée",
    "n_own_series": "séries propres",
    "own_series_status": "statut des séries propres",
    "n_objectives": "nb d'objectifs",
}

_STATUS_COUNT_COLUMNS = {
    STATUS_AHEAD: "n_en_avance",
    STATUS_ON_TRACK: "n_en_ligne",
    STATUS_WATCH: "n_a_surveiller",
    STATUS_NO_DATA: "n_pas_de_donnee",
}


@dataclass(frozen=True)
class Scorecard:
    """Scorecard tables.

    ``series``: one row per indicator series (every node, incl. context ``FDR``);
    ``actions``: one row per action × series (an action without indicator has
    one row, status « pas de donnée »), with the aggregated ``action_status``;
    ``objectives`` and ``challenges``: one row per node with counts of action
    statuses, coverage and aggregated ``status``; ``coverage``: :class:`Coverage`.
    """

    series: pd.DataFrame
    actions: pd.DataFrame
    objectives: pd.DataFrame
    challenges: pd.DataFrame
    coverage: Coverage

    def context_series(self, root_id: str = "FDR") -> pd.DataFrame:
        """Series attached to the root node (territorial context, not scored)."""
        return self.series[self.series["node_id"] == root_id].reset_index(drop=True)

    def to_french(self, table: str) -> pd.DataFrame:
        """Copy of ``table`` ('series', 'actions', 'objectives', 'challenges') with French headers
        and unit labels."""
        if table not in ("series", "actions", "objectives", "challenges"):
            raise ParameterError(
                f"Invalid value {table!r} for 'table'; allowed values are: 'series', 'actions', "
                "'objectives', 'challenges'."
            )
        df = getattr(self, table).copy()
        if "unit" in df:
            df["unit"] = df["unit"].map(lambda u: unit_label_fr(u) if isinstance(u, str) else u)
        return df.rename(columns=COLUMN_LABELS_FR)

    def to_display(self, table: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """French-headed copy of ``table`` for reading: numbers as French text, « — » for missing.

        ``columns`` (English names) selects and orders the columns shown.
        """
        if table not in ("series", "actions", "objectives", "challenges"):
            raise ParameterError(
                f"Invalid value {table!r} for 'table'; allowed values are: 'series', 'actions', "
                "'objectives', 'challenges'."
            )
        df = getattr(self, table)
        df = df.copy() if columns is None else df[list(columns)].copy()
        for col in df.columns:
            if col.endswith("_year"):
                df[col] = df[col].map(lambda v: "—" if pd.isna(v) else str(int(v)))
            elif col in ("baseline", "latest", "target_value", "reference", "coverage_pct"):
                df[col] = df[col].map(format_number_fr)
            elif df[col].dtype == object or str(df[col].dtype) in ("str", "string"):
                df[col] = df[col].map(lambda v: "—" if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else v)
        if "unit" in df:
            df["unit"] = df["unit"].map(lambda u: unit_label_fr(u) if isinstance(u, str) else u)
        return df.rename(columns=COLUMN_LABELS_FR)

    def export(self, directory: str | os.PathLike, formats: Sequence[str] = ("csv", "xlsx")) -> list[Path]:
        """Write ``scorecard_objectives`` and ``scorecard_actions`` (French headers) atomically.

        Returns the written paths (``<directory>/scorecard_<table>.<fmt>``).
        """
        for fmt in formats:
            if fmt not in ("csv", "xlsx"):
                raise ParameterError(f"Invalid value {fmt!r} for 'formats'; allowed values are: 'csv', 'xlsx'.")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("objectives", "actions"):
            df = self.to_french(table)
            for fmt in formats:
                written.append(_write_atomic(df, directory / f"scorecard_{table}.{fmt}", fmt, table))
        return written


def _write_atomic(df: pd.DataFrame, target: Path, fmt: str, sheet: str) -> Path:
    with atomic_path(target) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, index=False, encoding="utf-8")
        else:
            df.to_excel(tmp, index=False, sheet_name=sheet[:31], engine="openpyxl")
    return target


def build_scorecard(roadmap: Roadmap, indicators: pd.DataFrame) -> Scorecard:
    """Assess every series, then aggregate per action, objective and challenge."""
    series = assess_series(indicators)

    # Actions × series.
    acts = roadmap.actions[["action_id", "objective_id", "challenge_id", "title", "leads"]]
    a_series = series[series["node_id"].isin(acts["action_id"])].rename(columns={"node_id": "action_id"})
    actions = acts.merge(a_series, on="action_id", how="left", sort=False)
    actions["status"] = actions["status"].fillna(STATUS_NO_DATA)
    actions["basis"] = actions["basis"].fillna(BASIS_NONE)
    actions["n_observations"] = actions["n_observations"].fillna(0).astype("Int64")
    action_status = actions.groupby("action_id", sort=False)["status"].agg(aggregate_status)
    actions["action_status"] = actions["action_id"].map(action_status)
    actions = actions.drop(columns=["indicator_ids"]).reset_index(drop=True)

    covered = set(a_series["action_id"])
    uncovered = roadmap.actions.loc[~roadmap.actions["action_id"].isin(covered),
                                    ["action_id", "objective_id", "title"]].reset_index(drop=True)
    coverage = Coverage(n_actions=len(roadmap.actions), n_covered=len(covered), uncovered=uncovered)

    def node_rows(level_df, id_col, child_status: pd.Series, child_parent: pd.Series, extra_cols):
        rows = []
        for rec in level_df.itertuples(index=False):
            node_id = getattr(rec, id_col)
            kids = child_status[child_parent == node_id]
            own = series.loc[series["node_id"] == node_id, "status"]
            row = {c: getattr(rec, c) for c in extra_cols}
            row.update({_STATUS_COUNT_COLUMNS[s]: int((kids == s).sum()) for s in STATUSES})
            row["n_own_series"] = int(len(own))
            row["own_series_status"] = aggregate_status(own) if len(own) else STATUS_NO_DATA
            row["status"] = aggregate_status(list(kids) + list(own))
            rows.append(row)
        return pd.DataFrame(rows)

    a_unique = roadmap.actions[["action_id", "objective_id"]].assign(status=lambda d: d["action_id"].map(action_status))
    objectives = node_rows(
        roadmap.objectives, "objective_id", a_unique["status"], a_unique["objective_id"],
        ["objective_id", "challenge_id", "keyword", "title", "n_actions"],
    )
    objectives.insert(
        5, "n_actions_with_data",
        objectives["objective_id"].map(
            a_unique[a_unique["action_id"].isin(covered)].groupby("objective_id").size()
        ).fillna(0).astype(int),
    )
    objectives.insert(6, "coverage_pct", (100 * objectives["n_actions_with_data"] / objectives["n_actions"]).round(0))

    ch = roadmap.challenges[["challenge_id", "keyword", "title", "n_objectives", "n_actions"]]
    obj_status = objectives.set_index("objective_id")["status"]
    challenges = []
    for rec in ch.itertuples(index=False):
        kids = objectives[objectives["challenge_id"] == rec.challenge_id]
        a_kids = a_unique[a_unique["objective_id"].isin(kids["objective_id"])]
        own = series.loc[series["node_id"] == rec.challenge_id, "status"]
        row = {
            "challenge_id": rec.challenge_id, "keyword": rec.keyword, "title": rec.title,
            "n_objectives": rec.n_objectives, "n_actions": rec.n_actions,
            "n_actions_with_data": int(a_kids["action_id"].isin(covered).sum()),
        }
        row["coverage_pct"] = round(100 * row["n_actions_with_data"] / rec.n_actions)
        row.update({_STATUS_COUNT_COLUMNS[s]: int((a_kids["status"] == s).sum()) for s in STATUSES})
        row["status"] = aggregate_status(list(obj_status[kids["objective_id"]]) + list(own))
        challenges.append(row)
    challenges = pd.DataFrame(challenges)

    return Scorecard(series=series, actions=actions, objectives=objectives, challenges=challenges, coverage=coverage)


# ------------------------------------------------------------------ headline results of other notebooks

#: Analysis notebooks whose headline results the assessment gathers.
ANALYSIS_NOTEBOOKS: tuple[str, ...] = ("01_territorial_comparison", "02_employment_trends", "03_siae_impact")

HEADLINE_COLUMNS_FR = ["analyse", "exécution", "indicateur", "valeur", "unité", "intervalle (95 %)",
                       "nature des données", "source"]


def format_number_fr(value, digits: int | None = None) -> str:
    """French display of a number: narrow no-break thousands separator, decimal comma.

    ``digits`` None → 0 decimals from 100 upward, else up to 2 (trailing zeros dropped).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if digits is None:
        digits = 0 if abs(value) >= 100 else 2
    text = f"{value:,.{digits}f}"
    if digits > 0:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(",", "\u202f").replace(".", ",")


def _kind_label(kind) -> str:
    if kind == "demo":
        return "⚠ " + DEMO_LABEL
    if kind == "real":
        return REAL_LABEL
    if kind == "mixed":
        return f"{REAL_LABEL} et ⚠ {DEMO_LABEL}"
    return "nature non précisée"


def load_results_safely(directory: str | os.PathLike) -> tuple[list[dict], list[str]]:
    """Like :func:`esstools.results.load_all`, but an unreadable file becomes a French message, not an error.

    Returns (payloads sorted by file name, messages). A missing directory gives ([], []).
    """
    directory = Path(directory)
    payloads, problems = [], []
    if not directory.is_dir():
        return payloads, problems
    for path in sorted(directory.glob("*--*.json")):
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, dict):
                raise ValueError("le contenu n'est pas un objet JSON")
        except (OSError, ValueError) as exc:
            problems.append(f"fichier de résultats illisible « {path.name} » : {exc}")
            continue
        data.setdefault("notebook", path.stem.split("--", 1)[0])
        data.setdefault("run", path.stem.split("--", 1)[-1])
        payloads.append(data)
    return payloads, problems


def headline_results_table(
    results: Sequence[dict], expected: Sequence[str] = ANALYSIS_NOTEBOOKS, exclude: Sequence[str] = ("00_roadmap_assessment",)
) -> tuple[pd.DataFrame, list[str]]:
    """French table of the headline numbers of analysis notebooks, and messages for missing ones.

    ``results`` is :func:`esstools.results.load_all` output. Each headline
    item gives a row: analysis, run, French label, value, unit, 95 % interval,
    data kind (demo rows carry :data:`esstools.provenance.DEMO_LABEL`), source.
    Malformed items are shown with « — » rather than failing.
    """
    rows = []
    seen = set()
    for payload in results:
        if not isinstance(payload, dict):
            continue
        nb = str(payload.get("notebook", "?"))
        if nb in exclude:
            continue
        seen.add(nb)
        run = str(payload.get("run", "default"))
        headline = payload.get("headline") or {}
        if not isinstance(headline, dict) or not headline:
            rows.append([nb, run, "aucun résultat principal dans le fichier", "—", "—", "—",
                         _kind_label(payload.get("data_kind")), str(payload.get("source", "—"))])
            continue
        for name, item in headline.items():
            item = item if isinstance(item, dict) else {"value": item}
            ci = item.get("ci95")
            if isinstance(ci, (list, tuple)) and len(ci) == 2:
                interval = f"[{format_number_fr(ci[0])} ; {format_number_fr(ci[1])}]"
            else:
                interval = "—"
            kind = item.get("data_kind", payload.get("data_kind"))
            rows.append([
                nb, run, str(item.get("label_fr") or name), format_number_fr(item.get("value")),
                str(item.get("unit") or "—"), interval, _kind_label(kind),
                str(item.get("source") or payload.get("source") or "—"),
            ])
    missing = [
        f"résultat non disponible : exécuter `esstools run notebooks/{nb}.ipynb` (fichier attendu « {nb}--<exécution>.json »)."
        for nb in expected if nb not in seen
    ]
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS_FR), missing
