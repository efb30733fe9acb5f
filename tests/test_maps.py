"""Maps: SVG path parser, shipped geometry, GeoJSON choropleth."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from esstools import maps
from esstools.errors import InputFileError, SchemaError


def test_parse_svg_path_relative_and_absolute():
    polys = maps.parse_svg_path("m 10,10 5,0 0,5 z M 0 0 L 1 0 H 2 V 3 h -2 v -1 Z")
    assert len(polys) == 2
    np.testing.assert_allclose(polys[0], [[10, 10], [15, 10], [15, 15]])
    np.testing.assert_allclose(polys[1], [[0, 0], [1, 0], [2, 0], [2, 3], [0, 3], [0, 2]])
    curve = maps.parse_svg_path("M0 0 C 0 1 1 1 1 0 Z", curve_steps=4)[0]
    assert curve[-1].tolist() == [1.0, 0.0] and len(curve) == 5
    assert curve[2, 1] == pytest.approx(0.75)  # Bézier midpoint
    with pytest.raises(SchemaError, match="unsupported command"):
        maps.parse_svg_path("M0 0 Q 1 1 2 2")


def test_shipped_geometry_and_attribution():
    geo, attribution = maps.departements_geometry()
    assert len(geo) == 96
    assert set(maps.IDF_DEPARTEMENTS) <= set(geo)
    assert "CC-BY-4.0" in attribution and "svg-maps" in attribution
    # Seine-Saint-Denis lies north-east of Paris (SVG y axis points down)
    c75, c93 = geo["75"][0].mean(axis=0), geo["93"][0].mean(axis=0)
    assert c93[0] > c75[0] and c93[1] < c75[1]


def test_plot_departements():
    fig, ax = maps.plot_departements(pd.Series({"93": 6.6, "92": 7.0}), highlight="93", kind="demo")
    texts = [t.get_text() for t in ax.texts]
    assert "93\n6,6" in texts and "75\nn.d." in texts
    assert any("DÉMONSTRATION" in t for t in texts)
    assert any("CC-BY-4.0" in t.get_text() for t in fig.texts)
    with pytest.raises(SchemaError, match="No geometry"):
        maps.plot_departements(pd.Series(dtype=float), codes=["971"])


def _square(x, y):
    return [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]


def test_geojson_choropleth(tmp_path):
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "93001"}, "geometry": {"type": "Polygon", "coordinates": _square(0, 0)}},
        {"type": "Feature", "properties": {"code": "93066"},
         "geometry": {"type": "MultiPolygon", "coordinates": [_square(1, 0), _square(3, 0)]}},
    ]}
    path = tmp_path / "communes.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    shapes = maps.read_geojson(path)
    assert sorted(shapes) == ["93001", "93066"] and len(shapes["93066"]) == 2
    fig, ax = maps.plot_geojson(path, pd.Series({"93001": 10.0, "93066": 20.0}))
    assert len(ax.collections[0].get_paths()) == 3
    assert ax.get_xlim()[1] > 4
    with pytest.raises(SchemaError, match="feature 1: no property 'insee'"):
        maps.read_geojson(path, id_property="insee")
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        maps.read_geojson(bad)


def test_plot_departements_label_subset_contrast_and_shared_scale():
    import matplotlib.pyplot as plt

    vals = pd.Series({"75": 147.6, "92": 50.2, "93": 42.0, "94": 36.0, "77": 30.0})
    fig, ax = maps.plot_departements(vals, annotate=["77", "91"], fmt="{:.0f}")
    labels = {t.get_text(): t.get_color() for t in ax.texts}
    # only the requested départements are labelled (91 without value shows "n.d.")
    assert set(labels) == {"77\n30", "91\nn.d."}
    plt.close(fig)
    # zoom with the colour scale of the regional map and no colour bar: Paris (darkest) in white
    fig, ax = maps.plot_departements(vals, codes=maps.PETITE_COURONNE, colorbar=False, vmin=30.0, vmax=147.6,
                                     fmt="{:.0f}")
    labels = {t.get_text(): t.get_color() for t in ax.texts}
    assert labels["75\n148"] == "white" and labels["94\n36"] == "black"
    assert len(fig.axes) == 1  # no colour bar
    face = ax.collections[0].get_facecolors()
    assert face.shape[0] >= 4
    plt.close(fig)
    assert maps._text_colour((0.0, 0.27, 0.16, 1.0)) == "white"
    assert maps._text_colour((1.0, 1.0, 0.9, 1.0)) == "black"


# --------------------------------------------------------------------------- territorial maps (real contours)
def _idf(*parts):
    from tests import shared_data

    return shared_data.require("commune, EPT and arrondissement contours", "realdata", *parts)


def test_contours_harmonised_to_cog_and_units_dissolved():
    from esstools.comparison import check_parameters
    from esstools.territorial import contours, geography

    old = _idf("france-geojson", "departements", "communes-93-seine-saint-denis.geojson")  # COG 2018: 40 communes
    p = check_parameters("93", contours=str(old))
    shapes = contours.commune_shapes(p)
    assert len(shapes.polygons) == 39 and "93059" not in shapes.polygons  # Pierrefitte merged into Saint-Denis
    assert shapes.notes == ["1 contour(s) de communes fusionnées ou renumérotées rattaché(s) à leur commune du COG 2026"]
    sd = shapes.polygons["93066"]
    assert len(sd) == 2 and len(shapes.outline("93066")) < sum(len(r) - 1 for poly in sd for r in poly)
    # EPT dissolved from communes (no EPT file) vs the derived EPT file: same 4 units
    units = geography.commune_units(p)
    ept = contours.unit_shapes(p, units, "ept")
    assert ept.dissolved and set(ept.polygons) == set(units["unit_code"])
    derived = _idf("idf-geo-derived")
    p2 = check_parameters("93", contours=str(derived))
    from_file = contours.unit_shapes(p2, geography.commune_units(p2), "ept")
    assert not from_file.dissolved and set(from_file.polygons) == set(ept.polygons)
    assert from_file.files == (str(derived / "ept-grand-paris-cog2026.geojson"),)


def test_paris_arrondissements_and_gzip(tmp_path):
    import gzip

    from esstools.comparison import check_parameters
    from esstools.territorial import contours, geography

    arr = _idf("paris-arrondissements", "arrondissements.geojson")
    gz = tmp_path / "arrondissements-paris.geojson.gz"
    gz.write_bytes(gzip.compress(arr.read_bytes()))
    p = check_parameters("75", contours=f"{_idf('idf-geo-derived')};{tmp_path}")
    shapes = contours.unit_shapes(p, geography.commune_units(p), "arrondissement")
    assert sorted(shapes.polygons) == [f"751{i:02d}" for i in range(1, 21)]  # integer c_arinsee read as codes


def test_missing_contours_say_how_to_get_them(tmp_path):
    from esstools.territorial import contours

    assert "esstools fetch communes-geometry" in contours.missing_message(None)
    assert f"Aucun fichier de contours trouvé dans « {tmp_path} »" in contours.missing_message(str(tmp_path))
    bad = tmp_path / "communes.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {"nom": "x"}, "geometry": null}]}')
    with pytest.raises(SchemaError, match="no code property"):
        contours.read_geojson(bad)


def test_choropleth_and_national_map_with_overseas_tiles():
    import matplotlib.pyplot as plt

    from esstools.territorial import maps as tmaps
    from esstools.territorial import report

    rep = report.build("974")
    fig = rep.departement_map()  # La Réunion: no schematic geometry, drawn as a tile; no crash
    geo, _ = maps.departements_geometry()
    assert len(fig.axes[0].collections[0].get_paths()) == sum(len(v) for v in geo.values()) + 5
    assert "974 La Réunion" in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    items = list(rep.maps())
    assert len(items) == 1 and isinstance(items[0], str) and "esstools fetch communes-geometry" in items[0]
    rep93 = report.build("93", contours=str(_idf("idf-geo-derived")))
    figs = list(rep93.maps())
    assert len(figs) == 2 and not any(isinstance(f, str) for f in figs)  # EPT map then commune map
    assert figs[0].axes[0].get_title() == "Seine-Saint-Denis — salariés de l'ESS pour 1 000 habitants par EPT"
    assert any("DÉMONSTRATION" in t.get_text() for t in figs[0].axes[0].texts)
    for f in figs:
        plt.close(f)
    assert tmaps.OVERSEAS == ("971", "972", "973", "974", "976")
