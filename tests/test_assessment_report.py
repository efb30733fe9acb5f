"""Tests of the assessment report back-end (esstools.assessment.report) and of the committed notebook 00."""

from __future__ import annotations

import json
import re

import matplotlib
import pytest

from esstools import paths
from esstools.assessment.headlines import NATURES
from esstools.assessment.report import build_report, value_text, year_text
from esstools.display import headline
from esstools.provenance import DEMO_LABEL, Provenance

matplotlib.use("Agg")

NOTEBOOK = paths.notebooks_dir() / "00_roadmap_assessment.ipynb"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return build_report(results_dir=tmp_path_factory.mktemp("no_results"))


@pytest.fixture
def with_analyses(tmp_path):
    from esstools import results

    demo, real = Provenance.demo("série synthétique esstools"), Provenance.real("Insee, Flores 2021")
    results.save("02_employment_trends", {
        **demo.to_dict(), "headline": {"growth": headline(2.3, "%", "Croissance annuelle", demo, year="2015-2024")},
        "synthesis": [{"text": "L'emploi de l'ESS croît de 2,3 % par an.", "nature": "calculé sur données réelles",
                       "source": "série synthétique"}]}, run="93", directory=tmp_path)
    results.save("01_territorial_comparison", {
        **real.to_dict(), "headline": {"n": headline(3297, "établissements employeurs", "Établissements", real,
                                                     definition="au moins un salarié", year=2021)},
        "synthesis": [{"text": "3 297 établissements employeurs de l'ESS (2021).", "nature": "publié",
                       "source": "CRESS, Flores 2021"}]}, run="93", directory=tmp_path)
    return build_report(results_dir=tmp_path)


# ------------------------------------------------------------------ formats


def test_value_and_year_as_written_by_the_source():
    assert value_text(150000, "hours", "lower_bound") == "plus de 150\u202f000 heures"
    assert value_text(2.7e6, "EUR") == "2,7\u00a0M€" and value_text(50e6, "EUR", "lower_bound") == "plus de 50\u00a0M€"
    assert value_text(6.6, "percent") == "6,6\u00a0%" and value_text(92, "percent") == "92\u00a0%"
    assert value_text(100, "structures", "approx") == "environ 100 structures" and value_text(3, "count") == "3"
    assert value_text(float("nan"), "EUR") == "—"
    assert value_text(1, "rank") == "1er" and value_text(3, "rank") == "3e"
    assert year_text(2024) == "2024" and year_text(2025, "publication") == "publ. 2025"


# ------------------------------------------------------------------ synthesis


def test_synthesis_items_are_french_findings_with_nature_and_source(report):
    items = report.synthesis_items()
    assert len(items) == 5
    assert all(i["nature"] in NATURES and i["source"] for i in items)
    first = items[0]["text"]
    assert first.startswith("La feuille de route 2024-2028 compte 3 enjeux, 13 objectifs stratégiques, 44 actions")
    assert "qu'une cible chiffrée" in first and "au moins 10\u202f000 m², échéance 2026" in first
    assert "un engagement" in first and "sans niveau chiffré, échéance 2027" in first
    text = " ".join(i["text"] for i in items)
    assert "12 actions sur 44 (27 %) sont renseignées" in text
    assert "Aucune action n'a encore de statut d'avancement" in text
    assert "Aucun des 13 objectifs stratégiques n'est évaluable" in text
    assert "plus de 150\u202f000 heures (2024)" in text and "2,7\u00a0M€ (2025)" in text
    assert "« en ligne »" not in text


def test_analyses_synthesis_marks_demo_and_combines_provenance(with_analyses, report):
    items = with_analyses.analyses_synthesis_items()
    trends = next(i for i in items if i["text"].startswith("Tendances"))
    # A demo payload's item claiming "real" is still a demonstration, marked where it is printed.
    assert trends["nature"] == "démonstration" and DEMO_LABEL in trends["text"]
    comparison = next(i for i in items if i["text"].startswith("Comparaison territoriale (exécution « 93 »)"))
    assert comparison["nature"] == "publié" and DEMO_LABEL not in comparison["text"]
    assert with_analyses.report_provenance.kind == "mixed" and items[-1]["nature"] == "démonstration"
    assert report.report_provenance.kind == "real" and report.analyses_synthesis_items() == []


def test_analyses_without_synthesis_are_named_not_invented():
    from esstools.assessment.headlines import analyses_without_synthesis, analysis_synthesis_items

    payloads = [{"notebook": "01_territorial_comparison", "run": r, "data_kind": "demo", "headline": {}}
                for r in ("92", "93")] + [{"notebook": "03_siae_impact", "run": "93", "data_kind": "demo",
                                           "synthesis": [{"text": "Effet estimé : 0,12.", "nature": "démonstration"}]}]
    assert analysis_synthesis_items(payloads)[0]["text"].startswith("Impact des SIAE (exécution « 93 »)")
    assert len(analysis_synthesis_items(payloads)) == 1
    assert analyses_without_synthesis(payloads) == ["Comparaison territoriale (92, 93)"]


# ------------------------------------------------------------------ tables and chart


@pytest.mark.parametrize("name", ["structure", "rules", "challenges", "objectives", "actions", "notes",
                                  "undocumented", "context"])
def test_tables_are_french_without_index_or_truncation(report, name):
    df = report.table(name)
    html = report._styled(df, report.provenance, report.source).to_html()
    assert "row_heading" not in html and "Source : Feuille de route ESS 2024-2028" in html
    assert not any("_" in str(c) for c in df.columns)  # French headers, no code names
    if "intitulé" in df:  # full titles, as in the roadmap
        titles = set(report.roadmap.nodes["title"])
        assert set(df["intitulé"]) <= titles


def test_tables_content(report):
    actions = report.table("actions")
    assert len(actions) == 30 and set(actions["statut"]) == {"constat", "pas de donnée"}
    hours = actions[actions["indicateur"].str.startswith("Heures d'insertion")].iloc[0]
    assert (hours["dernière valeur"], hours["année"], hours["statut"]) == ("plus de 150\u202f000 heures", "2024", "constat")
    assert hours["fondement (règle)"] == "une seule valeur datée, sans cible ni évolution (R4)"
    notes = report.table("notes")
    assert notes["pourquoi cet indicateur"].ne("—").all() and notes["définition : ce que le chiffre compte"].ne("—").all()
    context = report.table("context").set_index("indicateur")
    assert context.at["Emplois dans l'ESS en Seine-Saint-Denis", "année"] == "publ. 2024"
    assert context.at["Établissements employeurs de l'ESS", "valeur"] == "3\u202f297 établissements"
    assert "au moins un·e salarié·e" in context.at["Établissements employeurs de l'ESS", "définition"]
    # the producer cited by the source is shown (FLORES, SIRENE, ACOSS, DG Trésor)
    producers = " ".join(context["producteur et précisions de la source"])
    assert all(p in producers for p in ("FLORES", "SIRENE", "ACOSS", "DG Trésor"))
    objectives = report.table("objectives")
    assert set(objectives["statut"]) == {"non évaluable"} and len(objectives) == 13
    assert report.table("undocumented")["action"].tolist()[:2] == ["E1.O1.A1", "E1.O1.A2"]


def test_figure_is_titled_and_sourced(report):
    import matplotlib.pyplot as plt

    fig = report.figure_actions()
    assert fig.axes[0].get_title() == "Statut des 44 actions de la feuille de route, par objectif stratégique"
    assert any(t.get_text().startswith("Source : Feuille de route ESS 2024-2028") for t in fig.texts)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "constat (12)" in labels and "pas de donnée (32)" in labels
    plt.close(fig)


# ------------------------------------------------------------------ results JSON


def test_payload_headline_and_synthesis(with_analyses, tmp_path):
    payload = with_analyses.payload()
    assert payload["data_kind"] == "mixed" and payload["synthesis"] == with_analyses.synthesis_items()
    h = payload["headline"]
    assert h["n_actions"]["value"] == 44 and h["n_actions"]["data_kind"] == "real" and h["n_actions"]["year"] == 2024
    assert h["n_actions_documented"]["value"] == 12 and h["coverage_pct"]["value"] == pytest.approx(27.3)
    assert h["n_objectives_assessable"]["value"] == 0 and "règle O2" in h["n_objectives_assessable"]["definition"]
    assert all(item.get("definition") and item.get("year") for item in h.values())
    path = with_analyses.save(tmp_path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["notebook"] == "00_roadmap_assessment" and saved["synthesis"][1]["nature"] == "calculé sur données réelles"


# ------------------------------------------------------------------ the committed notebook


def _notebook():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_notebook_is_thin():
    lines = [line for c in _notebook()["cells"] if c["cell_type"] == "code"
             for line in "".join(c["source"]).splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) <= 60


def test_notebook_opens_with_the_synthesis():
    cells = _notebook()["cells"]
    headings = [(i, m.group(1)) for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                for m in re.finditer(r"^##? (.+)$", "".join(c["source"]), re.M)]
    assert headings[0][1].startswith("Évaluation de la feuille de route") and headings[1][1] == "Synthèse"
    at = headings[1][0]
    before = [c for c in cells[:at] if c["cell_type"] == "code" and c.get("outputs")]
    assert before == []  # nothing shown before the synthesis
    first_output = next(c for c in cells[at:] if c["cell_type"] == "code" and c.get("outputs"))
    html = "".join(first_output["outputs"][0]["data"]["text/html"])
    assert html.startswith('<ul class="esstools-synthese">') and "publié" in html and "Source :" in html


def test_rendered_notebook_has_no_single_value_status():
    cells = []
    for c in _notebook()["cells"]:
        for out in c.get("outputs", []):
            cells += re.findall(r"<td[^>]*>([^<]*)</td>", "".join(out.get("data", {}).get("text/html", "")))
    assert "constat" in cells and "non évaluable" in cells
    assert not {"en ligne", "en avance", "à surveiller"} & set(cells)
