"""DuckDB, the embedded default engine: connections and identifier quoting."""

from __future__ import annotations

from pathlib import Path

import duckdb

__all__ = ["connect", "quote_identifier"]


def connect(database: str | Path = ":memory:", *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection configured for linkage work (insertion order kept)."""
    con = duckdb.connect(str(database))
    con.execute("SET preserve_insertion_order = true")
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
    if "\x00" in name:
        raise ValueError("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'
