"""Charts of the SIAE impact report (French labels, French tick numbers, demo mark, source line)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..display import fmt_number
from ..provenance import Provenance, mark_figure
from .event_study import event_frame, plot_event_study
from .staggered import dynamic_frame


def _fr_ticks(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: fmt_number(v, 0 if float(v).is_integer() else 1))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _finish(fig, axes, prov: Provenance, source: str) -> None:
    for ax in axes:
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi + 0.18 * (hi - lo))  # free band at the top for the demo mark
        _fr_ticks(ax)
    mark_figure(fig, prov)
    fig.text(0.01, 0.005, f"Source : {source}", fontsize=7, color="#555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))


def description(panel: pd.DataFrame, prov: Provenance, source: str):
    """Mean revenue by kind, clause hours and reserved markets by year (three panels)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    m = panel.groupby(["year", "kind"], as_index=False)["revenue_eur"].mean()
    for kind, d in m.groupby("kind"):
        axes[0].plot(d["year"], d["revenue_eur"] / 1e6, marker="o", label=kind)
    axes[0].set(title="Chiffre d'affaires moyen par type de SIAE", xlabel="Année", ylabel="M€")
    axes[0].legend(title="Type de SIAE", fontsize=8, title_fontsize=8, loc="lower right", ncol=2)
    agg = panel.groupby("year")[["insertion_hours", "reserved_market_eur"]].sum()
    axes[1].bar(agg.index, agg["insertion_hours"] / 1000, color="#4c72b0")
    axes[1].set(title="Heures d'insertion (clauses sociales)", xlabel="Année", ylabel="milliers d'heures")
    axes[2].bar(agg.index, agg["reserved_market_eur"] / 1e6, color="#dd8452")
    axes[2].set(title="Marchés réservés notifiés", xlabel="Année", ylabel="M€")
    _finish(fig, axes, prov, source)
    return fig


def event_study_figure(es, cs, truth: pd.Series | None, prov: Provenance, source: str):
    """TWFE event study and Callaway–Sant'Anna dynamic effects (k€), with the demo's true effect."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    plot_event_study({"TWFE (étude d'événement)": event_frame(es), "Callaway–Sant'Anna": dynamic_frame(cs)},
                     ax=ax, truth=truth)
    ax.set_title("Écart de chiffre d'affaires autour de la première attribution d'un marché réservé")
    _finish(fig, [ax], prov, source)
    return fig


def power_figure(grid: pd.DataFrame, prov: Provenance, source: str):
    """MDE of the first award (Callaway–Sant'Anna) by number of years, one line per number of SIAE."""
    import matplotlib.pyplot as plt

    att = grid[grid["target"] == "att"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for n, d in att.groupby("n_siae"):
        ax.plot(d["n_years"], d["mde"] / 1e3, marker="o", label=f"{n} SIAE", color=None)
    ax.set(title="Effet minimal détectable de la 1re attribution (Callaway–Sant'Anna, 80 %, 5 %)",
           xlabel="Nombre d'années du panel", ylabel="k€ de chiffre d'affaires par an")
    ax.set_xticks(np.unique(att["n_years"]))
    ax.legend(title="Nombre de SIAE", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _finish(fig, [ax], prov, source)
    return fig
