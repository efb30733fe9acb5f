"""Financial ratios loader: duplicate rule, Parquet, French headers in Windows-1252."""

from pathlib import Path

import pandas as pd
import pytest

from esstools.errors import RepairWarning
from esstools.loaders.financials import load_financial_ratios

F = Path(__file__).parent / "fixtures" / "financials"


def test_ratios_csv_duplicate_rule():
    with pytest.warns(RepairWarning, match="dropped 2 row"):
        df = load_financial_ratios(F / "ratios_financiers.csv")
    assert df.columns.tolist() == ["siren", "year", "revenue_eur", "closing_date", "accounts_type"]
    r = df.set_index(["siren", "year"])["revenue_eur"]
    assert r.loc[("900000019", 2022)] == 1_300_000  # own complete accounts preferred to consolidated (5.6 M)
    assert r.loc[("900000027", 2022)] == 420_000  # latest closing in the year
    assert pd.isna(r.loc[("900000035", 2021)])  # confidential: NA kept


def test_parquet_and_french_cp1252():
    p = load_financial_ratios(F / "ratios_financiers.parquet")
    assert p["revenue_eur"].tolist() == [987654.5, 123456.0] and p["year"].tolist() == [2022, 2023]
    f = load_financial_ratios(F / "ratios_fr_cp1252.csv")
    assert f["revenue_eur"].tolist() == [2345678.9, 12000.0] and f["year"].tolist() == [2022, 2023]
    assert f["accounts_type"].isna().all()
