"""Blocking recall and cost on synthetic Depok, rule by rule and size by size: the share of true
pairs the default rules reach, the pairs each rule adds (what is scored) and the pairs each
rule makes on its own (its join: what blocking costs), per record.

    python benchmarks/bench_blocking.py [--residents 100000 250000 500000 1000000]
                                        [--rules default|previous|both]

A rule whose pairs per record rise with the size of the city has blocks that grow with the
population. ``--rules previous`` measures the default rules of the previous version (before
issue 17) for comparison. Each size runs in its own process (its own peak RSS).

Targets (issue 17): at most 6 comparisons per record at every size, pair recall at least 99.5%.
Writes benchmarks/results/blocking.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import child_result, load_average, peak_rss_mb, save, table

DATA = Path(__file__).parent / "data"

#: The default rules before issue 17, in their order (names of dtks_link.blocking rules).
PREVIOUS_RULES = (
    "nik", "nik_region_birth", "name_key_years_a", "name_key_years_b", "birth_date_phonetic",
    "birth_date_first_token", "birth_date_min_token", "birth_date_max_token", "kelurahan_name_key",
    "kelurahan_birth_date", "rt_name_prefix", "kk_first_letter", "other_identifier",
    "other_identifier_anagram", "postcode_birth_date", "postcode_street_name_prefix",
    "name_key_street_start", "postcode_min_token", "postcode_max_token",
)  # fmt: skip


def rule_set(which: str) -> list[Any]:
    from dtks_link.blocking import _RULES, LEGACY_RULES

    if which == "default":
        return list(_RULES)
    by_name = {r.name: r for r in (*_RULES, *LEGACY_RULES)}
    return [by_name[name] for name in PREVIOUS_RULES]


def one_size(residents: int, rule_sets: list[str]) -> dict[str, Any]:
    """Standardise one size's records (with their true resident ids) and report each rule set."""
    from _common import synthetic
    from dtks_link.backends.duckdb import as_engine, connect
    from dtks_link.blocking import blocking_report
    from dtks_link.config import load_config
    from dtks_link.model import columns_with_data
    from dtks_link.sources import load_sources
    from dtks_link.standardise import standardise_records

    folder = synthetic(residents)
    config = load_config(folder / "config.toml")
    con = connect()
    load_sources(con, config.sources, mapped_table="mapped", quarantine_table="quarantine")
    standardise_records(as_engine(con), config, mapped_table="mapped", records_table="records")
    con.execute("CREATE TABLE truth AS SELECT * FROM read_parquet(?)", [str(folder / "truth.parquet")])
    con.execute(
        "CREATE TABLE records_truth AS SELECT r.*, t.true_id FROM records r "
        "JOIN truth t ON t.source = r.source AND CAST(t.record_id AS VARCHAR) = r.record_id"
    )
    con.execute("DROP TABLE records")
    con.execute("DROP TABLE mapped")
    with_data = columns_with_data(con, "records_truth")
    out: dict[str, Any] = {"residents": residents}
    for which in rule_sets:
        rules = [r for r in rule_set(which) if set(r.required_columns) <= with_data]
        start = time.perf_counter()
        report = blocking_report(
            as_engine(con), "records_truth", rules, truth_column="true_id", pairs_alone=True
        )
        assert report.pairs_alone is not None
        n = report.records
        out[which] = {
            "records": n,
            "total_comparisons": report.total_comparisons,
            "comparisons_per_record": round(report.comparisons_per_record, 3),
            "pairs_alone_per_record": round(sum(report.pairs_alone) / n, 3),
            "true_pairs": report.true_pairs,
            "true_pairs_reached": report.true_pairs_reached,
            "pair_recall": round(report.pair_recall or 0.0, 5),
            "seconds": round(time.perf_counter() - start, 1),
            "rules": [
                {"rule": name, "new_per_record": round(new / n, 4), "alone_per_record": round(alone / n, 4)}
                for name, new, alone in zip(report.rules, report.comparisons, report.pairs_alone, strict=True)
            ],
        }
    out["peak_rss_gb"] = round(peak_rss_mb() / 1024, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, nargs="+", default=[100_000, 250_000, 500_000, 1_000_000])
    parser.add_argument("--rules", choices=("default", "previous", "both"), default="both")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    rule_sets = ["default", "previous"] if args.rules == "both" else [args.rules]
    if args.one:
        print("RESULT " + json.dumps(one_size(args.one, rule_sets)))
        return
    sizes: list[dict[str, Any]] = []
    for residents in args.residents:
        result = child_result([__file__, "--one", str(residents), "--rules", args.rules])
        sizes.append({"residents": residents, **result})
        if "error" in result:
            continue
        print(f"{residents:,} residents done", flush=True)
    measured = [s for s in sizes if "error" not in s]
    for which in rule_sets:
        print(f"\n{which} rules:")
        summary = [{"residents": s["residents"], **{k: v for k, v in s[which].items() if k != "rules"}}
                   for s in measured]  # fmt: skip
        print(table(summary, ["residents", "records", "comparisons_per_record", "pairs_alone_per_record",
                              "true_pairs", "true_pairs_reached", "pair_recall"]))  # fmt: skip
        per_rule: dict[str, dict[str, Any]] = {}
        for s in measured:
            for row in s[which]["rules"]:
                entry = per_rule.setdefault(row["rule"], {"rule": row["rule"]})
                entry[f"new {s['residents'] // 1000}k"] = row["new_per_record"]
                entry[f"alone {s['residents'] // 1000}k"] = row["alone_per_record"]
        sizes_k = [f"{s['residents'] // 1000}k" for s in measured]
        columns = ["rule"] + [f"{kind} {k}" for kind in ("new", "alone") for k in sizes_k]
        print(table(list(per_rule.values()), columns))
    save("blocking", {"load_average": load_average(), "sizes": sizes})


if __name__ == "__main__":
    main()
