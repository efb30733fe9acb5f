"""Reading and querying the published-figures table (no figure is computed here)."""

from __future__ import annotations

import difflib
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

import pandas as pd

from ..errors import InputFileError, SchemaError, UnknownCodeError, check_choice
from .schema import (LEVELS, TABLE_SCHEMA, indicators, read_checked, renamed, table_path, validate_frame)

__all__ = ["load_table", "figures", "figure", "value", "sources", "cite"]

Level = Literal["france", "region", "departement", "ept", "commune", "metropole"]


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> pd.DataFrame:
    df = read_checked(path, TABLE_SCHEMA)
    validate_frame(df, path)
    return df


def load_table(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The whole validated table with typed columns (a fresh copy).

    ``value`` is float; ``year``, ``period_start`` and ``publication_year`` are nullable
    integers (``<NA>`` when unknown); every other column is text (``""`` when blank).
    """
    p = Path(path) if path is not None else table_path()
    if not p.exists():
        raise InputFileError(f"Published-figures table '{p}' does not exist.")
    return _load_cached(str(p), p.stat().st_mtime).copy()


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

    ``territory``: code(s) as in ``territory_code`` ("FR", "11", "93", "T8", "92050", "MGP").
    ``indicator``: name(s) of the vocabulary (unknown names raise
    :class:`~esstools.errors.ParameterError`). ``year``: data reference year(s) (rows whose
    data year is unknown never match). ``level``: one or more of ``LEVELS``. ``origin``:
    "seed:001", "shared:published_figures_extra", or the prefixes "seed" / "shared".
    """
    df = load_table(path)
    mask = pd.Series(True, index=df.index)
    terr = _as_list(territory)
    if terr is not None:
        mask &= df["territory_code"].isin([str(t) for t in terr])
    ind = _as_list(indicator)
    if ind is not None:
        known = sorted(indicators()["indicator"])
        for name in ind:
            check_choice("indicator", name, known)
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
        for o in map(str, org):
            sel |= df["origin"].str.startswith(o + ":") if o in ("seed", "shared") else df["origin"] == o
        mask &= sel
    return df[mask].reset_index(drop=True)


def figure(figure_id: str, path: str | os.PathLike | None = None) -> pd.Series:
    """One figure by its id, as a Series.

    An id renamed by an audit (``published_figures_renamed.csv``) still finds its row.
    Unknown ids raise :class:`~esstools.errors.UnknownCodeError` (a KeyError) listing the
    closest existing ids.
    """
    df = load_table(path)
    hit = df[df["figure_id"] == figure_id]
    if hit.empty and path is None:
        new = renamed().get(str(figure_id))
        hit = df[df["figure_id"] == new] if new else hit
    if hit.empty:
        close = difflib.get_close_matches(str(figure_id), df["figure_id"].tolist(), n=5, cutoff=0.5)
        hint = ("; closest ids: " + ", ".join(repr(c) for c in close)) if close else ""
        raise UnknownCodeError(f"Unknown figure id {figure_id!r} in '{path or table_path()}'{hint}.",
                               codes=[figure_id])
    return hit.iloc[0].copy()


def value(figure_id: str, path: str | os.PathLike | None = None) -> float:
    """The published number of one figure (``figure(figure_id)["value"]``), e.g. for calibrating demo data.

    Only the number: to show it to a reader use :func:`esstools.published.render`, which keeps
    its qualifier, what it counts, its year and its producer.
    """
    return float(figure(figure_id, path)["value"])


def sources(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Distinct source documents: ``origin``, ``source_document``, ``source_url``, ``figures`` (row count)."""
    df = load_table(path)
    return (df.groupby(["origin", "source_document", "source_url"], sort=True).size()
            .rename("figures").reset_index())


def _text(row: Mapping | pd.Series, key: str) -> str:
    v = row.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    return str(v).strip()


def cite(row: Mapping | pd.Series | str) -> str:
    """French source line to print under a table or chart.

    ``"Source : <source_producer>, cité par <source_document> (<section>)"``; blank parts are
    left out (no producer: ``"Source : <document> (<section>)"``). ``row`` may be a row of
    :func:`figures`, a dict, or a figure id.
    """
    if isinstance(row, str):
        row = figure(row)
    producer, document, section = (_text(row, k) for k in ("source_producer", "source_document", "source_section"))
    if not document:
        raise SchemaError("Cannot cite a figure without 'source_document'.", column="source_document")
    text = f"Source : {producer}, cité par {document}" if producer else f"Source : {document}"
    return text + (f" ({section})" if section else "")
