"""Checks of the SIRENE selection and of the establishments ↔ legal units join.

The selection carries one boolean column per check (see :mod:`.classify`); their counts
are aggregates of the main DuckDB pass, and offending rows are only looked up (with file
row numbers) when a count is non-zero. The join is checked for its match rate: an
establishment file whose SIRENs match no legal unit (another stock, a SIREN stored with
another type, a unit file of another scope) is an error, a partial match a counted warning.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd

from ...errors import EsstoolsWarning, RepairWarning, SchemaError
from .classify import FLAG_COLUMNS, Plan
from .read import Source, sql_str
from .schema import ESS_FLAG_VALUES, SCHEMA_VERSION

SIRET_EXPECTED = (
    "a 14-digit SIRET starting with the row's SIREN and passing the Luhn check "
    "(La Poste, SIREN 356000000: digit sum multiple of 5)"
)
#: Establishments whose SIREN is looked up in the unit file to measure the match rate of aggregate_ess.
MATCH_SAMPLE = 50_000


def diag_sql(plan: Plan, source: str) -> str:
    """SQL counting each check flag (and repairs) over ``source`` (the selection or a table of it)."""
    parts = ["count(*) FILTER (WHERE bad_siret) AS bad_siret", "count(*) FILTER (WHERE bad_commune) AS bad_commune",
             "count(*) FILTER (WHERE repaired_commune) AS repaired_commune",
             "count(*) FILTER (WHERE repaired_naf) AS repaired_naf", "count(*) AS selected"]
    parts += [f"count(*) FILTER (WHERE {f}) AS {f}" for f in plan.flags]
    if "bad_created" in plan.flags:
        parts.append("count(*) FILTER (WHERE fr_created OR fr_debut) AS repaired_date")
    return f"SELECT {', '.join(parts)} FROM {source}"


def raise_row_errors(con, plan: Plan, *, flag: str, column: str, value_col: str, expected: str) -> None:
    con.execute("SET preserve_insertion_order = true")  # row numbers must follow the file order
    rows = con.execute(
        f"SELECT _rn, {value_col} FROM ({plan.rn_sql}) WHERE {flag} ORDER BY _rn LIMIT 5"
    ).fetchall()
    n = con.execute(f"SELECT count(*) FROM ({plan.select_sql}) WHERE {flag}").fetchone()[0]
    raise SchemaError(
        path=str(plan.etab.path),
        column=column,
        rows=[int(r[0]) for r in rows],
        values=[r[1] for r in rows],
        expected=expected + (f" ({n} invalid value(s) among the selected rows)" if n else ""),
    )


def handle_diagnostics(con, plan: Plan, diag: dict, invalid_siret: str) -> None:
    """Raise or warn according to the per-row check counts of the selected rows."""
    for flag in ("bad_band", "bad_commune", "bad_etat", "bad_employer", "bad_naf", "bad_created", "bad_debut"):
        if diag.get(flag):
            column, value_col, expected = FLAG_COLUMNS[flag]
            raise_row_errors(con, plan, flag=flag, column=column, value_col=value_col, expected=expected)
    n_bad = int(diag.get("bad_siret") or 0)
    if n_bad:
        if invalid_siret == "raise":
            raise_row_errors(con, plan, flag="bad_siret", column="siret", value_col="siret",
                             expected=SIRET_EXPECTED + "; pass invalid_siret='warn' or 'drop' to go on")
        verb = "dropped" if invalid_siret == "drop" else "kept"
        warnings.warn(
            f"SIRENE establishments file '{plan.etab.path}' column 'siret': {n_bad} selected row(s) have an invalid "
            f"SIRET (check digit or SIREN prefix); they were {verb} (invalid_siret={invalid_siret!r}).",
            EsstoolsWarning,
            stacklevel=4,
        )
    for key, column, what in (
        ("repaired_commune", "codeCommuneEtablissement", "commune code(s) by restoring a lost leading zero "
                                                         "(4-digit code -> 5 digits)"),
        ("repaired_naf", "activitePrincipaleEtablissement", "NAF code(s) written without their dot "
                                                            "('8899B' -> '88.99B')"),
        ("repaired_date", "dateCreationEtablissement / dateDebut", "date(s) written DD/MM/YYYY, read explicitly "
                                                                   "as day/month/year"),
    ):
        n = int(diag.get(key) or 0)
        if n:
            warnings.warn(f"Repaired {n} {what} in file '{plan.etab.path}' column '{column}'.", RepairWarning,
                          stacklevel=4)


def domain_scan(con, etab: Source, employer: bool) -> None:
    """One scan of the state (and employer) columns of the whole file: values outside A/F (O/N) are errors.

    Used for Parquet files by :func:`aggregate_ess`, whose selection filters ``= 'A'`` and ``= 'O'``
    are pushed into the scan and would otherwise skip a lower-case 'a' or an 'Oui' without a word.
    """
    from .classify import text_expr

    cols = {"etatAdministratifEtablissement": ("A", "F")}
    if employer:
        cols["caractereEmployeurEtablissement"] = ("O", "N", None)
    exprs = [text_expr(etab, c) for c in cols]
    values = con.execute(f"SELECT DISTINCT {', '.join(exprs)} FROM {etab.relation()}").fetchall()
    for j, (col, allowed) in enumerate(cols.items()):
        bad = sorted({str(v[j]) for v in values if v[j] not in allowed})
        if not bad:
            continue
        expr = exprs[j]
        cond = f"({expr} IS NULL OR {expr} NOT IN {tuple(a for a in allowed if a)!r})" if None not in allowed else \
            f"({expr} IS NOT NULL AND {expr} NOT IN {tuple(a for a in allowed if a)!r})"
        con.execute("SET preserve_insertion_order = true")
        rows = con.execute(
            f"SELECT {etab.row_number_expr()}, {expr} FROM {etab.relation(row_numbers=True)} WHERE {cond} "
            "ORDER BY 1 LIMIT 5").fetchall()
        shown = " or ".join(repr(a) for a in allowed if a)
        raise SchemaError(path=str(etab.path), column=col, rows=[int(r[0]) for r in rows],
                          values=[r[1] for r in rows],
                          expected=f"{shown}, upper case (values outside that code list in the file: "
                                   f"{', '.join(repr(b) for b in bad[:5])}; a value is never read as another)")


def communes_well_formed(con, etab: Source) -> bool:
    """Parquet: is every commune code of the file a 5-character code of the expected shape?

    One scan of that column (DuckDB evaluates it on the column's dictionaries, ~1 s for 40 M
    rows); when true, a territorial selection is pushed into the scan as a plain prefix test
    instead of also keeping every code to repair or report (see :func:`.classify.etab_plan`).
    CSV files: False (nothing is pushed into a CSV scan)."""
    from .classify import commune_shape_bad_sql, raw_expr

    if etab.kind != "parquet" or "codeCommuneEtablissement" not in etab.columns:
        return False
    raw = raw_expr(etab, "codeCommuneEtablissement")
    return not con.execute(f"SELECT count(*) FROM {etab.relation()} WHERE {commune_shape_bad_sql(raw)}").fetchone()[0]


def warn_int_codes(*sources: Source) -> None:
    for src in sources:
        if src.kind != "parquet":
            continue
        ints = [c for c in ("siren", "nic", "siret", "codeCommuneEtablissement")
                if src.columns.get(c) in ("int", "float")]
        if ints:
            warnings.warn(
                f"Parquet file '{src.path}' stores code column(s) {', '.join(ints)} as numbers; "
                "they were zero-padded back to fixed-width strings (lost leading zeros repaired).",
                RepairWarning,
                stacklevel=4,
            )


def _ul_rows(con, ul: Source, where: str, limit: int = 5) -> list[tuple]:
    """(file row, siren, value) of legal-unit rows matching ``where`` (over columns siren, raw_flag, legal_category)."""
    from .classify import text_expr

    con.execute("SET preserve_insertion_order = true")
    return con.execute(
        f"SELECT _rn, siren, raw_flag, legal_category FROM (SELECT {ul.row_number_expr()} AS _rn, "
        f"{text_expr(ul, 'siren')} AS siren, {text_expr(ul, 'economieSocialeSolidaireUniteLegale')} AS raw_flag, "
        f"{text_expr(ul, 'categorieJuridiqueUniteLegale')} AS legal_category FROM {ul.relation(row_numbers=True)}) "
        f"WHERE {where} ORDER BY _rn LIMIT {limit}").fetchall()


def check_unit_values(con, ul: Source, table: str) -> None:
    """SchemaError for ESS flags outside O/N/empty and unknown legal categories among the units of ``table``
    (columns siren, legal_category, raw_flag, _known_cj)."""
    bad_flag = con.execute(
        f"SELECT count(*) FROM {table} WHERE raw_flag IS NOT NULL AND raw_flag NOT IN ('O', 'N')").fetchone()[0]
    if bad_flag:
        rows = _ul_rows(con, ul, "raw_flag IS NOT NULL AND raw_flag NOT IN ('O', 'N')")
        raise SchemaError(
            path=str(ul.path), column="economieSocialeSolidaireUniteLegale", rows=[int(r[0]) for r in rows],
            values=[r[2] for r in rows],
            expected=f"'O' (ESS), 'N' or empty ({bad_flag} value(s) outside {', '.join(ESS_FLAG_VALUES)}; the flag "
                     "is read as a code, never guessed)")
    unknown = con.execute(
        f"SELECT count(*) FROM {table} WHERE legal_category IS NOT NULL AND NOT _known_cj").fetchone()[0]
    if unknown:
        cats = [r[0] for r in con.execute(
            f"SELECT DISTINCT legal_category FROM {table} WHERE legal_category IS NOT NULL AND NOT _known_cj "
            "ORDER BY 1 LIMIT 5").fetchall()]
        rows = _ul_rows(con, ul, "legal_category IN (" + ", ".join(sql_str(c) for c in cats) + ")")
        raise SchemaError(
            path=str(ul.path), column="categorieJuridiqueUniteLegale", rows=[int(r[0]) for r in rows],
            values=[r[3] for r in rows],
            expected=f"a legal category of the Insee nomenclature (data/nomenclatures/ess_legal_categories.csv; "
                     f"{unknown} unit(s) with an unknown code: a new Insee code must be added to the table, "
                     f"schema_version {SCHEMA_VERSION!r})")


def check_unique_units(con, ul: Source) -> None:
    """SchemaError when an ESS legal unit appears twice in the unit file (``_u`` holds the row
    count of each SIREN)."""
    dup = con.execute("SELECT siren, _rows FROM _u WHERE _rows > 1 ORDER BY siren LIMIT 5").fetchall()
    if dup:
        n = con.execute("SELECT sum(_rows - 1) FROM _u WHERE _rows > 1").fetchone()[0]
        raise SchemaError(
            f"SIRENE legal units file '{ul.path}' column 'siren': {n} duplicated SIREN row(s), e.g. "
            + ", ".join(f"{r[0]!r} ({r[1]} rows)" for r in dup)
            + "; expected one row per SIREN.",
            path=str(ul.path), column="siren", values=[r[0] for r in dup], expected="unique SIREN",
        )


def unit_match(con, plan: Plan, ul: Source, *, sample: int = MATCH_SAMPLE) -> tuple[int, int, list[str]]:
    """(establishments sampled, of which matched, unmatched SIREN examples) for the first ``sample``
    selected establishments looked up among all legal units of ``ul``.

    The sample is the hash side of the join, so the unit file is only probed; the probe is
    restricted to the SIREN range of the sample by a test on the raw column, which DuckDB checks
    against the Parquet row-group statistics: on a file sorted by SIREN (the INSEE stock) only
    the row groups of that range are read. Units outside the range cannot match the sample."""
    from .classify import raw_expr, text_expr

    con.execute(f"CREATE OR REPLACE TEMP TABLE _sample AS SELECT siren FROM ({plan.select_sql}) LIMIT {int(sample)}")
    con.execute("CREATE OR REPLACE TEMP TABLE _sample_u AS SELECT DISTINCT siren FROM _sample WHERE siren IS NOT NULL")
    lo, hi = con.execute("SELECT min(siren), max(siren) FROM _sample_u").fetchone()
    where = f" WHERE {raw_expr(ul, 'siren')} BETWEEN {sql_str(lo)} AND {sql_str(hi)}" if lo is not None else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _matched AS SELECT DISTINCT u.siren FROM "
                f"(SELECT {text_expr(ul, 'siren')} AS siren FROM {ul.relation()}{where}) u "
                "JOIN _sample_u s ON u.siren = s.siren")
    n, matched = con.execute(
        "SELECT count(*), count(m.siren) FROM _sample s LEFT JOIN _matched m ON m.siren = s.siren").fetchone()
    missing = [r[0] for r in con.execute(
        "SELECT s.siren FROM _sample_u s ANTI JOIN _matched m ON m.siren = s.siren ORDER BY 1 LIMIT 3").fetchall()]
    return int(n), int(matched), missing


def report_match(etab: Source, ul: Source, n: int, matched: int, missing: list[str], *, min_match: float,
                 sampled: bool) -> None:
    """Error when nothing matches, counted warning below ``min_match``."""
    if not n:
        return
    what = f"{'the first ' if sampled else ''}{n:,} selected establishment(s)"
    if matched == 0:
        raise SchemaError(
            f"SIRENE files '{etab.path}' / '{ul.path}': none of {what} has its legal unit in the unit file "
            f"(SIRENs such as {', '.join(repr(m) for m in missing)} are absent from column 'siren' of '{ul.path}'); "
            "are both files from the same stock, is 'siren' stored with another type or padded, is the unit file "
            "empty or filtered? Every establishment would be classified 'hors_ess'.",
            path=str(ul.path), column="siren", values=missing, expected="the SIRENs of the establishments")
    rate = matched / n
    if rate < min_match:
        warnings.warn(
            f"SIRENE files '{etab.path}' / '{ul.path}': {n - matched:,} of {what} ({1 - rate:.1%}) have no legal "
            f"unit in the unit file (e.g. SIREN {missing[0]!r}); they are classified 'hors_ess'. Use the "
            "StockUniteLegale file of the same month (match threshold min_unit_match="
            f"{min_match:g}).", EsstoolsWarning, stacklevel=4)


def known_commune_codes(con) -> frozenset[str] | None:
    """Commune codes of every COG vintage of the territory reference (2021-2026), read by DuckDB
    from ``data/reference/communes.csv`` (~30 ms; the pandas reader of the territory module takes
    ~1 s per process), else through :mod:`esstools.territory`."""
    from ... import paths

    path = paths.reference_dir() / "communes.csv"
    try:
        return frozenset(r[0] for r in con.execute(
            f"SELECT DISTINCT code FROM read_csv({sql_str(str(path))}, header=true, all_varchar=true)").fetchall())
    except duckdb.Error:  # pragma: no cover - layout change of the reference
        from ..codes import _known_commune_codes

        return _known_commune_codes(None)


def warn_unknown_communes(codes: pd.Series, etab: Source, known: frozenset[str] | None) -> None:
    """Counted warning for well-formed commune codes absent from every COG vintage of the reference."""
    if known is None:  # pragma: no cover - territory ships with esstools
        return
    vals = set(np.asarray(pd.Series(codes).dropna().unique(), dtype=object))
    unknown = sorted(vals - known)
    if unknown:
        warnings.warn(
            f"SIRENE establishments file '{etab.path}' column 'codeCommuneEtablissement': {len(unknown)} commune "
            f"code(s) absent from every COG vintage of the reference (2021-2026), e.g. "
            f"{', '.join(repr(u) for u in unknown[:5])}; they are kept under their code.", EsstoolsWarning,
            stacklevel=4)


def siret_statistics_agree(con, etab: Source) -> bool:
    """Parquet: does the ``siret`` column agree with ``siren`` on the row-group statistics?

    If siret = siren || nic on every row (SIRENs of 9 characters), each row group's min (max)
    SIRET starts with its min (max) SIREN and is 14 characters long. This reads the Parquet
    footer only: it catches swapped, shifted or re-coded columns, not an isolated wrong SIRET
    (``check_siret_column=True`` does). Row groups without statistics count as disagreeing.
    """
    try:
        rows = con.execute(
            "SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value "
            f"FROM parquet_metadata({sql_str(str(etab.read_path))}) WHERE path_in_schema IN ('siren', 'siret')"
        ).fetchall()
    except duckdb.Error:
        return False
    stats: dict[int, dict[str, tuple]] = {}
    for rg, col, lo, hi in rows:
        stats.setdefault(rg, {})[col] = (lo, hi)
    if not stats:
        return False
    for st in stats.values():
        if set(st) != {"siren", "siret"} or any(v is None for pair in st.values() for v in pair):
            return False
        siren_lo, siren_hi = (_pad_stat(v, 9, etab.columns.get("siren")) for v in st["siren"])
        siret_lo, siret_hi = (_pad_stat(v, 14, etab.columns.get("siret")) for v in st["siret"])
        if not (len(siren_lo) == len(siren_hi) == 9 and len(siret_lo) == len(siret_hi) == 14
                and siret_lo.startswith(siren_lo) and siret_hi.startswith(siren_hi)):
            return False
    return True


def _pad_stat(value, width: int, kind: str | None) -> str:
    text = str(value)
    return text.zfill(width) if kind == "int" else text
