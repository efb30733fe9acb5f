"""Charts of the territorial comparison (matplotlib): ranked bars, family mix, share × density.

Every chart has a French title, a source line under the plot and, on synthetic data, the demo
mark in a free band above the data (:func:`esstools.provenance.mark_axes`).
"""

from __future__ import annotations

import pandas as pd

from ..display import fmt_number
from ..provenance import Provenance, mark_axes
from .parameters import Parameters


def style():
    """pyplot with the report's seaborn theme."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt


def fr_formatter(decimals: int | None = None):
    """Matplotlib tick formatter with decimal commas."""
    from matplotlib.ticker import FuncFormatter

    def f(x, _pos):
        return fmt_number(x, decimals if decimals is not None else (0 if float(x).is_integer() else 1))

    return FuncFormatter(f)


def headroom(ax, inches: float = 0.4) -> None:
    """Raise the top of the y axis so that a band of ``inches`` above the data stays free for the demo mark."""
    fig = ax.figure
    height = ax.get_position().height * fig.get_figheight()
    f = min(inches / max(height, 1e-6), 0.5)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, (hi - lo * f) / (1 - f))


def finish(fig, ax, provenance: Provenance, source: str) -> None:
    """Tight layout, free band for the mark, demo mark, source line under the chart."""
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    headroom(ax)
    mark_axes(ax, provenance)
    fig.text(0.01, 0.01, f"Source : {source}", fontsize=7, color="#555555", ha="left", va="bottom", wrap=True)


def ranked_bars(summ: pd.DataFrame, params: Parameters, provenance: Provenance, source: str,
                reference: dict | None = None, column: str = "ess_share_establishments_pct",
                label: str = "Part de l'ESS dans les établissements employeurs privés (%)"):
    """Horizontal bars of ``column`` by unit (ranked), values at the end of the bars, reference line."""
    plt = style()
    s = summ.set_index("name")[column].astype("float64").sort_values()
    fig, ax = plt.subplots(figsize=(9, max(3.2, 0.28 * len(s) + 1.8)))
    ax.barh(s.index.astype(str), s.to_numpy(), color="#2a9d8f")
    for i, v in enumerate(s.to_numpy()):
        ax.text(v, i, " " + fmt_number(v, 1), va="center", ha="left", fontsize=8)
    ref = (reference or {}).get("value") if column == "ess_share_establishments_pct" else None
    if ref is not None:
        ax.axvline(ref, color="#e76f51", linestyle="--", label=f"{reference['label']} : {fmt_number(ref, 1)} %")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_xlim(0, 1.12 * max(float(s.max()), ref or 0.0))
    ax.xaxis.set_major_formatter(fr_formatter())
    ax.set_xlabel(label)
    ax.set_title(f"{params.departement_name} — {label.split(' (')[0]} par {params.level_label}", fontsize=11)
    finish(fig, ax, provenance, source)
    return fig


def family_chart(comp: pd.DataFrame, params: Parameters, provenance: Provenance, source: str):
    """Stacked horizontal bars of the family mix (percent) by unit; legend to the right."""
    plt = style()
    wide = comp.set_index(comp.columns[0])
    fig, ax = plt.subplots(figsize=(10, max(3.2, 0.3 * len(wide) + 1.8)))
    wide.plot.barh(stacked=True, ax=ax, colormap="Set2", width=0.8)
    ax.set_xlabel("Part des établissements employeurs de l'ESS (%)")
    ax.set_ylabel("")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title="Famille",
              title_fontsize=9)
    ax.set_title(f"{params.departement_name} — composition de l'ESS par famille", fontsize=11)
    finish(fig, ax, provenance, source)
    return fig


def share_density_scatter(summ: pd.DataFrame, params: Parameters, provenance: Provenance, source: str,
                          max_labels: int = 15):
    """ESS share of establishments against ESS employees per 1,000 inhabitants (size: ESS establishments).
    Every unit is named when there are at most ``max_labels``, else the largest ones."""
    plt = style()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    x = summ["ess_share_establishments_pct"].astype("float64")
    y = summ["ess_employees_per_1000"].astype("float64")
    size = summ["ess_establishments"].astype("float64")
    ax.scatter(x, y, s=30 + 300 * size / max(float(size.max()), 1.0), color="#264653", alpha=0.7)
    named = summ if len(summ) <= max_labels else summ.nlargest(max_labels, "ess_establishments")
    xmid = (x.min() + x.max()) / 2
    for _, r in named.iterrows():
        right = r["ess_share_establishments_pct"] > xmid
        ax.annotate(str(r["name"]), (r["ess_share_establishments_pct"], r["ess_employees_per_1000"]), fontsize=8,
                    xytext=(-7 if right else 7, 5), textcoords="offset points", ha="right" if right else "left")
    ax.margins(x=0.12, y=0.12)
    ax.xaxis.set_major_formatter(fr_formatter())
    ax.yaxis.set_major_formatter(fr_formatter())
    ax.set_xlabel("Part de l'ESS dans les établissements employeurs (%)")
    ax.set_ylabel("Salariés de l'ESS pour 1 000 habitants")
    ax.set_title(f"{params.departement_name} — part et densité de l'ESS par {params.level_label}", fontsize=11)
    finish(fig, ax, provenance, source)
    return fig
