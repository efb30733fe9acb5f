"""The shipped demo URSSAF series: deterministic, labelled, calibrated to the published points."""

import numpy as np
import pandas as pd
import pytest

from esstools import published
from esstools.loaders.urssaf import load_ess_employment, to_series
from esstools.paths import data_dir
from esstools.synth import employment as demo

POINTS = data_dir() / "employment" / "published_points.csv"


@pytest.fixture(scope="module")
def table():
    return load_ess_employment(demo.demo_path())


@pytest.fixture(scope="module")
def points():
    return pd.read_csv(POINTS, dtype=str, keep_default_na=False)


def _annual(table, code):
    s = to_series(table, code)
    return pd.Series(s.to_numpy(), index=s.index.year)


def test_generation_is_deterministic_and_shipped_file_is_current(tmp_path):
    a = demo.generate_employment()
    b = demo.generate_employment()
    pd.testing.assert_frame_equal(a, b)
    out = demo.write_demo_employment(tmp_path / "demo.csv")
    assert out.read_bytes() == demo.demo_path().read_bytes()
    other = demo.generate_employment(seed=1)
    assert not other["employees"].equals(a["employees"])


def test_every_row_is_labelled_synthetic():
    raw = pd.read_csv(demo.demo_path(), sep=";", dtype=str)
    assert (raw["Nature des données"] == demo.DEMO_ROW_LABEL).all()
    assert "synthétique" in demo.DEMO_ROW_LABEL and "demo" in demo.demo_path().name
    readme = (data_dir() / "employment" / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in readme and "données de démonstration — synthétiques" in readme


def test_published_points_are_real_rows_of_the_published_table(points):
    for _, p in points.iterrows():
        row = published.figure(p["figure_id"])
        assert float(row["value"]) == pytest.approx(float(p["value"])), p["point_id"]
        assert row["territory_code"] == p["territory_code"], p["point_id"]
        assert p["source"], p["point_id"]


def test_each_published_growth_is_recomputed_from_the_shipped_series(table, points):
    checked = 0
    for _, p in points[points["demo_check"] == "growth"].iterrows():
        s = _annual(table, p["territory_code"])
        got = 100 * (s[int(p["year"])] / s[int(p["period_start"])] - 1)
        want = float(published.figure(p["figure_id"])["value"])
        assert round(got, int(p["decimals"])) == want, (p["point_id"], got, want)
        checked += 1
    assert checked == 3  # 93: 2013->2022 and 2022->2023; IDF: 2022->2023


def test_idf_08_pct_holds_for_both_readings_and_93_is_first(table):
    deps = {d: _annual(table, d) for d in demo.DEPARTEMENTS}
    growth = {d: 100 * (s[2023] / s[2022] - 1) for d, s in deps.items()}
    assert round(float(np.mean(list(growth.values()))), 1) == 0.8  # unweighted mean of départements
    r = _annual(table, "11")
    assert round(100 * (r[2023] / r[2022] - 1), 1) == 0.8  # regional total
    assert max(growth, key=growth.get) == "93"
    assert float(published.figure("93_ess_rank_idf_jobs_growth_nd")["value"]) == 1


def test_levels_and_regional_assumptions(table, points):
    for _, p in points[points["demo_check"].isin(["level", "establishments"])].iterrows():
        code, year, dec = p["territory_code"], int(p["year"]), int(p["decimals"])
        if p["demo_check"] == "level":
            got = _annual(table, code)[year]
        else:
            s = to_series(table, code, measure="establishments")
            got = pd.Series(s.to_numpy(), index=s.index.year)[year]
        assert round(got, dec) == round(float(p["value"]), dec), (p["point_id"], got)
    r = _annual(table, "11")
    for _, p in points[points["demo_check"] == "growth_region"].iterrows():
        got = 100 * (r[int(p["year"])] / r[int(p["period_start"])] - 1)
        assert round(got, 1) == float(p["value"]), p["point_id"]


def test_internal_consistency(table):
    annual = table[table["quarter"].isna()]
    fam = annual[annual["ess_family"] != "ensemble"].groupby(["territory_code", "year"])["employees"].sum()
    ens = annual[annual["ess_family"] == "ensemble"].set_index(["territory_code", "year"])["employees"]
    pd.testing.assert_series_equal(fam.sort_index(), ens.sort_index(), check_names=False)
    deps = annual[annual["territory_level"] == "departement"].groupby(["year", "ess_family"])[
        ["employees", "payroll_eur", "establishments"]].sum()
    reg = annual[annual["territory_code"] == "11"].set_index(["year", "ess_family"])[
        ["employees", "payroll_eur", "establishments"]]
    pd.testing.assert_frame_equal(deps.sort_index(), reg.sort_index(), check_names=False)
    q = to_series(table, "93", frequency="Q")
    q_mean = q.groupby(q.index.year).mean()
    np.testing.assert_allclose(q_mean.to_numpy(), _annual(table, "93").to_numpy())
    assert set(table["territory_code"]) == set(demo.DEPARTEMENTS) | {"11"}
    assert table["year"].min() == 2010 and table["year"].max() == 2023
