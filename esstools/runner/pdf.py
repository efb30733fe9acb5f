"""Print the HTML reports to PDF with headless Chromium (A4, page numbers, tables not cut).

The reports carry the print rules in their CSS (``@page { size: A4 }``, table headers
repeated on each page, rows and charts never split: see ``worker.PRINT_CSS``);
Chromium adds a footer with the report title and "page N / M". One browser prints
every report of a run; a reused report keeps its PDF when its HTML did not change.
"""

from __future__ import annotations

import html as html_mod
import re
from pathlib import Path
from typing import Callable

from .chromium import Browser, find_chromium

__all__ = ["find_chromium", "print_reports", "pdf_pages", "MISSING", "MISSING_NOTICE"]

MISSING = ("PDF requested (--pdf) but Chromium is not installed: install it with "
           "`apt-get install chromium` (Debian/Ubuntu), or run without --pdf.")
MISSING_NOTICE = "PDF : non produits, Chromium est absent — `apt-get install chromium` pour les obtenir."
A4_POINTS = (595.0, 842.0)

_PAGE_RE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_MEDIABOX_RE = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def pdf_pages(path: str | Path) -> tuple[int, list[tuple[float, float]]]:
    """Number of pages of a PDF written by Chromium, and the sizes (points) of its MediaBoxes."""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-"):
        return 0, []
    sizes = [(float(m[3]) - float(m[1]), float(m[4]) - float(m[2])) for m in _MEDIABOX_RE.finditer(data)]
    return len(_PAGE_RE.findall(data)), sizes


def footer(title: str) -> str:
    """Chromium footer template: the report title and "page N / M" (French)."""
    return ("<div style='font-size:7.5pt;font-family:sans-serif;color:#555;width:100%;padding:0 14mm;"
            "display:flex;justify-content:space-between'>"
            f"<span>{html_mod.escape(title)}</span>"
            "<span>page <span class='pageNumber'></span> / <span class='totalPages'></span></span></div>")


def print_reports(records, staging: Path, output_dir: Path, chromium: str, hasher, progress,
                  check: Callable[[], None] = lambda: None) -> None:
    """Write ``<run>.pdf`` into ``staging`` for every record with an HTML report (reused PDFs are kept)."""
    todo = []
    for r in records:
        if not r.html:
            continue
        source = staging / r.html if (staging / r.html).exists() else output_dir / r.html
        digest = hasher.file(source)
        if digest is None:
            continue
        name = f"{r.run_id}.pdf"
        made = (r.cache or {}).get("pdf") or {}
        if r.reused and r.pdf == name and made.get("source") == digest and hasher.file(output_dir / name) == made.get("sha"):
            continue
        todo.append((r, source, digest, name))
    if not todo:
        return
    progress.say(f"PDF : impression de {len(todo)} rapport(s) avec Chromium…")
    browser = Browser(chromium)
    try:
        for r, source, digest, name in todo:
            check()
            target = staging / name
            browser.goto(source.resolve().as_uri())
            browser.print_pdf(target, footer(r.title or r.run_id))
            r.pdf = name
            r.pdf_pages = pdf_pages(target)[0]
            r.cache = dict(r.cache or {}, pdf={"source": digest, "sha": hasher.file(target)})
            progress.say(f"  {name} : {r.pdf_pages} page(s)")
    finally:
        browser.close()
