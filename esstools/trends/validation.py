"""Monte Carlo validation of the trend methods under persistent data-generating processes.

Used by ``benchmarks/trend_validation.py`` (the table in ``benchmarks/RESULTS.md``) and, on a small
seeded subset, by the tests. Each replication is a log employment series of ``n`` periods ending in
2023 (annual: 2024 - n … 2023; quarterly: the last n quarters to 2023T4) plus its future to 2028;
the estimators are the package's own (:mod:`esstools.trends.inference`) applied to the simulated
arrays, so what is validated is what the notebook reports.

Designs (``dgp``), deviations ``u`` from a drift of 1.5 % a year, innovations of 1 % a year
(quarterly: 0.5 % a quarter, persistence per year unchanged, ``rho_q = rho ** (1/4)``):

- ``iid`` — white noise around a linear trend (``rho = 0``);
- ``ar1`` — AR(1) deviations, ``rho = 0.5`` a year; ``ar1-strong`` — ``rho = 0.8`` a year;
- ``rw`` — random walk with drift (``rho = 1``);
- ``rw-break`` — random walk whose drift rises by 2 points (1.5 % → 3.5 % a year) from 2020 on, the
  year the break model tests (4 annual growth rates, or 16 quarterly ones, after it);
- ``arima110`` (extra, outside the calibration family) — random walk whose growth rates are AR(1) with
  coefficient 0.5 from one period to the next (momentum): shows the limit of the method.

Truth of "the growth rate": the mean drift of the log series over the observed growth rates
(for ``rw-break``: the average of the drifts of the sample's growth rates), in log points a year;
the interval covers it or not. Break tests: share of rejections at 5 % (size; power for
``rw-break``). Projections: share of future values (h = 1…5 years ahead, i.e. 2024…2028) inside
the 80 % and 95 % intervals of the retained projection (½–½ average) and, for information, of each
model alone.
"""

from __future__ import annotations

import time

import numpy as np

from ..errors import ParameterError, check_choice
from . import core, inference
from .calibration import Design, tables

DGPS = ("iid", "ar1", "ar1-strong", "rw", "rw-break", "arima110")
DRIFT = 0.015  # log points per year
SIGMA = 0.01  # innovation sd per year (quarterly: SIGMA / 2 per quarter)
BREAK_CHANGE = 0.02  # rw-break: drift change, log points per year
BREAK_YEAR = 2020
LAST_YEAR = 2023
HORIZON_YEARS = 5
VALIDATION_SEED = 20_250_612


def design_for(n: int, freq: str) -> Design:
    """The :class:`Design` of a series of ``n`` periods ending in 2023 with a break tested in 2020."""
    ppy = 1 if freq == "A" else 4
    npost = (LAST_YEAR - BREAK_YEAR + 1) * ppy
    steps = tuple(range(1, HORIZON_YEARS + 1)) if freq == "A" else (1, 2, 3, 4, 8, 12, 16, 20)
    if n - 1 - npost < core.MIN_SEGMENT:
        raise ParameterError(f"n={n} leaves fewer than {core.MIN_SEGMENT} growth rates before {BREAK_YEAR}.")
    return Design(n=n, freq=freq, npost=npost, steps=steps)


def simulate(dgp: str, n: int, freq: str, reps: int, rng: np.random.Generator, npost: int | None = None):
    """Log levels (reps, n + 5 years of future) and the true mean drift per year over the sample.

    ``npost``: growth rates after the break of ``rw-break`` (default: from 2020 to 2023).
    """
    from .calibration import simulate_deviations

    check_choice("dgp", dgp, DGPS)
    ppy = 1 if freq == "A" else 4
    N = n + HORIZON_YEARS * ppy
    rho, phi = {"iid": (0.0, 0.0), "ar1": (0.5, 0.0), "ar1-strong": (0.8, 0.0), "rw": (1.0, 0.0),
                "rw-break": (1.0, 0.0), "arima110": (1.0, 0.5)}[dgp]
    if ppy > 1 and rho < 1:
        rho = rho ** (1.0 / ppy)
    sigma = SIGMA / np.sqrt(ppy)
    u = sigma * simulate_deviations(rng, reps, N, rho, phi)
    drift = np.full(N - 1, DRIFT / ppy)
    if dgp == "rw-break":
        npost = (LAST_YEAR - BREAK_YEAR + 1) * ppy if npost is None else int(npost)
        drift[n - 1 - npost:] += BREAK_CHANGE / ppy
    level = np.log(10_000.0) + np.concatenate([[0.0], np.cumsum(drift)])
    truth = ppy * float(drift[: n - 1].mean())
    return level[None, :] + u, truth


def run_design(dgp: str, n: int, freq: str = "A", reps: int = 500, seed: int = VALIDATION_SEED,
               design: Design | None = None) -> dict:
    """Coverage and rejection rates of the reported methods for one design (see module docstring).

    ``design``: the :class:`Design` of a series being analysed (the report validates its own
    design); default :func:`design_for` ``(n, freq)``.
    """
    check_choice("freq", freq, ("A", "Q"))
    if reps < 1:
        raise ParameterError(f"reps={reps} must be at least 1.")
    start = time.perf_counter()
    design = design or design_for(n, freq)
    if design.npost is None:
        raise ParameterError("run_design needs a design with a break date (npost).")
    n, freq = design.n, design.freq
    ts = tables(design)
    ppy = 1 if freq == "A" else 4
    rng = np.random.default_rng(seed)
    Yall, truth = simulate(dgp, n, freq, reps, rng, design.npost)
    Y = Yall[:, :n]
    est, lo, hi = inference.growth_interval(Y, ts, ppy)
    cover = (lo <= truth) & (truth <= hi)
    _, _, rej_known = inference.break_test(Y, ts)
    _, _, _, rej_sup = inference.sup_test(Y, ts)
    horizons = [h for h in range(1, HORIZON_YEARS + 1) if ppy * h <= max(design.steps)]
    year_steps = [ppy * h for h in horizons]
    fut = Yall[:, [n - 1 + k for k in year_steps]]
    forecasts = {}
    for which, label in (("mix", "retained"), ("fc0", "no_break"), ("fc1", "break")):
        b = inference.bands(Y, ts, which, year_steps)
        forecasts[label] = {
            f"coverage_{int(lv * 100)}": [round(float(np.mean((b[("lower", lv)][:, j] <= fut[:, j])
                                                              & (fut[:, j] <= b[("upper", lv)][:, j]))), 4)
                                          for j in range(len(horizons))]
            for lv in (0.8, 0.95)
        }
    is_break = dgp == "rw-break"
    return {
        "dgp": dgp, "n": n, "freq": freq, "reps": reps, "seed": seed,
        "truth_growth_log_per_year": truth,
        "growth_ci95_coverage": round(float(cover.mean()), 4),
        "growth_bias_log_points": round(float(est.mean() - truth), 6),
        "break_test_known_date": {"rate": round(float(rej_known.mean()), 4), "kind": "power" if is_break else "size",
                                  "date": BREAK_YEAR},
        "break_test_unknown_date": {"rate": round(float(rej_sup.mean()), 4), "kind": "power" if is_break else "size"},
        "forecast_horizons_years": horizons,
        "forecast": forecasts,
        "mc_se_at_95": round(float(np.sqrt(0.95 * 0.05 / reps)), 4),
        "seconds": round(time.perf_counter() - start, 2),
    }
