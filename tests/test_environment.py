"""environment.yml (conda-forge) and pyproject.toml must declare the same packages and Python."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]


def _conda():
    with open(ROOT / "environment.yml", encoding="utf-8") as fh:
        deps = yaml.safe_load(fh)["dependencies"]
    names, python = set(), None
    for dep in deps:
        if isinstance(dep, dict):
            continue
        name = _name(dep)
        if name == "python":
            python = dep.split("=", 1)[1]
        elif name != "pip":
            names.add(CONDA_TO_PYPI.get(name, name))
    return names, python


def test_same_package_list():
    project = _pyproject()
    pypi = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["dev"]}
    conda, _ = _conda()
    assert sorted(pypi - conda) == [], "in pyproject.toml but not environment.yml"
    assert sorted(conda - pypi) == [], "in environment.yml but not pyproject.toml"


def test_same_python_and_lower_bounds():
    project = _pyproject()
    _, python = _conda()
    assert python == "3.11"
    assert project["requires-python"] == ">=3.10"
    with open(ROOT / "environment.yml", encoding="utf-8") as fh:
        conda_bounds = {
            CONDA_TO_PYPI.get(_name(d), _name(d)): d.split(">=", 1)[1]
            for d in yaml.safe_load(fh)["dependencies"] if isinstance(d, str) and ">=" in d
        }
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        if ">=" in req:
            assert conda_bounds.get(_name(req)) == req.split(">=", 1)[1].strip(), req


def test_constraints_pin_every_declared_package():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[_name(name)] = version.strip()
    project = _pyproject()
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        assert _name(req) in pins, f"{_name(req)} is not pinned in constraints.txt"
