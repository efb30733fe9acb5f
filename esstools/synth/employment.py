"""Synthetic ESS employment series for every département, in the URSSAF export format (demo data).

No real URSSAF series can be shipped (the open-data export needs a live download), so the trends
notebook runs by default on a **synthetic, clearly labelled** series written in the URSSAF export
layout and read back through :func:`esstools.loaders.urssaf.load_ess_employment`. It covers the
101 départements of the COG (:mod:`esstools.territory`), their 18 régions (sums of their
départements) and France ("FR", sum of the départements except Mayotte, which the URSSAF series do
not cover), 2010-2023, annual rows by ESS family and for the ESS total, and **quarterly** rows for the
ESS total. Quarterly values are generated as their own random walk within each year and the annual
value is the mean of the four quarters (URSSAF's definition of the annual average headcount): they
are not interpolated from the annual ones.

Persistence: every département's log employment is a random walk with drift (innovations about
0.8 % a year), the law of real employment series (ISSUE 11: the trend methods are validated under it).

Calibration (see ``data/employment/published_points.csv``, every value read from
:mod:`esstools.published` by its ``figure_id``): exact, to the published precision,

- **France** (URSSAF/ACOSS field): 2.4 million ESS employees in 2018 and +71 100 from 2010 to 2018
  (ONESS, ACOSS-URSSAF data), annual changes -0.9 % (2020), +3.2 % (2021), +0.6 % (2022, published as a
  year-on-year change at Q4, used as the annual change: an approximation stated as such);
- **Île-de-France** (région 11): 393 000 employees in 2013 (Insee/CRESS, Clap: another source, order
  of magnitude); 2020-2022 changes set to the national ones (assumption: no regional figure);
  +0.8 % from 2022 to 2023 (roadmap of the Seine-Saint-Denis, ACOSS URSSAF), both as the regional
  total and as the unweighted mean of its 8 départements;
- **Seine-Saint-Denis** (93): +23 % from 2013 to 2022, +4.2 % from 2022 to 2023, the highest growth of
  the 8 IDF départements that year, 42 000 in 2022 (FLORES jobs: other definition, order of magnitude);
- levels of 75, 77, 91, 92, 94 at the year of their published figure (Clap/CRESS or local reports:
  order of magnitude).

Every other département has **no local figure**: its series is the national total (less
Île-de-France) shared among départements in proportion to their population (COG 2026 populations)
times a synthetic factor of ESS intensity, with a synthetic drift and noise; the national calibration
fixes the sum each year. :func:`calibration_notes` says which figures a département's series rests on.

Everything else (noise, family shares, establishment sizes, wages, quarterly profile) is synthetic.
Every row of the export carries the column ``Nature des données`` = :data:`DEMO_ROW_LABEL`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths, published, territory
from ..atomic import write_text
from ..vocabulary import ESS_FAMILY_LABELS, FAMILY_AGGREGATE_LABELS

DEFAULT_SEED = 20_241_122
GENERATOR_VERSION = 2
YEARS = tuple(range(2010, 2024))
IDF = ("75", "77", "78", "91", "92", "93", "94", "95")
REGION_IDF = "11"
NOT_IN_URSSAF_FIELD = ("976",)  # Mayotte: outside the URSSAF series (régime général)
FAMILIES = ("association", "cooperative", "mutuelle", "fondation")
FAMILY_EXPORT_LABELS = {**{f: ESS_FAMILY_LABELS[f] for f in FAMILIES}, "ensemble": FAMILY_AGGREGATE_LABELS["ensemble"]}
DEMO_ROW_LABEL = "synthétique — démonstration esstools (non réel)"
DEMO_FILENAME = "demo_urssaf_ess_employment.csv"
POINTS_FILE = "published_points.csv"

# Synthetic ingredients (not published figures).
_TREND_IDF = {"75": 0.006, "77": 0.010, "78": 0.008, "91": 0.009, "92": 0.005, "94": 0.011, "95": 0.010}
_RW_SD = 0.008  # sd of yearly log growth around the drift (random walk)
_SHARES = {  # employees by family at 2013 (synthetic, near the IDF 2011 CRESS structure)
    "default": (0.78, 0.085, 0.065, 0.07),
    "75": (0.74, 0.09, 0.09, 0.08),
    "92": (0.72, 0.09, 0.11, 0.08),
    "93": (0.84, 0.07, 0.04, 0.05),
}
_SHARE_DRIFT = np.array([0.004, 0.010, -0.020, 0.005])  # per year, log scale
_SIZE = np.array([10.5, 18.0, 22.0, 28.0])  # employees per establishment
_WAGE_2010 = np.array([24_000.0, 36_000.0, 40_000.0, 30_000.0])  # euros per employee-year
_WAGE_FACTOR = {"75": 1.20, "92": 1.15, "93": 0.97}
_ESTAB_ANCHORS = {"93": "93_establishments_2021", "92": "92_establishments_2013"}
_SHOCK = {2020: -0.020, 2021: 0.012}  # common log shock in the IDF series (pandemic dip and catch-up), synthetic
_QUARTER_SD = 0.004  # sd of the quarterly random walk (log), synthetic


# ------------------------------------------------------------------ published calibration points
def points_path() -> Path:
    return paths.data_dir() / "employment" / POINTS_FILE


@lru_cache(maxsize=1)
def _points() -> pd.DataFrame:
    return pd.read_csv(points_path(), dtype=str, keep_default_na=False)


def calibration_points() -> pd.DataFrame:
    """The published points of ``data/employment/published_points.csv`` (one row each, strings)."""
    return _points().copy()


def _value(point_id: str) -> float:
    """Published value of a calibration point, read from the published-figures table by its figure id."""
    row = _points().set_index("point_id").loc[point_id]
    return float(published.figure(row["figure_id"])["value"])


# ------------------------------------------------------------------ helpers
def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to integers summing exactly to ``total``."""
    values = np.asarray(values, dtype=float)
    floor = np.floor(values).astype(np.int64)
    rest = int(total - floor.sum())
    if rest > 0:
        order = np.argsort(-(values - floor), kind="stable")
        floor[order[:rest]] += 1
    elif rest < 0:
        order = np.argsort(values - floor, kind="stable")
        floor[order[:-rest]] -= 1
    return floor


def _idx(year: int) -> int:
    return YEARS.index(year)


@lru_cache(maxsize=4)
def _reference(cog: int = territory.DEFAULT_COG) -> pd.DataFrame:
    """Départements (code, name, region, population) of the COG vintage."""
    d = territory.departements(cog)
    return pd.DataFrame({"code": d["code"].astype(str), "name": d["name"], "region": d["parent"].astype(str),
                         "population": d["population"].astype(float)}).reset_index(drop=True)


# ------------------------------------------------------------------ national and IDF paths
def _national_path(rng: np.random.Generator) -> np.ndarray:
    """France (URSSAF field) ESS employees 2010-2023 (float), exact on the national published points."""
    n18 = _value("fr_level_2018")
    n10 = n18 - _value("fr_created_2010_2018")
    log = np.empty(len(YEARS))
    log[0] = np.log(n10)
    inc = np.log(n18 / n10) / 8 + rng.normal(0, 0.004, 8)
    inc += (np.log(n18 / n10) - inc.sum()) / 8
    log[1:9] = log[0] + np.cumsum(inc)
    log[_idx(2019)] = log[_idx(2018)] + 0.008 + rng.normal(0, 0.004)
    for y in (2020, 2021, 2022):
        log[_idx(y)] = log[_idx(y) - 1] + np.log1p(_value(f"fr_change_{y}") / 100)
    log[_idx(2023)] = log[_idx(2022)] + 0.010 + rng.normal(0, 0.004)
    return np.exp(log)


def _idf_paths(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The 8 IDF départements (float), exact on the IDF published points."""
    i13, i22, i23 = _idx(2013), _idx(2022), _idx(2023)
    g93, g93_1y = 1 + _value("93_growth_2013_2022") / 100, 1 + _value("93_growth_2022_2023") / 100
    out: dict[str, np.ndarray] = {}
    inc = np.full(9, np.log(g93) / 9) + rng.normal(0, _RW_SD, 9)
    for y, s in _SHOCK.items():
        inc[y - 2014] += s
    free = [k for k in range(9) if 2014 + k not in _SHOCK]
    inc[free] -= (inc.sum() - np.log(g93)) / len(free)
    v22 = _value("93_jobs_level")
    path = np.empty(len(YEARS))
    path[i13] = np.log(v22 / g93)
    path[i13 + 1:i22 + 1] = path[i13] + np.cumsum(inc)
    path[i23] = np.log(v22 * g93_1y)
    back = 0.015 + rng.normal(0, _RW_SD, i13)
    for k in range(i13 - 1, -1, -1):
        path[k] = path[k + 1] - back[k]
    out["93"] = np.exp(path)
    anchors = {p["territory_code"]: (int(p["year"]), _value(p["point_id"])) for _, p in _points().iterrows()
               if p["check"] == "level" and p["territory_code"] in IDF and p["territory_code"] != "93"}
    for d in IDF:
        if d == "93":
            continue
        inc = _TREND_IDF[d] + rng.normal(0, _RW_SD, len(YEARS))
        inc[0] = 0.0
        for y, s in _SHOCK.items():
            inc[_idx(y)] += s
        shape = np.exp(np.cumsum(inc))
        if d in anchors:
            y, v = anchors[d]
            if d == "77":
                v *= 0.997  # "presque 30 000" (upper bound): just under it
            out[d] = shape * v / shape[_idx(y)]
        else:
            out[d] = shape / shape[i13]
    rest = _value("11_level_2013") - sum(out[d][i13] for d in out if d not in ("78", "95"))
    out["78"] = out["78"] * 0.55 * rest
    out["95"] = out["95"] * 0.45 * rest
    # 2020-2022: regional changes = national ones (assumption), by rescaling the non-93 départements
    others = [d for d in IDF if d != "93"]
    for y in (2020, 2021, 2022):
        k = _idx(y)
        prev = sum(out[d][k - 1] for d in IDF)
        want = prev * (1 + _value(f"fr_change_{y}") / 100) - out["93"][k]
        factor = want / sum(out[d][k] for d in others)
        for d in others:
            out[d][k:] *= factor
    # 2023: "+0,8 % en moyenne dans l'ensemble des départements" is ambiguous (regional total or
    # unweighted mean of the 8 départements): both are calibrated to 0.8 %, 93 kept at +4.2 %.
    g_target = _value("11_growth_2022_2023") / 100
    prev = np.array([out[d][i22] for d in IDF])
    raw = np.array([out[d][i23] / out[d][i22] - 1 for d in IDF])
    w = prev / prev.sum()
    is93 = np.array([d == "93" for d in IDF])
    x = np.where(is93, 0.0, w - w[~is93].mean())
    one = (~is93).astype(float)
    A = np.array([[np.sum(w * one), np.sum(w * x)], [np.sum(one) / 8, np.sum(x) / 8]])
    b = np.array([g_target - np.sum(w * raw), g_target - np.mean(raw)])
    c1, c2 = np.linalg.solve(A, b)
    g = raw + c1 * one + c2 * x
    for j, d in enumerate(IDF):
        out[d][i23] = out[d][i22] * (1 + g[j])
    return out


def _other_paths(rng: np.random.Generator, ref: pd.DataFrame, national: np.ndarray,
                 idf: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Départements outside IDF: population share x synthetic intensity, random walks, national sum exact."""
    others = ref[~ref["code"].isin(IDF)].reset_index(drop=True)
    k = len(others)
    intensity = np.exp(rng.normal(0, 0.2, k))
    region_drift = {r: rng.normal(0, 0.003) for r in sorted(others["region"].unique())}
    drift = 0.004 + others["region"].map(region_drift).to_numpy() + rng.normal(0, 0.004, k)
    inc = drift[:, None] + rng.normal(0, _RW_SD, (k, len(YEARS)))
    inc[:, 0] = 0.0
    raw = (others["population"].to_numpy() * intensity)[:, None] * np.exp(np.cumsum(inc, axis=1))
    in_field = ~others["code"].isin(NOT_IN_URSSAF_FIELD).to_numpy()
    out = {}
    for t in range(len(YEARS)):
        target = national[t] - sum(v[t] for v in idf.values())
        raw[:, t] *= target / raw[in_field, t].sum()
    for i, code in enumerate(others["code"]):
        out[code] = raw[i]
    return out


def _integer_totals(rng: np.random.Generator, ref: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Integer ESS employees by département and year; the national total (URSSAF field) is exact."""
    national = _national_path(rng)
    idf = _idf_paths(rng)
    others = _other_paths(rng, ref, national, idf)
    out = {d: np.rint(v).astype(np.int64) for d, v in idf.items()}
    i13 = _idx(2013)
    out["95"][i13] += int(round(_value("11_level_2013"))) - int(sum(out[d][i13] for d in IDF))
    codes = [c for c in ref["code"] if c not in IDF and c not in NOT_IN_URSSAF_FIELD]
    nat_int = np.rint(national).astype(np.int64)
    for t in range(len(YEARS)):
        block = nat_int[t] - sum(int(out[d][t]) for d in IDF)
        alloc = _largest_remainder(np.array([others[c][t] for c in codes]), int(block))
        for c, v in zip(codes, alloc):
            out.setdefault(c, np.zeros(len(YEARS), dtype=np.int64))[t] = v
    for c in NOT_IN_URSSAF_FIELD:
        out[c] = np.rint(others[c]).astype(np.int64)
    return out, nat_int


def _quarters(rng: np.random.Generator, annual: np.ndarray) -> np.ndarray:
    """Quarterly integers (years, 4) whose annual means are ``annual`` exactly.

    The quarterly log path is a random walk (sd :data:`_QUARTER_SD` a quarter) plus a piecewise-linear
    correction through the year mid-points, solved so that each year's mean log level is the annual
    one; each year is then rescaled exactly and rounded (largest remainder) to ``4 x annual``.
    """
    T = len(annual)
    walk = np.cumsum(rng.normal(0, _QUARTER_SD, 4 * T))
    t = np.arange(4 * T) / 4 + 0.125  # quarter centres, years from the start
    knots = np.arange(T) + 0.5
    W = np.zeros((4 * T, T))
    for q, tq in enumerate(t):
        j = int(np.clip(np.searchsorted(knots, tq) - 1, 0, T - 2))
        a = (tq - knots[j]) / (knots[j + 1] - knots[j])
        W[q, j], W[q, j + 1] = 1 - a, a
    Mean = np.kron(np.eye(T), np.full((1, 4), 0.25))
    c = np.linalg.solve(Mean @ W, np.log(annual.astype(float)) - Mean @ walk)
    level = np.exp(walk + W @ c).reshape(T, 4)
    level *= (annual / level.mean(axis=1))[:, None]
    return np.vstack([_largest_remainder(level[y], int(4 * annual[y])) for y in range(T)])


# ------------------------------------------------------------------ the table
COLUMNS = ["territory_level", "territory_code", "year", "quarter", "ess_family", "establishments", "employees",
           "payroll_eur"]


def _departement_rows(rng, d: str, total: np.ndarray, estab_anchor: tuple[int, float] | None):
    years = np.array(YEARS)
    base = np.array(_SHARES.get(d, _SHARES["default"]))
    shares = base * np.exp(_SHARE_DRIFT * (years[:, None] - 2013) + rng.normal(0, 0.01, (len(YEARS), 4)))
    shares /= shares.sum(axis=1, keepdims=True)
    emp = np.vstack([_largest_remainder(shares[k] * total[k], int(total[k])) for k in range(len(YEARS))])
    est_raw = emp / (_SIZE * np.exp(rng.normal(0, 0.03, 4)))
    scale = estab_anchor[1] / est_raw[_idx(estab_anchor[0])].sum() if estab_anchor else 1.0
    est = np.vstack([_largest_remainder(est_raw[k] * scale, int(round(est_raw[k].sum() * scale)))
                     for k in range(len(YEARS))])
    wage = _WAGE_2010 * _WAGE_FACTOR.get(d, 1.0) * np.exp(0.018 * (years[:, None] - 2010)
                                                          + rng.normal(0, 0.005, (len(YEARS), 4)))
    pay = np.rint(emp * wage).astype(np.int64)
    rows = []
    for k, y in enumerate(YEARS):
        for j, f in enumerate(FAMILIES):
            rows.append(("departement", d, y, None, f, int(est[k, j]), int(emp[k, j]), int(pay[k, j])))
        rows.append(("departement", d, y, None, "ensemble", int(est[k].sum()), int(emp[k].sum()), int(pay[k].sum())))
    q_emp = _quarters(rng, total)
    for k, y in enumerate(YEARS):
        q_pay = _largest_remainder(pay[k].sum() * q_emp[k] / q_emp[k].sum(), int(pay[k].sum()))
        for q in range(4):
            rows.append(("departement", d, y, q + 1, "ensemble", int(est[k].sum()), int(q_emp[k, q]), int(q_pay[q])))
    return rows


@lru_cache(maxsize=2)
def _generate(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ref = _reference()
    total, _ = _integer_totals(rng, ref)
    anchors = {}
    for d, pid in _ESTAB_ANCHORS.items():
        p = _points().set_index("point_id").loc[pid]
        anchors[d] = (int(p["year"]), _value(pid))
    rows = []
    for d in ref["code"]:
        rows.extend(_departement_rows(rng, d, total[d], anchors.get(d)))
    dep = pd.DataFrame(rows, columns=COLUMNS)
    dep["quarter"] = dep["quarter"].astype("Int64")
    region_of = dict(zip(ref["code"], ref["region"]))
    keys = ["year", "quarter", "ess_family"]
    reg = (dep.assign(territory_code=dep["territory_code"].map(region_of))
           .groupby(["territory_code"] + keys, dropna=False, sort=False)[COLUMNS[5:]].sum().reset_index())
    reg.insert(0, "territory_level", "region")
    fr = (dep[~dep["territory_code"].isin(NOT_IN_URSSAF_FIELD)]
          .groupby(keys, dropna=False, sort=False)[COLUMNS[5:]].sum().reset_index())
    fr.insert(0, "territory_code", "FR")
    fr.insert(0, "territory_level", "france")
    out = pd.concat([dep, reg[COLUMNS], fr[COLUMNS]], ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    out["quarter"] = out["quarter"].astype("Int64")
    for c in COLUMNS[5:]:
        out[c] = out[c].astype("int64")
    level_order = {"france": 0, "region": 1, "departement": 2}
    fam_order = {f: i for i, f in enumerate(("ensemble",) + FAMILIES)}
    out = out.sort_values(["territory_level", "territory_code", "quarter", "year", "ess_family"],
                          key=lambda s: s.map(level_order) if s.name == "territory_level" else
                          s.map(fam_order) if s.name == "ess_family" else s,
                          na_position="first", kind="stable").reset_index(drop=True)
    check_calibration(out)
    return out


def generate_employment(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Synthetic table in the loader's contract schema (see module docstring); a fresh copy.

    Columns: territory_level ("departement", "region", "france"), territory_code, year, quarter
    (NA for annual rows), ess_family ("ensemble" = all ESS families), establishments, employees,
    payroll_eur. Regional rows are sums of their départements; "FR" sums the départements but Mayotte.
    """
    return _generate(int(seed)).copy()


def _annual(df: pd.DataFrame, level: str, code: str) -> pd.Series:
    s = df[(df["territory_level"] == level) & (df["territory_code"] == code) & df["quarter"].isna()
           & (df["ess_family"] == "ensemble")]
    return s.set_index("year")["employees"].astype(float)


def recompute_point(df: pd.DataFrame, point: pd.Series) -> float:
    """The value of a published point recomputed on a table of the loader schema (growth in %, or a level)."""
    level, code, year = point["territory_level"], point["territory_code"], int(point["year"])
    if point["check"] == "establishments":
        s = df[(df["territory_level"] == level) & (df["territory_code"] == code) & df["quarter"].isna()
               & (df["ess_family"] == "ensemble")].set_index("year")["establishments"].astype(float)
        return float(s[year])
    s = _annual(df, level, code)
    if point["check"] == "level":
        return float(s[year])
    if point["check"] == "created":
        return float(s[year] - s[int(point["period_start"])])
    return 100 * (float(s[year]) / float(s[int(point["period_start"])]) - 1)


def check_calibration(df: pd.DataFrame) -> None:
    """Fail loudly if the generated table misses a published point it is calibrated on."""
    for _, p in _points()[_points()["role"].isin(["calibration exacte", "ordre de grandeur", "hypothèse"])].iterrows():
        if not p["check"]:
            continue
        got = recompute_point(df, p)
        want = float(published.figure(p["figure_id"])["value"])
        dec = int(p["decimals"])
        ok = (got <= want and round(got, dec) >= round(0.99 * want, dec)) if p["qualifier"] == "upper_bound" \
            else round(got, dec) == round(want, dec)
        if not ok:
            raise AssertionError(f"Demo calibration failed for {p['point_id']}: got {got}, published {want}.")
    idf = {d: _annual(df, "departement", d) for d in IDF}
    growth = {d: s[2023] / s[2022] for d, s in idf.items()}
    if round(100 * (np.mean(list(growth.values())) - 1), 1) != round(_value("11_growth_2022_2023"), 1):
        raise AssertionError("Demo calibration failed: unweighted mean IDF growth 2022-2023.")
    if max(growth, key=growth.get) != "93":
        raise AssertionError(f"Demo calibration: 93 is not first for 2022-2023 growth: {growth}")


def calibration_notes(code: str) -> list[str]:
    """French sentences: which published figures the demo series of département ``code`` is calibrated on."""
    ref = _reference().set_index("code")
    if code not in ref.index:
        return []
    region = ref.loc[code, "region"]
    pts = _points()
    local = pts[(pts["territory_level"] == "departement") & (pts["territory_code"] == code)
                & (pts["role"] != "non utilisé")]
    notes = []
    if len(local):
        notes.append(f"Série de démonstration du {code} calibrée sur ses chiffres publiés : "
                     + " ; ".join(local["label_fr"]) + ".")
    else:
        notes.append(f"Aucun chiffre local publié pour le {code} : sa série de démonstration répartit le total "
                     f"national (moins l'Île-de-France) au prorata de la population (COG "
                     f"{territory.DEFAULT_COG}) corrigée d'un facteur synthétique d'intensité de l'ESS.")
    if region == REGION_IDF:
        reg = pts[(pts["territory_level"] == "region") & (pts["territory_code"] == REGION_IDF)
                  & (pts["role"] != "non utilisé")]
        notes.append("Région Île-de-France calibrée sur : " + " ; ".join(reg["label_fr"]) + ".")
    nat = pts[(pts["territory_level"] == "france") & (pts["role"] != "non utilisé")]
    notes.append("France (champ URSSAF, hors Mayotte) calibrée sur : " + " ; ".join(nat["label_fr"]) + ".")
    if code in NOT_IN_URSSAF_FIELD:
        notes.append("Mayotte n'est pas couverte par les séries URSSAF (régime général) : sa série de "
                     "démonstration n'a aucun équivalent réel et n'entre pas dans le total France.")
    return notes


# ------------------------------------------------------------------ URSSAF export
def to_urssaf_export(df: pd.DataFrame) -> pd.DataFrame:
    """The synthetic table in the URSSAF open-data export layout read by ``loaders.urssaf``."""
    region_of = dict(zip(_reference()["code"], _reference()["region"]))
    level = df["territory_level"]
    code = df["territory_code"]
    reg = np.where(level == "region", code, np.where(level == "departement", code.map(region_of), ""))
    period = [("" if pd.isna(q) else f"{int(y)}-T{int(q)}") for y, q in zip(df["year"], df["quarter"])]
    return pd.DataFrame({
        "Code région": reg,
        "Code département": np.where(level == "departement", code, ""),
        "Année": df["year"].astype(int),
        "Trimestre": period,
        "Famille ESS": df["ess_family"].map(FAMILY_EXPORT_LABELS),
        "Nombre d'établissements": df["establishments"],
        "Effectifs salariés moyens": df["employees"],
        "Masse salariale": df["payroll_eur"],
        "Nature des données": DEMO_ROW_LABEL,
    })


def export_text(seed: int = DEFAULT_SEED, territories=None) -> str:
    """The demo export as CSV text (``;``-separated, UTF-8); ``territories``: only these (level, code) pairs."""
    df = _generate(int(seed))
    if territories is not None:
        keep = pd.Series(False, index=df.index)
        for level, code in territories:
            keep |= (df["territory_level"] == level) & (df["territory_code"] == str(code))
        df = df[keep]
    return to_urssaf_export(df).to_csv(sep=";", index=False, lineterminator="\n")


def write_demo_employment(path: str | os.PathLike, seed: int = DEFAULT_SEED, territories=None) -> Path:
    """Write the demo URSSAF export atomically at ``path`` (unchanged file left alone); return the path.

    ``territories``: write only these (level, code) pairs, e.g. [("departement", "69"), ("region", "84")].
    """
    target = Path(path)
    text = export_text(seed, territories)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return target
    return write_text(target, text)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin CLI
    import sys

    args = sys.argv[1:] if argv is None else argv
    print(write_demo_employment(args[0] if args else DEMO_FILENAME))


if __name__ == "__main__":  # pragma: no cover
    main()
