"""The one run path: the Engine base class, the read stage on any engine, and the one progress
reporter that link() and a registry's ingest share."""

from __future__ import annotations

import doctest
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dtks_link.progress
from dtks_link import Registry, SourceConfig
from dtks_link.backends.duckdb import DuckDBEngine, connect
from dtks_link.backends.engine import Engine, SourceReader
from dtks_link.errors import EngineError
from dtks_link.progress import Stages
from dtks_link.sources import read_sources


class _FrameEngine(Engine):
    """An engine over DuckDB that has no file reader of its own (as a new engine may not)."""

    dialect = DuckDBEngine.dialect
    text_type = "VARCHAR"
    errors = DuckDBEngine.errors

    def __init__(self) -> None:
        self.inner = DuckDBEngine(connect())

    def create_table(self, name: str, select_sql: str, params: Sequence[object] = ()) -> None:
        self.inner.create_table(name, select_sql, params)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.inner.rows(sql, params)

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self.inner.frame(sql, params)

    def load_frame(self, name: str, frame: pd.DataFrame) -> None:
        self.inner.load_frame(name, frame)

    def columns(self, table: str) -> dict[str, str]:
        return self.inner.columns(table)

    def drop(self, *names: str) -> None:
        self.inner.drop(*names)

    def splink_api(self) -> Any:
        return self.inner.splink_api()


def test_progress_examples_run() -> None:
    result = doctest.testmod(dtks_link.progress)
    assert result.failed == 0 and result.attempted > 0


def test_an_engine_must_implement_every_operation() -> None:
    class Half(Engine):
        dialect = DuckDBEngine.dialect

        def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
            return []

    with pytest.raises(TypeError, match="abstract"):
        Half()  # type: ignore[abstract]
    engine = DuckDBEngine(connect())
    assert isinstance(engine, Engine) and not isinstance(engine, SourceReader)
    assert engine.quote('a"b') == '"a""b"'


def test_any_engine_reads_in_memory_sources_and_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    """The read stage runs on an engine the library does not know, through the Engine base
    class alone; a file source on an engine without a reader fails with the source's name."""
    frame = pd.DataFrame({"id": ["1", "2", "3"], "nama": ["SITI", "BUDI", None]})
    in_memory = SourceConfig(name="mem", id_column="id", columns={"nama": "nama"}, data=frame)
    engine = _FrameEngine()
    loaded = read_sources(engine, [in_memory])
    assert loaded.rows_read == {"mem": 3}
    assert loaded.rows_accepted["mem"] + loaded.rows_quarantined["mem"] == 3
    assert engine.rows("SELECT count(*) FROM mapped")[0][0] == loaded.rows_accepted["mem"]
    # the same source read by DuckDB's own reader gives the same rows
    duck = DuckDBEngine(connect())
    assert read_sources(duck, [in_memory]).rows_accepted == loaded.rows_accepted
    path = tmp_path / "file.csv"
    frame.to_csv(path, index=False)
    on_disk = SourceConfig(name="dinsos_file", path=path, id_column="id", columns={"nama": "nama"})
    with pytest.raises(EngineError, match="dinsos_file"):
        read_sources(engine, [on_disk])


def test_stages_time_blocks_and_laps() -> None:
    seen: list[tuple[str, str]] = []
    stages = Stages.reporting(lambda stage, seconds, detail: seen.append((stage, detail)), prefix="ingest ")
    stages.lap("read", "2 sources")
    with stages.stage("score") as s:
        s.detail = "10 pairs"
    assert seen == [("ingest read", "2 sources"), ("ingest score", "10 pairs")]
    assert list(stages.timings) == ["read", "score"] and all(t >= 0 for t in stages.timings.values())
    quiet = Stages.reporting(False)
    quiet.lap("read")
    assert quiet.callback is None and list(quiet.timings) == ["read"]


def test_ingest_reports_progress_as_link_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.csv"
    pd.DataFrame({"id": ["1"], "nama": ["SITI AMINAH"]}).to_csv(path, index=False)
    source = SourceConfig(name="a", path=path, id_column="id", columns={"nama": "nama"})
    with Registry.init(tmp_path / "reg.registry", model="default") as registry:
        report = registry.ingest(source, progress=True)
    err = capsys.readouterr().err
    for stage in ("read", "score", "cluster", "commit"):
        assert f"[dtks-link] ingest {stage}" in err
        assert stage in report.timings


def test_memory_limit_option_caps_duckdb_and_keeps_the_result(tmp_path: Path) -> None:
    from dataclasses import replace

    from dtks_link import link, load_config
    from dtks_link.synth import generate

    data = generate(tmp_path / "data", residents=200, seed=5)
    config = load_config(data.config_path)
    free = link(config, write=False, progress=False)
    engine = DuckDBEngine(connect())
    capped_config = replace(config, options=replace(config.options, memory_limit="300MB"))
    capped = link(capped_config, engine=engine, write=False, progress=False)
    setting = engine.rows("SELECT current_setting('memory_limit')")[0][0]
    assert setting.endswith("MiB") and 250 < float(setting.split()[0]) < 300, setting
    key = ["source", "record_id"]
    a = free.clusters.sort_values(key).reset_index(drop=True)
    b = capped.clusters.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_memory_limit_stored_with_a_registry_holds_when_it_is_reopened(tmp_path: Path) -> None:
    from dataclasses import replace

    from dtks_link import link, load_config
    from dtks_link.synth import generate

    data = generate(tmp_path / "data", residents=100, seed=6)
    config = load_config(data.config_path)
    capped = replace(config, options=replace(config.options, memory_limit="300MB"))
    link(capped, registry=tmp_path / "reg.registry", write=False, progress=False)
    with Registry(tmp_path / "reg.registry") as registry:
        setting = registry.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert setting.endswith("MiB") and 250 < float(setting.split()[0]) < 300, setting
    with Registry(tmp_path / "other.registry") as fresh:  # no build yet: DuckDB's default
        default = fresh.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    assert default != setting
