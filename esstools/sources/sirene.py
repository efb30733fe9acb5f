"""SIRENE establishments of one or several départements, demo or real, with provenance.

Demo: :mod:`esstools.synth.sirene` writes synthetic ``StockEtablissement`` / ``StockUniteLegale``
files in the real INSEE format under :func:`~esstools.sources.base.demo_dir` ``("sirene")`` (once
per département, COG, seed and year: the files are deterministic), read back through the real
loader :func:`esstools.loaders.sirene.load_establishments`. Real: INSEE stock files given by path
(any département; no calibration involved). The headcount columns pass through
:func:`~esstools.sources.base.perturb`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..loaders.sirene import load_establishments
from ..provenance import Provenance
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

    ``source="demo"``: synthetic files (see module docstring); otherwise ``etab_path`` / ``ul_path``
    are real INSEE stock files (CSV, zip or Parquet) read for the listed départements.
    """
    deps = [departements] if isinstance(departements, str) else list(departements)
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
            data = load_establishments(etab_path, ul_path, departements=deps)
        prov = Provenance.real(f"Insee, base SIRENE (fichiers stock {files[0].name}, {files[1].name})")
    return Sourced(perturb(data, columns=MEASURES), prov, files=tuple(files))
