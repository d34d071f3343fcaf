"""Run every benchmark in turn (``make bench``). Each prints a table and saves JSON under
benchmarks/results/. Sizes can be lowered for a quick run: ``DTKS_BENCH_QUICK=1 make bench``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
QUICK = os.environ.get("DTKS_BENCH_QUICK") == "1"
CITY = "2010912"  # residents of Kota Depok
SCALE_SIZES = ["100000", "250000", "500000", "1000000"]

RUNS: list[list[str]] = [
    ["bench_standardise.py", "--rows", "100000" if QUICK else "1000000"],
    ["bench_synth.py", *(["--residents", "100000"] if QUICK else [])],
    ["bench_accuracy.py", "--residents", *(["20000"] if QUICK else ["100000", "200000"])],
    ["bench_households.py", "--residents", "20000" if QUICK else "200000"],
    ["bench_pseudopeople.py"],
    ["bench_mixes.py", "--residents", "10000" if QUICK else "50000"],
    ["bench_noise.py", "--residents", "20000" if QUICK else "100000"],
    ["bench_blocking.py", "--residents", *(["20000"] if QUICK else ["100000", "250000", "500000"])],
    ["bench_speed.py", *(["--residents", "60000"] if QUICK else [])],
    ["bench_scale.py", "--sizes", *(["100000"] if QUICK else [*SCALE_SIZES, CITY])],
    ["bench_registry.py", "--residents", "100000" if QUICK else "2010912"],
    ["bench_decisions.py", "--residents", "20000" if QUICK else "100000"],
    ["bench_service.py", "--residents", *(["50000"] if QUICK else ["500000", "2010912"])],
    ["bench_spark.py", "--residents", "20000" if QUICK else "100000"],
]


def main() -> int:
    failures = 0
    for script, *args in RUNS:
        path = HERE / script
        if not path.exists():
            print(f"== {script}: missing, skipped")
            continue
        print(f"== {script} {' '.join(args)}", flush=True)
        code = subprocess.call([sys.executable, str(path), *args])
        if code != 0:
            print(f"== {script} failed with exit code {code}")
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
