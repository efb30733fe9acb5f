"""Numerical core shared by the impact estimators (numpy only, no pandas).

- :func:`within` removes unit and/or time fixed effects (closed form on a
  complete balanced panel, alternating projections otherwise);
- :func:`ols_cov` fits OLS on within-transformed data and returns the
  covariance (cluster-robust CR1 as Stata ``xtreg, fe vce(cluster)`` /
  ``reghdfe``, heteroskedasticity-robust HC1, or unadjusted);
- :func:`batched_twfe` runs the same two-way within estimator with
  unit-clustered errors on a stack of balanced simulated panels at once (used
  by the coverage tests and the power analysis; checked against linearmodels'
  ``PanelOLS`` in the tests).
"""

from __future__ import annotations

import numpy as np

_MAX_ITER = 10_000


def within(
    values: np.ndarray,
    unit_idx: np.ndarray,
    time_idx: np.ndarray | None,
    n_units: int,
    n_times: int,
    tol: float = 1e-12,
) -> np.ndarray:
    """Return ``values`` (n, k) with unit (and time, if ``time_idx`` given) means removed.

    Two-way demeaning is exact in closed form on a complete balanced panel and
    uses alternating projections (to relative tolerance ``tol``) otherwise.
    """
    x = np.array(values, dtype=float, copy=True)
    if x.ndim == 1:
        x = x[:, None]
    n_u = np.bincount(unit_idx, minlength=n_units).astype(float)

    def unit_means(a):
        return np.stack([np.bincount(unit_idx, a[:, j], minlength=n_units) for j in range(a.shape[1])], 1) / n_u[:, None]

    if time_idx is None:
        return x - unit_means(x)[unit_idx]
    n_t = np.bincount(time_idx, minlength=n_times).astype(float)

    def time_means(a):
        return np.stack([np.bincount(time_idx, a[:, j], minlength=n_times) for j in range(a.shape[1])], 1) / n_t[:, None]

    balanced = x.shape[0] == n_units * n_times and np.all(n_u == n_times)
    if balanced:
        return x - unit_means(x)[unit_idx] - time_means(x)[time_idx] + x.mean(axis=0)
    scale = np.maximum(np.abs(x).max(axis=0), 1e-300)
    for _ in range(_MAX_ITER):
        x = x - unit_means(x)[unit_idx]
        tm = time_means(x)
        x = x - tm[time_idx]
        if np.all(np.abs(tm).max(axis=0) <= tol * scale):
            break
    else:  # pragma: no cover - pathological designs only
        raise RuntimeError("Two-way demeaning did not converge; is the panel connected?")
    return x


def ols_cov(
    y: np.ndarray,
    x: np.ndarray,
    cov_type: str,
    clusters: np.ndarray | None,
    df_absorbed: int,
    df_not_nested: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """OLS of within-transformed ``y`` on ``x``; return (params, cov, residuals, df for critical values).

    ``df_absorbed``: number of absorbed fixed-effect parameters (all of them);
    ``df_not_nested``: those not nested in the clusters (time effects when
    clustering by unit). Small-sample factors: clustered CR1
    ``G/(G-1) * (n-1)/(n-k-df_not_nested)`` with t(G-1) critical values;
    unadjusted and HC1 use ``n-k-df_absorbed`` residual degrees of freedom.
    """
    n, k = x.shape
    xtx = x.T @ x
    xtx_inv = np.linalg.pinv(xtx)
    params = xtx_inv @ (x.T @ y)
    resid = y - x @ params
    if cov_type == "unadjusted":
        dof = n - k - df_absorbed
        s2 = float(resid @ resid) / dof
        return params, s2 * xtx_inv, resid, dof
    if cov_type == "robust":
        dof = n - k - df_absorbed
        xe = x * resid[:, None]
        meat = xe.T @ xe * n / dof
        return params, xtx_inv @ meat @ xtx_inv, resid, dof
    # clustered
    codes, inv = np.unique(clusters, return_inverse=True)
    g = len(codes)
    scores = np.zeros((g, k))
    np.add.at(scores, inv, x * resid[:, None])
    adj = cr1_factor(g, n, k, df_not_nested)
    cov = xtx_inv @ (scores.T @ scores) @ xtx_inv * adj
    return params, cov, resid, g - 1


def cr1_factor(n_clusters: int, nobs: int, k: int, df_not_nested: int) -> float:
    """CR1 small-sample factor ``G/(G-1) * (n-1)/(n-k-df_not_nested)`` (Stata ``xtreg, fe vce(cluster)``)."""
    return n_clusters / (n_clusters - 1) * (nobs - 1) / (nobs - k - df_not_nested)


def demean_balanced(a: np.ndarray) -> np.ndarray:
    """Two-way demeaning of stacked balanced panels ``a`` with shape (R, N, T, ...)."""
    return a - a.mean(axis=2, keepdims=True) - a.mean(axis=1, keepdims=True) + a.mean(axis=(1, 2), keepdims=True)


def batched_twfe(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-way FE OLS with unit-clustered CR1 errors on R stacked balanced panels.

    ``y``: (R, N, T); ``x``: (R, N, T, K). Returns ``(params, std_errors)``,
    both (R, K), with the same small-sample factor as :func:`ols_cov`.
    """
    r, n, t = y.shape
    k = x.shape[-1]
    yd = demean_balanced(y)
    xd = demean_balanced(x)
    xtx = np.einsum("rntk,rntl->rkl", xd, xd)
    xty = np.einsum("rntk,rnt->rk", xd, yd)
    xtx_inv = np.linalg.pinv(xtx)
    params = np.einsum("rkl,rl->rk", xtx_inv, xty)
    resid = yd - np.einsum("rntk,rk->rnt", xd, params)
    scores = np.einsum("rntk,rnt->rnk", xd, resid)
    meat = np.einsum("rnk,rnl->rkl", scores, scores)
    adj = cr1_factor(n, n * t, k, t)
    cov = xtx_inv @ meat @ xtx_inv * adj
    se = np.sqrt(np.maximum(np.diagonal(cov, axis1=1, axis2=2), 0.0))
    return params, se
