"""Reviewer decisions on the synthetic Depok: what 200 reviewed pairs are worth.

    python benchmarks/bench_decisions.py [--residents 100000] [--pairs 200]

Builds a registry, then a reviewer (played by the truth) decides ``--pairs`` pairs, chosen two
ways on two copies of the registry:

- ``most uncertain``: the stored pairs whose match probability is closest to 0.5;
- ``queue, impact``: the first pairs of :meth:`Registry.review_queue` (undecided pairs of the
  0.2-0.95 band, one per two residents, the ones whose outcome would move the most records
  first);
- ``queue, uncertain``: the same queue in ``order="uncertainty"`` (closest to 0.5 first).

The decisions go in through a review file and ``Registry.import_decisions`` (one run). Reported:
pairwise precision, recall and F1 before and after, the F1 gain, the residents changed (ids
created, merged, split, or whose records moved) and the records moved, the time of the decision
run; then a full re-run of the linkage (the model retrained) checks that every decision holds.
Writes benchmarks/results/decisions.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import save, synthetic
from dtks_link import Registry, load_config

DATA = Path(__file__).parent / "data"
KEYS = ["source_l", "record_id_l", "source_r", "record_id_r"]


def membership(registry: Registry) -> pd.DataFrame:
    return registry.con.execute(
        "SELECT r.source, r.record_id, m.resident_id FROM reg.membership m "
        "JOIN reg.records r USING (unique_id)"
    ).df()


def truth_decisions(pairs: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The review file a perfect reviewer would return for ``pairs``."""
    key = truth.set_index(["source", "record_id"])["true_id"]
    left = key.reindex(pd.MultiIndex.from_frame(pairs[["source_l", "record_id_l"]])).to_numpy()
    right = key.reindex(pd.MultiIndex.from_frame(pairs[["source_r", "record_id_r"]])).to_numpy()
    out = pairs[KEYS].copy()
    out["is_match"] = ["ya" if a == b else "tidak" for a, b in zip(left, right, strict=True)]
    out["note"] = "benchmark: decided from the truth"
    return out


def most_uncertain(registry: Registry, n: int) -> pd.DataFrame:
    return registry.con.execute(
        "SELECT split_part(unique_id_l, '|', 1) AS source_l, "
        "substr(unique_id_l, length(split_part(unique_id_l, '|', 1)) + 2) AS record_id_l, "
        "split_part(unique_id_r, '|', 1) AS source_r, "
        "substr(unique_id_r, length(split_part(unique_id_r, '|', 1)) + 2) AS record_id_r "
        "FROM reg.edges ORDER BY abs(match_probability - 0.5), unique_id_l, unique_id_r LIMIT ?",
        [n],
    ).df()


def apply(
    path: Path, pairs: pd.DataFrame, truth: pd.DataFrame, work: Path, label: str
) -> tuple[dict[str, Any], pd.DataFrame]:
    review = work / f"review_{label}.csv"
    decided = truth_decisions(pairs, truth)
    decided.to_csv(review, index=False)
    with Registry(path) as registry:
        start = time.perf_counter()
        report = registry.import_decisions(review, by="benchmark")
        seconds = time.perf_counter() - start
        changed = registry.con.execute(
            "SELECT count(DISTINCT rid) FROM (SELECT resident_id AS rid FROM reg.events WHERE run_id = ? "
            "UNION ALL SELECT other_resident_id FROM reg.events "
            "WHERE run_id = ? AND other_resident_id IS NOT NULL)",
            [report.run_id, report.run_id],
        ).fetchall()[0][0]
        clusters = membership(registry)
    metrics = dtks_link.evaluate(clusters, truth)
    row = {
        "decisions": len(decided),
        "said_same": int((decided["is_match"] == "ya").sum()),
        "said_different": int((decided["is_match"] == "tidak").sum()),
        "precision": metrics.precision,
        "recall": metrics.recall,
        "f1": metrics.f1,
        "residents_changed": int(changed),
        "residents_created": report.residents_created,
        "residents_merged": report.residents_merged,
        "residents_split": report.residents_split,
        "records_moved": report.records_moved,
        "decision_run_s": seconds,
        "conflicts": len(report.conflicts),
    }
    return row, decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()
    folder = synthetic(args.residents)
    config = load_config(folder / "config.toml")
    truth = pd.read_parquet(folder / "truth.parquet")
    work = Path(tempfile.mkdtemp(prefix="dtks_decisions_bench_"))
    base = work / "base.registry"
    start = time.perf_counter()
    dtks_link.link(config, registry=base, write=False, progress=True)
    build_s = time.perf_counter() - start
    with Registry(base) as registry:
        before = dtks_link.evaluate(membership(registry), truth)
        choices = {
            "most uncertain": most_uncertain(registry, args.pairs),
            "queue, impact": registry.review_queue(limit=args.pairs)[KEYS],
            "queue, uncertain": registry.review_queue(limit=args.pairs, order="uncertainty")[KEYS],
        }
        for label in choices:
            registry.backup(work / f"{label.replace(' ', '_')}.registry")
    rows: list[dict[str, Any]] = []
    for label, pairs in choices.items():
        path = work / f"{label.replace(' ', '_')}.registry"
        row, decided = apply(path, pairs, truth, work, label.replace(" ", "_"))
        row = {"chosen": label, **row, "f1_gain": row["f1"] - before.f1}
        if label == "most uncertain":
            # a full re-run: the model retrained on the same data, the decisions must hold
            start = time.perf_counter()
            dtks_link.link(config, registry=path, write=False)
            row["rerun_s"] = time.perf_counter() - start
            with Registry(path, read_only=True) as registry:
                row["held_after_rerun"] = _held(registry, decided)
                row["f1_after_rerun"] = dtks_link.evaluate(membership(registry), truth).f1
        rows.append(row)
    print(
        f"synthetic Depok, {args.residents:,} residents; build {build_s:.0f} s; before: precision "
        f"{before.precision:.4f}, recall {before.recall:.4f}, F1 {before.f1:.4f}"
    )
    print(f"{'chosen':<16}{'same/diff':>10}{'F1':>9}{'gain':>9}{'residents':>10}{'moved':>7}{'run s':>7}")
    for row in rows:
        print(
            f"{row['chosen']:<16}{row['said_same']:>5}/{row['said_different']:<4}{row['f1']:>9.4f}"
            f"{row['f1_gain']:>+9.4f}{row['residents_changed']:>10}{row['records_moved']:>7}"
            f"{row['decision_run_s']:>7.1f}"
        )
    held = rows[0].get("held_after_rerun")
    print(f"after a full re-run (model retrained): every decision holds: {held}; "
          f"F1 {rows[0].get('f1_after_rerun', float('nan')):.4f}")  # fmt: skip
    save(
        "decisions",
        {
            "residents": args.residents,
            "pairs": args.pairs,
            "build_s": build_s,
            "before": {"precision": before.precision, "recall": before.recall, "f1": before.f1},
            "rows": rows,
            "note": "timings on a shared, loaded 2-core machine",
        },
    )


def _held(registry: Registry, decided: pd.DataFrame) -> bool:
    for row in decided.itertuples(index=False):
        left = registry.resident_id_of(row.source_l, row.record_id_l)
        right = registry.resident_id_of(row.source_r, row.record_id_r)
        if (left == right) != (row.is_match == "ya"):
            return False
    return True


if __name__ == "__main__":
    main()
