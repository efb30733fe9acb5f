"""Charts of the trends report (French labels, title and source on every chart, demo data stamped)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..display import fmt_number
from ..provenance import Provenance, mark_figure


def _x(index) -> np.ndarray:
    if isinstance(index, pd.PeriodIndex):
        return np.array([p.year + (p.quarter - 1) / 4 if p.freqstr.upper().startswith("Q") else p.year
                         for p in index], dtype=float)
    return np.asarray(index, dtype=float)


def _finish(fig, ax, title: str, source: str, provenance: Provenance, ylabel: str, thousands: bool = False):
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("année")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if thousands:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, 0)))
    fig.text(0.01, 0.01, f"Source : {source}", fontsize=7, color="#555", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    mark_figure(fig, provenance)
    return fig


def plot_indexed(series: dict[str, pd.Series], base, provenance: Provenance, title: str, source: str):
    """Series indexed to 100 in ``base`` (label -> Series)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for label, s in series.items():
        ref = s.loc[base] if base in s.index else s.iloc[0]
        ax.plot(_x(s.index), 100 * s.to_numpy() / float(ref), marker="o", ms=3, label=label)
    ax.axhline(100, color="grey", lw=0.8)
    ax.legend(frameon=False, fontsize=8)
    return _finish(fig, ax, title, source, provenance, f"indice (base 100 en {base})")


def plot_growth_rates(growth: pd.Series, before: float, after: float | None, break_label: str,
                      provenance: Provenance, periods_per_year: int, title: str, source: str):
    """Growth rates (% a year or a quarter) with the mean growth before and from the tested break date."""
    fig, ax = plt.subplots(figsize=(8, 3.8))
    x = _x(growth.index)
    ax.bar(x, growth.to_numpy(), width=0.6 if len(x) < 30 else 0.18, color="#7f9fbf", label="taux de croissance observé")
    if after is not None:
        cut = float(break_label[:4])
        ax.hlines(before, x.min() - 0.4, cut - 0.5, colors="#1f3f7f", lw=2, label=f"moyenne avant {break_label}")
        ax.hlines(after, cut - 0.5, x.max() + 0.4, colors="#b00020", lw=2, label=f"moyenne depuis {break_label}")
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend(frameon=False, fontsize=8)
    return _finish(fig, ax, title, source, provenance, "% par an" if periods_per_year == 1 else "% par trimestre")


def plot_fan(history: pd.Series, projection, provenance: Provenance, title: str, source: str):
    """Fan chart of the retained projection (80 % and 95 % intervals) with the two models' medians."""
    fr = projection.frames[projection.retained]
    x_h, x_f = _x(history.index), _x(fr.index)
    x_f = np.concatenate([[x_h[-1]], x_f])
    last = float(history.iloc[-1])

    def ext(frame, col):
        return np.concatenate([[last], frame[col].to_numpy()])

    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(x_h, history.to_numpy(), "o-", color="black", ms=3, label="observé")
    ax.fill_between(x_f, ext(fr, "lower_95"), ext(fr, "upper_95"), color="#1f77b4", alpha=0.18,
                    label="intervalle de prévision à 95 %")
    ax.fill_between(x_f, ext(fr, "lower_80"), ext(fr, "upper_80"), color="#1f77b4", alpha=0.35,
                    label="intervalle de prévision à 80 %")
    ax.plot(x_f, ext(fr, "median"), "-", color="#1f77b4", lw=2, label="projection retenue (médiane)")
    styles = {"fc0": ("--", "#555555", "sans rupture"), "fc1": (":", "#b00020", "avec rupture")}
    for key, (ls, col, lab) in styles.items():
        if key in projection.frames and key != projection.retained:
            ax.plot(x_f, ext(projection.frames[key], "median"), ls, color=col, lw=1.2, label=lab)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return _finish(fig, ax, title, source, provenance, "salariés", thousands=True)
