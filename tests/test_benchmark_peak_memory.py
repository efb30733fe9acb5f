"""Peak memory of a benchmark contender is its own process's peak (issue 16).

``benchmarks/benchlib.peak_rss_mb`` is read by each contender subprocess at its end. A child
started after a memory-hungry parent (the data generator, or here the test itself) must not
report the parent's peak, which ``ru_maxrss`` does on Linux after fork + exec.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc (VmHWM)")


def _child_peak(megabytes: int) -> float:
    code = (f"import sys; sys.path.insert(0, {str(BENCH)!r}); from benchlib import peak_rss_mb; "
            f"block = b'\\x01' * ({megabytes} << 20); print(peak_rss_mb())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def test_each_child_reports_its_own_peak():
    big = _child_peak(200)
    parent_block = b"\x02" * (300 << 20)  # the parent now peaks above 300 MB, like the generator did
    small = _child_peak(5)
    del parent_block
    assert big >= 200
    assert small < 60, f"a child allocating 5 MB reported {small:.0f} MB (the parent's peak leaked in?)"
    assert big - small >= 180
