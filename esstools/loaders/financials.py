"""Financial ratios of companies from their filed accounts: revenue by SIREN and fiscal year.

Source: "Ratios financiers" open dataset built from the annual accounts filed
with the INPI (Registre national des entreprises) and the Banque de France
(BCE), published by the Ministry of the Economy on data.economie.gouv.fr
(dataset ``ratios_inpi_bce``). Real format: ``;`` separated CSV (UTF-8), one
row per SIREN x closing date x type of accounts, with fields ``siren``,
``date_cloture_exercice`` (YYYY-MM-DD), ``chiffre_d_affaires`` (revenue,
euros), ``marge_brute``, ``ebe``, ``ebit``, ``resultat_net``,
``taux_d_endettement``, ``ratio_de_liquidite``, ``ratio_de_vetuste``,
``autonomie_financiere``, ``poids_bfr_exploitation_sur_ca``,
``couverture_des_interets``, ``caf_sur_ca``, ``capacite_de_remboursement``,
``marge_ebe``, ``resultat_courant_avant_impots_sur_ca``,
``poids_bfr_exploitation_sur_ca_jours``, ``rotation_des_stocks_jours``,
``credit_clients_jours``, ``credit_fournisseurs_jours``, ``type_bilan``
(C = complete corporate accounts, S = simplified, K = consolidated group
accounts) and ``confidentiality``. Only revenue is used here; French
spellings ("SIREN", "Date de clôture", "Chiffre d'affaires", "CA") are
accepted as aliases.

Output (data contract): ``siren`` (str 9, Luhn-checked), ``year`` (Int64,
calendar year of the closing date — a fiscal year closing on 30/06/2022 is
2022), ``revenue_eur`` (float, euros; negative revenue is an error), plus
``closing_date`` and ``accounts_type`` (NA when absent).

Duplicates per (siren, year) — rule, applied in this order: (1) the
company's own accounts are preferred to consolidated group accounts
(K), because the analyses relate revenue to the legal unit's own
establishments; among own accounts a complete (C) is preferred to a
simplified (S) one; (2) then the latest closing date wins (a change of
closing date can put two closings in one calendar year). The dropped rows
are counted in a RepairWarning. Rows identical on (siren, closing date,
accounts type) with different revenues are a SchemaError.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..errors import RepairWarning, SchemaError
from .common import read_table, row_numbers
from .schema import Column, Schema

__all__ = ["load_financial_ratios", "SCHEMA", "ACCOUNTS_PRIORITY", "SCHEMA_VERSION"]

SCHEMA_VERSION = "ratios_inpi_bce (data.economie.gouv.fr export, 2026-04)"

ACCOUNTS_PRIORITY = {"C": 0, "S": 1, "K": 2}

SCHEMA = Schema(
    "financial ratios",
    [
        Column("siren", "siren", aliases=("SIREN", "N° SIREN", "siren_entreprise"), totals=True),
        Column("closing_date", "date", aliases=("date_cloture_exercice", "Date de clôture", "date_cloture",
                                                "Date de clôture de l'exercice", "date_de_cloture")),
        Column("revenue_eur", "amount", nullable=True, unit="€",
               aliases=("chiffre_d_affaires", "Chiffre d'affaires", "CA", "chiffre_affaires", "ca")),
        Column("accounts_type", "str", required=False, nullable=True,
               aliases=("type_bilan", "Type de bilan", "type_de_bilan")),
    ],
    source_doc="data.economie.gouv.fr — ratios_inpi_bce (INPI / Banque de France)",
    version="ratios_inpi_bce (data.economie.gouv.fr export, 2026-04)",
)


def load_financial_ratios(path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a "ratios financiers" extract into ``siren, year, revenue_eur, closing_date, accounts_type``."""
    raw, info = read_table(path, sheet=sheet)
    df = SCHEMA.validate(raw, path, info=info)
    labels = SCHEMA.source_headers(raw)
    df["accounts_type"] = df["accounts_type"].astype("string").str.upper().str.strip()
    df["year"] = df["closing_date"].dt.year.astype("Int64")
    bad = ((df["year"] < 1990) | (df["year"] > 2035)).fillna(False).to_numpy()
    if bad.any():
        raise SchemaError(path=path, column=labels.get("closing_date", "date_cloture_exercice"), rows=row_numbers(df, bad),
                          values=[str(v.date()) for v in df.loc[bad, "closing_date"].head(5)],
                          expected="a closing date between 1990 and 2035")
    key = ["siren", "closing_date", "accounts_type"]
    dup = df.duplicated(subset=key, keep=False)
    conflict = dup & ~df.duplicated(subset=key + ["revenue_eur"], keep=False)
    if conflict.any():
        vals = [(r.siren, str(r.closing_date.date()), r.revenue_eur) for r in df[conflict].head(5).itertuples()]
        raise SchemaError(path=path, column=", ".join(labels.get(k, d) for k, d in (
                              ("siren", "siren"), ("closing_date", "date_cloture_exercice"), ("accounts_type", "type_bilan"))),
                          rows=row_numbers(df, conflict.to_numpy()), values=vals,
                          expected="one revenue per company, closing date and type of accounts")
    df["_prio"] = df["accounts_type"].map(lambda t: ACCOUNTS_PRIORITY.get(t, 1) if isinstance(t, str) else 1)
    ordered = df.sort_values(["siren", "year", "_prio", "closing_date"], ascending=[True, True, True, False],
                             kind="stable")
    kept = ordered.drop_duplicates(subset=["siren", "year"], keep="first")
    n_drop = len(df) - len(kept)
    if n_drop:
        warnings.warn(
            f"File '{path}': kept one set of accounts per (siren, year) and dropped {n_drop} row(s) "
            "(own accounts preferred to consolidated ones, complete to simplified, then the latest closing date).",
            RepairWarning,
            stacklevel=2,
        )
    out = kept[["siren", "year", "revenue_eur", "closing_date", "accounts_type"]].reset_index(drop=True)
    return out.astype({"siren": "string", "revenue_eur": "float64"})
