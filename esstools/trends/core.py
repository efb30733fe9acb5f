"""Batched statistics of log-level series (one series per row), shared by the models and the calibration.

Every function takes ``Y`` of shape (R, n): R series of n log levels (one period apart) and returns
arrays with one value per series, so that the observed series (R = 1) and the tens of thousands of
simulated series used to calibrate critical values go through exactly the same code.

Notation: ``D = diff(Y)`` are the ``nd = n - 1`` growth rates (log points per period); a break
"at position ``npost``" means that the last ``npost`` growth rates follow a new drift
(for annual data ending in 2023 with a break in 2020: the growth rates of 2020, 2021, 2022 and 2023).

Only element-wise numpy operations, sums and ``einsum`` (no BLAS call whose result depends on the
thread count) are used, so results are identical on every machine to the last bit or nearly so.
"""

from __future__ import annotations

import numpy as np
from scipy import special

#: Smallest number of growth rates on each side of a break.
MIN_SEGMENT = 2
#: Weight of the break model in the retained projection (½–½ average), fixed before seeing any series.
BREAK_WEIGHT = 0.5


def as_rows(Y) -> np.ndarray:
    """``Y`` as a float array of shape (R, n)."""
    return np.atleast_2d(np.asarray(Y, dtype=float))


def growth_stats(Y) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean growth per period ``m``, standard deviation of the growth rates ``s`` (ddof 1) and ``nd``."""
    D = np.diff(as_rows(Y), axis=1)
    nd = D.shape[1]
    m = D.mean(axis=1)
    s = np.sqrt(np.sum((D - m[:, None]) ** 2, axis=1) / (nd - 1))
    return m, s, nd


def segment_stats(Y, npost: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Mean growth before (``m0``) and from (``m1``) the break, pooled standard deviation ``sp`` (ddof 2)."""
    D = np.diff(as_rows(Y), axis=1)
    nd = D.shape[1]
    npre = nd - npost
    pre, post = D[:, :npre], D[:, npre:]
    m0, m1 = pre.mean(axis=1), post.mean(axis=1)
    ss = np.sum((pre - m0[:, None]) ** 2, axis=1) + np.sum((post - m1[:, None]) ** 2, axis=1)
    sp = np.sqrt(ss / (nd - 2))
    return m0, m1, sp, npre, npost


def break_tstat(Y, npost: int) -> np.ndarray:
    """t statistic of the change of mean growth at the break (post minus pre), pooled variance."""
    m0, m1, sp, npre, npost = segment_stats(Y, npost)
    return (m1 - m0) / (sp * np.sqrt(1.0 / npre + 1.0 / npost))


def sup_candidates(nd: int, trim: float = 0.15) -> np.ndarray:
    """Candidate break positions (number of growth rates after the break) for the unknown-date test."""
    m = max(MIN_SEGMENT, int(np.ceil(trim * nd)))
    return np.arange(m, nd - m + 1)


def sup_break_stat(Y, candidates) -> tuple[np.ndarray, np.ndarray]:
    """Largest |t| of a change of mean growth over the candidate positions, and its argmax position."""
    D = np.diff(as_rows(Y), axis=1)
    R, nd = D.shape
    cs = np.cumsum(D, axis=1)
    cs2 = np.cumsum(D ** 2, axis=1)
    tot, tot2 = cs[:, -1], cs2[:, -1]
    best = np.full(R, -np.inf)
    arg = np.zeros(R, dtype=int)
    for npost in candidates:
        npre = nd - int(npost)
        s0, s02 = cs[:, npre - 1], cs2[:, npre - 1]
        s1, s12 = tot - s0, tot2 - s02
        m0, m1 = s0 / npre, s1 / npost
        ss = (s02 - npre * m0 ** 2) + (s12 - npost * m1 ** 2)
        t = np.abs(m1 - m0) / (np.sqrt(np.maximum(ss, 0.0) / (nd - 2)) * np.sqrt(1.0 / npre + 1.0 / npost))
        better = t > best
        best = np.where(better, t, best)
        arg = np.where(better, int(npost), arg)
    return best, arg


# ------------------------------------------------------------------ persistence statistics
def trend_columns(n: int, npost: int | None = None) -> np.ndarray:
    """Deterministic columns of the level model: [1, t] (+ kink and step from the break when ``npost``)."""
    t = np.arange(n, dtype=float)
    cols = [np.ones(n), t]
    if npost is not None:
        first = n - npost  # index of the first level whose growth rate follows the new drift
        cols.append(np.maximum(0.0, t - first + 1))
        cols.append((t >= first).astype(float))
    return np.column_stack(cols)


def _orthonormal(X: np.ndarray) -> np.ndarray:
    q, _ = np.linalg.qr(X)
    return q


def df_rho(Y, npost: int | None = None) -> np.ndarray:
    """Least-squares coefficient of ``y[t-1]`` in the regression of ``y[t]`` on the deterministic columns
    and ``y[t-1]`` (Dickey-Fuller regression with trend, Andrews 1993). Invariant to the level, the drift(s)
    and the scale of the series: its law depends only on the persistence of the deviations from trend.
    """
    Y = as_rows(Y)
    n = Y.shape[1]
    Q = _orthonormal(trend_columns(n, npost)[1:])
    yp, ym = Y[:, 1:], Y[:, :-1]
    yp = yp - np.einsum("rk,nk->rn", np.einsum("rn,nk->rk", yp, Q), Q)
    ym = ym - np.einsum("rk,nk->rn", np.einsum("rn,nk->rk", ym, Q), Q)
    return np.sum(yp * ym, axis=1) / np.sum(ym * ym, axis=1)


def growth_autocorr(Y) -> np.ndarray:
    """First-order autocorrelation of the growth rates (a diagnostic shown in the report)."""
    D = np.diff(as_rows(Y), axis=1)
    C = D - D.mean(axis=1)[:, None]
    den = np.sum(C * C, axis=1)
    return np.sum(C[:, 1:] * C[:, :-1], axis=1) / np.where(den > 0, den, 1.0)


def df_rho_rows(Y, npost) -> np.ndarray:
    """:func:`df_rho` with one break position per row (rows grouped by position)."""
    Y = as_rows(Y)
    pos = np.asarray(npost, dtype=int)
    out = np.empty(len(Y))
    for p in np.unique(pos):
        rows = pos == p
        out[rows] = df_rho(Y[rows], int(p))
    return out


# ------------------------------------------------------------------ forecasts
def forecast_no_break(Y, steps) -> tuple[np.ndarray, np.ndarray]:
    """Random walk with drift: ``y[n] + k m`` and its scale ``s sqrt(k + k^2 / nd)`` (R, len(steps))."""
    Y = as_rows(Y)
    m, s, nd = growth_stats(Y)
    k = np.asarray(steps, dtype=float)[None, :]
    return Y[:, -1:] + k * m[:, None], s[:, None] * np.sqrt(k + k ** 2 / nd)


def forecast_break(Y, npost: int, steps) -> tuple[np.ndarray, np.ndarray]:
    """Drift after the break: ``y[n] + k m1`` and its scale ``sp sqrt(k + k^2 / npost)``."""
    Y = as_rows(Y)
    _, m1, sp, _, npost = segment_stats(Y, npost)
    k = np.asarray(steps, dtype=float)[None, :]
    return Y[:, -1:] + k * m1[:, None], sp[:, None] * np.sqrt(k + k ** 2 / npost)


def mixture_cdf(x, mu0, sd0, mu1, sd1, w1: float = BREAK_WEIGHT) -> np.ndarray:
    """CDF at ``x`` of the mixture ``(1 - w1) N(mu0, sd0²) + w1 N(mu1, sd1²)`` (element-wise)."""
    return (1 - w1) * special.ndtr((x - mu0) / sd0) + w1 * special.ndtr((x - mu1) / sd1)


def mixture_quantile(p, mu0, sd0, mu1, sd1, w1: float = BREAK_WEIGHT, iters: int = 80) -> np.ndarray:
    """``p``-quantile of the mixture of :func:`mixture_cdf` (element-wise, bisection to machine precision)."""
    p, mu0, sd0, mu1, sd1 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (p, mu0, sd0, mu1, sd1)))
    z = special.ndtri(p)
    lo = np.minimum(mu0 + z * sd0, mu1 + z * sd1)
    hi = np.maximum(mu0 + z * sd0, mu1 + z * sd1)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        below = mixture_cdf(mid, mu0, sd0, mu1, sd1, w1) < p
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def level_pivot(F) -> np.ndarray:
    """``-log(1 - |2F - 1|)``: how central a value of predictive CDF ``F`` is (0 at the median).

    A value lies inside the central interval of probability ``lam`` iff its pivot is at most
    ``-log(1 - lam)``; calibrating a critical value on this scale calibrates the probability level of
    the interval ("prepivoting", Beran 1987).
    """
    return -np.log(np.maximum(1.0 - np.abs(2.0 * np.asarray(F, dtype=float) - 1.0), 1e-300))


def level_from_kappa(kappa) -> np.ndarray:
    """Probability level of the predictive interval whose pivot bound is ``kappa`` (inverse of :func:`level_pivot`)."""
    return 1.0 - np.exp(-np.asarray(kappa, dtype=float))
