"""Charts of the trends notebook (French labels; demo data stamped with the demo mark)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..provenance import mark_figure


def _x(index) -> np.ndarray:
    if isinstance(index, pd.PeriodIndex):
        return np.array([p.year + (p.quarter - 1) / 4 if p.freqstr.upper().startswith("Q") else p.year
                         for p in index], dtype=float)
    return np.asarray(index, dtype=float)


def plot_indexed(series: dict[str, pd.Series], base, kind: str = "demo", title: str = "", source: str = ""):
    """Series indexed to 100 in ``base`` (label -> Series)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for label, s in series.items():
        ref = s.loc[base] if base in s.index else s.iloc[0]
        ax.plot(_x(s.index), 100 * s.to_numpy() / float(ref), marker="o", ms=3, label=label)
    ax.axhline(100, color="grey", lw=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"indice (base 100 en {base})")
    ax.set_xlabel("année")
    ax.set_title(title or "Emploi salarié de l'ESS, base 100")
    ax.legend(frameon=False)
    if source:
        fig.text(0.01, 0.005, f"Source : {source}", fontsize=7, color="#555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    mark_figure(fig, kind)
    return fig


def plot_fits(series: pd.Series, results: dict, kind: str = "demo", title: str = ""):
    """Observed series and the fitted trend of each model."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(_x(series.index), series.to_numpy(), "o", color="black", ms=4, label="observé")
    for label, r in results.items():
        f = r.fitted
        ax.plot(_x(f.index), f.to_numpy(), lw=1.6, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("salariés")
    ax.set_xlabel("année")
    ax.set_title(title or "Tendances ajustées")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    mark_figure(fig, kind)
    return fig


def plot_fan(history: pd.Series, forecast, kind: str = "demo", title: str = "", target: float | None = None):
    """Fan chart: history, central projection, 80 % and 95 % intervals."""
    fr = forecast.frame
    x_h, x_f = _x(history.index), _x(fr.index)
    x_f = np.concatenate([[x_h[-1]], x_f])
    last = float(history.iloc[-1])

    def ext(col):
        return np.concatenate([[last], fr[col].to_numpy()])

    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(x_h, history.to_numpy(), "o-", color="black", ms=3, label="observé")
    ax.fill_between(x_f, ext("lower_95"), ext("upper_95"), color="#1f77b4", alpha=0.18, label="intervalle à 95 %")
    ax.fill_between(x_f, ext("lower_80"), ext("upper_80"), color="#1f77b4", alpha=0.35, label="intervalle à 80 %")
    ax.plot(x_f, ext("mean"), "--", color="#1f77b4", label=f"projection ({forecast.model})")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("salariés")
    ax.set_xlabel("année")
    ax.set_title(title or "Projection de l'emploi salarié de l'ESS")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    mark_figure(fig, kind)
    return fig


def plot_break_profile(supf, kind: str = "demo", chosen=None, title: str = ""):
    """F statistic of a break at each candidate date, with the 5 % Monte Carlo threshold."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    labels = [str(i) for i in supf.profile.index]
    ax.bar(labels, supf.profile.to_numpy(), color="#7f7f7f")
    ax.axhline(supf.critical_5pct, color="#b00020", lw=1, ls="--", label="seuil du sup-F à 5 %")
    if chosen is not None and str(chosen) in labels:
        ax.bar([str(chosen)], [supf.profile.loc[str(chosen)]], color="#1f77b4", label=f"rupture testée ({chosen})")
    ax.set_ylabel("statistique F")
    ax.set_xlabel("date de rupture candidate")
    ax.set_title(title or "Recherche d'une rupture à date inconnue")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    mark_figure(fig, kind)
    return fig
