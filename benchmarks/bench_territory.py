"""Timing of esstools.territory (first load vs cached calls, national aggregate and harmonisation).

Run: .venv/bin/python benchmarks/bench_territory.py  (results noted in benchmarks/territory.md)
"""

from __future__ import annotations

import time
import warnings

from esstools import territory as T


def timed(label: str, fn, repeat: int = 1) -> None:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    dt = (time.perf_counter() - t0) / repeat
    print(f"{label:<55s} {dt * 1000:9.1f} ms")


def main() -> None:
    timed("first communes(2026) (reads the CSVs)", lambda: T.communes(2026))
    timed("communes(2026) cached", lambda: T.communes(2026), repeat=50)
    timed("lookup('93066')", lambda: T.lookup("93066"), repeat=200)
    timed("epts(2024) first", lambda: T.epts(2024))
    df = T.communes(2021)[["code", "population"]].rename(columns={"code": "commune_code"})
    timed("aggregate 34 965 communes -> departement", lambda: T.aggregate(df, "departement", cog=2021), repeat=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", T.TerritoryWarning)
        timed("harmonise 34 965 communes 2021 -> 2026 (first)",
              lambda: T.harmonise(df, 2021, 2026, splits="population"))
        timed("harmonise 34 965 communes 2021 -> 2026 (cached steps)",
              lambda: T.harmonise(df, 2021, 2026, splits="population"), repeat=3)


if __name__ == "__main__":
    main()
