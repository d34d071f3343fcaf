"""DuckDB against Spark local: time per stage and the ratio, on the same synthetic Depok.

    python benchmarks/bench_spark.py [--residents 100000] [--master local[2]] [--partitions 8]

Each engine runs in a fresh subprocess (its own peak RSS; Spark's JVM memory is not in it).
Both runs use the same reference date, so their results must agree: the script also reports
whether the clusters are identical and the largest match-weight difference between engines.
Beside wall seconds it records, per stage, the CPU seconds of the whole process tree (Python,
Spark's JVM and its Python workers) and the number of Spark jobs, and the load average of the
machine: on a shared machine wall seconds alone say little.
Writes benchmarks/results/spark.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import child_result, save, table

DATA = Path(__file__).parent / "data"
STAGES = ("read", "standardise", "train", "predict", "diagnose", "cluster", "households")


def tree_cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and all its descendants alive or reaped
    (Spark's JVM and its Python workers), from /proc; 0 where /proc is missing."""
    import os

    proc = Path("/proc")
    if not proc.exists():
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    parent, cpu = {}, {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = sum(int(x) for x in fields[11:15]) / ticks
    root, total = os.getpid(), 0.0
    for pid, seconds in cpu.items():
        node = pid
        while node not in (0, 1, root) and node in parent:
            node = parent[node]
        if node == root:
            total += seconds
    return total


def one_run(residents: int, engine: str, master: str, partitions: int, out: Path) -> dict[str, Any]:
    import os
    from dataclasses import replace

    import dtks_link
    from _common import peak_rss_mb, synthetic

    folder = synthetic(residents)
    cfg = dtks_link.load_config(folder / "config.toml")
    cfg = replace(cfg, options=replace(cfg.options, reference_date=dt.date(2025, 7, 1)))
    chosen: Any = engine
    load_before = os.getloadavg()[0]
    cpu_start = tree_cpu_seconds()
    started = time.perf_counter()

    def spark_jobs() -> int:
        return 0

    if engine == "spark":
        from dtks_link.backends.spark import SparkEngine, spark_session

        spark = spark_session(master=master, shuffle_partitions=partitions, driver_memory="6g")
        chosen = SparkEngine(spark)

        def spark_jobs() -> int:  # job ids count up from 0 (the Spark UI is off, the tracker is not)
            ids = spark.sparkContext.statusTracker().getJobIdsForGroup(None)
            return max(ids) + 1 if ids else 0

    session_s = time.perf_counter() - started
    stage_cpu: dict[str, float] = {}
    stage_jobs: dict[str, int] = {}
    cpu_mark, jobs_mark = [tree_cpu_seconds()], [spark_jobs()]

    def progress(stage: str, seconds: float, detail: str) -> None:
        cpu, jobs = tree_cpu_seconds(), spark_jobs()
        stage_cpu[stage], stage_jobs[stage] = round(cpu - cpu_mark[0], 1), jobs - jobs_mark[0]
        cpu_mark[0], jobs_mark[0] = cpu, jobs
        print(
            f"{engine} {stage}: {seconds:.1f} s, cpu {stage_cpu[stage]} s, {stage_jobs[stage]} jobs",
            flush=True,
        )

    result = dtks_link.link(cfg, write=False, engine=chosen, progress=progress)
    cpu_total = tree_cpu_seconds() - cpu_start
    result.clusters.to_parquet(out / f"clusters_{engine}.parquet", index=False)
    result.pairs.to_parquet(out / f"pairs_{engine}.parquet", index=False)
    result.model.parameters().to_parquet(out / f"parameters_{engine}.parquet", index=False)
    metrics = dtks_link.evaluate(result.clusters, folder / "truth.parquet")
    return {
        "engine": engine,
        "residents": residents,
        "records": len(result.clusters),
        "pairs_scored": len(result.pairs),
        "session_s": round(session_s, 1),
        **{f"{k}_s": round(v, 1) for k, v in result.timings.items()},
        "link_total_s": round(sum(result.timings.values()), 1),
        "cpu_s": round(cpu_total, 1),
        "stage_cpu_s": stage_cpu,
        "spark_jobs": stage_jobs,
        "training_log": result.model.training_log_,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "f1": round(metrics.f1, 4),
        "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
    }


def parity(out: Path) -> dict[str, Any]:
    import pandas as pd

    def partition(frame: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
        return {
            frozenset(zip(g["source"], g["record_id"], strict=True)) for _, g in frame.groupby("resident_id")
        }

    duck, spark = (pd.read_parquet(out / f"clusters_{e}.parquet") for e in ("duckdb", "spark"))
    key = ["source_l", "record_id_l", "source_r", "record_id_r"]
    pairs = pd.read_parquet(out / "pairs_duckdb.parquet").merge(
        pd.read_parquet(out / "pairs_spark.parquet"), on=key, how="outer", suffixes=("_d", "_s")
    )
    params = pd.read_parquet(out / "parameters_duckdb.parquet").merge(
        pd.read_parquet(out / "parameters_spark.parquet"), on=["comparison", "level"], suffixes=("_d", "_s")
    )
    return {
        "identical_clusters": partition(duck) == partition(spark),
        "max_parameter_difference": float(
            max((params[f"{p}_probability_d"] - params[f"{p}_probability_s"]).abs().max() for p in ("m", "u"))
        ),
        "pairs_only_one_engine": int(
            pairs["match_weight_d"].isna().sum() + pairs["match_weight_s"].isna().sum()
        ),
        "max_weight_difference": float((pairs["match_weight_d"] - pairs["match_weight_s"]).abs().max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = DATA / f"spark_bench_{args.residents}"
    out.mkdir(parents=True, exist_ok=True)
    if args.one:
        print("RESULT " + json.dumps(one_run(args.residents, args.one, args.master, args.partitions, out)))
        return
    rows = []
    for engine in ("duckdb", "spark"):
        result = child_result(
            [__file__, "--one", engine, "--residents", str(args.residents),
             "--master", args.master, "--partitions", str(args.partitions)],
        )  # fmt: skip
        rows.append({"engine": engine, **result} if "error" in result else result)
        if "error" in result:
            continue
        print(json.dumps(rows[-1]), flush=True)
    ratio: dict[str, Any] = {"engine": "spark / duckdb"}
    if all("error" not in r for r in rows):
        for stage in (*STAGES, "link_total", "cpu"):
            duck, spark = rows[0].get(f"{stage}_s"), rows[1].get(f"{stage}_s")
            if duck and spark:
                ratio[f"{stage}_s"] = round(spark / duck, 1)
        checks = parity(out)
        print(json.dumps(checks))
    else:
        checks = {}
    columns = ["engine", "records", "pairs_scored", *(f"{s}_s" for s in STAGES), "link_total_s", "cpu_s",
               "f1", "peak_rss_gb"]  # fmt: skip
    print(table([*rows, ratio], columns))
    save("spark", {"master": args.master, "shuffle_partitions": args.partitions, "rows": rows,
                   "ratio": ratio, "parity": checks})  # fmt: skip


if __name__ == "__main__":
    main()
