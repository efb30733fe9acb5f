"""Critical values calibrated over a family of persistent series ("parametric bootstrap under a fitted null").

Why. Employment series are persistent: their deviations from a trend can be anything from white
noise to a random walk. The interval of the mean growth, the break tests and the forecast intervals
all have a law that depends on that persistence, which is poorly estimated on 10-40 points; plugging
in an estimate (even a bias-corrected one, Andrews 1993, Kilian 1998) under-covers badly near the
unit root (about 80 % for a 95 % interval). We therefore use **data-dependent critical values
calibrated by simulation** (size correction in the spirit of McCloskey 2017): each statistic is
compared with a critical value ``kappa(rho_hat)`` that depends on the estimated persistence of the
observed series, and the function ``kappa`` is chosen so that the coverage (or the size) is close
to nominal at every point of the family below, not only at one estimated value.

The family (log levels, one step = one period)::

    y_t = a + b t [+ d (t - t_b + 1)_+] + u_t,   u_t = rho u_{t-1} + e_t,   e_t ~ N(0, s²)

with ``rho`` from -0.8 to 1 (1 = random walk with drift). Every statistic used is invariant to
``a``, ``b``, ``d`` and ``s`` (equivariant estimators studentised by equivariant scales, Andrews 1993),
so its law depends on ``rho`` only and the tables depend only on the number of observations, the
frequency, the break position and the horizons — not on the data. The conditioning statistic
``rho_hat`` is the Dickey-Fuller coefficient with trend (:func:`core.df_rho`; with the break
regressors for the statistics that must not react to a change of drift at the tested date).

Algorithm: ``B`` series are simulated at each grid value of ``rho``; ``log kappa`` is piecewise
linear in ``rho_hat`` on knots at quantiles of the simulated ``rho_hat``, **non-decreasing** (more
persistence, larger critical value), smooth, and fitted by projected Gauss-Newton steps so that the
empirical coverage is the target at every grid value (shortfalls weigh more than excesses; the
residual spread is recorded in :attr:`KappaTable.fit_range`). Without the monotonicity and smoothness
constraints the coverage equations have degenerate solutions (very wide intervals for some series,
very narrow for others). The Monte Carlo uses its own generator seeded by :data:`TABLE_SEED`;
tables are cached in memory and on disk (``<cache>/trend_tables``).

Limits (measured in ``benchmarks/RESULTS.md``): the family does not include autocorrelated growth
rates of a random walk (ARIMA(1,1,0)); with momentum 0.5 the coverage of the growth interval drops
to about 85 %. With 10-14 points a trend-stationary series cannot be told from a random walk often
enough: protecting the random walk makes the intervals conservative (about 98 %) for trend-stationary
series.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import signal

from .. import paths
from . import core

TABLE_SEED = 20_250_611
TABLE_VERSION = 2
#: Persistence grids (per period). Quarterly grids are denser near 1 (same persistence per year).
RHO_GRID = {"A": tuple(np.round(np.concatenate([np.linspace(-0.8, 0.9, 35), np.linspace(0.91, 1.0, 10)]), 4)),
            "Q": tuple(np.round(np.concatenate([np.linspace(-0.5, 0.8, 14), np.linspace(0.82, 1.0, 31)]), 4))}
SIMS_PER_POINT = 1000
ALPHAS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5)  # levels at which test critical values are calibrated
LEVELS = (0.8, 0.95)
KNOTS = 20  # knots of log kappa along rho_hat
UNDERCOVERAGE_WEIGHT = 50.0
SMOOTH = 1e-3  # weight of the second-difference roughness penalty of log kappa
CEILING = 1.4  # kappa never exceeds 1.4 times the largest critical value of the grid (the random walk's)


# ------------------------------------------------------------------ simulation of the family
def _ar2_stationary_start(rho: float, phi: float) -> np.ndarray:
    """Covariance of (u_{-1}, u_0) for the stationary AR(2) (1 - rho L)(1 - phi L) u = e, unit innovation."""
    a1, a2 = rho + phi, -rho * phi
    g0 = (1 - a2) / ((1 + a2) * ((1 - a2) ** 2 - a1 ** 2))
    g1 = a1 * g0 / (1 - a2)
    return np.array([[g0, g1], [g1, g0]])


def simulate_deviations(rng: np.random.Generator, reps: int, length: int, rho: float, phi: float = 0.0) -> np.ndarray:
    """``reps`` paths of deviations ``(1 - rho L)(1 - phi L) u = e`` (unit innovation variance), stationary
    start when ``rho < 1``; when ``rho == 1`` the growth rates are a stationary AR(1) with coefficient
    ``phi`` (``phi = 0``: random walk). ``phi`` is used only by the validation's robustness design."""
    e = rng.standard_normal((reps, length))
    if rho >= 1.0:
        d0 = rng.standard_normal(reps) / np.sqrt(1 - phi ** 2)
        d = signal.lfilter([1.0], [1.0, -phi], e, axis=1, zi=(phi * d0)[:, None])[0]
        return np.cumsum(d, axis=1)
    a = np.array([1.0, -(rho + phi), rho * phi])
    L = np.linalg.cholesky(_ar2_stationary_start(rho, phi))
    init = rng.standard_normal((reps, 2)) @ L.T  # columns: u_{-1}, u_0
    # lfilter state for y[-1] = u_0, y[-2] = u_{-1}: zi = [-a1 y[-1] - a2 y[-2], -a2 y[-1]]
    zi = np.column_stack([-a[1] * init[:, 1] - a[2] * init[:, 0], -a[2] * init[:, 1]])
    return signal.lfilter([1.0], a, e, axis=1, zi=zi)[0]


# ------------------------------------------------------------------ kappa tables
@dataclass
class KappaTable:
    """A critical value ``kappa(rho_hat)``: log kappa piecewise linear between knots (constant outside)."""

    knots: np.ndarray
    values: np.ndarray
    target: float
    fit_range: tuple[float, float] = (float("nan"), float("nan"))  # coverage range over the grid points

    def _weights(self, s):
        k = self.knots
        s = np.asarray(s, dtype=float)
        i = np.clip(np.searchsorted(k, s) - 1, 0, len(k) - 2)
        a = np.clip((s - k[i]) / (k[i + 1] - k[i]), 0.0, 1.0)
        return np.stack([i, i + 1], axis=-1), np.stack([1 - a, a], axis=-1)

    def __call__(self, s) -> np.ndarray:
        idx, w = self._weights(s)
        return np.exp(np.sum(np.log(self.values)[idx] * w, axis=-1))

    def to_dict(self) -> dict:
        return {"knots": self.knots.tolist(), "values": self.values.tolist(), "target": self.target,
                "fit_range": list(self.fit_range)}

    @classmethod
    def from_dict(cls, d: dict) -> "KappaTable":
        return cls(np.array(d["knots"]), np.array(d["values"]), float(d["target"]), tuple(d["fit_range"]))


def _knots(S: np.ndarray, count: int) -> np.ndarray:
    k = np.quantile(S, np.linspace(0.0, 1.0, count))
    for i in range(1, len(k)):  # strictly increasing
        k[i] = max(k[i], k[i - 1] + 1e-9)
    return k


def _isotonic(y: np.ndarray) -> np.ndarray:
    """Non-decreasing least-squares fit of ``y`` (pool adjacent violators)."""
    blocks = [[float(v), 1] for v in y]
    out: list[list[float]] = []
    for b in blocks:
        out.append(b)
        while len(out) > 1 and out[-2][0] > out[-1][0]:
            v2, n2 = out.pop()
            v1, n1 = out.pop()
            out.append([(v1 * n1 + v2 * n2) / (n1 + n2), n1 + n2])
    return np.concatenate([np.full(int(n), v) for v, n in out])


def calibrate(S: np.ndarray, pivots: dict, targets: dict, *, grid=None, iters: int = 30, knots: int = KNOTS,
              smooth: float = SMOOTH, bandwidth: float = 0.08, shortfall_weight: float = UNDERCOVERAGE_WEIGHT,
              ceiling: float = CEILING) -> dict:
    """Critical-value tables such that ``P(T <= kappa(S)) = target`` at every grid point, within bounds.

    ``S``: conditioning statistic, array (points, sims), rows in increasing persistence ``grid``;
    ``pivots``: name -> array (points, sims); ``targets``: table name -> (pivot name, coverage target).
    All tables share the knots (quantiles of ``S``). ``log kappa`` is piecewise linear and
    non-decreasing, bounded below by the plug-in critical value (the target quantile of the pivot at
    the median-unbiased persistence ``rho_mu(S)``, Andrews 1993) and above by ``ceiling`` times the
    largest of the grid points' own quantiles (the random walk's, in practice); within those bounds it
    solves ``min sum_points weight * (coverage - target)² + smooth * roughness`` by projected
    Gauss-Newton steps, the derivative of each coverage being estimated with a Gaussian kernel on
    ``log T - log kappa`` (``bandwidth``); a point below its target weighs ``shortfall_weight`` times
    more than a point above it. The bounds exclude the degenerate solutions of the coverage equations
    (unbounded intervals for a few series bought with too narrow ones for the others). Returns
    name -> :class:`KappaTable` (``fit_range``: coverage range over the grid points).
    """
    P, B = S.shape
    grid = np.arange(P, dtype=float) if grid is None else np.asarray(grid, dtype=float)
    kn = _knots(S, knots)
    shell = KappaTable(kn, np.ones(knots), 0.0)
    idx, w = shell._weights(S)
    med = np.maximum.accumulate(np.median(S, axis=1))  # median of the statistic at each grid point
    rho_mu_knots = np.interp(kn, med, grid)  # median-unbiased persistence at each knot
    D2 = np.diff(np.eye(knots), n=2, axis=0)
    pen = smooth * D2.T @ D2
    out = {}
    for name, (pivot, target) in targets.items():
        logT = np.log(np.maximum(pivots[pivot], 1e-300))
        own = np.maximum.accumulate(np.quantile(logT, target, axis=1))  # each point's own quantile
        lower = np.interp(rho_mu_knots, grid, own)
        upper = np.full(knots, own.max() + np.log(ceiling))
        theta = lower.copy()
        for _ in range(iters):
            resid = logT - np.sum(theta[idx] * w, axis=-1)
            cov = np.mean(resid <= 0, axis=1)
            dens = np.exp(-0.5 * (resid / bandwidth) ** 2) / (bandwidth * np.sqrt(2 * np.pi))
            J = np.zeros((P, knots))
            for p in range(P):
                J[p] = np.bincount(idx[p].ravel(), weights=(w[p] * dens[p][:, None]).ravel(), minlength=knots)
            J /= B
            wt = np.where(cov < target, shortfall_weight, 1.0)
            A = J.T @ (wt[:, None] * J) + pen + 1e-6 * np.eye(knots)
            g = J.T @ (wt * (target - cov)) - pen @ theta
            theta = np.clip(_isotonic(theta + np.clip(np.linalg.solve(A, g), -0.5, 0.5)), lower, upper)
        cov = np.mean(logT <= np.sum(theta[idx] * w, axis=-1), axis=1)
        out[name] = KappaTable(kn, np.exp(theta), float(target), (float(cov.min()), float(cov.max())))
    return out


# ------------------------------------------------------------------ the table set of a design
@dataclass(frozen=True)
class Design:
    """What the tables depend on: observations, frequency, break position, forecast steps."""

    n: int
    freq: str = "A"
    npost: int | None = None  # growth rates after the break (None: no break model)
    steps: tuple[int, ...] = (1, 2, 3, 4, 5)
    trim: float = 0.15

    def key(self) -> str:
        payload = json.dumps({"n": self.n, "freq": self.freq, "npost": self.npost, "steps": list(self.steps),
                              "trim": self.trim, "seed": TABLE_SEED, "version": TABLE_VERSION,
                              "rho": RHO_GRID[self.freq], "B": SIMS_PER_POINT, "alphas": ALPHAS,
                              "levels": LEVELS, "knots": KNOTS, "smooth": SMOOTH, "w": UNDERCOVERAGE_WEIGHT,
                              "ceiling": CEILING, "break_weight": core.BREAK_WEIGHT},
                             sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass
class TableSet:
    """All calibrated critical values of one :class:`Design` (see module docstring).

    Keys of ``tables`` (conditioning statistic in brackets: ``s`` = no-break Dickey-Fuller coefficient,
    ``b`` = with the break regressors, ``c`` = with the break regressors at the date of the largest |t|):
    ``growth`` (95 % interval of the mean growth; with a break model in the design it is studentised by
    the within-segment standard deviation of the growth rates [b], so that a change of drift at the
    tested date changes neither the scale nor the critical value; else [s]), ``growth_post`` (mean
    growth after the break [b]), ``fc0/<step>/<level>`` (no-break forecast [s]), ``fc1/<step>/<level>``
    (break model [b]), ``mix/<step>/<level>`` (½–½ average, calibrated probability level [b]),
    ``break/<alpha>`` (|t| of the drift change at the known date [b]), ``sup/<alpha>`` (largest |t|
    over the trimmed dates [c]).
    """

    design: Design
    tables: dict = field(default_factory=dict)

    def kappa(self, name: str, s) -> np.ndarray:
        return self.tables[name](s)

    def pvalue(self, kind: str, stat, s) -> np.ndarray:
        """p-value of |stat| for test ``kind`` ("break" or "sup"): interpolated between the calibrated
        levels on a log scale; ``0.01`` means "at most 1 %" and ``1`` "more than 50 %"."""
        stat = np.abs(np.atleast_1d(np.asarray(stat, dtype=float)))
        s = np.broadcast_to(np.asarray(s, dtype=float), stat.shape)
        crit = np.array([self.tables[f"{kind}/{a}"](s) for a in ALPHAS])  # rows: alphas
        crit = np.minimum.accumulate(crit, axis=0)  # decreasing in alpha
        la = np.log(np.array(ALPHAS))
        out = np.empty(stat.shape)
        for r in range(stat.size):
            c, x = crit[:, r], stat[r]
            if x >= c[0]:
                out[r] = ALPHAS[0]
            elif x <= c[-1]:
                out[r] = 1.0
            else:
                out[r] = float(np.exp(np.interp(-x, -c, la)))
        return out

    def to_dict(self) -> dict:
        return {k: v.to_dict() for k, v in self.tables.items()}


def _simulate_statistics(design: Design) -> dict:
    """Simulate the family at every grid point and compute every pivot (arrays of shape (points, B))."""
    rng = np.random.default_rng(TABLE_SEED + design.n * 1000 + (design.npost or 0) * 7 + (design.freq == "Q"))
    n, steps = design.n, np.array(design.steps)
    H = int(steps.max())
    nd = n - 1
    cands = core.sup_candidates(nd, design.trim)
    out: dict[str, list] = {}

    def put(key, value):
        out.setdefault(key, []).append(value)

    for rho in RHO_GRID[design.freq]:
        U = simulate_deviations(rng, SIMS_PER_POINT, n + H, float(rho))
        Y, fut = U[:, :n], U[:, n - 1 + steps]
        put("s", core.df_rho(Y))
        m, s, _ = core.growth_stats(Y)
        if len(cands):
            sup, pos = core.sup_break_stat(Y, cands)
            put("c", core.df_rho_rows(Y, pos))
            put("sup", sup)
        f0, se0 = core.forecast_no_break(Y, steps)
        for j, k in enumerate(design.steps):
            put(f"fc0/{k}", np.abs(fut[:, j] - f0[:, j]) / se0[:, j])
        if design.npost is None:
            put("growth", np.abs(m) / (s / np.sqrt(nd)))
            continue
        put("b", core.df_rho(Y, design.npost))
        _, m1, sp, _, npost = core.segment_stats(Y, design.npost)
        put("growth", np.abs(m) / (sp / np.sqrt(nd)))
        put("growth_post", np.abs(m1) / (sp / np.sqrt(npost)))
        put("break", np.abs(core.break_tstat(Y, design.npost)))
        f1, se1 = core.forecast_break(Y, design.npost, steps)
        for j, k in enumerate(design.steps):
            put(f"fc1/{k}", np.abs(fut[:, j] - f1[:, j]) / se1[:, j])
            put(f"mix/{k}", core.level_pivot(core.mixture_cdf(fut[:, j], f0[:, j], se0[:, j], f1[:, j], se1[:, j])))
    return {k: np.array(v) for k, v in out.items()}


def build_tables(design: Design) -> TableSet:
    """Simulate and calibrate every table of ``design`` (seconds; see :func:`tables` for the cache)."""
    sims = _simulate_statistics(design)
    ts = TableSet(design)
    grid = RHO_GRID[design.freq]
    if "sup" in sims:
        ts.tables.update(calibrate(sims["c"], sims, {f"sup/{a}": ("sup", 1 - a) for a in ALPHAS}, grid=grid))
    plain = {f"fc0/{k}/{lv}": (f"fc0/{k}", lv) for k in design.steps for lv in LEVELS}
    if design.npost is None:
        plain["growth"] = ("growth", 0.95)
    ts.tables.update(calibrate(sims["s"], sims, plain, grid=grid))
    if design.npost is not None:
        brk = {"growth": ("growth", 0.95), "growth_post": ("growth_post", 0.95)}
        brk.update({f"break/{a}": ("break", 1 - a) for a in ALPHAS})
        brk.update({f"{m}/{k}/{lv}": (f"{m}/{k}", lv) for m in ("fc1", "mix") for k in design.steps for lv in LEVELS})
        ts.tables.update(calibrate(sims["b"], sims, brk, grid=grid))
    return ts


def _cache_file(design: Design) -> Path | None:
    if os.environ.get("ESSTOOLS_TREND_TABLE_CACHE", "1") == "0":
        return None
    return paths.cache_dir() / "trend_tables" / f"{design.key()}.json"


@lru_cache(maxsize=32)
def tables(design: Design) -> TableSet:
    """The :class:`TableSet` of ``design``: from memory, else from the disk cache, else built and cached.

    The disk cache (``ESSTOOLS_TREND_TABLE_CACHE=0`` disables it) is keyed by the design and every
    setting of the calibration, so a stale file is never read.
    """
    path = _cache_file(design)
    if path is not None and path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return TableSet(design, {k: KappaTable.from_dict(v) for k, v in data.items()})
        except (OSError, ValueError, KeyError):
            pass
    ts = build_tables(design)
    if path is not None:
        from ..atomic import write_text

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, json.dumps(ts.to_dict()))
        except OSError:
            pass
    return ts
