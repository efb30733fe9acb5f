"""French display tables of the trends notebook (numbers formatted the French way, demo-marked).

:func:`styled` turns a table into a :func:`esstools.provenance.style_table`
Styler with per-column French number formats (decimal comma, narrow no-break
space for thousands) and a fixed HTML id, so that the rendered HTML is
identical from run to run (nbval compares it).
"""

from __future__ import annotations

import math
from typing import Mapping

import pandas as pd

from ..provenance import style_table
from .breaks import BreakResult
from .results import TrendResult, fmt_fr


def _fmt(digits: int, signed: bool = False, suffix: str = ""):
    def f(x):
        if isinstance(x, str):
            return x
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return "—"
        return fmt_fr(float(x), digits, signed) + suffix
    return f


def styled(df: pd.DataFrame, kind: str, uuid: str, source: str | None = None,
           digits: Mapping[str, int | tuple[int, bool]] | None = None, default_digits: int = 1):
    """Styler of ``df`` (demo caption when ``kind == "demo"``), French formats, fixed HTML id ``uuid``.

    ``digits``: column -> decimals, or (decimals, signed) to print a sign.
    """
    sty = style_table(df, kind, source=source, precision=default_digits).hide(axis="index").set_uuid(uuid)
    fmts = {}
    for col, spec in (digits or {}).items():
        if col in df.columns:
            d, signed = spec if isinstance(spec, tuple) else (spec, False)
            fmts[col] = _fmt(d, signed)
    if fmts:
        sty = sty.format(fmts, subset=list(fmts))
    return sty


def ci_text(lo: float, hi: float, digits: int = 2, signed: bool = False) -> str:
    """'[1,86 ; 2,53]' (French interval)."""
    return f"[{fmt_fr(lo, digits, signed)} ; {fmt_fr(hi, digits, signed)}]"


def growth_table(models: Mapping[str, TrendResult], digits: int = 2) -> pd.DataFrame:
    """One row per model: annual growth (%) and its 95 % interval as French text.

    Break models report the growth *after* the break; a model without interval
    (ETS) gets its French explanation (``growth_ci_note_fr``) instead of a blank.
    """
    rows = []
    for name, r in models.items():
        lo, hi = r.growth_ci(0.95)
        if math.isfinite(lo) and math.isfinite(hi):
            ci = ci_text(lo, hi, digits)
        else:
            ci = getattr(r, "growth_ci_note_fr", "pas d'intervalle pour ce modèle")
        label = f"{name} (pente après rupture)" if isinstance(r, BreakResult) else name
        rows.append({"modèle": label, "croissance annuelle (%)": r.growth_rate(), "IC 95 % (%)": ci})
    return pd.DataFrame(rows)
