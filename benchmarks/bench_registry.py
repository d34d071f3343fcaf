"""Registry at city scale: build, ingest 10,000 new records, and real-time lookup latency.

    python benchmarks/bench_registry.py [--residents 2010912] [--new 10000] [--queries 1000]
    python benchmarks/bench_registry.py --reuse DIR   # lookups only, on a DIR an earlier run left

The synthetic extracts are split: ``--new`` records are held out of the build and ingested as
one batch afterwards, then looked up one at a time. Writes benchmarks/results/registry.json.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import load_average, peak_rss_mb, save, synthetic
from dtks_link import LinkConfig, Registry, SourceConfig, load_config

DATA = Path(__file__).parent / "data"


def _read(source: SourceConfig) -> pd.DataFrame:
    assert source.path is not None
    if source.file_format == "excel":
        return pd.read_excel(source.path, dtype=str)
    if source.file_format == "parquet":
        return pd.read_parquet(source.path).astype("string")
    return pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)


def _value(row: pd.Series, column: str | list[str]) -> str | None:
    """A query field from a source row: a list mapping joins its columns; missing is None."""
    parts = [row[c] for c in ([column] if isinstance(column, str) else column)]
    text = " ".join(str(v) for v in parts if not pd.isna(v) and str(v) != "")
    return text or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=2_010_912)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument(
        "--reuse", type=Path, help="an earlier run's folder (its registry and held-out files): lookups only"
    )
    args = parser.parse_args()
    folder = synthetic(args.residents)
    config = load_config(folder / "config.toml")
    work = args.reuse or Path(tempfile.mkdtemp(prefix="dtks_registry_bench_"))
    print(f"working in {work}", flush=True)
    rng = np.random.default_rng(3)
    total = sum(len(_read(s)) for s in config.sources)
    base_sources, new_sources, held_out = [], [], []
    for source in config.sources:
        data = _read(source)
        take = rng.random(len(data)) < args.new / total
        for part, bucket, label in ((data[~take], base_sources, "base"), (data[take], new_sources, "new")):
            path = work / f"{source.name}_{label}.parquet"
            if args.reuse is None:
                part.reset_index(drop=True).to_parquet(path, index=False)
            bucket.append(
                SourceConfig(
                    name=source.name,
                    path=path,
                    id_column=source.id_column,
                    columns=source.columns,
                    duplicate_free=source.duplicate_free,
                )
            )
        held_out.append((source, data[take]))
    timings: dict[str, float] = {}
    registry_path = work / "depok.registry"
    if args.reuse is None:
        start = time.perf_counter()
        base = LinkConfig(sources=tuple(base_sources), options=config.options)
        dtks_link.link(base, registry=registry_path, write=False, progress=True)
        timings["build_s"] = time.perf_counter() - start
    report = None
    with Registry(registry_path) as registry:
        if args.reuse is None:
            start = time.perf_counter()
            report = registry.ingest(new_sources, progress=True)
            timings["ingest_s"] = time.perf_counter() - start
            print(f"build {timings['build_s']:.1f} s, ingest {timings['ingest_s']:.1f} s", flush=True)
        start = time.perf_counter()
        registry._lookup_index()
        timings["lookup_index_build_s"] = time.perf_counter() - start
        queries = []
        for source, rows in held_out:
            for _, row in rows.head(args.queries).iterrows():
                queries.append({field: _value(row, column) for field, column in source.columns.items()})
        rng.shuffle(queries)  # type: ignore[arg-type]
        latencies = []
        rejected = 0
        for record in queries[: args.queries]:
            start = time.perf_counter()
            try:
                registry.match(record, top_k=5)
            except dtks_link.QueryError:  # nothing in the record can find candidates
                rejected += 1
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    pct = {f"p{p}": latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))] for p in (50, 95, 99)}
    payload = {
        "residents": args.residents,
        "load_average_after": load_average(),
        "ingested_records": report.records_in if report else None,
        "ingest": report.__dict__ if report else None,
        **{k: round(v, 2) for k, v in timings.items()},
        "lookup_ms": {k: round(v, 2) for k, v in pct.items()},
        "lookup_mean_ms": round(statistics.mean(latencies), 2),
        "lookup_rejected": rejected,
        "peak_rss_gb": round(peak_rss_mb() / 1024, 2),
    }
    print(payload)
    save("registry", payload)


if __name__ == "__main__":
    main()
