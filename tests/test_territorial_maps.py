"""Issue 14: the 93 report draws its EPT and commune maps from real contours (../shared), and a
département without contours gets a clear message instead of a map (never a crash)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from esstools import territorial  # noqa: E402

from .shared_data import require  # noqa: E402


def _titles(items):
    return [i.axes[0].get_title() if hasattr(i, "axes") else i for i in items]


def test_93_report_draws_ept_and_commune_maps_from_real_contours():
    folder = require("commune, EPT and arrondissement contours", "realdata", "idf-geo-derived")
    rep = territorial.build("93", contours=str(folder))
    items = list(rep.maps())
    figures = [i for i in items if hasattr(i, "axes")]
    titles = _titles(figures)
    try:
        assert len(figures) == 2, _titles(items)
        assert "par EPT" in titles[0] and "par commune" in titles[1], titles
        # each map draws shapes (polygons), not an empty frame
        assert all(fig.axes[0].collections or fig.axes[0].patches for fig in figures)
    finally:
        for fig in figures:
            plt.close(fig)


def test_a_level_without_contours_gets_a_message_not_a_crash(tmp_path):
    rep = territorial.build("13", contours=str(tmp_path))
    items = list(rep.maps())
    assert items and all(isinstance(i, str) for i in items)
    assert any("contour" in i.lower() for i in items), items
