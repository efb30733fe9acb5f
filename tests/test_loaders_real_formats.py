"""Issue 13: the loaders read the real formats (fixtures in tests/fixtures/real_formats, fictitious values).

Expected values are worked out by hand from ``tests/fixtures/real_formats/make_real_formats.py``.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from esstools.errors import InputFileError, RepairWarning, SchemaError
from esstools.loaders import decp, ess_france, schema_versions, siae, sirene, urssaf

F = Path(__file__).parent / "fixtures" / "real_formats"
B1, B2 = "90000201500015", "90000202300019"  # buyers (fixture SIRETs 201, 202)
H1, H2, H3, H4 = "90000011800019", "90000012600012", "90000013400016", "90000014200019"
AWARD_COLS = ["contract_id", "buyer_siret", "holder_siret", "amount_eur", "holder_share", "year", "social_clause",
              "reserved_market", "social_criterion", "n_holders"]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _records(df: pd.DataFrame, cols) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r) for r in df[cols].itertuples(index=False)]


# ------------------------------------------------------------------------------ DECP

DECP_INFO_EXPECTED = [
    # award A: three holders of the current version, TVA-identified holder without SIRET
    ("2024AO001", B1, H1, 100000.0, 1 / 3, 2024, True, False, True, 3),
    ("2024AO001", B1, H2, 100000.0, 1 / 3, 2024, True, False, True, 3),
    ("2024AO001", B1, None, 100000.0, 1 / 3, 2024, True, False, True, 3),
    # award B: version 1 is current (95 000 €, two holders); version 0 (80 000 €) is not an extra holder
    ("2024MR002", B2, H3, 47500.0, 0.5, 2024, False, True, False, 2),
    ("2024MR002", B2, H4, 47500.0, 0.5, 2024, False, True, False, 2),
    # award C: same id as A, another buyer; "Sans objet" = no social consideration
    ("2024AO001", B2, H1, 12000.5, 1.0, 2025, False, False, False, 1),
]


@pytest.mark.parametrize("name", ["decp_info.csv", "decp_info.parquet"])
def test_decp_info_tabular_csv_and_parquet(name):
    """The decp.info table (uid and id both present) loads: current versions, grouped holders, vocabulary."""
    path = F / name
    before = _sha(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = decp.load_decp(path)
    got = _records(a, AWARD_COLS)
    assert len(got) == len(DECP_INFO_EXPECTED)
    for g, e in zip(got, DECP_INFO_EXPECTED):
        assert g[:3] == e[:3] and g[3] == pytest.approx(e[3]) and g[4] == pytest.approx(e[4]) and g[5:] == e[5:]
    assert _sha(path) == before
    agg = decp.aggregate_by_siret_year(a).set_index(["siret", "year"])
    assert agg.loc[(H3, 2024), "reserved_market_eur"] == 47500.0 and agg.loc[(H1, 2024), "social_clause_contracts"] == 1


def test_decp_info_parquet_restores_leading_zeros_of_integer_ids(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from esstools.vocabulary import luhn_check_digit

    t = pq.read_table(F / "decp_info.parquet")
    buyer0 = "0" + "1234567800" + "01"
    buyer0 += luhn_check_digit(buyer0)
    ids = [int(buyer0) if v == int(B1) else v for v in t["acheteur_id"].to_pylist()]
    t = t.set_column(t.schema.get_field_index("acheteur_id"), "acheteur_id", pa.array(ids, pa.int64()))
    p = tmp_path / "decp_int_ids.parquet"
    pq.write_table(t, p)
    with pytest.warns(RepairWarning, match=r"acheteur_id.*leading zeros"):
        a = decp.load_decp(p, on_invalid="raise")
    assert set(a["buyer_siret"]) == {buyer0, B2} and len(buyer0) == 14 and len(a) == 6


def test_decp_2022_json_modifications_and_concessions():
    a = decp.load_decp(F / "decp_2022_modifications.json")
    assert _records(a, ["contract_id", "holder_siret", "amount_eur", "social_clause", "reserved_market"]) == [
        ("2024MOD01", H2, 70000.0, False, False),  # modifications applied in id order: 60 000 then 70 000, new holder
        ("2024MOD02", H3, 10000.0, True, True),
        ("2024MOD02", None, 10000.0, True, True),  # HORS-UE holder keeps its share, no SIRET
    ]
    assert "2024CONC1" not in set(a["contract_id"])  # concession skipped


# ------------------------------------------------------------------------------ SIAE

SIAE_API_KINDS = ["ACI", "EI", "AI", "ETTI", "EITI", "GEIQ"]


def test_siae_api_pages_as_files_and_as_list():
    a = siae.load_siae_directory([F / "siae_api_93_page1.json", F / "siae_api_93_page2.json"])
    b = siae.load_siae_directory(F / "siae_api_93_pages.json")
    pd.testing.assert_frame_equal(a, b)
    assert a["kind"].tolist() == SIAE_API_KINDS and (a["departement"] == "93").all()
    assert a["postcode"].tolist() == ["93200", "93100", "93000", "93300", "93140", "93200"]
    assert a.loc[0, "address"] == "1 rue Fictive" and a.loc[0, "name"] == "Chantier Fictif des Canaux"
    assert a["commune_code"].isna().all()  # the API gives no commune code
    five = siae.load_siae_directory(F / "siae_api_93_pages.json", kinds=siae.SIAE_KINDS)
    assert five["kind"].tolist() == SIAE_API_KINDS[:5]


def test_siae_api_page_saved_twice(tmp_path):
    p1 = json.loads((F / "siae_api_93_page1.json").read_text("utf-8"))
    p2 = json.loads((F / "siae_api_93_page2.json").read_text("utf-8"))
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([p1, p1, p2]), encoding="utf-8")
    with pytest.raises(InputFileError, match=r"count=6 .* hold 10"):
        siae.load_siae_directory(path)
    p2["results"] = p2["results"] + [p2["results"][0]]
    p2["count"] = p1["count"] = 7
    path.write_text(json.dumps([p1, p2]), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"column 'id'.*00000000-0000-4000-8000-000000000005"):
        siae.load_siae_directory(path)


def test_siae_asp_export_location_from_postcode():
    path = F / "siae_asp_export.csv"
    with pytest.warns(RepairWarning, match="Dropped 1 repeated row"):
        a = siae.load_siae_directory(path)
    assert a["kind"].tolist() == ["ACI", "EI", "AI", "ETTI", "ACI", "EI", "EI"]
    # CODE_DEPARTEMENT is the convention's département ('075' for the repeated ACI row): never the location
    assert a["departement"].tolist() == ["93", "93", "75", "977", "978", "2A", "2B"]
    assert a.loc[0, "address"] == "12 Rue FICTIVE" and a.loc[3, "postcode"] == "97133"


# ------------------------------------------------------------------------------ URSSAF

def test_urssaf_real_field_names_csv_and_parquet_agree():
    csv = urssaf.load_ess_employment(F / "urssaf_ess_departements.csv")
    pq_ = urssaf.load_ess_employment(F / "urssaf_ess_departements.parquet")
    pd.testing.assert_frame_equal(csv, pq_)
    assert len(csv) == 20 and set(csv["territory_code"]) == {"93", "01"}
    assert set(csv["ess_family"]) == {"association", "cooperative", "mutuelle", "fondation", "hors_ess"}
    r = csv.set_index(["territory_code", "year", "ess_family"])
    assert r.loc[("93", 2022, "association"), "employees"] == 41000.0
    assert r.loc[("93", 2022, "association"), "establishments"] == 2300.0
    assert r.loc[("93", 2022, "association"), "payroll_eur"] == pytest.approx(41000 * 31000.5)
    assert r.loc[("93", 2023, "association"), "employees"] == pytest.approx(42640.0)
    assert r.loc[("01", 2022, "hors_ess"), "employees"] == 95000.0  # champ_ess = NON


def test_urssaf_labels_variant_na88_code_plus_label():
    by = urssaf.load_ess_employment(F / "urssaf_ess_france_na88_labels.csv", by_sector=True)
    assert by["sector"].tolist() == ["88", "94", "10"] and set(by["territory_code"]) == {"FR"}
    tot = urssaf.load_ess_employment(F / "urssaf_ess_france_na88_labels.csv").set_index("ess_family")
    assert tot.loc["association", "employees"] == 800000.0 and tot.loc["cooperative", "payroll_eur"] == 2.1e9


def test_urssaf_champ_ess_contradiction(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("code_departement;annee;champ_ess;famille_ess;effectifs_salaries_moyens\n"
                 "93;2022;NON;Associations;10\n", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"column 'champ_ess, famille_ess'.*'Associations'"):
        urssaf.load_ess_employment(p)


# ------------------------------------------------------------------------------ ESS France, SIRENE units

def test_ess_france_real_headers():
    a = ess_france.load_ess_france_list(F / "ess_france_entreprisesess.csv")
    assert a["family"].tolist() == ["association", "cooperative", "mutuelle", "fondation", "societe_commerciale_ess"]
    assert a.loc[0, "name"] == "ASSOCIATION FICTIVE" and a.loc[4, "family_label"] == "Sociétés commerciales de l'ESS"


def test_legal_units_extract():
    u = sirene.load_legal_units(F / "StockUniteLegale_extrait.csv")
    assert u["ess_family_status"].tolist() == ["association", "cooperative", "societe_commerciale_ess", "association",
                                               "hors_ess"]
    assert u["ess_flag"].tolist() == [True, True, True, True, False]


def test_schema_versions_quoted_by_errors():
    v = schema_versions()
    assert set(v) == {"sirene", "urssaf", "decp", "siae", "financials", "clause_hours", "ess_france"}
    assert all(isinstance(s, str) and s for s in v.values())
    assert urssaf.SCHEMA.version == v["urssaf"] and decp.SCHEMA.version == v["decp"]
