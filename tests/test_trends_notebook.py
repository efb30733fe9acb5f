"""Notebook 02 runs with default parameters for départements all over France and writes honest results."""

import json
import re

import nbformat
import pytest

pytest.importorskip("papermill")

from esstools.paths import notebooks_dir  # noqa: E402
from esstools.provenance import DEMO_LABEL  # noqa: E402

NB = notebooks_dir() / "02_employment_trends.ipynb"
SAMPLE = ["93", "69", "13", "2A", "974", "976", "59", "75"]


def _code_lines(nb) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
               if line.strip() and not line.strip().startswith("#"))


def test_notebook_is_thin_and_has_the_unified_parameters():
    nb = nbformat.read(NB, as_version=4)
    assert _code_lines(nb) <= 60
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = re.findall(r"^(\w+)\s*=", params.source, flags=re.M)
    assert names[:2] == ["departement", "reference"] and "territory" not in names
    assert {"horizon", "frequency", "source"} <= set(names)
    first = next(c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    assert "synthesis_md" in first.source  # the synthesis comes first


def test_committed_outputs_mark_every_demo_number():
    nb = nbformat.read(NB, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "stream":
                continue
            for line in out["text"].splitlines():
                if re.search(r"\d", line) and not line.startswith("Lecture :"):
                    assert DEMO_LABEL in line, line
            text = out["text"]
            assert "concorde : oui" not in text


@pytest.mark.parametrize("dep", SAMPLE)
def test_notebook_runs_for_departement(dep, tmp_path, monkeypatch):
    import papermill as pm

    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("ESSTOOLS_RUN_LABEL", raising=False)
    pm.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), parameters={"departement": dep}, kernel_name="esstools",
                        cwd=str(NB.parent), progress_bar=False, log_output=False)
    res = json.loads((tmp_path / "results" / f"02_employment_trends--{dep}.json").read_text(encoding="utf-8"))
    assert res["data_kind"] == "demo" and res["parameters"]["departement"] == dep
    h = res["headline"]
    assert set(h) == {"annual_growth_pct", "projection_2028", "growth_gap_pp", "break_pvalue"}
    for item in h.values():
        assert {"value", "unit", "label_fr", "data_kind", "source"} <= set(item) and item["data_kind"] == "demo"
    g = h["annual_growth_pct"]
    assert g["ci95"][0] < g["value"] < g["ci95"][1]
    p = h["projection_2028"]
    assert p["ci95"][0] <= p["ci80"][0] <= p["value"] <= p["ci80"][1] <= p["ci95"][1]
    assert p["weights"] == {"sans rupture": 0.5, "avec rupture": 0.5}
    natures = {s["nature"] for s in res["synthesis"]}
    assert "démonstration" in natures and natures <= {"démonstration", "publié"}
    assert all(s["text"] and s["source"] for s in res["synthesis"])
    if dep in ("974", "976"):  # single-département regions: France is the reference
        assert "France" in h["growth_gap_pp"]["label_fr"]
    if dep == "976":
        assert any("Mayotte n'est pas couverte" in n for n in res["notes"])
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    errors = [o for c in out.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
