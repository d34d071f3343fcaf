"""Scale on synthetic Depok: cost per record from 100,000 residents to the whole city.

    python benchmarks/bench_scale.py [--sizes 100000 250000 500000 1000000 2010912]
                                     [--peer-max 500000] [--no-blocking] [--out scale]
    python benchmarks/bench_scale.py --markdown [--out scale] [--before scale_before]

For every size, in fresh processes (so each peak RSS is its own):

1. ``dtks_link.link()`` on the six synthetic extracts: seconds per stage, seconds per 1,000
   records, the peak RSS during each stage (sampled every 50 ms) and the stage that sets the
   process's peak, F1 of the clusters against the generator's truth;
2. the blocking of the default rules (:func:`dtks_link.blocking.blocking_report`, exact):
   comparisons per record and the pair recall against the generator's truth;
3. up to ``--peer-max`` residents, the generic Splink 5 model (``generic_splink.py``) on the
   same files: its time, F1 and peak RSS, and the ratio of times.

Writes ``benchmarks/results/<out>.json`` and, next to it, the curves as ``<out>.html``
(self-contained, Vega inlined) and ``<out>.png``. ``--markdown`` prints the README's scale
table from that JSON (with ``--before``, the F1 of an earlier run beside it), without running
anything. ``--src DIR`` runs the linkage from another checkout's ``src`` (the figures "before").

The machine is shared: 1M and 2M runs need about 10 GB each; run them one at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import RESULTS, child_result, load_average, machine

DATA = Path(__file__).parent / "data"
STAGES = ("read", "standardise", "train", "predict", "diagnose", "cluster", "households")
CITY = 2_010_912
_MEMORY_LIMIT = "DTKS_BENCH_MEMORY_LIMIT"


class RssSampler:
    """Peak resident memory of this process per stage: a thread reads ``/proc/self/statm``
    every ``interval`` seconds; :meth:`stage_done` closes the current stage."""

    def __init__(self, interval: float = 0.05) -> None:
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.interval = interval
        self.current = 0
        self.per_stage: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * self.page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.current = max(self.current, self._rss())
            time.sleep(self.interval)

    def __enter__(self) -> RssSampler:
        self.current = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def stage_done(self, stage: str) -> None:
        self.current = max(self.current, self._rss())
        self.per_stage[stage] = round(self.current / 2**30, 2)
        self.current = self._rss()


def _cpu_seconds() -> float:
    """CPU seconds of this process and its threads (DuckDB's too): less sensitive than wall
    time to the other work on a shared machine."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _folder(residents: int) -> Path:
    from _common import synthetic

    folder = synthetic(residents)
    return folder


def run_link(residents: int) -> dict[str, Any]:
    """One size, dtks_link end to end (read -> cluster), in this process."""
    import dtks_link

    folder = _folder(residents)
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}
    cpu_mark = [_cpu_seconds()]
    with RssSampler() as rss:

        def progress(stage: str, seconds: float, detail: str) -> None:
            stages[stage] = seconds
            now = _cpu_seconds()
            cpu[stage], cpu_mark[0] = now - cpu_mark[0], now
            rss.stage_done(stage)

        config = dtks_link.load_config(folder / "config.toml")
        if os.environ.get(_MEMORY_LIMIT):  # --memory-limit, passed to the child process
            config = replace(config, options=replace(config.options, memory_limit=os.environ[_MEMORY_LIMIT]))
        start = time.perf_counter()
        result = dtks_link.link(config, write=False, progress=progress)
        total = time.perf_counter() - start
        metrics = dtks_link.evaluate(result.clusters, folder / "truth.parquet")
        rss.stage_done("evaluate")
    records = len(result.clusters)
    peak_stage = max(rss.per_stage, key=lambda s: rss.per_stage[s])
    return {
        "residents": residents,
        "memory_limit": config.options.memory_limit,
        "records": records,
        "pairs_scored": len(result.pairs),
        "dtks_link": dtks_link.__file__,
        **{f"{stage}_s": round(seconds, 2) for stage, seconds in stages.items()},
        "link_total_s": round(total, 1),
        "cpu_s": {stage: round(seconds, 2) for stage, seconds in cpu.items()},
        "link_total_cpu_s": round(sum(cpu.values()), 1),
        "s_per_1000": {s: round(v / records * 1000, 4) for s, v in stages.items()},
        "total_s_per_1000": round(total / records * 1000, 4),
        "f1": round(metrics.f1, 4),
        "precision": round(metrics.precision, 4),
        "recall": round(metrics.recall, 4),
        "rss_gb_per_stage": rss.per_stage,
        "peak_rss_gb": rss.per_stage[peak_stage],
        "peak_stage": peak_stage,
        "training_log": result.model.training_log_,
    }


def run_blocking(residents: int) -> dict[str, Any]:
    from bench_blocking import one_size

    found = one_size(residents, ["default"])
    default = found["default"]
    return {
        "comparisons_per_record": default["comparisons_per_record"],
        "pairs_alone_per_record": default["pairs_alone_per_record"],
        "pair_recall": default["pair_recall"],
        "true_pairs": default["true_pairs"],
        "rules": default["rules"],
        "blocking_peak_rss_gb": found["peak_rss_gb"],
    }


def run_peer(residents: int) -> dict[str, Any]:
    import dtks_link
    from generic_splink import run_generic

    folder = _folder(residents)
    with RssSampler() as rss:
        start, cpu = time.perf_counter(), _cpu_seconds()
        clusters, timings = run_generic(folder / "config.toml")
        total, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        rss.stage_done("generic")
    return {
        "generic_total_s": round(total, 1),
        "generic_cpu_s": round(cpu, 1),
        "generic_stages_s": {k: round(v, 1) for k, v in timings.items()},
        "generic_f1": round(dtks_link.evaluate(clusters, folder / "truth.parquet").f1, 4),
        "generic_peak_rss_gb": rss.per_stage["generic"],
    }


def _child(kind: str, residents: int, src: Path | None) -> dict[str, Any]:
    result = child_result([__file__, f"--{kind}", str(residents)], src=src)
    return {f"{kind}_error": result["error"]} if "error" in result else result


def charts(rows: list[dict[str, Any]], path: Path) -> None:
    """The curves, as self-contained HTML and PNG next to the JSON."""
    import altair as alt
    import pandas as pd

    ok = [r for r in rows if "s_per_1000" in r]
    if not ok:
        return
    per_stage = pd.DataFrame(
        [
            {"records": r["records"], "stage": stage, "seconds per 1,000 records": seconds}
            for r in ok
            for stage, seconds in r["s_per_1000"].items()
        ]
    )
    x = alt.X("records:Q", scale=alt.Scale(type="log"), title="records (log scale)")
    stage_chart = (
        alt.Chart(per_stage, title="Seconds per 1,000 records, by stage")
        .mark_line(point=True)
        .encode(x=x, y="seconds per 1,000 records:Q", color="stage:N", tooltip=list(per_stage.columns))
    )
    flat = pd.DataFrame(
        [
            {
                "records": r["records"],
                "comparisons per record": r.get("comparisons_per_record"),
                "pair recall": r.get("pair_recall"),
                "peak RSS (GB)": r["peak_rss_gb"],
                "total seconds": r["link_total_s"],
                "CPU seconds per 1,000 records": (
                    r["link_total_cpu_s"] / r["records"] * 1000 if "link_total_cpu_s" in r else None
                ),
                "generic Splink seconds": r.get("generic_total_s"),
                "F1": r["f1"],
            }
            for r in ok
        ]
    )

    def line(column: str, title: str) -> alt.Chart:
        return (
            alt.Chart(flat, title=title)
            .mark_line(point=True)
            .encode(x=x, y=alt.Y(f"{column}:Q", scale=alt.Scale(zero=False)), tooltip=list(flat.columns))
        )

    times = flat.melt("records", ["total seconds", "generic Splink seconds"], "tool", "seconds").dropna()
    time_chart = (
        alt.Chart(times, title="End-to-end seconds: dtks_link and generic Splink 5")
        .mark_line(point=True)
        .encode(x=x, y="seconds:Q", color="tool:N")
    )
    chart = alt.vconcat(
        alt.hconcat(stage_chart, time_chart),
        alt.hconcat(
            line("comparisons per record", "Comparisons per record (target <= 6)"),
            line("pair recall", "Blocking pair recall (target >= 0.995)"),
        ),
        alt.hconcat(line("peak RSS (GB)", "Peak RSS"), line("F1", "Cluster F1")),
        line("CPU seconds per 1,000 records", "CPU seconds per 1,000 records (steadier than wall time)"),
    ).resolve_scale(color="independent")
    chart.save(str(path.with_suffix(".html")), inline=True)
    try:
        chart.save(str(path.with_suffix(".png")), scale_factor=1.5)
    except Exception as exc:  # vl-convert missing: the HTML is enough
        print(f"PNG not written: {exc}", file=sys.stderr)


def markdown(out: str, before: str | None) -> str:
    """The README's scale table from the JSON results (and the F1 of an earlier run)."""
    rows = [r for r in json.loads((RESULTS / f"{out}.json").read_text())["rows"] if "s_per_1000" in r]
    earlier: dict[int, dict[str, Any]] = {}
    if before:
        earlier = {r["residents"]: r for r in json.loads((RESULTS / f"{before}.json").read_text())["rows"]}
    head = ["residents", "records", *STAGES, "total", "CPU (s / 1k rec)", "s / 1k rec", "comparisons / rec",
            "pair recall", "F1", "peak RSS (stage)", "generic Splink"]  # fmt: skip
    if before:
        head.insert(head.index("F1") + 1, "F1 before")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"{r['residents']:,}", f"{r['records']:,}"]
        cells += [f"{r[f'{s}_s']:.1f} s" if f"{s}_s" in r else "-" for s in STAGES]
        cells += [f"**{r['link_total_s']:.0f} s**"]
        cpu = r.get("link_total_cpu_s")
        cells += [f"{cpu:.0f} s ({cpu / r['records'] * 1000:.3f} / 1k)" if cpu else "-"]
        cells += [f"{r['total_s_per_1000']:.3f}"]
        cells += [f"{r['comparisons_per_record']:.2f}" if "comparisons_per_record" in r else "-"]
        cells += [f"{r['pair_recall']:.4f}" if "pair_recall" in r else "-", f"{r['f1']:.4f}"]
        if before:
            old = earlier.get(r["residents"], {})
            cells.append(f"{old['f1']:.4f}" if "f1" in old else "-")
        cells.append(f"{r['peak_rss_gb']:.1f} GB ({r['peak_stage']})")
        if "generic_total_s" in r:
            ratio = r["link_total_s"] / r["generic_total_s"]
            cells.append(f"{r['generic_total_s']:.0f} s, F1 {r['generic_f1']:.4f} (x{ratio:.2f})")
            if "generic_cpu_s" in r and "link_total_cpu_s" in r:
                cpu_ratio = r["link_total_cpu_s"] / r["generic_cpu_s"]
                cells[-1] += f"; CPU {r['generic_cpu_s']:.0f} s (x{cpu_ratio:.2f})"
        else:
            cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 250_000, 500_000, 1_000_000, CITY])
    parser.add_argument("--peer-max", type=int, default=500_000, help="generic Splink up to this size")
    parser.add_argument("--no-blocking", action="store_true", help="skip the exact blocking count")
    parser.add_argument("--out", default="scale", help="results name (benchmarks/results/<out>.json)")
    parser.add_argument("--src", type=Path, help="run the linkage from this checkout's src directory")
    parser.add_argument("--memory-limit", help='linkage.memory_limit for the runs, such as "4GB"')
    parser.add_argument("--markdown", action="store_true", help="print the README table and stop")
    parser.add_argument("--before", help="with --markdown: results name of an earlier run")
    for kind in ("link", "blocking", "peer"):
        parser.add_argument(f"--{kind}", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_limit:
        os.environ[_MEMORY_LIMIT] = args.memory_limit
    for kind, function in (("link", run_link), ("blocking", run_blocking), ("peer", run_peer)):
        size = getattr(args, kind)
        if size:
            print("RESULT " + json.dumps(function(size)))
            return
    if args.markdown:
        print(markdown(args.out, args.before))
        return
    path = RESULTS / f"{args.out}.json"
    previous = json.loads(path.read_text())["rows"] if path.exists() else []
    rows = {r["residents"]: r for r in previous if "s_per_1000" in r}  # rows of this script's format
    for size in args.sizes:
        _folder(size)
        row: dict[str, Any] = {"load_before": load_average()}
        row |= _child("link", size, args.src)
        if not args.no_blocking:
            row |= _child("blocking", size, args.src)
        if size <= args.peer_max:
            row |= _child("peer", size, args.src)
        row["load_after"] = load_average()
        rows[size] = row
        print(json.dumps({k: v for k, v in row.items() if k not in ("rules", "training_log")}), flush=True)
        ordered = [rows[k] for k in sorted(rows)]
        RESULTS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"machine": machine(), "rows": ordered}, indent=2, default=str))
        charts(ordered, path)
    print(markdown(args.out, None))


if __name__ == "__main__":
    main()
