"""DuckDB, the embedded default engine: connections and identifier quoting."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..rules.dialects import DUCKDB
from .engine import Engine

__all__ = ["DuckDBEngine", "as_engine", "connect", "quote_identifier"]


def connect(database: str | Path = ":memory:", *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection configured for linkage work (insertion order kept)."""
    con = duckdb.connect(str(database))
    con.execute("SET preserve_insertion_order = true")
    # Inside Jupyter without ipywidgets DuckDB refuses to change this setting (it cannot draw a
    # bar there anyway): every notebook's first link() failed on it.
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    return con


def quote_identifier(name: str) -> str:
    """Quote a SQL identifier for DuckDB/Spark-compatible SQL: double quotes, inner quotes doubled.

    NUL characters cannot appear in identifiers and are rejected.

    >>> print(quote_identifier('NAMA "X" Y'))
    "NAMA ""X"" Y"
    """
    return DUCKDB.quote(name)


class DuckDBEngine(Engine):
    """:class:`~dtks_link.backends.engine.Engine` over one DuckDB connection."""

    dialect = DUCKDB
    text_type = DUCKDB.type_name("VARCHAR")
    errors: tuple[type[Exception], ...] = (duckdb.Error,)

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def create_table(self, name: str, select_sql: str, params: Sequence[object] = ()) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {quote_identifier(name)} AS {select_sql}", list(params))

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def load_frame(self, name: str, frame: pd.DataFrame) -> None:
        view = f"__frame_{name}"
        self.con.register(view, frame)
        try:
            self.create_table(name, f"SELECT * FROM {quote_identifier(view)}")
        finally:
            self.con.unregister(view)

    def columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(f"DESCRIBE {quote_identifier(table)}").fetchall()
        return {str(r[0]): str(r[1]).lower() for r in rows}

    def drop(self, *names: str) -> None:
        for name in names:
            self.con.execute(f"DROP TABLE IF EXISTS {quote_identifier(name)}")

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)


def as_engine(con: duckdb.DuckDBPyConnection | Engine) -> Engine:
    """The engine for a DuckDB connection (wrapped in a :class:`DuckDBEngine`), or the engine
    given: for the functions that still accept a bare connection."""
    return DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
