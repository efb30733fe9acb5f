"""Run specifications: which notebooks to run, with which parameters, in which order.

A configuration file (``reports.yml`` at the repository root by default) lists the
runs, so an evaluator changes one file, not code::

    jobs: 2                      # notebooks run in parallel within a stage
    runs:
      - notebook: notebooks/01_territorial_comparison.ipynb
        label: "93"
        parameters: {departement: "93"}
      - notebook: notebooks/00_roadmap_assessment.ipynb
        label: "93"
        stage: 2                 # runs after every stage-1 run (it reads their results)

Without a configuration, every notebook of ``notebooks/`` runs once with its
defaults; ``00_*`` notebooks (the assessment) run last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import paths
from ..errors import ParameterError

_LABEL_RE = re.compile(r"^[A-Za-z0-9_.=,+-]+$")


@dataclass
class RunSpec:
    """One execution of one notebook."""

    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    label: str = "default"
    stage: int = 1

    @property
    def name(self) -> str:
        """Notebook stem, e.g. ``01_territorial_comparison``."""
        return self.notebook.stem

    @property
    def run_id(self) -> str:
        """Unique id of the run, used for file names: ``<notebook>--<label>``."""
        return f"{self.name}--{self.label}"


def _resolve_notebook(text: str | Path, base: Path) -> Path:
    path = Path(text)
    candidates = [path] if path.is_absolute() else [base / path, paths.REPO_ROOT / path, paths.notebooks_dir() / path]
    for cand in candidates:
        if cand.suffix != ".ipynb":
            cand = cand.with_suffix(".ipynb")
        if cand.exists():
            return cand.resolve()
    raise ParameterError(f"Notebook '{text}' not found (looked in {', '.join(str(c.parent) for c in candidates)}).")


def label_from_parameters(parameters: dict[str, Any]) -> str:
    """A file-name-safe label from parameters (``departement=92``), or ``default``."""
    if not parameters:
        return "default"
    parts = []
    for key in sorted(parameters):
        value = re.sub(r"[^A-Za-z0-9_.+-]", "_", str(parameters[key]))[:40]
        parts.append(f"{key}={value}")
    return ",".join(parts)


def default_stage(notebook: Path) -> int:
    """The assessment (``00_*``) reads the others' results, so it runs in stage 2."""
    return 2 if notebook.name.startswith("00_") else 1


def default_runs(notebooks_dir: Path | None = None) -> list[RunSpec]:
    """Every notebook of ``notebooks/`` once with its defaults, assessment last."""
    notebooks_dir = notebooks_dir or paths.notebooks_dir()
    specs = [
        RunSpec(notebook=nb.resolve(), stage=default_stage(nb))
        for nb in sorted(notebooks_dir.glob("*.ipynb"))
        if not nb.name.startswith("_")
    ]
    return sorted(specs, key=lambda s: (s.stage, s.name))


def load_config(path: str | Path) -> tuple[list[RunSpec], dict[str, Any]]:
    """Read a YAML run configuration; return the runs and the global options (``jobs``...)."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"Configuration file '{path}' not found.")
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list) or not data["runs"]:
        raise ParameterError(f"Configuration file '{path}' must contain a non-empty 'runs:' list.")
    specs: list[RunSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["runs"], start=1):
        if not isinstance(entry, dict) or "notebook" not in entry:
            raise ParameterError(f"Configuration file '{path}', run #{i}: each run needs a 'notebook:' entry.")
        unknown = set(entry) - {"notebook", "parameters", "label", "stage"}
        if unknown:
            raise ParameterError(
                f"Configuration file '{path}', run #{i}: unknown key(s) {sorted(unknown)}; "
                "allowed: notebook, parameters, label, stage."
            )
        notebook = _resolve_notebook(entry["notebook"], path.parent)
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            raise ParameterError(f"Configuration file '{path}', run #{i}: 'parameters' must be a mapping.")
        label = str(entry.get("label") or label_from_parameters(params))
        if not _LABEL_RE.match(label):
            raise ParameterError(
                f"Configuration file '{path}', run #{i}: label {label!r} may only contain letters, digits and _ . = , + -."
            )
        spec = RunSpec(notebook=notebook, parameters=params, label=label,
                       stage=int(entry.get("stage", default_stage(notebook))))
        if spec.run_id in seen:
            raise ParameterError(f"Configuration file '{path}', run #{i}: duplicate run '{spec.run_id}'; give it another label.")
        seen.add(spec.run_id)
        specs.append(spec)
    options = {k: v for k, v in data.items() if k != "runs"}
    return sorted(specs, key=lambda s: s.stage), options
