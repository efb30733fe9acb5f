"""HTTP transfers for ``esstools fetch``: URL mapping to a local mirror, resumable downloads, JSON pages.

Only the standard library (``urllib``) is used; nothing happens at import time.

Mirror mapping (``ESSTOOLS_FETCH_BASE_URL``): every URL ``https://<host>/<path>?<query>``
— including redirect targets and URLs returned by an API (resolved resources, ``next``
links) — is requested as ``<base>/<host>/<path>?<query>``, so a local server holding the
registry layout (see :mod:`esstools.fetch.mirror`) answers instead of the publishers.
``ESSTOOLS_FETCH_URL_<NAME>`` (name upper-cased, ``-`` → ``_``) replaces one source's URL.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError

__all__ = ["base_url", "rewrite", "open_url", "get_json", "download", "Download", "Progress", "fmt_bytes"]

CHUNK = 1 << 20
USER_AGENT = "esstools-fetch/0.2 (research toolkit for the social and solidarity economy)"
MAX_RETRY_AFTER = 120.0
LARGE_FILE = 500_000_000  # bytes; above this a size warning is printed


def base_url() -> str | None:
    """The mirror base URL (``ESSTOOLS_FETCH_BASE_URL``) without trailing slash, or None."""
    value = os.environ.get("ESSTOOLS_FETCH_BASE_URL", "").strip()
    return value.rstrip("/") or None


def rewrite(url: str) -> str:
    """Map a publisher URL to the mirror when ``ESSTOOLS_FETCH_BASE_URL`` is set (else unchanged)."""
    base = base_url()
    if base is None or url.startswith(base + "/"):
        return url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return f"{base}/{parts.netloc}{parts.path or '/'}{query}"


def fmt_bytes(n: float | None) -> str:
    """Size in French units: ``fmt_bytes(2.2e9) == "2,2 Go"`` (decimal units)."""
    if n is None:
        return "taille inconnue"
    for unit, scale in (("Go", 1e9), ("Mo", 1e6), ("ko", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".", ",")
    return f"{int(n)} o"


class Progress:
    """Progress lines on stderr, at most one per second (bytes/total or pages)."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled, self.label = enabled, label
        self._last, self._said = 0.0, None

    def say(self, message: str, force: bool = False) -> None:
        if not self.enabled or message == self._said:
            return
        now = time.monotonic()
        if not force and now - self._last < 1.0:
            return
        self._last, self._said = now, message
        print(f"{self.label} : {message}", file=sys.stderr, flush=True)

    def bytes(self, done: int, total: int | None, force: bool = False) -> None:
        if total:
            self.say(f"{fmt_bytes(done)} / {fmt_bytes(total)} ({100 * done / total:.0f} %)", force)
        else:
            self.say(fmt_bytes(done), force)


class _RewritingRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects through the mirror mapping (a mirror never sends us to the Internet)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return super().redirect_request(req, fp, code, msg, headers, rewrite(newurl))


_OPENER = urllib.request.build_opener(_RewritingRedirect)


def open_url(url: str, *, timeout: float, headers: dict | None = None, retries: int = 3):
    """Open ``url`` (mirror-mapped); HTTP 429/503 honour ``Retry-After`` (at most ``retries`` times).

    Raises :class:`FetchError` naming the URL for HTTP and network errors; returns the response.
    """
    target = rewrite(url)
    req = urllib.request.Request(target, headers={"User-Agent": USER_AGENT, **(headers or {})})
    for attempt in range(retries + 1):
        try:
            return _OPENER.open(req, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (429, 503) and attempt < retries:
                wait = _retry_after(exc.headers.get("Retry-After"))
                print(f"{target} : HTTP {exc.code}, nouvel essai dans {wait:.0f} s", file=sys.stderr, flush=True)
                time.sleep(wait)
                continue
            raise
        except (urllib.error.URLError, OSError) as exc:
            raise FetchError(
                f"Request to {target} failed: {getattr(exc, 'reason', exc)}. "
                "Check the network connection (esstools needs it only for `esstools fetch`)."
            ) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float:
    if not value:
        return 10.0
    try:
        return min(MAX_RETRY_AFTER, max(0.0, float(value)))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return min(MAX_RETRY_AFTER, max(0.0, when.timestamp() - time.time()))


def http_error(url: str, exc: urllib.error.HTTPError, what: str) -> FetchError:
    """A FetchError for an HTTP error answer."""
    return FetchError(f"{what} from {rewrite(url)} failed: HTTP {exc.code} {exc.reason}.")


def get_json(url: str, *, timeout: float, what: str):
    """GET ``url`` and decode its JSON body (FetchError naming the URL otherwise)."""
    try:
        with open_url(url, timeout=timeout, headers={"Accept": "application/json"}) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        raise http_error(url, exc, what) from exc
    except (OSError, http.client.HTTPException) as exc:  # connection dropped while reading
        raise FetchError(f"{what} from {rewrite(url)} was interrupted: {exc}.") from exc
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FetchError(f"{what} from {rewrite(url)} is not valid JSON ({exc}); first bytes: {body[:80]!r}.") from exc


@dataclass
class Download:
    """What :func:`download` did: final URL, size, bytes resumed, server validators."""

    url: str
    size: int
    resumed_from: int
    last_modified: str | None
    etag: str | None


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def download(url: str, part: Path, *, label: str, progress: bool, timeout: float, warn_large: bool = True) -> Download:
    """Download ``url`` into ``part``, continuing an existing ``part`` with an HTTP Range request.

    The ``.part`` file keeps what arrived when the transfer breaks (FetchError saying to run
    again). A resumed transfer sends ``If-Range`` with the first answer's ETag/Last-Modified,
    so a file changed on the server restarts from zero; so does a 200 answer or an HTTP 416.
    """
    meta_path = _meta_path(part)
    meta = _read_meta(meta_path)
    start = part.stat().st_size if part.exists() else 0
    if start and meta.get("url") != url:  # a .part of another URL (e.g. last month's file)
        part.unlink()
        start = 0
    headers = {}
    if start:
        headers["Range"] = f"bytes={start}-"
        validator = meta.get("etag") or meta.get("last_modified")
        if validator:
            headers["If-Range"] = validator
    try:
        resp = open_url(url, timeout=timeout, headers=headers)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # range not satisfiable: stale .part, restart once
            part.unlink()
            meta_path.unlink(missing_ok=True)
            return download(url, part, label=label, progress=progress, timeout=timeout, warn_large=warn_large)
        raise http_error(url, exc, f"Download of '{label}'") from exc
    with resp:
        status = getattr(resp, "status", 200)
        if status != 206:
            start = 0
        length = resp.headers.get("Content-Length")
        total = int(length) + start if length and length.isdigit() else None
        info = Download(resp.geturl(), 0, start, resp.headers.get("Last-Modified"), resp.headers.get("ETag"))
        if start == 0:
            _write_meta(meta_path, {"url": url, "etag": info.etag, "last_modified": info.last_modified})
        bar = Progress(progress, label)
        if warn_large and total and total > LARGE_FILE:
            bar.say(f"fichier volumineux ({fmt_bytes(total)})", force=True)
        if start:
            bar.say(f"reprise du téléchargement à {fmt_bytes(start)}", force=True)
        done = start
        try:
            with open(part, "ab" if start else "wb") as fh:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    fh.write(chunk)
                    done += len(chunk)
                    bar.bytes(done, total)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                f"Download of '{label}' from {rewrite(url)} was interrupted after {done} bytes ({exc}); "
                f"run the command again to resume from '{part}'."
            ) from exc
        bar.bytes(done, total, force=True)
    if total is not None and done != total:
        raise FetchError(
            f"Download of '{label}' from {rewrite(url)} is incomplete: {done} of {total} bytes; "
            f"run the command again to resume from '{part}'."
        )
    meta_path.unlink(missing_ok=True)
    info.size = done
    return info


def _read_meta(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_meta(path: Path, meta: dict) -> None:
    path.write_text(json.dumps(meta), encoding="utf-8")
