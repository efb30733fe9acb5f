"""The headline results of the analyses 01-03, read from their results JSON, for the assessment.

Each analysis notebook saves ``{"data_kind", "sources", "headline": {key: display.headline(...)},
"synthesis": [...]}`` (:mod:`esstools.results`). :func:`headline_results_table` turns the headline
items into one French table: each number with its unit, definition and year when the payload
gives them, and its nature read with :meth:`Provenance.from_dict` — a number resting on
demonstration data is never shown without the demo mark. :func:`analyses_provenance` combines
the provenances of the quoted analyses (:func:`esstools.provenance.combine`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..display import fmt_interval, fmt_number, line_fr
from ..provenance import DEMO_LABEL, Provenance, combine

__all__ = [
    "ANALYSIS_NOTEBOOKS",
    "ANALYSIS_TITLES_FR",
    "HEADLINE_COLUMNS_FR",
    "NATURES",
    "analyses_provenance",
    "analyses_without_synthesis",
    "analysis_synthesis_items",
    "headline_results_table",
    "item_provenance",
    "load_results_safely",
    "report_provenance",
]

#: Analysis notebooks whose headline results the assessment gathers, with their French titles.
ANALYSIS_TITLES_FR: dict[str, str] = {
    "01_territorial_comparison": "Comparaison territoriale",
    "02_employment_trends": "Tendances de l'emploi de l'ESS",
    "03_siae_impact": "Impact des SIAE",
}
ANALYSIS_NOTEBOOKS: tuple[str, ...] = tuple(ANALYSIS_TITLES_FR)
#: Natures of a synthesis item (FOUNDATION: results JSON "synthesis").
NATURES: tuple[str, ...] = ("publié", "calculé sur données réelles", "démonstration", "donnée manquante")
HEADLINE_COLUMNS_FR = ["analyse", "exécution", "indicateur", "valeur", "définition", "année",
                       "intervalle (95 %)", "nature des données", "source"]
_UNKNOWN_KIND = "nature non précisée : traitée comme données de démonstration"


def load_results_safely(directory: str | os.PathLike) -> tuple[list[dict], list[str]]:
    """Results payloads of ``directory`` (sorted by file name) and French messages for unreadable files.

    A missing directory gives ([], []); an unreadable file becomes a message, not an error.
    """
    directory = Path(directory)
    payloads, problems = [], []
    if not directory.is_dir():
        return payloads, problems
    for path in sorted(directory.glob("*--*.json")):
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            if not isinstance(data, dict):
                raise ValueError("le contenu n'est pas un objet JSON")
        except (OSError, ValueError) as exc:
            problems.append(f"fichier de résultats illisible « {path.name} » : {exc}")
            continue
        data.setdefault("notebook", path.stem.split("--", 1)[0])
        data.setdefault("run", path.stem.split("--", 1)[-1])
        payloads.append(data)
    return payloads, problems


def item_provenance(item: dict, payload: dict) -> tuple[Provenance, bool]:
    """Provenance of a headline item (its own ``data_kind``, else the payload's) and whether it was known.

    A missing or invalid kind is never read as real: it gives a demo provenance and ``False``.
    """
    for source in (item, payload):
        if isinstance(source, dict) and source.get("data_kind") is not None:
            try:
                return Provenance.from_dict(source), True
            except ValueError:
                break
    return Provenance.demo(), False


def _value_text(item: dict, prov: Provenance) -> str:
    digits = item.get("digits")
    value = item.get("value")
    text = fmt_number(value, digits if isinstance(digits, int) else None)
    unit = str(item.get("unit") or "").strip()
    if text != "—" and unit:
        text = f"{text}\u00a0%" if unit == "%" else f"{text} {unit}"
    return f"{text} ⚠" if prov.is_demo else text


def _analyses(results: Sequence[dict], exclude: Sequence[str]) -> list[dict]:
    return [p for p in results if isinstance(p, dict) and str(p.get("notebook", "?")) not in exclude]


def headline_results_table(
    results: Sequence[dict], expected: Sequence[str] = ANALYSIS_NOTEBOOKS,
    exclude: Sequence[str] = ("00_roadmap_assessment",),
) -> tuple[pd.DataFrame, list[str]]:
    """French table of the analyses' headline numbers, and messages for the missing analyses.

    One row per headline item: analysis, run, label, value with its unit (« ⚠ » when it rests on
    demonstration data), definition and year when given, 95 % interval, nature of the data (the
    demo mark in full for demo or mixed data; an unknown kind is treated as demo) and source.
    """
    rows, seen = [], set()
    for payload in _analyses(results, exclude):
        nb = str(payload.get("notebook", "?"))
        seen.add(nb)
        title = ANALYSIS_TITLES_FR.get(nb, nb)
        run = str(payload.get("run", "default"))
        headline = payload.get("headline") or {}
        if not isinstance(headline, dict) or not headline:
            prov, known = item_provenance({}, payload)
            rows.append([title, run, "aucun résultat principal dans le fichier", "—", "—", "—", "—",
                         _nature_label(prov, known), prov.source_fr or "—"])
            continue
        for name, item in headline.items():
            item = item if isinstance(item, dict) else {"value": item}
            prov, known = item_provenance(item, payload)
            ci = item.get("ci95")
            interval = fmt_interval(ci[0], ci[1], 2) if isinstance(ci, (list, tuple)) and len(ci) == 2 else "—"
            year = item.get("year")
            rows.append([
                title, run, str(item.get("label_fr") or name), _value_text(item, prov),
                str(item.get("definition") or "—"), "—" if year in (None, "") else str(year), interval,
                _nature_label(prov, known),
                str(item.get("source") or prov.source_fr or payload.get("source") or "—"),
            ])
    missing = [
        f"{ANALYSIS_TITLES_FR.get(nb, nb)} : résultat non disponible — exécuter `esstools run notebooks/{nb}.ipynb` "
        f"(fichier attendu « {nb}--<exécution>.json »)."
        for nb in expected if nb not in seen
    ]
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS_FR), missing


def _nature_label(prov: Provenance, known: bool) -> str:
    if not known:
        return "⚠ " + _UNKNOWN_KIND + f" ({DEMO_LABEL})"
    return ("⚠ " if prov.is_demo else "") + prov.label_fr


def analyses_provenance(results: Sequence[dict], exclude: Sequence[str] = ("00_roadmap_assessment",)) -> list[Provenance]:
    """Provenance of each quoted analysis payload (unknown kinds count as demo)."""
    return [item_provenance({}, p)[0] for p in _analyses(results, exclude)]


def analysis_synthesis_items(results: Sequence[dict], per_analysis: int = 3,
                             exclude: Sequence[str] = ("00_roadmap_assessment",)) -> list[dict]:
    """Synthesis items of the analyses 01-03 (their ``synthesis`` list, at most ``per_analysis`` per run).

    Items of a demo payload are « démonstration » whatever they claim (except « publié »), and every
    « démonstration » item carries the demo mark in its text.
    """
    items = []
    for payload in _analyses(results, exclude):
        prov, _known = item_provenance({}, payload)
        title = ANALYSIS_TITLES_FR.get(str(payload.get("notebook")), str(payload.get("notebook")))
        given = [i for i in payload.get("synthesis") or [] if isinstance(i, dict) and i.get("text")]
        for item in given[:per_analysis]:
            nature = item.get("nature") if item.get("nature") in NATURES else None
            if prov.kind == "demo" and nature != "publié":
                nature = "démonstration"
            elif nature is None:
                nature = "démonstration" if prov.is_demo else "calculé sur données réelles"
            text = f"{title} (exécution « {payload.get('run', 'default')} ») — {item['text']}"
            if nature == "démonstration" and DEMO_LABEL not in text:
                text = line_fr(text, Provenance.demo())
            items.append({"text": text, "nature": nature,
                          "source": str(item.get("source") or prov.source_fr or payload.get("source") or "—")})
    return items


def analyses_without_synthesis(results: Sequence[dict], exclude: Sequence[str] = ("00_roadmap_assessment",)) -> list[str]:
    """French names (with their runs) of the analyses whose results file holds no synthesis item."""
    runs: dict[str, list[str]] = {}
    for payload in _analyses(results, exclude):
        if not [i for i in payload.get("synthesis") or [] if isinstance(i, dict) and i.get("text")]:
            title = ANALYSIS_TITLES_FR.get(str(payload.get("notebook")), str(payload.get("notebook")))
            runs.setdefault(title, []).append(str(payload.get("run", "default")))
    return [f"{title} ({', '.join(r)})" for title, r in runs.items()]


def report_provenance(own: Provenance, results: Sequence[dict]) -> Provenance:
    """The assessment's own provenance combined with those of the analyses it quotes."""
    return combine(own, *analyses_provenance(results))
