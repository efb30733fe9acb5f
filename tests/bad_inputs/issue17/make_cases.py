"""Bad-input corpus of issue 17 (loaders): one or more files per class of silent failure.

Run from the repository root: ``.venv/bin/python tests/bad_inputs/issue17/make_cases.py``
(deterministic; the files are committed and read by ``tests/test_bad_inputs_issue17.py``).
Identifiers follow the fixture scheme (``9`` + serial + Luhn digit, see
``tests/fixtures/real_formats/make_real_formats.py``); the SIRENE cases start from the SIRENE
fixture rows (``tests/fixtures/sirene/make_fixtures.py``). Cases that need huge files, FIFOs,
symbolic links or glob characters in names are made at test time in a temporary directory.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SF = _module(ROOT / "tests" / "fixtures" / "sirene" / "make_fixtures.py", "sirene_fixtures")
RF = _module(ROOT / "tests" / "fixtures" / "real_formats" / "make_real_formats.py", "real_formats")
ET_COLS, UL_COLS = SF.ETABLISSEMENT_COLUMNS, SF.UNITE_LEGALE_COLUMNS
siren, siret = RF.siren, RF.siret


def write(name: str, data: str | bytes, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def csv_text(header, rows, sep=";") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue()


def etab(**changes) -> list[dict]:
    """SIRENE establishment fixture rows; ``changes`` maps a SIRET key (E1..E16) to column changes."""
    rows = SF.etab_rows()
    keys = [e[0] for e in SF.ETABS]
    for key, ch in changes.items():
        rows[keys.index(key)].update(ch)
    return rows


def stored_zip(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(zipfile.ZipInfo(member, (2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def zero_tail(data: bytes, keep: float = 0.4) -> bytes:
    """A damaged download: the tail replaced by zero bytes (same length)."""
    k = int(len(data) * keep)
    return data[:k] + b"\x00" * (len(data) - k)


def main() -> None:
    et = SF.etab_rows()
    ul = SF.ul_rows()
    et_csv = SF.csv_text(et, ET_COLS)
    ul_csv = SF.csv_text(ul, UL_COLS)

    # ---- A: joins that fail -------------------------------------------------------------
    t = pq.read_table(ROOT / "tests" / "fixtures" / "sirene" / "StockUniteLegale_utf8.parquet")
    i = t.schema.get_field_index("siren")
    as_double = t.set_column(i, "siren", pa.array([float(s) for s in t["siren"].to_pylist()], pa.float64()))
    pq.write_table(as_double, HERE / "sirene_ul_siren_double.parquet")
    padded = t.set_column(i, "siren", pa.array([s + " " for s in t["siren"].to_pylist()]))
    pq.write_table(padded, HERE / "sirene_ul_siren_padded.parquet")
    pq.write_table(t.slice(0, 0), HERE / "sirene_ul_zero_rows.parquet")
    te = pq.read_table(ROOT / "tests" / "fixtures" / "sirene" / "StockEtablissement_utf8.parquet")
    pq.write_table(te.slice(0, 0), HERE / "sirene_etab_zero_rows.parquet")
    oui = [dict(r, economieSocialeSolidaireUniteLegale={"O": "Oui", "N": "Non"}.get(
        r["economieSocialeSolidaireUniteLegale"], "")) for r in ul]
    write("sirene_ul_flag_oui.csv", SF.csv_text(oui, UL_COLS))
    other = [dict(r, siren=siren(600 + k)) for k, r in enumerate(ul)]
    write("sirene_ul_other_stock.csv", SF.csv_text(other, UL_COLS))
    partial = [r for r in ul if r["categorieJuridiqueUniteLegale"] not in ("5710",)]  # two SAS units missing
    write("sirene_ul_partial.csv", SF.csv_text(partial, UL_COLS))

    # ---- B: damaged files ------------------------------------------------------------------
    lines = et_csv.split("\n")
    lines[3] = lines[3].replace("DE LA REPUBLIQUE", '"DE LA REPUBLIQUE', 1)  # unbalanced quote, line 4
    write("sirene_etab_unbalanced_quote.csv", "\n".join(lines))
    write("sirene_etab_zero_tail.zip", stored_zip("StockEtablissement_utf8.csv", zero_tail(et_csv.encode())))
    siae = csv_text(["siret", "kind", "name", "post_code"],
                    [[siret(71), "ACI", "Chantier Fictif", "93200"], [siret(72), "EI", '"Entreprise Fictive', "93100"],
                     [siret(73), "AI", "Asso Fictive", "93000"], [siret(74), "ETTI", 'Intérim Fictif"', "93300"]],
                    sep=",")
    write("siae_unbalanced_quote.csv", siae.replace('"""Entreprise Fictive"', '"Entreprise Fictive')
          .replace('"Intérim Fictif"""', 'Intérim Fictif"'))
    urssaf = csv_text(["code_departement", "annee", "effectifs_salaries_moyens"],
                      [["93", 2020 + k, str(100 + k)] for k in range(10)])
    write("urssaf_zero_tail.zip", stored_zip("urssaf.csv", zero_tail(urssaf.encode())))

    # ---- D: values checked for meaning -------------------------------------------------------
    ddmm = etab(E2={"dateCreationEtablissement": "01/09/2010"}, E16={"dateCreationEtablissement": "01/05/2023"})
    write("sirene_etab_date_ddmmyyyy.csv", SF.csv_text(ddmm, ET_COLS))
    write("sirene_etab_date_unreadable.csv", SF.csv_text(etab(E4={"dateCreationEtablissement": "1998-20-05"}), ET_COLS))
    write("sirene_etab_lowercase_state.csv", SF.csv_text(etab(E5={"etatAdministratifEtablissement": "a"}), ET_COLS))
    write("sirene_etab_employer_oui.csv", SF.csv_text(etab(E4={"caractereEmployeurEtablissement": "Oui"}), ET_COLS))
    # the same in Parquet, where aggregate_ess pushes "= 'A'" / "= 'O'" into the scan (checked by a domain scan)
    keys = [e[0] for e in SF.ETABS]
    for name, col, key, value in (("sirene_etab_lowercase_state.parquet", "etatAdministratifEtablissement", "E5", "a"),
                                  ("sirene_etab_employer_oui.parquet", "caractereEmployeurEtablissement", "E4", "Oui")):
        vals = te[col].to_pylist()
        vals[keys.index(key)] = value
        pq.write_table(te.set_column(te.schema.get_field_index(col), col, pa.array(vals)), HERE / name)
    write("sirene_etab_naf_without_dot.csv", SF.csv_text(etab(E10={"activitePrincipaleEtablissement": "9491Z"},
                                                              E1={"activitePrincipaleEtablissement": "8899B"}), ET_COLS))
    write("sirene_etab_naf_malformed.csv", SF.csv_text(etab(E1={"activitePrincipaleEtablissement": "88,99B"}), ET_COLS))
    write("sirene_etab_commune_20004.csv", SF.csv_text(etab(E7={"codeCommuneEtablissement": "20004"}), ET_COLS))
    write("sirene_etab_commune_00123.csv", SF.csv_text(etab(E7={"codeCommuneEtablissement": "00123"}), ET_COLS))
    unknown_cj = [dict(r, categorieJuridiqueUniteLegale="5899") if r["categorieJuridiqueUniteLegale"] == "5710"
                  and r["economieSocialeSolidaireUniteLegale"] == "O" else r for r in ul]
    write("sirene_ul_unknown_legal_category.csv", SF.csv_text(unknown_cj, UL_COLS))
    udep = ["code_departement", "annee", "effectifs_salaries_moyens"]
    write("urssaf_departement_name.csv", csv_text(udep, [["93", 2022, "100"], ["Île-de-France", 2022, "900"]]))
    write("urssaf_departement_00_979.csv", csv_text(udep, [["93", 2022, "100"], ["00", 2022, "5"], ["979", 2022, "7"]]))
    write("urssaf_departement_20.csv", csv_text(udep, [["2A", 2022, "100"], ["20", 2022, "200"]]))
    write("urssaf_region_name.csv", csv_text(["code_region", "annee", "effectifs_salaries_moyens"],
                                             [["11", 2022, "100"], ["Île-de-France", 2022, "100"]]))
    write("urssaf_departement_names_only.csv", csv_text(["departement", "annee", "effectifs_salaries_moyens"],
                                                        [["Seine-Saint-Denis", 2022, "100"]]))
    write("siae_postcode_monaco.csv", csv_text(["siret", "kind", "name", "post_code"],
                                               [[siret(81), "ACI", "Fictif", "93200"], [siret(82), "EI", "Fictif MC", "98000"]],
                                               sep=","))
    write("siae_commune_20004.csv", csv_text(["siret", "kind", "name", "code_insee"],
                                             [[siret(83), "ACI", "Fictif", "93066"], [siret(84), "EI", "Fictif Corse", "20004"]],
                                             sep=","))

    # ---- E: totals -----------------------------------------------------------------------------
    usec = ["code_departement", "annee", "famille_ess", "secteur_na88", "effectifs_salaries_moyens"]
    write("urssaf_sector_total.csv", csv_text(usec, [["93", 2022, "Associations", "88 Action sociale sans hébergement", "100"],
                                                     ["93", 2022, "Associations", "94 Activités des organisations associatives", "200"],
                                                     ["93", 2022, "Associations", "Total", "300"]]))
    write("urssaf_trailing_total.csv", csv_text(udep, [["93", 2021, "100"], ["93", 2022, "110"], ["Total", "", "210"]]))
    ch = ["SIRET", "Opération", "Acheteur", "Année", "Heures d'insertion", "Nombre de bénéficiaires"]
    write("clause_total_row.csv", csv_text(ch, [[siret(91), "Collège Fictif", "Département", 2023, "120,5", 2],
                                                [siret(92), "Piscine Fictive", "EPT", 2023, "80", 1],
                                                ["", "Total", "", "", "200,5", 3]]))

    # ---- F: numbers ----------------------------------------------------------------------------
    write("urssaf_dot_thousands.csv", csv_text(udep, [["93", 2021, "1.234.567"], ["93", 2022, "48.000"]]))
    write("urssaf_dot_ambiguous.csv", csv_text(udep, [["93", 2021, "48.000"], ["93", 2022, "52.500"]]))
    write("urssaf_mixed_conventions.csv", csv_text(udep, [["93", 2021, "1.234.567"], ["93", 2022, "2.5"]]))
    write("urssaf_misgrouped_spaces.csv", csv_text(udep, [["93", 2021, "12 34"], ["93", 2022, "1 234"]]))
    write("clause_percent_hours.csv", csv_text(ch, [[siret(91), "Collège Fictif", "Département", 2023, "120", 2],
                                                    [siret(92), "Piscine Fictive", "EPT", 2023, "12 %", 1]]))
    dflat = ["id", "acheteur_id", "montant", "dateNotification", "considerationsSociales", "titulaire_id"]
    write("decp_amount_overflow.csv", csv_text(dflat, [["2024-1", siret(201), "1e309", "2024-02-01", "Sans objet", siret(11)]]))

    # ---- G: DECP semantics ---------------------------------------------------------------------
    write("decp_holder_rows_amounts_differ.csv", csv_text(dflat, [
        ["2024-7", siret(201), "30000", "2024-02-01", "Marché réservé", siret(11)],
        ["2024-7", siret(201), "20000", "2024-02-01", "Marché réservé", siret(12)]]))
    vers = dflat + ["modification_id", "donneesActuelles"]
    write("decp_no_current_version.csv", csv_text(vers, [
        ["2024-8", siret(201), "30000", "2024-02-01", "Sans objet", siret(11), "0", "false"],
        ["2024-8", siret(201), "35000", "2024-02-01", "Sans objet", siret(11), "1", "false"]]))
    neg = {"marches": {"marche": [
        {"id": "N1", "acheteur": {"id": siret(201)}, "montant": 1000, "dateNotification": "2024-01-10",
         "considerationsSociales": {"considerationSociale": ["Pas de clause sociale"]},
         "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": siret(11)}}]},
        {"id": "N2", "acheteur": {"id": siret(201)}, "montant": 2000, "dateNotification": "2024-01-11",
         "considerationsSociales": {"considerationSociale": ["Non - marché réservé"]},
         "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": siret(12)}}]}]}}
    write("decp_negated_social.json", json.dumps(neg, ensure_ascii=False))
    contra = json.loads(json.dumps(neg))
    contra["marches"]["marche"][0]["considerationsSociales"]["considerationSociale"] = ["Clause sociale",
                                                                                        "Pas de considération sociale"]
    write("decp_contradictory_social.json", json.dumps(contra, ensure_ascii=False))
    noid = json.loads(json.dumps(neg))
    noid["marches"]["marche"][1]["titulaires"] = [{"titulaire": {"typeIdentifiant": "SIRET"}},
                                                  {"titulaire": {"typeIdentifiant": "SIRET", "id": siret(13)}}]
    noid["marches"]["marche"][0]["considerationsSociales"]["considerationSociale"] = ["Sans objet"]
    noid["marches"]["marche"][1]["considerationsSociales"]["considerationSociale"] = ["Sans objet"]
    write("decp_holder_without_id.json", json.dumps(noid, ensure_ascii=False))

    # ---- H: labels and duplicate columns -------------------------------------------------------
    write("ess_france_hors_ess_ex_coop.csv", csv_text(["SIREN", "Nom", "Famille"], [
        [siren(31), "SCOP FICTIVE", "Coopératives"], [siren(32), "SARL FICTIVE", "Entreprise hors ESS (ex-coopérative)"]]))
    write("ess_france_two_siren_columns.csv", csv_text(["siren", "Nom", "SIREN"], [[siren(31), "X", siren(32)]]))
    dup_cols = ET_COLS[:2] + ["siren"] + ET_COLS[2:]
    rows = [dict(r) for r in et]
    write("sirene_etab_duplicate_siren_column.csv",
          ",".join(dup_cols) + "\n" + "\n".join(",".join([r["siren"], r["nic"], siren(99)] + [
              ('"' + r[c].replace('"', '""') + '"') if ("," in r[c] or '"' in r[c]) else r[c] for c in ET_COLS[2:]])
              for r in rows) + "\n")
    write("urssaf_family_negated.csv", csv_text(["code_departement", "annee", "famille_ess", "effectifs_salaries_moyens"],
                                                [["93", 2022, "Associations", "10"],
                                                 ["93", 2022, "Entreprise hors ESS (ex-coopérative)", "20"]]))

    # ---- I: changed upstream schemas (issue 13) ---------------------------------------------------
    write("urssaf_renamed_measure.csv", csv_text(["code_departement", "annee", "famille_ess", "effectifs_salaries_moy"],
                                                 [["93", 2022, "Associations", "10"]]))
    info = (ROOT / "tests" / "fixtures" / "real_formats" / "decp_info.csv").read_text(encoding="utf-8")
    write("decp_info_renamed_montant.csv", info.replace(",montant,", ",montant_ht_eur,", 1))
    page = json.loads((ROOT / "tests" / "fixtures" / "real_formats" / "siae_api_93_page2.json").read_text("utf-8"))
    for r in page["results"]:
        r["kind"] = r.pop("type")
    page.update(count=len(page["results"]), previous=None)
    write("siae_api_renamed_type.json", json.dumps(page, ensure_ascii=False))
    write("sirene_etab_renamed_commune.csv", et_csv.replace("codeCommuneEtablissement", "codeCommuneEtab", 1))
    first = json.loads((ROOT / "tests" / "fixtures" / "real_formats" / "siae_api_93_page1.json").read_text("utf-8"))
    write("siae_api_missing_page.json", json.dumps(first, ensure_ascii=False))


if __name__ == "__main__":
    main()
