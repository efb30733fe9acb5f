"""Tests of the roadmap data (esstools.assessment.roadmap / .indicators, also importable as esstools.roadmap):
structure of the roadmap, indicators vs source documents, loader errors."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from esstools import paths
from tests import shared_data
from esstools.errors import InputFileError, SchemaError
from esstools.roadmap import (
    ALLOWED_UNITS,
    INDICATOR_COLUMNS,
    SOURCE_DOCUMENTS,
    load_indicators,
    load_roadmap,
    normalise_quote,
)

SEEDS = shared_data.path("seeds")
ROADMAP_DIR = paths.data_dir() / "roadmap"


@pytest.fixture(scope="module")
def roadmap():
    return load_roadmap()


@pytest.fixture(scope="module")
def indicators(roadmap):
    return load_indicators(roadmap=roadmap)


# ------------------------------------------------------------------ structure


def test_counts_match_document(roadmap):
    assert len(roadmap.challenges) == 3
    assert len(roadmap.objectives) == 13
    assert len(roadmap.actions) == 44
    assert roadmap.summary_fr() == "3 enjeux, 13 objectifs stratégiques, 44 actions"
    # Objectives per challenge and actions per objective, as in the synthesis tables.
    assert roadmap.challenges["n_objectives"].tolist() == [4, 4, 5]
    assert roadmap.challenges["n_actions"].tolist() == [14, 13, 17]
    assert roadmap.objectives["n_actions"].tolist() == [4, 4, 4, 2, 3, 1, 3, 6, 5, 2, 2, 6, 2]


def test_ids_unique_and_well_formed(roadmap):
    ids = roadmap.nodes["node_id"].tolist()
    assert len(ids) == len(set(ids)) == 1 + 3 + 13 + 44
    for rec in roadmap.actions.itertuples():
        m = re.fullmatch(r"E(\d)\.O(\d)\.A(\d)", rec.action_id)
        assert m, rec.action_id
        assert rec.objective_id == f"E{m[1]}.O{m[2]}"
        assert rec.challenge_id == f"E{m[1]}"
        assert int(m[3]) == rec.number
    assert set(roadmap.actions["objective_id"]) == set(roadmap.objectives["objective_id"])
    parents = dict(zip(roadmap.nodes["node_id"], roadmap.nodes["parent_id"]))
    assert parents["E2.O4.A5"] == "E2.O4" and parents["E2.O4"] == "E2" and parents["E2"] == "FDR"


def test_titles_and_leads_from_document(roadmap):
    a = roadmap.actions.set_index("action_id")
    assert a.loc["E1.O2.A4", "title"] == (
        "Développer les marchés réservés auprès des structures inclusives et plus largement de l'ESS."
    )
    assert a.loc["E1.O4.A1", "title"].startswith("Faire du site de l'IRD à Bondy")
    assert a.loc["E3.O5.A2", "title"].startswith("Faire de l'égalité femmes-hommes")
    assert a.loc["E1.O2.A2", "leads"] == "DJVA, DIEESS"
    assert a.loc["E1.O3.A3", "leads"] == "DJVA, DIEESS"
    assert a.loc["E1.O1.A3", "leads"] == "DIEESS"
    assert (a["leads"] != "").sum() == 3
    o = roadmap.objectives.set_index("objective_id")
    assert o.loc["E3.O4", "keyword"] == "PLAIDER" and o.loc["E3.O5", "keyword"] == "EXEMPLARITÉ"
    node = roadmap.node("E1.O2.A2")
    assert node.leads == ("DJVA", "DIEESS") and node.leads_quote == "pilotage DJVA et DIEESS"


def test_synthesis_titles_verbatim_in_seed(roadmap):
    seed = SEEDS / SOURCE_DOCUMENTS["FDR-ESS-93-2024-2028"]["seed_file"]
    shared_data.require("roadmap titles and details found verbatim in the roadmap document", "seeds",
                        seed.name)
    text = normalise_quote(seed.read_text(encoding="utf-8"))
    missing = [r.action_id for r in roadmap.actions.itertuples() if normalise_quote(r.title) not in text]
    assert missing == []
    for ch in roadmap.tree:
        texts = [ch.title, ch.long_title] + [t for o in ch.objectives for t in (o.title, o.long_title)]
        assert [t for t in texts if normalise_quote(t) not in text] == []
    # Details are verbatim, except two that join several bullets of the detailed page.
    joined = {"E1.O4.A2", "E2.O2.A1"}
    not_verbatim = {a.id for a in roadmap.iter_actions() if a.detail and normalise_quote(a.detail) not in text}
    assert not_verbatim == joined
    assert all("joint" in roadmap.node(i).detail_ref or "bout à bout" in roadmap.node(i).detail_ref for i in joined)


# ------------------------------------------------------------------ indicators vs sources


def test_indicator_table_shape(indicators, roadmap):
    assert list(indicators.columns[: len(INDICATOR_COLUMNS)]) == list(INDICATOR_COLUMNS)
    assert indicators["indicator_id"].is_unique
    assert set(indicators["node_id"]) <= roadmap.node_ids
    assert set(indicators["unit"]) <= set(ALLOWED_UNITS)
    assert len(indicators) >= 60


def test_every_quote_found_verbatim_in_its_seed(indicators):
    checked = 0
    texts = {}
    for key, info in SOURCE_DOCUMENTS.items():
        seed = SEEDS / info["seed_file"]
        if seed.exists():
            texts[key] = normalise_quote(seed.read_text(encoding="utf-8"))
    if not texts:
        shared_data.require("every roadmap indicator quote found verbatim in its seed document", "seeds")
    not_found = []
    for rec in indicators.itertuples():
        if rec.source_document in texts:
            checked += 1
            if normalise_quote(rec.quote) not in texts[rec.source_document]:
                not_found.append(rec.indicator_id)
    assert not_found == []
    assert checked >= 10


def _one(indicators, series, year=None, kind="observed"):
    sub = indicators[(indicators["series"] == series) & (indicators["kind"] == kind)]
    if year is not None:
        sub = sub[sub["year"] == year]
    assert len(sub) >= 1, series
    return sub.iloc[0]


@pytest.mark.parametrize(
    "series, year, value, unit, qualifier, fragment",
    [
        ("insertion_hours_financed", 2024, 150000, "hours", "lower_bound", "150 000 heures"),
        ("reserved_market_purchases_eur", 2024, 2.5e6, "EUR", "lower_bound", "2,5M d’achats en 2024"),
        ("ess_grants_eur", 2023, 54e6, "EUR", "lower_bound", "54 millions d'euros"),
        ("ess_support_floor_eur", 2024, 50e6, "EUR", "lower_bound", "plus de 50 millions d'euros"),
        ("facilitated_insertion_fte", 2025, 1587, "FTE", "exact", "1 587 ETP"),
        ("facilitated_insertion_beneficiaries", 2025, 7206, "persons", "exact", "7 206 bénéficiaires"),
        ("facilitated_insertion_hours", 2025, 2.5e6, "hours", "exact", "2,5M d’heures d’insertion"),
        ("clause_facilitator_positions", 2025, 35, "positions", "exact", "35 postes"),
        ("appel_a_agir_projects", 2025, 415, "projects", "exact", "415 projets"),
        ("appel_a_agir_amount_eur", 2025, 2.7e6, "EUR", "exact", "2,7 M€"),
        ("siae_grant_call_eur", 2025, 3e6, "EUR", "exact", "3M€"),
        ("scic_holdings", 2024, 6, "structures", "exact", "6 SCIC"),
        ("fam_supported_structures", 2025, 100, "structures", "approx", "Une centaine de structures"),
        ("dla_supported_associations", 2025, 67, "structures", "exact", "67 associations employeuses"),
        ("bondy_site_useful_area_m2", 2024, 10000, "m2", "exact", "10 000 m2 de surfaces utiles"),
    ],
)
def test_key_values(indicators, series, year, value, unit, qualifier, fragment):
    rec = _one(indicators, series, year)
    assert rec["value"] == pytest.approx(value)
    assert rec["unit"] == unit
    assert rec["qualifier"] == qualifier
    assert fragment in normalise_quote(rec["quote"])


def test_targets_and_commitments(indicators):
    bondy = _one(indicators, "bondy_dedicated_area_m2", kind="target")
    assert bondy["target_value"] == 10000 and bondy["target_direction"] == ">=" and bondy["unit"] == "m2"
    assert pd.isna(bondy["value"])
    aaa = _one(indicators, "appel_a_agir_amount_eur", kind="commitment")
    assert aaa["target_direction"] == "stable" and aaa["node_id"] == "E1.O2.A1"


def test_template_has_header_and_commented_example(roadmap, tmp_path):
    template = ROADMAP_DIR / "indicators_template.csv"
    lines = template.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == list(INDICATOR_COLUMNS)
    assert lines[1].startswith("#")
    # The template alone loads as zero rows; uncommented, its example is a valid row.
    base = ROADMAP_DIR / "indicators.csv"
    df = load_indicators(base, roadmap=roadmap, extra_paths=[template])
    assert len(df) == len(load_indicators(base, roadmap=roadmap))
    example = tmp_path / "indicateurs_2025.csv"
    example.write_text(lines[0] + "\n" + lines[1].lstrip("# ") + "\n", encoding="utf-8")
    df2 = load_indicators(base, roadmap=roadmap, extra_paths=[example])
    new = df2[df2["source_file"] == "indicateurs_2025.csv"].iloc[0]
    assert new["series"] == "insertion_hours_financed" and new["year"] == 2025 and new["row"] == 2


# ------------------------------------------------------------------ loader errors


HEADER = ",".join(INDICATOR_COLUMNS)
GOOD = "T-1,E1.O2.A4,test_series,Libellé,2024,10,hours,exact,observed,,,Source,Section,,,data,annual"


def _write(tmp_path, *rows, name="bad.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _error(path, roadmap, extra=()):
    with pytest.raises(SchemaError) as info:
        load_indicators(path, roadmap=roadmap, extra_paths=extra)
    return info.value


def test_duplicate_id(tmp_path, roadmap):
    path = _write(tmp_path, GOOD, GOOD.replace("2024,10", "2025,12"))
    err = _error(path, roadmap)
    msg = str(err)
    assert str(path) in msg and "row 3" in msg and "'indicator_id'" in msg and "'T-1'" in msg
    assert err.column == "indicator_id" and err.rows == [3] and err.values == ["T-1"]


def test_duplicate_id_across_files(tmp_path, roadmap):
    extra = _write(tmp_path, GOOD.replace("test_series", "other_series"), name="extra.csv")
    base = _write(tmp_path, GOOD, name="base.csv")
    msg = str(_error(base, roadmap, extra=[extra]))
    assert str(extra) in msg and "base.csv" in msg and "'T-1'" in msg


def test_unknown_node(tmp_path, roadmap):
    path = _write(tmp_path, GOOD, GOOD.replace("T-1,E1.O2.A4", "T-2,E1.O2.A9"))
    err = _error(path, roadmap)
    assert err.column == "node_id" and err.rows == [3] and err.values == ["E1.O2.A9"]
    assert str(path) in str(err) and "'E1.O2.A9'" in str(err) and "row(s) 3" in str(err)


def test_year_out_of_range(tmp_path, roadmap):
    path = _write(tmp_path, GOOD.replace(",2024,", ",1999,"))
    err = _error(path, roadmap)
    assert err.column == "year" and err.rows == [2] and err.values == ["1999"]
    assert "2000" in str(err) and "2035" in str(err) and str(path) in str(err)


def test_bad_unit(tmp_path, roadmap):
    path = _write(tmp_path, GOOD, GOOD.replace("T-1", "T-2").replace(",hours,", ",heures,"))
    err = _error(path, roadmap)
    assert err.column == "unit" and err.rows == [3] and err.values == ["heures"]
    assert "'heures'" in str(err) and "hours" in str(err)


def test_non_numeric_value(tmp_path, roadmap):
    path = _write(tmp_path, GOOD.replace(",10,", ",deux,"))
    err = _error(path, roadmap)
    assert err.column == "value" and err.values == ["deux"] and err.rows == [2] and str(path) in str(err)
    # A French decimal comma (quoted in a comma-separated file) is a number, read as such.
    ok = _write(tmp_path, GOOD.replace(",10,", ",\"2,5\","), name="ok.csv")
    assert load_indicators(ok, roadmap=roadmap)["value"].tolist() == [2.5]


@pytest.mark.parametrize(
    "row, column, value",
    [
        # observed without value
        ("T-1,E1.O2.A4,sx,L,2024,,hours,exact,observed,,,Src,,,,,annual", "value", ""),
        # target without direction
        ("T-1,E1.O2.A4,sx,L,2026,,hours,exact,target,100,,Src,,,,,annual", "target_direction", ""),
        # target with 'stable'
        ("T-1,E1.O2.A4,sx,L,2026,,hours,exact,target,100,stable,Src,,,,,annual", "target_direction", "stable"),
        # target without level
        ("T-1,E1.O2.A4,sx,L,2026,,hours,exact,target,,>=,Src,,,,,annual", "target_value", ""),
        # observed row carrying a target
        ("T-1,E1.O2.A4,sx,L,2024,5,hours,exact,observed,10,>=,Src,,,,,annual", "target_value", "10"),
        # target row carrying a value
        ("T-1,E1.O2.A4,sx,L,2026,5,hours,exact,target,10,>=,Src,,,,,annual", "value", "5"),
        # unknown kind / qualifier
        ("T-1,E1.O2.A4,sx,L,2024,5,hours,exact,objectif,,,Src,,,,,annual", "kind", "objectif"),
        ("T-1,E1.O2.A4,sx,L,2024,5,hours,environ,observed,,,Src,,,,,annual", "qualifier", "environ"),
        # missing source
        ("T-1,E1.O2.A4,sx,L,2024,5,hours,exact,observed,,,,,,,,annual", "source_document", ""),
    ],
)
def test_inconsistent_rows(tmp_path, roadmap, row, column, value):
    err = _error(_write(tmp_path, row), roadmap)
    assert err.column == column and err.rows == [2] and err.values == [value]


def test_conflicting_values_same_series_year(tmp_path, roadmap):
    path = _write(tmp_path, GOOD, GOOD.replace("T-1", "T-2").replace(",10,", ",11,"))
    msg = str(_error(path, roadmap))
    assert "test_series" in msg and "row 3" in msg and "11.0" in msg


def test_series_with_two_units(tmp_path, roadmap):
    path = _write(tmp_path, GOOD, GOOD.replace("T-1", "T-2").replace(",2024,10,hours,", ",2025,10,FTE,"))
    err = _error(path, roadmap)
    assert err.column == "unit" and err.values == ["FTE"] and err.rows == [3]


def test_missing_column_and_missing_file(tmp_path, roadmap):
    path = tmp_path / "nocol.csv"
    path.write_text("indicator_id,node_id\nT-1,E1\n", encoding="utf-8")
    err = _error(path, roadmap)
    assert "missing required column" in str(err) and "'series'" in str(err) and str(path) in str(err)
    with pytest.raises(InputFileError, match="does not exist"):
        load_indicators(tmp_path / "absent.csv", roadmap=roadmap)


def test_input_not_modified(tmp_path, roadmap):
    path = _write(tmp_path, GOOD)
    before = path.read_bytes()
    load_indicators(path, roadmap=roadmap)
    assert path.read_bytes() == before


def test_roadmap_yaml_errors(tmp_path):
    src = (ROADMAP_DIR / "roadmap.yml").read_text(encoding="utf-8")
    bad = tmp_path / "roadmap.yml"
    bad.write_text(src.replace("- id: E1.O2.A4", "- id: E1.O2.A5", 1), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"'E1\.O2\.A5'.*expected 'E1\.O2\.A4'") as info:
        load_roadmap(bad)
    assert str(bad) in str(info.value)
    bad.write_text(src.replace("leads: [DJVA, DIEESS]", "leads: [DJVA, XYZ]", 1), encoding="utf-8")
    with pytest.raises(SchemaError, match="unknown service code"):
        load_roadmap(bad)


def test_excel_french_csv_and_single_extra_path(tmp_path, roadmap):
    """An evaluator's file saved by a French Excel (semicolons, decimal comma, Windows-1252) is read as such."""
    path = tmp_path / "excel.csv"
    row = GOOD.replace("T-1", "T-9").replace(",10,", ",\"12,5\",").replace("Libellé", "Libellé évalué")
    text = ";".join(INDICATOR_COLUMNS) + "\n" + ";".join(next(__import__("csv").reader([row]))) + "\n"
    path.write_bytes(text.encode("cp1252"))
    df = load_indicators(path, roadmap=roadmap)
    assert df["value"].tolist() == [12.5] and df["label"].tolist() == ["Libellé évalué"]
    extra = _write(tmp_path, GOOD, name="extra.csv")
    df = load_indicators(roadmap=roadmap, extra_paths=str(extra))
    assert df["indicator_id"].iloc[-1] == "T-1" and df["source_file"].iloc[-1] == "extra.csv"


def test_year_basis_and_measure(indicators, tmp_path, roadmap):
    """Every committed row says whether its year is the figure's year and what the figure measures; an evaluator
    file in the former 15-column layout inherits the measure of the series it extends."""
    observed = indicators[indicators["kind"] == "observed"]
    assert set(observed["year_basis"]) == {"data", "publication"}
    assert set(indicators["measure"]) == {"annual", "level", "cumulative", "feature"}
    by_id = indicators.set_index("indicator_id")
    # "plus de 150 000 heures d'insertion financées en 2024": dated, annual; the 2,5M hours of the facilitators
    # are a total over an unstated period; "42 000 emplois ... FLORES - INSEE 2024" is not dated by its source.
    assert tuple(by_id.loc["IND-012", ["year_basis", "measure"]]) == ("data", "annual")
    assert by_id.loc["IND-035", "measure"] == "cumulative" and by_id.loc["IND-056", "year_basis"] == "publication"
    old_header = ",".join(c for c in INDICATOR_COLUMNS if c not in ("year_basis", "measure"))
    old = tmp_path / "ancien_format.csv"
    old.write_text(old_header + "\nEVAL-1,E1.O2.A4,insertion_hours_financed,Heures,2025,160000,hours,exact,observed,,,"
                   "Rapport,,,\n", encoding="utf-8")
    df = load_indicators(roadmap=roadmap, extra_paths=[old])
    new = df[df["indicator_id"] == "EVAL-1"].iloc[0]
    assert (new["measure"], new["year_basis"]) == ("annual", "data")
    # A new series must say what it measures somewhere.
    bad = _write(tmp_path, GOOD.replace(",data,annual", ",,"), name="nomeasure.csv")
    err = _error(bad, roadmap)
    assert err.column == "measure" and err.rows == [2] and "annual" in str(err)
    conflict = _write(tmp_path, GOOD.replace("T-1", "EVAL-2").replace("test_series", "insertion_hours_financed")
                      .replace(",2024,10,", ",2025,10,").replace(",annual", ",cumulative"), name="conflict.csv")
    err = _error(ROADMAP_DIR / "indicators.csv", roadmap, extra=[conflict])
    assert err.column == "measure" and err.values == ["cumulative"] and str(conflict) in str(err)


def test_notes_for_every_series(indicators):
    from esstools.assessment.indicators import load_indicator_notes

    notes = load_indicator_notes()
    assert set(notes["series"]) == set(indicators["series"])
    assert (notes["definition"].str.len() > 20).all() and (notes["why"].str.len() > 20).all()


def test_notes_invent_no_figure():
    """Every number written in the reading notes is found in the roadmap or on the RTES page (no invented figure)."""
    from esstools.assessment.indicators import load_indicator_notes

    texts = []
    for key, info in SOURCE_DOCUMENTS.items():
        seed = SEEDS / info["seed_file"]
        shared_data.require("numbers of the indicator notes found in the seed documents", "seeds", info["seed_file"])
        texts.append(normalise_quote(seed.read_text(encoding="utf-8")))
    text = " ".join(texts).replace("\u202f", " ").replace("\u00a0", " ")
    notes = load_indicator_notes()
    numbers = set()
    for col in ("definition", "why"):
        for t in notes[col]:
            numbers |= set(re.findall(r"\d+(?:[ ,]\d+)*", t.replace("\u202f", " ").replace("\u00a0", " ")))
    assert numbers and sorted(n for n in numbers if n not in text) == []


def test_evaluator_xlsx_file(tmp_path, roadmap):
    row = next(__import__("csv").reader([GOOD.replace(",10,", ",12.5,")]))
    frame = pd.DataFrame([row], columns=list(INDICATOR_COLUMNS))
    path = tmp_path / "indicateurs.xlsx"
    frame.to_excel(path, index=False)
    df = load_indicators(roadmap=roadmap, extra_paths=[path])
    new = df[df["source_file"] == "indicateurs.xlsx"].iloc[0]
    assert (new["indicator_id"], new["value"], new["row"], new["measure"]) == ("T-1", 12.5, 2, "annual")
