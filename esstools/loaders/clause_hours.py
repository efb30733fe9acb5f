"""Insertion hours from social clauses: the esstools template filled from facilitators' tracking tools.

Social-clause facilitators (facilitateurs des clauses sociales, often within
a PLIE, a Maison de l'emploi or the département) track, per operation and
company, the insertion hours carried out under the clauses, usually in
tools such as ABC Clause or spreadsheets. There is no national open format:
esstools defines a template, shipped as ``data/templates/clause_hours_template.csv``
and ``.xlsx`` with ``data/templates/README_clause_hours.md`` explaining
each column. Format: CSV (``;`` or ``,``, UTF-8 or Windows-1252, decimal
comma accepted) or XLSX (first sheet or ``sheet=``; plain values only, no
formulas), one row per company (SIRET) x operation x buyer x year.

==================  =========================================  ======================
column              accepted headers                            content
==================  =========================================  ======================
siret               "SIRET", "N° SIRET", "Siret entreprise"     14 digits, Luhn check
operation           "Opération", "Nom de l'opération"           text
buyer               "Acheteur", "Maître d'ouvrage",             text (name or SIRET)
                    "Maître d'ouvrage/Acheteur", "Donneur d'ordre"
year                "Année"                                     1990..2035
insertion_hours     "Heures d'insertion", "Nombre d'heures"     hours >= 0 (decimal comma ok)
beneficiaries       "Nombre de bénéficiaires", "Bénéficiaires"  whole number >= 0
==================  =========================================  ======================

Output (data contract): ``siret``, ``operation``, ``buyer``, ``year``
(Int64), ``insertion_hours`` (float, hours), ``beneficiaries`` (Int64).
Repeated (siret, operation, buyer, year) rows are an error (merge them in
the source tool first). A total or subtotal row ("Total", "Sous-total…" in the SIRET,
operation or year column) is dropped with a counted RepairWarning; "12 %" in the hours
column is an error (numbers follow :func:`esstools.loaders.common.parse_number`).
"""

from __future__ import annotations

import pandas as pd

from .common import read_table
from .schema import Column, Schema

__all__ = ["load_clause_hours", "clause_hours_by_siret_year", "SCHEMA", "TEMPLATE_HEADERS", "SCHEMA_VERSION"]

SCHEMA_VERSION = "esstools clause-hours template v1"

SCHEMA = Schema(
    "clause hours",
    [
        Column("siret", "siret", aliases=("SIRET", "N° SIRET", "Siret entreprise", "SIRET de l'entreprise"), totals=True,
               description="SIRET of the company carrying out the insertion hours"),
        Column("operation", "str", aliases=("Opération", "Nom de l'opération", "Operation", "Marché", "Chantier"), totals=True,
               description="operation / contract name"),
        Column("buyer", "str", aliases=("Acheteur", "Maître d'ouvrage", "Maître d'ouvrage/Acheteur",
                                        "Maître d'ouvrage / Acheteur", "Donneur d'ordre", "acheteur",
                                        "maitre_d_ouvrage"),
               description="buyer (maître d'ouvrage)"),
        Column("year", "year", aliases=("Année", "Annee", "annee"), description="year of the hours", totals=True),
        Column("insertion_hours", "float", min=0, unit="heures",
               aliases=("Heures d'insertion", "Nombre d'heures", "Heures", "Nombre d'heures d'insertion",
                        "heures_insertion"),
               description="insertion hours carried out"),
        Column("beneficiaries", "int", min=0, unit="personnes",
               aliases=("Nombre de bénéficiaires", "Bénéficiaires", "Nb bénéficiaires", "beneficiaires",
                        "nombre_de_beneficiaires"),
               description="number of beneficiaries (persons)"),
    ],
    unique=("siret", "operation", "buyer", "year"),
    source_doc="esstools template data/templates/clause_hours_template.csv (README_clause_hours.md)",
    version="esstools clause-hours template v1",
)

TEMPLATE_HEADERS = ("SIRET", "Opération", "Acheteur", "Année", "Heures d'insertion", "Nombre de bénéficiaires")


def load_clause_hours(path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a clause-hours file (template CSV/XLSX) into ``siret, operation, buyer, year, insertion_hours, beneficiaries``."""
    raw, info = read_table(path, sheet=sheet)
    df = SCHEMA.validate(raw, path, info=info)
    return df.reset_index(drop=True).astype({"siret": "string", "operation": "string", "buyer": "string",
                                             "year": "Int64", "insertion_hours": "float64",
                                             "beneficiaries": "Int64"})


def clause_hours_by_siret_year(df: pd.DataFrame) -> pd.DataFrame:
    """Sum per (siret, year): ``insertion_hours``, ``beneficiaries`` (may count a person twice across
    operations) and ``operations`` (number of operation x buyer rows)."""
    g = df.groupby(["siret", "year"], sort=True)
    out = pd.DataFrame(
        {
            "insertion_hours": g["insertion_hours"].sum(),
            "beneficiaries": g["beneficiaries"].sum(),
            "operations": g.size(),
        }
    ).reset_index()
    return out.astype({"siret": "string", "year": "Int64", "beneficiaries": "Int64", "operations": "int64"})
