"""Shared helpers of the benchmark scripts: machine description, RESULTS.md sections."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> dict:
    """CPU model, cores, memory, OS and the versions that matter for the figures."""
    cpu, mem = "unknown", "unknown"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    info = {"cpu": cpu, "nproc": os.cpu_count(), "memory": mem, "os": platform.platform(),
            "python": platform.python_version()}
    for pkg in ("duckdb", "pandas", "pyarrow", "papermill", "nbconvert"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = "absent"
    return info


def peak_rss_mb() -> float:
    """Peak resident memory (MB) of THIS process only: ``VmHWM`` of ``/proc/self/status``.

    Not ``resource.getrusage(RUSAGE_SELF).ru_maxrss``: on Linux a process started by
    fork/vfork + exec keeps, in ``ru_maxrss``, the high-water mark of the address space it
    replaced, i.e. its parent's peak at the time of the fork (a contender started after the
    data generator would report the generator's peak). ``VmHWM`` belongs to the process's
    own address space. Falls back to ``ru_maxrss`` where ``/proc`` is absent.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    import sys

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def write_section(start: str, end: str, section: str) -> None:
    """Replace (or append) the block between ``start`` and ``end`` markers of RESULTS.md, atomically."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    block = f"{start}\n{section.strip()}\n{end}\n"
    if start in text and end in text:
        after = text[text.index(end) + len(end):].lstrip("\n")
        text = text[: text.index(start)] + block + ("\n" + after if after else "")
    else:
        text = text.rstrip() + "\n\n" + block
    tmp = RESULTS.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, RESULTS)
