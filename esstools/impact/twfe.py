"""Two-way fixed-effects (SIAE and year) estimators of revenue on insertion hours and reserved markets.

:func:`fit_fe` is the generic within estimator (unit and/or time effects,
clustered / robust / unadjusted errors) used by every linear estimator of the
subpackage; it reproduces Baltagi's Table 2.1 within estimates on the Grunfeld
data (see tests). :func:`twfe_revenue` runs the three specifications the
evaluator needs and says which question each coefficient answers:

- ``level``: revenue (€) on clause hours (thousands) and reserved-market euros.
  The reserved-market coefficient is the total revenue per euro of reserved
  contract (1 = the contract adds exactly its own amount);
- ``excl``: revenue *excluding* the reserved contracts on the same regressors.
  Its reserved-market coefficient is the crowd-in (> 0) or crowd-out (< 0) of
  other revenue per euro of contract (= level coefficient - 1);
- ``log``: log revenue, coefficients in log points per 1,000 hours and per
  100 k€ of reserved contracts (x100 ≈ % change).
"""

from __future__ import annotations

import warnings
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError, check_choice
from ..provenance import ProvenanceLike
from . import bootstrap
from ._core import cr1_factor, ols_cov, within
from .panel import panel_and_provenance
from .results import ImpactResult, make_result

CovType = Literal["clustered", "robust", "unadjusted"]
Effects = Literal["unit", "unit+time"]

UNIT = "siren"
TIME = "year"

TERM_LABELS = {
    "hours_k": "Heures d'insertion (par 1 000 h)",
    "reserved_market_eur": "Marchés réservés (par € de contrat)",
    "reserved_100keur": "Marchés réservés (par 100 k€)",
    "subsidies_eur": "Subventions (par €)",
    "insertion_fte": "ETP en insertion",
    "treated": "Après la première attribution d'un marché réservé",
}


def fit_fe(
    data,
    outcome: str,
    regressors: Sequence[str],
    unit: str = UNIT,
    time: str = TIME,
    effects: Effects = "unit+time",
    cov_type: CovType = "clustered",
    cluster: str | None = None,
    labels: dict | None = None,
    questions: dict | None = None,
    estimator: str = "twfe",
    title_fr: str = "",
    *,
    provenance: ProvenanceLike | None = None,
    wild: bool | str | Sequence[str] = "auto",
    wild_reps: int = bootstrap.REPS,
    wild_seed: int = bootstrap.SEED,
    term_clusters: dict | None = None,
) -> ImpactResult:
    """Within (fixed-effects) OLS of ``outcome`` on ``regressors``.

    ``data``: an :class:`~esstools.impact.panel.Assembly` (its provenance is used) or a DataFrame
    with ``provenance`` given explicitly (``Provenance`` or "real"/"demo"/"mixed"; no default).
    Rows with a missing outcome or regressor are left out and counted in the result's notes.
    Clustered errors (default: by ``unit``) use the CR1 small-sample factor of Stata ``xtreg, fe
    vce(cluster)``; critical values from t(G-1). ``wild``: wild cluster restricted bootstrap
    (:func:`esstools.impact.bootstrap.wild_cluster_ci`) for the terms resting on fewer than 30
    clusters ("auto": clusters where the regressor is not always 0, or ``term_clusters[term]``),
    for every term (True), listed terms, or none (False).
    """
    data, prov = panel_and_provenance(data, provenance)
    check_choice("effects", effects, ["unit", "unit+time"])
    check_choice("cov_type", cov_type, ["clustered", "robust", "unadjusted"])
    regressors = list(regressors)
    if not regressors:
        raise ParameterError("fit_fe needs at least one regressor.")
    needed = [outcome, *regressors, unit, time] + ([cluster] if cluster else [])
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise SchemaError(f"Table has no column(s) {', '.join(map(repr, missing))}; "
                          f"available columns are: {', '.join(map(str, data.columns))}.")
    cols = list(dict.fromkeys(needed))
    df = data[cols]
    num = df[[outcome, *regressors]].apply(pd.to_numeric, errors="coerce").astype(float)
    ok = np.isfinite(num.to_numpy()).all(axis=1)
    n_dropped = int((~ok).sum())
    df, num = df[ok], num[ok]
    if df.duplicated([unit, time]).any():
        dup = df[df.duplicated([unit, time], keep=False)][[unit, time]].drop_duplicates().head(5)
        raise SchemaError(f"Table has duplicated ({unit}, {time}) pairs, e.g. "
                          + ", ".join(f"({u}, {t})" for u, t in dup.itertuples(index=False)) + "; expected one row per unit and period.")
    u_codes, u_idx = np.unique(df[unit].astype(str).to_numpy(), return_inverse=True)
    t_codes, t_idx = np.unique(df[time].to_numpy(), return_inverse=True)
    n_u, n_t = len(u_codes), len(t_codes)
    arr = num.to_numpy()
    z = within(arr, u_idx, t_idx if effects == "unit+time" else None, n_u, n_t)
    y, x = z[:, 0], z[:, 1:]
    const = [r for r, s in zip(regressors, x.std(axis=0)) if s < 1e-12 * max(1.0, np.abs(arr).max())]
    if const:
        raise ParameterError(f"Regressor(s) {', '.join(map(repr, const))} do not vary within units and years "
                             "(absorbed by the fixed effects); remove them.")
    df_abs = n_u + (n_t - 1 if effects == "unit+time" else 0)
    clusters = None
    if cov_type == "clustered":
        clusters = df[cluster or unit].astype(str).to_numpy()
    # effects nested in unit clusters are the unit effects; time effects (and intercept) are not
    df_not_nested = (n_t if effects == "unit+time" else 1) if (cluster or unit) == unit else df_abs
    params, cov, _, dof = ols_cov(y, x, cov_type, clusters, df_abs, df_not_nested)
    notes = []
    if n_dropped:
        notes.append(f"{n_dropped} observation(s) écartée(s) faute de valeur pour {outcome} ou un régresseur.")
    lab = {**TERM_LABELS, **(labels or {})}
    wild_tab = None
    if clusters is not None and wild is not False:
        g_codes, g_idx = np.unique(clusters, return_inverse=True)
        exposed = {r: int(len(np.unique(g_idx[arr[:, 1 + j] != 0]))) for j, r in enumerate(regressors)}
        exposed.update(term_clusters or {})
        if wild is True:
            chosen = regressors
        elif wild == "auto":
            chosen = [r for r in regressors if min(exposed[r], len(g_codes)) < bootstrap.FEW_CLUSTERS]
        else:
            chosen = [r for r in regressors if r in set(wild)]
        adj = cr1_factor(len(g_codes), len(y), x.shape[1], df_not_nested)
        rows = {}
        for r in chosen:
            j = regressors.index(r)
            kind = bootstrap.weight_kind(min(exposed[r], len(g_codes)))
            rows[r] = bootstrap.wild_cluster_ci(y, x, g_idx, j, adj, reps=wild_reps, weights=kind, seed=wild_seed)
        if rows:
            wild_tab = pd.DataFrame.from_dict(rows, orient="index")
            wild_tab["clusters"] = [min(exposed[r], len(g_codes)) for r in wild_tab.index]
            notes.append(f"Bootstrap sauvage par grappes (restreint, {wild_reps} tirages, poids "
                         + " / ".join(sorted({"Webb" if w == "webb" else "Rademacher" for w in wild_tab["weights"]}))
                         + f") pour {len(rows)} coefficient(s) reposant sur moins de {bootstrap.FEW_CLUSTERS} SIAE.")
    return make_result(
        estimator, outcome, regressors, params, cov,
        nobs=int(len(df)), n_units=n_u, n_periods=n_t,
        n_clusters=int(len(np.unique(clusters))) if clusters is not None else n_u,
        provenance=prov, df_dist=int(dof), cov_type=cov_type, labels={r: lab.get(r, r) for r in regressors},
        questions=dict(questions or {}), notes=tuple(notes), title_fr=title_fr,
        extra={"n_dropped": n_dropped}, wild=wild_tab,
    )


def default_controls(panel: pd.DataFrame) -> list[str]:
    """Controls present in an assembled panel and not absorbed: ``subsidies_eur`` when available.

    Insertion FTE is deliberately *not* a default control: it is itself moved by
    the clause hours (a "bad control" that would absorb part of the effect).
    """
    return [c for c in ["subsidies_eur"] if c in panel.columns and panel[c].notna().any() and panel[c].std() > 0]


def twfe_revenue(
    data,
    controls: Sequence[str] | None = None,
    specs: Sequence[str] = ("level", "excl", "log"),
    *,
    provenance: ProvenanceLike | None = None,
) -> dict[str, ImpactResult]:
    """The three TWFE specifications (SIAE and year effects, errors clustered by SIAE).

    ``data``: an Assembly, or a panel DataFrame with ``provenance``. Returns a dict with keys among
    ``level``, ``excl``, ``log`` (see module docstring).
    """
    panel, prov = panel_and_provenance(data, provenance)
    for s in specs:
        check_choice("specs", s, ["level", "excl", "log"])
    controls = default_controls(panel) if controls is None else list(controls)
    out = {}
    q_level = {
        "hours_k": "combien de chiffre d'affaires (€) 1 000 heures d'insertion de plus apportent-elles ?",
        "reserved_market_eur": ("combien de chiffre d'affaires total (€) un euro de marché réservé apporte-t-il ? "
                                "1 = le contrat ajoute exactement son montant."),
    }
    q_excl = {
        "hours_k": "effet de 1 000 heures sur le chiffre d'affaires hors marchés réservés (€).",
        "reserved_market_eur": ("effet d'entraînement : chiffre d'affaires hors contrat gagné (> 0) ou perdu (< 0) "
                                "par euro de marché réservé."),
    }
    q_log = {
        "hours_k": "variation relative du chiffre d'affaires (points de log ≈ %/100) pour 1 000 heures de plus.",
        "reserved_100keur": "variation relative du chiffre d'affaires pour 100 k€ de marchés réservés de plus.",
    }
    if "level" in specs:
        out["level"] = fit_fe(panel, "revenue_eur", ["hours_k", "reserved_market_eur", *controls], questions=q_level,
                              title_fr="Effets fixes SIAE et année — chiffre d'affaires (€)", provenance=prov)
    if "excl" in specs:
        out["excl"] = fit_fe(panel, "revenue_excl_reserved_eur", ["hours_k", "reserved_market_eur", *controls],
                             questions=q_excl, provenance=prov,
                             title_fr="Effets fixes SIAE et année — chiffre d'affaires hors marchés réservés (€)")
    if "log" in specs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out["log"] = fit_fe(panel, "log_revenue", ["hours_k", "reserved_100keur", *controls], questions=q_log,
                                title_fr="Effets fixes SIAE et année — log du chiffre d'affaires", provenance=prov)
    return out


def twfe_binary(data, controls: Sequence[str] = (), outcome: str = "revenue_eur", *,
                provenance: ProvenanceLike | None = None) -> ImpactResult:
    """Static TWFE difference-in-differences on the post-first-award dummy ``treated``.

    Biased when effects vary across adoption cohorts or over time (it uses
    already-treated SIAE as controls); compare with :func:`esstools.impact.staggered.callaway_santanna`.
    """
    return fit_fe(data, outcome, ["treated", *controls], estimator="twfe_did", provenance=provenance,
                  questions={"treated": "écart moyen de chiffre d'affaires après la première attribution (€/an), "
                             "estimateur TWFE statique."},
                  title_fr="Différence de différences TWFE statique (après 1re attribution)")
