"""The ``source="fetched"`` mode: each input taken from the cache of ``esstools fetch``, never from the demo.

A reader asks :func:`cached` for the file of a registry source (:func:`esstools.fetch.cached_path`: no
request is made). A file absent from the cache, or a source that cannot give what an analysis needs,
becomes a :class:`Missing` item whose French text (:attr:`Missing.text_fr`) says « donnée manquante »,
what is missing, from which source and with which ``esstools fetch`` command it is obtained. The
reports print these items and what they can still conclude; nothing falls back to demonstration data.

:func:`read` runs a loader on a cached file: a :class:`~esstools.errors.SchemaError` (a renamed or
missing upstream column, an unknown code…) is raised again with the source, the fetch registry's
version and the download date appended, so a changed upstream schema is recognised as such.
:func:`provenance` describes a cached file (title, publisher, file name, download date, registry
version) as a real :class:`~esstools.provenance.Provenance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import paths
from ..errors import SchemaError
from ..fetch import cached_path, load_registry, read_manifest
from ..provenance import Provenance

FETCHED = "fetched"
MISSING_LABEL = "donnée manquante"


@dataclass(frozen=True)
class Missing:
    """One input an analysis could not get: ``what`` (French), the registry ``source`` (or None when no
    public source exists) and ``how`` (French: the command or parameter that provides it)."""

    what: str
    source: str | None = None
    how: str = ""

    @property
    def synthesis_item(self) -> dict:
        """The item as a results-JSON synthesis entry (nature « donnée manquante »)."""
        return {"text": self.text_fr.strip("« »"), "nature": MISSING_LABEL, "source": self.source or "aucune"}

    @property
    def text_fr(self) -> str:
        where = f"source « {self.source} »" if self.source else "aucune source publique"
        return f"« {MISSING_LABEL} : {self.what}, {where}" + (f" — {self.how}" if self.how else "") + " »"


def fetch_command(source: str, departement: str | None = None) -> str:
    """The command that downloads ``source`` (with ``--departement`` when the source is published by département)."""
    src = load_registry()[source]
    dep = f" --departement {departement}" if departement and src.filters_departement() else ""
    return f"`esstools fetch {source}{dep}`"


def missing(what: str, source: str, departement: str | None = None) -> Missing:
    """A :class:`Missing` item for a registry source absent from the cache."""
    return Missing(what, source, f"absent du cache : {fetch_command(source, departement)} (ou `make data`)")


def cached(source: str, departement: str | None = None) -> Path | None:
    """The cached file of ``source`` (for ``departement`` when the source is published by département), or None."""
    return cached_path(source, departement)


def entry(path: Path) -> dict:
    """The manifest entry of a cached file ({} when absent)."""
    return read_manifest(paths.cache_dir()).get(Path(path).name, {}) or {}


def describe_fr(source: str, path: Path) -> str:
    """« <title>, fichier <name> téléchargé le <date> (esstools fetch, registre <version>) »."""
    src = load_registry()[source]
    e = entry(path)
    when = str(e.get("fetched_at") or "?")[:10]
    version = e.get("registry_version") or src.registry_version
    return f"{src.title}, fichier « {Path(path).name} » téléchargé le {when} (esstools fetch, registre {version})"


def provenance(source: str, path: Path) -> Provenance:
    """Real provenance of a cached file (see :func:`describe_fr`)."""
    return Provenance.real(describe_fr(source, path))


def annotate(exc: SchemaError, source: str, path: Path) -> SchemaError:
    """``exc`` again, naming the fetch source, the registry version and the download date of ``path``."""
    src = load_registry()[source]
    e = entry(path)
    version = e.get("registry_version") or src.registry_version
    return SchemaError(
        f"{exc} — File '{path}' was downloaded by `esstools fetch {source}` on "
        f"{str(e.get('fetched_at') or '?')[:10]} under fetch registry version {version} "
        f"(columns the study reads, as the registry expects them: {', '.join(src.used_columns)}). A renamed or "
        "missing column means the publisher changed its schema: update esstools (registry and loader), or report it.",
        path=str(path), column=exc.column, rows=exc.rows, values=exc.values, expected=exc.expected)


def header(source: str, path: Path) -> list[str] | None:
    """Column names of a cached file as served (CSV first line, Parquet schema, first record of a JSON API
    page), or None for formats without a flat header (GeoJSON, DECP JSON)."""
    src = load_registry()[source]
    fmt = (src.format or "").lower()
    path = Path(path)
    if fmt.startswith("parquet"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if fmt.startswith("csv"):
        sep = ";" if "(;)" in fmt else ","
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline().rstrip("\r\n")
        import csv

        return next(csv.reader([first], delimiter=sep), [])
    if src.access == "paginated":
        import json

        with open(path, encoding="utf-8") as fh:
            records = json.load(fh).get((src.pagination or {}).get("results", "results")) or []
        return list(records[0]) if records and isinstance(records[0], dict) else None
    return None


def check_header(source: str, path: Path) -> None:
    """SchemaError when a column the study reads (registry ``used_columns``) is not in the file's header.

    The message names the file, the column as found (the closest header: a renamed upstream column), the
    name the registry expects, and the registry version the file was fetched under. Headers are compared
    without case (the ratios file capitalised some headers in 2024).
    """
    names = header(source, path)
    if not names:
        return
    src = load_registry()[source]
    have = {n.strip().lower() for n in names}
    lost = [c for c in src.used_columns if c.lower() not in have]
    if not lost:
        return
    import difflib

    extra = [n for n in names if n.lower() not in {c.lower() for c in src.columns}]
    close = difflib.get_close_matches(lost[0], extra, n=1, cutoff=0.5) or difflib.get_close_matches(lost[0], names, n=1,
                                                                                                     cutoff=0.5)
    e = entry(path)
    version = e.get("registry_version") or src.registry_version
    found = (f"column {close[0]!r} looks like the renamed {lost[0]!r}" if close
             else f"no column like {lost[0]!r}")
    raise SchemaError(
        f"File '{path}' (downloaded by `esstools fetch {source}` on {str(e.get('fetched_at') or '?')[:10]}, fetch "
        f"registry version {version}) lacks the column(s) {', '.join(repr(c) for c in lost)} the study reads: {found} "
        f"(header: {', '.join(names[:15])}{', ...' if len(names) > 15 else ''}). The publisher has changed its schema: "
        "update esstools (fetch registry and loader), or report it.",
        path=str(path), column=close[0] if close else lost[0], expected=lost[0])


def read(source: str, path: Path, loader: Callable, *args, check: bool = True, **kwargs):
    """``loader(path, *args, **kwargs)`` after :func:`check_header` (``check=False``: the loader checks the
    header itself, e.g. SIRENE extracts with fewer columns); a loader's SchemaError is raised again through
    :func:`annotate`."""
    if check:
        check_header(source, path)
    try:
        return loader(path, *args, **kwargs)
    except SchemaError as exc:
        raise annotate(exc, source, path) from exc
