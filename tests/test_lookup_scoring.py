"""The fast lookup path (column reader, scorer compiled once) answers exactly as the scalar one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dtks_link
from dtks_link import QueryError, Registry, SourceConfig, load_config
from dtks_link.registry.lookup import LookupIndex
from dtks_link.registry.lookup_scoring import ColumnReader


@pytest.fixture(scope="module")
def index_and_records(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LookupIndex, list[dict[str, Any]]]]:
    """A registry of a small synthetic Depok built without 40 DTKS records, then given them as a
    batch (so its index has two segments and replaced records), and query records from it."""
    from dtks_link.synth import generate

    work = tmp_path_factory.mktemp("lookup_scoring")
    data = generate(work / "data", residents=600, seed=5)
    config = load_config(data.config_path)
    base: list[SourceConfig] = []
    batch: list[SourceConfig] = []
    records: list[dict[str, Any]] = []
    for source in config.sources:
        assert source.path is not None
        if source.file_format == "excel":
            frame = pd.read_excel(source.path, dtype=str).fillna("")
        elif source.file_format == "parquet":
            frame = pd.read_parquet(source.path).astype("string").fillna("")
        else:
            frame = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        for _, row in frame.head(40).iterrows():
            record = {
                field: str(row[column]) for field, column in source.columns.items() if isinstance(column, str)
            }
            records.append({k: v for k, v in record.items() if v})
        if source.name != "dtks":
            base.append(source)
            continue
        head, tail = work / "dtks_head.parquet", work / "dtks_tail.parquet"
        frame.head(len(frame) - 40).to_parquet(head, index=False)
        frame.tail(40).to_parquet(tail, index=False)
        for bucket, path in ((base, head), (batch, tail)):
            bucket.append(replace(source, path=path, format="parquet", delimiter=None, sheet=None))
    registry_path = work / "depok.registry"
    dtks_link.link(
        dtks_link.LinkConfig(sources=tuple(base), options=config.options), registry=registry_path, write=False
    )
    with Registry(registry_path) as registry:
        index = registry._lookup_index()
        registry.ingest(batch)
        index = index.updated(registry)
        assert len(index.segments) == 2
        yield index, records


def _answer(index: LookupIndex, fast: bool, record: dict[str, Any], top_k: int) -> Any:
    try:
        return (index.match if fast else index.match_scalar)(record, top_k=top_k)
    except QueryError as exc:
        return ("refused", str(exc))


def test_fast_path_matches_the_scalar_path_on_source_records(
    index_and_records: tuple[LookupIndex, list[dict[str, Any]]],
) -> None:
    index, records = index_and_records
    answered = 0
    for record in records:
        fast = _answer(index, True, record, 5)
        assert fast == _answer(index, False, record, 5), record
        answered += isinstance(fast, list) and len(fast) > 0
    assert answered > len(records) // 2


_FIELDS = ("nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "alamat", "telepon", "tempat_lahir")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_path_matches_the_scalar_path_on_varied_queries(
    index_and_records: tuple[LookupIndex, list[dict[str, Any]]], data: st.DataObject
) -> None:
    """Queries from real records with fields dropped, names mistyped, dates and NIKs changed:
    the same residents, probabilities and explanations, in the same order."""
    index, records = index_and_records
    record = dict(data.draw(st.sampled_from(records)))
    keep = data.draw(st.sets(st.sampled_from(_FIELDS), min_size=1))
    query = {k: v for k, v in record.items() if k in keep or k not in _FIELDS}
    if "nama" in query and data.draw(st.booleans()):
        name = query["nama"]
        at = data.draw(st.integers(0, max(0, len(name) - 1)))
        query["nama"] = name[:at] + data.draw(st.sampled_from(["A", "I", "", "  ", "Y"])) + name[at + 1 :]
    if data.draw(st.booleans()):
        query["tanggal_lahir"] = data.draw(st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31))).isoformat()
    if "nik" in query and data.draw(st.booleans()):
        query["nik"] = query["nik"][:-1] + data.draw(st.sampled_from("0123456789"))
    top_k = data.draw(st.integers(1, 30))
    assert _answer(index, True, query, top_k) == _answer(index, False, query, top_k)


def test_column_reader_gives_what_arrow_gives() -> None:
    table = pa.table(
        {
            "text": pa.array(["a", None, "ü-ñ", "", "long text"] * 3),
            "large": pa.array(["x", "y", None, "z", "w"] * 3, type=pa.large_string()),
            "number": pa.array([1, None, 3, 1, 2] * 3, type=pa.int64()),
            "flag": pa.array([True, False, None, True, True] * 3),
            "day": pa.array([dt.date(2000, 1, 2), None, dt.date(1990, 5, 6), None, dt.date(2000, 1, 2)] * 3),
            "words": pa.array([["a", "b"], None, [], ["c"], None] * 3, type=pa.list_(pa.string())),
        }
    )
    for source in (table, table.slice(3, 9), pa.concat_tables([table.slice(0, 4), table.slice(4)])):
        reader = ColumnReader(source)
        rows = np.array([5, 0, 2, 2, source.num_rows - 1])
        expected = source.take(pa.array(rows)).to_pydict()
        for name in source.column_names:
            assert reader.take(name, rows) == expected[name], name
        assert reader.take("absent", rows) == [None] * len(rows)
        assert reader.take("text", np.array([], dtype=np.int64)) == []


def test_column_reader_over_an_empty_table() -> None:
    """A reader over an empty table (a batch with no records) reads nothing."""
    reader = ColumnReader(
        pa.table({"text": pa.array([], type=pa.string()), "n": pa.array([], type=pa.int64())})
    )
    assert reader.num_rows == 0
    assert reader.take("text", np.array([], dtype=np.int64)) == []
    assert reader.take("n", np.array([], dtype=np.int64)) == []
