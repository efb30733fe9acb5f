"""SQL of the SIRENE selection and classification: cleaned columns, check flags, ESS family.

Every check is a column of the selection (``bad_*``, ``repaired_*``), evaluated by DuckDB
on the whole scan: no establishment-level row reaches Python.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass

import duckdb

from ...errors import ParameterError
from ...vocabulary import (
    COMMUNE_PATTERN,
    DEPARTEMENTS,
    HEADCOUNT_BANDS,
    TERRITORY_DEPARTEMENTS,
    _bands_cached,
    _exclusions_cached,
    _legal_categories_cached,
    _naf_cached,
    commune_code_problem,
)
from .read import Source, ident, require, sql_str, temp_directory
from .schema import CODE_WIDTH, ETAB_REQUIRED, NAFV2_NAMES, UL_REQUIRED


def text_expr(src: Source, col: str) -> str:
    """Cleaned text of a source column ('' and '[ND]' → NULL; codes stored as numbers zero-padded back)."""
    q = ident(col)
    kind = src.columns.get(col, "text")
    width = CODE_WIDTH.get(col)
    if kind == "int":
        return f"lpad(CAST({q} AS VARCHAR), {width}, '0')" if width else f"CAST({q} AS VARCHAR)"
    if kind == "float":
        whole = f"CAST(CAST({q} AS BIGINT) AS VARCHAR)"
        whole = f"lpad({whole}, {width}, '0')" if width else whole
        return f"CASE WHEN {q} = trunc({q}) THEN {whole} ELSE CAST({q} AS VARCHAR) END"
    if kind == "date":
        return f"strftime(CAST({q} AS DATE), '%Y-%m-%d')"
    if kind == "bool":
        return f"CASE WHEN {q} THEN 'true' WHEN NOT {q} THEN 'false' END"
    if kind == "text" and src.kind == "parquet":
        # INSEE Parquet strings are clean: skip trim (the national file has 40 M rows)
        return f"nullif(nullif({q}, ''), '[ND]')"
    return f"nullif(nullif(trim(CAST({q} AS VARCHAR)), ''), '[ND]')"


def raw_expr(src: Source, col: str) -> str:
    """Cheapest expression usable in a WHERE clause (lets DuckDB push the filter into the scan)."""
    if src.kind == "parquet" and src.columns.get(col) == "text":
        return ident(col)
    return text_expr(src, col)


def date_exprs(src: Source, col: str) -> tuple[str, str, str]:
    """(raw text, parsed DATE, written-as-DD/MM/YYYY flag) of a date column.

    Dates are ISO ``YYYY-MM-DD`` in INSEE files (DATE in Parquet); ``DD/MM/YYYY`` (a file
    saved by a spreadsheet) is parsed explicitly and counted; anything else is NULL with
    the raw value kept, so that the caller flags it.
    """
    q = ident(col)
    if src.columns.get(col) == "date":
        return f"CAST({q} AS VARCHAR)", f"CAST({q} AS DATE)", "false"
    raw = f"nullif(trim(CAST({q} AS VARCHAR)), '')"
    iso = f"TRY_CAST(TRY_STRPTIME(left({raw}, 10), '%Y-%m-%d') AS DATE)"
    fr = f"TRY_CAST(TRY_STRPTIME({raw}, '%d/%m/%Y') AS DATE)"
    return raw, f"coalesce({iso}, {fr})", f"({iso} IS NULL AND {fr} IS NOT NULL)"


_D9, _D5 = "[0-9]" * 9, "[0-9]" * 5
LA_POSTE_SIREN = 356000000


def siren_luhn_part(sn: str) -> str:
    """SQL: Luhn contribution (mod 10) of a SIREN held in BIGINT ``sn`` once followed by a 5-digit NIC.

    The SIREN digits sit at positions 5..13 from the right of the SIRET, so its last digit is
    doubled. With q_j = sn // 10^j, digit d_j = q_j mod 10 and, because 2d + [d >= 5] is the
    doubled digit's contribution mod 10 and floor(11 q / 5) = 2 q + floor(q / 5) = 2 q + 2 q_(j+1)
    + [d_j >= 5], the contribution is  sum_(j even) floor(11 q_j / 5) - sum_(j odd) q_j  (mod 10):
    26 vectorised integer operations, no digit extraction or doubling (checked against the
    digit-wise Luhn of :mod:`esstools.vocabulary` in the tests).
    """
    q = [sn] + [f"({sn} // {10 ** j})" for j in range(1, 9)]
    return ("(" + " + ".join(f"(11 * {q[j]}) // 5" for j in range(0, 9, 2)) + " - "
            + " - ".join(q[j] for j in range(1, 9, 2)) + ")")


def nic_luhn_part(nn: str) -> str:
    """SQL: Luhn contribution (mod 10) of the 5-digit NIC held in integer ``nn`` (last SIRET digits)."""
    return f"({nn} - {nn} // 100 - {nn} // 10000 + (11 * ({nn} // 10)) // 5 + (11 * ({nn} // 1000)) // 5)"


def id_ok_expr(siret_col: str | None) -> str:
    """SQL over columns siren, nic, _sn (BIGINT), _nn (INTEGER) [and ``siret_col``]: the SIRET
    siren || nic is 14 digits and passes the Luhn check or, for La Poste (SIREN 356000000),
    has a digit sum multiple of 5. With ``siret_col`` the file's siret must also equal
    siren || nic. NULL-safe (NULL -> false); the La Poste rule is only evaluated on the rows
    failing Luhn."""
    luhn = f"({siren_luhn_part('_sn')} + {nic_luhn_part('_nn')}) % 10 = 0"
    # digit sum of 356000000 is 14; the NIC's digit sum is the sum of its five digits
    la_poste = "(14 + " + " + ".join(f"(_nn // {10 ** k}) % 10" for k in range(5)) + ") % 5 = 0"
    same = f" AND {siret_col} = siren || nic" if siret_col else ""
    return (f"coalesce(siren GLOB '{_D9}' AND nic GLOB '{_D5}'{same} AND "
            f"CASE WHEN {luhn} THEN true WHEN _sn = {LA_POSTE_SIREN} THEN {la_poste} ELSE false END, false)")


def commune_ok_sql(col: str) -> str:
    """SQL: ``col`` is a commune code of an existing département (vocabulary rules; 20xxx refused).

    Written with GLOB patterns, not IN lists: DuckDB turns a long IN list into a join, which it
    evaluates on every row even when the column is unused (checked against
    :func:`esstools.vocabulary.commune_code_problem` in the tests).
    """
    c = col
    return (f"((({c} GLOB '0[1-9][0-9][0-9][0-9]' OR {c} GLOB '1[0-9][0-9][0-9][0-9]' "
            f"OR {c} GLOB '2[1-9][0-9][0-9][0-9]' OR {c} GLOB '[3-8][0-9][0-9][0-9][0-9]' "
            f"OR {c} GLOB '9[0-5][0-9][0-9][0-9]') OR {c} GLOB '2[AB][0-9][0-9][0-9]' "
            f"OR {c} GLOB '97[1-8][0-9][0-9]' OR {c} GLOB '98[46-9][0-9][0-9]'))")


DEP_EXPR = "(CASE WHEN commune_code GLOB '9[78]*' THEN left(commune_code, 3) ELSE left(commune_code, 2) END)"


def connect(threads: int | None, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """DuckDB connection with the nomenclatures registered (``_cj_map``, ``_bands``, ``_bands_f``, ``_naf``)."""
    config = {
        "threads": int(threads or os.cpu_count() or 1),
        "preserve_insertion_order": False,
        "temp_directory": temp_directory(),
    }
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(config=config)
    try:  # nothing on stderr (notebooks stay clean)
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        # In a Jupyter kernel without ipywidgets DuckDB refuses to touch the setting;
        # it then has no progress bar to show anyway.
        pass
    con.register("_cj_map", _legal_categories_cached()[["categorie_juridique", "ess_family", "commercial_company"]])
    bands = _bands_cached()[["tranche", "headcount_low", "headcount_high", "headcount_mid"]]
    con.register("_bands", bands)
    # float copy for the sums of aggregate_ess: DuckDB sums BIGINT into HUGEINT accumulators,
    # ~10 % of the whole aggregation; band bounds are integers < 2^53, so float sums are exact
    con.register("_bands_f", bands.astype({"headcount_low": "float64", "headcount_high": "float64"}))
    con.register("_naf", _naf_cached()[["naf_division", "a21", "a38"]])
    return con


def check_filters(departements, communes) -> tuple[list[str] | None, list[str] | None]:
    """Validated filter lists (ParameterError naming the value and the expected form)."""

    def as_list(name, value, ok, example):
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        out = []
        for v in value:
            s = str(v).strip().upper()
            if not ok(s):
                raise ParameterError(
                    f"Invalid {name} code {v!r}; expected codes such as {example} (strings with leading zeros)."
                )
            out.append(s)
        if not out:
            raise ParameterError(f"Parameter '{name}' is an empty list; pass None to keep all {name}s.")
        return sorted(set(out))

    return (
        as_list("departement", departements, lambda s: s in TERRITORY_DEPARTEMENTS, "'93', '2A' or '974'"),
        as_list("commune", communes, lambda s: bool(COMMUNE_PATTERN.match(s)) and commune_code_problem(s) is None,
                "'93066' or '2A004'"),
    )


def parse_date(date) -> _dt.date | None:
    if date is None:
        return None
    if isinstance(date, _dt.datetime):
        return date.date()
    if isinstance(date, _dt.date):
        return date
    try:
        return _dt.date.fromisoformat(str(date))
    except ValueError as exc:
        raise ParameterError(f"Invalid date {date!r}; expected 'YYYY-MM-DD'.") from exc


@dataclass
class Plan:
    """SQL of the selected establishments with cleaned columns and check flags."""

    etab: Source
    ul: Source
    select_sql: str  # SELECT ... FROM etab WHERE filters (one row per selected establishment)
    rn_sql: str  # same with a row-number column "_rn", for error messages
    family_sql: str = ""  # ESS family CASE over e (establishment), u (unit), m (category map)
    siret_checked: bool = True  # the file's siret column is read and compared with siren || nic
    flags: tuple[str, ...] = ()  # check flags of the selection (each names a bad_* column)
    describe: str = ""  # the filters in words, for messages
    naf_checks: tuple[str, str] = ("false", "false")  # (bad NAF, dot-less NAF) over e.raw_naf, e.nom


NAF_DOTTED, NAF_DOTLESS = "[0-9][0-9].[0-9][0-9][A-Z]", "[0-9][0-9][0-9][0-9][A-Z]"


def nafv2_sql(has_nom: bool, prefix: str = "", col: str = "naf") -> str:
    """SQL: the activity code is a NAF rév. 2 code (nomenclature column, else the code's shape).
    The nomenclature is normalised here, not in the scan, so that it is only computed on the
    rows that need it (ESS rows in the family CASE, rows whose A21/A38 is asked for).
    ``col="raw_naf"``: the code as read, with or without its dot."""
    naf, nom = prefix + col, prefix + "nom"
    shape = f"{naf} GLOB '{NAF_DOTTED}'"
    if col == "raw_naf":
        shape = f"({shape} OR {naf} GLOB '{NAF_DOTLESS}')"
    if not has_nom:
        return f"({shape})"
    return f"(upper(replace({nom}, ' ', '')) IN {tuple(NAFV2_NAMES)!r} OR ({nom} IS NULL AND {shape}))"


#: check flags of the selection -> (column of the file, raw value column, expected)
FLAG_COLUMNS = {
    "bad_band": ("trancheEffectifsEtablissement", "raw_band",
                 "an INSEE employee-size band code (" + ", ".join(HEADCOUNT_BANDS) + ") or empty"),
    "bad_commune": ("codeCommuneEtablissement", "raw_commune",
                    "a 5-character COG commune code of an existing département such as '93066' or '2A004' "
                    "(Corsica is 2A/2B, never 20)"),
    "bad_etat": ("etatAdministratifEtablissement", "raw_etat", "'A' (active) or 'F' (closed), upper case"),
    "bad_employer": ("caractereEmployeurEtablissement", "raw_employer", "'O' (employer) or 'N', upper case"),
    "bad_naf": ("activitePrincipaleEtablissement", "raw_naf",
                "a NAF rév. 2 code such as '88.99B' (nomenclature NAFRev2)"),
    "bad_created": ("dateCreationEtablissement", "raw_created", "a date written YYYY-MM-DD (or DD/MM/YYYY)"),
    "bad_debut": ("dateDebut", "raw_debut", "a date written YYYY-MM-DD (or DD/MM/YYYY)"),
}


def etab_plan(etab: Source, ul: Source, *, date, departements, communes, employer_only, naf_exclusions_on,
              check_siret_column: bool = True, inline_domain: bool = True, communes_well_formed: bool = False) -> Plan:
    """SQL of the selected establishments. ``check_siret_column``: read the 14-character
    ``siret`` column and require siret = siren || nic (always done when there is no ``nic``
    column: the NIC is then taken from the SIRET).

    Selection: ``etatAdministratifEtablissement`` other than 'F' (so that values outside
    A/F reach the checks instead of being skipped: 'a' is an error, not a closed
    establishment), ``caractereEmployeurEtablissement`` other than 'N' with
    ``employer_only`` (empty = unknown: left out), dates as in the module docstring.
    ``inline_domain=False`` (Parquet in :func:`aggregate_ess`): the state and employer values
    are checked by one scan of those two columns (:func:`.checks.domain_scan`) instead, and the
    selection filters ``= 'A'`` / ``= 'O'`` are pushed into the Parquet scan.
    With ``departements`` / ``communes`` a superset of the territory is selected in the scan
    itself (:func:`_geo_prefilter`); ``communes_well_formed=True`` (every commune code of the
    file is a 5-character code of the expected shape, see
    :func:`.checks.communes_well_formed`) reduces it to a prefix test DuckDB evaluates cheaply.
    """
    need = list(ETAB_REQUIRED)
    if employer_only:
        need.append("caractereEmployeurEtablissement")
    if date is not None:
        need += ["dateCreationEtablissement", "dateDebut"]
    require(etab, need, "establishments", "StockEtablissement")
    require(ul, UL_REQUIRED, "legal units", "StockUniteLegale")
    deps, coms = check_filters(departements, communes)
    d = parse_date(date)

    upper = (lambda x: f"upper({x})") if etab.kind == "csv" else (lambda x: x)
    has_nom = "nomenclatureActivitePrincipaleEtablissement" in etab.columns
    has_nic = "nic" in etab.columns
    check_siret = check_siret_column or not has_nic
    etat_raw = raw_expr(etab, "etatAdministratifEtablissement")
    flags = ["bad_band", "bad_etat", "bad_naf"] if inline_domain else ["bad_band", "bad_naf"]

    def level1(read_siret: bool) -> list[str]:
        # the needed columns, lightly cleaned, filtered in the scan
        cols = [f"{text_expr(etab, 'siren')} AS siren"]
        if read_siret:
            cols.append(f"{text_expr(etab, 'siret')} AS siret_file")
        if has_nic:
            cols.append(f"{text_expr(etab, 'nic')} AS nic")
        cols += [
            f"{upper(text_expr(etab, 'codeCommuneEtablissement'))} AS raw_commune",
            f"{text_expr(etab, 'trancheEffectifsEtablissement')} AS raw_band",
            f"{upper(text_expr(etab, 'activitePrincipaleEtablissement'))} AS raw_naf",
            (f"{text_expr(etab, 'nomenclatureActivitePrincipaleEtablissement')} AS nom"
             if has_nom else "CAST(NULL AS VARCHAR) AS nom"),
            f"{raw_expr(etab, 'etatAdministratifEtablissement')} AS raw_etat",
        ]
        if employer_only:
            cols.append(f"{raw_expr(etab, 'caractereEmployeurEtablissement')} AS raw_employer")
        if d is not None:
            for name, col in (("created", "dateCreationEtablissement"), ("debut", "dateDebut")):
                raw, parsed, fr = date_exprs(etab, col)
                cols += [f"{raw} AS raw_{name}", f"{parsed} AS {name}", f"{fr} AS fr_{name}"]
        return cols

    where = []
    if d is None:
        where.append(f"({etat_raw} <> 'F' OR {etat_raw} IS NULL)" if inline_domain else f"{etat_raw} = 'A'")
    if employer_only:
        emp = raw_expr(etab, "caractereEmployeurEtablissement")
        where.append(f"{emp} <> 'N'" if inline_domain else f"{emp} = 'O'")
    if deps or coms:
        where.append(_geo_prefilter(upper(raw_expr(etab, "codeCommuneEtablissement")), deps, coms,
                                    communes_well_formed))
    where_sql = " AND ".join(where) if where else "true"
    date_where = ""
    if d is not None:
        ds = f"DATE {sql_str(d.isoformat())}"
        date_where = (f"WHERE (created IS NULL OR created <= {ds}) AND (raw_etat = 'A' OR raw_etat IS NULL "
                      f"OR raw_etat NOT IN ('A', 'F') OR (raw_etat = 'F' AND (debut > {ds} "
                      "OR (raw_debut IS NOT NULL AND debut IS NULL))))")
        flags += ["bad_created", "bad_debut"]
    if employer_only and inline_domain:
        flags.append("bad_employer")

    # level 2: NIC (from the SIRET when the file has no nic column); a 4-character commune
    # code lost its leading zero (départements 01-09); a NAF rév. 2 code written without its dot
    rep_cols = "*, coalesce(length(raw_commune) = 4, false) AS repaired_commune"
    if not has_nic:
        rep_cols += ", CASE WHEN strlen(siret_file) = 14 THEN right(siret_file, 5) END AS nic"
    # level 3: repaired codes, numeric SIREN and NIC for the Luhn arithmetic
    mid_cols = (
        "*, CASE WHEN repaired_commune THEN '0' || raw_commune ELSE raw_commune END AS commune_code, "
        "TRY_CAST(siren AS BIGINT) AS _sn, TRY_CAST(nic AS INTEGER) AS _nn"
    )
    naf_excluded = naf_excluded_sql(naf_exclusions_on, has_nom, "")
    geo = []
    if deps:
        geo.append(f"{DEP_EXPR} IN ({', '.join(sql_str(x) for x in deps)})")
    if coms:
        geo.append(f"commune_code IN ({', '.join(sql_str(x) for x in coms)})")
    # rows whose commune code is malformed (e.g. '20004', which may be 2A or 2B) stay in the
    # selection whatever the filter, so that bad_commune reports them instead of dropping them
    malformed = ("NOT ((commune_code GLOB '[0-9][0-9][0-9][0-9][0-9]' AND left(commune_code, 2) <> '20') "
                 "OR commune_code GLOB '2[AB][0-9][0-9][0-9]')")
    geo_sql = ("WHERE " + " OR ".join(geo) + f" OR {malformed}") if geo else ""
    # a scalar test (an IN list would become a join, which DuckDB does not prune when unused)
    band_re = "|".join(HEADCOUNT_BANDS)
    nafv2_declared = ("(nom IS NULL OR nom = 'NAFRev2' OR nom = 'NAFv2')" if has_nom else "true")
    extra = ""
    if employer_only:
        extra += ", raw_employer, raw_employer IS DISTINCT FROM 'O' AS bad_employer"
    if d is not None:
        extra += (", raw_created, raw_debut, (raw_created IS NOT NULL AND created IS NULL) AS bad_created"
                  ", (raw_debut IS NOT NULL AND debut IS NULL) AS bad_debut, fr_created, fr_debut")
    etat_bad = ("raw_etat IS DISTINCT FROM 'A'" if d is None
                else "(raw_etat IS NULL OR raw_etat NOT IN ('A', 'F'))")

    # a NAF rév. 2 code written without its dot ('8899B') gets it back; the exclusions and the
    # check read the raw code in both forms, so that the repair is only computed where ``naf``
    # itself is used (output column, naf/a21/a38 keys)
    dotless = "(length(raw_naf) = 5 AND strpos(raw_naf, '.') = 0)"
    naf_expr = f"CASE WHEN {dotless} THEN left(raw_naf, 2) || '.' || right(raw_naf, 3) ELSE raw_naf END"
    bad_naf = (f"(raw_naf IS NOT NULL AND {nafv2_declared} AND NOT (raw_naf GLOB '{NAF_DOTTED}' "
               f"OR raw_naf GLOB '{NAF_DOTLESS}'))")

    def outer_cols(read_siret: bool) -> str:
        shown = "siret_file" if read_siret else "siren || nic"
        return f"""
        {shown} AS siret, siren, nic, commune_code, {DEP_EXPR} AS departement, {naf_expr} AS naf,
        CASE WHEN {nafv2_sql(has_nom, col="raw_naf")} THEN left(raw_naf, 2) END AS naf_division,
        raw_band AS headcount_band, {naf_excluded} AS naf_excluded,
        {id_ok_expr("siret_file" if check_siret else None)} AS id_ok,
        (raw_band IS NOT NULL AND NOT regexp_full_match(raw_band, '{band_re}')) AS bad_band,
        (raw_commune IS NOT NULL AND NOT {commune_ok_sql('commune_code')}) AS bad_commune,
        {etat_bad} AS bad_etat,
        {bad_naf} AS bad_naf,
        repaired_commune, coalesce({dotless}, false) AS repaired_naf, nom,
        raw_commune, raw_band, raw_naf, raw_etat{extra}
    """

    def select(rn: bool) -> str:
        # error details always show the file's siret (when it has one), whatever was checked
        read_siret = check_siret or (rn and "siret" in etab.columns)
        inner = ", ".join(level1(read_siret))
        if rn:  # row numbers are taken before filtering, so they are file rows
            scan = (f"SELECT _rn, {inner} FROM (SELECT {etab.row_number_expr()} AS _rn, * "
                    f"FROM {etab.relation(row_numbers=True)}) WHERE {where_sql}")
        else:
            scan = f"SELECT {inner} FROM {etab.relation()} WHERE {where_sql}"
        if date_where:
            scan = f"SELECT * FROM ({scan}) {date_where}"
        mid = f"SELECT {mid_cols} FROM (SELECT {rep_cols} FROM ({scan})) {geo_sql}"
        # one boolean for the per-row checks: the only check column carried through the joins
        row_flags = " OR ".join(["NOT id_ok"] + [f for f in flags if f not in ("bad_band", "bad_naf")])
        return (f"SELECT *, NOT id_ok AS bad_siret, ({row_flags}) AS _bad_row "
                f"FROM (SELECT {'_rn, ' if rn else ''}{outer_cols(read_siret)} FROM ({mid}))")

    words = []
    if deps:
        words.append("département(s) " + ", ".join(deps))
    if coms:
        words.append("commune(s) " + ", ".join(coms))
    words.append("active" if d is None else f"active on {d.isoformat()}")
    if employer_only:
        words.append("employer")
    def prefixed(sql: str) -> str:
        return sql.replace("raw_naf", "e.raw_naf").replace("nom", "e.nom")

    return Plan(etab=etab, ul=ul, select_sql=select(False), rn_sql=select(True),
                family_sql=FAMILY_SQL.replace("e.naf_excluded", naf_excluded_sql(naf_exclusions_on, has_nom, "e.")),
                siret_checked=check_siret, flags=tuple(flags), describe=", ".join(words),
                naf_checks=(prefixed(bad_naf), prefixed(f"coalesce({dotless}, false)")))


def commune_shape_bad_sql(raw: str) -> str:
    """SQL over a commune code as read: not a 5-character code of the shape kept as is by the
    selection (4-digit codes to repair, '20xxx', other malformed codes). NULL stays NULL."""
    return (f"(length({raw}) <> 5 OR NOT (({raw} GLOB '[0-9][0-9][0-9][0-9][0-9]' AND NOT starts_with({raw}, '20')) "
            f"OR {raw} GLOB '2[AB][0-9][0-9][0-9]'))")


def _geo_prefilter(raw: str, deps: list[str] | None, coms: list[str] | None, well_formed: bool) -> str:
    """SQL over the commune code as read (``raw``): a superset of the geographic selection that
    DuckDB can push into the scan, so that the other columns of a national file are only decoded
    for the rows of the selected territory. Kept: codes starting with a selected département or
    equal to a selected commune and, unless the file is known to hold none (``well_formed``),
    every code the selection keeps whatever the filter (codes not of 5 characters, which are
    repaired 4-digit codes or malformed, and malformed codes such as '20004')."""
    keep = [f"starts_with({raw}, {sql_str(x)})" for x in deps or ()]
    if coms:
        keep.append(f"{raw} IN ({', '.join(sql_str(x) for x in coms)})")
    if not well_formed:
        keep.append(commune_shape_bad_sql(raw))
    return "(" + " OR ".join(keep) + ")"


def naf_excluded_sql(on: bool, has_nom: bool, prefix: str) -> str:
    """SQL: NAF rév. 2 activity excluded from the statistical ESS perimeter (columns raw_naf, nom;
    each prefix is matched with and without the dot of the code)."""
    excl = _exclusions_cached()["naf_prefix"].tolist()
    if not (on and excl):
        return "false"
    naf = prefix + "raw_naf"
    forms = sorted({x for p in excl for x in (p, p.replace(".", ""))})
    v2 = nafv2_sql(has_nom, prefix, col="raw_naf")
    return "((" + " OR ".join(f"starts_with({naf}, {sql_str(x)})" for x in forms) + f") AND {v2})"


def ul_sql(ul: Source, prefilter: bool = False) -> str:
    """Legal units: siren, legal_category, ess_flag, raw_flag. ``prefilter`` keeps, in the scan
    itself, only units of an ESS legal category or declaring the ESS flag (superset of the ESS
    units) and units whose flag is outside O/N (so that the checks see them)."""
    siren = text_expr(ul, "siren")
    cj = text_expr(ul, "categorieJuridiqueUniteLegale")
    flag = text_expr(ul, "economieSocialeSolidaireUniteLegale")
    where = ""
    if prefilter:
        cjm = _legal_categories_cached()
        codes = cjm.loc[cjm["ess_family"] != "hors_ess", "categorie_juridique"].tolist()
        if ul.columns.get("categorieJuridiqueUniteLegale") == "int":
            in_list = ", ".join(str(int(c)) for c in codes)
        else:
            in_list = ", ".join(sql_str(c) for c in codes)
        # the raw column where its type allows it (an integer column compared with integers: a
        # zero-padded text expression would be cast back per row and not pushed into the scan)
        kind = ul.columns.get("categorieJuridiqueUniteLegale")
        cj_raw = (ident("categorieJuridiqueUniteLegale") if kind == "int"
                  else raw_expr(ul, "categorieJuridiqueUniteLegale") if kind == "text" else cj)
        where = (f" WHERE {cj_raw} IN ({in_list}) "
                 f"OR {raw_expr(ul, 'economieSocialeSolidaireUniteLegale')} NOT IN ('N', '')")
    return (f"SELECT {siren} AS siren, {cj} AS legal_category, coalesce({flag} = 'O', false) AS ess_flag, "
            f"{flag} AS raw_flag FROM {ul.relation()}{where}")


FAMILY_SQL = """
    CASE
        WHEN m.ess_family IS NULL THEN 'hors_ess'
        WHEN m.ess_family <> 'hors_ess' AND e.naf_excluded THEN 'hors_ess'
        WHEN m.ess_family <> 'hors_ess' THEN m.ess_family
        WHEN m.commercial_company AND u.ess_flag THEN 'societe_commerciale_ess'
        ELSE 'hors_ess'
    END
"""
