"""Command line of ``esstools fetch`` (also ``python -m esstools.fetch``), with the French summary."""

from __future__ import annotations

import argparse
import sys

from .. import paths
from ..errors import FetchError
from .core import FetchResult, fetch_all, fetch_source, get_registry
from .transfer import fmt_bytes

__all__ = ["main", "summary_lines", "list_lines"]

_STATUS = {"cached": "en cache", "downloaded": "téléchargé", "resumed": "repris", "failed": "MANQUANT"}


def _checksum_fr(origin: str | None) -> str:
    if origin == "registry":
        return "somme de contrôle vérifiée (registre)"
    if origin and origin.startswith("publisher-"):
        return f"somme de contrôle vérifiée (éditeur, {origin.split('-', 1)[1]})"
    return "somme de contrôle enregistrée (aucune somme publiée à comparer)"


def summary_lines(results: list[FetchResult], registry, cache, requested_optional: bool) -> list[str]:
    """The French summary: what was fetched, from where, what is missing and why."""
    version = next(iter(registry.values())).registry_version if registry else "?"
    lines = [f"Résumé de esstools fetch — registre {version} — cache : {cache}"]
    for r in results:
        who = r.source + (f" ({r.departement})" if r.departement else "")
        optional = "" if r.required else " [facultative]"
        if r.ok:
            name = r.path.name if r.path else "?"
            lines.append(f"  [{_STATUS[r.status]}] {who}{optional} : {name} ({fmt_bytes(r.size)}), {_checksum_fr(r.checksum_origin)}")
            lines.append(f"      depuis {r.url or 'fichier présent dans le cache'}")
        else:
            lines.append(f"  [{_STATUS['failed']}] {who}{optional} : {r.error}")
        lines.extend(f"      note : {n}" for n in r.notes)
    asked = {r.source for r in results}
    skipped = [n for n, s in registry.items() if not s.required and n not in asked]
    if skipped and not requested_optional:
        lines.append("  Sources facultatives non demandées (ajouter --optional) : " + ", ".join(skipped))
    needed = [r for r in results if r.required]
    missing = [r for r in needed if not r.ok]
    lines.append(
        f"Bilan : {len(needed) - len(missing)} fichier(s) nécessaire(s) sur {len(needed)} présent(s)"
        + (f" ; facultatifs manquants : {', '.join(r.source for r in results if not r.required and not r.ok)}"
           if any(not r.required and not r.ok for r in results) else "")
        + "."
    )
    if missing:
        lines.append("Manquants : " + ", ".join(r.source + (f" ({r.departement})" if r.departement else "") for r in missing)
                     + ". Relancer la même commande reprend les transferts interrompus ; voir les raisons ci-dessus.")
    return lines


def list_lines(registry) -> list[str]:
    """One block per source: name, need, title, URL or resolver, verification date, use."""
    lines = []
    for name, s in registry.items():
        need = "nécessaire" if s.required else "facultative"
        if s.access == "datagouv":
            where = f"résolveur data.gouv.fr : jeu {s.dataset}" + (f", ressource {s.resource_id}" if s.resource_id else "") \
                + (f", titre /{s.title_pattern}/" if s.title_pattern else "") + (f" (URL stable : {s.url})" if s.url else "")
        elif s.access == "paginated":
            where = f"API paginée : {s.url}"
        else:
            where = s.url
        lines += [f"{name} ({need}) — {s.title}", f"    {where}"]
        if s.departement_url:
            lines.append(f"    filtre départemental : {s.departement_url}")
        lines += [f"    vérifié (preuve) : {s.verified}, confiance {s.confidence} ; non testé en ligne",
                  f"    pour l'étude : {s.used_for}", f"    licence : {s.licence} ; mise à jour : {s.updates}"]
    return lines


def _departements(values: list[str]) -> list[str]:
    return [d.strip() for v in values for d in v.split(",") if d.strip()]


def main(argv: list[str] | None = None) -> int:
    """``esstools fetch list | all | SOURCE... [--departement D] [--optional] [--refresh] ...``; exit 0 iff all needed files are there."""
    parser = argparse.ArgumentParser(
        prog="esstools fetch",
        description="Download the public files of the study into the cache (resumable, checksum-verified).",
    )
    parser.add_argument("sources", nargs="*", help="'all', 'list' (default) or source names")
    parser.add_argument("-d", "--departement", action="append", default=[],
                        help="département code(s), e.g. 93 or 75,92,93,94 (per-département sources and filters)")
    parser.add_argument("--optional", action="store_true", help="with 'all': also the optional sources")
    parser.add_argument("--dest", help="also place the files in this directory")
    parser.add_argument("--url", help="download this URL instead of the registry's (one source only)")
    parser.add_argument("--refresh", action="store_true", help="download again even if cached (new monthly version)")
    parser.add_argument("--cache", help="cache directory (default: ESSTOOLS_CACHE_DIR or ~/.cache/esstools)")
    parser.add_argument("--timeout", type=float, default=60.0, help="network timeout in seconds (default 60)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    try:
        registry = get_registry()
        deps = _departements(args.departement)
        if args.sources in ([], ["list"]):
            print("\n".join(list_lines(registry)))
            return 0
        kwargs = dict(progress=not args.quiet, refresh=args.refresh, cache=args.cache, timeout=args.timeout,
                      dest=args.dest, registry=registry)
        if args.sources == ["all"]:
            if args.url:
                raise FetchError("--url applies to one named source, not to 'all'.")
            results = fetch_all(departements=deps, optional=args.optional, **kwargs)
        else:
            if args.url and (len(args.sources) != 1 or len(deps) > 1):
                raise FetchError("--url applies to one named source (and at most one département).")
            results = []
            for name in args.sources:
                src = registry.get(name)
                targets = deps if deps and src is not None and src.filters_departement() else [deps[0] if deps else None]
                for dep in targets:
                    try:
                        results.append(fetch_source(name, departement=dep, url=args.url, **kwargs))
                    except FetchError as exc:
                        print(f"esstools fetch: {exc}", file=sys.stderr)
                        results.append(FetchResult(name, "failed", True, dep, error=str(exc)))
            if len(results) == 1:
                if results[0].ok:
                    print(results[0].path)
                return 0 if results[0].ok else 1
    except FetchError as exc:
        print(f"esstools fetch: {exc}", file=sys.stderr)
        return 1
    cache = args.cache or paths.cache_dir()
    named = args.sources != ["all"]
    print("\n".join(summary_lines(results, registry, cache, args.optional or named)))
    return 0 if all(r.ok for r in results if r.required or named) else 1
