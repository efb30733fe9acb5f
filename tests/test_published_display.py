"""Issue 12, "Labels and definitions": every published figure says what it counts, and every display shows it.

Each test fails on one defect the issue lists (figures and phrases quoted from the issue).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from esstools import comparison as cmp
from esstools import paths, published
from esstools.errors import SchemaError

NNBSP, NBSP = "\u202f", "\u00a0"


def plain(text: str) -> str:
    """Text with French narrow/no-break spaces as plain spaces (for grep-like assertions)."""
    return text.replace(NNBSP, " ").replace(NBSP, " ")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return published.load_table()


# --------------------------------------------------------------------------- 92: "50 206 emplois", no year
def test_92_figure_is_50206_salaries_with_its_publication_year():
    row = published.figure("92_ess_employees_p2013")
    assert row["counts"] == "salariés" and pd.isna(row["year"]) and row["publication_year"] == 2013
    assert published.render(row) == f"50{NNBSP}206 salariés (publ. 2013 ; producteur non précisé)"
    assert published.when_fr(row) == "publ. 2013"


def test_92_payload_and_headline_text_say_salaries(tmp_path):
    p = cmp.check_parameters("92")
    payload = cmp.results_payload(p, cmp.published_table(p), _summary(p), {"n_units": 1}, "source de test")
    item = payload["headline"]["published_ess_jobs"]
    assert (item["unit"], item["year"], item["year_label"]) == ("salariés", None, "publ. 2013")
    assert item["label_fr"] == "Salariés de l'ESS (publié)" and item["producer"] == "non précisé"
    text = plain(cmp.headline_text(payload))
    assert "Salariés de l'ESS (publié) : 50 206 salariés (publ. 2013 ; producteur non précisé) (réel)" in text
    assert "50 206 emplois" not in text and "Emplois ou salariés" not in text


def _summary(p) -> pd.DataFrame:
    """A two-unit Part-2 summary (only the columns results_payload reads)."""
    return pd.DataFrame({"name": ["A", "B"], "ess_establishments": [10.0, 20.0], "ess_employees": [100.0, 50.0],
                         "all_establishments": [200.0, 300.0], "ess_share_establishments_pct": [5.0, 6.7]},
                        index=pd.Index(["a", "b"], name="code"))


# --------------------------------------------------------------------------- 93: 3 297 establishments "employeurs"
def test_93_3297_is_counted_as_employer_establishments_or_structures(table):
    rows = table[(table["territory_code"] == "93") & (table["value"] == 3297)]
    assert len(rows) == 3
    assert set(rows["counts"]) == {"établissements employeurs", "structures employeuses"}
    roadmap = published.figure("93_ess_establishments_employer_2021")
    assert "au moins un" in roadmap["unit"]
    for _, r in rows.iterrows():
        text = plain(published.render(r))
        assert text.startswith(("3 297 établissements employeurs", "3 297 structures employeuses")), text
    # the same page gives 26 990 active establishments: another indicator, another count
    active = published.figure("93_ess_establishments_active_2024")
    assert active["counts"] == "établissements actifs" and active["indicator"] != roadmap["indicator"]


def test_93_reading_never_says_3297_establishments_without_employeurs():
    p = cmp.check_parameters("93")
    t = cmp.published_table(p)
    outputs = [cmp.published_reading(p, t), " ".join(cmp.published_view(t)[0]["Valeur"]),
               " ".join(t["valeur_affichee"])]
    for text in map(plain, outputs):
        for m in re.finditer(r"3 297 établissements", text):
            assert text[m.end():].startswith(" employeurs"), text[m.start():m.end() + 40]
    assert "3 297 établissements employeurs de l'ESS (2021 ; Flores-Insee)" in plain(outputs[0])


# --------------------------------------------------------------------------- "emplois" filed under "Salariés de l'ESS"
@pytest.mark.parametrize("code,value", [("93", 42000), ("91", 28610), ("FR", 2600000)])
def test_emplois_figures_are_jobs_not_salaries(table, code, value):
    rows = table[(table["territory_code"] == code) & (table["value"] == value) & table["unit"].str.contains("emploi")]
    assert len(rows) >= 1
    assert set(rows["indicator"]) == {"ess_jobs"} and set(rows["counts"]) == {"emplois"}
    assert (rows["unit"] == "emplois").all()


def test_no_salaries_indicator_counts_jobs(table):
    salaries = table[table["indicator"].str.startswith("ess_employees")
                     & ~table["indicator"].str.endswith("_pct")]
    assert not salaries["unit"].str.fullmatch("emplois").any()
    jobs = table[table["unit"] == "emplois"]
    assert jobs["indicator"].str.contains("jobs").all()


# --------------------------------------------------------------------------- publication years shown as data years
def test_flores_2024_source_line_is_not_a_data_year():
    for fid in ("93_ess_jobs_p2024", "93_ess_share_employment_pct_p2024"):
        row = published.figure(fid)
        assert row["source_producer"] == "FLORES - INSEE 2024"
        assert pd.isna(row["year"]) and row["publication_year"] == 2024 and row["year_basis"] == ""
        assert published.when_fr(row) == "publ. 2024"
    # the old id still finds the row
    assert published.figure("93_ess_jobs_2024")["figure_id"] == "93_ess_jobs_p2024"


def test_france_26m_and_164500_are_dated_by_publication():
    for fid in ("fr_ess_jobs_p2022", "fr_ess_enterprises_employer_p2022"):
        row = published.figure(fid)
        assert pd.isna(row["year"]) and row["publication_year"] == 2022
        assert f"(publ. 2022 ; {row['producer']})" in published.render(row)
    assert published.value_fr(published.figure("fr_ess_jobs_p2022")) == f"plus de 2{NNBSP}600{NNBSP}000 emplois"


def test_221325_is_not_dated_2019_since_published_in_2015(table):
    rows = table[(table["territory_code"] == "FR") & (table["value"] == 221325)]
    assert len(rows) == 2 and set(rows["indicator"]) == {"ess_establishments_employer"}
    assert rows["year"].isna().all()
    assert sorted(rows["publication_year"]) == [2015, 2021]


def test_no_data_year_after_a_publication_of_the_same_count(table):
    """A count published in year P cannot describe a later year (the 221 325 of the kit dated 2019)."""
    counts = table[(table["counts"] != "%") & ~table["counts"].str.startswith("%") & (table["value"] >= 1000)]
    bad = []
    for _, grp in counts.groupby(["territory_code", "counts", "value"]):
        first_pub = grp["publication_year"].min()
        later = grp[grp["year"].notna() & (grp["year"] > first_pub)]
        bad += list(later["figure_id"])
    assert bad == []


def test_data_years_never_follow_publication_and_flores_vintages_lag(table):
    both = table[table["year"].notna() & table["publication_year"].notna()]
    assert (both["year"] <= both["publication_year"]).all()
    flores_line = both[(both["producer"] == "Flores-Insee") & (both["year_basis"] == "ligne de source")]
    assert len(flores_line) > 0 and (flores_line["year"] < flores_line["publication_year"]).all()


# --------------------------------------------------------------------------- definitions as data
def test_94_structures_employeuses_are_not_employer_establishments(table):
    row = published.figure("94_ess_establishments_employer_p2022")  # old id
    assert row["figure_id"] == "94_ess_structures_employer_p2022"
    assert row["indicator"] == "ess_structures_employer" and row["counts"] == "structures employeuses"
    assert published.value_fr(row) == f"plus de 3{NNBSP}850 structures employeuses"
    employer = table[table["indicator"] == "ess_establishments_employer"]
    assert not employer["unit"].str.contains("structure").any()


def test_share_of_establishments_no_longer_merges_three_denominators(table):
    shares = table[table["indicator"] == "ess_share_establishments_pct"]
    text = (shares["definition"] + " " + shares["quote"]).str.lower()
    assert not text.str.contains("entreprises locales|privé|private").any()
    assert set(shares["share_of"]) == {"des établissements du territoire"}
    local = table[table["indicator"] == "ess_share_local_enterprises_pct"]
    assert set(local["territory_code"]) == {"93"} and set(local["value"]) == {6.6}
    private = table[table["indicator"] == "ess_share_private_establishments_pct"]
    assert set(private["territory_code"]) == {"T2", "T5", "MGP"} and set(private["scope"]) == {"secteur privé"}


def test_each_indicator_counts_one_thing(table):
    voc = published.indicators().set_index("indicator")
    for col in ("counts", "share_of", "scope"):
        assert (table[col] == table["indicator"].map(voc[col])).all(), col
    per_indicator = table.groupby("indicator")[["counts", "share_of", "scope"]].nunique()
    assert (per_indicator == 1).all().all()
    # shares say of what; counts never do
    is_share = table["counts"] == "%"
    assert (table.loc[is_share, "share_of"] != "").all() and (table.loc[~is_share & (table["counts"] != "tiers"),
                                                                        "share_of"] == "").all()


def test_vocabularies_are_controlled(table):
    voc = published.vocabulary()
    for field in ("counts", "scope"):
        assert set(table[field]) <= set(voc.loc[voc["field"] == field, "value"])
    producers = set(voc.loc[voc["field"] == "producer", "value"])
    assert {part for p in table["producer"] for part in p.split(" + ")} <= producers
    words = voc[voc["field"] == "qualifier"].set_index("value")["description"].to_dict()
    assert words == published.QUALIFIER_WORDS
    assert {"Flores-Insee", "Sirene-Insee", "Acoss-Urssaf", "CRESS/Observatoire", "DG Trésor", "Avise"} <= set(
        table["producer"].str.split(" \\+ ").explode())


def test_validation_rejects_a_row_counting_another_thing(tmp_path):
    raw = pd.read_csv(published.table_path(), dtype=str, keep_default_na=False)
    i = raw.index[raw["figure_id"] == "92_ess_employees_p2013"][0]
    raw.loc[i, "counts"] = "emplois"
    p = tmp_path / "pf.csv"
    raw.to_csv(p, index=False)
    with pytest.raises(SchemaError) as exc:
        published.validate_table(p)
    assert exc.value.column == "counts" and exc.value.rows == [int(i) + 2] and "'emplois'" in str(exc.value)


def test_renamed_ids_still_resolve_and_are_never_reused(table):
    ren = pd.read_csv(published.renamed_path(), dtype=str)
    assert ren["reason"].str.len().gt(10).all()
    assert not ren["old_id"].isin(table["figure_id"]).any()
    for old, new in zip(ren["old_id"], ren["new_id"]):
        assert published.figure(old)["figure_id"] == new
    points = pd.read_csv(paths.data_dir() / "employment" / "published_points.csv", dtype=str)
    for fid, value in zip(points["figure_id"], points["value"]):
        assert published.figure(fid)["value"] == float(value)


# --------------------------------------------------------------------------- qualifiers never dropped
def test_qualifier_is_never_dropped(table):
    hedged = table[table["qualifier"] != "exact"]
    assert len(hedged) > 20
    for _, r in hedged.iterrows():
        word = published.QUALIFIER_WORDS[r["qualifier"]]
        assert published.value_fr(r).startswith(word + " "), r["figure_id"]
    hours = published.figure("93_insertion_hours_dept_procurement_2024")
    assert published.render(hours) == f"plus de 150{NNBSP}000 heures (2024 ; collectivité)"
    assert published.value_fr(published.figure("77_ess_employees_p2013")) == f"presque 30{NNBSP}000 salariés"
    assert published.value_fr(published.figure("93_ess_establishments_nd")).startswith("environ 27")


def test_value_rendering_by_kind_of_count():
    f = published.figure
    assert published.value_fr(f("93_ess_share_local_enterprises_pct_p2025")) == f"6,6{NBSP}% des entreprises locales"
    assert published.value_fr(f("93_ess_employees_growth_pct_2022")) == f"+23{NBSP}%"
    assert published.when_fr(f("93_ess_employees_growth_pct_2022")) == "2013-2022"
    assert published.value_fr(f("93_ess_rank_idf_establishments_nd")) == "3e"
    assert published.value_fr(f("t4_share_of_departement_ess_establishments_nd")) == (
        "un tiers des établissements de l'ESS du département")
    assert published.value_fr(f("fr_non_ess_employment_change_rural_pct_2015")) == f"\u22124,1{NBSP}%"
    assert published.when_fr({"year": None, "publication_year": None}) == "année non précisée"


# --------------------------------------------------------------------------- deduplication keeps conflicts
def test_dedup_keeps_the_kits_14_pct_for_2019_beside_avises_for_2022(table):
    fr = table[(table["territory_code"] == "FR") & (table["indicator"] == "ess_share_private_employment_pct")]
    kept = published.distinct_figures(fr)
    assert len(kept) == len(fr)
    fourteen = kept[kept["value"] == 14]
    assert sorted(fourteen["year"]) == [2019, 2022] and fourteen["origin"].nunique() == 2
    shown = cmp.published_table(cmp.check_parameters("93"))
    fr14 = shown[(shown["code"] == "FR") & (shown["indicator"] == "ess_share_private_employment_pct")]
    assert sorted(fr14.loc[fr14["valeur"] == 14, "annee"]) == [2019, 2022]
    assert 13.6 in set(fr14["valeur"])  # the other 2019 figure, which disagrees, is shown too


def test_dedup_drops_only_exact_relays(table):
    relays = table[table["figure_id"].isin(["93_ess_structures_employer_p2025", "93_ess_structures_employer_p2025_x"])]
    assert len(published.distinct_figures(relays)) == 1
    two = pd.concat([relays.iloc[[0]], relays.iloc[[0]].assign(publication_year=2024)])
    assert len(published.distinct_figures(two)) == 2


# --------------------------------------------------------------------------- like with like
def test_comparable_refuses_jobs_against_salaries_and_says_so():
    jobs, salaries = published.figure("93_ess_jobs_p2024"), published.figure("92_ess_employees_p2013")
    verdict = published.comparable(jobs, salaries)
    assert not verdict and verdict.reason_fr == "non comparables : définitions différentes (emplois / salariés)"


def test_comparable_rules():
    base = {"indicator": "ess_employees", "counts": "salariés", "share_of": "", "producer": "Flores-Insee",
            "year": 2021, "publication_year": 2024}
    assert published.comparable(base, {**base, "year": 2022}).ok
    assert published.comparable(base, {**base, "year": 2022}).reason_fr.startswith("comparables")
    cases = {
        "producteurs différents (Flores-Insee / Clap-Insee)": {"producer": "Clap-Insee"},
        "producteur non précisé": {"producer": "non précisé"},
        "année des données non précisée": {"year": None},
        "années trop éloignées (2021 / 2013)": {"year": 2013},
    }
    for reason, change in cases.items():
        verdict = published.comparable(base, {**base, **change})
        assert not verdict.ok and verdict.reason_fr == "non comparables : " + reason
    share = {**base, "indicator": "ess_share_private_establishments_pct", "counts": "%",
             "share_of": "des établissements privés"}
    other = {**share, "indicator": "ess_share_local_enterprises_pct", "share_of": "des entreprises locales"}
    assert published.comparable(share, other).reason_fr == (
        "non comparables : définitions différentes (% des établissements privés / % des entreprises locales)")


def test_reading_compares_with_region_only_like_with_like():
    p = cmp.check_parameters("93")
    text = plain(cmp.published_reading(p, cmp.published_table(p)))
    assert "pas de comparaison, non comparables : " in text
    assert "inférieure" not in text and "supérieure" not in text


def test_ranking_ranks_only_comparable_departements():
    t = cmp.published_table(cmp.check_parameters("93"))
    ranking = cmp.departement_ranking(t)
    assert set(ranking["code"]) == {"75", "92", "93"}  # employer establishments: Clap 2014, publ. 2013, Flores 2021
    assert ranking["rang"].isna().all()
    assert ranking["comparabilite"].str.contains("non comparables|référence").all()


def test_published_view_shows_value_qualifier_year_and_producer():
    t = cmp.published_table(cmp.check_parameters("93"))
    view, sources = cmp.published_view(t)
    assert list(view.columns) == ["Territoire", "Indicateur", "Valeur", "Année", "Producteur", "Source n°"]
    row = view[(view["Territoire"] == "Seine-et-Marne")].iloc[0]
    assert plain(row["Valeur"]) == "presque 30 000 salariés" and row["Année"] == "publ. 2013"
    assert row["Producteur"] == "non précisé"
    assert len(sources) == t["source"].nunique()
