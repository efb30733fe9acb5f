"""Heterogeneity of the effects by SIAE kind, and dose-response in clause hours.

- :func:`by_kind`: TWFE (SIAE and year effects, errors clustered by SIAE) of
  revenue on clause hours and reserved-market euros interacted with the SIAE
  kind (ACI, AI, EI, ETTI, EITI): one hours effect (€ per 1,000 h) and one
  reserved-market effect (€ per €) per kind. Kinds with fewer than
  ``min_units`` SIAE exposed are left out of the interactions and counted.
  Each kind's coefficient rests on its exposed SIAE only: critical values
  t(G_k - 1), and wild cluster bootstrap intervals (Webb weights up to 12
  SIAE, Rademacher above) for every kind with fewer than 30 exposed SIAE.
- :func:`dose_response`: hours enter as a linear spline with knots (hours per
  year); each coefficient is the revenue slope (€ per 1,000 h) on one
  segment, so a concave response shows as decreasing slopes.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..display import fmt_number
from ..errors import ParameterError
from ..provenance import ProvenanceLike
from .panel import panel_and_provenance
from .results import ImpactResult, decimals_for
from .twfe import fit_fe


def by_kind(data, outcome: str = "revenue_eur", min_units: int = 5, controls: Sequence[str] = (), *,
            provenance: ProvenanceLike | None = None, wild: bool | str = "auto") -> ImpactResult:
    """Effects of hours and reserved markets by SIAE kind (terms ``hours_k:KIND``, ``reserved_market_eur:KIND``)."""
    panel, prov = panel_and_provenance(data, provenance)
    df = panel.copy()
    regs, labels, notes, term_df = [], {}, [], {}
    for kind in sorted(df["kind"].dropna().unique()):
        is_k = (df["kind"] == kind).to_numpy()
        for var, lab in (("hours_k", "Heures (par 1 000 h)"), ("reserved_market_eur", "Marchés réservés (par €)")):
            exposed = df.loc[is_k & (df[var] > 0).to_numpy(), "siren"].nunique()
            name = f"{var}:{kind}"
            if exposed < min_units:
                notes.append(f"{kind} : {exposed} SIAE exposée(s) pour « {lab} », effet non estimé (minimum {min_units}).")
                continue
            df[name] = df[var] * is_k
            regs.append(name)
            term_df[name] = int(exposed) - 1
            labels[name] = f"{lab} — {kind}"
    if not regs:
        raise ParameterError(f"No kind has at least {min_units} exposed SIAE; lower min_units.")
    res = fit_fe(df, outcome, [*regs, *controls], estimator="twfe_by_kind", labels=labels, provenance=prov, wild=wild,
                 term_clusters={k: v + 1 for k, v in term_df.items()},
                 title_fr="Effets par type de SIAE (effets fixes SIAE et année)")
    term_df = {k: min(v, res.df_dist) for k, v in term_df.items()}
    return ImpactResult(**{**res.__dict__, "notes": tuple(res.notes) + tuple(notes), "term_df": term_df})


def spline_basis(hours: np.ndarray, knots: Sequence[float]) -> tuple[np.ndarray, list[str]]:
    """Linear-spline segments of ``hours`` (in thousands of hours) and their names."""
    h = np.asarray(hours, float)
    edges = [0.0, *map(float, knots), np.inf]
    if any(b <= a for a, b in zip(edges[:-1], edges[1:])):
        raise ParameterError(f"Knots must be positive and increasing; got {list(knots)!r}.")
    cols, names = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        cols.append(np.clip(h - lo, 0.0, hi - lo) / 1000.0)
        names.append(f"hours_{int(lo)}_{'plus' if np.isinf(hi) else int(hi)}")
    return np.stack(cols, -1), names


def dose_response(data, knots: Sequence[float] = (2000.0, 5000.0), outcome: str = "revenue_eur",
                  controls: Sequence[str] = ("reserved_market_eur",), *,
                  provenance: ProvenanceLike | None = None) -> ImpactResult:
    """Piecewise-linear effect of clause hours: slope (€ per 1,000 h) on each segment between ``knots``."""
    panel, prov = panel_and_provenance(data, provenance)
    df = panel.copy()
    basis, names = spline_basis(df["insertion_hours"].to_numpy(), knots)
    labels = {}
    for j, n in enumerate(names):
        df[n] = basis[:, j]
        lo, hi = n.split("_")[1:]
        labels[n] = (f"Pente de {int(lo):,} à {int(hi):,} h (par 1 000 h)" if hi != "plus"
                     else f"Pente au-delà de {int(lo):,} h (par 1 000 h)").replace(",", "\u202f")
    return fit_fe(df, outcome, [*names, *controls], estimator="dose_response", labels=labels, provenance=prov,
                  title_fr="Dose–réponse en heures d'insertion (spline linéaire, effets fixes SIAE et année)")


def table_with_truth_fr(res: ImpactResult, truth: dict | None = None, level: float = 0.95) -> pd.DataFrame:
    """French display table of ``res`` (:meth:`ImpactResult.table_display`) with, for demo panels,
    a "vrai effet (démo)" column (``truth`` maps a term to its true value), rounded like its row."""
    out = res.table_display(level)
    if truth is not None:
        se = res.std_errors
        out["vrai effet (démo)"] = [fmt_number(truth[t], decimals_for(se[t])) if t in truth else "—"
                                    for t in res.params.index]
    return out
