"""Run specifications: which notebooks to run, with which parameters, in which order.

A configuration file (``reports.yml`` at the repository root by default) lists the
runs, so an evaluator changes one file, not code::

    jobs: 2                      # notebooks run in parallel
    timeout: 1200                # seconds allowed to each notebook (default 1200 = 20 min)
    pdf: auto                    # print each report to PDF when Chromium is installed
    runs:
      - notebook: notebooks/01_territorial_comparison.ipynb
        label: "93"
        parameters: {departement: "93"}
        inputs: [/data/sirene]   # optional: files read outside Python (DuckDB, Arrow...)
      - notebook: notebooks/00_roadmap_assessment.ipynb
        label: "93"
        stage: 2                 # runs after every stage-1 run (it reads their results)

Parameter values are typed after the notebook's defaults, like ``-p`` on the command
line: ``departement: 01`` stays the text ``"01"`` when the notebook's default is text.
Every mistake (YAML syntax, duplicate or unknown key, ``jobs: deux``, unknown
parameter) is a :class:`ConfigError` naming the file and the line, raised before
anything runs.

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
DEFAULT_TIMEOUT = 1200  # seconds per notebook (20 min)
TOP_KEYS = ("jobs", "timeout", "cell_timeout", "show_code", "pdf", "runs")
RUN_KEYS = ("notebook", "label", "stage", "parameters", "inputs", "timeout")
PDF_CHOICES = ("auto", True, False)


class ConfigError(ParameterError):
    """A run configuration (``reports.yml``) that cannot be used; the message names file and line."""


class YamlText(str):
    """A parameter value as written in the YAML file (typed later, after the notebook's default).

    ``quoted`` is True when the value was written between quotes; ``line`` is its 1-based line.
    """

    quoted: bool = False
    line: int | None = None

    def __new__(cls, text: str, quoted: bool = False, line: int | None = None):
        obj = super().__new__(cls, text)
        obj.quoted, obj.line = quoted, line
        return obj


@dataclass
class RunSpec:
    """One execution of one notebook.

    ``inputs`` lists extra files or directories the run depends on (see
    :mod:`esstools.runner.cache`); ``timeout`` overrides the per-notebook time limit (s).
    """

    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    label: str = "default"
    stage: int = 1
    inputs: list[Path] = field(default_factory=list)
    timeout: float | None = None

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


# --------------------------------------------------------------------------- YAML with line numbers
class _Reader:
    """Walks the YAML node tree so that every error names the line it comes from."""

    def __init__(self, path: Path):
        self.path = path
        self.loader = yaml.SafeLoader("")

    def error(self, node: yaml.Node | None, message: str) -> ConfigError:
        where = f", line {node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"Configuration file '{self.path}'{where}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Keys → (key node, value node); duplicate or non-text keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping ('key: value' lines); got {self.describe(node)}.")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, f"keys of {what} must be plain names.")
            key = key_node.value
            if key == "<<":
                raise self.error(key_node, "YAML merge keys ('<<') are not supported; write the keys out.")
            if key in out:
                first = out[key][0].start_mark.line + 1
                raise self.error(key_node, f"duplicate key '{key}' in {what} (first given at line {first}).")
            out[key] = (key_node, value_node)
        return out

    @staticmethod
    def describe(node: yaml.Node) -> str:
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        return repr(node.value)

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a single value; got {self.describe(node)}.")
        return self.loader.construct_object(node)

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if value is None or isinstance(value, (list, dict)):
            raise self.error(node, f"{what} must be text; got {node.value!r}.")
        return node.value  # as written: "01" stays "01"

    def number(self, node: yaml.Node, what: str, minimum: float, integer: bool) -> float | int:
        value = self.scalar(node, what)
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not integer:
            ok = ok or (isinstance(value, float) and value == value)
        if not ok or value < minimum:
            kind = "a whole number" if integer else "a number of seconds"
            raise self.error(node, f"'{what}' must be {kind} ≥ {minimum:g}; got {node.value!r}.")
        return value

    def flag(self, node: yaml.Node, what: str, choices: tuple = (True, False)) -> Any:
        value = self.scalar(node, what)
        if not any(value == c and type(value) is type(c) for c in choices):
            allowed = ", ".join("true" if c is True else "false" if c is False else str(c) for c in choices)
            raise self.error(node, f"'{what}' must be one of {allowed}; got {node.value!r}.")
        return value

    def parameter(self, node: yaml.Node) -> Any:
        """A parameter value: text kept as written (typed later), lists and mappings as YAML."""
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null" and not node.style:
                return None
            return YamlText(node.value, quoted=bool(node.style), line=node.start_mark.line + 1)
        return self.loader.construct_object(node, deep=True)


def _compose(path: Path) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Configuration file '{path}' is not valid UTF-8 (byte {exc.start}).") from None
    except OSError as exc:
        raise ConfigError(f"Configuration file '{path}' cannot be read: {exc.strerror}.") from None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ConfigError(f"Configuration file '{path}'{where}: YAML syntax error: {problem}.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"Configuration file '{path}': YAML syntax error: {' '.join(str(exc).split())}.") from None


def load_config(path: str | Path) -> tuple[list[RunSpec], dict[str, Any]]:
    """Read a YAML run configuration; return the runs and the global options.

    Options (all optional): ``jobs`` (int ≥ 1), ``timeout`` and ``cell_timeout``
    (seconds > 0), ``show_code`` (bool), ``pdf`` (``auto``, true, false).
    Parameters are typed after each notebook's defaults (see :func:`params.coerce`).
    """
    from . import params as params_mod

    path = Path(path)
    if not path.exists():
        raise ConfigError(f"Configuration file '{path}' not found.")
    root = _compose(path)
    r = _Reader(path)
    if root is None:
        raise ConfigError(f"Configuration file '{path}' is empty; it must contain a 'runs:' list.")
    top = r.mapping(root, "the configuration")
    for key, (key_node, _) in top.items():
        if key not in TOP_KEYS:
            raise r.error(key_node, f"unknown key '{key}'; allowed: {', '.join(TOP_KEYS)}.")
    options: dict[str, Any] = {}
    for key, (_, node) in top.items():
        if key == "jobs":
            options[key] = r.number(node, key, 1, integer=True)
        elif key in ("timeout", "cell_timeout"):
            options[key] = r.number(node, key, 1, integer=False)
        elif key == "show_code":
            options[key] = r.flag(node, key)
        elif key == "pdf":
            options[key] = r.flag(node, key, PDF_CHOICES)
    if "runs" not in top:
        raise r.error(root, "the configuration must contain a non-empty 'runs:' list.")
    runs_node = top["runs"][1]
    if not isinstance(runs_node, yaml.SequenceNode) or not runs_node.value:
        raise r.error(runs_node, "'runs' must be a non-empty list ('- notebook: ...' entries).")
    specs: list[RunSpec] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(runs_node.value, start=1):
        what = f"run #{i}"
        keys = r.mapping(entry, what)
        for key, (key_node, _) in keys.items():
            if key not in RUN_KEYS:
                raise r.error(key_node, f"{what}: unknown key '{key}'; allowed: {', '.join(RUN_KEYS)}.")
        if "notebook" not in keys:
            raise r.error(entry, f"{what} needs a 'notebook:' entry.")
        nb_node = keys["notebook"][1]
        try:
            notebook = _resolve_notebook(r.text(nb_node, "'notebook'"), path.parent)
        except ParameterError as exc:
            raise r.error(nb_node, str(exc)) from None
        raw_params: dict[str, Any] = {}
        if "parameters" in keys and not (isinstance(keys["parameters"][1], yaml.ScalarNode)
                                         and keys["parameters"][1].tag.endswith(":null")):
            for name, (key_node, value_node) in r.mapping(keys["parameters"][1], f"{what} 'parameters'").items():
                raw_params[name] = (key_node, r.parameter(value_node))
        try:
            declared = params_mod.inspect(notebook)
        except Exception as exc:  # unreadable notebook
            raise r.error(nb_node, f"cannot read the parameters of '{notebook.name}': {exc}") from None
        typed: dict[str, Any] = {}
        for name, (key_node, value) in raw_params.items():
            try:
                typed.update(params_mod.coerce(notebook, {name: value}, declared))
            except ParameterError as exc:
                raise r.error(key_node, f"{what}: {exc}") from None
        if "label" in keys:
            label = r.text(keys["label"][1], "'label'")
        else:
            label = label_from_parameters(typed)
        if not _LABEL_RE.match(label):
            raise r.error(keys.get("label", (entry, entry))[1],
                          f"{what}: label {label!r} may only contain letters, digits and _ . = , + -.")
        stage = default_stage(notebook)
        if "stage" in keys:
            stage = r.flag(keys["stage"][1], "stage", (1, 2))
        inputs: list[Path] = []
        if "inputs" in keys:
            node = keys["inputs"][1]
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            for item in items:
                p = Path(r.text(item, "each entry of 'inputs'")).expanduser()
                p = p if p.is_absolute() else (path.parent / p)
                if not p.exists():
                    raise r.error(item, f"{what}: input '{item.value}' does not exist ({p}).")
                inputs.append(p.resolve())
        timeout = r.number(keys["timeout"][1], "timeout", 1, integer=False) if "timeout" in keys else None
        spec = RunSpec(notebook=notebook, parameters=typed, label=label, stage=stage, inputs=inputs, timeout=timeout)
        if spec.run_id in seen:
            raise r.error(entry, f"{what}: duplicate run '{spec.run_id}' (also run #{seen[spec.run_id]}); "
                                 "give it another label.")
        seen[spec.run_id] = i
        specs.append(spec)
    return sorted(specs, key=lambda s: s.stage), options
