"""DECP: essential data of public procurement (données essentielles de la commande publique).

Sources and formats:

* JSON per the arrêtés of 14 April 2017 / 22 March 2019 (schema
  "marches publics" on schema.data.gouv.fr, consolidated by data.gouv.fr
  "decp") and of 22 December 2022 (format applicable from 1 January 2024):
  ``{"marches": [ ... ]}`` or ``{"marches": {"marche": [ ... ]}}`` (a bare
  list is also accepted). Fields used per award: ``id``, ``acheteur.id``
  (buyer SIRET), ``titulaires`` (list of ``{"typeIdentifiant", "id"}``,
  possibly wrapped as ``{"titulaire": {...}}``), ``montant`` (euros excl.
  VAT, a JSON number), ``dateNotification`` (ISO date),
  ``considerationsSociales`` (2022 format: list — or
  ``{"considerationSociale": [...]}`` — of "Clause sociale", "Critère
  social", "Marché réservé", "Pas de considération sociale"). Other fields
  (``ccag``, ``typesPrix``, ``marcheInnovant``, modifications...) are
  ignored. Concession contracts (``_type`` "Contrat de concession") are
  skipped.
* Flat CSV of the consolidated tabular DECP: one row per award with columns
  ``id``, ``acheteur.id``/``acheteur_id``, ``montant``, ``dateNotification``,
  ``considerationsSociales`` (comma-, pipe- or list-formatted) and holders in
  ``titulaire_id_1`` .. ``titulaire_id_N`` (with optional
  ``titulaire_typeIdentifiant_k``) or in a ``titulaires`` cell holding a
  JSON-like list; or one row per (award, holder) with a single
  ``titulaire_id`` column (rows of the same award are grouped).

Multi-holder awards (groupements): DECP publishes one amount per award with
no breakdown among co-contractors. ``split="equal"`` (default) gives each
of the n holders ``holder_share = 1/n`` and ``amount_eur = montant / n``:
it preserves the total, and does not depend on the (arbitrary) order of
listing. ``split="first"`` credits the whole amount to the first-listed
holder (usually the mandataire; others get share 0); ``split="full"``
credits every holder with the full amount (share 1: totals over holders
then exceed the amount awarded). Holders identified otherwise than by SIRET
(TVA, HORS-UE...) keep their share with ``holder_siret`` NA.

Checks: buyer and holder SIRETs are Luhn-checked (La Poste exception);
``montant`` must be a non-negative number (decimal comma allowed in CSV,
an error in JSON where numbers are typed); ``dateNotification`` must be a
date in 1990..2035; social considerations must be among the values above.
Duplicated awards (same buyer and ``id``): exact copies are dropped with a
RepairWarning counting them; conflicting copies raise SchemaError.

Row numbers in messages are file line numbers for CSV and the 1-based award
rank in the ``marches`` list for JSON.
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
from . import codes
from .common import normalise_header, read_table, row_numbers
from .schema import Column, Schema

__all__ = ["load_decp", "aggregate_by_siret_year", "SOCIAL_VALUES", "SCHEMA"]

SOCIAL_VALUES = ("Clause sociale", "Critère social", "Marché réservé", "Pas de considération sociale")

SCHEMA = Schema(
    "DECP awards",
    [
        Column("contract_id", "str", aliases=("id", "Identifiant", "id_marche", "idMarche", "uid")),
        Column("buyer_siret", "siret", aliases=("acheteur.id", "acheteur_id", "idAcheteur", "id_acheteur",
                                               "SIRET acheteur", "acheteur_siret")),
        Column("amount", "amount", nullable=True, unit="€ HT", aliases=("montant", "Montant", "montant_ht")),
        Column("notification_date", "date", aliases=("dateNotification", "date_notification", "Date de notification")),
        Column("social", "str", required=False, nullable=True,
               aliases=("considerationsSociales", "considerations_sociales", "considerationsSociales.considerationSociale",
                        "Considérations sociales")),
        Column("holders", "str", required=False, nullable=True, aliases=("titulaires", "Titulaires")),
        Column("holder_id", "str", required=False, nullable=True,
               aliases=("titulaire_id", "titulaire.id", "titulaires.id", "idTitulaire", "id_titulaire", "SIRET titulaire")),
        Column("holder_type", "str", required=False, nullable=True,
               aliases=("titulaire_typeIdentifiant", "titulaire.typeIdentifiant", "typeIdentifiantTitulaire",
                        "titulaire_type_identifiant")),
        Column("kind", "str", required=False, nullable=True, aliases=("_type", "type")),
    ],
    source_doc="schema.data.gouv.fr 139bercy/format-commande-publique; arrêtés 22/03/2019 and 22/12/2022",
)

_HOLDER_COL = re.compile(r"^titulaire_?id_?(\d+)$")
_HOLDER_TYPE_COL = re.compile(r"^titulaire_?typeidentifiant_?(\d+)$")


# --------------------------------------------------------------------------- JSON


def _json_records(path: Path) -> pd.DataFrame:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputFileError(f"File '{path}' cannot be read ({exc}).") from None
    if not data.strip():
        raise InputFileError(f"File '{path}': file is empty.")
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputFileError(f"File '{path}': JSON must be UTF-8 ({exc.reason} at byte {exc.start}).") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"File '{path}': invalid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
            "truncated download or hand-edited file?"
        ) from None
    marches = doc.get("marches", doc) if isinstance(doc, dict) else doc
    if isinstance(marches, dict):
        marches = marches.get("marche", marches.get("marches"))
    if not isinstance(marches, list):
        raise SchemaError(
            f"File '{path}', column 'marches': expected a list of awards under the key 'marches' "
            f"(or 'marches.marche'); found keys {sorted(doc)[:10] if isinstance(doc, dict) else type(doc).__name__}.",
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
        holders = m.get("titulaires")
        if isinstance(holders, dict):
            holders = holders.get("titulaire")
            holders = [holders] if isinstance(holders, dict) else holders
        hl = []
        for h in holders or []:
            if isinstance(h, dict) and "titulaire" in h and isinstance(h["titulaire"], dict):
                h = h["titulaire"]
            if isinstance(h, dict):
                hl.append((str(h.get("typeIdentifiant") or "SIRET"), None if h.get("id") is None else str(h.get("id"))))
        montant = m.get("montant")
        rows.append(
            {
                "id": None if m.get("id") is None else str(m.get("id")),
                "acheteur.id": None if buyer_id is None else str(buyer_id),
                "montant": None if montant is None else (repr(montant) if isinstance(montant, float) else str(montant)),
                "dateNotification": m.get("dateNotification"),
                "considerationsSociales": None if social is None else "|".join(str(s) for s in social),
                "_holders": hl,
                "_line": i,
            }
        )
    if not rows:
        raise InputFileError(f"File '{path}': the 'marches' list holds no public-procurement award (no data rows).")
    df = pd.DataFrame(rows)
    df.index = pd.Index(df.pop("_line").to_numpy(), name="line")
    has_social = any("considerationsSociales" in m for m in marches if isinstance(m, dict))
    if not has_social:
        df = df.drop(columns=["considerationsSociales"])
    return df


# --------------------------------------------------------------------------- CSV holders


def _parse_holder_cell(val) -> list[tuple[str, str | None]]:
    if not isinstance(val, str) or not val.strip():
        return []
    txt = val.strip()
    obj = None
    try:
        obj = json.loads(txt)
    except json.JSONDecodeError:
        try:
            obj = ast.literal_eval(txt)
        except (ValueError, SyntaxError):
            obj = None
    if isinstance(obj, dict):
        obj = obj.get("titulaire", [obj])
        obj = [obj] if isinstance(obj, dict) else obj
    if isinstance(obj, list):
        out = []
        for h in obj:
            if isinstance(h, dict) and "titulaire" in h:
                h = h["titulaire"]
            if isinstance(h, dict):
                out.append((str(h.get("typeIdentifiant") or "SIRET"), None if h.get("id") is None else str(h.get("id"))))
            elif h is not None:
                out.append(("SIRET", str(h)))
        return out
    return [("SIRET", p.strip()) for p in re.split(r"[|;,]", txt) if p.strip()]


def _csv_holders(raw: pd.DataFrame) -> pd.Series | None:
    cols = {}
    types = {}
    for c in raw.columns:
        h = normalise_header(c).replace("_", "")
        m = _HOLDER_COL.match(normalise_header(c)) or re.match(r"^titulaireid(\d+)$", h)
        if m:
            cols[int(m.group(1))] = c
        m = _HOLDER_TYPE_COL.match(normalise_header(c)) or re.match(r"^titulairetypeidentifiant(\d+)$", h)
        if m:
            types[int(m.group(1))] = c
    if not cols:
        return None
    order = sorted(cols)
    ids = raw[[cols[k] for k in order]]
    typ = [raw[types[k]] if k in types else None for k in order]

    def row_holders(i):
        out = []
        for j, k in enumerate(order):
            v = ids.iat[i, j]
            if isinstance(v, str) and v.strip():
                t = typ[j].iat[i] if typ[j] is not None else None
                out.append((t if isinstance(t, str) and t else "SIRET", v.strip()))
        return out

    return pd.Series([row_holders(i) for i in range(len(raw))], index=raw.index, dtype="object")


# --------------------------------------------------------------------------- social considerations


def _social_flags(s: pd.Series, path, column: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    clause = np.zeros(len(s), dtype=bool)
    reserved = np.zeros(len(s), dtype=bool)
    criterion = np.zeros(len(s), dtype=bool)
    bad = np.zeros(len(s), dtype=bool)
    for i, v in enumerate(s.to_numpy()):
        if not isinstance(v, str) or not v.strip():
            continue
        n = normalise_header(v)
        known = False
        if "clause_sociale" in n or "clauses_sociales" in n:
            clause[i] = known = True
        if "marche_reserve" in n or "marches_reserves" in n:
            reserved[i] = known = True
        if "critere_social" in n or "criteres_sociaux" in n:
            criterion[i] = known = True
        if "pas_de_consideration_sociale" in n or n in ("aucune", "non", "sans_objet"):
            known = True
        if not known:
            bad[i] = True
    if bad.any():
        raise SchemaError(
            path=path, column=column, rows=row_numbers(s, bad), values=list(s[bad].head(5)),
            expected="social considerations among " + ", ".join(repr(v) for v in SOCIAL_VALUES),
        )
    idx = s.index
    return pd.Series(clause, index=idx), pd.Series(reserved, index=idx), pd.Series(criterion, index=idx)


# --------------------------------------------------------------------------- main


def load_decp(path, *, split: str = "equal", sheet: str | None = None) -> pd.DataFrame:
    """Read DECP awards (JSON or flat CSV) as one row per (award, holder).

    Columns: ``contract_id``, ``buyer_siret``, ``holder_siret``, ``amount_eur``
    (share of the award amount credited to that holder, euros excl. VAT),
    ``holder_share``, ``notification_date``, ``year``, ``social_clause``,
    ``reserved_market`` (bool), plus ``award_amount_eur``, ``social_criterion``
    and ``n_holders``. See the module docstring for the split rule.
    """
    check_choice("split", split, ["equal", "first", "full"])
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"File '{path}' does not exist.")
    is_json = path.suffix.lower() == ".json"
    if not is_json and path.stat().st_size > 0:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        is_json = head[:1] in (b"{", b"[")
    if is_json:
        raw = _json_records(path)
        holders = raw.pop("_holders")
        decimal = "dot"
    else:
        raw, info = read_table(path, sheet=sheet)
        holders = _csv_holders(raw)
        decimal = "dot" if info.typed else "auto"
    renamed = SCHEMA.rename(raw, path)
    df = SCHEMA.validate(raw, path, decimal=decimal)
    if holders is None:
        if "holders" in renamed.columns:
            holders = df["holders"].map(_parse_holder_cell)
        elif "holder_id" in renamed.columns:
            types = df["holder_type"] if "holder_type" in renamed.columns else pd.Series(None, index=df.index, dtype="object")
            holders = pd.Series(
                [[(t if isinstance(t, str) and t else "SIRET", h)] if isinstance(h, str) and h else []
                 for h, t in zip(df["holder_id"], types)],
                index=df.index, dtype="object",
            )
            df, holders = _group_holder_rows(df, holders)
        else:
            raise SchemaError(
                f"File '{path}': missing holder column(s) for the DECP schema (column 'titulaires' with a list, "
                f"'titulaire_id_1'..'titulaire_id_N' or 'titulaire_id'); found columns: "
                f"{', '.join(repr(c) for c in raw.columns)}.",
                path=str(path), column="titulaires", values=list(raw.columns), expected="a holder column",
            )
    year = df["notification_date"].dt.year.astype("Int64")
    bad_year = ((year < 1990) | (year > 2035)).fillna(False).to_numpy()
    if bad_year.any():
        col = _header(raw, renamed, "notification_date")
        raise SchemaError(path=path, column=col, rows=row_numbers(df, bad_year),
                          values=list(raw.loc[df.index[bad_year], col].head(5)),
                          expected="a notification date between 1990 and 2035")
    if "social" in renamed.columns:
        clause, reserved, criterion = _social_flags(df["social"], path, _header(raw, renamed, "social"))
    else:
        clause = reserved = criterion = pd.Series(pd.NA, index=df.index, dtype="boolean")
    awards = pd.DataFrame(
        {
            "contract_id": df["contract_id"].astype("string"),
            "buyer_siret": df["buyer_siret"].astype("string"),
            "award_amount_eur": df["amount"].astype("float64"),
            "notification_date": df["notification_date"],
            "year": year,
            "social_clause": clause.astype("boolean"),
            "reserved_market": reserved.astype("boolean"),
            "social_criterion": criterion.astype("boolean"),
            "_holders": holders.map(lambda hl: tuple(hl)),
        },
        index=df.index,
    )
    awards = _dedupe(awards, path)
    return _explode(awards, split, path)


def _header(raw, renamed, name):
    for h, r in zip(raw.columns, renamed.columns):
        if r == name:
            return h
    return name


def _group_holder_rows(df: pd.DataFrame, holders: pd.Series):
    """One row per (award, holder) -> one row per award with the list of holders."""
    key = ["buyer_siret", "contract_id"]
    first = ~df.duplicated(subset=key, keep="first")
    grouped = holders.groupby([df["buyer_siret"].fillna(""), df["contract_id"].fillna("")], sort=False).agg(
        lambda s: [h for hl in s for h in hl]
    )
    out = df[first.to_numpy()].copy()
    hl = [grouped.loc[(b if isinstance(b, str) else "", c if isinstance(c, str) else "")]
          for b, c in zip(out["buyer_siret"], out["contract_id"])]
    return out, pd.Series(hl, index=out.index, dtype="object")


def _dedupe(awards: pd.DataFrame, path) -> pd.DataFrame:
    key = ["buyer_siret", "contract_id"]
    dup_any = awards.duplicated(subset=key, keep=False)
    if not dup_any.any():
        return awards
    full = awards.astype({"_holders": "string"}).drop(columns=[])
    exact = full.duplicated(keep="first")
    conflicting = awards[dup_any & ~full.duplicated(keep=False)]
    if len(conflicting):
        mask = dup_any & awards.set_index(key).index.isin(conflicting.set_index(key).index)
        vals = [tuple(r) for r in awards.loc[mask, key].head(5).itertuples(index=False)]
        raise SchemaError(
            path=path, column="acheteur.id, id", rows=row_numbers(awards, mask.to_numpy()), values=vals,
            expected="one award per (acheteur.id, id): these duplicates differ in amount, date, holders or "
            "social considerations",
        )
    n = int(exact.sum())
    warnings.warn(
        f"Dropped {n} exact duplicate award(s) in file '{path}' (same acheteur.id and id, identical content).",
        RepairWarning,
        stacklevel=3,
    )
    return awards[~exact.to_numpy()]


def _explode(awards: pd.DataFrame, split: str, path) -> pd.DataFrame:
    lens = awards["_holders"].map(len).to_numpy()
    reps = np.maximum(lens, 1)
    base = awards.loc[awards.index.repeat(reps)].copy()
    pos = np.concatenate([np.arange(r) for r in reps]) if len(reps) else np.array([], dtype=int)
    n_holders = np.repeat(lens, reps)
    ids, types = [], []
    for hl, r in zip(awards["_holders"], reps):
        if not hl:
            ids.append(None)
            types.append(None)
        for t, i in hl:
            ids.append(i)
            types.append(t)
    ids_s = pd.Series(ids, index=base.index, dtype="string")
    types_s = pd.Series(types, index=base.index, dtype="string")
    is_siret = types_s.fillna("SIRET").str.upper().str.replace(r"[^A-Z]", "", regex=True).eq("SIRET")
    ids_clean = ids_s.str.replace(r"[\s\u00a0]", "", regex=True)
    siret = ids_clean.where(is_siret.to_numpy(), pd.NA)
    siret = codes.check_siret_series(siret, path, "titulaires.id")
    if split == "equal":
        share = np.where(n_holders > 0, 1.0 / np.maximum(n_holders, 1), 1.0)
    elif split == "first":
        share = np.where(pos == 0, 1.0, 0.0)
    else:
        share = np.ones(len(base))
    out = pd.DataFrame(
        {
            "contract_id": base["contract_id"].to_numpy(),
            "buyer_siret": base["buyer_siret"].to_numpy(),
            "holder_siret": siret.to_numpy(),
            "amount_eur": base["award_amount_eur"].to_numpy(dtype="float64") * share,
            "holder_share": share,
            "notification_date": base["notification_date"].to_numpy(),
            "year": base["year"].to_numpy(),
            "social_clause": base["social_clause"].to_numpy(),
            "reserved_market": base["reserved_market"].to_numpy(),
            "award_amount_eur": base["award_amount_eur"].to_numpy(dtype="float64"),
            "social_criterion": base["social_criterion"].to_numpy(),
            "n_holders": n_holders,
        }
    )
    out = out.astype({"contract_id": "string", "buyer_siret": "string", "holder_siret": "string", "year": "Int64",
                      "social_clause": "boolean", "reserved_market": "boolean", "social_criterion": "boolean",
                      "n_holders": "int64"})
    return out


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
