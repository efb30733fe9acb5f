"""Run notebooks (papermill, one process each), render them (nbconvert), write the index.

Outputs are staged in a temporary directory next to the output directory and
moved into place file by file with ``os.replace`` once every notebook has
finished: an interrupted run leaves the previous reports untouched, and no
report file is ever half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from .. import paths
from ..errors import ParameterError
from . import environment, index, params
from .config import RunSpec


@dataclass
class RunRecord:
    """What happened to one run (also one row of ``manifest.json``)."""

    run_id: str
    notebook: str
    label: str
    title: str
    parameters: dict[str, Any]
    stage: int
    status: str = "pending"  # ok | failed
    error: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    finished_at: str | None = None
    ipynb: str | None = None
    html: str | None = None
    data_kind: str | None = None
    data_source: str | None = None
    git_commit: str | None = None


def notebook_title(notebook: Path) -> str:
    """First Markdown heading of a notebook, or its file name."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return notebook.stem


class _Progress:
    """Thread-safe progress lines: ``[run] 12/40 cellules``."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.lock = threading.Lock()
        self.every_cell = bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    def say(self, text: str) -> None:
        if self.stream is None:
            return
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def cells(self, run_id: str, done: int, total: int, last_quarter: list[int]) -> None:
        quarter = (4 * done) // max(total, 1)
        if self.every_cell or quarter > last_quarter[0] or done == total:
            last_quarter[0] = quarter
            self.say(f"  [{run_id}] {done}/{total} cellules")


def _run_one(spec: RunSpec, staging: Path, kernel: str, show_code: bool, progress: _Progress,
             cell_timeout: int | None, record: RunRecord) -> RunRecord:
    job_dir = staging / ".jobs"
    job_dir.mkdir(parents=True, exist_ok=True)
    out_ipynb = staging / f"{spec.run_id}.ipynb"
    out_html = staging / f"{spec.run_id}.html"
    job = {
        "notebook": str(spec.notebook),
        "parameters": spec.parameters,
        "output_ipynb": str(out_ipynb),
        "output_html": str(out_html),
        "kernel": kernel,
        "cwd": str(spec.notebook.parent),
        "show_code": show_code,
        "cell_timeout": cell_timeout,
    }
    job_file = job_dir / f"{spec.run_id}.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        ESSTOOLS_REPORTS_DIR=str(staging),
        ESSTOOLS_RESULTS_DIR=str(staging / "results"),
        ESSTOOLS_RUN_LABEL=spec.label,
        PYTHONHASHSEED="0",
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    log_path = staging / ".logs" / f"{spec.run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress.say(f"▶ {spec.run_id} : démarrage")
    start = time.time()
    end_event: dict[str, Any] = {}
    quarter = [0]
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "esstools.runner.worker", str(job_file)],
            stdout=subprocess.PIPE, stderr=log, text=True, env=env, cwd=str(spec.notebook.parent),
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                log.write(line)
                continue
            if event.get("event") == "progress":
                progress.cells(spec.run_id, event["done"], event["total"], quarter)
            elif event.get("event") == "end":
                end_event = event
        proc.wait()
    record.seconds = round(time.time() - start, 1)
    record.finished_at = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    if end_event.get("status") == "ok" and proc.returncode == 0:
        record.status = "ok"
        progress.say(f"✔ {spec.run_id} : terminé en {record.seconds:.0f} s")
    else:
        record.status = "failed"
        record.error = end_event.get("error") or {
            "ename": "WorkerError",
            "evalue": f"worker exited with code {proc.returncode}; see {log_path.name}: "
            + log_path.read_text(encoding="utf-8")[-800:],
        }
        where = f"cellule {record.error['cell']}" if record.error.get("cell") else "exécution"
        progress.say(f"✘ {spec.run_id} : échec ({where} : {record.error.get('ename')}: {record.error.get('evalue', '')[:200]})")
    if out_ipynb.exists():
        record.ipynb = out_ipynb.name
    if out_html.exists():
        record.html = out_html.name
    results_file = staging / "results" / f"{spec.run_id}.json"
    if results_file.exists():
        try:
            payload = json.loads(results_file.read_text(encoding="utf-8"))
            record.data_kind = payload.get("data_kind")
            record.data_source = payload.get("source")
        except (OSError, json.JSONDecodeError):
            pass
    return record


def _publish(staging: Path, output_dir: Path) -> None:
    """Move every staged file into ``output_dir`` (atomic per file), then drop the staging dir."""
    for src in sorted(staging.rglob("*")):
        rel = src.relative_to(staging)
        if src.is_dir() or rel.parts[0] in {".jobs"}:
            continue
        dest = output_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)


def run(
    specs: list[RunSpec],
    output_dir: str | Path | None = None,
    *,
    jobs: int = 1,
    kernel: str = environment.KERNEL_NAME,
    show_code: bool = False,
    progress: TextIO | None = sys.stderr,
    cell_timeout: int | None = 1800,
) -> list[RunRecord]:
    """Execute ``specs`` (stage by stage, ``jobs`` notebooks at a time) and write the reports.

    Returns one :class:`RunRecord` per run; failures do not stop the other runs.
    Raises :class:`ParameterError` before any work if a parameter name or value is invalid.
    """
    if not specs:
        raise ParameterError("Nothing to run: no notebook given and none found.")
    if jobs < 1:
        raise ParameterError(f"--jobs must be at least 1; got {jobs}.")
    environment.check_kernel(kernel)
    for spec in specs:  # validate every run before starting any
        spec.parameters = params.coerce(spec.notebook, spec.parameters)
    ids = [s.run_id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ParameterError(f"Duplicate runs {dupes}: give each run its own label.")

    output_dir = Path(output_dir) if output_dir is not None else paths.reports_dir()
    output_dir.mkdir(parents=True, exist_ok=True)
    commit = environment.git_commit()
    versions = environment.package_versions()
    prog = _Progress(progress)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    records: list[RunRecord] = []
    try:
        # earlier results stay visible to a later stage (e.g. the assessment run alone)
        if (output_dir / "results").is_dir():
            shutil.copytree(output_dir / "results", staging / "results")
        (staging / "results").mkdir(exist_ok=True)
        for stage in sorted({s.stage for s in specs}):
            batch = [s for s in specs if s.stage == stage]
            batch_records = [
                RunRecord(run_id=s.run_id, notebook=s.name, label=s.label, title=notebook_title(s.notebook),
                          parameters=s.parameters, stage=s.stage, git_commit=commit)
                for s in batch
            ]
            with ThreadPoolExecutor(max_workers=min(jobs, len(batch))) as pool:
                futures = [
                    pool.submit(_run_one, s, staging, kernel, show_code, prog, cell_timeout, r)
                    for s, r in zip(batch, batch_records)
                ]
                for f in futures:
                    f.result()
            records.extend(batch_records)
        manifest = index.merge_manifest(output_dir, [asdict(r) for r in records], versions, commit)
        index.write_manifest(staging, manifest)
        index.write_index(staging, manifest, exports_from=output_dir)
        _publish(staging, output_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    failed = [r for r in records if r.status != "ok"]
    prog.say("")
    prog.say(f"Rapports : {output_dir / 'index.html'}")
    prog.say(f"{len(records) - len(failed)} réussi(s), {len(failed)} en échec.")
    for r in failed:
        cell = r.error.get("cell")
        where = f"cellule {cell}" if cell else "exécution"
        prog.say(f"  ÉCHEC {r.run_id} ({r.notebook}.ipynb, {where}) : {r.error.get('ename')}: {str(r.error.get('evalue', ''))[:300]}")
    return records
