"""``reports/index.html`` and ``reports/manifest.json``: the table of contents of the study."""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..atomic import write_text
from ..provenance import DEMO_LABEL

MANIFEST = "manifest.json"
INDEX = "index.html"
STATUS_FR = {"ok": "réussi", "failed": "échec", "pending": "non exécuté"}
KIND_FR = {"real": "données réelles publiées", "demo": DEMO_LABEL, "mixed": "réelles et " + DEMO_LABEL}


def merge_manifest(output_dir: Path, new_runs: list[dict], versions: dict, commit: str) -> dict:
    """New runs plus earlier runs of other notebooks whose report files are still present."""
    old_runs: list[dict] = []
    path = output_dir / MANIFEST
    if path.exists():
        try:
            old_runs = json.loads(path.read_text(encoding="utf-8")).get("runs", [])
        except (OSError, json.JSONDecodeError):
            old_runs = []
    new_ids = {r["run_id"] for r in new_runs}
    kept = [r for r in old_runs if r.get("run_id") not in new_ids and r.get("html") and (output_dir / r["html"]).exists()]
    runs = sorted(kept + new_runs, key=lambda r: (-int(r.get("stage", 1)), r["notebook"], r["label"]))
    return {
        "generated_at": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "git_commit": commit,
        "package_versions": versions,
        "runs": runs,
    }


def write_manifest(directory: Path, manifest: dict) -> Path:
    path = directory / MANIFEST
    write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    return path


def _params_html(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "<em>valeurs par défaut</em>"
    return "<br>".join(f"<code>{html.escape(str(k))}</code> = <code>{html.escape(repr(v))}</code>" for k, v in sorted(parameters.items()))


def _exports(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*") if p.suffix in {".csv", ".xlsx", ".png"} and not p.name.startswith("."))


def render_index(manifest: dict, exports: list[str]) -> str:
    """HTML of the index page (French)."""
    rows = []
    for r in manifest["runs"]:
        status = r.get("status", "pending")
        err = r.get("error") or {}
        err_html = ""
        if status != "ok" and err:
            where = f"cellule {err['cell']}" if err.get("cell") else "exécution"
            err_html = (f"<div class='err'>{html.escape(where)} : {html.escape(str(err.get('ename', '')))} — "
                        f"{html.escape(str(err.get('evalue', ''))[:300])}</div>")
        kind = r.get("data_kind")
        kind_html = html.escape(KIND_FR.get(kind, "non déclarée")) if kind else "non déclarée"
        if kind in {"demo", "mixed"}:
            kind_html = f"<span class='demo'>{kind_html}</span>"
        src = f"<div class='src'>{html.escape(str(r['data_source']))}</div>" if r.get("data_source") else ""
        links = []
        if r.get("html"):
            links.append(f"<a href='{html.escape(r['html'])}'>rapport HTML</a>")
        if r.get("ipynb"):
            links.append(f"<a href='{html.escape(r['ipynb'])}'>notebook exécuté</a>")
        rows.append(
            "<tr class='{cls}'><td><strong>{title}</strong><div class='nb'>{nb} · exécution « {label} »</div></td>"
            "<td>{params}</td><td>{kind}{src}</td><td>{date}<div class='nb'>commit {commit} · {secs}</div></td>"
            "<td class='status'>{status}{err}</td><td>{links}</td></tr>".format(
                cls=html.escape(status),
                title=html.escape(r.get("title") or r["notebook"]),
                nb=html.escape(r["notebook"]),
                label=html.escape(r["label"]),
                params=_params_html(r.get("parameters") or {}),
                kind=kind_html,
                src=src,
                date=html.escape((r.get("finished_at") or "—").replace("T", " ")),
                commit=html.escape(str(r.get("git_commit") or "—")),
                secs=f"{r['seconds']:.0f} s" if r.get("seconds") is not None else "—",
                status=html.escape(STATUS_FR.get(status, status)),
                err=err_html,
                links=" · ".join(links) or "—",
            )
        )
    versions = ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in manifest["package_versions"].items())
    export_html = (
        "<ul>" + "".join(f"<li><a href='{html.escape(e)}'>{html.escape(e)}</a></li>" for e in exports) + "</ul>"
        if exports else "<p>Aucun export.</p>"
    )
    n_failed = sum(1 for r in manifest["runs"] if r.get("status") != "ok")
    summary = (f"{len(manifest['runs'])} rapport(s), dont {n_failed} en échec." if n_failed
               else f"{len(manifest['runs'])} rapport(s), tous réussis.")
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>esstools — étude de l'ESS et évaluation de la feuille de route</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .5em; vertical-align: top; text-align: left; }}
th {{ background: #f3f3f3; }} .nb, .src {{ color: #666; font-size: .85em; }} .err {{ color: #b00020; font-size: .85em; }}
tr.failed td.status {{ color: #b00020; font-weight: bold; }} tr.ok td.status {{ color: #1b7a1b; }}
.demo {{ color: #b00020; font-weight: bold; }} code {{ font-size: .9em; }} footer {{ color: #666; font-size: .85em; margin-top: 2em; }}
</style></head><body>
<h1>Économie sociale et solidaire — étude et évaluation de la feuille de route</h1>
<p>Rapports produits par <code>esstools run</code>. L'évaluation de la feuille de route vient en premier ; elle reprend
les résultats des analyses qui suivent. Chaque rapport indique ses paramètres et la nature de ses données :
les résultats marqués <span class="demo">{html.escape(DEMO_LABEL)}</span> reposent sur des données générées pour la démonstration,
pas sur des observations.</p>
<p><strong>{html.escape(summary)}</strong> Généré le {html.escape(manifest['generated_at'].replace('T', ' '))},
commit <code>{html.escape(manifest['git_commit'])}</code>.</p>
<table><thead><tr><th>Rapport</th><th>Paramètres</th><th>Données</th><th>Exécution</th><th>Statut</th><th>Fichiers</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody></table>
<h2>Exports</h2>
{export_html}
<footer>Versions : {versions}.<br>Manifeste lisible par machine : <a href="{MANIFEST}">{MANIFEST}</a>.</footer>
</body></html>
"""


def write_index(directory: Path, manifest: dict, exports_from: Path | None = None) -> Path:
    """Write ``index.html`` into ``directory`` (exports listed from ``exports_from`` or the directory)."""
    exports = sorted(set(_exports(directory)) | set(_exports(exports_from) if exports_from else []))
    path = directory / INDEX
    write_text(path, render_index(manifest, exports))
    return path
