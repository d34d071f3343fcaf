"""Engine seam: the only package that creates engine connections (DuckDB now, Spark later)."""

from .duckdb import connect, quote_identifier

__all__ = ["connect", "quote_identifier"]
