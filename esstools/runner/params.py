"""Notebook parameters: inspection (papermill) and typing of command-line values.

Papermill's own ``-p`` guesses types from the text ("93" becomes the integer 93);
esstools types each value after the default in the notebook's ``parameters``
cell instead, so a département code stays a string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import ParameterError


def inspect(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """Parameters of a notebook: ``{name: {"default": text, "type": name, "help": text}}``."""
    import papermill as pm

    raw = pm.inspect_notebook(str(notebook))
    return {
        name: {
            "default": spec.get("default"),
            "type": spec.get("inferred_type_name"),
            "help": spec.get("help", ""),
        }
        for name, spec in raw.items()
    }


def _default_value(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def coerce(notebook: str | Path, values: dict[str, Any], declared: dict[str, dict] | None = None) -> dict[str, Any]:
    """Type ``values`` (often strings from the command line) after the notebook's defaults.

    Unknown names raise :class:`ParameterError` listing the notebook's parameters.
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
        if not isinstance(value, str):
            out[name] = value
            continue
        default_text = declared[name]["default"]
        default = _default_value(default_text)
        if isinstance(default_text, str) and default_text.strip()[:1] in {"'", '"'}:
            out[name] = value  # string parameter: keep the text as given ("93", "2A")
        elif isinstance(default, bool):
            low = value.strip().lower()
            if low in {"true", "1", "yes", "oui", "vrai"}:
                out[name] = True
            elif low in {"false", "0", "no", "non", "faux"}:
                out[name] = False
            else:
                raise ParameterError(f"Parameter '{name}' expects true/false; got {value!r}.")
        elif isinstance(default, int):
            try:
                out[name] = int(value)
            except ValueError:
                raise ParameterError(f"Parameter '{name}' expects an integer; got {value!r}.") from None
        elif isinstance(default, float):
            try:
                out[name] = float(value.replace(",", "."))
            except ValueError:
                raise ParameterError(f"Parameter '{name}' expects a number; got {value!r}.") from None
        else:
            # None, list or dict default: YAML ("[2016, 2025]", "null", "3.5"); plain text stays text
            parsed = _default_value(value)
            out[name] = parsed if parsed is not None or value.strip().lower() in {"null", "none", "~"} else value
    return out
