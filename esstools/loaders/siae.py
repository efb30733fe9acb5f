"""SIAE directory: structures of insertion by economic activity and adapted/protected work.

Sources: the Plateforme de l'inclusion (GIP, beta.gouv.fr) exports —
"emplois de l'inclusion" list of structures (fields ``siret``, ``kind``,
``name``, ``brand``, ``address_line_1``, ``address_line_2``, ``post_code``,
``city``, ``department``...) and the "Marché de l'inclusion" directory export
(French headers "SIRET", "Raison sociale", "Enseigne", "Type", "Adresse",
"Code postal", "Ville", "Département"...), both published on data.gouv.fr.
Either CSV (``;`` or ``,``, UTF-8 or Windows-1252), zipped CSV, XLSX or
Parquet is accepted; headers are matched ignoring case/accents/punctuation.

Kinds (``kind``; full French names are mapped to their acronym):
ACI (atelier et chantier d'insertion), AI (association intermédiaire),
EI (entreprise d'insertion), ETTI (entreprise de travail temporaire
d'insertion), EITI (entreprise d'insertion par le travail indépendant),
GEIQ (groupement d'employeurs pour l'insertion et la qualification),
EA (entreprise adaptée), EATT (entreprise adaptée de travail temporaire),
ESAT (établissement et service d'accompagnement par le travail),
OPCS (organisation porteuse de clauses sociales). Any other value is an error.

Output (data contract): ``siret`` (str 14, Luhn-checked), ``siren`` (its
first 9 digits), ``name``, ``kind``, ``address``, ``postcode`` (str 5),
``commune_code`` (str 5, COG; NA when the export only gives postcode and city —
a postcode is not a commune code), ``departement`` (from the file, else from
the commune code, else from the postcode: 97x overseas, 20xxx -> 2A below
20200 and 2B from 20200). One row per (siret, kind): a structure holding two
agreements (e.g. ACI and EI) keeps two rows; a repeated (siret, kind) is an
error.
"""

from __future__ import annotations

import pandas as pd

from ..errors import SchemaError
from . import codes
from .common import normalise_header, read_table, row_numbers
from .schema import Column, Schema

__all__ = ["load_siae_directory", "KINDS", "KIND_NAMES", "SCHEMA"]

KINDS = ("ACI", "AI", "EI", "ETTI", "EITI", "GEIQ", "EA", "EATT", "ESAT", "OPCS")
KIND_NAMES = {
    "ACI": "Atelier et chantier d'insertion",
    "AI": "Association intermédiaire",
    "EI": "Entreprise d'insertion",
    "ETTI": "Entreprise de travail temporaire d'insertion",
    "EITI": "Entreprise d'insertion par le travail indépendant",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée de travail temporaire",
    "ESAT": "Établissement et service d'accompagnement par le travail",
    "OPCS": "Organisation porteuse de clauses sociales",
}
_KIND_LOOKUP = {normalise_header(k): k for k in KINDS}
_KIND_LOOKUP.update({normalise_header(v): k for k, v in KIND_NAMES.items()})
_KIND_LOOKUP.update(
    {
        "atelier_chantier_d_insertion": "ACI",
        "ateliers_et_chantiers_d_insertion": "ACI",
        "chantier_d_insertion": "ACI",
        "etablissement_et_service_d_aide_par_le_travail": "ESAT",
        "etablissement_ou_service_d_aide_par_le_travail": "ESAT",
        "entreprise_d_insertion_par_le_travail_independant": "EITI",
    }
)

SCHEMA = Schema(
    "SIAE directory",
    [
        Column("siret", "siret", aliases=("SIRET", "N° SIRET", "Numéro SIRET", "siret_structure")),
        Column("name", "str", aliases=("Raison sociale", "Nom", "Nom de la structure", "nom", "raison_sociale",
                                       "Dénomination", "denomination")),
        Column("brand", "str", required=False, nullable=True, aliases=("Enseigne", "enseigne")),
        Column("kind", "str", aliases=("Type", "Type de structure", "type", "Kind", "Type SIAE", "type_structure",
                                       "Typologie")),
        Column("address", "str", required=False, nullable=True,
               aliases=("Adresse", "adresse", "address_line_1", "Adresse ligne 1", "Adresse (ligne 1)")),
        Column("address2", "str", required=False, nullable=True,
               aliases=("address_line_2", "Adresse ligne 2", "Complément d'adresse", "Adresse (ligne 2)")),
        Column("postcode", "code", width=5, required=False, nullable=True,
               aliases=("Code postal", "code_postal", "post_code", "CP", "postal_code")),
        Column("city", "str", required=False, nullable=True, aliases=("Ville", "Commune", "city", "ville")),
        Column("commune_code", "commune", required=False, nullable=True,
               aliases=("Code commune", "Code INSEE", "Code commune INSEE", "code_insee", "insee_code",
                        "code_commune", "citycode")),
        Column("departement", "departement", required=False, nullable=True,
               aliases=("Département", "department", "Code département", "departement", "dept", "code_departement")),
    ],
    source_doc="Plateforme de l'inclusion: emplois.inclusion.beta.gouv.fr / lemarche.inclusion.beta.gouv.fr exports",
)


def _postcode_departement(pc: pd.Series) -> pd.Series:
    pc = pc.astype("string")
    dep = pc.str[:2]
    overseas = pc.str.match(r"9[78]").fillna(False).astype(bool)
    dep = dep.mask(overseas, pc.str[:3])
    corsica = pc.str.startswith("20").fillna(False).astype(bool)
    num = pd.to_numeric(pc, errors="coerce")
    dep = dep.mask(corsica & (num < 20200), "2A").mask(corsica & (num >= 20200), "2B")
    return dep


def _repair_postcodes(s: pd.Series, path) -> pd.Series:
    import warnings

    from ..errors import RepairWarning

    v = s.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    four = v.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    if four.any():
        warnings.warn(
            f"Repaired {int(four.sum())} postcode(s) in file '{path}' column 'postcode' by restoring a lost "
            "leading zero (4 digits -> 5).",
            RepairWarning,
            stacklevel=3,
        )
        v = v.mask(four, "0" + v)
    return v


def load_siae_directory(path, *, sheet: str | None = None, cog: int | None = None,
                        check_communes: bool = True) -> pd.DataFrame:
    """Read an SIAE directory export into the contract table (see module docstring).

    Commune codes are checked against the COG vintage ``cog`` (default: the
    :mod:`esstools.territory` default) when ``check_communes`` and the
    territory reference is available.
    """
    raw, info = read_table(path, sheet=sheet)
    renamed = SCHEMA.rename(raw, path)
    if "postcode" in renamed.columns:
        src = [h for h, r in zip(raw.columns, renamed.columns) if r == "postcode"][0]
        raw = raw.copy()
        raw[src] = _repair_postcodes(raw[src], path)
    df = SCHEMA.validate(raw, path, decimal="dot" if info.typed else "auto")
    if check_communes and "commune_code" in renamed.columns:
        label = [h for h, r in zip(raw.columns, renamed.columns) if r == "commune_code"][0]
        codes.check_known_communes(df["commune_code"], path, label, cog=cog, on_missing="skip")
    kind = df["kind"].map(lambda v: _KIND_LOOKUP.get(normalise_header(v)) if isinstance(v, str) else None)
    bad = kind.isna().to_numpy()
    if bad.any():
        col = [h for h, r in zip(raw.columns, renamed.columns) if r == "kind"][0]
        raise SchemaError(
            path=path, column=col, rows=row_numbers(df, bad), values=list(df.loc[bad, "kind"].head(5)),
            expected="an SIAE kind among " + ", ".join(KINDS),
        )
    df["kind"] = kind.astype("string")
    dup = df.duplicated(subset=["siret", "kind"], keep=False).to_numpy()
    if dup.any():
        vals = [tuple(r) for r in df.loc[dup, ["siret", "kind"]].head(5).itertuples(index=False)]
        raise SchemaError(path=path, column="siret, kind", rows=row_numbers(df, dup), values=vals,
                          expected="one row per (siret, kind) — duplicated key(s)")
    address = df["address"].astype("string")
    if df["address2"].notna().any():
        address = address.str.cat(df["address2"].astype("string"), sep=", ", na_rep="").str.strip(", ")
        address = address.mask(address == "", pd.NA)
    dep = df["departement"].astype("string")
    if "commune_code" in renamed.columns:
        dep = dep.fillna(codes.departement_of_commune(df["commune_code"]))
    if "postcode" in renamed.columns:
        dep = dep.fillna(_postcode_departement(df["postcode"]))
    out = pd.DataFrame(
        {
            "siret": df["siret"].astype("string"),
            "siren": df["siret"].astype("string").str[:9],
            "name": df["name"].astype("string"),
            "kind": df["kind"],
            "address": address,
            "postcode": df["postcode"].astype("string"),
            "commune_code": df["commune_code"].astype("string"),
            "departement": dep.astype("string"),
        }
    )
    return out.reset_index(drop=True)
