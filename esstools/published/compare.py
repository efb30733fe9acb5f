"""Like with like: when two published figures may be compared, and a deduplication that never
hides a conflicting figure.

Two figures are comparable only when they have the same indicator (hence the same ``counts``,
``share_of`` and ``scope``), the same producer, and known data years at most ``max_year_gap``
apart. Otherwise :func:`comparable` says why, in French, starting with "non comparables".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from .render import UNKNOWN_PRODUCER, _get, label_fr, producer_fr

__all__ = ["Comparability", "comparable", "SAME_FIGURE_KEY", "distinct_figures", "vintage"]


@dataclass(frozen=True)
class Comparability:
    """``ok``: the two figures may be compared; ``reason_fr``: why (not), in French."""

    ok: bool
    reason_fr: str

    def __bool__(self) -> bool:
        return self.ok


def _definition(row) -> str:
    counts, share_of = str(_get(row, "counts") or ""), str(_get(row, "share_of") or "")
    return f"{counts} {share_of}".strip() if counts == "%" else (counts or label_fr(row))


def comparable(a: Mapping | pd.Series, b: Mapping | pd.Series, max_year_gap: int = 1) -> Comparability:
    """Whether figures ``a`` and ``b`` (rows of the table) count the same thing, by the same producer,
    for close data years. ``reason_fr`` starts with "non comparables : définitions différentes",
    "… producteurs différents", "… producteur non précisé", "… année des données non précisée" or
    "… années trop éloignées", else "comparables"."""
    if str(a["indicator"]) != str(b["indicator"]):
        da, db = _definition(a), _definition(b)
        detail = f"{da} / {db}" if da != db else f"{label_fr(a)} / {label_fr(b)}"
        return Comparability(False, f"non comparables : définitions différentes ({detail})")
    pa, pb = producer_fr(a), producer_fr(b)
    if UNKNOWN_PRODUCER in (pa, pb):
        return Comparability(False, "non comparables : producteur non précisé")
    if pa != pb:
        return Comparability(False, f"non comparables : producteurs différents ({pa} / {pb})")
    ya, yb = _get(a, "year"), _get(b, "year")
    if ya is None or yb is None:
        return Comparability(False, "non comparables : année des données non précisée")
    if abs(int(ya) - int(yb)) > max_year_gap:
        return Comparability(False, f"non comparables : années trop éloignées ({int(ya)} / {int(yb)})")
    years = str(int(ya)) if int(ya) == int(yb) else f"{int(ya)} et {int(yb)}"
    return Comparability(True, f"comparables : même définition, même producteur ({pa}), {years}")


#: Two rows are the same figure (relayed twice) only when all of these agree.
SAME_FIGURE_KEY: tuple[str, ...] = ("territory_code", "indicator", "value", "qualifier", "year",
                                    "publication_year", "producer")


def distinct_figures(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` without exact relays: a row is dropped only when an earlier row has the same
    territory, indicator, value, qualifier, data year, publication year and producer. Two sources
    with the same value but different years, definitions or producers are both kept."""
    key = df[list(SAME_FIGURE_KEY)].astype("object").where(df[list(SAME_FIGURE_KEY)].notna(), None).astype(str)
    return df[~key.duplicated(keep="first")]


def vintage(row: Mapping | pd.Series) -> tuple:
    """Sort key of a figure's recency: data year known first, then the most recent data year,
    then the most recent publication year (larger = more recent)."""
    year, pub = _get(row, "year"), _get(row, "publication_year")
    return (year is not None, int(year) if year is not None else -1, int(pub) if pub is not None else -1)
