#!/usr/bin/env python3
"""Build ``data/reference/commune_postcodes.csv``: the La Poste postcodes of every commune (COG 2026).

Source: ``codesPostaux`` of ``data/communes.json`` in the npm package
``@etalab/decoupage-administratif`` 6.0.0 (the package and tarball already used for the COG 2026
reference, see ``data/reference/PROVENANCE.md``; code MIT, data Licence Ouverte). Rows: one per
(commune or arrondissement municipal, postcode), for the 101 départements (collectivités
d'outre-mer left out, as in ``communes.csv``).

Usage (network access to the npm registry at build time only)::

    .venv/bin/python scripts/build_postcodes.py                 # npm pack 6.0.0
    .venv/bin/python scripts/build_postcodes.py --tarball FILE  # reuse a tarball

The tarball's sha256 must be the one recorded for COG 2026 in ``data/reference/PROVENANCE.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from build_reference import BuildError, is_com, npm_pack, read_package, sha256, write_csv_atomic  # noqa: E402

VERSION = "6.0.0"
SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
KEPT_TYPES = ("commune-actuelle", "arrondissement-municipal")


def postcode_rows(communes: list[dict]) -> list[list[str]]:
    """(code, postcode) pairs of the actual communes and arrondissements municipaux, sorted."""
    rows = set()
    for c in communes:
        if c.get("type") not in KEPT_TYPES or is_com(c["code"]):
            continue
        for pc in c.get("codesPostaux") or []:
            if len(pc) != 5 or not pc.isdigit():
                raise BuildError(f"Commune {c['code']}: postcode {pc!r} is not 5 digits.")
            rows.add((c["code"], pc))
    return [list(r) for r in sorted(rows)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tarball", type=Path, help="tarball of @etalab/decoupage-administratif 6.0.0 (else npm pack)")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "reference" / "commune_postcodes.csv")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or npm_pack(VERSION, Path(tmp))
        digest = sha256(tarball)
        if digest != SHA256:
            raise BuildError(f"{tarball}: sha256 {digest} differs from the COG 2026 tarball {SHA256}.")
        rows = postcode_rows(read_package(tarball)["communes"])
    write_csv_atomic(args.out, ["code", "postcode"], rows)
    print(f"{args.out}: {len(rows)} (commune, postcode) pairs, {len({r[0] for r in rows})} communes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
