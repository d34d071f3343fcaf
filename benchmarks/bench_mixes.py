"""Source mixes on synthetic Depok: every source left out in turn, and every pair of sources.

Dinas Sosial links its own lists before it gets the civil registry's extract; a department adds
one extract at a time. Each mix is linked on its own and scored on the records it holds (truth
of the other sources is ignored). The fields each mix lacks are listed beside its F1, and a mix
that gives no pair without an error is flagged.

    python benchmarks/bench_mixes.py [--residents 20000]

Prints a Markdown table and writes benchmarks/results/mixes.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import load_average, peak_rss_mb, save, synthetic, table
from dtks_link.errors import DtksLinkError
from dtks_link.evaluation import expected_quality

DATA = Path(__file__).parent / "data"

#: Fields that matter for matching, as the README names them.
FIELDS = ("nik", "no_kk", "nama", "tanggal_lahir", "umur", "jenis_kelamin", "alamat", "kelurahan",
          "rt", "telepon", "nama_ibu_kandung", "tempat_lahir")  # fmt: skip


def run_mix(config: dtks_link.LinkConfig, names: tuple[str, ...], truth: pd.DataFrame) -> dict[str, Any]:
    sources = tuple(s for s in config.sources if s.name in names)
    present = {f for s in sources for f in s.columns}
    shared = set.intersection(*(set(s.columns) for s in sources))
    row: dict[str, Any] = {
        "mix": " + ".join(names),
        "sources": len(names),
        "lacks": ", ".join(f for f in FIELDS if f not in present) or "-",
        # a comparison needs the field on both records: for a pair of sources, what they share
        "shared": ", ".join(f for f in FIELDS if f in shared) or "-",
    }
    start = time.perf_counter()
    try:
        result = dtks_link.link(dataclasses.replace(config, sources=sources), write=False)
    except DtksLinkError as exc:
        row.update(error=f"{type(exc).__name__}: {str(exc)[:160]}", seconds=time.perf_counter() - start)
        return row
    metrics = dtks_link.evaluate(result.clusters, truth)
    expected = expected_quality(result.pairs, result.clusters, threshold=config.options.match_threshold)
    row.update(
        records=len(result.clusters),
        pairs=len(result.pairs),
        true_pairs=metrics.true_pairs,
        precision=metrics.precision,
        recall=metrics.recall,
        f1=metrics.f1,
        expected_f1=expected.f1,
        model=result.model.model_kind_,
        borrowed=", ".join(sorted(n for n, s in result.model.parameter_sources_.items() if s != "EM")) or "-",
        silent_zero=len(result.pairs) == 0 and metrics.true_pairs > 0,
        seconds=time.perf_counter() - start,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20_000)
    args = parser.parse_args()
    folder = synthetic(args.residents)
    config = dtks_link.load_config(folder / "config.toml")
    truth = pd.read_parquet(folder / "truth.parquet")
    names = tuple(s.name for s in config.sources)
    mixes = [names]
    mixes += [tuple(n for n in names if n != left_out) for left_out in names]
    mixes += list(itertools.combinations(names, 2))
    rows = []
    for mix in mixes:
        row = run_mix(config, mix, truth)
        rows.append(row)
        print(f"{row['mix']:<50} F1 {row.get('f1', float('nan')):.4f} {row.get('error', '')}", flush=True)
    columns = ["mix", "records", "true_pairs", "precision", "recall", "f1", "expected_f1", "shared", "model"]
    print(table(rows, columns))
    silent = [r["mix"] for r in rows if r.get("silent_zero")]
    print(f"mixes with 0 pairs and no error: {silent or 'none'}")
    print(f"peak RSS {peak_rss_mb():,.0f} MB; load average {load_average()}")
    save("mixes", {"residents": args.residents, "rows": rows, "silent_zero": silent,
                   "peak_rss_mb": peak_rss_mb(), "load_average": load_average()})  # fmt: skip


if __name__ == "__main__":
    main()
