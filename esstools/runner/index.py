"""``reports/index.html`` and ``reports/manifest.json``: the table of contents of the study.

The index opens with the study's synthesis — the ``synthesis`` items of the assessment's
results (notebook ``00_*``) — then one card per report: its own synthesis items, the
nature of its data (real, demo or mixed, from :class:`esstools.provenance.Provenance`),
its parameters, when it ran (or that it was reused, with the date of the original run),
and links to the HTML report, its PDF and the executed notebook.

Synthesis items come from ``esstools.results.save`` payloads::

    "synthesis": [{"text": "…", "nature": "publié" | "calculé sur données réelles" | "démonstration"
                                     | "donnée manquante",
                   "source": "…"}]
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..atomic import write_text
from ..provenance import DEMO_LABEL, MIXED_LABEL, REAL_LABEL

MANIFEST = "manifest.json"
INDEX = "index.html"
STATUS_FR = {"ok": "réussi", "failed": "échec", "pending": "non exécuté"}
KIND_FR = {"real": REAL_LABEL, "demo": DEMO_LABEL, "mixed": MIXED_LABEL}
NATURES = {"publié": ("pub", "publié"), "calculé sur données réelles": ("real", "calculé sur données réelles"),
           "démonstration": ("demo", DEMO_LABEL), "donnée manquante": ("missing", "donnée manquante")}


def read_manifest(directory: Path) -> dict | None:
    """The manifest of an output directory, or None when absent or unreadable."""
    path = Path(directory) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def merge_manifest(output_dir: Path, new_runs: list[dict], versions: dict, commit: str) -> dict:
    """New runs plus earlier runs of other notebooks whose report files are still present."""
    old_runs = (read_manifest(output_dir) or {}).get("runs", [])
    new_ids = {r["run_id"] for r in new_runs}
    kept = [r for r in old_runs if isinstance(r, dict) and r.get("run_id") not in new_ids and r.get("html")
            and (output_dir / r["html"]).exists()]
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


def _e(value: Any) -> str:
    return html.escape(str(value))


def _params_html(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "<em>valeurs par défaut</em>"
    return ", ".join(f"<code>{_e(k)}</code> = <code>{_e(repr(v))}</code>" for k, v in sorted(parameters.items()))


def _exports(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("*") if p.suffix in {".csv", ".xlsx", ".png"} and not p.name.startswith("."))


def _synthesis_html(items: list[dict], empty: str = "Pas de synthèse fournie par ce rapport.") -> str:
    if not items:
        return f"<p class='muted'>{_e(empty)}</p>"
    lis = []
    for item in items:
        cls, label = NATURES.get(str(item.get("nature", "")), ("unk", str(item.get("nature") or "nature non précisée")))
        source = f"<span class='src'>Source : {_e(item['source'])}</span>" if item.get("source") else ""
        lis.append(f"<li><span class='nature {cls}'>{_e(label)}</span> {_e(item['text'])} {source}</li>")
    return "<ul class='synth'>" + "".join(lis) + "</ul>"


def _when_html(r: dict) -> str:
    date = _e(str(r.get("finished_at") or "—").replace("T", " "))
    secs = f" en {r['seconds']:.0f} s" if r.get("seconds") is not None else ""
    commit = f", commit <code>{_e(r['git_commit'])}</code>" if r.get("git_commit") else ""
    if r.get("reused"):
        return f"<strong>réutilisé</strong> : entrées inchangées depuis l'exécution du {date}{secs}{commit}"
    return f"exécuté le {date}{secs}{commit}"


def _card(r: dict) -> str:
    status = r.get("status", "pending")
    err = r.get("error") or {}
    err_html = ""
    if status != "ok" and err:
        where = f"cellule {err['cell']}" if err.get("cell") else "exécution"
        err_html = (f"<p class='err'>Échec ({_e(where)}) : {_e(err.get('ename', ''))} — "
                    f"{_e(str(err.get('evalue', ''))[:300])}</p>")
    kind = r.get("data_kind")
    kind_html = _e(KIND_FR.get(kind, "nature des données non déclarée"))
    kind_cls = {"real": "real", "demo": "demo", "mixed": "mixed"}.get(kind, "unk")
    sources = r.get("sources") or ([r["data_source"]] if r.get("data_source") else [])
    src_html = "".join(f"<li>{_e(s)}</li>" for s in sources)
    links = []
    if r.get("html"):
        links.append(f"<a href='{_e(r['html'])}'>rapport HTML</a>")
    if r.get("pdf"):
        pages = f" ({r['pdf_pages']} p.)" if r.get("pdf_pages") else ""
        links.append(f"<a href='{_e(r['pdf'])}'>PDF{pages}</a>")
    if r.get("ipynb"):
        links.append(f"<a href='{_e(r['ipynb'])}'>notebook exécuté</a>")
    return f"""<section class="card {_e(status)}" id="{_e(r['run_id'])}">
<h3>{_e(r.get('title') or r['notebook'])} <span class="label">· {_e(r['label'])}</span></h3>
<p><span class="kind {kind_cls}">{kind_html}</span> <span class="status">{_e(STATUS_FR.get(status, status))}</span></p>
{err_html}{_synthesis_html(r.get('synthesis') or [])}
<details><summary>Sources des données et paramètres</summary><ul class="src">{src_html}</ul>
<p class="muted">Notebook <code>{_e(r['notebook'])}.ipynb</code> — paramètres : {_params_html(r.get('parameters') or {})}</p></details>
<p class="muted">{_when_html(r)}</p>
<p class="links">{' · '.join(links) or '—'}</p>
</section>"""


CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.7em; } h2 { margin-top: 1.6em; border-bottom: 2px solid #ddd; padding-bottom: .2em; }
.study { background: #f5f8fb; border-left: 4px solid #2c5f8a; padding: .8em 1.2em; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1.2em; margin: 1em 0; break-inside: avoid; }
.card.failed { border-color: #b00020; } .card h3 { margin: .3em 0; } .label { color: #666; font-weight: normal; }
.kind, .nature, .status { display: inline-block; font-size: .8em; padding: .05em .5em; border-radius: 3px; margin-right: .3em; }
.real, .pub { background: #e3f1e3; color: #1b5e20; } .demo { background: #fde8e8; color: #b00020; font-weight: bold; }
.mixed { background: #fff3e0; color: #8a4b00; font-weight: bold; } .unk { background: #eee; color: #555; }
.missing { background: #fff8d6; color: #6b5300; font-weight: bold; border: 1px dashed #b59a00; }
.status { background: #eef; } .card.failed .status { background: #fde8e8; color: #b00020; font-weight: bold; }
ul.synth { padding-left: 1.2em; } ul.synth li { margin: .3em 0; }
.src, .muted { color: #666; font-size: .85em; } .err { color: #b00020; font-size: .9em; }
code { font-size: .9em; } footer { color: #666; font-size: .85em; margin-top: 2em; }
@page { size: A4; margin: 16mm 14mm; }
"""


def render_index(manifest: dict, exports: list[str]) -> str:
    """HTML of the index page (French): study synthesis, then one card per report."""
    runs = manifest["runs"]
    assessments = [r for r in runs if str(r.get("notebook", "")).startswith("00_")]
    study_items = "".join(
        (f"<h3>{_e(r.get('title') or r['notebook'])} · {_e(r['label'])}</h3>" if len(assessments) > 1 else "")
        + _synthesis_html(r.get("synthesis") or [], "L'évaluation n'a pas fourni de synthèse (clé « synthesis » "
                          "de ses résultats) : voir son rapport.") for r in assessments)
    if not assessments:
        study_items = "<p class='muted'>L'évaluation de la feuille de route (notebook 00) n'a pas été exécutée.</p>"
    n_failed = sum(1 for r in runs if r.get("status") != "ok")
    n_reused = sum(1 for r in runs if r.get("reused"))
    summary = f"{len(runs)} rapport(s)" + (f", dont {n_failed} en échec" if n_failed else ", tous réussis")
    summary += f" ; {n_reused} réutilisé(s) car leurs entrées n'ont pas changé." if n_reused else "."
    versions = ", ".join(f"{_e(k)} {_e(v)}" for k, v in manifest["package_versions"].items())
    export_html = ("<ul>" + "".join(f"<li><a href='{_e(x)}'>{_e(x)}</a></li>" for x in exports) + "</ul>"
                   if exports else "<p>Aucun export.</p>")
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>esstools — étude de l'ESS et évaluation de la feuille de route</title>
<style>{CSS}</style></head><body>
<h1>Économie sociale et solidaire — étude et évaluation de la feuille de route</h1>
<section class="study"><h2>Synthèse de l'étude</h2>
{study_items}
<p class="muted">Chaque constat indique sa nature : <span class="nature pub">publié</span> (chiffre repris d'une publication),
<span class="nature real">calculé sur données réelles</span>, ou <span class="nature demo">{_e(DEMO_LABEL)}</span>
(données générées pour la démonstration, pas des observations).</p></section>
<h2>Rapports</h2>
<p><strong>{_e(summary)}</strong> Index généré le {_e(manifest['generated_at'].replace('T', ' '))},
commit <code>{_e(manifest['git_commit'])}</code>. L'évaluation de la feuille de route vient en premier ;
elle reprend les résultats des analyses qui suivent.</p>
{''.join(_card(r) for r in runs)}
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
