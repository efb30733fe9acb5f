"""Logic of the territorial-comparison notebook (``notebooks/01_territorial_comparison.ipynb``).

Part 1 — published figures (real): the département against the other départements
of its region, the region and France, from ``data/reference/published_figures.csv``
(:func:`published_table`, :func:`published_reading`).

Part 2 — establishment-level data (SIRENE format; synthetic demo files from
:mod:`esstools.synth.sirene` or real INSEE stock files), broken down by EPT or commune
(:func:`load_establishments`, :func:`unit_summary`, :func:`family_composition`, charts,
:func:`part2_reading`).

Every function validates its inputs first; :func:`check_parameters` is the first call of
the notebook and fails with :class:`~esstools.errors.ParameterError` before any work.
French text is generated from the numbers it describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import indicators as ind
from .errors import ParameterError, check_choice
from .provenance import DEMO_LABEL, mark_axes
from .vocabulary import ESS_FAMILY_LABELS

LEVELS = ("ept", "commune", "departement")
REFERENCES = ("11", "FR")
LEVEL_LABELS = {"ept": "EPT", "commune": "commune", "departement": "département"}
#: Table headers of the unit column for each level.
LEVEL_HEADERS = {"ept": "EPT", "commune": "Commune", "departement": "Département"}
#: Rule used to pick one published figure per territory (map, :func:`most_recent`), in French.
SELECTION_RULE_FR = (
    "Règle de sélection : pour chaque département, parmi les chiffres publiés d'emploi ou de salariés de l'ESS, "
    "on retient d'abord ceux dont l'année des données est connue, puis l'année des données la plus récente, "
    "puis l'année de publication la plus récente ; « publ. AAAA » signale une année de publication "
    "(année des données non précisée par la source)."
)
#: French labels of ESS families (historical name; one source: :data:`esstools.vocabulary.ESS_FAMILY_LABELS`).
FAMILY_LABELS_FALLBACK = ESS_FAMILY_LABELS
#: Published indicators shown in Part 1 (those absent from the vocabulary are skipped).
PART1_INDICATORS = (
    "ess_establishments_employer", "ess_establishments", "ess_share_establishments_pct",
    "ess_jobs", "ess_employees", "ess_share_employment_pct", "ess_share_private_employment_pct",
    "ess_rank_idf_establishments",
)
INDICATOR_LABELS = {
    "ess_establishments_employer": "Établissements employeurs de l'ESS",
    "ess_establishments": "Établissements de l'ESS",
    "ess_share_establishments_pct": "Part de l'ESS dans les établissements (%)",
    "ess_jobs": "Emplois dans l'ESS",
    "ess_employees": "Salariés de l'ESS",
    "ess_share_employment_pct": "Part de l'ESS dans l'emploi (%)",
    "ess_share_private_employment_pct": "Part de l'ESS dans l'emploi privé (%)",
    "ess_rank_idf_establishments": "Rang en Île-de-France (établissements de l'ESS)",
}


def family_labels() -> dict[str, str]:
    """French labels of ESS families (:data:`esstools.vocabulary.ESS_FAMILY_LABELS`)."""
    return dict(ESS_FAMILY_LABELS)


def fmt_num(x, decimals: int = 0) -> str:
    """French number format: narrow no-break space (U+202F) thousands separator, comma decimal
    ("n.d." for missing values), e.g. ``fmt_num(14206) == "14\u202f206"``, ``fmt_num(9.04, 1) == "9,0"``."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x):
        return "n.d."
    s = f"{float(x):,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return "0" + s[2:] if s.startswith("-0") and not any(ch in "123456789" for ch in s) else s


def fmt_value(x) -> str:
    """French format of a published value: no decimal for whole numbers, one otherwise."""
    if x is None or pd.isna(x):
        return "n.d."
    return fmt_num(x, 0 if float(x).is_integer() else 1)


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True)
class Parameters:
    departement: str
    level: str
    reference: str
    year: int
    source: str
    cog: int
    data_kind: str  # "demo" or "real"
    departement_name: str
    region: str
    etab_path: str | None = None
    ul_path: str | None = None


def check_parameters(departement="93", level="ept", reference="11", year=2024, source="demo",
                     cog: int = 2026) -> Parameters:
    """Validate the notebook parameters before any work; return them normalised.

    ``departement``: a département code of COG ``cog``; ``level``: one of
    :data:`LEVELS` (``"ept"`` only for départements with EPT: 92, 93, 94);
    ``reference``: ``"11"`` (Île-de-France) or ``"FR"``; ``source``: ``"demo"`` or
    a directory / pair of paths ``"<etab>;<ul>"`` of real SIRENE stock files.
    Raises :class:`ParameterError` with the allowed values.
    """
    from . import territory

    dep = str(departement).strip()
    deps = territory.departements(cog)
    if dep not in set(deps["code"]):
        raise ParameterError(
            f"Unknown département {departement!r} (COG {cog}); expected a code such as '92', '93', '2A' or '974'."
        )
    check_choice("level", level, LEVELS)
    check_choice("reference", reference, REFERENCES)
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"Invalid value {year!r} for 'year'; expected a year such as 2024.") from exc
    if not 2000 <= year <= 2030:
        raise ParameterError(f"Invalid value {year!r} for 'year'; expected a year between 2000 and 2030.")
    row = deps.set_index("code").loc[dep]
    com = territory.communes(cog, dep)
    if level == "ept" and com["ept"].isna().all():
        raise ParameterError(
            f"Level 'ept' is not available for département {dep!r} ({row['name']}): it has no établissement "
            "public territorial; use level='commune' or 'departement'."
        )
    etab_path = ul_path = None
    if source == "demo":
        kind = "demo"
    else:
        kind = "real"
        etab_path, ul_path = _resolve_source(str(source))
    return Parameters(dep, level, reference, year, str(source), int(cog), kind, str(row["name"]),
                      str(row["parent"]), etab_path, ul_path)


def _resolve_source(source: str) -> tuple[str, str]:
    if ";" in source:
        etab, ul = (s.strip() for s in source.split(";", 1))
    else:
        d = Path(source)
        if not d.is_dir():
            raise ParameterError(
                f"Invalid value {source!r} for 'source'; expected 'demo', a directory holding the SIRENE stock "
                "files (StockEtablissement*, StockUniteLegale*) or '<establishments file>;<legal units file>'."
            )
        def find(prefix):
            hits = sorted(p for p in d.iterdir() if p.name.startswith(prefix) and "Historique" not in p.name)
            if not hits:
                raise ParameterError(f"No file starting with '{prefix}' in source directory '{d}'.")
            return str(hits[0])
        etab, ul = find("StockEtablissement"), find("StockUniteLegale")
    for p in (etab, ul):
        if not Path(p).exists():
            raise ParameterError(f"SIRENE file '{p}' given in 'source' does not exist.")
    return etab, ul


# --------------------------------------------------------------------------- Part 1
def published_table(params: Parameters, max_per_indicator: int = 2) -> pd.DataFrame:
    """Published ESS figures of the département, the other départements of its region,
    the region and France (real data, one row per figure, most recent first).

    Columns: ``territoire``, ``code``, ``niveau``, ``indicateur``, ``annee`` (data year),
    ``annee_affichee`` (``"2021"``, ``"publ. 2013"`` or ``"n.d."``), ``annee_publication``,
    ``valeur``, ``unite``, ``qualificatif``, ``source`` (``published.cite``), ``indicator`` (code),
    ``territory_level``.
    """
    from . import published, territory

    vocab = set(published.indicators()["indicator"])
    wanted = [i for i in PART1_INDICATORS if i in vocab]
    deps = territory.children(params.region, "departement", params.cog)["code"].tolist()
    codes = [params.departement] + [d for d in deps if d != params.departement] + [params.region, "FR"]
    df = published.figures(territory=codes, indicator=wanted)
    df = df[df["territory_level"].isin(["departement", "region", "france"])]
    if df.empty:
        return pd.DataFrame(columns=["territoire", "code", "niveau", "indicateur", "annee", "annee_affichee",
                                     "annee_publication", "valeur", "unite", "qualificatif", "source", "indicator",
                                     "territory_level"])
    order = {c: i for i, c in enumerate(codes)}
    df = df.assign(_o=df["territory_code"].map(order), _i=df["indicator"].map({k: i for i, k in enumerate(wanted)}))
    df = df.sort_values(["_o", "_i", "year"], ascending=[True, True, False], na_position="last")
    # the same figure is often relayed by several documents: keep the first (best dated) one,
    # and at most ``max_per_indicator`` figures per territory and indicator
    df = df.drop_duplicates(["territory_code", "indicator", "value"])
    df = df.groupby(["territory_code", "indicator"], sort=False).head(max_per_indicator)
    out = pd.DataFrame({
        "territoire": df["territory_name"].to_numpy(),
        "code": df["territory_code"].to_numpy(),
        "niveau": df["territory_level"].map({"departement": "département", "region": "région",
                                             "france": "France"}).to_numpy(),
        "indicateur": df["indicator"].map(INDICATOR_LABELS).fillna(df["indicator"]).to_numpy(),
        "annee": df["year"].to_numpy(),
        "annee_affichee": [str(int(y)) if pd.notna(y) else (f"publ. {int(p)}" if pd.notna(p) else "n.d.")
                           for y, p in zip(df["year"], df["publication_year"])],
        "annee_publication": df["publication_year"].to_numpy(),
        "valeur": df["value"].to_numpy(),
        "unite": df["unit"].to_numpy(),
        "qualificatif": df["qualifier"].map({"exact": "", "lower_bound": "au moins", "approx": "environ",
                                             "upper_bound": "au plus"}).fillna("").to_numpy(),
        "source": [published.cite(r) for _, r in df.iterrows()],
        "indicator": df["indicator"].to_numpy(),
        "territory_level": df["territory_level"].to_numpy(),
    })
    return out.reset_index(drop=True)


def _by_recency(sub: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by the selection rule: data year known first, most recent data year, then most
    recent publication year (ties keep the table order)."""
    keys = ["annee"] + (["annee_publication"] if "annee_publication" in sub.columns else [])
    return sub.sort_values(keys, ascending=False, na_position="last", kind="stable")


def latest(table: pd.DataFrame, code: str, indicators) -> pd.Series | None:
    """Most recent row of ``table`` (from :func:`published_table`) for ``code`` and the first
    of ``indicators`` that has one (indicators in priority order; within an indicator, rows with
    a data year first, then the most recent data year, then the most recent publication year)."""
    for i in ([indicators] if isinstance(indicators, str) else indicators):
        sub = table[(table["code"] == code) & (table["indicator"] == i)]
        if not sub.empty:
            return _by_recency(sub).iloc[0]
    return None


def most_recent(table: pd.DataFrame, code: str, indicators) -> pd.Series | None:
    """Most recent row of ``table`` for ``code`` among all of ``indicators`` pooled
    (:data:`SELECTION_RULE_FR`): rows with a data year first, then the most recent data year, then
    the most recent publication year; remaining ties go to the first indicator listed."""
    inds = [indicators] if isinstance(indicators, str) else list(indicators)
    sub = table[(table["code"] == code) & table["indicator"].isin(inds)]
    if sub.empty:
        return None
    sub = sub.assign(_p=sub["indicator"].map({k: i for i, k in enumerate(inds)})).sort_values("_p", kind="stable")
    return _by_recency(sub).drop(columns="_p").iloc[0]


def departement_ranking(table: pd.DataFrame, indicators=("ess_establishments_employer", "ess_establishments",
                                                         "ess_employees", "ess_jobs")) -> pd.DataFrame:
    """Rank of each département of the table on its most recent published count
    (establishments first). Years differ between départements: the table says so."""
    rows = []
    for code in table.loc[table["territory_level"] == "departement", "code"].unique():
        r = latest(table, code, indicators[:2])
        if r is not None:
            rows.append({"code": code, "territoire": r["territoire"], "indicateur": r["indicateur"],
                         "annee": r["annee"], "valeur": r["valeur"]})
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    rq = ind.rank_quantile(out.set_index("code")["valeur"].astype("float64"))
    out["rang"] = out["code"].map(rq["rank"]).astype("int64")
    return out.sort_values("rang").reset_index(drop=True)


def published_reading(params: Parameters, table: pd.DataFrame) -> str:
    """French paragraph generated from the published figures of :func:`published_table`."""
    name = params.departement_name
    parts = []
    est = latest(table, params.departement, ["ess_establishments_employer", "ess_establishments"])
    jobs = latest(table, params.departement, ["ess_jobs", "ess_employees"])
    sh_e = latest(table, params.departement, "ess_share_establishments_pct")
    sh_j = latest(table, params.departement, ["ess_share_employment_pct", "ess_share_private_employment_pct"])
    if est is None and jobs is None and sh_e is None and sh_j is None:
        return (f"Aucun chiffre publié sur l'ESS n'est recensé pour {name} dans la table des chiffres publiés ; "
                "seules la région et la France sont présentées.")
    if est is not None:
        parts.append(f"{name} compte {_q(est)}{fmt_num(est['valeur'])} {est['unite']} de l'ESS ({_y(est)})")
    if sh_e is not None:
        parts.append(f"soit {fmt_num(sh_e['valeur'], 1)} % des établissements ({_y(sh_e)})")
    txt = ", ".join(parts) + "." if parts else ""
    if jobs is not None:
        txt += f" L'ESS y représente {_q(jobs)}{fmt_num(jobs['valeur'])} {jobs['unite']} ({_y(jobs)})"
        if sh_j is not None:
            txt += f", soit {fmt_num(sh_j['valeur'], 1)} % de l'emploi ({_y(sh_j)})"
        txt += "."
    ref = latest(table, params.region, ["ess_share_employment_pct"])
    if sh_j is not None and ref is not None:
        comp = "inférieure" if sh_j["valeur"] < ref["valeur"] else ("supérieure" if sh_j["valeur"] > ref["valeur"] else "égale")
        txt += (f" Cette part est {comp} à celle de la région ({fmt_num(ref['valeur'], 1)} % en {_y(ref)}), "
                "mais les sources, les années et les dénominateurs diffèrent : la comparaison reste indicative.")
    rank = latest(table, params.departement, "ess_rank_idf_establishments")
    if rank is not None:
        txt += (f" D'après {rank['source'].removeprefix('Source : ')}, {name} est le "
                f"{_ordinal(int(rank['valeur']))} département d'Île-de-France par le nombre d'établissements de l'ESS.")
    else:
        txt += f" Aucun rang régional de {name} n'est publié."
    return txt.strip()


def _de(name: str) -> str:
    """French "de X" with elision before a vowel ("d'Est Ensemble", "de Plaine Commune")."""
    return ("d'" if str(name)[:1].upper() in "AEIOUYÉÈÊÎÏÔÂH" and not str(name).startswith("Ha") else "de ") + str(name)


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _q(row) -> str:
    return (row["qualificatif"] + " ") if row["qualificatif"] else ""


def _y(row) -> str:
    return "année non précisée" if row["annee_affichee"] == "n.d." else str(row["annee_affichee"])


# --------------------------------------------------------------------------- Part 2 data
def load_establishments(params: Parameters, seed: int = 2026, out_dir=None) -> tuple[pd.DataFrame, str]:
    """Establishment-level data of the département with ``ept_code``/``ept_name``/``commune_name``
    columns added; returns ``(table, source label)``.

    ``source == "demo"``: synthetic SIRENE-format files are generated with
    :func:`esstools.synth.sirene.generate` (seeded) then read with the same loader as real files.
    """
    import warnings

    from . import territory
    from .loaders import sirene as loader

    if params.data_kind == "demo":
        from .synth import sirene as synth

        etab_path, ul_path = synth.generate(params.departement, cog=params.cog, seed=seed, out_dir=out_dir,
                                            year=params.year)
        label = (f"{DEMO_LABEL} : fichiers au format SIRENE générés par esstools.synth.sirene "
                 f"(graine {seed}, COG {params.cog}), calés sur les chiffres publiés")
    else:
        etab_path, ul_path = params.etab_path, params.ul_path
        label = f"Insee, base SIRENE (fichiers stock {Path(etab_path).name}, {Path(ul_path).name})"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        etab = loader.load_establishments(etab_path, ul_path, departements=[params.departement])
    com = territory.communes(params.cog, params.departement)
    epts = territory.epts(params.cog).set_index("code")
    etab = etab.copy()
    cmap = com.set_index("code")
    etab["commune_name"] = etab["commune_code"].map(cmap["name"]).astype("string")
    etab["ept_code"] = etab["commune_code"].map(cmap["ept"]).astype("string")
    etab["ept_name"] = etab["ept_code"].map(epts["name"]).astype("string")
    etab["departement_code"] = params.departement
    return etab, label


def _unit_columns(level: str) -> tuple[str, str]:
    return {"ept": ("ept_code", "ept_name"), "commune": ("commune_code", "commune_name"),
            "departement": ("departement_code", "departement_code")}[level]


def unit_populations(params: Parameters, level: str | None = None) -> pd.Series:
    """Population municipale of each unit of the level (same COG vintage), indexed by unit code."""
    from . import territory

    level = level or params.level
    com = territory.communes(params.cog, params.departement)
    if level == "commune":
        return com.set_index("code")["population"].astype("float64")
    if level == "ept":
        return com.groupby("ept")["population"].sum().astype("float64")
    return pd.Series({params.departement: float(com["population"].sum())})


def reference_shares(table: pd.DataFrame, params: Parameters) -> dict:
    """Most recent published ESS shares of the reference territory (for location quotients)."""
    code = params.region if params.reference == "11" else "FR"
    out = {}
    e = latest(table, code, "ess_share_establishments_pct")
    j = latest(table, code, ["ess_share_employment_pct", "ess_share_private_employment_pct"])
    if e is not None:
        out["ess_share_establishments_pct"] = float(e["valeur"])
        out["establishments_year"] = e["annee"]
    if j is not None:
        out["ess_share_employees_pct"] = float(j["valeur"])
        out["employees_year"] = j["annee"]
    return out


def unit_summary(etab: pd.DataFrame, params: Parameters, level: str | None = None,
                 reference: dict | None = None) -> pd.DataFrame:
    """Indicators by unit (ESS employer establishments, shares, densities, location quotients,
    share of the département's ESS, rank), sorted by ESS establishments (largest first).

    Denominator of the shares: all private employer establishments / their employees
    (SIRENE headcount-band mid-points).
    """
    level = level or params.level
    code_col, name_col = _unit_columns(level)
    counts = ind.count_table(etab, code_col)
    summ = ind.summarise_units(counts, code_col, population=unit_populations(params, level), reference=reference)
    names = etab.drop_duplicates(code_col).set_index(code_col)[name_col]
    if level == "departement":
        names = pd.Series({params.departement: params.departement_name})
    summ.insert(0, "name", summ.index.map(names).astype("string"))
    summ.index.name = "code"
    return summ.sort_values(["ess_establishments", "name"], ascending=[False, True])


def display_summary(summ: pd.DataFrame, level: str) -> pd.DataFrame:
    """French, rounded view of :func:`unit_summary` for display."""
    cols = {
        "name": LEVEL_HEADERS[level],
        "ess_establishments": "Étab. employeurs ESS",
        "ess_share_establishments_pct": "Part ESS étab. (%)",
        "ess_employees": "Salariés ESS (est.)",
        "ess_share_employees_pct": "Part ESS emploi (%)",
        "ess_establishments_per_1000": "Étab. ESS / 1\u202f000 hab.",
        "ess_employees_per_1000": "Salariés ESS / 1\u202f000 hab.",
        "lq_establishments": "Quotient de localisation (étab.)",
        "share_of_total_ess_establishments_pct": "Part du total ESS (%)",
        "rank_ess_establishments": "Rang",
    }
    out = summ[[c for c in cols if c in summ.columns]].rename(columns=cols)
    for c in out.columns:
        if c.endswith("(%)") or "hab." in c:
            out[c] = out[c].astype("float64").round(1)
        elif "Quotient" in c:
            out[c] = out[c].astype("float64").round(2)
        elif c.startswith("Salariés"):
            out[c] = out[c].astype("float64").round(0).astype("int64")
    return out.reset_index(drop=True)


def family_composition(etab: pd.DataFrame, params: Parameters, level: str | None = None) -> pd.DataFrame:
    """Mix of ESS employer establishments by family (percent), by unit plus the whole département."""
    level = level or params.level
    code_col, _ = _unit_columns(level)
    counts = ind.count_table(etab, code_col)
    by_unit = ind.composition(counts, code_col)
    whole = ind.composition(counts)
    whole.index = [params.departement_name]
    if level == "departement":
        out = whole
    else:
        names = etab.drop_duplicates(code_col).set_index(code_col)[_unit_columns(level)[1]]
        by_unit.index = by_unit.index.map(names)
        out = pd.concat([by_unit.sort_index(key=_french_sort_key), whole])
    out = out.rename(columns=family_labels()).fillna(0.0)
    out.index.name = LEVEL_HEADERS[level]
    out.columns.name = None
    return out.round(1)


def _french_sort_key(index: pd.Index) -> pd.Index:
    """Alphabetical order ignoring accents and case ("Épinay" sorts with the E's)."""
    import unicodedata

    return pd.Index([unicodedata.normalize("NFKD", str(v)).encode("ascii", "ignore").decode().casefold()
                     for v in index])


#: Official labels of the 21 NAF rév. 2 sections (Insee), used when the nomenclature file lacks one.
def a21_labels() -> dict[str, str]:
    """French labels of the NAF A21 sections (:func:`esstools.vocabulary.a21_labels`, Insee)."""
    from .vocabulary import a21_labels as _a21

    return _a21()


def section_composition(etab: pd.DataFrame, top: int = 6, labels: bool = True) -> pd.Series:
    """Share (%) of ESS employer establishments by NAF section (A21), top sections + "Autres sections".

    With ``labels`` the index reads ``"Q — Santé humaine et action sociale"`` (Insee A21 labels);
    without, the bare section letters (and ``"autres"``).
    """
    counts = ind.count_table(etab, "a21")
    comp = ind.composition(counts, category="a21").loc["ensemble"].sort_values(ascending=False)
    out = comp.head(top)
    if len(comp) > top:
        out = pd.concat([out, pd.Series({"autres": comp.iloc[top:].sum()})])
    out = out.round(1).rename("Part des établissements employeurs de l'ESS (%)")
    if labels:
        lab = a21_labels()
        out.index = [f"{c} — {lab[c]}" if c in lab else ("Autres sections" if c == "autres" else str(c))
                     for c in out.index]
    out.index.name = "Section d'activité (NAF A21)"
    return out


def french_table(df: pd.DataFrame, kind: str, source: str | None = None, decimals: dict | None = None,
                 uid: str = "t", index: bool = False):
    """Reader-facing table as a pandas Styler: numbers in French format (``decimals`` maps a column
    to its number of decimals, default 0 for numbers), caption with the data kind and source
    (:func:`esstools.provenance.style_table`), deterministic HTML ids (``uid``).

    Display it with ``IPython.display.HTML(styler.to_html())``.
    """
    from .provenance import style_table

    decimals = decimals or {}
    out = df.copy()
    if index:
        out = out.reset_index()
    num_cols = []
    for c in out.columns:
        if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            d = decimals.get(c, 0)
            out[c] = [fmt_num(v, d) for v in out[c]]
            num_cols.append(c)
    out = out.astype("object")
    out.columns = [str(c) for c in out.columns]
    st = style_table(out, "demo" if kind == "demo" else "real", source=source).set_uuid(uid).hide(axis="index")
    num = [str(c) for c in num_cols]
    text = [c for c in out.columns if c not in num]
    st = st.set_table_styles([{"selector": "th", "props": "text-align: left;"}], overwrite=False)
    if num:
        st = st.set_properties(subset=num, **{"text-align": "right", "white-space": "nowrap"})
    if text:
        st = st.set_properties(subset=text, **{"text-align": "left"})
    return st


def summary_table(summ: pd.DataFrame, params: Parameters, source: str | None = None, uid: str = "summary"):
    """Styled French table of :func:`unit_summary` (see :func:`display_summary`)."""
    view = display_summary(summ, params.level)
    dec = {c: (2 if "Quotient" in c else 1) for c in view.columns if c.endswith("(%)") or "hab." in c
           or "Quotient" in c}
    return french_table(view, params.data_kind, source=source, decimals=dec, uid=uid)


def published_view(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """French view of :func:`published_table` (values formatted, source numbers) and the list of
    sources (source ``n`` is ``sources[n - 1]``)."""
    sources = list(dict.fromkeys(table["source"]))
    ref = {s: i + 1 for i, s in enumerate(sources)}
    view = pd.DataFrame({
        "Territoire": table["territoire"].astype("object"),
        "Indicateur": table["indicateur"].astype("object"),
        "Année": table["annee_affichee"].astype("object"),
        "Valeur": [fmt_value(v) for v in table["valeur"]],
        "Unité": table["unite"].astype("object"),
        "Précision": table["qualificatif"].astype("object"),
        "Source n°": [str(ref[s]) for s in table["source"]],
    })
    return view, sources


def concentration(summ: pd.DataFrame, k: int = 2) -> dict:
    """Top-k share (%) and Herfindahl index of ESS employer establishments across units."""
    vals = summ["ess_establishments"].astype("float64")
    names = summ["name"]
    top = ind.top_k_units(vals, k)
    return {"top_k": k, "top_units": [str(names.loc[c]) for c in top],
            "top_k_share_pct": ind.top_k_share(vals, k), "herfindahl": ind.herfindahl(vals),
            "n_units": int(len(vals))}


def part2_reading(params: Parameters, summ: pd.DataFrame, comp: pd.DataFrame, conc: dict,
                  reference: dict) -> str:
    """French paragraph generated from the Part-2 numbers (mentions the demo label when relevant)."""
    total_e = summ["ess_establishments"].sum()
    total_all = summ["all_establishments"].sum()
    total_j = summ["ess_employees"].sum()
    txt = ""
    if params.data_kind == "demo":
        txt += f"⚠ {DEMO_LABEL.capitalize()} : ces chiffres illustrent la méthode et ne décrivent pas le territoire. "
    txt += (f"Le fichier compte {fmt_num(total_e)} établissements employeurs de l'ESS sur "
            f"{fmt_num(total_all)} établissements employeurs privés ({fmt_num(100 * total_e / total_all, 1)} %), "
            f"pour environ {fmt_num(total_j)} salariés (centres des tranches d'effectifs).")
    if params.level != "departement" and len(summ) > 1:
        first = summ.iloc[0]
        txt += (f" Les {conc['top_k']} premiers territoires ({' et '.join(conc['top_units'])}) regroupent "
                f"{fmt_num(conc['top_k_share_pct'], 1)} % des établissements employeurs de l'ESS "
                f"(indice de Herfindahl {fmt_num(conc['herfindahl'], 2)}). "
                f"La part de l'ESS va de {fmt_num(summ['ess_share_establishments_pct'].min(), 1)} % à "
                f"{fmt_num(summ['ess_share_establishments_pct'].max(), 1)} % des établissements selon le territoire ; "
                f"la densité la plus forte est celle "
                f"{_de(summ.sort_values('ess_employees_per_1000', ascending=False)['name'].iloc[0])} "
                f"({fmt_num(summ['ess_employees_per_1000'].max(), 1)} salariés de l'ESS pour 1\u202f000 habitants). "
                f"{first['name']} compte le plus d'établissements ({fmt_num(first['ess_establishments'])}).")
    if "ess_share_establishments_pct" in reference:
        ref_name = "l'Île-de-France" if params.reference == "11" else "la France"
        share = 100 * total_e / total_all
        lq = share / reference["ess_share_establishments_pct"]
        txt += (f" Rapportée à la part publiée pour {ref_name} ({fmt_num(reference['ess_share_establishments_pct'], 1)} %), "
                f"le quotient de localisation est de {fmt_num(lq, 2)}.")
    fam = comp.iloc[-1]
    lab = family_labels()
    txt += (f" Les associations représentent {fmt_num(fam.get(lab['association'], 0), 1)} % des établissements "
            f"employeurs de l'ESS et les coopératives {fmt_num(fam.get(lab['cooperative'], 0), 1)} %.")
    return txt


# --------------------------------------------------------------------------- charts
def _style():
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt


def _headroom(ax, inches: float = 0.4) -> None:
    """Raise the top of the y axis so that a band of ``inches`` above the data stays free for the
    demo mark (:func:`esstools.provenance.mark_axes`), whatever the figure size."""
    fig = ax.figure
    height = ax.get_position().height * fig.get_figheight()
    f = min(inches / max(height, 1e-6), 0.5)
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, (hi - lo * f) / (1 - f))


def ranked_bars(summ: pd.DataFrame, params: Parameters, reference: dict, column="ess_share_establishments_pct",
                label="Part de l'ESS dans les établissements employeurs privés (%)"):
    """Horizontal bars of ``column`` by unit (ranked) with the reference value as a line; values
    written at the end of the bars (French format); demo mark in a free band above the bars."""
    plt = _style()
    s = summ.set_index("name")[column].astype("float64").sort_values()
    fig, ax = plt.subplots(figsize=(9, max(3.2, 0.28 * len(s) + 1.8)))
    ax.barh(s.index.astype(str), s.to_numpy(), color="#2a9d8f")
    for i, v in enumerate(s.to_numpy()):
        ax.text(v, i, " " + fmt_num(v, 1), va="center", ha="left", fontsize=8)
    ref = reference.get("ess_share_establishments_pct") if column == "ess_share_establishments_pct" else None
    if ref is not None:
        ref_name = "Île-de-France" if params.reference == "11" else "France"
        ax.axvline(ref, color="#e76f51", linestyle="--", label=f"{ref_name} (publié) : {fmt_num(ref, 1)} %")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    ax.set_xlim(0, 1.12 * max(float(s.max()), ref or 0.0))
    ax.xaxis.set_major_formatter(_fr_formatter())
    ax.set_xlabel(label)
    ax.set_title(f"{params.departement_name} — {label.split(' (')[0]} par {LEVEL_LABELS[params.level]}", fontsize=11)
    fig.tight_layout()
    _headroom(ax)
    mark_axes(ax, params.data_kind)
    return fig


def _fr_formatter(decimals: int | None = None):
    """Matplotlib tick formatter with decimal commas."""
    from matplotlib.ticker import FuncFormatter

    def f(x, _pos):
        d = decimals if decimals is not None else (0 if float(x).is_integer() else 1)
        return fmt_num(x, d)

    return FuncFormatter(f)


def family_chart(comp: pd.DataFrame, params: Parameters):
    """Stacked horizontal bars of the family mix (percent) by unit; legend to the right."""
    plt = _style()
    fig, ax = plt.subplots(figsize=(10, max(3.2, 0.3 * len(comp) + 1.8)))
    comp.plot.barh(stacked=True, ax=ax, colormap="Set2", width=0.8)
    ax.set_xlabel("Part des établissements employeurs de l'ESS (%)")
    ax.set_ylabel("")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title="Famille",
              title_fontsize=9)
    ax.set_title(f"{params.departement_name} — composition de l'ESS par famille", fontsize=11)
    fig.tight_layout()
    _headroom(ax)
    mark_axes(ax, params.data_kind)
    return fig


def share_density_scatter(summ: pd.DataFrame, params: Parameters, max_labels: int = 15):
    """Scatter of the ESS share of establishments against ESS employees per 1,000 inhabitants
    (point size: ESS establishments). Every unit is named when there are at most ``max_labels``
    of them, else the ``max_labels`` largest; labels point inwards so none is clipped."""
    plt = _style()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    x = summ["ess_share_establishments_pct"].astype("float64")
    y = summ["ess_employees_per_1000"].astype("float64")
    ax.scatter(x, y, s=30 + 300 * summ["ess_establishments"] / summ["ess_establishments"].max(), color="#264653",
               alpha=0.7)
    named = summ if len(summ) <= max_labels else summ.nlargest(max_labels, "ess_establishments")
    xmid = (x.min() + x.max()) / 2
    for _, r in named.iterrows():
        right = r["ess_share_establishments_pct"] > xmid
        ax.annotate(str(r["name"]), (r["ess_share_establishments_pct"], r["ess_employees_per_1000"]), fontsize=8,
                    xytext=(-7 if right else 7, 5), textcoords="offset points", ha="right" if right else "left")
    ax.margins(x=0.12, y=0.12)
    ax.xaxis.set_major_formatter(_fr_formatter())
    ax.yaxis.set_major_formatter(_fr_formatter())
    ax.set_xlabel("Part de l'ESS dans les établissements employeurs (%)")
    ax.set_ylabel("Salariés de l'ESS pour 1 000 habitants")
    ax.set_title(f"{params.departement_name} — part et densité de l'ESS par {LEVEL_LABELS[params.level]}",
                 fontsize=11)
    fig.tight_layout()
    _headroom(ax)
    mark_axes(ax, params.data_kind)
    return fig


MAP_INDICATORS = ("ess_jobs", "ess_employees")


def map_figures(table: pd.DataFrame, params: Parameters, indicators=MAP_INDICATORS) -> pd.DataFrame:
    """Published ESS employment figure shown on the map for each département of the region, chosen by
    :func:`most_recent` (rule :data:`SELECTION_RULE_FR`). Columns: ``code``, ``territoire``, ``valeur``,
    ``unite``, ``annee_affichee``, ``indicateur``, ``source``."""
    rows = []
    for code in table.loc[table["territory_level"] == "departement", "code"].unique():
        r = most_recent(table, code, indicators)
        if r is not None:
            rows.append({"code": code, "territoire": r["territoire"], "valeur": float(r["valeur"]),
                         "unite": r["unite"], "qualificatif": r["qualificatif"],
                         "annee_affichee": r["annee_affichee"], "indicateur": r["indicateur"], "source": r["source"]})
    cols = ["code", "territoire", "valeur", "unite", "qualificatif", "annee_affichee", "indicateur", "source"]
    return pd.DataFrame(rows, columns=cols).sort_values("code").reset_index(drop=True)


def departement_map(table: pd.DataFrame, params: Parameters):
    """Choropleth of the région's départements coloured by the published ESS employment chosen by
    :func:`map_figures` (real data; years differ: shown in the legend table), with a zoom on Paris
    and the petite couronne. Returns ``(fig, figures)`` (``figures`` from :func:`map_figures`)."""
    from . import maps, territory

    plt = _style()
    figs = map_figures(table, params)
    vals = pd.Series(figs["valeur"].to_numpy(), index=figs["code"].to_numpy(), dtype="float64") / 1000
    geo, _ = maps.departements_geometry()
    codes = [c for c in territory.children(params.region, "departement", params.cog)["code"] if c in geo]
    inner = [c for c in maps.PETITE_COURONNE if c in codes]
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), gridspec_kw={"width_ratios": [1.4, 1]})
    # the petite couronne is too small to be labelled on the regional map: its labels are on the zoom
    outer = [c for c in codes if c not in inner] if inner else codes
    maps.plot_departements(vals, codes=codes, ax=axes[0], fmt="{:.0f}", annotate=outer,
                           label="Emplois ou salariés de l'ESS (milliers)", highlight=params.departement,
                           title="Emploi dans l'ESS publié (milliers)")
    if inner:
        vmin, vmax = float(vals.reindex(codes).min()), float(vals.reindex(codes).max())
        maps.plot_departements(vals, codes=inner, ax=axes[1], fmt="{:.0f}", highlight=params.departement,
                               title="Zoom : Paris et petite couronne", colorbar=False, vmin=vmin, vmax=vmax)
    else:
        axes[1].remove()
    fig.texts = fig.texts[:1]
    return fig, figs


# --------------------------------------------------------------------------- results
def results_payload(params: Parameters, table: pd.DataFrame, summ: pd.DataFrame, conc: dict,
                    data_source: str) -> dict:
    """Payload for ``results.save("01_territorial_comparison", ...)``: published (real) and
    establishment-level (demo or real) headline numbers, each with unit, label, kind and source."""
    head: dict[str, dict] = {}

    def put(name, row, unit, label):
        if row is not None:
            head[name] = {"value": float(row["valeur"]), "unit": unit, "label_fr": label, "data_kind": "real",
                          "source": row["source"], "year": None if pd.isna(row["annee"]) else int(row["annee"])}

    put("published_ess_share_establishments_pct", latest(table, params.departement, "ess_share_establishments_pct"),
        "%", "Part de l'ESS dans les établissements (publié)")
    put("published_ess_share_employment_pct",
        latest(table, params.departement, ["ess_share_employment_pct", "ess_share_private_employment_pct"]),
        "%", "Part de l'ESS dans l'emploi (publié)")
    put("published_ess_establishments",
        latest(table, params.departement, ["ess_establishments_employer", "ess_establishments"]),
        "établissements", "Établissements de l'ESS (publié)")
    put("published_ess_jobs", latest(table, params.departement, ["ess_jobs", "ess_employees"]),
        "emplois", "Emplois ou salariés de l'ESS (publié)")
    put("published_rank_idf_establishments", latest(table, params.departement, "ess_rank_idf_establishments"),
        "rang", "Rang en Île-de-France par le nombre d'établissements de l'ESS (publié)")
    kind = params.data_kind
    total_e = float(summ["ess_establishments"].sum())
    total_j = float(summ["ess_employees"].sum())
    pop = float(unit_populations(params, "departement").sum())
    lvl = LEVEL_LABELS[params.level]
    head["ess_employer_establishments"] = {
        "value": total_e, "unit": "établissements", "label_fr": "Établissements employeurs de l'ESS (fichier SIRENE)",
        "data_kind": kind, "source": data_source}
    head["ess_share_establishments_pct"] = {
        "value": 100 * total_e / float(summ["all_establishments"].sum()), "unit": "%",
        "label_fr": "Part de l'ESS dans les établissements employeurs privés (fichier SIRENE)",
        "data_kind": kind, "source": data_source}
    head["ess_employees_per_1000"] = {
        "value": 1000 * total_j / pop, "unit": "salariés pour 1 000 habitants",
        "label_fr": "Densité : salariés de l'ESS pour 1 000 habitants (fichier SIRENE)",
        "data_kind": kind, "source": data_source}
    if params.level != "departement" and conc.get("n_units", 0) > 1:
        head["top2_share_ess_establishments_pct"] = {
            "value": conc["top_k_share_pct"], "unit": "%",
            "label_fr": f"Part des établissements employeurs de l'ESS dans les 2 premiers {lvl} "
                        f"({' et '.join(conc['top_units'])})",
            "data_kind": kind, "source": data_source}
        head["herfindahl_ess_establishments"] = {
            "value": conc["herfindahl"], "unit": "indice 0-1",
            "label_fr": f"Indice de Herfindahl de la répartition par {lvl}", "data_kind": kind, "source": data_source}
    # Part 1 is always published (real) figures; with demo establishment data the report mixes both.
    kinds = {h["data_kind"] for h in head.values()}
    return {
        "data_kind": "mixed" if kinds == {"real", "demo"} else kind,
        "source": "chiffres publiés (partie 1) ; " + data_source,
        "parameters": {"departement": params.departement, "level": params.level, "reference": params.reference,
                       "year": params.year, "source": params.source, "cog": params.cog},
        "units": summ.reset_index()[["code", "name", "ess_establishments", "ess_share_establishments_pct"]]
        .to_dict(orient="records"),
        "headline": head,
    }


def headline_text(payload: dict) -> str:
    """French lines "label : value unit (réel | démonstration)" of the payload of :func:`results_payload`."""
    lines = []
    for h in payload["headline"].values():
        unit = h["unit"]
        dec = 2 if unit.startswith("indice") else (1 if unit == "%" or "pour 1 000" in unit else 0)
        value = fmt_num(h["value"], dec)
        if unit == "rang":
            shown = _ordinal(int(h["value"])) if h["value"] is not None else "n.d."
        elif unit.startswith("indice"):
            shown = f"{value} ({unit.replace('0-1', 'de 0 à 1')})"
        else:
            shown = f"{value} {unit}"
        kind = "réel" if h["data_kind"] == "real" else "démonstration"
        year = f", {h['year']}" if h.get("year") else ""
        lines.append(f"{h['label_fr']} : {shown} ({kind}{year})")
    return "\n".join(lines)


def short_source(data_source: str) -> str:
    """Source label of :func:`load_establishments` without the leading demo label (table captions
    already carry it)."""
    return data_source.removeprefix(DEMO_LABEL + " : ")
