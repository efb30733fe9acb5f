"""URSSAF ESS employment loader on fixtures in the real formats (annual, quarterly, NA88 zip, wide, XLSX)."""

from pathlib import Path

import pandas as pd
import pytest

from esstools.errors import ParameterError
from esstools.loaders.urssaf import load_ess_employment, to_series

F = Path(__file__).parent / "fixtures" / "urssaf"
CONTRACT = ["territory_level", "territory_code", "year", "quarter", "ess_family", "establishments", "employees", "payroll_eur"]


def test_annual_departement_bom_nbsp_decimal_comma():
    df = load_ess_employment(F / "ess_departement_annual.csv")
    assert df.columns.tolist() == CONTRACT and len(df) == 10
    assert set(df["territory_level"]) == {"departement"} and set(df["territory_code"]) == {"93"}
    assert df["quarter"].isna().all()
    assert set(df["ess_family"]) == {"association", "cooperative", "mutuelle", "fondation", "ensemble"}
    a21 = df[(df.ess_family == "association") & (df.year == 2021)].iloc[0]
    assert a21.establishments == 2310.5 and a21.employees == 41250.25 and a21.payroll_eur == 1_102_345_678
    tot = df[(df.ess_family == "ensemble") & (df.year == 2021)].iloc[0]
    fam = df[(df.ess_family != "ensemble") & (df.year == 2021)]
    assert tot.employees == pytest.approx(fam.employees.sum())


def test_xlsx_matches_csv():
    a = load_ess_employment(F / "ess_departement_annual.csv")
    b = load_ess_employment(F / "ess_departement.xlsx")
    pd.testing.assert_frame_equal(a, b)


def test_quarterly_cp1252_periods():
    df = load_ess_employment(F / "ess_departement_quarterly_cp1252.csv")
    assert len(df) == 8 and df["quarter"].tolist() == [1, 2, 3, 4] * 2 and df["year"].tolist() == [2021] * 4 + [2022] * 4
    assert (df["ess_family"] == "ensemble").all() and df["establishments"].isna().all()
    q = to_series(df, "93", measure="employees", frequency="Q")
    assert str(q.index[0]) == "2021Q1" and q.iloc[2] == 49300.5
    a = to_series(df, "93", measure="employees", frequency="A")
    assert a.index.freqstr.startswith("Y") and a.loc["2021"] == pytest.approx(49250.5)
    pay = to_series(df, "93", measure="payroll_eur")
    assert pay.loc["2022"] == pytest.approx(4 * 300_000_000 + (5 + 6 + 7 + 8) * 1_000_000)


def test_national_na88_zip_summed_over_sectors():
    df = load_ess_employment(F / "ess_france_na88.zip")
    assert set(df["territory_code"]) == {"FR"} and set(df["ess_family"]) == {"association", "cooperative", "hors_ess"}
    row = df[(df.ess_family == "cooperative") & (df.year == 2022)].iloc[0]
    assert row.establishments == 3000 and row.employees == pytest.approx(40001 + 16000) and row.payroll_eur == 1.4e9
    by = load_ess_employment(F / "ess_france_na88.zip", by_sector=True)
    assert "sector" in by.columns and len(by) == 12 and set(by["sector"]) == {"88", "94"}


def test_wide_export_is_reshaped():
    df = load_ess_employment(F / "ess_wide.csv")
    assert len(df) == 4
    s = to_series(df, "93", family="association")
    assert s.tolist() == [40100.0, 41250.0] and [p.year for p in s.index] == [2020, 2021]


def test_to_series_parameters():
    df = load_ess_employment(F / "ess_departement_annual.csv")
    s = to_series(df, "93", family="association")
    assert s.name == "employees" and s.loc["2022"] == pytest.approx(41250.25 * 1.02, abs=0.01)
    with pytest.raises(ParameterError, match="available codes are: 93"):
        to_series(df, "92")
    with pytest.raises(ParameterError, match="'association'"):
        to_series(df, "93", family="syndicat")
    with pytest.raises(ParameterError, match="quarterly"):
        to_series(df, "93", frequency="Q")


@pytest.mark.parametrize("renamed", ["nb_salaries", "effectifs_salaries_moyen"])
def test_a_measure_renamed_upstream_is_refused_not_loaded_as_a_hole(tmp_path, renamed):
    """Issue 13/17 (changed upstream schema): a missing measure beside an unknown numeric column fails,
    naming the file, the column as written, the expected name and the schema version."""
    from esstools.errors import SchemaError
    from esstools.loaders.urssaf import SCHEMA_VERSION

    path = tmp_path / "urssaf.csv"
    path.write_text("annee;code_departement;nombre_d_etablissements;" + renamed + ";masse_salariale\n"
                    "2020;93;10;100;1000000\n2021;93;11;110;1100000\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(SchemaError) as err:
        load_ess_employment(path)
    msg = str(err.value)
    assert str(path) in msg and repr(renamed) in msg and "'effectifs_salaries_moyens'" in msg and SCHEMA_VERSION in msg
    assert path.read_bytes() == before


def test_an_export_without_one_measure_still_loads(tmp_path):
    """An export that simply lacks a measure (no unknown numeric column) loads, the measure empty."""
    path = tmp_path / "urssaf.csv"
    path.write_text("annee;code_departement;nombre_d_etablissements;masse_salariale\n2020;93;10;1000000\n",
                    encoding="utf-8")
    df = load_ess_employment(path)
    assert df["establishments"].tolist() == [10.0] and df["employees"].isna().all()
