"""Households: pairwise and B-cubed F1 of ``household_id`` against the synthetic Depok's truth.

Two configurations of the same data: with the civil-registry extract (Dukcapil lists every
resident once, on their current KK) and without it, so that households must be rebuilt from
the DTKS and aid lists, which carry older KK numbers (before a pecah KK, a move, the head's
death). Beside each: the naive baseline the issue quotes, each resident's most frequent valid
KK among their records (a resident without one is alone), and both methods again on the true
residents (resident resolution perfect), to separate household errors from resident errors.

    python benchmarks/bench_households.py --residents 200000
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

import dtks_link
from _common import peak_rss_mb, save, table
from dtks_link.backends.duckdb import DuckDBEngine, connect
from dtks_link.config import LinkConfig, load_config
from dtks_link.evaluation import evaluate
from dtks_link.households import resolve_households, source_roles
from dtks_link.sources import load_sources
from dtks_link.standardise import standardise_records
from dtks_link.synth import generate

KEYS = ["source", "record_id"]


def most_frequent_kk(records: pd.DataFrame, residents: pd.DataFrame) -> pd.DataFrame:
    """The naive baseline: each resident's most frequent valid KK (ties: the smallest number);
    a resident without a valid KK is a household alone. ``records`` has ``source, record_id,
    no_kk, kk_valid``; ``residents`` ``source, record_id, resident_id``."""
    frame = (
        residents[[*KEYS, "resident_id"]]
        .astype(str)
        .merge(records[[*KEYS, "no_kk", "kk_valid"]].astype({"source": str, "record_id": str}), on=KEYS)
    )
    valid = frame[frame["kk_valid"].fillna(False).astype(bool) & frame["no_kk"].notna()]
    counts = valid.groupby(["resident_id", "no_kk"]).size().reset_index(name="n")
    counts = counts.sort_values(["resident_id", "n", "no_kk"], ascending=[True, False, True])
    mode = counts.drop_duplicates("resident_id").set_index("resident_id")["no_kk"]
    frame["household_id"] = frame["resident_id"].map(mode).fillna("R" + frame["resident_id"])
    return frame[[*KEYS, "household_id"]]


def _scores(prefix: str, households: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    m = evaluate(households, truth, level="household")
    return {
        f"{prefix}_f1": round(m.f1, 4),
        f"{prefix}_precision": round(m.precision, 4),
        f"{prefix}_recall": round(m.recall, 4),
        f"{prefix}_bcubed_f1": round(m.bcubed_f1, 4),
    }


def _true_residents(config: LinkConfig, truth: pd.DataFrame) -> dict[str, Any]:
    """Households from the true residents: standardise, then resolve with ``true_id`` as the
    resident (no resident model), and the naive baseline on the same residents."""
    con = connect()
    try:
        engine = DuckDBEngine(con)
        load_sources(con, config.sources, mapped_table="tr_mapped", quarantine_table="tr_quarantine")
        standardise_records(engine, config, mapped_table="tr_mapped", records_table="tr_records")
        records = engine.frame("SELECT unique_id, source, record_id, no_kk, kk_valid FROM tr_records")
        records["record_id"] = records["record_id"].astype(str)
        joined = records.merge(truth.astype({"record_id": str}), on=KEYS)
        joined["resident_id"] = "T" + joined["true_id"].astype(str)
        engine.load_frame("tr_clusters", joined[["unique_id", "resident_id"]])
        started = time.perf_counter()
        result = resolve_households(
            engine,
            records_table="tr_records",
            clusters_table="tr_clusters",
            sources=source_roles(config.sources),
            reference_date=config.options.effective_reference_date,
        )
        seconds = time.perf_counter() - started
    finally:
        con.close()
    return {
        **_scores("true_residents_households", result.records, truth),
        **_scores("true_residents_naive", most_frequent_kk(records, joined), truth),
        "true_residents_household_seconds": round(seconds, 2),
    }


def run(config: LinkConfig, truth: pd.DataFrame, label: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = dtks_link.link(config, write=False, keep_records=True)
    seconds = time.perf_counter() - started
    assert result.households is not None and result.records is not None
    residents = evaluate(result.clusters, truth)
    row: dict[str, Any] = {
        "config": label,
        "records": len(result.clusters),
        "residents": result.counts["clusters"],
        "households": result.households.counts["households"],
        "true_households": int(
            truth.merge(result.clusters[KEYS].astype(str), on=KEYS)["household_id"].nunique()
        ),
        "resident_f1": round(residents.f1, 4),
        **_scores("households", result.households.records, truth),
        **_scores("naive", most_frequent_kk(result.records, result.clusters), truth),
        "link_seconds": round(seconds, 1),
        "household_seconds": round(result.timings.get("households", float("nan")), 2),
        "pecah_kk_links": result.households.counts["pecah_kk_links"],
    }
    row.update(_true_residents(config, truth))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--work", type=Path, default=None, help="where to generate (default: a temporary dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        data = work / f"depok{args.residents}_{args.seed}"
        if not (data / "truth.parquet").exists():
            generate(data, residents=args.residents, seed=args.seed)
        config = load_config(data / "config.toml")
        truth = pd.read_parquet(data / "truth.parquet").astype({"record_id": str})
        without = dataclasses.replace(config, sources=[s for s in config.sources if s.name != "dukcapil"])
        rows = [run(config, truth, "with dukcapil"), run(without, truth, "without dukcapil")]
    columns = [
        "config", "records", "residents", "households", "true_households", "resident_f1",
        "households_f1", "households_bcubed_f1", "naive_f1", "true_residents_households_f1",
        "true_residents_naive_f1", "household_seconds", "link_seconds",
    ]  # fmt: skip
    print(
        f"synthetic Depok, {args.residents:,} residents, seed {args.seed}; peak RSS {peak_rss_mb():,.0f} MB"
    )
    print(table(rows, columns))
    path = save(
        f"households_{args.residents}", {"residents": args.residents, "seed": args.seed, "rows": rows}
    )
    print(f"written {path}")


if __name__ == "__main__":
    main()
