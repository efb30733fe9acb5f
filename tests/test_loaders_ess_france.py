"""ESS France list of ESS enterprises: reading, flagging, comparison with the SIRENE flag."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from esstools.errors import RepairWarning, SchemaError
from esstools.loaders import ess_france as ef
from esstools.loaders import sirene

F = Path(__file__).parent / "fixtures" / "ess_france"
S = Path(__file__).parent / "fixtures" / "sirene"
LIST = F / "liste_entreprises_ess.csv"

EXPECTED = pd.DataFrame({
    "siren": ["775665912", "412345670", "784301178", "302081500", "098765431", "443022116", "912345675"],
    "family": ["association", "cooperative", "mutuelle", "fondation", "cooperative", "association",
               "societe_commerciale_ess"],
})


def _sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def test_load_utf8_bom_semicolon():
    before = _sha(LIST)
    df = ef.load_ess_france_list(LIST)
    assert list(df.columns) == ["siren", "name", "family", "family_label"]
    assert list(df["siren"]) == list(EXPECTED["siren"])
    assert list(df["family"]) == list(EXPECTED["family"])
    assert df.loc[1, "family_label"] == "Coopérative" and df.loc[0, "name"] == "ASSOCIATION SOLIDARITE SAINT-DENIS"
    assert all(str(df[c].dtype) == "string" for c in df.columns)
    assert _sha(LIST) == before


def test_load_cp1252_comma_with_repairs():
    path = F / "liste_entreprises_ess_cp1252_virgule.csv"
    before = _sha(path)
    with pytest.warns(RepairWarning) as rec:
        df = ef.load_ess_france_list(path)
    msgs = " | ".join(str(w.message) for w in rec)
    assert "1 SIREN(s) written with spaces compacted" in msgs
    assert "1 SIREN(s) with lost leading zeros zero-padded" in msgs
    assert "1 repeated SIREN row(s) dropped" in msgs and "'412345670'" in msgs
    assert list(df["siren"]) == list(EXPECTED["siren"])
    assert df.loc[4, "siren"] == "098765431" and df.loc[1, "family_label"] == "Coopérative"
    assert _sha(path) == before


def test_bad_check_digit_and_missing_column():
    with pytest.raises(SchemaError) as info:
        ef.load_ess_france_list(F / "bad_liste_siren_check_digit.csv")
    msg = str(info.value)
    assert "bad_liste_siren_check_digit.csv" in msg and "column 'SIREN'" in msg and "'784301179'" in msg
    assert info.value.rows == [4]
    with pytest.raises(SchemaError, match=r"bad_liste_no_siren_column.csv.*no SIREN column.*Numero, Nom"):
        ef.load_ess_france_list(F / "bad_liste_no_siren_column.csv")


def test_flag_units():
    units = pd.DataFrame({"siren": ["775665912", "552032534", None], "x": [1, 2, 3]})
    out = ef.flag_units(units, ef.load_ess_france_list(LIST))
    assert list(out["in_ess_france_list"]) == [True, False, False]
    assert "in_ess_france_list" not in units.columns  # input untouched
    out2 = ef.flag_units(units.rename(columns={"siren": "SIREN"}), ["552032534"], siren_col="SIREN")
    assert list(out2["in_ess_france_list"]) == [False, True, False]
    with pytest.raises(SchemaError, match="siren_col"):
        ef.flag_units(units, [], siren_col="nope")


def test_compare_with_sirene_establishment_table():
    est = sirene.load_establishments(S / "StockEtablissement_utf8.parquet", S / "StockUniteLegale_utf8.parquet")
    cmp = ef.compare_with_sirene(est, ef.load_ess_france_list(LIST))
    counts = dict(zip(cmp.counts["case"], cmp.counts["units"]))
    # 11 units: flagged and listed: U1 U2 U3 U4 U10; flagged only: U5, U11; listed only: U8; neither: U6 U7 La Poste
    assert counts == {"both": 5, "sirene_only": 2, "list_only": 1, "neither": 3}
    assert cmp.sirene_only == ["388554701", "850123456"] and cmp.list_only == ["443022116"]
    assert cmp.list_not_in_units == 1
    assert cmp.crosstab.loc["ESS (Sirene)", "dans la liste"] == 5
    assert cmp.crosstab.loc["non ESS (Sirene)", "hors liste"] == 3
    assert cmp.agreement_rate == pytest.approx(8 / 11)
    assert "Dans la liste ESS France seulement" in list(cmp.counts["libelle"])


def test_compare_with_raw_unit_file():
    ul = pd.read_csv(S / "StockUniteLegale_utf8.csv", dtype=str)
    cmp = ef.compare_with_sirene(ul, ef.load_ess_france_list(LIST))
    assert dict(zip(cmp.counts["case"], cmp.counts["units"])) == {"both": 5, "sirene_only": 2, "list_only": 1,
                                                                   "neither": 3}
    with pytest.raises(SchemaError, match="ess_flag"):
        ef.compare_with_sirene(ul[["siren"]], [])
