"""DECP: essential data of public procurement (données essentielles de la commande publique).

Formats read
------------
* **JSON, 2019 format** (arrêtés of 14 April 2017 / 22 March 2019): ``{"marches": [...]}``;
  holders ``titulaires: [{"typeIdentifiant", "id", "denominationSociale"}]``; no social
  considerations. **JSON, 2022 format** (arrêté of 22 December 2022, schema
  ``139bercy/format-commande-publique`` v2.0.x): ``{"marches": {"marche": [...],
  "contrat-concession": [...]}}``; holders ``[{"titulaire": {...}}]``;
  ``considerationsSociales: {"considerationSociale": [...]}``. A bare list of awards and a
  ZIP holding one JSON file are accepted. Concessions are skipped. JSON reads are bounded
  (``max_bytes``, default 1.5 GB: use the decp.info Parquet or a monthly file beyond).
* **decp.info tabular CSV / Parquet** (« format tabulaire », ``ColinMaudry/decp-processing``,
  ``reference/schema_base.json``; 58 columns ``uid, id, nature, acheteur_id, …,
  modification_id, donneesActuelles, sourceDataset, sourceFile``): one row per award ×
  holder × version. ``uid`` (= ``acheteur_id`` + ``id``) is not used as the key (its form
  changed in 2026); list fields are joined with ", "; "Sans objet" means none. Only the
  needed columns are read from the Parquet file.
* **Older flat CSV**: holders in ``titulaire_id_1`` .. ``titulaire_id_N`` (with optional
  ``titulaire_typeIdentifiant_k``) or in a ``titulaires`` cell holding a JSON-like list.

Semantics (one contract, documented)
------------------------------------
* **Award key**: (buyer SIRET ``acheteur.id``, ``id``).
* **Versions**: an award is read at its *current* version. JSON: the ``modifications`` are
  applied in the order of their ``id`` (2022) or of the list (2019); a modification's
  ``montant`` is the new amount and its ``titulaires`` the new holders (2022 schema:
  « Nouveau montant », « Liste des titulaires après la modification »). Tabular: rows with
  ``donneesActuelles = true`` (else the rows of the highest ``modification_id``); the other
  versions are *not* extra holders. The notification date stays the initial one.
* **Holders**: rows of one award version (tabular, one row per holder) are grouped; the
  ``montant`` repeated on each row is the award's amount (``amounts="award"``, default:
  rows of one version that disagree on it are refused, naming rows and values) or, with
  ``amounts="per_holder"``, each row's own amount (award amount = their sum, shares
  pro rata). Otherwise the award amount is split among its n holders by ``split``:
  ``"equal"`` (default) ``1/n`` each — total preserved, independent of the listing order;
  ``"first"`` all to the first-listed holder (the mandataire); ``"full"`` the full amount
  to each (totals over holders then exceed the amount awarded). Holders identified
  otherwise than by SIRET (TVA, HORS-UE, TAHITI, RIDET…) keep their share with
  ``holder_siret`` NA. A holder typed SIRET with no or an invalid identifier is an error
  (``on_invalid="raise"``) or kept as NA with a counted RepairWarning (``"drop"``).
* **Social considerations**: parsed as a vocabulary, item by item ("Clause sociale",
  "Critère social", "Marché réservé"; "Pas de considération sociale", "Sans objet",
  "Aucune" = none; a negated item such as "Pas de clause sociale" = none, never the flag).
  An unknown item, or "none" next to a positive item, is an error. Absent field
  (2019 format) = NA flags.
* **Duplicates** (same buyer and id): copies identical on the fields read (amount, date,
  holders as a set, social considerations) are one award republished — kept once, counted
  in a RepairWarning; copies that differ are an error (``"drop"``: left out, counted).

Checks: buyer SIRET (Luhn, La Poste rule; typed sources losing leading zeros are padded with
a warning), ``montant`` a non-negative number (JSON numbers typed; one unambiguous parser
for CSV), ``dateNotification`` a date in 1990..2035 (missing: error, or left out and counted
with ``on_invalid="drop"``). Row numbers in messages are file lines (CSV), record numbers
(Parquet) or the 1-based award rank in the JSON list.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, RepairWarning, SchemaError, check_choice
from ..vocabulary import normalise_text, valid_siret_array
from . import codes
from .common import MAX_JSON_BYTES, check_data_file, normalise_header, read_json_document, read_table, row_numbers
from .schema import Column, Schema, parse_bool, try_parse_dates

__all__ = ["load_decp", "aggregate_by_siret_year", "SOCIAL_VALUES", "SCHEMA", "SCHEMA_VERSION", "DECP_INFO_COLUMNS"]

SCHEMA_VERSION = "decp-2019+2022-json (format-commande-publique v2.0.3) / decp.info tabular (schema_base 2026-03-19)"

SOCIAL_VALUES = ("Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale")

#: Columns of the decp.info tabular files, in order (decp-processing reference/schema_base.json, 2026-03-19).
DECP_INFO_COLUMNS = (
    "uid,id,nature,acheteur_id,acheteur_nom,titulaire_id,titulaire_typeIdentifiant,titulaire_nom,objet,montant,type,"
    "codeCPV,procedure,techniques,dureeMois,dureeRestanteMois,offresRecues,dateNotification,datePublicationDonnees,"
    "formePrix,typesPrix,attributionAvance,tauxAvance,marcheInnovant,modalitesExecution,considerationsSociales,"
    "considerationsEnvironnementales,ccag,sousTraitanceDeclaree,typeGroupementOperateurs,origineUE,origineFrance,"
    "lieuExecution_code,lieuExecution_typeCode,idAccordCadre,titulaire_distance,acheteur_categorie,"
    "acheteur_commune_code,acheteur_commune_nom,acheteur_departement_code,acheteur_departement_nom,"
    "acheteur_region_code,acheteur_region_nom,acheteur_latitude,acheteur_longitude,titulaire_categorie,"
    "titulaire_commune_code,titulaire_commune_nom,titulaire_departement_code,titulaire_departement_nom,"
    "titulaire_region_code,titulaire_region_nom,titulaire_latitude,titulaire_longitude,modification_id,"
    "donneesActuelles,sourceDataset,sourceFile"
).split(",")

SCHEMA = Schema(
    "DECP awards",
    [
        Column("contract_id", "str", required=False, nullable=True,
               aliases=("id", "Identifiant", "id_marche", "idMarche")),
        Column("uid", "str", required=False, nullable=True, aliases=("uid", "uuid")),
        Column("buyer_siret", "str", nullable=True, aliases=("acheteur.id", "acheteur_id", "idAcheteur", "id_acheteur",
                                               "SIRET acheteur", "acheteur_siret")),
        Column("amount", "amount", nullable=True, unit="€ HT", aliases=("montant", "Montant", "montant_ht")),
        Column("notification_date", "str", nullable=True,
               aliases=("dateNotification", "date_notification", "Date de notification")),
        Column("social", "str", required=False, nullable=True,
               aliases=("considerationsSociales", "considerations_sociales", "considerationsSociales.considerationSociale",
                        "Considérations sociales")),
        Column("holders", "str", required=False, nullable=True, aliases=("titulaires", "Titulaires")),
        Column("holder_id", "str", required=False, nullable=True,
               aliases=("titulaire_id", "titulaire.id", "titulaires.id", "idTitulaire", "id_titulaire", "SIRET titulaire")),
        Column("holder_type", "str", required=False, nullable=True,
               aliases=("titulaire_typeIdentifiant", "titulaire.typeIdentifiant", "typeIdentifiantTitulaire",
                        "titulaire_type_identifiant")),
        Column("kind", "str", required=False, nullable=True, aliases=("_type",)),
        Column("current", "str", required=False, nullable=True, aliases=("donneesActuelles", "donnees_actuelles")),
        Column("version", "int", required=False, nullable=True, min=0,
               aliases=("modification_id", "modificationId", "id_modification")),
    ],
    source_doc="schema.data.gouv.fr 139bercy/format-commande-publique; arrêtés 22/03/2019 and 22/12/2022; "
               "decp.info tabular (ColinMaudry/decp-processing reference/schema_base.json)",
    version=SCHEMA_VERSION,
)

_HOLDER_COL = re.compile(r"^titulaire_?id_?(\d+)$")
_HOLDER_TYPE_COL = re.compile(r"^titulaire_?typeidentifiant_?(\d+)$")
_NEEDED = {normalise_header(a) for c in SCHEMA.columns for a in (c.name, *c.aliases)}


def _wanted(header: str) -> bool:
    h = normalise_header(header)
    return h in _NEEDED or bool(_HOLDER_COL.match(h) or _HOLDER_TYPE_COL.match(h))


# --------------------------------------------------------------------------- social considerations

_SOCIAL = {
    "clause_sociale": "clause", "clauses_sociales": "clause",
    "critere_social": "criterion", "criteres_sociaux": "criterion",
    "marche_reserve": "reserved", "marches_reserves": "reserved",
    "pas_de_consideration_sociale": "none", "sans_objet": "none", "aucune": "none", "non": "none",
    "aucune_consideration_sociale": "none", "sans_consideration_sociale": "none", "neant": "none",
}
_NEGATION = re.compile(r"^(?:pas_de|pas_d|sans|aucune|aucun|non|hors)_(.+)$")


def _social_items(value: str) -> list[str]:
    txt = value.strip()
    if txt.startswith("["):
        for parse in (json.loads, ast.literal_eval):
            try:
                obj = parse(txt)
            except (ValueError, SyntaxError):
                continue
            if isinstance(obj, list):
                return [str(v) for v in obj]
    return [p for p in re.split(r"[|;,]", txt) if p.strip()]


def _social_kind(item: str) -> str | None:
    key = normalise_text(item)
    if key in _SOCIAL:
        return _SOCIAL[key]
    m = _NEGATION.match(key)
    if m and (m.group(1) in _SOCIAL or m.group(1) in ("consideration_sociale", "considerations_sociales")):
        return "none"  # "Pas de clause sociale", "Non - marché réservé": a negation is never the flag
    return None


def social_flags(s: pd.Series, path, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(clause, reserved market, criterion) flags of social-consideration cells, parsed as a vocabulary."""
    n = len(s)
    out = {k: np.zeros(n, dtype=bool) for k in ("clause", "reserved", "criterion")}
    bad = np.zeros(n, dtype=bool)
    cache: dict[str, set | None] = {}
    for i, v in enumerate(s.to_numpy(dtype=object)):
        if not isinstance(v, str) or not v.strip():
            continue
        if v not in cache:
            kinds = {_social_kind(it) for it in _social_items(v)}
            cache[v] = None if (None in kinds or ("none" in kinds and len(kinds) > 1)) else kinds
        kinds = cache[v]
        if kinds is None:
            bad[i] = True
            continue
        for k in kinds - {"none"}:
            out[k][i] = True
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(s, bad), values=list(s[bad].head(5)),
            expected="social considerations among " + ", ".join(repr(v) for v in SOCIAL_VALUES)
            + " (or 'Sans objet'; a negated item means none; 'none' next to a positive item is contradictory)",
        )
    idx = s.index
    return pd.Series(out["clause"], index=idx), pd.Series(out["reserved"], index=idx), pd.Series(out["criterion"], index=idx)


# --------------------------------------------------------------------------- JSON


def _holder_list(holders, repaired: list | None = None) -> list[tuple[str, str | None]]:
    if isinstance(holders, dict):
        holders = holders.get("titulaire", [holders])
        holders = [holders] if isinstance(holders, dict) else holders
    out = []
    for h in holders or []:
        if isinstance(h, dict) and isinstance(h.get("titulaire"), dict):
            h = h["titulaire"]
        if isinstance(h, dict):
            hid = h.get("id")
            hid = None if hid is None or (isinstance(hid, str) and not hid.strip()) else _json_id(hid, repaired)
            out.append((str(h.get("typeIdentifiant") or "SIRET"), hid))
        elif h is not None:
            out.append(("SIRET", str(h)))
    return out


def _json_id(v, repaired: list | None = None) -> str:
    """An identifier read from JSON: a number (SIRET written 1234567800012) gets its leading zeros back
    (appended to ``repaired`` for the counted RepairWarning)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)) and float(v).is_integer():
        text = str(int(v))
        if len(text) < 14:
            if repaired is not None:
                repaired.append(f"{v!r} -> {text.zfill(14)!r}")
            return text.zfill(14)
        return text
    return str(v).strip()


def _current_version(m: dict) -> tuple[object, object, int]:
    """(amount, holders) after applying the modifications in order; number of modifications applied."""
    amount, holders = m.get("montant"), m.get("titulaires")
    mods = m.get("modifications") or []
    items = [mo.get("modification", mo) if isinstance(mo, dict) else None for mo in mods]
    items = [mo for mo in items if isinstance(mo, dict)]
    if items and all(isinstance(mo.get("id"), (int, float)) or str(mo.get("id", "")).isdigit() for mo in items):
        items = sorted(items, key=lambda mo: int(mo["id"]))
    for mo in items:
        if mo.get("montant") is not None:
            amount = mo["montant"]
        if mo.get("titulaires"):
            holders = mo["titulaires"]
    return amount, holders, len(items)


def _json_records(path: Path, max_bytes: int) -> pd.DataFrame:
    doc = read_json_document(path, max_bytes=max_bytes)
    repaired: list[str] = []
    marches = doc.get("marches", doc) if isinstance(doc, dict) else doc
    if isinstance(marches, dict):
        marches = marches.get("marche", marches.get("marches"))
    if not isinstance(marches, list):
        raise SchemaError(
            f"File '{path}', column 'marches': expected a list of awards under the key 'marches' "
            f"(or 'marches.marche'); found keys {sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__} "
            f"(schema_version {SCHEMA_VERSION!r}).",
            path=str(path), column="marches", expected="a 'marches' list",
        )
    rows = []
    for i, m in enumerate(marches, start=1):
        if not isinstance(m, dict):
            raise SchemaError(path=path, column="marches", rows=[i], values=[m], expected="an award object")
        if str(m.get("_type", "")).lower().startswith("contrat de concession") or "concessionnaires" in m:
            continue
        buyer = m.get("acheteur")
        buyer_id = buyer.get("id") if isinstance(buyer, dict) else m.get("acheteur.id", buyer)
        social = m.get("considerationsSociales")
        if isinstance(social, dict):
            social = social.get("considerationSociale")
        if isinstance(social, str):
            social = [social]
        amount, holders, _ = _current_version(m)
        rows.append(
            {
                "id": None if m.get("id") is None else str(m.get("id")),
                "acheteur.id": None if buyer_id is None else _json_id(buyer_id, repaired),
                "montant": None if amount is None else (repr(amount) if isinstance(amount, float) else str(amount)),
                "dateNotification": m.get("dateNotification"),
                "considerationsSociales": None if social is None else "|".join(str(s) for s in social),
                "_holders": _holder_list(holders, repaired),
                "_line": i,
            }
        )
    if not rows:
        raise InputFileError(f"File '{path}': the 'marches' list holds no public-procurement award (no data rows).")
    if repaired:
        warnings.warn(
            f"Repaired {len(repaired)} SIRET(s) of file '{path}' (columns 'acheteur.id' / 'titulaires.id') written "
            f"as JSON numbers by restoring their leading zeros (14 digits), e.g. {repaired[0]}.",
            RepairWarning, stacklevel=3)
    df = pd.DataFrame(rows)
    df.index = pd.Index(df.pop("_line").to_numpy(), name="line")
    if not any("considerationsSociales" in m for m in marches if isinstance(m, dict)):
        df = df.drop(columns=["considerationsSociales"])
    return df


# --------------------------------------------------------------------------- CSV holders


def _parse_holder_cell(val) -> list[tuple[str, str | None]]:
    if not isinstance(val, str) or not val.strip():
        return []
    txt = val.strip()
    obj = None
    for parse in (json.loads, ast.literal_eval):
        try:
            obj = parse(txt)
            break
        except (ValueError, SyntaxError):
            continue
    if isinstance(obj, (dict, list)):
        return _holder_list(obj)
    return [("SIRET", p.strip()) for p in re.split(r"[|;,]", txt) if p.strip()]


def _wide_holders(raw: pd.DataFrame) -> pd.Series | None:
    cols, types = {}, {}
    for c in raw.columns:
        h = normalise_header(c)
        m = _HOLDER_COL.match(h)
        if m:
            cols[int(m.group(1))] = c
        m = _HOLDER_TYPE_COL.match(h)
        if m:
            types[int(m.group(1))] = c
    if not cols:
        return None
    order = sorted(cols)
    ids = raw[[cols[k] for k in order]].to_numpy(dtype=object, na_value=None)
    typ = [raw[types[k]].to_numpy(dtype=object, na_value=None) if k in types else None for k in order]
    out = []
    for i in range(len(raw)):
        hl = []
        for j in range(len(order)):
            v = ids[i, j]
            t = typ[j][i] if typ[j] is not None else None
            if isinstance(v, str) and v.strip():
                hl.append((t if isinstance(t, str) and t else "SIRET", v.strip()))
            elif isinstance(t, str) and t.strip():
                hl.append((t, None))  # a holder whose identifier is missing
        out.append(hl)
    return pd.Series(out, index=raw.index, dtype="object")


# --------------------------------------------------------------------------- main


def _drop_warning(path, n: int, what: str, examples) -> None:
    if n:
        ex = ", ".join(repr(e) for e in list(examples)[:3])
        warnings.warn(f"File '{path}': {what}: {n} (e.g. {ex}); on_invalid='drop'.", RepairWarning, stacklevel=4)


def load_decp(path, *, split: str = "equal", amounts: str = "award", on_invalid: str = "raise",
              sheet: str | None = None, max_bytes: int = MAX_JSON_BYTES) -> pd.DataFrame:
    """Read DECP awards (JSON 2019/2022, decp.info CSV/Parquet, flat CSV) as one row per (award, holder).

    Columns: ``contract_id``, ``buyer_siret``, ``holder_siret``, ``amount_eur``
    (share of the award amount credited to that holder, euros excl. VAT),
    ``holder_share``, ``notification_date``, ``year``, ``social_clause``,
    ``reserved_market`` (bool), plus ``award_amount_eur``, ``social_criterion``
    and ``n_holders``. See the module docstring for versions, holders, ``split``,
    ``amounts`` and ``on_invalid`` (``"raise"``: every problem is a SchemaError naming the
    file, the column as written and the values; ``"drop"``: awards with an invalid buyer
    SIRET, no usable notification date or conflicting copies are left out, holders with a
    missing or invalid SIRET kept as NA — each counted in a RepairWarning).
    """
    check_choice("split", split, ["equal", "first", "full"])
    check_choice("amounts", amounts, ["award", "per_holder"])
    check_choice("on_invalid", on_invalid, ["raise", "drop"])
    path = Path(path)
    check_data_file(path)
    is_json = path.suffix.lower() == ".json"
    if not is_json:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        is_json = head[:1] in (b"{", b"[") or (head[:2] == b"PK" and _zip_holds_json(path))
    if is_json:
        raw = _json_records(path, max_bytes)
        holders, info, layout = raw.pop("_holders"), None, "json"
    else:
        raw, info = read_table(path, sheet=sheet, columns=_wanted)
        holders = _wide_holders(raw)
        layout = "wide" if holders is not None else None
    labels = SCHEMA.source_headers(raw)
    renamed = SCHEMA.rename(raw, path, header=None if info is None else info.header)
    if "contract_id" not in renamed.columns and "uid" not in renamed.columns:
        raise SchemaError(
            f"File '{path}': missing required column 'id' (award identifier; accepts headers 'id', 'Identifiant', "
            f"'id_marche', or 'uid') for the DECP awards schema (schema_version {SCHEMA_VERSION!r}); found columns: "
            f"{', '.join(repr(c) for c in raw.columns)}.", path=str(path), column="id", expected="an award id column")
    df = SCHEMA.validate(raw, path, decimal="dot" if is_json else "auto", info=info)
    if "contract_id" not in renamed.columns:
        df["contract_id"] = df["uid"]
    types = {} if info is None else info.source_types
    numeric = lambda name: types.get(labels.get(name, ""), "text") in ("int", "float", "mixed")  # noqa: E731
    if layout is None:
        if "holders" in renamed.columns:
            holders, layout = df["holders"].map(_parse_holder_cell), "list"
        elif "holder_id" in renamed.columns:
            htype = df["holder_type"] if "holder_type" in renamed.columns else pd.Series(None, index=df.index, dtype="object")
            holders = pd.Series(
                [[(t if isinstance(t, str) and t else "SIRET", h if isinstance(h, str) and h else None)]
                 for h, t in zip(df["holder_id"], htype)],
                index=df.index, dtype="object",
            )
            layout = "rows"
        else:
            raise SchemaError(
                f"File '{path}': missing holder column(s) for the DECP schema (column 'titulaires' with a list, "
                f"'titulaire_id_1'..'titulaire_id_N' or 'titulaire_id'; schema_version {SCHEMA_VERSION!r}); "
                f"found columns: {', '.join(repr(c) for c in raw.columns)}.",
                path=str(path), column="titulaires", values=list(raw.columns), expected="a holder column",
            )
    df["_holders"] = holders
    kind = df["kind"].astype("string").str.lower()
    df = df[~kind.str.startswith("contrat de concession").fillna(False).to_numpy(bool)]
    df = _check_buyers(df, labels, path, on_invalid, numeric("buyer_siret"))
    df = _current_versions(df, renamed, labels, path, on_invalid)
    if layout == "rows":
        df = _group_holder_rows(df, labels, path, amounts)
    else:
        df["_amount_rows"] = None
    df = _check_dates(df, labels, path, on_invalid)
    if "social" in renamed.columns:
        clause, reserved, criterion = social_flags(df["social"], path, labels.get("social", "considerationsSociales"))
    else:
        clause = reserved = criterion = pd.Series(pd.NA, index=df.index, dtype="boolean")
    awards = pd.DataFrame(
        {
            "contract_id": df["contract_id"].astype("string"),
            "buyer_siret": df["buyer_siret"].astype("string"),
            "award_amount_eur": df["amount"].astype("float64"),
            "notification_date": df["notification_date"],
            "year": df["notification_date"].dt.year.astype("Int64"),
            "social_clause": clause.astype("boolean"),
            "reserved_market": reserved.astype("boolean"),
            "social_criterion": criterion.astype("boolean"),
            "_holders": df["_holders"].map(tuple),
            "_amount_rows": df["_amount_rows"],
        },
        index=df.index,
    )
    awards = _dedupe(awards, path, on_invalid, labels)
    return _explode(awards, split, path, on_invalid, numeric("holder_id"), labels)


def _zip_holds_json(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower().endswith(".json") for n in zf.namelist())
    except zipfile.BadZipFile:
        return False


def _check_buyers(df: pd.DataFrame, labels, path, on_invalid: str, numeric: bool) -> pd.DataFrame:
    """Buyer SIRETs: padded back when stored as numbers; invalid ones refused or left out (counted)."""
    col = labels.get("buyer_siret", "acheteur.id")
    s = df["buyer_siret"].astype("string").str.replace(r"[\s\u00a0]", "", regex=True)
    if numeric:
        s = codes.pad_numeric_ids(s, 14, path, col, "SIRET")
    bad = ~valid_siret_array(s.to_numpy(dtype=object, na_value=None))
    df = df.assign(buyer_siret=s)
    if bad.any():
        shown = ["" if pd.isna(v) else v for v in df.loc[bad, "buyer_siret"].head(5)]
        if on_invalid == "raise":
            raise SchemaError(path=path, column=col, rows=row_numbers(df, bad), values=shown,
                              expected="a 14-digit buyer SIRET with a valid Luhn check digit (pass on_invalid='drop' "
                                       "to leave such awards out, counted)")
        _drop_warning(path, int(bad.sum()), f"awards with a missing or invalid buyer SIRET ('{col}') left out", shown)
        df = df[~bad]
    return df


def _current_versions(df: pd.DataFrame, renamed, labels, path, on_invalid: str) -> pd.DataFrame:
    """Rows of the current version of each award (tabular layouts with versions)."""
    key = [df["buyer_siret"].fillna(""), df["contract_id"].fillna("")]
    if "current" in renamed.columns:
        cur = parse_bool(df["current"], path, labels.get("current", "donneesActuelles")).fillna(False).astype(bool)
        has_current = cur.groupby(key).transform("any").to_numpy(bool)
        orphan = ~has_current
        if orphan.any():
            vals = list(zip(df.loc[orphan, "buyer_siret"], df.loc[orphan, "contract_id"]))[:5]
            if on_invalid == "raise":
                raise SchemaError(
                    path=path, column=labels.get("current", "donneesActuelles"), rows=row_numbers(df, orphan),
                    values=vals, expected="one version marked current (true) for every award (acheteur_id, id)")
            _drop_warning(path, int(orphan.sum()), "rows of awards without a current version left out", vals)
        return df[cur.to_numpy(bool)]
    if "version" in renamed.columns:
        v = df["version"].astype("Float64").fillna(-1)
        latest = v.groupby(key).transform("max")
        return df[(v == latest).to_numpy(bool)]
    return df


def _group_holder_rows(df: pd.DataFrame, labels, path, amounts: str) -> pd.DataFrame:
    """One row per (award, holder) -> one row per award with the list of holders (current version)."""
    key = [df["buyer_siret"].fillna(""), df["contract_id"].fillna("")]
    amount = df["amount"].astype("float64")
    if amounts == "award":
        spread = amount.groupby(key).transform(lambda s: s.nunique(dropna=False)).to_numpy()
        bad = spread > 1
        if bad.any():
            col = labels.get("amount", "montant")
            vals = [(b, c, a) for b, c, a in zip(df.loc[bad, "buyer_siret"], df.loc[bad, "contract_id"],
                                                  df.loc[bad, "amount"])][:5]
            raise SchemaError(
                path=path, column=col, rows=row_numbers(df, bad), values=vals,
                expected="the award's amount repeated on each holder row of one version (decp.info); these rows "
                         "of one award disagree — pass amounts='per_holder' if each row holds its holder's amount")
    for c in ("notification_date", "social"):
        spread = df[c].astype("string").fillna("").groupby(key).transform("nunique").to_numpy()
        bad = spread > 1
        if bad.any():
            raise SchemaError(path=path, column=labels.get(c, c), rows=row_numbers(df, bad),
                              values=list(df.loc[bad, c].astype("string").head(5)),
                              expected="one value per award on its holder rows")
    g = df.groupby(key, sort=False)
    first = ~df.duplicated(subset=["buyer_siret", "contract_id"], keep="first").to_numpy()
    out = df[first].copy()
    hl = g["_holders"].agg(lambda s: [h for x in s for h in x])
    amt = g["amount"].agg(lambda s: list(s.astype("float64")))
    keys = list(zip(out["buyer_siret"].fillna(""), out["contract_id"].fillna("")))
    out["_holders"] = [hl.loc[k] for k in keys]
    if amounts == "per_holder":
        per = [amt.loc[k] for k in keys]
        out["_amount_rows"] = per
        out["amount"] = [float(np.nansum(p)) if not all(pd.isna(x) for x in p) else np.nan for p in per]
    else:
        out["_amount_rows"] = None
    return out


def _check_dates(df: pd.DataFrame, labels, path, on_invalid: str) -> pd.DataFrame:
    """Notification dates parsed; missing, unreadable or outside 1990..2035: error or left out (counted)."""
    col = labels.get("notification_date", "dateNotification")
    raw = df["notification_date"]
    parsed, unreadable = try_parse_dates(raw)
    year = parsed.dt.year
    bad = parsed.isna().to_numpy() | unreadable | ((year < 1990) | (year > 2035)).fillna(False).to_numpy()
    if bad.any():
        vals = ["" if pd.isna(v) else v for v in raw[bad].head(5)]
        if on_invalid == "raise":
            raise SchemaError(
                path=path, column=col, rows=row_numbers(df, bad), values=vals,
                expected="a notification date (YYYY-MM-DD) between 1990 and 2035 for every award (an award without "
                         "one cannot be placed in a year; pass on_invalid='drop' to leave such awards out, counted)")
        _drop_warning(path, int(bad.sum()), f"awards without a usable '{col}' left out", vals)
    return df.assign(notification_date=parsed)[~bad]


def _holder_key(hl) -> tuple:
    return tuple(sorted((str(t), str(i)) for t, i in hl))


def _dedupe(awards: pd.DataFrame, path, on_invalid: str, labels) -> pd.DataFrame:
    key = ["buyer_siret", "contract_id"]
    dup_any = awards.duplicated(subset=key, keep=False).to_numpy()
    if not dup_any.any():
        return awards
    content = awards.assign(_holders=awards["_holders"].map(_holder_key).astype("string"),
                            _amount_rows=awards["_amount_rows"].astype("string"))
    exact = content.duplicated(keep="first").to_numpy()
    differing = dup_any & ~content.duplicated(keep=False).to_numpy()
    keys = awards.set_index(key).index
    conflicting = keys.isin(keys[differing])
    if conflicting.any():
        vals = [tuple(r) for r in awards.loc[conflicting, key].head(5).itertuples(index=False)]
        col = ", ".join(labels.get(k, k) for k in key)
        if on_invalid == "raise":
            raise SchemaError(
                path=path, column=col, rows=row_numbers(awards, conflicting), values=vals,
                expected="one award per (buyer, id): these copies differ in amount, date, holders or social "
                         "considerations (pass on_invalid='drop' to leave them out, counted)")
        _drop_warning(path, int(len(set(map(tuple, awards.loc[conflicting, key].to_numpy())))),
                      "awards whose copies conflict left out", vals)
    n = int((exact & ~conflicting).sum())
    if n:
        warnings.warn(
            f"Dropped {n} exact duplicate award(s) in file '{path}' (same acheteur.id and id, identical content: "
            "one award republished).", RepairWarning, stacklevel=3)
    return awards[~exact & ~conflicting]


def _explode(awards: pd.DataFrame, split: str, path, on_invalid: str, holder_numeric: bool, labels) -> pd.DataFrame:
    lens = awards["_holders"].map(len).to_numpy()
    reps = np.maximum(lens, 1)
    base = awards.loc[awards.index.repeat(reps)]
    lines = np.repeat(np.asarray(awards.index), reps)
    pos = np.concatenate([np.arange(r) for r in reps]) if len(reps) else np.array([], dtype=int)
    n_holders = np.repeat(lens, reps)
    ids, types, row_amounts = [], [], []
    for hl, r, am in zip(awards["_holders"], reps, awards["_amount_rows"]):
        if not hl:
            ids.append(None)
            types.append(None)
        for t, i in hl:
            ids.append(i)
            types.append(t)
        row_amounts.extend(am if isinstance(am, list) and len(am) == len(hl) else [np.nan] * r)
    col = labels.get("holder_id", "titulaires.id")
    ids_s = pd.Series(ids, dtype="string").str.replace(r"[\s\u00a0]", "", regex=True)
    types_s = pd.Series(types, dtype="string")
    is_siret = (types_s.fillna("SIRET").str.upper().str.replace(r"[^A-Z]", "", regex=True).eq("SIRET")
                & pd.Series(n_holders > 0)).to_numpy(bool)
    if holder_numeric:
        ids_s = ids_s.where(~pd.Series(is_siret), codes.pad_numeric_ids(ids_s, 14, path, col, "SIRET"))
    valid = valid_siret_array(ids_s.to_numpy(dtype=object, na_value=None))
    bad = is_siret & ~valid
    if bad.any():
        shown = ["" if pd.isna(v) else v for v in ids_s[bad].head(5)]
        if on_invalid == "raise":
            raise SchemaError(
                path=path, column=col, rows=list(lines[bad][:50]), values=shown,
                expected="a 14-digit SIRET with a valid Luhn check digit for every holder identified by SIRET "
                         "(empty = holder without identifier; pass on_invalid='drop' to keep such holders as NA, "
                         "counted)")
        _drop_warning(path, int(bad.sum()), "holders typed SIRET with a missing or invalid identifier kept as NA",
                      shown)
    siret = ids_s.where(pd.Series(is_siret & valid), pd.NA)
    award = base["award_amount_eur"].to_numpy(dtype="float64")
    if split == "equal":
        share = np.where(n_holders > 0, 1.0 / np.maximum(n_holders, 1), 1.0)
    elif split == "first":
        share = np.where(pos == 0, 1.0, 0.0)
    else:
        share = np.ones(len(base))
    per_row = np.asarray(row_amounts, dtype="float64")
    has_rows = ~np.isnan(per_row)
    if has_rows.any():  # amounts="per_holder": each holder's own amount
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(has_rows, per_row / award, share)
    out = pd.DataFrame(
        {
            "contract_id": base["contract_id"].to_numpy(),
            "buyer_siret": base["buyer_siret"].to_numpy(),
            "holder_siret": siret.to_numpy(),
            "amount_eur": np.where(has_rows, per_row, award * share),
            "holder_share": share,
            "notification_date": base["notification_date"].to_numpy(),
            "year": base["year"].to_numpy(),
            "social_clause": base["social_clause"].to_numpy(),
            "reserved_market": base["reserved_market"].to_numpy(),
            "award_amount_eur": award,
            "social_criterion": base["social_criterion"].to_numpy(),
            "n_holders": n_holders,
        }
    )
    return out.astype({"contract_id": "string", "buyer_siret": "string", "holder_siret": "string", "year": "Int64",
                       "social_clause": "boolean", "reserved_market": "boolean", "social_criterion": "boolean",
                       "n_holders": "int64"})


def aggregate_by_siret_year(awards: pd.DataFrame) -> pd.DataFrame:
    """Per holder SIRET and notification year: reserved-market euros, social-clause contracts, contracts, euros.

    ``reserved_market_eur`` and ``amount_eur`` sum the holder's credited
    amounts (see the split rule); ``contracts`` and
    ``social_clause_contracts`` count distinct awards (buyer, id). Rows
    without a holder SIRET are left out; unknown social flags count as False.
    """
    a = awards[awards["holder_siret"].notna()].copy()
    a["_award"] = a["buyer_siret"].astype("string").fillna("") + "|" + a["contract_id"].astype("string").fillna("")
    reserved = a["reserved_market"].fillna(False).astype(bool)
    clause = a["social_clause"].fillna(False).astype(bool)
    a["_reserved_eur"] = a["amount_eur"].where(reserved, 0.0)
    a["_clause_award"] = a["_award"].where(clause)
    g = a.groupby(["holder_siret", "year"], sort=True)
    out = pd.DataFrame(
        {
            "reserved_market_eur": g["_reserved_eur"].sum(min_count=1).fillna(0.0),
            "social_clause_contracts": g["_clause_award"].nunique(),
            "contracts": g["_award"].nunique(),
            "amount_eur": g["amount_eur"].sum(min_count=1),
        }
    ).reset_index().rename(columns={"holder_siret": "siret"})
    return out.astype({"siret": "string", "year": "Int64", "social_clause_contracts": "int64", "contracts": "int64"})
