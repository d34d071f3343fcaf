"""Blocking recall and cost on synthetic Depok: the share of true pairs the default rules reach
and the candidate pairs they generate, rule by rule.

    python benchmarks/bench_blocking.py [--residents 200000]

The issue's target: at least 99.5% pair recall with no more than 50 comparisons per record.
Writes benchmarks/results/blocking.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import peak_rss_mb, save, table
from dtks_link.backends.duckdb import as_engine, connect
from dtks_link.blocking import blocking_report, default_blocking_rules
from dtks_link.config import load_config
from dtks_link.model import columns_with_data
from dtks_link.sources import load_sources
from dtks_link.standardise import standardise_records
from dtks_link.synth import generate

DATA = Path(__file__).parent / "data"


def run(residents: int) -> dict[str, Any]:
    folder = DATA / f"depok_{residents}"
    if not (folder / "config.toml").exists():
        generate(folder, residents=residents, seed=7)
    config = load_config(folder / "config.toml")
    con = connect()
    start = time.perf_counter()
    load_sources(con, config.sources, mapped_table="mapped", quarantine_table="quarantine")
    standardise_records(as_engine(con), config, mapped_table="mapped", records_table="records")
    con.execute(f"CREATE TABLE truth AS SELECT * FROM read_parquet('{folder / 'truth.parquet'}')")
    con.execute(
        "CREATE TABLE records_truth AS SELECT r.*, t.true_id FROM records r "
        "JOIN truth t ON t.source = r.source AND CAST(t.record_id AS VARCHAR) = r.record_id"
    )
    rules = default_blocking_rules(columns_with_data(con, "records_truth"))
    report = blocking_report(as_engine(con), "records_truth", rules, truth_column="true_id")
    seconds = time.perf_counter() - start
    rows = [
        {"rule": name, "comparisons": n, "per_record": n / report.records}
        for name, n in zip(report.rules, report.comparisons, strict=True)
    ]
    print(table(rows, ["rule", "comparisons", "per_record"]))
    summary = {
        "residents": residents,
        "records": report.records,
        "total_comparisons": report.total_comparisons,
        "comparisons_per_record": round(report.comparisons_per_record, 2),
        "true_pairs": report.true_pairs,
        "true_pairs_reached": report.true_pairs_reached,
        "pair_recall": round(report.pair_recall or 0.0, 5),
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
    }
    print(table([summary], list(summary)))
    return {"summary": summary, "rules": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=200_000)
    args = parser.parse_args()
    save("blocking", run(args.residents))


if __name__ == "__main__":
    main()
