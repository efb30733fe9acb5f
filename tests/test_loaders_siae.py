"""SIAE directory loader: emplois.inclusion export (comma, UTF-8), marché export (cp1252, French headers), XLSX."""

from pathlib import Path

import pandas as pd

from esstools.loaders import codes
from esstools.loaders.siae import load_siae_directory

F = Path(__file__).parent / "fixtures" / "siae"
CONTRACT = ["siret", "siren", "name", "kind", "address", "postcode", "commune_code", "departement"]


def test_emplois_inclusion_export():
    df = load_siae_directory(F / "siae_emplois_inclusion.csv")
    assert df.columns.tolist() == CONTRACT and len(df) == 6
    assert df["kind"].tolist() == ["ACI", "EI", "AI", "ETTI", "GEIQ", "EA"]
    assert df["siret"].map(codes.is_valid_siret).all()
    assert (df["siren"] == df["siret"].str[:9]).all()
    assert df.loc[2, "address"] == "3 avenue Jean Jaurès, Bât. B"
    assert df["commune_code"].isna().all() and (df["departement"] == "93").all()
    assert df.loc[4, "name"] == "GEIQ BTP 93"


def test_marche_export_cp1252_full_kind_names_and_corsica():
    df = load_siae_directory(F / "siae_marche_cp1252.csv")
    assert df["kind"].tolist() == ["ACI", "EI", "ESAT", "EITI"]  # "Atelier et chantier d'insertion" -> ACI
    assert df["name"].iloc[0] == "Régie de Quartier Épinay"
    assert df["commune_code"].tolist() == ["93031", "93010", "93045", "2A004"]
    assert df["departement"].tolist() == ["93", "93", "93", "2A"]


def test_xlsx_same_as_csv():
    a = load_siae_directory(F / "siae_marche_cp1252.csv")
    b = load_siae_directory(F / "siae_marche.xlsx", sheet="Structures")
    pd.testing.assert_frame_equal(a, b)
