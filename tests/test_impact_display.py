"""French display helpers of the impact results (formatting only; estimators are tested elsewhere)."""

from __future__ import annotations

import pytest

from esstools.impact import assemble, by_kind, compare, dose_response, mde_grid, twfe_revenue
from esstools.impact.heterogeneity import table_with_truth_fr
from esstools.impact.power import mde_table_fr
from esstools.impact.results import decimals_for, fmt_fr, fmt_pvalue
from esstools.synth.siae_panel import generate_siae_panel


@pytest.fixture(scope="module")
def panel():
    return assemble(**generate_siae_panel(seed=0).frames()).panel


def test_fmt_fr():
    assert fmt_fr(20247.877, 0) == "20\u202f248"
    assert fmt_fr(1.8457, 2) == "1,85"
    assert fmt_fr(-0.26, 2) == "\u22120,26"
    assert fmt_fr(-0.0001, 2) == "0,00"
    assert fmt_fr(2.5, 1, signed=True) == "+2,5"
    assert fmt_fr(-1.73e-8, 6) == "\u22121,7 × 10⁻⁸"
    assert fmt_fr(float("nan")) == "—" and fmt_fr(None) == "—"
    assert fmt_pvalue(0.0004) == "< 0,001" and fmt_pvalue(0.9712) == "0,971"
    assert (decimals_for(3964.99), decimals_for(0.28), decimals_for(0.0165), decimals_for(8.8e-8)) == (0, 2, 3, 6)


def test_compare_rounds_to_standard_error_in_french(panel):
    tw = twfe_revenue(panel)
    tab = compare({"CA total (€)": tw["level"], "CA hors marchés (€)": tw["excl"], "log CA": tw["log"]})
    lev = tw["level"]
    hours = tab.loc["Heures d'insertion (par 1 000 h)", "CA total (€)"]
    ci = lev.conf_int().loc["hours_k"]
    assert hours == (f"{fmt_fr(lev.params['hours_k'], 0)} ({fmt_fr(lev.std_errors['hours_k'], 0)}) "
                     f"[{fmt_fr(ci.lower, 0)} ; {fmt_fr(ci.upper, 0)}]")
    assert hours.startswith("20\u202f248 (3\u202f965) [12\u202f399 ; 28\u202f097]")
    assert tab.loc["Marchés réservés (par € de contrat)", "CA total (€)"] == "1,85 (0,28) [1,29 ; 2,40]"
    assert tab.index[-1] == "N" and tab.loc["N", "log CA"] == "1\u202f201"
    assert not tab.apply(lambda c: c.str.contains(r"\d\.\d")).to_numpy().any()  # no decimal point anywhere
    fixed = compare({"a": lev}, digits=1)
    assert fixed.loc["Marchés réservés (par € de contrat)", "a"].startswith("1,8 (0,3)")


def test_table_display_and_truth_column(panel):
    bk = by_kind(panel)
    t = table_with_truth_fr(bk, {"hours_k:ACI": 10000.0, "reserved_market_eur:ACI": 1.2})
    assert list(t.columns) == ["coefficient", "erreur type", "IC 95 % bas", "IC 95 % haut", "p-valeur",
                               "vrai effet (démo)"]
    row = t.loc["Heures (par 1 000 h) — ACI"]
    assert row["coefficient"] == fmt_fr(bk.params["hours_k:ACI"], 0) == "7\u202f767"
    assert row["vrai effet (démo)"] == "10\u202f000"
    assert t.loc["Marchés réservés (par €) — ACI", "vrai effet (démo)"] == "1,20"
    assert t.loc["Heures (par 1 000 h) — AI", "vrai effet (démo)"] == "—"
    dr = dose_response(panel, knots=(2000, 5000)).table_display()
    assert dr.iloc[0]["p-valeur"] == "0,197" and dr.iloc[-1]["p-valeur"] == "< 0,001"


def test_mde_table_fr():
    g = mde_grid(n_siae_grid=(60, 123), years_grid=(4, 10), n_sims=20, seed=3)
    t = mde_table_fr(g)
    assert list(t.columns) == ["4 années", "10 années"] and t.columns.name == "années du panel"
    assert t.index.names == ["effet", "SIAE"]
    att = g[(g.target == "att") & (g.n_siae == 123) & (g.n_years == 10)]["mde"].iloc[0]
    label_att = "1re attribution d'un marché réservé (k€ de CA par an)"
    assert t.loc[(label_att, 123), "10 années"] == fmt_fr(att / 1e3, 0) + " k€"
    res = g[(g.target == "reserved") & (g.n_siae == 60) & (g.n_years == 4)]["mde"].iloc[0]
    assert t.loc[("Marchés réservés (€ de CA par € de marché)", 60), "4 années"] == fmt_fr(res, 2) + " €"
    assert t.loc[("Heures d'insertion (k€ de CA pour 1\u202f000 h)", 60), "4 années"].endswith(" k€")
