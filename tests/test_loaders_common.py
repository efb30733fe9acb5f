"""read_table (CSV variants, zip, XLSX, Parquet) and parse_number (French numbers)."""

import hashlib
import zipfile

import numpy as np
import pandas as pd
import pytest

from esstools.errors import InputFileError, ParameterError, SchemaError
from esstools.loaders.common import normalise_header, parse_number, read_table

TEXT = "SIRET;Commune;Montant\n73282932000074;01004;1\u00a0234,5\n\n73282932000074;93066;NA\n"


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"])
def test_separators_sniffed(tmp_path, sep):
    p = tmp_path / "a.csv"
    p.write_text(TEXT.replace(";", sep).replace("1\u00a0234,5", '"1\u00a0234,5"' if sep == "," else "1\u00a0234,5"),
                 encoding="utf-8")
    df, info = read_table(p)
    assert info.separator == sep and info.rows == 2 and info.format == "csv"
    assert df.columns.tolist() == ["SIRET", "Commune", "Montant"]
    assert df["Commune"].tolist() == ["01004", "93066"]  # leading zero kept
    assert df.index.tolist() == [2, 4] and df.index.name == "line"  # blank line 3 skipped, numbering kept
    assert pd.isna(df.loc[4, "Montant"])


@pytest.mark.parametrize("encoding, bom, expected", [("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"),
                                                     ("cp1252", False, "cp1252")])
def test_encodings(tmp_path, encoding, bom, expected):
    p = tmp_path / "a.csv"
    data = "Année;Opération\n2024;Rénovation — lot 1 €\n".encode(encoding)
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    df, info = read_table(p)
    assert info.encoding == expected
    assert df.columns.tolist() == ["Année", "Opération"]
    assert df.iloc[0, 1] == "Rénovation — lot 1 €"
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_decimal_detection(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a;b\n1,5;x\n2;y\n", encoding="utf-8")
    assert read_table(p)[1].decimal == "comma"
    p.write_text("a,b\n1.5,x\n2,y\n", encoding="utf-8")
    assert read_table(p)[1].decimal == "dot"


def test_zip_xlsx_parquet(tmp_path):
    import openpyxl

    csv = tmp_path / "in.csv"
    csv.write_text(TEXT, encoding="utf-8")
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(csv, "data.csv")
    df, info = read_table(z)
    assert info.format == "zip" and info.member == "data.csv" and df["Commune"].tolist() == ["01004", "93066"]
    with zipfile.ZipFile(z, "a") as zf:
        zf.writestr("other.csv", "x\n1\n")
    with pytest.raises(InputFileError, match="holds 2 files"):
        read_table(z)
    assert read_table(z, member="other.csv")[0]["x"].tolist() == ["1"]

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["siret", "n", "x"])
    ws.append(["01234567800017", 1004, 2.5])
    wb.save(tmp_path / "a.xlsx")
    df, info = read_table(tmp_path / "a.xlsx")
    assert info.format == "xlsx" and df.iloc[0].tolist() == ["01234567800017", "1004", "2.5"]
    with pytest.raises(InputFileError, match="no sheet 'Nope'"):
        read_table(tmp_path / "a.xlsx", sheet="Nope")

    pd.DataFrame({"c": ["01", None], "v": [1.5, np.nan], "i": [1, 2]}).to_parquet(tmp_path / "a.parquet")
    df, info = read_table(tmp_path / "a.parquet")
    assert info.format == "parquet" and info.typed
    assert df["c"].iloc[0] == "01" and df["v"].iloc[0] == "1.5" and pd.isna(df["v"].iloc[1]) and df["i"].tolist() == ["1", "2"]


def test_missing_file_and_field_limit(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "nope.csv")
    p = tmp_path / "big.csv"
    p.write_text("a;b\n1;" + "y" * 2000 + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"column 'b' at line 2 .*2,000 characters"):
        read_table(p, max_field_bytes=1000)


def test_parse_number_french_formats():
    s = pd.Series(["1 234,5", "1\u00a0234", "1\u202f000 000", "12 €", "3,5 %", None, "1.234.567", "-2", "1.234,5", "1e3"])
    out = parse_number(s, units=("€", "%"))
    assert out.tolist()[:5] == [1234.5, 1234.0, 1000000.0, 12.0, 3.5]
    assert np.isnan(out.iloc[5]) and out.tolist()[6:] == [1234567.0, -2.0, 1234.5, 1000.0]
    assert parse_number(pd.Series(["1.5", "2", "1.234"])).tolist() == [1.5, 2.0, 1.234]
    assert parse_number(pd.Series(["1,5", "1.234"])).tolist() == [1.5, 1234.0]
    assert parse_number(pd.Series(["3", "4"]), integer=True).dtype == "Int64"


def test_parse_number_errors():
    with pytest.raises(SchemaError) as exc:
        parse_number(pd.Series(["1,5", "2.5"]), "f.csv", "x")
    assert exc.value.rows == [3] and exc.value.values == ["2.5"] and "decimal" in str(exc.value)
    with pytest.raises(SchemaError, match="dot as decimal separator"):
        parse_number(pd.Series(["1,5"]), "f.parquet", "x", decimal="dot")
    with pytest.raises(SchemaError, match="non-negative"):
        parse_number(pd.Series(["-1"]), "f.csv", "x", allow_negative=False)
    with pytest.raises(SchemaError, match="whole number"):
        parse_number(pd.Series(["1,5"]), "f.csv", "x", integer=True)
    with pytest.raises(SchemaError) as exc:
        parse_number(pd.Series(["12", "douze"]), "f.csv", "x")
    assert exc.value.values == ["douze"]
    with pytest.raises(ParameterError, match="'auto'"):
        parse_number(pd.Series(["1"]), decimal="fr")


def test_normalise_header():
    assert normalise_header("N° SIRET") == "n_siret"
    assert normalise_header("\ufeffAnnée") == "annee"
    assert normalise_header("Heures d'insertion") == "heures_d_insertion"
