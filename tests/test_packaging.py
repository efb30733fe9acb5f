"""The package ships its reference data: an install outside the repository finds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_built_package_carries_data_and_works_outside_the_repository(tmp_path):
    build = tmp_path / "lib"
    subprocess.run([sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build)], cwd=ROOT, check=True,
                   capture_output=True)
    assert (build / "esstools" / "data" / "reference" / "communes.csv").is_file()
    assert (build / "esstools" / "data" / "roadmap" / "roadmap.yml").is_file()
    env = {k: v for k, v in os.environ.items() if k != "ESSTOOLS_DATA_DIR"}
    env["PYTHONPATH"] = str(build)
    code = ("import esstools, esstools.paths as p; c = esstools.territory.communes(departement='93'); "
            "print(esstools.__file__); print(p.data_dir()); print(len(c))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True,
                         text=True).stdout.splitlines()
    assert out[0].startswith(str(build)) and out[1] == str(build / "esstools" / "data")
    assert int(out[2]) >= 39  # 93 has 39 communes in COG 2026 (40 before the 2025 merger)


def test_import_is_light_and_lazy():
    code = "import sys, esstools; print('esstools.trends' in sys.modules, esstools.Provenance.demo().kind)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert out.split() == ["False", "demo"]


def test_cache_dir_follows_platform_conventions(monkeypatch, tmp_path):
    from esstools import paths

    monkeypatch.delenv("ESSTOOLS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert paths.cache_dir() == tmp_path / "esstools"
    monkeypatch.setenv("ESSTOOLS_CACHE_DIR", str(tmp_path / "x"))
    assert paths.cache_dir() == tmp_path / "x"
