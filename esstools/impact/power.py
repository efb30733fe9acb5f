"""Power analysis by simulation with the demo generator: minimum detectable effects (MDE).

For each number of SIAE and of years, ``n_sims`` panels are drawn with
:func:`esstools.synth.siae_panel.simulate_arrays` (same DGP as the demo
panel) and the TWFE estimators are fitted on all of them at once. The MDE at
power 1 - beta and two-sided level alpha is

    MDE = (t_{1-alpha/2, G-1} + t_{1-beta, G-1}) * SE

with SE the mean clustered standard error over the simulations (the
empirical standard deviation of the estimates is reported as a check).
Targets:

- ``att``: effect of the first reserved-market award on annual revenue
  (static TWFE difference-in-differences, € per year, and in % of mean revenue);
- ``reserved``: revenue per euro of reserved market (€ per €; the crowd-in is
  this minus 1);
- ``hours``: revenue per 1,000 clause hours (€).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..synth.siae_panel import TrueEffects, simulate_arrays
from ._core import batched_twfe

TARGET_LABELS_FR = {
    "att": "Effet de la 1re attribution (€/an)",
    "reserved": "€ de chiffre d'affaires par € de marché réservé",
    "hours": "€ de chiffre d'affaires pour 1 000 heures",
}


def mde_factor(n_clusters: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """(t_{1-alpha/2} + t_{power}) with G - 1 degrees of freedom."""
    df = n_clusters - 1
    return float(stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df))


def simulate_estimates(n_siae: int, n_years: int, n_sims: int, seed: int = 0, effects: TrueEffects | None = None,
                       first_year: int = 2016) -> dict:
    """Estimates and clustered SEs of the three targets on ``n_sims`` simulated panels."""
    years = range(first_year, first_year + n_years)
    sim = simulate_arrays(n_siae, years, effects or TrueEffects.homogeneous(dynamic_eur=(0.0,)), seed, n_sims)
    y = sim.revenue
    x = np.stack([sim.hours / 1000.0, sim.reserved], -1)
    b, se = batched_twfe(y, x)
    d = ((sim.cohort[..., None] > 0) & (sim.years[None, None, :] >= sim.cohort[..., None])).astype(float)
    bd, sed = batched_twfe(y, d[..., None])
    return {"hours": (b[:, 0], se[:, 0]), "reserved": (b[:, 1], se[:, 1]), "att": (bd[:, 0], sed[:, 0]),
            "mean_revenue": float(sim.revenue0.mean()), "sim": sim}


def mde_grid(n_siae_grid: Sequence[int] = (60, 123, 250), years_grid: Sequence[int] = (4, 6, 8, 10), n_sims: int = 50,
             seed: int = 0, effects: TrueEffects | None = None, alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """MDE of each target for every (number of SIAE, number of years); one row per cell and target."""
    rows = []
    for i, n in enumerate(n_siae_grid):
        for j, t in enumerate(years_grid):
            out = simulate_estimates(int(n), int(t), n_sims, seed=seed * 1000 + i * 100 + j, effects=effects)
            f = mde_factor(int(n), alpha, power)
            for target in ("att", "reserved", "hours"):
                est, se = out[target]
                ok = np.isfinite(se)
                mde = f * float(np.mean(se[ok]))
                rows.append({"n_siae": int(n), "n_years": int(t), "target": target, "label_fr": TARGET_LABELS_FR[target],
                             "se_mean": float(np.mean(se[ok])), "se_empirical": float(np.std(est[ok], ddof=1)),
                             "mde": mde, "mde_pct_mean_revenue": (100 * mde / out["mean_revenue"]) if target == "att" else np.nan,
                             "n_sims": int(ok.sum())})
    df = pd.DataFrame(rows)
    df.attrs["data_kind"] = "demo"
    return df


def power_curve(effect_grid: Sequence[float], se: float, n_clusters: int, alpha: float = 0.05) -> pd.DataFrame:
    """Power of the two-sided t test (G - 1 df) for true effects ``effect_grid`` given the standard error ``se``."""
    df = n_clusters - 1
    c = stats.t.ppf(1 - alpha / 2, df)
    eff = np.asarray(effect_grid, float)
    pw = stats.t.sf(c - eff / se, df) + stats.t.cdf(-c - eff / se, df)
    return pd.DataFrame({"effect": eff, "power": pw})


#: Display of each target in :func:`mde_table_fr`: French label with unit, divisor, decimals, unit suffix.
TARGET_DISPLAY_FR = {
    "att": ("1re attribution d'un marché réservé (k€ de CA par an)", 1e3, 0, " k€"),
    "hours": ("Heures d'insertion (k€ de CA pour 1\u202f000 h)", 1e3, 1, " k€"),
    "reserved": ("Marchés réservés (€ de CA par € de marché)", 1.0, 2, " €"),
}


def mde_table_fr(grid: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing French view of :func:`mde_grid`: one row per effect and number of SIAE
    (index levels "effet", "SIAE"), one column per number of years ("4 années"…), values rounded
    and formatted in French with their unit ("66 k€", "0,72 €")."""
    from .results import fmt_fr

    rows = []
    for target in ("att", "hours", "reserved"):
        if target not in set(grid["target"]):
            continue
        label, div, dec, unit = TARGET_DISPLAY_FR[target]
        sub = grid[grid["target"] == target]
        for n in sorted(sub["n_siae"].unique()):
            cells = sub[sub["n_siae"] == n].set_index("n_years")["mde"].sort_index()
            rows.append({"effet": label, "SIAE": int(n),
                         **{f"{int(t)} années": fmt_fr(v / div, dec) + unit for t, v in cells.items()}})
    out = pd.DataFrame(rows).set_index(["effet", "SIAE"])
    out.columns.name = "années du panel"
    return out
