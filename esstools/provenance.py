"""Provenance labels: every output built on synthetic data must say so visibly.

``DEMO_LABEL`` is the exact French mark required on tables, charts and reports
built on synthetic demonstration data.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

DEMO_LABEL = "données de démonstration — synthétiques"
REAL_LABEL = "données réelles publiées"

DataKind = Literal["real", "demo"]


def label_for(kind: DataKind) -> str:
    """French label of a data kind ("real" or "demo")."""
    if kind == "demo":
        return DEMO_LABEL
    if kind == "real":
        return REAL_LABEL
    raise ValueError(f"Unknown data kind {kind!r}; expected 'real' or 'demo'.")


def mark_axes(ax, kind: DataKind = "demo") -> None:
    """Stamp a matplotlib Axes with the demo mark (no-op for real data).

    The mark is written in red across the top of the plotting area so it
    survives cropping and export.
    """
    if kind != "demo":
        return
    ax.text(
        0.5,
        0.98,
        DEMO_LABEL.upper(),
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        color="#b00020",
        alpha=0.85,
        fontweight="bold",
        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="#b00020", alpha=0.7),
        zorder=10,
    )


def mark_figure(fig, kind: DataKind = "demo") -> None:
    """Stamp every Axes of a matplotlib Figure (no-op for real data)."""
    if kind != "demo":
        return
    for ax in fig.axes:
        mark_axes(ax, kind)


def style_table(df: pd.DataFrame, kind: DataKind, source: str | None = None, precision: int = 1):
    """Return a pandas Styler with a caption stating the data kind and source.

    Demo tables get the caption ``"⚠ données de démonstration — synthétiques"``.
    """
    caption = ("⚠ " + DEMO_LABEL) if kind == "demo" else ""
    if source:
        caption = (caption + " · " if caption else "") + f"Source : {source}"
    styler = df.style.format(precision=precision, thousands="\u202f", decimal=",", na_rep="—")
    if caption:
        styler = styler.set_caption(caption).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; font-size: 0.85em; color: "
              + ("#b00020;" if kind == "demo" else "#555;")}]
        )
    return styler
