"""Synthetic SIRENE-format demo data (establishments + legal units) for any département.

⚠ Everything written here is **données de démonstration — synthétiques**
(:data:`esstools.provenance.DEMO_LABEL`): fictitious SIREN/SIRET (valid Luhn
check digits), fictitious names containing "DEMO", drawn with an explicit seed.
The files use the **real INSEE schema** (``StockEtablissement`` /
``StockUniteLegale`` column names and codes), so the same loader
(``esstools.loaders.sirene``) and the same indicator code run on demo and real files.
Only :mod:`esstools.sources.sirene` calls this module.

Geography: the département's real communes of the COG vintage with their populations
(``esstools.territory``); Paris, Lyon and Marseille are drawn by arrondissement municipal
(751xx, 6938x, 132xx), as SIRENE codes them. EPCI and EPT follow from the communes.

Calibration (ESS **employer** establishments = at least one salaried employee). Every figure
is read from ``data/reference/published_figures.csv`` through :func:`esstools.published.figure`
by its id (tables :data:`LOCAL_FIGURES`, :data:`REGION_FIGURES`, :data:`FRANCE_FIGURES`), never
copied here. For each target, the most local published figure wins:

1. the département's own figure (93, 92, 75, 94: status "publié");
2. else its region's, scaled by population (only Île-de-France has regional figures: status
   "régional");
3. else France's, scaled by population (status "national").

ESS share of establishments and of employees: département, else region, else France. Family
mix: Seine-Saint-Denis' published shares for 93, else France's employer enterprises by family
(2017) plus 0.7 % ESS commercial companies (*hypothèse*). Size structure (10-49, 50+) and the
ratio of active to employer ESS establishments: Seine-Saint-Denis' published figures for every
département (status "par défaut"). EPT splits of 93 and 92: published bounds and shares of EPT
(ids in :data:`EPT_FIGURES`), the split inside the bounds being a *hypothèse*.
Not calibrated (plausible *hypothèses*): activity (NAF) mix by family, the headcount-band
profile of non-ESS establishments, the allocation of establishments to communes (population ×
log-normal noise), non-employer non-ESS establishments (a sample only) and 2 % closed
establishments (``etatAdministratifEtablissement = "F"``).

Public API: :func:`generate` (write the two files), :func:`build_tables` (in memory),
:func:`calibration_targets` (table of targets, values, status, figure ids and sources),
:data:`HEADCOUNT_BANDS`.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..atomic import atomic_path
from ..vocabulary import luhn_complete_digits
from ..errors import SchemaError, UnknownCodeError, check_choice
from ..provenance import DEMO_LABEL

__all__ = [
    "generate",
    "build_tables",
    "calibration_targets",
    "HEADCOUNT_BANDS",
    "ETABLISSEMENT_COLUMNS",
    "UNITE_LEGALE_COLUMNS",
    "DEMO_LABEL",
]

# --------------------------------------------------------------------------- SIRENE schema
ETABLISSEMENT_COLUMNS: tuple[str, ...] = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
    "codePostalEtablissement", "libelleCommuneEtablissement", "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement", "codeCommuneEtablissement", "codeCedexEtablissement",
    "libelleCedexEtablissement", "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
    "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
    "libelleCedex2Etablissement", "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement",
    "dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)

UNITE_LEGALE_COLUMNS: tuple[str, ...] = (
    "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale",
    "sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale", "prenom3UniteLegale",
    "prenom4UniteLegale", "prenomUsuelUniteLegale", "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale", "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale", "nombrePeriodesUniteLegale", "categorieEntreprise",
    "anneeCategorieEntreprise", "dateDebut", "etatAdministratifUniteLegale", "nomUniteLegale",
    "nomUsageUniteLegale", "denominationUniteLegale", "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale", "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale", "nomenclatureActivitePrincipaleUniteLegale", "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale", "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
)

#: INSEE headcount bands (tranche d'effectifs salariés): code -> (low, high) employees.
HEADCOUNT_BANDS: dict[str, tuple[int, int]] = {
    "01": (1, 2), "02": (3, 5), "03": (6, 9), "11": (10, 19), "12": (20, 49), "21": (50, 99),
    "22": (100, 199), "31": (200, 249), "32": (250, 499), "41": (500, 999), "42": (1000, 1999),
}
_BANDS = list(HEADCOUNT_BANDS)
_MID = np.array([(lo + hi) / 2 for lo, hi in HEADCOUNT_BANDS.values()])
_GROUPS = {"1-9": _BANDS[0:3], "10-49": _BANDS[3:5], "50+": _BANDS[5:]}

FAMILIES = ("association", "cooperative", "mutuelle", "fondation", "societe_commerciale_ess")

# Legal categories (catégorie juridique, niveau III) -> weight, by family.
_LEGAL = {
    "association": {"9220": 0.96, "9230": 0.04},
    "cooperative": {"5458": 0.35, "5460": 0.2, "5558": 0.1, "5560": 0.15, "5551": 0.1, "6317": 0.1},
    "mutuelle": {"8210": 0.7, "6411": 0.2, "8290": 0.1},
    "fondation": {"9300": 1.0},
    "societe_commerciale_ess": {"5710": 0.6, "5499": 0.4},
    "hors_ess": {"5710": 0.34, "5499": 0.33, "5720": 0.1, "5498": 0.08, "1000": 0.07, "5599": 0.05,
                 "5710_": 0.0, "6540": 0.03},
}
_LEGAL["hors_ess"].pop("5710_")

# NAF rev. 2 codes -> weight, by family (plausible, not calibrated).
_NAF = {
    "association": {"88.99B": 14, "94.99Z": 18, "93.12Z": 10, "85.59A": 6, "85.59B": 5, "90.01Z": 5, "90.04Z": 2,
                    "88.10A": 3, "88.10C": 4, "87.30A": 2, "87.20A": 2, "88.91A": 4, "93.29Z": 5, "85.51Z": 3,
                    "94.12Z": 2, "86.90D": 2, "91.02Z": 1, "58.14Z": 1, "82.99Z": 3, "70.22Z": 2, "81.21Z": 2,
                    "85.60Z": 2, "55.20Z": 2},
    "cooperative": {"43.21A": 8, "43.99C": 6, "62.01Z": 8, "71.12B": 6, "47.11B": 4, "64.19Z": 12, "49.32Z": 5,
                    "81.29A": 4, "38.32Z": 5, "56.10A": 6, "74.10Z": 5, "70.22Z": 8, "85.59A": 5, "46.90Z": 4,
                    "90.01Z": 5, "58.11Z": 3, "35.14Z": 2},
    "mutuelle": {"65.12Z": 45, "65.11Z": 15, "86.10Z": 10, "86.23Z": 10, "47.78A": 10, "88.10A": 10},
    "fondation": {"87.10A": 25, "86.10Z": 15, "88.99B": 15, "72.19Z": 15, "85.59A": 10, "91.02Z": 10, "87.30A": 10},
    "societe_commerciale_ess": {"88.99B": 15, "38.32Z": 15, "81.21Z": 15, "56.10A": 10, "62.01Z": 10,
                                "47.79Z": 10, "70.22Z": 10, "78.20Z": 15},
    "hors_ess": {c: 1 for c in ("47.11B", "56.10A", "43.21A", "43.99C", "62.01Z", "49.41A", "68.20B", "70.22Z",
                                "86.21Z", "45.20A", "41.20A", "81.21Z", "80.10Z", "52.29A", "46.90Z", "96.02A",
                                "69.20Z", "71.12B", "55.10Z", "10.71C", "78.20Z", "47.73Z", "64.19Z", "86.10Z",
                                "85.59A", "82.99Z", "49.32Z", "56.30Z", "47.71Z", "46.69B")},
}

_NAME_PREFIX = {
    "association": "ASSOCIATION DEMO", "cooperative": "COOPERATIVE DEMO", "mutuelle": "MUTUELLE DEMO",
    "fondation": "FONDATION DEMO", "societe_commerciale_ess": "ENTREPRISE SOLIDAIRE DEMO",
    "hors_ess": "ENTREPRISE DEMO",
}
_STREETS = ("RUE DE LA REPUBLIQUE", "AVENUE JEAN JAURES", "RUE VICTOR HUGO", "BOULEVARD PASTEUR",
            "RUE DE PARIS", "AVENUE DU GENERAL DE GAULLE", "RUE GABRIEL PERI", "PLACE DE LA MAIRIE")

# --------------------------------------------------------------------------- calibration targets
#: Published figures (ids of ``published_figures.csv``) used for one département, by target.
LOCAL_FIGURES: dict[str, dict[str, str]] = {
    "93": {
        "ess_employer_establishments": "93_ess_establishments_employer_2021",
        "ess_share_establishments_pct": "93_ess_share_establishments_pct_2021",
        "ess_employees": "93_ess_jobs_p2024",
        "ess_share_employees_pct": "93_ess_share_employment_pct_p2024",
        "ess_active_establishments": "93_ess_establishments_active_2024",
        "ess_establishments_10_49": "93_ess_establishments_10_49_employees_2024",
        "ess_establishments_50_plus": "93_ess_establishments_50plus_employees_2024",
        "share_associations_pct": "93_ess_share_employer_establishments_associations_pct_2021",
        "share_cooperatives_pct": "93_ess_share_employer_establishments_cooperatives_pct_2021",
    },
    "92": {"ess_employer_establishments": "92_ess_establishments_employer_p2013", "ess_employees": "92_ess_employees_p2013"},
    "75": {"ess_employer_establishments": "75_ess_establishments_employer_2014", "ess_employees": "75_ess_employees_2014",
           "ess_share_employees_pct": "75_ess_share_employees_pct_p2013"},
    "94": {"ess_employees": "94_ess_employees_2013", "ess_share_employees_pct": "94_ess_share_employment_pct_2013"},
}
#: Regional figures (scaled by population for the département's share of the region).
REGION_FIGURES: dict[str, dict[str, str]] = {
    "11": {"ess_employer_establishments": "r11_ess_establishments_p2020", "ess_employees": "r11_ess_employees_p2020",
           "ess_share_establishments_pct": "r11_ess_share_establishments_pct_p2020",
           "ess_share_employees_pct": "r11_ess_share_employment_pct_p2020"},
}
#: National figures (scaled by population).
FRANCE_FIGURES: dict[str, str] = {
    "ess_employer_establishments": "fr_ess_establishments_employer_p2021",
    "ess_employees": "fr_ess_employees_2019",
    "ess_share_establishments_pct": "fr_ess_share_establishments_pct_2011",
    "ess_share_employees_pct": "fr_ess_share_private_employment_pct_2019",
}
#: France, employer ESS enterprises by family (Départements de France, 2017): the default family mix.
FAMILY_FIGURES: dict[str, str] = {
    "association": "fr_ess_count_associations_employeuses_p2017", "cooperative": "fr_cooperatives_p2017",
    "mutuelle": "fr_mutuelles_p2017", "fondation": "fr_fondations_p2017",
}
#: Size structure and active/employer ratio taken from Seine-Saint-Denis for every département.
STRUCTURE_DEPARTEMENT = "93"
#: EPT figures: shares of the département's ESS establishments, ESS shares of establishments.
EPT_FIGURES: dict[str, dict[str, str]] = {
    "93": {"top2": "t6_t8_share_of_departement_ess_establishments_employer_pct_2020",
           "T7_structures": "t7_ess_structures_p2025"},
    "92": {"T4_third": "t4_share_of_departement_ess_establishments_nd",
           "T2_ess_share": "t2_ess_share_private_establishments_pct_nd", "T5_ess_share": "t5_ess_share_private_establishments_pct_nd"},
}
#: ESS commercial companies in the default family mix (no published figure: *hypothèse*), percent.
COMMERCIAL_ESS_PCT = 0.7
#: Split of the remainder of the 93 family mix (not associations, not cooperatives): *hypothèse*.
REMAINDER_SPLIT_93 = {"mutuelle": 1.1, "fondation": 0.7, "societe_commerciale_ess": 0.7}

#: Tolerances (relative) used by the tests and :func:`check_calibration`.
TOLERANCES = {"ess_employer_establishments": 0.0, "ess_share_establishments_pct": 0.01,
              "ess_employees": 0.02, "ess_share_employees_pct": 0.03, "family_mix_pct": 0.5,
              "ess_active_establishments": 0.0}


def _figure(figure_id: str) -> tuple[float, str, str]:
    """``(value, source line, qualifier)`` of a published figure read by its id."""
    from .. import published

    row = published.figure(figure_id)
    return float(row["value"]), published.cite(row).removeprefix("Source : "), str(row.get("qualifier") or "exact")


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in s if ch.isalnum())


# --------------------------------------------------------------------------- territory
def _communes(departement: str, cog: int) -> pd.DataFrame:
    """Communes of a département (Paris, Lyon, Marseille by arrondissement municipal, as in SIRENE):
    commune_code, commune_name, ept_code, ept_name, population."""
    from .. import territory

    com = territory.communes(cog=cog, departement=departement, include_arrondissements=True)
    parents = set(com.loc[com["type"] != "commune", "commune"])
    com = com[~com["code"].isin(parents)].copy()
    names = territory.epts(cog).set_index("code")["name"]
    com["ept_name"] = com["ept"].map(names)
    return _normalise_communes(com, departement, cog, territory)


def _pick(df: pd.DataFrame, *candidates: str) -> str | None:
    for c in candidates:
        if c in df.columns:
            return c
    return None


def _normalise_communes(com: pd.DataFrame, departement: str, cog: int, territory=None) -> pd.DataFrame:
    code = _pick(com, "commune_code", "code", "codgeo", "com")
    name = _pick(com, "commune_name", "name", "libelle", "nom")
    ept = _pick(com, "ept_code", "ept")
    ept_name = _pick(com, "ept_name", "ept_libelle")
    pop = _pick(com, "population", "pop", "pmun")
    if code is None:
        raise SchemaError(f"Commune table of département {departement!r} has no commune code column; "
                          f"columns are {list(com.columns)}.")
    out = pd.DataFrame({"commune_code": com[code].astype("string").to_numpy()})
    out["commune_name"] = com[name].astype("string").to_numpy() if name else out["commune_code"]
    out["ept_code"] = com[ept].astype("string").to_numpy() if ept else pd.NA
    out["ept_name"] = com[ept_name].astype("string").to_numpy() if ept_name else out["ept_code"]
    if pop is not None:
        out["population"] = pd.to_numeric(com[pop], errors="coerce").to_numpy("float64")
    elif territory is not None:
        p = territory.populations("commune", cog)
        pcode = _pick(p, "commune_code", "code", "territory_code")
        pval = _pick(p, "population", "value")
        ps = p.set_index(pcode)[pval] if pcode else p.iloc[:, 0]
        out["population"] = out["commune_code"].map(ps).astype("float64").to_numpy()
    else:
        out["population"] = np.nan
    if out["population"].isna().any():
        missing = out.loc[out["population"].isna(), "commune_code"].tolist()
        raise SchemaError(f"No population for commune(s) {missing[:5]} of département {departement!r} (COG {cog}).")
    return out.sort_values("commune_code").reset_index(drop=True)


def _population(level: str, code: str, cog: int) -> float:
    """Population municipale of a département, a region or France ("FR") in COG ``cog``."""
    from .. import territory

    if level == "france":
        return float(territory.departements(cog)["population"].sum())
    table = territory.regions(cog) if level == "region" else territory.departements(cog)
    return float(table.set_index("code").loc[code, "population"])


# --------------------------------------------------------------------------- targets
@dataclass
class Targets:
    departement: str
    values: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def set(self, key, value, status, source, figure_id=""):
        self.values[key] = value
        self.rows.append({"target": key, "value": value, "status": status, "figure_id": figure_id,
                          "source": source})


_SCALED = ("ess_employer_establishments", "ess_employees")
STATUS_FR = {"local": "publié", "region": "régional", "france": "national"}


def _level_figure(departement: str, region: str | None, key: str) -> tuple[str, str, str] | None:
    """``(status level, territory code, figure id)`` of the most local published figure for ``key``."""
    if key in LOCAL_FIGURES.get(departement, {}):
        return "local", departement, LOCAL_FIGURES[departement][key]
    if region in REGION_FIGURES and key in REGION_FIGURES[region]:
        return "region", region, REGION_FIGURES[region][key]
    if key in FRANCE_FIGURES:
        return "france", "FR", FRANCE_FIGURES[key]
    return None


def _targets(departement: str, population: float, cog: int, region: str | None = None) -> Targets:
    """Calibration targets of a département (values, status, figure ids, sources)."""
    if region is None:
        from .. import territory

        region = str(territory.departements(cog).set_index("code").loc[departement, "parent"])
    t = Targets(departement)
    for key in ("ess_employer_establishments", "ess_share_establishments_pct", "ess_employees",
                "ess_share_employees_pct"):
        level, code, fid = _level_figure(departement, region, key)
        value, src, _ = _figure(fid)
        status = STATUS_FR[level]
        if key == "ess_employees" and level != "local":  # mean size of an ESS employer establishment
            fid_e = (REGION_FIGURES[region] if level == "region" else FRANCE_FIGURES)["ess_employer_establishments"]
            value = round(t.values["ess_employer_establishments"] * value / _figure(fid_e)[0])
            src = f"{status} : salariés par établissement employeur de l'ESS ({fid} / {fid_e}) ; " + src
            fid = f"{fid} / {fid_e}"
        elif key == "ess_employer_establishments" and level != "local":
            value = round(value * population / _population(level, code, cog))
            src = f"{status} : chiffre rapporté à la population du département ({fid}) ; " + src
        t.set(key, value, status, src, fid)
    n_ess = t.values["ess_employer_establishments"]
    # size structure and active / employer ratio: the département's own, else Seine-Saint-Denis'
    ref = LOCAL_FIGURES[STRUCTURE_DEPARTEMENT]
    base = _figure(ref["ess_employer_establishments"])[0]
    for key in ("ess_active_establishments", "ess_establishments_10_49", "ess_establishments_50_plus"):
        if key in LOCAL_FIGURES.get(departement, {}):
            value, src, _ = _figure(LOCAL_FIGURES[departement][key])
            t.set(key, int(value), "publié", src, LOCAL_FIGURES[departement][key])
        else:
            value, src, _ = _figure(ref[key])
            t.set(key, round(n_ess * value / base), "par défaut",
                  f"par défaut : structure de la Seine-Saint-Denis ({ref[key]}) ; " + src, ref[key])
    t.set("family_mix_pct", *_family_mix(departement))
    for key, (shares, status, src, fid) in _ept_targets(departement, cog).items():
        t.set(key, shares, status, src, fid)
    return t


def _family_mix(departement: str) -> tuple[dict, str, str, str]:
    """Family mix of ESS employer establishments (percent), its status, source and figure ids."""
    local = LOCAL_FIGURES.get(departement, {})
    if "share_associations_pct" in local:
        assoc, src_a, _ = _figure(local["share_associations_pct"])
        coop, src_c, qual = _figure(local["share_cooperatives_pct"])
        if qual == "lower_bound":  # "plus de 5 %": half a point above the bound (hypothèse)
            coop += 0.5
        rest = 100.0 - assoc - coop
        split = {k: rest * v / sum(REMAINDER_SPLIT_93.values()) for k, v in REMAINDER_SPLIT_93.items()}
        mix = {"association": assoc, "cooperative": coop, **split}
        src = (f"{src_a} ; {src_c} (« plus de » : +0,5 point par hypothèse) ; reste réparti par hypothèse")
        return mix, "publié", src, f"{local['share_associations_pct']} ; {local['share_cooperatives_pct']}"
    counts = {fam: _figure(fid)[0] for fam, fid in FAMILY_FIGURES.items()}
    total = sum(counts.values())
    mix = {fam: v / total * (100 - COMMERCIAL_ESS_PCT) for fam, v in counts.items()}
    mix["societe_commerciale_ess"] = COMMERCIAL_ESS_PCT
    src = ("national : entreprises employeuses de l'ESS par famille, " + _figure(FAMILY_FIGURES["association"])[1]
           + f" ; {fmt_pct(COMMERCIAL_ESS_PCT)} % de sociétés commerciales de l'ESS par hypothèse")
    return mix, "national", src, " ; ".join(FAMILY_FIGURES.values())


def fmt_pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def _ept_targets(departement: str, cog: int) -> dict:
    """EPT calibration of 93 and 92 (published bounds and shares; split inside the bounds by hypothesis)."""
    ids = EPT_FIGURES.get(departement)
    if not ids:
        return {}
    from .. import territory

    by_number = territory.epts(cog).set_index("number")["name"]
    out = {}
    if departement == "93":
        top2, src, _ = _figure(ids["top2"])
        n_ess = _figure(LOCAL_FIGURES["93"]["ess_employer_establishments"])[0]
        t7, src7, _ = _figure(ids["T7_structures"])
        # published: Est Ensemble + Plaine Commune > 60 %, Paris Terres d'Envol > 400 structures;
        # hypothèse: 34 % / 28 % (2 points above the bound) and one point above 400 / 3 297
        shares = {by_number["T8"]: 34.0, by_number["T6"]: top2 + 2 - 34.0,
                  by_number["T7"]: float(np.ceil(100 * t7 / n_ess)) + 1}
        out["ept_share_ess_establishments_pct"] = (
            shares, "publié (bornes) + hypothèse", f"{src} ; {src7} ; répartition entre EPT par hypothèse dans ces bornes",
            f"{ids['top2']} ; {ids['T7_structures']}")
    elif departement == "92":
        third, src, _ = _figure(ids["T4_third"])
        out["ept_share_ess_establishments_pct"] = (
            {by_number["T4"]: 100 * third / 3}, "publié", src + " (un tiers)", ids["T4_third"])
        t2, src2, _ = _figure(ids["T2_ess_share"])
        t5, _, _ = _figure(ids["T5_ess_share"])
        out["ept_ess_share_establishments_pct"] = (
            {by_number["T2"]: t2, by_number["T5"]: t5}, "publié", src2,
            f"{ids['T2_ess_share']} ; {ids['T5_ess_share']}")
    return out


def calibration_targets(departement: str = "93", cog: int = 2026, communes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table of the calibration targets of a département: ``target``, ``value``, ``status`` ("publié":
    the département's own figure; "régional" / "national": the region's or France's figure scaled by
    population; "par défaut": Seine-Saint-Denis' structure), ``figure_id`` (ids of
    ``published_figures.csv``), ``source``."""
    com = communes if communes is not None else _communes(departement, cog)
    return pd.DataFrame(_targets(departement, float(com["population"].sum()), cog).rows)


# --------------------------------------------------------------------------- helpers
def _largest_remainder(weights, total: int) -> np.ndarray:
    """Integer allocation of ``total`` proportional to ``weights`` (Hamilton method)."""
    w = np.asarray(weights, dtype="float64")
    total = int(total)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype="int64")
    raw = w / w.sum() * total
    base = np.floor(raw).astype("int64")
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return base


def _band_counts(n_by_group: dict[str, int], target_total: float) -> dict[str, int]:
    """Counts per headcount band so that Σ count × mid-point ≈ ``target_total``.

    Within each group, p(band k) ∝ exp(-λ k); λ is found by bisection, then single
    establishments are moved between adjacent bands of a group to close the gap.
    """
    def alloc(lam):
        counts = {}
        for g, n in n_by_group.items():
            bands = _GROUPS[g]
            w = np.exp(-lam * np.arange(len(bands)))
            for b, c in zip(bands, _largest_remainder(w, n)):
                counts[b] = int(c)
        return counts

    def total(counts):
        return sum(c * _MID[_BANDS.index(b)] for b, c in counts.items())

    lo, hi = -3.0, 12.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if total(alloc(mid)) > target_total:
            lo = mid
        else:
            hi = mid
    counts = alloc(hi)
    for _ in range(5000):  # greedy fine-tuning
        err = total(counts) - target_total
        best, best_gain = None, 0.0
        for g in n_by_group:
            bands = _GROUPS[g]
            for i in range(len(bands) - 1):
                a, b = bands[i], bands[i + 1]
                step = _MID[_BANDS.index(b)] - _MID[_BANDS.index(a)]
                if err < 0 and counts[a] > 0 and abs(err + step) < abs(err) - best_gain:
                    best, best_gain = (a, b), abs(err) - abs(err + step)
                if err > 0 and counts[b] > 0 and abs(err - step) < abs(err) - best_gain:
                    best, best_gain = (b, a), abs(err) - abs(err - step)
        if best is None:
            break
        counts[best[0]] -= 1
        counts[best[1]] += 1
    return counts


# one Luhn for esstools (esstools.vocabulary); historical private name kept
_luhn_complete = luhn_complete_digits


def _digits_to_str(m: np.ndarray) -> np.ndarray:
    """Rows of a digit matrix as zero-padded strings (vectorised; at most 18 digits)."""
    values = (m.astype("int64") * 10 ** np.arange(m.shape[1] - 1, -1, -1, dtype="int64")).sum(axis=1)
    return np.char.zfill(values.astype(str), m.shape[1]).astype(object)


def _numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` followed by 0..n-1 zero-padded to ``width`` characters in total."""
    digits = max(width - len(prefix), len(str(max(n - 1, 0))))
    return np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), digits)).astype(object)


def _choice(rng, table: dict, n: int) -> np.ndarray:
    keys = np.array(list(table), dtype=object)
    w = np.array(list(table.values()), dtype="float64")
    return keys[rng.choice(len(keys), size=n, p=w / w.sum())]


# --------------------------------------------------------------------------- generator
def build_tables(
    departement: str = "93",
    cog: int = 2026,
    seed: int = 2026,
    year: int | None = None,
    communes: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the synthetic establishments and legal-units tables (SIRENE schema, all strings).

    ``year`` is the reference year of the stock (default: ``cog``). ``communes``
    (columns ``commune_code``, ``ept_code``/``ept_name``, ``population``) overrides
    the territorial reference (tests).
    """
    departement = str(departement)
    year = int(year or cog)
    com = _communes(departement, cog) if communes is None else _normalise_communes(communes, departement, cog)
    if com.empty:
        raise UnknownCodeError(f"Département {departement!r} has no commune in COG {cog}.", [departement])
    dep_key = int(departement) if departement.isdigit() else 200 + ord(departement[-1]) - ord("A")
    rng = np.random.default_rng([int(seed), int(cog), dep_key])
    t = _targets(departement, float(com["population"].sum()), cog)
    v = t.values

    n_ess = int(v["ess_employer_establishments"])
    n_all = int(round(n_ess / (v["ess_share_establishments_pct"] / 100)))
    n_non = n_all - n_ess
    e_ess = float(v["ess_employees"])
    e_all = e_ess / (v["ess_share_employees_pct"] / 100)
    e_non = e_all - e_ess

    pop = com["population"].to_numpy("float64")
    has_ept = com["ept_code"].notna().any()
    ept_key = com["ept_name"].fillna(com["ept_code"]).astype("string").fillna("").to_numpy(object)

    # --- ESS employer establishments per commune
    w_ess = pop * np.exp(rng.normal(0, 0.35, len(com)))
    n_ess_by_commune = _alloc_by_ept(w_ess, ept_key, n_ess, v.get("ept_share_ess_establishments_pct"), has_ept)
    # --- non-ESS employer establishments per commune
    w_non = pop * np.exp(rng.normal(0, 0.35, len(com)))
    ept_ess_share = v.get("ept_ess_share_establishments_pct") if has_ept else None
    if ept_ess_share:
        fixed = np.zeros(len(com), dtype="int64")
        free = np.ones(len(com), dtype=bool)
        for ept_name, s in ept_ess_share.items():
            m = np.array([_norm(ept_name) in _norm(k) for k in ept_key])
            if m.any():
                k_non = int(round(n_ess_by_commune[m].sum() * (100 / s - 1)))
                fixed[m] = _largest_remainder(w_non[m], k_non)
                free &= ~m
        rest = max(n_non - int(fixed.sum()), 0)
        n_non_by_commune = fixed + np.where(free, _largest_remainder(np.where(free, w_non, 0), rest), 0)
    else:
        n_non_by_commune = _largest_remainder(w_non, n_non)

    # --- bands
    n_large = int(v["ess_establishments_50_plus"])
    n_mid = int(v["ess_establishments_10_49"])
    ess_bands = _band_counts({"1-9": n_ess - n_mid - n_large, "10-49": n_mid, "50+": n_large}, e_ess)
    non_bands = _band_counts_single(int(n_non_by_commune.sum()), e_non)

    frames = []
    # ESS employers
    fam = np.repeat(np.array(list(v["family_mix_pct"]), dtype=object),
                    _largest_remainder(list(v["family_mix_pct"].values()), n_ess))
    frames.append(_block(rng, com, n_ess_by_commune, rng.permutation(fam),
                         rng.permutation(np.repeat(list(ess_bands), list(ess_bands.values())).astype(object))))
    # non-ESS employers
    n_non_eff = int(n_non_by_commune.sum())
    frames.append(_block(rng, com, n_non_by_commune, np.full(n_non_eff, "hors_ess", dtype=object),
                         rng.permutation(np.repeat(list(non_bands), list(non_bands.values())).astype(object))))
    # ESS non-employers
    n_ess_ne = int(v["ess_active_establishments"]) - n_ess
    by_c = _largest_remainder(pop, n_ess_ne)
    fam_ne = np.repeat(np.array(list(v["family_mix_pct"]), dtype=object),
                       _largest_remainder(list(v["family_mix_pct"].values()), n_ess_ne))
    frames.append(_block(rng, com, by_c, rng.permutation(fam_ne),
                         rng.choice(np.array(["NN", "00"], dtype=object), n_ess_ne, p=[0.8, 0.2])))
    # non-ESS non-employers (sample, not calibrated)
    n_non_ne = int(round(0.2 * n_non_eff))
    frames.append(_block(rng, com, _largest_remainder(pop, n_non_ne), np.full(n_non_ne, "hors_ess", dtype=object),
                         rng.choice(np.array(["NN", "00"], dtype=object), n_non_ne, p=[0.7, 0.3])))
    etab = pd.concat(frames, ignore_index=True)
    etab["active"] = True
    # closed establishments (2 %): copies of random rows, marked closed, non-employer
    n_closed = int(round(0.02 * len(etab)))
    closed = etab.iloc[np.sort(rng.choice(len(etab), n_closed, replace=False))].copy()
    closed["active"] = False
    closed["band"] = "NN"
    etab = pd.concat([etab, closed], ignore_index=True)
    etab = etab.iloc[rng.permutation(len(etab))].reset_index(drop=True)
    return _to_sirene(rng, etab, com, departement, year)


def _alloc_by_ept(weights, ept_key, total, ept_shares, has_ept) -> np.ndarray:
    if not (has_ept and ept_shares):
        return _largest_remainder(weights, total)
    out = np.zeros(len(weights), dtype="int64")
    free = np.ones(len(weights), dtype=bool)
    assigned = 0
    for name, s in ept_shares.items():
        m = np.array([_norm(name) in _norm(k) for k in ept_key])
        if not m.any():
            continue
        k = int(round(total * s / 100))
        out[m] = _largest_remainder(weights[m], k)
        free &= ~m
        assigned += k
    out[free] = _largest_remainder(weights[free], total - assigned)
    return out


def _band_counts_single(n: int, target_total: float) -> dict[str, int]:
    """Counts per band over all bands 01-42 with p(k) ∝ exp(-λ k) matching ``target_total``."""
    saved = dict(_GROUPS)
    try:
        _GROUPS["all"] = _BANDS
        return _band_counts({"all": n}, target_total)
    finally:
        _GROUPS.clear()
        _GROUPS.update(saved)


def _block(rng, com, n_by_commune, families, bands) -> pd.DataFrame:
    idx = np.repeat(np.arange(len(com)), n_by_commune)
    n = len(idx)
    return pd.DataFrame({
        "commune_idx": idx,
        "family": families[:n],
        "band": bands[:n],
    })


def _to_sirene(rng, etab: pd.DataFrame, com: pd.DataFrame, departement: str, year: int):
    n = len(etab)
    fam = etab["family"].to_numpy(object)
    # legal units: most establishments are their own unit; 15 % of ESS cooperative/mutuelle
    # establishments and 5 % of associations are secondary establishments of another unit
    # of the same family in the département.
    unit = np.arange(n)
    for f, p in (("cooperative", 0.15), ("mutuelle", 0.25), ("association", 0.03), ("fondation", 0.1)):
        rows = np.flatnonzero((fam == f) & etab["active"].to_numpy())
        if len(rows) < 2:
            continue
        k = int(round(p * len(rows)))
        sec = rng.choice(rows, size=k, replace=False)
        heads = np.setdiff1d(rows, sec)
        unit[sec] = rng.choice(heads, size=k)
    units, unit_idx = np.unique(unit, return_inverse=True)
    n_units = len(units)
    siren_digits = _luhn_complete(np.column_stack([
        rng.integers(1, 10, n_units)[:, None], rng.integers(0, 10, (n_units, 7))]))
    # make SIREN unique (compared as integers: fast)
    def as_int(m):
        return (m.astype("int64") * 10 ** np.arange(m.shape[1] - 1, -1, -1, dtype="int64")).sum(axis=1)

    _, first = np.unique(as_int(siren_digits), return_index=True)
    dup = np.setdiff1d(np.arange(n_units), first)
    while len(dup):
        siren_digits[dup] = _luhn_complete(np.column_stack([
            rng.integers(1, 10, len(dup))[:, None], rng.integers(0, 10, (len(dup), 7))]))
        _, first = np.unique(as_int(siren_digits), return_index=True)
        dup = np.setdiff1d(np.arange(n_units), first)
    siren = _digits_to_str(siren_digits)
    # NIC: 4 digits (sequence within the unit) + Luhn on the 14-digit SIRET
    order = np.lexsort((np.arange(n), unit_idx))
    seq = np.empty(n, dtype="int64")
    counts = np.bincount(unit_idx, minlength=n_units)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seq[order] = np.arange(n) - np.repeat(starts, counts)
    nic4 = 1 + seq * 7 + rng.integers(0, 5, n)
    nic4_digits = (nic4[:, None] // 10 ** np.arange(3, -1, -1)) % 10
    siret_digits = _luhn_complete(np.concatenate([siren_digits[unit_idx], nic4_digits], axis=1))
    siret = _digits_to_str(siret_digits)
    nic = np.array([s[9:] for s in siret], dtype=object)
    is_head = seq == 0

    # legal category and NAF per unit (from the head establishment's family)
    head_of_unit = order[starts]
    unit_family = fam[head_of_unit]
    legal = np.empty(n_units, dtype=object)
    for f in sorted(set(unit_family)):
        m = unit_family == f
        legal[m] = _choice(rng, _LEGAL[f], int(m.sum()))
    naf = np.empty(n, dtype=object)
    for f in sorted(set(fam)):
        m = fam == f
        naf[m] = _choice(rng, _NAF[f], int(m.sum()))
    band = etab["band"].to_numpy(object)
    employer = ~np.isin(band, ["NN", "00"])
    active = etab["active"].to_numpy(bool)

    c = com.iloc[etab["commune_idx"].to_numpy()]
    created = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, (year - 1950) * 365, n), unit="D")
    created_s = created.strftime("%Y-%m-%d").to_numpy(object)
    closed_date = (pd.Timestamp(f"{year - 1}-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"))
    closed_s = closed_date.strftime("%Y-%m-%d").to_numpy(object)
    zip_prefix = "20" if departement in ("2A", "2B") else departement
    zip_codes = np.char.add(zip_prefix, np.char.zfill(rng.integers(0, 100, n).astype(str), 5 - len(zip_prefix)))
    zip_codes = zip_codes.astype(object)
    e = pd.DataFrame({col: np.full(n, None, dtype=object) for col in ETABLISSEMENT_COLUMNS})
    e["siren"] = siren[unit_idx]
    e["nic"] = nic
    e["siret"] = siret
    e["statutDiffusionEtablissement"] = "O"
    e["dateCreationEtablissement"] = created_s
    e["trancheEffectifsEtablissement"] = band
    e["anneeEffectifsEtablissement"] = np.where(employer, str(year - 2), None)
    e["dateDernierTraitementEtablissement"] = f"{year}-01-15T00:00:00"
    e["etablissementSiege"] = np.where(is_head, "true", "false")
    e["nombrePeriodesEtablissement"] = np.where(active, "1", "2")
    e["numeroVoieEtablissement"] = rng.integers(1, 200, n).astype(str)
    e["typeVoieEtablissement"] = None
    street = np.array(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), n)]
    e["libelleVoieEtablissement"] = street
    e["codePostalEtablissement"] = zip_codes
    e["libelleCommuneEtablissement"] = c["commune_name"].astype("string").str.upper().to_numpy(object)
    e["codeCommuneEtablissement"] = c["commune_code"].astype("string").to_numpy(object)
    e["dateDebut"] = np.where(active, created_s, closed_s)
    e["etatAdministratifEtablissement"] = np.where(active, "A", "F")
    e["activitePrincipaleEtablissement"] = naf
    e["nomenclatureActivitePrincipaleEtablissement"] = "NAFRev2"
    e["caractereEmployeurEtablissement"] = np.where(employer, "O", "N")
    e = e.astype("string")

    # legal units
    u_band = band[head_of_unit]
    u_employer = employer[head_of_unit]
    u_active = np.ones(n_units, dtype=bool)
    prefixes = np.array([_NAME_PREFIX[f] + f" {departement}-" for f in unit_family], dtype=object)
    names = (prefixes + _numbered("", n_units, 6)).astype(object)
    u = pd.DataFrame({col: np.full(n_units, None, dtype=object) for col in UNITE_LEGALE_COLUMNS})
    u["siren"] = siren
    u["statutDiffusionUniteLegale"] = "O"
    u["dateCreationUniteLegale"] = created_s[head_of_unit]
    u["identifiantAssociationUniteLegale"] = np.where(
        unit_family == "association", _numbered(f"W{departement}", n_units, 10), None)
    u["trancheEffectifsUniteLegale"] = u_band
    u["anneeEffectifsUniteLegale"] = np.where(u_employer, str(year - 2), None)
    u["dateDernierTraitementUniteLegale"] = f"{year}-01-15T00:00:00"
    u["nombrePeriodesUniteLegale"] = "1"
    u["categorieEntreprise"] = np.where(np.isin(u_band, ["32", "41", "42"]), "ETI", "PME")
    u["anneeCategorieEntreprise"] = str(year - 2)
    u["dateDebut"] = created_s[head_of_unit]
    u["etatAdministratifUniteLegale"] = np.where(u_active, "A", "C")
    is_ei = legal == "1000"
    u["nomUniteLegale"] = np.where(is_ei, _numbered("DEMO", n_units, 10), None)
    u["prenom1UniteLegale"] = np.where(is_ei, "CAMILLE", None)
    u["sexeUniteLegale"] = np.where(is_ei, "F", None)
    u["denominationUniteLegale"] = np.where(is_ei, None, names)
    u["categorieJuridiqueUniteLegale"] = legal
    u["activitePrincipaleUniteLegale"] = naf[head_of_unit]
    u["nomenclatureActivitePrincipaleUniteLegale"] = "NAFRev2"
    u["nicSiegeUniteLegale"] = nic[head_of_unit]
    u["economieSocialeSolidaireUniteLegale"] = np.where(unit_family != "hors_ess", "O", "N")
    u["societeMissionUniteLegale"] = "N"
    u["caractereEmployeurUniteLegale"] = np.where(u_employer, "O", "N")
    u = u.astype("string")
    return e, u


def _atomic_write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    with atomic_path(path) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, index=False, encoding="utf-8")
        else:
            df.to_parquet(tmp, index=False)


def generate(
    departement: str = "93",
    cog: int = 2026,
    seed: int = 2026,
    out_dir: str | os.PathLike | None = None,
    fmt: str = "parquet",
    year: int | None = None,
    communes: pd.DataFrame | None = None,
) -> tuple[Path, Path]:
    """Write synthetic ``StockEtablissement`` and ``StockUniteLegale`` files; return their paths.

    Files: ``<out_dir>/StockEtablissement_utf8.<csv|parquet>`` and
    ``<out_dir>/StockUniteLegale_utf8.<csv|parquet>`` (real INSEE column names, UTF-8,
    comma-separated for CSV), written atomically. Default ``out_dir``:
    ``<cache>/synth/sirene_<dep>_cog<cog>_seed<seed>``. Same arguments → byte-identical
    CSV files. See the module docstring for the calibration targets.
    """
    check_choice("fmt", fmt, ("parquet", "csv"))
    etab, ul = build_tables(departement, cog=cog, seed=seed, year=year, communes=communes)
    out = Path(out_dir) if out_dir is not None else paths.cache_dir() / "synth" / f"sirene_{departement}_cog{cog}_seed{seed}"
    out.mkdir(parents=True, exist_ok=True)
    etab_path = out / f"StockEtablissement_utf8.{fmt}"
    ul_path = out / f"StockUniteLegale_utf8.{fmt}"
    _atomic_write_table(etab, etab_path, fmt)
    _atomic_write_table(ul, ul_path, fmt)
    return etab_path, ul_path
