"""Scale on synthetic Depok: time per stage, peak RSS and comparisons, one size per process.

    python benchmarks/bench_scale.py [--sizes 100000 500000 2010912]

Each size runs in a fresh subprocess so its peak RSS is its own. Writes
benchmarks/results/scale.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import save, table

DATA = Path(__file__).parent / "data"


def one_size(residents: int) -> dict[str, Any]:
    import dtks_link
    from _common import peak_rss_mb
    from dtks_link.synth import generate

    folder = DATA / f"depok_{residents}"
    start = time.perf_counter()
    if not (folder / "config.toml").exists():
        generate(folder, residents=residents, seed=7)
    generated = time.perf_counter() - start
    result = dtks_link.link(folder / "config.toml", write=False)
    metrics = dtks_link.evaluate(result.clusters, folder / "truth.parquet")
    return {
        "residents": residents,
        "records": len(result.clusters),
        "pairs_scored": len(result.pairs),
        "generate_s": round(generated, 1),
        **{f"{k}_s": round(v, 1) for k, v in result.timings.items()},
        "link_total_s": round(sum(result.timings.values()), 1),
        "f1": round(metrics.f1, 4),
        "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 500_000, 2_010_912])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(one_size(args.one)))
        return
    rows = []
    for size in args.sizes:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], capture_output=True, text=True, check=False
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            print(proc.stderr[-3000:], file=sys.stderr)
            rows.append({"residents": size, "error": f"exit {proc.returncode}"})
            continue
        rows.append(json.loads(lines[-1][7:]))
        print(json.dumps(rows[-1]), flush=True)
    columns = ["residents", "records", "pairs_scored", "read_s", "standardise_s", "train_s", "predict_s",
               "cluster_s", "link_total_s", "f1", "peak_rss_gb"]  # fmt: skip
    print(table(rows, columns))
    save("scale", {"rows": rows})


if __name__ == "__main__":
    main()
