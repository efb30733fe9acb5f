"""Mapping of ``shared/data/published_figures_extra.csv`` (277 researched figures) to the table's columns,
and the text normalisation used to find seed quotes in their documents."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from ..errors import InputFileError, SchemaError
from .schema import COLUMNS, DEFINITION_COLUMNS, EXTRA_ORIGIN, indicators

__all__ = ["EPT_CODES", "EXTRA_INDICATOR_RENAMES", "normalise_text", "figure_id_base", "map_shared_extra",
           "with_definitions"]

#: EPT of the Métropole du Grand Paris: name -> code (project convention T1..T12).
EPT_CODES: dict[str, str] = {
    "Paris": "T1",
    "Vallée Sud Grand Paris": "T2",
    "Grand Paris Seine Ouest": "T3",
    "Paris Ouest La Défense": "T4",
    "Boucle Nord de Seine": "T5",
    "Plaine Commune": "T6",
    "Paris Terres d'Envol": "T7",
    "Est Ensemble": "T8",
    "Grand Paris Grand Est": "T9",
    "Paris Est Marne & Bois": "T10",
    "Paris Est Marne et Bois": "T10",
    "Grand Paris Sud Est Avenir": "T11",
    "Grand-Orly Seine Bièvre": "T12",
}

#: Indicators of the shared file renamed to the project vocabulary (same meaning, same counts).
EXTRA_INDICATOR_RENAMES: dict[str, str] = {
    "siae_count": "siae",
    "ess_count_associations": "associations",
    "ess_count_cooperatives": "cooperatives",
    "ess_count_mutuelles": "mutuelles",
    "ess_count_fondations": "fondations",
    "ess_count_esus": "esus",
    "ess_employer_structures": "ess_structures_employer",
}

_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Whitespace-normalised text used to check quotes against a source document.

    Removes HTML tags (``m<sup>2</sup>`` -> ``m2``) and markdown bold markers (``**``), then
    collapses every run of whitespace (incl. non-breaking spaces) into one space.
    """
    text = _TAG_RE.sub("", str(text)).replace("**", "")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return _WS_RE.sub(" ", text).strip()


def figure_id_base(level: str, code: str, indicator: str, year: str = "", publication_year: str = "") -> str:
    """Readable id ``<territory>_<indicator>_<year>``: region "11" -> "r11", EPT "T8" -> "t8";
    year "p2025" when only the publication year is known, "nd" when neither is."""
    terr = ("r" + code) if level == "region" else code.lower().replace("+", "_")
    when = str(year) if year else (f"p{publication_year}" if publication_year else "nd")
    return f"{terr}_{indicator}_{when}"


def with_definitions(df: pd.DataFrame, indicators_file=None) -> pd.DataFrame:
    """Copy of ``df`` with ``counts``, ``share_of`` and ``scope`` taken from the indicator vocabulary."""
    voc = indicators(indicators_file).set_index("indicator")
    unknown = sorted(set(df["indicator"]) - set(voc.index))
    if unknown:
        raise SchemaError(f"Indicators absent from the vocabulary: {unknown[:5]}.", column="indicator",
                          values=unknown[:5], expected="an indicator of published_indicators.csv")
    out = df.copy()
    for col in DEFINITION_COLUMNS:
        out[col] = out["indicator"].map(voc[col]).astype(object)
    return out


_PUB_TAG = "[year = publication year; data reference year not stated in source]"
_BLANK_TAG = "[year not stated in source; left blank]"
_LOWER_RE = re.compile(r"lower bound|'(un peu )?plus de", re.IGNORECASE)
_UPPER_RE = re.compile(r"upper bound", re.IGNORECASE)
_APPROX_RE = re.compile(r"\(approx|approximate", re.IGNORECASE)
_APPROX_NUM_RE = re.compile(r"(?:~|'près de|'environ|'presque)\s*(\d[\d \u00a0\u202f]*(?:,\d+)?)", re.IGNORECASE)
_PERIOD_RE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
_SINCE_RE = re.compile(r"(?:depuis|since)\s+((?:19|20)\d{2})|end-((?:19|20)\d{2}) to end-", re.IGNORECASE)


def _extra_qualifier(note: str, value: str) -> str:
    """Qualifier from the researcher's note; a hedge word counts only when it governs the row's own value."""
    if _UPPER_RE.search(note):
        return "upper_bound"
    if _LOWER_RE.search(note):
        return "lower_bound"
    if _APPROX_RE.search(note):
        return "approx"
    for m in _APPROX_NUM_RE.finditer(note):
        num = re.sub(r"[\s\u00a0\u202f]", "", m.group(1)).replace(",", ".")
        try:
            if float(num) == float(value):
                return "approx"
        except ValueError:
            continue
    return "exact"


def _extra_period_start(indicator: str, note: str, year: str) -> str:
    if not any(k in indicator for k in ("change", "created", "growth")):
        return ""
    m = _PERIOD_RE.search(note)
    if m and (not year or m.group(2) == year):
        return m.group(1)
    m = _SINCE_RE.search(note)
    return (m.group(1) or m.group(2)) if m else ""


def map_shared_extra(path: str | os.PathLike) -> pd.DataFrame:
    """Map ``shared/data/published_figures_extra.csv`` to this table's columns (all text).

    - ``origin`` = ``shared:published_figures_extra``; source title and URL kept.
    - EPT names become codes (``EPT_CODES``), the Métropole du Grand Paris ``MGP``.
    - Rows tagged "[year = publication year ...]" get a blank ``year`` and their year in
      ``publication_year`` (the data year is unknown); otherwise ``year_basis`` = "énoncée".
    - ``qualifier`` from the note: "lower bound"/"plus de" -> lower_bound, "upper bound" ->
      upper_bound, "approx."/"près de"/"~" -> approx.
    - ``period_start`` when the note states the period of a change ("2008-2014", "since 2010").
    - A few indicator names are aligned on the project vocabulary (``EXTRA_INDICATOR_RENAMES``);
      the original name is kept in ``notes``.
    - ``definition`` = the researcher's ``definition_note`` verbatim; ``producer`` is left blank
      (the build fills it per source document, ``scripts/published_figures/extra_sources.csv``);
      ``counts``/``share_of``/``scope`` are blank (see :func:`with_definitions`).
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"Shared figures file '{p}' does not exist.")
    src = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8")
    expected = ["territory_level", "territory_code", "territory_name", "indicator", "year", "value", "unit",
                "definition_note", "source_title", "source_url"]
    missing = [c for c in expected if c not in src.columns]
    if missing:
        raise SchemaError(f"File '{p}' lacks column(s) {', '.join(missing)}.", path=str(p), column=missing[0])
    rows = []
    for i, r in src.iterrows():
        level, code, name = r["territory_level"].strip(), r["territory_code"].strip(), r["territory_name"].strip()
        notes: list[str] = []
        if level == "ept":
            if code not in EPT_CODES:
                raise SchemaError(path=str(p), column="territory_code", rows=[int(i) + 2], values=[code],
                                  expected="an EPT name among " + ", ".join(sorted(EPT_CODES)))
            code = EPT_CODES[code]
        elif level == "metropole":
            code = "MGP"
        note, year, pub_year = r["definition_note"].strip(), r["year"].strip(), ""
        if _PUB_TAG in note:
            pub_year, year = year, ""
            notes.append("Publication year moved to publication_year: the data reference year is not stated.")
        elif _BLANK_TAG in note:
            notes.append("Neither data year nor publication year stated by the source.")
        indicator = r["indicator"].strip()
        if indicator in EXTRA_INDICATOR_RENAMES:
            notes.append(f"Indicator named '{indicator}' in the shared file.")
            indicator = EXTRA_INDICATOR_RENAMES[indicator]
        value = r["value"].strip()
        rows.append({
            "origin": EXTRA_ORIGIN, "territory_level": level, "territory_code": code, "territory_name": name,
            "indicator": indicator, "counts": "", "share_of": "", "scope": "", "year": year,
            "year_basis": "énoncée" if year else "",
            "period_start": _extra_period_start(indicator, note, year or pub_year), "publication_year": pub_year,
            "value": value, "unit": r["unit"].strip(), "qualifier": _extra_qualifier(note, value), "producer": "",
            "definition": note, "notes": " ".join(notes), "source_document": r["source_title"].strip(),
            "source_section": "", "source_producer": "", "source_url": r["source_url"].strip(), "quote": "",
        })
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "figure_id"])
    out.insert(0, "figure_id", [figure_id_base(r.territory_level, r.territory_code, r.indicator, r.year,
                                               r.publication_year) for r in out.itertuples()])
    dup = out["figure_id"].duplicated(keep=False)
    for i in out.index[dup]:
        r = out.loc[i]
        digest = hashlib.sha1("|".join([r["source_document"], r["value"], r["definition"], r["unit"]])
                              .encode("utf-8")).hexdigest()[:6]
        out.loc[i, "figure_id"] = f"{r['figure_id']}_{digest}"
    if out["figure_id"].duplicated().any():
        d = out.loc[out["figure_id"].duplicated(keep=False), "figure_id"].tolist()
        raise SchemaError(f"File '{p}' has indistinguishable rows (same figure, source and note): {d[:5]}.",
                          path=str(p), column="figure_id", values=d[:5])
    return out
