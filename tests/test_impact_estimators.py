"""Event study, Callaway-Sant'Anna, heterogeneity and power on the assembled demo panel."""

import numpy as np
import pytest
from scipy import stats

from esstools.impact import (assemble, by_kind, callaway_santanna, dose_response, event_frame, event_study,
                             mde_grid, power_curve, twfe_binary)
from esstools.impact.power import mde_factor, simulate_estimates
from esstools.impact.staggered import cs_batched
from esstools.synth.siae_panel import generate_siae_panel


@pytest.fixture(scope="module")
def demo_panel():
    demo = generate_siae_panel(seed=0)
    return demo, assemble(**demo.frames()).panel


def test_event_study_on_panel(demo_panel):
    demo, panel = demo_panel
    es = event_study(panel, leads=4, lags=5)
    assert list(es.params.index) == ["e<=-4", "e-3", "e-2", "e0", "e1", "e2", "e3", "e4", "e>=5"]
    pre = es.extra["pretrend"]
    assert pre["test"] == "F" and pre["df"] == (3, 122) and 0 <= pre["pvalue"] <= 1
    fr = event_frame(es)
    assert fr.loc[fr.event_time == -1, "estimate"].item() == 0.0


def test_callaway_santanna_wrapper_matches_batched_core(demo_panel):
    demo, panel = demo_panel
    cs = callaway_santanna(panel)
    wide = panel.pivot(index="siren", columns="year", values="revenue_eur")
    coh = panel.drop_duplicates("siren").set_index("siren")["first_award_year"].reindex(wide.index).fillna(0).astype(int)
    core = cs_batched(wide.to_numpy()[None], coh.to_numpy()[None], np.arange(2016, 2026), min_e=-4, max_e=5)
    assert cs.simple.params["att"] == pytest.approx(core["simple"][0])
    assert cs.simple.std_errors["att"] == pytest.approx(core["simple_se"][0])
    np.testing.assert_allclose(cs.dynamic.params.to_numpy(), core["dynamic"][0])
    assert cs.weights_simple["weight"].sum() == pytest.approx(1.0)
    assert 0 <= cs.pretrend["pvalue"] <= 1
    assert "Callaway" in cs.summary()
    # notyet controls also run; TWFE binary is available for the comparison
    assert np.isfinite(callaway_santanna(panel, control_group="notyet").simple.params["att"])
    assert np.isfinite(twfe_binary(panel).params["treated"])


def test_heterogeneity_by_kind_and_dose(demo_panel):
    _, panel = demo_panel
    res = by_kind(panel)
    assert "hours_k:AI" in res.params.index and "hours_k:EITI" not in res.params.index  # 2 EITI < min_units
    assert res.term_df["hours_k:AI"] == 11
    assert any("EITI" in n for n in res.notes)
    dr = dose_response(panel, knots=(2000, 5000))
    assert list(dr.params.index[:3]) == ["hours_0_2000", "hours_2000_5000", "hours_5000_plus"]
    assert "Pente au-delà de 5\u202f000 h" in dr.labels["hours_5000_plus"]


def test_mde_gives_80_percent_power():
    """At effect = MDE, the two-sided 5 % test rejects in about 80 % of 400 simulated panels (123 SIAE x 8 years)."""
    out = simulate_estimates(123, 8, 400, seed=7)
    for target in ("att", "hours", "reserved"):
        est, se = out[target]
        mde = mde_factor(123) * se.mean()
        shifted = est - est.mean() + mde  # the estimators are linear: an extra effect shifts the estimate
        crit = stats.t.ppf(0.975, 122)
        power = np.mean(np.abs(shifted / se) > crit)
        print(f"{target}: MDE={mde:.4g}, simulated power={power:.3f}")
        assert 0.72 <= power <= 0.88


def test_mde_grid_and_power_curve():
    g = mde_grid(n_siae_grid=(60, 250), years_grid=(6,), n_sims=30, seed=1)
    assert set(g["target"]) == {"att", "reserved", "hours"} and g.attrs["data_kind"] == "demo"
    att = g[g.target == "att"].set_index("n_siae")["mde"]
    assert att[250] < att[60]  # more SIAE, smaller MDE
    pc = power_curve([0.0, 50_000.0], se=20_000.0, n_clusters=123)
    assert pc["power"].iloc[0] == pytest.approx(0.05, abs=1e-6)
    assert 0.65 < pc["power"].iloc[1] < 0.75
