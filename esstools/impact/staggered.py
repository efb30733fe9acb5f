"""Callaway and Sant'Anna (2021) difference-in-differences with staggered adoption.

Group-time average treatment effects ATT(g, t) of the first reserved-market
award (cohort g = first award year), without covariates:

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | control]

with base period b = g - 1 for t >= g ("universal" base for pre-periods too,
or b = t - 1 for pre-periods with ``base_period="varying"``, the default of
the R package ``did``), and controls either never-awarded SIAE
(``control_group="never"``) or SIAE not yet awarded by max(t, b)
(``"notyet"``). Aggregations (weights proportional to cohort sizes, as in
``did::aggte``): ``simple`` (all post-award cells), ``dynamic`` (by event time
e = t - g) and ``group`` (by cohort).

Inference: analytical standard errors from the influence functions, clustered
by SIAE (each SIAE is one cluster), including the estimation of the
aggregation weights; normal critical values. By default
(``small_sample=True``) each comparison group's part of the influence function
is multiplied by sqrt(n_g/(n_g - 1)) (an HC1-type factor, n_g = SIAE of the
treated cohort, resp. of the controls, in that cell): standard errors are then
0.3-2.4 % larger than R ``did`` on ``mpdta`` and up to about 20 % larger on
cohorts of a handful of SIAE. ``small_sample=False`` drops the factor and
reproduces R ``did::att_gt``/``aggte`` analytic standard errors exactly
(``bstrap = FALSE``; checked in ``tests/test_impact_did_reference.py``). With
fewer than 30 SIAE (``t_dist="auto"``), intervals and p-values use t(N - 1)
critical values instead of the normal. No wild bootstrap here: cohorts of a
single SIAE, common in small panels, have no estimable own variance, which a
bootstrap cannot restore (``benchmarks/impact_validation.py`` measures the
normal, t(N - 1) and wild bootstrap-t intervals at 20 SIAE).

Missing outcomes (``missing``): ``"cells"`` (default) leaves a SIAE out of the
cells where its outcome is missing in t or in the base period only;
``"units"`` keeps only SIAE observed every year (a balanced panel), which is
what R ``did`` does with panel data (it drops every unit with a missing
outcome). The two differ when some accounts are missing; the report shows both.
Robust to effects that vary across cohorts and over time, unlike the static
TWFE coefficient.

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021), "Difference-in-
Differences with multiple time periods", Journal of Econometrics 225(2), 200-230.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..display import SummaryMixin
from ..errors import ParameterError, check_choice
from ..provenance import Provenance, ProvenanceLike
from . import bootstrap
from .panel import panel_and_provenance
from .results import ImpactResult, WaldTest, make_result

ControlGroup = Literal["never", "notyet"]
BasePeriod = Literal["varying", "universal"]


@dataclass
class CSCells:
    """Raw group-time estimates for R stacked panels."""

    cells: list  # (g, t, e)
    att: np.ndarray  # (R, C)
    inf: np.ndarray  # (R, C, N) influence functions
    n_units: np.ndarray  # (R,) units used
    share: np.ndarray  # (R, C) cohort share p_g of each cell's cohort
    ind: np.ndarray  # (R, C, N) cohort indicator of each cell's cohort
    treated: np.ndarray | None = None  # (R, C, N) units of the cell's treated group (valid cells only)
    control: np.ndarray | None = None  # (R, C, N) units of the cell's comparison group
    resid: np.ndarray | None = None  # (R, C, N) change minus its group mean (0 outside the cell's groups)
    small_sample: bool = True


def cs_cells(y: np.ndarray, cohort: np.ndarray, years: np.ndarray, control_group: ControlGroup = "never",
             base_period: BasePeriod = "varying", include_pre: bool = True, small_sample: bool = True) -> CSCells:
    """ATT(g, t) and influence functions on R stacked panels.

    ``y``: (R, N, T) outcomes (NaN = missing); ``cohort``: (R, N) first award
    year, 0 = never awarded; ``years``: (T,) consecutive years; ``small_sample``:
    the sqrt(n_g/(n_g-1)) factor per comparison group (module docstring).
    """
    check_choice("control_group", control_group, ["never", "notyet"])
    check_choice("base_period", base_period, ["varying", "universal"])
    y = np.asarray(y, float)
    r, n, t_n = y.shape
    years = np.asarray(years, int)
    cohorts = [int(g) for g in np.unique(cohort) if g > years[0] and g <= years[-1]]
    big = 10**6
    gcode = np.where(cohort > 0, cohort, big)
    cells, atts, infs, shares, inds, trs, cts, res = [], [], [], [], [], [], [], []
    for g in cohorts:
        tr_all = cohort == g
        p_g = tr_all.sum(axis=1) / n
        for j, t in enumerate(years):
            e = int(t - g)
            if e < 0 and not include_pre:
                continue
            if e >= 0 or base_period == "universal":
                b = g - 1
            else:
                b = t - 1
            if e == -1 and base_period == "universal":
                continue
            if b < years[0] or b == t:
                continue
            jb = int(b - years[0])
            dy = y[:, :, j] - y[:, :, jb]
            valid = np.isfinite(dy)
            if control_group == "never":
                ctrl = gcode == big
            else:
                ctrl = (gcode > max(t, b)) & (gcode != g)
            tr = tr_all & valid
            ct = ctrl & valid
            n_t, n_c = tr.sum(axis=1), ct.sum(axis=1)
            dy0 = np.where(valid, dy, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mu_t = (dy0 * tr).sum(axis=1) / n_t
                mu_c = (dy0 * ct).sum(axis=1) / n_c
                att = mu_t - mu_c
                ft = np.sqrt(n_t / np.maximum(n_t - 1, 1)) if small_sample else np.ones_like(mu_t)
                fc = np.sqrt(n_c / np.maximum(n_c - 1, 1)) if small_sample else np.ones_like(mu_c)
                inf = n * (tr * (dy0 - mu_t[:, None]) * (ft / n_t)[:, None]
                           - ct * (dy0 - mu_c[:, None]) * (fc / n_c)[:, None])
            ok = (n_t >= 1) & (n_c >= 2)
            att = np.where(ok, att, np.nan)
            inf = np.where(ok[:, None], inf, 0.0)
            trs.append(tr & ok[:, None])
            cts.append(ct & ok[:, None])
            res.append(np.where(ok[:, None], tr * (dy0 - np.nan_to_num(mu_t)[:, None])
                                + ct * (dy0 - np.nan_to_num(mu_c)[:, None]), 0.0))
            cells.append((g, int(t), e))
            atts.append(att)
            infs.append(inf)
            shares.append(p_g)
            inds.append(tr_all.astype(float))
    if not cells:
        raise ParameterError("No adoption cohort inside the panel years: the staggered estimator needs SIAE whose "
                             "first reserved-market award falls after the first panel year.")
    return CSCells(cells, np.stack(atts, 1), np.stack(infs, 1), np.full(r, n), np.stack(shares, 1), np.stack(inds, 1),
                   np.stack(trs, 1), np.stack(cts, 1), np.stack(res, 1), small_sample)


def aggregate(cs: CSCells, select: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cohort-size weighted average of the selected cells (bool (C,)); returns (theta (R,), IF (R, N), weights (R, C))."""
    sel = select[None, :] & np.isfinite(cs.att)
    w_raw = np.where(sel, cs.share, 0.0)
    tot = w_raw.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = w_raw / tot[:, None]
    att0 = np.where(sel, cs.att, 0.0)
    theta = (w * att0).sum(axis=1)
    inf = np.einsum("rc,rcn->rn", w, cs.inf)
    # estimated weights: d w_c = (dp_c * P - p_c * sum dp) / P^2, dp = 1{G=g} - p_g
    dp = np.where(sel[:, :, None], cs.ind - cs.share[:, :, None], 0.0)
    sum_dp = dp.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dw = (dp * tot[:, None, None] - w_raw[:, :, None] * sum_dp[:, None, :]) / (tot[:, None, None] ** 2)
    inf = inf + np.einsum("rc,rcn->rn", att0, dw)
    theta = np.where(tot > 0, theta, np.nan)
    return theta, inf, w


def se_from_inf(inf: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard errors sqrt(sum IF^2) / n (rows = replications)."""
    return np.sqrt((inf**2).sum(axis=-1)) / n[..., None] if inf.ndim == 3 else np.sqrt((inf**2).sum(axis=-1)) / n


def cs_batched(y, cohort, years, control_group: ControlGroup = "never", min_e: int = -3, max_e: int = 5,
               base_period: BasePeriod = "varying", small_sample: bool = True) -> dict:
    """Simple and dynamic aggregations on R stacked panels: dict of arrays (estimates and SEs)."""
    cs = cs_cells(y, cohort, years, control_group, base_period, small_sample=small_sample)
    e = np.array([c[2] for c in cs.cells])
    simple, inf_s, _ = aggregate(cs, e >= 0)
    n = cs.n_units.astype(float)
    out = {"simple": simple, "simple_se": np.sqrt((inf_s**2).sum(1)) / n, "event_times": [], "dynamic": [], "dynamic_se": []}
    for k in range(min_e, max_e + 1):
        if not (e == k).any():
            continue
        th, inf_k, _ = aggregate(cs, e == k)
        out["event_times"].append(k)
        out["dynamic"].append(th)
        out["dynamic_se"].append(np.sqrt((inf_k**2).sum(1)) / n)
    out["dynamic"] = np.stack(out["dynamic"], 1)
    out["dynamic_se"] = np.stack(out["dynamic_se"], 1)
    return out


@dataclass(frozen=True, repr=False, eq=False)
class StaggeredResult(SummaryMixin):
    """Callaway–Sant'Anna estimates: ``att_gt`` table and ``simple``/``dynamic``/``group`` aggregations."""

    att_gt: pd.DataFrame
    simple: ImpactResult
    dynamic: ImpactResult
    group: ImpactResult
    control_group: str
    base_period: str
    provenance: Provenance
    weights_simple: pd.DataFrame
    small_sample: bool = True
    missing: str = "cells"
    notes: tuple = ()

    @property
    def title_fr(self) -> str:
        ctrl = "SIAE jamais attributaires" if self.control_group == "never" else "SIAE pas encore attributaires"
        return f"Callaway et Sant'Anna (2021), groupe de contrôle : {ctrl}"

    def pretrend_test(self) -> WaldTest:
        """Joint chi² test that all pre-award dynamic effects are zero."""
        return self.dynamic.pretrend_test()

    def summary(self) -> str:
        """French text summary of the simple and dynamic aggregations."""
        head = [self.title_fr]
        if self.provenance.is_demo:
            head.append("⚠ " + self.provenance.mark_fr)
        head += [f"Note : {n}" for n in self.notes]
        return "\n\n".join(["\n".join(head), self.simple.summary(), self.dynamic.summary()])

    def summary_frame(self) -> pd.DataFrame:
        parts = [r.table_display().assign(agrégation=name) for name, r in
                 (("simple", self.simple), ("dynamique", self.dynamic), ("par cohorte", self.group))]
        out = pd.concat(parts, ignore_index=True)
        return out[["agrégation", *[c for c in out.columns if c != "agrégation"]]]


def _result(name, terms, theta, infs, n, n_units, n_periods, labels, title, provenance, extra=None, questions=None,
            outcome="revenue_eur", t_dist=False):
    infm = np.stack(infs, 0)  # (K, N)
    cov = infm @ infm.T / n**2
    notes = ((f"Moins de {bootstrap.FEW_CLUSTERS} SIAE : intervalles et p-valeurs selon la loi de Student à "
              f"{int(n_units) - 1} degrés de liberté.",) if t_dist else ())
    return make_result(name, outcome, terms, theta, cov, nobs=int(n_units * n_periods), n_units=int(n_units),
                       n_periods=int(n_periods), n_clusters=int(n_units), df_dist=int(n_units) - 1 if t_dist else None,
                       cov_type="influence", labels=labels, title_fr=title, provenance=provenance, extra=extra or {},
                       questions=questions or {}, notes=notes)


def callaway_santanna(
    data,
    outcome: str = "revenue_eur",
    control_group: ControlGroup = "never",
    base_period: BasePeriod = "varying",
    min_e: int = -4,
    max_e: int = 5,
    unit: str = "siren",
    time: str = "year",
    *,
    provenance: ProvenanceLike | None = None,
    small_sample: bool = True,
    missing: str = "cells",
    t_dist: bool | str = "auto",
) -> StaggeredResult:
    """Callaway–Sant'Anna ATT(g, t) and aggregations (see module docstring).

    ``data``: an Assembly or a panel DataFrame with ``provenance``. Left-censored SIAE (already
    awarded in the first year) are left out. ``small_sample=False`` and ``missing="units"`` give
    R ``did``'s analytic standard errors and sample. ``t_dist="auto"``: t(N - 1) critical values
    when the panel has fewer than 30 SIAE (normal otherwise, as R ``did``).
    """
    panel, prov = panel_and_provenance(data, provenance)
    check_choice("missing", missing, ["cells", "units"])
    df = panel[~panel["left_censored"]] if "left_censored" in panel.columns else panel
    wide = df.pivot(index=unit, columns=time, values=outcome).astype(float)
    notes = []
    if missing == "units":
        full = wide.notna().all(axis=1)
        if (~full).any():
            notes.append(f"{int((~full).sum())} SIAE sans valeur de {outcome} une année au moins écartée(s) "
                         "(panel cylindré, comme R did).")
        wide = wide[full]
    years = np.asarray(wide.columns, int)
    if np.any(np.diff(years) != 1):
        raise ParameterError(f"The panel years must be consecutive; got {list(years)}.")
    coh = df.drop_duplicates(unit).set_index(unit)["first_award_year"].reindex(wide.index)
    cohort = pd.to_numeric(coh, errors="coerce").fillna(0).to_numpy(int)
    if control_group == "never" and not (cohort == 0).any():
        raise ParameterError("No never-awarded SIAE in the panel: use control_group='notyet'.")
    y = wide.to_numpy()[None]
    cs = cs_cells(y, cohort[None], years, control_group, base_period, small_sample=small_sample)
    n = float(y.shape[1])
    n_units, n_periods = y.shape[1], y.shape[2]
    wkw = dict(t_dist=bool(t_dist is True or (t_dist == "auto" and n_units < bootstrap.FEW_CLUSTERS)))
    se = np.sqrt((cs.inf[0] ** 2).sum(-1)) / n
    z = stats.norm.ppf(0.975)
    att_gt = pd.DataFrame([(g, t, e) for g, t, e in cs.cells], columns=["cohort", "year", "event_time"])
    att_gt["att"] = cs.att[0]
    att_gt["std_error"] = se
    att_gt["ci_lower"] = att_gt["att"] - z * se
    att_gt["ci_upper"] = att_gt["att"] + z * se
    att_gt["n_cohort"] = [int((cohort == g).sum()) for g in att_gt["cohort"]]
    e = att_gt["event_time"].to_numpy()
    th, inf_s, w_s = aggregate(cs, e >= 0)
    simple = _result("callaway_santanna", ["att"], th, [inf_s[0]], n, n_units, n_periods,
                     {"att": "Effet moyen après la première attribution (€/an)"},
                     "Callaway–Sant'Anna : effet moyen de la première attribution (agrégation simple)", prov,
                     questions={"att": "écart moyen de chiffre d'affaires des SIAE attributaires par rapport à leur "
                                       "trajectoire sans marché réservé, toutes années après attribution (€/an)."},
                     outcome=outcome, **wkw)
    terms, thetas, infs, ets = [], [], [], {}
    for k in range(min_e, max_e + 1):
        if not (e == k).any():
            continue
        t_, i_, _ = aggregate(cs, e == k)
        if not np.isfinite(t_[0]):
            continue
        name = f"e{k}"
        terms.append(name)
        thetas.append(t_[0])
        infs.append(i_[0])
        ets[name] = k
    dynamic = _result("callaway_santanna_dynamic", terms, np.array(thetas), infs, n, n_units, n_periods,
                      {t: f"période {ets[t]}" for t in terms},
                      "Callaway–Sant'Anna : effet par année depuis la première attribution (agrégation dynamique)", prov,
                      extra={"event_times": ets}, outcome=outcome, **wkw)
    gterms, gth, ginf = [], [], []
    for g in sorted(att_gt["cohort"].unique()):
        sel = (att_gt["cohort"].to_numpy() == g) & (e >= 0)
        t_, i_, _ = aggregate(cs, sel)
        if np.isfinite(t_[0]):
            gterms.append(f"g{g}")
            gth.append(t_[0])
            ginf.append(i_[0])
    group = _result("callaway_santanna_group", gterms, np.array(gth), ginf, n, n_units, n_periods,
                    {t: f"cohorte {t[1:]}" for t in gterms},
                    "Callaway–Sant'Anna : effet moyen par cohorte de première attribution", prov, outcome=outcome,
                    **wkw)
    wtab = att_gt[["cohort", "year", "event_time"]].copy()
    wtab["weight"] = w_s[0]
    return StaggeredResult(att_gt, simple, dynamic, group, control_group, base_period, prov, wtab[wtab.weight > 0],
                           small_sample, missing, tuple(notes))


def dynamic_frame(res: StaggeredResult, level: float = 0.95) -> pd.DataFrame:
    """Dynamic aggregation as an event-study frame (event_time, estimate, lower, upper)."""
    ci = res.dynamic.conf_int(level)
    ets = res.dynamic.extra["event_times"]
    fr = pd.DataFrame({"event_time": [ets[t] for t in res.dynamic.params.index], "estimate": res.dynamic.params.to_numpy(),
                       "lower": ci["lower"].to_numpy(), "upper": ci["upper"].to_numpy(), "term": list(res.dynamic.params.index)})
    if res.base_period == "universal":
        fr = pd.concat([fr, pd.DataFrame([{"event_time": -1, "estimate": 0.0, "lower": 0.0, "upper": 0.0, "term": "ref"}])])
    return fr.sort_values("event_time").reset_index(drop=True)
