"""Notebook parameters: inspection (papermill) and typing of command-line values.

Papermill's own ``-p`` guesses types from the text ("93" becomes the integer 93);
esstools types each value after the default in the notebook's ``parameters``
cell instead, so a département code stays a string.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import yaml

from ..errors import ParameterError


def inspect(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """Parameters of a notebook: ``{name: {"default": text, "type": name, "help": text}}``.

    Read from the cell tagged ``parameters`` with :mod:`ast` (same result as
    ``papermill.inspect_notebook`` for the assignments papermill understands, without
    importing papermill): ``default`` is the value as written, ``type`` the annotation
    (``"None"`` without one), ``help`` the comment at the end of the assignment's last line.
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return _parameters("".join(source) if isinstance(source, list) else source, notebook)
    return {}


def _parameters(source: str, notebook) -> dict[str, dict[str, Any]]:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"The parameters cell of '{Path(notebook).name}' is not valid Python: {exc.msg} "
                             f"(line {exc.lineno}).") from None
    lines = source.splitlines()
    out: dict[str, dict[str, Any]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, annotation = node.targets[0].id, None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, annotation = node.target.id, ast.get_source_segment(source, node.annotation)
        else:
            continue
        tail = lines[node.end_lineno - 1][node.end_col_offset:] if node.end_lineno else ""
        out[name] = {
            "default": ast.get_source_segment(source, node.value),
            "type": annotation or "None",
            "help": tail.split("#", 1)[1].strip() if "#" in tail else "",
        }
    return out


def _default_value(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _kind(default_text: str | None) -> str:
    """Type of a parameter from its default as written: text, bool, int, float or any."""
    if isinstance(default_text, str) and default_text.strip()[:1] in {"'", '"'}:
        return "text"
    default = _default_value(default_text)
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "any"


def _coerce_text(name: str, value: str, kind: str) -> Any:
    if kind == "text":
        return str(value)  # "93", "2A", "01" stay text
    if kind == "bool":
        low = value.strip().lower()
        if low in {"true", "1", "yes", "oui", "vrai"}:
            return True
        if low in {"false", "0", "no", "non", "faux"}:
            return False
        raise ParameterError(f"Parameter '{name}' expects true/false; got {value!r}.")
    if kind == "int":
        try:
            return int(value.strip().replace("_", ""))
        except ValueError:
            raise ParameterError(f"Parameter '{name}' expects an integer; got {value!r}.") from None
    if kind == "float":
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            raise ParameterError(f"Parameter '{name}' expects a number; got {value!r}.") from None
    # None, list or dict default: YAML ("[2016, 2025]", "null", "3.5"); plain text stays text;
    # a value written between quotes in reports.yml stays text.
    if getattr(value, "quoted", False):
        return str(value)
    parsed = _default_value(value)
    return parsed if parsed is not None or value.strip().lower() in {"null", "none", "~"} else str(value)


def coerce(notebook: str | Path, values: dict[str, Any], declared: dict[str, dict] | None = None) -> dict[str, Any]:
    """Type ``values`` (text from the command line or reports.yml) after the notebook's defaults.

    A text default keeps the value as text (``01`` stays ``"01"``); int, float and bool
    defaults convert it (``0,25`` is accepted for 0.25); other defaults (None, lists)
    read it as YAML. Values that are already typed (Python API) must match a text, int,
    float or bool default. Unknown names raise :class:`ParameterError` listing the
    notebook's parameters.
    """
    declared = inspect(notebook) if declared is None else declared
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ParameterError(
            f"Notebook '{Path(notebook).name}' has no parameter(s) {', '.join(unknown)}; "
            f"its parameters are: {', '.join(declared) or '(none)'}."
        )
    out: dict[str, Any] = {}
    for name, value in values.items():
        kind = _kind(declared[name]["default"])
        if isinstance(value, str):
            out[name] = _coerce_text(name, value, kind)
            continue
        expected = {"text": (str,), "bool": (bool,), "int": (int,), "float": (int, float)}.get(kind)
        if value is not None and expected and (not isinstance(value, expected)
                                               or (kind != "bool" and isinstance(value, bool))):
            label = {"text": "text", "bool": "true/false", "int": "an integer", "float": "a number"}[kind]
            raise ParameterError(f"Parameter '{name}' expects {label}; got {value!r}.")
        out[name] = float(value) if kind == "float" and value is not None else value
    return out
