"""A local mirror of the publishers, in the registry layout, served on 127.0.0.1.

Layout: the file answering ``https://<host>/<path>?<query>`` is ``<root>/<host>/<path>``,
with ``index`` appended when the path ends with ``/`` and ``?<query>`` appended (verbatim)
when the URL has a query; a file without the ``?<query>`` suffix answers any query. E.g.::

    <root>/www.data.gouv.fr/api/1/datasets/r/350182c9-148a-46e0-8389-76c2ec1374a3
    <root>/emplois.inclusion.beta.gouv.fr/api/v1/siaes/index?departement=93&page_size=1000&format=json

With ``ESSTOOLS_FETCH_BASE_URL=http://127.0.0.1:<port>`` every request of ``esstools fetch``
goes to this server. Use it for tests, or to serve files downloaded elsewhere to a machine
without Internet access: ``python -m esstools.fetch.mirror ROOT [--port 8000]``.
Single-range ``Range: bytes=N-`` requests are honoured (206), so resumption can be tested.
"""

from __future__ import annotations

import argparse
import http.server
import threading
import urllib.parse
from pathlib import Path

__all__ = ["layout_path", "MirrorHandler", "Mirror", "main"]


def layout_path(url: str) -> str:
    """Relative path of the mirror file answering ``url`` (see the module docstring)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index"
    rel = parts.netloc + path
    return rel + (f"?{parts.query}" if parts.query else "")


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """GET handler of :class:`Mirror`; ``requests`` (class attribute) records (path, Range)."""

    root: Path = Path(".")
    requests: list = []

    def log_message(self, *args):  # quiet
        pass

    def find(self) -> Path | None:
        """The file answering the request path, or None."""
        raw_path, _, query = self.path.partition("?")
        path = urllib.parse.unquote(raw_path).lstrip("/")
        if path.endswith("/") or not path:
            path += "index"
        candidates = ([f"{path}?{urllib.parse.unquote(query)}", f"{path}?{query}"] if query else []) + [path]
        root = self.root.resolve()
        for rel in candidates:
            p = (root / rel).resolve()
            if root in p.parents and p.is_file():
                return p
        return None

    def do_GET(self):  # noqa: N802
        type(self).requests.append((self.path, self.headers.get("Range")))
        path = self.find()
        if path is None:
            self.send_error(404, "not in the mirror")
            return
        self.send_file(path.read_bytes())

    def send_file(self, data: bytes) -> None:
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = data[start:]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            body = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)


class Mirror:
    """Threaded HTTP server on 127.0.0.1 serving ``root`` in the registry layout.

    Use as a context manager; ``base_url`` is what ``ESSTOOLS_FETCH_BASE_URL`` must be and
    ``requests`` lists the (path, Range header) of every request received.
    """

    def __init__(self, root, port: int = 0, handler: type[MirrorHandler] = MirrorHandler) -> None:
        self.root = Path(root)
        self.handler = type("Handler", (handler,), {"root": self.root, "requests": []})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), self.handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def requests(self) -> list:
        return self.handler.requests

    def __enter__(self) -> "Mirror":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - manual use
    """``python -m esstools.fetch.mirror ROOT [--port N]``: serve a mirror until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m esstools.fetch.mirror", description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    with Mirror(args.root, args.port) as mirror:
        print(f"ESSTOOLS_FETCH_BASE_URL={mirror.base_url}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
