"""SIRENE loader on fixtures in the real INSEE stock formats (CSV, zip, Parquet, French variants).

Expected values are worked out by hand from tests/fixtures/sirene/make_fixtures.py.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import pandas as pd
import pytest

from esstools.errors import EsstoolsWarning, ParameterError, RepairWarning
from esstools.loaders import sirene
from esstools.loaders.sirene import checks as sirene_checks
from esstools.loaders.sirene import classify as sirene_sql
from esstools.loaders.sirene import read as sirene_read

F = Path(__file__).parent / "fixtures" / "sirene"
ET_CSV, UL_CSV = F / "StockEtablissement_utf8.csv", F / "StockUniteLegale_utf8.csv"
ET_ZIP, UL_ZIP = F / "StockEtablissement_utf8.zip", F / "StockUniteLegale_utf8.zip"
ET_PQ, UL_PQ = F / "StockEtablissement_utf8.parquet", F / "StockUniteLegale_utf8.parquet"

# (commune, family) -> (establishments, employees_est, employees_low, employees_high or None, unknown band)
EXPECTED_93 = {
    ("93048", "association"): (1, 7.5, 6, 9, 0),
    ("93048", "cooperative"): (1, 0.0, 0, 0, 1),
    ("93048", "mutuelle"): (1, 74.5, 50, 99, 0),
    ("93048", "societe_commerciale_ess"): (1, 4.0, 3, 5, 0),
    ("93066", "association"): (2, 34.5, 20, 49, 0),
    ("93066", "cooperative"): (1, 14.5, 10, 19, 0),
    ("93066", "hors_ess"): (3, 15376.0, 10251, None, 0),
    ("93066", "societe_commerciale_ess"): (1, 1.5, 1, 2, 0),
}


def _as_dict(df: pd.DataFrame) -> dict:
    out = {}
    for r in df.itertuples(index=False):
        high = None if pd.isna(r.employees_high) else int(r.employees_high)
        out[(r.commune_code, r.ess_family)] = (
            int(r.establishments), float(r.employees_est), int(r.employees_low), high,
            int(r.establishments_unknown_band),
        )
    return out


def _digest(*paths) -> list[str]:
    return [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]


def test_reference_tables_are_consistent():
    cj = sirene.legal_categories()
    assert cj["categorie_juridique"].str.fullmatch(r"\d{4}").all()
    assert not cj["categorie_juridique"].duplicated().any()
    fam = dict(zip(cj["categorie_juridique"], cj["ess_family"]))
    assert fam["9220"] == "association" and fam["9300"] == "fondation"
    assert fam["5458"] == fam["6317"] == fam["5560"] == "cooperative"
    assert fam["8210"] == fam["6411"] == "mutuelle"
    assert fam["5710"] == "hors_ess" and bool(cj.set_index("categorie_juridique").loc["5710", "commercial_company"])
    assert fam["5548"] == "hors_ess"  # SA de crédit immobilier is not a cooperative
    assert set(cj["ess_family"]) <= set(sirene.ESS_FAMILIES)
    assert cj["source"].str.contains("Insee").all()
    naf = sirene.naf_aggregations().set_index("naf_division")
    assert len(naf) == 88
    assert naf.loc["88", "a21"] == "Q" and naf.loc["88", "a38"] == "QB" and naf.loc["86", "a38"] == "QA"
    assert naf.loc["94", "a38"] == "SZ" and naf.loc["62", "a38"] == "JC" and naf.loc["01", "a21"] == "A"
    bands = sirene.headcount_bands().set_index("tranche")
    assert list(bands.index) == list(sirene.HEADCOUNT_BANDS)
    assert bands.loc["12", "headcount_mid"] == 34.5 and bands.loc["NN", "headcount_mid"] == 0
    assert pd.isna(bands.loc["53", "headcount_high"]) and bands.loc["53", "headcount_mid"] == 15000
    assert set(sirene.ESS_FAMILY_LABELS) == set(sirene.ESS_FAMILIES)
    assert sirene.ESS_FAMILY_LABELS["societe_commerciale_ess"] == "Sociétés commerciales de l'ESS"


def test_load_establishments_csv_contract_and_values():
    before = _digest(ET_CSV, UL_CSV)
    df = sirene.load_establishments(ET_CSV, UL_CSV)
    assert _digest(ET_CSV, UL_CSV) == before
    assert tuple(df.columns) == sirene.OUTPUT_COLUMNS
    assert len(df) == 15  # 16 rows, one closed
    assert df["siret"].is_monotonic_increasing
    for c in ("siret", "siren", "commune_code", "legal_category"):
        assert str(df[c].dtype) == "string"
    row = df.set_index("siret")
    assert row.loc["09876543100014", "siren"] == "098765431"  # leading zero kept
    assert row.loc["09876543100014", "legal_category"] == "6317"
    assert row.loc["38855470100010", "commune_code"] == "01053"
    assert row.loc["38855470100010", "departement"] == "01"
    assert row.loc["77566591200017", "a21"] == "Q" and row.loc["77566591200017", "a38"] == "QB"
    assert row.loc["77566591200017", "headcount_mid"] == 34.5
    # La Poste SIRET: not Luhn-valid but digit sum multiple of 5 -> accepted
    assert row.loc["35600000010000", "ess_family"] == "hors_ess"
    # NAF rév. 1 code: no A21/A38
    assert pd.isna(row.loc["41234567000027", "a21"])
    # association with religious activity 94.91Z is outside the Insee perimeter
    assert row.loc["44302211600018", "ess_family"] == "hors_ess"
    # SAS declaring the ESS flag -> ESS commercial company; SAS without -> hors ESS
    assert row.loc["85012345600012", "ess_family"] == "societe_commerciale_ess"
    assert row.loc["55203253400018", "ess_family"] == "hors_ess"
    assert pd.isna(row.loc["55203253400018", "headcount_high"])
    assert row["ess_flag"].dtype == bool
    assert bool(row.loc["85012345600012", "ess_flag"]) and not bool(row.loc["84370123600013", "ess_flag"])


def test_naf_exclusions_can_be_switched_off():
    df = sirene.load_establishments(ET_CSV, UL_CSV, naf_exclusions=False, communes=["93066"])
    assert df.set_index("siret").loc["44302211600018", "ess_family"] == "association"


@pytest.mark.parametrize("et,ul", [(ET_CSV, UL_CSV), (ET_ZIP, UL_ZIP), (ET_PQ, UL_PQ), (ET_PQ, UL_CSV),
                                   (ET_ZIP, UL_PQ), (ET_CSV, F / "StockUniteLegale_bom.csv")])
def test_aggregate_all_formats_agree(et, ul):
    before = _digest(et, ul)
    agg = sirene.aggregate_ess(et, ul, departements=["93"])
    assert _as_dict(agg) == EXPECTED_93
    assert list(agg.columns) == ["commune_code", "ess_family", "establishments", "employees_est", "employees_low",
                                 "employees_high", "establishments_unknown_band"]
    assert _digest(et, ul) == before


def test_cp1252_semicolon_extract_reads_with_warning():
    path = F / "etablissements_extrait_cp1252_pointvirgule.csv"
    with pytest.warns(EsstoolsWarning, match="not UTF-8"):
        agg = sirene.aggregate_ess(path, UL_PQ, departements="93")
    assert _as_dict(agg) == EXPECTED_93


def test_load_and_aggregate_are_consistent():
    df = sirene.load_establishments(ET_PQ, UL_PQ, departements=["93"], employer_only=True)
    g = df.groupby(["commune_code", "ess_family"]).agg(n=("siret", "size"), est=("headcount_mid", "sum"))
    assert {k: (int(v.n), float(v.est)) for k, v in g.iterrows()} == {
        k: (v[0], v[1]) for k, v in EXPECTED_93.items()}


def test_filters_and_ess_only():
    df = sirene.load_establishments(ET_CSV, UL_CSV, communes=["93048", "01053"], ess_only=True)
    assert sorted(df["siret"]) == ["09876543100014", "38855470100010", "77566591200025", "78430117800017",
                                   "85012345600012"]
    dep = sirene.load_establishments(ET_CSV, UL_CSV, departements=["92", "75"])
    assert sorted(dep["commune_code"]) == ["75111", "92012"]
    emp = sirene.load_establishments(ET_CSV, UL_CSV, communes="93066", employer_only=True)
    assert "84370123600013" not in set(emp["siret"])  # non-employer (NN)


def test_active_at_date():
    df = sirene.load_establishments(ET_PQ, UL_PQ, date="2019-12-31", departements=["93"])
    sirets = set(df["siret"])
    assert "77566591200033" in sirets  # closed on 2020-06-30: active at the end of 2019
    assert "85012345600020" not in sirets  # created in 2023
    assert "84370123600013" not in sirets  # created in 2021
    assert len(df) == 11
    now = sirene.load_establishments(ET_PQ, UL_PQ, departements=["93"])
    assert "77566591200033" not in set(now["siret"])


def test_aggregate_other_keys():
    agg = sirene.aggregate_ess(ET_CSV, UL_CSV, by=["departement", "ess_family"], employer_only=False)
    d = {(r.departement, r.ess_family): int(r.establishments) for r in agg.itertuples()}
    assert d[("93", "association")] == 3 and d[("93", "hors_ess")] == 4 and d[("01", "association")] == 1
    assert d[("75", "cooperative")] == 1 and d[("92", "fondation")] == 1
    a21 = sirene.aggregate_ess(ET_CSV, UL_CSV, by="a21", departements="93")
    assert a21.set_index("a21").loc["Q", "employees_est"] == 34.5
    cats = sirene.aggregate_ess(ET_CSV, UL_CSV, by=["legal_category", "ess_flag"], departements="93")
    c = {(r.legal_category, bool(r.ess_flag)): int(r.establishments) for r in cats.itertuples()}
    assert c[("9220", True)] == 3 and c[("9220", False)] == 1 and c[("5710", True)] == 2


def test_parameter_errors():
    with pytest.raises(ParameterError, match="allowed values"):
        sirene.aggregate_ess(ET_CSV, UL_CSV, by=["commune"])
    with pytest.raises(ParameterError, match="Invalid departement code '93.0'"):
        sirene.load_establishments(ET_CSV, UL_CSV, departements=["93.0"])
    with pytest.raises(ParameterError, match="Invalid commune code"):
        sirene.load_establishments(ET_CSV, UL_CSV, communes=["9306"])
    with pytest.raises(ParameterError, match="invalid_siret"):
        sirene.load_establishments(ET_CSV, UL_CSV, invalid_siret="ignore")
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):
        sirene.load_establishments(ET_CSV, UL_CSV, date="31/12/2019")


def test_no_warning_on_clean_files():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sirene.aggregate_ess(ET_PQ, UL_PQ)
        sirene.load_establishments(ET_ZIP, UL_ZIP)


def test_integer_coded_parquet_is_padded(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(ET_PQ)
    t = t.set_column(t.schema.get_field_index("siren"), "siren", pa.array([int(x) for x in t["siren"].to_pylist()]))
    p = tmp_path / "etab_int_siren.parquet"
    pq.write_table(t, p)
    with pytest.warns(RepairWarning, match="zero-padded"):
        df = sirene.load_establishments(p, UL_PQ, communes=["93048"])
    assert "098765431" in set(df["siren"])


# ----------------------------------------------------------------------------- SIRET checks (issue 3 follow-up)
def _luhn_reference(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _siret_reference(siren, nic) -> bool:
    if not (isinstance(siren, str) and isinstance(nic, str)):
        return False
    if not (len(siren) == 9 and len(nic) == 5 and (siren + nic).isascii() and (siren + nic).isdigit()):
        return False
    if _luhn_reference(siren + nic):
        return True
    return siren == "356000000" and sum(int(c) for c in siren + nic) % 5 == 0


def test_luhn_arithmetic_matches_digitwise_reference():
    import random

    import duckdb

    rng = random.Random(20240601)
    pairs = [(f"{rng.randrange(10**9):09d}", f"{rng.randrange(10**5):05d}") for _ in range(20_000)]
    for _ in range(5_000):  # valid SIRETs: NIC check digit chosen to pass Luhn
        siren, nic4 = f"{rng.randrange(10**9):09d}", f"{rng.randrange(10**4):04d}"
        pairs.append((siren, nic4 + next(str(c) for c in range(10) if _luhn_reference(siren + nic4 + str(c)))))
    pairs += [("356000000", f"{n:05d}") for n in range(0, 100_000, 7)]  # La Poste
    malformed_siren = ["+12345678", "1_2345678", " 12345678", "12345678 ", "1234567e2", "0x1234567", "12345678",
                       "1234567890", "-12345678", "１２３４５６７８９", "[ND]", None]
    malformed_nic = ["+0012", "0_012", "1e3", "0012", "000120", " 0012", None]
    pairs += [(s, "00012") for s in malformed_siren] + [("412345670", n) for n in malformed_nic]
    df = pd.DataFrame(pairs, columns=["siren", "nic"], dtype=object)
    con = duckdb.connect()
    con.register("t", df)
    got = con.execute(
        f"SELECT {sirene_sql.id_ok_expr(None)} FROM (SELECT siren, nic, TRY_CAST(siren AS BIGINT) AS _sn, "
        "TRY_CAST(nic AS INTEGER) AS _nn, row_number() OVER () AS i FROM t) ORDER BY i"
    ).fetchall()
    expected = [_siret_reference(s, n) for s, n in pairs]
    assert [bool(g[0]) for g in got] == expected
    assert sum(expected) > 5_000 + 100_000 // 7 // 5  # the valid cases are really exercised
    assert not any(expected[-len(malformed_siren) - len(malformed_nic):])
    assert _siret_reference("356000000", "10000") and not _luhn_reference("35600000010000")


def _parquet_variant(tmp_path, name, **changes):
    """Copy of the establishments Parquet fixture with some columns replaced (name -> list or None to drop)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(ET_PQ)
    for col, values in changes.items():
        i = t.schema.get_field_index(col)
        t = t.remove_column(i) if values is None else t.set_column(i, col, pa.array(values))
    path = tmp_path / name
    pq.write_table(t, path)
    return path


def test_parquet_siret_column_is_optional_for_aggregation(tmp_path):
    import pyarrow.parquet as pq

    from esstools.errors import SchemaError

    sirets = pq.read_table(ET_PQ, columns=["siret"])["siret"].to_pylist()
    row = sirets.index("41234567000019")
    bad = list(sirets)
    bad[row] = "41234567000010"  # isolated corrupt SIRET; its siren and nic are right
    path = _parquet_variant(tmp_path, "etab_one_bad_siret.parquet", siret=bad)
    # default on Parquet: siren || nic is validated, the unused siret column only screened on
    # row-group statistics (unchanged here), so the aggregate is the right one
    assert _as_dict(sirene.aggregate_ess(path, UL_PQ, departements="93")) == EXPECTED_93
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(path, UL_PQ, departements="93", check_siret_column=True)
    assert info.value.column == "siret" and info.value.values == ["41234567000010"]
    assert info.value.rows == [row + 2]
    with pytest.raises(SchemaError, match="41234567000010"):
        sirene.load_establishments(path, UL_PQ)


def test_parquet_siret_column_screened_on_statistics(tmp_path):
    import pyarrow.parquet as pq

    from esstools.errors import SchemaError

    sirens = pq.read_table(ET_PQ, columns=["siren"])["siren"].to_pylist()
    path = _parquet_variant(tmp_path, "etab_siret_holds_siren.parquet", siret=sirens)
    con = sirene_sql.connect(1, None)
    try:
        ok = sirene_checks.siret_statistics_agree(con, sirene_read._open_parquet(ET_PQ, "establishments", con))
        wrong = sirene_checks.siret_statistics_agree(con, sirene_read._open_parquet(path, "establishments", con))
    finally:
        con.close()
    assert ok and not wrong
    # the screening fails, so every row is checked and the error names rows and values
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(path, UL_PQ, departements="93")
    assert info.value.column == "siret" and info.value.rows[:2] == [2, 3]
    assert info.value.values[0] == "775665912"
    with pytest.warns(UserWarning, match="invalid SIRET.*dropped"):
        empty = sirene.aggregate_ess(path, UL_PQ, departements="93", invalid_siret="drop")
    assert len(empty) == 0


def test_parquet_without_nic_or_with_integer_nic(tmp_path):
    import pyarrow.parquet as pq

    no_nic = _parquet_variant(tmp_path, "etab_no_nic.parquet", nic=None)
    assert _as_dict(sirene.aggregate_ess(no_nic, UL_PQ, departements="93")) == EXPECTED_93
    nics = [int(x) for x in pq.read_table(ET_PQ, columns=["nic"])["nic"].to_pylist()]
    int_nic = _parquet_variant(tmp_path, "etab_int_nic.parquet", nic=nics)
    with pytest.warns(RepairWarning, match="nic"):
        agg = sirene.aggregate_ess(int_nic, UL_PQ, departements="93")
    assert _as_dict(agg) == EXPECTED_93


def test_check_siret_column_parameter():
    with pytest.raises(ParameterError, match="check_siret_column"):
        sirene.aggregate_ess(ET_PQ, UL_PQ, check_siret_column="yes")
    full = sirene.aggregate_ess(ET_PQ, UL_PQ, departements="93", check_siret_column=True)
    assert _as_dict(full) == EXPECTED_93


def test_aggregate_is_sorted_with_missing_keys_last():
    agg = sirene.aggregate_ess(ET_CSV, UL_CSV, by=["a21", "ess_family"], employer_only=False)
    keys = list(zip(agg["a21"], agg["ess_family"]))
    present = [k for k in keys if not pd.isna(k[0])]
    assert present == sorted(present)
    assert all(pd.isna(k[0]) for k in keys[len(present):]) and len(present) < len(keys)
    assert agg["establishments"].sum() == 15 and (agg["establishments"] > 0).all()
