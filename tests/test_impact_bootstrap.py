"""Wild bootstrap for few clusters (esstools.impact.bootstrap): exactness against a brute-force
implementation, determinism, weights, and a small seeded coverage check (the full table is in
benchmarks/RESULTS.md, written by benchmarks/impact_validation.py)."""

import numpy as np
import pytest

from esstools.impact import bootstrap
from esstools.impact import validation as V
from esstools.synth.siae_panel import TrueEffects, simulate_arrays


def _brute_pvalue(y, x, idx, j, adj, beta0, v):
    """WCR p-value by refitting OLS on every bootstrap sample (the textbook algorithm)."""
    def fit(yy):
        b = np.linalg.lstsq(x, yy, rcond=None)[0]
        e = yy - x @ b
        xtx_inv = np.linalg.inv(x.T @ x)
        s = np.stack([np.bincount(idx, x[:, c] * e) for c in range(x.shape[1])], 1)
        return b, np.sqrt(adj * (xtx_inv @ s.T @ s @ xtx_inv)[j, j])
    b, se = fit(y)
    t_obs = abs(b[j] - beta0) / se
    xo = np.delete(x, j, axis=1)
    yr = y - beta0 * x[:, j]
    br = np.linalg.lstsq(xo, yr, rcond=None)[0]
    ur = yr - xo @ br
    hits = 0
    for r in range(v.shape[1]):
        ys = xo @ br + beta0 * x[:, j] + ur * v[idx, r]
        bs, ses = fit(ys)
        hits += abs(bs[j] - beta0) / ses >= t_obs - 1e-12 * max(1.0, t_obs)
    return hits / v.shape[1]


def test_wild_cluster_ci_equals_the_brute_force_algorithm():
    rng = np.random.default_rng(3)
    g, m, k, reps = 9, 6, 3, 199
    idx = np.repeat(np.arange(g), m)
    x = rng.normal(size=(g * m, k))
    y = x @ np.array([0.5, -0.2, 0.1]) + rng.normal(size=g * m) + np.repeat(rng.normal(size=g), m)
    adj = g / (g - 1)
    out = bootstrap.wild_cluster_ci(y, x, idx, 1, adj, reps=reps, weights="webb", seed=11)
    v = bootstrap.draw_weights("webb", g, reps, 11)
    assert out["pvalue"] == pytest.approx(_brute_pvalue(y, x, idx, 1, adj, 0.0, v))
    # the interval ends where the brute-force p-value crosses 5 %
    for bound, inside in ((out["ci_lower"], +1), (out["ci_upper"], -1)):
        eps = 1e-4 * (out["ci_upper"] - out["ci_lower"])
        assert _brute_pvalue(y, x, idx, 1, adj, bound + inside * eps, v) > 0.05
        assert _brute_pvalue(y, x, idx, 1, adj, bound - inside * eps, v) <= 0.05
    # deterministic: same seed, same interval; another seed, another interval
    again = bootstrap.wild_cluster_ci(y, x, idx, 1, adj, reps=reps, weights="webb", seed=11)
    assert again["ci_lower"] == out["ci_lower"] and again["ci_upper"] == out["ci_upper"]
    assert bootstrap.wild_cluster_ci(y, x, idx, 1, adj, reps=reps, weights="webb", seed=12)["ci_lower"] != out["ci_lower"]


def test_weights():
    r = bootstrap.draw_weights("rademacher", 1000, 3, 0)
    w = bootstrap.draw_weights("webb", 6000, 1, 0)
    assert set(np.unique(r)) == {-1.0, 1.0}
    assert len(np.unique(w)) == 6 and abs(w.mean()) < 0.05 and abs((w**2).mean() - 1) < 0.05
    assert bootstrap.weight_kind(12) == "webb" and bootstrap.weight_kind(13) == "rademacher"


def test_callaway_santanna_on_few_siae_uses_student_not_a_bootstrap():
    """Below 30 SIAE, Callaway-Sant'Anna intervals use t(N-1); a wild bootstrap-t cannot restore the variance of
    single-SIAE cohorts (seeded small version of the benchmark's last row)."""
    small = TrueEffects.homogeneous(award_profile=(0.5, 0.8, 1.0), dynamic_eur=(0.0, 10_000.0, 20_000.0))
    sim = simulate_arrays(20, "2016-2025", small, seed=707, n_rep=120)
    cs = V.cs_cells(sim.revenue, sim.cohort, sim.years, "never", "varying", include_pre=False)
    e = np.array([c[2] for c in cs.cells])
    truth = (1 + small.crowd_in) * sim.award_mean[0] * small.profile(e) + small.dynamic(e)
    tab = V.cs_small_coverage(sim, truth, reps=199, seed=4).iloc[0]
    print(tab.to_dict())
    assert tab["student"] >= tab["analytic"] and tab["student"] > 0.9
    assert tab["wild_bootstrap"] < tab["analytic"] - 0.05


def test_wild_bootstrap_covers_the_few_cluster_kinds():
    """Seeded small version of benchmarks/impact_validation.py: hours effects of the 12 AI and 15 ETTI."""
    ef = TrueEffects(crowd_in=0.2, dynamic_eur=(0.0,),
                     hours_kind_multiplier={"ACI": 0.5, "AI": 1.5, "EI": 1.0, "ETTI": 1.5, "EITI": 1.0})
    sim = simulate_arrays(123, "2016-2023", ef, seed=606, n_rep=60)
    tab = V.by_kind_coverage(sim, reps=199, seed=1, kinds=("AI", "ETTI")).set_index("coefficient")
    print(tab.to_string())
    assert list(tab["weights"]) == ["webb", "rademacher"] and list(tab["clusters"]) == [12, 15]
    assert (tab["wild_bootstrap"] >= 0.9).all() and (tab["wild_bootstrap"] <= 1.0).all()
