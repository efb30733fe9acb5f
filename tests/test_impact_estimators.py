"""Event study, Callaway-Sant'Anna, heterogeneity and power on the assembled demo panel."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from esstools.impact import (assemble_sourced, by_kind, callaway_santanna, dose_response, event_frame, event_study,
                             mde_grid, power_curve, twfe_binary)
from esstools.impact.power import mde_factor, simulate_estimates, simulated_mde
from esstools.impact.staggered import cs_batched
from esstools.sources.siae import power_simulator, siae_inputs


@pytest.fixture(scope="module")
def asm():
    return assemble_sourced(siae_inputs("93", seed=0))


def test_event_study_on_panel(asm):
    es = event_study(asm, leads=4, lags=5)
    assert list(es.params.index) == ["e<=-4", "e-3", "e-2", "e0", "e1", "e2", "e3", "e4", "e>=5"]
    pre = es.pretrend_test()
    assert pre.test == "F" and pre.df == (3, 122) and 0 <= pre.pvalue <= 1
    assert pre.terms == ("e<=-4", "e-3", "e-2") and pre["pvalue"] == pre.pvalue
    fr = event_frame(es)
    assert fr.loc[fr.event_time == -1, "estimate"].item() == 0.0


def test_callaway_santanna_wrapper_matches_batched_core(asm):
    panel = asm.panel
    cs = callaway_santanna(asm)
    wide = panel.pivot(index="siren", columns="year", values="revenue_eur")
    coh = panel.drop_duplicates("siren").set_index("siren")["first_award_year"].reindex(wide.index).fillna(0).astype(int)
    core = cs_batched(wide.to_numpy()[None], coh.to_numpy()[None], np.arange(2016, 2026), min_e=-4, max_e=5)
    assert cs.simple.params["att"] == pytest.approx(core["simple"][0])
    assert cs.simple.std_errors["att"] == pytest.approx(core["simple_se"][0])
    np.testing.assert_allclose(cs.dynamic.params.to_numpy(), core["dynamic"][0])
    assert cs.weights_simple["weight"].sum() == pytest.approx(1.0)
    pre = cs.pretrend_test()
    assert pre.test == "chi2" and pre.terms == ("e-4", "e-3", "e-2", "e-1") and 0 <= pre.pvalue <= 1
    assert "Callaway" in cs.summary() and "données de démonstration" in cs._repr_html_()
    assert cs.provenance.kind == "demo" and cs.simple.df_dist is None  # 123 SIAE: normal critical values
    assert np.isfinite(callaway_santanna(asm, control_group="notyet").simple.params["att"])
    assert np.isfinite(twfe_binary(asm).params["treated"])


def test_missing_outcome_rules_differ_and_are_stated(asm):
    cells = callaway_santanna(asm)
    units = callaway_santanna(asm, missing="units", small_sample=False)
    lost = asm.panel.groupby("siren")["revenue_eur"].apply(lambda s: s.isna().any())
    lost = lost[~asm.panel.drop_duplicates("siren").set_index("siren")["left_censored"].reindex(lost.index)]
    assert units.simple.n_units == cells.simple.n_units - int(lost.sum()) < cells.simple.n_units
    assert f"{int(lost.sum())} SIAE sans valeur" in units.notes[0]
    assert units.simple.params["att"] != pytest.approx(cells.simple.params["att"])
    # same sample: the only difference left is the documented small-sample factor (SE larger, estimate equal)
    units_ss = callaway_santanna(asm, missing="units", small_sample=True)
    assert units_ss.simple.params["att"] == pytest.approx(units.simple.params["att"])
    assert 1.0 < units_ss.simple.std_errors["att"] / units.simple.std_errors["att"] < 1.1


def test_heterogeneity_by_kind_and_dose(asm):
    res = by_kind(asm)
    assert "hours_k:AI" in res.params.index and "hours_k:EITI" not in res.params.index  # 2 EITI < min_units
    assert res.term_df["hours_k:AI"] == 11
    assert any("EITI" in n for n in res.notes)
    # few clusters: wild cluster bootstrap (Webb weights at 12 AI), none for the 51 ACI hours term
    assert res.wild.loc["hours_k:AI", "weights"] == "webb" and res.wild.loc["hours_k:AI", "clusters"] == 12
    assert "hours_k:ACI" not in res.wild.index
    lo, hi = res.wild.loc["hours_k:AI", ["ci_lower", "ci_upper"]]
    assert lo < res.params["hours_k:AI"] < hi
    assert "IC 95 % (bootstrap sauvage)" in res.table_display().columns
    dr = dose_response(asm, knots=(2000, 5000))
    assert list(dr.params.index[:3]) == ["hours_0_2000", "hours_2000_5000", "hours_5000_plus"]
    assert "Pente au-delà de 5\u202f000 h" in dr.labels["hours_5000_plus"]


def test_cs_mde_gives_80_percent_power():
    """The MDE of the reported estimator (Callaway-Sant'Anna), closed form on simulated SEs: at effect = MDE the
    test rejects in about 80 % of 300 simulated panels (123 SIAE x 8 years), and the simulated MDE agrees."""
    out = simulate_estimates(power_simulator("93"), 123, 8, 300, seed=7)
    for target, clusters in (("att", None), ("att_twfe", 123), ("hours", 123), ("reserved", 123)):
        est, se = out[target]
        mde = mde_factor(clusters) * se.mean()
        crit = stats.norm.ppf(0.975) if clusters is None else stats.t.ppf(0.975, clusters - 1)
        power = np.mean(np.abs(est - est.mean() + mde) / se > crit)
        sim = simulated_mde(est, se, crit)
        print(f"{target}: MDE={mde:.4g}, simulated MDE={sim:.4g}, power at MDE={power:.3f}")
        assert 0.74 <= power <= 0.86
        assert sim == pytest.approx(mde, rel=0.1)
    # the reported estimator is less precise than the static TWFE on this design
    assert out["att"][1].mean() > out["att_twfe"][1].mean()


def test_mde_grid_and_power_curve():
    g = mde_grid(power_simulator("93"), n_siae_grid=(60, 250), years_grid=(6,), n_sims=30, seed=1)
    assert set(g["target"]) == {"att", "att_twfe", "reserved", "hours"}
    att = g[g.target == "att"].set_index("n_siae")["mde"]
    assert att[250] < att[60]  # more SIAE, smaller MDE
    pc = power_curve([0.0, 50_000.0], se=20_000.0, n_clusters=123)
    assert pc["power"].iloc[0] == pytest.approx(0.05, abs=1e-6)
    assert 0.65 < pc["power"].iloc[1] < 0.75
    assert power_curve([0.0], se=1.0, n_clusters=None)["power"].iloc[0] == pytest.approx(0.05)
