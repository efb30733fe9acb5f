"""Synthetic SIRENE-format demo data (establishments + legal units) for one département.

⚠ Everything written here is **données de démonstration — synthétiques**
(:data:`esstools.provenance.DEMO_LABEL`): fictitious SIREN/SIRET (valid Luhn
check digits), fictitious names containing "DEMO", drawn with an explicit seed.
The files use the **real INSEE schema** (``StockEtablissement`` /
``StockUniteLegale`` column names and codes), so the same loader
(``esstools.loaders.sirene``) and the same indicator code run on demo and real files.

Calibration targets (ESS **employer** establishments = at least one salaried employee)
--------------------------------------------------------------------------------------
Seine-Saint-Denis (93), all *published* except where marked *hypothèse*:

* 3 297 ESS employer establishments, 6.6 % of the territory's establishments
  (→ 49 955 employer establishments in total) — Département de la Seine-Saint-Denis,
  Feuille de route ESS 2024-2028 (source: CRESS, Flores-Insee 2021); RTES fiche CD93
  (maj 16/09/2025).
* 42 000 ESS jobs, 6.2 % of local jobs (→ 677 419 jobs in total) — same sources
  (Flores-Insee 2024). Demo "jobs" are the mid-points of the SIRENE headcount bands.
* 26 990 active ESS establishments (employer or not), of which 710 with 10-49
  employees and 193 with 50 or more — Feuille de route (SIRENE-Insee 2024).
* Family mix of ESS employer establishments: 92 % associations, 5.5 % cooperatives
  ("dont 92 % d'associations et plus de 5 % de coopératives", Feuille de route;
  "3 000 associations", "180 coopératives", RTES fiche). The remaining 2.5 % are split
  1.1 % mutuelles, 0.7 % fondations, 0.7 % ESS commercial companies (*hypothèse*).
* Est Ensemble + Plaine Commune hold more than 60 % of ESS employer establishments
  (Feuille de route, Flores-Insee 2020): demo split 34 % Est Ensemble, 28 % Plaine
  Commune (*hypothèse* within the published bound), 13 % Paris Terres d'Envol
  ("plus de 400 structures", Liti, nov. 2025 → ≥ 12 %), the rest to Grand Paris Grand Est.

Hauts-de-Seine (92):

* 3 355 ESS employer establishments and 50 206 employees — Val de Seine Vert,
  "L'économie sociale et solidaire est parmi nous" (c. 2013).
* One third of ESS establishments in Paris Ouest La Défense; ESS share of private
  establishments 7.9 % in Vallée Sud Grand Paris and 5.5 % in Boucle Nord de Seine —
  Département des Hauts-de-Seine, Panorama départemental de l'ESS (CRESS IDF;
  ACOSS-URSSAF 2010-2023, Insee Flores 2020-2021).

Defaults (any département, and any target not listed above) — marked "par défaut":

* ESS share of establishments 7.2 % and of employment 7.1 % — Île-de-France, Atlas
  commenté de l'ESS 2020 (ONESS-ESS France) via UDES Île-de-France.
* ESS employer establishments: population × 33 184 / population of Île-de-France
  (33 184 IDF ESS establishments, same source); employees: establishments ×
  388 678 / 33 184 (same source).
* Family mix: France, employer enterprises 2017 (154 000 associations, 8 700
  cooperatives, 800 mutuelles, 500 fondations; Départements de France, oct. 2017),
  with 0.7 % ESS commercial companies (*hypothèse*).
* Size structure and active/employer ratio: those of Seine-Saint-Denis above.
* Not calibrated (plausible *hypothèses*): activity (NAF) mix by family, the
  headcount-band profile of non-ESS establishments, the allocation of establishments
  to communes (population × log-normal noise), non-employer non-ESS establishments
  (a sample only) and 2 % closed establishments (``etatAdministratifEtablissement = "F"``).

Public API: :func:`generate` (write the two files), :func:`build_tables` (in memory),
:func:`calibration_targets` (table of targets, sources and status), :data:`HEADCOUNT_BANDS`.
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
_SRC_93_ROADMAP = ("Département de la Seine-Saint-Denis, Feuille de route ESS 2024-2028 "
                   "(CRESS, Flores-Insee 2021/2024 ; SIRENE-Insee 2024)")
_SRC_93_RTES = "RTES, fiche Conseil départemental de Seine-Saint-Denis (maj 16/09/2025)"
_SRC_92_VSV = "Val de Seine Vert, « L'économie sociale et solidaire est parmi nous » (c. 2013)"
_SRC_92_PANO = ("Département des Hauts-de-Seine, Panorama départemental de l'ESS (CRESS IDF ; "
                "ACOSS-URSSAF 2010-2023, Insee Flores 2020-2021)")
_SRC_IDF_ATLAS = "UDES Île-de-France, citant l'Atlas commenté de l'ESS, édition 2020 (ONESS - ESS France)"
_SRC_FR_2017 = "Départements de France, « Départements et ESS » (87e Congrès, oct. 2017)"

_PUBLISHED = {
    "93": {
        "ess_employer_establishments": (3297, _SRC_93_RTES + " ; " + _SRC_93_ROADMAP),
        "ess_share_establishments_pct": (6.6, _SRC_93_RTES + " ; " + _SRC_93_ROADMAP),
        "ess_employees": (42000, _SRC_93_ROADMAP),
        "ess_share_employees_pct": (6.2, _SRC_93_RTES + " ; " + _SRC_93_ROADMAP),
        "ess_active_establishments": (26990, _SRC_93_ROADMAP),
        "ess_establishments_10_49": (710, _SRC_93_ROADMAP),
        "ess_establishments_50_plus": (193, _SRC_93_ROADMAP),
        "family_mix_pct": (
            {"association": 92.0, "cooperative": 5.5, "mutuelle": 1.1, "fondation": 0.7,
             "societe_commerciale_ess": 0.7},
            _SRC_93_ROADMAP + " (92 % d'associations, plus de 5 % de coopératives) ; " + _SRC_93_RTES
            + " (180 coopératives) ; reste (2,5 %) réparti par hypothèse",
        ),
        "ept_share_ess_establishments_pct": (
            {"Est Ensemble": 34.0, "Plaine Commune": 28.0, "Paris Terres d'Envol": 13.0},
            _SRC_93_ROADMAP + " : Est Ensemble + Plaine Commune > 60 % ; Liti (nov. 2025) : Paris Terres "
            "d'Envol > 400 structures ; répartition entre EPT par hypothèse dans ces bornes",
        ),
    },
    "92": {
        "ess_employer_establishments": (3355, _SRC_92_VSV),
        "ess_employees": (50206, _SRC_92_VSV),
        "ept_share_ess_establishments_pct": ({"Paris Ouest La Défense": 100 / 3}, _SRC_92_PANO + " (un tiers)"),
        "ept_ess_share_establishments_pct": ({"Vallée Sud Grand Paris": 7.9, "Boucle Nord de Seine": 5.5},
                                             _SRC_92_PANO),
    },
}

_IDF_ESS_ESTABLISHMENTS = 33184
_IDF_ESS_EMPLOYEES = 388678
_DEFAULTS = {
    "ess_share_establishments_pct": (7.2, "par défaut : part régionale Île-de-France, " + _SRC_IDF_ATLAS),
    "ess_share_employees_pct": (7.1, "par défaut : part régionale Île-de-France, " + _SRC_IDF_ATLAS),
    "family_mix_pct": (
        {"association": 154000 / 164000 * 99.3, "cooperative": 8700 / 164000 * 99.3,
         "mutuelle": 800 / 164000 * 99.3, "fondation": 500 / 164000 * 99.3, "societe_commerciale_ess": 0.7},
        "par défaut : entreprises employeuses de l'ESS en France, " + _SRC_FR_2017
        + " ; 0,7 % d'entreprises commerciales de l'ESS par hypothèse",
    ),
    "ratio_active_to_employer": (26990 / 3297, "par défaut : ratio de la Seine-Saint-Denis, " + _SRC_93_ROADMAP),
    "share_10_49": (710 / 3297, "par défaut : structure de taille de la Seine-Saint-Denis, " + _SRC_93_ROADMAP),
    "share_50_plus": (193 / 3297, "par défaut : structure de taille de la Seine-Saint-Denis, " + _SRC_93_ROADMAP),
}

#: Tolerances (relative) used by the tests and :func:`check_calibration`.
TOLERANCES = {"ess_employer_establishments": 0.0, "ess_share_establishments_pct": 0.01,
              "ess_employees": 0.02, "ess_share_employees_pct": 0.03, "family_mix_pct": 0.5,
              "ess_active_establishments": 0.0}


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in s if ch.isalnum())


# --------------------------------------------------------------------------- territory
def _communes(departement: str, cog: int) -> pd.DataFrame:
    """Communes of a département from esstools.territory: commune_code, commune_name, ept_code, ept_name, population."""
    try:
        from .. import territory
    except ImportError as exc:  # pragma: no cover - depends on the territory module being present
        raise SchemaError(
            "esstools.territory is not available: the synthetic SIRENE generator needs the communes, "
            "EPT and populations of the territorial reference."
        ) from exc
    com = territory.communes(cog=cog, departement=departement).copy()
    if "ept" in com.columns and "ept_name" not in com.columns:
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


def _idf_population(cog: int) -> float | None:
    try:
        total = 0.0
        for dep in ("75", "77", "78", "91", "92", "93", "94", "95"):
            total += float(_communes(dep, cog)["population"].sum())
        return total
    except Exception:  # noqa: BLE001 - default only; reported in the targets table
        return None


# --------------------------------------------------------------------------- targets
@dataclass
class Targets:
    departement: str
    values: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)

    def set(self, key, value, status, source):
        self.values[key] = value
        self.rows.append({"target": key, "value": value, "status": status, "source": source})


def _targets(departement: str, population: float, cog: int) -> Targets:
    t = Targets(departement)
    pub = _PUBLISHED.get(departement, {})

    def take(key, default=None):
        if key in pub:
            t.set(key, pub[key][0], "publié", pub[key][1])
        elif default is not None:
            t.set(key, default[0], "par défaut", default[1])

    if "ess_employer_establishments" in pub:
        take("ess_employer_establishments")
    else:
        idf = _idf_population(cog)
        n = round(population * _IDF_ESS_ESTABLISHMENTS / idf) if idf else round(population * 2.7 / 1000)
        t.set("ess_employer_establishments", int(n), "par défaut",
              "par défaut : population × 33 184 / population de l'Île-de-France, " + _SRC_IDF_ATLAS)
    n_ess = t.values["ess_employer_establishments"]
    take("ess_share_establishments_pct", _DEFAULTS["ess_share_establishments_pct"])
    if "ess_employees" in pub:
        take("ess_employees")
    else:
        t.set("ess_employees", round(n_ess * _IDF_ESS_EMPLOYEES / _IDF_ESS_ESTABLISHMENTS), "par défaut",
              "par défaut : taille moyenne régionale (388 678 salariés / 33 184 établissements), " + _SRC_IDF_ATLAS)
    take("ess_share_employees_pct", _DEFAULTS["ess_share_employees_pct"])
    if "ess_active_establishments" in pub:
        take("ess_active_establishments")
    else:
        r, src = _DEFAULTS["ratio_active_to_employer"]
        t.set("ess_active_establishments", round(n_ess * r), "par défaut", src)
    for key, dkey in (("ess_establishments_10_49", "share_10_49"), ("ess_establishments_50_plus", "share_50_plus")):
        if key in pub:
            take(key)
        else:
            t.set(key, round(n_ess * _DEFAULTS[dkey][0]), "par défaut", _DEFAULTS[dkey][1])
    take("family_mix_pct", _DEFAULTS["family_mix_pct"])
    take("ept_share_ess_establishments_pct")
    take("ept_ess_share_establishments_pct")
    return t


def calibration_targets(departement: str = "93", cog: int = 2026, communes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table of the calibration targets of a département: ``target``, ``value``, ``status``
    ("publié" or "par défaut"), ``source``."""
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
    return np.array(["".join(map(str, row)) for row in m], dtype=object)


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
    rng = np.random.default_rng([int(seed), int(cog), int("".join(c for c in departement if c.isdigit()) or 0)])
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
    # make SIREN unique
    siren = _digits_to_str(siren_digits)
    _, first = np.unique(siren, return_index=True)
    dup = np.setdiff1d(np.arange(n_units), first)
    while len(dup):
        siren_digits[dup] = _luhn_complete(np.column_stack([
            rng.integers(1, 10, len(dup))[:, None], rng.integers(0, 10, (len(dup), 7))]))
        siren = _digits_to_str(siren_digits)
        _, first = np.unique(siren, return_index=True)
        dup = np.setdiff1d(np.arange(n_units), first)
    # NIC: 4 digits (sequence within the unit) + Luhn on the 14-digit SIRET
    order = np.lexsort((np.arange(n), unit_idx))
    seq = np.empty(n, dtype="int64")
    counts = np.bincount(unit_idx, minlength=n_units)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    seq[order] = np.arange(n) - np.repeat(starts, counts)
    nic4 = 1 + seq * 7 + rng.integers(0, 5, n)
    nic4_digits = np.array([[int(c) for c in f"{x:04d}"] for x in nic4])
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
    zip_codes = np.array([f"{departement}{int(x):03d}" for x in rng.integers(0, 100, n)], dtype=object)
    e = pd.DataFrame({col: pd.Series(pd.NA, index=range(n), dtype="string") for col in ETABLISSEMENT_COLUMNS})
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
    names = np.array([f"{_NAME_PREFIX[f]} {departement}-{i:06d}" for i, f in enumerate(unit_family)], dtype=object)
    u = pd.DataFrame({col: pd.Series(pd.NA, index=range(n_units), dtype="string") for col in UNITE_LEGALE_COLUMNS})
    u["siren"] = siren
    u["statutDiffusionUniteLegale"] = "O"
    u["dateCreationUniteLegale"] = created_s[head_of_unit]
    u["identifiantAssociationUniteLegale"] = np.where(
        unit_family == "association", np.array([f"W{departement}{i:07d}" for i in range(n_units)], dtype=object), None)
    u["trancheEffectifsUniteLegale"] = u_band
    u["anneeEffectifsUniteLegale"] = np.where(u_employer, str(year - 2), None)
    u["dateDernierTraitementUniteLegale"] = f"{year}-01-15T00:00:00"
    u["nombrePeriodesUniteLegale"] = "1"
    u["categorieEntreprise"] = np.where(np.isin(u_band, ["32", "41", "42"]), "ETI", "PME")
    u["anneeCategorieEntreprise"] = str(year - 2)
    u["dateDebut"] = created_s[head_of_unit]
    u["etatAdministratifUniteLegale"] = np.where(u_active, "A", "C")
    is_ei = legal == "1000"
    u["nomUniteLegale"] = np.where(is_ei, np.array([f"DEMO{i:06d}" for i in range(n_units)], dtype=object), None)
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
