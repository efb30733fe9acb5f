"""A minimal Chrome DevTools Protocol client for headless Debian Chromium (``websocket-client``).

Starts ``chromium --headless --no-sandbox`` with remote debugging on 127.0.0.1 and a new,
empty profile, opens pages, evaluates JavaScript, takes screenshots and prints PDFs.
Used by ``esstools run --pdf`` and by the browser test. Never touches the network
beyond 127.0.0.1 (background networking, component updates and sync are disabled; the
reports load no external resource).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0", "--window-size=1280,1600",
]


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable on PATH, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium and one page, driven over the DevTools protocol."""

    def __init__(self, executable: str, timeout: float = 60):
        import websocket

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="esstools-chromium-")
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + timeout
        while not port_file.exists() or not port_file.read_text().strip():
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = port_file.read_text().splitlines()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True)
        self.ids = itertools.count(1)
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def goto(self, url: str, timeout: float | None = None) -> None:
        self.send("Page.navigate", url=url)
        deadline = time.time() + (timeout or self.timeout)
        while time.time() < deadline:
            if self.eval("document.readyState") == "complete":
                return
            time.sleep(0.1)
        raise TimeoutError(f"page {url} did not finish loading")

    def eval(self, expression: str):
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"JS error: {res['exceptionDetails']}")
        return res["result"].get("value")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        _write_atomic(path, base64.b64decode(data))

    def print_pdf(self, path: Path, footer_html: str) -> None:
        """Print the current page to ``path``: A4 (CSS ``@page`` wins), backgrounds, footer template."""
        data = self.send(
            "Page.printToPDF", printBackground=True, preferCSSPageSize=True,
            paperWidth=8.27, paperHeight=11.69, marginTop=0.6, marginBottom=0.7, marginLeft=0.55, marginRight=0.55,
            displayHeaderFooter=True, headerTemplate="<div></div>", footerTemplate=footer_html,
        )["data"]
        _write_atomic(path, base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, 9)
                except OSError:
                    pass
        shutil.rmtree(self.profile, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    from ..atomic import write_bytes

    write_bytes(path, data)
