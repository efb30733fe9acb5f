"""Write the SIAE demo records (:class:`esstools.synth.siae_panel.SiaeDemo`) in the real file formats.

Each writer produces what the real source gives, so that the demo is read back by the same loaders
as real files (``esstools.loaders``):

- SIAE directory — :func:`write_directory_api_json`: one page of the les emplois de l'inclusion API
  ``GET /api/v1/siaes/?departement=D&format=json`` (``{count, next, previous, results}``, fields
  ``id, cree_le, mis_a_jour_le, siret, type, raison_sociale, enseigne, telephone, courriel,
  site_web, description, bloque_candidatures, addresse_ligne_1, addresse_ligne_2, code_postal,
  ville, departement, postes``, as serialised by ``itou/api/siae_api/serializers.py``);
  :func:`write_directory_export_csv`: the platform's structure fields (``siret, kind, name, brand,
  address_line_1, address_line_2, post_code, city, department``) as a ``;`` CSV, the export format
  documented by :mod:`esstools.loaders.siae`. Neither carries a commune code (the API has none);
- DECP — :func:`write_decp_json`: ``{"marches": {"marche": [...]}}`` in the format of the arrêté of
  22 December 2022 (schema ``schema_decp_v2.0.3.json`` of 139bercy/format-commande-publique: every
  required field, no other);
- financial ratios — :func:`write_ratios_csv`: the ``ratios_inpi_bce`` export of
  data.economie.gouv.fr (``;`` CSV, UTF-8 with BOM, all its columns, only ``siren``,
  ``date_cloture_exercice``, ``chiffre_d_affaires``, ``type_bilan`` and ``confidentiality`` filled);
- clause hours — :func:`write_clause_hours_csv`: the esstools template
  (``data/templates/clause_hours_template.csv``: ``;`` CSV, UTF-8 with BOM, French headers).

Files are written atomically (:mod:`esstools.atomic`); contents are deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path

import pandas as pd

from ..atomic import write_text
from ..loaders.clause_hours import TEMPLATE_HEADERS

RATIOS_COLUMNS = (
    "siren", "date_cloture_exercice", "chiffre_d_affaires", "marge_brute", "ebe", "ebit", "resultat_net",
    "taux_d_endettement", "ratio_de_liquidite", "ratio_de_vetuste", "autonomie_financiere",
    "poids_bfr_exploitation_sur_ca", "couverture_des_interets", "caf_sur_ca", "capacite_de_remboursement",
    "marge_ebe", "resultat_courant_avant_impots_sur_ca", "poids_bfr_exploitation_sur_ca_jours",
    "rotation_des_stocks_jours", "credit_clients_jours", "credit_fournisseurs_jours", "type_bilan",
    "confidentiality",
)
DIRECTORY_EXPORT_COLUMNS = ("siret", "kind", "name", "brand", "address_line_1", "address_line_2", "post_code",
                            "city", "department")
_NAMESPACE = uuid.UUID("6f1d2c34-5b7a-4e1f-9a53-2d6c0e8b7a10")  # fixed: deterministic demo ids


def _csv_text(header, rows, sep: str = ";", bom: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def write_directory_api_json(structures: pd.DataFrame, path: Path) -> Path:
    """The SIAE as one page of the les emplois API (all results on the page, ``next`` null)."""
    results = []
    for r in structures.itertuples(index=False):
        stamp = "2021-01-04T09:00:00.000000+01:00"
        results.append({
            "id": str(uuid.uuid5(_NAMESPACE, r.siret + r.kind)), "cree_le": stamp, "mis_a_jour_le": stamp,
            "siret": r.siret, "type": r.kind, "raison_sociale": r.name, "enseigne": r.name, "telephone": "",
            "courriel": "", "site_web": "", "description": "", "bloque_candidatures": False,
            "addresse_ligne_1": r.address, "addresse_ligne_2": "", "code_postal": r.postcode, "ville": r.city,
            "departement": r.departement, "postes": [],
        })
    doc = {"count": len(results), "next": None, "previous": None, "results": results}
    return write_text(path, json.dumps(doc, ensure_ascii=False) + "\n")


def write_directory_export_csv(structures: pd.DataFrame, path: Path) -> Path:
    """The SIAE as the platform's structure export (``;`` CSV, UTF-8, no commune code)."""
    rows = [(r.siret, r.kind, r.name, r.name, r.address, "", r.postcode, r.city, r.departement)
            for r in structures.itertuples(index=False)]
    return write_text(path, _csv_text(DIRECTORY_EXPORT_COLUMNS, rows))


def _award_json(a) -> dict:
    social = list(a.social)
    return {
        "id": a.contract_id,
        "acheteur": {"id": a.buyer_siret},
        "nature": "Marché",
        "objet": "Prestation (marché de démonstration, fictif)",
        "codeCPV": a.cpv,
        "techniques": {"technique": ["Sans objet"]},
        "modalitesExecution": {"modaliteExecution": ["Sans objet"]},
        "marcheInnovant": False,
        "ccag": "Fournitures courantes et services",
        "offresRecues": 1 + int(a.contract_id[-1]) % 4,
        "attributionAvance": False,
        "typeGroupementOperateurs": "Pas de groupement",
        "procedure": "Procédure adaptée",
        "lieuExecution": {"code": a.place_code, "typeCode": "Code commune" if len(a.place_code) == 5 else "Code département"},
        "dureeMois": 12,
        "dateNotification": a.notification_date,
        "datePublicationDonnees": (pd.Timestamp(a.notification_date) + pd.Timedelta(days=15)).strftime("%Y-%m-%d"),
        "montant": int(a.amount_eur),
        "typesPrix": {"typePrix": ["Définitif ferme"]},
        "formePrix": "Forfaitaire",
        "sousTraitanceDeclaree": False,
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": a.holder_siret}}],
        "considerationsSociales": {"considerationSociale": social},
        "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]},
    }


def write_decp_json(awards: pd.DataFrame, path: Path) -> Path:
    """DECP JSON, 2022 format (``{"marches": {"marche": [...]}}``), one object per award."""
    doc = {"marches": {"marche": [_award_json(a) for a in awards.itertuples(index=False)]}}
    return write_text(path, json.dumps(doc, ensure_ascii=False) + "\n")


def write_ratios_csv(accounts: pd.DataFrame, path: Path) -> Path:
    """``ratios_inpi_bce`` export: one row per (siren, closing date), revenue in euros."""
    rows = []
    for a in accounts.itertuples(index=False):
        row = dict.fromkeys(RATIOS_COLUMNS, "")
        row.update(siren=a.siren, date_cloture_exercice=a.closing_date, chiffre_d_affaires=f"{a.revenue_eur:.0f}",
                   type_bilan=a.accounts_type, confidentiality="Public")
        rows.append([row[c] for c in RATIOS_COLUMNS])
    return write_text(path, _csv_text(RATIOS_COLUMNS, rows, bom=True))


def write_clause_hours_csv(clause_rows: pd.DataFrame, path: Path) -> Path:
    """Clause hours in the esstools template (whole hours, French headers)."""
    rows = [(r.siret, r.operation, r.buyer, int(r.year), f"{r.insertion_hours:.0f}", int(r.beneficiaries))
            for r in clause_rows.itertuples(index=False)]
    return write_text(path, _csv_text(TEMPLATE_HEADERS, rows, bom=True))
