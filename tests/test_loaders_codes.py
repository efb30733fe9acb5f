"""SIREN/SIRET check digits (Luhn, La Poste exception), commune/département/NAF codes."""

import pandas as pd
import pytest

from esstools.errors import RepairWarning, SchemaError
from esstools.loaders import codes


def test_luhn_and_siren_siret():
    assert codes.luhn_valid("732829320")
    assert not codes.luhn_valid("732829321")
    assert not codes.luhn_valid("73282932a")
    assert codes.is_valid_siren("732829320")
    assert not codes.is_valid_siren("73282932")
    assert codes.is_valid_siret("73282932000074")  # INSEE's example: 7th establishment of 732 829 320
    assert not codes.is_valid_siret("73282932000075")
    assert codes.luhn_check_digit("73282932") == "0"


def test_la_poste_exception():
    head = "35600000000048"  # head office: passes Luhn
    assert codes.luhn_valid(head) and codes.is_valid_siret(head)
    # a La Poste SIRET failing Luhn but whose digit sum is a multiple of 5 (3+5+6+1+2+3 = 20)
    post = "35600000012300"
    assert not codes.luhn_valid(post) and sum(map(int, post)) % 5 == 0
    assert codes.is_valid_siret(post)
    assert not codes.is_valid_siret("35600000012301")  # digit sum 21
    # the rule is La Poste only
    other = "73282932012300"
    assert not codes.is_valid_siret(other)


def test_check_siret_series_reports_rows_and_values():
    s = pd.Series(["73282932000074", "732 829 320 00074", None, "73282932000075"])
    with pytest.raises(SchemaError) as exc:
        codes.check_siret_series(s, "f.csv", "SIRET")
    e = exc.value
    assert e.rows == [5] and e.values == ["73282932000075"] and e.column == "SIRET" and e.path == "f.csv"
    assert "f.csv" in str(e) and "'SIRET'" in str(e)
    ok = codes.check_siret_series(s.iloc[:3], "f.csv", "SIRET")
    assert ok.tolist()[:2] == ["73282932000074", "73282932000074"] and ok.isna().tolist()[2]
    assert codes.check_siren_series(pd.Series(["732829320"])).tolist() == ["732829320"]


def test_normalise_commune_codes():
    s = pd.Series(["93066", "1004", "2a004", "2B033", "97411", None, " 75056 "])
    # one vocabulary rule (esstools.vocabulary): lost zero and lower-case Corsican letter are counted repairs
    with pytest.warns(RepairWarning, match=r"Repaired 2 commune code\(s\) in file 'x.csv', column 'c'"):
        out = codes.normalise_commune_codes(s, "x.csv", "c")
    assert out.tolist()[:5] == ["93066", "01004", "2A004", "2B033", "97411"]
    assert out.isna().tolist()[5] and out.tolist()[6] == "75056"
    with pytest.raises(SchemaError) as exc:
        codes.normalise_commune_codes(pd.Series(["93066", "930", "2C001"]), "x.csv", "c")
    assert exc.value.rows == [3, 4] and exc.value.values == ["930", "2C001"]


def test_departements_and_naf():
    with pytest.warns(RepairWarning):
        d = codes.normalise_departement_codes(pd.Series(["93", "1", "2A", "974"]))
    assert d.tolist() == ["93", "01", "2A", "974"]
    assert codes.departement_of_commune(pd.Series(["93066", "97411", "2A004"])).tolist() == ["93", "974", "2A"]
    assert codes.normalise_naf(pd.Series(["8899B", "88.99B"])).tolist() == ["88.99B", "88.99B"]
    with pytest.raises(SchemaError):
        codes.normalise_naf(pd.Series(["88.9"]))


def test_known_communes_against_territory():
    pytest.importorskip("esstools.territory")
    s = pd.Series(["93066", "93048"])
    assert codes.check_known_communes(s, "f.csv", "c") is s
    with pytest.raises(SchemaError) as exc:
        codes.check_known_communes(pd.Series(["93066", "93999"]), "f.csv", "c")
    assert exc.value.values == ["93999"] and exc.value.rows == [3]
