"""End-to-end speed on 1,000,000 raw records (synthetic Depok, 613,500 residents, six sources):
dtks_link against the generic Splink 5 configuration on the same files, in one process.

    python benchmarks/bench_speed.py [--residents 613500] [--skip-generic]

The matching-model issue's target: standardise, train, predict and cluster 1,000,000 records in
2 minutes or less on this machine. Writes benchmarks/results/speed.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import peak_rss_mb, save, synthetic, table
from generic_splink import run_generic

DATA = Path(__file__).parent / "data"


def run(residents: int, *, generic: bool) -> dict[str, Any]:
    folder = synthetic(residents)
    config, truth = folder / "config.toml", folder / "truth.parquet"
    start = time.perf_counter()
    result = dtks_link.link(config, write=False, progress=True)
    total = time.perf_counter() - start
    metrics = dtks_link.evaluate(result.clusters, truth)
    rows = [
        {
            "tool": "dtks_link",
            "records": len(result.clusters) + len(result.quarantine),
            **{f"{k}_s": round(v, 1) for k, v in result.timings.items()},
            "total_s": round(total, 1),
            "f1": round(metrics.f1, 4),
            "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
        }
    ]
    print("\n".join(result.model.training_log_), file=sys.stderr)
    if generic:
        start = time.perf_counter()
        clusters, timings = run_generic(config)
        total_generic = time.perf_counter() - start
        rows.append(
            {
                "tool": "generic Splink 5",
                "records": len(clusters),
                **{f"{k}_s": round(v, 1) for k, v in timings.items()},
                "total_s": round(total_generic, 1),
                "f1": round(dtks_link.evaluate(clusters, truth).f1, 4),
                "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
            }
        )
    columns = sorted({k for row in rows for k in row}, key=lambda k: (k != "tool", k != "records", k))
    print(table(rows, columns))
    summary: dict[str, Any] = {"residents": residents, "rows": rows, "target_total_s": 120}
    if generic:
        summary["time_ratio_dtks_over_generic"] = round(rows[0]["total_s"] / rows[1]["total_s"], 2)
        print(f"time ratio dtks_link / generic Splink: {summary['time_ratio_dtks_over_generic']}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=613_500)
    parser.add_argument("--skip-generic", action="store_true")
    args = parser.parse_args()
    save("speed", run(args.residents, generic=not args.skip_generic))


if __name__ == "__main__":
    main()
