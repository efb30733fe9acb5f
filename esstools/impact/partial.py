"""Notebook 03 when an input is missing (``source="fetched"``): what is missing, and what the files read still say.

The impact panel needs the four inputs (SIAE list, clause hours, DECP, revenue). When one is absent
from the fetch cache (or has no public source, like clause hours), :func:`esstools.impact.report.run`
returns a :class:`PartialImpactReport` instead of estimating anything: each ``show_*`` method of the
notebook prints the « donnée manquante » items and, from the inputs that were read, what can still be
concluded — the SIAE of the list by kind, and the DECP awards held by them (by SIRET, then by SIREN),
with whether the file records social considerations at all. Real data only: no line carries the demo
mark, and nothing is replaced by demonstration data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import results as results_io
from ..display import fmt_number, say, show_table
from ..provenance import Provenance
from ..sources import fetched as fetched_mod

NOTEBOOK = "03_siae_impact"
NATURE = "calculé sur données réelles"


@dataclass
class PartialImpactReport:
    """The inputs that could be read, the missing ones, and the descriptive findings they still allow."""

    departement: str
    parameters: dict
    sourced: object  # esstools.sources.Sourced of SiaeInputs (frames None where missing)
    kinds: tuple = ("ACI", "AI", "EI", "ETTI", "EITI")
    findings: list = field(default_factory=list)

    @property
    def provenance(self) -> Provenance:
        return self.sourced.provenance

    @property
    def missing(self) -> tuple:
        return self.sourced.missing

    @property
    def directory(self) -> pd.DataFrame | None:
        d = self.sourced.data.directory
        return None if d is None else d[d["kind"].isin(self.kinds)]

    @property
    def decp(self) -> pd.DataFrame | None:
        return self.sourced.data.decp

    # ------------------------------------------------------------------ descriptive findings
    def directory_table(self) -> pd.DataFrame:
        """SIAE of the list by kind: structures (rows kept by the loader) and distinct SIRET."""
        d = self.directory
        g = d.groupby("kind", observed=True).agg(structures=("siret", "size"), siret=("siret", "nunique"))
        g = g.reindex([k for k in self.kinds if k in g.index])
        total = pd.DataFrame({"structures": [len(d)], "siret": [d["siret"].nunique()]}, index=["ensemble"])
        return pd.concat([g, total]).rename_axis("type").reset_index().rename(
            columns={"type": "type de SIAE", "structures": "structures", "siret": "SIRET distincts"})

    def raw_records(self) -> int | None:
        """Rows of the downloaded SIAE list (manifest of ``esstools fetch``), before the loader's repairs."""
        files = [f for f in self.sourced.files if f.name.startswith("siae-emplois")]
        return fetched_mod.entry(files[0]).get("records") if files else None

    def decp_matches(self) -> dict:
        """Awards of the DECP file held by an SIAE of the list, by SIRET and by SIREN."""
        a, d = self.decp, self.directory
        held = a["holder_siret"].astype("string")
        by_siret = a[held.isin(set(d["siret"]))]
        by_siren = a[held.str[:9].isin(set(d["siren"]))]
        years = a["year"].dropna().astype(int)
        return {"awards": len(a), "by_siret": len(by_siret), "by_siren": len(by_siren),
                "amount_siren": float(by_siren.drop_duplicates(["contract_id", "buyer_siret"])["award_amount_eur"].sum())
                if len(by_siren) else 0.0,
                "siae_siren": int(by_siren["holder_siret"].str[:9].nunique()) if len(by_siren) else 0,
                "years": (int(years.min()), int(years.max())) if len(years) else None,
                "social_recorded": bool(a["social_clause"].notna().any() or a["reserved_market"].notna().any())}

    def file_source(self, frame: pd.DataFrame) -> str:
        """The provenance source describing the file ``frame`` was read from (else all sources)."""
        name = Path(frame.attrs.get("path", "?")).name
        hits = [s for s in self.provenance.sources if f"« {name} »" in s]
        return hits[0] if hits else self.provenance.source_fr

    def synthesis(self) -> list[dict]:
        """Missing inputs first, then what the files read still say (real data)."""
        items = [m.synthesis_item for m in self.missing]
        if self.directory is not None:
            src = self.file_source(self.directory)
            d, raw = self.directory, self.raw_records()
            counts = d["kind"].value_counts()
            kinds = ", ".join(f"{int(counts[k])} {k}" for k in self.kinds if k in counts.index)
            head = f"{raw} lignes téléchargées, " if raw is not None else ""
            items.append({"text": f"Liste des SIAE du département {self.departement} : {head}{len(d)} structures "
                                  f"d'insertion retenues ({kinds}), {d['siret'].nunique()} SIRET distincts.",
                          "nature": NATURE, "source": src})
        if self.decp is not None and self.directory is not None:
            m = self.decp_matches()
            span = f"notifications {m['years'][0]}–{m['years'][1]}" if m["years"] else "sans date"
            text = (f"DECP : {fmt_number(m['awards'], 0)} attributions lues ({span}) ; {m['by_siret']} attribuée(s) à un "
                    f"SIRET de la liste, {m['by_siren']} à une entreprise (SIREN) de la liste")
            if m["by_siren"]:
                text += f" ({m['siae_siren']} SIAE, {fmt_number(m['amount_siren'] / 1e3, 0)} k€ attribués)"
            dsrc = self.file_source(self.decp)
            items.append({"text": text + ".", "nature": NATURE, "source": src + " ; " + dsrc})
            if not m["social_recorded"]:
                items.append({"text": "Le fichier DECP lu ne renseigne pas les considérations sociales (ni clause sociale "
                                      "ni marché réservé, champ absent du format 2019) : les marchés réservés ne peuvent "
                                      "pas y être repérés.", "nature": NATURE, "source": dsrc})
        items.append({"text": "Effet des marchés réservés et des heures d'insertion sur le chiffre d'affaires non estimé : "
                              "le panel SIAE × année demande les quatre sources (liste des SIAE, heures d'insertion, DECP, "
                              "chiffre d'affaires) ; aucune donnée de démonstration ne les remplace.",
                      "nature": fetched_mod.MISSING_LABEL, "source": "esstools.impact"})
        return items

    # ------------------------------------------------------------------ notebook sections
    def _missing_lines(self) -> None:
        for m in self.missing:
            say(m.text_fr, self.provenance)

    def show_synthesis(self) -> None:
        for it in self.synthesis():
            say(f"• {it['text']} [{it['nature']} — source : {it['source']}]", self.provenance)

    def show_data(self) -> None:
        prov = self.provenance
        say(f"Nature des données : {prov.label_fr} (fichiers de esstools fetch)", prov)
        self._missing_lines()
        for note in self.sourced.notes:
            say("· " + note, prov)
        if self.directory is not None:
            show_table(self.directory_table(), prov, source=prov.source_fr, digits=0,
                       uuid=f"t03_partial_directory_{self.departement}")

    def _not_estimated(self, what: str) -> None:
        gaps = " ; ".join(m.what.split(" (")[0] for m in self.missing)
        say(f"{what} : non estimé, {fetched_mod.MISSING_LABEL} ({gaps} ; voir « Données »).", self.provenance)

    def show_description(self) -> None:
        self._not_estimated("Description du panel SIAE × année")

    def show_twfe(self) -> None:
        self._not_estimated("Régressions à effets fixes (TWFE)")

    def show_event_study(self) -> None:
        self._not_estimated("Étude d'événement")

    def show_staggered(self) -> None:
        self._not_estimated("Estimateur de Callaway et Sant'Anna")

    def show_heterogeneity(self) -> None:
        self._not_estimated("Effets par type de SIAE et dose–réponse")

    def show_power(self) -> None:
        self._not_estimated("Puissance (effet minimal détectable)")

    def show_reading(self) -> None:
        say("Lecture (données réelles, analyse incomplète) :", self.provenance)
        for it in self.synthesis():
            say("- " + it["text"], self.provenance)

    def payload(self) -> dict:
        return {**self.provenance.to_dict(), "source": self.provenance.source_fr, "parameters": self.parameters,
                "headline": {}, "synthesis": self.synthesis(), "missing": [m.text_fr for m in self.missing],
                "notes": list(self.sourced.notes)}

    def save(self) -> None:
        path = results_io.save(NOTEBOOK, self.payload(), run=self.departement)
        print("Résultats enregistrés :", path.name)
