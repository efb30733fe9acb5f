"""Published figures on the ESS and IAE, each row with its source.

The table ``data/reference/published_figures.csv`` holds every figure stated by
the five source documents of the project (origins ``seed:000`` ... ``seed:004``)
plus the 277 researched figures of ``shared/data/published_figures_extra.csv``
(origin ``shared:published_figures_extra``). Columns and the controlled
``indicator`` vocabulary are documented in ``data/reference/published_figures.md``
(the vocabulary is read from that file, so documenting an indicator is what
makes it valid).

No figure is computed here: values are as published, with their qualifier
(``exact``, ``lower_bound`` for "plus de", ``approx`` for "près de"/"environ",
``upper_bound`` for "presque"). Figures from different producers (Insee Flores,
Insee Clap, ACOSS-URSSAF, CRESS...) are not one series: read ``definition`` and
``notes`` before comparing them.

Typical use::

    from esstools import published
    published.figures(territory="93", indicator=["ess_jobs", "ess_share_employment_pct"])
    row = published.figure("93_ess_jobs_2024")
    published.cite(row)   # 'Source : FLORES - INSEE 2024, cité par ... (...)'
"""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

import pandas as pd

from . import paths
from .errors import InputFileError, SchemaError, UnknownCodeError, check_choice

__all__ = [
    "COLUMNS",
    "LEVELS",
    "QUALIFIERS",
    "EXTRA_ORIGIN",
    "EPT_CODES",
    "table_path",
    "doc_path",
    "load_table",
    "figures",
    "figure",
    "sources",
    "indicators",
    "validate_table",
    "cite",
    "map_shared_extra",
    "figure_id_base",
    "EXTRA_INDICATOR_RENAMES",
    "normalise_text",
]

COLUMNS: tuple[str, ...] = (
    "figure_id",
    "origin",
    "territory_level",
    "territory_code",
    "territory_name",
    "indicator",
    "year",
    "period_start",
    "publication_year",
    "value",
    "unit",
    "qualifier",
    "definition",
    "notes",
    "source_document",
    "source_section",
    "source_producer",
    "source_url",
    "quote",
)

Level = Literal["france", "region", "departement", "ept", "commune", "metropole"]
LEVELS: tuple[str, ...] = ("france", "region", "departement", "ept", "commune", "metropole")
QUALIFIERS: tuple[str, ...] = ("exact", "lower_bound", "approx", "upper_bound")
EXTRA_ORIGIN = "shared:published_figures_extra"
YEAR_MIN, YEAR_MAX = 1990, 2030

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

_CODE_PATTERNS: dict[str, str] = {
    "france": r"FR",
    "region": r"\d{2}",
    "departement": r"(\d{2}|2A|2B|97\d)",
    "ept": r"T\d{1,2}(\+T\d{1,2})*",
    "commune": r"(\d{5}|2[AB]\d{3})(\+(\d{5}|2[AB]\d{3}))*",
    "metropole": r"MGP",
}
_ORIGIN_RE = re.compile(r"^(seed:\d{3}|" + re.escape(EXTRA_ORIGIN) + r")$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_INT_COLUMNS = ("year", "period_start", "publication_year")


# --------------------------------------------------------------------------- paths
def table_path() -> Path:
    """Path of the committed table ``data/reference/published_figures.csv``."""
    return paths.reference_dir() / "published_figures.csv"


def doc_path() -> Path:
    """Path of the column and vocabulary documentation ``published_figures.md``."""
    return paths.reference_dir() / "published_figures.md"


# --------------------------------------------------------------------------- text helpers
_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Whitespace-normalised text used to check quotes against a source document.

    Removes HTML tags (``m<sup>2</sup>`` -> ``m2``) and markdown bold markers
    (``**``), then collapses every run of whitespace (incl. non-breaking
    spaces) into one space. Letters, digits and punctuation are left unchanged.
    """
    text = _TAG_RE.sub("", str(text))
    text = text.replace("**", "")
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return _WS_RE.sub(" ", text).strip()


# --------------------------------------------------------------------------- vocabulary
_VOCAB_ROW_RE = re.compile(r"^\|\s*`([a-z0-9_]+)`\s*\|(.*)\|\s*$")


@lru_cache(maxsize=8)
def _read_vocabulary(path: str, mtime: float) -> pd.DataFrame:
    rows = []
    with open(path, encoding="utf-8") as fh:
        in_vocab = False
        for line in fh:
            if line.startswith("## "):
                in_vocab = line.strip().lower().startswith("## indicator vocabulary")
                continue
            if not in_vocab:
                continue
            m = _VOCAB_ROW_RE.match(line.rstrip("\n"))
            if m:
                cells = [c.strip() for c in m.group(2).split("|")]
                cells += [""] * (3 - len(cells))
                rows.append({"indicator": m.group(1), "label_fr": cells[0], "unit": cells[1],
                             "definition": cells[2]})
    return pd.DataFrame(rows, columns=["indicator", "label_fr", "unit", "definition"])


def indicators(doc: str | os.PathLike | None = None) -> pd.DataFrame:
    """The documented indicator vocabulary: ``indicator``, ``label_fr``, ``unit``, ``definition``.

    Read from the section "Indicator vocabulary" of ``published_figures.md``.
    """
    p = Path(doc) if doc is not None else doc_path()
    if not p.exists():
        raise InputFileError(f"Indicator vocabulary file '{p}' does not exist.")
    voc = _read_vocabulary(str(p), p.stat().st_mtime)
    if voc.empty:
        raise InputFileError(
            f"File '{p}' has no 'Indicator vocabulary' table (rows like '| `name` | label | unit | definition |')."
        )
    return voc.copy()


# --------------------------------------------------------------------------- loading
def _read_raw(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputFileError(f"Published-figures table '{path}' does not exist.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"File '{path}' is not valid UTF-8 ({exc}).") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"File '{path}' is not a readable CSV ({exc}).") from exc
    return raw


def _typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Convert a validated raw (all-string) table to its documented dtypes."""
    df = raw.loc[:, list(COLUMNS)].copy()
    for col in COLUMNS:
        df[col] = df[col].astype(object)
    df["value"] = pd.to_numeric(df["value"]).astype(float)
    for col in _INT_COLUMNS:
        df[col] = pd.to_numeric(df[col].replace("", None)).astype("Int64")
    return df


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> pd.DataFrame:
    raw = _read_raw(Path(path))
    _validate_raw(raw, path=path)
    return _typed(raw)


def load_table(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The whole validated table with typed columns (a fresh copy).

    ``value`` is float; ``year``, ``period_start`` and ``publication_year`` are
    nullable integers (``<NA>`` when the source does not state them); every
    other column is text (empty string when blank).
    """
    p = Path(path) if path is not None else table_path()
    if not p.exists():
        raise InputFileError(f"Published-figures table '{p}' does not exist.")
    return _load_cached(str(p), p.stat().st_mtime).copy()


# --------------------------------------------------------------------------- validation
def _fail(path: str | None, column: str, bad: pd.Series, expected: str) -> None:
    """Raise SchemaError for the offending cells ``bad`` (index = 0-based data row).

    Rows are numbered as a spreadsheet user counts them: header = row 1.
    """
    rows_1b = [int(i) + 2 for i in bad.index]
    raise SchemaError(path=path, column=column, rows=rows_1b, values=list(bad), expected=expected)


def _validate_raw(raw: pd.DataFrame, path: str | None = None, doc: str | os.PathLike | None = None) -> None:
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise SchemaError(
            f"File '{path}' lacks column(s) {', '.join(repr(c) for c in missing)}; "
            f"expected columns: {', '.join(COLUMNS)}.",
            path=path, column=missing[0], expected="all documented columns",
        )
    s = {c: raw[c].astype(str) for c in COLUMNS}

    bad = s["figure_id"][~s["figure_id"].str.match(_ID_RE)]
    if len(bad):
        _fail(path, "figure_id", bad, "a non-empty snake_case id ([a-z0-9_])")
    dup = s["figure_id"][s["figure_id"].duplicated(keep=False)]
    if len(dup):
        _fail(path, "figure_id", dup, "unique ids (duplicates found)")

    bad = s["origin"][~s["origin"].str.match(_ORIGIN_RE)]
    if len(bad):
        _fail(path, "origin", bad, f"'seed:NNN' or '{EXTRA_ORIGIN}'")

    bad = s["source_document"][s["source_document"].str.strip() == ""]
    if len(bad):
        _fail(path, "source_document", bad, "the title of the source document (never blank)")

    bad = s["territory_level"][~s["territory_level"].isin(LEVELS)]
    if len(bad):
        _fail(path, "territory_level", bad, "one of " + ", ".join(LEVELS))
    ok = pd.Series(True, index=raw.index)
    for level, pattern in _CODE_PATTERNS.items():
        sel = s["territory_level"] == level
        ok[sel] = s["territory_code"][sel].str.fullmatch(pattern)
    bad = s["territory_code"][~ok.astype(bool)]
    if len(bad):
        _fail(path, "territory_code", bad,
              "a code matching its level (FR; region '11'; département '93'; EPT 'T8'; commune '93066'; 'MGP')")

    num = pd.to_numeric(s["value"].where(s["value"].str.strip() != ""), errors="coerce").astype("float64")
    bad = s["value"][~num.map(math.isfinite)]
    if len(bad):
        _fail(path, "value", bad, "a number with a dot decimal and no thousands separator")

    for col in _INT_COLUMNS:
        txt = s[col]
        filled = txt.str.strip() != ""
        as_int = pd.to_numeric(txt.where(filled), errors="coerce")
        bad_mask = filled & (as_int.isna() | ~txt.str.fullmatch(r"\d{4}") | (as_int < YEAR_MIN) | (as_int > YEAR_MAX))
        bad = txt[bad_mask]
        if len(bad):
            _fail(path, col, bad, f"a year between {YEAR_MIN} and {YEAR_MAX}, or blank")
    both = (s["year"] != "") & (s["period_start"] != "")
    bad_mask = both & (pd.to_numeric(s["period_start"].where(both), errors="coerce")
                       > pd.to_numeric(s["year"].where(both), errors="coerce"))
    bad = s["period_start"][bad_mask]
    if len(bad):
        _fail(path, "period_start", bad, "a period start not after 'year'")

    bad = s["qualifier"][~s["qualifier"].isin(QUALIFIERS)]
    if len(bad):
        _fail(path, "qualifier", bad, "one of " + ", ".join(QUALIFIERS))

    vocab = set(indicators(doc)["indicator"])
    bad = s["indicator"][~s["indicator"].isin(vocab)]
    if len(bad):
        _fail(path, "indicator", bad, f"an indicator documented in the vocabulary of '{doc or doc_path()}'")

    seed = s["origin"].str.startswith("seed:")
    bad = s["quote"][seed & (s["quote"].str.strip() == "")]
    if len(bad):
        _fail(path, "quote", bad, "the verbatim French passage for every seed-origin row")


def validate_table(path: str | os.PathLike | None = None, doc: str | os.PathLike | None = None) -> pd.DataFrame:
    """Check the table against its schema and return it typed.

    Checks: every documented column is present; ``figure_id`` unique and
    snake_case; ``origin`` known; ``source_document`` never blank;
    ``territory_level`` allowed and ``territory_code`` matching it; ``value``
    numeric; ``year``/``period_start``/``publication_year`` in 1990..2030 or
    blank (and period start not after year); ``qualifier`` allowed;
    ``indicator`` in the vocabulary documented in ``doc`` (default
    ``published_figures.md``); seed-origin rows carry a ``quote``.

    Raises :class:`~esstools.errors.SchemaError` naming the file, column, rows
    (header = row 1) and offending values.
    """
    p = Path(path) if path is not None else table_path()
    raw = _read_raw(p)
    _validate_raw(raw, path=str(p), doc=doc)
    return _typed(raw)


# --------------------------------------------------------------------------- queries
def _as_list(x) -> list | None:
    if x is None:
        return None
    if isinstance(x, (str, int)) or not isinstance(x, Iterable):
        return [x]
    return list(x)


def figures(
    territory: str | Sequence[str] | None = None,
    indicator: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    level: Level | Sequence[Level] | None = None,
    origin: str | Sequence[str] | None = None,
    path: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Published figures filtered on any combination of criteria (a fresh copy).

    ``territory``: code(s) as in ``territory_code`` ("FR", "11", "93", "T8",
    "92050", "MGP"). ``indicator``: name(s) of the vocabulary (unknown names
    raise :class:`~esstools.errors.ParameterError`). ``year``: data reference
    year(s) (rows whose data year is unknown never match). ``level``: one or
    more of ``LEVELS``. ``origin``: "seed:001", "shared:published_figures_extra",
    or the prefixes "seed" / "shared" for all rows of that kind.
    """
    df = load_table(path)
    mask = pd.Series(True, index=df.index)
    terr = _as_list(territory)
    if terr is not None:
        mask &= df["territory_code"].isin([str(t) for t in terr])
    ind = _as_list(indicator)
    if ind is not None:
        known = set(indicators()["indicator"])
        for name in ind:
            check_choice("indicator", name, sorted(known))
        mask &= df["indicator"].isin(ind)
    yrs = _as_list(year)
    if yrs is not None:
        mask &= df["year"].isin([int(y) for y in yrs]).fillna(False).astype(bool)
    lv = _as_list(level)
    if lv is not None:
        for name in lv:
            check_choice("level", name, LEVELS)
        mask &= df["territory_level"].isin(lv)
    org = _as_list(origin)
    if org is not None:
        sel = pd.Series(False, index=df.index)
        for o in org:
            o = str(o)
            if o in ("seed", "shared"):
                sel |= df["origin"].str.startswith(o + ":")
            else:
                sel |= df["origin"] == o
        mask &= sel
    return df[mask].reset_index(drop=True)


def figure(figure_id: str, path: str | os.PathLike | None = None) -> pd.Series:
    """One figure by its id, as a Series.

    Unknown ids raise :class:`~esstools.errors.UnknownCodeError` (a KeyError)
    listing the closest existing ids.
    """
    df = load_table(path)
    hit = df[df["figure_id"] == figure_id]
    if hit.empty:
        close = difflib.get_close_matches(str(figure_id), df["figure_id"].tolist(), n=5, cutoff=0.5)
        hint = ("; closest ids: " + ", ".join(repr(c) for c in close)) if close else ""
        raise UnknownCodeError(
            f"Unknown figure id {figure_id!r} in '{path or table_path()}'{hint}.", codes=[figure_id]
        )
    return hit.iloc[0].copy()


def sources(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Distinct source documents: ``origin``, ``source_document``, ``source_url``, ``figures`` (row count)."""
    df = load_table(path)
    out = (
        df.groupby(["origin", "source_document", "source_url"], sort=True)
        .size()
        .rename("figures")
        .reset_index()
    )
    return out


def cite(row: Mapping | pd.Series | str) -> str:
    """French source line to print under a table or chart.

    ``"Source : <source_producer>, cité par <source_document> (<section>)"``;
    parts that are blank are left out (no producer: ``"Source : <document>
    (<section>)"``). ``row`` may be a row of :func:`figures`, a dict, or a
    figure id.
    """
    if isinstance(row, str):
        row = figure(row)
    get = (lambda k: "" if row.get(k) is None or (isinstance(row.get(k), float) and math.isnan(row.get(k)))
           else str(row.get(k)).strip())
    producer, document, section = get("source_producer"), get("source_document"), get("source_section")
    if not document:
        raise SchemaError("Cannot cite a figure without 'source_document'.", column="source_document")
    text = f"Source : {producer}, cité par {document}" if producer else f"Source : {document}"
    if section:
        text += f" ({section})"
    return text


# --------------------------------------------------------------------------- shared extra rows
_PUB_TAG = "[year = publication year; data reference year not stated in source]"
_BLANK_TAG = "[year not stated in source; left blank]"
_LOWER_RE = re.compile(r"lower bound|'(un peu )?plus de", re.IGNORECASE)
_UPPER_RE = re.compile(r"upper bound", re.IGNORECASE)
_APPROX_RE = re.compile(r"\(approx|approximate", re.IGNORECASE)
_APPROX_NUM_RE = re.compile(r"(?:~|'près de|'environ|'presque)\s*(\d[\d \u00a0\u202f]*(?:,\d+)?)", re.IGNORECASE)
_PERIOD_RE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
_SINCE_RE = re.compile(r"(?:depuis|since)\s+((?:19|20)\d{2})|end-((?:19|20)\d{2}) to end-", re.IGNORECASE)

#: Indicators of the shared file renamed to the project vocabulary (same meaning).
EXTRA_INDICATOR_RENAMES: dict[str, str] = {
    "siae_count": "siae",
    "ess_count_associations": "associations",
    "ess_count_cooperatives": "cooperatives",
    "ess_count_mutuelles": "mutuelles",
    "ess_count_fondations": "fondations",
    "ess_count_esus": "esus",
    "ess_share_local_enterprises_pct": "ess_share_establishments_pct",
    "ess_employer_structures": "ess_establishments_employer",
}


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
    if m:
        return m.group(1) or m.group(2)
    return ""


def figure_id_base(level: str, code: str, indicator: str, year: str = "", publication_year: str = "") -> str:
    """Readable id ``<territory>_<indicator>_<year>``: region "11" -> "r11", EPT "T8" -> "t8";
    year "p2025" when only the publication year is known, "nd" when neither is."""
    terr = ("r" + code) if level == "region" else code.lower().replace("+", "_")
    when = str(year) if year else (f"p{publication_year}" if publication_year else "nd")
    return f"{terr}_{indicator}_{when}"


def map_shared_extra(path: str | os.PathLike) -> pd.DataFrame:
    """Map ``shared/data/published_figures_extra.csv`` to this table's columns (all text).

    - ``origin`` = ``shared:published_figures_extra``; source title and URL kept.
    - EPT names become codes (``EPT_CODES``), the Métropole du Grand Paris ``MGP``.
    - Rows tagged "[year = publication year ...]" get a blank ``year`` and
      their year in ``publication_year`` (the data year is unknown).
    - ``qualifier`` from the note: "lower bound"/"plus de" -> lower_bound,
      "upper bound" -> upper_bound, "approx."/"près de"/"~" -> approx.
    - ``period_start`` when the note states the period of a change ("2008-2014",
      "since 2010", "end-2020 to end-2022").
    - A few indicator names are aligned on the project vocabulary
      (``EXTRA_INDICATOR_RENAMES``); the original name is kept in ``notes``.
    - ``definition`` = the researcher's ``definition_note`` verbatim.
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
        level = r["territory_level"].strip()
        code = r["territory_code"].strip()
        name = r["territory_name"].strip()
        notes: list[str] = []
        if level == "ept":
            if code not in EPT_CODES:
                raise SchemaError(path=str(p), column="territory_code", rows=[int(i) + 2], values=[code],
                                  expected="an EPT name among " + ", ".join(sorted(EPT_CODES)))
            code = EPT_CODES[code]
        elif level == "metropole":
            code = "MGP"
        note = r["definition_note"].strip()
        year = r["year"].strip()
        pub_year = ""
        if _PUB_TAG in note:
            pub_year, year = year, ""
            notes.append("Publication year moved to publication_year: the data reference year is not stated.")
        elif _BLANK_TAG in note:
            notes.append("Neither data year nor publication year stated by the source.")
        indicator = r["indicator"].strip()
        if indicator in EXTRA_INDICATOR_RENAMES:
            notes.append(f"Indicator named '{indicator}' in the shared file.")
            indicator = EXTRA_INDICATOR_RENAMES[indicator]
        rows.append({
            "origin": EXTRA_ORIGIN,
            "territory_level": level,
            "territory_code": code,
            "territory_name": name,
            "indicator": indicator,
            "year": year,
            "period_start": _extra_period_start(indicator, note, year or pub_year),
            "publication_year": pub_year,
            "value": r["value"].strip(),
            "unit": r["unit"].strip(),
            "qualifier": _extra_qualifier(note, r["value"].strip()),
            "definition": note,
            "notes": " ".join(notes),
            "source_document": r["source_title"].strip(),
            "source_section": "",
            "source_producer": "",
            "source_url": r["source_url"].strip(),
            "quote": "",
        })
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "figure_id"])
    base = [
        figure_id_base(r.territory_level, r.territory_code, r.indicator, r.year, r.publication_year)
        for r in out.itertuples()
    ]
    out.insert(0, "figure_id", base)
    dup = out["figure_id"].duplicated(keep=False)
    for i in out.index[dup]:
        r = out.loc[i]
        digest = hashlib.sha1(
            "|".join([r["source_document"], r["value"], r["definition"], r["unit"]]).encode("utf-8")
        ).hexdigest()[:6]
        out.loc[i, "figure_id"] = f"{r['figure_id']}_{digest}"
    if out["figure_id"].duplicated().any():
        d = out.loc[out["figure_id"].duplicated(keep=False), "figure_id"].tolist()
        raise SchemaError(f"File '{p}' has indistinguishable rows (same figure, source and note): {d[:5]}.",
                          path=str(p), column="figure_id", values=d[:5])
    return out
