"""Schema layer: aliases, typed conversion, required/nullable, ranges, uniqueness, messages."""

import pandas as pd
import pytest

from esstools.errors import SchemaError
from esstools.loaders.schema import Column, Schema, parse_bool, parse_date

SCHEMA = Schema(
    "test",
    [
        Column("siret", "siret", aliases=("N° SIRET",)),
        Column("year", "year", aliases=("Année",)),
        Column("amount", "amount", aliases=("Montant",), nullable=True),
        Column("flag", "bool", required=False, nullable=True, default=False),
        Column("kind", "category", choices=("ACI", "EI")),
        Column("code", "code", width=3, required=False, nullable=True),
    ],
    unique=("siret", "year"),
)


def frame(rows, cols=("N° SIRET", "Année", "Montant", "flag", "kind")):
    df = pd.DataFrame(rows, columns=list(cols), dtype="string")
    df.index = pd.Index(range(2, 2 + len(df)), name="line")
    return df


def test_validate_types_and_aliases():
    raw = frame([["73282932000074", "2022", "1 234,5", "x", "aci"], ["73282932000074", "2023", None, None, "EI"]])
    out = SCHEMA.validate(raw, "f.csv")
    assert out.columns.tolist() == ["siret", "year", "amount", "flag", "kind", "code"]
    assert out["year"].tolist() == [2022, 2023] and out["amount"].iloc[0] == 1234.5 and pd.isna(out["amount"].iloc[1])
    assert out["flag"].tolist() == [True, False]  # default for empty cells
    assert out["kind"].tolist() == ["ACI", "EI"]
    assert out["code"].isna().all()
    assert raw.columns.tolist()[0] == "N° SIRET"  # input untouched


def test_missing_column_lists_found_columns():
    raw = frame([["73282932000074", "2022"]], cols=("SIRET", "Exercice"))
    with pytest.raises(SchemaError) as exc:
        SCHEMA.validate(raw, "f.csv")
    msg = str(exc.value)
    assert "missing required column(s) 'year', 'amount', 'kind'" in msg and "'Exercice'" in msg and "f.csv" in msg
    assert exc.value.column == "year"


@pytest.mark.parametrize(
    "row, column, expected",
    [
        (["73282932000074", "1989", "1", "", "ACI"], "Année", "a year between 1990 and 2035"),
        (["73282932000074", "2022", "-1", "", "ACI"], "Montant", "non-negative"),
        (["73282932000074", "2022", "1", "peut-être", "ACI"], "flag", "yes/no"),
        (["73282932000074", "2022", "1", "", "ESAT"], "kind", "one of 'ACI', 'EI'"),
        (["73282932000075", "2022", "1", "", "ACI"], "N° SIRET", "Luhn"),
        (["", "2022", "1", "", "ACI"], "N° SIRET", "non-empty"),
    ],
)
def test_value_errors_name_file_column_row(row, column, expected):
    raw = frame([["73282932000074", "2021", "5", "", "EI"], row])
    with pytest.raises(SchemaError) as exc:
        SCHEMA.validate(raw, "f.csv")
    assert exc.value.column == column and exc.value.rows == [3]
    assert f"column '{column}'" in str(exc.value) and "f.csv" in str(exc.value) and expected in str(exc.value)


def test_duplicated_key():
    raw = frame([["73282932000074", "2022", "1", "", "EI"], ["73282932000074", "2022", "2", "", "EI"]])
    with pytest.raises(SchemaError) as exc:
        SCHEMA.validate(raw, "f.csv")
    assert exc.value.rows == [2, 3] and exc.value.values[0] == ("73282932000074", "2022")
    assert "N° SIRET, Année" in str(exc.value)


def test_parse_bool_and_date():
    assert parse_bool(pd.Series(["oui", "Non", "VRAI", "faux", "1", "0", "x", None])).tolist()[:7] == [
        True, False, True, False, True, False, True]
    d = parse_date(pd.Series(["2024-02-10", "10/02/2024", "20240210", "2024-02-10T00:00:00+01:00", None]))
    assert d.iloc[:4].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-10"] * 4 and pd.isna(d.iloc[4])
    with pytest.raises(SchemaError, match="YYYY-MM-DD"):
        parse_date(pd.Series(["2024-13-45"]), "f.csv", "d")


def test_describe():
    d = SCHEMA.describe()
    assert d["column"].tolist()[:2] == ["siret", "year"] and "N° SIRET" in d["aliases"].iloc[0]
