"""The study on real data end to end: ``esstools fetch`` from a local mirror of ../shared/realdata, then the
runs of ``reports-real.yml`` for département 93 (``make report DATA=real``), checked in the reports.

The real files of ``../shared/realdata`` are staged in a temporary directory in the layout of the fetch
registry (:func:`tests.test_fetch_realdata.stage_realdata`: the SIAE list of July 2019 located in 93 by
postcode as the les emplois API answer, the 1,520 DECP records of Île-de-France in the 2019 format,
the 3,375 real SIRENE legal units as Parquet, the IDF contours) and served on 127.0.0.1
(``ESSTOOLS_FETCH_BASE_URL``). ``esstools fetch all --optional`` fills a temporary cache
(``ESSTOOLS_CACHE_DIR``); the notebooks then read only that cache. The URSSAF series, the SIRENE
establishments, the financial ratios and the decp.info file are not in ../shared: the reports must say
« donnée manquante » for them and never show the demo mark. Nothing is copied into the repository.
Expected counts come from the PROVENANCE.md files of ../shared/realdata or are recomputed here from
the staged files.
"""

from __future__ import annotations

import json
import re

import pytest

from esstools import cli, paths
from esstools.fetch.mirror import Mirror
from esstools.provenance import DEMO_LABEL
from esstools.runner import config, execute
from tests import shared_data
from tests import test_fetch_realdata as staging
from tests.test_fetch import no_network  # noqa: F401  (autouse socket guard: 127.0.0.1 only)

WHAT = "the study on real data end to end (esstools fetch, then reports-real.yml)"
if not shared_data.path("realdata").exists():  # one skip line for the whole module
    pytest.skip(shared_data.reason(WHAT, "realdata"), allow_module_level=True)
ROOT = paths.REPO_ROOT
NOTEBOOKS = ("01_territorial_comparison", "02_employment_trends", "03_siae_impact")


def _text(notebook_path) -> str:
    """Every text output (stream, plain text, HTML) of an executed notebook, joined."""
    nb = json.loads(notebook_path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append("".join(out["text"]))
            for key in ("text/plain", "text/html", "text/markdown"):
                if key in out.get("data", {}):
                    parts.append("".join(out["data"][key]))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Stage, serve, fetch, then run the 93 runs of reports-real.yml; yield the output directory and more."""
    real = shared_data.path("realdata")
    base = tmp_path_factory.mktemp("realdata")
    info = staging.stage_realdata(real, base / "www", "93")
    with pytest.MonkeyPatch.context() as mp, Mirror(base / "www") as mirror:
        mp.setenv("ESSTOOLS_FETCH_BASE_URL", mirror.base_url)
        mp.setenv("ESSTOOLS_FETCH_REGISTRY", str(info["overlay"]))
        mp.setenv("ESSTOOLS_CACHE_DIR", str(base / "cache"))
        fetch_rc = cli.main(["fetch", "all", "--departement", "93", "--optional", "--quiet"])
        mp.delenv("ESSTOOLS_FETCH_BASE_URL")  # the analyses make no request at all
        specs, options = config.load_config(ROOT / "reports-real.yml")
        specs = [s for s in specs if s.label == "93"]
        out = base / "reports"
        records = execute.run(specs, out, jobs=2, progress=None, timeout=options.get("timeout"), pdf_mode=False)
        yield {"out": out, "records": records, "fetch_rc": fetch_rc, "specs": specs, "files": info["files"]}


def test_every_real_run_succeeds_and_the_index_marks_it_real(study):
    assert study["fetch_rc"] == 1  # four needed sources are not in ../shared: fetch says so and fails
    assert {s.notebook.stem for s in study["specs"]} == set(NOTEBOOKS) | {"00_roadmap_assessment"}
    failed = {r.run_id: r.error for r in study["records"] if r.status != "ok"}
    assert failed == {}
    manifest = json.loads((study["out"] / "manifest.json").read_text(encoding="utf-8"))
    kinds = {r["notebook"]: r["data_kind"] for r in manifest["runs"]}
    assert kinds == dict.fromkeys(NOTEBOOKS + ("00_roadmap_assessment",), "real")
    index = (study["out"] / "index.html").read_text(encoding="utf-8")
    assert index.count('<span class="kind real">données réelles</span>') == 4
    study_part, cards = index.split("Chaque constat indique sa nature")[0], index.split("<h2>Rapports</h2>")[1]
    assert DEMO_LABEL not in study_part and DEMO_LABEL not in cards
    assert "donnée manquante" in cards  # the missing inputs are in the synthesis of each card


def test_no_report_carries_the_demo_mark(study):
    for nb in NOTEBOOKS:
        text = _text(study["out"] / f"{nb}--93.ipynb")
        assert DEMO_LABEL not in text, nb
        assert "démonstration — synthétique" not in text.lower(), nb
        results = json.loads((study["out"] / "results" / f"{nb}--93.json").read_text(encoding="utf-8"))
        assert results["data_kind"] == "real" and results["missing"], nb


def test_territorial_comparison_counts_the_legal_units_and_names_the_missing_establishments(study):
    text = _text(study["out"] / "01_territorial_comparison--93.ipynb")
    # sirene-ess-numerique/PROVENANCE.md: 3,375 legal units, all with the ESS flag O
    assert "3\u202f375 unités légales lues (3\u202f375 avec l'indicateur ESS = O)" in text
    assert "donnée manquante : établissements SIRENE" in text and "`esstools fetch sirene-etablissements`" in text
    assert "Cartes des salariés de l'ESS par EPT non produites" in text
    # part 1 (published figures) is still there, as published
    assert "Part de l'ESS dans les établissements (publié)" in text


def test_employment_trends_say_the_urssaf_series_is_missing(study):
    text = _text(study["out"] / "02_employment_trends--93.ipynb")
    assert "donnée manquante : séries URSSAF de l'emploi salarié de l'ESS" in text
    assert "`esstools fetch urssaf-ess-departements`" in text
    assert "Projection : non calculé" in text and "chiffre(s) publié(s) recensé(s)" in text


def test_siae_impact_counts_the_2019_list_and_names_what_is_missing(study):
    text = _text(study["out"] / "03_siae_impact--93.ipynb")
    api = json.loads(study["files"]["siae-directory"].read_text(encoding="utf-8"))["results"]
    distinct = len({json.dumps(r, sort_keys=True) for r in api})  # exact repeats are one structure
    # itou-siae/PROVENANCE.md: postcode 93 -> 86 rows, 71 distinct SIRET
    assert len(api) == 86
    assert f"86 lignes téléchargées, {distinct} structures d'insertion retenues" in text
    assert "71 SIRET distincts" in text
    assert "donnée manquante : chiffre d'affaires par SIREN et exercice" in text
    assert "`esstools fetch ratios-financiers`" in text
    assert "donnée manquante : heures d'insertion des clauses sociales" in text
    # DECP 2019 records of IDF: awards held by a SIRET of the list, recomputed from the staged file
    decp = json.loads(study["files"]["decp-minef-json"].read_text(encoding="utf-8"))["marches"]
    sirets = {r["siret"] for r in api}
    held = sum(1 for m in decp for t in m.get("titulaires") or [] if str(t.get("id")) in sirets)
    assert held == 0  # none of the 71 SIRET holds an award of this file (before any record is left out)
    assert re.search(rf"DECP : [\d\u202f]+ attributions lues \(notifications 2018–2019\) ; {held} attribuée\(s\) à un SIRET",
                     text)
    assert "ne renseigne pas les considérations sociales" in text
    assert "TWFE) : non estimé, donnée manquante" in text
