"""The report runner: parameters, failure isolation, atomic output, index, kernel check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from esstools.errors import ParameterError
from esstools.runner import config, environment, execute, params
from esstools.runner.config import RunSpec

NB_DIR = Path(__file__).parent / "notebooks"
PARAMS_NB = NB_DIR / "params.ipynb"
BROKEN_NB = NB_DIR / "broken1.ipynb"
SLOW_NB = NB_DIR / "slow.ipynb"


def _outputs_text(ipynb: Path) -> str:
    nb = nbformat.read(ipynb, as_version=4)
    return "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )


def test_coerce_types_values_after_notebook_defaults():
    typed = params.coerce(PARAMS_NB, {"departement": "92", "n_rows": "7", "ratio": "0,25", "verbose": "oui", "years": "[2019, 2024]"})
    assert typed == {"departement": "92", "n_rows": 7, "ratio": 0.25, "verbose": True, "years": [2019, 2024]}


def test_coerce_rejects_unknown_and_badly_typed_parameters():
    with pytest.raises(ParameterError, match=r"no parameter\(s\) departemnt; its parameters are: departement, n_rows"):
        params.coerce(PARAMS_NB, {"departemnt": "92"})
    with pytest.raises(ParameterError, match="'n_rows' expects an integer; got 'douze'"):
        params.coerce(PARAMS_NB, {"n_rows": "douze"})


def test_parameters_reach_the_notebook_and_reports_are_written(tmp_path):
    out = tmp_path / "reports"
    spec = RunSpec(notebook=PARAMS_NB, parameters={"departement": "92", "n_rows": "5"}, label="92")
    [rec] = execute.run([spec], out, progress=None)
    assert rec.status == "ok", rec.error
    text = _outputs_text(out / "params--92.ipynb")
    assert "departement='92' type=str" in text
    assert "n_rows=5 ratio=0.5" in text
    assert "cwd=tests/notebooks" in text  # runs in the notebook's own directory
    assert (out / "params--92.html").read_text(encoding="utf-8").count("departement") >= 1
    results = json.loads((out / "results" / "params--92.json").read_text(encoding="utf-8"))
    assert results["parameters"] == {"departement": "92"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [run] = manifest["runs"]
    assert run["parameters"] == {"departement": "92", "n_rows": 5}
    assert run["data_kind"] == "demo" and run["status"] == "ok"
    assert manifest["package_versions"]["papermill"] != "absent"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "params--92.html" in index and "réussi" in index and "données de démonstration — synthétiques" in index
    assert not list(tmp_path.glob(".reports.staging-*")), "staging directory left behind"


def test_failing_notebook_does_not_stop_the_others(tmp_path):
    out = tmp_path / "reports"
    specs = [RunSpec(notebook=BROKEN_NB, label="x"), RunSpec(notebook=PARAMS_NB, label="y")]
    records = {r.run_id: r for r in execute.run(specs, out, jobs=2, progress=None)}
    assert records["params--y"].status == "ok"
    broken = records["broken1--x"]
    assert broken.status == "failed"
    assert broken.error["cell"] == 4 and broken.error["ename"] == "ValueError"
    assert "deliberate failure" in broken.error["evalue"]
    # the executed copy keeps the failing cell and the cells before it ran
    text = _outputs_text(out / "broken1--x.ipynb")
    assert "before failure" in text and "never reached" not in text
    assert (out / "broken1--x.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "échec" in index and "cellule 4" in index


def test_cli_exit_code_and_summary_name_the_failing_notebook_and_cell(tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "esstools.cli", "run", str(BROKEN_NB), str(PARAMS_NB), "--output", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert "ÉCHEC broken1--default (broken1.ipynb, cellule 4) : ValueError" in proc.stderr
    assert "1 réussi(s), 1 en échec." in proc.stderr
    assert "[params--default]" in proc.stderr and "cellules" in proc.stderr  # progress display


def test_unknown_parameter_fails_before_any_work(tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match="no parameter"):
        execute.run([RunSpec(notebook=PARAMS_NB, parameters={"nope": "1"})], out, progress=None)
    assert not out.exists()


def test_interrupted_run_leaves_previous_reports_untouched(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    good = out / "slow--default.html"
    good.write_text("<html>previous good report</html>", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "esstools.cli", "run", str(SLOW_NB), "--output", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        deadline = time.time() + 120
        # wait until the notebook is executing (its staged copy exists), then interrupt
        while time.time() < deadline and not list(tmp_path.glob(".reports.staging-*/slow--default.ipynb")):
            time.sleep(0.2)
        assert list(tmp_path.glob(".reports.staging-*")), "run never started"
        time.sleep(1.0)
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert good.read_text(encoding="utf-8") == "<html>previous good report</html>"
    assert not (out / "slow--default.ipynb").exists()
    assert not list(tmp_path.glob(".reports.staging-*")), "staging directory left behind"


def test_publish_failure_keeps_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "params--z.html").write_text("old", encoding="utf-8")

    def boom(staging, output_dir):
        raise OSError("disk full")

    monkeypatch.setattr(execute, "_publish", boom)
    with pytest.raises(OSError, match="disk full"):
        execute.run([RunSpec(notebook=PARAMS_NB, label="z")], out, progress=None)
    assert (out / "params--z.html").read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".reports.staging-*"))


def test_config_file_lists_runs_and_rejects_mistakes(tmp_path):
    cfg = tmp_path / "runs.yml"
    cfg.write_text(
        f"jobs: 2\nruns:\n  - notebook: {PARAMS_NB}\n    label: '93'\n    parameters: {{departement: '93'}}\n"
        f"  - notebook: {PARAMS_NB}\n    parameters: {{departement: '92'}}\n",
        encoding="utf-8",
    )
    specs, options = config.load_config(cfg)
    assert [s.run_id for s in specs] == ["params--93", "params--departement=92"]
    assert options == {"jobs": 2}
    cfg.write_text(f"runs:\n  - notebook: {PARAMS_NB}\n    parametres: {{}}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"unknown key\(s\) \['parametres'\]"):
        config.load_config(cfg)
    cfg.write_text("runs:\n  - notebook: nowhere.ipynb\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="Notebook 'nowhere.ipynb' not found"):
        config.load_config(cfg)


def test_default_runs_put_the_assessment_last(tmp_path):
    for name in ["00_roadmap_assessment", "02_b", "01_a"]:
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    assert [s.name for s in config.default_runs(tmp_path)] == ["01_a", "02_b", "00_roadmap_assessment"]


def test_kernel_must_be_this_environments_python(tmp_path, monkeypatch):
    assert environment.check_kernel() .startswith(str(Path(sys.executable).parent))
    kdir = tmp_path / "kernels" / "esstools-system"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "sys", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    with pytest.raises(environment.KernelError, match="not this environment's Python"):
        environment.check_kernel("esstools-system")
    with pytest.raises(environment.KernelError, match="is not installed"):
        environment.check_kernel("no-such-kernel-xyz")


@pytest.mark.parametrize("notebook", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_parameter_of_the_committed_notebooks_is_visible_to_papermill(notebook):
    """papermill silently drops parameters it cannot parse (e.g. '=' inside a comment); -p would then refuse them."""
    import ast

    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    assigned = [t.id for node in ast.parse(cells[0].source).body if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    assert list(params.inspect(notebook)) == assigned
    assert nb.metadata["kernelspec"]["name"] == "esstools"


@pytest.mark.parametrize("notebook", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_run_timestamps(notebook):
    """`make notebooks` strips timestamps and durations, so an unchanged re-run gives no diff."""
    text = notebook.read_text(encoding="utf-8")
    for key in ('"start_time"', '"end_time"', '"duration"', '"iopub.execute_input"', '"shell.execute_reply"'):
        assert key not in text, f"{notebook.name} carries {key}: run `make notebooks`"
