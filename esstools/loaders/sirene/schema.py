"""SIRENE stock files: column lists, required columns, value domains, output contract."""

from __future__ import annotations

from ...vocabulary import (  # noqa: F401 - the SIRENE vocabulary, re-exported for loaders.sirene
    ESS_FAMILIES,
    ESS_FAMILY_LABELS,
    HEADCOUNT_BANDS,
    headcount_bands,
    legal_categories,
    naf_aggregations,
    naf_exclusions,
)

#: Layout followed (quoted by error messages and by the fetch registry).
SCHEMA_VERSION = "insee-sirene-stock/2026-01 (StockEtablissement 54 columns, StockUniteLegale 35 columns)"

ETABLISSEMENT_COLUMNS = (
    "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
    "trancheEffectifsEtablissement,anneeEffectifsEtablissement,"
    "activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,"
    "etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,"
    "numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,"
    "indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,"
    "libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
    "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,"
    "codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,"
    "codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
    "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
    "coordonneeLambertOrdonneeEtablissement,complementAdresse2Etablissement,"
    "numeroVoie2Etablissement,indiceRepetition2Etablissement,typeVoie2Etablissement,"
    "libelleVoie2Etablissement,codePostal2Etablissement,libelleCommune2Etablissement,"
    "libelleCommuneEtranger2Etablissement,distributionSpeciale2Etablissement,"
    "codeCommune2Etablissement,codeCedex2Etablissement,libelleCedex2Etablissement,"
    "codePaysEtranger2Etablissement,libellePaysEtranger2Etablissement,dateDebut,"
    "etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,"
    "enseigne3Etablissement,denominationUsuelleEtablissement,"
    "activitePrincipaleEtablissement,nomenclatureActivitePrincipaleEtablissement,"
    "caractereEmployeurEtablissement"
).split(",")

UNITE_LEGALE_COLUMNS = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
    "sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenom2UniteLegale,"
    "prenom3UniteLegale,prenom4UniteLegale,prenomUsuelUniteLegale,pseudonymeUniteLegale,"
    "identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,"
    "anneeEffectifsUniteLegale,dateDernierTraitementUniteLegale,"
    "nombrePeriodesUniteLegale,categorieEntreprise,anneeCategorieEntreprise,dateDebut,"
    "etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,"
    "denominationUniteLegale,denominationUsuelle1UniteLegale,"
    "denominationUsuelle2UniteLegale,denominationUsuelle3UniteLegale,"
    "categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,"
    "nomenclatureActivitePrincipaleUniteLegale,nicSiegeUniteLegale,"
    "economieSocialeSolidaireUniteLegale,societeMissionUniteLegale,"
    "caractereEmployeurUniteLegale"
).split(",")

OUTPUT_COLUMNS = (
    "siret", "siren", "commune_code", "departement", "naf", "a21", "a38", "legal_category",
    "ess_flag", "ess_family", "headcount_band", "headcount_low", "headcount_high", "headcount_mid",
)

AGGREGATE_KEYS = (
    "commune_code", "departement", "ess_family", "legal_category", "ess_flag", "naf", "a21", "a38",
    "headcount_band",
)

ETAB_REQUIRED = (
    "siren", "siret", "codeCommuneEtablissement", "etatAdministratifEtablissement",
    "trancheEffectifsEtablissement", "activitePrincipaleEtablissement",
)
UL_REQUIRED = ("siren", "categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale")

#: zero-padding width of code columns (integer-typed Parquet columns are padded back)
CODE_WIDTH = {
    "siren": 9, "siret": 14, "nic": 5, "codeCommuneEtablissement": 5, "categorieJuridiqueUniteLegale": 4,
    "trancheEffectifsEtablissement": 2,
}
NAFV2_NAMES = ("NAFREV2", "NAFV2")
INVALID_SIRET = ("raise", "warn", "drop")

#: Values of the coded columns (INSEE dictionary of the stock files).
ETAT_VALUES = ("A", "F")  # active / fermé
EMPLOYER_VALUES = ("O", "N")
ESS_FLAG_VALUES = ("O", "N")  # empty = not declared
