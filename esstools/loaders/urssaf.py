"""URSSAF open data: ESS employer establishments, employees and payroll (annual or quarterly).

Source: Urssaf Caisse nationale (ex-Acoss), open.urssaf.fr, dataset family
"Nombre d'établissements employeurs, effectifs salariés et masse salariale du
secteur privé ... x familles ESS" (e.g. France entière x familles ESS x NA88,
par an, depuis 1998; also published by région/département), mirrored on
data.gouv.fr. Field: private-sector employer establishments, régime général,
excluding agriculture and Mayotte. Methodology (dataset page): the number of
establishments is the mean of the quarterly counts; employees are the annual
mean of quarterly average headcounts (apprentices included since the
September 2023 release); payroll ("masse salariale") is the uncapped social
security base (assiette déplafonnée), in euros.

Real format (Opendatasoft export of dataset
``nombre-etab-effectifs-salaries-et-masse-salariale-ess-departements``, CSV ``;`` UTF-8 with
BOM, or Parquet): field names ``region, ancienne_region, departement, champ_ess,
famille_ess, annee, code_region, code_ancienne_region, code_departement,
nombre_d_etablissements, effectifs_salaries_moyens, masse_salariale`` (with
``use_labels=true``: "Champ ESS", "Famille ESS", "Secteur NA88", "Année", "Nombre
d'établissements", "Effectifs salariés moyens", "Masse salariale (brute)"); the NA88
datasets add ``secteur_na88`` ("code + label", e.g. "88 Action sociale sans hébergement":
the code is its first word) and ``grand_secteur_d_activite``. ``departement`` and
``region`` hold names; the codes are in ``code_departement`` / ``code_region`` (a file giving
only names is refused; a "Département" column holding codes is read as codes).
``champ_ess`` = "NON" marks the non-ESS private sector: those rows are ``hors_ess``
whatever their ``famille_ess`` label ("OUI" with a non-ESS family, or "NON" with an ESS
family, is an error). Accepted spellings (matching ignores case, accents and punctuation):

==================  ==========================================================
output column       accepted headers
==================  ==========================================================
territory_code      "Code département", "Code departement", "code_departement",
                    "Département (code)"; else "Code région"; else France
year                "Année", "Annee", "annee", "Année de référence"
quarter             "Trimestre" (1-4, "T3"), or a period in "Période"/"Trimestre"
                    such as "2022-T3", "2022T3", "T3 2022", "2022-Q3"
ess_family          "Famille ESS", "Famille", "Famille de l'ESS", "famille_ess"
establishments      "Nombre d'établissements", "Nombre d'établissements employeurs"
employees           "Effectifs salariés moyens", "Effectifs salariés", "Effectif salarié moyen"
payroll_eur         "Masse salariale", "Masse salariale (€)", "Masse salariale annuelle"
==================  ==========================================================

Wide exports (one column per period, e.g. "Effectifs salariés 2021" or
"Effectifs salariés 2022T3") are reshaped to the long form.

Territory codes are checked against the vocabulary (:mod:`esstools.vocabulary`):
départements ``01``-``95``, ``2A``, ``2B``, ``971``-``976`` (``00``, ``20``, ``979``, names
such as "Île-de-France" are errors), regions since 2016. Total and subtotal rows ("Total",
"Ensemble", "Tous secteurs"… in a territory, period or sector column) are dropped with a
counted RepairWarning: the loader sums sectors itself, and a "Total" sector beside the
sectors would double every figure. Numbers follow :func:`esstools.loaders.common.parse_number`
(no "%" or unit in these columns).

ESS families (URSSAF labels -> ``ess_family``, :func:`esstools.vocabulary.parse_family_labels`): Associations -> association,
Coopératives -> cooperative, Mutuelles -> mutuelle, Fondations -> fondation,
Sociétés commerciales de l'ESS -> societe_commerciale_ess, "Hors ESS" ->
hors_ess, "Ensemble ESS"/"ESS"/"Total ESS" -> ``ensemble`` (all ESS
families), "Ensemble"/"Total"/"Secteur privé" (ESS + non-ESS) ->
``secteur_prive``. A file without a family column is taken as ESS totals
(``ensemble``).

Output (data contract): ``territory_level`` ("departement", "region" or
"france"), ``territory_code`` ("93", "11", "FR"), ``year`` (Int64),
``quarter`` (Int64 1-4, NA for annual rows), ``ess_family``,
``establishments`` (float: annual rows are means of quarterly counts),
``employees`` (float, persons), ``payroll_eur`` (float, euros). Rows split by
sector (NA88/NA38 column) are summed over sectors unless ``by_sector=True``
(then a ``sector`` column is kept); statistical-secret cells (empty or "s")
are NA and skipped by those sums.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ParameterError, SchemaError, check_choice
from ..vocabulary import (
    _AGGREGATE_SYNONYMS,
    _FAMILY_SYNONYMS,
    REGIONS,
    normalise_departement_codes,
    parse_family_labels,
)
from .common import normalise_header, read_table, row_numbers
from .schema import Column, Schema, parse_bool

__all__ = ["load_ess_employment", "to_series", "FAMILY_LABELS", "SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION = ("urssaf-opendatasoft nombre-etab-effectifs-salaries-et-masse-salariale-ess-departements "
                  "(field names 2026-08; labels variant)")

#: Published family labels (normalised) -> ``ess_family`` (kept for compatibility; the rules are
#: :func:`esstools.vocabulary.parse_family_labels` with aggregates).
FAMILY_LABELS = {syn: fam for fam, syns in {**_FAMILY_SYNONYMS, **_AGGREGATE_SYNONYMS}.items() for syn in syns}

SCHEMA = Schema(
    "URSSAF ESS employment",
    [
        Column("dep_code", "str", required=False, nullable=True, totals=True,
               aliases=("Code département", "Code departement", "code_departement", "Département (code)",
                        "Code du département", "dep", "code_dep")),
        Column("dep_label", "str", required=False, nullable=True, totals=True,
               aliases=("departement", "Département", "Nom du département", "libelle_departement")),
        Column("reg_code", "str", required=False, nullable=True, totals=True,
               aliases=("Code région", "Code region", "code_region", "Région (code)", "reg", "code_reg")),
        Column("reg_label", "str", required=False, nullable=True, totals=True,
               aliases=("region", "Région", "Nom de la région", "libelle_region")),
        Column("old_region", "str", required=False, nullable=True, aliases=("ancienne_region", "Ancienne région")),
        Column("old_region_code", "str", required=False, nullable=True,
               aliases=("code_ancienne_region", "Code ancienne région")),
        Column("year", "year", required=False, nullable=True, totals=True,
               aliases=("Année", "Annee", "annee", "Année de référence", "annee_de_reference", "an")),
        Column("period", "str", required=False, nullable=True, totals=True,
               aliases=("Trimestre", "Période", "Periode", "trimestre", "periode")),
        Column("scope", "str", required=False, nullable=True, aliases=("champ_ess", "Champ ESS", "Champ de l'ESS")),
        Column("family", "str", required=False, nullable=True,
               aliases=("Famille ESS", "Famille", "Famille de l'ESS", "famille_ess", "Famille d'ESS",
                        "Forme juridique ESS")),
        Column("sector", "str", required=False, nullable=True, totals=True,
               aliases=("Code NA88", "Code NA38", "Code NA17", "code_na88", "code_na38", "na88", "na38",
                        "Code secteur", "Code APE")),
        Column("sector_label", "str", required=False, nullable=True, totals=True,
               aliases=("Secteur NA88", "Secteur NA38", "Secteur NA17", "Secteur d'activité", "secteur_na88",
                        "secteur_na38", "secteur_na17", "Libellé NA88", "Secteur")),
        Column("broad_sector", "str", required=False, nullable=True, totals=True,
               aliases=("grand_secteur_d_activite", "Grand secteur d'activité", "Grand secteur")),
        Column("establishments", "float", required=False, nullable=True, min=0, unit="établissements",
               aliases=("Nombre d'établissements", "Nombre d'établissements employeurs",
                        "Nombre d'établissements employeurs moyen", "Etablissements", "Établissements",
                        "nombre_d_etablissements")),
        Column("employees", "float", required=False, nullable=True, min=0, unit="salariés",
               aliases=("Effectifs salariés moyens", "Effectifs salariés", "Effectif salarié moyen",
                        "Effectifs salariés moyens annuels", "Effectif salarié", "Effectifs", "effectifs_salaries",
                        "Effectifs salariés moyens trimestriels", "effectifs_salaries_moyens")),
        Column("payroll_eur", "amount", required=False, nullable=True, unit="€",
               aliases=("Masse salariale", "Masse salariale (€)", "Masse salariale annuelle",
                        "Masse salariale (en euros)", "masse_salariale", "Masse salariale trimestrielle",
                        "Masse salariale (brute)")),
    ],
    source_doc="open.urssaf.fr — établissements employeurs, effectifs salariés et masse salariale x familles ESS",
    version=SCHEMA_VERSION,
)

_MEASURE_PREFIX = {
    "establishments": re.compile(r"^(?:nombre_d_)?etablissements(?:_employeurs)?(?:_moyen)?_(.+)$"),
    "employees": re.compile(r"^effectifs?_salaries?(?:_moyens?)?(?:_annuels?|_trimestriels?)?_(.+)$"),
    "payroll_eur": re.compile(r"^masse_salariale(?:_annuelle|_trimestrielle)?_(.+)$"),
}
_WIDE_PERIOD = re.compile(r"^(\d{4})(?:_?t([1-9]))?$")


def _melt_wide(df: pd.DataFrame) -> pd.DataFrame:
    """Reshape "Effectifs salariés 2021" / "... 2022T3" columns into long rows (or return df)."""
    wide: dict[str, tuple[str, str]] = {}
    for col in df.columns:
        h = normalise_header(col)
        for measure, pat in _MEASURE_PREFIX.items():
            m = pat.match(h)
            if m and _WIDE_PERIOD.match(m.group(1)):
                wide[col] = (measure, m.group(1))
    if not wide:
        return df
    ids = [c for c in df.columns if c not in wide]
    parts = []
    line = df.index
    periods = sorted({p for _, p in wide.values()})
    for period in periods:
        part = df[ids].copy()
        m = _WIDE_PERIOD.match(period)
        part["Période"] = m.group(1) + (f"T{m.group(2)}" if m.group(2) else "")
        for col, (measure, p) in wide.items():
            if p == period:
                part[{"establishments": "Nombre d'établissements", "employees": "Effectifs salariés",
                      "payroll_eur": "Masse salariale"}[measure]] = df[col]
        part.index = line
        parts.append(part)
    out = pd.concat(parts)
    out.index.name = "line"
    return out


_PERIOD_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})\s*[-_/ ]?\s*[TtQq](?P<q>\d)$"),
    re.compile(r"^[TtQq](?P<q>\d)\s*[-_/ ]?\s*(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})$"),
)


def _parse_period(period: pd.Series, year: pd.Series, path, header: str) -> tuple[pd.Series, pd.Series]:
    """Year and quarter from a period column ("2022-T3", "2022T3", "T3 2022", "3", "T3", "2022")."""
    y = year.astype("Int64") if year is not None else pd.Series(pd.NA, index=period.index, dtype="Int64")
    q = pd.Series(pd.NA, index=period.index, dtype="Int64")
    p = period.astype("string").str.strip()
    bad = np.zeros(len(p), dtype=bool)
    for i, val in enumerate(p.to_numpy()):
        if not isinstance(val, str) or not val:
            continue
        m = None
        for pat in _PERIOD_PATTERNS:
            m = pat.match(val)
            if m:
                break
        if m is None:
            m2 = re.match(r"^[Tt]?(\d)$", val)
            if m2 and not pd.isna(y.iloc[i]):
                qq = int(m2.group(1))
                if 1 <= qq <= 4:
                    q.iloc[i] = qq
                    continue
            bad[i] = True
            continue
        gd = m.groupdict()
        yy = int(gd["y"])
        if not pd.isna(y.iloc[i]) and int(y.iloc[i]) != yy:
            bad[i] = True
            continue
        y.iloc[i] = yy
        if gd.get("q") is not None:
            qq = int(gd["q"])
            if not 1 <= qq <= 4:
                bad[i] = True
                continue
            q.iloc[i] = qq
    if bad.any():
        raise SchemaError(
            path=path, column=header, rows=row_numbers(period, bad), values=list(period[bad].head(5)),
            expected="a year or a quarter such as '2022-T3', '2022T3', 'T3 2022' (quarter 1 to 4), "
            "consistent with the year column",
        )
    return y, q


def load_ess_employment(path, *, by_sector: bool = False, sheet: str | None = None) -> pd.DataFrame:
    """Read an URSSAF ESS employment export (CSV/zipped CSV/XLSX/Parquet) into the tidy contract table.

    See the module docstring for the accepted headers and the output columns.
    """
    raw, info = read_table(path, sheet=sheet)
    raw = _melt_wide(raw)
    df = SCHEMA.validate(raw, path, info=info)
    import difflib

    measures = {"establishments": "nombre_d_etablissements", "employees": "effectifs_salaries_moyens",
                "payroll_eur": "masse_salariale"}
    present = set(SCHEMA.rename(raw, path).columns)
    known = {normalise_header(a) for c in SCHEMA.columns for a in (c.name, *c.aliases)}
    unknown = [c for c in raw.columns if normalise_header(c) not in known]
    absent = [h for m, h in measures.items() if m not in present]
    if absent and present & set(measures):
        # a measure missing while an unknown column holds numbers: renamed upstream, never loaded as a hole
        numeric = [c for c in unknown if pd.to_numeric(raw[c].astype(str).str.replace(r"[\s\u202f\u00a0]", "", regex=True)
                                                       .str.replace(",", "."), errors="coerce").notna().mean() > 0.9]
        if numeric:
            guess = next((h for h in absent for c in numeric
                          if difflib.get_close_matches(normalise_header(c), [h], n=1, cutoff=0.6)), absent[0])
            raise SchemaError(
                f"File '{path}': column {numeric[0]!r} holds numbers but is not a column of the URSSAF ESS schema "
                f"(schema_version {SCHEMA_VERSION!r}), and the measure '{guess}' is missing: has the upstream "
                f"schema renamed it? Expected '{guess}' (missing measures: {', '.join(repr(a) for a in absent)}).",
                path=str(path), column=str(numeric[0]), values=[str(numeric[0])], expected=guess)
    if not set(measures) & present:
        close = [c for c in unknown if difflib.get_close_matches(
            normalise_header(c), list(measures.values()), n=1, cutoff=0.6)]
        hint = (f" Column {close[0]!r} looks like a renamed measure ('effectifs_salaries_moyens', "
                "'nombre_d_etablissements' or 'masse_salariale'): has the upstream schema changed?") if close else ""
        raise SchemaError(
            f"File '{path}': no measure column found for the URSSAF ESS schema (schema_version {SCHEMA_VERSION!r}): "
            "expected 'effectifs_salaries_moyens' (or 'Effectifs salariés moyens'), 'nombre_d_etablissements' "
            "(\"Nombre d'établissements\") or 'masse_salariale' ('Masse salariale'); found columns: "
            f"{', '.join(repr(c) for c in raw.columns)}.{hint}",
            path=str(path), column="effectifs_salaries_moyens", values=list(raw.columns),
            expected="at least one measure column",
        )
    renamed = SCHEMA.rename(raw, path)
    period_header = _source_header(raw, renamed, "period")
    year_header = _source_header(raw, renamed, "year")
    if "period" in renamed.columns:
        year, quarter = _parse_period(df["period"], df["year"] if "year" in renamed.columns else None, path, period_header)
    elif "year" in renamed.columns:
        year, quarter = df["year"].astype("Int64"), pd.Series(pd.NA, index=df.index, dtype="Int64")
    else:
        raise SchemaError(
            f"File '{path}': missing column 'year' (accepts 'Année', 'Annee') or a period column "
            f"('Trimestre', 'Période'); found columns: {', '.join(repr(c) for c in raw.columns)}.",
            path=str(path), column="year", values=list(raw.columns), expected="a year or period column",
        )
    na_year = year.isna().to_numpy()
    if na_year.any():
        hdr = period_header or year_header
        raise SchemaError(path=path, column=hdr, rows=row_numbers(df, na_year), values=[""] * min(5, int(na_year.sum())),
                          expected="a year for every row")
    out_of_range = ((year < 1990) | (year > 2035)).fillna(False).to_numpy()
    if out_of_range.any():
        raise SchemaError(path=path, column=period_header or year_header, rows=row_numbers(df, out_of_range),
                          values=list(year[out_of_range].head(5)), expected="a year between 1990 and 2035")

    labels = SCHEMA.source_headers(raw)
    level, code = _territory(df, renamed, labels, path)
    family = _families(df, renamed, labels, path)
    out = pd.DataFrame(
        {
            "territory_level": level,
            "territory_code": code,
            "year": year.astype("Int64"),
            "quarter": quarter.astype("Int64"),
            "ess_family": family,
            "establishments": df["establishments"].astype("float64"),
            "employees": df["employees"].astype("float64"),
            "payroll_eur": df["payroll_eur"].astype("float64"),
        },
        index=df.index,
    )
    keys = ["territory_level", "territory_code", "year", "quarter", "ess_family"]
    has_sector = bool({"sector", "sector_label", "broad_sector"} & set(renamed.columns))
    if has_sector:
        out["sector"] = _sector(df, renamed)
    key_cols = keys + (["sector"] if has_sector else [])
    dup = out.duplicated(subset=key_cols, keep=False).to_numpy()
    if dup.any():
        vals = [tuple(r) for r in out.loc[dup, key_cols].head(5).astype(str).itertuples(index=False)]
        raise SchemaError(path=path, column=", ".join(key_cols), rows=row_numbers(out, dup), values=vals,
                          expected="one row per territory x period x ESS family" + (" x sector" if has_sector else ""))
    if has_sector and not by_sector:
        out = (
            out.groupby(keys, dropna=False, sort=False)[["establishments", "employees", "payroll_eur"]]
            .sum(min_count=1)
            .reset_index()
        )
    out = out.sort_values(keys, kind="stable").reset_index(drop=True)
    return out


def _source_header(raw: pd.DataFrame, renamed: pd.DataFrame, name: str) -> str | None:
    if name not in renamed.columns:
        return None
    for h, r in zip(raw.columns, renamed.columns):
        if r == name:
            return h
    return name


def _sector(df: pd.DataFrame, renamed: pd.DataFrame) -> pd.Series:
    """Sector code: the code column, else the first word of "code + label" (secteur_na88), else the label."""
    if "sector" in renamed.columns:
        return df["sector"].astype("string")
    col = "sector_label" if "sector_label" in renamed.columns else "broad_sector"
    lab = df[col].astype("string").str.strip()
    first = lab.str.extract(r"^([0-9A-Z]{1,5})\s", expand=False)
    return first.fillna(lab).astype("string")


def _codes_or_names(df, renamed, labels, path, code_col: str, label_col: str, kind: str) -> pd.Series | None:
    """The territory codes of a level: the code column, else a label column that holds codes."""
    if code_col in renamed.columns:
        return df[code_col].astype("string"), labels[code_col]
    if label_col not in renamed.columns:
        return None, None
    vals = df[label_col].astype("string").str.strip()
    looks = vals.str.fullmatch(r"\d{1,3}|2[ABab]").fillna(True).all()
    if not looks:
        raise SchemaError(
            f"File '{path}': column '{labels[label_col]}' holds {kind} names (e.g. {vals.dropna().iloc[0]!r}), not "
            f"codes, and the file has no code column ('code_{'departement' if kind == 'département' else 'region'}' "
            f"expected, schema_version {SCHEMA_VERSION!r}); esstools does not guess codes from names.",
            path=str(path), column=labels[label_col], values=list(vals.dropna().head(5)),
            expected=f"a column of {kind} codes")
    return vals, labels[label_col]


def _territory(df: pd.DataFrame, renamed: pd.DataFrame, labels, path) -> tuple[pd.Series, pd.Series]:
    n = len(df)
    level = pd.Series(["france"] * n, index=df.index, dtype="string")
    code = pd.Series(["FR"] * n, index=df.index, dtype="string")
    reg, reg_header = _codes_or_names(df, renamed, labels, path, "reg_code", "reg_label", "région")
    if reg is not None:
        reg = reg.str.strip()
        reg = reg.where(~reg.str.fullmatch(r"\d").fillna(False), "0" + reg)
        bad = (reg.notna() & ~reg.isin(REGIONS)).fillna(False).to_numpy(bool)
        if bad.any():
            raise SchemaError(path=path, column=reg_header, rows=row_numbers(df, bad), values=list(reg[bad].head(5)),
                              expected="a region code since 2016 (" + ", ".join(sorted(REGIONS)) + ")")
        has = reg.notna().to_numpy()
        level[has] = "region"
        code[has] = reg[has]
    dep, dep_header = _codes_or_names(df, renamed, labels, path, "dep_code", "dep_label", "département")
    if dep is not None:
        dep = normalise_departement_codes(dep, path, dep_header)
        has = dep.notna().to_numpy()
        level[has] = "departement"
        code[has] = dep[has]
    return level, code


def _families(df: pd.DataFrame, renamed: pd.DataFrame, labels, path) -> pd.Series:
    if "family" not in renamed.columns and "scope" not in renamed.columns:
        return pd.Series(["ensemble"] * len(df), index=df.index, dtype="string")
    scope = None
    if "scope" in renamed.columns:
        scope = parse_bool(df["scope"], path, labels["scope"])
    if "family" not in renamed.columns:
        return scope.map({True: "ensemble", False: "hors_ess"}).astype("string")
    fam_col = labels["family"]
    fam = df["family"].astype("string")
    if scope is None:
        return parse_family_labels(fam, path, fam_col, aggregates=True)
    non_ess = (scope == False).fillna(False).to_numpy(bool)  # noqa: E712 - nullable boolean
    key = pd.Series(pd.NA, index=df.index, dtype="string")
    key[~non_ess] = parse_family_labels(fam[~non_ess], path, fam_col, aggregates=True)
    ess_rows_non_ess = (~non_ess) & (key == "hors_ess").fillna(False).to_numpy(bool)
    from ..vocabulary import family_of_label

    named = fam[non_ess].map(lambda v: family_of_label(v) if isinstance(v, str) else None)
    contradict = named.isin(["association", "cooperative", "mutuelle", "fondation", "societe_commerciale_ess"]).to_numpy(bool)
    bad = ess_rows_non_ess.copy()
    bad[np.flatnonzero(non_ess)[contradict]] = True
    if bad.any():
        raise SchemaError(path=path, column=f"{labels['scope']}, {fam_col}", rows=row_numbers(df, bad),
                          values=[tuple(r) for r in zip(df.loc[bad, "scope"], fam[bad])][:5],
                          expected="an ESS family on rows in the ESS scope (OUI) and a non-ESS one on the others (NON)")
    key[non_ess] = "hors_ess"
    return key


def to_series(
    df: pd.DataFrame,
    territory_code: str,
    family: str = "ensemble",
    measure: str = "employees",
    frequency: str = "A",
) -> pd.Series:
    """Time series of one measure for one territory and ESS family, indexed by a PeriodIndex.

    ``frequency="A"``: annual rows if the table has them, else the annual
    aggregate of complete years of quarters (mean for establishments and
    employees, sum for payroll). ``frequency="Q"``: quarterly rows (PeriodIndex
    'Q'). Raises ParameterError for unknown territory/family/measure.
    """
    check_choice("measure", measure, ["establishments", "employees", "payroll_eur"])
    check_choice("frequency", frequency, ["A", "Q"])
    codes_avail = sorted(df["territory_code"].dropna().astype(str).unique())
    if str(territory_code) not in codes_avail:
        raise ParameterError(
            f"Unknown territory_code {territory_code!r}; available codes are: {', '.join(codes_avail)}."
        )
    sub = df[df["territory_code"].astype(str) == str(territory_code)]
    check_choice("family", family, sorted(sub["ess_family"].dropna().unique()))
    sub = sub[sub["ess_family"] == family]
    annual = sub[sub["quarter"].isna()]
    quarterly = sub[sub["quarter"].notna()]
    if frequency == "Q":
        if quarterly.empty:
            raise ParameterError(f"No quarterly rows for territory {territory_code!r}, family {family!r}; use frequency='A'.")
        q = quarterly.sort_values(["year", "quarter"])
        idx = pd.PeriodIndex([pd.Period(year=int(y), quarter=int(qq), freq="Q") for y, qq in zip(q["year"], q["quarter"])], name="period")
        return pd.Series(q[measure].to_numpy(dtype="float64"), index=idx, name=measure)
    if annual.empty:
        grp = quarterly.groupby("year")
        complete = grp["quarter"].nunique() == 4
        agg = grp[measure].sum(min_count=4) if measure == "payroll_eur" else grp[measure].mean()
        agg = agg[complete]
        if agg.empty:
            raise ParameterError(f"No complete year of quarters for territory {territory_code!r}, family {family!r}.")
        years, values = agg.index.to_numpy(), agg.to_numpy(dtype="float64")
    else:
        a = annual.sort_values("year")
        years, values = a["year"].to_numpy(), a[measure].to_numpy(dtype="float64")
    idx = pd.PeriodIndex([pd.Period(str(int(y)), freq="Y") for y in years], name="period")
    return pd.Series(values, index=idx, name=measure)
