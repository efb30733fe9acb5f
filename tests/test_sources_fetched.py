"""``source="fetched"``: inputs from the ``esstools fetch`` cache, « donnée manquante » when absent (never
the demo), and a changed upstream schema named with the fetch registry's version.

Files are fetched from a local mirror on 127.0.0.1 into a temporary cache; the real-format fixtures of
``tests/fixtures/real_formats`` (URSSAF export, les emplois API pages, a StockUniteLegale extract) are
served as the publishers serve them, some with a renamed column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esstools import paths
from esstools.errors import SchemaError
from esstools.fetch import REGISTRY_VERSION, SOURCES, fetch
from esstools.fetch.mirror import Mirror, layout_path
from esstools.provenance import DEMO_LABEL
from esstools.runner import config
from esstools.sources import employment, fetched, siae, sirene
from esstools.territorial.parameters import check_parameters
from esstools.trends import report as trends_report
from tests.test_fetch import no_network  # noqa: F401  (autouse socket guard)

FIXTURES = Path(__file__).parent / "fixtures" / "real_formats"


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path / "results"))
    return tmp_path / "cache"


def _fetch(tmp_path, monkeypatch, source: str, data: bytes, departement: str | None = None) -> Path:
    """Serve ``data`` as ``source`` from a mirror on 127.0.0.1 and fetch it into the cache."""
    www = tmp_path / "www"
    url = SOURCES[source].request_url(departement) or SOURCES[source].url
    target = www / layout_path(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    with Mirror(www) as m:
        monkeypatch.setenv("ESSTOOLS_FETCH_BASE_URL", m.base_url)
        path = fetch(source, departement=departement, progress=False)
    monkeypatch.delenv("ESSTOOLS_FETCH_BASE_URL")
    return path


def test_an_empty_cache_gives_missing_items_and_no_demo(cache):
    table = employment.employment_table("fetched")
    assert table.data is None and not table.provenance.is_demo
    (item,) = table.missing
    assert item.text_fr.startswith("« donnée manquante : séries URSSAF")
    assert "`esstools fetch urssaf-ess-departements`" in item.text_fr

    src = siae.siae_inputs("93", source="fetched")
    assert [m.source for m in src.missing] == ["siae-directory", None, "decp", "ratios-financiers"]
    assert "`esstools fetch siae-directory --departement 93`" in src.missing[0].text_fr
    assert src.data.demo is None and all(v is None for v in src.data.frames().values())

    params = check_parameters("93", source="fetched")
    assert params.data_kind == "real" and params.etab_path is None and params.contours is None
    assert [m.source for m in params.missing] == ["sirene-etablissements", "sirene-unites-legales"]
    assert not list(cache.glob("demo*")) and not (cache / "demo").exists()


def test_notebook_02_without_the_urssaf_file_says_so_and_saves_real_results(cache, capsys):
    rep = trends_report.build("93", source="fetched")
    rep.show_projection()
    rep.save()
    out = capsys.readouterr().out
    assert "Projection : non calculé, donnée manquante (séries URSSAF" in out and DEMO_LABEL not in out
    saved = json.loads(next((cache.parent / "results").glob("02_employment_trends--93.json")).read_text("utf-8"))
    assert saved["data_kind"] == "real" and saved["headline"] == {}
    assert saved["missing"] == [employment.missing_series().text_fr]
    assert any(i["nature"] == "publié" for i in saved["synthesis"])


def test_a_fetched_urssaf_export_is_read_as_real_data_with_its_registry_version(tmp_path, monkeypatch, cache):
    _fetch(tmp_path, monkeypatch, "urssaf-ess-departements",
           (FIXTURES / "urssaf_ess_departements.csv").read_bytes())
    table = employment.employment_table("fetched")
    assert not table.missing and table.provenance.kind == "real"
    assert f"registre {REGISTRY_VERSION})" in table.provenance.source_fr
    assert set(table.data["territory_code"]) >= {"01", "93"}


def test_a_renamed_urssaf_column_names_the_file_the_column_the_expected_name_and_the_registry(
        tmp_path, monkeypatch, cache):
    raw = (FIXTURES / "urssaf_ess_departements.csv").read_bytes()
    path = _fetch(tmp_path, monkeypatch, "urssaf-ess-departements",
                  raw.replace(b"effectifs_salaries_moyens", b"effectif_salarie_moyen", 1))
    with pytest.raises(SchemaError) as info:
        employment.employment_table("fetched")
    msg = str(info.value)
    assert f"File '{path}'" in msg and "'effectifs_salaries_moyens'" in msg
    assert "column 'effectif_salarie_moyen' looks like the renamed 'effectifs_salaries_moyens'" in msg
    assert f"fetch registry version {REGISTRY_VERSION}" in msg
    assert (info.value.column, info.value.expected) == ("effectif_salarie_moyen", "effectifs_salaries_moyens")


def test_a_renamed_siret_in_the_siae_api_fails_with_the_registry_version(tmp_path, monkeypatch, cache):
    pages = json.loads((FIXTURES / "siae_api_93_pages.json").read_text(encoding="utf-8"))
    page = {"count": pages[0]["count"], "next": None, "previous": None,
            "results": [r for p in pages for r in p["results"]]}
    for r in page["results"]:
        r["numero_siret"] = r.pop("siret")
    _fetch(tmp_path, monkeypatch, "siae-directory", json.dumps(page).encode(), "93")
    with pytest.raises(SchemaError) as info:
        siae.siae_inputs("93", source="fetched")
    msg = str(info.value)
    assert "siae-emplois-93.json" in msg and "column 'numero_siret' looks like the renamed 'siret'" in msg
    assert f"fetch registry version {REGISTRY_VERSION}" in msg


def test_a_renamed_sirene_column_names_the_loader_check_and_the_registry_version(tmp_path, monkeypatch, cache):
    raw = (FIXTURES / "StockUniteLegale_extrait.csv").read_bytes()
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(pa.BufferReader(raw), convert_options=pacsv.ConvertOptions(
        column_types={"siren": pa.string(), "categorieJuridiqueUniteLegale": pa.string()}))
    table = table.rename_columns([("economieSocialeSolidaire" if c == "economieSocialeSolidaireUniteLegale" else c)
                                  for c in table.column_names])
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    _fetch(tmp_path, monkeypatch, "sirene-unites-legales", sink.getvalue().to_pybytes())
    with pytest.raises(SchemaError) as info:
        sirene.legal_units("fetched")
    msg = str(info.value)
    assert "StockUniteLegale_utf8.parquet" in msg and "'economieSocialeSolidaireUniteLegale'" in msg
    assert "'economieSocialeSolidaire' looks like a renamed" in msg
    assert f"fetch registry version {REGISTRY_VERSION}" in msg and "`esstools fetch sirene-unites-legales`" in msg


def test_missing_items_read_in_french_with_their_command():
    item = fetched.missing("liste des SIAE", "siae-directory", "93")
    assert item.text_fr == ("« donnée manquante : liste des SIAE, source « siae-directory » — absent du cache : "
                            "`esstools fetch siae-directory --departement 93` (ou `make data`) »")
    assert item.synthesis_item["nature"] == "donnée manquante"


def test_reports_real_runs_the_same_notebooks_as_reports_yml_on_fetched_files():
    demo, _ = config.load_config(paths.REPO_ROOT / "reports.yml")
    real, _ = config.load_config(paths.REPO_ROOT / "reports-real.yml")
    assert [(s.notebook, s.label) for s in real] == [(s.notebook, s.label) for s in demo]
    for spec in real:
        if spec.stage == 1:
            assert spec.parameters["source"] == "fetched", spec.label


def test_fetched_sirene_files_feed_the_territorial_comparison_as_real_data(tmp_path, monkeypatch, cache):
    from esstools.territorial import report as territorial

    sirene_fixtures = Path(__file__).parent / "fixtures" / "sirene"
    for source, name in (("sirene-etablissements", "StockEtablissement_utf8.parquet"),
                         ("sirene-unites-legales", "StockUniteLegale_utf8.parquet")):
        _fetch(tmp_path, monkeypatch, source, (sirene_fixtures / name).read_bytes())
    rep = territorial.build("93", source="fetched")
    assert rep.params.missing == () and rep.params.data_kind == "real"
    assert Path(rep.params.etab_path).parent == cache
    assert rep.provenance.kind == "real" and f"registre {REGISTRY_VERSION}" in rep.provenance.source_fr
    sirene_item = next(i for i in rep.synthesis() if i["text"].startswith("Fichier SIRENE"))
    assert sirene_item["nature"] == "calculé sur données réelles" and DEMO_LABEL not in sirene_item["text"]
    assert rep.payload()["data_kind"] == "real"


def test_make_data_fetches_every_departement_of_reports_real():
    """`make data` (default DEPARTEMENT) downloads the files of every run of reports-real.yml."""
    import re

    import yaml

    root = Path(__file__).resolve().parents[1]
    default = re.search(r"^DEPARTEMENT \?= (\S+)$", (root / "Makefile").read_text(encoding="utf-8"), re.M).group(1)
    runs = yaml.safe_load((root / "reports-real.yml").read_text(encoding="utf-8"))["runs"]
    needed = {str(r["parameters"]["departement"]) for r in runs if r["parameters"].get("source") == "fetched"}
    assert needed and needed <= set(default.split(",")), (needed, default)
