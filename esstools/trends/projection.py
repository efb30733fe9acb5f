"""The pre-stated rule that picks the retained projection (break model or model average).

Rule (stated before the results are seen, see :data:`RULE_FR`):

1. If the Chow test of a break at the chosen date rejects "no break" at level
   ``alpha`` (5 %) **and** the series has at least ``min_post`` observations
   from the break on, the models that ignore the break are misspecified. The
   retained projection is the break model's (trend after the break), with its
   own prediction intervals. The break model nests the no-break trend, so
   choosing it never relies on a misspecified model: under "no break" it is
   only less precise; under a break the no-break models extrapolate the wrong
   slope and their intervals under-cover.
2. Otherwise the retained projection is the average of the models *without*
   break, weighted by ``1 / MAPE`` of the rolling-origin backtest, among the
   models scored on at least half as many forecasts as the best-scored one;
   its median and intervals are the exact quantiles of the weight-mixture of
   the models' predictive distributions (:func:`~esstools.trends.forecast.combine_forecasts`).

A break found by the sup-F test at *another* date does not change the rule
(that date is chosen by the data, so using it would be a data-driven choice);
the reading reports it as a caution.
"""

from __future__ import annotations

import html
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..provenance import DEMO_LABEL
from .breaks import BreakResult
from .forecast import ForecastResult, combine_forecasts
from .results import TrendResult, fmt_fr, p_text

RULE_BREAK = "rupture"
RULE_COMBINATION = "combinaison"

RULE_FR = (
    "**Règle de projection (fixée avant de voir les résultats).** Si le test de Chow rejette l'absence de "
    "rupture en {break_label} au seuil de {alpha} % et que la série compte au moins {min_post} observations "
    "depuis la rupture, les modèles qui ignorent la rupture sont mal spécifiés : la projection retenue est "
    "celle du **modèle avec rupture** (tendance d'après rupture), avec son propre intervalle de prévision. "
    "Sinon, la projection retenue est la **moyenne des modèles sans rupture pondérée par l'inverse de leur "
    "EAMP** au backtest (modèles évalués sur au moins la moitié des prévisions) ; sa valeur centrale et ses "
    "intervalles sont la médiane et les quantiles exacts du mélange pondéré des lois de prévision des modèles "
    "(intervalle asymétrique si les modèles divergent). Une rupture trouvée par le sup-F à une autre date ne "
    "change pas la règle (date choisie par les données) ; elle est signalée comme une réserve."
)


class ProjectionChoice:
    """Outcome of :func:`choose_projection`.

    Attributes: ``rule`` ("rupture" or "combinaison"), ``forecast`` (the retained
    :class:`ForecastResult`), ``forecasts`` (every model's forecast), ``weights``
    (model -> weight in the retained projection), ``label_fr`` (short French
    name of the retained projection), ``rule_fr`` (the rule, French Markdown),
    ``decision_fr`` (why this branch applies here, French), ``break_pvalue``,
    ``n_post``, ``alpha``, ``min_post``.
    """

    def __init__(self, *, rule: str, forecast: ForecastResult, forecasts: dict[str, ForecastResult],
                 weights: dict[str, float], label_fr: str, rule_fr: str, decision_fr: str,
                 break_pvalue: float | None, n_post: int | None, alpha: float, min_post: int,
                 break_model: str | None = None) -> None:
        self.rule = rule
        self.forecast = forecast
        self.forecasts = forecasts
        self.weights = weights
        self.label_fr = label_fr
        self.rule_fr = rule_fr
        self.decision_fr = decision_fr
        self.break_pvalue = break_pvalue
        self.n_post = n_post
        self.alpha = alpha
        self.min_post = min_post
        self.break_model = break_model

    def at(self, period) -> dict:
        """Retained projection at ``period``: value (median) and ci80 / ci95 bounds."""
        return self.forecast.at(period)

    def role(self, model: str) -> str:
        """French role of ``model`` in the retained projection (retained, weighted or discarded and why)."""
        if self.rule == RULE_BREAK:
            return "retenu" if model in self.weights else "écarté : ignore la rupture"
        if model in self.weights:
            return f"pondéré ({fmt_fr(100 * self.weights[model], 0)} %)"
        if model == self.break_model:
            if self.break_pvalue is not None and self.break_pvalue < self.alpha:
                return "écarté : trop peu d'observations après la rupture"
            return "écarté : rupture non établie"
        return "écarté : trop peu de prévisions au backtest"

    def to_frame(self, period) -> pd.DataFrame:
        """French table at ``period``: each model's projection and intervals and its role; in the
        combination branch a last row gives the retained weighted average."""
        items = list(self.forecasts.items())
        if self.rule == RULE_COMBINATION:
            items.append(("moyenne pondérée (retenue)", self.forecast))
        rows = []
        for key, fc in items:
            a = fc.at(period)
            rows.append({
                "modèle": key, "projection": a["value"], "IC 80 % bas": a["ci80"][0], "IC 80 % haut": a["ci80"][1],
                "IC 95 % bas": a["ci95"][0], "IC 95 % haut": a["ci95"][1],
                "rôle": "retenue" if fc is self.forecast and key not in self.forecasts else self.role(key),
            })
        return pd.DataFrame(rows)

    def summary(self, period=None) -> str:
        period = period if period is not None else self.forecast.frame.index[-1]
        a = self.at(period)
        lines = [f"Projection retenue ({self.label_fr})"]
        if self.forecast.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        lines.append(self.decision_fr)
        lines.append(f"{period} : {fmt_fr(a['value'], 0)} (IC 80 % : {fmt_fr(a['ci80'][0], 0)} – "
                     f"{fmt_fr(a['ci80'][1], 0)} ; IC 95 % : {fmt_fr(a['ci95'][0], 0)} – {fmt_fr(a['ci95'][1], 0)})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def combination_weights(backtest, models: Sequence[str], metric: str = "mape", min_share: float = 0.5) -> dict[str, float]:
    """Inverse-score weights of ``models`` that the backtest scored on ≥ ``min_share`` of the maximum forecasts."""
    scores = backtest.scores
    present = [m for m in models if m in scores.index]
    if not present:
        raise ParameterError(f"None of the models {list(models)} was scored by the backtest "
                             f"(scored: {list(scores.index)}).")
    n = scores.loc[present, "n_forecasts"]
    keep = [m for m in present if n[m] >= min_share * n.max()]
    inv = 1.0 / scores.loc[keep, metric].clip(lower=1e-12)
    return {str(k): float(v) for k, v in (inv / inv.sum()).items()}


def choose_projection(models: Mapping[str, TrendResult], until=2028, *, backtest=None,
                      weights: Mapping[str, float] | None = None, alpha: float = 0.05, min_post: int = 3,
                      metric: str = "mape", min_share: float = 0.5,
                      levels: Sequence[float] = (0.8, 0.95)) -> ProjectionChoice:
    """Apply the projection rule (module docstring) to fitted ``models`` (name -> result).

    The break model is the (single) :class:`BreakResult` among ``models``; its
    Chow p-value decides. Without rejection, the models without break are
    averaged with ``weights`` if given, else with 1/``metric`` weights from
    ``backtest`` (:class:`~esstools.trends.backtest.BacktestResult`, models
    matched by name). Returns a :class:`ProjectionChoice`.
    """
    if not (0 < alpha < 1):
        raise ParameterError(f"Invalid alpha={alpha!r}; expected a level strictly between 0 and 1 (e.g. 0.05).")
    if int(min_post) < 1:
        raise ParameterError(f"Invalid min_post={min_post!r}; expected at least 1 observation after the break.")
    if not models:
        raise ParameterError("choose_projection needs at least one fitted model.")
    breaks = [k for k, r in models.items() if isinstance(r, BreakResult)]
    if len(breaks) > 1:
        raise ParameterError(f"choose_projection needs at most one break model; got {breaks}.")
    forecasts = {k: r.forecast(until, levels) for k, r in models.items()}
    pct = fmt_fr(100 * alpha, 0)
    brk_key = breaks[0] if breaks else None
    brk = models[brk_key] if brk_key else None
    n_post = int(np.sum(brk.data.time >= brk.break_time - 1e-9)) if brk is not None else None
    p = float(brk.chow_pvalue) if brk is not None else None
    rule_fr = RULE_FR.format(break_label=brk.break_label if brk is not None else "(date choisie)", alpha=pct,
                             min_post=int(min_post))
    if brk is not None and p < alpha and n_post >= min_post:
        label = f"modèle avec rupture en {brk.break_label}, tendance d'après rupture"
        decision = (f"Le test de Chow rejette l'absence de rupture en {brk.break_label} ({p_text(p)}, seuil {pct} %) "
                    f"avec {n_post} observations depuis la rupture : les modèles sans rupture sont écartés ; "
                    f"la projection retenue est celle du modèle avec rupture.")
        fc = forecasts[brk_key]
        return ProjectionChoice(rule=RULE_BREAK, forecast=fc, forecasts=forecasts, weights={brk_key: 1.0},
                                label_fr=label, rule_fr=rule_fr, decision_fr=decision, break_pvalue=p,
                                n_post=n_post, alpha=alpha, min_post=int(min_post),
                                break_model=brk_key)
    others = [k for k in models if k != brk_key]
    if not others:
        raise ParameterError("The break is not established and no model without break was given; "
                             "add at least one model without break (e.g. fit_loglinear).")
    if weights is not None:
        w = {k: float(weights[k]) for k in others if k in weights}
        if not w:
            raise ParameterError(f"No weight given for the models without break {others}; got {list(weights)}.")
    elif backtest is not None:
        w = combination_weights(backtest, others, metric=metric, min_share=min_share)
    else:
        raise ParameterError("choose_projection needs either a backtest (for 1/MAPE weights) or explicit weights.")
    total = sum(w.values())
    w = {k: v / total for k, v in w.items()}
    label = "moyenne des modèles sans rupture pondérée par 1/EAMP" if weights is None else \
        "moyenne pondérée des modèles sans rupture"
    combined = combine_forecasts([forecasts[k] for k in w], list(w.values()), label=label)
    if brk is None:
        decision = "Aucun modèle avec rupture n'est estimé : la projection retenue est la moyenne pondérée des modèles."
    elif p >= alpha:
        decision = (f"Le test de Chow ne rejette pas l'absence de rupture en {brk.break_label} ({p_text(p)}, "
                    f"seuil {pct} %) : la projection retenue est la moyenne des modèles sans rupture.")
    else:
        decision = (f"Le test de Chow rejette l'absence de rupture en {brk.break_label} ({p_text(p)}), mais la "
                    f"série ne compte que {n_post} observation(s) depuis la rupture (il en faut {int(min_post)}) : "
                    f"la pente d'après rupture est trop incertaine, la projection retenue est la moyenne des "
                    f"modèles sans rupture.")
    return ProjectionChoice(rule=RULE_COMBINATION, forecast=combined, forecasts=forecasts, weights=w,
                            label_fr=label, rule_fr=rule_fr, decision_fr=decision, break_pvalue=p, n_post=n_post,
                            alpha=alpha, min_post=int(min_post), break_model=brk_key)
