"""Structural breaks in a log-linear trend.

- :func:`fit_break` — break at a chosen year (default 2020) as a level shift,
  a slope shift or both, with the exact Chow F-test (Gaussian errors) of "no break".
- :func:`sup_f_test` — unknown break date: the sup-F (Andrews 1993, Quandt)
  statistic over trimmed candidate dates. Its p-value is computed by Monte Carlo
  for the actual design (under Gaussian white-noise errors the F statistics are
  free of the trend parameters and of the noise scale, so the simulated null is
  exact up to simulation error), instead of asymptotic tables that are
  unreliable for 10-40 observations.

Model with a break at date ``tb``: ``log y = a + b t + c D + d D (t - tb) + u``
with ``D = 1`` from ``tb`` on. ``c`` is the level shift (log points),
``d`` the change of annual log-growth.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..errors import ParameterError, check_choice
from ..provenance import DEMO_LABEL
from ._series import SeriesData, as_series_data, period_label
from .results import TrendResult, fmt_fr, p_text

BreakKind = Literal["level", "slope", "both"]
BREAK_KINDS = ("level", "slope", "both")
KIND_FR = {"level": "rupture de niveau", "slope": "rupture de pente", "both": "rupture de niveau et de pente"}
SUPF_SEED = 19_930_701


def _break_columns(time: np.ndarray, tb: float, kind: str) -> np.ndarray:
    D = (time >= tb - 1e-9).astype(float)
    cols = []
    if kind in ("level", "both"):
        cols.append(D)
    if kind in ("slope", "both"):
        cols.append(D * (time - tb))
    return np.column_stack(cols)


def _base_design(time: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(time)), time - time[0]])


def _parse_break(break_at, data: SeriesData) -> float:
    if isinstance(break_at, (int, np.integer)):
        tb = float(break_at)
    elif isinstance(break_at, pd.Period):
        tb = break_at.year + ((break_at.quarter - 1) / 4 if data.freq == "Q" else 0)
    elif isinstance(break_at, str) and break_at.strip().isdigit():
        tb = float(break_at)
    elif isinstance(break_at, str):
        tb = pd.Period(break_at.replace("T", "Q"), freq="Q")
        tb = tb.year + (tb.quarter - 1) / 4
    else:
        raise ParameterError(f"Invalid break date {break_at!r}; expected a year such as 2020.")
    return tb


class BreakResult(TrendResult):
    """Result of :func:`fit_break` (trend with a break at a known date + Chow test)."""

    model_label_fr = "tendance avec rupture"

    def __init__(self, *args, kind: str, break_time: float, chow_f: float, chow_pvalue: float,
                 chow_df: tuple[int, int], ols=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.break_time = break_time
        self.chow_f = chow_f
        self.chow_pvalue = chow_pvalue
        self.chow_df = chow_df
        self._ols = ols
        self.model_label_fr = f"tendance avec {KIND_FR[kind]} en {period_label(break_time, self.data.freq)}"

    @property
    def break_label(self) -> str:
        return period_label(self.break_time, self.data.freq)

    @property
    def level_shift_pct(self) -> float:
        """Level shift at the break, in % (NaN if the model has none)."""
        return 100 * float(np.expm1(self._params["level_shift"])) if "level_shift" in self._params else float("nan")

    @property
    def slope_change_pp(self) -> float:
        """Change of the annual log-growth after the break, in log points x 100 (≈ pp)."""
        return 100 * float(self._params["slope_change"]) if "slope_change" in self._params else 0.0

    def growth_rate(self, after: bool = True) -> float:
        """Annual trend growth (%) after the break (``after=True``) or before it."""
        b = float(self._params["trend"])
        if after and "slope_change" in self._params:
            b += float(self._params["slope_change"])
        return 100 * float(np.expm1(b))

    def growth_ci(self, level: float = 0.95, after: bool = True) -> tuple[float, float]:
        names = list(self._params.index)
        g = np.zeros(len(names))
        g[names.index("trend")] = 1
        if after and "slope_change" in names:
            g[names.index("slope_change")] = 1
        cov = self._ols.cov_params()
        b = float(g @ self._params.to_numpy())
        se = float(np.sqrt(g @ cov @ g))
        c = self.critical_value(level)
        return 100 * float(np.expm1(b - c * se)), 100 * float(np.expm1(b + c * se))

    def _design(self, time: np.ndarray) -> np.ndarray:
        t0 = self.data.time[0]
        base = np.column_stack([np.ones(len(time)), time - t0])
        return np.column_stack([base, _break_columns(time, self.break_time, self.kind)])

    def _forecast_log(self, steps: int):
        X = self._design(self.data.time)
        X0 = self._design(self.data.future_time(steps))
        xtx_inv = np.linalg.inv(X.T @ X)
        k = X.shape[1]
        s2 = float(np.sum(self._resid.to_numpy() ** 2) / (self.nobs - k))
        mean = X0 @ self._params.to_numpy()
        se = np.sqrt(s2 * (1 + np.einsum("ij,jk,ik->i", X0, xtx_inv, X0)))
        df = self.nobs - k
        return mean, se, lambda q: stats.t.ppf(q, df)

    def _extra_lines(self) -> list[str]:
        out = [f"Test de Chow (rupture en {self.break_label}) : F({self.chow_df[0]}, {self.chow_df[1]}) = "
               f"{fmt_fr(self.chow_f, 2)}, {p_text(self.chow_pvalue)}"]
        if "level_shift" in self._params:
            out.append(f"Saut de niveau : {fmt_fr(self.level_shift_pct, 1, True)} %")
        out.append(f"Croissance tendancielle avant : {fmt_fr(self.growth_rate(after=False), 2, True)} %/an ; "
                   f"après : {fmt_fr(self.growth_rate(after=True), 2, True)} %/an")
        return out


def fit_break(series, break_year=2020, kind: BreakKind = "both", *, name: str | None = None,
              data_kind: str = "demo") -> BreakResult:
    """Log-linear trend with a break at ``break_year`` and the exact Chow F-test.

    ``kind``: "level" (shift of level), "slope" (change of growth) or "both".
    Needs at least 2 observations after the break for "slope"/"both" and 3 before.
    Standard errors are classical OLS (exact t and F under Gaussian white noise).
    """
    check_choice("kind", kind, BREAK_KINDS)
    data = as_series_data(series, name=name, min_obs=6)
    tb = _parse_break(break_year, data)
    after = int(np.sum(data.time >= tb - 1e-9))
    before = data.nobs - after
    need_after = 1 if kind == "level" else 2
    if before < 3 or after < need_after:
        raise ParameterError(
            f"Break date {break_year!r} leaves {before} observation(s) before and {after} after in series "
            f"'{data.name}' ({data.labels[0]}–{data.labels[-1]}); a {kind} break needs at least 3 before and "
            f"{need_after} after."
        )
    X0 = _base_design(data.time)
    Z = _break_columns(data.time, tb, kind)
    X = np.column_stack([X0, Z])
    y = data.log_values
    n, k = X.shape
    q = Z.shape[1]
    if n - k < 1:
        raise ParameterError(f"Series '{data.name}' is too short ({n} obs.) for a {kind} break model ({k} parameters).")
    ols = sm.OLS(y, X).fit()
    ssr_u = float(ols.ssr)
    ssr_r = float(sm.OLS(y, X0).fit().ssr)
    f = ((ssr_r - ssr_u) / q) / (ssr_u / (n - k))
    p = float(stats.f.sf(f, q, n - k))
    names = ["const", "trend"] + (["level_shift"] if kind in ("level", "both") else []) + (
        ["slope_change"] if kind in ("slope", "both") else [])
    labels = {"const": f"log niveau {data.labels[0]}", "trend": "pente avant rupture (log / an)",
              "level_shift": "saut de niveau (log)", "slope_change": "variation de pente (log / an)"}
    index = data.index
    from .loglinear import _residual_diagnostics

    diag = _residual_diagnostics(ols.resid)
    diag["r2"] = float(ols.rsquared)
    return BreakResult(
        data, pd.Series(ols.params, index=names), pd.Series(ols.bse, index=names),
        fitted=pd.Series(np.exp(ols.fittedvalues), index=index, name="fitted"),
        resid=pd.Series(ols.resid, index=index, name="resid"), df_resid=float(n - k), diagnostics=diag,
        param_labels=labels, method_fr="MCO sur log(effectifs), erreurs classiques, test F de Chow",
        data_kind=data_kind, kind=kind, break_time=tb, chow_f=float(f), chow_pvalue=p, chow_df=(q, n - k), ols=ols,
    )


def chow_test(series, break_year=2020, kind: BreakKind = "both", **kwargs) -> tuple[float, float]:
    """Chow F statistic and its p-value for a break at ``break_year``."""
    r = fit_break(series, break_year, kind, **kwargs)
    return r.chow_f, r.chow_pvalue


# ---------------------------------------------------------------- sup-F
def _candidates(n: int, trim: float, kind: str) -> np.ndarray:
    """Candidate break positions i (break at observation i, 0-based) after trimming."""
    m = max(int(np.ceil(trim * n)), 3 if kind != "level" else 2)
    lo, hi = m, n - m
    if kind != "level":
        lo = max(lo, 3)
        hi = min(hi, n - 2)
    return np.arange(lo, hi + 1)


def f_profile_batch(Y: np.ndarray, time: np.ndarray, positions: np.ndarray, kind: str) -> np.ndarray:
    """F statistics of a break at each candidate position, for many series at once.

    ``Y``: (R, n) log levels; returns (R, len(positions)).
    """
    Y = np.atleast_2d(Y)
    n = Y.shape[1]
    X0 = _base_design(time)
    Q0, _ = np.linalg.qr(X0)
    E0 = Y - (Y @ Q0) @ Q0.T
    ssr0 = np.sum(E0 ** 2, axis=1)
    out = np.empty((Y.shape[0], len(positions)))
    for j, i in enumerate(positions):
        Z = _break_columns(time, time[i], kind)
        Zt = Z - Q0 @ (Q0.T @ Z)
        Qz, _ = np.linalg.qr(Zt)
        q = Z.shape[1]
        expl = np.sum((E0 @ Qz) ** 2, axis=1)
        k = X0.shape[1] + q
        out[:, j] = (expl / q) / ((ssr0 - expl) / (n - k))
    return out


@lru_cache(maxsize=32)
def _supf_null(n: int, spacing: float, kind: str, trim: float, n_sim: int, seed: int) -> np.ndarray:
    time = np.arange(n) * spacing
    pos = _candidates(n, trim, kind)
    rng = np.random.default_rng(seed + n)
    Z = rng.standard_normal((n_sim, n))
    return np.sort(f_profile_batch(Z, time, pos, kind).max(axis=1))


def supf_pvalues(stat: np.ndarray, n: int, kind: str = "both", trim: float = 0.15, n_sim: int = 5000,
                 spacing: float = 1.0, seed: int = SUPF_SEED) -> np.ndarray:
    """Monte Carlo p-values of sup-F statistics for a regular design of ``n`` points."""
    null = _supf_null(int(n), float(spacing), kind, float(trim), int(n_sim), int(seed))
    stat = np.atleast_1d(stat)
    count = len(null) - np.searchsorted(null, stat, side="left")
    return (1 + count) / (1 + len(null))


class SupFResult:
    """Unknown-break test: sup-F statistic, Monte Carlo p-value, estimated break date."""

    def __init__(self, data: SeriesData, kind: str, profile: pd.Series, statistic: float, pvalue: float,
                 critical_5pct: float, n_sim: int, trim: float, data_kind: str = "demo") -> None:
        self.data = data
        self.kind = kind
        self.profile = profile
        self.statistic = statistic
        self.pvalue = pvalue
        self.critical_5pct = critical_5pct
        self.n_sim = n_sim
        self.trim = trim
        self.data_kind = data_kind

    @property
    def break_label(self) -> str:
        """Estimated break period (argmax of the F profile)."""
        return str(self.profile.idxmax())

    @property
    def break_year(self) -> int:
        return int(str(self.break_label)[:4])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"période": [str(i) for i in self.profile.index], "F": self.profile.to_numpy()})

    def summary(self) -> str:
        lines = [f"Test de rupture à date inconnue (sup-F, {KIND_FR[self.kind]}) — série « {self.data.name} »"]
        if self.data_kind == "demo":
            lines.append("⚠ " + DEMO_LABEL)
        lines += [
            f"Dates candidates : {self.profile.index[0]} – {self.profile.index[-1]} (élagage {int(self.trim * 100)} %)",
            f"sup-F = {fmt_fr(self.statistic, 2)} en {self.break_label} ; {p_text(self.pvalue)} "
            f"(Monte-Carlo, {self.n_sim} tirages) ; seuil 5 % = {fmt_fr(self.critical_5pct, 2)}",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(self.summary()) + "</pre>"


def sup_f_test(series, kind: BreakKind = "both", *, trim: float = 0.15, n_sim: int = 5000,
               seed: int = SUPF_SEED, name: str | None = None, data_kind: str = "demo") -> SupFResult:
    """Sup-F test of a break at an unknown date with a Monte Carlo p-value (seeded).

    ``trim``: share of observations excluded at each end (default 15 %).
    """
    check_choice("kind", kind, BREAK_KINDS)
    if not (0 < trim < 0.5):
        raise ParameterError(f"Invalid trim={trim!r}; expected a share strictly between 0 and 0.5 (e.g. 0.15).")
    data = as_series_data(series, name=name, min_obs=8)
    pos = _candidates(data.nobs, trim, kind)
    if len(pos) < 1:
        raise ParameterError(f"Series '{data.name}' is too short ({data.nobs} obs.) for a sup-F test with trim={trim}.")
    t = data.time - data.time[0]
    F = f_profile_batch(data.log_values[None, :], t, pos, kind)[0]
    spacing = 1.0 / data.periods_per_year
    stat = float(F.max())
    p = float(supf_pvalues(np.array([stat]), data.nobs, kind, trim, n_sim, spacing, seed)[0])
    null = _supf_null(data.nobs, spacing, kind, float(trim), int(n_sim), int(seed))
    crit = float(np.quantile(null, 0.95))
    labels = [data.labels[i] for i in pos]
    profile = pd.Series(F, index=pd.Index(labels, name="période"), name="F")
    return SupFResult(data, kind, profile, stat, p, crit, n_sim, trim, data_kind)
