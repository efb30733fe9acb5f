"""A small seeded subset of the validation table (benchmarks/trend_validation.py): coverage and size hold
under persistence, within Monte Carlo bands (400 replications: ±3.3 points at 95 %, ±6 at 80 %, 3 sd)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from esstools.trends import validation

REPS, SEED = 400, 424_242
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def runs():
    return {dgp: validation.run_design(dgp, 14, "A", reps=REPS, seed=SEED) for dgp in ("ar1", "rw", "rw-break")}


@pytest.mark.parametrize("dgp", ["ar1", "rw"])
def test_growth_interval_and_break_tests_hold_under_persistence(runs, dgp):
    r = runs[dgp]
    assert 0.92 - 0.033 <= r["growth_ci95_coverage"] <= 0.985 + 0.01
    for key in ("break_test_known_date", "break_test_unknown_date"):
        assert r[key]["kind"] == "size"
        assert 0.03 - 0.033 <= r[key]["rate"] <= 0.08 + 0.033
    fc = r["forecast"]["retained"]
    assert min(fc["coverage_95"]) >= 0.90 - 0.033 and max(fc["coverage_95"]) <= 0.98 + 0.02
    assert min(fc["coverage_80"]) >= 0.74 - 0.06 and max(fc["coverage_80"]) <= 0.86 + 0.06
    assert abs(r["growth_bias_log_points"]) < 4 * 0.01 / np.sqrt(13 * REPS)  # unbiased (sd 1 point a year)


def test_a_drift_change_is_detected_and_the_retained_projection_still_covers(runs):
    brk, rw = runs["rw-break"], runs["rw"]
    assert brk["break_test_known_date"]["kind"] == "power"
    assert brk["break_test_known_date"]["rate"] > 0.45
    assert brk["break_test_unknown_date"]["rate"] > rw["break_test_unknown_date"]["rate"]
    # the growth interval is built to be invariant to a change of drift at the tested date: same draws, same coverage
    assert brk["growth_ci95_coverage"] == rw["growth_ci95_coverage"]
    fc = brk["forecast"]
    assert fc["no_break"]["coverage_95"][-1] < fc["retained"]["coverage_95"][-1]  # ignoring the break misses
    assert min(fc["retained"]["coverage_95"]) >= 0.90 - 0.033
    assert brk["truth_growth_log_per_year"] == pytest.approx(0.015 + 0.02 * 4 / 13)


def test_the_harness_prints_one_json_object_for_a_design():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "trend_validation.py"), "--dgp", "iid", "--n", "14",
                          "--freq", "A", "--reps", "50", "--seed", "3", "--json"], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    data = json.loads(out.stdout)
    assert data["dgp"] == "iid" and data["n"] == 14 and data["reps"] == 50
    assert set(data["forecast"]) == {"retained", "no_break", "break"}
    assert len(data["forecast"]["retained"]["coverage_80"]) == 5


def test_unknown_design_values_are_refused():
    with pytest.raises(Exception, match="allowed values"):
        validation.run_design("ar2", 14)
    with pytest.raises(Exception, match="fewer than 2 growth rates before 2020"):
        validation.design_for(6, "A")
