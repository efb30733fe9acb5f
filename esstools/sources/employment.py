"""ESS employment series (URSSAF export format), demo or real, with provenance.

Demo: the shipped synthetic export ``data/employment/demo_urssaf_ess_employment.csv`` (written
by :mod:`esstools.synth.employment` in the URSSAF export format) read back through
:func:`esstools.loaders.urssaf.load_ess_employment`. Real: a URSSAF export given by path.
"""

from __future__ import annotations

from pathlib import Path

from ..loaders.urssaf import load_ess_employment
from ..provenance import Provenance
from .base import Sourced, perturb

MEASURES = ["establishments", "employees", "payroll_eur"]


def employment_table(source: str = "demo") -> Sourced:
    """The URSSAF-format employment table (loader output schema) and its provenance.

    ``source``: ``"demo"`` or the path of a real URSSAF export (CSV ``;`` or XLSX).
    """
    if source == "demo":
        from ..synth import employment as demo

        path = demo.demo_path()
        prov = Provenance.demo(
            "série de démonstration synthétique esstools (esstools.synth.employment, graine "
            f"{demo.DEFAULT_SEED}), calibrée sur les chiffres publiés de data/employment/published_points.csv")
    else:
        path = Path(source)
        prov = Provenance.real(f"export URSSAF « {path.name} » (effectifs salariés moyens, ESS)")
    table = perturb(load_ess_employment(path), columns=MEASURES)
    return Sourced(table, prov, files=(path,))
