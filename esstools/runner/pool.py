"""Worker processes of ``esstools run`` and the signals that stop them.

Workers (:mod:`esstools.runner.worker`) are started from the main thread, each in its
own session (so a terminal Ctrl-C reaches only ``esstools run``, which then stops them),
with ``PR_SET_PDEATHSIG`` so that they die if ``esstools run`` is killed. Their events are
read with a selector in the main thread; every job has a hard deadline (its notebook
timeout plus a grace period) after which the worker and its kernel are killed.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from . import staging as staging_mod

GRACE = 60.0  # seconds given to a worker beyond the notebook timeout before it is killed


class Stopped(BaseException):
    """SIGINT or SIGTERM reached ``esstools run``: everything it started has been stopped."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class SignalGuard:
    """Turn SIGINT/SIGTERM into a flag checked by the main loop (main thread only)."""

    def __init__(self):
        self.signum: int | None = None
        self.previous: dict[int, Any] = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        self.signum = signum

    def check(self) -> None:
        if self.signum is not None:
            raise Stopped(self.signum)

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False


class WorkerProcess:
    """One ``python -m esstools.runner.worker`` process and the job it runs."""

    def __init__(self, index: int, staging: Path, env: dict):
        self.index = index
        self.staging = staging
        self.log_path = staging / ".logs" / f"worker-{index}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "esstools.runner.worker", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env,
            cwd=str(staging), start_new_session=True,
        )
        staging_mod.record_process(staging, self.proc.pid, "worker")
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = b""
        self.ready = False
        self.job: dict | None = None
        self.prepared: str | None = None  # run id whose kernel this idle worker has started
        self.kernel_pid: int | None = None
        self.deadline: float | None = None
        self.started: float | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    def send(self, obj: dict) -> None:
        self.proc.stdin.write((json.dumps(obj, default=str) + "\n").encode())
        self.proc.stdin.flush()

    def start(self, job: dict) -> None:
        self.job = job
        self.started = time.monotonic()
        self.deadline = self.started + float(job["timeout"]) + GRACE
        self.send({"cmd": "run", "job": job})

    def read(self) -> list[dict]:
        """Complete event lines available now (non-blocking)."""
        try:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
        except BlockingIOError:
            return []
        if not chunk:  # EOF: the worker is gone
            return [{"event": "eof"}]
        self.buffer += chunk
        events = []
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events

    def log_tail(self, n: int = 800) -> str:
        try:
            self.log.flush()
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the worker's and the kernel's process groups."""
        staging_mod.kill_group(self.kernel_pid)
        staging_mod.kill_group(self.proc.pid)
        self.kernel_pid = None

    def close(self, timeout: float = 5) -> None:
        if self.proc.poll() is None:
            try:
                self.send({"cmd": "exit"})
                self.proc.stdin.close()
                self.proc.wait(timeout=timeout)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.kill()
        if self.proc.poll() is None:
            self.kill()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.log.close()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass


class Pool:
    """At most ``size`` workers; start jobs, collect events, enforce hard deadlines."""

    def __init__(self, size: int, staging: Path, env: dict):
        self.size = size
        self.staging = staging
        self.env = env
        self.workers: list[WorkerProcess] = []
        self.selector = selectors.DefaultSelector()
        self.count = 0

    def _spawn(self) -> WorkerProcess:
        self.count += 1
        w = WorkerProcess(self.count, self.staging, self.env)
        self.selector.register(w.proc.stdout, selectors.EVENT_READ, w)
        self.workers.append(w)
        return w

    def free(self) -> int:
        """Jobs that can start now (idle workers plus workers not yet started)."""
        return sum(1 for w in self.workers if not w.busy) + self.size - len(self.workers)

    def running(self) -> int:
        return sum(1 for w in self.workers if w.busy)

    def submit(self, job: dict) -> None:
        """Start ``job`` on the worker that prepared it, else on an unprepared idle worker, else a new one."""
        idle = [w for w in self.workers if not w.busy]
        ranked = ([w for w in idle if w.prepared == job["run_id"]] + [w for w in idle if w.prepared is None]
                  + [w for w in idle if w.prepared not in (None, job["run_id"])])
        w = ranked[0] if ranked else self._spawn()
        w.prepared = None
        w.start(job)

    def prepare(self, job: dict) -> bool:
        """Have an idle worker start ``job``'s kernel and imports now (the job cannot run yet)."""
        idle = [w for w in self.workers if not w.busy and w.prepared is None]
        if idle:
            w = idle[0]
        elif len(self.workers) < self.size:
            w = self._spawn()
        else:
            return False
        w.prepared = job["run_id"]
        w.send({"cmd": "prepare", "job": job})
        return True

    def _retire(self, w: WorkerProcess) -> None:
        try:
            self.selector.unregister(w.proc.stdout)
        except (KeyError, ValueError):
            pass
        w.kill()
        w.close(timeout=2)
        self.workers.remove(w)

    def poll(self, timeout: float) -> list[tuple[dict, dict]]:
        """(job, event) pairs; a dead worker or a passed deadline yields a synthetic failed ``end``."""
        out: list[tuple[dict, dict]] = []
        for key, _ in self.selector.select(timeout):
            w: WorkerProcess = key.data
            for event in w.read():
                kind = event.get("event")
                if kind == "kernel":
                    w.kernel_pid = event.get("pid")
                    if w.kernel_pid:
                        staging_mod.record_process(self.staging, w.kernel_pid, "kernel")
                if kind == "eof":
                    if w.busy:
                        code = w.proc.wait()
                        out.append((w.job, {"event": "end", "status": "failed", "error": {
                            "ename": "WorkerError",
                            "evalue": f"the worker process exited with code {code}; log: {w.log_tail()}"}}))
                        w.job = None
                    self._retire(w)
                    break
                if w.job is not None and kind != "ready":
                    out.append((w.job, event))
                    if kind == "end":
                        w.job = None
        now = time.monotonic()
        for w in list(self.workers):
            if w.busy and w.deadline is not None and now > w.deadline:
                job = w.job
                w.job = None
                self._retire(w)
                out.append((job, {"event": "end", "status": "failed", "killed": True, "error": {
                    "ename": "TimeoutError",
                    "evalue": (f"délai dépassé : le notebook a dépassé sa limite de {float(job['timeout']):g} s "
                               f"et ne répondait plus ; processus arrêtés après {GRACE:g} s de grâce.")}}))
        return out

    def close(self) -> None:
        for w in list(self.workers):
            try:
                self.selector.unregister(w.proc.stdout)
            except (KeyError, ValueError):
                pass
            w.close()
        self.workers.clear()
        self.selector.close()

    def kill_all(self) -> None:
        """Stop every worker and kernel now (SIGINT/SIGTERM, errors)."""
        for w in list(self.workers):
            w.kill()
        for w in list(self.workers):
            try:
                w.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.close()
