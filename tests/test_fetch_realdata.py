"""`esstools fetch all` against the real files of ../shared/realdata served in the registry layout.

The files are read from ``../shared/realdata`` (or ``ESSTOOLS_SHARED_DIR/realdata``) and staged
in a temporary mirror; nothing is copied into the repository. Expected counts are those
documented in each folder's PROVENANCE.md. :func:`stage_realdata` is reusable by the
real-data end-to-end test of the study.
"""

from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest
import yaml

from esstools import cli, paths
from esstools.errors import FetchError
from esstools.fetch import SOURCES, fetch, read_manifest
from esstools.fetch.mirror import Mirror, layout_path
from tests.test_fetch import no_network  # noqa: F401  (autouse socket guard)

SHARED = Path(os.environ.get("ESSTOOLS_SHARED_DIR", paths.REPO_ROOT.parent / "shared"))
REAL = SHARED / "realdata"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data folder {REAL} absent: real-file fetch test skipped")

DECP_2019_RID = "16962018-5c31-4296-9454-5998585496d2"  # legacy decp-2019.json (download-urls.md §3b)


def _put(www: Path, url: str, data: bytes) -> Path:
    p = www / layout_path(url)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def _siae_api_records(real: Path, departement: str) -> list[dict]:
    """Rows of the July 2019 ASP list located in ``departement`` (by postcode), under the API's field names."""
    with open(real / "itou-siae" / "siae_2019-07_idf.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["CODE_POSTAL"].startswith(departement)]
    return [{"siret": r["SIRET"], "type": r["MESURE"], "raison_sociale": r["DENOMINATION_SOCIALE"], "enseigne": None,
             "addresse_ligne_1": f"{r['NUM_RUE']} {r['NOM_RUE']}".strip(), "addresse_ligne_2": "",
             "code_postal": r["CODE_POSTAL"], "ville": r["COMMUNE"], "departement": departement} for r in rows]


def _sirene_parquet(real: Path) -> bytes:
    """The 3,375 real legal units as StockUniteLegale Parquet (its 7 SIRENE columns, the producer's types)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    cols = ["siren", "denominationUniteLegale", "nomUniteLegale", "activitePrincipaleUniteLegale",
            "economieSocialeSolidaireUniteLegale", "categorieJuridiqueUniteLegale", "trancheEffectifsUniteLegale"]
    table = pacsv.read_csv(real / "sirene-ess-numerique" / "04_ess_flag_insee.csv",
                           convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols},
                                                                include_columns=cols))
    table = table.set_column(5, "categorieJuridiqueUniteLegale", table["categorieJuridiqueUniteLegale"].cast(pa.int64()))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def stage_realdata(real: Path, www: Path, departement: str = "93") -> dict:
    """Stage the real files under ``www`` in the layout of the fetch registry; return what was staged.

    * ``siae-directory``: the 2019 ASP list rows located in ``departement`` by postcode,
      reshaped to the API's field names (values unchanged), as the API's single page;
    * ``decp-minef-json``: a data.gouv.fr dataset answer listing ``decp-2019.json`` (legacy
      resource id) and ``decp.ocds.json``; the file is the real 1,520 IDF records (2019 format),
      with its sha1 in the answer;
    * ``sirene-unites-legales``: the 3,375 real legal units as Parquet at the stable
      ``/datasets/r/<rid>`` URL, with no dataset answer (the resolver falls back to that URL);
    * ``communes-geometry`` / ``departements-geometry``: the IDF outlines (communes on the COG
      2026 list, départements), gzip-compressed; the registry pins the national 2026 file, so
      ``overlay`` (a registry overlay file) pins the staged files' sha256 instead.
    The other sources (SIRENE establishments, URSSAF, decp.info, financial ratios) have no
    real file here and answer HTTP 404.
    """
    files = {}
    siae = _siae_api_records(real, departement)
    url = SOURCES["siae-directory"].request_url(departement)
    files["siae-directory"] = _put(www, url, json.dumps(
        {"count": len(siae), "next": None, "previous": None, "results": siae}, ensure_ascii=False).encode())

    decp = (real / "decp-2019-json" / "decp_2019_idf_lieuExecution.json").read_bytes()
    decp_url = f"https://www.data.gouv.fr/api/1/datasets/r/{DECP_2019_RID}"
    files["decp-minef-json"] = _put(www, decp_url, decp)
    dataset = {"id": SOURCES["decp-minef-json"].dataset, "resources": [
        {"id": DECP_2019_RID, "title": "decp-2019.json", "format": "json", "url": decp_url, "filesize": len(decp),
         "last_modified": "2019-04-05T00:00:00", "checksum": {"type": "sha1", "value": hashlib.sha1(decp).hexdigest()}},
        {"id": "68bd2001", "title": "decp.ocds.json", "format": "json", "url": "https://static.data.gouv.fr/x/decp.ocds.json"},
    ]}
    _put(www, f"https://www.data.gouv.fr/api/1/datasets/{SOURCES['decp-minef-json'].dataset}/", json.dumps(dataset).encode())

    files["sirene-unites-legales"] = _put(www, SOURCES["sirene-unites-legales"].url, _sirene_parquet(real))
    geo = {"communes-geometry": real / "idf-geo-derived" / "communes-idf-cog2026.geojson",
           "departements-geometry": real / "france-geojson" / "departements-ile-de-france.geojson"}
    pins = {}
    for name, path in geo.items():
        files[name] = _put(www, SOURCES[name].url, gzip.compress(path.read_bytes(), mtime=0))
        pins[name] = {"sha256": hashlib.sha256(files[name].read_bytes()).hexdigest()}
    overlay = www.parent / "registry-realdata.yml"
    overlay.write_text(yaml.safe_dump({"sources": pins}))
    return {"files": files, "overlay": overlay}


@pytest.fixture()
def staged(tmp_path, monkeypatch):
    www = tmp_path / "www"
    info = stage_realdata(REAL, www)
    with Mirror(www) as m:
        monkeypatch.setenv("ESSTOOLS_FETCH_BASE_URL", m.base_url)
        monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path / "cache"))
        yield {**info, "mirror": m, "cache": tmp_path / "cache"}


def test_fetch_all_gets_the_real_files_and_names_the_missing_ones(staged, monkeypatch, capsys):
    monkeypatch.setenv("ESSTOOLS_FETCH_REGISTRY", str(staged["overlay"]))
    assert cli.main(["fetch", "all", "--departement", "93", "--quiet"]) == 1
    out = capsys.readouterr().out
    for got in ("siae-directory (93)", "sirene-unites-legales", "communes-geometry", "departements-geometry"):
        assert f"] {got} :" in out and f"[MANQUANT] {got}" not in out
    for missing in ("sirene-etablissements", "urssaf-ess-departements", "decp (93)", "ratios-financiers"):
        assert f"[MANQUANT] {missing} :" in out
    assert "Bilan : 4 fichier(s) nécessaire(s) sur 8 présent(s)." in out and "résolution impossible" in out

    cache = staged["cache"]
    manifest = read_manifest(cache)
    for name, staged_file in staged["files"].items():
        if name in ("decp-minef-json", "siae-directory"):  # fetched below / pages re-assembled into one file
            continue
        entry = next(e for e in manifest.values() if e["source"] == name)
        assert entry["sha256"] == hashlib.sha256(staged_file.read_bytes()).hexdigest(), name

    siae = json.loads((cache / "siae-emplois-93.json").read_text(encoding="utf-8"))
    assert siae["results"] == json.loads(staged["files"]["siae-directory"].read_text(encoding="utf-8"))["results"]
    kinds = collections.Counter(r["type"] for r in siae["results"])
    # itou-siae/PROVENANCE.md: postcode 93 -> 86 rows, 71 distinct SIRET (44 ACI, 33 EI, 5 AI, 4 ETTI)
    assert siae["count"] == len(siae["results"]) == 86 and len({r["siret"] for r in siae["results"]}) == 71
    assert kinds == {"ACI": 44, "EI": 33, "AI": 5, "ETTI": 4}

    import pyarrow.parquet as pq

    ul = pq.read_table(cache / "StockUniteLegale_utf8.parquet").to_pandas()
    # sirene-ess-numerique/PROVENANCE.md: 3,375 rows, all ESS = O; 9220: 2,318, 5710: 632, 5499: 157
    assert len(ul) == 3375 and set(ul["economieSocialeSolidaireUniteLegale"]) == {"O"}
    counts = ul["categorieJuridiqueUniteLegale"].value_counts()
    assert (counts[9220], counts[5710], counts[5499]) == (2318, 632, 157)

    communes = json.loads(gzip.decompress((cache / "communes-100m-2026.geojson.gz").read_bytes()))
    deps = json.loads(gzip.decompress((cache / "departements-100m-2026.geojson.gz").read_bytes()))
    assert len(communes["features"]) == 1266 and len(deps["features"]) == 8  # idf-geo-derived, france-geojson

    assert cli.main(["fetch", "decp-minef-json", "--quiet"]) == 0
    decp_path = Path(capsys.readouterr().out.strip())
    assert decp_path.read_bytes() == staged["files"]["decp-minef-json"].read_bytes()
    assert len(json.loads(decp_path.read_text(encoding="utf-8"))["marches"]) == 1520  # decp-2019-json/PROVENANCE.md
    entry = read_manifest(cache)["decp-minef-annuel.json"]
    assert entry["resource_title"] == "decp-2019.json" and entry["checksum_origin"] == "publisher-sha1"


def test_the_pinned_contours_checksum_refuses_other_files(staged):
    pinned = SOURCES["communes-geometry"].sha256
    served = hashlib.sha256(staged["files"]["communes-geometry"].read_bytes()).hexdigest()
    with pytest.raises(FetchError) as info:
        fetch("communes-geometry", progress=False)
    assert f"expected sha256 {pinned}" in str(info.value) and f"got {served}" in str(info.value)
    assert not (staged["cache"] / "communes-100m-2026.geojson.gz").exists()
