"""Tests of esstools.published and of data/reference/published_figures.csv.

The seed documents and the shared extra file live beside the repository in
``../shared`` (CI layout); tests that need them are skipped with a message when
they are absent.
"""

from __future__ import annotations

import importlib.util
import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import esstools.paths
from esstools import published
from tests import shared_data
from esstools.errors import InputFileError, ParameterError, SchemaError, UnknownCodeError

SHARED = shared_data.SHARED
SEEDS = shared_data.path("seeds")
EXTRA = shared_data.path("data", "published_figures_extra.csv")

needs_seeds = shared_data.needs("published figures' quotes found verbatim in the seed documents", "seeds")
needs_extra = shared_data.needs("shared extra figures carried over row for row", "data",
                                "published_figures_extra.csv")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return published.load_table()


@pytest.fixture(scope="module")
def seed_texts() -> dict[str, str]:
    shared_data.require("published figures' quotes found verbatim in the seed documents", "seeds")
    return {f.name[:3]: published.normalise_text(f.read_text(encoding="utf-8")) for f in sorted(SEEDS.glob("*.txt"))}


def _number_forms(value: float) -> list[str]:
    """Ways a French document may print ``value`` (3 297 / 3297 / 6,6 / 2,6 millions / 11,9 milliards)."""
    def fr(x: float) -> list[str]:
        if float(x).is_integer():
            n = int(abs(x))
            grouped = f"{n:,}".replace(",", " ")
            return sorted({grouped, str(n)})
        return [f"{abs(x):g}".replace(".", ",")]

    forms = fr(value)
    for scale, words in ((1e9, ("milliard",)), (1e6, ("million", "M"))):
        if abs(value) >= scale:
            forms += [f + sep + w for f in fr(value / scale) for w in words for sep in (" ", "")]
    return forms


def _value_in_quote(value: float, quote: str) -> bool:
    q = published.normalise_text(quote)
    for form in _number_forms(value):
        # the number must not be glued to other digits (3297 must not match 13297)
        if re.search(r"(?<![\d,])" + re.escape(form) + r"(?![\d])", q):
            return True
    return False


# --------------------------------------------------------------------------- table integrity
def test_validate_table_passes_and_counts(table):
    checked = published.validate_table()
    assert len(checked) == len(table) == 442
    assert list(checked.columns) == list(published.COLUMNS)
    for col in ("counts", "share_of", "scope", "year_basis", "producer", "publication_year"):
        assert col in checked.columns
    counts = checked["origin"].value_counts().to_dict()
    assert counts == {
        "shared:published_figures_extra": 277,
        "seed:003": 62,
        "seed:001": 42,
        "seed:000": 27,
        "seed:004": 21,
        "seed:002": 13,
    }


def test_every_row_has_a_source_and_unique_id(table):
    assert table["figure_id"].is_unique
    assert (table["source_document"].str.strip() != "").all()
    seeds = table[table["origin"].str.startswith("seed:")]
    assert (seeds["quote"].str.strip() != "").all()
    assert (seeds["source_section"].str.strip() != "").all()


def test_values_are_numbers_and_qualifiers_allowed(table):
    assert table["value"].map(lambda v: isinstance(v, float) and math.isfinite(v)).all()
    assert set(table["qualifier"]) <= set(published.QUALIFIERS)
    assert set(table["territory_level"]) <= set(published.LEVELS)
    years = table["year"].dropna()
    assert years.between(1990, 2030).all()


def test_csv_is_sorted_deterministically():
    raw = pd.read_csv(published.table_path(), dtype=str, keep_default_na=False)
    rank = raw["territory_level"].map({lv: i for i, lv in enumerate(published.LEVELS)})
    key = pd.DataFrame({"lv": rank, "code": raw["territory_code"], "ind": raw["indicator"], "y": raw["year"],
                        "ps": raw["period_start"], "py": raw["publication_year"], "id": raw["figure_id"]})
    assert key.equals(key.sort_values(list(key.columns), kind="mergesort"))


def test_indicator_vocabulary_is_documented(table):
    voc = published.indicators()
    assert voc["indicator"].is_unique
    assert set(table["indicator"]) <= set(voc["indicator"])
    assert (voc["label_fr"].str.len() > 0).all()
    for name in ("ess_establishments_employer", "ess_share_establishments_pct", "ess_jobs",
                 "ess_share_employment_pct", "ess_employees_growth_pct", "ess_jobs_growth_1y_pct",
                 "associations", "cooperatives", "siae", "esus", "stpa", "insertion_hours", "reserved_market_eur"):
        assert name in set(voc["indicator"])


# --------------------------------------------------------------------------- figures required by the brief
REQUIRED = [
    # figure_id, value, qualifier, year, period_start
    ("93_ess_establishments_employer_2021", 3297, "exact", 2021, None),
    ("93_ess_share_establishments_pct_2021", 6.6, "exact", 2021, None),
    ("93_ess_jobs_p2024", 42000, "exact", None, None),
    ("93_ess_share_employment_pct_p2024", 6.2, "exact", None, None),
    ("93_ess_employees_growth_pct_2022", 23, "exact", 2022, 2013),
    ("93_ess_jobs_growth_1y_pct_2023", 4.2, "exact", 2023, 2022),
    ("r11_ess_jobs_growth_1y_avg_departements_pct_2023", 0.8, "exact", 2023, 2022),
    ("93_ess_establishments_active_2024", 26990, "exact", 2024, None),
    ("93_ess_establishments_10_49_employees_2024", 710, "exact", 2024, None),
    ("93_ess_establishments_50plus_employees_2024", 193, "exact", 2024, None),
    ("93_ess_establishments_employer_associations_2021", 3000, "exact", 2021, None),
    ("93_ess_establishments_employer_cooperatives_2021", 180, "exact", 2021, None),
    ("93_siae_2024", 123, "exact", 2024, None),
    ("93_esus_2024", 79, "exact", 2024, None),
    ("93_stpa_2024", 45, "exact", 2024, None),
    ("93_ess_sector_share_arts_information_pct_nd", 23.5, "exact", None, None),
    ("93_ess_sector_share_business_services_pct_nd", 17, "exact", None, None),
    ("93_ess_sector_share_health_social_education_admin_pct_nd", 15, "exact", None, None),
    ("t6_t8_share_of_departement_ess_establishments_employer_pct_2020", 60, "lower_bound", 2020, None),
    ("t6_t8_share_of_departement_ess_jobs_pct_2020", 60, "lower_bound", 2020, None),
    ("93_ess_rank_idf_establishments_nd", 3, "exact", None, None),
    ("93_ess_rank_idf_jobs_growth_nd", 1, "exact", None, None),
    ("93_ess_establishments_nd", 27000, "approx", None, None),
    ("fr_ess_jobs_p2022", 2600000, "lower_bound", None, None),
    ("fr_ess_enterprises_employer_p2022", 164500, "exact", None, None),
    ("t2_ess_share_private_establishments_pct_nd", 7.9, "exact", None, None),
    ("t2_ess_share_private_employment_pct_nd", 11.6, "exact", None, None),
    ("t8_cooperatives_nd", 78, "exact", None, None),
    ("t8_associations_nd", 1160, "lower_bound", None, None),
]


@pytest.mark.parametrize("fid,value,qualifier,year,period_start", REQUIRED)
def test_required_figures_present(fid, value, qualifier, year, period_start):
    row = published.figure(fid)
    assert row["value"] == pytest.approx(value)
    assert row["qualifier"] == qualifier
    assert (pd.isna(row["year"]) if year is None else row["year"] == year)
    assert (pd.isna(row["period_start"]) if period_start is None else row["period_start"] == period_start)


def test_brief_values_for_seine_saint_denis():
    df = published.figures(territory="93", origin="seed:001")
    by_ind = df.set_index("figure_id")["value"]
    assert by_ind["93_ess_establishments_employer_2021"] == 3297
    assert by_ind["93_ess_share_establishments_pct_2021"] == 6.6
    assert by_ind["93_ess_jobs_p2024"] == 42000
    assert by_ind["93_ess_share_employment_pct_p2024"] == 6.2
    assert by_ind["93_ess_employees_growth_pct_2022"] == 23
    assert by_ind["93_ess_jobs_growth_1y_pct_2023"] == 4.2
    assert by_ind["93_siae_2024"] == 123
    assert published.figure("r11_ess_jobs_growth_1y_avg_departements_pct_2023")["value"] == 0.8


def test_contradicting_figures_are_both_kept():
    est = published.figures(territory="93", indicator=["ess_establishments", "ess_establishments_active"])
    assert sorted(est["value"]) == [26990, 27000]
    assert set(est["origin"]) == {"seed:001"}
    # 3 297 employer establishments (CRESS/FLORES 2021) vs 3 000 (Est Ensemble strategy); the RTES page's
    # "3 297 structures ayant au moins 1 salarié" (and its shared copy) are structures, not establishments
    emp = published.figures(territory="93", indicator="ess_establishments_employer")
    assert sorted(emp["value"]) == [3000, 3297]
    assert set(emp["origin"]) == {"seed:001", "seed:002"}
    struct = published.figures(territory="93", indicator="ess_structures_employer")
    assert sorted(struct["value"]) == [3297, 3297]
    assert set(struct["origin"]) == {"seed:000", published.EXTRA_ORIGIN}


def test_concentration_row_quotes_plus_de_60():
    row = published.figure("t6_t8_share_of_departement_ess_jobs_pct_2020")
    assert row["territory_level"] == "ept"
    assert row["territory_code"] == "T6+T8"
    assert "plus de 60%" in row["quote"]
    assert row["source_producer"] == "FLORES - INSEE 2020"


# --------------------------------------------------------------------------- anti-invention guarantee
@needs_seeds
def test_every_seed_quote_is_verbatim_in_its_document(table, seed_texts):
    seeds = table[table["origin"].str.startswith("seed:")]
    missing = [
        (r.figure_id, r.quote)
        for r in seeds.itertuples()
        if published.normalise_text(r.quote) not in seed_texts[r.origin.split(":")[1]]
    ]
    assert missing == []


CHECKED_AGAINST_SEED = [
    "93_ess_establishments_employer_2021", "93_ess_share_establishments_pct_2021", "93_ess_jobs_p2024",
    "93_ess_share_employment_pct_p2024", "93_ess_employees_growth_pct_2022", "93_ess_jobs_growth_1y_pct_2023",
    "r11_ess_jobs_growth_1y_avg_departements_pct_2023", "93_siae_2024", "93_ess_establishments_active_2024",
    "93_stpa_2024", "93_ess_establishments_nd", "fr_ess_jobs_p2022", "fr_ess_enterprises_employer_p2022",
    "r11_ess_wage_bill_eur_nd", "r11_ess_employees_nd", "t2_ess_share_private_employment_pct_nd",
    "fr_ess_establishments_employer_p2021", "fr_scic_2020", "93_dept_call_amount_eur_2025",
    "93_insertion_hours_facilitators_nd", "fr_non_ess_employment_change_rural_pct_2015",
]


@needs_seeds
@pytest.mark.parametrize("fid", CHECKED_AGAINST_SEED)
def test_value_appears_in_quote_found_in_seed(fid, seed_texts):
    row = published.figure(fid)
    assert row["origin"].startswith("seed:")
    assert published.normalise_text(row["quote"]) in seed_texts[row["origin"][-3:]]
    assert _value_in_quote(row["value"], row["quote"]), (fid, row["value"], row["quote"])


# Seed rows whose number is written in words in the source ("un million", "une centaine", "un tiers").
WORD_NUMBERS = {
    "93_dept_program_budget_eur_tiers_lieux_autonomie",
    "93_fam_structures_supported_per_year_p2025",
    "t4_share_of_departement_ess_establishments_nd",
    "92012_92050_92026_92004_92040_share_of_departement_ess_establishments_nd",
}


def test_every_seed_value_is_printed_in_its_quote(table):
    seeds = table[table["origin"].str.startswith("seed:")]
    not_printed = {r.figure_id for r in seeds.itertuples() if not _value_in_quote(r.value, r.quote)}
    assert not_printed == WORD_NUMBERS


def test_number_forms_helper():
    assert _value_in_quote(3297, "3 297 établissements")
    assert not _value_in_quote(3297, "13 297 établissements")
    assert _value_in_quote(6.6, "soit 6,6 % des établissements")
    assert _value_in_quote(2600000, "plus de 2,6 millions d'emplois")
    assert _value_in_quote(2700000, "un montant global de 2,7 M€")
    assert _value_in_quote(11900000000, "11,9 milliards de masse salariale")
    assert _value_in_quote(-4.1, "- 4,1% d'emplois")


# --------------------------------------------------------------------------- shared extra rows
def test_extra_rows_all_present(table):
    extra = table[table["origin"] == published.EXTRA_ORIGIN]
    assert len(extra) == 277
    assert (extra["source_url"].str.startswith("http")).all()
    # definition = the researcher's note verbatim; 5 notes are blank in the shared file itself
    assert (extra["definition"].str.strip() == "").sum() == 5
    assert extra.loc[extra["territory_level"] == "ept", "territory_code"].isin(
        ["T2", "T7", "T8", "T11", "T12"]).all()
    assert set(extra.loc[extra["territory_level"] == "metropole", "territory_code"]) == {"MGP"}


def test_extra_caveats_mapped(table):
    extra = table[table["origin"] == published.EXTRA_ORIGIN]
    pub = extra[extra["definition"].str.contains("[year = publication year", regex=False)]
    assert len(pub) > 0
    assert pub["year"].isna().all() and pub["publication_year"].notna().all()
    assert pub["notes"].str.contains("publication_year").all()
    assert extra["qualifier"].value_counts().to_dict() == {"exact": 258, "lower_bound": 10, "approx": 8,
                                                           "upper_bound": 1}
    essonne = published.figure("77_ess_employees_p2013")
    assert essonne["qualifier"] == "upper_bound" and essonne["value"] == 30000
    gpe = published.figure("r11_gpe_insertion_hours_2021")
    assert gpe["qualifier"] == "lower_bound"
    change = published.figure("fr_ess_employment_change_pct_2014")
    assert change["period_start"] == 2008
    # a hedge word about another number does not make the row approximate
    assert published.figure("fr_ess_establishments_change_pct_2020")["qualifier"] == "exact"


@needs_extra
def test_extra_rows_match_shared_file_row_for_row(table):
    src = pd.read_csv(EXTRA, dtype=str, keep_default_na=False)
    mapped = published.map_shared_extra(EXTRA)
    assert len(src) == len(mapped) == 277
    committed = table[table["origin"] == published.EXTRA_ORIGIN]

    def key(df):
        return sorted(zip(df["source_document"], df["value"].astype(float), df["unit"], df["definition"]))

    assert key(committed) == key(mapped.assign(value=mapped["value"].astype(float)))
    assert sorted(src["source_title"]) == sorted(committed["source_document"])
    assert sorted(src["source_url"]) == sorted(committed["source_url"])


@needs_seeds
@needs_extra
def test_build_script_reproduces_committed_table(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "build_published_figures", esstools.paths.REPO_ROOT / "scripts" / "build_published_figures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = tmp_path / "pf.csv"
    assert mod.main(["--shared", str(SHARED), "--output", str(out)]) == 0
    assert out.read_bytes() == published.table_path().read_bytes()


# --------------------------------------------------------------------------- API
def test_figures_filters():
    df = published.figures(territory=["93", "T8"], indicator=["associations", "cooperatives"])
    assert set(df["territory_code"]) == {"93", "T8"}
    assert set(df["indicator"]) == {"associations", "cooperatives"}
    assert len(published.figures(level="ept", origin="seed")) == 11
    assert (published.figures(origin="shared")["origin"] == published.EXTRA_ORIGIN).all()
    y = published.figures(territory="93", year=2024)
    assert set(y["year"]) == {2024}
    assert len(published.figures(territory="93", year=[2021, 2024])) > len(y)


def test_value_of_a_figure():
    assert published.value("93_ess_establishments_employer_2021") == 3297.0
    assert published.value("93_ess_jobs_2024") == 42000.0  # renamed id


def test_figures_returns_a_copy():
    df = published.figures(territory="93")
    df.loc[:, "value"] = -1.0
    assert published.figure("93_ess_jobs_p2024")["value"] == 42000


def test_figures_rejects_unknown_names():
    with pytest.raises(ParameterError, match="Invalid value 'ess_jobz' for 'indicator'"):
        published.figures(indicator="ess_jobz")
    with pytest.raises(ParameterError, match="'departement'"):
        published.figures(level="department")


def test_figure_unknown_id_lists_close_ids():
    with pytest.raises(UnknownCodeError) as exc:
        published.figure("93_ess_job_p2024")
    assert isinstance(exc.value, KeyError)
    msg = str(exc.value)
    assert "Unknown figure id '93_ess_job_p2024'" in msg
    assert "'93_ess_jobs_p2024'" in msg


def test_cite():
    row = published.figure("93_ess_jobs_p2024")
    assert published.cite(row) == (
        "Source : FLORES - INSEE 2024, cité par Département de la Seine-Saint-Denis – « Une économie sociale et "
        "solidaire forte pour construire un territoire résilient », Feuille de route ESS 2024-2028 "
        "(Une économie source d'emploi)")
    assert published.cite("93_ess_jobs_p2024") == published.cite(row)
    no_producer = published.cite({"source_document": "Doc", "source_section": "", "source_producer": ""})
    assert no_producer == "Source : Doc"
    assert published.cite({"source_document": "Doc", "source_section": "p. 3"}) == "Source : Doc (p. 3)"
    with pytest.raises(SchemaError, match="source_document"):
        published.cite({"source_producer": "Insee"})


def test_sources():
    src = published.sources()
    assert set(src["origin"]) == {"seed:000", "seed:001", "seed:002", "seed:003", "seed:004",
                                  published.EXTRA_ORIGIN}
    assert src["figures"].sum() == 442
    seed_docs = src[src["origin"].str.startswith("seed")]
    assert seed_docs.groupby("origin")["source_document"].nunique().eq(1).all()
    assert ("https://www.ess-france.org/panorama-de-l-ess-ce-que-l-ess-apporte-a-la-societe"
            in set(src["source_url"]))


def test_normalise_text():
    assert published.normalise_text("**26 990**  établissements\n actifs") == "26 990 établissements actifs"
    assert published.normalise_text("10 000 m<sup>2</sup>") == "10 000 m2"


# --------------------------------------------------------------------------- validation errors
def _corrupt(tmp_path, edit) -> Path:
    raw = pd.read_csv(published.table_path(), dtype=str, keep_default_na=False)
    edit(raw)
    p = tmp_path / "published_figures.csv"
    raw.to_csv(p, index=False)
    return p


@pytest.mark.parametrize("column,row,value,edit_value,expected", [
    ("figure_id", 3, "fr_associations_2022", None, "duplicated key"),
    ("source_document", 4, "", "", "title of the source document"),
    ("value", 5, "12,5", "12,5", "a number with a dot as decimal separator"),
    ("year", 6, "1889", "1889", "a year between 1990 and 2030"),
    ("qualifier", 7, "roughly", "roughly", "one of 'exact', 'lower_bound', 'approx', 'upper_bound'"),
    ("indicator", 8, "ess_magic", "ess_magic", "an indicator of the vocabulary"),
    ("counts", 9, "emplois", "emplois", "the counts of the row's indicator"),
    ("producer", 10, "Insee Flores", "Insee Flores", "a producer of the vocabulary"),
    ("year_basis", 11, "", "", "how the data year is known"),
    ("territory_code", 9, "Seine-Saint-Denis", "Seine-Saint-Denis", "a code matching its level"),
])
def test_validate_table_names_file_column_row_value(tmp_path, column, row, value, edit_value, expected):
    def edit(raw):
        idx = row - 2  # spreadsheet row -> 0-based data index
        raw.loc[idx, column] = raw.loc[0, column] if edit_value is None else edit_value

    p = _corrupt(tmp_path, edit)
    with pytest.raises(SchemaError) as exc:
        published.validate_table(p)
    err = exc.value
    assert err.column == column
    assert row in err.rows
    assert repr(value) in str(err) or value in err.values
    assert str(p) in str(err)
    assert expected in str(err)


def test_validate_table_requires_quotes_for_seed_rows(tmp_path):
    def edit(raw):
        i = raw.index[raw["origin"] == "seed:001"][0]
        raw.loc[i, "quote"] = ""
    p = _corrupt(tmp_path, edit)
    with pytest.raises(SchemaError, match="column 'quote'"):
        published.validate_table(p)


def test_validate_table_missing_column_and_file(tmp_path):
    p = _corrupt(tmp_path, lambda raw: raw.pop("qualifier"))
    with pytest.raises(SchemaError, match="missing required column\\(s\\) 'qualifier'"):
        published.validate_table(p)
    with pytest.raises(InputFileError, match="does not exist"):
        published.validate_table(tmp_path / "nope.csv")


def test_map_shared_extra_rejects_unknown_ept(tmp_path):
    bad = tmp_path / "extra.csv"
    pd.DataFrame([{
        "territory_level": "ept", "territory_code": "Terres Inconnues", "territory_name": "Terres Inconnues",
        "indicator": "ess_employees", "year": "2020", "value": "10", "unit": "salariés",
        "definition_note": "x", "source_title": "t", "source_url": "u"}]).to_csv(bad, index=False)
    before = bad.read_bytes()
    with pytest.raises(SchemaError) as exc:
        published.map_shared_extra(bad)
    assert exc.value.column == "territory_code" and exc.value.rows == [2]
    assert "'Terres Inconnues'" in str(exc.value)
    assert bad.read_bytes() == before  # input never modified


def test_custom_data_dir(tmp_path, monkeypatch):
    ref = tmp_path / "reference"
    ref.mkdir()
    for f in (published.table_path(), published.doc_path(), published.indicators_path(),
              published.vocabulary_path(), published.renamed_path()):
        shutil.copy(f, ref / f.name)
    monkeypatch.setenv("ESSTOOLS_DATA_DIR", str(tmp_path))
    assert published.table_path() == ref / "published_figures.csv"
    assert published.figure("93_siae_2024")["value"] == 123


# --------------------------------------------------------------------------- territorial reference
def test_codes_and_names_match_territorial_reference(table):
    ref = esstools.paths.reference_dir()
    files = {n: ref / f"{n}.csv" for n in ("communes", "departements", "ept_members")}
    if not all(p.exists() for p in files.values()):
        pytest.skip("territorial reference tables not built yet")
    communes = pd.read_csv(files["communes"], dtype=str, keep_default_na=False)
    communes = dict(zip(communes["code"], communes["name"]))
    deps = pd.read_csv(files["departements"], dtype=str, keep_default_na=False)
    deps = dict(zip(deps["code"], deps["name"]))
    epts = pd.read_csv(files["ept_members"], dtype=str, keep_default_na=False)
    epts = dict(zip(epts["ept_number"], epts["ept_name"]))
    for r in table.itertuples():
        codes = r.territory_code.split("+")
        if r.territory_level == "commune":
            assert all(c in communes for c in codes), r.figure_id
            if len(codes) == 1:
                assert communes[codes[0]] == r.territory_name, r.figure_id
        elif r.territory_level == "departement":
            assert deps[r.territory_code].replace("-", " ") == r.territory_name.replace("-", " "), r.figure_id
        elif r.territory_level == "ept":
            assert all(c in epts for c in codes), r.figure_id
            if len(codes) == 1:
                assert epts[codes[0]].replace("-", " ") == r.territory_name.replace("-", " "), r.figure_id


# --------------------------------------------------------------------------- build inputs are data
def _build_module():
    spec = importlib.util.spec_from_file_location(
        "build_published_figures", esstools.paths.REPO_ROOT / "scripts" / "build_published_figures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_rows_come_from_the_data_file(table):
    mod = _build_module()
    seeds = mod.seed_frame(None)  # read with read_table + Schema, no ../shared needed
    assert len(seeds) == 165 and seeds["figure_id"].is_unique
    committed = table[table["origin"].str.startswith("seed:")].set_index("figure_id")
    for col in ("indicator", "qualifier", "unit", "quote", "producer", "year_basis"):
        assert seeds.set_index("figure_id")[col].to_dict() == committed[col].astype(str).to_dict(), col
    assert seeds.set_index("figure_id")["value"].astype(float).to_dict() == committed["value"].to_dict()


def test_bad_seed_row_is_reported_with_file_line_column_and_value(tmp_path):
    mod = _build_module()
    raw = pd.read_csv(mod.SEED_ROWS, dtype=str, keep_default_na=False)
    raw.loc[4, "value"] = "3 297"
    bad = tmp_path / "seed_rows.csv"
    raw.to_csv(bad, index=False)
    with pytest.raises(SchemaError) as exc:
        published.read_checked(bad, mod.SEED_SCHEMA)
    assert exc.value.column == "value" and exc.value.rows == [6] and "'3 297'" in str(exc.value)
    assert str(bad) in str(exc.value)


def test_every_audit_line_explains_itself_and_never_touches_a_value():
    mod = _build_module()
    audit = published.read_checked(mod.EXTRA_AUDIT, mod.AUDIT_SCHEMA)
    assert len(audit) == 33 and set(audit["column"]) <= set(mod.AUDITABLE) and "value" not in mod.AUDITABLE
    assert audit["reason"].str.len().gt(15).all()
