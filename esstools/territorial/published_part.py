"""Published figures of the territorial comparison (notebook 01, part 1, real) and its results payload.

Part 1 — published figures (real): the département against the other départements of its
region, the region and France, from ``data/reference/published_figures.csv``
(:func:`published_table`, :func:`published_view`, :func:`published_reading`, :func:`latest`,
:func:`most_recent`); results JSON (:func:`results_payload`, :func:`headline_text`).

The rest of notebook 01 — parameters, establishment data, indicators by unit, charts, maps,
synthesis — is in the other modules of :mod:`esstools.territorial`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..display import fmt_number
from ..provenance import DEMO_LABEL, Provenance
from .geography import unit_populations
from .parameters import LEVEL_LABELS, Parameters
#: Rule used to pick one published figure per territory (map, :func:`most_recent`), in French.
SELECTION_RULE_FR = (
    "Règle de sélection : pour chaque département, parmi les chiffres publiés d'emploi ou de salariés de l'ESS, "
    "on retient d'abord ceux dont l'année des données est connue, puis l'année des données la plus récente, "
    "puis l'année de publication la plus récente ; « publ. AAAA » signale une année de publication "
    "(année des données non précisée par la source)."
)
#: Published indicators shown in Part 1 (those absent from the vocabulary are skipped). Each counts one
#: thing (``data/reference/published_indicators.csv``): employer establishments, "structures employeuses"
#: and establishments are different indicators, as are jobs ("emplois") and salaried employees ("salariés").
PART1_INDICATORS = (
    "ess_establishments_employer", "ess_structures_employer", "ess_establishments",
    "ess_share_establishments_pct", "ess_share_private_establishments_pct", "ess_share_local_enterprises_pct",
    "ess_jobs", "ess_employees", "ess_share_employment_pct", "ess_share_employees_pct",
    "ess_share_private_employment_pct", "ess_rank_idf_establishments",
)


def fmt_num(x, decimals: int = 0) -> str:
    """French number format of :func:`esstools.display.fmt_number` with "n.d." for missing values,
    e.g. ``fmt_num(14206) == "14\u202f206"``, ``fmt_num(9.04, 1) == "9,0"``."""
    return fmt_number(x, decimals, missing="n.d.")


def fmt_value(x) -> str:
    """French format of a published value at its published precision ("6,6", "42\u202f000"; "n.d." when
    missing). The qualifier and the unit are not included: use ``valeur_affichee`` of
    :func:`published_table` (or :func:`esstools.published.value_fr`) to show a figure."""
    from ..published import number_fr

    if x is None or pd.isna(x):
        return "n.d."
    return number_fr(x)



# --------------------------------------------------------------------------- Part 1
PART1_COLUMNS = ["territoire", "code", "niveau", "indicateur", "annee", "annee_affichee", "annee_publication",
                 "valeur", "unite", "part_de", "qualificatif", "valeur_affichee", "producteur", "champ", "source",
                 "indicator", "territory_level", "figure_id"]


def published_table(params: Parameters, max_per_indicator: int = 2) -> pd.DataFrame:
    """Published ESS figures of the département, the other départements of its region, the region
    and France (real data, one row per figure, most recent first), each as published.

    Rows: exact relays of the same figure are shown once (:func:`esstools.published.distinct_figures`:
    same value, year, publication year and producer); for each territory and indicator the figures
    of the ``max_per_indicator`` most recent years are shown — *all* of them, so that two sources
    disagreeing on the same year are both visible.

    Columns: ``territoire``, ``code``, ``niveau``, ``indicateur`` (French label), ``annee`` (data
    year or <NA>), ``annee_affichee`` ("2021", "2013-2022", "publ. 2013", "année non précisée"),
    ``annee_publication``, ``valeur``, ``unite`` (what is counted: "salariés", "emplois",
    "établissements employeurs", "%"…), ``part_de`` (for a share: of what), ``qualificatif``
    ("plus de", "environ", "presque" or ""), ``valeur_affichee`` (value with qualifier and unit,
    :func:`esstools.published.value_fr`), ``producteur`` (Flores-Insee…, "non précisé"), ``champ``,
    ``source`` (:func:`esstools.published.cite`), ``indicator``, ``territory_level``, ``figure_id``.
    """
    from .. import published, territory

    vocab = published.indicators().set_index("indicator")
    wanted = [i for i in PART1_INDICATORS if i in vocab.index]
    deps = territory.children(params.region, "departement", params.cog)["code"].tolist()
    codes = [params.departement] + [d for d in deps if d != params.departement] + [params.region, "FR"]
    df = published.figures(territory=codes, indicator=wanted)
    # région codes (11, 75, 93, 94…) are also département codes: keep a row only where its level matches
    level = df["territory_level"]
    df = df[((level == "departement") & df["territory_code"].isin(deps))
            | ((level == "region") & (df["territory_code"] == params.region)) | (level == "france")]
    if df.empty:
        return pd.DataFrame(columns=PART1_COLUMNS)
    order = {c: i for i, c in enumerate(codes)}
    df = df.assign(_o=df["territory_code"].map(order), _i=df["indicator"].map({k: i for i, k in enumerate(wanted)}),
                   _v=[published.vintage(r) for _, r in df.iterrows()])
    df = df.sort_values(["_o", "_i", "_v"], ascending=[True, True, False], kind="stable")
    df = published.distinct_figures(df)
    # a "year" is the data year when known, else the publication year: keep every figure of the most
    # recent ``max_per_indicator`` years, so that two figures of the same year are shown together
    df = df.assign(_y=[(v[0], v[1] if v[0] else v[2]) for v in df["_v"]])
    keep = []
    for _, grp in df.groupby(["territory_code", "indicator"], sort=False):
        years = sorted(set(grp["_y"]), reverse=True)[:max_per_indicator]
        keep += list(grp.index[grp["_y"].isin(years)])
    df = df[df.index.isin(keep)]
    out = pd.DataFrame({
        "territoire": df["territory_name"].to_numpy(),
        "code": df["territory_code"].to_numpy(),
        "niveau": df["territory_level"].map({"departement": "département", "region": "région",
                                             "france": "France"}).to_numpy(),
        "indicateur": df["indicator"].map(vocab["label_fr"]).to_numpy(),
        "annee": df["year"].to_numpy(),
        "annee_affichee": [published.when_fr(r) for _, r in df.iterrows()],
        "annee_publication": df["publication_year"].to_numpy(),
        "valeur": df["value"].to_numpy(),
        "unite": df["counts"].to_numpy(),
        "part_de": df["share_of"].to_numpy(),
        "qualificatif": [published.qualifier_fr(r) for _, r in df.iterrows()],
        "valeur_affichee": [published.value_fr(r) for _, r in df.iterrows()],
        "producteur": [published.producer_fr(r) for _, r in df.iterrows()],
        "champ": df["scope"].to_numpy(),
        "source": [published.cite(r) for _, r in df.iterrows()],
        "indicator": df["indicator"].to_numpy(),
        "territory_level": df["territory_level"].to_numpy(),
        "figure_id": df["figure_id"].to_numpy(),
    })
    return out.reset_index(drop=True)


def _as_figure(row: pd.Series) -> dict:
    """A :func:`published_table` row under the column names of the published table (for
    :mod:`esstools.published` renderers and comparisons)."""
    return {"indicator": row["indicator"], "value": row["valeur"], "counts": row["unite"], "share_of": row["part_de"],
            "qualifier": {v: k for k, v in _qualifier_words().items()}.get(row["qualificatif"], "exact"),
            "year": row["annee"], "publication_year": row["annee_publication"], "producer": row["producteur"],
            "period_start": None}


def _qualifier_words() -> dict[str, str]:
    from ..published import QUALIFIER_WORDS

    return QUALIFIER_WORDS


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
    the most recent publication year; remaining ties go to the first indicator listed. The rows
    pooled may count different things: the row's ``unite`` says which."""
    inds = [indicators] if isinstance(indicators, str) else list(indicators)
    sub = table[(table["code"] == code) & table["indicator"].isin(inds)]
    if sub.empty:
        return None
    sub = sub.assign(_p=sub["indicator"].map({k: i for i, k in enumerate(inds)})).sort_values("_p", kind="stable")
    return _by_recency(sub).drop(columns="_p").iloc[0]


def departement_ranking(table: pd.DataFrame, indicators=("ess_establishments_employer", "ess_establishments",
                                                         "ess_employees", "ess_jobs")) -> pd.DataFrame:
    """Rank of the départements of the table on one published count, like with like only.

    The indicator is the first of ``indicators`` published for at least two départements; each
    département's most recent figure of it is ranked only against the figures comparable with
    the best-covered group (same indicator and producer, data years at most one year apart:
    :func:`esstools.published.comparable`). Other départements get no rank and the reason in
    ``comparabilite``. Columns: ``code``, ``territoire``, ``indicateur``, ``valeur_affichee``,
    ``annee_affichee``, ``producteur``, ``valeur``, ``rang`` (Int64), ``comparabilite``.
    """
    from .. import published

    cols = ["code", "territoire", "indicateur", "valeur_affichee", "annee_affichee", "producteur", "valeur", "rang",
            "comparabilite"]
    deps = table.loc[table["territory_level"] == "departement", "code"].unique()
    for indicator in indicators:
        rows = [r for r in (latest(table, c, indicator) for c in deps) if r is not None]
        if len(rows) >= 2:
            break
    else:
        return pd.DataFrame(columns=cols)
    figs = [_as_figure(r) for r in rows]
    # reference: the figure comparable with the most others
    counts = [sum(bool(published.comparable(f, g)) for g in figs) for f in figs]
    ref = figs[int(np.argmax(counts))]
    verdicts = [published.comparable(ref, f) if f is not ref else None for f in figs]
    ok = [v is None or v.ok for v in verdicts]
    out = pd.DataFrame({
        "code": [r["code"] for r in rows], "territoire": [r["territoire"] for r in rows],
        "indicateur": [r["indicateur"] for r in rows], "valeur_affichee": [r["valeur_affichee"] for r in rows],
        "annee_affichee": [r["annee_affichee"] for r in rows], "producteur": [r["producteur"] for r in rows],
        "valeur": [float(r["valeur"]) for r in rows],
        "comparabilite": ["référence du classement" if v is None else v.reason_fr for v in verdicts],
    })
    ranked = out[ok]
    rank = ranked["valeur"].rank(method="min", ascending=False) if len(ranked) >= 2 else pd.Series(dtype=float)
    out["rang"] = pd.array([int(rank[i]) if i in rank.index else pd.NA for i in out.index], dtype="Int64")
    return out.sort_values(["rang", "code"], na_position="last").reset_index(drop=True)[cols]


def _shown(row: pd.Series, what: str = "") -> str:
    """"<value><what> (<year> ; <producer>)" of a :func:`published_table` row."""
    prod = row["producteur"] if row["producteur"] != "non précisé" else "producteur non précisé"
    return f"{row['valeur_affichee']}{what} ({row['annee_affichee']} ; {prod})"


def published_reading(params: Parameters, table: pd.DataFrame) -> str:
    """French paragraph generated from the published figures of :func:`published_table`: each
    figure with what it counts, its qualifier, its year (or "publ. AAAA") and its producer; the
    département's share of employment is compared with the region's only when the two figures are
    comparable (:func:`esstools.published.comparable`), otherwise the paragraph says why not."""
    from .. import published

    name = params.departement_name
    est = latest(table, params.departement, ["ess_establishments_employer", "ess_structures_employer",
                                             "ess_establishments"])
    sh_e = latest(table, params.departement, ["ess_share_establishments_pct", "ess_share_private_establishments_pct",
                                              "ess_share_local_enterprises_pct"])
    jobs = latest(table, params.departement, ["ess_jobs", "ess_employees"])
    sh_j = latest(table, params.departement, ["ess_share_employment_pct", "ess_share_employees_pct",
                                              "ess_share_private_employment_pct"])
    if est is None and jobs is None and sh_e is None and sh_j is None:
        return (f"Aucun chiffre publié sur l'ESS n'est recensé pour {name} dans la table des chiffres publiés ; "
                "seules la région et la France sont présentées.")
    parts = []
    if est is not None:
        ess = " de l'ESS"
        parts.append(f"{name} compte {_shown(est, ess)}.")
    if sh_e is not None:
        parts.append(f"L'ESS y représente {_shown(sh_e)}.")
    if jobs is not None:
        parts.append(f"L'ESS y compte {_shown(jobs)}.")
    if sh_j is not None:
        parts.append(f"Part de l'ESS dans l'emploi : {_shown(sh_j)}.")
        ref = latest(table, params.region, [sh_j["indicator"], "ess_share_employment_pct", "ess_share_employees_pct",
                                            "ess_share_private_employment_pct"])
        if ref is not None:
            verdict = published.comparable(_as_figure(sh_j), _as_figure(ref))
            if verdict.ok:
                comp = ("inférieure" if sh_j["valeur"] < ref["valeur"] else
                        "supérieure" if sh_j["valeur"] > ref["valeur"] else "égale")
                parts.append(f"Cette part est {comp} à celle de la région ({ref['territoire']} : {_shown(ref)}) ; "
                             f"{verdict.reason_fr}.")
            else:
                parts.append(f"La région ({ref['territoire']}) publie {_shown(ref)} : pas de comparaison, "
                             f"{verdict.reason_fr}.")
    rank = latest(table, params.departement, "ess_rank_idf_establishments")
    if rank is not None:
        parts.append(f"D'après {rank['source'].removeprefix('Source : ')}, {name} est le "
                     f"{_ordinal(int(rank['valeur']))} département d'Île-de-France par le nombre d'établissements "
                     f"de l'ESS ({rank['annee_affichee']}).")
    else:
        parts.append(f"Aucun rang régional de {name} n'est publié.")
    return " ".join(parts)


def _de(name: str) -> str:
    """French "de X" with elision before a vowel ("d'Est Ensemble", "de Plaine Commune")."""
    return ("d'" if str(name)[:1].upper() in "AEIOUYÉÈÊÎÏÔÂH" and not str(name).startswith("Ha") else "de ") + str(name)


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _q(row) -> str:
    """The qualifier word of a :func:`published_table` row followed by a space ("plus de ") or ""."""
    return (row["qualificatif"] + " ") if row["qualificatif"] else ""


def _y(row) -> str:
    """Year shown for a :func:`published_table` row ("2021", "publ. 2013", "année non précisée")."""
    return str(row["annee_affichee"])


def published_view(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """French view of :func:`published_table` and the list of sources (source ``n`` is ``sources[n - 1]``).

    Columns: ``Territoire``, ``Indicateur``, ``Valeur`` (value with its qualifier and what it counts,
    e.g. "plus de 3\u202f850 structures employeuses", "6,6 % des entreprises locales"), ``Année`` (data year,
    or "publ. AAAA" when only the publication year is known), ``Producteur``, ``Source n°``.
    """
    sources = list(dict.fromkeys(table["source"]))
    ref = {s: i + 1 for i, s in enumerate(sources)}
    view = pd.DataFrame({
        "Territoire": table["territoire"].astype("object"),
        "Indicateur": table["indicateur"].astype("object"),
        "Valeur": table["valeur_affichee"].astype("object"),
        "Année": table["annee_affichee"].astype("object"),
        "Producteur": table["producteur"].astype("object"),
        "Source n°": [str(ref[s]) for s in table["source"]],
    })
    return view, sources



# --------------------------------------------------------------------------- results
def _published_headline(row: pd.Series) -> dict:
    """One published figure of :func:`published_table` as a results-JSON headline: value, what it
    counts (``unit``, ``share_of``), qualifier, data year (``year``, None when unknown) and shown year
    (``year_label``, e.g. "publ. 2013"), producer, the reader's text (``display``) and the source."""
    from ..display import headline

    year = None if pd.isna(row["annee"]) else int(row["annee"])
    pub = None if pd.isna(row["annee_publication"]) else int(row["annee_publication"])
    item = headline(float(row["valeur"]), str(row["unite"]), f"{row['indicateur']} (publié)",
                    Provenance.real(row["source"]), definition=" ".join(x for x in (row["unite"], row["part_de"]) if x),
                    digits=6, qualifier=row["qualificatif"], year_label=row["annee_affichee"],
                    publication_year=pub, producer=row["producteur"], display=_shown(row),
                    figure_id=row["figure_id"])
    item["year"] = year  # None when the source states no data year (never the publication year)
    return item


def published_headlines(params: Parameters, table: pd.DataFrame) -> dict[str, dict]:
    """Headline items of the published figures about the département (real), for :func:`results_payload`."""
    head: dict[str, dict] = {}
    picks = {
        "published_ess_share_establishments_pct": ["ess_share_establishments_pct",
                                                   "ess_share_private_establishments_pct",
                                                   "ess_share_local_enterprises_pct"],
        "published_ess_share_employment_pct": ["ess_share_employment_pct", "ess_share_employees_pct",
                                               "ess_share_private_employment_pct"],
        "published_ess_establishments": ["ess_establishments_employer", "ess_structures_employer",
                                         "ess_establishments"],
        "published_ess_jobs": ["ess_jobs", "ess_employees"],
        "published_rank_idf_establishments": ["ess_rank_idf_establishments"],
    }
    for key, inds in picks.items():
        row = latest(table, params.departement, inds)
        if row is not None:
            head[key] = _published_headline(row)
    return head


def results_payload(params: Parameters, table: pd.DataFrame, summ: pd.DataFrame, conc: dict,
                    data_source: str) -> dict:
    """Payload for ``results.save("01_territorial_comparison", ...)``: published (real) and
    establishment-level (demo or real) headline numbers, each with unit, label, kind and source.

    Published items carry what they count (``unit``: "salariés", "emplois", "établissements
    employeurs", "%"; ``share_of``), their qualifier, data year or "publ. AAAA" (``year_label``),
    producer and ``display`` (:func:`_shown`); their label is the indicator's French label.
    """
    from ..display import headline

    head = published_headlines(params, table)
    kind = params.data_kind
    total_e = float(summ["ess_establishments"].sum())
    total_j = float(summ["ess_employees"].sum())
    pop = float(unit_populations(params, "departement").sum())
    lvl = LEVEL_LABELS[params.level]
    prov = Provenance(kind, (data_source,))
    head["ess_employer_establishments"] = headline(
        total_e, "établissements employeurs", "Établissements employeurs de l'ESS (fichier SIRENE)", prov, digits=6)
    head["ess_share_establishments_pct"] = headline(
        100 * total_e / float(summ["all_establishments"].sum()), "%",
        "Part de l'ESS dans les établissements employeurs privés (fichier SIRENE)", prov, digits=6,
        definition="% des établissements employeurs privés")
    head["ess_employees_per_1000"] = headline(
        1000 * total_j / pop, "salariés pour 1 000 habitants",
        "Densité : salariés de l'ESS pour 1 000 habitants (fichier SIRENE)", prov, digits=6)
    if params.level != "departement" and conc.get("n_units", 0) > 1:
        head["top2_share_ess_establishments_pct"] = headline(
            conc["top_k_share_pct"], "%", f"Part des établissements employeurs de l'ESS dans les 2 premiers {lvl} "
            f"({' et '.join(conc['top_units'])})", prov, digits=6)
        head["herfindahl_ess_establishments"] = headline(
            conc["herfindahl"], "indice 0-1", f"Indice de Herfindahl de la répartition par {lvl}", prov, digits=6)
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
    """French lines "label : value (réel | démonstration ; year ; producer)" of the payload of
    :func:`results_payload`; published figures are shown as published (qualifier, unit counted,
    data year or "publ. AAAA", producer)."""
    lines = []
    for h in payload["headline"].values():
        kind = "réel" if h["data_kind"] == "real" else "démonstration"
        if "display" in h:
            lines.append(f"{h['label_fr']} : {h['display']} ({kind})")
            continue
        unit = h["unit"]
        dec = 2 if unit.startswith("indice") else (1 if unit == "%" or "pour 1 000" in unit else 0)
        value = fmt_number(h["value"], dec)
        if unit.startswith("indice"):
            shown = f"{value} ({unit.replace('0-1', 'de 0 à 1')})"
        else:
            shown = f"{value} {unit}"
        year = f", {h['year']}" if h.get("year") else ""
        lines.append(f"{h['label_fr']} : {shown} ({kind}{year})")
    return "\n".join(lines)


def short_source(data_source: str) -> str:
    """Source label of :func:`load_establishments` without the leading demo label (table captions
    already carry it)."""
    return data_source.removeprefix(DEMO_LABEL + " : ")
