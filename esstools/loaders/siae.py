"""SIAE directory: structures of insertion by economic activity and adapted/protected work.

Formats read (headers matched ignoring case, accents and punctuation):

* **« Les emplois de l'inclusion » API** (``GET /api/v1/siaes/?departement=93&format=json``,
  ``gip-inclusion/les-emplois``, ``itou/api/siae_api/serializers.py``): pages
  ``{"count", "next", "previous", "results": [...]}`` saved as JSON — one page per file,
  several files (pass a list of paths), a JSON list of pages, or a bare list of results.
  Fields used: ``siret``, ``type``, ``raison_sociale``, ``enseigne``, ``addresse_ligne_1``,
  ``addresse_ligne_2`` (spelt "addresse" by the API), ``code_postal``, ``ville``,
  ``departement``. The pages must be complete: the results must add up to ``count``
  (a missing page is an error naming the ``next`` URL), and a structure ``id`` seen twice
  (a page saved twice) is an error.
* **CSV / XLSX / Parquet exports**: the emplois.inclusion list of structures (``siret``,
  ``kind``, ``name``, ``brand``, ``address_line_1``, ``address_line_2``, ``post_code``,
  ``city``, ``department``), the Marché de l'inclusion directory (French headers "SIRET",
  "Raison sociale", "Type", "Adresse", "Code postal", "Ville", "Département"…), and the
  **ASP export** of conventions (``MESURE;CODE_DEPARTEMENT;LIBELLE_DPT;CODE_POSTAL;
  COMMUNE;CODE_NAF2;NATURE_JURIDIQUE;SIRET;DENOMINATION_SOCIALE;NUM_RUE;NOM_RUE;…``, as
  published by the Plateforme de l'inclusion in 2019): there ``CODE_DEPARTEMENT`` is the
  département of the *convention* (the unit that signed it), not the location, so it is not
  read — the location comes from ``CODE_POSTAL``; ``MESURE`` is the kind; ``NUM_RUE`` +
  ``NOM_RUE`` the address. The ASP list of SIRETs and kinds (``external_id, siret, name,
  kind``) is read too; its ``FDI`` rows (Fonds départemental d'insertion: an aid line, not a
  kind of structure) are dropped with a counted RepairWarning.

Kinds (``kind``; full French names are mapped to their acronym):
ACI (atelier et chantier d'insertion), AI (association intermédiaire),
EI (entreprise d'insertion), ETTI (entreprise de travail temporaire
d'insertion), EITI (entreprise d'insertion par le travail indépendant),
GEIQ (groupement d'employeurs pour l'insertion et la qualification),
EA (entreprise adaptée), EATT (entreprise adaptée de travail temporaire),
ESAT (établissement et service d'accompagnement par le travail),
OPCS (organisation porteuse de clauses sociales). Any other value is an error.
``kinds=`` keeps only some (e.g. :data:`SIAE_KINDS`, the five SIAE kinds proper).

Output (data contract): ``siret`` (str 14, Luhn-checked), ``siren`` (its
first 9 digits), ``name``, ``kind``, ``address``, ``postcode`` (str 5),
``commune_code`` (str 5, COG; NA when the export only gives postcode and city —
a postcode is not a commune code), ``departement`` (from the file's location column, else
from the commune code, else from the postcode with
:func:`esstools.vocabulary.postcode_departement`: 97133 Saint-Barthélemy -> 977, 97150
Saint-Martin -> 978, 20000-20199 -> 2A, 20200+ -> 2B; a postcode that is no French
département's is an error). One row per (siret, kind): repeated (siret, kind) rows
identical on every output column (a structure listed once per convention) are kept once,
counted in a RepairWarning; repeated rows that differ are an error.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..errors import InputFileError, RepairWarning, SchemaError
from ..vocabulary import postcode_departement
from . import codes
from .common import MAX_JSON_BYTES, check_data_file, normalise_header, read_json_document, read_table, row_numbers
from .schema import Column, Schema
from ..vocabulary import INCLUSION_KIND_NAMES, INCLUSION_KINDS, SIAE_KINDS

__all__ = ["load_siae_directory", "KINDS", "KIND_NAMES", "SIAE_KINDS", "SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION = "les-emplois API v1 siaes (2026-04) / emplois.inclusion and marché exports / ASP export 2019-07"

#: Kinds, SIAE kinds proper and their French names (:mod:`esstools.vocabulary`).
KINDS = INCLUSION_KINDS
KIND_NAMES = INCLUSION_KIND_NAMES
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
#: ASP aid lines that are not kinds of structure (dropped, counted).
_AID_LINES = {"fdi": "Fonds départemental d'insertion"}

SCHEMA = Schema(
    "SIAE directory",
    [
        Column("siret", "siret", aliases=("SIRET", "N° SIRET", "Numéro SIRET", "siret_structure")),
        Column("name", "str", aliases=("Raison sociale", "Nom", "Nom de la structure", "nom", "raison_sociale",
                                       "Dénomination", "denomination", "DENOMINATION_SOCIALE")),
        Column("brand", "str", required=False, nullable=True, aliases=("Enseigne", "enseigne")),
        Column("kind", "str", aliases=("Type", "Type de structure", "type", "Kind", "Type SIAE", "type_structure",
                                       "Typologie", "MESURE"), totals=True),
        Column("address", "str", required=False, nullable=True,
               aliases=("Adresse", "adresse", "address_line_1", "Adresse ligne 1", "Adresse (ligne 1)",
                        "addresse_ligne_1")),
        Column("address2", "str", required=False, nullable=True,
               aliases=("address_line_2", "Adresse ligne 2", "Complément d'adresse", "Adresse (ligne 2)",
                        "addresse_ligne_2")),
        Column("postcode", "code", width=5, required=False, nullable=True,
               aliases=("Code postal", "code_postal", "post_code", "CP", "postal_code")),
        Column("city", "str", required=False, nullable=True, aliases=("Ville", "Commune", "city", "ville")),
        Column("commune_code", "commune", required=False, nullable=True,
               aliases=("Code commune", "Code INSEE", "Code commune INSEE", "code_insee", "insee_code",
                        "code_commune", "citycode")),
        Column("departement", "departement", required=False, nullable=True,
               aliases=("Département", "department", "Code département", "departement", "dept", "code_departement")),
    ],
    source_doc="Plateforme de l'inclusion: emplois.inclusion.beta.gouv.fr API and exports / "
               "lemarche.inclusion.beta.gouv.fr export / ASP export of conventions",
    version=SCHEMA_VERSION,
)

_API_FIELDS = ("siret", "type", "raison_sociale", "enseigne", "addresse_ligne_1", "addresse_ligne_2", "code_postal",
               "ville", "departement")


def _api_pages(doc, path) -> list[dict]:
    if isinstance(doc, dict) and "results" in doc:
        return [doc]
    if isinstance(doc, list) and doc and all(isinstance(p, dict) and "results" in p for p in doc):
        return doc
    if isinstance(doc, list) and all(isinstance(r, dict) for r in doc):
        return [{"count": None, "next": None, "results": doc}]
    raise SchemaError(
        f"File '{path}', column 'results': expected a page of the emplois.inclusion API "
        "({\"count\", \"next\", \"previous\", \"results\": [...]}), a list of such pages or a list of structures; "
        f"found {type(doc).__name__}{' with keys ' + ', '.join(sorted(doc)[:8]) if isinstance(doc, dict) else ''} "
        f"(schema_version {SCHEMA_VERSION!r}).", path=str(path), column="results", expected="API pages")


def _read_api(paths: list[Path], max_bytes: int) -> tuple[pd.DataFrame, str]:
    rows, pages, shown = [], [], ", ".join(str(p) for p in paths)
    for p in paths:
        for page in _api_pages(read_json_document(p, max_bytes=max_bytes), p):
            if not isinstance(page.get("results"), list):
                raise SchemaError(path=str(p), column="results", values=[type(page.get("results")).__name__],
                                  expected="a list of structures")
            pages.append((p, page))
    counts = {page.get("count") for _, page in pages if page.get("count") is not None}
    total = sum(len(page["results"]) for _, page in pages)
    if len(counts) > 1:
        raise InputFileError(f"API pages '{shown}' come from different queries (counts {sorted(counts)}); "
                             "save the pages of one query (one département) together.")
    if counts and total != next(iter(counts)):
        nxt = [page.get("next") for _, page in pages if page.get("next")]
        raise InputFileError(
            f"API pages '{shown}': the API announced count={next(iter(counts))} structures but the saved pages hold "
            f"{total}; a page is missing or was saved twice"
            + (f" (pages still point to next={nxt[-1]!r})" if nxt else "") + ". Save every page of the query.")
    rank = 0
    for p, page in pages:
        for r in page["results"]:
            rank += 1
            if not isinstance(r, dict):
                raise SchemaError(path=str(p), column="results", rows=[rank], values=[r], expected="a structure object")
            missing = [f for f in ("siret", "type") if f not in r]
            if missing:
                raise SchemaError(
                    f"File '{p}': structure {rank} lacks field(s) {', '.join(repr(m) for m in missing)} of the "
                    f"emplois.inclusion API (schema_version {SCHEMA_VERSION!r}); fields found: "
                    f"{', '.join(sorted(r)[:12])}.", path=str(p), column=missing[0], rows=[rank],
                    expected="the API fields " + ", ".join(_API_FIELDS))
            row = {f: (None if r.get(f) is None else str(r.get(f))) for f in _API_FIELDS}
            row["_id"] = r.get("id")
            rows.append(row)
    if not rows:
        raise InputFileError(f"API pages '{shown}' hold no structure (no data rows).")
    df = pd.DataFrame(rows, dtype="object")
    df.index = pd.RangeIndex(1, 1 + len(df), name="line")
    ids = df.pop("_id")
    dup = ids.notna().to_numpy() & ids.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SchemaError(path=shown, column="id", rows=row_numbers(df, dup), values=list(ids[dup].head(5)),
                          expected="each structure once (a page saved twice?)")
    return df.astype("string").apply(lambda s: s.str.strip().mask(s.str.strip() == "")), shown


def _is_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    with open(path, "rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def _repair_postcodes(s: pd.Series, path, column: str) -> pd.Series:
    v = s.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    four = v.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    if four.any():
        warnings.warn(
            f"Repaired {int(four.sum())} postcode(s) in file '{path}' column '{column}' by restoring a lost "
            "leading zero (4 digits -> 5).",
            RepairWarning,
            stacklevel=3,
        )
        v = v.mask(four, "0" + v)
    return v


def _asp_layout(raw: pd.DataFrame) -> pd.DataFrame:
    """ASP export: drop the convention's département, build the address from NUM_RUE + NOM_RUE."""
    norm = {normalise_header(c): c for c in raw.columns}
    if not {"mesure", "siret", "code_postal"} <= set(norm):
        return raw
    out = raw.drop(columns=[norm[c] for c in ("code_departement", "libelle_dpt") if c in norm])
    if "num_rue" in norm and "nom_rue" in norm and "adresse" not in norm:
        addr = out[norm["num_rue"]].astype("string").str.cat(out[norm["nom_rue"]].astype("string"), sep=" ",
                                                               na_rep="").str.strip()
        out = out.drop(columns=[norm["num_rue"], norm["nom_rue"]]).assign(Adresse=addr.mask(addr == ""))
    return out


def _drop_aid_lines(raw: pd.DataFrame, label: str, path) -> pd.DataFrame:
    kind = raw[label].astype("string").map(lambda v: normalise_header(v) if isinstance(v, str) else None)
    aid = kind.isin(_AID_LINES).fillna(False).to_numpy(bool)
    if aid.any():
        warnings.warn(
            f"Dropped {int(aid.sum())} row(s) of file '{path}' whose column '{label}' is an aid line, not a kind of "
            f"structure ({', '.join(f'{k.upper()} = {v}' for k, v in _AID_LINES.items())}).", RepairWarning,
            stacklevel=3)
        raw = raw[~aid]
    return raw


def load_siae_directory(path, *, sheet: str | None = None, cog: int | None = None,
                        check_communes: bool = True, kinds: Sequence[str] | None = None,
                        max_bytes: int = MAX_JSON_BYTES) -> pd.DataFrame:
    """Read an SIAE directory (API pages, CSV/XLSX/Parquet export) into the contract table (see module docstring).

    ``path``: a file, or a list of files (pages of one API query). Commune codes are checked
    against the COG vintage ``cog`` (default: any vintage of the reference) when
    ``check_communes``. ``kinds``: keep only these kinds (e.g. :data:`SIAE_KINDS`).
    """
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    for p in paths:
        check_data_file(p)
    info = None
    if all(_is_json(p) for p in paths):
        raw, shown = _read_api(paths, max_bytes)
        raw = raw.rename(columns={"type": "Type"})
    elif len(paths) == 1:
        raw, info = read_table(paths[0], sheet=sheet)
        shown = str(paths[0])
        raw = _asp_layout(raw)
    else:
        raise InputFileError("Several files are only accepted as pages of the emplois.inclusion API (JSON); got "
                             + ", ".join(str(p) for p in paths) + ".")
    labels = SCHEMA.source_headers(raw)
    SCHEMA.rename(raw, shown)  # missing columns named before anything else
    raw = _drop_aid_lines(raw, labels["kind"], shown)
    if "postcode" in labels:
        raw = raw.copy()
        raw[labels["postcode"]] = _repair_postcodes(raw[labels["postcode"]], shown, labels["postcode"])
    df = SCHEMA.validate(raw, shown, info=info)
    if check_communes and "commune_code" in labels:
        codes.check_known_communes(df["commune_code"], shown, labels["commune_code"], cog=cog, on_missing="skip")
    kind = df["kind"].map(lambda v: _KIND_LOOKUP.get(normalise_header(v)) if isinstance(v, str) else None)
    bad = kind.isna().to_numpy()
    if bad.any():
        raise SchemaError(
            path=shown, column=labels["kind"], rows=row_numbers(df, bad), values=list(df.loc[bad, "kind"].head(5)),
            expected="an SIAE kind among " + ", ".join(KINDS) + f" (schema_version {SCHEMA_VERSION!r})",
        )
    df["kind"] = kind.astype("string")
    address = df["address"].astype("string")
    if df["address2"].notna().any():
        address = address.str.cat(df["address2"].astype("string"), sep=", ", na_rep="").str.strip(", ")
        address = address.mask(address == "", pd.NA)
    dep = df["departement"].astype("string")
    if "commune_code" in labels:
        dep = dep.fillna(codes.departement_of_commune(df["commune_code"]))
    if "postcode" in labels:
        from_pc = postcode_departement(df["postcode"])
        unknown = (df["postcode"].notna() & from_pc.isna()).to_numpy(bool)
        if unknown.any():
            raise SchemaError(path=shown, column=labels["postcode"], rows=row_numbers(df, unknown),
                              values=list(df.loc[unknown, "postcode"].head(5)),
                              expected="a French postcode (its first digits name a département: 01-95, 2A/2B "
                                       "through 20xxx, 971-976, 975/977/978, 986-988)")
        dep = dep.fillna(from_pc)
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
        },
        index=df.index,
    )
    out = _dedupe(out, shown, labels)
    if kinds is not None:
        unknown_k = [k for k in kinds if k not in KINDS]
        if unknown_k:
            from ..errors import ParameterError

            raise ParameterError(f"Unknown SIAE kind(s) {unknown_k}; allowed: {', '.join(KINDS)}.")
        out = out[out["kind"].isin(list(kinds)).to_numpy(bool)]
    return out.reset_index(drop=True)


def _dedupe(out: pd.DataFrame, path, labels) -> pd.DataFrame:
    dup = out.duplicated(subset=["siret", "kind"], keep=False).to_numpy()
    if not dup.any():
        return out
    exact = out.astype("string").fillna("").duplicated(keep="first").to_numpy()
    differing = dup & ~out.astype("string").fillna("").duplicated(keep=False).to_numpy()
    if differing.any():
        keys = out.set_index(["siret", "kind"]).index
        mask = keys.isin(keys[differing])
        vals = [tuple(r) for r in out.loc[mask, ["siret", "kind"]].head(5).itertuples(index=False)]
        raise SchemaError(path=path, column=f"{labels.get('siret', 'siret')}, {labels.get('kind', 'kind')}",
                          rows=row_numbers(out, mask), values=vals,
                          expected="one row per (siret, kind) — these repeated rows differ (name, address or place)")
    warnings.warn(
        f"Dropped {int(exact.sum())} repeated row(s) of file '{path}' with the same (siret, kind) and identical "
        "content (a structure listed once per convention or per page).", RepairWarning, stacklevel=3)
    return out[~exact]
