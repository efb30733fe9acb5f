"""Malformed SIRENE inputs (tests/bad_inputs/sirene/): exact error type, message naming the file
and the column (or the documented repair and its warning), and input bytes unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from esstools.errors import InputFileError, RepairWarning, SchemaError
from esstools.loaders import sirene

B = Path(__file__).parent / "bad_inputs" / "sirene"
F = Path(__file__).parent / "fixtures" / "sirene"
ET, UL = F / "StockEtablissement_utf8.csv", F / "StockUniteLegale_utf8.csv"

# file -> (error class, fragments the message must contain)
CASES = {
    "etab_truncated.parquet": (InputFileError, ["etab_truncated.parquet", "cannot be read as Parquet", "truncated"]),
    "etab_truncated.zip": (InputFileError, ["etab_truncated.zip", "zip"]),
    "etab_zip_two_members.zip": (InputFileError, ["etab_zip_two_members.zip", "exactly one CSV", "LISEZMOI.csv"]),
    "etab_missing_tranche_column.csv": (SchemaError, ["etab_missing_tranche_column.csv", "'trancheEffectifsEtablissement'"]),
    "etab_is_really_unites_legales.csv": (SchemaError, ["etab_is_really_unites_legales.csv", "'siret'",
                                                       "'codeCommuneEtablissement'", "StockEtablissement"]),
    "etab_bad_siret_check_digit.csv": (SchemaError, ["etab_bad_siret_check_digit.csv", "column 'siret'", "row(s) 5",
                                                    "'41234567000010'", "Luhn"]),
    "etab_bad_tranche_code.csv": (SchemaError, ["etab_bad_tranche_code.csv", "column 'trancheEffectifsEtablissement'",
                                               "row(s) 3", "'7'", "NN, 00, 01"]),
    "etab_bad_commune_code.csv": (SchemaError, ["etab_bad_commune_code.csv", "column 'codeCommuneEtablissement'",
                                               "row(s) 2", "'9306X'"]),
    "etab_utf16.csv": (InputFileError, ["etab_utf16.csv", "UTF-16", "UTF-8"]),
    "etab_header_only.csv": (InputFileError, ["etab_header_only.csv", "no data rows"]),
    "etab_empty.csv": (InputFileError, ["etab_empty.csv", "empty"]),
    "etab_ragged_row.csv": (InputFileError, ["etab_ragged_row.csv", "Line: 6", "Expected Number of Columns: 53"]),
    "ul_missing_ess_column.csv": (SchemaError, ["ul_missing_ess_column.csv", "'economieSocialeSolidaireUniteLegale'"]),
}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _args(name: str):
    return (B / name, UL) if name.startswith("etab") else (ET, B / name)


def test_corpus_is_complete():
    names = {p.name for p in B.iterdir()}
    assert set(CASES) | {"etab_commune_lost_leading_zero.csv", "ul_duplicated_siren.csv"} == names
    assert len(names) >= 6


@pytest.mark.parametrize("func", [sirene.load_establishments, sirene.aggregate_ess], ids=["load", "aggregate"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_raises_clear_error(name, func):
    et, ul = _args(name)
    before = _sha(et), _sha(ul)
    cls, fragments = CASES[name]
    with pytest.raises(cls) as info:
        func(et, ul, departements=["93", "01"])
    assert type(info.value) is cls
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert (_sha(et), _sha(ul)) == before


def test_schema_error_attributes():
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(B / "etab_bad_siret_check_digit.csv", UL)
    err = info.value
    assert err.column == "siret" and err.rows == [5] and err.values == ["41234567000010"]
    assert err.path.endswith("etab_bad_siret_check_digit.csv")


def test_bad_siret_warn_and_drop():
    path = B / "etab_bad_siret_check_digit.csv"
    with pytest.warns(UserWarning, match="1 selected row.*invalid SIRET.*kept"):
        kept = sirene.aggregate_ess(path, UL, departements="93", invalid_siret="warn")
    with pytest.warns(UserWarning, match="dropped"):
        dropped = sirene.aggregate_ess(path, UL, departements="93", invalid_siret="drop")
    k = kept.set_index(["commune_code", "ess_family"])
    assert int(k.loc[("93066", "cooperative"), "establishments"]) == 1
    assert ("93066", "cooperative") not in set(zip(dropped["commune_code"], dropped["ess_family"]))
    with pytest.warns(UserWarning, match="dropped"):
        rows = sirene.load_establishments(path, UL, departements="93", invalid_siret="drop")
    assert "41234567000010" not in set(rows["siret"]) and len(rows) == 11


def test_lost_leading_zero_repaired_with_warning():
    path = B / "etab_commune_lost_leading_zero.csv"
    before = _sha(path)
    with pytest.warns(RepairWarning, match=r"Repaired 1 commune code\(s\).*etab_commune_lost_leading_zero.csv.*codeCommuneEtablissement"):
        df = sirene.load_establishments(path, UL, departements=["01"])
    assert list(df["commune_code"]) == ["01053"] and list(df["departement"]) == ["01"]
    assert _sha(path) == before


def test_duplicated_siren_in_units():
    path = B / "ul_duplicated_siren.csv"
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(ET, path)
    assert "ul_duplicated_siren.csv" in str(info.value) and "column 'siren'" in str(info.value)
    assert "'412345670' (2 rows)" in str(info.value)
    with pytest.raises(SchemaError, match="ul_duplicated_siren.csv.*'412345670'"):
        sirene.load_establishments(ET, path)


def test_missing_file():
    with pytest.raises(InputFileError, match="does not exist"):
        sirene.load_establishments(B / "nope.csv", UL)


@pytest.mark.parametrize("by", [["commune_code", "ess_family"], ["departement", "ess_family"]],
                         ids=["checked-on-keys", "checked-per-row"])
def test_lost_leading_zero_repaired_in_aggregate(by):
    path = B / "etab_commune_lost_leading_zero.csv"
    with pytest.warns(RepairWarning, match=r"Repaired 1 commune code\(s\).*codeCommuneEtablissement"):
        agg = sirene.aggregate_ess(path, UL, by=by, employer_only=False)
    key = by[0]
    assert "1053" not in set(agg[key])
    expected = "01053" if key == "commune_code" else "01"
    assert int(agg.loc[(agg[key] == expected) & (agg["ess_family"] == "association"), "establishments"].sum()) == 1
    assert not agg[by].duplicated().any()


@pytest.mark.parametrize("by", [["departement"], ["legal_category"], ["commune_code", "headcount_band"]])
def test_bad_codes_caught_whatever_the_keys(by):
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(B / "etab_bad_commune_code.csv", UL, by=by)
    assert info.value.column == "codeCommuneEtablissement" and info.value.rows == [2]
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(B / "etab_bad_tranche_code.csv", UL, by=by)
    assert info.value.column == "trancheEffectifsEtablissement" and info.value.values == ["7"]


def test_parquet_luhn_failure_on_siren_nic(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(F / "StockEtablissement_utf8.parquet")
    nic = t["nic"].to_pylist()
    siret = t["siret"].to_pylist()
    row = siret.index("77566591200025")
    nic[row], siret[row] = "00026", "77566591200026"  # consistent columns, wrong check digit
    t = t.set_column(t.schema.get_field_index("nic"), "nic", pa.array(nic))
    t = t.set_column(t.schema.get_field_index("siret"), "siret", pa.array(siret))
    path = tmp_path / "etab_bad_check_digit.parquet"
    pq.write_table(t, path)
    before = _sha(path)
    with pytest.raises(SchemaError) as info:
        sirene.aggregate_ess(path, F / "StockUniteLegale_utf8.parquet")
    err = info.value
    assert err.column == "siret" and err.rows == [row + 2] and err.values == ["77566591200026"]
    assert "etab_bad_check_digit.parquet" in str(err) and "Luhn" in str(err)
    assert _sha(path) == before
