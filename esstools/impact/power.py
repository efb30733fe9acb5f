"""Power analysis by simulation of the estimators reported: minimum detectable effects (MDE).

The simulator is an argument (``simulator(n_siae, n_years, n_sims, seed)`` returning stacked
panels with ``revenue``, ``revenue0``, ``hours``, ``reserved``, ``cohort`` and ``years`` arrays, as
:func:`esstools.sources.siae.power_simulator` gives for the demo generator): this module never
imports :mod:`esstools.synth`.

For each number of SIAE and of years, ``n_sims`` panels are drawn and the estimators the report
uses are fitted on all of them at once:

- ``att``: effect of the first reserved-market award on annual revenue by **Callaway–Sant'Anna**
  (simple aggregation, never-awarded controls, normal critical values) — the headline estimator;
- ``att_twfe``: the same effect by the static TWFE difference-in-differences (for comparison: the
  former MDE of the report);
- ``reserved``: revenue per euro of reserved market (TWFE, € per €);
- ``hours``: revenue per 1,000 clause hours (TWFE, €).

MDE at power 1 - beta and two-sided level alpha: ``mde = (c_{1-alpha/2} + q_{1-beta}) x mean(se)``
with the standard errors of the reported estimator over the simulated panels (c, q normal for
Callaway–Sant'Anna, t(G-1) for TWFE). Check by simulation, ``mde_simulated``: the smallest delta
such that at least 1 - beta of the simulated tests |est_r - mean(est) + delta| / se_r > c reject.
The shift is exact: adding delta to the treated SIAE's post-award revenue (or delta x regressor)
moves each estimate by delta and leaves its standard error unchanged (the estimators are linear in
revenue, and the estimated aggregation weights' term of the influence function sums to zero). The
closed form is the one shown (a quantile of a few dozen simulations is noisier than their mean
standard error); tests check that both agree and that the power at ``mde`` is 80 %.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..display import fmt_number
from ._core import batched_twfe
from .staggered import aggregate, cs_cells

TARGETS = ("att", "att_twfe", "reserved", "hours")
TARGET_LABELS_FR = {
    "att": "Effet de la 1re attribution, Callaway–Sant'Anna (€/an)",
    "att_twfe": "Effet de la 1re attribution, TWFE statique (€/an)",
    "reserved": "€ de chiffre d'affaires par € de marché réservé (TWFE)",
    "hours": "€ de chiffre d'affaires pour 1 000 heures (TWFE)",
}


def mde_factor(n_clusters: int | None, alpha: float = 0.05, power: float = 0.8) -> float:
    """(c_{1-alpha/2} + q_{power}): t with G - 1 degrees of freedom, or normal when ``n_clusters`` is None."""
    if n_clusters is None:
        return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    df = n_clusters - 1
    return float(stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df))


def simulated_mde(est: np.ndarray, se: np.ndarray, crit: float, power: float = 0.8) -> float:
    """Smallest delta >= 0 such that a share >= ``power`` of |est - mean(est) + delta| / se exceeds ``crit``."""
    ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
    centred, se = est[ok] - est[ok].mean(), se[ok]

    def pw(delta: float) -> float:
        return float(np.mean(np.abs(centred + delta) / se > crit))

    lo, hi = 0.0, 2.0 * (crit + 3.0) * float(se.max())
    if pw(lo) >= power:
        return 0.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if pw(mid) >= power else (mid, hi)
        if hi - lo <= 1e-9 * hi:
            break
    return hi


def simulate_estimates(simulator: Callable, n_siae: int, n_years: int, n_sims: int, seed: int = 0) -> dict:
    """Estimates and standard errors of the four targets on ``n_sims`` simulated panels."""
    sim = simulator(n_siae, n_years, n_sims, seed)
    y = sim.revenue
    b, se = batched_twfe(y, np.stack([sim.hours / 1000.0, sim.reserved], -1))
    d = ((sim.cohort[..., None] > 0) & (sim.years[None, None, :] >= sim.cohort[..., None])).astype(float)
    bd, sed = batched_twfe(y, d[..., None])
    cs = cs_cells(y, sim.cohort, sim.years, "never", "varying", include_pre=False)
    e = np.array([c[2] for c in cs.cells])
    att, inf, _ = aggregate(cs, e >= 0)
    se_cs = np.sqrt((inf**2).sum(1)) / y.shape[1]
    return {"att": (att, se_cs), "att_twfe": (bd[:, 0], sed[:, 0]), "hours": (b[:, 0], se[:, 0]),
            "reserved": (b[:, 1], se[:, 1]), "mean_revenue": float(sim.revenue0.mean())}


def mde_grid(simulator: Callable, n_siae_grid: Sequence[int] = (60, 123, 250), years_grid: Sequence[int] = (4, 6, 8, 10),
             n_sims: int = 50, seed: int = 0, alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """MDE of each target for every (number of SIAE, number of years); one row per cell and target.

    Columns: ``n_siae``, ``n_years``, ``target``, ``label_fr``, ``mde``, ``mde_simulated`` (check),
    ``se_mean``, ``se_empirical``, ``mde_pct_mean_revenue`` (effects of the first award), ``n_sims``.
    """
    rows = []
    for i, n in enumerate(n_siae_grid):
        for j, t in enumerate(years_grid):
            out = simulate_estimates(simulator, int(n), int(t), n_sims, seed=seed * 1000 + i * 100 + j)
            for target in TARGETS:
                est, se = out[target]
                ok = np.isfinite(se) & np.isfinite(est)
                clusters = None if target == "att" else int(n)
                crit = stats.norm.ppf(1 - alpha / 2) if clusters is None else stats.t.ppf(1 - alpha / 2, clusters - 1)
                mde = mde_factor(clusters, alpha, power) * float(np.mean(se[ok]))
                rows.append({"n_siae": int(n), "n_years": int(t), "target": target, "label_fr": TARGET_LABELS_FR[target],
                             "mde": mde, "mde_simulated": simulated_mde(est, se, float(crit), power),
                             "se_mean": float(np.mean(se[ok])), "se_empirical": float(np.std(est[ok], ddof=1)),
                             "mde_pct_mean_revenue": (100 * mde / out["mean_revenue"]) if target.startswith("att") else np.nan,
                             "n_sims": int(ok.sum())})
    return pd.DataFrame(rows)


def power_curve(effect_grid: Sequence[float], se: float, n_clusters: int | None, alpha: float = 0.05) -> pd.DataFrame:
    """Power of the two-sided test (t with G - 1 df, or normal) for true effects ``effect_grid`` given ``se``."""
    dist = stats.norm if n_clusters is None else stats.t(n_clusters - 1)
    c = dist.ppf(1 - alpha / 2)
    eff = np.asarray(effect_grid, float)
    pw = dist.sf(c - eff / se) + dist.cdf(-c - eff / se)
    return pd.DataFrame({"effect": eff, "power": pw})


#: Display of each target in :func:`mde_table_fr`: French label with unit, divisor, decimals, unit suffix.
TARGET_DISPLAY_FR = {
    "att": ("1re attribution, Callaway–Sant'Anna (k€ de CA par an)", 1e3, 0, " k€"),
    "att_twfe": ("1re attribution, TWFE statique (k€ de CA par an)", 1e3, 0, " k€"),
    "hours": ("Heures d'insertion (k€ de CA pour 1\u202f000 h)", 1e3, 1, " k€"),
    "reserved": ("Marchés réservés (€ de CA par € de marché)", 1.0, 2, " €"),
}


def mde_table_fr(grid: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing French view of :func:`mde_grid`: columns "effet", "SIAE", then one per number of
    years ("4 années"…), values formatted in French with their unit ("66 k€", "0,72 €")."""
    rows = []
    for target in TARGET_DISPLAY_FR:
        if target not in set(grid["target"]):
            continue
        label, div, dec, unit = TARGET_DISPLAY_FR[target]
        sub = grid[grid["target"] == target]
        for n in sorted(sub["n_siae"].unique()):
            cells = sub[sub["n_siae"] == n].set_index("n_years")["mde"].sort_index()
            rows.append({"effet": label, "SIAE": int(n),
                         **{f"{int(t)} années": fmt_number(v / div, dec) + unit for t, v in cells.items()}})
    return pd.DataFrame(rows)
