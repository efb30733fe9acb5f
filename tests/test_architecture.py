"""The intended architecture, enforced: who may import whom inside esstools (issue 15).

Layers, bottom to top:
  foundation  errors, paths, atomic, provenance, display, results, nbtools, vocabulary
  reference   territory, published, loaders, fetch
  demo        synth (imported ONLY by esstools.sources: demo data are written in the real formats and read back
              through the real loaders)
  access      sources
  analyses    territorial, trends, impact, assessment (each: model modules + report.py)
  runner      runner, cli
A module may import its own layer or lower ones, never higher; analyses do not import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "esstools"


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        yield name, path


def _imports(name: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("esstools"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("esstools"):
                found.add(mod)
                # "from esstools import territory" imports a module; "from esstools import __version__" does not
                found.update(f"{mod}.{a.name}" for a in node.names if _is_module(f"{mod}.{a.name}"))
    return found


def _is_module(dotted: str) -> bool:
    path = PKG.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_only_the_data_access_layer_imports_synth():
    offenders = sorted(f"{name} imports {imp}" for name, path in _modules() if not name.startswith(("esstools.sources", "esstools.synth"))
                       for imp in _imports(name, path) if _top(imp) == "synth")
    assert offenders == []


LAYERS = {
    "foundation": {"errors", "paths", "atomic", "provenance", "display", "results", "nbtools", ""},
    "reference": {"territory", "postcodes", "published", "loaders", "fetch", "indicators", "maps", "vocabulary"},
    "demo": {"synth"},
    "access": {"sources"},
    "analyses": {"territorial", "trends", "impact", "assessment", "comparison", "roadmap", "scorecard"},
    "runner": {"runner", "cli"},
}
ALLOWED = {
    "foundation": {"foundation"},
    "reference": {"foundation", "reference"},
    "demo": {"foundation", "reference"},
    "access": {"foundation", "reference", "demo"},
    "analyses": {"foundation", "reference", "access"},
    "runner": {"foundation", "reference", "runner"},
}
# backward-compatible shims that only re-export their package
SHIMS = {"comparison": "territorial", "roadmap": "assessment", "scorecard": "assessment"}


def _layer(top: str) -> str:
    for layer, members in LAYERS.items():
        if top in members:
            return layer
    raise AssertionError(f"esstools.{top} belongs to no layer: add it to LAYERS in {__file__}")


def test_modules_import_only_their_layer_or_lower_and_analyses_not_each_other():
    offenders = []
    for name, path in _modules():
        own = _top(name)
        layer = _layer(own)
        for imp in _imports(name, path):
            other = _top(imp)
            if other in ("", own) or SHIMS.get(own) == other:
                continue
            other_layer = _layer(other)
            if other_layer not in ALLOWED[layer] or (layer == other_layer == "analyses"):
                offenders.append(f"{name} ({layer}) imports {imp} ({other_layer})")
    assert offenders == []
