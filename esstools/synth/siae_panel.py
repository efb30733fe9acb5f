"""Synthetic SIAE x year panel with known true effects (demonstration data, never real), any département.

:func:`generate_siae_panel` draws, for one département, the records behind the four inputs of the
impact analysis — SIAE directory entries, clause-hours rows, public-procurement awards and filed
accounts — plus the truth. :mod:`esstools.synth.siae_files` writes them in the real file formats and
:mod:`esstools.sources.siae` reads them back through the real loaders (everything built on them
must carry :data:`esstools.provenance.DEMO_LABEL`).

Calibration (published figures read through :mod:`esstools.published`; :func:`calibration` says
which rule applied):

- number of SIAE: the département's published count when there is one (Seine-Saint-Denis: 123 SIAE,
  DG Trésor 2024, quoted in the Département's ESS roadmap 2024-2028); otherwise the latest published
  count of its region (Île-de-France: 603 SIAE in 2023, DRIEETS/GRAFIE) or of France (3,843 SIAE at
  end-2019, Dares) times the département's share of the population (INSEE, COG 2026 reference); at
  least :data:`MIN_SIAE` so that the estimators can run (then stated);
- kind mix: Île-de-France 2023 (249 ACI, 208 EI, 71 ETTI, 58 AI, 12 EITI) for its départements,
  France 2018 (1,900 ACI, 962 EI, 663 AI, 278 ETTI; EITI created in 2020) elsewhere, by largest
  remainders;
- 2024 totals: "plus de 150 000 heures d'insertion" and "plus de 2,5M d'achats" in reserved markets
  for Seine-Saint-Denis (Département, RTES page) — matched exactly for 93 and scaled per SIAE
  elsewhere (no local published figure). The 2.5 M concerns SIAE *and* the adapted/protected work
  sector: the demo attributes it all to the SIAE (an upper bound for them);
- the probability of ever winning a reserved market rises with the kind's access to public
  procurement (IDF SIAE with >= 1 public contract in 2016: ETTI 100 %, AI 81 %, EI 56 %, ACI 18 %,
  DIRECCTE via Achatpublic.info 2018).

Not published (assumptions of the demo, orders of magnitude only): revenue levels by kind,
dispersion, AR(1) noise, a 2020-2021 shock (-12 % / -4 % of a typical revenue, a stylised Covid
year), the share of SIAE-years with clause hours, and all true effects (:class:`TrueEffects`).

Identifiers are fictitious by construction: every SIREN of the demo (SIAE, other contract holders,
buyers) starts with ``000`` followed by five random digits and a Luhn check digit; no SIREN of the
INSEE register starts with ``000`` (none in the stored SIRENE and SIAE extracts either), so a demo
identifier can never be mistaken for a real company. Communes and postcodes are real: communes of
the département drawn with probability proportional to their population (arrondissements for Paris,
Lyon, Marseille), with one of their La Poste postcodes.

Data-generating process, for SIAE i (kind k) in year t, first award year G_i::

    Y0_it = S_i * exp(u_it) + 1.2 M€ * (exp(trend*(t-2016) + shock_t) - 1),  u AR(1)
    R_it  = m * profile(t-G_i) * v_it  for t >= G_i (v ~ Gamma(2, 1/2)), else 0
    Y_it  = Y0_it + hours_eur_per_1000h/1000 * kappa_k * dose(H_it)
                  + (1 + crowd_in) * R_it + dynamic_eur(t-G_i) + cohort_gradient_eur*(gbar-G_i)

(year effects common in euros, so that parallel trends hold in levels). The TWFE level coefficient
on reserved euros targets ``1 + crowd_in`` only without dynamic effects; the true ATT of the first
award at event time e is ``(1+crowd_in) m profile(e) + dynamic_eur(e)`` (+ the cohort term).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from .. import published, territory
from ..postcodes import postcodes
from ..display import fmt_number
from ..errors import ParameterError, check_choice

KINDS = ("ACI", "AI", "EI", "ETTI", "EITI")
MIN_SIAE = 20
COG = 2026
#: Published figures used by the calibration (ids of data/reference/published_figures.csv).
FIG_SIAE_93 = "93_siae_2024"
FIG_HOURS_93 = "93_insertion_hours_dept_procurement_2024"
FIG_RESERVED_93 = "93_reserved_market_eur_2024"
IDF_MIX_FIGS = {k: f"r11_siae_count_{k.lower()}_2023" for k in ("ACI", "EI", "ETTI", "AI", "EITI")}  # order = draw order
FR_MIX_FIGS = {"ACI": "fr_siae_count_aci_2018", "EI": "fr_siae_count_ei_2018", "AI": "fr_siae_count_ai_2018",
               "ETTI": "fr_siae_count_etti_2018"}

# Demo assumptions (not published figures)
_REVENUE_MEDIAN = {"ACI": 800_000.0, "AI": 1_000_000.0, "EI": 1_500_000.0, "ETTI": 2_000_000.0, "EITI": 400_000.0}
_P_HOURS = {"ACI": 0.35, "AI": 0.55, "EI": 0.50, "ETTI": 0.60, "EITI": 0.40}
_P_EVER_AWARD = {"ACI": 0.25, "AI": 0.60, "EI": 0.55, "ETTI": 0.70, "EITI": 0.40}
_SHOCKS = {2020: -0.12, 2021: -0.04}
_COMMON_SCALE = 1_200_000.0  # euros: year effects = this x (exp(trend + shock) - 1), common to all SIAE


@lru_cache(maxsize=None)
def _fig(figure_id: str) -> float:
    return float(published.figure(figure_id)["value"])


def _cite(figure_id: str) -> str:
    return published.cite(figure_id).removeprefix("Source : ")


@dataclass(frozen=True)
class Calibration:
    """What the demo of one département is calibrated on (counts, 2024 totals, kind mix) and why."""

    departement: str
    name: str
    n_siae: int
    hours_2024: float
    reserved_2024_eur: float
    kind_mix: dict
    rule_fr: str
    sources_fr: tuple

    @property
    def hours_per_siae(self) -> float:
        return self.hours_2024 / self.n_siae

    @property
    def reserved_per_siae(self) -> float:
        return self.reserved_2024_eur / self.n_siae

    @property
    def text_fr(self) -> str:
        """One French sentence for the report."""
        return (f"Calage ({self.name}) : {self.rule_fr} ; volumes 2024 : {fmt_number(self.hours_2024, 0)} heures "
                f"d'insertion et {fmt_number(self.reserved_2024_eur / 1e6, 2)} M€ de marchés réservés.")


def _latest(df: pd.DataFrame) -> pd.Series | None:
    if df.empty:
        return None
    order = df.assign(_y=df["year"].fillna(df["publication_year"]).fillna(0)).sort_values(["_y", "figure_id"])
    return order.iloc[-1]


def calibration(departement: str = "93", cog: int = COG) -> Calibration:
    """Calibration of the demo for ``departement`` (any of the 101; rules in the module docstring)."""
    dep = territory.lookup(str(departement), cog, level="departement")
    region = dep.parents.get("region")
    sources = []
    own = _latest(published.figures(territory=dep.code, indicator="siae", level="departement"))
    if own is not None:
        n = int(own["value"])
        rule = f"{n} SIAE publiées pour le département"
        sources.append(published.cite(own).removeprefix("Source : "))
    else:
        reg = _latest(published.figures(territory=region, indicator="siae", level="region")) if region else None
        base = reg if reg is not None else _latest(published.figures(territory="FR", indicator="siae", level="france"))
        deps = territory.departements(cog)
        pops = territory.populations("departement", cog)
        scope = deps.loc[deps["parent"] == region, "code"] if reg is not None else deps["code"]
        share = dep.population / float(pops.reindex(scope).sum())
        raw = float(base["value"]) * share
        n = max(MIN_SIAE, int(round(raw)))
        where = f"de la {'région' if reg is not None else 'France'} ({fmt_number(base['value'], 0)} SIAE)"
        rule = (f"{n} SIAE = effectif publié {where} × part du département dans sa population "
                f"({fmt_number(100 * share, 1)} %)")
        if n > round(raw):
            rule += f", porté au minimum de {MIN_SIAE} (au lieu de {fmt_number(raw, 0)})"
        sources.append(published.cite(base).removeprefix("Source : ") + " ; populations INSEE (référentiel COG)")
    idf = region == "11"
    mix_figs = IDF_MIX_FIGS if idf else FR_MIX_FIGS
    mix = {k: int(_fig(f)) for k, f in mix_figs.items()}
    sources.append("répartition par type : " + _cite(mix_figs["ACI"]))
    n93 = _fig(FIG_SIAE_93)
    hours, reserved = _fig(FIG_HOURS_93), _fig(FIG_RESERVED_93)
    if dep.code != "93":
        hours, reserved = hours / n93 * n, reserved / n93 * n
        rule += " ; volumes 2024 proportionnels au nombre de SIAE, d'après la Seine-Saint-Denis (pas de chiffre local publié)"
    sources.append("heures et marchés réservés 2024 : " + _cite(FIG_HOURS_93))
    return Calibration(dep.code, dep.name, n, float(hours), float(reserved), mix, rule, tuple(dict.fromkeys(sources)))


@dataclass(frozen=True)
class TrueEffects:
    """True effects of the demo (synthetic parameters, in euros of annual revenue).

    - ``hours_eur_per_1000h``: revenue per 1,000 clause hours (before kind multiplier);
    - ``hours_kind_multiplier``: multiplier of the hours effect by SIAE kind;
    - ``hours_knots`` / ``hours_slopes``: piecewise-linear dose in hours (relative slope of each
      segment; default linear);
    - ``crowd_in``: extra non-contract revenue per euro of reserved market (0 = the contract only
      adds itself; < 0 crowd-out);
    - ``award_profile``: mean reserved amount by years since first award (relative; last value
      carried on);
    - ``dynamic_eur``: revenue gained beyond the contracts by years since first award (e = 0, 1,
      ...; last value carried on);
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


def kind_counts(n_siae: int, mix: dict | None = None) -> dict[str, int]:
    """Kinds of ``n_siae`` SIAE in the proportions of ``mix`` (default Île-de-France 2023), largest remainders."""
    mix = mix or {k: int(_fig(f)) for k, f in IDF_MIX_FIGS.items()}
    tot = sum(mix.values())
    raw = {k: n_siae * v / tot for k, v in mix.items()}
    cnt = {k: int(np.floor(v)) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - cnt[k]), list(mix).index(k)))[: n_siae - sum(cnt.values())]:
        cnt[k] += 1
    return cnt


def parse_years(years) -> np.ndarray:
    """Consecutive years from 'YYYY-YYYY' or an iterable (at least 3)."""
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
    n_siae: int = 123,
    years="2016-2025",
    effects: TrueEffects | None = None,
    seed: int = 0,
    n_rep: int = 1,
    ever_award_prob: float | dict | None = None,
    calibrate: Literal["expected", "exact"] = "expected",
    revenue_sd: float = 0.08,
    ar_rho: float = 0.5,
    hours_per_siae: float | None = None,
    reserved_per_siae: float | None = None,
    kind_mix: dict | None = None,
) -> SimArrays:
    """Simulate ``n_rep`` balanced panels at once (vectorised DGP; the demo panel is replication 0).

    ``hours_per_siae`` / ``reserved_per_siae``: 2024 hours and reserved euros per SIAE (default:
    the Seine-Saint-Denis published totals over its 123 SIAE), matched in expectation
    (``calibrate="expected"``) or exactly in 2024 (``"exact"``).
    """
    check_choice("calibrate", calibrate, ["expected", "exact"])
    effects = effects or TrueEffects()
    yrs = parse_years(years)
    t_n = len(yrs)
    hours_per_siae = _fig(FIG_HOURS_93) / _fig(FIG_SIAE_93) if hours_per_siae is None else float(hours_per_siae)
    reserved_per_siae = _fig(FIG_RESERVED_93) / _fig(FIG_SIAE_93) if reserved_per_siae is None else float(reserved_per_siae)
    rng = np.random.default_rng(seed)
    counts = kind_counts(n_siae, kind_mix)
    kinds = np.array([k for k in counts for _ in range(counts[k])])
    r = n_rep
    med = np.array([_REVENUE_MEDIAN[k] for k in kinds])
    size = med[None, :] * np.exp(rng.normal(0.0, 0.5, (r, n_siae)))
    shock = np.array([_SHOCKS.get(int(y), 0.0) for y in yrs])
    trend = 0.02 * (yrs - 2016) + shock
    eps = rng.normal(0.0, revenue_sd, (r, n_siae, t_n))
    u = np.empty_like(eps)
    u[..., 0] = eps[..., 0] / np.sqrt(1 - ar_rho**2)
    for j in range(1, t_n):
        u[..., j] = ar_rho * u[..., j - 1] + eps[..., j]
    y0 = size[..., None] * np.exp(u) + _COMMON_SCALE * (np.exp(trend) - 1.0)[None, None, :]
    # clause hours
    p_h = np.array([_P_HOURS[k] for k in kinds])
    growth = 1.05 ** (yrs - 2024)
    h0 = hours_per_siae * n_siae / float(p_h.sum())
    prop = np.exp(rng.normal(-0.5**2 / 2, 0.5, (r, n_siae)))
    active = rng.random((r, n_siae, t_n)) < p_h[None, :, None]
    hours = active * h0 * prop[..., None] * growth[None, None, :] * np.exp(rng.normal(-0.5**2 / 2, 0.5, (r, n_siae, t_n)))
    if calibrate == "exact" and 2024 in yrs:
        tot = hours[..., list(yrs).index(2024)].sum(axis=1)
        hours = hours * (hours_per_siae * n_siae / np.where(tot > 0, tot, 1.0))[:, None, None]
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
    ref = 2024 if 2024 in yrs else int(yrs[-1])
    exp_prof = np.mean([effects.profile(np.array(ref - c)) for c in cohorts])
    target_reserved = reserved_per_siae * n_siae
    m = np.full(r, target_reserved / max(float(p_e.sum() * exp_prof), 1e-9))
    v = rng.gamma(2.0, 0.5, (r, n_siae, t_n))
    reserved = m[:, None, None] * prof * v
    if calibrate == "exact" and 2024 in yrs:
        tot = reserved[..., list(yrs).index(2024)].sum(axis=1)
        f = target_reserved / np.where(tot > 0, tot, target_reserved)
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
    """True (expected) ATT of the first award for each cohort g and every year, replication ``rep``.

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


# ---------------------------------------------------------------------------- records
@dataclass
class SiaeDemo:
    """Records of the demo in source terms (before any file format) + the truth (synthetic).

    ``structures``: one row per SIAE (``siret``, ``siren``, ``name``, ``kind``, ``address``,
    ``postcode``, ``city``, ``commune_code``, ``departement``); ``clause_rows``: (``siret``,
    ``operation``, ``buyer``, ``year``, ``insertion_hours``, ``beneficiaries``); ``awards``: one
    row per public contract (``contract_id``, ``buyer_siret``, ``holder_siret``, ``amount_eur``,
    ``notification_date``, ``social`` — list of DECP social considerations —, ``cpv``,
    ``place_code``); ``accounts``: (``siren``, ``closing_date``, ``revenue_eur``,
    ``accounts_type``).
    """

    structures: pd.DataFrame
    clause_rows: pd.DataFrame
    awards: pd.DataFrame
    accounts: pd.DataFrame
    truth: dict
    truth_panel: pd.DataFrame
    sim: SimArrays
    calibration: Calibration


def luhn_complete(body: str) -> str:
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


def fictitious_sirens(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct fictitious SIREN: ``000`` + 5 random digits + Luhn check digit."""
    out, seen = [], set()
    while len(out) < n:
        siren = luhn_complete("000" + "".join(map(str, rng.integers(0, 10, 5))))
        if siren not in seen:
            seen.add(siren)
            out.append(siren)
    return out


def _places(rng: np.random.Generator, departement: str, n: int) -> pd.DataFrame:
    """``n`` (commune_code, postcode, city) of real communes of the département, population-weighted."""
    every = territory.communes(COG, departement=departement, include_arrondissements=True)
    parent_name = every.set_index("code")["name"]
    com = every[~every["code"].isin(set(every.loc[every["type"] != "commune", "commune"]))]  # Paris/Lyon/Marseille: arrondissements
    pops = pd.to_numeric(com["population"], errors="coerce").fillna(0).to_numpy(float)
    pick = rng.choice(len(com), size=n, p=pops / pops.sum())
    pcs = postcodes(departement)
    by_code = pcs.groupby("code")["postcode"].apply(sorted)
    rows = []
    for i in pick:
        c = com.iloc[int(i)]
        options = by_code[c["code"]]
        pc = options[int(rng.integers(0, len(options)))]
        city = parent_name.get(c["commune"], c["name"]) if c["type"] != "commune" else c["name"]
        rows.append((c["code"], pc, city))
    return pd.DataFrame(rows, columns=["commune_code", "postcode", "city"])


_STREETS = ("rue de la République", "avenue Jean-Jaurès", "rue Victor-Hugo", "boulevard Pasteur", "rue de la Gare",
            "allée des Artisans", "rue du Marché", "chemin des Vignes")
_CPV = ("77310000", "90910000", "45000000", "98341120", "60100000")  # green spaces, cleaning, works, reception, transport
_BUYER_NAMES = ("Département (fictif)", "Établissement public territorial (fictif)", "Bailleur social (fictif)",
                "Commune (fictive)")


def _split_integer(rng, total: int, parts: int) -> list[int]:
    """``parts`` positive integers summing to ``total`` (Dirichlet shares)."""
    parts = max(1, min(parts, total))
    raw = np.floor(total * rng.dirichlet(np.ones(parts))).astype(int)
    raw = np.maximum(raw, 1)
    raw[0] += total - raw.sum()
    if raw[0] < 1:
        return [total]
    return [int(x) for x in raw]


def generate_siae_panel(
    departement: str = "93",
    years="2016-2025",
    effects: TrueEffects | None = None,
    seed: int = 0,
    n_siae: int | None = None,
    missing_revenue_share: float = 0.03,
    n_outside_holders: int = 15,
    calibrate: Literal["expected", "exact"] = "exact",
) -> SiaeDemo:
    """Deterministic synthetic records of the SIAE of ``departement`` with known true effects.

    ``missing_revenue_share`` of SIAE-years have no filed accounts; ``n_outside_holders`` non-SIAE
    companies hold public contracts too (the assembly must leave them out and count them).
    ``n_siae`` overrides the calibrated count.
    """
    if not 0 <= missing_revenue_share < 0.5:
        raise ParameterError(f"missing_revenue_share must be in [0, 0.5); got {missing_revenue_share!r}.")
    cal = calibration(departement)
    n = int(n_siae or cal.n_siae)
    sim = simulate_arrays(n, years, effects, seed, 1, calibrate=calibrate, hours_per_siae=cal.hours_per_siae,
                          reserved_per_siae=cal.reserved_per_siae, kind_mix=cal.kind_mix)
    rng = np.random.default_rng([seed, 1])
    yrs, kinds = sim.years, sim.kinds
    sirens = fictitious_sirens(rng, n + n_outside_holders + len(_BUYER_NAMES))
    sirets = [luhn_complete(s + "0001") for s in sirens]
    buyers = sirets[n + n_outside_holders:]
    places = _places(rng, cal.departement, n)
    structures = pd.DataFrame({
        "siret": sirets[:n], "siren": sirens[:n],
        "name": [f"SIAE FICTIVE {i + 1:03d} ({k})" for i, k in enumerate(kinds)], "kind": kinds,
        "address": [f"{int(rng.integers(1, 120))} {_STREETS[int(rng.integers(0, len(_STREETS)))]}" for _ in range(n)],
        **{c: places[c].to_numpy() for c in ("postcode", "city", "commune_code")}, "departement": cal.departement,
    })
    # clause hours: each SIAE-year split into 1-3 operations
    rows = []
    hrs = sim.hours[0]
    for i, j in zip(*np.nonzero(hrs > 0)):
        for o, h in enumerate(_split_integer(rng, int(hrs[i, j]), int(rng.integers(1, 4)))):
            rows.append((sirets[i], f"OP-{yrs[j]}-{i + 1:03d}-{o + 1}", _BUYER_NAMES[int(rng.integers(0, 4))],
                         int(yrs[j]), float(h), max(1, int(round(h / 450)))))
    clause = pd.DataFrame(rows, columns=["siret", "operation", "buyer", "year", "insertion_hours", "beneficiaries"])
    # public contracts (one row per award, DECP terms)
    res = sim.reserved[0]
    other = (rng.random(res.shape) < 0.25) * np.round(rng.gamma(2.0, 40_000.0, res.shape))
    awards = []

    def award(holder, year, amount, social):
        k = len(awards) + 1
        day = pd.Timestamp(int(year), 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365 if year % 4 else 366)))
        awards.append((f"{year}D{k:06d}", buyers[int(rng.integers(0, len(buyers)))], holder, int(amount),
                       day.strftime("%Y-%m-%d"), tuple(social), _CPV[int(rng.integers(0, len(_CPV)))]))

    for i, j in zip(*np.nonzero((res > 0) | (other > 0))):
        if res[i, j] > 0:
            for amt in _split_integer(rng, int(res[i, j]), int(rng.integers(1, 4))):
                award(sirets[i], int(yrs[j]), amt, ("Marché réservé", "Clause sociale") if rng.random() < 0.4 else ("Marché réservé",))
        if other[i, j] > 0:
            for amt in _split_integer(rng, int(other[i, j]), int(rng.integers(1, 3))):
                award(sirets[i], int(yrs[j]), amt, ("Clause sociale",) if rng.random() < 0.4 else ("Pas de considération sociale",))
    for q in range(n_outside_holders):
        for y in yrs[rng.random(len(yrs)) < 0.5]:
            award(sirets[n + q], int(y), max(1.0, np.round(rng.gamma(2.0, 150_000.0))),
                  ("Clause sociale",) if rng.random() < 0.3 else ("Pas de considération sociale",))
    awards = pd.DataFrame(awards, columns=["contract_id", "buyer_siret", "holder_siret", "amount_eur",
                                           "notification_date", "social", "cpv"])
    place = dict(zip(structures["siret"], structures["commune_code"]))
    awards["place_code"] = awards["holder_siret"].map(place).fillna(cal.departement)
    # filed accounts (closing on 31 December), some SIAE-years without accounts
    rev = np.maximum(sim.revenue[0], 0.0)
    keep = rng.random(rev.shape) >= missing_revenue_share
    ii, jj = np.nonzero(keep)
    accounts = pd.DataFrame({"siren": [sirens[i] for i in ii], "closing_date": [f"{yrs[j]}-12-31" for j in jj],
                             "revenue_eur": np.round(rev[ii, jj], 0),
                             "accounts_type": np.where(rng.random(len(ii)) < 0.8, "C", "S")})
    ef = sim.effects
    j24 = list(yrs).index(2024) if 2024 in yrs else None
    truth = {
        "effects": asdict(ef),
        "reserved_total_per_eur": 1 + ef.crowd_in,
        "crowd_in": ef.crowd_in,
        "hours_eur_per_1000h_by_kind": {k: ef.hours_eur_per_1000h * ef.hours_kind_multiplier.get(k, 1.0) for k in KINDS},
        "award_mean_eur": float(sim.award_mean[0]),
        "att_gt": true_att_gt(sim),
        "att_event": true_att_event(sim),
        "hours_2024": float(hrs[:, j24].sum()) if j24 is not None else None,
        "reserved_2024_eur": float(res[:, j24].sum()) if j24 is not None else None,
    }
    n_t = len(yrs)
    truth_panel = pd.DataFrame({
        "siren": np.repeat(sirens[:n], n_t), "year": np.tile(yrs, n), "kind": np.repeat(kinds, n_t),
        "first_award_year": np.repeat(np.where(sim.cohort[0] > 0, sim.cohort[0], -1), n_t),
        "revenue_no_policy_eur": sim.revenue0[0].ravel(), "true_effect_eur": sim.effect[0].ravel(),
    })
    return SiaeDemo(structures, clause, awards, accounts, truth, truth_panel, sim, cal)
