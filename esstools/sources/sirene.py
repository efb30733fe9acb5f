"""SIRENE establishments of one or several départements, demo or real, with provenance.

Demo: :mod:`esstools.synth.sirene` writes synthetic ``StockEtablissement`` / ``StockUniteLegale``
files in the real INSEE format under :func:`~esstools.sources.base.demo_dir` ``("sirene")`` (once
per département, COG, seed and year: the files are deterministic), read back through the real
loader :func:`esstools.loaders.sirene.load_establishments`. Real: INSEE stock files given by path
(any département; no calibration involved), or ``source="fetched"``: the stock files downloaded by
``esstools fetch sirene-etablissements sirene-unites-legales`` (:mod:`esstools.sources.fetched`); a
file absent from the cache is reported as missing, never replaced by the demo. The headcount columns
pass through :func:`~esstools.sources.base.perturb`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..errors import SchemaError
from ..loaders.sirene import load_establishments, load_legal_units
from ..provenance import Provenance, combine
from . import fetched as fetched_mod
from .base import Sourced, demo_dir, perturb

MEASURES = ["headcount_low", "headcount_high", "headcount_mid"]


def demo_files(departement: str, *, cog: int = 2026, seed: int = 2026, year: int = 2024) -> tuple[Path, Path]:
    """Paths of the demo SIRENE files of a département (generated on first use, then reused)."""
    from ..synth import sirene as demo

    out = demo_dir("sirene") / f"{departement}_cog{cog}_seed{seed}_{year}"
    etab, ul = out / "StockEtablissement_utf8.parquet", out / "StockUniteLegale_utf8.parquet"
    if not (etab.exists() and ul.exists()):
        etab, ul = demo.generate(departement, cog=cog, seed=seed, out_dir=out, year=year)
    return etab, ul


def calibration(departement: str, cog: int = 2026) -> pd.DataFrame:
    """Calibration targets of the demo files of a département (see :func:`esstools.synth.sirene.calibration_targets`)."""
    from ..synth import sirene as demo

    return demo.calibration_targets(departement, cog)


def calibration_note_fr(departement: str, cog: int = 2026) -> str:
    """French sentence saying on which published figures the demo data of a département are calibrated."""
    t = calibration(departement, cog).set_index("target")
    status = t.loc["ess_employer_establishments", "status"]
    where = {"publié": "les chiffres publiés du département",
             "régional": "les chiffres publiés de sa région rapportés à sa population (aucun chiffre local)",
             "national": "les chiffres publiés pour la France rapportés à sa population (aucun chiffre local ni "
                         "régional)"}[status]
    return (f"calés sur {where} ; ids : {t.loc['ess_employer_establishments', 'figure_id']}, "
            f"{t.loc['ess_employees', 'figure_id']}")


def establishments(departements: str | Sequence[str], source: str = "demo", *, etab_path=None, ul_path=None,
                   cog: int = 2026, seed: int = 2026, year: int = 2024) -> Sourced:
    """Active establishments of ``departements`` (loader output schema) and their provenance.

    ``source="demo"``: synthetic files (see module docstring); ``"fetched"``: the files of the fetch
    cache (``data`` None and ``missing`` set when one is absent); otherwise ``etab_path`` / ``ul_path``
    are real INSEE stock files (CSV, zip or Parquet) read for the listed départements.
    """
    deps = [departements] if isinstance(departements, str) else list(departements)
    if source == fetched_mod.FETCHED:
        etab_path, ul_path = fetched_paths()
        gaps = missing_files(etab_path, ul_path)
        if gaps:
            return Sourced(None, Provenance.real(), missing=gaps)
    if source == "demo":
        frames, files = [], []
        for dep in deps:
            etab, ul = demo_files(dep, cog=cog, seed=seed, year=year)
            files += [etab, ul]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=FutureWarning)
                frames.append(load_establishments(etab, ul, departements=[dep]))
        data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        prov = Provenance.demo(
            f"fichiers au format SIRENE générés par esstools.synth.sirene (graine {seed}, COG {cog}), "
            + calibration_note_fr(deps[0], cog))
    else:
        files = [Path(etab_path), Path(ul_path)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            try:
                data = load_establishments(etab_path, ul_path, departements=deps)
            except SchemaError as exc:
                if source != fetched_mod.FETCHED:
                    raise
                on_ul = bool(exc.path) and Path(exc.path).name == files[1].name
                raise fetched_mod.annotate(exc, "sirene-unites-legales" if on_ul else "sirene-etablissements",
                                           files[1] if on_ul else files[0]) from exc
        prov = (combine(fetched_mod.provenance("sirene-etablissements", files[0]),
                        fetched_mod.provenance("sirene-unites-legales", files[1])) if source == fetched_mod.FETCHED
                else Provenance.real(f"Insee, base SIRENE (fichiers stock {files[0].name}, {files[1].name})"))
    return Sourced(perturb(data, columns=MEASURES), prov, files=tuple(files))


def fetched_paths() -> tuple[Path | None, Path | None]:
    """Cached StockEtablissement and StockUniteLegale files (None where absent)."""
    return fetched_mod.cached("sirene-etablissements"), fetched_mod.cached("sirene-unites-legales")


def missing_files(etab_path, ul_path) -> tuple:
    """Missing items for absent SIRENE stock files."""
    gaps = []
    if etab_path is None:
        gaps.append(fetched_mod.missing("établissements SIRENE (commune, activité, effectifs de chaque "
                                        "établissement : la géographie de la comparaison)", "sirene-etablissements"))
    if ul_path is None:
        gaps.append(fetched_mod.missing("unités légales SIRENE (catégorie juridique et indicateur ESS)",
                                        "sirene-unites-legales"))
    return tuple(gaps)


#: Above this size a StockUniteLegale file is not loaded whole by :func:`legal_units` (the national file,
#: ~28 million units, is read with the establishments, filtered by département, instead).
LEGAL_UNITS_MAX_BYTES = 100_000_000


def legal_units(source: str = fetched_mod.FETCHED, path=None, max_bytes: int = LEGAL_UNITS_MAX_BYTES) -> Sourced:
    """Legal units of a StockUniteLegale file (:func:`esstools.loaders.sirene.load_legal_units`), with provenance.

    ``source="fetched"``: the cached file (``data`` None and ``missing`` set when absent); otherwise
    ``path`` is a real file. National, without geography: the ESS families of the file as read. A file
    larger than ``max_bytes`` is not loaded (``data`` None, a note says why).
    """
    if source == fetched_mod.FETCHED:
        path = fetched_mod.cached("sirene-unites-legales")
        if path is None:
            return Sourced(None, Provenance.real(), missing=missing_files(True, None))
        prov = fetched_mod.provenance("sirene-unites-legales", path)
    else:
        path = Path(path)
        prov = Provenance.real(f"Insee, base SIRENE (fichier stock {path.name})")
    size = path.stat().st_size
    if size > max_bytes:
        return Sourced(None, prov, files=(path,), notes=(
            f"Unités légales non décomptées seules : fichier de {size / 1e6:.0f} Mo (national), lu avec les "
            "établissements du département.",))
    return Sourced(fetched_mod.read("sirene-unites-legales", path, load_legal_units, check=False)
                   if source == fetched_mod.FETCHED
                   else load_legal_units(path), prov, files=(path,))
