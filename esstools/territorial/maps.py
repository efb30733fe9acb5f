"""Maps of the territorial comparison.

* :func:`departement_map` — published ESS employment of the région's départements on the shipped
  schematic map of France (``esstools.maps``), the five overseas départements drawn as inset tiles,
  the département outlined in red; a zoom on its region (or on Paris and the petite couronne).
* :func:`choropleth` — communes, arrondissements, EPCI or EPT from real contours
  (:mod:`esstools.territorial.contours`), dissolved units drawn with their outer boundary only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import maps as base_maps
from ..display import fmt_number
from ..provenance import Provenance, mark_axes
from .charts import style
from .contours import Shapes

OVERSEAS = ("971", "972", "973", "974", "976")
OVERSEAS_NAMES = {"971": "Guadeloupe", "972": "Martinique", "973": "Guyane", "974": "La Réunion", "976": "Mayotte"}
#: Inset tiles of the overseas départements on the schematic map (SVG units: x, y of the top-left corner).
TILE_SIZE = 34.0
TILE_ORIGIN = (8.0, 330.0)


def overseas_tiles() -> dict[str, list[np.ndarray]]:
    """Square inset tiles (SVG units, y down) standing for the overseas départements on the schematic map."""
    x0, y0 = TILE_ORIGIN
    out = {}
    for i, code in enumerate(OVERSEAS):
        y = y0 + i * (TILE_SIZE + 12)
        out[code] = [np.array([[x0, y], [x0 + TILE_SIZE, y], [x0 + TILE_SIZE, y + TILE_SIZE], [x0, y + TILE_SIZE]])]
    return out


def _national(ax, values: pd.Series, highlight: str, cmap: str, vmin: float, vmax: float, region_codes):
    """France on the schematic map with the overseas tiles; departments outside the region are left blank."""
    from matplotlib.patches import Polygon

    geo, attribution = base_maps.departements_geometry()
    shapes = {**geo, **overseas_tiles()}
    shown = values.reindex([c for c in shapes if c in region_codes])
    sm = base_maps._draw(ax, shapes, shown, cmap, vmin, vmax, edgecolor="white")
    for code in OVERSEAS:
        (x, y), _ = shapes[code][0][0], None
        ax.text(x + TILE_SIZE + 4, y + TILE_SIZE / 2, f"{code} {OVERSEAS_NAMES[code]}", fontsize=6, va="center")
    for poly in shapes.get(highlight, []):
        ax.add_patch(Polygon(poly, closed=True, fill=False, edgecolor="#b00020", linewidth=2.0))
    allpts = np.concatenate([p for polys in shapes.values() for p in polys])
    ax.set_xlim(allpts[:, 0].min() - 5, allpts[:, 0].max() + 5)
    ax.set_ylim(allpts[:, 1].max() + 5, allpts[:, 1].min() - 5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return sm, attribution


def departement_map(figures: pd.DataFrame, params, title_fr: str = "Emploi dans l'ESS publié (milliers)"):
    """Published ESS employment of the région's départements (``figures`` from ``map_figures``, real data):
    France with the overseas tiles (left), zoom on the region or on Paris and the petite couronne (right).
    Returns the figure (no crash when the region has no published figure or no schematic geometry)."""
    from .. import territory

    plt = style()
    vals = pd.Series(figures["valeur"].to_numpy("float64"), index=figures["code"].to_numpy()) / 1000
    region_codes = list(territory.children(params.region, "departement", params.cog)["code"])
    geo, _ = base_maps.departements_geometry()
    zoom = [c for c in region_codes if c in geo]
    if params.region == "11":
        zoom = [c for c in base_maps.PETITE_COURONNE if c in zoom]
    has_values = vals.reindex(region_codes).notna().any()
    vmin, vmax = (float(vals.min()), float(vals.max())) if has_values else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(12 if zoom else 7, 5.8), squeeze=False,
                             gridspec_kw={"width_ratios": [1.3, 1] if zoom else [1]})
    sm, attribution = _national(axes[0, 0], vals, params.departement, "YlGn", vmin, vmax, region_codes)
    axes[0, 0].set_title(f"France — {params.departement_name} entouré en rouge", fontsize=10)
    if zoom:
        title = "Zoom : Paris et petite couronne" if params.region == "11" else f"Zoom : {params.region_name}"
        base_maps.plot_departements(vals, codes=zoom, ax=axes[0, 1], fmt="{:.0f}", highlight=params.departement,
                                    title=title, colorbar=False, vmin=vmin, vmax=vmax)
        fig.texts.clear()
    if has_values:
        sm.set_array([])
        cb = fig.colorbar(sm, ax=axes[0, -1], shrink=0.7)
        cb.set_label(title_fr)
    fig.suptitle(f"{title_fr} — départements de la région {params.region_name}", fontsize=11)
    fig.text(0.01, 0.01, attribution + " ; outre-mer en cartouches schématiques. Source : chiffres publiés "
             "(voir le tableau de la partie 1)", fontsize=7, color="#555555", ha="left", va="bottom")
    return fig


def centroid(rings: list[np.ndarray]) -> tuple[float, float]:
    """Area-weighted centroid of exterior rings (shoelace formula); mean of the vertices if degenerate."""
    a_tot = cx = cy = 0.0
    for r in rings:
        x, y = r[:, 0], r[:, 1]
        x1, y1 = np.roll(x, -1), np.roll(y, -1)
        cross = x * y1 - x1 * y
        a = cross.sum() / 2
        if a != 0:
            a_tot += a
            cx += ((x + x1) * cross).sum() / 6
            cy += ((y + y1) * cross).sum() / 6
    if a_tot == 0:
        pts = np.concatenate(rings)
        return float(pts[:, 0].mean()), float(pts[:, 1].mean())
    return cx / a_tot, cy / a_tot


def _project(shapes: Shapes):
    """Equirectangular projection for lon/lat contours (x scaled by cos of the mean latitude)."""
    if not shapes.geographic:
        return lambda a: a
    lat = np.mean([r[:, 1].mean() for v in shapes.polygons.values() for p in v for r in p[:1]])
    k = np.cos(np.radians(lat))
    return lambda a: np.column_stack([a[..., 0].ravel() * k, a[..., 1].ravel()]).reshape(a.shape)


def choropleth(shapes: Shapes, values: pd.Series, names: pd.Series | None, *, title: str, label: str,
               provenance: Provenance, source: str, digits: int = 1, cmap: str = "YlGn", max_labels: int = 14):
    """Choropleth of units (``values`` indexed by unit code) on real contours; units without a value in grey.

    Dissolved units (EPCI / EPT built from their communes) are filled polygon by polygon and outlined
    by their outer boundary only. At most ``max_labels`` units are named (the largest values).
    """
    import matplotlib as mpl
    from matplotlib.collections import LineCollection, PolyCollection

    plt = style()
    proj = _project(shapes)
    values = pd.Series(values, dtype="float64")
    known = values.reindex(list(shapes.polygons)).dropna()
    vmin, vmax = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    cm = mpl.colormaps[cmap]
    fig, ax = plt.subplots(figsize=(8, 7))
    verts, colours, outlines = [], [], []
    for code, polys in shapes.polygons.items():
        v = values.get(code, np.nan)
        col = "#dddddd" if pd.isna(v) else cm(norm(float(v)))
        for poly in polys:
            verts.append(proj(poly[0]))
            colours.append(col)
        outlines.append(proj(shapes.outline(code)))
    # edges in the fill colour: no antialiasing seam between the member polygons of a dissolved unit
    ax.add_collection(PolyCollection(verts, facecolors=colours, edgecolors=colours, linewidths=0.4))
    ax.add_collection(LineCollection(np.concatenate(outlines), colors="#555555", linewidths=0.6))
    allpts = np.concatenate(verts)
    pad = 0.05 * max(np.ptp(allpts[:, 0]), np.ptp(allpts[:, 1]))  # room for the labels at the edges
    ax.set_xlim(allpts[:, 0].min() - pad, allpts[:, 0].max() + pad)
    ax.set_ylim(allpts[:, 1].min() - pad, allpts[:, 1].max() + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if names is not None:
        for code in known.sort_values(ascending=False).index[:max_labels]:
            cx, cy = centroid([proj(p[0]) for p in shapes.polygons[code]])
            ax.text(cx, cy, f"{names.get(code, code)}\n{fmt_number(known[code], digits)}", fontsize=6.5,
                    ha="center", va="center", color=base_maps._text_colour(cm(norm(float(known[code])))))
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=cm)
    sm.set_array([])
    fig.colorbar(sm, ax=ax, shrink=0.7).set_label(label)
    ax.set_title(title, fontsize=10, pad=22)
    fig.subplots_adjust(left=0.02, right=0.9, top=0.9, bottom=0.1)
    files = ", ".join(sorted({f.rsplit("/", 1)[-1] for f in shapes.files}))
    fig.text(0.01, 0.01, f"Contours : {files}. Source : {source}", fontsize=7, color="#555555", ha="left",
             va="bottom", wrap=True)
    mark_axes(ax, provenance)
    return fig
