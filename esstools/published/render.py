"""How a published figure is shown to a reader: exactly what it counts, with its qualifier,
its data year (or "publ. AAAA" when only the publication year is known) and its producer.

>>> render(figure("92_ess_employees_p2013"))     # doctest: +SKIP
'50\u202f206 salariés (publ. 2013 ; producteur non précisé)'

Every reader-facing display of a figure of the table goes through these functions, so that a
qualifier is never dropped ("plus de 150 000", never "150 000"), the unit is the one counted
("salariés", "établissements employeurs", "% des entreprises locales") and a publication year is
never shown as a data year.
"""

from __future__ import annotations

import math
from typing import Mapping

import pandas as pd

from ..display import fmt_number
from .schema import indicators
from .table import cite

__all__ = ["QUALIFIER_WORDS", "UNKNOWN_PRODUCER", "number_fr", "qualifier_fr", "value_fr", "when_fr",
           "producer_fr", "label_fr", "render"]

#: French words printed before a value, by qualifier (documented in published_vocabulary.csv).
QUALIFIER_WORDS: dict[str, str] = {"exact": "", "lower_bound": "plus de", "approx": "environ",
                                   "upper_bound": "presque"}
UNKNOWN_PRODUCER = "non précisé"
NBSP = "\u00a0"


def _get(row: Mapping | pd.Series, key: str):
    v = row.get(key)
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _decimals(value: float) -> int:
    """Decimals as published (the table stores the printed number): 6.6 -> 1, 23.5 -> 1, 3297 -> 0."""
    text = repr(float(value))
    if "e" in text or float(value).is_integer():
        return 0
    return min(len(text.split(".")[1]), 3)


def number_fr(value, signed: bool = False) -> str:
    """The value in French format with its published precision (``6,6``, ``2\u202f600\u202f000``, ``+4,2``)."""
    v = float(value)
    return fmt_number(v, _decimals(v), signed=signed)


def qualifier_fr(row: Mapping | pd.Series) -> str:
    """"plus de", "environ", "presque" or "" (exact)."""
    return QUALIFIER_WORDS[str(_get(row, "qualifier") or "exact")]


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def value_fr(row: Mapping | pd.Series) -> str:
    """Value with its qualifier and what it counts: "plus de 150\u202f000 heures", "3\u202f297 établissements
    employeurs", "6,6 % des entreprises locales", "+23 %", "3e", "environ un tiers des établissements…"."""
    counts = str(_get(row, "counts") or "")
    share_of = str(_get(row, "share_of") or "")
    q = qualifier_fr(row)
    q = q + " " if q else ""
    value = float(row["value"])
    if counts == "rang":
        return q + _ordinal(int(value))
    if counts == "tiers":
        text = "un tiers" if value == 1 else f"{number_fr(value)} tiers"
        return q + text + (f" {share_of}" if share_of else "")
    if counts == "%":
        return f"{q}{number_fr(value)}{NBSP}%" + (f" {share_of}" if share_of else "")
    if counts.startswith("% d'évolution"):
        tail = " par an" if "annuelle" in counts else ""
        return f"{q}{number_fr(value, signed=True)}{NBSP}%{tail}"
    if counts == "euros":
        return f"{q}{number_fr(value)}{NBSP}€"
    if counts == "euros par mois":
        return f"{q}{number_fr(value)}{NBSP}€ par mois"
    return f"{q}{number_fr(value)} {counts}".rstrip()


def when_fr(row: Mapping | pd.Series) -> str:
    """Data year ("2021"), period ("2013-2022"), "publ. 2013" when only the publication year is
    known, or "année non précisée"."""
    year, start, pub = (_get(row, k) for k in ("year", "period_start", "publication_year"))
    if year is not None:
        return f"{int(start)}-{int(year)}" if start is not None else str(int(year))
    if pub is not None:
        return f"publ. {int(pub)}"
    return "année non précisée"


def producer_fr(row: Mapping | pd.Series) -> str:
    """Normalised producer ("Flores-Insee", "Acoss-Urssaf + Flores-Insee"…) or "non précisé"."""
    return str(_get(row, "producer") or UNKNOWN_PRODUCER)


def label_fr(row_or_indicator: Mapping | pd.Series | str) -> str:
    """French label of the row's indicator (``published_indicators.csv``)."""
    name = row_or_indicator if isinstance(row_or_indicator, str) else str(row_or_indicator["indicator"])
    voc = indicators().set_index("indicator")["label_fr"]
    return str(voc.get(name, name))


def render(row: Mapping | pd.Series, *, label: bool = False, source: bool = False) -> str:
    """One figure for a reader: "<value> (<year> ; <producer>)", e.g.
    "42\u202f000 emplois (publ. 2024 ; Flores-Insee)" or "50\u202f206 salariés (publ. 2013 ; producteur non
    précisé)". ``label`` prefixes the indicator's French label, ``source`` appends the citation."""
    prod = producer_fr(row)
    prod = "producteur non précisé" if prod == UNKNOWN_PRODUCER else prod
    text = f"{value_fr(row)} ({when_fr(row)} ; {prod})"
    if label:
        text = f"{label_fr(row)} : {text}"
    if source:
        text += " — " + cite(row)
    return text
