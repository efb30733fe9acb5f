"""One display layer for every report: French numbers, styled tables, printed lines, result reprs.

- :func:`fmt_number` — the French number format (decimal comma, narrow no-break space U+202F
  between thousands, minus sign U+2212, "—" for a missing value); :func:`fmt_interval`,
  :func:`fmt_pvalue`, :func:`fmt_percent`.
- :func:`styled_table` / :func:`show_table` — a pandas Styler with French formats, no index
  column, a caption giving the data kind (demo mark) and the source, and a deterministic HTML id
  (so nbval compares the same HTML from run to run).
- :func:`line_fr` / :func:`say` — a printed line that carries the demo mark when the numbers in
  it rest on synthetic data (the brief: every *printed line* built on demo data says so).
- :class:`SummaryMixin` — ``__repr__`` and ``_repr_html_`` for every result object from its
  ``summary()`` text (and ``summary_frame()`` table when it has one).
"""

from __future__ import annotations

import hashlib
import html
import math
from typing import Callable, Mapping

import numpy as np
import pandas as pd

from .provenance import ProvenanceLike, as_provenance

MISSING = "—"
THIN_SPACE = "\u202f"
MINUS = "\u2212"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _as_float(x) -> float | None:
    if x is None or isinstance(x, bool):
        return None if x is None else float(x)
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def fmt_number(x, digits: int | None = 1, signed: bool = False, *, trim: bool = False, missing: str = MISSING) -> str:
    """French number: ``fmt_number(20247.9, 0) == "20\u202f248"``, ``fmt_number(-1.846, 2) == "\u22121,85"``.

    ``digits=None`` chooses: 0 decimals for whole numbers and from 100 upward, else 2 with trailing
    zeros dropped. ``trim`` drops trailing zeros. ``signed`` prints "+" for positive values. A value
    that is not zero but would print as zero (|x| < 1e-4) is written in scientific form
    ("\u22121,7 × 10⁻⁸"). Missing / non-finite values print ``missing``.
    """
    value = _as_float(x)
    if value is None:
        return missing if not isinstance(x, str) else x
    if digits is None:
        if float(value).is_integer() or abs(value) >= 100:
            digits = 0
        else:
            digits, trim = 2, True
    if value != 0 and round(abs(value), digits) == 0 and abs(value) < 1e-4:
        exp = int(np.floor(np.log10(abs(value))))
        return f"{fmt_number(value / 10 ** exp, 1, signed)} × 10{str(exp).translate(_SUPERSCRIPT)}"
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    if trim and digits > 0:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("+-").strip("0.,") == "":  # "-0,00" -> "0,00"
        text = text.lstrip("+-")
    return text.replace(",", THIN_SPACE).replace(".", ",").replace("-", MINUS)


def fmt_interval(lower, upper, digits: int = 1, signed: bool = False) -> str:
    """A French interval: ``"[1,86 ; 2,53]"``."""
    return f"[{fmt_number(lower, digits, signed)} ; {fmt_number(upper, digits, signed)}]"


def fmt_percent(x, digits: int = 1, signed: bool = False) -> str:
    """``"12,3 %"`` (x already in percent)."""
    text = fmt_number(x, digits, signed)
    return text if text == MISSING else text + "\u00a0%"


def fmt_pvalue(p) -> str:
    """p-value in French: three decimals, "< 0,001" below, "—" when missing."""
    value = _as_float(p)
    if value is None:
        return MISSING
    return "< 0,001" if value < 0.001 else fmt_number(value, 3)


def line_fr(text: str, provenance: ProvenanceLike) -> str:
    """``text`` followed by the demo mark when ``provenance`` is demo or mixed (unchanged for real data)."""
    prov = as_provenance(provenance)
    return text if not prov.is_demo else f"{text} [⚠ {prov.mark_fr}]"


def say(text: str, provenance: ProvenanceLike) -> None:
    """Print one line (or several) with the demo mark on each line that carries a digit."""
    prov = as_provenance(provenance)
    for line in str(text).split("\n"):
        print(line_fr(line, prov) if any(ch.isdigit() for ch in line) else line)


def _formatter(spec) -> Callable:
    digits, signed = spec if isinstance(spec, tuple) else (spec, False)

    def fmt(x):
        return x if isinstance(x, str) else fmt_number(x, digits, signed)

    return fmt


def table_uuid(df: pd.DataFrame, salt: str = "", formatters: Mapping[str, Callable] | None = None) -> str:
    """Deterministic HTML id of a table, a hash of its columns and its cells AS PRINTED.

    Hashing the printed text (not full-precision floats) keeps the id identical when a value moves
    below its printed precision, e.g. on another machine.
    """
    formatters = formatters or {}
    cells = [[str(formatters.get(col, str)(v)) if not (isinstance(v, float) and math.isnan(v)) else MISSING
              for v in df[col].tolist()] for col in df.columns]
    payload = salt + "|" + "|".join(map(str, df.columns)) + "|" + repr(cells)
    return "t" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]


def caption_fr(provenance: ProvenanceLike, source: str | None = None) -> str:
    """Caption of a table or chart: the demo mark (if any) then ``Source : …``."""
    prov = as_provenance(provenance)
    parts = []
    if prov.is_demo:
        parts.append("⚠ " + prov.mark_fr)
    src = source if source is not None else prov.source_fr
    if src:
        parts.append(f"Source : {src}")
    return " · ".join(parts)


def styled_table(df: pd.DataFrame, provenance: ProvenanceLike, source: str | None = None,
                 digits: int | Mapping[str, int | tuple[int, bool]] = 1, uuid: str | None = None,
                 hide_index: bool = True):
    """Styler of ``df``: French numbers, caption (demo mark + source), no index column, fixed HTML id.

    ``digits``: one number of decimals for every numeric column, or column -> decimals
    (or (decimals, signed)); columns not named get 1 decimal (0 for integer columns).
    """
    prov = as_provenance(provenance)
    fmts = {}
    for col in df.columns:
        if isinstance(digits, Mapping):
            if col in digits:
                spec = digits[col]
            else:
                spec = 0 if pd.api.types.is_integer_dtype(df[col]) else 1
        else:
            spec = 0 if pd.api.types.is_integer_dtype(df[col]) else digits
        fmts[col] = _formatter(spec)
    styler = df.style.format(fmts, na_rep=MISSING)
    if hide_index:
        styler = styler.hide(axis="index")
    styler = styler.set_uuid(uuid or table_uuid(df, formatters=fmts))
    caption = caption_fr(prov, source)
    if caption:
        color = "#b00020" if prov.is_demo else "#555"
        styler = styler.set_caption(html.escape(caption)).set_table_styles(
            [{"selector": "caption", "props": f"caption-side: bottom; font-size: 0.85em; color: {color};"}],
            overwrite=False)
    return styler


def show_table(df: pd.DataFrame, provenance: ProvenanceLike, source: str | None = None,
               digits: int | Mapping[str, int | tuple[int, bool]] = 1, uuid: str | None = None) -> None:
    """Display :func:`styled_table` once in a notebook, as static HTML."""
    from IPython.display import HTML, display

    display(HTML(styled_table(df, provenance, source=source, digits=digits, uuid=uuid).to_html()))


class SummaryMixin:
    """``__repr__`` and ``_repr_html_`` from ``summary()`` (French text) for every result object.

    A class may also define ``summary_frame()`` (a DataFrame) to get an HTML table, and a
    ``provenance`` attribute to get the demo mark in the HTML.
    """

    def summary(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        frame_fn = getattr(self, "summary_frame", None)
        prov = getattr(self, "provenance", None)
        mark = ""
        if prov is not None and as_provenance(prov).is_demo:
            mark = f'<p style="color:#b00020"><b>⚠ {html.escape(as_provenance(prov).mark_fr)}</b></p>'
        if callable(frame_fn):
            title = getattr(self, "title_fr", "") or ""
            head = f"<p><b>{html.escape(title)}</b></p>" if title else ""
            return head + mark + frame_fn().to_html()
        return mark + "<pre>" + html.escape(self.summary()) + "</pre>"


def headline(value, unit: str, label_fr: str, provenance: ProvenanceLike, *, ci95=None, definition: str = "",
             year=None, digits: int = 4, **extra) -> dict:
    """One headline number for the results JSON (read by the assessment and the index).

    Carries the value, its unit and French label, its 95 % interval when given, what it counts
    (``definition``), its year, and the provenance (``data_kind`` + ``sources``).
    """
    prov = as_provenance(provenance)
    item = {"value": None if _as_float(value) is None else round(float(value), digits), "unit": unit,
            "label_fr": label_fr, **prov.to_dict(), "source": prov.source_fr}
    if ci95 is not None:
        item["ci95"] = [None if _as_float(v) is None else round(float(v), digits) for v in ci95]
    if definition:
        item["definition"] = definition
    if year is not None:
        item["year"] = year
    item.update(extra)
    return item
