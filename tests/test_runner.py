"""The report runner: parameters, configuration errors, failure isolation, timeouts, kernel death,
signals, stale staging, output directory checks, atomic output, index, kernel check.

Fixture notebooks live in tests/notebooks (a failing one, a slow one, one whose kernel dies).
Timeouts are a few seconds so that the file stays fast.
"""

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
from esstools.runner import config, environment, execute, index, params, pdf, staging, worker
from esstools.runner.config import ConfigError, RunSpec

NB_DIR = Path(__file__).parent / "notebooks"
PARAMS_NB = NB_DIR / "params.ipynb"
BROKEN_NB = NB_DIR / "broken1.ipynb"
SLOW_NB = NB_DIR / "slow.ipynb"
DIES_NB = NB_DIR / "dies.ipynb"
CLI = [sys.executable, "-m", "esstools.cli"]


def _outputs_text(ipynb: Path) -> str:
    nb = nbformat.read(ipynb, as_version=4)
    return "\n".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "stream"
    )


def _processes_of(root: Path) -> list[int]:
    """Processes (workers, kernels) started by a run whose staging directory lies in ``root``."""
    marker = f"ESSTOOLS_RUN_STAGING={root}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_for(predicate, timeout: float = 120, what: str = "condition") -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# --------------------------------------------------------------------------- parameters and configuration
def test_coerce_types_values_after_notebook_defaults():
    typed = params.coerce(PARAMS_NB, {"departement": "92", "n_rows": "7", "ratio": "0,25", "verbose": "oui", "years": "[2019, 2024]"})
    assert typed == {"departement": "92", "n_rows": 7, "ratio": 0.25, "verbose": True, "years": [2019, 2024]}


def test_coerce_rejects_unknown_and_badly_typed_parameters():
    with pytest.raises(ParameterError, match=r"no parameter\(s\) departemnt; its parameters are: departement, n_rows"):
        params.coerce(PARAMS_NB, {"departemnt": "92"})
    with pytest.raises(ParameterError, match="'n_rows' expects an integer; got 'douze'"):
        params.coerce(PARAMS_NB, {"n_rows": "douze"})
    with pytest.raises(ParameterError, match="'departement' expects text; got 93"):
        params.coerce(PARAMS_NB, {"departement": 93})


def test_inspect_reads_the_parameters_cell_like_papermill():
    declared = params.inspect(PARAMS_NB)
    assert list(declared) == ["departement", "n_rows", "ratio", "verbose", "years"]
    assert declared["departement"] == {"default": '"93"', "type": "None", "help": ""}
    assert declared["years"]["default"] == "[2020, 2021]"


def test_config_values_are_typed_after_the_notebook_defaults(tmp_path):
    cfg = tmp_path / "runs.yml"
    cfg.write_text(
        f"jobs: 2\ntimeout: 90\npdf: auto\nruns:\n  - notebook: {PARAMS_NB}\n    label: a\n    parameters:\n"
        "      departement: 01\n      n_rows: 07\n      ratio: 0,25\n      verbose: oui\n      years: [2019, 2024]\n"
        f"  - notebook: {PARAMS_NB}\n    parameters: {{departement: '2A', n_rows: '5'}}\n    timeout: 30\n",
        encoding="utf-8",
    )
    specs, options = config.load_config(cfg)
    assert options == {"jobs": 2, "timeout": 90, "pdf": "auto"}
    assert specs[0].parameters == {"departement": "01", "n_rows": 7, "ratio": 0.25, "verbose": True, "years": [2019, 2024]}
    assert type(specs[0].parameters["departement"]) is str
    assert specs[1].parameters == {"departement": "2A", "n_rows": 5} and specs[1].timeout == 30
    assert [s.run_id for s in specs] == ["params--a", "params--departement=2A,n_rows=5"]


@pytest.mark.parametrize("text, line, fragment", [
    ("jobs: 2\nruns:\n  - notebook: {nb}\n    parameters: {{departement: '93'\n", 5, "YAML syntax error"),
    ("jobs: deux\nruns:\n  - notebook: {nb}\n", 1, "'jobs' must be a whole number ≥ 1; got 'deux'"),
    ("jobs: 0\nruns:\n  - notebook: {nb}\n", 1, "'jobs' must be a whole number ≥ 1; got '0'"),
    ("runs:\n  - notebook: {nb}\njobs: 2\njobs: 3\n", 4, "duplicate key 'jobs' in the configuration (first given at line 3)"),
    ("runs:\n  - notebook: {nb}\n    label: a\n    label: b\n", 4, "duplicate key 'label' in run #1"),
    ("runs:\n  - notebook: {nb}\n    parameters:\n      departement: '93'\n      departement: '92'\n", 5,
     "duplicate key 'departement' in run #1 'parameters'"),
    ("job: 2\nruns:\n  - notebook: {nb}\n", 1, "unknown key 'job'; allowed: jobs, timeout"),
    ("runs:\n  - notebook: {nb}\n    parametres: {{}}\n", 3, "run #1: unknown key 'parametres'"),
    ("runs:\n  - notebook: {nb}\n    stage: 3\n", 3, "'stage' must be one of 1, 2; got '3'"),
    ("timeout: -5\nruns:\n  - notebook: {nb}\n", 1, "'timeout' must be a number of seconds ≥ 1"),
    ("runs:\n  - notebook: {nb}\n    parameters: {{n_rows: douze}}\n", 3, "'n_rows' expects an integer; got 'douze'"),
    ("runs:\n  - notebook: {nb}\n    parameters:\n      departemnt: '93'\n", 4, "no parameter(s) departemnt"),
    ("runs:\n  - notebook: nowhere.ipynb\n", 2, "Notebook 'nowhere.ipynb' not found"),
    ("runs:\n  - notebook: {nb}\n    inputs: [missing.csv]\n", 3, "input 'missing.csv' does not exist"),
    ("runs:\n  - notebook: {nb}\n  - notebook: {nb}\n", 3, "duplicate run 'params--default' (also run #1)"),
    ("runs: []\n", 1, "'runs' must be a non-empty list"),
    ("- notebook: {nb}\n", 1, "the configuration must be a mapping"),
])
def test_configuration_errors_name_the_file_and_the_line(tmp_path, text, line, fragment):
    cfg = tmp_path / "reports.yml"
    cfg.write_text(text.format(nb=PARAMS_NB), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load_config(cfg)
    message = str(err.value)
    assert message.startswith(f"Configuration file '{cfg}', line {line}")
    assert fragment in message
    assert "\n" not in message


def test_default_runs_put_the_assessment_last(tmp_path):
    for name in ["00_roadmap_assessment", "02_b", "01_a"]:
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{name}.ipynb")
    assert [s.name for s in config.default_runs(tmp_path)] == ["01_a", "02_b", "00_roadmap_assessment"]


# --------------------------------------------------------------------------- checks before any work
def test_unknown_parameter_fails_before_any_work(tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match="no parameter"):
        execute.run([RunSpec(notebook=PARAMS_NB, parameters={"nope": "1"})], out, progress=None)
    assert not out.exists()


@pytest.mark.parametrize("case", ["file", "under_a_file"])
def test_bad_output_directory_fails_before_any_notebook_runs(tmp_path, case):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    out = blocker if case == "file" else blocker / "reports"
    started = time.monotonic()
    with pytest.raises(ParameterError) as err:
        execute.run([RunSpec(notebook=SLOW_NB, parameters={"seconds": "600"})], out, progress=None)
    assert time.monotonic() - started < 30  # the 600 s notebook never started
    expected = "exists and is not a directory" if case == "file" else "cannot be created: Not a directory"
    assert f"Output directory '{out}' {expected}" in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


@pytest.mark.skipif(not os.path.isdir("/sys"), reason="no /sys on this system")
def test_unwritable_output_location_fails_before_any_notebook_runs(tmp_path):
    out = Path("/sys/esstools-test-reports")  # not writable, even by root
    with pytest.raises(ParameterError, match=r"Output directory '/sys/esstools-test-reports' cannot be created: "):
        execute.run([RunSpec(notebook=SLOW_NB, parameters={"seconds": "600"})], out, progress=None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_output_directory_fails_before_any_notebook_runs(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(ParameterError, match="Cannot write into the output directory"):
            execute.run([RunSpec(notebook=SLOW_NB)], out, progress=None)
    finally:
        out.chmod(0o755)


def test_required_pdf_without_chromium_fails_before_work_and_auto_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    with pytest.raises(ParameterError, match="install it with `apt-get install chromium`"):
        execute.run([RunSpec(notebook=SLOW_NB)], tmp_path / "r1", progress=None, pdf_mode=True)
    assert not (tmp_path / "r1").exists() or not any((tmp_path / "r1").iterdir())
    [rec] = execute.run([RunSpec(notebook=PARAMS_NB)], tmp_path / "r2", progress=sys.stderr, pdf_mode="auto")
    assert rec.status == "ok" and rec.pdf is None
    lines = [l for l in capsys.readouterr().err.splitlines() if l.startswith("PDF")]
    assert lines == [pdf.MISSING_NOTICE] and "apt-get install chromium" in lines[0]


# --------------------------------------------------------------------------- execution
def test_parameters_reach_the_notebook_and_reports_are_written(tmp_path):
    out = tmp_path / "reports"
    spec = RunSpec(notebook=PARAMS_NB, parameters={"departement": "92", "n_rows": "5"}, label="92")
    [rec] = execute.run([spec], out, progress=None)
    assert rec.status == "ok", rec.error
    text = _outputs_text(out / "params--92.ipynb")
    assert "departement='92' type=str" in text
    assert "n_rows=5 ratio=0.5" in text
    assert "cwd=tests/notebooks" in text  # runs in the notebook's own directory
    html = (out / "params--92.html").read_text(encoding="utf-8")
    assert "type=str" in html
    # code hidden by default, print rules for A4, no script fetched from the network
    assert 'class="highlight hl-ipython3"' not in html and "@page { size: A4" in html and "cdnjs" not in html
    worker.render_html(out / "params--92.ipynb", tmp_path / "with_code.html", show_code=True)
    assert 'class="highlight hl-ipython3"' in (tmp_path / "with_code.html").read_text(encoding="utf-8")
    results = json.loads((out / "results" / "params--92.json").read_text(encoding="utf-8"))
    assert results["parameters"] == {"departement": "92"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [run] = manifest["runs"]
    assert run["parameters"] == {"departement": "92", "n_rows": 5}
    assert run["data_kind"] == "demo" and run["status"] == "ok" and run["reused"] is False
    assert manifest["package_versions"]["papermill"] != "absent"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "params--92.html" in page and "réussi" in page and "données de démonstration — synthétiques" in page
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
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "échec" in page and "cellule 4" in page


def test_cli_exit_code_and_summary_name_the_failing_notebook_and_cell(tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.run(
        [*CLI, "run", str(BROKEN_NB), str(PARAMS_NB), "--output", str(out), "--jobs", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1
    assert "ÉCHEC broken1--default (broken1.ipynb, cellule 4) : ValueError" in proc.stderr
    assert "1 réussi(s), 1 en échec." in proc.stderr
    assert "[params--default]" in proc.stderr and "cellules" in proc.stderr  # progress display


def test_stuck_notebook_is_stopped_by_its_timeout_and_cells_by_cell_timeout(tmp_path):
    out = tmp_path / "reports"
    specs = [RunSpec(notebook=SLOW_NB, parameters={"seconds": "600"}, label="nb", timeout=6),
             RunSpec(notebook=SLOW_NB, parameters={"seconds": "600"}, label="cell")]
    started = time.monotonic()
    records = {r.label: r for r in execute.run(specs, out, jobs=2, progress=None, timeout=120, cell_timeout=8)}
    assert time.monotonic() - started < 100  # far from the 600 s the cells asked for
    for label, limit in (("nb", "le notebook a dépassé sa limite de 6 s"), ("cell", "cette cellule a dépassé sa limite de 8 s")):
        rec = records[label]
        assert rec.status == "failed" and rec.error["cell"] == 3 and rec.error["ename"] == "TimeoutError", rec.error
        assert limit in rec.error["evalue"]
        assert limit in (out / f"slow--{label}.html").read_text(encoding="utf-8")
        assert "started" in _outputs_text(out / f"slow--{label}.ipynb")
    assert _processes_of(tmp_path) == []


def test_dead_kernel_is_reported_with_its_cell_and_shown_in_the_report(tmp_path):
    out = tmp_path / "reports"
    [rec] = execute.run([RunSpec(notebook=DIES_NB)], out, progress=None)
    assert rec.status == "failed"
    assert rec.error["cell"] == 4 and rec.error["ename"] == "DeadKernelError"
    assert "(code de sortie 3)" in rec.error["evalue"]
    assert "before the crash" in _outputs_text(out / "dies--default.ipynb")
    html = (out / "dies--default.html").read_text(encoding="utf-8")
    assert "DeadKernelError" in html and "code de sortie 3" in html
    assert "cellule 4" in (out / "index.html").read_text(encoding="utf-8")
    assert _processes_of(tmp_path) == []


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_signal_to_the_main_process_stops_workers_kernels_and_removes_staging(tmp_path, sig, code):
    out = tmp_path / "reports"
    out.mkdir()
    good = out / "slow--default.html"
    good.write_text("<html>previous good report</html>", encoding="utf-8")
    proc = subprocess.Popen([*CLI, "run", str(SLOW_NB), "-p", "seconds", "600", "--output", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # wait until the kernel runs the sleeping cell (progress 3/4 is printed after cell 3 completes,
        # so wait for the kernel process, then a little)
        _wait_for(lambda: len(_processes_of(tmp_path)) >= 2, what="worker and kernel")
        time.sleep(2)
        os.kill(proc.pid, sig)  # the main process only, not its group
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    err = proc.stderr.read()
    assert proc.returncode == code, err
    assert f"arrêté ({sig.name})" in err
    assert good.read_text(encoding="utf-8") == "<html>previous good report</html>"
    assert not (out / "slow--default.ipynb").exists()
    assert not list(tmp_path.glob(".reports.staging-*")), "staging directory left behind"
    _wait_for(lambda: _processes_of(tmp_path) == [], timeout=10, what="no process left")


def test_killed_run_leaves_no_process_and_its_staging_is_cleaned_by_the_next_run(tmp_path):
    out = tmp_path / "reports"
    proc = subprocess.Popen([*CLI, "run", str(SLOW_NB), "-p", "seconds", "600", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(lambda: len(_processes_of(tmp_path)) >= 2, what="worker and kernel")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # the worker dies with its parent and takes its kernel along
    _wait_for(lambda: _processes_of(tmp_path) == [], timeout=20, what="worker and kernel to die")
    [stale] = list(tmp_path.glob(".reports.staging-*"))
    assert (stale / staging.OWNER).exists() and (stale / staging.PIDS).exists()
    nxt = subprocess.run([*CLI, "run", str(PARAMS_NB), "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert nxt.returncode == 0, nxt.stderr
    assert f"dossier de travail d'une exécution interrompue supprimé ({stale.name})" in nxt.stderr
    assert not list(tmp_path.glob(".reports.staging-*"))


def test_stale_cleanup_spares_a_running_owner_and_kills_only_matching_processes(tmp_path):
    out = tmp_path / "reports"
    live = staging.create(out)  # owned by this (running) test process
    dead = tmp_path / ".reports.staging-dead"
    dead.mkdir()
    sleeper = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (dead / staging.OWNER).write_text(json.dumps({"pid": sleeper.pid, "start": "1"}), encoding="utf-8")
        staging.record_process(dead, sleeper.pid, "kernel")
        recycled = tmp_path / ".reports.staging-recycled"  # a pid whose start time no longer matches
        recycled.mkdir()
        (recycled / staging.OWNER).write_text(json.dumps({"pid": 999999999, "start": "1"}), encoding="utf-8")
        (recycled / staging.PIDS).write_text(json.dumps({"pid": os.getpid(), "start": "1", "role": "kernel"}) + "\n")
        removed = staging.clean_stale(out)
        assert sorted(p.name for p in removed) == [".reports.staging-dead", ".reports.staging-recycled"]
        assert live.exists() and not dead.exists()
        assert sleeper.wait(timeout=10) == -signal.SIGKILL  # recorded with its real start time: killed
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        import shutil

        shutil.rmtree(live, ignore_errors=True)


def test_publish_failure_keeps_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "params--z.html").write_text("old", encoding="utf-8")

    def boom(staging_dir, output_dir):
        raise OSError("disk full")

    monkeypatch.setattr(execute, "_publish", boom)
    with pytest.raises(OSError, match="disk full"):
        execute.run([RunSpec(notebook=PARAMS_NB, label="z")], out, progress=None)
    assert (out / "params--z.html").read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".reports.staging-*"))


def test_kernel_must_be_this_environments_python(tmp_path, monkeypatch):
    assert environment.check_kernel().startswith(str(Path(sys.executable).parent))
    kdir = tmp_path / "kernels" / "esstools-system"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                  "display_name": "sys", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    with pytest.raises(environment.KernelError, match="not this environment's Python"):
        environment.check_kernel("esstools-system")
    with pytest.raises(environment.KernelError, match="is not installed"):
        environment.check_kernel("no-such-kernel-xyz")


# --------------------------------------------------------------------------- incremental regeneration
def test_incremental_rerun_reuses_and_reruns_exactly_the_dependent_runs(tmp_path):
    """Two stage-1 runs read input_a.txt (found by the trace, no parameter names it); the stage-2 run
    reads their results and input_b.txt. Each change re-runs exactly what depends on it."""
    import shutil

    nbs = tmp_path / "nb"
    nbs.mkdir()
    for name in ("inc_stage1", "inc_stage2"):
        shutil.copy(NB_DIR / f"{name}.ipynb", nbs)
    (nbs / "input_a.txt").write_text("1 2 3", encoding="utf-8")
    (nbs / "input_b.txt").write_text("10", encoding="utf-8")
    out = tmp_path / "reports"

    def study(factor_b="2", force=False):
        specs = [RunSpec(notebook=nbs / "inc_stage1.ipynb", label="a", parameters={"factor": "1"}),
                 RunSpec(notebook=nbs / "inc_stage1.ipynb", label="b", parameters={"factor": factor_b}),
                 RunSpec(notebook=nbs / "inc_stage2.ipynb", label="s", stage=2)]
        records = execute.run(specs, out, jobs=2, progress=None, force=force)
        assert all(r.status == "ok" for r in records), [r.error for r in records]
        grand = json.loads((out / "results" / "inc_stage2--s.json").read_text(encoding="utf-8"))["grand"]
        return sorted(r.label for r in records if not r.reused), grand

    assert study() == (["a", "b", "s"], 6 + 12 + 10)
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    html_time = (out / "inc_stage2--s.html").stat().st_mtime_ns
    assert study() == ([], 28)  # nothing changed: everything reused
    assert (out / "inc_stage2--s.html").stat().st_mtime_ns == html_time
    again = {r["run_id"]: r for r in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]}
    for run in first["runs"]:
        assert again[run["run_id"]]["reused"] is True
        assert again[run["run_id"]]["finished_at"] == run["finished_at"]  # date of the original run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<strong>réutilisé</strong>") == 3
    inputs = again["inc_stage2--s"]["cache"]["inputs"]
    assert any(k.endswith("input_b.txt") for k in inputs) and "@out/results/inc_stage1--a.json" in inputs

    (nbs / "input_b.txt").write_text("11", encoding="utf-8")  # read by the stage-2 run only
    (out / "inc_stage1--a.ipynb").unlink()  # and a damaged output is never reused
    assert study() == (["a", "s"], 29)
    assert study(factor_b="3") == (["b", "s"], 6 + 18 + 11)  # a parameter of one run
    source = (nbs / "inc_stage1.ipynb").read_text(encoding="utf-8")
    (nbs / "inc_stage1.ipynb").write_text(source.replace("a comment the test may edit", "an edited comment"), encoding="utf-8")
    # the notebook changed: both of its runs re-run; their results are identical, so stage 2 is reused
    assert study(factor_b="3") == (["a", "b"], 35)
    assert study(factor_b="3", force=True) == (["a", "b", "s"], 35)


# --------------------------------------------------------------------------- index
def _run(run_id, notebook, **kw):
    base = {"run_id": run_id, "notebook": notebook, "label": "93", "title": f"Titre {notebook}", "parameters": {},
            "stage": 2 if notebook.startswith("00_") else 1, "status": "ok", "html": f"{run_id}.html",
            "finished_at": "2026-11-20T10:00:00+01:00", "seconds": 12.0}
    base.update(kw)
    return base


def test_index_opens_with_the_study_synthesis_then_one_card_per_report():
    manifest = {"generated_at": "2026-11-21T09:00:00+01:00", "git_commit": "abc", "package_versions": {"python": "3.11"},
                "runs": [
                    _run("00_roadmap_assessment--93", "00_roadmap_assessment", data_kind="mixed", reused=True,
                         synthesis=[{"text": "12 actions sur 44 documentées.", "nature": "publié", "source": "Feuille de route"}]),
                    _run("02_employment_trends--93", "02_employment_trends", data_kind="demo", pdf="x.pdf", pdf_pages=7,
                         synthesis=[{"text": "Croissance de 2,2 % par an.", "nature": "démonstration", "source": "série synthétique"}]),
                    _run("03_siae_impact--93", "03_siae_impact", data_kind="real", status="failed",
                         error={"cell": 5, "ename": "ValueError", "evalue": "colonne absente"}),
                    _run("02_employment_trends--92", "02_employment_trends", data_kind="real",
                         synthesis=[{"text": "Série URSSAF absente.", "nature": "donnée manquante", "source": "urssaf"}]),
                ]}
    page = index.render_index(manifest, [])
    synthesis = page.index("Synthèse de l'étude")
    assert synthesis < page.index("12 actions sur 44 documentées.") < page.index("<h2>Rapports</h2>") < page.index("Croissance de 2,2 %")
    assert "réutilisé</strong> : entrées inchangées depuis l'exécution du 2026-11-20 10:00:00+01:00" in page
    assert "<span class='nature demo'>données de démonstration — synthétiques</span> Croissance" in page
    assert "<span class='nature pub'>publié</span> 12 actions" in page
    assert "PDF (7 p.)" in page and "Échec (cellule 5) : ValueError" in page
    assert "données réelles et données de démonstration — synthétiques" in page  # mixed
    assert "Pas de synthèse fournie par ce rapport." in page  # 03 has none
    assert "<span class='nature missing'>donnée manquante</span> Série URSSAF absente." in page


@pytest.mark.parametrize("notebook", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_parameter_of_the_committed_notebooks_is_visible_to_papermill(notebook):
    """papermill silently drops parameters it cannot parse (e.g. '=' inside a comment); our reader must agree with it."""
    import ast

    import papermill as pm

    nb = nbformat.read(notebook, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    assigned = [t.id for node in ast.parse(cells[0].source).body if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])]
    ours = params.inspect(notebook)
    assert list(ours) == assigned
    assert {k: v["default"] for k, v in pm.inspect_notebook(str(notebook)).items()} == {k: v["default"] for k, v in ours.items()}
    assert nb.metadata["kernelspec"]["name"] == "esstools"


@pytest.mark.parametrize("notebook", sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_run_timestamps(notebook):
    """`make notebooks` strips timestamps and durations, so an unchanged re-run gives no diff."""
    text = notebook.read_text(encoding="utf-8")
    for key in ('"start_time"', '"end_time"', '"duration"', '"iopub.execute_input"', '"shell.execute_reply"'):
        assert key not in text, f"{notebook.name} carries {key}: run `make notebooks`"
