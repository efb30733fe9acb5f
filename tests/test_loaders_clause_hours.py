"""Clause-hours loader on the shipped templates and fixtures (cp1252 decimal comma, aliases + BOM, XLSX)."""

from pathlib import Path

import pandas as pd
import pytest

from esstools.loaders.clause_hours import clause_hours_by_siret_year, load_clause_hours

F = Path(__file__).parent / "fixtures" / "clause_hours"
T = Path(__file__).parent.parent / "data" / "templates"
CONTRACT = ["siret", "operation", "buyer", "year", "insertion_hours", "beneficiaries"]


@pytest.mark.parametrize("name", ["clause_hours_cp1252.csv", "clause_hours_aliases.csv", "clause_hours.xlsx"])
def test_fixture_variants(name):
    df = load_clause_hours(F / name)
    assert df.columns.tolist() == CONTRACT and len(df) == 4
    assert df["insertion_hours"].tolist() == [1250.5, 980.0, 3400.0, 12020.75]
    assert df["beneficiaries"].tolist() == [4, 3, 9, 21] and str(df["beneficiaries"].dtype) == "Int64"
    assert df["buyer"].iloc[2] == "Plaine Commune"


def test_templates_load_and_aggregate():
    for name in ("clause_hours_template.csv", "clause_hours_template.xlsx"):
        df = load_clause_hours(T / name)
        assert df.iloc[0].tolist() == ["90000001900019", "Rénovation collège (exemple fictif)", "Département (exemple)",
                                       2024, 1250.5, 4]
    assert (T / "README_clause_hours.md").read_text(encoding="utf-8").count("|") > 20
    agg = clause_hours_by_siret_year(load_clause_hours(F / "clause_hours_cp1252.csv"))
    assert agg.columns.tolist() == ["siret", "year", "insertion_hours", "beneficiaries", "operations"]
    assert agg["insertion_hours"].sum() == pytest.approx(1250.5 + 980 + 3400 + 12020.75)
    pd.testing.assert_series_equal(agg["operations"], pd.Series([1, 1, 1, 1], name="operations"))
