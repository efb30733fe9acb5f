"""Synthetic SIAE x year panel with known true effects (demonstration data, never real).

The generator returns DataFrames in the loaders' output schemas (CONTRIBUTING.md,
"Data contracts"): SIAE directory, clause-hours extract, DECP aggregate by SIRET
and year, financial ratios (revenue by SIREN and year), plus subsidies. Each
frame carries ``attrs["data_kind"] = "demo"``; everything built on them must be
marked with :data:`esstools.provenance.DEMO_LABEL`.

Calibration anchors (published, cited):

- 123 SIAE in Seine-Saint-Denis — DG Trésor 2024, quoted in the Département's
  ESS roadmap 2024-2028 (seed 001) and on the RTES page of the Département
  (seed 000, updated 16/09/2025);
- "plus de 150 000 heures d'insertion financées en 2024" and "plus de 2,5 M€
  d'achats" through reserved markets in 2024 — Département de la Seine-Saint-Denis
  (seed 000); the 2024 totals are matched (``calibrate="exact"``) or matched in
  expectation (``"expected"``);
- 3 M€ annual call for SIAE grants (seed 000) — the ``subsidies`` frame;
- kind mix of Île-de-France SIAE in 2023: 249 ACI, 208 EI, 71 ETTI, 58 AI,
  12 EITI (598 of the 603 IDF SIAE; DRIEETS via GRAFIE, "Les chiffres de l'IAE en Ile-de-France 2023",
  30/01/2025, in /work/shared/data/published_figures_extra.csv), scaled to 123
  by largest remainders: 51 ACI, 43 EI, 15 ETTI, 12 AI, 2 EITI;
- the probability of ever winning a reserved market rises with the kind's
  access to public procurement (IDF SIAE with >= 1 public contract in 2016:
  ETTI 100 %, AI 81 %, EI 56 %, ACI 18 %, DIRECCTE via Achatpublic.info 2018);
- a Covid shock in 2020 (-12 % of a typical SIAE's revenue, -4 % in 2021).

Not published (assumptions of the demo, orders of magnitude only): revenue
levels by kind, dispersion, AR(1) noise, the share of SIAE-years with clause
hours, and all true effects (parameters of :class:`TrueEffects`).

Data-generating process, for SIAE i (kind k) in year t, first award year G_i::

    Y0_it = S_i * exp(u_it) + 1.2 M€ * (exp(trend*(t-2016) + shock_t) - 1),  u AR(1)

(year effects common in euros, so that parallel trends hold in levels — the
identifying assumption of the level estimators; with proportional year
effects, kinds that adopt more often would have steeper trends in euros)
    R_it  = m * profile(t-G_i) * v_it  for t >= G_i (v ~ Gamma(2, 1/2)), else 0
    Y_it  = Y0_it + hours_eur_per_1000h/1000 * kappa_k * dose(H_it)
                  + (1 + crowd_in) * R_it + dynamic_eur(t-G_i) + cohort_gradient_eur*(gbar-G_i)

so the TWFE level coefficient on reserved euros is ``1 + crowd_in``, the
coefficient on revenue excluding contracts is ``crowd_in``, and the true
ATT of the first award at event time e is ``(1+crowd_in) m profile(e) +
dynamic_eur(e)`` (+ the cohort term).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_choice

KINDS = ("ACI", "AI", "EI", "ETTI", "EITI")
KIND_MIX_IDF_2023 = {"ACI": 249, "EI": 208, "ETTI": 71, "AI": 58, "EITI": 12}
KIND_MIX_SOURCE = ("DRIEETS via GRAFIE, « Les chiffres de l'IAE en Ile-de-France 2023 sont sortis » (30/01/2025): "
                   "249 ACI, 208 EI, 71 ETTI, 58 AI, 12 EITI")
SIAE_COUNT_93 = 123
HOURS_2024_93 = 150_000.0
RESERVED_2024_93 = 2_500_000.0
SUBSIDY_CALL_EUR = 3_000_000.0
CALIBRATION_SOURCE = (
    "Calage : 123 SIAE (DG Trésor 2024, feuille de route ESS 2024-2028 du Département de la Seine-Saint-Denis) ; "
    "plus de 150 000 heures d'insertion financées et plus de 2,5 M€ d'achats en marchés réservés en 2024 "
    "(Département de la Seine-Saint-Denis, page ESS) ; appel à subventions SIAE de 3 M€/an ; répartition par type "
    "d'après DRIEETS/GRAFIE (IAE en Île-de-France 2023)."
)

# Demo assumptions (not published figures)
_REVENUE_MEDIAN = {"ACI": 800_000.0, "AI": 1_000_000.0, "EI": 1_500_000.0, "ETTI": 2_000_000.0, "EITI": 400_000.0}
_P_HOURS = {"ACI": 0.35, "AI": 0.55, "EI": 0.50, "ETTI": 0.60, "EITI": 0.40}
_P_EVER_AWARD = {"ACI": 0.25, "AI": 0.60, "EI": 0.55, "ETTI": 0.70, "EITI": 0.40}
_SHOCKS = {2020: -0.12, 2021: -0.04}
_COMMON_SCALE = 1_200_000.0  # euros: year effects = this x (exp(trend + shock) - 1), common to all SIAE
_COMMUNES_93 = [  # (commune code, postcode, name) — real COG codes of Seine-Saint-Denis
    ("93066", "93200", "Saint-Denis"), ("93048", "93100", "Montreuil"), ("93001", "93300", "Aubervilliers"),
    ("93008", "93000", "Bobigny"), ("93005", "93600", "Aulnay-sous-Bois"), ("93055", "93500", "Pantin"),
    ("93029", "93700", "Drancy"), ("93051", "93160", "Noisy-le-Grand"), ("93007", "93150", "Le Blanc-Mesnil"),
    ("93070", "93400", "Saint-Ouen-sur-Seine"), ("93053", "93130", "Noisy-le-Sec"), ("93064", "93110", "Rosny-sous-Bois"),
    ("93010", "93140", "Bondy"), ("93078", "93270", "Sevran"), ("93039", "93450", "L'Île-Saint-Denis"),
]


@dataclass(frozen=True)
class TrueEffects:
    """True effects of the demo (synthetic parameters, in euros of annual revenue).

    - ``hours_eur_per_1000h``: revenue per 1,000 clause hours (before kind multiplier);
    - ``hours_kind_multiplier``: multiplier of the hours effect by SIAE kind;
    - ``hours_knots`` / ``hours_slopes``: piecewise-linear dose in hours (relative
      slope of each segment; default linear);
    - ``crowd_in``: extra non-contract revenue per euro of reserved market (0 =
      the contract only adds itself; < 0 crowd-out);
    - ``award_profile``: mean reserved amount by years since first award
      (relative; last value carried on);
    - ``dynamic_eur``: revenue gained beyond the contracts by years since
      first award (e = 0, 1, ...; last value carried on);
    - ``cohort_gradient_eur``: extra effect per year of earlier adoption.
    """

    hours_eur_per_1000h: float = 20_000.0
    hours_kind_multiplier: dict = field(default_factory=lambda: {"ACI": 0.5, "AI": 1.5, "EI": 1.0, "ETTI": 1.5, "EITI": 1.0})
    hours_knots: tuple = ()
    hours_slopes: tuple = (1.0,)
    crowd_in: float = 0.2
    award_profile: tuple = (0.5, 0.8, 1.0)
    dynamic_eur: tuple = (0.0, 10_000.0, 20_000.0, 30_000.0)
    cohort_gradient_eur: float = 0.0

    @classmethod
    def homogeneous(cls, **kw) -> "TrueEffects":
        """Effects equal across kinds, linear in hours, no cohort gradient (overridable)."""
        base = dict(hours_kind_multiplier={k: 1.0 for k in KINDS}, cohort_gradient_eur=0.0)
        base.update(kw)
        return cls(**base)

    def with_(self, **kw) -> "TrueEffects":
        """Copy with some fields replaced."""
        return replace(self, **kw)

    def profile(self, e: np.ndarray) -> np.ndarray:
        """Relative mean award by event time (0 before the award)."""
        p = np.asarray(self.award_profile, float)
        e = np.asarray(e)
        return np.where(e >= 0, p[np.clip(e, 0, len(p) - 1)], 0.0)

    def dynamic(self, e: np.ndarray) -> np.ndarray:
        """Beyond-contract dynamic effect by event time (0 before the award)."""
        d = np.asarray(self.dynamic_eur, float)
        e = np.asarray(e)
        return np.where(e >= 0, d[np.clip(e, 0, len(d) - 1)], 0.0)

    def dose(self, hours: np.ndarray) -> np.ndarray:
        """Piecewise-linear dose (in hours-equivalent) of ``hours``."""
        h = np.asarray(hours, float)
        knots = (0.0, *map(float, self.hours_knots))
        slopes = tuple(self.hours_slopes)
        if len(slopes) != len(knots):
            raise ParameterError(f"hours_slopes has {len(slopes)} value(s) but {len(knots)} are needed "
                                 f"(one per segment defined by hours_knots={self.hours_knots!r}).")
        out = np.zeros_like(h)
        for j, (lo, s) in enumerate(zip(knots, slopes)):
            hi = knots[j + 1] if j + 1 < len(knots) else np.inf
            out += s * np.clip(h - lo, 0.0, hi - lo)
        return out


def kind_counts(n_siae: int) -> dict[str, int]:
    """Kinds of ``n_siae`` SIAE in the Île-de-France 2023 mix (largest remainders)."""
    tot = sum(KIND_MIX_IDF_2023.values())
    raw = {k: n_siae * v / tot for k, v in KIND_MIX_IDF_2023.items()}
    cnt = {k: int(np.floor(v)) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - cnt[k], reverse=True)[: n_siae - sum(cnt.values())]:
        cnt[k] += 1
    return cnt


def _years(years) -> np.ndarray:
    if isinstance(years, str):
        try:
            a, b = (int(x) for x in years.split("-"))
        except ValueError as exc:
            raise ParameterError(f"Invalid years {years!r}; expected 'YYYY-YYYY', e.g. '2016-2025'.") from exc
        years = range(a, b + 1)
    y = np.asarray(list(years), dtype=int)
    if len(y) < 3 or np.any(np.diff(y) != 1):
        raise ParameterError(f"Invalid years {list(y)!r}; expected at least 3 consecutive years.")
    return y


@dataclass
class SimArrays:
    """Raw simulated arrays (R replications x N SIAE x T years); see module docstring."""

    years: np.ndarray
    kinds: np.ndarray  # (N,)
    cohort: np.ndarray  # (R, N) first award year, 0 = never
    revenue: np.ndarray  # (R, N, T) Y
    revenue0: np.ndarray  # (R, N, T) Y0 (no policy)
    hours: np.ndarray  # (R, N, T)
    reserved: np.ndarray  # (R, N, T)
    effect: np.ndarray  # (R, N, T) true causal component Y - Y0
    award_mean: np.ndarray  # (R,) mean award m
    effects: TrueEffects


def simulate_arrays(
    n_siae: int = SIAE_COUNT_93,
    years="2016-2025",
    effects: TrueEffects | None = None,
    seed: int = 0,
    n_rep: int = 1,
    ever_award_prob: float | dict | None = None,
    calibrate: Literal["expected", "exact"] = "expected",
    revenue_sd: float = 0.08,
    ar_rho: float = 0.5,
) -> SimArrays:
    """Simulate ``n_rep`` balanced panels at once (vectorised DGP; the demo panel is replication 0)."""
    check_choice("calibrate", calibrate, ["expected", "exact"])
    effects = effects or TrueEffects()
    yrs = _years(years)
    t_n = len(yrs)
    rng = np.random.default_rng(seed)
    counts = kind_counts(n_siae)
    kinds = np.array([k for k in KIND_MIX_IDF_2023 for _ in range(counts[k])])
    r = n_rep
    # baseline revenue
    med = np.array([_REVENUE_MEDIAN[k] for k in kinds])
    size = med[None, :] * np.exp(rng.normal(0.0, 0.5, (r, n_siae)))
    shock = np.array([_SHOCKS.get(int(y), 0.0) for y in yrs])
    trend = 0.02 * (yrs - 2016) + shock
    eps = rng.normal(0.0, revenue_sd, (r, n_siae, t_n))
    u = np.empty_like(eps)
    u[..., 0] = eps[..., 0] / np.sqrt(1 - ar_rho**2)
    for j in range(1, t_n):
        u[..., j] = ar_rho * u[..., j - 1] + eps[..., j]
    # year effects common in euros (parallel trends in levels hold by construction)
    y0 = size[..., None] * np.exp(u) + _COMMON_SCALE * (np.exp(trend) - 1.0)[None, None, :]
    # clause hours
    p_h = np.array([_P_HOURS[k] for k in kinds])
    growth = 1.05 ** (yrs - 2024)
    # per-SIAE scales are calibrated on the 123-SIAE département, whatever n_siae
    per_siae = SIAE_COUNT_93 / n_siae
    h0 = HOURS_2024_93 / (float(p_h.sum()) * per_siae)
    prop = np.exp(rng.normal(-0.5**2 / 2, 0.5, (r, n_siae)))
    active = rng.random((r, n_siae, t_n)) < p_h[None, :, None]
    hours = active * h0 * prop[..., None] * growth[None, None, :] * np.exp(rng.normal(-0.5**2 / 2, 0.5, (r, n_siae, t_n)))
    if calibrate == "exact" and 2024 in yrs:
        tot = hours[..., list(yrs).index(2024)].sum(axis=1)
        hours = hours * (HOURS_2024_93 / np.where(tot > 0, tot, 1.0))[:, None, None]
    hours = np.round(hours, 0)
    # adoption (first reserved-market award), never before the second panel year
    if ever_award_prob is None:
        p_e = np.array([_P_EVER_AWARD[k] for k in kinds])
    elif isinstance(ever_award_prob, dict):
        p_e = np.array([ever_award_prob[k] for k in kinds])
    else:
        p_e = np.full(n_siae, float(ever_award_prob))
    ever = rng.random((r, n_siae)) < p_e[None, :]
    cohorts = yrs[1:]
    g = np.where(ever, rng.choice(cohorts, size=(r, n_siae)), 0)
    e = np.where(g[..., None] > 0, yrs[None, None, :] - g[..., None], -999)
    prof = effects.profile(e)
    # award mean m calibrated on 2024 (in expectation over cohorts and kinds)
    ref = 2024 if 2024 in yrs else int(yrs[-1])
    exp_prof = np.mean([effects.profile(np.array(ref - c)) for c in cohorts])
    m = np.full(r, RESERVED_2024_93 / max(float(p_e.sum() * per_siae * exp_prof), 1e-9))
    v = rng.gamma(2.0, 0.5, (r, n_siae, t_n))
    reserved = m[:, None, None] * prof * v
    if calibrate == "exact" and 2024 in yrs:
        tot = reserved[..., list(yrs).index(2024)].sum(axis=1)
        f = RESERVED_2024_93 / np.where(tot > 0, tot, RESERVED_2024_93)
        reserved, m = reserved * f[:, None, None], m * f
    reserved = np.round(reserved, 0)
    kappa = np.array([effects.hours_kind_multiplier.get(k, 1.0) for k in kinds])
    eff_h = effects.hours_eur_per_1000h / 1000.0 * kappa[None, :, None] * effects.dose(hours)
    gbar = float(np.mean(cohorts))
    eff_r = (1 + effects.crowd_in) * reserved + effects.dynamic(e) + np.where(
        e >= 0, effects.cohort_gradient_eur * (gbar - g[..., None]), 0.0)
    effect = eff_h + eff_r
    return SimArrays(yrs, kinds, g, y0 + effect, y0, hours, reserved, effect, m, effects)


def true_att_gt(sim: SimArrays, rep: int = 0) -> pd.DataFrame:
    """True (expected) ATT of the first award for each cohort g and year t >= g-? (all years), rep ``rep``.

    ``(1+crowd_in) m profile(t-g) + dynamic(t-g) + cohort term``; zero before adoption.
    """
    ef = sim.effects
    cohorts = np.unique(sim.cohort[rep][sim.cohort[rep] > 0])
    gbar = float(np.mean(sim.years[1:]))
    rows = []
    for gg in cohorts:
        e = sim.years - gg
        val = (1 + ef.crowd_in) * sim.award_mean[rep] * ef.profile(e) + ef.dynamic(e) + np.where(
            e >= 0, ef.cohort_gradient_eur * (gbar - gg), 0.0)
        for t, ee, vv in zip(sim.years, e, val):
            rows.append((int(gg), int(t), int(ee), float(vv), int((sim.cohort[rep] == gg).sum())))
    return pd.DataFrame(rows, columns=["cohort", "year", "event_time", "att", "n_cohort"])


def true_att_event(sim: SimArrays, rep: int = 0, max_e: int | None = None) -> pd.Series:
    """True ATT by event time, averaged over cohorts weighted by cohort size (observed cells only)."""
    t = true_att_gt(sim, rep)
    t = t[t.event_time >= 0]
    out = t.groupby("event_time").apply(lambda d: np.average(d.att, weights=d.n_cohort), include_groups=False)
    if max_e is not None:
        out = out[out.index <= max_e]
    return out.rename("att")


@dataclass
class SiaeDemo:
    """Demo panel in the loader schemas + the truth (synthetic)."""

    directory: pd.DataFrame
    clause_hours: pd.DataFrame
    decp: pd.DataFrame
    financials: pd.DataFrame
    subsidies: pd.DataFrame
    truth: dict
    truth_panel: pd.DataFrame
    sim: SimArrays

    def frames(self) -> dict[str, pd.DataFrame]:
        """The inputs of :func:`esstools.impact.panel.assemble` as keyword arguments."""
        return dict(directory=self.directory, clause_hours=self.clause_hours, decp=self.decp,
                    financials=self.financials, subsidies=self.subsidies)


def _luhn_complete(body: str) -> str:
    """Append the Luhn check digit to ``body`` (digits)."""
    for d in "0123456789":
        s = body + d
        tot = 0
        for i, ch in enumerate(reversed(s)):
            n = int(ch) * (2 if i % 2 else 1)
            tot += n - 9 if n > 9 else n
        if tot % 10 == 0:
            return s
    raise AssertionError("unreachable")


def _ids(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    sirens, sirets = [], []
    seen = set()
    while len(sirens) < n:
        body = "9" + "".join(map(str, rng.integers(0, 10, 7)))
        siren = _luhn_complete(body)
        if siren in seen:
            continue
        seen.add(siren)
        sirens.append(siren)
        sirets.append(_luhn_complete(siren + "0001"))
    return sirens, sirets


def _mark(df: pd.DataFrame) -> pd.DataFrame:
    df.attrs["data_kind"] = "demo"
    df.attrs["source"] = "esstools.synth.siae_panel (synthétique)"
    return df


def generate_siae_panel(
    n_siae: int = SIAE_COUNT_93,
    years="2016-2025",
    effects: TrueEffects | None = None,
    seed: int = 0,
    missing_revenue_share: float = 0.03,
    n_outside_holders: int = 15,
    calibrate: Literal["expected", "exact"] = "exact",
    departement: str = "93",
) -> SiaeDemo:
    """Deterministic synthetic SIAE panel (loader schemas) with known true effects.

    ``missing_revenue_share`` of SIAE-years have no published accounts (left
    out of ``financials``); ``n_outside_holders`` non-SIAE contract holders are
    added to the DECP aggregate (the panel assembly must leave them out and
    report it).
    """
    if not 0 <= missing_revenue_share < 0.5:
        raise ParameterError(f"missing_revenue_share must be in [0, 0.5); got {missing_revenue_share!r}.")
    sim = simulate_arrays(n_siae, years, effects, seed, 1, calibrate=calibrate)
    rng = np.random.default_rng([seed, 1])
    yrs, kinds = sim.years, sim.kinds
    sirens, sirets = _ids(rng, n_siae + n_outside_holders)
    com = [_COMMUNES_93[i] for i in rng.integers(0, len(_COMMUNES_93), n_siae)]
    if departement != "93":
        com = [(departement + c[0][2:], departement + c[1][2:], "Commune fictive") for c in com]
    directory = pd.DataFrame({
        "siret": sirets[:n_siae], "siren": sirens[:n_siae],
        "name": [f"SIAE fictive {i + 1:03d} ({k})" for i, k in enumerate(kinds)],
        "kind": kinds, "address": [f"{i + 1} rue de la Démonstration" for i in range(n_siae)],
        "postcode": [c[1] for c in com], "commune_code": [c[0] for c in com], "departement": departement,
    })
    # clause hours: split each SIAE-year into 1-3 operations
    rows = []
    buyers = ["Département de la Seine-Saint-Denis (fictif)", "Établissement public territorial (fictif)",
              "Bailleur social (fictif)", "Commune (fictive)"]
    hrs = sim.hours[0]
    for i, j in zip(*np.nonzero(hrs > 0)):
        n_op = int(rng.integers(1, 4))
        shares = rng.dirichlet(np.ones(n_op))
        parts = np.floor(hrs[i, j] * shares)
        parts[0] += hrs[i, j] - parts.sum()
        for o, h in enumerate(parts):
            rows.append((sirets[i], f"OP-{yrs[j]}-{i + 1:03d}-{o + 1}", buyers[int(rng.integers(0, 4))], int(yrs[j]),
                         float(h), max(1, int(round(h / 450)))))
    clause = pd.DataFrame(rows, columns=["siret", "operation", "buyer", "year", "insertion_hours", "beneficiaries"])
    # DECP aggregate
    res = sim.reserved[0]
    other = (rng.random(res.shape) < 0.25) * np.round(rng.gamma(2.0, 40_000.0, res.shape))
    has = (res > 0) | (other > 0)
    rows = []
    for i, j in zip(*np.nonzero(has)):
        n_res = int(res[i, j] > 0) * int(rng.integers(1, 4))
        n_oth = int(other[i, j] > 0) * int(rng.integers(1, 3))
        rows.append((sirets[i], int(yrs[j]), float(res[i, j]), int(rng.binomial(n_res + n_oth, 0.4)),
                     n_res + n_oth, float(res[i, j] + other[i, j])))
    for q in range(n_outside_holders):
        for y in yrs[rng.random(len(yrs)) < 0.5]:
            amt = float(np.round(rng.gamma(2.0, 150_000.0)))
            rows.append((sirets[n_siae + q], int(y), 0.0, int(rng.integers(0, 2)), int(rng.integers(1, 4)), amt))
    decp = pd.DataFrame(rows, columns=["siret", "year", "reserved_market_eur", "social_clause_contracts", "contracts", "amount_eur"])
    # financials
    rev = sim.revenue[0]
    keep = rng.random(rev.shape) >= missing_revenue_share
    ii, jj = np.nonzero(keep)
    fin = pd.DataFrame({"siren": [sirens[i] for i in ii], "year": yrs[jj].astype(int), "revenue_eur": np.round(rev[ii, jj], 0)})
    # subsidies: the 3 M€ annual call shared among ~60 % of SIAE each year (no effect on revenue in the DGP)
    rows = []
    for j, y in enumerate(yrs):
        got = np.nonzero(rng.random(n_siae) < 0.6)[0]
        w = rng.gamma(2.0, 1.0, len(got))
        amounts = np.round(SUBSIDY_CALL_EUR * w / w.sum(), 0)
        rows += [(sirens[i], int(y), float(a)) for i, a in zip(got, amounts)]
    subsidies = pd.DataFrame(rows, columns=["siren", "year", "subsidies_eur"])
    ef = sim.effects
    truth = {
        "effects": asdict(ef),
        "reserved_total_per_eur": 1 + ef.crowd_in,
        "crowd_in": ef.crowd_in,
        "hours_eur_per_1000h_by_kind": {k: ef.hours_eur_per_1000h * ef.hours_kind_multiplier.get(k, 1.0) for k in KINDS},
        "award_mean_eur": float(sim.award_mean[0]),
        "att_gt": true_att_gt(sim),
        "att_event": true_att_event(sim),
        "hours_2024": float(hrs[:, list(yrs).index(2024)].sum()) if 2024 in yrs else None,
        "reserved_2024_eur": float(res[:, list(yrs).index(2024)].sum()) if 2024 in yrs else None,
    }
    n_t = len(yrs)
    truth_panel = pd.DataFrame({
        "siren": np.repeat(sirens[:n_siae], n_t), "year": np.tile(yrs, n_siae), "kind": np.repeat(kinds, n_t),
        "first_award_year": np.repeat(np.where(sim.cohort[0] > 0, sim.cohort[0], -1), n_t),
        "revenue_no_policy_eur": sim.revenue0[0].ravel(), "true_effect_eur": sim.effect[0].ravel(),
    })
    frames = [_mark(f) for f in (directory, clause, decp, fin, subsidies, truth_panel)]
    return SiaeDemo(*frames[:5], truth=truth, truth_panel=frames[5], sim=sim)
