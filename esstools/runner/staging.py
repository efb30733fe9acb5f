"""The staging directory of a run, the processes it starts, and what a killed run left behind.

``esstools run`` writes everything into ``.<output>.staging-XXXX`` next to the output
directory and moves it into place at the end. The staging directory holds an
``.owner`` file (process id and start time of the ``esstools run`` process) and a
``.pids`` file (workers and kernels it started). A run killed with ``kill -9`` cannot
clean up; the next run finds its staging directory, sees that the owner is gone,
kills the processes still listed (when their start time still matches, so a reused
process id is never touched) and removes the directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from ..errors import ParameterError

OWNER = ".owner"
PIDS = ".pids"


def start_time(pid: int) -> str | None:
    """Start time of process ``pid`` (clock ticks since boot, from /proc), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may contain spaces: fields after the last ')' are fixed
    return stat.rsplit(")", 1)[1].split()[19]


def alive(pid: int, started: str | None) -> bool:
    """True if ``pid`` runs and is the same process as when ``started`` was recorded."""
    now = start_time(pid)
    if now is None:
        if started is not None:
            return False
        try:  # no /proc: fall back on signal 0
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return started is None or now == started


def kill_group(pid: int | None, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process group led by ``pid`` (workers and kernels lead their own)."""
    if not pid:
        return
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def staging_prefix(output_dir: Path) -> str:
    return f".{output_dir.name}.staging-"


def check_output_dir(output_dir: Path) -> Path:
    """Make sure ``output_dir`` exists (created if needed) and that it and its parent are writable.

    Called before any notebook runs; raises :class:`ParameterError` with the reason.
    """
    output_dir = Path(output_dir).expanduser().absolute()
    if output_dir.exists() and not output_dir.is_dir():
        raise ParameterError(f"Output directory '{output_dir}' exists and is not a directory.")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"Output directory '{output_dir}' cannot be created: {exc.strerror or exc}.") from None
    for directory, role in ((output_dir, "output directory"), (output_dir.parent, "parent of the output directory (staging)")):
        try:
            fd, probe = tempfile.mkstemp(prefix=".esstools-write-test-", dir=directory)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise ParameterError(f"Cannot write into the {role} '{directory}': {exc.strerror or exc}.") from None
    return output_dir


def create(output_dir: Path) -> Path:
    """A new staging directory next to ``output_dir``, owned by this process."""
    staging = Path(tempfile.mkdtemp(prefix=staging_prefix(output_dir), dir=output_dir.parent))
    (staging / OWNER).write_text(json.dumps({"pid": os.getpid(), "start": start_time(os.getpid()),
                                             "created": time.time()}), encoding="utf-8")
    return staging


def record_process(staging: Path, pid: int, role: str) -> None:
    """Append a started process (worker or kernel) to the staging directory's ``.pids``."""
    with open(staging / PIDS, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"pid": pid, "start": start_time(pid), "role": role}) + "\n")


def _owner_alive(staging: Path) -> bool:
    try:
        owner = json.loads((staging / OWNER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        # created by an older esstools or caught between mkdtemp and the owner file: wait an hour
        try:
            return time.time() - staging.stat().st_mtime < 3600
        except OSError:
            return False
    except (OSError, ValueError):
        return False
    return alive(int(owner["pid"]), owner.get("start"))


def clean_stale(output_dir: Path) -> list[Path]:
    """Remove staging directories of runs that were killed; stop the processes they left. Returns them."""
    removed = []
    for staging in sorted(output_dir.parent.glob(staging_prefix(output_dir) + "*")):
        if not staging.is_dir() or _owner_alive(staging):
            continue
        try:
            lines = (staging / PIDS).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        for line in lines:
            try:
                proc = json.loads(line)
            except ValueError:
                continue
            if alive(int(proc["pid"]), proc.get("start")) and proc.get("start") is not None:
                kill_group(int(proc["pid"]))
        shutil.rmtree(staging, ignore_errors=True)
        removed.append(staging)
    return removed
