"""The four inputs of the SIAE impact analysis, demo or real, read by the real loaders, with provenance.

Inputs: the SIAE directory (:func:`esstools.loaders.siae.load_siae_directory`), the clause-hours
extract (:func:`esstools.loaders.clause_hours.load_clause_hours`), DECP awards
(:func:`esstools.loaders.decp.load_decp`) and financial ratios
(:func:`esstools.loaders.financials.load_financial_ratios`).

- **Demo** (no path given): :func:`esstools.synth.siae_panel.generate_siae_panel` draws the records of
  the chosen département (real communes and postcodes, fictitious ``000…`` SIREN, calibration in
  :func:`~esstools.synth.siae_panel.calibration`); :mod:`esstools.synth.siae_files` writes them in
  the real formats under ``demo_dir("siae")/<département>-<hash of the parameters>/``; the loaders
  read them back. The truth of the demo travels in :attr:`SiaeInputs.demo`.
- **Real**: the four paths (CSV/XLSX/Parquet/JSON as each loader accepts).
- **Fetched** (``source="fetched"``): the files of the ``esstools fetch`` cache — the SIAE list of the
  département (``siae-directory``), DECP (``decp`` of the département, else the ministry's annual JSON
  ``decp-minef-json``), financial ratios (``ratios-financiers``); clause hours have no public source and
  come from ``clause_hours`` (a path) only. An explicit path replaces the cached file of its input. An
  absent input is a :class:`~esstools.sources.fetched.Missing` item in ``Sourced.missing`` (its frame
  is None): the demo is never used. Invalid DECP records of real files are left out and counted
  (``on_invalid="drop"``); every repair warning of the loaders becomes a note.

Directories that only give a postcode (the les emplois API, the platform export) get their commune
code from :func:`esstools.postcodes.resolve_communes` (postcode, and city when the loader
keeps it); unresolved codes stay missing and are counted in the notes. Measure columns go through
:func:`esstools.sources.perturb`.

:func:`power_simulator` returns the demo generator as a function for
:func:`esstools.impact.power.mde_grid` (the analysis never imports :mod:`esstools.synth`).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..errors import ParameterError
from ..loaders.clause_hours import load_clause_hours
from ..loaders.decp import load_decp
from ..loaders.financials import load_financial_ratios
from ..loaders.siae import load_siae_directory
from ..provenance import Provenance
from . import fetched as fetched_mod
from .base import Sourced, demo_dir, perturb
from ..postcodes import resolve_communes

#: Format of the demo SIAE directory: "api-json" (a page of the les emplois de l'inclusion API, the
#: format ``esstools fetch siae-directory`` downloads) or "export-csv" (the older export).
DEMO_DIRECTORY_FORMAT = "api-json"
FILE_NAMES = {"directory": {"export-csv": "siae_structures.csv", "api-json": "siaes.json"},
              "clause_hours": "heures_insertion.csv", "decp": "decp.json", "financials": "ratios_inpi_bce.csv"}


@dataclass(frozen=True)
class SiaeInputs:
    """The four loader outputs (``decp``: awards, one row per award and holder) and, for the demo, its records.

    With ``source="fetched"`` an input absent from the cache is None (see ``Sourced.missing``).
    """

    directory: pd.DataFrame | None
    clause_hours: pd.DataFrame | None
    decp: pd.DataFrame | None
    financials: pd.DataFrame | None
    departement: str
    demo: Any = None  # esstools.synth.siae_panel.SiaeDemo for the demo, None for real data

    def frames(self) -> dict:
        """Keyword arguments of :func:`esstools.impact.assemble`."""
        return {"directory": self.directory, "clause_hours": self.clause_hours, "decp": self.decp,
                "financials": self.financials}


def _fill_communes(directory: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    miss = directory["commune_code"].isna()
    if not miss.any():
        return directory, []
    city = directory["city"] if "city" in directory.columns else pd.Series(None, index=directory.index, dtype="object")
    found = resolve_communes(directory.loc[miss, "postcode"], city[miss], directory.loc[miss, "departement"])
    out = directory.copy()
    out.loc[miss, "commune_code"] = found
    n_left = int(found.isna().sum())
    note = (f"Code commune déduit du code postal pour {int(miss.sum()) - n_left} établissement(s) de l'annuaire"
            + (f" ; {n_left} code(s) postal(aux) desservant plusieurs communes laissé(s) sans code commune." if n_left else "."))
    return out, [note]


LOADERS = {"directory": (load_siae_directory, {}),
           "clause_hours": (load_clause_hours, {}),
           "decp": (load_decp, {}),
           "financials": (load_financial_ratios, {})}
MEASURES = {"directory": None, "clause_hours": ["insertion_hours", "beneficiaries"],
            "decp": ["amount_eur", "award_amount_eur"], "financials": ["revenue_eur"]}


def _read(paths: dict, fetch_sources: dict | None = None, options: dict | None = None) -> tuple[dict, list[str]]:
    """Frames of the inputs whose path is given (None elsewhere); ``fetch_sources``: registry source of each
    cached file (SchemaErrors then name it), ``options``: extra loader keyword arguments per input."""
    frames, notes = {}, []
    for name, (loader, kwargs) in LOADERS.items():
        path = paths.get(name)
        if path is None:
            frames[name] = None
            continue
        kwargs = {**kwargs, **(options or {}).get(name, {})}
        source = (fetch_sources or {}).get(name)
        df = fetched_mod.read(source, path, loader, **kwargs) if source else loader(path, **kwargs)
        if name == "directory":
            df, filled = _fill_communes(df)
            notes += filled
        elif MEASURES[name]:
            df = perturb(df, MEASURES[name])
        df.attrs["path"] = str(path)  # names the file in error messages only
        frames[name] = df
    return frames, notes


def _demo_files(departement: str, years: str, seed: int, effects: dict | None) -> tuple[dict, Any]:
    from ..synth import siae_files
    from ..synth.siae_panel import TrueEffects, generate_siae_panel

    true = TrueEffects(**(effects or {}))
    key = json.dumps({"d": departement, "y": years, "s": seed, "e": asdict(true), "f": DEMO_DIRECTORY_FORMAT},
                     sort_keys=True, default=list)
    folder = demo_dir("siae") / f"{departement}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"
    demo = generate_siae_panel(departement, years, true, seed)
    paths = {"directory": folder / FILE_NAMES["directory"][DEMO_DIRECTORY_FORMAT],
             "clause_hours": folder / FILE_NAMES["clause_hours"], "decp": folder / FILE_NAMES["decp"],
             "financials": folder / FILE_NAMES["financials"]}
    write_dir = (siae_files.write_directory_api_json if DEMO_DIRECTORY_FORMAT == "api-json"
                 else siae_files.write_directory_export_csv)
    write_dir(demo.structures, paths["directory"])
    siae_files.write_clause_hours_csv(demo.clause_rows, paths["clause_hours"])
    siae_files.write_decp_json(demo.awards, paths["decp"])
    siae_files.write_ratios_csv(demo.accounts, paths["financials"])
    return paths, demo


def siae_inputs(departement: str = "93", *, years: str = "2016-2025", seed: int = 0, effects: dict | None = None,
                directory=None, clause_hours=None, decp=None, financials=None, source: str = "demo") -> Sourced:
    """The four inputs of ``departement`` as a :class:`Sourced` of :class:`SiaeInputs`.

    ``source="demo"``: give the four paths (``directory``, ``clause_hours``, ``decp``, ``financials``) for
    real data, none for the demo (``years``, ``seed`` and ``effects`` — keyword arguments of
    :class:`esstools.synth.siae_panel.TrueEffects` — then define it). ``source="fetched"``: the cached
    files, each replaced by its path when given (see the module docstring; ``missing`` lists the absent ones).
    """
    given = {"directory": directory, "clause_hours": clause_hours, "decp": decp, "financials": financials}
    departement = str(departement)
    if source == fetched_mod.FETCHED:
        return _fetched_inputs(departement, given)
    if source != "demo":
        raise ParameterError(f"Invalid value {source!r} for 'source'; allowed values are: 'demo', 'fetched'.")
    if all(v is None for v in given.values()):
        paths, demo = _demo_files(departement, years, seed, effects)
        frames, notes = _read(paths)
        directory_fmt = ("page de l'API les emplois de l'inclusion" if DEMO_DIRECTORY_FORMAT == "api-json"
                         else "export des structures de la Plateforme de l'inclusion")
        prov = Provenance.demo(
            f"panel de démonstration synthétique esstools (esstools.synth.siae_panel, graine {seed}), écrit aux "
            f"formats réels ({directory_fmt}, DECP JSON 2022, ratios INPI-BCE, modèle esstools d'heures d'insertion) "
            "et relu par les chargeurs esstools", *demo.calibration.sources_fr)
        notes = [demo.calibration.text_fr, *notes]
        return Sourced(SiaeInputs(**frames, departement=departement, demo=demo), prov, files=tuple(paths.values()),
                       notes=tuple(notes))
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise ParameterError(f"Real SIAE data need the four files; missing: {', '.join(missing)} "
                             "(give every path, or none for the demo).")
    paths = {k: Path(v) for k, v in given.items()}
    frames, notes = _read(paths)
    prov = Provenance.real(f"annuaire des SIAE « {paths['directory'].name} »",
                           f"heures d'insertion « {paths['clause_hours'].name} »",
                           f"DECP « {paths['decp'].name} »", f"ratios financiers « {paths['financials'].name} »")
    return Sourced(SiaeInputs(**frames, departement=departement), prov, files=tuple(paths.values()), notes=tuple(notes))


FETCH_SOURCES = {"directory": "siae-directory", "decp": "decp", "financials": "ratios-financiers"}
MISSING_FR = {
    "directory": "liste des SIAE du département (SIRET, type, adresse)",
    "decp": "données essentielles de la commande publique (marchés attribués, clauses sociales, marchés réservés)",
    "financials": "chiffre d'affaires par SIREN et exercice (ratios financiers INPI-BCE ; la plupart des "
                  "associations ne déposent pas leurs comptes)",
}
CLAUSE_HOURS_MISSING = fetched_mod.Missing(
    "heures d'insertion des clauses sociales par SIAE et année", None,
    "extrait à demander au facilitateur des clauses sociales du département, puis paramètre clause_hours_path "
    "(modèle esstools d'heures d'insertion)")


def _fetched_paths(departement: str, given: dict) -> tuple[dict, dict, list, list[str]]:
    """(paths, registry source of each cached path, missing items, notes) of the fetched mode."""
    paths, sources, gaps, notes = {}, {}, [], []
    for name in ("directory", "clause_hours", "decp", "financials"):
        if given[name] is not None:
            paths[name] = Path(given[name])
            continue
        if name == "clause_hours":
            gaps.append(CLAUSE_HOURS_MISSING)
            continue
        src = FETCH_SOURCES[name]
        path = fetched_mod.cached(src, departement)
        if path is None and name == "decp":
            path = fetched_mod.cached("decp-minef-json")
            if path is not None:
                src = "decp-minef-json"
                notes.append(f"DECP : fichier annuel du ministère (decp-minef-json, national) faute du fichier "
                             f"decp.info du département ({fetched_mod.fetch_command('decp', departement)}).")
        if path is None:
            gap = fetched_mod.missing(MISSING_FR[name], src, departement)
            if name == "decp":
                gap = fetched_mod.Missing(gap.what, gap.source, gap.how + " ; à défaut, le fichier annuel du ministère : "
                                          + fetched_mod.fetch_command("decp-minef-json"))
            gaps.append(gap)
        else:
            paths[name], sources[name] = path, src
    return paths, sources, gaps, notes


def _fetched_inputs(departement: str, given: dict) -> Sourced:
    paths, sources, gaps, notes = _fetched_paths(departement, given)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames, read_notes = _read(paths, sources, {"decp": {"on_invalid": "drop"}})
    notes += [f"Réparation du chargeur (message d'origine, en anglais) : {w.message}" for w in caught
              if issubclass(w.category, UserWarning)] + read_notes
    provs = [fetched_mod.provenance(sources[k], p) if k in sources
             else Provenance.real(f"fichier « {p.name} » ({k})") for k, p in paths.items()]
    prov = Provenance("real", tuple(s for p in provs for s in p.sources))
    return Sourced(SiaeInputs(**frames, departement=departement), prov, files=tuple(paths.values()),
                   notes=tuple(notes), missing=tuple(gaps))


def power_simulator(departement: str = "93", first_year: int = 2016) -> Callable:
    """The demo DGP of ``departement`` (per-SIAE volumes, kind mix) as ``simulate(n_siae, n_years, n_sims, seed)``.

    The simulated effects are homogeneous across kinds, with no dynamic effect beyond the contracts
    (:meth:`~esstools.synth.siae_panel.TrueEffects.homogeneous`); the power analysis only uses the
    spread of the estimates, not their centre.
    """
    from ..synth.siae_panel import TrueEffects, calibration, simulate_arrays

    cal = calibration(departement)
    effects = TrueEffects.homogeneous(dynamic_eur=(0.0,))

    def simulate(n_siae: int, n_years: int, n_sims: int, seed: int):
        return simulate_arrays(int(n_siae), range(first_year, first_year + int(n_years)), effects, seed, int(n_sims),
                               hours_per_siae=cal.hours_per_siae, reserved_per_siae=cal.reserved_per_siae,
                               kind_mix=cal.kind_mix)

    simulate.description_fr = (f"générateur de démonstration esstools calé sur {cal.name} "
                               f"({cal.n_siae} SIAE, volumes 2024 par SIAE)")
    simulate.n_siae = cal.n_siae
    return simulate
