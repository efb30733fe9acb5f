"""French display of the impact results (formatting only; estimators are tested elsewhere)."""

import pytest

from esstools.display import fmt_number
from esstools.impact import assemble_sourced, by_kind, compare, dose_response, mde_grid, twfe_revenue
from esstools.impact.heterogeneity import table_with_truth_fr
from esstools.impact.power import mde_table_fr
from esstools.impact.results import decimals_for
from esstools.sources.siae import power_simulator, siae_inputs


@pytest.fixture(scope="module")
def asm():
    return assemble_sourced(siae_inputs("93", seed=0))


def test_decimals_follow_the_standard_error():
    assert (decimals_for(3964.99), decimals_for(0.28), decimals_for(0.0165), decimals_for(8.8e-8)) == (0, 2, 3, 6)


def test_compare_rounds_to_standard_error_in_french(asm):
    tw = twfe_revenue(asm)
    tab = compare({"CA total (€)": tw["level"], "CA hors marchés (€)": tw["excl"], "log CA": tw["log"]}).set_index("terme")
    lev = tw["level"]
    hours = tab.loc["Heures d'insertion (par 1 000 h)", "CA total (€)"]
    ci = lev.conf_int().loc["hours_k"]
    assert hours == (f"{fmt_number(lev.params['hours_k'], 0)} ({fmt_number(lev.std_errors['hours_k'], 0)}) "
                     f"[{fmt_number(ci.lower, 0)} ; {fmt_number(ci.upper, 0)}]")
    d = decimals_for(lev.std_errors["reserved_market_eur"])
    assert d == 2 and tab.loc["Marchés réservés (par € de contrat)", "CA total (€)"].startswith(
        fmt_number(lev.params["reserved_market_eur"], 2) + " (")
    assert tab.index[-1] == "N" and tab.loc["N", "log CA"] == fmt_number(lev.nobs, 0)
    assert not tab.apply(lambda c: c.str.contains(r"\d\.\d")).to_numpy().any()  # no decimal point anywhere
    fixed = compare({"a": lev}, digits=1).set_index("terme")
    assert fixed.loc["Marchés réservés (par € de contrat)", "a"].startswith(fmt_number(lev.params["reserved_market_eur"], 1))


def test_table_display_and_truth_column(asm):
    bk = by_kind(asm)
    t = table_with_truth_fr(bk, {"hours_k:ACI": 10000.0, "reserved_market_eur:ACI": 1.2}).set_index("terme")
    assert list(t.columns) == ["coefficient", "erreur type", "IC 95 %", "p-valeur", "IC 95 % (bootstrap sauvage)",
                               "p (bootstrap sauvage)", "vrai effet (démo)"]
    row = t.loc["Heures (par 1 000 h) — ACI"]
    assert row["coefficient"] == fmt_number(bk.params["hours_k:ACI"], 0)
    assert row["vrai effet (démo)"] == "10\u202f000" and row["IC 95 % (bootstrap sauvage)"] == "—"
    assert t.loc["Marchés réservés (par €) — ACI", "vrai effet (démo)"] == "1,20"
    assert t.loc["Heures (par 1 000 h) — AI", "vrai effet (démo)"] == "—"
    assert t.loc["Heures (par 1 000 h) — AI", "IC 95 % (bootstrap sauvage)"].startswith("[")
    dr = dose_response(asm, knots=(2000, 5000)).table_display()
    assert dr.iloc[-1]["p-valeur"] == "< 0,001" and dr.iloc[0]["terme"].startswith("Pente de 0 à 2\u202f000 h")
    html = bk._repr_html_()
    assert "données de démonstration" in html and "Effets par type de SIAE" in html


def test_mde_table_fr():
    g = mde_grid(power_simulator("93"), n_siae_grid=(60, 123), years_grid=(4, 10), n_sims=20, seed=3)
    t = mde_table_fr(g)
    assert list(t.columns) == ["effet", "SIAE", "4 années", "10 années"]
    t = t.set_index(["effet", "SIAE"])
    att = g[(g.target == "att") & (g.n_siae == 123) & (g.n_years == 10)]["mde"].iloc[0]
    label_att = "1re attribution, Callaway–Sant'Anna (k€ de CA par an)"
    assert t.loc[(label_att, 123), "10 années"] == fmt_number(att / 1e3, 0) + " k€"
    res = g[(g.target == "reserved") & (g.n_siae == 60) & (g.n_years == 4)]["mde"].iloc[0]
    assert t.loc[("Marchés réservés (€ de CA par € de marché)", 60), "4 années"] == fmt_number(res, 2) + " €"
    assert t.loc[("Heures d'insertion (k€ de CA pour 1\u202f000 h)", 60), "4 années"].endswith(" k€")
