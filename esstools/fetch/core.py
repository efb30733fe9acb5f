"""Fetch one source into the cache (:func:`fetch_source`), or all of them (:func:`fetch_all`)."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

from .. import paths
from ..errors import FetchError
from . import manifest as mf
from . import resolvers, transfer
from .transfer import LARGE_FILE
from .registry import Source, check_departement, load_registry

__all__ = ["FetchResult", "fetch", "fetch_source", "fetch_all", "cached_path", "get_registry", "LARGE_FILE"]

OK_STATUSES = ("cached", "downloaded", "resumed")


@dataclass
class FetchResult:
    """Outcome for one source (and département): ``status`` is cached, downloaded, resumed or failed."""

    source: str
    status: str
    required: bool = True
    departement: str | None = None
    path: Path | None = None
    url: str | None = None
    size: int | None = None
    sha256: str | None = None
    checksum_origin: str | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


def get_registry(registry: Mapping[str, Source] | None = None) -> Mapping[str, Source]:
    """``registry`` or the packaged registry (with the ``ESSTOOLS_FETCH_REGISTRY`` overlay)."""
    return load_registry() if registry is None else registry


def _lookup(name: str, reg: Mapping[str, Source]) -> Source:
    if name not in reg:
        raise FetchError(f"Unknown source {name!r}; available sources are: " + ", ".join(sorted(reg)) + ".")
    return reg[name]


def _env_url(src: Source) -> str | None:
    return os.environ.get("ESSTOOLS_FETCH_URL_" + src.name.upper().replace("-", "_")) or None


def _with_url(src: Source, url: str | None) -> Source:
    """``src`` downloading ``url`` (``--url`` or ``ESSTOOLS_FETCH_URL_<NAME>``) instead of its own."""
    url = url or _env_url(src)
    if not url:
        return src
    access = "paginated" if src.access == "paginated" else "direct"
    return replace(src, url=url, access=access, departement_url=None)


def cached_path(source: str, departement: str | None = None, *, cache=None,
                registry: Mapping[str, Source] | None = None) -> Path | None:
    """Path of the cached file of ``source`` (for ``departement``) if esstools fetched it, else None.

    No request is made: this is how readers (``esstools.sources``) find fetched data.
    """
    src = _lookup(source, get_registry(registry))
    dep = check_departement(departement) if departement is not None and src.filters_departement() else None
    cache_dir = Path(cache) if cache is not None else paths.cache_dir()
    name = src.cache_name(dep)
    target = cache_dir / name
    return target if target.is_file() and name in mf.read_manifest(cache_dir) else None


def _cache_hit(target: Path, entry: dict | None, src: Source) -> dict | None:
    """The manifest entry if ``target`` is a valid cached copy (no request needed), else None."""
    if not target.is_file():
        return None
    st = target.stat()
    if entry and entry.get("sha256"):
        if src.sha256 and entry["sha256"] != src.sha256.lower():
            return None  # the registry now pins another version
        if entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns:
            return entry
        if mf.sha256_file(target) == entry["sha256"]:
            return {**entry, "mtime_ns": st.st_mtime_ns}
        return None
    if src.sha256:  # placed by hand or older cache: accept only the pinned version
        return {"sha256": src.sha256.lower(), "checksum_origin": "registry"} if mf.sha256_file(target) == src.sha256.lower() else None
    return {"sha256": mf.sha256_file(target), "checksum_origin": "recorded", "url": None,
            "note": "fichier trouvé dans le cache, non téléchargé par esstools"}


def _place(cached: Path, dest) -> Path:
    """Hard-link (or copy) ``cached`` into ``dest`` atomically; return the placed path."""
    if dest is None:
        return cached
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / cached.name
    if target.exists() and target.resolve() == cached.resolve():
        return target
    tmp = dest / (".tmp-" + cached.name)
    tmp.unlink(missing_ok=True)
    try:
        os.link(cached, tmp)
    except OSError:
        shutil.copyfile(cached, tmp)
    os.replace(tmp, target)
    return target


def fetch_source(source: str, *, departement: str | None = None, dest=None,
                 registry: Mapping[str, Source] | None = None, progress: bool = True, refresh: bool = False,
                 cache=None, timeout: float = 60.0, url: str | None = None) -> FetchResult:
    """Download ``source`` into the cache (see :mod:`esstools.fetch`); raise FetchError on failure."""
    src = _with_url(_lookup(source, get_registry(registry)), url)
    notes: list[str] = []
    dep = check_departement(departement) if departement is not None else None
    if dep is None and src.needs_departement:
        src.request_url(None)  # raises FetchError: this source needs --departement
    if dep is not None and not src.filters_departement():
        notes.append(f"fichier national (pas de filtre départemental côté serveur) : {dep} se sélectionne à la lecture")
        dep = None
    cache_dir = Path(cache) if cache is not None else paths.cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    name = src.cache_name(dep)
    target, part = cache_dir / name, cache_dir / (name + ".part")
    label = src.name if dep is None else f"{src.name} ({dep})"
    entry = mf.read_manifest(cache_dir).get(name)

    hit = None if refresh else _cache_hit(target, entry, src)
    if hit is not None:
        if hit is not entry:
            mf.write_entry(cache_dir, name, {**(entry or {}), "source": src.name, "departement": dep,
                                             "size": target.stat().st_size, **hit,
                                             "mtime_ns": target.stat().st_mtime_ns})
        return FetchResult(src.name, "cached", src.required, dep, _place(target, dest), hit.get("url"),
                           target.stat().st_size, hit["sha256"], hit.get("checksum_origin"), notes=tuple(notes))

    resolved = resolvers.resolve(src, dep, timeout=timeout)
    if resolved.note:
        notes.append(resolved.note)
    large = bool(resolved.size and resolved.size > LARGE_FILE)
    if large:
        notes.append(f"fichier volumineux : environ {transfer.fmt_bytes(resolved.size)} à télécharger")
    if progress:
        for note in notes:
            print(f"{label} : {note}", file=sys.stderr, flush=True)
    pages, server_date = None, None
    if src.access == "paginated":
        pages = resolvers.fetch_pages(src, resolved.url, part, progress=progress, timeout=timeout)
        resumed = pages["resumed_from_page"] is not None
    else:
        info = transfer.download(resolved.url, part, label=label, progress=progress, timeout=timeout, warn_large=not large)
        resumed, server_date = info.resumed_from > 0, info.last_modified
    sha256, origin = mf.verify(part, label=label, url=transfer.rewrite(resolved.url), sha256=src.sha256,
                               publisher=resolved.checksum)
    os.replace(part, target)
    st = target.stat()
    record = {
        "source": src.name, "departement": dep, "url": resolved.url, "resolved_from": resolved.resolved_from,
        "resource_title": resolved.title, "sha256": sha256, "checksum_origin": origin,
        "publisher_checksum": resolved.checksum, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
        "last_modified": resolved.last_modified or server_date,
        "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "registry_version": src.registry_version, "licence": src.licence,
    }
    if pages:
        record.update(pages=pages["pages"], records=pages["records"])
    mf.write_entry(cache_dir, name, record)
    return FetchResult(src.name, "resumed" if resumed else "downloaded", src.required, dep, _place(target, dest),
                       resolved.url, st.st_size, sha256, origin, notes=tuple(notes))


def fetch(source: str, dest=None, *, departement: str | None = None, **kwargs) -> Path:
    """Download ``source`` (cache hit = no request) and return the path of the file."""
    return fetch_source(source, departement=departement, dest=dest, **kwargs).path


def fetch_all(sources: Iterable[str] | None = None, *, departements: Iterable[str] = (), optional: bool = False,
              registry: Mapping[str, Source] | None = None, **kwargs) -> list[FetchResult]:
    """Fetch several sources (default: every required one, plus the optional ones if ``optional``).

    One result per source, and per département for sources that filter by département. A
    failure is recorded (``status="failed"``, ``error``) and the next source is fetched.
    """
    reg = get_registry(registry)
    names = list(sources) if sources is not None else [n for n, s in reg.items() if s.required or optional]
    deps = [check_departement(d) for d in departements]
    results: list[FetchResult] = []
    for name in names:
        src = reg.get(name)
        if src is None:
            results.append(FetchResult(name, "failed", True, error=f"Unknown source {name!r}."))
            continue
        targets = deps if (deps and src.filters_departement()) else [deps[0] if deps else None]
        for dep in targets:
            try:
                results.append(fetch_source(name, departement=dep, registry=reg, **kwargs))
            except FetchError as exc:
                shown = dep if src.filters_departement() else None
                results.append(FetchResult(name, "failed", src.required, shown, error=str(exc)))
    return results
