"""Event study around the first reserved-market award (TWFE with leads and lags).

Relative-time dummies for e = -leads..lags around the first award year, the
reference period e = -1 omitted, end points binned (e <= -leads, e >= lags),
SIAE and year fixed effects, errors clustered by SIAE. SIAE never awarded
are controls (all dummies 0); SIAE already awarded in the first panel year
(left-censored) are left out and counted. The joint pre-trend test is the
cluster-robust Wald (F) test that all lead coefficients are zero
(:meth:`~esstools.impact.results.ImpactResult.pretrend_test`).

Valid when effects are the same across adoption cohorts; with cohort-specific
effects use :func:`esstools.impact.staggered.callaway_santanna` (dynamic
aggregation).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..provenance import ProvenanceLike
from .panel import panel_and_provenance
from .results import ImpactResult
from .twfe import fit_fe


def term_name(e: int, leads: int, lags: int) -> str:
    """Column name of relative period ``e`` ("e-3", "e0", binned "e<=-4", "e>=5")."""
    if e <= -leads:
        return f"e<={-leads}"
    if e >= lags:
        return f"e>={lags}"
    return f"e{e}"


def event_terms(leads: int, lags: int) -> list[tuple[str, int]]:
    """Ordered (term, representative e) pairs, reference -1 excluded."""
    return [(term_name(e, leads, lags), e) for e in range(-leads, lags + 1) if e != -1]


def event_design(event_time: np.ndarray, leads: int, lags: int) -> np.ndarray:
    """Dummy matrix (..., K) from event times (NaN or < -900 = never treated)."""
    if leads < 2 or lags < 1:
        raise ParameterError(f"leads must be >= 2 and lags >= 1 (got leads={leads}, lags={lags}).")
    e = np.asarray(event_time, dtype=float)
    e = np.where(np.isnan(e), -999.0, e)
    cols = []
    for _, rep in event_terms(leads, lags):
        if rep == -leads:
            cols.append((e <= -leads) & (e > -900))
        elif rep == lags:
            cols.append(e >= lags)
        else:
            cols.append(e == rep)
    return np.stack(cols, axis=-1).astype(float)


def event_study(
    data,
    outcome: str = "revenue_eur",
    leads: int = 4,
    lags: int = 5,
    controls: Sequence[str] = (),
    *,
    provenance: ProvenanceLike | None = None,
) -> ImpactResult:
    """TWFE event study of ``outcome`` around the first award (``data``: Assembly, or DataFrame + provenance).

    ``extra["event_times"]`` maps each term to its event time; ``pretrend_test()`` tests the leads.
    """
    panel, prov = panel_and_provenance(data, provenance)
    df = panel[~panel["left_censored"]].copy() if "left_censored" in panel.columns else panel.copy()
    n_left = panel.loc[panel.get("left_censored", pd.Series(False, index=panel.index)).astype(bool), "siren"].nunique()
    et = pd.to_numeric(df["event_time"], errors="coerce").to_numpy(dtype=float)
    x = event_design(et, leads, lags)
    terms = [t for t, _ in event_terms(leads, lags)]
    for j, t in enumerate(terms):
        df[t] = x[:, j]
    used = [t for t in terms if df[t].sum() > 0]
    labels = {t: ("période " + t[1:].replace("<=", "≤ ").replace(">=", "≥ ")) for t in terms}
    res = fit_fe(df, outcome, [*used, *controls], estimator="event_study", labels=labels, provenance=prov,
                 title_fr="Étude d'événement autour de la première attribution d'un marché réservé (référence : année −1)")
    notes = list(res.notes)
    if n_left:
        notes.append(f"{n_left} SIAE déjà attributaires la première année exclues (date de première attribution inconnue).")
    extra = {**res.extra, "event_times": {t: e for t, e in event_terms(leads, lags) if t in used},
             "leads": leads, "lags": lags}
    return ImpactResult(**{**res.__dict__, "notes": tuple(notes), "extra": extra})


def event_frame(res: ImpactResult, level: float = 0.95) -> pd.DataFrame:
    """Coefficients by event time (with the reference period -1 at 0) for plotting."""
    ci = res.conf_int(level)
    rows = [{"event_time": -1, "estimate": 0.0, "lower": 0.0, "upper": 0.0, "term": "ref"}]
    for t, e in res.extra["event_times"].items():
        rows.append({"event_time": e, "estimate": res.params[t], "lower": ci.loc[t, "lower"],
                     "upper": ci.loc[t, "upper"], "term": t})
    return pd.DataFrame(rows).sort_values("event_time").reset_index(drop=True)


def plot_event_study(frames: dict, ax=None, truth: pd.Series | None = None, scale: float = 1000.0,
                     ylabel: str = "Écart de chiffre d'affaires (k€)"):
    """Plot one or several event-study frames (label -> :func:`event_frame` output) with 95 % intervals."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    offsets = np.linspace(-0.15, 0.15, max(len(frames), 1))
    for off, (lab, fr) in zip(offsets, frames.items()):
        ax.errorbar(fr["event_time"] + off, fr["estimate"] / scale,
                    yerr=[(fr["estimate"] - fr["lower"]) / scale, (fr["upper"] - fr["estimate"]) / scale],
                    fmt="o", capsize=3, label=lab)
    if truth is not None:
        ax.plot(truth.index, truth.to_numpy() / scale, "k--", lw=1.2, label="vrai effet (démo)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("Années depuis la première attribution d'un marché réservé")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=8)
    return ax
