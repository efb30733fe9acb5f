"""Issue 17 (loaders): no bad input becomes a wrong number — one or more cases per class of silent failure.

Files: ``tests/bad_inputs/issue17/`` (made by ``make_cases.py`` there). Each case asserts the
exact error type and that the message names the file, the column *as written in the file*
and the offending value — or the documented repair, its counted warning and the right result
— and that the input bytes are unchanged. Cases needing huge files, FIFOs, symbolic links or
glob characters in names are made in a temporary directory.

Classes (issue 17): A joins, B damaged files, C paths taken as patterns, D value domains,
E totals, F numbers, G DECP semantics, H labels and duplicate columns, I changed upstream
schemas (issue 13).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from esstools.errors import EsstoolsWarning, InputFileError, RepairWarning, SchemaError
from esstools.loaders import clause_hours, decp, ess_france, siae, sirene, urssaf
from tests.test_loaders_sirene import EXPECTED_93, _as_dict

B = Path(__file__).parent / "bad_inputs" / "issue17"
F = Path(__file__).parent / "fixtures" / "sirene"
ET, UL = F / "StockEtablissement_utf8.csv", F / "StockUniteLegale_utf8.csv"
ET_PQ, UL_PQ = F / "StockEtablissement_utf8.parquet", F / "StockUniteLegale_utf8.parquet"


@dataclass
class Case:
    name: str  # file of tests/bad_inputs/issue17
    klass: str
    run: Callable[[Path], object]
    expect: type  # exception class, or RepairWarning / EsstoolsWarning for a counted repair
    fragments: tuple[str, ...] = ()  # column as written, value...
    check: Callable[[object], None] | None = None
    extra: tuple[Path, ...] = field(default_factory=tuple)


def agg_etab(p, **kw):
    return sirene.aggregate_ess(p, UL, departements="93", **kw)


def agg_ul(p, **kw):
    return sirene.aggregate_ess(ET, p, departements="93", **kw)


def load_etab(p, **kw):
    return sirene.load_establishments(p, UL, **kw)


def urssaf_total(df):
    return float(df["employees"].sum())


CASES = [
    # ---- A: joins ---------------------------------------------------------------------------
    Case("sirene_ul_siren_double.parquet", "A", lambda p: sirene.aggregate_ess(ET_PQ, p, departements="93"),
         RepairWarning, ("siren", "as numbers"), lambda r: _eq(_as_dict(r), EXPECTED_93)),
    Case("sirene_ul_siren_padded.parquet", "A", lambda p: sirene.aggregate_ess(ET_PQ, p, departements="93"),
         SchemaError, ("column 'siren'", "'098765431'", "none of")),
    Case("sirene_ul_zero_rows.parquet", "A", lambda p: sirene.aggregate_ess(ET_PQ, p), InputFileError, ("no data rows",)),
    Case("sirene_etab_zero_rows.parquet", "A", lambda p: sirene.aggregate_ess(p, UL_PQ), InputFileError,
         ("no data rows",)),
    Case("sirene_ul_flag_oui.csv", "A", agg_ul, SchemaError, ("column 'economieSocialeSolidaireUniteLegale'", "'Oui'")),
    Case("sirene_ul_flag_oui.csv", "A", lambda p: sirene.load_establishments(ET, p), SchemaError,
         ("column 'economieSocialeSolidaireUniteLegale'", "'Oui'")),
    Case("sirene_ul_other_stock.csv", "A", agg_ul, SchemaError, ("column 'siren'", "none of")),
    Case("sirene_ul_other_stock.csv", "A", lambda p: sirene.load_establishments(ET, p), SchemaError,
         ("column 'siren'", "none of")),
    Case("sirene_ul_partial.csv", "A", agg_ul, EsstoolsWarning, ("3 of", "no legal unit", "'552032534'"),
         # E7, E16 (SAS ESUS, unit missing) now hors_ess with E8 (SAS, unit missing): counted, not silent
         lambda r: _eq(int(r.set_index(["commune_code", "ess_family"]).loc[("93066", "hors_ess"), "establishments"]), 4)
         and _eq("societe_commerciale_ess" in set(r["ess_family"]), False)),
    # ---- B: damaged files -------------------------------------------------------------------
    Case("sirene_etab_unbalanced_quote.csv", "B", agg_etab, InputFileError, ("line 4", "odd number of quote")),
    Case("sirene_etab_zero_tail.zip", "B", agg_etab, InputFileError, ("NUL bytes",)),
    Case("siae_unbalanced_quote.csv", "B", siae.load_siae_directory, InputFileError,
         ("column 'name'", "line 3", "unbalanced quote")),
    Case("urssaf_zero_tail.zip", "B", urssaf.load_ess_employment, InputFileError, ("NUL bytes",)),
    # ---- D: value domains -------------------------------------------------------------------
    Case("sirene_etab_date_ddmmyyyy.csv", "D", lambda p: load_etab(p, date="2019-12-31", departements=["93"]),
         RepairWarning, ("date(s) written DD/MM/YYYY",),
         lambda r: _eq(len(r), 11) and _eq("85012345600020" in set(r["siret"]), False)),
    Case("sirene_etab_date_unreadable.csv", "D", lambda p: load_etab(p, date="2019-12-31"), SchemaError,
         ("column 'dateCreationEtablissement'", "'1998-20-05'")),
    Case("sirene_etab_lowercase_state.csv", "D", agg_etab, SchemaError,
         ("column 'etatAdministratifEtablissement'", "'a'", "row(s) 6")),
    Case("sirene_etab_lowercase_state.csv", "D", load_etab, SchemaError, ("column 'etatAdministratifEtablissement'", "'a'")),
    Case("sirene_etab_employer_oui.csv", "D", agg_etab, SchemaError, ("column 'caractereEmployeurEtablissement'", "'Oui'")),
    Case("sirene_etab_lowercase_state.parquet", "D", agg_etab, SchemaError,
         ("column 'etatAdministratifEtablissement'", "'a'", "row(s) 6")),
    Case("sirene_etab_lowercase_state.parquet", "D", lambda p: load_etab(p, departements="93"), SchemaError,
         ("column 'etatAdministratifEtablissement'", "'a'")),
    Case("sirene_etab_employer_oui.parquet", "D", agg_etab, SchemaError,
         ("column 'caractereEmployeurEtablissement'", "'Oui'", "row(s) 5")),
    Case("sirene_etab_naf_without_dot.csv", "D", lambda p: load_etab(p, communes=["93066"]), RepairWarning,
         ("Repaired 2 NAF code(s)",), lambda r: _eq(r.set_index("siret").loc["44302211600018", "ess_family"], "hors_ess")),
    Case("sirene_etab_naf_malformed.csv", "D", agg_etab, SchemaError, ("column 'activitePrincipaleEtablissement'", "'88,99B'")),
    Case("sirene_etab_commune_20004.csv", "D", agg_etab, SchemaError, ("column 'codeCommuneEtablissement'", "'20004'")),
    Case("sirene_etab_commune_20004.csv", "D", lambda p: sirene.aggregate_ess(p, UL, by="departement"), SchemaError,
         ("column 'codeCommuneEtablissement'", "'20004'")),
    Case("sirene_etab_commune_00123.csv", "D", load_etab, SchemaError, ("column 'codeCommuneEtablissement'", "'00123'")),
    Case("sirene_ul_unknown_legal_category.csv", "D", agg_ul, SchemaError,
         ("column 'categorieJuridiqueUniteLegale'", "'5899'")),
    Case("urssaf_departement_name.csv", "D", urssaf.load_ess_employment, SchemaError,
         ("column 'code_departement'", "'Île-de-France'")),
    Case("urssaf_departement_00_979.csv", "D", urssaf.load_ess_employment, SchemaError,
         ("column 'code_departement'", "'00'", "'979'")),
    Case("urssaf_departement_20.csv", "D", urssaf.load_ess_employment, SchemaError,
         ("column 'code_departement'", "'20'", "2A", "2B")),
    Case("urssaf_region_name.csv", "D", urssaf.load_ess_employment, SchemaError, ("column 'code_region'", "'Île-de-France'")),
    Case("urssaf_departement_names_only.csv", "D", urssaf.load_ess_employment, SchemaError,
         ("column 'departement'", "'Seine-Saint-Denis'", "code_departement")),
    Case("siae_postcode_monaco.csv", "D", siae.load_siae_directory, SchemaError, ("column 'post_code'", "'98000'")),
    Case("siae_commune_20004.csv", "D", siae.load_siae_directory, SchemaError, ("column 'code_insee'", "'20004'", "2A004")),
    # ---- E: totals ----------------------------------------------------------------------------
    Case("urssaf_sector_total.csv", "E", urssaf.load_ess_employment, RepairWarning,
         ("Dropped 1 total/subtotal row(s)", "column 'secteur_na88'", "'Total'"),
         lambda r: _eq(urssaf_total(r), 300.0)),
    Case("urssaf_trailing_total.csv", "E", urssaf.load_ess_employment, RepairWarning,
         ("Dropped 1 total/subtotal row(s)", "column 'code_departement'", "'Total'"),
         lambda r: _eq(urssaf_total(r), 210.0) and _eq(len(r), 2)),
    Case("clause_total_row.csv", "E", clause_hours.load_clause_hours, RepairWarning,
         ("Dropped 1 total/subtotal row(s)", "column 'Opération'", "'Total'"),
         lambda r: _eq(float(r["insertion_hours"].sum()), 200.5) and _eq(len(r), 2)),
    # ---- F: numbers ---------------------------------------------------------------------------
    Case("urssaf_dot_thousands.csv", "F", urssaf.load_ess_employment, None, (),
         lambda r: _eq(r["employees"].tolist(), [1234567.0, 48000.0])),
    Case("urssaf_dot_ambiguous.csv", "F", urssaf.load_ess_employment, SchemaError,
         ("column 'effectifs_salaries_moyens'", "'48.000'", "ambiguous")),
    Case("urssaf_mixed_conventions.csv", "F", urssaf.load_ess_employment, SchemaError,
         ("column 'effectifs_salaries_moyens'", "'2.5'", "one decimal convention")),
    Case("urssaf_misgrouped_spaces.csv", "F", urssaf.load_ess_employment, SchemaError,
         ("column 'effectifs_salaries_moyens'", "'12 34'")),
    Case("clause_percent_hours.csv", "F", clause_hours.load_clause_hours, SchemaError,
         ("column 'Heures d'insertion'", "'12 %'")),
    Case("decp_amount_overflow.csv", "F", decp.load_decp, SchemaError, ("column 'montant'", "'1e309'", "finite")),
    # ---- G: DECP semantics --------------------------------------------------------------------
    Case("decp_holder_rows_amounts_differ.csv", "G", decp.load_decp, SchemaError,
         ("column 'montant'", "30000", "20000", "amounts='per_holder'")),
    Case("decp_holder_rows_amounts_differ.csv", "G", lambda p: decp.load_decp(p, amounts="per_holder"), None, (),
         lambda r: _eq(r["amount_eur"].tolist(), [30000.0, 20000.0]) and _eq(r["award_amount_eur"].tolist(), [50000.0] * 2)),
    Case("decp_no_current_version.csv", "G", decp.load_decp, SchemaError, ("column 'donneesActuelles'", "'2024-8'")),
    Case("decp_negated_social.json", "G", decp.load_decp, None, (),
         lambda r: _eq(r["social_clause"].tolist(), [False, False]) and _eq(r["reserved_market"].tolist(), [False, False])),
    Case("decp_contradictory_social.json", "G", decp.load_decp, SchemaError,
         ("column 'considerationsSociales'", "Pas de considération sociale", "contradictory")),
    Case("decp_holder_without_id.json", "G", decp.load_decp, SchemaError, ("column 'titulaires.id'", "got ''", "row(s) 2")),
    Case("decp_holder_without_id.json", "G", lambda p: decp.load_decp(p, on_invalid="drop"), RepairWarning,
         ("holders typed SIRET with a missing or invalid identifier kept as NA: 1",),
         lambda r: _eq(r["holder_siret"].isna().tolist(), [False, True, False])
         and _eq(r["amount_eur"].tolist(), [1000.0, 1000.0, 1000.0])),
    # ---- H: labels and duplicate columns --------------------------------------------------------
    Case("ess_france_hors_ess_ex_coop.csv", "H", ess_france.load_ess_france_list, SchemaError,
         ("column 'Famille'", "'Entreprise hors ESS (ex-coopérative)'")),
    Case("ess_france_two_siren_columns.csv", "H", ess_france.load_ess_france_list, SchemaError,
         ("column 'SIREN'", "'siren' and 'SIREN'")),
    Case("sirene_etab_duplicate_siren_column.csv", "H", agg_etab, SchemaError, ("column 'siren'", "twice")),
    Case("urssaf_family_negated.csv", "H", urssaf.load_ess_employment, SchemaError,
         ("column 'famille_ess'", "'Entreprise hors ESS (ex-coopérative)'")),
    # ---- I: changed upstream schemas -----------------------------------------------------------
    Case("urssaf_renamed_measure.csv", "I", urssaf.load_ess_employment, SchemaError,
         ("'effectifs_salaries_moy'", "effectifs_salaries_moyens", "schema_version", "renamed")),
    Case("decp_info_renamed_montant.csv", "I", decp.load_decp, SchemaError,
         ("'amount'", "'montant'", "'montant_ht_eur'", "schema_version")),
    Case("siae_api_renamed_type.json", "I", siae.load_siae_directory, SchemaError, ("'type'", "schema_version")),
    Case("siae_api_missing_page.json", "I", siae.load_siae_directory, InputFileError,
         ("count=6", "hold 4", "page=2")),
    Case("sirene_etab_renamed_commune.csv", "I", agg_etab, SchemaError,
         ("'codeCommuneEtablissement'", "'codeCommuneEtab'", "schema_version")),
]


def _eq(got, want) -> bool:
    assert got == want, (got, want)
    return True


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_every_file_has_a_case_and_every_class_is_covered():
    on_disk = {p.name for p in B.iterdir() if p.is_file() and p.suffix != ".py"}
    assert {c.name for c in CASES} == on_disk
    assert {c.klass for c in CASES} | {"C"} == set("ABCDEFGHI")  # C (glob names) is made at test time below


@pytest.mark.parametrize("case", CASES, ids=[f"{c.klass}-{c.name}-{i}" for i, c in enumerate(CASES)])
def test_bad_input(case: Case):
    path = B / case.name
    before = _sha(path)
    if case.expect is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RepairWarning)
            result = case.run(path)
        case.check(result)
    elif issubclass(case.expect, Warning):
        with pytest.warns(case.expect) as rec:
            result = case.run(path)
        msg = " ".join(str(w.message) for w in rec if issubclass(w.category, case.expect))
        assert str(path) in msg or path.name in msg, msg
        for frag in case.fragments:
            assert frag in msg, (frag, msg)
        if case.check:
            case.check(result)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RepairWarning)
            with pytest.raises(case.expect) as info:
                case.run(path)
        assert type(info.value) is case.expect
        msg = str(info.value)
        assert path.name in msg, msg
        for frag in case.fragments:
            assert frag in msg, (frag, msg)
    assert _sha(path) == before, "the input file was modified"


# ---- cases made at test time ------------------------------------------------------------------

def test_C_glob_characters_in_sirene_names_are_literal(tmp_path):
    """'[1]' and '*' in a SIRENE file name are characters: the decoy files beside them are never read."""
    for name in ("StockEtablissement[1].csv", "Stock*.parquet"):
        src = ET if name.endswith(".csv") else ET_PQ
        target = tmp_path / name
        shutil.copyfile(src, target)
        decoy = tmp_path / name.replace("[1]", "1").replace("*", "Decoy")
        shutil.copyfile(B / "sirene_etab_lowercase_state.csv", decoy) if decoy.suffix == ".csv" else \
            decoy.write_bytes(b"PAR1 not a parquet file")
        assert _as_dict(sirene.aggregate_ess(target, UL, departements="93")) == EXPECTED_93
    ul = tmp_path / "StockUniteLegale[a-z].csv"
    shutil.copyfile(UL, ul)
    (tmp_path / "StockUniteLegalea.csv").write_text("garbage\n", encoding="utf-8")
    assert _as_dict(sirene.aggregate_ess(ET, ul, departements="93")) == EXPECTED_93


def test_C_glob_characters_in_table_names_are_literal(tmp_path):
    from esstools.loaders.common import read_table

    p = tmp_path / "ratios[1].csv"
    p.write_text("a;b\n1;2\n", encoding="utf-8")
    (tmp_path / "ratios1.csv").write_text("a;b\n9;9\n", encoding="utf-8")
    assert read_table(p)[0]["a"].tolist() == ["1"]


def test_B_nul_bytes_beyond_the_first_megabyte(tmp_path):
    p = tmp_path / "clause_big.csv"
    header = "SIRET;Opération;Acheteur;Année;Heures d'insertion;Nombre de bénéficiaires\n"
    row = "90000001900019;Collège;Département;2023;10;1\n"
    body = header + row * 40_000  # ~1.7 MB
    p.write_bytes(body.encode() + b"\x00" * 512)
    with pytest.raises(InputFileError, match=r"NUL bytes \(first at byte [0-9,]+, line 40002\)"):
        clause_hours.load_clause_hours(p)


def test_B_long_lines(tmp_path):
    """A line longer than a record can be: an error naming the line (never a dropped row)."""
    lines = (ET.read_text(encoding="utf-8")).split("\n")
    cols = lines[3].split(",")
    cols[cols.index("DE LA REPUBLIQUE")] = "R" * 3_000_000
    lines[3] = ",".join(cols)
    p = tmp_path / "etab_long_line.csv"
    p.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputFileError, match="etab_long_line.csv") as info:
        sirene.aggregate_ess(p, UL)
    assert "Line: 4" in str(info.value) or "line 4" in str(info.value)
    q = tmp_path / "clause_long.csv"
    q.write_text("SIRET;Opération;Acheteur;Année;Heures d'insertion;Nombre de bénéficiaires\n"
                 "90000001900019;" + "x" * 2_000_000 + ";A;2023;1;1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"column 'Opération' at line 2"):
        clause_hours.load_clause_hours(q)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_G_json_stream_without_end_is_refused_before_reading(tmp_path):
    fifo = tmp_path / "decp_stream.json"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="decp_stream.json.*not a regular file"):
        decp.load_decp(fifo)
    link = tmp_path / "zeros.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputFileError, match="zeros.json.*not a regular file"):
        decp.load_decp(link)
    big = tmp_path / "decp_big.json"
    big.write_text('{"marches": [' + ",".join(['{"id": "x"}'] * 2000) + "]}", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"decp_big.json.*1,000-byte limit"):
        decp.load_decp(big, max_bytes=1000)


def test_F_one_number_parser_rules():
    from esstools.loaders.common import parse_number

    s = pd.Series(["1.234.567", "48.000", "1 234,5"])
    assert parse_number(s).tolist() == [1234567.0, 48000.0, 1234.5]
    assert parse_number(pd.Series(["48.000", "2.5"])).tolist() == [48.0, 2.5]
    assert parse_number(pd.Series(["48.000"]), hint="comma").tolist() == [48000.0]
    assert parse_number(pd.Series(["48.000"]), hint="dot").tolist() == [48.0]
    with pytest.raises(SchemaError, match="ambiguous"):
        parse_number(pd.Series(["48.000"]), "f.csv", "x")
    with pytest.raises(SchemaError, match="finite"):
        parse_number(pd.Series(["1e309"]), "f.csv", "x")
    with pytest.raises(SchemaError, match="no unit or % sign"):
        parse_number(pd.Series(["12 %"]), "f.csv", "x")
    assert parse_number(pd.Series(["12 %"]), units=("%",)).tolist() == [12.0]
    assert parse_number(pd.Series(["\u22123,5", "+2"])).tolist() == [-3.5, 2.0]


def test_A_integer_typed_unit_siren_and_cj_join():
    """Parquet types of the producer (categorieJuridique BIGINT) and an int64 SIREN still join."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(UL_PQ)
    assert t.schema.field("categorieJuridiqueUniteLegale").type == pa.int64()
    assert _as_dict(sirene.aggregate_ess(ET_PQ, UL_PQ, departements="93")) == EXPECTED_93


def test_A_identifiers_stored_as_numbers_on_every_input_path(tmp_path):
    """Parquet int64, XLSX numbers and JSON numbers lose leading zeros: restored, counted, never an error or a miss."""
    import json

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    from esstools.loaders import financials
    from esstools.vocabulary import luhn_check_digit

    siren0 = "01234567" + luhn_check_digit("01234567")
    siret0 = siren0 + "0001" + luhn_check_digit(siren0 + "0001")
    p = tmp_path / "ratios.parquet"
    pq.write_table(pa.table({"siren": pa.array([int(siren0)], pa.int64()),
                             "date_cloture_exercice": pa.array(["2023-12-31"]),
                             "chiffre_d_affaires": pa.array([1500.5])}), p)
    with pytest.warns(RepairWarning, match=r"column 'siren'.*leading zeros"):
        assert financials.load_financial_ratios(p)["siren"].tolist() == [siren0]
    x = tmp_path / "heures.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["SIRET", "Opération", "Acheteur", "Année", "Heures d'insertion", "Nombre de bénéficiaires"])
    wb.active.append([int(siret0), "Collège", "Département", 2023, 12.5, 1])
    wb.save(x)
    with pytest.warns(RepairWarning, match=r"column 'SIRET'.*leading zeros"):
        assert clause_hours.load_clause_hours(x)["siret"].tolist() == [siret0]
    j = tmp_path / "decp.json"
    j.write_text(json.dumps({"marches": [{"id": "1", "acheteur": {"id": int(siret0)}, "montant": 10,
                                          "dateNotification": "2024-01-01",
                                          "titulaires": [{"typeIdentifiant": "SIRET", "id": int(siret0)}]}]}))
    with pytest.warns(RepairWarning, match=r"Repaired 2 SIRET\(s\).*JSON numbers"):
        a = decp.load_decp(j)
    assert a["buyer_siret"].tolist() == [siret0] and a["holder_siret"].tolist() == [siret0]
