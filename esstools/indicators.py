"""ESS indicators: pure functions on tidy tables (no I/O, inputs never modified).

Every function documents its formula and units. Conventions:

* shares, growth rates and concentration ratios are returned in **percent** (0-100);
* the Herfindahl index is returned on the 0-1 scale (1 = one unit holds everything);
* counts are "establishments" (établissements) and "employees" (salariés; from
  SIRENE headcount bands these are the band mid-points, an estimate);
* a tidy count table has one row per (territorial unit, ESS family) with the
  columns ``establishments`` and ``employees``; the ``ess_family`` column uses the
  project's codes (``association``, ``cooperative``, ``mutuelle``, ``fondation``,
  ``societe_commerciale_ess``; non-ESS rows are ``hors_ess``).

Functions:

* :func:`employer_mask`, :func:`private_mask`, :func:`count_table` — from
  establishment-level data (loader output) to a tidy count table;
* :func:`ess_shares` — ESS share of establishments and of employees;
* :func:`location_quotient` — specialisation against a reference territory;
* :func:`density` — ESS per 1,000 inhabitants;
* :func:`growth` — absolute, percent and compound annual growth;
* :func:`composition` — mix by ESS family or activity section;
* :func:`top_k_share`, :func:`herfindahl` — concentration;
* :func:`rank_quantile` — rank and percentile of each unit among its peers.
"""

from __future__ import annotations

from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from .errors import ParameterError, SchemaError, check_choice

from .vocabulary import ESS_ONLY_FAMILIES as ESS_FAMILIES  # noqa: E402 - the five ESS families (one vocabulary)
NON_ESS = "hors_ess"
MEASURES: tuple[str, ...] = ("establishments", "employees")

#: SIRENE ``trancheEffectifs`` codes meaning "no salaried employee" (NN = non-employer, 00 = 0 salarié).
NON_EMPLOYER_BANDS: frozenset[str] = frozenset({"NN", "00"})

#: First digit of the legal category (catégorie juridique, level 1) of public-law entities:
#: 4 = personne morale de droit public soumise au droit commercial, 7 = administration / collectivité.
PUBLIC_LEGAL_PREFIXES: tuple[str, ...] = ("4", "7")

Denominator = Literal["private", "all"]


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"available columns are {', '.join(repr(c) for c in df.columns)}."
        )


# --------------------------------------------------------------------------- from establishments
def employer_mask(establishments: pd.DataFrame, band_col: str = "headcount_band") -> pd.Series:
    """True for employer establishments: SIRENE headcount band known and not ``NN``/``00``.

    Missing bands (no headcount information) count as non-employer, as in INSEE's
    "établissements employeurs" (at least one salaried employee).
    """
    _require(establishments, [band_col], "employer_mask")
    band = establishments[band_col].astype("string")
    return (band.notna() & ~band.isin(NON_EMPLOYER_BANDS)).fillna(False).astype(bool)


def private_mask(establishments: pd.DataFrame, legal_col: str = "legal_category") -> pd.Series:
    """True for private-law establishments: legal category not starting with 4 or 7.

    Denominator of "ESS / all private": INSEE's "économie privée" excludes public
    administrations (7xxx) and public-law bodies under commercial law (4xxx).
    Missing legal categories count as private.
    """
    _require(establishments, [legal_col], "private_mask")
    cat = establishments[legal_col].astype("string").fillna("")
    return ~cat.str.startswith(PUBLIC_LEGAL_PREFIXES)


def count_table(
    establishments: pd.DataFrame,
    by: str | Sequence[str] = "commune_code",
    *,
    employers_only: bool = True,
    universe: Denominator = "private",
    employees_col: str = "headcount_mid",
) -> pd.DataFrame:
    """Tidy count table (one row per unit × ``ess_family``) from establishment-level data.

    Input: the output of ``loaders.sirene.load_establishments`` (columns ``ess_family``,
    ``headcount_band``, ``legal_category``, ``headcount_mid`` and the ``by`` columns).
    ``employers_only`` keeps establishments with at least one employee;
    ``universe="private"`` drops public-law establishments (see :func:`private_mask`).
    Output columns: ``by`` columns, ``ess_family``, ``establishments`` (count),
    ``employees`` (sum of ``headcount_mid``, salariés).
    """
    check_choice("universe", universe, ("private", "all"))
    by = [by] if isinstance(by, str) else list(by)
    _require(establishments, [*by, "ess_family", employees_col], "count_table")
    keep = pd.Series(True, index=establishments.index)
    if employers_only:
        keep &= employer_mask(establishments)
    if universe == "private":
        keep &= private_mask(establishments)
    sub = establishments.loc[keep, [*by, "ess_family", employees_col]]
    out = (
        sub.groupby([*by, "ess_family"], observed=True, dropna=False)
        .agg(establishments=(employees_col, "size"), employees=(employees_col, "sum"))
        .reset_index()
    )
    out["establishments"] = out["establishments"].astype("int64")
    out["employees"] = out["employees"].astype("float64")
    return out


# --------------------------------------------------------------------------- shares
def share(part, total):
    """``100 * part / total`` (percent); NaN where ``total`` is 0 or missing."""
    part_a = np.asarray(part, dtype="float64")
    total_a = np.asarray(total, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total_a > 0, 100.0 * part_a / np.where(total_a > 0, total_a, 1.0), np.nan)
    if isinstance(part, pd.Series):
        return pd.Series(out, index=part.index, name=part.name)
    return float(out) if out.ndim == 0 else out


def ess_shares(counts: pd.DataFrame, by: str | Sequence[str] | None = None) -> pd.DataFrame:
    """ESS share of establishments and of employees per unit (percent).

    ``counts`` is a tidy count table (see :func:`count_table`) whose rows cover
    **all** establishments of the universe (ESS families and ``hors_ess``), so the
    denominator is the universe used to build it (by default all private employer
    establishments). Formula: ``ess_share_<m>_pct = 100 * Σ_ESS m / Σ_all m``.
    ``by=None`` gives a single row for the whole table.
    Output columns: ``by``, ``ess_establishments``, ``all_establishments``,
    ``ess_share_establishments_pct``, ``ess_employees``, ``all_employees``,
    ``ess_share_employees_pct``.
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(counts, [*by, "ess_family", *MEASURES], "ess_shares")
    is_ess = counts["ess_family"].astype("string").isin(ESS_FAMILIES).fillna(False).to_numpy(bool)
    frame = counts[by].copy() if by else pd.DataFrame(index=counts.index)
    for m in MEASURES:
        frame[f"ess_{m}"] = np.where(is_ess, counts[m].to_numpy("float64"), 0.0)
        frame[f"all_{m}"] = counts[m].to_numpy("float64")
    if by:
        agg = frame.groupby(by, observed=True, sort=True).sum().reset_index()
    else:
        agg = frame.sum().to_frame().T
    cols = list(by)
    for m in MEASURES:
        agg[f"ess_share_{m}_pct"] = share(agg[f"ess_{m}"], agg[f"all_{m}"])
        cols += [f"ess_{m}", f"all_{m}", f"ess_share_{m}_pct"]
    agg["ess_establishments"] = agg["ess_establishments"].astype("int64")
    agg["all_establishments"] = agg["all_establishments"].astype("int64")
    return agg[cols]


def location_quotient(local_ess, local_total, ref_ess, ref_total):
    """Location quotient ``LQ = (local_ess / local_total) / (ref_ess / ref_total)`` (no unit).

    LQ > 1: the ESS weighs more in the unit than in the reference territory
    (region or France). Works on scalars, arrays or Series (the reference may be
    scalars or shares given as ``ref_ess=share_pct, ref_total=100``).
    """
    local = share(local_ess, local_total)
    ref = share(ref_ess, ref_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(local, dtype="float64") / np.asarray(ref, dtype="float64")
    if isinstance(local, pd.Series):
        return pd.Series(out, index=local.index, name="location_quotient")
    return float(out) if np.ndim(out) == 0 else out


def density(count, population, per: float = 1000.0):
    """``per * count / population``: e.g. ESS jobs per 1,000 inhabitants (NaN if population ≤ 0).

    Populations must come from the same COG vintage as the territorial units
    (``esstools.territory.populations``).
    """
    return share(count, population) * (per / 100.0)


def growth(value_start, value_end, year_start: int, year_end: int) -> dict:
    """Growth between two years.

    Returns ``{"absolute": v1 - v0, "pct": 100 * (v1 / v0 - 1),
    "cagr_pct": 100 * ((v1 / v0) ** (1 / (y1 - y0)) - 1)}`` (compound annual
    growth rate, percent per year). Raises :class:`ParameterError` if
    ``year_end <= year_start``; rates are NaN when ``value_start <= 0``.
    Works elementwise on arrays/Series too.
    """
    if year_end <= year_start:
        raise ParameterError(
            f"growth: year_end ({year_end}) must be later than year_start ({year_start})."
        )
    v0 = np.asarray(value_start, dtype="float64")
    v1 = np.asarray(value_end, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(v0 > 0, v1 / np.where(v0 > 0, v0, 1.0), np.nan)
        pct = 100.0 * (ratio - 1.0)
        cagr = 100.0 * (np.power(ratio, 1.0 / (year_end - year_start)) - 1.0)
    out = {"absolute": v1 - v0, "pct": pct, "cagr_pct": cagr}
    if np.ndim(v0) == 0 and np.ndim(v1) == 0:
        return {k: float(v) for k, v in out.items()}
    if isinstance(value_end, pd.Series):
        return {k: pd.Series(v, index=value_end.index) for k, v in out.items()}
    return out


# --------------------------------------------------------------------------- composition
def composition(
    counts: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    category: str = "ess_family",
    measure: str = "establishments",
    ess_only: bool = True,
) -> pd.DataFrame:
    """Mix of ``measure`` by ``category`` within each unit, in percent (rows sum to 100).

    ``category`` is ``ess_family`` or an activity column (``a21`` section…);
    ``ess_only`` drops ``hors_ess`` rows first (composition of the ESS).
    Formula: ``pct[u, c] = 100 * m[u, c] / Σ_c m[u, c]``. Output: one row per unit
    (index = ``by`` values, or a single row "ensemble"), one column per category.
    """
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(counts, [*by, category, measure], "composition")
    sub = counts
    if ess_only:
        if "ess_family" not in counts.columns:
            raise SchemaError("composition: ess_only=True needs an 'ess_family' column.")
        sub = counts[counts["ess_family"].astype("string").isin(ESS_FAMILIES).fillna(False)]
    if by:
        wide = sub.pivot_table(index=by, columns=category, values=measure, aggfunc="sum", fill_value=0,
                               observed=True)
    else:
        wide = sub.groupby(category, observed=True)[measure].sum().to_frame("ensemble").T
    if category == "ess_family":
        order = [f for f in ESS_FAMILIES if f in wide.columns] + [c for c in wide.columns if c not in ESS_FAMILIES]
        wide = wide[order]
    totals = wide.sum(axis=1)
    pct = wide.div(totals.where(totals > 0), axis=0) * 100.0
    pct.columns.name = category
    return pct.astype("float64")


# --------------------------------------------------------------------------- concentration
def _clean_values(values, name: str) -> pd.Series:
    s = pd.Series(values, dtype="float64") if not isinstance(values, pd.Series) else values.astype("float64")
    if s.isna().any():
        raise ParameterError(f"{name}: values contain missing entries at {list(s.index[s.isna()])[:5]}.")
    if (s < 0).any():
        raise ParameterError(f"{name}: values must be non-negative; got {s[s < 0].tolist()[:5]}.")
    return s


def top_k_share(values, k: int = 2) -> float:
    """Share (percent) of the total held by the ``k`` largest units: ``100 * Σ top-k / Σ all``.

    E.g. the share of a département's ESS employer establishments located in its
    two largest EPT.
    """
    if k < 1:
        raise ParameterError(f"top_k_share: k must be at least 1; got {k}.")
    s = _clean_values(values, "top_k_share")
    total = s.sum()
    return float("nan") if total <= 0 else float(100.0 * s.nlargest(k).sum() / total)


def top_k_units(values: pd.Series, k: int = 2) -> list:
    """Index labels of the ``k`` largest units (ties broken by label order)."""
    s = _clean_values(values, "top_k_units")
    return list(s.sort_index().sort_values(ascending=False, kind="stable").index[:k])


def herfindahl(values, normalized: bool = False) -> float:
    """Herfindahl-Hirschman index ``H = Σ s_i²`` with ``s_i = v_i / Σ v`` (0-1 scale).

    ``H = 1/n`` when ``n`` units are equal, 1 when one unit holds everything.
    ``normalized=True`` returns ``(H - 1/n) / (1 - 1/n)`` (0 = equal, 1 = one unit;
    NaN for a single unit).
    """
    s = _clean_values(values, "herfindahl")
    total = s.sum()
    if total <= 0:
        return float("nan")
    h = float(((s / total) ** 2).sum())
    if not normalized:
        return h
    n = len(s)
    return float("nan") if n < 2 else (h - 1.0 / n) / (1.0 - 1.0 / n)


def rank_quantile(values: pd.Series, ascending: bool = False) -> pd.DataFrame:
    """Rank and percentile of each unit among its peers.

    ``rank``: 1 = largest value (``ascending=False``), ties share the best rank
    (method "min"). ``percentile``: share of peers with a value lower than or
    equal to the unit's, in percent (100 = the top unit), i.e. the empirical
    CDF. ``n``: number of peers (non-missing values). Missing values get NaN.
    """
    s = values.astype("float64")
    rank = s.rank(ascending=ascending, method="min")
    pct = s.rank(ascending=True, method="max", pct=True) * 100.0
    out = pd.DataFrame({"value": s, "rank": rank.astype("Int64"), "percentile": pct, "n": int(s.notna().sum())})
    return out


def summarise_units(
    counts: pd.DataFrame,
    by: str,
    population: pd.Series | None = None,
    reference: dict | None = None,
) -> pd.DataFrame:
    """One row per unit with the main indicators (convenience for reports).

    Columns: the :func:`ess_shares` columns, ``ess_establishments_per_1000``,
    ``ess_employees_per_1000`` (if ``population`` — indexed by unit — is given,
    ``population`` column too), ``lq_establishments`` and ``lq_employees``
    (if ``reference`` = ``{"ess_share_establishments_pct": x, "ess_share_employees_pct": y}``),
    ``share_of_total_ess_establishments_pct``, ``rank_ess_establishments``.
    """
    out = ess_shares(counts, by).set_index(by)
    if population is not None:
        pop = population.reindex(out.index).astype("float64")
        out["population"] = pop
        out["ess_establishments_per_1000"] = density(out["ess_establishments"], pop)
        out["ess_employees_per_1000"] = density(out["ess_employees"], pop)
    if reference is not None:
        for m in MEASURES:
            ref = reference.get(f"ess_share_{m}_pct")
            if ref is not None:
                out[f"lq_{m}"] = location_quotient(out[f"ess_{m}"], out[f"all_{m}"], ref, 100.0)
    out["share_of_total_ess_establishments_pct"] = share(out["ess_establishments"], out["ess_establishments"].sum())
    out["rank_ess_establishments"] = rank_quantile(out["ess_establishments"])["rank"]
    return out
