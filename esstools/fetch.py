"""``esstools fetch SOURCE``: download public data files into a cache, checksum-verified.

Files land in :func:`esstools.paths.cache_dir` (``ESSTOOLS_CACHE_DIR``); ``dest``
receives a hard link (or a copy) of the cached file. Rules:

* **Cache hit, no request**: when the cached file exists and its SHA-256 matches
  the registry checksum — or, for files the publisher replaces every month
  (``sha256=None`` in :data:`SOURCES`), the checksum recorded in the cache manifest
  (``manifest.json``) at first download — nothing is requested. ``refresh=True``
  downloads the current version again.
* **Resumption**: the download is written to ``<file>.part``; if a ``.part`` file is
  present, an HTTP ``Range: bytes=<size>-`` request continues it (a server answering
  200 instead of 206 restarts from zero).
* **Checksum**: the completed file's SHA-256 is compared with the expected one; a
  mismatch raises :class:`~esstools.errors.FetchError` naming the URL and both
  checksums, and the downloaded bytes are deleted (a good cached file is never
  replaced by a bad one). Completion is an atomic rename.
* Progress goes to stderr. Only the standard library (``urllib``) is used; nothing is
  downloaded at import time.

The direct-download URLs below were written from the publishers' documentation and
could not be checked from the build machine (no network). Sources whose direct file URL
is not known (``url_verified=False``: the resource identifier changes with each
publication) are refused with a FetchError pointing at their landing ``page``; give
the current file URL with ``url=`` (CLI ``--url``) or a corrected :class:`Source` in
``registry``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Mapping

from . import paths
from .atomic import write_text
from .errors import FetchError

__all__ = ["Source", "SOURCES", "fetch", "sha256_file", "main"]

CHUNK = 1 << 20
USER_AGENT = "esstools-fetch/0.1 (+https://github.com/ ; research toolkit)"


@dataclass(frozen=True)
class Source:
    """A downloadable public file.

    ``sha256`` is None when the publisher replaces the file in place (monthly stock
    files): the checksum is then recorded at first download (cache manifest).
    """

    name: str
    url: str
    filename: str
    description: str
    licence: str
    page: str = ""
    sha256: str | None = None
    updates: str = ""
    url_verified: bool = True


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "sirene-etablissements",
            "https://files.data.gouv.fr/insee-sirene/StockEtablissement_utf8.parquet",
            "StockEtablissement_utf8.parquet",
            "Insee, base Sirene: stock des établissements (Parquet, ~40 M lignes)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
            None,
            "monthly",
        ),
        Source(
            "sirene-unites-legales",
            "https://files.data.gouv.fr/insee-sirene/StockUniteLegale_utf8.parquet",
            "StockUniteLegale_utf8.parquet",
            "Insee, base Sirene: stock des unités légales (Parquet, ~30 M lignes)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
            None,
            "monthly",
        ),
        Source(
            "urssaf-ess-departements",
            "https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/"
            "effectifs-salaries-et-masse-salariale-de-leconomie-sociale-et-solidaire-par-departement/exports/csv?delimiter=%3B",
            "urssaf_ess_departements.csv",
            "Urssaf: effectifs salariés et masse salariale de l'ESS par département (CSV ;)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://open.urssaf.fr/explore/?q=economie+sociale+et+solidaire",
            None,
            "quarterly",
            url_verified=False,
        ),
        Source(
            "decp",
            "https://www.data.gouv.fr/fr/datasets/donnees-essentielles-de-la-commande-publique-fichiers-consolides/#resources",
            "decp.json",
            "Données essentielles de la commande publique, fichiers consolidés (JSON)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/donnees-essentielles-de-la-commande-publique-fichiers-consolides/",
            None,
            "daily",
            url_verified=False,
        ),
        Source(
            "ratios-financiers",
            "https://www.data.gouv.fr/fr/datasets/ratios-financiers-bce-inpi/#resources",
            "ratios_inpi_bce.csv",
            "Ratios financiers des comptes annuels déposés (BCE / INPI), chiffre d'affaires par SIREN",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/ratios-financiers-bce-inpi/",
            None,
            "monthly",
            url_verified=False,
        ),
        Source(
            "siae-directory",
            "https://lemarche.inclusion.beta.gouv.fr/api/siae/?format=csv",
            "siae_directory.csv",
            "Le marché de l'inclusion: annuaire des structures inclusives (SIAE, EA, ESAT, GEIQ…)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/liste-des-structures-inclusives/",
            None,
            "daily",
            url_verified=False,
        ),
        Source(
            "communes-geometry",
            "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2024/geojson/communes-100m.geojson.gz",
            "communes-100m-2024.geojson.gz",
            "IGN / Etalab, contours administratifs des communes 2024 (GeoJSON simplifié à 100 m)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/contours-administratifs/",
            None,
            "yearly vintage",
        ),
        Source(
            "ess-france-list",
            "https://www.data.gouv.fr/fr/datasets/liste-des-entreprises-de-less/#resources",
            "liste-des-entreprises-de-less.csv",
            "ESS France: liste des entreprises de l'ESS (SIREN)",
            "Licence Ouverte / Open Licence 2.0 (Etalab)",
            "https://www.data.gouv.fr/fr/datasets/liste-des-entreprises-de-less/",
            None,
            "irregular",
            url_verified=False,
        ),
    )
}


def sha256_file(path) -> str:
    """SHA-256 hex digest of a file (read in 1 MB chunks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _manifest_path(cache: Path) -> Path:
    return cache / "manifest.json"


def _read_manifest(cache: Path) -> dict:
    p = _manifest_path(cache)
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_manifest(cache: Path, manifest: dict) -> None:
    write_text(_manifest_path(cache), json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))


class _Progress:
    def __init__(self, enabled: bool, name: str, total: int | None, start: int) -> None:
        self.enabled, self.name, self.total, self.done = enabled, name, total, start
        self._last = 0.0

    def update(self, n: int, final: bool = False) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self._last < 1.0:
            return
        self._last = now
        mb = self.done / 1e6
        if self.total:
            msg = f"{self.name}: {mb:,.1f} / {self.total / 1e6:,.1f} MB ({100 * self.done / self.total:.0f} %)"
        else:
            msg = f"{self.name}: {mb:,.1f} MB"
        print(msg, file=sys.stderr, flush=True)


def _download(src: Source, part: Path, progress: bool, timeout: float) -> None:
    """Download ``src.url`` into ``part``, resuming it with a Range request if it exists."""
    start = part.stat().st_size if part.exists() else 0
    req = urllib.request.Request(src.url, headers={"User-Agent": USER_AGENT})
    if start:
        req.add_header("Range", f"bytes={start}-")
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and start:  # range not satisfiable: stale .part, restart from zero
            part.unlink()
            return _download(src, part, progress, timeout)
        raise FetchError(f"Download of '{src.name}' from {src.url} failed: HTTP {exc.code} {exc.reason}.") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(
            f"Download of '{src.name}' from {src.url} failed: {getattr(exc, 'reason', exc)}. "
            "Check the network connection (esstools needs it only for `esstools fetch`)."
        ) from exc
    with resp:
        status = getattr(resp, "status", 200)
        mode = "ab" if (start and status == 206) else "wb"
        if mode == "wb":
            start = 0
        length = resp.headers.get("Content-Length")
        total = int(length) + start if length and length.isdigit() else None
        bar = _Progress(progress, src.filename, total, start)
        try:
            with open(part, mode) as fh:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    fh.write(chunk)
                    bar.update(len(chunk))
        except (urllib.error.URLError, OSError) as exc:
            raise FetchError(
                f"Download of '{src.name}' from {src.url} was interrupted ({exc}); "
                f"run the command again to resume from '{part}'."
            ) from exc
        bar.update(0, final=True)


def _place(cached: Path, dest: Path | None) -> Path:
    if dest is None:
        return cached
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / cached.name
    if target.resolve() == cached.resolve():
        return target
    if target.exists() and target.stat().st_size == cached.stat().st_size and sha256_file(target) == sha256_file(cached):
        return target
    tmp = dest / (".tmp-" + cached.name)
    if tmp.exists():
        tmp.unlink()
    try:
        os.link(cached, tmp)
    except OSError:
        shutil.copyfile(cached, tmp)
    os.replace(tmp, target)
    return target


def fetch(
    source: str,
    dest=None,
    *,
    registry: Mapping[str, Source] | None = None,
    progress: bool = True,
    refresh: bool = False,
    cache=None,
    timeout: float = 60.0,
    url: str | None = None,
) -> Path:
    """Download ``source`` (a key of ``registry``, default :data:`SOURCES`) and return its path.

    The file is kept in the cache directory (``cache`` or :func:`esstools.paths.cache_dir`);
    with ``dest`` it is also linked/copied there and that path is returned.
    """
    reg = SOURCES if registry is None else registry
    if source not in reg:
        raise FetchError(
            f"Unknown source {source!r}; available sources are: " + ", ".join(sorted(reg)) + "."
        )
    src = reg[source]
    if url is not None:
        src = replace(src, url=url, url_verified=True)
    if not src.url_verified:
        raise FetchError(
            f"The direct download URL of source {source!r} is not known to esstools (the publisher changes it "
            f"with each release); open {src.page}, copy the file's URL and run "
            f"`esstools fetch {source} --url <URL>` (or fetch(..., url=...))."
        )
    cache_dir = Path(cache) if cache is not None else paths.cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / src.filename
    part = cache_dir / (src.filename + ".part")
    manifest = _read_manifest(cache_dir)
    recorded = manifest.get(src.filename, {})
    expected = src.sha256 or (recorded.get("sha256") if recorded.get("url") == src.url else None)

    if target.exists() and not refresh:
        actual = sha256_file(target)
        if expected is None or actual == expected:
            if expected is None:  # file placed by hand / older cache: record it
                manifest[src.filename] = {"url": src.url, "sha256": actual, "size": target.stat().st_size}
                _write_manifest(cache_dir, manifest)
            return _place(target, dest)
        if progress:
            print(f"{src.filename}: cached copy does not match its checksum; downloading again.", file=sys.stderr)
    if refresh and src.sha256 is None:
        expected = None  # a new monthly version is expected to have a new checksum

    _download(src, part, progress, timeout)
    actual = sha256_file(part)
    if expected is not None and actual != expected:
        part.unlink(missing_ok=True)
        raise FetchError(
            f"Checksum mismatch for '{src.name}' downloaded from {src.url}: expected sha256 {expected}, "
            f"got {actual}. The downloaded file was deleted"
            + ("; the previous cached copy is kept." if target.exists() else ".")
        )
    os.replace(part, target)
    manifest[src.filename] = {"url": src.url, "sha256": actual, "size": target.stat().st_size}
    _write_manifest(cache_dir, manifest)
    return _place(target, dest)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m esstools.fetch SOURCE [--dest DIR] [--refresh]`` (also ``esstools fetch``)."""
    parser = argparse.ArgumentParser(prog="esstools fetch", description="Download a public data file (cached, checksum-verified).")
    parser.add_argument("source", nargs="?", help="source name; omit or 'list' to list the sources")
    parser.add_argument("--dest", help="also place the file in this directory")
    parser.add_argument("--url", help="direct file URL (overrides the registry; needed for some sources)")
    parser.add_argument("--refresh", action="store_true", help="download again even if cached (monthly files)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.source in (None, "list"):
        for name, src in SOURCES.items():
            print(f"{name}: {src.description} [{src.licence}] <{src.page or src.url}>")
        return 0
    try:
        path = fetch(args.source, dest=args.dest, progress=not args.quiet, refresh=args.refresh, url=args.url)
    except FetchError as exc:
        print(f"esstools fetch: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def describe(source: str) -> dict:
    """The registry entry of ``source`` as a dict (for documentation)."""
    if source not in SOURCES:
        raise FetchError(f"Unknown source {source!r}; available sources are: " + ", ".join(sorted(SOURCES)) + ".")
    return asdict(SOURCES[source])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
