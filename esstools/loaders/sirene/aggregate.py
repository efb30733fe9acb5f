"""Public SIRENE functions: establishments joined to their legal unit, ESS aggregates, legal units."""

from __future__ import annotations

import warnings
from contextlib import ExitStack
from typing import Sequence

import duckdb
import pandas as pd

from ...errors import EsstoolsWarning, InputFileError, ParameterError, SchemaError, check_choice
from . import checks
from .classify import FAMILY_SQL, Plan, connect, etab_plan, raw_expr, text_expr, ul_sql
from .read import Source, open_source, require
from .schema import AGGREGATE_KEYS, INVALID_SIRET, UL_REQUIRED

__all__ = ["load_establishments", "aggregate_ess", "load_legal_units"]


def _duckdb_error(exc: duckdb.Error, etab: Source, ul: Source) -> InputFileError:
    detail = "\n".join(str(exc).strip().splitlines()[:3])
    return InputFileError(f"SIRENE files '{etab.path}' / '{ul.path}' could not be read: {detail}")


def _warn_empty(plan: Plan, selected: int) -> None:
    if not selected:
        warnings.warn(
            f"SIRENE establishments file '{plan.etab.path}': no establishment matches the selection "
            f"({plan.describe}); the result is empty. Check the filters against the file's territory.",
            EsstoolsWarning, stacklevel=3)


def load_establishments(
    etab_path,
    ul_path,
    *,
    date=None,
    departements: Sequence[str] | str | None = None,
    communes: Sequence[str] | str | None = None,
    ess_only: bool = False,
    employer_only: bool = False,
    invalid_siret: str = "raise",
    naf_exclusions: bool = True,
    threads: int | None = None,
    memory_limit: str | None = "2GB",
) -> pd.DataFrame:
    """Active establishments (one row per SIRET) joined to their legal unit.

    ``departements`` / ``communes`` (codes as strings, e.g. ``["93"]``, ``["93066"]``)
    select establishments located in any of them; ``date`` ('YYYY-MM-DD') approximates
    the establishments active at that date (see module docstring for the limits);
    ``ess_only`` keeps ESS families only; ``employer_only`` keeps
    ``caractereEmployeurEtablissement == 'O'``. Returns the columns of
    :data:`OUTPUT_COLUMNS` (codes as strings; ``headcount_*`` in employees), sorted by SIRET.

    The join is checked on every selected establishment: none with a legal unit is a
    SchemaError, some without one a counted warning (they are ``hors_ess``).
    """
    check_choice("invalid_siret", invalid_siret, INVALID_SIRET)
    with ExitStack() as stack:
        con = connect(threads, memory_limit)
        stack.callback(con.close)
        etab = open_source(etab_path, "establishments", stack, con)
        ul = open_source(ul_path, "legal units", stack, con)
        plan = etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                         employer_only=employer_only, naf_exclusions_on=naf_exclusions)
        checks.warn_int_codes(etab, ul)
        try:
            if departements is not None or communes is not None:
                plan = etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                                 employer_only=employer_only, naf_exclusions_on=naf_exclusions,
                                 communes_well_formed=checks.communes_well_formed(con, etab))
            con.execute(f"CREATE TEMP TABLE _sel AS {plan.select_sql}")
            diag = con.execute(checks.diag_sql(plan, "_sel")).fetchdf().iloc[0].to_dict()
            checks.handle_diagnostics(con, plan, diag, invalid_siret)
            con.execute(
                f"CREATE TEMP TABLE _uj AS SELECT u.*, m.categorie_juridique IS NOT NULL AS _known_cj "
                f"FROM ({ul_sql(ul)} WHERE {raw_expr(ul, 'siren')} IN (SELECT DISTINCT siren FROM _sel)) u "
                "LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category")
            checks.check_unit_values(con, ul, "_uj")
            known = checks.known_commune_codes(con)
            keep = "WHERE NOT e.bad_siret" if invalid_siret == "drop" else ""
            df = con.execute(
                f"""
                SELECT e.siret, e.siren, e.commune_code, e.departement, e.naf, n.a21, n.a38,
                       u.legal_category, coalesce(u.ess_flag, false) AS ess_flag,
                       {FAMILY_SQL} AS ess_family,
                       e.headcount_band, b.headcount_low, b.headcount_high, b.headcount_mid,
                       u.siren IS NULL AS _no_unit
                FROM _sel e
                LEFT JOIN _uj u ON u.siren = e.siren
                LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category
                LEFT JOIN _bands b ON b.tranche = e.headcount_band
                LEFT JOIN _naf n ON n.naf_division = e.naf_division
                {keep}
                ORDER BY e.siret
                """
            ).df()
        except duckdb.Error as exc:
            raise _duckdb_error(exc, etab, ul) from exc
    _warn_empty(plan, int(diag["selected"]))
    dup = df["siret"].duplicated(keep=False)
    if dup.any():
        dups = df.loc[dup, "siret"]
        # duplicated SIRET or duplicated SIREN in the unit file
        ul_dup = df.loc[dup, "siren"].iloc[0]
        raise SchemaError(
            f"SIRENE files '{etab.path}' / '{ul.path}': SIRET {dups.iloc[0]!r} appears "
            f"{int((df['siret'] == dups.iloc[0]).sum())} times after the join (duplicated 'siret' in '{etab.path}' "
            f"or duplicated 'siren' {ul_dup!r} in '{ul.path}'); expected one row per SIRET and one legal unit per "
            "SIREN.",
            path=str(etab.path), column="siret", values=list(dups.unique()[:5]),
            expected="unique SIRET / SIREN keys",
        )
    no_unit = df["_no_unit"].to_numpy(bool)
    missing = sorted(df.loc[no_unit, "siren"].dropna().unique())[:3]
    checks.report_match(etab, ul, len(df), int((~no_unit).sum()), missing, min_match=1.0, sampled=False)
    checks.warn_unknown_communes(df["commune_code"].unique(), etab, known)
    df = df.drop(columns="_no_unit")
    if ess_only:
        df = df[df["ess_family"] != "hors_ess"]
    return _finish(df.reset_index(drop=True))


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in ("siret", "siren", "commune_code", "departement", "naf", "a21", "a38", "legal_category",
                        "ess_family", "headcount_band") if c in df.columns]
    for c in text:
        df[c] = df[c].astype("string")
    if "ess_flag" in df.columns:
        df["ess_flag"] = df["ess_flag"].astype(bool)
    for c in ("headcount_low", "headcount_high", "employees_low", "employees_high"):
        if c in df.columns:
            df[c] = pd.array(df[c], dtype="Int64")
    for c in ("headcount_mid", "employees_est"):
        if c in df.columns:
            df[c] = df[c].astype("float64")
    for c in ("establishments", "establishments_unknown_band"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    return df


def aggregate_ess(
    etab_path,
    ul_path,
    *,
    by: Sequence[str] = ("commune_code", "ess_family"),
    departements: Sequence[str] | str | None = None,
    communes: Sequence[str] | str | None = None,
    date=None,
    employer_only: bool = True,
    invalid_siret: str = "raise",
    naf_exclusions: bool = True,
    check_siret_column: bool | None = None,
    min_unit_match: float = 0.99,
    threads: int | None = None,
    memory_limit: str | None = "1GB",
) -> pd.DataFrame:
    """Establishments and estimated employees by ``by`` keys, computed out of core in DuckDB.

    ``by`` is any subset of :data:`AGGREGATE_KEYS`. Output columns: the keys, then
    ``establishments`` (count), ``employees_est`` (sum of band midpoints, employees),
    ``employees_low`` and ``employees_high`` (sums of band bounds; ``employees_high`` is
    NA when the group holds an establishment of the open band 53; establishments with an
    empty band add 0 to the three sums) and
    ``establishments_unknown_band`` (establishments with an empty band, left out of the
    employee sums). Filters and checks as in :func:`load_establishments`; no
    establishment-level row ever reaches pandas.

    The SIRET of every selected establishment is validated as siren || nic (14 digits, Luhn,
    La Poste rule). ``check_siret_column``: also read the file's 14-character ``siret`` column
    and require siret = siren || nic on every selected row. Default (None): done for CSV and
    zip files; for Parquet files, where reading ``siret`` costs ~15 % of the run time and the
    aggregation never uses it, the column is screened on the Parquet row-group statistics
    (min/max SIRET must start with min/max SIREN) and the row-by-row check only runs when the
    screening fails (see "Checks" in the module docstring).

    The join is checked on the first 50,000 selected establishments (all of them in a
    département run of that size): when none has its legal unit in ``ul_path`` the result
    would be all ``hors_ess``, so SchemaError; below ``min_unit_match`` a counted warning.
    """
    check_choice("invalid_siret", invalid_siret, INVALID_SIRET)
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ParameterError("Parameter 'by' is empty; give at least one of: " + ", ".join(AGGREGATE_KEYS) + ".")
    for key in by:
        check_choice("by", key, AGGREGATE_KEYS)
    if len(set(by)) != len(by):
        raise ParameterError(f"Parameter 'by' repeats a key: {by!r}.")
    check_choice("check_siret_column", check_siret_column, (None, True, False))
    if not 0 <= float(min_unit_match) <= 1:
        raise ParameterError(f"Parameter 'min_unit_match' must be between 0 and 1; got {min_unit_match!r}.")
    with ExitStack() as stack:
        con = connect(threads, memory_limit)
        stack.callback(con.close)
        etab = open_source(etab_path, "establishments", stack, con)
        ul = open_source(ul_path, "legal units", stack, con)
        full_siret = check_siret_column if check_siret_column is not None else etab.kind != "parquet"
        inline = etab.kind != "parquet"
        plan = etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                         employer_only=employer_only, naf_exclusions_on=naf_exclusions,
                         check_siret_column=full_siret, inline_domain=inline)
        checks.warn_int_codes(etab, ul)
        full_join = bool({"legal_category", "ess_flag"} & set(by))
        try:
            if not plan.siret_checked and not checks.siret_statistics_agree(con, etab):
                # the cheap screening failed: check siret = siren || nic on every row instead
                # (errors then name the rows and follow ``invalid_siret``)
                plan = etab_plan(etab, ul, date=date, departements=departements, communes=communes,
                                 employer_only=employer_only, naf_exclusions_on=naf_exclusions,
                                 check_siret_column=True, inline_domain=inline)
            if not inline:
                checks.domain_scan(con, etab, employer_only)
            # Legal units that can be ESS (a few % of the national file) and units whose flag is
            # outside O/N, grouped by SIREN in the scan pass (which counts duplicated SIRENs).
            con.execute(
                "CREATE TEMP TABLE _u AS SELECT siren, any_value(legal_category) AS legal_category, "
                "bool_or(ess_flag) AS ess_flag, any_value(raw_flag) FILTER (WHERE raw_flag NOT IN ('O', 'N')) "
                "AS raw_flag, count(*) AS _rows, bool_and(m.categorie_juridique IS NOT NULL) AS _known_cj "
                f"FROM ({ul_sql(ul, prefilter=True)}) u0 "
                "LEFT JOIN _cj_map m ON m.categorie_juridique = u0.legal_category "
                "WHERE m.ess_family <> 'hors_ess' OR (m.commercial_company AND u0.ess_flag) "
                "OR (u0.raw_flag NOT IN ('O', 'N')) OR (m.categorie_juridique IS NULL AND u0.ess_flag) "
                "GROUP BY siren"
            )
            checks.check_unit_values(con, ul, "_u")
            checks.check_unique_units(con, ul)
            u_table = f"({ul_sql(ul)})" if full_join else "_u"
            n, matched, missing = checks.unit_match(con, plan, ul)
            df = con.execute(_aggregate_sql(plan, by, u_table, drop=invalid_siret == "drop")).df()
            known = checks.known_commune_codes(con) if "commune_code" in by else None
            bad_naf_marker = "ess_family" in df.columns and bool((df["ess_family"] == "_bad_naf").any())
            if int(df["_bad"].sum()) or int(df["_repaired"].sum()) or int(df["_naf_repaired"].sum()) or bad_naf_marker:
                # only now are the per-check counts and offending rows computed
                diag = con.execute(checks.diag_sql(plan, f"({plan.select_sql})")).fetchdf().iloc[0].to_dict()
                checks.handle_diagnostics(con, plan, diag, invalid_siret)
        except duckdb.Error as exc:
            raise _duckdb_error(exc, etab, ul) from exc
    checks.report_match(etab, ul, n, matched, missing, min_match=float(min_unit_match), sampled=n >= checks.MATCH_SAMPLE)
    _warn_empty(plan, n)
    if "commune_code" in by:
        checks.warn_unknown_communes(df["commune_code"], etab, known)
    # rows are already filtered (establishments > 0) and sorted by the keys, NULLs last, in SQL
    df = df.drop(columns=[c for c in df.columns if c.startswith("_")])
    if invalid_siret == "drop":  # groups made only of dropped rows were kept for the counts
        df = df[df["establishments"] > 0]
    return _finish(df.reset_index(drop=True))


def _family_checked(plan: Plan, bad_naf: str, naf_keys: bool) -> str:
    """The family CASE; without NAF keys, with the '_bad_naf' marker for ESS rows with a malformed NAF code."""
    if naf_keys:
        return plan.family_sql
    anchor = "WHEN m.ess_family <> 'hors_ess' AND "
    i = plan.family_sql.index(anchor)
    return plan.family_sql[:i] + f"{anchor}{bad_naf} THEN '_bad_naf' " + plan.family_sql[i:]


def _aggregate_sql(plan: Plan, by: list[str], u_table: str, drop: bool) -> str:
    """One pass over the establishments: GROUP BY with the checks as aggregates.

    Inner level (one row per establishment read): the ``by`` keys, except that when
    ``commune_code`` is a key the raw commune code is grouped on, and the commune checks
    (format, lost leading zero) are done on the ~35 000 distinct codes of the outer level
    instead of on every row. ``_bad`` counts the rows failing a check (invalid SIRET, unknown
    band code, malformed commune code, state outside A/F, employer flag outside O/N, malformed
    NAF rév. 2 code, unreadable date); ``_repaired`` the 4-digit commune codes, ``_naf_repaired``
    the NAF codes without their dot. With ``drop`` the SIRET validity is an inner key and
    invalid rows are left out of the outer sums (but still counted in ``_bad``). NAF codes are
    checked where they are used: on every row with naf/a21/a38 keys (dot-less repairs counted in
    ``_naf_repaired``), else on the ESS rows through the family CASE (marker ``'_bad_naf'``).
    """
    from .classify import commune_ok_sql

    commune_on_keys = "commune_code" in by
    naf_keys = bool({"naf", "a21", "a38"} & set(by))
    bad_naf, dotless_naf = plan.naf_checks
    # The NAF code is checked where it is used. With naf/a21/a38 keys: on every row (and its
    # dot-less repairs counted). Otherwise it only decides the NAF exclusions of the ESS legal
    # categories: the family CASE, which only reaches ESS rows, returns the marker '_bad_naf'
    # for a malformed code (no per-row GLOB on national files); without ess_family it is unused.
    family = _family_checked(plan, bad_naf, naf_keys)
    key_sql = {
        "commune_code": "e.raw_commune", "departement": "e.departement", "ess_family": family,
        "legal_category": "u.legal_category", "ess_flag": "coalesce(u.ess_flag, false)", "naf": "e.naf",
        "a21": "n.a21", "a38": "n.a38", "headcount_band": "e.headcount_band",
    }
    naf_join = "LEFT JOIN _naf n ON n.naf_division = e.naf_division" if {"a21", "a38"} & set(by) else ""
    inner_keys = [f"{key_sql[k]} AS {'_raw_commune' if k == 'commune_code' else k}" for k in by]
    if drop:
        inner_keys.append("e.id_ok AS _id_ok")
    bad = ["e._bad_row", "(e.headcount_band IS NOT NULL AND b.tranche IS NULL)"]
    if naf_keys:
        bad.append(bad_naf)
    repaired = ""
    if not commune_on_keys:
        bad.append("e.bad_commune")
        repaired = ", count(*) FILTER (WHERE e.repaired_commune) AS _repaired"
    inner = f"""
        SELECT {", ".join(inner_keys)},
               count(*) AS _n, sum(b.headcount_mid) AS _mid, sum(b.headcount_low) AS _low,
               sum(b.headcount_high) AS _high, count(b.headcount_low) AS _n_low,
               count(b.headcount_high) AS _n_high,
               count(*) FILTER (WHERE {" OR ".join(bad)}) AS _bad{repaired},
               {f"count(*) FILTER (WHERE {dotless_naf})" if naf_keys else "0"} AS _naf_repaired
        FROM ({plan.select_sql}) e
        LEFT JOIN {u_table} u ON u.siren = e.siren
        LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category
        LEFT JOIN _bands_f b ON b.tranche = e.headcount_band
        {naf_join}
        GROUP BY ALL
    """
    if commune_on_keys:
        fix = "*, CASE WHEN length(_raw_commune) = 4 THEN '0' || _raw_commune ELSE _raw_commune END AS commune_code"
        bad_commune = f"(_raw_commune IS NOT NULL AND NOT {commune_ok_sql('commune_code')})"
        checks_sql = (f"sum(_bad) + coalesce(sum(_n) FILTER (WHERE {bad_commune}), 0) AS _bad, "
                      "coalesce(sum(_n) FILTER (WHERE length(_raw_commune) = 4), 0) AS _repaired")
    else:
        fix = "*"
        checks_sql = "sum(_bad) AS _bad, sum(_repaired) AS _repaired"
    keep = " FILTER (WHERE _id_ok)" if drop else ""
    return f"""
        SELECT {", ".join(by)},
               coalesce(sum(_n){keep}, 0) AS establishments,
               coalesce(sum(_mid){keep}, 0) AS employees_est,
               coalesce(sum(_low){keep}, 0) AS employees_low,
               CASE WHEN coalesce(sum(_n_low){keep}, 0) > coalesce(sum(_n_high){keep}, 0) THEN NULL
                    ELSE coalesce(sum(_high){keep}, 0) END AS employees_high,
               coalesce(sum(_n){keep}, 0) - coalesce(sum(_n_low){keep}, 0) AS establishments_unknown_band,
               {checks_sql}, sum(_naf_repaired) AS _naf_repaired
        FROM (SELECT {fix} FROM ({inner}))
        GROUP BY {", ".join(by)}
        HAVING coalesce(sum(_n){keep}, 0) > 0 OR sum(_bad) > 0
        ORDER BY {", ".join(f"{k} ASC NULLS LAST" for k in by)}
    """


def load_legal_units(path, *, threads: int | None = None, memory_limit: str | None = "1GB") -> pd.DataFrame:
    """Legal units of a StockUniteLegale file (CSV, zip or Parquet; extracts with its columns accepted).

    Returns ``siren``, ``legal_category`` (4 characters), ``ess_flag`` (bool:
    ``economieSocialeSolidaireUniteLegale == 'O'``), ``ess_family_status`` (the family of the
    legal category, ``societe_commerciale_ess`` for a commercial company declaring the flag,
    ``hors_ess`` otherwise — before the NAF exclusions, which depend on each establishment's
    activity), sorted by SIREN. Checks: SIREN (9 digits, Luhn), ESS flag in O/N/empty, legal
    category in the Insee nomenclature, one row per SIREN.
    """
    with ExitStack() as stack:
        con = connect(threads, memory_limit)
        stack.callback(con.close)
        ul = open_source(path, "legal units", stack, con)
        require(ul, UL_REQUIRED, "legal units", "StockUniteLegale")
        checks.warn_int_codes(ul)
        try:
            con.execute(f"CREATE TEMP TABLE _uj AS SELECT u.*, m.categorie_juridique IS NOT NULL AS _known_cj, "
                        f"m.ess_family AS _family, m.commercial_company AS _commercial FROM ({ul_sql(ul)}) u "
                        "LEFT JOIN _cj_map m ON m.categorie_juridique = u.legal_category")
            checks.check_unit_values(con, ul, "_uj")
            df = con.execute(
                "SELECT siren, legal_category, ess_flag, CASE WHEN _family <> 'hors_ess' THEN _family "
                "WHEN _commercial AND ess_flag THEN 'societe_commerciale_ess' ELSE 'hors_ess' END "
                "AS ess_family_status, siren GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' AS _shape "
                "FROM _uj ORDER BY siren").df()
        except duckdb.Error as exc:
            raise InputFileError(f"SIRENE legal units file '{ul.path}' could not be read: "
                                 + "\n".join(str(exc).strip().splitlines()[:3])) from exc
    from ..codes import check_siren_series

    check_siren_series(pd.Series(df["siren"].to_numpy(), dtype="string"), ul.path, "siren")
    dup = df["siren"].duplicated(keep=False)
    if dup.any():
        raise SchemaError(path=str(ul.path), column="siren", values=list(df.loc[dup, "siren"].unique()[:5]),
                          expected="one row per SIREN")
    df = df.drop(columns="_shape")
    return _finish(df).astype({"ess_family_status": "string"})
