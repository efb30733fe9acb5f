"""Run every benchmark of this folder (each rewrites its own section of RESULTS.md)."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_territory.py", "sirene_benchmark.py", "report_benchmark.py", "impact_validation.py"]

if __name__ == "__main__":
    status = 0
    for name in SCRIPTS:
        if (HERE / name).exists():
            print(f"== {name}", flush=True)
            status |= subprocess.call([sys.executable, str(HERE / name)])
    sys.exit(status)
