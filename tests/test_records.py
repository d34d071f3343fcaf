"""The records table: the standardised columns and the derived ones (``birth_date``, ``sex``,
their flags, ``birth_year``, ``birth_date_placeholder``, ``nik_holders``), one definition for
the SQL and for one record in Python (the registry's real-time lookup)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from dtks_link import Registry, SourceConfig, load_config
from dtks_link.backends.duckdb import DuckDBEngine, connect
from dtks_link.sources import load_sources
from dtks_link.standardise import (
    DERIVED,
    OUTPUT_COLUMNS,
    derive_record,
    standardise_record,
    standardise_records,
)
from dtks_link.standardise.records import NIK_CONSISTENT

REFERENCE = dt.date(2025, 7, 1)


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_every_record_derives_in_python_as_in_sql(small_depok: Any) -> None:
    """raw -> standardise_record -> derive_record (the lookup's path) gives, for every record of
    a synthetic Depok, the row the records table holds."""
    config = load_config(small_depok.config_path)
    config = replace(config, options=replace(config.options, reference_date=REFERENCE))
    con = connect()
    load_sources(con, config.sources)
    standardise_records(DuckDBEngine(con), config)
    mapped = _rows(con, "SELECT source || '|' || record_id AS unique_id, * FROM mapped")
    raw = {r["unique_id"]: r for r in mapped}
    rows = _rows(con, "SELECT * FROM records ORDER BY unique_id")
    assert len(rows) == len(raw) > 1000
    compared = [*OUTPUT_COLUMNS, *DERIVED]
    derived_seen: dict[str, set[Any]] = {name: set() for name in DERIVED}
    for row in rows:
        python = derive_record(standardise_record(raw[row["unique_id"]], reference_date=REFERENCE))
        for k in compared:
            assert row[k] == python[k], (row["unique_id"], k, row[k], python[k])
        for name in DERIVED:
            derived_seen[name].add(python[name] if not isinstance(python[name], dt.date) else "date")
    # the data exercise both outcomes of every flag
    for flag in ("birth_date_from_nik", "sex_from_nik", "birth_year_from_age", "birth_date_placeholder"):
        assert {True, False} <= derived_seen[flag], flag


def test_a_nik_that_contradicts_its_record_lends_it_nothing() -> None:
    std = {"nik_valid": True, "nik_birth_date": dt.date(1970, 3, 12), "nik_sex": "L", "jenis_kelamin": "P"}
    derived = derive_record(std)
    assert derived["birth_date"] is None and derived["sex"] == "P" and not derived["birth_date_from_nik"]
    agreeing = derive_record({**std, "jenis_kelamin": None, "birth_year": 1971})
    assert agreeing["birth_date"] == dt.date(1970, 3, 12) and agreeing["birth_date_from_nik"]
    assert agreeing["sex"] == "L" and agreeing["sex_from_nik"] and agreeing["birth_year"] == 1970
    assert NIK_CONSISTENT.op == "and"


def _batch(tmp_path: Path, name: str, rows: list[dict[str, str]]) -> SourceConfig:
    path = tmp_path / f"{name}.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return SourceConfig(name=name, path=path, id_column="id", columns={"nama": "nama", "nik": "nik"})


def test_nik_holders_counts_the_registry_and_the_batch_on_ingest(tmp_path: Path) -> None:
    """A NIK two names hold in the registry and a third brings in a batch has three holders on
    the batch's record, as a one-run link would count (not one: the batch alone)."""
    nik = "3276014107850001"
    with Registry.init(tmp_path / "reg.registry", model="default") as registry:
        registry.ingest(
            _batch(
                tmp_path,
                "a",
                [
                    {"id": "1", "nama": "SITI AMINAH", "nik": nik},
                    {"id": "2", "nama": "BUDI SANTOSO", "nik": nik},
                ],
            )
        )
        registry.ingest(_batch(tmp_path, "b", [{"id": "1", "nama": "RINA WATI", "nik": nik}]))
        holders = dict(registry.con.execute("SELECT unique_id, nik_holders FROM reg.records").fetchall())
    assert holders["b|1"] == 3
    assert holders["a|1"] == holders["a|2"] == 2  # counted when they came in


def test_an_unchanged_record_stays_unchanged_when_its_nik_gains_a_holder(tmp_path: Path) -> None:
    nik = "3276014107850001"
    first = _batch(tmp_path, "a", [{"id": "1", "nama": "SITI AMINAH", "nik": nik}])
    with Registry.init(tmp_path / "reg.registry", model="default") as registry:
        registry.ingest(first)
        report = registry.ingest(first)
    assert report.records_unchanged == 1 and report.records_updated == 0
