"""Benchmark: generate the synthetic Depok population and all six extracts.

Target (issue 4): 2,010,912 residents plus every extract in 60 s or less with a peak RSS of
6 GB or less. Prints a table of stage times and writes ``benchmarks/results/synth.json``.

    python benchmarks/bench_synth.py                      # full size
    python benchmarks/bench_synth.py --residents 200000   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from dtks_link.synth import DEFAULT_RESIDENTS, generate

TARGET_SECONDS = 60.0
TARGET_RSS_GB = 6.0
RESULTS = Path(__file__).resolve().parent / "results" / "synth.json"


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far (Linux reports kilobytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024
    return peak * scale / 1024**3


def run(residents: int, seed: int, out_dir: Path) -> dict[str, Any]:
    """Generate once into ``out_dir`` and return timings, sizes and peak memory."""
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if fraction > 0.0:  # generate() reports each stage when it is done
            marks.append((stage, time.perf_counter() - start))

    dataset = generate(out_dir, residents=residents, seed=seed, progress=progress)
    total = time.perf_counter() - start
    stages: dict[str, float] = {}
    previous = 0.0
    for stage, at in marks:
        stages[stage] = round(at - previous, 3)
        previous = at
    sizes = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
    return {
        "benchmark": "synth.generate",
        "residents": residents,
        "households": dataset.households,
        "seed": seed,
        "seconds": round(total, 3),
        "peak_rss_gb": round(peak_rss_gb(), 3),
        "stage_seconds": stages,
        "records_per_source": dataset.records_per_source,
        "file_bytes": sizes,
        "targets": {"seconds": TARGET_SECONDS, "peak_rss_gb": TARGET_RSS_GB},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pyarrow": pa.__version__,
            "platform": platform.platform(),
        },
    }


def print_table(result: dict[str, Any]) -> None:
    print(f"synthetic Depok: {result['residents']:,} residents, seed {result['seed']}")
    print(f"{'stage':<12} {'seconds':>8} {'records':>10}")
    for stage, seconds in result["stage_seconds"].items():
        records = result["records_per_source"].get(stage, "")
        shown = f"{records:,}" if isinstance(records, int) else ""
        print(f"{stage:<12} {seconds:>8.2f} {shown:>10}")
    ok_time = result["seconds"] <= TARGET_SECONDS
    ok_rss = result["peak_rss_gb"] <= TARGET_RSS_GB
    print(
        f"{'total':<12} {result['seconds']:>8.2f}   target <= {TARGET_SECONDS:.0f} s "
        f"{'OK' if ok_time else 'MISSED'}"
    )
    print(
        f"{'peak RSS':<12} {result['peak_rss_gb']:>6.2f} GB   target <= {TARGET_RSS_GB:.0f} GB "
        f"{'OK' if ok_rss else 'MISSED'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=DEFAULT_RESIDENTS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="keep the files here")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    try:
        result = run(args.residents, args.seed, out_dir)
    finally:
        if args.out is None:
            shutil.rmtree(out_dir, ignore_errors=True)
    print_table(result)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")
    met = result["seconds"] <= TARGET_SECONDS and result["peak_rss_gb"] <= TARGET_RSS_GB
    return 0 if met or args.residents != DEFAULT_RESIDENTS else 1


if __name__ == "__main__":
    raise SystemExit(main())
