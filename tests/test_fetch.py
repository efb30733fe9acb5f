"""`esstools fetch` against a local mirror on 127.0.0.1; any other network access fails the test."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket

import pytest
import yaml

import esstools.fetch as fetch_mod
from esstools import cli
from esstools.errors import FetchError
from esstools.fetch import Source, cached_path, fetch, fetch_all, fetch_source, load_registry, read_manifest
from esstools.fetch import cli as fetch_cli
from esstools.fetch.mirror import Mirror, MirrorHandler, layout_path
from esstools.fetch.transfer import rewrite

PAYLOAD = b"siren,nic,siret\n" + b"775665912,00017,77566591200017\n" * 20000  # ~620 kB
SHA = hashlib.sha256(PAYLOAD).hexdigest()
LOCAL = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail on any connection or name lookup other than the local server."""
    real_connect, real_gai = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        if isinstance(address, tuple) and address[0] not in LOCAL:
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOCAL:
            raise AssertionError(f"test tried to resolve {host!r} (network)")
        return real_gai(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for var in ("ESSTOOLS_FETCH_REGISTRY", "ESSTOOLS_FETCH_URL_DEMO"):
        monkeypatch.delenv(var, raising=False)


class FaultyHandler(MirrorHandler):
    """Mirror handler that can misbehave once per listed request: faults[path] = [action, ...]."""

    faults: dict = {}

    def do_GET(self):  # noqa: N802
        actions = self.faults.get(self.path)
        if not actions:
            return super().do_GET()
        action = actions.pop(0)
        type(self).requests.append((self.path, self.headers.get("Range")))
        if action in ("500", "404"):
            self.send_error(int(action))
        elif action == "429":
            self.send_response(429)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif action == "cut":  # announce the whole file, send half, close
            data = self.find().read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
        elif action == "ignore-range":
            self.headers.replace_header("Range", "")
            self.send_file(self.find().read_bytes())
        elif action.startswith("302 "):
            self.send_response(302)
            self.send_header("Location", action[4:])
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture()
def mirror(tmp_path, monkeypatch):
    root = tmp_path / "www"
    root.mkdir()
    with Mirror(root, handler=FaultyHandler) as m:
        m.handler.faults = {}
        monkeypatch.setenv("ESSTOOLS_FETCH_BASE_URL", m.base_url)
        monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path / "cache"))
        yield m


def put(root, url: str, data: bytes | str):
    """Place ``data`` where the mirror answers ``url`` (registry layout)."""
    p = root / layout_path(url)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def src(name="demo", url="https://files.example.org/stock.csv", **kw) -> Source:
    base = dict(title="t", used_for="u", licence="Licence Ouverte", access="direct", filename="stock.csv",
                format="csv", url=url, registry_version="test-1")
    return Source(name=name, **{**base, **kw})


def reg(*sources: Source) -> dict:
    return {s.name: s for s in sources}


def paths_requested(m) -> list[str]:
    return [p for p, _ in m.requests]


# --------------------------------------------------------------------------- direct files


def test_download_then_cache_hit_makes_no_request(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    r = fetch_source("demo", registry=reg(src()), progress=False)
    cache = tmp_path / "cache"
    assert (r.status, r.path, r.sha256, r.checksum_origin) == ("downloaded", cache / "stock.csv", SHA, "recorded")
    assert r.path.read_bytes() == PAYLOAD and not list(cache.glob("*.part*"))
    assert paths_requested(mirror) == ["/files.example.org/stock.csv"]
    entry = read_manifest(cache)["stock.csv"]
    assert entry["sha256"] == SHA and entry["size"] == len(PAYLOAD) and entry["registry_version"] == "test-1"
    assert entry["url"] == "https://files.example.org/stock.csv" and entry["checksum_origin"] == "recorded"
    again = fetch_source("demo", registry=reg(src()), progress=False)
    assert again.status == "cached" and len(mirror.requests) == 1  # cache hit: no request
    assert cached_path("demo", registry=reg(src())) == cache / "stock.csv"


def test_corrupted_cache_is_downloaded_again_and_refresh_gets_new_version(mirror, tmp_path):
    served = put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    fetch("demo", registry=reg(src()), progress=False)
    (tmp_path / "cache" / "stock.csv").write_bytes(b"corrupted")
    assert fetch_source("demo", registry=reg(src()), progress=False).status == "downloaded"
    assert len(mirror.requests) == 2 and (tmp_path / "cache" / "stock.csv").read_bytes() == PAYLOAD
    served.write_bytes(PAYLOAD + b"new,row,here\n")
    r = fetch_source("demo", registry=reg(src()), progress=False, refresh=True)
    assert r.path.read_bytes().endswith(b"new,row,here\n") and len(mirror.requests) == 3


def test_resume_after_interrupted_transfer_uses_range(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    mirror.handler.faults["/files.example.org/stock.csv"] = ["cut"]
    with pytest.raises(FetchError, match="run the command again to resume") as info:
        fetch("demo", registry=reg(src(sha256=SHA)), progress=False)
    assert "files.example.org/stock.csv" in str(info.value)
    part = tmp_path / "cache" / "stock.csv.part"
    half = len(PAYLOAD) // 2
    assert part.stat().st_size == half and not (tmp_path / "cache" / "stock.csv").exists()
    r = fetch_source("demo", registry=reg(src(sha256=SHA)), progress=False)
    assert mirror.requests[-1] == ("/files.example.org/stock.csv", f"bytes={half}-")
    assert r.status == "resumed" and r.checksum_origin == "registry" and r.path.read_bytes() == PAYLOAD
    assert not part.exists()


def test_server_ignoring_range_restarts_from_zero(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "stock.csv.part").write_bytes(b"garbage from an older attempt")
    (cache / "stock.csv.part.json").write_text(json.dumps({"url": "https://files.example.org/stock.csv"}))
    mirror.handler.faults["/files.example.org/stock.csv"] = ["ignore-range"]
    r = fetch_source("demo", registry=reg(src(sha256=SHA)), progress=False)
    assert mirror.requests[0][1] == "bytes=29-" and r.path.read_bytes() == PAYLOAD and r.status == "downloaded"


def test_checksum_mismatch_names_both_checksums_and_leaves_no_file(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    wrong = "0" * 64
    with pytest.raises(FetchError) as info:
        fetch("demo", registry=reg(src(sha256=wrong)), progress=False)
    msg = str(info.value)
    assert f"expected sha256 {wrong}" in msg and f"got {SHA}" in msg and "from the registry" in msg
    assert f"{mirror.base_url}/files.example.org/stock.csv" in msg and "deleted" in msg
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == []


def test_mismatch_keeps_previous_good_file(mirror, tmp_path):
    served = put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    fetch("demo", registry=reg(src(sha256=SHA)), progress=False)
    served.write_bytes(b"tampered")
    with pytest.raises(FetchError, match="Checksum mismatch"):
        fetch("demo", registry=reg(src(sha256=SHA)), progress=False, refresh=True)
    assert (tmp_path / "cache" / "stock.csv").read_bytes() == PAYLOAD


def test_redirect_is_followed_through_the_mirror_and_429_is_retried(mirror):
    stable = "https://www.data.gouv.fr/api/1/datasets/r/abc"
    put(mirror.root, "https://static.data.gouv.fr/resources/x/20261101/stock.csv", PAYLOAD)
    mirror.handler.faults["/www.data.gouv.fr/api/1/datasets/r/abc"] = [
        "429", "302 https://static.data.gouv.fr/resources/x/20261101/stock.csv"]
    r = fetch_source("demo", registry=reg(src(url=stable)), progress=False)
    assert r.path.read_bytes() == PAYLOAD
    assert paths_requested(mirror) == ["/www.data.gouv.fr/api/1/datasets/r/abc"] * 2 + [
        "/static.data.gouv.fr/resources/x/20261101/stock.csv"]


def test_http_error_names_the_url(mirror):
    with pytest.raises(FetchError, match=r"HTTP 404") as info:
        fetch("demo", registry=reg(src(url="https://files.example.org/missing.csv")), progress=False)
    assert "/files.example.org/missing.csv" in str(info.value)


def test_dest_receives_the_file(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    p = fetch("demo", dest=tmp_path / "raw", registry=reg(src()), progress=False)
    assert p == tmp_path / "raw" / "stock.csv" and p.read_bytes() == PAYLOAD
    fetch("demo", dest=tmp_path / "raw", registry=reg(src()), progress=False)
    assert len(mirror.requests) == 1


def test_progress_goes_to_stderr_with_bytes_and_total(mirror, capsys):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    fetch("demo", registry=reg(src()), progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "demo : 620,0 ko / 620,0 ko (100 %)" in captured.err


# --------------------------------------------------------------------------- data.gouv.fr resolver

DATASET = "5b7ffc618b4c4169d30727e0"
API = f"https://www.data.gouv.fr/api/1/datasets/{DATASET}/"


def _resource(rid, title, url, data, fmt="parquet", checksum="sha1", modified="2026-11-01T06:12:00"):
    value = hashlib.new(checksum, data).hexdigest() if checksum else None
    return {"id": rid, "title": title, "format": fmt, "url": url, "filesize": len(data), "last_modified": modified,
            "checksum": {"type": checksum, "value": value} if checksum else None}


def resolver_source(**kw):
    return src(**{"name": "stock", "access": "datagouv", "dataset": DATASET, "resource_id": "rid-ul",
                  "title_pattern": "StockUniteLegale du", "resource_format": "parquet",
                  "url": "https://www.data.gouv.fr/api/1/datasets/r/rid-ul",
                  "filename": "StockUniteLegale_utf8.parquet", **kw})


def test_datagouv_resolver_picks_the_resource_and_verifies_the_publisher_checksum(mirror, tmp_path):
    static = "https://static.data.gouv.fr/resources/base-sirene/20261101-061200/stockunitelegale_utf8.parquet"
    put(mirror.root, static, PAYLOAD)
    answer = {"id": DATASET, "resources": [
        _resource("rid-etab", "Sirene : Fichier StockEtablissement du 01 Novembre 2026 (format parquet)",
                  "https://static.data.gouv.fr/other.parquet", b"x"),
        _resource("rid-ul", "Sirene : Fichier StockUniteLegale du 01 Novembre 2026 (format parquet)", static, PAYLOAD),
    ]}
    put(mirror.root, API, json.dumps(answer))
    r = fetch_source("stock", registry=reg(resolver_source()), progress=False)
    assert paths_requested(mirror) == [f"/www.data.gouv.fr/api/1/datasets/{DATASET}/", "/" + layout_path(static)]
    assert r.path.read_bytes() == PAYLOAD and r.url == static and r.checksum_origin == "publisher-sha1"
    entry = read_manifest(tmp_path / "cache")["StockUniteLegale_utf8.parquet"]
    assert entry["resource_title"] == "Sirene : Fichier StockUniteLegale du 01 Novembre 2026 (format parquet)"
    assert entry["last_modified"] == "2026-11-01T06:12:00" and entry["resolved_from"] == API
    assert fetch_source("stock", registry=reg(resolver_source()), progress=False).status == "cached"
    assert len(mirror.requests) == 2  # a cache hit asks neither the API nor the file


def test_resolver_by_title_takes_the_latest_year_and_rejects_a_bad_publisher_checksum(mirror):
    answer = {"resources": [
        _resource("a", "decp-2024.json", "https://static.data.gouv.fr/r/decp-2024.json", b"[2024]", fmt="json"),
        _resource("b", "decp-2025.json", "https://static.data.gouv.fr/r/decp-2025.json", b"[2025]", fmt="json"),
        _resource("c", "decp.ocds.json", "https://static.data.gouv.fr/r/decp.ocds.json", b"[0]", fmt="json"),
        _resource("d", "decp-2026-03.json", "https://static.data.gouv.fr/r/decp-2026-03.json", b"[3]", fmt="json"),
    ]}
    put(mirror.root, API, json.dumps(answer))
    put(mirror.root, "https://static.data.gouv.fr/r/decp-2025.json", b"[2025]")
    minef = src(name="decp-minef", access="datagouv", dataset=DATASET, title_pattern=r"^decp-(\d{4})\.json$",
                resource_format="json", url=None, filename="decp.json")
    r = fetch_source("decp-minef", registry=reg(minef), progress=False)
    assert r.path.read_bytes() == b"[2025]" and r.url.endswith("decp-2025.json")
    put(mirror.root, "https://static.data.gouv.fr/r/decp-2025.json", b"[2025, tampered]")
    with pytest.raises(FetchError, match=r"expected sha1 .* \(from the publisher's API\), got "):
        fetch_source("decp-minef", registry=reg(minef), progress=False, refresh=True)


def test_resolver_falls_back_to_the_stable_url_when_the_api_fails(mirror, capsys):
    put(mirror.root, "https://www.data.gouv.fr/api/1/datasets/r/rid-ul", PAYLOAD)  # no dataset answer: 404
    r = fetch_source("stock", registry=reg(resolver_source()), progress=False)
    assert r.path.read_bytes() == PAYLOAD and r.checksum_origin == "recorded"
    assert any("résolution impossible" in n and "HTTP 404" in n for n in r.notes)


def test_resolver_without_a_match_lists_the_titles_seen(mirror):
    put(mirror.root, API, json.dumps({"resources": [_resource("z", "notice.pdf", "https://x.org/n.pdf", b"", fmt="pdf")]}))
    with pytest.raises(FetchError, match=r"No resource of data.gouv.fr dataset .* 'notice.pdf'"):
        fetch_source("stock", registry=reg(resolver_source(url=None)), progress=False)


# --------------------------------------------------------------------------- paginated API

SIAE_URL = "https://emplois.inclusion.beta.gouv.fr/api/v1/siaes/?departement={departement}&page_size=2&format=json"


def _pages(dep="93", n=5, size=2):
    recs = [{"siret": f"{i:014d}", "type": "ACI", "code_postal": f"{dep}200"} for i in range(n)]
    first = SIAE_URL.format(departement=dep)
    urls = [first] + [f"{first}&page={k}" for k in range(2, (n + size - 1) // size + 1)]
    for k, url in enumerate(urls):
        nxt = urls[k + 1] if k + 1 < len(urls) else None
        yield url, {"count": n, "next": nxt, "previous": urls[k - 1] if k else None, "results": recs[k * size:(k + 1) * size]}


def siae_source(**kw):
    return src(**{"name": "siae", "access": "paginated", "url": SIAE_URL, "filename": "siae-emplois.json",
                  "pagination": {"max_pages": 10, "min_interval": 0}, **kw})


def test_paginated_api_three_pages_into_one_file_with_resume_after_page_2_fails(mirror, tmp_path):
    pages = list(_pages())
    for url, body in pages:
        put(mirror.root, url, json.dumps(body))
    page2 = "/" + layout_path(pages[1][0]).replace("/index?", "/?")
    mirror.handler.faults[page2] = ["500"]
    with pytest.raises(FetchError, match=r"Page 2 of 'siae'.* HTTP 500"):
        fetch_source("siae", departement="93", registry=reg(siae_source()), progress=False)
    assert (tmp_path / "cache" / "siae-emplois-93.json.part.state.json").exists()
    assert len(mirror.requests) == 2
    r = fetch_source("siae", departement="93", registry=reg(siae_source()), progress=False)
    assert paths_requested(mirror)[2:] == [page2, page2.replace("page=2", "page=3")]  # page 1 not asked again
    data = json.loads(r.path.read_text())
    assert data["count"] == 5 and data["next"] is None
    assert [x["siret"] for x in data["results"]] == [f"{i:014d}" for i in range(5)]
    assert r.status == "resumed" and r.path.name == "siae-emplois-93.json"
    entry = read_manifest(tmp_path / "cache")["siae-emplois-93.json"]
    assert (entry["pages"], entry["records"], entry["departement"]) == (3, 5, "93")
    assert not list((tmp_path / "cache").glob("*.part*"))


def test_paginated_api_page_limit_and_progress(mirror, capsys):
    for url, body in _pages(n=5):
        put(mirror.root, url, json.dumps(body))
    with pytest.raises(FetchError, match=r"stopped after 2 pages \(4 records of 5\); raise pagination.max_pages"):
        fetch_source("siae", departement="93", registry=reg(siae_source(pagination={"max_pages": 2})), progress=True)
    assert "siae : page 2, 4 enregistrements sur 5" in capsys.readouterr().err


def test_source_published_per_departement_needs_one():
    with pytest.raises(FetchError, match=r"published per département only; give one with --departement"):
        fetch_source("siae", registry=reg(siae_source()), progress=False)
    with pytest.raises(FetchError, match=r"Invalid département code '9'"):
        fetch_source("siae", departement="9", registry=reg(siae_source()), progress=False)


def test_departement_filter_url_and_national_files(mirror, tmp_path):
    decp = src(name="decp", url="https://www.data.gouv.fr/api/1/datasets/r/decp-csv", filename="decp.csv",
               departement_url="https://tabular-api.data.gouv.fr/api/resources/decp-csv/data/csv/?titulaire_departement_code__exact={departement}")
    put(mirror.root, decp.departement_url.format(departement="93"), "uid,id\n1,a\n")
    r = fetch_source("decp", departement="93", registry=reg(decp), progress=False)
    assert r.path.name == "decp-93.csv" and r.path.read_text() == "uid,id\n1,a\n"
    assert paths_requested(mirror) == ["/tabular-api.data.gouv.fr/api/resources/decp-csv/data/csv/?titulaire_departement_code__exact=93"]
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    national = fetch_source("demo", departement="93", registry=reg(src(size=2_200_000_000)), progress=False)
    assert national.path.name == "stock.csv"
    assert any("fichier national" in n for n in national.notes) and any("2,2 Go" in n for n in national.notes)


# --------------------------------------------------------------------------- fetch all


def _three(mirror):
    put(mirror.root, "https://files.example.org/a.csv", "a\n1\n")
    put(mirror.root, "https://files.example.org/c.csv", "c\n3\n")
    return reg(src("a", "https://files.example.org/a.csv", filename="a.csv"),
               src("b", "https://files.example.org/b.csv", filename="b.csv"),
               src("c", "https://files.example.org/c.csv", filename="c.csv"),
               src("opt", "https://files.example.org/o.csv", filename="o.csv", required=False))


def test_fetch_all_continues_after_a_failure(mirror):
    results = fetch_all(registry=_three(mirror), progress=False)
    assert [(r.source, r.status) for r in results] == [("a", "downloaded"), ("b", "failed"), ("c", "downloaded")]
    assert "HTTP 404" in results[1].error and "/files.example.org/b.csv" in results[1].error


def test_fetch_all_command_summary_and_exit_code(mirror, tmp_path, monkeypatch, capsys):
    registry = {"registry_version": "test-2", "replace": True, "sources": {
        s.name: {k: v for k, v in vars(s).items() if k not in ("name", "registry_version")}
        for s in _three(mirror).values()}}
    for entry in registry["sources"].values():
        entry["columns"], entry["used_columns"], entry["pagination"] = [], [], {}
    overlay = tmp_path / "registry.yml"
    overlay.write_text(yaml.safe_dump(registry, allow_unicode=True))
    monkeypatch.setenv("ESSTOOLS_FETCH_REGISTRY", str(overlay))
    assert cli.main(["fetch", "all", "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "registre test-2" in out and "[téléchargé] a : a.csv (4 o)" in out
    assert "[MANQUANT] b : Download of 'b' from" in out and "HTTP 404" in out
    assert "Sources facultatives non demandées (ajouter --optional) : opt" in out
    assert "Bilan : 2 fichier(s) nécessaire(s) sur 3 présent(s)." in out and "Manquants : b." in out
    assert f"depuis https://files.example.org/a.csv" in out
    n = len(mirror.requests)
    put(mirror.root, "https://files.example.org/b.csv", "b\n2\n")
    assert cli.main(["fetch", "all", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "[en cache] a" in out and "[téléchargé] b" in out and "Bilan : 3 fichier(s) nécessaire(s) sur 3" in out
    assert paths_requested(mirror)[n:] == ["/files.example.org/b.csv"]  # cached files: no request
    assert cli.main(["fetch", "all", "--optional", "--quiet"]) == 0  # a failing optional source: still 0
    assert "[MANQUANT] opt [facultative]" in capsys.readouterr().out


# --------------------------------------------------------------------------- registry, mapping, CLI


def test_url_mapping_and_layout(monkeypatch):
    monkeypatch.setenv("ESSTOOLS_FETCH_BASE_URL", "http://127.0.0.1:8000/")
    assert rewrite("https://open.urssaf.fr/api/x/exports/csv?delimiter=%3B") == \
        "http://127.0.0.1:8000/open.urssaf.fr/api/x/exports/csv?delimiter=%3B"
    assert rewrite("http://127.0.0.1:8000/a/b") == "http://127.0.0.1:8000/a/b"
    assert layout_path("https://emplois.inclusion.beta.gouv.fr/api/v1/siaes/?departement=93") == \
        "emplois.inclusion.beta.gouv.fr/api/v1/siaes/index?departement=93"
    monkeypatch.delenv("ESSTOOLS_FETCH_BASE_URL")
    assert rewrite("https://a.org/b") == "https://a.org/b"


def test_without_a_mirror_the_real_network_would_be_used_and_the_guard_stops_it(monkeypatch, tmp_path):
    monkeypatch.delenv("ESSTOOLS_FETCH_BASE_URL", raising=False)
    with pytest.raises(AssertionError, match="test tried to resolve 'etalab-datasets.geo.data.gouv.fr'"):
        fetch("departements-geometry", cache=tmp_path, progress=False)


def test_env_url_override(mirror, monkeypatch):
    put(mirror.root, "https://elsewhere.org/copy.csv", PAYLOAD)
    monkeypatch.setenv("ESSTOOLS_FETCH_URL_DEMO", "https://elsewhere.org/copy.csv")
    assert fetch("demo", registry=reg(src()), progress=False).read_bytes() == PAYLOAD


def test_registry_entries_are_complete():
    sources = load_registry(overlay="")
    needed = {"sirene-etablissements", "sirene-unites-legales", "urssaf-ess-departements", "decp", "siae-directory",
              "ratios-financiers", "communes-geometry", "departements-geometry"}
    assert {n for n, s in sources.items() if s.required} == needed
    assert {"decp-minef-json", "ess-france-list", "epci-geometry"} <= set(sources)
    for s in sources.values():
        assert s.registry_version == "2026-11-29.1" and s.licence and s.used_for and s.updates and s.evidence
        assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", s.verified), s.name
        assert s.confidence.split()[0] in ("HIGH", "MEDIUM", "LOW"), s.name
        assert s.url or (s.access == "datagouv" and s.title_pattern), s.name
        assert all(u.startswith("https://") for u in (s.url, s.departement_url, s.page) if u), s.name
        assert s.columns and set(s.used_columns) <= set(s.columns), s.name
    assert len(sources["sirene-etablissements"].columns) == 54 and len(sources["sirene-unites-legales"].columns) == 35
    assert len(sources["decp"].columns) == 58
    assert re.fullmatch(r"[0-9a-f]{64}", sources["communes-geometry"].sha256)
    assert sources["siae-directory"].needs_departement and sources["decp"].departement_url


def test_docstring_lists_every_source_with_its_evidence_date():
    doc = fetch_mod.__doc__
    for name, s in fetch_mod.SOURCES.items():
        row = next(line for line in doc.splitlines() if line.startswith(name))
        assert s.verified in row, name
    assert "None was tested live" in doc and fetch_mod.REGISTRY_VERSION in doc


def test_registry_overlay_changes_fields_and_rejects_unknown_ones(tmp_path):
    overlay = tmp_path / "o.yml"
    overlay.write_text("sources:\n  communes-geometry: {sha256: null, required: false}\n")
    sources = load_registry(overlay=overlay)
    assert sources["communes-geometry"].sha256 is None and not sources["communes-geometry"].required
    assert sources["communes-geometry"].registry_version == "2026-11-29.1+overlay"
    overlay.write_text("sources:\n  decp: {sha265: abc}\n")
    with pytest.raises(FetchError, match=r"source 'decp' has unknown field\(s\) \['sha265'\]"):
        load_registry(overlay=overlay)


def test_cli_list_and_errors(capsys):
    assert fetch_cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "siae-directory (nécessaire)" in out and "non testé en ligne" in out and "2026-08-20" in out
    assert fetch_cli.main(["nope", "--quiet"]) == 1
    assert "Unknown source 'nope'; available sources are:" in capsys.readouterr().err
    assert fetch_cli.main(["all", "--url", "https://x.org/y"]) == 1
    assert "--url applies to one named source" in capsys.readouterr().err


def test_gzip_geojson_round_trip_keeps_bytes(mirror):
    data = gzip.compress(b'{"type":"FeatureCollection","features":[]}', mtime=0)
    put(mirror.root, "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2026/geojson/epci-100m.geojson.gz", data)
    p = fetch("epci-geometry", progress=False)
    assert p.name == "epci-100m-2026.geojson.gz" and gzip.decompress(p.read_bytes()).startswith(b'{"type"')


def test_readme_section_names_every_source_and_its_evidence_date():
    from esstools.paths import REPO_ROOT

    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Données réelles : télécharger", 1)[1].split("\n## ", 1)[0]
    for name, s in fetch_mod.SOURCES.items():
        assert f"`{name}`" in section and s.verified in section, name
    assert "make data" in section and "No URL was tested live" in section


def test_stale_part_longer_than_the_file_restarts_after_416(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "stock.csv.part").write_bytes(PAYLOAD + b"extra")
    (cache / "stock.csv.part.json").write_text(json.dumps({"url": "https://files.example.org/stock.csv"}))
    r = fetch_source("demo", registry=reg(src(sha256=SHA)), progress=False)
    assert [rng for _, rng in mirror.requests] == [f"bytes={len(PAYLOAD) + 5}-", None]
    assert r.path.read_bytes() == PAYLOAD and r.checksum_origin == "registry"


def test_file_placed_by_hand_is_accepted_only_if_it_matches_a_pinned_checksum(mirror, tmp_path):
    put(mirror.root, "https://files.example.org/stock.csv", PAYLOAD)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "stock.csv").write_bytes(b"my own copy")
    r = fetch_source("demo", registry=reg(src()), progress=False)  # nothing pinned: the copy is kept and recorded
    assert r.status == "cached" and not mirror.requests and r.sha256 == hashlib.sha256(b"my own copy").hexdigest()
    assert read_manifest(cache)["stock.csv"]["note"].startswith("fichier trouvé dans le cache")
    (cache / "manifest.json").unlink()
    r = fetch_source("demo", registry=reg(src(sha256=SHA)), progress=False)  # pinned: replaced by the real file
    assert r.status == "downloaded" and r.path.read_bytes() == PAYLOAD


def test_describe_gives_the_registry_entry():
    entry = fetch_mod.describe("siae-directory")
    assert entry["url"].startswith("https://emplois.inclusion.beta.gouv.fr/api/v1/siaes/?departement={departement}")
    assert "siret" in entry["used_columns"] and entry["registry_version"] == fetch_mod.REGISTRY_VERSION
