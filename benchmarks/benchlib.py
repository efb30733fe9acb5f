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
