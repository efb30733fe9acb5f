"""Build ``data/reference/published_figures.csv`` (owner: published-figures module).

Two inputs, no network:

1. ``SEED_ROWS`` below: every figure stated by the five source documents in
   ``shared/seeds/`` (000-004), typed by hand from a reading of each document,
   each with the verbatim French ``quote`` that states it. The build checks
   that every quote is found (whitespace-normalised) in its seed file.
2. ``shared/data/published_figures_extra.csv`` mapped by
   :func:`esstools.published.map_shared_extra`.

Usage::

    .venv/bin/python scripts/build_published_figures.py [--shared ../shared]

The output is sorted deterministically and written atomically.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from esstools import paths
from esstools.published import (
    COLUMNS,
    LEVELS,
    figure_id_base,
    map_shared_extra,
    normalise_text,
    table_path,
    validate_table,
)

# --------------------------------------------------------------------------- documents
DOCS = {
    "000": dict(
        source_document="RTES – Réseau des collectivités Territoriales pour une Économie Sociale et Solidaire : "
                        "fiche « Conseil départemental de Seine-Saint-Denis » (dernière mise à jour 16/09/2025)",
        publication_year="2025",
    ),
    "001": dict(
        source_document="Département de la Seine-Saint-Denis – « Une économie sociale et solidaire forte pour "
                        "construire un territoire résilient », Feuille de route ESS 2024-2028",
    ),
    "002": dict(
        source_document="Est Ensemble Grand Paris – Stratégie pour l'économie sociale et solidaire du territoire "
                        "2019-2024",
    ),
    "003": dict(
        source_document="RTES – Kit DépartementalESS « Développer l'économie de la transition avec les "
                        "départements » (21 fiches, septembre 2021)",
    ),
    "004": dict(
        source_document="Département des Hauts-de-Seine – Programme d'actions départementales PROGR'ESS, "
                        "Panorama départemental de l'Économie Sociale et Solidaire (ESS)",
    ),
}

NAMES = {
    "FR": "France", "11": "Île-de-France", "93": "Seine-Saint-Denis", "92": "Hauts-de-Seine",
    "62": "Pas-de-Calais", "58": "Nièvre", "976": "Mayotte", "63": "Puy-de-Dôme", "22": "Côtes-d'Armor",
    "57": "Moselle", "44": "Loire-Atlantique", "60": "Oise", "54": "Meurthe-et-Moselle",
    "T2": "Vallée Sud Grand Paris", "T4": "Paris Ouest La Défense", "T5": "Boucle Nord de Seine",
    "T8": "Est Ensemble", "T6+T8": "Plaine Commune + Est Ensemble",
    "92036": "Gennevilliers", "92047": "Marnes-la-Coquette", "92062": "Puteaux", "92051": "Neuilly-sur-Seine",
    "92064": "Saint-Cloud", "92073": "Suresnes", "92060": "Le Plessis-Robinson",
    "92012+92050+92026+92004+92040": "Boulogne-Billancourt, Nanterre, Courbevoie, Asnières-sur-Seine, "
                                      "Issy-les-Moulineaux",
    "92050+92012+92073+92051+92062": "Nanterre, Boulogne-Billancourt, Suresnes, Neuilly-sur-Seine, Puteaux",
}


def _level(code: str) -> str:
    if code == "FR":
        return "france"
    if code == "11":
        return "region"
    if code.startswith("T"):
        return "ept"
    if len(code.split("+")[0]) == 5:
        return "commune"
    return "departement"


SEED_ROWS: list[dict] = []


def R(doc, code, indicator, value, unit, quote, *, year="", period_start="", qualifier="exact", definition="",
      section="", producer="", url="", notes="", figure_id="", publication_year=None):
    """Register one seed row (see module docstring)."""
    SEED_ROWS.append(dict(
        figure_id=figure_id, origin=f"seed:{doc}", territory_level=_level(code), territory_code=code,
        territory_name=NAMES[code], indicator=indicator, year=str(year), period_start=str(period_start),
        publication_year=DOCS[doc].get("publication_year", "") if publication_year is None else str(publication_year),
        value=repr(value) if isinstance(value, float) else str(value), unit=unit, qualifier=qualifier,
        definition=definition, notes=notes, source_document=DOCS[doc]["source_document"], source_section=section,
        source_producer=producer, source_url=url, quote=quote,
    ))


# =========================================================================== seed 000
S = "Panorama de l'ESS sur le territoire – En résumé"
R("000", "93", "ess_establishments_employer", 3297, "structures",
  "3 297 structures ESS ayant au moins 1 salarié sur le territoire (6,6% des entreprises locales)",
  section=S, definition="ESS structures with at least one employee; data year not stated on the page "
  "(the roadmap, seed 001, gives the same count as establishments, CRESS - FLORES - INSEE 2021).")
R("000", "93", "ess_share_establishments_pct", 6.6, "%",
  "3 297 structures ESS ayant au moins 1 salarié sur le territoire (6,6% des entreprises locales)",
  section=S, definition="Share of ESS structures with ≥1 employee; denominator worded 'entreprises locales' "
  "(the roadmap says 'établissements du territoire').")
R("000", "93", "ess_jobs", 42000, "emplois",
  "42 000 emplois dans l'économie sociale et solidaire (6,2% des emplois locaux)",
  section=S, definition="ESS jobs located in the département; data year not stated on the page.")
R("000", "93", "ess_share_employment_pct", 6.2, "%",
  "42 000 emplois dans l'économie sociale et solidaire (6,2% des emplois locaux)",
  section=S, definition="ESS jobs as a share of all local jobs ('emplois locaux').")
R("000", "93", "dept_ess_support_eur_per_year", 50000000, "EUR",
  "Plus de 50 millions d'euros investis chaque année par le Département",
  qualifier="lower_bound", section=S,
  definition="Annual departmental spending dedicated to the ESS; the page calls it an estimate 'réalisée a minima' "
  "by the Délégation Jeunesse et Vie Associative, a fuller evaluation being under way.")
S = "Zoom sur nos acteurs"
R("000", "93", "associations", 3000, "associations", "3 000 associations engagées", section=S,
  definition="Associations; the page does not say whether only employers are counted (the roadmap counts "
  "employer establishments, FLORES - INSEE 2021).")
R("000", "93", "cooperatives", 180, "coopératives", "180 coopératives innovantes", section=S,
  definition="Cooperatives; scope not stated on the page.")
R("000", "93", "siae", 123, "structures", "123 structures d'insertion par l'activité économique", section=S,
  definition="Structures d'insertion par l'activité économique (SIAE).")
R("000", "93", "esus", 79, "entreprises", "79 entreprises solidaires d'utilité sociale", section=S,
  definition="Enterprises holding the ESUS approval (entreprise solidaire d'utilité sociale).")
S = "Budget et moyens consacrés à l'ESS"
R("000", "93", "dept_ess_service_staff", 8, "personnes", "Composé de 8 personnes", section=S,
  definition="Staff of the Service des Economies Nouvelles et Solidaires (SENS) of the Département.")
S = "Exemples d'actions soutenues – AGIR in Seine-Saint-Denis"
R("000", "93", "dept_call_projects_supported", 415, "projets",
  "415 projets soutenus en fonctionnement et en investissement en 2025, pour un montant global de 2,7 M€",
  year=2025, section=S, definition="Projects supported by the call for projects 'AGIR in Seine-Saint-Denis' "
  "(operating and investment), 2025.")
R("000", "93", "dept_call_amount_eur", 2700000, "EUR",
  "415 projets soutenus en fonctionnement et en investissement en 2025, pour un montant global de 2,7 M€",
  year=2025, section=S, definition="Total amount of the 'AGIR in Seine-Saint-Denis' grants, 2025.")
R("000", "93", "dept_siae_grants_eur", 3000000, "EUR",
  "appel à demandes de subvention annuel en direction des SIAE à hauteur de 3M€", section=S,
  definition="Annual call for grant applications addressed to SIAE.")
S = "Des partenariats stratégiques – Réseau France Active Métropole"
R("000", "93", "fam_structures_supported_per_year", 100, "structures",
  "Une centaine de structures accompagnées par an (dont 10 SIAE)", qualifier="approx", section=S,
  definition="Structures supported each year by France Active Métropole ('une centaine').")
R("000", "93", "fam_siae_supported_per_year", 10, "SIAE",
  "Une centaine de structures accompagnées par an (dont 10 SIAE)", section=S,
  definition="SIAE among the structures supported each year by France Active Métropole.")
R("000", "93", "fam_solidarity_finance_uses", 26, "recours",
  "26 recours à des dispositifs de finance solidaire", section=S,
  definition="Uses of solidarity-finance instruments (loan guarantees, contrats d'apport associatifs, "
  "repayable advances); period not stated.")
R("000", "93", "fam_incubation_places_per_year", 8, "entrepreneurs",
  "Un programme d’incubation dédié aux porteurs de projets ESS, ouvert à 8 entrepreneurs/an", section=S,
  definition="Places per year in France Active Métropole's ESS incubation programme.")
S = "Des partenariats stratégiques – Fédération des Œuvres Laïques 93 (DLA)"
R("000", "93", "dla_associations_supported_per_year", 67, "associations",
  "67 associations employeuses accompagnées chaque année", section=S,
  definition="Employer associations supported each year by the Dispositif Local d'Accompagnement (FOL 93).")
R("000", "93", "dla_diagnostics", 32, "diagnostics", "32 diagnostics sur-mesure pour des solutions personnalisées",
  section=S, definition="Tailored diagnostics carried out by the DLA (FOL 93); period not stated.")
R("000", "93", "dla_support_actions", 45, "accompagnements", "45 accompagnements individuels et collectifs",
  section=S, definition="Individual and collective support actions of the DLA (FOL 93); period not stated.")
S = "Une commande publique qui a du sens"
R("000", "93", "insertion_hours", 150000, "heures", "Plus de 150 000 heures d’insertion financées en 2024",
  year=2024, qualifier="lower_bound", section=S,
  definition="Insertion hours financed in 2024 (social clauses of the Département's public procurement).",
  figure_id="93_insertion_hours_dept_procurement_2024")
R("000", "93", "reserved_market_eur", 2500000, "EUR",
  "Une politique ambitieuse sur les marchés réservés : plus de 2,5M d’achats en 2024",
  year=2024, qualifier="lower_bound", section=S,
  definition="Purchases through reserved markets in 2024; the page writes '2,5M d'achats' without a currency "
  "sign (euros implied).")
R("000", "93", "clause_facilitator_posts", 35, "postes",
  "financement et animation de 35 postes de facilitateurs et facilitatrices de l’achat public responsable",
  section=S, definition="Posts of responsible-public-procurement (social clause) facilitators on the territory "
  "financed and coordinated by the Département.")
R("000", "93", "insertion_hours", 2500000, "heures", "ayant permis le déploiement de 2,5M d’heures d’insertion "
  "(1 587 ETP et 7 206 bénéficiaires)", section=S,
  definition="Insertion hours deployed thanks to the 35 facilitator posts, all public buyers of the territory; "
  "period not stated (probably cumulative).", figure_id="93_insertion_hours_facilitators_nd")
R("000", "93", "insertion_fte", 1587, "ETP", "ayant permis le déploiement de 2,5M d’heures d’insertion "
  "(1 587 ETP et 7 206 bénéficiaires)", section=S,
  definition="Full-time equivalents corresponding to the 2.5 M insertion hours deployed through the facilitators.")
R("000", "93", "insertion_beneficiaries", 7206, "bénéficiaires", "ayant permis le déploiement de 2,5M d’heures "
  "d’insertion (1 587 ETP et 7 206 bénéficiaires)", section=S,
  definition="Beneficiaries of the 2.5 M insertion hours deployed through the facilitators.")
S = "Le futur Pôle ESS de Bondy"
R("000", "93", "ess_hub_floor_area_m2", 10000, "m²", "Le futur Pôle ESS de Bondy : 10 000 m²", section=S,
  definition="Floor area of the future ESS hub (former IRD site, Bondy), acquired by the Département end 2024.")

# =========================================================================== seed 001
S = "Éditorial"
R("001", "93", "dept_ess_support_eur_per_year", 50000000, "EUR",
  "ce sont plus de 50 millions d'euros qui sont dédiés à l'ESS chaque année dans le budget départemental",
  qualifier="lower_bound", section=S, definition="Annual ESS support in the departmental budget.")
R("001", "93", "ess_establishments", 27000, "établissements",
  "En Seine-Saint-Denis, l'Économie sociale et solidaire (ESS) c'est près de 27 000 établissements et 42 000 "
  "emplois.", qualifier="approx", section=S,
  definition="ESS establishments (all, employer or not); data year not stated in the editorial. Compare with the "
  "26 990 active establishments (SIRENE - INSEE 2024) of the same document.")
R("001", "93", "ess_jobs", 42000, "emplois",
  "En Seine-Saint-Denis, l'Économie sociale et solidaire (ESS) c'est près de 27 000 établissements et 42 000 "
  "emplois.", section=S, figure_id="93_ess_jobs_editorial_nd",
  definition="ESS jobs; data year not stated in the editorial (same figure as the key-figure page, FLORES - "
  "INSEE 2024).", notes="'près de' may also govern 42 000 in this sentence.")
S = "L'économie sociale et solidaire (ESS) : de quoi parle-t-on ?"
U = "https://www.ess-france.org/panorama-de-l-ess-ce-que-l-ess-apporte-a-la-societe"
P = "ESS France, Panorama de l'ESS, mai 2022"
R("001", "FR", "ess_jobs", 2600000, "emplois",
  "Elle représente au niveau national plus de 2,6 millions d'emplois, soit 1 emploi sur 10 dans l'ensemble de "
  "l'économie, et 164 500 entreprises employeuses", qualifier="lower_bound", section=S, producer=P, url=U,
  publication_year=2022, definition="ESS jobs in France.")
R("001", "FR", "ess_share_employment_pct", 10, "%",
  "Elle représente au niveau national plus de 2,6 millions d'emplois, soit 1 emploi sur 10 dans l'ensemble de "
  "l'économie, et 164 500 entreprises employeuses", qualifier="approx", section=S, producer=P, url=U,
  publication_year=2022, definition="Share of all jobs in the economy, stated as '1 emploi sur 10'.")
R("001", "FR", "ess_enterprises_employer", 164500, "entreprises employeuses",
  "Elle représente au niveau national plus de 2,6 millions d'emplois, soit 1 emploi sur 10 dans l'ensemble de "
  "l'économie, et 164 500 entreprises employeuses", section=S, producer=P, url=U, publication_year=2022,
  definition="ESS employer enterprises in France.")
S = "L'ESS sur le territoire de la Seine-Saint-Denis : quelques réalités ?"
P = "SIRENE - INSEE 2024"
R("001", "93", "ess_establishments_active", 26990, "établissements",
  "26 990 établissements actifs dont 710 établissements ayant entre 10 et 49 salarié-e-s, et 193 établissements "
  "de plus de 50 salarié-e-s", year=2024, section=S, producer=P,
  definition="Active ESS establishments, employer or not (SIRENE); year as printed in the source line.")
R("001", "93", "ess_establishments_10_49_employees", 710, "établissements",
  "dont 710 établissements ayant entre 10 et 49 salarié-e-s", year=2024, section=S, producer=P,
  definition="Active ESS establishments with 10 to 49 employees (SIRENE).")
R("001", "93", "ess_establishments_50plus_employees", 193, "établissements",
  "et 193 établissements de plus de 50 salarié-e-s", year=2024, section=S, producer=P,
  definition="Active ESS establishments with more than 50 employees (SIRENE).")
P = "LA CRESS - FLORES - INSEE 2021"
Q = ("3 297 établissements avec au moins un-e salarié-e (soit 6,6 % des établissements du territoire), dont 92 % "
     "d'associations et plus de 5 % de coopératives")
R("001", "93", "ess_establishments_employer", 3297, "établissements", Q, year=2021, section=S, producer=P,
  definition="ESS establishments with at least one employee (Insee FLORES, processed by the CRESS).")
R("001", "93", "ess_share_establishments_pct", 6.6, "%", Q, year=2021, section=S, producer=P,
  definition="ESS employer establishments as a share of the establishments of the territory.")
R("001", "93", "ess_share_employer_establishments_associations_pct", 92, "%", Q, year=2021, section=S, producer=P,
  definition="Share of associations among ESS employer establishments.")
R("001", "93", "ess_share_employer_establishments_cooperatives_pct", 5, "%", Q, year=2021, section=S, producer=P,
  qualifier="lower_bound", definition="Share of cooperatives among ESS employer establishments ('plus de 5 %').")
S = "Une diversité d'établissements employeurs"
P = "FLORES - INSEE 2021"
R("001", "93", "associations", 3000, "établissements employeurs", "3 000 associations", year=2021, section=S,
  producer=P, definition="Employer establishments of associations.")
R("001", "93", "cooperatives", 180, "établissements employeurs", "180 coopératives", year=2021, section=S,
  producer=P, definition="Employer establishments of cooperatives.")
P = "DG Trésor, 2024"
R("001", "93", "siae", 123, "structures", "123 structures d'insertion par l'activité économique (SIAE)", year=2024,
  section=S, producer=P, definition="Structures d'insertion par l'activité économique.",
  notes="The source line 'DG Trésor, 2024' is printed under both the SIAE and the ESUS counts.")
R("001", "93", "esus", 79, "structures", "79 structures agréées Entreprises Solidaires d'Utilité Sociale (ESUS)",
  year=2024, section=S, producer=P, definition="Structures holding the ESUS approval.")
R("001", "93", "stpa", 45, "structures", "45 structures du secteur du travail protégé et adapté (STPA)", year=2024,
  section=S, producer="Marché de l'inclusion, 2024",
  definition="Structures of the sheltered and adapted work sector (ESAT, entreprises adaptées).")
S = "Une économie source d'emploi"
P = "FLORES - INSEE 2024"
Q = "42 000 emplois dans l'ESS soit 6,2 % des emplois en Seine-Saint-Denis"
R("001", "93", "ess_jobs", 42000, "emplois", Q, year=2024, section=S, producer=P,
  definition="ESS jobs (Insee FLORES); year as printed in the source line.")
R("001", "93", "ess_share_employment_pct", 6.2, "%", Q, year=2024, section=S, producer=P,
  definition="ESS jobs as a share of all jobs in Seine-Saint-Denis.")
R("001", "93", "ess_employees_growth_pct", 23, "%",
  "+ 23 % C'est la croissance du nombre de salarié-e-s dans l'ESS en Seine-Saint-Denis entre 2013 et 2022.",
  year=2022, period_start=2013, section=S, producer="SIRENE - INSEE 2024",
  definition="Growth of the number of ESS employees between 2013 and 2022 ('+ 23 %').",
  notes="The source line names SIRENE - INSEE 2024, a register without headcounts; kept as printed.")
S = "Des structures présentes dans tous les secteurs d'activité – Top 3 des secteurs de l'ESS en Seine-Saint-Denis"
R("001", "93", "ess_sector_share_health_social_education_admin_pct", 15, "%",
  "15 % Santé, action sociale, enseignement et administration publique", section=S,
  definition="Share of the ESS in Seine-Saint-Denis in this sector group; the document does not say whether "
  "establishments or jobs are counted, nor the year or source.")
R("001", "93", "ess_sector_share_business_services_pct", 17, "%",
  "17 % Services administratifs et de soutien, activités spécialisées, scientifiques et techniques", section=S,
  definition="Share of the ESS in this sector group (basis, year and source not stated).")
R("001", "93", "ess_sector_share_arts_information_pct", 23.5, "%",
  "23,5 % Arts, spectacles, activités récréatives et informations-communication", section=S,
  definition="Share of the ESS in this sector group (basis, year and source not stated).")
R("001", "93", "ess_structures_sustainable_food", 100, "structures",
  "+ de 100 structures dans le champ de l'alimentation durable", qualifier="lower_bound", section=S,
  definition="ESS structures in sustainable food.")
R("001", "93", "ess_structures_circular_economy", 50, "structures",
  "≈ 50 structures dans le champ de l'économie circulaire", qualifier="approx", section=S,
  definition="ESS structures in the circular economy.")
R("001", "93", "ess_structures_transport", 15, "structures", "+ de 15 structures dans le champ des transports",
  qualifier="lower_bound", section=S, definition="ESS structures in transport.")
S = "Répartition des établissements employeurs par Établissement Public Territorial"
Q = ("Est Ensemble et Plaine Commune concentrent plus de 60% des établissements employeurs et des emplois de "
     "l'ESS en Seine-Saint-Denis.")
R("001", "T6+T8", "share_of_departement_ess_establishments_employer_pct", 60, "%", Q, year=2020,
  qualifier="lower_bound", section=S, producer="FLORES - INSEE 2020",
  definition="Share of the ESS employer establishments of Seine-Saint-Denis located in Est Ensemble and Plaine "
  "Commune together.")
R("001", "T6+T8", "share_of_departement_ess_jobs_pct", 60, "%", Q, year=2020, qualifier="lower_bound",
  section=S, producer="FLORES - INSEE 2020",
  definition="Share of the ESS jobs of Seine-Saint-Denis located in Est Ensemble and Plaine Commune together.")
S = "Place de l'Économie Sociale et Solidaire en Seine-Saint-Denis par rapport au tissu régional"
P = "ACOSS URSSAF 2022-2023 et INSEE FLORES 2021 (carte)"
R("001", "93", "ess_rank_idf_establishments", 3, "rang",
  "3e département d'Île-de-France en nombre d'établissements", section=S, producer=P,
  definition="Rank of Seine-Saint-Denis among the 8 Île-de-France départements by number of ESS establishments.")
R("001", "93", "ess_rank_idf_jobs_growth", 1, "rang", "1er département en matière de progression du nombre d'emplois",
  section=S, producer=P, definition="Rank of Seine-Saint-Denis among Île-de-France départements by growth of "
  "ESS jobs.")
Q = ("+ 4,2% du nombre d'emplois dans l'ESS contre une augmentation moyenne de 0,8% dans l'ensemble des "
     "départements d'Île-de-France")
R("001", "93", "ess_jobs_growth_1y_pct", 4.2, "%", Q, year=2023, period_start=2022, section=S, producer=P,
  definition="Change in the number of ESS jobs; period read from the source line 'ACOSS URSSAF 2022-2023'.")
R("001", "11", "ess_jobs_growth_1y_avg_departements_pct", 0.8, "%", Q, year=2023, period_start=2022, section=S,
  producer=P, definition="Average change of ESS jobs across the Île-de-France départements (not the regional "
  "total), same period.")
S = "L'ESS, un enjeu transversal pour le Département – La DJVA"
R("001", "93", "ess_share_organisations_associations_pct", 85, "%",
  "le champ de la vie associative soit 85 % des organisations de l'ESS", section=S,
  definition="Associations as a share of ESS organisations (basis and year not stated).")
S = "Zoom sur la démarche de co-construction de la feuille de route"
R("001", "93", "roadmap_survey_respondents", 120, "répondants",
  "Réalisation d'une enquête en ligne auprès des candidat-e-s à l'appel à projets Agir In Seine-Saint-Denis et "
  "au Plan de rebond solidaire et écologique : plus de 120 répondant-e-s.", qualifier="lower_bound", section=S,
  definition="Respondents to the online survey used to build the 2024-2028 roadmap.")
S = "Enjeu n°1 : accompagner l'émergence, le développement et la pérennisation des structures de l'ESS"
R("001", "93", "dept_ess_funding_eur", 54000000, "EUR",
  "En 2023, le Département a accordé plus de 54 millions d'euros aux structures de l'ESS.", year=2023,
  qualifier="lower_bound", section=S, definition="Funding granted by the Département to ESS structures in 2023.")
R("001", "93", "dept_scic_shareholdings", 6, "SCIC", "Le Département est ainsi présent au capital de 6 SCIC à ce jour",
  section=S + " – Encart : le département et les SCIC",
  definition="SCIC (sociétés coopératives d'intérêt collectif) in which the Département holds shares.")
R("001", "93", "ess_hub_floor_area_m2", 10000, "m²", "à horizon 2 ans, 10 000 m2 dédiés avec espaces de travail",
  section="Enjeu n°1 – Installer", definition="Floor area dedicated to the social and environmental innovation "
  "hub (former IRD site, Bondy).")
S = "Zoom : la Fabrique de l'innovation sociale et environnementale"
R("001", "93", "ess_hub_site_area_ha", 5, "hectares", "ce site de près de 5 hectares - dont 10 000 m2 de surfaces "
  "utiles", qualifier="approx", section=S, definition="Site area of the future hub (former IRD site, Bondy).")
S = "Enjeu n°2 – Zoom sur le PAT"
Q = ("Le Département et l'ONG Action contre la faim ont lancé Vital'im, un chèque alimentaire expérimental visant "
     "à proposer à 1 350 personnes pendant 6 mois de bénéficier de 50 euros par mois")
R("001", "93", "dept_food_voucher_beneficiaries", 1350, "personnes", Q, section=S,
  definition="People targeted by the experimental Vital'im food voucher (Département and Action contre la faim), "
  "for 6 months.")
R("001", "93", "dept_food_voucher_eur_per_month", 50, "EUR par mois", Q, section=S,
  definition="Monthly amount of the Vital'im food voucher per person.")
S = "Enjeu n°2 – Encart : Plan de relance écologique et solidaire 2020-2021"
R("001", "93", "dept_recovery_plan_eur", 55000000, "EUR",
  "A travers le plan de relance écologique et solidaire de 55M€ lancé en réponse à la crise sanitaire",
  year=2021, period_start=2020, section=S,
  definition="Amount of the Département's 2020-2021 ecological and solidarity recovery plan.")

# =========================================================================== seed 002
S = "L'ESS en Île-de-France c'est*"
N = "The asterisk of the heading refers to a source note that the document does not reproduce; year not stated."
R("002", "11", "ess_establishments_employer", 33200, "établissements employeurs", "33200 établissements employeurs",
  section=S, notes=N, definition="ESS employer establishments in Île-de-France.")
R("002", "11", "ess_wage_bill_eur", 11900000000, "EUR",
  "11,9 milliards de masse salariale (5,4% de la masse salariale globale de la Région IDF)", section=S, notes=N,
  definition="ESS gross wage bill ('11,9 milliards', euros implied).")
R("002", "11", "ess_share_wage_bill_pct", 5.4, "%",
  "11,9 milliards de masse salariale (5,4% de la masse salariale globale de la Région IDF)", section=S, notes=N,
  definition="ESS share of the region's total wage bill.")
R("002", "11", "ess_employees", 388700, "salariés", "388 700 salariés (7,1% des salariés de la Région IDF)",
  section=S, notes=N, definition="ESS salaried employees in Île-de-France.")
R("002", "11", "ess_share_employment_pct", 7.1, "%", "388 700 salariés (7,1% des salariés de la Région IDF)",
  section=S, notes=N, definition="ESS share of the region's salaried employees.")
R("002", "11", "ess_fte", 332700, "ETP", "332 700 ETP (6,7% des ETP de la région IDF)", section=S, notes=N,
  definition="ESS full-time equivalents in Île-de-France.")
R("002", "11", "ess_share_fte_pct", 6.7, "%", "332 700 ETP (6,7% des ETP de la région IDF)", section=S, notes=N,
  definition="ESS share of the region's full-time equivalents.")
S = "L'ESS en Île-de-France – En Seine Saint Denis"
Q = "Ce sont 33200 salariés et 3000 établissements employeurs"
R("002", "93", "ess_employees", 33200, "salariés", Q, section=S, notes=N,
  definition="ESS salaried employees in Seine-Saint-Denis (same number as the regional establishment count "
  "on the same page; kept as printed).")
R("002", "93", "ess_establishments_employer", 3000, "établissements employeurs", Q, section=S, notes=N,
  definition="ESS employer establishments in Seine-Saint-Denis.")
S = "L'ESS sur Est Ensemble"
R("002", "T8", "cooperatives", 78, "coopératives", "78 coopératives", section=S,
  definition="Cooperatives on the Est Ensemble territory (year and source not stated).")
R("002", "T8", "mutuelles", 25, "mutuelles", "25 mutuelles", section=S,
  definition="Mutual societies on the Est Ensemble territory (year and source not stated).")
R("002", "T8", "fondations", 10, "fondations", "10 fondations", section=S,
  definition="Foundations on the Est Ensemble territory (year and source not stated).")
R("002", "T8", "associations", 1160, "associations", "+ de 1 160 associations", section=S, qualifier="lower_bound",
  definition="Associations on the Est Ensemble territory (year and source not stated).")

# =========================================================================== seed 003
S = "Fiche n°1 Économie sociale et solidaire : de quoi parle-t-on ? – L'ESS en quelques chiffres (2019)"
R("003", "FR", "ess_employees", 2400000, "salariés", "2,4 millions de salariés, soit 14% de l'emploi salarié privé",
  year=2019, section=S, definition="ESS salaried employees in France.")
R("003", "FR", "ess_share_private_employment_pct", 14, "%",
  "2,4 millions de salariés, soit 14% de l'emploi salarié privé", year=2019, section=S,
  definition="ESS share of private salaried employment.")
R("003", "FR", "ess_establishments_employer", 221325, "établissements employeurs",
  "221 325 établissements employeurs", year=2019, section=S, definition="ESS employer establishments in France.")
R("003", "FR", "ess_volunteers", 13000000, "bénévoles", "Plus de 13 millions de bénévoles", year=2019,
  qualifier="lower_bound", section=S, definition="Volunteers (bénévoles) in ESS organisations.")
R("003", "FR", "ess_share_women_pct", 68, "%", "68% de femmes", year=2019, section=S,
  definition="Share of women (among ESS employees).")
R("003", "FR", "ess_jobs_created", 84843, "emplois", "Entre 2010 et 2019, 84 843 emplois créés", year=2019,
  period_start=2010, section=S, definition="Net ESS jobs created between 2010 and 2019.")
R("003", "FR", "ess_jobs_lost", 52500, "emplois", "52 500 emplois perdus entre juin 2019 et juin 2020", year=2020,
  period_start=2019, section=S, definition="ESS jobs lost between June 2019 and June 2020 (end of subsidised "
  "contracts and Covid-19 crisis).")
Q = ("Le secteur associatif représente près de 83% des établissements employeurs, 77% des emplois et 69% de la "
     "masse salariale")
NQ = "'près de' may govern the three shares of the sentence."
R("003", "FR", "ess_share_employer_establishments_associations_pct", 83, "%", Q, year=2019, qualifier="approx",
  section=S, definition="Associations' share of ESS employer establishments.")
R("003", "FR", "ess_share_jobs_associations_pct", 77, "%", Q, year=2019, section=S, notes=NQ,
  definition="Associations' share of ESS jobs.")
R("003", "FR", "ess_share_wage_bill_associations_pct", 69, "%", Q, year=2019, section=S, notes=NQ,
  definition="Associations' share of the ESS wage bill.")
R("003", "FR", "cooperatives_largest_share_hq_regions_pct", 81, "%",
  "81% des plus grandes coopératives ont leur siège social en régions", year=2019, section=S,
  definition="Share of the largest cooperatives headquartered outside the Paris region ('en régions').")
S = "Fiche n°2 Pourquoi mettre en place une politique transversale de soutien à l'ESS ?"
P = "Observatoire national de l'ESS - CNCRESS, d'après Insee CLAP 2008-2012-2015"
R("003", "FR", "ess_employment_change_rural_pct", 4.9, "%",
  "+ 4,9% d'emplois de l'ESS en milieu rural entre 2008 et 2015", year=2015, period_start=2008, section=S,
  producer=P, definition="Change in ESS jobs in rural areas, 2008-2015.")
R("003", "FR", "non_ess_employment_change_rural_pct", -4.1, "%",
  "- 4,1% d'emplois de l'économie hors ESS en milieu rural entre 2008 et 2015", year=2015, period_start=2008,
  section=S, producer=P, definition="Change in non-ESS jobs (private and public) in rural areas, 2008-2015.")
S = "Fiche n°5 ESS & ruralité(s)"
P = "Observatoire national de l'ESS - CNCRESS pour L'ESS dans les territoires ruraux - Avise/RTES - juin 2019"
R("003", "FR", "ess_share_private_employment_rural_pct", 17.7, "%", "17,7 % DES EMPLOIS PRIVÉS RURAUX", section=S,
  producer=P, publication_year=2019, definition="ESS share of private jobs in rural areas.",
  notes="Producer taken from the source line of the fiche's chart; the figure itself is not dated.")
Q = ("Dans les territoires ruraux, la part des effectifs de l'ESS est considérable au sein des domaines de "
     "l'action sociale (56,2%), des activités de sport et de loisirs (50,4%) et des activités financières et "
     "d'assurance (48,1%)")
for ind, val, lab in [("ess_share_employment_rural_social_action_pct", 56.2, "social action"),
                      ("ess_share_employment_rural_sport_leisure_pct", 50.4, "sport and leisure"),
                      ("ess_share_employment_rural_finance_insurance_pct", 48.1, "finance and insurance")]:
    R("003", "FR", ind, val, "%", Q, section=S, producer=P, publication_year=2019,
      definition=f"ESS share of salaried headcount in {lab} activities, rural areas.")
R("003", "FR", "ess_share_employment_rural_retail_pct", 5.6, "%",
  "la part de l'ESS dans le secteur du commerce (5,6% des emplois du secteur) est 3 fois plus importante qu'à "
  "l'échelle de la France", section=S, producer=P, publication_year=2019,
  definition="ESS share of retail jobs in rural areas (three times the national share).")
Q = ("le nombre d'emplois dans l'ESS a augmenté de 2008 à 2015 (+ 4,9%) contrairement au reste de l'économie "
     "(baisse de 2,6% d'emplois dans le secteur privé hors ESS et baisse de 8,4% dans l'emploi public)")
R("003", "FR", "private_non_ess_employment_change_rural_pct", -2.6, "%", Q, year=2015, period_start=2008,
  section=S, definition="Change in private non-ESS jobs, 2008-2015, in the rural-areas fiche (stated as 'baisse "
  "de 2,6%').", notes="Same sentence restates the +4.9 % ESS change of fiche n°2.")
R("003", "FR", "public_employment_change_rural_pct", -8.4, "%", Q, year=2015, period_start=2008, section=S,
  definition="Change in public employment, 2008-2015, in the rural-areas fiche (stated as 'baisse de 8,4%').")
S = "Fiche n°6 Les Sociétés coopératives d'intérêt collectif – Chiffres clés (2020)"
P = "CGSCOP, 2020"
Q = "1060 SCIC recensées en France, ce qui représente environ 9 700 emplois"
R("003", "FR", "scic", 1060, "SCIC", Q, year=2020, section=S, producer=P,
  definition="Sociétés coopératives d'intérêt collectif recorded in France.")
R("003", "FR", "scic_jobs", 9700, "emplois", Q, year=2020, qualifier="approx", section=S, producer=P,
  definition="Jobs in SCIC.")
R("003", "FR", "scic_share_with_local_authority_pct", 40, "%",
  "40% des SCIC ont au moins une collectivité à leur capital", year=2020, section=S, producer=P,
  definition="Share of SCIC with at least one local authority among their shareholders.")
S = "Fiche n°8 Habitat & ESS"
R("003", "FR", "hlm_cooperatives", 162, "coopératives",
  "Il trouvera auprès des 162 coopératives HLM réparties dans toute la France", section=S,
  definition="HLM (social housing) cooperatives in France.")
R("003", "FR", "hlm_cooperatives_dwellings_built", 400000, "logements",
  "elles ont construit plus de 400 000 logements en un siècle", qualifier="lower_bound", section=S,
  definition="Dwellings built by HLM cooperatives over a century (cumulative).")
R("003", "63", "dept_program_budget_eur", 250000, "EUR", "Dotée d'une enveloppe de 250 000 €", section=S,
  definition="Envelope of the Puy-de-Dôme aid to participatory housing (habitat participatif).",
  figure_id="63_dept_program_budget_eur_habitat_participatif")
R("003", "63", "dept_grant_per_unit_eur", 10000, "EUR", "subventions de 10 000 € par habitation", section=S,
  definition="Puy-de-Dôme grant per dwelling of a participatory-housing project.")
R("003", "63", "dept_grant_bonus_eur", 5000, "EUR", "assorties d'un bonus de 5 000 €", section=S,
  definition="Bonus per dwelling for bio-based materials, thermal renovation or town-centre location.")
R("003", "22", "dept_projects_supported", 5, "groupes", "dès 2014, le département des Côtes d'Armor a lancé un "
  "appel à projets en faveur de l'habitat participatif permettant à 5 groupes de citoyens", year=2014, section=S,
  definition="Citizen groups supported by the Côtes-d'Armor call for participatory-housing projects.")
R("003", "93", "housing_project_families", 7, "familles", "un projet de logements dédiés à 7 familles de gens du "
  "voyage à Saint-Denis", section="Fiche n°6 Les SCIC – Un projet de logements dédiés aux gens du voyage porté "
  "par la SCIC Habitats Solidaires", definition="Traveller families housed by the SCIC Habitats Solidaires project "
  "commissioned by the Seine-Saint-Denis Département (on a departmental plot in Saint-Denis).")
S = "Fiche n°11 Insertion & création d'activités"
R("003", "FR", "tzcld_territories_first_phase", 10, "territoires",
  "Plusieurs départements ont accompagné les 10 territoires retenus dans la première phase d'expérimentation "
  "depuis 2016", period_start=2016, section=S,
  definition="Territories of the first phase of the 'Territoires zéro chômeur de longue durée' experiment.")
R("003", "FR", "tzcld_additional_territories", 50, "territoires",
  "Par la loi de décembre 2020, l'expérimentation nationale est prolongée et étendue pour permettre à 50 "
  "territoires supplémentaires de créer des EBE.", year=2020, section=S,
  definition="Additional territories allowed by the December 2020 law to create an 'entreprise à but d'emploi'.")
S = "Fiche n°11 – Le soutien du département de la Nièvre à l'EBE 58 de Prémery"
R("003", "58", "dept_grant_per_fte_eur", 1690, "EUR", "le département apporte un financement forfaitaire des "
  "salaires à hauteur de 1690 euros par ETP créé", section=S,
  definition="Flat-rate wage funding by the Nièvre Département per FTE created by the EBE 58 (Prémery), since 2017.")
Q = "L'EBE 58, qui compte actuellement 92 salariés pour 66 ETP"
R("003", "58", "ebe_employees", 92, "salariés", Q, section=S, publication_year=2021,
  definition="Employees of the EBE 58 of Prémery (TZCLD), at the time of the kit.")
R("003", "58", "ebe_fte", 66, "ETP", Q, section=S, publication_year=2021,
  definition="Full-time equivalents of the EBE 58 of Prémery.")
S = "Fiche n°12 Commande publique responsable – Le marché de réinsertion au sein des collèges du Pas-de-Calais"
Q = ("Entre septembre 2018 et décembre 2020 : 122 collèges étaient concernés par ce marché avec 26 associations "
     "intermédiaires (AI) adjudicataires et 913 salariés en insertion dont 687 allocataires du RSA concernés.")
for ind, val, unit, d in [
        ("dept_reinsertion_market_schools", 122, "collèges", "Secondary schools covered by the Pas-de-Calais "
         "social and professional reinsertion contract (cleaning, catering)."),
        ("dept_reinsertion_market_ai", 26, "associations intermédiaires", "Associations intermédiaires (AI) "
         "awarded the contract."),
        ("dept_reinsertion_market_insertion_employees", 913, "salariés en insertion", "Insertion employees "
         "placed through the contract."),
        ("dept_reinsertion_market_rsa_recipients", 687, "allocataires du RSA", "RSA recipients among the "
         "insertion employees.")]:
    R("003", "62", ind, val, unit, Q, year=2020, period_start=2018, section=S, definition=d + " Sept. 2018 - "
      "Dec. 2020.")
S = "Fiche n°12 – Le dispositif Achat Socialement Responsable de Mayotte"
R("003", "976", "public_contracts_with_social_clause", 35, "marchés",
  "Le département de Mayotte, qui compte 35 marchés clausés", section=S, publication_year=2021,
  definition="Public contracts of the Mayotte Département with a social clause.")
S = "Fiche n°14 Vieillissement, handicap & ESS"
R("003", "FR", "ess_share_home_help_services_pct", 68, "%",
  "68% des services d'aide à domicile aux personnes dépendantes relèvent de l'ESS (source: CNCRESS 2014).",
  section=S, producer="CNCRESS 2014", publication_year=2014,
  definition="ESS share of home-help services for dependent persons.")
S = "Fiche n°14 – Oise : une conférence des financeurs « prévention de la perte d'autonomie »"
R("003", "60", "dept_projects_supported", 37, "porteurs de projets", "37 porteurs de projets (associations, centres "
  "sociaux, entreprises solidaires, ...) financés par cette nouvelle instance solidaire", section=S,
  publication_year=2021, definition="Project holders (associations, social centres, solidarity enterprises...) "
  "funded by the Oise conférence des financeurs.")
S = "Fiche n°15 Jeunesse, culture & sports – L'implication de la Seine-Saint-Denis dans la plateforme ESS 2024"
Q = ("Cette charte prévoit notamment de réserver 10% des heures travaillées à des personnes en insertion "
     "professionnelle et de rendre accessible 25 % du montant des marchés aux TPE, PME et structures de l'ESS.")
R("003", "11", "solideo_insertion_hours_target_pct", 10, "%", Q, section=S,
  definition="Target of the Solideo employment charter (Olympic works): share of hours worked reserved for people "
  "in insertion. A target, not an outcome.")
R("003", "11", "solideo_contracts_tpe_pme_ess_target_pct", 25, "%", Q, section=S,
  definition="Target of the Solideo charter: share of contract value made accessible to TPE, PME and ESS "
  "structures. A target, not an outcome.")
S = "Fiche n°15 – Covid-19 : le plan Moselle Espoir"
R("003", "57", "dept_program_budget_eur", 7200000, "EUR", "le département de Moselle a adopté en mai 2021 un plan "
  "Moselle Espoir doté de 7,2 millions d'euros", year=2021, section=S,
  definition="Budget of the Moselle Espoir plan for young people and cultural and sports associations.")
R("003", "57", "dept_fixed_term_contracts_funded", 100, "CDD", "financement de 100 CDD d'animateurs", year=2021,
  section=S, definition="Fixed-term contracts of activity leaders funded for associations by the Moselle Espoir plan.")
S = "Fiche n°16 Protection de l'enfance, santé & ESS"
R("003", "54", "experiment_positive_exit_rate_pct", 23, "%", "Reliance a abouti à 23 % de sorties positives vers "
  "un contrat à durée indéterminée (CDI), un contrat à durée déterminée (CDD) ou une formation de plus de six mois",
  section=S + " – Reliance (Meurthe-et-Moselle)", definition="Positive exits (CDI, CDD or training > 6 months) of "
  "the Reliance experiment for single-parent RSA recipients (Grand Nancy, 2018-).")
Q = ("En milieu rural, l'ESS occupe une place deux fois plus importante dans les emplois sanitaires que sur le "
     "reste du territoire (25% contre 12%")
P = "Mode d'emploi ESS & ruralités, Avise/RTES, 2020"
R("003", "FR", "ess_share_health_employment_rural_pct", 25, "%", Q, section=S, producer=P, publication_year=2020,
  definition="ESS share of health jobs in rural areas.")
R("003", "FR", "ess_share_health_employment_non_rural_pct", 12, "%", Q, section=S, producer=P,
  publication_year=2020, definition="ESS share of health jobs in the rest of the territory.")
S = "Fiche n°17 Transversalité – Pas de Calais : une mission ESS transversale"
R("003", "62", "dept_ess_service_staff", 4, "personnes", "Composée de 4 personnes, cette mission", section=S,
  publication_year=2021, definition="Staff of the Pas-de-Calais ESS mission (Pôle partenariat et ingénierie).")
S = "Fiche n°17 – Seine-Saint-Denis : un appel à manifestation d'intérêt « Tiers-lieux autonomie dans mon quartier »"
R("003", "93", "dept_program_budget_eur", 1000000, "EUR", "L'enveloppe dédiée au soutien des projets par le "
  "Département s'élève à un million d'euros par an.", section=S, publication_year=2021,
  definition="Annual envelope of the AMI 'Tiers-lieux autonomie dans mon quartier' (since 2020).",
  figure_id="93_dept_program_budget_eur_tiers_lieux_autonomie")
S = "Fiche n°18 Économie circulaire – Le démonstrateur du réemploi de Construire Solidaire"
R("003", "93", "dept_grant_eur", 100000, "EUR", "Le conseil départemental de Seine-Saint-Denis a apporté en 2020 un "
  "soutien financier exceptionnel à hauteur de 100 000 euros au PTCE Construire solidaire", year=2020, section=S,
  definition="Exceptional grant to the PTCE Construire Solidaire (fonds pour l'adaptation et la transformation "
  "solidaire of the Plan de rebond).")
S = "Fiche n°18 – Cit'ER 44"
R("003", "44", "dept_grant_eur_per_year", 2000, "EUR", "une aide directe de 2000 euros par an pendant 3 ans aux "
  "porteurs de projets", section=S, publication_year=2021,
  definition="Loire-Atlantique direct aid per citizen renewable-energy project and year, for 3 years.")
S = "Fiche n°19 – L'appel à projets Initiatives jeunes solidaires du département des Hauts-de-Seine"
Q = ("Depuis 10 ans, plus de 1 600 jeunes et près de 400 projets ont été soutenus. Le département a investi plus "
     "d'1 millions d'euros pour soutenir ces projets")
R("003", "92", "dept_young_people_supported", 1600, "jeunes", Q, qualifier="lower_bound", section=S,
  publication_year=2021, definition="Young people supported over 10 years by the call 'Initiatives jeunes "
  "solidaires' (international solidarity).")
R("003", "92", "dept_projects_supported", 400, "projets", Q, qualifier="approx", section=S, publication_year=2021,
  definition="Projects supported over 10 years by the call 'Initiatives jeunes solidaires'.")
R("003", "92", "dept_program_budget_eur", 1000000, "EUR", Q, qualifier="lower_bound", section=S,
  publication_year=2021, definition="Amount invested by the Département over 10 years in the call 'Initiatives "
  "jeunes solidaires'.", figure_id="92_dept_program_budget_eur_initiatives_jeunes_solidaires")
S = "Fiche n°21 Ressources mobilisables par les conseils départementaux"
R("003", "FR", "mouvement_associatif_federations", 700, "fédérations ou unions",
  "Le Mouvement Associatif, qui représente les associations et regroupe plus de 700 fédérations ou unions "
  "associatives.", qualifier="lower_bound", section=S, publication_year=2021,
  definition="Federations or unions of associations in Le Mouvement Associatif.")
Q = "Le DLA est présent sur tout le territoire, avec 103 DLA départementaux, 17 régionaux, et 6 centres ressources."
R("003", "FR", "dla_departmental", 103, "DLA", Q, section=S, publication_year=2021,
  definition="Departmental Dispositifs locaux d'accompagnement.")
R("003", "FR", "dla_regional", 17, "DLA", Q, section=S, publication_year=2021,
  definition="Regional Dispositifs locaux d'accompagnement.")
R("003", "FR", "dla_resource_centres", 6, "centres ressources", Q, section=S, publication_year=2021,
  definition="National resource centres of the DLA.")
R("003", "FR", "france_active_territorial_funds", 40, "fonds territoriaux",
  "Organisée autour de 40 fonds territoriaux", section=S, publication_year=2021,
  definition="Territorial funds of the France Active network.")
R("003", "FR", "rtes_member_authorities", 170, "collectivités", "En 2021, le réseau rassemble plus de 170 "
  "collectivités", year=2021, qualifier="lower_bound", section="Présentation du RTES",
  definition="Local authorities members of the RTES network.")

# =========================================================================== seed 004
S = "Panorama – Et au niveau des 4 établissements publics des Hauts-de-Seine"
P = "CRESS IDF : ACOSS URSSAF 2010 - 2023 ; Insee FLORES 2020 et 2021"
N = "Data year not stated (the panorama mobilises ACOSS URSSAF 2010-2023 and Insee FLORES 2020-2021)."
Q = ("L'EPT de Vallée Sud Grand Paris a une part plus importante d'établissements et d'emplois ESS (7,9% des "
     "établissements et 11,6% des emplois de l'économie privée).")
R("004", "T2", "ess_share_establishments_pct", 7.9, "%", Q, section=S, producer=P, notes=N,
  definition="ESS share of private-economy establishments.")
R("004", "T2", "ess_share_private_employment_pct", 11.6, "%", Q, section=S, producer=P, notes=N,
  definition="ESS share of private-economy jobs.")
Q = ("Dans la Boucle Nord de Seine, si les établissements de l'ESS représentent 5,5% des établissements privés, ce "
     "chiffre s'élève à 7,1% par rapport à l'emploi.")
R("004", "T5", "ess_share_establishments_pct", 5.5, "%", Q, section=S, producer=P, notes=N,
  definition="ESS share of private establishments.")
R("004", "T5", "ess_share_private_employment_pct", 7.1, "%", Q, section=S, producer=P, notes=N,
  definition="ESS share of (private) employment.")
R("004", "T4", "share_of_departement_ess_establishments", 1, "tiers",
  "Un tiers des établissements de l'ESS du département est situé à Paris Ouest La Défense.", section=S,
  producer=P, notes=N, definition="Share of the ESS establishments of Hauts-de-Seine located in Paris Ouest La "
  "Défense, stated as 'un tiers' (one third) and kept in that unit.")
R("004", "92012+92050+92026+92004+92040", "share_of_departement_ess_establishments", 1, "tiers",
  "Près d'un tiers des établissements de l'ESS des Hauts-de-Seine sont situés dans les communes de "
  "Boulogne-Billancourt, Nanterre, Courbevoie, Asnières-sur-Seine et Issy-les-Moulineaux.", qualifier="approx",
  section=S, producer=P, notes=N, definition="Share of the ESS establishments of Hauts-de-Seine located in these "
  "five communes together, stated as 'près d'un tiers'.")
R("004", "92050+92012+92073+92051+92062", "share_of_departement_ess_jobs_pct", 31, "%",
  "Ensemble ces cinq communes regroupent 31% des emplois de l'ESS sur le territoire.", section=S, producer=P,
  notes=N, definition="Share of the ESS jobs of Hauts-de-Seine in Nanterre, Boulogne-Billancourt, Suresnes, "
  "Neuilly-sur-Seine and Puteaux together.")
for code, val, q in [("92036", 52, "Gennevilliers (52 emplois pour 1000 habitants)"),
                     ("92047", 76, "Marnes-la-Coquette (76)"), ("92062", 75, "Puteaux (75)"),
                     ("92051", 56, "Neuilly-sur-Seine (56)"), ("92064", 70, "Saint-Cloud (70)"),
                     ("92073", 68, "Suresnes (68)"), ("92060", 50, "Le Plessis-Robinson (50)")]:
    R("004", code, "ess_jobs_per_1000_inhabitants", val, "emplois pour 1 000 habitants", q, section=S, producer=P,
      notes=N, definition="ESS jobs per 1,000 inhabitants of the commune.")
S = "Appel à projets Progr'ESS – Un regard sur les éditions précédentes"
for yr, win, cand, q in [(2022, 13, 29, "13 projets lauréats sélectionnés parmi 29 candidatures"),
                         (2023, 14, 41, "14 projets lauréats parmi 41 candidatures reçues"),
                         (2024, 16, 51, "16 projets lauréats parmi 51 candidatures reçues")]:
    R("004", "92", "dept_call_projects_supported", win, "projets", q, year=yr, section=S,
      definition="Winning projects of the PROGR'ESS call for projects (local associations).")
    R("004", "92", "dept_call_applications", cand, "candidatures", q, year=yr, section=S,
      definition="Applications received by the PROGR'ESS call for projects.")
R("004", "92", "dept_grant_max_eur", 15000, "EUR", "soutien financier pouvant atteindre 15 000 €",
  section="Appel à projets Progr'ESS – Avantages pour les lauréats",
  definition="Maximum PROGR'ESS grant per winning association (plus support by POSITIV'INCUBA SCHOOL).")


# --------------------------------------------------------------------------- build
LEVEL_RANK = {lv: i for i, lv in enumerate(LEVELS)}


def seed_frame(seed_dir: Path | None) -> pd.DataFrame:
    """SEED_ROWS as a table with ids; checks every quote in its seed file when ``seed_dir`` exists."""
    df = pd.DataFrame(SEED_ROWS)
    ids = []
    for r in df.itertuples():
        ids.append(r.figure_id or figure_id_base(r.territory_level, r.territory_code, r.indicator, r.year,
                                                 r.publication_year))
    df["figure_id"] = ids
    dup = df["figure_id"].duplicated(keep=False)
    # Same territory/indicator/year in several seeds: suffix with the seed number (stable).
    df.loc[dup, "figure_id"] = df.loc[dup, "figure_id"] + "_s" + df.loc[dup, "origin"].str[-3:]
    if df["figure_id"].duplicated().any():
        raise SystemExit("Duplicate seed ids: " + ", ".join(df.loc[df["figure_id"].duplicated(), "figure_id"]))
    if seed_dir is not None and seed_dir.is_dir():
        texts = {}
        for f in sorted(seed_dir.glob("*.txt")):
            texts[f.name[:3]] = normalise_text(f.read_text(encoding="utf-8"))
        missing = []
        for r in df.itertuples():
            if normalise_text(r.quote) not in texts[r.origin[-3:]]:
                missing.append(f"{r.figure_id}: {r.quote!r}")
        if missing:
            raise SystemExit("Quotes not found verbatim in their seed:\n" + "\n".join(missing))
    return df


def build(shared_dir: Path) -> pd.DataFrame:
    seeds = seed_frame(shared_dir / "seeds")
    extra = map_shared_extra(shared_dir / "data" / "published_figures_extra.csv")
    clash = extra["figure_id"].isin(seeds["figure_id"])
    extra.loc[clash, "figure_id"] = extra.loc[clash, "figure_id"] + "_x"
    out = pd.concat([seeds, extra], ignore_index=True)[list(COLUMNS)].fillna("")
    out["_lv"] = out["territory_level"].map(LEVEL_RANK)
    out = out.sort_values(["_lv", "territory_code", "indicator", "year", "period_start", "publication_year",
                           "figure_id"], kind="mergesort").drop(columns="_lv").reset_index(drop=True)
    return out


def write_atomic(df: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".csv", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=paths.REPO_ROOT.parent / "shared",
                    help="directory holding seeds/ and data/ (default: ../shared beside the repository)")
    ap.add_argument("--output", type=Path, default=None, help="output CSV (default: the committed table)")
    args = ap.parse_args(argv)
    df = build(args.shared)
    target = args.output or table_path()
    write_atomic(df, target)
    validate_table(target)
    counts = df["origin"].value_counts().sort_index()
    print(f"Wrote {len(df)} rows to {target}")
    print(counts.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
