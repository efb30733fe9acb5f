"""Part 1 of the territorial comparison (published figures, real) and its results functions.

Part 1 — published figures (real): the département against the other départements of its
region, the region and France, from ``data/reference/published_figures.csv``
(:func:`published_table`, :func:`published_view`, :func:`published_reading`, :func:`latest`,
:func:`most_recent`); results JSON (:func:`results_payload`, :func:`headline_text`).

Everything else of notebook 01 — parameters, establishment data, indicators by unit, charts,
maps, synthesis — lives in :mod:`esstools.territorial` (the old names are re-exported below).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import indicators as ind
from .provenance import DEMO_LABEL
# Re-exports: these moved to esstools.territorial (parameters, units, indicators by unit, charts, maps).
from .territorial.composition import (a21_labels, concentration, family_composition, family_labels,  # noqa: F401
                                      section_composition, unit_summary)
from .territorial.geography import unit_populations  # noqa: F401
from .territorial.parameters import (LEVEL_HEADERS, LEVEL_LABELS, LEVELS, REFERENCES, Parameters,  # noqa: F401
                                     check_parameters)
from .territorial.report import map_figures  # noqa: F401

#: Rule used to pick one published figure per territory (map, :func:`most_recent`), in French.
SELECTION_RULE_FR = (
    "Règle de sélection : pour chaque département, parmi les chiffres publiés d'emploi ou de salariés de l'ESS, "
    "on retient d'abord ceux dont l'année des données est connue, puis l'année des données la plus récente, "
    "puis l'année de publication la plus récente ; « publ. AAAA » signale une année de publication "
    "(année des données non précisée par la source)."
)
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
