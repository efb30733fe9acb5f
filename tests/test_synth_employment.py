"""The demo URSSAF series for every département: deterministic, labelled, calibrated on the published points."""

import numpy as np
import pandas as pd
import pytest

from esstools import published, territory
from esstools.loaders.urssaf import load_ess_employment
from esstools.synth import employment as demo


@pytest.fixture(scope="module")
def table():
    return demo.generate_employment()


@pytest.fixture(scope="module")
def points():
    return demo.calibration_points()


def _annual(table, level, code, measure="employees"):
    s = table[(table["territory_level"] == level) & (table["territory_code"] == code) & table["quarter"].isna()
              & (table["ess_family"] == "ensemble")]
    return s.set_index("year")[measure].astype(float)


def test_generation_is_deterministic_and_seeded(table):
    pd.testing.assert_frame_equal(demo.generate_employment(), table)
    other = demo.generate_employment(seed=1)
    assert not other["employees"].equals(table["employees"])


def test_every_departement_region_and_france_is_covered(table):
    deps = set(territory.departements()["code"])
    assert len(deps) == 101
    assert set(table.loc[table["territory_level"] == "departement", "territory_code"]) == deps
    assert set(table.loc[table["territory_level"] == "region", "territory_code"]) == set(territory.regions()["code"])
    assert set(table.loc[table["territory_level"] == "france", "territory_code"]) == {"FR"}
    assert table["year"].min() == 2010 and table["year"].max() == 2023


def test_written_in_the_urssaf_format_labelled_and_read_back_by_the_loader(tmp_path, table):
    path = demo.write_demo_employment(tmp_path / "demo.csv")
    raw = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    assert (raw["Nature des données"] == demo.DEMO_ROW_LABEL).all() and "synthétique" in demo.DEMO_ROW_LABEL
    assert {"Code région", "Code département", "Année", "Trimestre", "Famille ESS", "Effectifs salariés moyens"} <= set(raw)
    back = load_ess_employment(path)
    keys = ["territory_level", "territory_code", "year", "quarter", "ess_family"]
    merged = back.merge(table, on=keys, suffixes=("", "_gen"), validate="one_to_one")
    assert len(merged) == len(table) == len(back)
    np.testing.assert_allclose(merged["employees"], merged["employees_gen"])
    mtime = path.stat().st_mtime_ns
    demo.write_demo_employment(path)  # unchanged content: the file is left alone
    assert path.stat().st_mtime_ns == mtime


def test_published_points_are_rows_of_the_published_table(points):
    current = set(published.figures()["figure_id"])
    for _, p in points.iterrows():
        row = published.figure(p["figure_id"])
        assert p["figure_id"] in current, f"{p['point_id']}: renamed figure id {p['figure_id']} → {row['figure_id']}"
        assert float(row["value"]) == pytest.approx(float(p["value"])), p["point_id"]
        # the point counts what the published figure counts (issue 12: 3 297 « établissements employeurs »)
        if not str(row["counts"]).startswith("%") and row["counts"] == row["counts"]:
            assert p["unit"] == row["counts"], (p["point_id"], p["unit"], row["counts"])
        assert p["source"] and p["label_fr"] and p["role"], p["point_id"]
    assert set(points["role"]) == {"calibration exacte", "ordre de grandeur", "hypothèse", "non utilisé"}


def test_each_calibration_point_is_reproduced_at_its_published_precision(table, points):
    checked = 0
    for _, p in points[points["role"] != "non utilisé"].iterrows():
        if not p["check"]:
            continue
        got = demo.recompute_point(table, p)
        want, dec = float(p["value"]), int(p["decimals"])
        if p["qualifier"] == "upper_bound":
            assert got <= want and round(got, dec) == want, p["point_id"]
        else:
            assert round(got, dec) == round(want, dec), (p["point_id"], got, want)
        checked += 1
    assert checked == 20


def test_idf_readings_of_the_08_pct_and_93_first(table):
    growth = {d: _annual(table, "departement", d) for d in demo.IDF}
    g = {d: 100 * (s[2023] / s[2022] - 1) for d, s in growth.items()}
    assert round(float(np.mean(list(g.values()))), 1) == 0.8
    r = _annual(table, "region", "11")
    assert round(100 * (r[2023] / r[2022] - 1), 1) == 0.8
    assert max(g, key=g.get) == "93"


def test_regions_sum_their_departements_and_france_excludes_mayotte(table):
    annual = table[table["quarter"].isna()]
    deps = annual[annual["territory_level"] == "departement"].copy()
    region_of = territory.departements().set_index("code")["parent"]
    deps["region"] = deps["territory_code"].map(region_of)
    by_region = deps.groupby(["region", "year", "ess_family"])["employees"].sum()
    reg = annual[annual["territory_level"] == "region"].set_index(["territory_code", "year", "ess_family"])["employees"]
    pd.testing.assert_series_equal(by_region.sort_index(), reg.sort_index(), check_names=False)
    fr = _annual(table, "france", "FR")
    no_mayotte = deps[(deps["territory_code"] != "976") & (deps["ess_family"] == "ensemble")].groupby("year")["employees"].sum()
    np.testing.assert_allclose(fr.to_numpy(), no_mayotte.to_numpy())
    fam = annual[annual["ess_family"] != "ensemble"].groupby(["territory_level", "territory_code", "year"])["employees"].sum()
    ens = annual[annual["ess_family"] == "ensemble"].set_index(["territory_level", "territory_code", "year"])["employees"]
    pd.testing.assert_series_equal(fam.sort_index(), ens.sort_index(), check_names=False)


def test_quarters_average_to_the_annual_value_and_are_not_interpolated(table):
    q = table[(table["territory_level"] == "departement") & table["quarter"].notna()]
    mean = q.groupby(["territory_code", "year"])["employees"].mean()
    ann = table[(table["territory_level"] == "departement") & table["quarter"].isna()
                & (table["ess_family"] == "ensemble")].set_index(["territory_code", "year"])["employees"]
    np.testing.assert_allclose(mean.sort_index().to_numpy(), ann.sort_index().to_numpy())
    s = q[q["territory_code"] == "69"].sort_values(["year", "quarter"])["employees"].to_numpy(float)
    qq = np.diff(np.log(s))
    # a linear interpolation of annual values would give 4 equal quarter-on-quarter growth rates in a year;
    # here quarters follow their own random walk
    within = qq[: 4 * 13].reshape(13, 4)
    assert np.mean(within.std(axis=1)) > 0.002


def test_the_series_are_random_walks_with_drift(table):
    """Persistence of the demo (the trend methods are validated under it): outside the calibrated IDF, the
    Dickey-Fuller coefficient with trend is high for most départements and growth rates are not strongly
    mean-reverting."""
    from esstools.trends import core

    codes = [c for c in territory.departements()["code"] if c not in demo.IDF]
    Y = np.log(np.vstack([_annual(table, "departement", c).to_numpy() for c in codes]))
    rho = core.df_rho(Y)
    assert np.median(rho) > 0.3  # white noise around a trend gives about -0.3 with 14 points
    assert np.median(core.growth_autocorr(Y)) > -0.35


def test_calibration_notes_say_which_figures_a_departement_rests_on():
    n93 = demo.calibration_notes("93")
    assert "+23 %" in n93[0] and any("Île-de-France" in x for x in n93) and "France" in n93[-1]
    n69 = demo.calibration_notes("69")
    assert n69[0].startswith("Aucun chiffre local publié pour le 69") and "population" in n69[0]
    assert not any("Île-de-France calibrée" in x for x in n69)
    assert any("Mayotte n'est pas couverte" in x for x in demo.calibration_notes("976"))
    assert demo.calibration_notes("99") == []
