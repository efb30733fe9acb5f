"""ESS France list of social and solidarity economy enterprises (SIREN list).

Source
------
ESS France, « Liste des entreprises de l'ESS », published on data.gouv.fr
(https://www.data.gouv.fr/fr/datasets/liste-des-entreprises-de-less/) under the
law of 31 July 2014 (art. 6: ESS France keeps and publishes the list of ESS
enterprises). One row per legal unit. Column names differ between editions and
re-publications (``siren`` / ``SIREN`` / ``numero_siren``; ``nom`` /
``denomination`` / ``raison_sociale``; ``famille`` / ``famille_ess`` / ``forme``),
the separator is ``;`` or ``,``, the encoding UTF-8 or Windows-1252 (files are
read with :func:`esstools.loaders.common.read_table`): the loader recognises
the aliases below, case- and accent-insensitively. Only the SIREN is required. The file
published on data.gouv.fr (``entreprisesess.csv``, resource
``57bc99ca-0432-4b46-8fcc-e76a35c9efaf``) has the headers ``SIREN``, ``Nom ou raison sociale
de l'entreprise``, ``Famille juridique de l'entreprise``, ``Code postal``, ``Libellé de la
commune de l'établissement``, ``Code du département de l'établissement``, ``Département de
l'établissement``, ``Région de l'établissement`` (``,`` separated, UTF-8), with SIRENs not
zero-padded. Two headers naming the same field (e.g. ``siren`` and ``SIREN``) are an error.

Output of :func:`load_ess_france_list`:

=================  ==========================================================
``siren``          str, 9 digits, Luhn-checked (SchemaError naming row/value)
``name``           str or NA — name as published
``family``         ESS family code (``association``, ``cooperative``,
                   ``mutuelle``, ``fondation``, ``societe_commerciale_ess``) read from
                   the published label as a vocabulary
                   (:func:`esstools.vocabulary.parse_family_labels`: exact labels,
                   never substrings — "Entreprise hors ESS (ex-coopérative)" is an
                   error naming the row, not a cooperative); NA when absent
``family_label``   the published family label (str or NA)
=================  ==========================================================

Repairs (:class:`~esstools.errors.RepairWarning`, counted): SIRENs written with
spaces ("775 665 912") are compacted; 7- or 8-digit SIRENs (leading zeros lost by
a spreadsheet) are zero-padded; repeated SIRENs are kept once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd

from ..errors import RepairWarning, SchemaError
from ..vocabulary import parse_family_labels, valid_siren_array

__all__ = ["COLUMN_ALIASES", "load_ess_france_list", "flag_units", "compare_with_sirene", "SireneComparison",
           "SCHEMA_VERSION"]

SCHEMA_VERSION = "ess-france liste des entreprises de l'ESS (entreprisesess.csv, 2023-11)"

COLUMN_ALIASES = {
    "siren": ("siren", "numero_siren", "n_siren", "no_siren", "num_siren", "siren_entreprise", "code_siren"),
    "name": ("name", "nom", "denomination", "raison_sociale", "nom_ou_raison_sociale", "nom_entreprise",
             "denomination_sociale", "nom_de_l_entreprise", "nom_structure", "denominationunitelegale",
             "nom_ou_raison_sociale_de_l_entreprise"),
    "family": ("famille", "famille_ess", "family", "forme", "forme_juridique", "famille_juridique", "categorie",
               "statut", "type_structure", "categorie_ess", "famille_juridique_de_l_entreprise"),
}

def _norm(text: str) -> str:
    from ..vocabulary import normalise_text

    return normalise_text(text)


def _find(columns, role: str, path=None) -> str | None:
    hits = [c for c in columns if _norm(c) in COLUMN_ALIASES[role]]
    if len(hits) > 1:
        raise SchemaError(
            f"File '{path}', column '{hits[1]}': both '{hits[0]}' and '{hits[1]}' name the {role} field of the ESS "
            "France list; expected only one of them.", path=None if path is None else str(path), column=hits[1],
            values=hits, expected="a single column per field")
    return hits[0] if hits else None


def load_ess_france_list(path) -> pd.DataFrame:
    """Read the ESS France list of ESS enterprises; see the module docstring for the output schema."""
    from .common import read_table

    df, info = read_table(path, expected_columns=["siren"])
    col_siren = _find(df.columns, "siren", path)
    if col_siren is None:
        raise SchemaError(
            f"File '{path}' has no SIREN column (columns found: {', '.join(map(str, df.columns))}); "
            f"expected one of {', '.join(COLUMN_ALIASES['siren'])} (ESS France list of ESS enterprises).",
            path=str(path), column="siren", expected="a SIREN column",
        )
    lines = list(df.index)
    raw = df[col_siren].astype("string")
    s = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(r"\.0$", "", regex=True)
    n_spaces = int((raw.notna() & (raw != s) & s.str.fullmatch(r"\d{9}").fillna(False)).sum())
    short = s.str.fullmatch(r"\d{7,8}").fillna(False).astype(bool)
    n_short = int(short.sum())
    s = s.where(~short, s.str.zfill(9))
    missing = s.isna() | (s == "")
    if missing.any():
        pos = [lines[i] for i, m in enumerate(missing) if m]
        raise SchemaError(path=str(path), column=col_siren, rows=pos, values=[None] * min(5, len(pos)),
                          expected="a SIREN on every row (9 digits)")
    bad = pd.Series(~valid_siren_array(s.to_numpy(dtype=object, na_value=None)), index=s.index)
    if bad.any():
        pos = [lines[i] for i, b in enumerate(bad) if b]
        raise SchemaError(path=str(path), column=col_siren, rows=pos, values=list(raw[bad.to_numpy()].head(5)),
                          expected="a 9-digit SIREN with a valid Luhn check digit")
    if n_spaces or n_short:
        parts = []
        if n_spaces:
            parts.append(f"{n_spaces} SIREN(s) written with spaces compacted")
        if n_short:
            parts.append(f"{n_short} SIREN(s) with lost leading zeros zero-padded to 9 digits")
        warnings.warn(f"File '{path}' column '{col_siren}': " + "; ".join(parts) + ".", RepairWarning, stacklevel=2)
    col_name = _find(df.columns, "name", path)
    col_family = _find(df.columns, "family", path)
    out = pd.DataFrame({
        "siren": s.astype("string").to_numpy(),
        "name": (df[col_name].astype("string") if col_name else pd.Series(pd.NA, index=df.index, dtype="string")).to_numpy(),
        "family_label": (df[col_family].astype("string") if col_family else pd.Series(pd.NA, index=df.index, dtype="string")).to_numpy(),
    })
    fam = pd.Series(out["family_label"].to_numpy(), index=df.index, dtype="string")
    out["family"] = parse_family_labels(fam, path, col_family).to_numpy() if col_family else pd.NA
    out = out[["siren", "name", "family", "family_label"]].astype("string")
    dup = out["siren"].duplicated()
    if dup.any():
        warnings.warn(
            f"File '{path}' column '{col_siren}': {int(dup.sum())} repeated SIREN row(s) dropped "
            f"(first kept), e.g. {out.loc[dup, 'siren'].iloc[0]!r}.",
            RepairWarning, stacklevel=2,
        )
        out = out[~dup]
    return out.reset_index(drop=True)


def _siren_set(ess_list) -> set[str]:
    if isinstance(ess_list, pd.DataFrame):
        if "siren" not in ess_list.columns:
            raise SchemaError("The ESS list table has no 'siren' column; expected the output of load_ess_france_list().",
                              column="siren", expected="a 'siren' column")
        values = ess_list["siren"]
    else:
        values = pd.Series(list(ess_list))
    return set(values.dropna().astype(str))


def flag_units(df: pd.DataFrame, ess_list, siren_col: str = "siren") -> pd.DataFrame:
    """Copy of ``df`` with a boolean ``in_ess_france_list`` column (SIREN found in the list)."""
    if siren_col not in df.columns:
        raise SchemaError(f"Table has no column '{siren_col}'; pass siren_col= the SIREN column name.",
                          column=siren_col, expected="a SIREN column")
    known = _siren_set(ess_list)
    out = df.copy()
    out["in_ess_france_list"] = out[siren_col].astype("string").isin(known).fillna(False).astype(bool)
    return out


@dataclass
class SireneComparison:
    """Agreement between the SIRENE ESS flag and the ESS France list, over legal units.

    ``counts``: one row per case (``both``, ``sirene_only``, ``list_only``, ``neither``)
    with French labels and unit counts; ``crosstab``: 2 × 2 table (SIRENE flag ×
    list membership); ``sirene_only`` / ``list_only``: disagreeing SIRENs (sorted);
    ``list_not_in_units``: SIRENs of the list absent from the compared units.
    """

    counts: pd.DataFrame
    crosstab: pd.DataFrame
    sirene_only: list[str] = field(default_factory=list)
    list_only: list[str] = field(default_factory=list)
    list_not_in_units: int = 0

    @property
    def agreement_rate(self) -> float:
        """Share of units on which both sources agree (0-1)."""
        n = self.counts["units"].sum()
        agree = self.counts.set_index("case").loc[["both", "neither"], "units"].sum()
        return float(agree / n) if n else float("nan")

    def __repr__(self) -> str:
        return (
            "SireneComparison\n" + self.counts.to_string(index=False)
            + f"\nagreement: {self.agreement_rate:.1%}; list SIRENs outside the units: {self.list_not_in_units}"
        )


_CASE_LABELS = {
    "both": "Dans la liste ESS France et déclarée ESS dans Sirene",
    "sirene_only": "Déclarée ESS dans Sirene seulement",
    "list_only": "Dans la liste ESS France seulement",
    "neither": "Ni l'un ni l'autre",
}


def compare_with_sirene(units: pd.DataFrame, ess_list) -> SireneComparison:
    """Compare the SIRENE ESS flag of ``units`` with the ESS France list.

    ``units`` needs ``siren`` and either ``ess_flag`` (bool, as returned by
    :func:`esstools.loaders.sirene.load_establishments`) or the raw
    ``economieSocialeSolidaireUniteLegale`` (``O`` = flagged). Several rows per SIREN
    (establishments) are reduced to one legal unit.
    """
    if "siren" not in units.columns:
        raise SchemaError("Table 'units' has no 'siren' column.", column="siren", expected="a 'siren' column")
    if "ess_flag" in units.columns:
        flag = units["ess_flag"].fillna(False).astype(bool)
    elif "economieSocialeSolidaireUniteLegale" in units.columns:
        flag = units["economieSocialeSolidaireUniteLegale"].astype("string").str.upper().eq("O").fillna(False)
    else:
        raise SchemaError(
            "Table 'units' has neither 'ess_flag' nor 'economieSocialeSolidaireUniteLegale'; "
            "expected the SIRENE ESS flag.", column="ess_flag", expected="the SIRENE ESS flag")
    u = pd.DataFrame({"siren": units["siren"].astype("string").to_numpy(), "flag": flag.to_numpy()})
    u = u.dropna(subset=["siren"]).groupby("siren", sort=True)["flag"].max().reset_index()
    known = _siren_set(ess_list)
    u["listed"] = u["siren"].isin(known)
    case = pd.Series("neither", index=u.index)
    case[u["flag"] & u["listed"]] = "both"
    case[u["flag"] & ~u["listed"]] = "sirene_only"
    case[~u["flag"] & u["listed"]] = "list_only"
    counts = pd.DataFrame({"case": list(_CASE_LABELS), "libelle": list(_CASE_LABELS.values())})
    counts["units"] = counts["case"].map(case.value_counts()).fillna(0).astype("int64")
    crosstab = pd.crosstab(
        u["flag"].map({True: "ESS (Sirene)", False: "non ESS (Sirene)"}),
        u["listed"].map({True: "dans la liste", False: "hors liste"}),
    ).reindex(index=["ESS (Sirene)", "non ESS (Sirene)"], columns=["dans la liste", "hors liste"], fill_value=0)
    crosstab.index.name = "Sirene"
    crosstab.columns.name = "ESS France"
    return SireneComparison(
        counts=counts,
        crosstab=crosstab,
        sirene_only=sorted(u.loc[case == "sirene_only", "siren"].astype(str)),
        list_only=sorted(u.loc[case == "list_only", "siren"].astype(str)),
        list_not_in_units=len(known - set(u["siren"].astype(str))),
    )
