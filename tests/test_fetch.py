"""`esstools fetch` against a local HTTP server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import hashlib
import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from esstools import fetch as fetch_mod
from esstools.errors import FetchError
from esstools.fetch import Source, fetch

PAYLOAD = (b"siren,nic,siret\n" + b"775665912,00017,77566591200017\n" * 20000)  # ~600 kB
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static file server that records requests and honours single Range requests."""

    log: list = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # noqa: N802
        type(self).log.append((self.path, self.headers.get("Range")))
        path = Path(self.directory) / self.path.lstrip("/")
        if not path.exists():
            self.send_error(404)
            return
        data = path.read_bytes()
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.end_headers()
                return
            body = data[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "stock.csv").write_bytes(PAYLOAD)
    handler = type("H", (_Handler,), {"log": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.log, root
    httpd.shutdown()
    httpd.server_close()


def _registry(base: str, sha: str | None = SHA, name: str = "stock.csv") -> dict:
    return {"demo": Source("demo", f"{base}/{name}", "stock.csv", "test file", "Licence Ouverte", sha256=sha)}


def test_download_then_cache_hit(server, tmp_path):
    base, log, _ = server
    cache = tmp_path / "cache"
    p = fetch("demo", registry=_registry(base), cache=cache, progress=False)
    assert p == cache / "stock.csv" and p.read_bytes() == PAYLOAD
    assert len(log) == 1 and log[0] == ("/stock.csv", None)
    assert not (cache / "stock.csv.part").exists()
    p2 = fetch("demo", registry=_registry(base), cache=cache, progress=False)
    assert p2 == p and len(log) == 1  # cache hit: no request


def test_checksum_recorded_for_monthly_files(server, tmp_path):
    base, log, root = server
    cache = tmp_path / "cache"
    fetch("demo", registry=_registry(base, sha=None), cache=cache, progress=False)
    import json

    manifest = json.loads((cache / "manifest.json").read_text())
    assert manifest["stock.csv"]["sha256"] == SHA and manifest["stock.csv"]["size"] == len(PAYLOAD)
    fetch("demo", registry=_registry(base, sha=None), cache=cache, progress=False)
    assert len(log) == 1
    # a corrupted cached copy no longer matches the recorded checksum -> downloaded again
    (cache / "stock.csv").write_bytes(b"corrupted")
    fetch("demo", registry=_registry(base, sha=None), cache=cache, progress=False)
    assert len(log) == 2 and (cache / "stock.csv").read_bytes() == PAYLOAD
    # refresh: new monthly version on the server
    (root / "stock.csv").write_bytes(PAYLOAD + b"new,row,here\n")
    fetch("demo", registry=_registry(base, sha=None), cache=cache, progress=False, refresh=True)
    assert (cache / "stock.csv").read_bytes().endswith(b"new,row,here\n") and len(log) == 3


def test_checksum_mismatch_removes_download(server, tmp_path):
    base, log, _ = server
    cache = tmp_path / "cache"
    wrong = "0" * 64
    with pytest.raises(FetchError) as info:
        fetch("demo", registry=_registry(base, sha=wrong), cache=cache, progress=False)
    msg = str(info.value)
    assert f"{base}/stock.csv" in msg and wrong in msg and SHA in msg and "expected" in msg
    assert not (cache / "stock.csv").exists() and not (cache / "stock.csv.part").exists()


def test_mismatch_keeps_previous_good_file(server, tmp_path):
    base, log, root = server
    cache = tmp_path / "cache"
    fetch("demo", registry=_registry(base), cache=cache, progress=False)
    (cache / "stock.csv").write_bytes(b"damaged copy")  # cached copy corrupt, server now serves bad bytes
    (root / "stock.csv").write_bytes(b"tampered")
    with pytest.raises(FetchError, match="Checksum mismatch"):
        fetch("demo", registry=_registry(base), cache=cache, progress=False)
    assert (cache / "stock.csv").read_bytes() == b"damaged copy"  # not replaced by the bad download
    assert not (cache / "stock.csv.part").exists()


def test_resume_uses_range_request(server, tmp_path):
    base, log, _ = server
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "stock.csv.part").write_bytes(PAYLOAD[:123_456])
    p = fetch("demo", registry=_registry(base), cache=cache, progress=False)
    assert log == [("/stock.csv", "bytes=123456-")]
    assert p.read_bytes() == PAYLOAD and not (cache / "stock.csv.part").exists()


def test_dest_receives_the_file(server, tmp_path):
    base, log, _ = server
    dest = tmp_path / "raw"
    p = fetch("demo", dest=dest, registry=_registry(base), cache=tmp_path / "cache", progress=False)
    assert p == dest / "stock.csv" and p.read_bytes() == PAYLOAD
    fetch("demo", dest=dest, registry=_registry(base), cache=tmp_path / "cache", progress=False)
    assert len(log) == 1


def test_unknown_source_lists_sources():
    with pytest.raises(FetchError) as info:
        fetch("sirene", progress=False)
    msg = str(info.value)
    assert "Unknown source 'sirene'" in msg
    for name in fetch_mod.SOURCES:
        assert name in msg


def test_http_error_and_unverified_url(server, tmp_path):
    base, log, _ = server
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("demo", registry=_registry(base, name="missing.csv"), cache=tmp_path / "c", progress=False)
    with pytest.raises(FetchError, match="--url"):
        fetch("decp", cache=tmp_path / "c", progress=False)
    assert not list((tmp_path / "c").glob("*.part"))


def test_url_override_and_progress_on_stderr(server, tmp_path, capsys, monkeypatch):
    base, log, _ = server
    monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path / "envcache"))
    reg = {"demo": Source("demo", "http://127.0.0.1:9/never", "stock.csv", "d", "l", url_verified=False)}
    p = fetch("demo", registry=reg, url=f"{base}/stock.csv", progress=True)
    assert p == tmp_path / "envcache" / "stock.csv"
    captured = capsys.readouterr()
    assert captured.out == "" and "stock.csv" in captured.err


def test_registry_and_cli(capsys):
    assert {"sirene-etablissements", "sirene-unites-legales", "urssaf-ess-departements", "decp",
            "ratios-financiers", "siae-directory", "communes-geometry", "ess-france-list"} <= set(fetch_mod.SOURCES)
    for src in fetch_mod.SOURCES.values():
        assert src.url.startswith("https://") and src.licence and src.description
    assert fetch_mod.main(["list"]) == 0
    assert "sirene-etablissements" in capsys.readouterr().out
    assert fetch_mod.main(["nope", "--quiet"]) == 1
    assert "Unknown source 'nope'" in capsys.readouterr().err
