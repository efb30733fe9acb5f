"""Validation harness of the employment-trend methods (issue 11).

One design:
    .venv/bin/python benchmarks/trend_validation.py --dgp rw --n 14 --freq A --reps 2000 --seed 1 --json
prints ONE JSON object: empirical coverage of the growth-rate 95 % interval, rejection rate at 5 %
(size, or power for ``rw-break``) of each break test, and the 80 % / 95 % coverage of the h = 1…5
year forecast intervals of the projection the notebook reports (and of each model alone).

The table of issue 11 (every design × n ∈ {10, 14, 40} annual and 48 quarterly) into RESULTS.md:
    .venv/bin/python benchmarks/trend_validation.py --table --reps 2000 --seed 20250612

The logic lives in :mod:`esstools.trends.validation` (the test suite runs a small seeded subset).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from esstools.display import fmt_number  # noqa: E402
from esstools.trends import validation  # noqa: E402

REQUIRED = ("iid", "ar1", "ar1-strong", "rw", "rw-break")
CASES = ((10, "A"), (14, "A"), (40, "A"), (48, "Q"))
TARGETS = {"growth": (0.92, 0.975), "size": (0.03, 0.08), "fc95": (0.90, 0.98), "fc80": (0.74, 0.86)}
START, END = "<!-- trend-validation:start -->", "<!-- trend-validation:end -->"


def _pct(x: float) -> str:
    return fmt_number(100 * x, 1)


def _ok(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _misses(r: dict) -> list[str]:
    out = []
    if not _ok(r["growth_ci95_coverage"], TARGETS["growth"]):
        out.append("IC croissance")
    if r["dgp"] != "rw-break":
        for key in ("break_test_known_date", "break_test_unknown_date"):
            if not _ok(r[key]["rate"], TARGETS["size"]):
                out.append("taille " + ("date inconnue" if "unknown" in key else "date connue"))
    fc = r["forecast"]["retained"]
    if not all(_ok(v, TARGETS["fc95"]) for v in fc["coverage_95"]):
        out.append("prévision 95 %")
    if not all(_ok(v, TARGETS["fc80"]) for v in fc["coverage_80"]):
        out.append("prévision 80 %")
    return out


def table(reps: int, seed: int, dgps=REQUIRED + ("arima110",)) -> tuple[list[dict], float]:
    start = time.perf_counter()
    rows = []
    for n, freq in CASES:
        for dgp in dgps:
            r = validation.run_design(dgp, n, freq, reps=reps, seed=seed)
            rows.append(r)
            print(f"{dgp:>10} n={n:>2} {freq}: {r['seconds']:.1f} s", file=sys.stderr, flush=True)
    return rows, time.perf_counter() - start


def section(rows: list[dict], reps: int, seed: int, seconds: float) -> str:
    from benchlib import machine

    m = machine()
    lines = [
        "## Employment-trend methods under persistence (issue 11)",
        "",
        "Validation of what notebook 02 reports (`esstools.trends`): mean growth (mean of Δlog y) with its 95 %",
        "interval, test of a change of drift at the tested date (2020) and at an unknown date, and the retained",
        "projection (½–½ average, fixed in advance, of the random walk with drift and of the drift after the",
        "break) with 80 % and 95 % intervals for h = 1…5 years (2024…2028). Critical values are calibrated by",
        "simulation over AR(1) deviations from a trend, ρ from −0.8 to 1 (random walk); the designs below are",
        "fresh simulations with another seed. Drift 1.5 % a year, innovations 1 % a year (quarterly: 0.5 % a",
        "quarter, same persistence per year, ρ_q = ρ^(1/4)); `rw-break`: drift 1.5 % → 3.5 % from 2020 (4 annual",
        "growth rates, 16 quarterly ones, after the break). Truth of the growth rate: the mean drift of the",
        "log series over the sample's growth rates. `arima110` (not required, outside the calibration family):",
        "a random walk whose growth rates are AR(1) with coefficient 0.5 — the method's known limit.",
        "",
        f"Command: `.venv/bin/python benchmarks/trend_validation.py --table --reps {reps} --seed {seed}`"
        f" ({reps} replications per design; Monte Carlo standard error ≈ {fmt_number(100 * (0.95 * 0.05 / reps) ** 0.5, 1)}"
        f" point at 95 %, {fmt_number(100 * (0.8 * 0.2 / reps) ** 0.5, 1)} at 80 %).",
        f"Machine: {m['cpu']}, {m['nproc']} logical CPUs (shared), {m['memory']}, {m['os']}, Python {m['python']}.",
        f"Time: {fmt_number(seconds, 0)} s for the whole table (critical-value tables built once per n and",
        "frequency, then cached; each design then takes about a second).",
        "",
        "Coverage / rejection rates in %. Forecast columns: min–max over h = 1…5 years.",
        "",
        "| n | freq | process | growth CI 95 % | break 2020: size/power | unknown date: size/power "
        "| retained 95 % | retained 80 % | no-break model 95 % (h = 5) | break model 95 % (h = 5) | targets |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        fc = r["forecast"]
        miss = _misses(r)
        status = "—" if r["dgp"] == "arima110" else ("✅ all met" if not miss else "❌ " + ", ".join(miss))
        kind = "power" if r["dgp"] == "rw-break" else "size"
        lines.append(
            f"| {r['n']} | {r['freq']} | {r['dgp']} | {_pct(r['growth_ci95_coverage'])} "
            f"| {_pct(r['break_test_known_date']['rate'])} ({kind}) | {_pct(r['break_test_unknown_date']['rate'])} ({kind}) "
            f"| {_pct(min(fc['retained']['coverage_95']))}–{_pct(max(fc['retained']['coverage_95']))} "
            f"| {_pct(min(fc['retained']['coverage_80']))}–{_pct(max(fc['retained']['coverage_80']))} "
            f"| {_pct(fc['no_break']['coverage_95'][-1])} | {_pct(fc['break']['coverage_95'][-1])} | {status} |")
    lines += ["", NOTES]
    return "\n".join(lines)


NOTES = """\
Reading. Targets (issue 11, every required design with n ≥ 14): growth interval 92-97.5 %, break-test size
3-8 %, retained projection 90-98 % (95 %) and 74-86 % (80 %) at every horizon. Misses are flagged ❌ above:

- **n = 14, white noise or AR(0.5) deviations around a trend: conservative** (growth interval about 98-98.5 %
  instead of at most 97.5 %, unknown-date test size about 2-2.5 % instead of at least 3 %, 95 % projection
  interval up to about 98 % at one horizon). With 14 points the persistence statistic cannot tell a
  trend-stationary series from a random walk often enough; critical values that keep about 93 % coverage under
  the random walk (the law of the demo series and, approximately, of real employment series) are then too
  large for trend-stationary series. We chose the safe side: too wide rather than too narrow. A weaker
  protection of the random walk (tried: see `esstools.trends.calibration`, `UNDERCOVERAGE_WEIGHT`, `CEILING`)
  brings its coverage under 92 % without bringing white noise under 97.5 %.
- **`rw-break`, 80 % projection interval**: about 87 % at h = 1 (n = 14) and 73 % at h = 5 (quarterly): the
  retained projection gives the break model a fixed weight of one half, decided before seeing any series; when
  the drift does change by 2 points, the half given to the no-break model pulls the short-horizon interval wide
  and the long-horizon one off-centre. Both are within about one Monte Carlo standard error of the target
  bounds; the 95 % intervals keep their target.
- **n = 10** (2014-2023, 9 growth rates, 5 before 2020): targets are not required, and not met for
  trend-stationary series: growth interval about 98.5-99 %, projection intervals up to about 99 % (95 %) and 86-90 %
  (80 %). Nine growth rates cannot tell a trend-stationary series from a random walk, so the intervals must
  protect against the random walk and are conservative; the random walk itself is covered as targeted.
- **Power.** The test at the known date detects a 2-point change of drift in 2020 in about 45 % of the series at
  n = 10, two out of three at n = 14 or 48 quarters, nearly all at n = 40; the unknown-date test, which pays for
  searching over dates, in 20-35 % (at n = 40 a break in the last 4 of 40 years lies outside its 15 %-trimmed
  search range). Without a detected break the retained projection still covers, because it gives the break model
  a fixed weight of one half (the no-break model alone covers 33 % at n = 40).
- **`arima110`** (growth rates with momentum 0.5) is outside the family the critical values are calibrated on:
  the growth interval covers about 84-87 % and break tests reject at 8-16 % instead of 5 %. The report states
  this limit; the quarterly demo series has momentum in its quarterly growth rates, so its quarterly analysis
  should be read with that caveat.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dgp", choices=validation.DGPS, default="rw")
    ap.add_argument("--n", type=int, default=14)
    ap.add_argument("--freq", choices=("A", "Q"), default="A")
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=validation.VALIDATION_SEED)
    ap.add_argument("--json", action="store_true", help="print one JSON object (the default output)")
    ap.add_argument("--table", action="store_true", help="run every design and rewrite the RESULTS.md section")
    args = ap.parse_args(argv)
    if args.table:
        rows, seconds = table(args.reps, args.seed)
        from benchlib import write_section

        write_section(START, END, section(rows, args.reps, args.seed, seconds))
        print(json.dumps({"designs": len(rows), "seconds": round(seconds, 1),
                          "misses": {f"{r['dgp']}/{r['n']}{r['freq']}": _misses(r) for r in rows if _misses(r)}},
                         ensure_ascii=False))
        return 0
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(json.dumps(validation.run_design(args.dgp, args.n, args.freq, reps=args.reps, seed=args.seed),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
