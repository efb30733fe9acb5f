"""The projection rule (break model vs 1/MAPE average), the forecast mixture and the French tables."""

import numpy as np
import pandas as pd
import pytest

from esstools import trends
from esstools.errors import ParameterError
from esstools.provenance import DEMO_LABEL
from esstools.trends import tables, validation


def _series(n=14, growth=0.02, slope_change=0.0, break_year=2020, sigma=0.006, seed=0, start=2010):
    rng = np.random.default_rng(seed)
    years = np.arange(start, start + n)
    t = years - start
    post = np.clip(years - break_year, 0, None) * (years >= break_year)
    log_y = np.log(40_000) + np.log1p(growth) * t + slope_change * post + rng.normal(0, sigma, n)
    return pd.Series(np.exp(log_y), index=years, name="test")


def _models(s, break_year=2020):
    return {"tendance log-linéaire": trends.fit_loglinear(s),
            f"rupture {break_year}": trends.fit_break(s, break_year=break_year),
            "lissage exponentiel (ETS)": trends.fit_ets(s)}


def test_rule_retains_break_model_when_chow_rejects():
    s = _series(slope_change=0.015, seed=1)
    models = _models(s)
    assert models["rupture 2020"].chow_pvalue < 0.001
    ch = trends.choose_projection(models, 2028, weights={"tendance log-linéaire": 1, "lissage exponentiel (ETS)": 1})
    assert ch.rule == "rupture" and ch.weights == {"rupture 2020": 1.0}
    brk_fc = models["rupture 2020"].forecast(2028).at(2028)
    assert ch.at(2028) == brk_fc  # the break model's own projection and intervals
    # the no-break trend extrapolates the old slope: well below, outside the break model's 95 % interval
    assert ch.forecasts["tendance log-linéaire"].at(2028)["value"] < brk_fc["ci95"][0]
    assert "rejette l'absence de rupture en 2020" in ch.decision_fr and "4 observations" in ch.decision_fr
    tab = ch.to_frame(2028)
    roles = dict(zip(tab["modèle"], tab["rôle"]))
    assert roles == {"tendance log-linéaire": "écarté : ignore la rupture", "rupture 2020": "retenu",
                     "lissage exponentiel (ETS)": "écarté : ignore la rupture"}
    assert "au seuil de 5 %" in ch.rule_fr and "au moins 3 observations" in ch.rule_fr
    assert DEMO_LABEL in ch.summary()


def test_rule_averages_models_without_break_when_chow_does_not_reject():
    s = _series(slope_change=0.0, seed=2)
    models = _models(s)
    assert models["rupture 2020"].chow_pvalue > 0.05
    bt = trends.backtest(s, trends.default_models(2020), min_train=8, max_horizon=3)
    ch = trends.choose_projection(models, 2028, backtest=bt)
    assert ch.rule == "combinaison"
    assert set(ch.weights) == {"tendance log-linéaire", "lissage exponentiel (ETS)"}  # break model excluded
    mape = bt.scores["mape"]
    expected = (1 / mape[list(ch.weights)]) / (1 / mape[list(ch.weights)]).sum()
    for k, w in ch.weights.items():
        assert w == pytest.approx(expected[k])
    assert "ne rejette pas l'absence de rupture en 2020" in ch.decision_fr
    tab = ch.to_frame(2028)
    assert tab.iloc[-1]["modèle"] == "moyenne pondérée (retenue)" and tab.iloc[-1]["rôle"] == "retenue"
    assert dict(zip(tab["modèle"], tab["rôle"]))["rupture 2020"] == "écarté : rupture non établie"
    a = ch.at(2028)
    assert a["ci95"][0] < a["ci80"][0] < a["value"] < a["ci80"][1] < a["ci95"][1]


def test_rule_needs_enough_post_break_observations():
    s = _series(n=13, slope_change=0.03, break_year=2020, seed=3)  # 2010-2022: 3 points from 2020
    models = _models(s)
    assert models["rupture 2020"].chow_pvalue < 0.05
    ch = trends.choose_projection(models, 2028, weights={"tendance log-linéaire": 1.0}, min_post=4)
    assert ch.rule == "combinaison" and ch.n_post == 3
    assert "que 3 observation(s) depuis la rupture (il en faut 4)" in ch.decision_fr
    assert dict(zip(ch.to_frame(2028)["modèle"], ch.to_frame(2028)["rôle"]))["rupture 2020"] == \
        "écarté : trop peu d'observations après la rupture"
    assert trends.choose_projection(models, 2028, weights={"tendance log-linéaire": 1.0}, min_post=3).rule == "rupture"


def test_rule_errors_are_clear():
    s = _series(seed=4)
    models = _models(s)
    with pytest.raises(ParameterError, match="either a backtest"):
        trends.choose_projection(models, 2028)
    with pytest.raises(ParameterError, match="alpha"):
        trends.choose_projection(models, 2028, weights={"tendance log-linéaire": 1}, alpha=5)


def test_mixture_quantiles_match_simulated_mixture():
    s = _series(seed=5)
    fa = trends.fit_loglinear(s).forecast(2028)  # Student t law
    fb = trends.fit_local_linear_trend(_series(seed=6, growth=0.03)).forecast(2028)  # normal law
    fb.model = "b"
    comb = trends.combine_forecasts([fa, fb], [0.7, 0.3])
    a, b = fa.frame.iloc[-1], fb.frame.iloc[-1]
    assert np.isfinite(a["log_df"]) and np.isinf(b["log_df"])
    rng = np.random.default_rng(0)
    m = 400_000
    pick = rng.random(m) < 0.7
    draws = np.where(pick, a["log_mean"] + a["log_se"] * rng.standard_t(a["log_df"], m),
                     b["log_mean"] + b["log_se"] * rng.standard_normal(m))
    row = comb.frame.iloc[-1]
    for col, q in (("mean", 0.5), ("lower_80", 0.1), ("upper_80", 0.9), ("lower_95", 0.025), ("upper_95", 0.975)):
        assert np.log(row[col]) == pytest.approx(np.quantile(draws, q), abs=2e-3), col
    # the mixture CDF at each bound equals the nominal probability exactly
    mus, sds, dfs = np.array([a["log_mean"], b["log_mean"]]), np.array([a["log_se"], b["log_se"]]), \
        np.array([a["log_df"], b["log_df"]])
    from esstools.trends.forecast import mixture_cdf
    assert mixture_cdf(np.log(row["upper_80"]), mus, sds, dfs, np.array([0.7, 0.3])) == pytest.approx(0.9, abs=1e-9)
    assert comb.weights == {fa.model: pytest.approx(0.7), "b": pytest.approx(0.3)}
    with pytest.raises(ParameterError, match="itself a combination"):
        trends.combine_forecasts([comb, fa], [1, 1])


def test_growth_table_explains_missing_ets_interval():
    s = _series(seed=7)
    tab = tables.growth_table(_models(s))
    assert not tab.isna().any().any()
    ci = dict(zip(tab["modèle"], tab["IC 95 % (%)"]))
    assert ci["lissage exponentiel (ETS)"].startswith("pas d'intervalle : le lissage exponentiel")
    lo, hi = trends.fit_loglinear(s).growth_ci(0.95)
    assert ci["tendance log-linéaire"] == f"[{trends.results.fmt_fr(lo, 2)} ; {trends.results.fmt_fr(hi, 2)}]"
    assert "rupture 2020 (pente après rupture)" in ci


def test_styled_table_is_french_and_deterministic():
    df = pd.DataFrame({"modèle": ["a"], "projection": [51889.4], "EAMP (%)": [0.947], "emplois": [3865.2]})
    h1 = tables.styled(df, "demo", "t_test", digits={"EAMP (%)": 2, "emplois": (0, True)}, default_digits=0).to_html()
    h2 = tables.styled(df, "demo", "t_test", digits={"EAMP (%)": 2, "emplois": (0, True)}, default_digits=0).to_html()
    assert h1 == h2
    assert "51\u202f889" in h1 and "0,95" in h1 and "+3\u202f865" in h1 and DEMO_LABEL in h1


def test_rule_coverage_simulation():
    brk = validation.projection_rule_coverage(n_rep=1000, slope_change=0.015)
    assert brk["rejection_rate"] > 0.98
    assert brk["coverage_80_rule"] == pytest.approx(0.80, abs=0.035)
    assert brk["coverage_80_no_break_model"] < 0.05
    none = validation.projection_rule_coverage(n_rep=1000, slope_change=0.0)
    assert none["rejection_rate"] == pytest.approx(0.05, abs=0.02)
    assert 0.72 < none["coverage_80_rule"] < 0.82
    assert none["width_80_rule_pct"] < 0.6 * none["width_80_break_model_pct"]
