"""Notebook 03 runs with its default parameters for a diverse sample of départements (issue 14), stays thin
(issue 15) and opens with its synthesis (issue 12). Executed by papermill with the "esstools" kernel, with
few power simulations to keep it fast."""

import json

import nbformat
import pytest

pytest.importorskip("papermill")

from esstools.paths import notebooks_dir  # noqa: E402

NB = notebooks_dir() / "03_siae_impact.ipynb"
SAMPLE = ["93", "92", "75", "69", "13", "2A", "974", "976", "59"]


def test_notebook_is_thin_and_opens_with_its_synthesis():
    nb = nbformat.read(NB, as_version=4)
    code = [line for c in nb.cells if c.cell_type == "code" for line in c.source.splitlines()
            if line.strip() and not line.strip().startswith("#")]
    assert len(code) <= 60
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert md[1].startswith("## Synthèse")
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert params.source.startswith('departement = "93"')


@pytest.mark.parametrize("departement", SAMPLE)
def test_notebook_runs_for_departement(departement, tmp_path, monkeypatch):
    import papermill as pm

    monkeypatch.setenv("ESSTOOLS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("ESSTOOLS_RUN_LABEL", raising=False)
    pm.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), parameters={"departement": departement, "n_power_sims": 3},
                        kernel_name="esstools", cwd=str(NB.parent), progress_bar=False, log_output=False)
    res = json.loads((tmp_path / "results" / f"03_siae_impact--{departement}.json").read_text(encoding="utf-8"))
    assert res["data_kind"] == "demo" and res["parameters"]["departement"] == departement
    assert set(res["headline"]) == {"twfe_reserved_eur", "twfe_hours", "cs_att", "mde_cs_att"}
    assert res["synthesis"] and all({"text", "nature", "source"} <= set(s) for s in res["synthesis"])
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in out.cells if c.cell_type == "code" for o in c.outputs)
    assert "Error" not in text and "Traceback" not in text
