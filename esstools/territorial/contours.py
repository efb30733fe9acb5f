"""Real contours for the maps: read GeoJSON files, harmonise them to the COG vintage, dissolve units.

Input (parameter ``contours``): a GeoJSON file (``.geojson``, ``.json`` or gzip ``.geojson.gz``),
a directory of such files, or several of them separated by ``;`` (relative paths: from the current
directory, else from the repository root) — e.g. the IGN / Etalab
"contours administratifs" downloaded by ``esstools fetch`` (``communes-100m-2026.geojson.gz``,
``epci-100m-…``, ``departements-100m-…``), or any file whose features carry an INSEE code
(property ``code``, ``INSEE_COM``, ``insee``, ``codgeo``, ``c_arinsee``…). In a directory, files
are picked by name (``commune``, ``arrondissement``, ``epci``, ``ept``, ``departement``).

Harmonisation (:func:`commune_shapes`): every commune code of the file is carried to the COG
vintage of the data with the territory reference (``territory.commune_changes``: a merged commune
is dissolved into its successor, a renumbered one re-keyed); codes unknown to the vintage are
left out and counted. Units (EPCI, EPT) come from a file of that level when it covers them all,
otherwise they are dissolved from their member communes (:func:`unit_shapes`). Dissolving keeps
the member polygons for the fill and draws only the outer boundary (edges shared by two member
polygons cancel out): no geometry library is needed.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, SchemaError

ID_PROPERTIES = ("code", "INSEE_COM", "insee_com", "insee", "code_insee", "codgeo", "CODGEO", "c_arinsee",
                 "INSEE_DEP", "code_siren", "SIREN_EPCI", "siren")
NAME_KEYS = {"arrondissement": ("arrondissement",), "epci": ("epci",), "ept": ("ept",),
             "commune": ("commune",), "departement": ("departement", "département")}
SUFFIXES = (".geojson", ".json", ".geojson.gz", ".json.gz")
FETCH_HINT = ("obtenir : `esstools fetch communes-geometry` (contours IGN / Etalab, Licence "
              "Ouverte) puis paramètre `contours` = le dossier du cache, ou `contours` = le chemin d'un fichier "
              "GeoJSON (ou d'un dossier de fichiers GeoJSON) des communes")

Polygon = list  # [exterior ring, hole rings...], each an (n, 2) array


@dataclass
class Shapes:
    """Polygons of territorial units (``{code: [polygon, ...]}``), their outlines and provenance."""

    polygons: dict[str, list[Polygon]]
    files: tuple[str, ...]
    geographic: bool = True
    dissolved: bool = False
    notes: list[str] = field(default_factory=list)

    def outline(self, code: str) -> np.ndarray:
        """Boundary segments ``(m, 2, 2)`` of a unit: the edges of its polygons not shared by two of them."""
        segs = [np.stack([r[:-1], r[1:]], axis=1) for poly in self.polygons[code] for r in poly if len(r) > 1]
        if not segs:
            return np.zeros((0, 2, 2))
        s = np.concatenate(segs)
        if not self.dissolved or len(self.polygons[code]) < 2:
            return s
        key = np.round(s, 6)
        a, b = key[:, 0], key[:, 1]
        swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
        canon = np.where(swap[:, None], np.concatenate([b, a], axis=1), np.concatenate([a, b], axis=1))
        _, inv, counts = np.unique(canon, axis=0, return_inverse=True, return_counts=True)
        return s[counts[inv.ravel()] == 1]


# --------------------------------------------------------------------------- reading
def _rings(geom: dict, where: str) -> list[Polygon]:
    gtype = (geom or {}).get("type")
    if gtype == "Polygon":
        polys = [geom["coordinates"]]
    elif gtype == "MultiPolygon":
        polys = geom["coordinates"]
    else:
        raise SchemaError(f"{where}: geometry type {gtype!r} is not supported; expected Polygon or MultiPolygon.")
    return [[np.asarray(r, dtype="float64")[:, :2] for r in poly if len(r)] for poly in polys]


def _id_property(props: dict, path: Path) -> str:
    for key in ID_PROPERTIES:
        if key in props:
            return key
    raise SchemaError(f"GeoJSON file '{path}', feature 1: no code property among {list(ID_PROPERTIES)}; "
                      f"properties are {sorted(props)}.", path=str(path))


@lru_cache(maxsize=8)
def _read(path: str, mtime: float) -> dict[str, list[Polygon]]:
    p = Path(path)
    try:
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError as exc:
        raise InputFileError(f"GeoJSON file '{p}' does not exist.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputFileError(f"GeoJSON file '{p}' is not valid (gzip) JSON: {exc}.") from exc
    feats = data.get("features") if isinstance(data, dict) else None
    if not feats:
        raise SchemaError(f"GeoJSON file '{p}' is not a FeatureCollection with features.")
    key = _id_property(feats[0].get("properties") or {}, p)
    out: dict[str, list[Polygon]] = {}
    for i, feat in enumerate(feats, start=1):
        raw = (feat.get("properties") or {}).get(key)
        if raw is None:
            raise SchemaError(f"GeoJSON file '{p}', feature {i}: property '{key}' is missing.", path=str(p),
                              column=key, rows=[i])
        code = str(raw).strip()
        code = code.zfill(5) if code.isdigit() and len(code) == 4 else code  # 1001 -> 01001
        out.setdefault(code, []).extend(_rings(feat.get("geometry"), f"GeoJSON file '{p}', feature {i} ({code!r})"))
    return out


def read_geojson(path: str | os.PathLike) -> dict[str, list[Polygon]]:
    """``{code: [polygon, ...]}`` of a GeoJSON file (``.gz`` accepted); polygon = [exterior, holes...]."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"GeoJSON file '{p}' does not exist.")
    return _read(str(p.resolve()), p.stat().st_mtime)


def contour_files(contours: str | os.PathLike | None) -> list[Path]:
    """Existing GeoJSON files named by ``contours`` (file, directory or ``;``-separated list)."""
    if contours in (None, ""):
        return []
    from .. import paths

    files: list[Path] = []
    for part in str(contours).split(";"):
        p = Path(part.strip()).expanduser()
        if not p.exists() and not p.is_absolute():  # relative to the repository root (reports.yml)
            p = paths.data_dir().parent / p
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.name.lower().endswith(SUFFIXES)
                            and any(k in f.name.lower() for keys in NAME_KEYS.values() for k in keys))
        elif p.is_file():
            files.append(p)
    return files


def missing_message(contours) -> str | None:
    """French message when ``contours`` names nothing readable (None when some file exists)."""
    if contours in (None, ""):
        return "Aucun fichier de contours fourni : cartes des communes, EPCI et EPT non produites. Pour en " + FETCH_HINT + "."
    if not contour_files(contours):
        return (f"Aucun fichier de contours trouvé dans « {contours} » : cartes des communes, EPCI et EPT non "
                f"produites. Pour en " + FETCH_HINT + ".")
    return None


# --------------------------------------------------------------------------- harmonisation
def _successors(cog: int) -> dict[str, str]:
    """Old commune code -> code of the COG vintage ``cog`` (mergers and code changes, chained)."""
    from .. import territory

    ch = territory.commune_changes(to_cog=cog)
    ch = ch[ch["change"].isin(["merger", "code_change"])]
    step = dict(zip(ch["from_code"], ch["to_code"]))
    out = {}
    for code in step:
        seen, cur = {code}, step[code]
        while cur in step and cur not in seen:
            seen.add(cur)
            cur = step[cur]
        out[code] = cur
    return out


def _in_departement(code: str, dep: str) -> bool:
    return code.startswith(dep) if len(dep) == 3 else (len(code) == 5 and code[:2] == dep)


def commune_shapes(params, contours=None, arrondissements: bool = False) -> Shapes | None:
    """Commune polygons of the département harmonised to ``params.cog`` (None when no file has any).

    ``arrondissements``: keep Paris, Lyon and Marseille split into their arrondissements municipaux
    when the files have them (else the whole commune stands for its arrondissements).
    """
    from .. import territory

    files = contour_files(params.contours if contours is None else contours)
    com = territory.communes(params.cog, params.departement, include_arrondissements=True)
    valid = set(com["code"])
    parent = dict(zip(com["code"], com["commune"]))
    succ = _successors(params.cog)
    raw: dict[str, list[Polygon]] = {}
    used, dropped, carried = [], [], 0
    for f in files:
        shapes = read_geojson(f)
        hits = {c: v for c, v in shapes.items() if _in_departement(c, params.departement)}
        if not hits:
            continue
        used.append(str(f))
        for code, polys in hits.items():
            new = code if code in valid else succ.get(code)
            if new not in valid:
                dropped.append(code)
                continue
            carried += new != code
            raw.setdefault(new, []).extend(polys)
    if not raw:
        return None
    arm = {c for c in raw if parent.get(c, c) != c}  # arrondissements municipaux present in the files
    out: dict[str, list[Polygon]] = {}
    merged_arm = False
    if arrondissements:  # arrondissements replace their commune when the files have them
        with_arm = {parent[c] for c in arm}
        out = {c: v for c, v in raw.items() if c not in with_arm}
    else:
        for code, polys in raw.items():
            if code in arm:
                if parent[code] in raw:
                    continue  # the whole commune is in the files: its arrondissements are not needed
                merged_arm = True
                code = parent[code]
            out.setdefault(code, []).extend(polys)
    notes = []
    if carried:
        notes.append(f"{carried} contour(s) de communes fusionnées ou renumérotées rattaché(s) à leur commune du "
                     f"COG {params.cog}")
    if dropped:
        notes.append(f"{len(dropped)} code(s) de commune inconnus du COG {params.cog} ignorés "
                     f"({', '.join(sorted(dropped)[:5])}{'…' if len(dropped) > 5 else ''})")
    geographic = all(np.abs(r).max(axis=0)[0] <= 180 for polys in out.values() for p in polys for r in p[:1])
    return Shapes(out, tuple(used), geographic=geographic, dissolved=bool(carried) or merged_arm, notes=notes)


def unit_shapes(params, units: pd.DataFrame, level: str, contours=None) -> Shapes | None:
    """Polygons of the units of ``level`` (``units`` from :func:`~esstools.territorial.geography.commune_units`):
    read from a file of that level when it has every unit, else dissolved from the communes."""
    wanted = set(units.loc[units["counts"], "unit_code"])
    for f in contour_files(params.contours if contours is None else contours):
        if level in ("epci", "ept", "departement") and any(k in f.name.lower() for k in NAME_KEYS[level]):
            shapes = read_geojson(f)
            if wanted <= set(shapes):
                polys = {c: shapes[c] for c in wanted}
                geo = all(np.abs(p[0]).max(axis=0)[0] <= 180 for v in polys.values() for p in v)
                return Shapes(polys, (str(f),), geographic=geo)
    com = commune_shapes(params, contours, arrondissements=level == "arrondissement")
    if com is None:
        return None
    mapping = dict(zip(units["commune_code"], units["unit_code"]))
    out: dict[str, list[Polygon]] = {}
    for code, polys in com.polygons.items():
        unit = mapping.get(code)
        if unit is not None:
            out.setdefault(unit, []).extend(polys)
    missing = sorted(wanted - set(out))
    notes = list(com.notes)
    if missing:
        notes.append(f"{len(missing)} unité(s) sans contour ({', '.join(missing[:5])})")
    return Shapes(out, com.files, geographic=com.geographic, dissolved=True, notes=notes)
