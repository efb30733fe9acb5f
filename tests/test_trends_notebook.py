"""The trends notebook runs end to end for 92 (reference 11) and writes its results."""

import json

import pytest

pytest.importorskip("papermill")

from esstools.paths import notebooks_dir  # noqa: E402

NB = notebooks_dir() / "02_employment_trends.ipynb"


def test_notebook_runs_for_92(tmp_path, monkeypatch):
    import papermill as pm

    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("ESSTOOLS_RUN_LABEL", raising=False)
    pm.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), parameters={"territory": "92", "reference": "11"},
                        kernel_name="esstools", cwd=str(NB.parent), progress_bar=False, log_output=False)
    res = json.loads((tmp_path / "results" / "02_employment_trends--92.json").read_text(encoding="utf-8"))
    assert res["data_kind"] == "demo"
    assert res["parameters"]["territory"] == "92" and res["parameters"]["reference"] == "11"
    h = res["headline"]
    assert set(h) == {"annual_growth_pct", "projection_2028", "growth_gap_pp", "break_pvalue"}
    for item in h.values():
        assert {"value", "unit", "label_fr", "data_kind", "source"} <= set(item)
        assert item["data_kind"] == "demo"
    lo, hi = h["annual_growth_pct"]["ci95"]
    assert lo < h["annual_growth_pct"]["value"] < hi
    p = h["projection_2028"]
    assert p["ci95"][0] <= p["ci80"][0] <= p["value"] <= p["ci80"][1] <= p["ci95"][1]
    assert 0 <= h["break_pvalue"]["value"] <= 1
    # the pre-stated projection rule is recorded and followed: no significant break in 2020 for 92
    assert "Règle de projection" in res["projection_rule"] and "seuil de 5 %" in res["projection_rule"]
    assert h["break_pvalue"]["value"] > 0.05
    assert p["rule"] == "combinaison" and "rupture 2020" not in p["weights"]
    assert sum(p["weights"].values()) == pytest.approx(1.0, abs=1e-3)
    assert "sans rupture" in p["label_fr"]
    assert all(row["concorde"] if "concorde" in row else True for row in res["published_check"])
