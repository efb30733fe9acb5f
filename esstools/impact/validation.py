"""Coverage of the 95 % intervals with few clusters: analytic vs wild bootstrap, on simulated panels.

The simulated panels come from the caller (``benchmarks/impact_validation.py`` and the tests pass
:func:`esstools.synth.siae_panel.simulate_arrays` output; this module never imports the generator).
Each function returns one row per coefficient: the number of clusters it rests on, the share of
replications whose analytic interval covers the truth, the same for the wild bootstrap interval
(:mod:`esstools.impact.bootstrap`), and the number of replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import bootstrap
from ._core import batched_twfe, cr1_factor, demean_balanced
from .heterogeneity import spline_basis
from .staggered import CSCells, aggregate, cs_cells


def _wcr_covers(y, x, truth, clusters_per_term, reps, seed, terms=None) -> np.ndarray:
    """(R, K) booleans: does the WCR interval of each term (of ``terms``, default all) cover its truth."""
    r_n, n, t = y.shape
    k = x.shape[-1]
    idx = np.repeat(np.arange(n), t)
    adj = cr1_factor(n, n * t, k, t)
    yd, xd = demean_balanced(y), demean_balanced(x)
    out = np.zeros((r_n, k), bool)
    for r in range(r_n):
        for j in (range(k) if terms is None else terms):
            w = bootstrap.wild_cluster_ci(yd[r].ravel(), xd[r].reshape(n * t, k), idx, j, adj, reps=reps,
                                          weights=bootstrap.weight_kind(clusters_per_term[j]), seed=seed + r)
            out[r, j] = w["ci_lower"] <= truth[j] <= w["ci_upper"]
    return out


def twfe_coverage(y: np.ndarray, x: np.ndarray, truth, names, clusters_per_term, reps: int = bootstrap.REPS,
                  seed: int = 0) -> pd.DataFrame:
    """Coverage of TWFE coefficients: analytic CR1 + t(G_j - 1) intervals vs WCR bootstrap intervals.

    ``y`` (R, N, T) and ``x`` (R, N, T, K) balanced panels; ``clusters_per_term``: G_j, the clusters
    each coefficient rests on (t(G_j - 1) critical values, Webb weights up to 12).
    """
    truth = np.asarray(truth, float)
    b, se = batched_twfe(y, x)
    crit = np.array([stats.t.ppf(0.975, g - 1) for g in clusters_per_term])
    analytic = np.abs(b - truth) <= crit * se
    wild = _wcr_covers(y, x, truth, clusters_per_term, reps, seed)
    return pd.DataFrame({"coefficient": list(names), "clusters": list(clusters_per_term),
                         "analytic": analytic.mean(0), "wild_bootstrap": wild.mean(0),
                         "weights": [bootstrap.weight_kind(g) for g in clusters_per_term], "replications": len(y)})


def by_kind_design(sim, kinds=("ACI", "AI", "EI", "ETTI")) -> tuple:
    """(y, x, truth, names, clusters) of the hours-by-kind regression on a simulation."""
    all_kinds = ["ACI", "AI", "EI", "ETTI", "EITI"]
    xs = [sim.hours / 1000 * (sim.kinds == k)[None, :, None] for k in all_kinds]
    x = np.stack([*xs, sim.reserved], -1)
    ef = sim.effects
    keep = [all_kinds.index(k) for k in kinds]
    truth_all = [ef.hours_eur_per_1000h * ef.hours_kind_multiplier.get(k, 1.0) for k in all_kinds] + [1 + ef.crowd_in]
    return (sim.revenue, x, keep, [truth_all[j] for j in keep], [f"heures — {k}" for k in kinds],
            [int((sim.kinds == k).sum()) for k in kinds])


def by_kind_coverage(sim, reps: int = bootstrap.REPS, seed: int = 0, kinds=("ACI", "AI", "EI", "ETTI")) -> pd.DataFrame:
    """Coverage of the hours effect of each kind (as :func:`esstools.impact.by_kind`)."""
    y, x, keep, truth, names, clusters = by_kind_design(sim, kinds)
    b, se = batched_twfe(y, x)
    crit = np.array([stats.t.ppf(0.975, g - 1) for g in clusters])
    analytic = np.abs(b[:, keep] - np.asarray(truth)) <= crit * se[:, keep]
    full_truth = np.zeros(x.shape[-1])
    full_truth[keep] = truth
    wild = _wcr_covers(y, x, full_truth, dict(zip(keep, clusters)), reps, seed, terms=keep)[:, keep]
    return pd.DataFrame({"coefficient": names, "clusters": clusters, "analytic": analytic.mean(0),
                         "wild_bootstrap": wild.mean(0), "weights": [bootstrap.weight_kind(g) for g in clusters],
                         "replications": len(y)})


def dose_top_coverage(sim, knots=(2000.0, 5000.0), reps: int = bootstrap.REPS, seed: int = 0) -> pd.DataFrame:
    """Coverage of the slope above the last knot of the dose-response (few SIAE-years beyond it)."""
    basis, _ = spline_basis(sim.hours, knots)
    x = np.concatenate([basis, sim.reserved[..., None]], -1)
    ef = sim.effects
    truth = np.array([ef.hours_eur_per_1000h * s for s in ef.hours_slopes] + [1 + ef.crowd_in])
    top = len(knots)
    g = int(np.median((basis[..., top] > 0).any(axis=2).sum(axis=1)))
    b, se = batched_twfe(sim.revenue, x)
    n = sim.revenue.shape[1]
    analytic = np.abs(b[:, top] - truth[top]) <= stats.t.ppf(0.975, n - 1) * se[:, top]
    wild = _wcr_covers(sim.revenue, x, truth, {top: g}, reps, seed, terms=[top])[:, top]
    return pd.DataFrame({"coefficient": [f"pente au-delà de {int(knots[-1])} h"], "clusters": [g],
                         "analytic": [analytic.mean()], "wild_bootstrap": [wild.mean()],
                         "weights": [bootstrap.weight_kind(g)], "replications": [len(b)]})


def cs_wild_ci(cs: CSCells, w: np.ndarray, theta: float, inf: np.ndarray, rep: int = 0, *, level: float = 0.95,
            reps: int = bootstrap.REPS, seed: int = bootstrap.SEED) -> dict:
    """Evidence only (not used by the estimator): wild bootstrap-t interval of one aggregation (weights ``w`` (C,)) of replication ``rep``.

    Each SIAE gets one weight v_i (Rademacher, Webb up to 12 SIAE) multiplying its residual change in
    every cell (the change minus its group's mean), so that Delta y* = group mean + residual x v.
    Each bootstrap sample is re-estimated — theta* from the new group means — and re-studentised with
    its own influence functions (residuals re-centred within each group, same small-sample factors,
    estimated-weights term multiplied by v_i); the interval is theta - q(t*) se at the 2.5 % and
    97.5 % quantiles of t* = (theta* - theta) / se*, and the p-value (H0: theta = 0) the share of
    |t*| at least the observed |t|. Small treated groups then widen the interval as they should.
    """
    tr, ct, res = cs.treated[rep], cs.control[rep], cs.resid[rep]  # (C, N)
    n = tr.shape[1]
    kind = bootstrap.weight_kind(n)
    v = bootstrap.draw_weights(kind, n, reps, seed)  # (N, B)
    sel = w != 0
    tr, ct, res, wc = tr[sel], ct[sel], res[sel], w[sel]
    n_t, n_c = tr.sum(1).astype(float), ct.sum(1).astype(float)
    f_t = np.sqrt(n_t / np.maximum(n_t - 1, 1)) if cs.small_sample else np.ones_like(n_t)
    f_c = np.sqrt(n_c / np.maximum(n_c - 1, 1)) if cs.small_sample else np.ones_like(n_c)
    a_t, a_c = (n * f_t / n_t)[:, None] * tr, (n * f_c / n_c)[:, None] * ct  # (C', N)
    cell_part = np.einsum("c,cn->n", wc, (a_t - a_c) * res)
    wpart = inf - cell_part  # estimated-weights term of the influence function
    u = res[:, :, None] * v[None]  # (C', N, B)
    m_t = np.einsum("cn,cnb->cb", tr, u) / n_t[:, None]
    m_c = np.einsum("cn,cnb->cb", ct, u) / n_c[:, None]
    theta_star = np.einsum("c,cb->b", wc, m_t - m_c)
    e_star = u - tr[:, :, None] * m_t[:, None, :] - ct[:, :, None] * m_c[:, None, :]
    psi = np.einsum("c,cnb->nb", wc, (a_t - a_c)[:, :, None] * e_star) + wpart[:, None] * v
    se_star = np.sqrt((psi**2).sum(0)) / n
    t_star = theta_star / np.where(se_star > 0, se_star, np.inf)
    se = np.sqrt((inf**2).sum()) / n
    lo_q, hi_q = np.quantile(t_star, [(1 - level) / 2, (1 + level) / 2])
    t_obs = abs(theta / se) if se > 0 else np.inf
    return {"ci_lower": theta - hi_q * se, "ci_upper": theta - lo_q * se,
            "pvalue": float(np.mean(np.abs(t_star) >= t_obs - 1e-12 * max(1.0, t_obs))), "weights": kind,
            "reps": reps, "clusters": n}


def cs_small_coverage(sim, truth: np.ndarray, reps: int = bootstrap.REPS, seed: int = 0) -> pd.DataFrame:
    """Coverage of the Callaway–Sant'Anna simple ATT on small panels: normal, t(N-1) (what esstools uses below
    30 SIAE) and a wild bootstrap-t (:func:`cs_wild_ci`, shown to fail when cohorts hold a single SIAE)."""
    cs = cs_cells(sim.revenue, sim.cohort, sim.years, "never", "varying", include_pre=False)
    e = np.array([c[2] for c in cs.cells])
    th, inf, w = aggregate(cs, e >= 0)
    truth_r = (w * truth[None, :]).sum(1)
    n = sim.revenue.shape[1]
    se = np.sqrt((inf**2).sum(1)) / n
    ok = np.isfinite(th) & np.isfinite(se)
    analytic = np.abs(th - truth_r) <= stats.norm.ppf(0.975) * se
    student = np.abs(th - truth_r) <= stats.t.ppf(0.975, n - 1) * se
    wild = np.zeros(len(th), bool)
    for r in np.flatnonzero(ok):
        b = cs_wild_ci(cs, w[r], float(th[r]), inf[r], rep=r, reps=reps, seed=seed + r)
        wild[r] = b["ci_lower"] <= truth_r[r] <= b["ci_upper"]
    return pd.DataFrame({"coefficient": ["Callaway–Sant'Anna, effet moyen"], "clusters": [n],
                         "analytic": [analytic[ok].mean()], "student": [student[ok].mean()],
                         "wild_bootstrap": [wild[ok].mean()], "weights": [bootstrap.weight_kind(n)],
                         "replications": [int(ok.sum())]})
