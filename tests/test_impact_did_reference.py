"""Callaway-Sant'Anna against R `did` (att_gt / aggte, analytic standard errors) on `mpdta`.

Reference files are read from ../shared/reference/did-mpdta/ (never copied into the repository):
`mpdta.csv` (500 counties x 2003-2007) and the R output `ref_attgt.csv` / `ref_aggte.csv`, scenarios
`mpdta_nev_dr` (never-treated controls) and `mpdta_nyt_dr` (not-yet-treated), base_period "varying",
no covariates. ATT(g,t) and every aggregation must match to 1e-6; standard errors match R exactly
with `small_sample=False`, and with the default `small_sample=True` exceed R's by the documented
sqrt(n_g/(n_g-1)) factor per comparison group (0.3-2.4 % on mpdta).
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from esstools import paths
from esstools.impact import callaway_santanna
from esstools.provenance import Provenance

# ../shared beside the repository (ESSTOOLS_SHARED_DIR overrides it, e.g. from a git worktree)
SHARED = Path(os.environ.get("ESSTOOLS_SHARED_DIR", Path(paths.REPO_ROOT).parent / "shared"))
REF = SHARED / "reference" / "did-mpdta"
pytestmark = pytest.mark.skipif(
    not (REF / "mpdta.csv").exists(),
    reason="R did reference not checked: ../shared/reference/did-mpdta/ (mpdta.csv + R output) is absent",
)
SCENARIOS = {"mpdta_nev_dr": "never", "mpdta_nyt_dr": "notyet"}
PROV = Provenance.real("mpdta (R package did)")


@pytest.fixture(scope="module")
def mpdta():
    d = pd.read_csv(REF / "mpdta.csv")
    return pd.DataFrame({"siren": d["countyreal"].astype(str), "year": d["year"].astype(int), "lemp": d["lemp"],
                         "first_award_year": d["first.treat"].where(d["first.treat"] > 0).astype("Int64"),
                         "left_censored": False})


def _fit(mpdta, scenario, small_sample):
    return callaway_santanna(mpdta, outcome="lemp", control_group=SCENARIOS[scenario], min_e=-3, max_e=3,
                             provenance=PROV, small_sample=small_sample, missing="units", t_dist=False)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_att_gt_and_aggregations_match_r_did(mpdta, scenario):
    attgt = pd.read_csv(REF / "ref_attgt.csv").query("scenario == @scenario").set_index(["group", "t"])
    agg = pd.read_csv(REF / "ref_aggte.csv").query("scenario == @scenario")
    res = _fit(mpdta, scenario, small_sample=False)
    ours = res.att_gt.set_index(["cohort", "year"])
    assert len(ours) == len(attgt) == 12
    np.testing.assert_allclose(ours.loc[attgt.index, "att"], attgt["att"], atol=1e-6)
    np.testing.assert_allclose(ours.loc[attgt.index, "std_error"], attgt["se"], rtol=1e-6)
    simple = agg[agg["type"] == "simple"].iloc[0]
    assert res.simple.params["att"] == pytest.approx(simple["overall_att"], abs=1e-6)
    assert res.simple.std_errors["att"] == pytest.approx(simple["overall_se"], rel=1e-6)
    for kind, result, prefix in (("dynamic", res.dynamic, "e"), ("group", res.group, "g")):
        ref = agg[agg["type"] == kind]
        terms = [f"{prefix}{int(v)}" for v in ref["egt"]]
        np.testing.assert_allclose(result.params[terms], ref["att_egt"], atol=1e-6)
        np.testing.assert_allclose(result.std_errors[terms], ref["se_egt"], rtol=1e-6)
    print(f"{scenario}: simple ATT {res.simple.params['att']:.7f} (R {simple['overall_att']:.7f}), "
          f"SE {res.simple.std_errors['att']:.7f} (R {simple['overall_se']:.7f})")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_default_small_sample_factor_is_within_documented_bounds(mpdta, scenario):
    attgt = pd.read_csv(REF / "ref_attgt.csv").query("scenario == @scenario").set_index(["group", "t"])
    res = _fit(mpdta, scenario, small_sample=True)
    ours = res.att_gt.set_index(["cohort", "year"]).loc[attgt.index]
    np.testing.assert_allclose(ours["att"], attgt["att"], atol=1e-6)  # point estimates unchanged
    ratio = ours["std_error"].to_numpy() / attgt["se"].to_numpy()
    print(f"{scenario}: SE ratio esstools/R did per ATT(g,t): min {ratio.min():.4f}, max {ratio.max():.4f}")
    assert ratio.min() > 1.0 and ratio.max() < 1.025
    # bound: the largest factor sqrt(n/(n-1)) over the comparison groups of mpdta
    n_min = min(int((mpdta.drop_duplicates("siren")["first_award_year"] == g).sum()) for g in (2004, 2006, 2007))
    assert ratio.max() <= np.sqrt(n_min / (n_min - 1)) + 1e-9
