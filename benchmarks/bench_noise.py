"""Noise stress: synthetic Depok with every error rate scaled (x0.5, x1, x2, x3), linked by
dtks_link and by the generic Splink 5 model in the same process.

    python benchmarks/bench_noise.py [--residents 50000] [--levels 0.5 1 2 3]

Prints a Markdown table, writes benchmarks/results/noise.json and draws the F1 curve with
Altair into benchmarks/results/noise.html (self-contained: the chart's JavaScript is inlined
when the installed Altair can do it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import RESULTS, load_average, peak_rss_mb, save, synthetic, table
from dtks_link.evaluation import expected_quality
from generic_splink import run_generic

DATA = Path(__file__).parent / "data"


def run_level(residents: int, noise: float) -> list[dict[str, Any]]:
    folder = synthetic(residents, noise=noise)
    truth = pd.read_parquet(folder / "truth.parquet")
    start = time.perf_counter()
    result = dtks_link.link(folder / "config.toml", write=False)
    seconds = time.perf_counter() - start
    m = dtks_link.evaluate(result.clusters, truth)
    expected = expected_quality(result.pairs, result.clusters, threshold=0.9)
    rows = [{"noise": noise, "tool": "dtks_link", "precision": m.precision, "recall": m.recall, "f1": m.f1,
             "expected_f1": expected.f1, "seconds": seconds}]  # fmt: skip
    clusters, timings = run_generic(folder / "config.toml")
    g = dtks_link.evaluate(clusters, truth)
    rows.append({"noise": noise, "tool": "generic Splink 5", "precision": g.precision, "recall": g.recall,
                 "f1": g.f1, "seconds": sum(timings.values())})  # fmt: skip
    return rows


def chart(rows: list[dict[str, Any]], residents: int) -> Path | None:
    """The F1 curve as a self-contained HTML page (None when Altair is not installed)."""
    try:
        import altair as alt
    except ImportError:
        return None
    frame = pd.DataFrame(rows)[["noise", "tool", "f1"]]
    figure = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("noise:Q", title="error rates x", scale=alt.Scale(zero=False)),
            y=alt.Y("f1:Q", title="pairwise F1", scale=alt.Scale(zero=False)),
            color=alt.Color("tool:N"),
            tooltip=["tool", "noise", alt.Tooltip("f1:Q", format=".4f")],
        )
        .properties(title=f"Synthetic Depok, {residents:,} residents: F1 as every error rate grows",
                    width=520, height=320)
    )  # fmt: skip
    path = RESULTS / "noise.html"
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        figure.save(str(path), inline=True)
    except Exception:  # older Altair or no vl-convert: the page loads the libraries from a CDN
        figure.save(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--levels", type=float, nargs="+", default=[0.5, 1.0, 2.0, 3.0])
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for noise in args.levels:
        rows += run_level(args.residents, noise)
        print(table(rows[-2:], ["noise", "tool", "precision", "recall", "f1"]), flush=True)
    print(table(rows, ["noise", "tool", "precision", "recall", "f1", "expected_f1", "seconds"]))
    f1 = {(r["tool"], r["noise"]): r["f1"] for r in rows}
    losses = {}
    if 1.0 in args.levels and 3.0 in args.levels:
        losses = {tool: f1[(tool, 1.0)] - f1[(tool, 3.0)] for tool in ("dtks_link", "generic Splink 5")}
        print(f"F1 lost from x1 to x3: {losses}")
    path = chart(rows, args.residents)
    print(f"chart: {path}; peak RSS {peak_rss_mb():,.0f} MB; load average {load_average()}")
    save("noise", {"residents": args.residents, "rows": rows, "loss_x1_to_x3": losses,
                   "peak_rss_mb": peak_rss_mb(), "load_average": load_average()})  # fmt: skip


if __name__ == "__main__":
    main()
