"""Bad-input corpus of the tabular loaders (tests/bad_inputs/, made by tests/fixtures/make_fixtures.py).

Each case: the loader raises the exact error type whose message names the
file and (when the problem sits in a column) the column — or performs the
documented repair with a RepairWarning — and the input bytes are unchanged.
SIRENE / ESS France cases live in tests/test_bad_inputs_sirene.py.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import pytest

from esstools.errors import InputFileError, RepairWarning, SchemaError
from esstools.loaders import clause_hours, decp, financials, siae, urssaf

BAD = Path(__file__).parent / "bad_inputs"

LOADERS = {
    "urssaf": urssaf.load_ess_employment,
    "siae": siae.load_siae_directory,
    "decp": decp.load_decp,
    "financials": financials.load_financial_ratios,
    "clause": clause_hours.load_clause_hours,
}

# file, loader, expected (exception class or RepairWarning), text the message must contain (column or detail)
CASES = [
    # encodings
    ("urssaf_utf16.csv", "urssaf", InputFileError, "NUL bytes"),
    ("urssaf_mixed_encoding.csv", "urssaf", InputFileError, "mixes encodings"),
    # separators / field counts
    ("siae_wrong_separator.csv", "siae", InputFileError, "line 2 has 1 field(s) where the header has 5"),
    ("siae_extra_field.csv", "siae", InputFileError, "line 3 has 6 field(s)"),
    # decimal conventions
    ("urssaf_mixed_decimals.csv", "urssaf", SchemaError, "column 'Effectifs salariés'"),
    ("decp_decimal_comma.json", "decp", SchemaError, "column 'montant'"),
    ("financials_decimal_comma.parquet", "financials", SchemaError, "column 'chiffre_d_affaires'"),
    # columns
    ("clause_missing_column.csv", "clause", SchemaError, "'insertion_hours'"),
    ("clause_renamed_column.csv", "clause", SchemaError, "'Heures réalisées'"),
    ("urssaf_duplicate_header.csv", "urssaf", SchemaError, "column 'Année'"),
    ("siae_no_siret_column.csv", "siae", SchemaError, "'siret'"),
    # duplicated keys
    ("clause_duplicate_keys.csv", "clause", SchemaError, "column 'SIRET, Opération, Acheteur, Année'"),
    ("siae_duplicate_siret_kind.csv", "siae", SchemaError, "column 'siret, kind'"),
    ("decp_conflicting_duplicates.csv", "decp", SchemaError, "column 'acheteur.id, id'"),
    ("decp_exact_duplicates.csv", "decp", RepairWarning, "Dropped 1 exact duplicate award"),
    ("financials_conflicting_duplicates.csv", "financials", SchemaError, "type_bilan"),
    # identifiers
    ("siae_bad_siret_check_digit.csv", "siae", SchemaError, "column 'siret'"),
    ("siae_siret_13_digits.csv", "siae", SchemaError, "column 'siret'"),
    ("financials_bad_siren.csv", "financials", SchemaError, "column 'siren'"),
    ("decp_bad_holder_siret.json", "decp", SchemaError, "column 'titulaires.id'"),
    ("clause_bad_siret.csv", "clause", SchemaError, "column 'SIRET'"),
    # commune / département codes
    ("siae_commune_without_leading_zero.csv", "siae", RepairWarning, "Repaired 1 commune code(s)"),
    ("siae_unknown_commune.csv", "siae", SchemaError, "column 'Code commune'"),
    ("siae_invalid_commune.csv", "siae", SchemaError, "column 'Code commune'"),
    ("urssaf_bad_departement.csv", "urssaf", SchemaError, "column 'Code département'"),
    ("siae_unknown_kind.csv", "siae", SchemaError, "column 'kind'"),
    # values
    ("urssaf_negative_payroll.csv", "urssaf", SchemaError, "column 'Masse salariale'"),
    ("decp_negative_amount.csv", "decp", SchemaError, "column 'montant'"),
    ("clause_negative_hours.csv", "clause", SchemaError, "column 'Heures d'insertion'"),
    ("clause_fractional_beneficiaries.csv", "clause", SchemaError, "column 'Nombre de bénéficiaires'"),
    ("urssaf_year_out_of_range.csv", "urssaf", SchemaError, "column 'Année'"),
    ("urssaf_quarter_T5.csv", "urssaf", SchemaError, "column 'Trimestre'"),
    ("urssaf_unknown_family.csv", "urssaf", SchemaError, "column 'Famille ESS'"),
    ("financials_bad_date.csv", "financials", SchemaError, "column 'date_cloture_exercice'"),
    ("decp_unknown_social_consideration.json", "decp", SchemaError, "column 'considerationsSociales'"),
    ("decp_year_out_of_range.json", "decp", SchemaError, "column 'dateNotification'"),
    # whole files
    ("empty.csv", "clause", InputFileError, "file is empty"),
    ("clause_header_only.csv", "clause", InputFileError, "no data rows"),
    ("financials_truncated.parquet", "financials", InputFileError, "truncated or corrupt"),
    ("decp_invalid.json", "decp", InputFileError, "invalid JSON at line"),
    ("decp_empty_marches.json", "decp", InputFileError, "no data rows"),
    ("clause_formula.xlsx", "clause", SchemaError, "cell E3 (column 'Heures d'insertion')"),
    ("siae_not_really.xlsx", "siae", InputFileError, "not a readable XLSX"),
    ("siae_truncated.zip", "siae", InputFileError, "ZIP"),
    ("clause_hours_legacy.xls", "clause", InputFileError, ".xls"),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corpus_size_and_files_exist():
    assert len(CASES) >= 25
    names = {c[0] for c in CASES}
    on_disk = {p.name for p in BAD.iterdir() if p.is_file()}
    assert names <= on_disk, names - on_disk
    assert on_disk <= names, f"bad inputs without a test case: {on_disk - names}"


@pytest.mark.parametrize("name, loader, expected, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input(name, loader, expected, fragment):
    path = BAD / name
    before = _sha(path)
    fn = LOADERS[loader]
    if name == "siae_unknown_commune.csv":
        pytest.importorskip("esstools.territory")
    if expected is RepairWarning:
        with pytest.warns(RepairWarning) as rec:
            out = fn(path)
        msg = " ".join(str(w.message) for w in rec if issubclass(w.category, RepairWarning))
        assert fragment in msg
        assert str(path) in msg
        _check_repair(name, out)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RepairWarning)
            with pytest.raises(expected) as exc:
                fn(path)
        msg = str(exc.value)
        assert str(path) in msg, msg
        assert fragment in msg, msg
        if isinstance(exc.value, SchemaError) and "cell" not in fragment and "'" in fragment:
            assert exc.value.path == str(path)
    assert _sha(path) == before, "the input file was modified"


def _check_repair(name, out):
    if name == "siae_commune_without_leading_zero.csv":
        assert out["commune_code"].tolist() == ["01053", "93048"]
        assert out["departement"].tolist() == ["01", "93"]
        assert out["postcode"].tolist() == ["01000", "93100"]
    elif name == "decp_exact_duplicates.csv":
        assert out["contract_id"].tolist().count("2024AO01") == 2  # two holders, one award
        assert out["amount_eur"].sum() == pytest.approx(250000 + 80000 + 99000)


def test_fifty_megabyte_field_is_rejected(tmp_path):
    """A 50 MB field (generated here, never committed) -> InputFileError naming file, line and column."""
    path = tmp_path / "clause_50mb_field.csv"
    header = "SIRET;Opération;Acheteur;Année;Heures d'insertion;Nombre de bénéficiaires\n"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        fh.write("90000001900019;Op;Acheteur;2024;10;1\n")
        fh.write("90000001900019;" + "x" * 50_000_000 + ";Acheteur;2023;10;1\n")
    before = _sha(path)
    with pytest.raises(InputFileError) as exc:
        clause_hours.load_clause_hours(path)
    msg = str(exc.value)
    assert str(path) in msg and "column 'Opération'" in msg and "line 3" in msg and "50,000,000" in msg
    assert _sha(path) == before
