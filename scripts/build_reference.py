#!/usr/bin/env python3
"""Build the territorial reference tables of esstools (``data/reference/``).

Source: the npm package ``@etalab/decoupage-administratif`` (INSEE Code officiel
géographique, DGCL EPCI lists, INSEE EPT lists and legal populations; code MIT,
data Licence Ouverte). One package version per COG vintage (1 January):

    1.1.1 -> COG 2021, 2.3.1 -> 2022, 3.1.1 -> 2023, 4.1.0 -> 2024,
    5.3.0 -> 2025, 6.0.0 -> 2026

Usage (network access to the npm registry is needed at build time only)::

    .venv/bin/python scripts/build_reference.py            # npm pack each version
    .venv/bin/python scripts/build_reference.py --tarballs DIR   # reuse tarballs

The output is deterministic (sorted rows, fixed column order, "\\n" line ends);
every file is written atomically (temp file + ``os.replace``). Only the build
date in ``PROVENANCE.md`` changes between two runs (``--build-date`` fixes it).

Written files: ``communes.csv``, ``commune_populations.csv``,
``departements.csv``, ``regions.csv``, ``epcis.csv``, ``ept_members.csv``,
``commune_changes.csv``, ``vintages.csv``, ``PROVENANCE.md``.
``published_figures.csv`` (another module's file) is never touched.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
TARBALL = "etalab-decoupage-administratif-{version}.tgz"

# version -> (COG vintage, INSEE legal population year shipped, Paris check value).
# The population year is read from the INSEE page each version's README links
# to and checked against the population municipale of Paris (75056) below.
VERSIONS: dict[str, tuple[int, int, int]] = {
    "1.1.1": (2021, 2019, 2_165_423),
    "2.3.1": (2022, 2020, 2_145_906),
    "3.1.1": (2023, 2020, 2_145_906),
    "4.1.0": (2024, 2022, 2_113_705),
    "5.3.0": (2025, 2023, 2_103_778),
    "6.0.0": (2026, 2023, 2_103_778),
}
COGS = [v[0] for v in VERSIONS.values()]

# Collectivités d'outre-mer and other territories outside the 101 départements.
COM_PREFIXES = ("975", "977", "978", "984", "986", "987", "988", "989")

MGP_SIREN = "200054781"  # Métropole du Grand Paris (EPCI, type METRO)
# Official territory numbers of the 11 EPT (T1 = the City of Paris, not an EPT).
EPT_NUMBERS = {
    "200057966": "T2",  # Vallée Sud Grand Paris
    "200057974": "T3",  # Grand Paris Seine Ouest
    "200057982": "T4",  # Paris Ouest La Défense
    "200057990": "T5",  # Boucle Nord de Seine
    "200057867": "T6",  # Plaine Commune
    "200058097": "T7",  # Paris Terres d'Envol
    "200057875": "T8",  # Est Ensemble
    "200058790": "T9",  # Grand Paris Grand Est
    "200057941": "T10",  # Paris Est Marne & Bois
    "200058006": "T11",  # Grand Paris Sud Est Avenir
    "200058014": "T12",  # Grand-Orly Seine Bièvre
}
EPT_FIRST_SHIPPED = "3.1.1"

TYPE_COMMUNE = "commune"
TYPE_ARM = "arrondissement municipal"


class BuildError(RuntimeError):
    """The package data does not pass a consistency check."""


# --------------------------------------------------------------------------- I/O
def write_csv_atomic(path: Path, header: list[str], rows: list[list]) -> None:
    """Write ``rows`` under ``header`` to ``path`` atomically (UTF-8, "\\n")."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow(["" if v is None else v for v in row])
    write_text_atomic(path, buf.getvalue())


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def npm_pack(version: str, dest: Path) -> Path:
    """Download the tarball of ``version`` with ``npm pack`` into ``dest``."""
    cmd = ["npm", "pack", f"{PACKAGE}@{version}", "--silent", "--pack-destination", str(dest)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    path = dest / TARBALL.format(version=version)
    if res.returncode != 0 or not path.exists():
        raise BuildError(f"'{' '.join(cmd)}' failed (exit {res.returncode}): {res.stderr.strip()}")
    return path


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_package(path: Path) -> dict[str, list[dict]]:
    """Read the JSON data files of a tarball without extracting it to disk."""
    out: dict[str, list[dict]] = {}
    with tarfile.open(path, "r:gz") as tar:
        for name in ("communes", "departements", "regions", "epci", "ept"):
            try:
                member = tar.getmember(f"package/data/{name}.json")
            except KeyError:
                continue  # ept.json only exists from 3.1.1 (COG 2023) on
            out[name] = json.load(tar.extractfile(member))
    missing = {"communes", "departements", "regions", "epci"} - set(out)
    if missing:
        raise BuildError(f"Tarball '{path}' lacks data file(s) {sorted(missing)}.")
    return out


# ------------------------------------------------------------------ per vintage
def is_com(code: str) -> bool:
    return code.startswith(COM_PREFIXES)


def vintage_tables(version: str, raw: dict[str, list[dict]]) -> dict:
    """Normalise one package version (formats differ: 1.1.1 has no ``zone``)."""
    cog, _, paris_check = VERSIONS[version]
    regions = {
        r["code"]: {"name": r["nom"], "chef_lieu": r.get("chefLieu", "")}
        for r in raw["regions"]
        if not is_com(r["code"])
    }
    deps = {
        d["code"]: {"name": d["nom"], "region": d["region"], "chef_lieu": d.get("chefLieu", "")}
        for d in raw["departements"]
        if not is_com(d["code"])
    }
    if len(deps) != 101 or len(regions) != 18:
        raise BuildError(f"COG {cog}: {len(deps)} départements / {len(regions)} régions, expected 101 / 18.")

    communes: dict[str, dict] = {}
    subs: dict[str, str] = {}  # commune déléguée / associée code -> chef-lieu (actual commune)
    anciens: dict[str, list[str]] = {}
    arms: dict[str, dict] = {}
    for c in raw["communes"]:
        code = c["code"]
        if is_com(code) or "departement" not in c:
            continue
        t = c["type"]
        if t == "commune-actuelle":
            communes[code] = {
                "name": c["nom"], "departement": c["departement"], "region": c["region"],
                "population": c.get("population"),
            }
            anciens[code] = list(c.get("anciensCodes", []))
        elif t in ("commune-deleguee", "commune-associee"):
            subs.setdefault(code, c["chefLieu"])
        elif t == "arrondissement-municipal":
            arms[code] = {
                "name": c["nom"], "departement": c["departement"], "region": c["region"],
                "commune": c["commune"], "population": c.get("population"),
            }
        else:
            raise BuildError(f"COG {cog}: unknown commune type {t!r} for code {code}.")
    bad = sorted(k for k, v in subs.items() if v not in communes)
    if bad:
        raise BuildError(f"COG {cog}: communes déléguées/associées {bad[:5]} have an unknown chef-lieu.")
    for code, c in communes.items():
        if c["departement"] not in deps or c["region"] != deps[c["departement"]]["region"]:
            raise BuildError(f"COG {cog}: commune {code} has inconsistent département/région.")
        if c["population"] is None:
            raise BuildError(f"COG {cog}: commune {code} has no population.")
    if communes["75056"]["population"] != paris_check:
        raise BuildError(
            f"COG {cog} (npm {version}): population of Paris is {communes['75056']['population']}, "
            f"expected {paris_check}; the population year in VERSIONS must be checked."
        )

    epcis: dict[str, dict] = {}
    commune_epci: dict[str, str] = {}
    for e in raw["epci"]:
        epcis[e["code"]] = {"name": e["nom"], "type": e["type"], "financing": e.get("modeFinancement", "")}
        for m in e["membres"]:
            if m["code"] in commune_epci:
                raise BuildError(f"COG {cog}: commune {m['code']} belongs to two EPCI.")
            if m["code"] not in communes:
                raise BuildError(f"COG {cog}: EPCI {e['code']} lists unknown commune {m['code']}.")
            commune_epci[m["code"]] = e["code"]

    return {
        "cog": cog, "regions": regions, "departements": deps, "communes": communes,
        "subs": subs, "anciens": anciens, "arms": arms, "epcis": epcis,
        "commune_epci": commune_epci, "ept": raw.get("ept"),
    }


def ept_members(vintages: dict[int, dict], versions_of: dict[int, str]) -> list[list]:
    """EPT membership per vintage; COG 2021-2022 are backfilled from COG 2023."""
    first = next(v for v in vintages.values() if v["ept"] is not None)
    rows = []
    for cog, v in vintages.items():
        version = versions_of[cog]
        if v["ept"] is not None:
            source = (
                f"npm {PACKAGE}@{version} data/ept.json (INSEE, liste des EPT, "
                "https://www.insee.fr/fr/information/2510634)"
            )
            ept = v["ept"]
        else:
            source = (
                f"Reconstitué : composition du COG {first['cog']} (npm {PACKAGE}@{EPT_FIRST_SHIPPED} "
                "data/ept.json, INSEE ept_au_01-01-2023) ; périmètres des EPT inchangés depuis leur "
                "création au 1er janvier 2016 (décrets du 11 décembre 2015) jusqu'à la fusion "
                "Pierrefitte-sur-Seine / Saint-Denis du 1er janvier 2025 ; vérifié : membres = "
                f"communes de la Métropole du Grand Paris (EPCI {MGP_SIREN}) du COG {cog} hors Paris"
            )
            ept = first["ept"]
        members = set()
        for e in ept:
            if e["code"] not in EPT_NUMBERS:
                raise BuildError(f"COG {cog}: unexpected EPT SIREN {e['code']} ({e['nom']}).")
            for m in e["membres"]:
                if m["code"] not in v["communes"]:
                    raise BuildError(f"COG {cog}: EPT {e['code']} member {m['code']} is not a commune.")
                members.add(m["code"])
                rows.append([cog, e["code"], EPT_NUMBERS[e["code"]], e["nom"], m["code"],
                             v["communes"][m["code"]]["name"], source])
        mgp = {c for c, e in v["commune_epci"].items() if e == MGP_SIREN}
        if mgp - {"75056"} != members or "75056" not in mgp:
            raise BuildError(f"COG {cog}: EPT members differ from the Métropole du Grand Paris members minus Paris.")
        if len(ept) != 11:
            raise BuildError(f"COG {cog}: {len(ept)} EPT, expected 11.")
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    return rows


# ----------------------------------------------------------------- transitions
def transitions(a: dict, b: dict) -> list[list]:
    """Changes of actual commune codes between two consecutive vintages.

    * a code that stops being an actual commune is mapped to its successor: the
      chef-lieu of the commune déléguée / associée bearing that code in ``b``,
      else the actual commune of ``b`` listing it in ``anciensCodes``;
    * a code that becomes an actual commune in ``b`` while it was a commune
      déléguée / associée of a commune that still exists is a split
      (rétablissement) of that commune.
    """
    A, B = a["communes"], b["communes"]
    rows = []
    gone = sorted(set(A) - set(B))
    succ: dict[str, str] = {}
    evidence: dict[str, str] = {}
    anc_index = defaultdict(set)
    for code, lst in b["anciens"].items():
        for x in lst:
            anc_index[x].add(code)
    for code in gone:
        if code in b["subs"]:
            succ[code] = b["subs"][code]
            evidence[code] = f"commune déléguée/associée du COG {b['cog']}"
        elif len(anc_index.get(code, ())) == 1:
            succ[code] = next(iter(anc_index[code]))
            evidence[code] = f"anciensCodes du COG {b['cog']}"
        else:
            raise BuildError(f"COG {a['cog']}->{b['cog']}: no unique successor for commune {code}.")
    sources_of = defaultdict(list)
    for code, target in succ.items():
        sources_of[target].append(code)
    for code in gone:
        target = succ[code]
        n_sources = len(sources_of[target]) + (1 if target in A else 0)
        change = "merger" if n_sources > 1 else "code_change"
        rows.append([a["cog"], b["cog"], code, A[code]["name"], target, B[target]["name"], change, evidence[code]])

    new = sorted(set(B) - set(A))
    split_parts = defaultdict(list)
    for code in new:
        if code in succ.values():
            continue  # new code of a commune nouvelle, handled above
        parent = a["subs"].get(code)
        if parent is None or parent not in B:
            raise BuildError(f"COG {a['cog']}->{b['cog']}: new commune {code} has no predecessor.")
        split_parts[parent].append(code)
    for parent, parts in sorted(split_parts.items()):
        ev = f"communes déléguées du COG {a['cog']} devenues communes en {b['cog']}"
        for target in sorted([parent, *parts]):
            rows.append([a["cog"], b["cog"], parent, A[parent]["name"], target, B[target]["name"], "split", ev])
    rows.sort(key=lambda r: (r[0], r[2], r[4]))
    return rows


# -------------------------------------------------------------------- intervals
def intervals(per_cog: dict[int, dict[str, tuple]]) -> list[tuple[str, tuple, int, int]]:
    """Collapse {cog: {code: attrs}} into (code, attrs, cog_from, cog_to) runs."""
    out = []
    codes = sorted({c for d in per_cog.values() for c in d})
    for code in codes:
        run = None
        for cog in COGS:
            attrs = per_cog[cog].get(code)
            if run is not None and (attrs != run[0] or attrs is None):
                out.append((code, run[0], run[1], run[2]))
                run = None
            if attrs is not None:
                run = (attrs, run[1] if run else cog, cog)
        if run is not None:
            out.append((code, run[0], run[1], run[2]))
    return out


# ------------------------------------------------------------------------- main
def build(out_dir: Path, tarball_dir: Path | None, build_date: str) -> None:
    versions_of = {cog: version for version, (cog, _, _) in VERSIONS.items()}
    vintages: dict[int, dict] = {}
    shas: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="esstools-cog-") as tmp:
        for version, (cog, _, _) in VERSIONS.items():
            if tarball_dir is not None:
                path = tarball_dir / TARBALL.format(version=version)
                if not path.exists():
                    raise BuildError(f"Tarball '{path}' not found (run without --tarballs to download it).")
            else:
                path = npm_pack(version, Path(tmp))
            shas[version] = sha256(path)
            vintages[cog] = vintage_tables(version, read_package(path))
            print(f"npm {version} -> COG {cog}: {len(vintages[cog]['communes'])} communes", file=sys.stderr)

    ept_rows = ept_members(vintages, versions_of)
    commune_ept = {(r[0], r[4]): r[1] for r in ept_rows}

    # communes + arrondissements municipaux, attributes as intervals
    per_cog: dict[int, dict[str, tuple]] = {}
    pops: dict[str, dict[int, int]] = defaultdict(dict)
    for cog, v in vintages.items():
        d = {}
        for code, c in v["communes"].items():
            d[code] = (c["name"], TYPE_COMMUNE, "", c["departement"], c["region"],
                       v["commune_epci"].get(code, ""), commune_ept.get((cog, code), ""))
            pops[code][cog] = c["population"]
        for code, c in v["arms"].items():
            parent = c["commune"]
            d[code] = (c["name"], TYPE_ARM, parent, c["departement"], c["region"],
                       v["commune_epci"].get(parent, ""), commune_ept.get((cog, parent), ""))
            pops[code][cog] = c["population"]
        per_cog[cog] = d
    rows = [[code, *attrs, f, t] for code, attrs, f, t in intervals(per_cog)]
    write_csv_atomic(out_dir / "communes.csv",
                     ["code", "name", "type", "commune", "departement", "region", "epci", "ept",
                      "cog_from", "cog_to"], rows)
    write_csv_atomic(out_dir / "commune_populations.csv",
                     ["code", *[f"population_{c}" for c in COGS]],
                     [[code, *[pops[code].get(c) for c in COGS]] for code in sorted(pops)])

    def simple(name: str, fields: list[str], key: str) -> None:
        per = {cog: {code: tuple(x[f] for f in fields) for code, x in v[key].items()}
               for cog, v in vintages.items()}
        write_csv_atomic(out_dir / name, ["code", *fields, "cog_from", "cog_to"],
                         [[code, *attrs, f, t] for code, attrs, f, t in intervals(per)])

    simple("departements.csv", ["name", "region", "chef_lieu"], "departements")
    simple("regions.csv", ["name", "chef_lieu"], "regions")
    simple("epcis.csv", ["name", "type", "financing"], "epcis")
    write_csv_atomic(out_dir / "ept_members.csv",
                     ["cog", "ept_siren", "ept_number", "ept_name", "commune_code", "commune_name", "source"],
                     ept_rows)

    change_rows = []
    cogs = sorted(vintages)
    for a, b in zip(cogs, cogs[1:]):
        change_rows += transitions(vintages[a], vintages[b])
    write_csv_atomic(out_dir / "commune_changes.csv",
                     ["from_cog", "to_cog", "from_code", "from_name", "to_code", "to_name", "change", "evidence"],
                     change_rows)

    vint_rows = [[cog, version, pop_year, TARBALL.format(version=version), shas[version]]
                 for version, (cog, pop_year, _) in VERSIONS.items()]
    write_csv_atomic(out_dir / "vintages.csv",
                     ["cog", "npm_version", "population_year", "tarball", "sha256"], vint_rows)

    notes = []
    raw_same = vintages[2025]["epcis"] == vintages[2026]["epcis"] and \
        vintages[2025]["commune_epci"] == vintages[2026]["commune_epci"]
    if raw_same:
        notes.append("- The EPCI data of 6.0.0 (COG 2026) is identical to that of 5.3.0 (COG 2025), "
                     "although the 6.0.0 README cites the DGCL list 2026: EPCI perimeters are those "
                     "shipped (probably 1 January 2025).")
    counts = {cog: len(v["communes"]) for cog, v in vintages.items()}
    write_text_atomic(out_dir / "PROVENANCE.md", provenance_md(shas, counts, change_rows, build_date, notes))
    print(f"Wrote reference tables to {out_dir}", file=sys.stderr)


def provenance_md(shas, counts, change_rows, build_date, notes) -> str:
    lines = [
        "# Territorial reference — provenance",
        "",
        f"Package: npm `{PACKAGE}` (https://www.npmjs.com/package/{PACKAGE}), "
        "maintained by Etalab / data.gouv.fr. Code: MIT licence; data: Licence Ouverte / Etalab.",
        "Upstream sources (per the package README): INSEE Code officiel géographique (COG), DGCL list "
        "and composition of EPCI à fiscalité propre, INSEE list of EPT, INSEE populations légales.",
        "",
        f"Build date: {build_date}. Rebuild (needs the npm registry, build time only):",
        "",
        "    .venv/bin/python scripts/build_reference.py",
        "",
        "or, offline from tarballs already fetched with `npm pack`:",
        "",
        "    .venv/bin/python scripts/build_reference.py --tarballs DIR",
        "",
        "| COG (1 January) | npm version | communes (101 départements) | population municipale, INSEE year | tarball sha256 |",
        "|---|---|---|---|---|",
    ]
    for version, (cog, pop_year, _) in VERSIONS.items():
        lines.append(f"| {cog} | {version} | {counts[cog]} | {pop_year} | `{shas[version]}` |")
    n_changes = defaultdict(int)
    for r in change_rows:
        n_changes[(r[0], r[1], r[6])] += 1
    lines += [
        "",
        "## Contents",
        "",
        "- `communes.csv`: actual communes and arrondissements municipaux (Paris, Lyon, Marseille) of the "
        "101 départements; attributes valid from `cog_from` to `cog_to` (inclusive); `commune` = parent "
        "commune of an arrondissement; `epci` = SIREN of the EPCI à fiscalité propre (empty for the four "
        "single-commune islands outside any EPCI); `ept` = SIREN of the EPT (empty outside the Métropole du "
        "Grand Paris and for Paris). Collectivités d'outre-mer (975, 977, 978, 984, 986-989) are excluded.",
        "- `commune_populations.csv`: population municipale per COG vintage (`population_<cog>`), as shipped "
        "by the package (Mayotte: INSEE 2017 census, per the package README).",
        "- `departements.csv`, `regions.csv`, `epcis.csv`: names, parents and types with validity intervals.",
        "- `ept_members.csv`: the 11 EPT of the Métropole du Grand Paris (T2-T12; T1 is the City of Paris, a "
        "commune with special status and not an EPT) and their member communes per vintage, with a `source` "
        "column. The package ships `data/ept.json` from 3.1.1 (COG 2023) on; COG 2021 and 2022 are "
        "backfilled from the COG 2023 composition (perimeters unchanged since 1 January 2016 until the "
        "Pierrefitte-sur-Seine / Saint-Denis merger of 1 January 2025) and checked against the Métropole du "
        "Grand Paris (EPCI 200054781) membership of the same vintage.",
        "- `commune_changes.csv`: code changes between consecutive vintages, derived from the data "
        "(commune déléguée / associée entries and `anciensCodes`): `merger`, `code_change`, `split`.",
        "- `vintages.csv`: the table above in machine-readable form.",
        "",
        "Population years: read from the INSEE \"Populations légales\" page linked by each version's README and "
        "checked at build time against Paris (75056): 2 165 423 (2019), 2 145 906 (2020), 2 113 705 (2022), "
        "2 103 778 (2023).",
        "",
        "## Changes between vintages",
        "",
        "| from | to | change | rows |",
        "|---|---|---|---|",
    ]
    for (f, t, ch), n in sorted(n_changes.items()):
        lines.append(f"| {f} | {t} | {ch} | {n} |")
    lines += ["", "## Notes", "",
              "- 5.3.0 also ships `data/communes-2025-01-08.json` (7 commune names differ); `communes.json` is used.",
              "- Versions 1.1.1 (no `zone` field, COM communes without `departement`) and later differ in format; "
              "the build normalises both.",
              *notes, ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parents[1]
    p.add_argument("--out", type=Path, default=root / "data" / "reference", help="output directory")
    p.add_argument("--tarballs", type=Path, default=None,
                   help="directory holding the npm tarballs (skip the download)")
    p.add_argument("--build-date", default=_dt.datetime.now(_dt.timezone.utc).date().isoformat(),
                   help="date written in PROVENANCE.md (default: today, UTC)")
    args = p.parse_args(argv)
    try:
        build(args.out, args.tarballs, args.build_date)
    except BuildError as exc:
        print(f"build_reference: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
