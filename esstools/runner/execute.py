"""``esstools run``: check, decide what to re-run, execute in workers, render, print, publish.

1. Everything is checked before any notebook runs: parameters (typed after the notebook
   defaults), the kernel, the output directory (created if needed, writable), Chromium
   when PDFs are required. Staging directories left by killed runs are removed.
2. Each run whose key is unchanged and whose outputs are intact is **reused**
   (:mod:`esstools.runner.cache`); ``force=True`` re-runs everything.
3. The others run in persistent workers (:mod:`esstools.runner.pool`), longest first;
   a stage-2 run (the assessment) starts as soon as every stage-1 notebook has executed
   (their HTML may still be rendering), and is itself reused when the results it reads
   did not change.
4. Outputs are staged in a directory next to the output directory and moved into place
   file by file (``os.replace``) at the end: an interrupted run (Ctrl-C, SIGTERM, a
   failure) leaves the previous reports untouched; SIGINT/SIGTERM stop every worker and
   kernel and remove the staging directory.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from .. import paths
from ..errors import ParameterError
from . import cache, environment, index, params, pdf, worker
from . import staging as staging_mod
from .config import DEFAULT_TIMEOUT, RunSpec
from .pool import Pool, SignalGuard, Stopped


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
    started_at: str | None = None
    finished_at: str | None = None
    ipynb: str | None = None
    html: str | None = None
    pdf: str | None = None
    pdf_pages: int | None = None
    data_kind: str | None = None
    data_source: str | None = None
    sources: list[str] = field(default_factory=list)
    synthesis: list[dict] = field(default_factory=list)
    git_commit: str | None = None
    reused: bool = False
    rerun_reason: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


def notebook_title(notebook: Path) -> str:
    """First Markdown heading of a notebook, or its file name."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return worker.title_of(nb.get("cells", []), Path(notebook).stem)


class _Progress:
    """Progress lines on stderr: start, quarters of cells (every cell on a terminal), end."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.lock = threading.Lock()
        self.every_cell = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.quarters: dict[str, int] = {}

    def say(self, text: str) -> None:
        if self.stream is None:
            return
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def cells(self, run_id: str, done: int, total: int) -> None:
        quarter = (4 * done) // max(total, 1)
        if self.every_cell or quarter > self.quarters.get(run_id, 0) or done == total:
            self.quarters[run_id] = quarter
            self.say(f"  [{run_id}] {done}/{total} cellules")


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _publish(staging: Path, output_dir: Path) -> None:
    """Move every staged file into ``output_dir`` (atomic per file)."""
    for src in sorted(staging.rglob("*")):
        rel = src.relative_to(staging)
        if src.is_dir() or rel.parts[0] in {".jobs", ".logs", staging_mod.OWNER, staging_mod.PIDS}:
            continue
        dest = output_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)


def _read_results(path: Path, record: RunRecord) -> None:
    """Provenance and synthesis of a run, from its results JSON (``esstools.results.save``)."""
    from ..provenance import Provenance

    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    try:
        prov = Provenance.from_dict(payload)
        record.data_kind, record.sources = prov.kind, list(prov.sources)
    except (ValueError, TypeError):
        record.data_kind, record.sources = None, []
    record.data_source = payload.get("source") or "; ".join(record.sources) or None
    synthesis = payload.get("synthesis")
    record.synthesis = [s for s in synthesis if isinstance(s, dict) and s.get("text")] if isinstance(synthesis, list) else []


class _Study:
    """One invocation of :func:`run`: state shared by the scheduling steps."""

    def __init__(self, specs, output_dir, staging, *, jobs, kernel, show_code, timeout, cell_timeout, force,
                 progress):
        self.specs = specs
        self.output_dir = output_dir
        self.staging = staging
        self.jobs = jobs
        self.kernel = kernel
        self.show_code = show_code
        self.timeout = timeout
        self.cell_timeout = cell_timeout
        self.force = force
        self.progress = progress
        self.commit = environment.git_commit()
        self.versions = environment.package_versions()
        self.hasher = cache.Hasher(output_dir / cache.HASH_STORE, volatile=[staging])
        self.tokens = cache.Tokens(staging, output_dir)
        self.source = cache.source_digest(self.hasher)
        self.previous = cache.reusable_runs(index.read_manifest(output_dir))
        self.static = {s.run_id: cache.static_key(s, show_code=show_code, kernel=kernel, versions=self.versions,
                                                  source=self.source) for s in specs}
        self.declared = {s.run_id: cache.declared_inputs(s) for s in specs}
        self.records = {s.run_id: RunRecord(run_id=s.run_id, notebook=s.name, label=s.label,
                                            title=notebook_title(s.notebook), parameters=s.parameters,
                                            stage=s.stage, git_commit=self.commit) for s in specs}
        self.executed: set[str] = set()

    def try_reuse(self, spec: RunSpec) -> bool:
        """Reuse the previous run of ``spec`` if nothing it depends on changed."""
        record = self.records[spec.run_id]
        prev = self.previous.get(spec.run_id)
        reason = "--force" if self.force else cache.why_not_reusable(
            prev, self.static[spec.run_id], self.declared[spec.run_id], self.tokens, self.hasher)
        if reason is None:
            keep = {k: prev.get(k) for k in ("status", "seconds", "started_at", "finished_at", "ipynb", "html", "pdf", "pdf_pages",
                                              "git_commit", "cache", "timings")}
            for k, v in keep.items():
                setattr(record, k, v if v is not None else getattr(record, k))
            record.reused = True
            self.progress.say(f"↺ {spec.run_id} : réutilisé (exécuté le {str(record.finished_at).replace('T', ' ')})")
            return True
        record.rerun_reason = reason
        return False

    def job(self, spec: RunSpec) -> dict:
        timeout = float(spec.timeout or self.timeout)
        return {
            "run_id": spec.run_id,
            "notebook": str(spec.notebook),
            "parameters": spec.parameters,
            "output_ipynb": str(self.staging / f"{spec.run_id}.ipynb"),
            "output_html": str(self.staging / f"{spec.run_id}.html"),
            "kernel": self.kernel,
            "cwd": str(spec.notebook.parent),
            "staging": str(self.staging),
            "show_code": self.show_code,
            "timeout": timeout,
            "cell_timeout": min(float(self.cell_timeout or timeout), timeout),
            "env": {
                "ESSTOOLS_REPORTS_DIR": str(self.staging),
                "ESSTOOLS_RESULTS_DIR": str(self.staging / "results"),
                "ESSTOOLS_RUN_LABEL": spec.label,
                "PYTHONHASHSEED": "0",
                "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            },
        }

    def expected_seconds(self, spec: RunSpec) -> float:
        prev = self.previous.get(spec.run_id) or {}
        return float(prev.get("seconds") or 0)

    def finish(self, spec: RunSpec, event: dict, started: float) -> None:
        record = self.records[spec.run_id]
        record.seconds = round(time.monotonic() - started, 1)
        record.finished_at = _now()
        record.timings = {k: round(v, 2) for k, v in (event.get("timings") or {}).items()}
        out_ipynb, out_html = self.staging / f"{spec.run_id}.ipynb", self.staging / f"{spec.run_id}.html"
        record.ipynb = out_ipynb.name if out_ipynb.exists() else None
        record.html = out_html.name if out_html.exists() else None
        if event.get("status") == "ok":
            record.status = "ok"
            io = event.get("io") or {}
            produced = [p for p in (out_ipynb, out_html) if p.exists()]
            record.cache = cache.record(self.static[spec.run_id], io, self.declared[spec.run_id], produced,
                                        self.tokens, self.hasher) if io else {}
            self.progress.say(f"✔ {spec.run_id} : terminé en {record.seconds:.0f} s")
        else:
            record.status = "failed"
            record.error = event.get("error") or {"ename": "WorkerError", "evalue": "no error reported"}
            where = f"cellule {record.error['cell']}" if record.error.get("cell") else "exécution"
            self.progress.say(f"✘ {spec.run_id} : échec ({where} : {record.error.get('ename')}: "
                              f"{str(record.error.get('evalue', ''))[:200]})")

    def execute(self, guard: SignalGuard) -> None:
        """Reuse or run every spec, stage by stage, in a pool of workers."""
        stages = sorted({s.stage for s in self.specs})
        queue: deque[RunSpec] = deque()
        released: set[int] = set()
        running: dict[str, tuple[RunSpec, float]] = {}
        prepared: set[str] = set()
        # ESSTOOLS_RUN_STAGING marks every process of this run (workers and kernels inherit it)
        pool = Pool(max(1, self.jobs), self.staging,
                    dict(os.environ, PYTHONHASHSEED="0", ESSTOOLS_RUN_STAGING=str(self.staging)))
        try:
            while True:
                guard.check()
                for stage in stages:
                    if stage in released:
                        continue
                    if not all(s.run_id in self.executed for s in self.specs if s.stage < stage):
                        break
                    released.add(stage)
                    batch = [s for s in self.specs if s.stage == stage]
                    todo = [s for s in batch if not self.try_reuse(s)]
                    self.executed |= {s.run_id for s in batch if s not in todo}
                    queue.extend(sorted(todo, key=lambda s: -self.expected_seconds(s)))
                while queue and pool.free() > 0:
                    spec = queue.popleft()
                    reason = self.records[spec.run_id].rerun_reason
                    self.progress.say(f"▶ {spec.run_id} : démarrage" + (f" ({reason})" if reason else ""))
                    pool.submit(self.job(spec))
                    running[spec.run_id] = (spec, time.monotonic())
                    self.records[spec.run_id].started_at = _now()
                if not queue and not running and len(released) == len(stages):
                    break
                # a slot is idle while a later stage waits: start its kernel and imports now
                waiting = next((st for st in stages if st not in released), None)
                if not queue and waiting is not None and pool.free() > 0:
                    for s in self.specs:
                        if s.stage == waiting and s.run_id not in prepared:
                            if not pool.prepare(self.job(s)):
                                break
                            prepared.add(s.run_id)
                for job, event in pool.poll(0.25):
                    spec, started = running.get(job["run_id"], (None, 0.0))
                    if spec is None:
                        continue
                    kind = event.get("event")
                    if kind == "progress":
                        self.progress.cells(spec.run_id, event["done"], event["total"])
                    elif kind == "executed":
                        self.executed.add(spec.run_id)
                    elif kind == "end":
                        self.executed.add(spec.run_id)
                        running.pop(spec.run_id, None)
                        self.finish(spec, event, started)
        except BaseException:
            pool.kill_all()
            raise
        pool.close()


def run(
    specs: list[RunSpec],
    output_dir: str | Path | None = None,
    *,
    jobs: int = 1,
    kernel: str = environment.KERNEL_NAME,
    show_code: bool = False,
    progress: TextIO | None = sys.stderr,
    timeout: float | None = None,
    cell_timeout: float | None = None,
    force: bool = False,
    pdf_mode: bool | str = False,
) -> list[RunRecord]:
    """Execute ``specs`` (stage by stage, ``jobs`` notebooks at a time) and write the reports.

    ``timeout`` bounds each notebook (seconds, default 1200; a run's own ``timeout`` wins),
    ``cell_timeout`` each cell (default: the notebook's limit). ``force`` re-runs even
    unchanged runs. ``pdf_mode``: False, True (Chromium required) or ``"auto"`` (PDFs
    when Chromium is installed, a one-line notice otherwise).

    Returns one :class:`RunRecord` per run; failures do not stop the other runs.
    Raises :class:`ParameterError` before any work if a parameter, the output directory,
    the kernel or a required Chromium is not usable, and :class:`~esstools.runner.pool.Stopped`
    after cleaning up when SIGINT/SIGTERM arrives.
    """
    environment.skip_slow_imports()
    if not specs:
        raise ParameterError("Nothing to run: no notebook given and none found.")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs must be a whole number ≥ 1; got {jobs!r}.")
    timeout = float(DEFAULT_TIMEOUT if timeout is None else timeout)
    if timeout <= 0 or (cell_timeout is not None and cell_timeout <= 0):
        raise ParameterError("--timeout and cell_timeout must be positive numbers of seconds.")
    for spec in specs:  # validate every run before starting any
        spec.notebook = Path(spec.notebook).resolve()
        if not spec.notebook.is_file():
            raise ParameterError(f"Notebook '{spec.notebook}' not found.")
        spec.parameters = params.coerce(spec.notebook, spec.parameters)
    ids = [s.run_id for s in specs]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ParameterError(f"Duplicate runs {dupes}: give each run its own label.")
    output_dir = staging_mod.check_output_dir(Path(output_dir) if output_dir is not None else paths.reports_dir())
    environment.check_kernel(kernel)
    chromium = pdf.find_chromium() if pdf_mode else None
    if pdf_mode is True and chromium is None:
        raise ParameterError(pdf.MISSING)
    prog = _Progress(progress)
    for stale in staging_mod.clean_stale(output_dir):
        prog.say(f"nettoyage : dossier de travail d'une exécution interrompue supprimé ({stale.name})")

    with SignalGuard() as guard:
        staging = staging_mod.create(output_dir)
        try:
            study = _Study(specs, output_dir, staging, jobs=jobs, kernel=kernel, show_code=show_code,
                           timeout=timeout, cell_timeout=cell_timeout, force=force, progress=prog)
            # earlier results stay visible to a later stage (e.g. the assessment run alone)
            if (output_dir / "results").is_dir():
                shutil.copytree(output_dir / "results", staging / "results")
            (staging / "results").mkdir(exist_ok=True)
            guard.check()
            study.execute(guard)
            records = [study.records[s.run_id] for s in specs]
            for r in records:
                _read_results(staging / "results" / f"{r.run_id}.json", r)
            if pdf_mode and chromium is None:
                prog.say(pdf.MISSING_NOTICE)
            elif chromium is not None:
                pdf.print_reports(records, staging, output_dir, chromium, study.hasher, prog, guard.check)
            guard.check()
            manifest = index.merge_manifest(output_dir, [asdict(r) for r in records], study.versions, study.commit)
            index.write_manifest(staging, manifest)
            index.write_index(staging, manifest, exports_from=output_dir)
            _publish(staging, output_dir)
            study.hasher.save()
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    failed = [r for r in records if r.status != "ok"]
    reused = sum(1 for r in records if r.reused)
    prog.say("")
    prog.say(f"Rapports : {output_dir / 'index.html'}")
    prog.say(f"{len(records) - len(failed)} réussi(s)" + (f" dont {reused} réutilisé(s)" if reused else "")
             + f", {len(failed)} en échec.")
    for r in failed:
        cell = r.error.get("cell")
        where = f"cellule {cell}" if cell else "exécution"
        prog.say(f"  ÉCHEC {r.run_id} ({r.notebook}.ipynb, {where}) : {r.error.get('ename')}: {str(r.error.get('evalue', ''))[:300]}")
    return records
