"""The written status rules of the roadmap scorecard, as constants, pure functions and a French table.

A *progress status* (« en avance », « en ligne », « à surveiller ») says how an action moves
against a target or over time. It is only given when the figures can say it: a figure that
merely describes (a single value with neither target nor trend, the same statement repeated in
two documents, a figure from before the roadmap, a cumulative or undated figure, a context figure,
the characteristic of a scheme) gets « constat ». An objective's status counts the actions that
have a progress status and is « non évaluable » below :data:`MIN_EVALUATED_SHARE` of its actions.

:data:`RULES` is the rule book (one :class:`Rule` per line, with its identifier); the report
shows it with :func:`rules_table_fr`, and ``tests/test_assessment_rules.py`` tests each rule on
constructed cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import pandas as pd

from ..display import fmt_number
from ..errors import ParameterError

__all__ = [
    "AHEAD_RATIO",
    "EXCLUSION_REASONS_FR",
    "MIN_EVALUATED_SHARE",
    "PROGRESS_STATUSES",
    "RULES",
    "STABLE_TOLERANCE",
    "STATUS_AHEAD",
    "STATUS_NOT_ASSESSABLE",
    "STATUS_NO_DATA",
    "STATUS_OBSERVED",
    "STATUS_ON_TRACK",
    "STATUS_WATCH",
    "STATUSES",
    "TARGET_TOLERANCE",
    "TREND_TOLERANCE",
    "Assessment",
    "Observation",
    "Rule",
    "aggregate_actions",
    "aggregate_status",
    "classify",
    "exclusion_reason",
    "merge_repeated",
    "min_evaluated",
    "reasons_text",
    "rules_table_fr",
    "trend_of",
]

STATUS_AHEAD = "en avance"
STATUS_ON_TRACK = "en ligne"
STATUS_WATCH = "à surveiller"
STATUS_OBSERVED = "constat"
STATUS_NO_DATA = "pas de donnée"
STATUS_NOT_ASSESSABLE = "non évaluable"
#: Statuses that say how an action progresses (best first).
PROGRESS_STATUSES: tuple[str, ...] = (STATUS_AHEAD, STATUS_ON_TRACK, STATUS_WATCH)
#: Statuses of a series or an action.
STATUSES: tuple[str, ...] = PROGRESS_STATUSES + (STATUS_OBSERVED, STATUS_NO_DATA)

#: Latest value ≥ 110 % of the reference ("≥" targets) → "en avance" (≤ 90 % for "≤" targets).
AHEAD_RATIO = 1.10
#: A value short of its reference by at most 5 % still counts as "en ligne".
TARGET_TOLERANCE = 0.05
#: "stable" commitments: within ±5 % of the reference → "en ligne".
STABLE_TOLERANCE = 0.05
#: Relative change between first and last dated value beyond ±5 % → "en hausse"/"en baisse".
TREND_TOLERANCE = 0.05
#: An objective (or challenge) is assessed only when at least half of its actions have a progress status.
MIN_EVALUATED_SHARE = 0.5

TREND_UP = "en hausse"
TREND_FLAT = "stable"
TREND_DOWN = "en baisse"

BASIS_TARGET = "cible chiffrée"
BASIS_TRAJECTORY = "trajectoire vers la cible"
BASIS_STABLE = "engagement de stabilité"
BASIS_TREND = "évolution depuis le début de la feuille de route, sans cible"
BASIS_SINGLE = "une seule valeur datée, sans cible ni évolution"
BASIS_TARGET_NOT_DUE = "cible pas encore due : une deuxième valeur datée situera la trajectoire"
BASIS_STABLE_ONE = "engagement de stabilité sans niveau chiffré : il faut deux valeurs datées"
BASIS_NONE = "aucune valeur observée"

REASON_CONTEXT = "chiffre de contexte"
REASON_FEATURE = "caractéristique d'un dispositif"
REASON_CUMULATIVE = "cumul pluriannuel ou sur une période non précisée"
REASON_UNDATED = "chiffre non daté (seule l'année de publication est connue)"
REASON_PRE_ROADMAP = "chiffre antérieur à la feuille de route"
#: Why a figure describes rather than measures progress, in the order the rules test them.
EXCLUSION_REASONS_FR: tuple[str, ...] = (REASON_CONTEXT, REASON_FEATURE, REASON_CUMULATIVE, REASON_UNDATED,
                                         REASON_PRE_ROADMAP)

_EPS = 1e-9


def _pct(x: float) -> str:
    return fmt_number(100 * x, 0) + " %"


# ------------------------------------------------------------------ observations


@dataclass(frozen=True)
class Observation:
    """One observed value of a series: its year, value and what the figure is.

    ``year_basis`` "data" (the figure's year) or "publication" (undated figure: the year of the
    document); ``measure`` "annual", "level", "cumulative" or "feature"; ``context`` True for a
    figure attached to the whole roadmap (territorial context). ``documents``: the documents that
    state it (several when a statement is repeated).
    """

    year: int
    value: float
    qualifier: str = "exact"
    year_basis: str = "data"
    measure: str = "level"
    context: bool = False
    documents: tuple[str, ...] = ()


def exclusion_reason(obs: Observation, start_year: int) -> str | None:
    """Why ``obs`` describes rather than measures progress (rule R3), or None when it can count."""
    if obs.context:
        return REASON_CONTEXT
    if obs.measure == "feature":
        return REASON_FEATURE
    if obs.measure == "cumulative":
        return REASON_CUMULATIVE
    if obs.year_basis == "publication":
        return REASON_UNDATED
    if obs.year < start_year:
        return REASON_PRE_ROADMAP
    return None


def reasons_text(observations: Sequence[Observation], start_year: int) -> str:
    """French list of why ``observations`` describe (rule R3), years given for pre-roadmap figures."""
    reasons: dict[str, list[int]] = {}
    for o in observations:
        reason = exclusion_reason(o, start_year)
        if reason is not None:
            reasons.setdefault(reason, []).append(o.year)
    return " ; ".join(f"{r} ({', '.join(map(str, sorted(set(y))))})" if r == REASON_PRE_ROADMAP else r
                      for r, y in reasons.items())


def merge_repeated(observations: Iterable[Observation]) -> list[Observation]:
    """Rule R2: rows giving the same value for the same year, or the same value when one of them is
    undated, are one observation (one statement repeated or corroborated), listed once.

    The merged observation keeps the earliest year, is dated when one of its rows is, and lists
    every document. Returns observations sorted by year.
    """
    merged: list[Observation] = []
    for obs in sorted(observations, key=lambda o: (o.year, o.year_basis != "data")):
        for i, prev in enumerate(merged):
            same_value = math.isclose(prev.value, obs.value, rel_tol=1e-12, abs_tol=1e-12)
            undated = "publication" in (prev.year_basis, obs.year_basis)
            if same_value and (prev.year == obs.year or undated):
                dated = prev if prev.year_basis == "data" else obs
                merged[i] = Observation(
                    year=dated.year if dated.year_basis == "data" else prev.year, value=prev.value,
                    qualifier=prev.qualifier, year_basis=dated.year_basis, measure=prev.measure,
                    context=prev.context, documents=tuple(dict.fromkeys(prev.documents + obs.documents)))
                break
        else:
            merged.append(obs)
    return sorted(merged, key=lambda o: o.year)


# ------------------------------------------------------------------ series status


@dataclass(frozen=True)
class Assessment:
    """Status of one series: ``status``, ``basis`` (what it rests on, French), ``reference`` (value
    the latest dated one was compared with, if any), ``trend`` and ``rule`` (identifier in :data:`RULES`)."""

    status: str
    basis: str
    rule: str
    reference: float | None = None
    trend: str | None = None


def _relative_change(baseline: float, latest: float) -> float:
    if baseline == 0:
        return 0.0 if latest == 0 else math.copysign(math.inf, latest)
    return (latest - baseline) / abs(baseline)


def trend_of(first: float, last: float) -> str:
    """French trend label between the first and the last dated value (±:data:`TREND_TOLERANCE`)."""
    change = _relative_change(first, last)
    if change > TREND_TOLERANCE + _EPS:
        return TREND_UP
    if change < -TREND_TOLERANCE - _EPS:
        return TREND_DOWN
    return TREND_FLAT


def _ge(a: float, b: float) -> bool:
    return a >= b - _EPS * max(1.0, abs(b))


def _le(a: float, b: float) -> bool:
    return a <= b + _EPS * max(1.0, abs(b))


def _against(latest: float, ref: float, direction: str) -> str:
    if direction == ">=":
        if _ge(latest, AHEAD_RATIO * ref):
            return STATUS_AHEAD
        return STATUS_ON_TRACK if _ge(latest, (1 - TARGET_TOLERANCE) * ref) else STATUS_WATCH
    if _le(latest, (2 - AHEAD_RATIO) * ref):
        return STATUS_AHEAD
    return STATUS_ON_TRACK if _le(latest, (1 + TARGET_TOLERANCE) * ref) else STATUS_WATCH


def classify(
    dated: Sequence[tuple[int, float]],
    target_value: float | None = None,
    target_direction: str | None = None,
    target_year: int | None = None,
) -> Assessment:
    """Apply rules R4-R8 to the values that can measure progress (pure function).

    ``dated``: (year, value) pairs dated from the roadmap's start, one per year, after rules R2-R3.
    ``target_direction``: ``">="``, ``"<="``, ``"stable"`` or None (no target).
    """
    if target_direction not in (None, ">=", "<=", "stable"):
        raise ParameterError(f"Invalid value {target_direction!r} for 'target_direction'; allowed values are: "
                             "None, '>=', '<=', 'stable'.")
    if target_value is not None and math.isnan(target_value):
        target_value = None
    if target_direction in (">=", "<=") and target_value is None:
        raise ParameterError(f"A target with direction {target_direction!r} needs a 'target_value'.")
    dated = sorted(dated)
    if not dated:
        raise ParameterError("classify() needs at least one dated value; see rules R1 and R3.")
    (y0, v0), (y1, v1) = dated[0], dated[-1]
    n = len(dated)
    trend = trend_of(v0, v1) if n >= 2 else None

    if target_direction == "stable":
        if target_value is None and n < 2:
            return Assessment(STATUS_OBSERVED, BASIS_STABLE_ONE, "R7")
        ref = target_value if target_value is not None else v0
        dev = _relative_change(ref, v1)
        status = (STATUS_ON_TRACK if abs(dev) <= STABLE_TOLERANCE + _EPS
                  else STATUS_AHEAD if dev > 0 else STATUS_WATCH)
        return Assessment(status, BASIS_STABLE, "R7", ref, trend)

    if target_direction in (">=", "<="):
        ref, basis, rule = float(target_value), BASIS_TARGET, "R5"
        if target_year is not None and y1 < target_year:
            if n >= 2:
                ref = v0 + (target_value - v0) * (y1 - y0) / (target_year - y0)
                basis, rule = f"{BASIS_TRAJECTORY} (échéance {target_year})", "R6"
            elif _against(v1, ref, target_direction) == STATUS_WATCH:
                return Assessment(STATUS_OBSERVED, f"{BASIS_TARGET_NOT_DUE} (échéance {target_year})", "R6",
                                  float(target_value), trend)
        return Assessment(_against(v1, ref, target_direction), basis, rule, ref, trend)

    if n >= 2:
        return Assessment(STATUS_WATCH if trend == TREND_DOWN else STATUS_ON_TRACK, BASIS_TREND, "R4", v0, trend)
    return Assessment(STATUS_OBSERVED, BASIS_SINGLE, "R4")


# ------------------------------------------------------------------ aggregation


def aggregate_status(statuses: Iterable[str]) -> str:
    """Rule A1: the status of an action from the statuses of its series."""
    statuses = [s for s in statuses if s is not None]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ParameterError(f"Unknown status value(s) {unknown!r}; allowed values are: "
                             + ", ".join(repr(s) for s in STATUSES) + ".")
    progress = [s for s in statuses if s in PROGRESS_STATUSES]
    if progress:
        if STATUS_WATCH in progress:
            return STATUS_WATCH
        return STATUS_AHEAD if all(s == STATUS_AHEAD for s in progress) else STATUS_ON_TRACK
    return STATUS_OBSERVED if STATUS_OBSERVED in statuses else STATUS_NO_DATA


def min_evaluated(n_actions: int) -> int:
    """Number of actions with a progress status an objective needs to be assessed (at least 1)."""
    return max(1, math.ceil(MIN_EVALUATED_SHARE * n_actions - _EPS))


def aggregate_actions(action_statuses: Sequence[str]) -> tuple[str, str]:
    """Rules O1-O2: (status, French basis) of an objective or a challenge from its actions' statuses."""
    n = len(action_statuses)
    evaluated = [s for s in action_statuses if s in PROGRESS_STATUSES]
    documented = sum(s != STATUS_NO_DATA for s in action_statuses)
    need = min_evaluated(n)
    counts = (f"{len(evaluated)} action{'s' if len(evaluated) > 1 else ''} évaluée{'s' if len(evaluated) > 1 else ''}"
              f" sur {n} ({documented} renseignée{'s' if documented > 1 else ''})")
    if len(evaluated) < need:
        return STATUS_NOT_ASSESSABLE, f"{counts} ; il en faut au moins {need}"
    return aggregate_status(evaluated), counts


# ------------------------------------------------------------------ the rule book


@dataclass(frozen=True)
class Rule:
    """One written rule: identifier, level it applies to, situation, resulting status (French)."""

    id: str
    level: str
    situation: str
    status: str


RULES: tuple[Rule, ...] = (
    Rule("R1", "série", "Aucune valeur observée (une cible peut exister).", f"« {STATUS_NO_DATA} »"),
    Rule("R2", "série",
         "Deux lignes qui donnent la même valeur pour la même année, ou la même valeur quand l'une n'est pas "
         "datée, sont un même énoncé repris d'un document à l'autre : une seule observation, pas une série.",
         "compte une fois"),
    Rule("R3", "série",
         "Une valeur qui décrit sans mesurer l'avancement ne fonde aucun statut : chiffre de contexte "
         "(territoire), caractéristique d'un dispositif (montant unitaire, durée, capacité), cumul pluriannuel ou "
         "sur une période non précisée, chiffre non daté (seule l'année de publication est connue), chiffre "
         "antérieur à la feuille de route (avant 2024).",
         f"« {STATUS_OBSERVED} » si la série n'a que de telles valeurs"),
    Rule("R4", "série",
         "Sans cible : une seule valeur datée depuis 2024 ne dit rien de l'évolution. Avec au moins deux valeurs "
         f"datées depuis 2024, évolution entre la première et la dernière : au-delà de −{_pct(TREND_TOLERANCE)} "
         f"« {TREND_DOWN} », au-delà de +{_pct(TREND_TOLERANCE)} « {TREND_UP} », sinon « {TREND_FLAT} ».",
         f"une valeur : « {STATUS_OBSERVED} » ; deux valeurs ou plus : « {STATUS_WATCH} » si « {TREND_DOWN} », "
         f"sinon « {STATUS_ON_TRACK} »"),
    Rule("R5", "série",
         "Cible « ≥ » échue ou déjà atteinte : dernière valeur datée comparée à la cible. Cible « ≤ » : "
         f"symétrique (≤ {_pct(2 - AHEAD_RATIO)} « {STATUS_AHEAD} », ≤ {_pct(1 + TARGET_TOLERANCE)} "
         f"« {STATUS_ON_TRACK} »).",
         f"≥ {_pct(AHEAD_RATIO)} de la cible « {STATUS_AHEAD} » ; ≥ {_pct(1 - TARGET_TOLERANCE)} « {STATUS_ON_TRACK} » ; "
         f"sinon « {STATUS_WATCH} »"),
    Rule("R6", "série",
         "Cible pas encore due : avec deux valeurs datées ou plus, la référence est le point de la trajectoire "
         "linéaire qui va de la première valeur à la cible à l'échéance ; avec une seule valeur non encore "
         "à la cible, la trajectoire ne peut pas être mesurée.",
         f"trajectoire : seuils de R5 ; une seule valeur : « {STATUS_OBSERVED} »"),
    Rule("R7", "série",
         "Engagement de stabilité : référence = niveau indiqué, sinon la première valeur datée (il faut alors "
         f"deux valeurs datées) ; écart de ±{_pct(STABLE_TOLERANCE)} au plus.",
         f"dans l'écart « {STATUS_ON_TRACK} », au-dessus « {STATUS_AHEAD} », en dessous « {STATUS_WATCH} » ; "
         f"une seule valeur sans niveau : « {STATUS_OBSERVED} »"),
    Rule("R8", "série",
         "Valeurs « plus de » (planchers) et « environ » : comparées telles quelles ; la colonne « note » "
         "le signale.", "—"),
    Rule("A1", "action",
         "Statut de l'action à partir de ses séries : les statuts d'avancement priment ; un seul "
         f"« {STATUS_WATCH} » suffit à demander un examen.",
         f"« {STATUS_WATCH} » s'il y en a un ; « {STATUS_AHEAD} » si toutes le sont ; sinon « {STATUS_ON_TRACK} » ; "
         f"sans statut d'avancement : « {STATUS_OBSERVED} » si un chiffre existe, sinon « {STATUS_NO_DATA} »"),
    Rule("O1", "objectif",
         "Action renseignée = au moins un chiffre publié ; action évaluée = un statut d'avancement "
         f"(« {STATUS_AHEAD} », « {STATUS_ON_TRACK} » ou « {STATUS_WATCH} »). Le statut d'un objectif est toujours "
         "accompagné du nombre d'actions évaluées et renseignées.", "—"),
    Rule("O2", "objectif, enjeu",
         f"Moins de la moitié des actions évaluées (seuil : {_pct(MIN_EVALUATED_SHARE)} des actions, au moins une) ; "
         "sinon, statuts des actions évaluées combinés comme en A1. Les chiffres rattachés à l'objectif lui-même "
         "sont montrés à côté et ne remplacent pas des actions.",
         f"« {STATUS_NOT_ASSESSABLE} » sous le seuil ; sinon statut combiné des actions évaluées"),
)


def rules_table_fr() -> pd.DataFrame:
    """The rule book as a French table (règle, niveau, situation, statut)."""
    return pd.DataFrame([(r.id, r.level, r.situation, r.status) for r in RULES],
                        columns=["règle", "niveau", "situation", "statut"])
