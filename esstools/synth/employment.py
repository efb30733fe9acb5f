"""Synthetic ESS employment series in the URSSAF/ACOSS export format (demo data).

No annual ESS employment series by département could be shipped as real data
(the URSSAF open-data series needs a live download). This module generates a
**synthetic, clearly labelled** series for the 8 Île-de-France départements and
the region (code "11" = sum of the départements), 2010-2023, annual rows for
each ESS family and the ESS total, plus quarterly rows for the ESS total. It is
deterministic (``seed``) and calibrated *exactly* to the real published points
listed in ``CALIBRATION`` (see ``data/employment/published_points.csv``):

- 93: employees 2022 / 2013 = 1.23 (+23 %, roadmap 2024-2028 citing
  "SIRENE - INSEE 2024"); 2023 / 2022 = 1.042 (+4.2 %, roadmap citing "ACOSS
  URSSAF 2022-2023"); level 2022 = 42 000 (the roadmap's "42 000 emplois",
  FLORES - INSEE 2024). Definitions differ: FLORES counts jobs (posts) at a date,
  URSSAF average salaried headcounts; the anchor fixes the order of magnitude
  only. 93 has the highest 2022-2023 growth of the 8 départements ("1er
  département en matière de progression").
- 11 (Île-de-France = sum of départements): +0.8 % in 2022-2023 (same source;
  "augmentation moyenne de 0,8 % dans l'ensemble des départements" is ambiguous,
  so both the regional total and the unweighted mean of the 8 départements are
  calibrated to +0.8 %);
  393 000 employees in 2013 (Insee Analyses IDF n°23); 2020-2022 annual changes
  set to the national ESS changes published by ONESS (-0.9 %, +3.2 %, +0.6 %),
  an assumption stated as such (no regional figure was found).
- Levels of other départements at the year of their published figure: 75
  147 600 (2014), 77 29 900 ("presque 30 000", 2013), 91 28 610 (2012), 92
  50 206 (c. 2013), 94 36 000 (2013); 78 and 95 have no published level and
  share the rest of the 2013 regional total (55 % / 45 %, a default).
- Everything else (yearly noise, family shares, establishment sizes, wages,
  quarterly profile) is synthetic.

Every row of the export carries the column ``Nature des données`` =
``DEMO_ROW_LABEL``; every output built on it must carry
:data:`esstools.provenance.DEMO_LABEL`.

Regenerate the shipped file with ``python -m esstools.synth.employment``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..atomic import write_text
from ..vocabulary import ESS_FAMILY_LABELS, FAMILY_AGGREGATE_LABELS

DEFAULT_SEED = 20_241_122
YEARS = tuple(range(2010, 2024))
DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")
REGION = "11"
FAMILIES = ("association", "cooperative", "mutuelle", "fondation")
FAMILY_EXPORT_LABELS = {**{f: ESS_FAMILY_LABELS[f] for f in FAMILIES}, "ensemble": FAMILY_AGGREGATE_LABELS["ensemble"]}
DEMO_ROW_LABEL = "synthétique — démonstration esstools (non réel)"
DEMO_FILENAME = "demo_urssaf_ess_employment.csv"

# Real published anchors used for calibration (territory, year, value, source).
CALIBRATION = {
    "93_growth_2013_2022": (1.23, "Feuille de route ESS 2024-2028 du Département de la Seine-Saint-Denis, "
                                  "« + 23 % … entre 2013 et 2022 », source citée : SIRENE - INSEE 2024"),
    "93_growth_2022_2023": (1.042, "Feuille de route ESS 93, « + 4,2 % du nombre d'emplois dans l'ESS », "
                                   "source citée : ACOSS URSSAF 2022-2023"),
    "11_growth_2022_2023": (1.008, "Feuille de route ESS 93, « augmentation moyenne de 0,8 % dans l'ensemble des "
                                   "départements d'Île-de-France », source citée : ACOSS URSSAF 2022-2023"),
    "93_level_2022": (42_000, "Feuille de route ESS 93 / page ESS du Département, « 42 000 emplois », "
                              "source citée : FLORES - INSEE 2024 (emplois, définition différente)"),
    "11_level_2013": (393_000, "Insee Analyses Île-de-France n°23 (oct. 2015), 393 000 salariés en 2013"),
    "75_level_2014": (147_600, "Ville de Paris, données CRESS IDF 2016 d'après Insee-Clap 2014"),
    "77_level_2013": (29_900, "Seine-et-Marne Invest (06/02/2013), « presque 30 000 salariés »"),
    "91_level_2012": (28_610, "CG91, rapport d'orientation ESS (21/05/2012), 28 610 emplois"),
    "92_level_2013": (50_206, "Val de Seine Vert (c. 2013), 50 206 salariés"),
    "94_level_2013": (36_000, "94 Citoyens (08/11/2015), étude Insee/CRESS 2013, 36 000 salariés"),
    "11_changes_2020_2022": ((-0.009, 0.032, 0.006), "ONESS via Altermidi (2023) : évolutions nationales de l'emploi "
                                                     "ESS 2020 -0,9 %, 2021 +3,2 %, 2022 +0,6 % (hypothèse pour l'IDF)"),
    "93_establishments_2021": (3_297, "Feuille de route ESS 93, 3 297 établissements avec au moins un salarié, "
                                      "LA CRESS - FLORES - INSEE 2021"),
}

# Synthetic ingredients (not published figures).
_TREND = {"75": 0.006, "77": 0.010, "78": 0.008, "91": 0.009, "92": 0.005, "94": 0.011, "95": 0.010}
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
_ESTAB_ANCHORS = {"93": (2021, 3_297), "92": (2013, 3_355), "75": (2014, 12_900)}
_SHOCK = {2020: -0.020, 2021: 0.012}  # common log shock (pandemic dip and catch-up), synthetic


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Round non-negative ``values`` to integers summing exactly to ``total``."""
    floor = np.floor(values).astype(np.int64)
    rest = int(total - floor.sum())
    if rest > 0:
        order = np.argsort(-(values - floor), kind="stable")
        floor[order[:rest]] += 1
    elif rest < 0:
        order = np.argsort(values - floor, kind="stable")
        floor[order[:-rest]] -= 1
    return floor


def _employees_total(rng: np.random.Generator) -> dict[str, np.ndarray]:
    years = np.array(YEARS)
    i13, i22, i23 = YEARS.index(2013), YEARS.index(2022), YEARS.index(2023)
    out: dict[str, np.ndarray] = {}
    # --- 93: exact calibration
    inc = np.full(9, np.log(1.23) / 9) + rng.normal(0, 0.006, 9)
    for y, s in _SHOCK.items():
        inc[y - 2014] += s
    free = [k for k in range(9) if 2014 + k not in _SHOCK]
    inc[free] -= (inc.sum() - np.log(1.23)) / len(free)
    v22 = CALIBRATION["93_level_2022"][0]
    v13 = v22 / 1.23
    path = np.empty(len(YEARS))
    path[i13] = np.log(v13)
    path[i13 + 1:i22 + 1] = np.log(v13) + np.cumsum(inc)
    path[i23] = np.log(v22 * 1.042)
    back = 0.015 + rng.normal(0, 0.006, i13)
    for k in range(i13 - 1, -1, -1):
        path[k] = path[k + 1] - back[k]
    out["93"] = np.exp(path)
    # --- other départements: shape, then anchor
    anchors = {"75": (2014, 147_600), "77": (2013, 29_900), "91": (2012, 28_610), "92": (2013, 50_206),
               "94": (2013, 36_000)}
    for d in DEPARTEMENTS:
        if d == "93":
            continue
        inc = _TREND[d] + rng.normal(0, 0.006, len(YEARS))
        inc[0] = 0.0
        for y, s in _SHOCK.items():
            inc[YEARS.index(y)] += s
        shape = np.exp(np.cumsum(inc))
        if d in anchors:
            y, v = anchors[d]
            out[d] = shape * v / shape[YEARS.index(y)]
        else:
            out[d] = shape / shape[i13]
    known_2013 = sum(out[d][i13] for d in out if d not in ("78", "95"))
    rest = CALIBRATION["11_level_2013"][0] - known_2013
    out["78"] = out["78"] * 0.55 * rest
    out["95"] = out["95"] * 0.45 * rest
    # --- regional changes 2020-2023: rescale non-93 départements from each year on
    targets = dict(zip((2020, 2021, 2022), CALIBRATION["11_changes_2020_2022"][0]))
    others = [d for d in DEPARTEMENTS if d != "93"]
    for y, g in sorted(targets.items()):
        k = YEARS.index(y)
        prev = sum(out[d][k - 1] for d in DEPARTEMENTS)
        want = prev * (1 + g) - out["93"][k]
        factor = want / sum(out[d][k] for d in others)
        for d in others:
            out[d][k:] *= factor
    # 2023: "+0,8 % en moyenne dans l'ensemble des départements" is ambiguous (regional
    # total or unweighted mean of the 8 départements): calibrate both to 0.8 %.
    g_target = CALIBRATION["11_growth_2022_2023"][0] - 1
    prev = np.array([out[d][i22] for d in DEPARTEMENTS])
    raw = np.array([out[d][i23] / out[d][i22] - 1 for d in DEPARTEMENTS])
    w = prev / prev.sum()
    is93 = np.array([d == "93" for d in DEPARTEMENTS])
    x = np.where(is93, 0.0, w - w[~is93].mean())
    one = (~is93).astype(float)
    # unknowns c1, c2 in g = raw + c1 * one + c2 * x (93 kept at its published +4.2 %)
    A = np.array([[np.sum(w * one), np.sum(w * x)], [np.sum(one) / 8, np.sum(x) / 8]])
    b = np.array([g_target - np.sum(w * raw), g_target - np.mean(raw)])
    c1, c2 = np.linalg.solve(A, b)
    g = raw + c1 * one + c2 * x
    for j, d in enumerate(DEPARTEMENTS):
        out[d][i23] = out[d][i22] * (1 + g[j])
    del years
    return out


def _round_region_exact(emp: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Integer employees; 93 values and the regional 2022-2023 growth stay exact to their precision."""
    out = {d: np.rint(v).astype(np.int64) for d, v in emp.items()}
    i13 = YEARS.index(2013)
    out["95"][i13] += int(CALIBRATION["11_level_2013"][0]) - int(sum(out[d][i13] for d in DEPARTEMENTS))
    return out


def generate_employment(seed: int = DEFAULT_SEED, quarterly: bool = True) -> pd.DataFrame:
    """Synthetic table in the loader's contract schema (see module docstring).

    Columns: territory_level, territory_code, year, quarter (NA for annual rows),
    ess_family ("ensemble" = all ESS families), establishments, employees,
    payroll_eur. Regional rows are sums of the 8 départements.
    """
    rng = np.random.default_rng(seed)
    total = _round_region_exact(_employees_total(rng))
    years = np.array(YEARS)
    rows = []
    quarter_rows = []
    for d in DEPARTEMENTS:
        base = np.array(_SHARES.get(d, _SHARES["default"]))
        noise = rng.normal(0, 0.01, (len(YEARS), 4))
        shares = base * np.exp(_SHARE_DRIFT * (years[:, None] - 2013) + noise)
        shares /= shares.sum(axis=1, keepdims=True)
        emp = np.vstack([_largest_remainder(shares[k] * total[d][k], int(total[d][k])) for k in range(len(YEARS))])
        size = _SIZE * np.exp(rng.normal(0, 0.03, 4))
        est_raw = emp / size
        if d in _ESTAB_ANCHORS:
            y, v = _ESTAB_ANCHORS[d]
            scale = v / est_raw[YEARS.index(y)].sum()
        else:
            scale = 1.0
        est = np.vstack([_largest_remainder(est_raw[k] * scale, int(round(est_raw[k].sum() * scale)))
                         for k in range(len(YEARS))])
        wage = _WAGE_2010 * _WAGE_FACTOR.get(d, 1.0) * np.exp(0.018 * (years[:, None] - 2010)
                                                              + rng.normal(0, 0.005, (len(YEARS), 4)))
        pay = np.rint(emp * wage).astype(np.int64)
        for k, y in enumerate(YEARS):
            for j, f in enumerate(FAMILIES):
                rows.append(("departement", d, y, pd.NA, f, int(est[k, j]), int(emp[k, j]), int(pay[k, j])))
            rows.append(("departement", d, y, pd.NA, "ensemble", int(est[k].sum()), int(emp[k].sum()),
                         int(pay[k].sum())))
        if quarterly:
            lv = np.log(total[d].astype(float))
            slope = np.gradient(lv)
            for k, y in enumerate(YEARS):
                prof = lv[k] + slope[k] * (np.arange(4) - 1.5) / 4 + rng.normal(0, 0.002, 4)
                q_emp = _largest_remainder(np.exp(prof) / np.exp(prof).mean() * total[d][k], int(4 * total[d][k]))
                q_pay = _largest_remainder(pay[k].sum() * q_emp / q_emp.sum(), int(pay[k].sum()))
                for q in range(4):
                    quarter_rows.append(("departement", d, y, q + 1, "ensemble", int(est[k].sum()),
                                         int(q_emp[q]), int(q_pay[q])))
    cols = ["territory_level", "territory_code", "year", "quarter", "ess_family", "establishments", "employees",
            "payroll_eur"]
    dep = pd.DataFrame(rows + quarter_rows, columns=cols)
    reg = (dep.assign(quarter=dep["quarter"].astype("Int64"))
           .groupby(["year", "quarter", "ess_family"], dropna=False, sort=False)[cols[5:]].sum().reset_index())
    reg.insert(0, "territory_code", REGION)
    reg.insert(0, "territory_level", "region")
    out = pd.concat([dep.assign(quarter=dep["quarter"].astype("Int64")), reg[cols]], ignore_index=True)
    out["year"] = out["year"].astype("Int64")
    out["quarter"] = out["quarter"].astype("Int64")
    for c in cols[5:]:
        out[c] = out[c].astype("int64")
    fam_order = {f: i for i, f in enumerate(("ensemble",) + FAMILIES)}
    out = out.sort_values(["territory_level", "territory_code", "quarter", "year", "ess_family"],
                          key=lambda s: s.map(fam_order) if s.name == "ess_family" else s,
                          na_position="first", kind="stable").reset_index(drop=True)
    _check_calibration(out)
    return out


def _annual(df: pd.DataFrame, code: str) -> pd.Series:
    s = df[(df["territory_code"] == code) & df["quarter"].isna() & (df["ess_family"] == "ensemble")]
    return s.set_index("year")["employees"].astype(float)


def _check_calibration(df: pd.DataFrame) -> None:
    """Fail loudly if the generated series drifts from a published anchor."""
    s93, s11 = _annual(df, "93"), _annual(df, "11")
    checks = [
        (round(100 * (s93[2022] / s93[2013] - 1)), 23),
        (round(100 * (s93[2023] / s93[2022] - 1), 1), 4.2),
        (round(100 * (s11[2023] / s11[2022] - 1), 1), 0.8),
        (round(100 * np.mean([_annual(df, d)[2023] / _annual(df, d)[2022] - 1 for d in DEPARTEMENTS]), 1), 0.8),
        (int(s93[2022]), 42_000),
        (int(s11[2013]), 393_000),
    ]
    growth23 = {d: _annual(df, d)[2023] / _annual(df, d)[2022] for d in DEPARTEMENTS}
    if max(growth23, key=growth23.get) != "93":
        raise AssertionError(f"Demo calibration: 93 is not first for 2022-2023 growth: {growth23}")
    for got, want in checks:
        if got != want:
            raise AssertionError(f"Demo calibration failed: got {got}, expected {want}.")


def to_urssaf_export(df: pd.DataFrame) -> pd.DataFrame:
    """The synthetic table in the URSSAF open-data export layout read by ``loaders.urssaf``."""
    is_dep = df["territory_level"] == "departement"
    period = [("" if pd.isna(q) else f"{int(y)}-T{int(q)}") for y, q in zip(df["year"], df["quarter"])]
    return pd.DataFrame({
        "Code région": REGION,
        "Code département": np.where(is_dep, df["territory_code"], ""),
        "Année": df["year"].astype(int),
        "Trimestre": period,
        "Famille ESS": df["ess_family"].map(FAMILY_EXPORT_LABELS),
        "Nombre d'établissements": df["establishments"],
        "Effectifs salariés moyens": df["employees"],
        "Masse salariale": df["payroll_eur"],
        "Nature des données": DEMO_ROW_LABEL,
    })


def demo_path() -> Path:
    """Path of the shipped demo file (``data/employment/demo_urssaf_ess_employment.csv``)."""
    return paths.data_dir() / "employment" / DEMO_FILENAME


def write_demo_employment(path: str | os.PathLike | None = None, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo URSSAF export (``;``-separated, UTF-8) atomically; return its path."""
    target = Path(path) if path is not None else demo_path()
    text = to_urssaf_export(generate_employment(seed)).to_csv(sep=";", index=False, lineterminator="\n")
    return write_text(target, text)


def main() -> None:  # pragma: no cover - thin CLI
    print(write_demo_employment())


if __name__ == "__main__":  # pragma: no cover
    main()
