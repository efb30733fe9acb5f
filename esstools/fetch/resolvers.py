"""Resolvers: which URL to download for a source, and paginated APIs gathered into one file.

* :func:`resolve` — ``direct`` and ``paginated`` sources give their URL; ``datagouv``
  sources ask ``https://www.data.gouv.fr/api/1/datasets/<id>/`` and pick a resource: the
  registry's ``resource_id`` when still listed, else the resources whose title matches
  ``title_pattern`` (and whose format is ``resource_format``), the highest first group of
  the pattern (e.g. the latest year) or else the latest ``last_modified``. The resource's
  ``url``, ``checksum``, ``filesize`` and ``last_modified`` are kept. If the API cannot be
  reached and the source has a stable ``url`` (a ``/datasets/r/<rid>`` redirect), that
  URL is used instead (without the publisher's checksum) and the summary says so.
* :func:`fetch_pages` — follows ``next`` links (Django REST framework
  ``{"count", "next", "previous", "results"}``) into ONE JSON file with the same envelope,
  saving its cursor after each page (``<file>.state.json`` + ``<file>.part.jsonl``) so an
  interrupted run resumes at the page that failed; stops with FetchError past ``max_pages``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_text
from ..errors import FetchError
from . import transfer
from .registry import Source

__all__ = ["Resolved", "resolve", "pick_resource", "fetch_pages", "DATAGOUV_DATASET_API"]

DATAGOUV_DATASET_API = "https://www.data.gouv.fr/api/1/datasets/{dataset}/"


@dataclass
class Resolved:
    """The URL to download and what the publisher says about it."""

    url: str
    title: str | None = None
    checksum: dict | None = None
    size: int | None = None
    last_modified: str | None = None
    resolved_from: str | None = None
    note: str | None = None


def resolve(src: Source, departement: str | None, *, timeout: float) -> Resolved:
    """Resolve ``src`` (for ``departement`` when it filters by département) to a download URL."""
    url = src.request_url(departement)
    if src.access != "datagouv" or (departement is not None and src.departement_url):
        return Resolved(url=url, size=src.size)
    api = DATAGOUV_DATASET_API.format(dataset=src.dataset)
    try:
        data = transfer.get_json(api, timeout=timeout, what=f"Resolution of '{src.name}' (data.gouv.fr dataset API)")
        resource, note = pick_resource(data, src, api)
    except FetchError as exc:
        if not src.url:
            raise
        note = f"résolution impossible ({exc}) ; URL stable utilisée sans somme de contrôle de l'éditeur"
        return Resolved(url=src.url, size=src.size, note=note)
    size = resource.get("filesize")
    return Resolved(
        url=resource["url"],
        title=resource.get("title"),
        checksum=resource.get("checksum") if isinstance(resource.get("checksum"), dict) else None,
        size=int(size) if isinstance(size, (int, float)) else src.size,
        last_modified=resource.get("last_modified"),
        resolved_from=api,
        note=note,
    )


def pick_resource(data, src: Source, api: str) -> tuple[dict, str | None]:
    """The resource of a data.gouv.fr dataset answer chosen by the rules of :func:`resolve`."""
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        raise FetchError(f"The answer of {transfer.rewrite(api)} has no 'resources' list (source '{src.name}').")
    resources = [r for r in resources if isinstance(r, dict) and r.get("url")]
    if src.resource_id:
        for r in resources:
            if r.get("id") == src.resource_id:
                return r, None
    pattern = re.compile(src.title_pattern) if src.title_pattern else None
    fmt = (src.resource_format or "").lower()
    found = [
        r for r in resources
        if (pattern is None or pattern.search(str(r.get("title") or "")))
        and (not fmt or str(r.get("format") or "").lower() == fmt)
    ]
    if not found:
        titles = ", ".join(repr(r.get("title")) for r in resources[:12]) or "none"
        raise FetchError(
            f"No resource of data.gouv.fr dataset {src.dataset} matches source '{src.name}' "
            f"(id {src.resource_id!r}, title /{src.title_pattern}/, format {src.resource_format!r}); "
            f"resources listed by {transfer.rewrite(api)}: {titles}."
        )

    def key(r):
        m = pattern.search(str(r.get("title") or "")) if pattern is not None and pattern.groups else None
        group = m.group(1) if m else ""
        return (int(group) if group.isdigit() else 0, group, str(r.get("last_modified") or ""))

    chosen = max(found, key=key)
    note = None
    if src.resource_id:
        note = f"ressource {src.resource_id} absente du jeu ; choisie par son titre : {chosen.get('title')!r} (id {chosen.get('id')})"
    return chosen, note


def _dig(data, dotted: str):
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def fetch_pages(src: Source, first_url: str, part: Path, *, progress: bool, timeout: float) -> dict:
    """Gather every page of a paginated API into ``part`` (JSON envelope); resumable.

    Returns ``{"pages", "records", "resumed_from_page"}``. Pagination settings come from
    ``src.pagination``: ``results`` (key of the records, default ``results``), ``next``
    (key of the next-page URL, dotted, default ``next``), ``count`` (default ``count``),
    ``max_pages`` (default 100) and ``min_interval`` (seconds between requests, skipped
    when a local mirror is used).
    """
    cfg = src.pagination
    results_key, next_key = cfg.get("results", "results"), cfg.get("next", "next")
    count_key, max_pages = cfg.get("count", "count"), int(cfg.get("max_pages", 100))
    interval = 0.0 if transfer.base_url() else float(cfg.get("min_interval", 0.0))
    state_path = part.with_name(part.name + ".state.json")
    rows_path = part.with_name(part.name + ".jsonl")
    state = _read_state(state_path)
    if state.get("first_url") == first_url and rows_path.exists() and rows_path.stat().st_size >= state.get("bytes", 0):
        with open(rows_path, "r+b") as fh:  # drop rows written after the last saved cursor
            fh.truncate(state["bytes"])
        resumed = state["pages"]
    else:
        state = {"first_url": first_url, "next": first_url, "pages": 0, "records": 0, "count": None, "bytes": 0}
        rows_path.write_bytes(b"")
        resumed = 0
    bar = transfer.Progress(progress, src.name)
    if resumed:
        bar.say(f"reprise à la page {resumed + 1} ({state['records']} enregistrements déjà reçus)", force=True)
    last = 0.0
    while state["next"]:
        if state["pages"] >= max_pages:
            raise FetchError(
                f"Source '{src.name}': stopped after {max_pages} pages ({state['records']} records"
                + (f" of {state['count']}" if state["count"] is not None else "")
                + "); raise pagination.max_pages in a registry overlay (ESSTOOLS_FETCH_REGISTRY) and run again to continue."
            )
        wait = interval - (time.monotonic() - last)
        if last and wait > 0:
            time.sleep(wait)
        last = time.monotonic()
        page_url = state["next"]
        data = transfer.get_json(page_url, timeout=timeout, what=f"Page {state['pages'] + 1} of '{src.name}'")
        records = _dig(data, results_key)
        if not isinstance(records, list):
            raise FetchError(
                f"Page {state['pages'] + 1} of '{src.name}' ({transfer.rewrite(page_url)}) has no list under "
                f"'{results_key}' (keys: {sorted(data) if isinstance(data, dict) else type(data).__name__})."
            )
        with open(rows_path, "a", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        count = _dig(data, count_key)
        state.update(
            next=_dig(data, next_key) or None,
            pages=state["pages"] + 1,
            records=state["records"] + len(records),
            count=count if isinstance(count, int) else state["count"],
            bytes=rows_path.stat().st_size,
        )
        write_text(state_path, json.dumps(state))
        total = f" sur {state['count']}" if state["count"] is not None else ""
        bar.say(f"page {state['pages']}, {state['records']} enregistrements{total}", force=True)
    if state["count"] is not None and state["count"] != state["records"]:
        state_path.unlink(missing_ok=True)
        rows_path.unlink(missing_ok=True)
        raise FetchError(
            f"Source '{src.name}': the API announced {state['count']} records but its pages gave {state['records']} "
            "(the list changed while it was read); run the command again to read it afresh."
        )
    _write_envelope(rows_path, part, state["records"])
    state_path.unlink(missing_ok=True)
    rows_path.unlink(missing_ok=True)
    return {"pages": state["pages"], "records": state["records"], "resumed_from_page": resumed + 1 if resumed else None}


def _read_state(path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and {"first_url", "next", "pages", "records", "bytes"} <= set(state) else {}


def _write_envelope(rows_path: Path, part: Path, records: int) -> None:
    """Write ``{"count", "next": null, "previous": null, "results": [...]}`` from the JSON lines."""
    with open(rows_path, encoding="utf-8") as src, open(part, "w", encoding="utf-8") as out:
        out.write(f'{{"count": {records}, "next": null, "previous": null, "results": [\n')
        first = True
        for line in src:
            if not first:
                out.write(",\n")
            out.write(line.rstrip("\n"))
            first = False
        out.write("\n]}\n")
