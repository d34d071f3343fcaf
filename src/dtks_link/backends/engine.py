"""The engine seam: the handful of operations the pipeline asks of a SQL engine.

An :class:`Engine` runs SQL in one dialect (:attr:`Engine.dialect`, a
:class:`~dtks_link.rules.Dialect`), keeps named tables, and hands out the matching Splink
database API. Stages build their SQL once and ask the engine's dialect to quote identifiers,
name types and spell functions, so the same stage runs on every engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from ..rules.dialects import Dialect

__all__ = ["Engine"]


class Engine(Protocol):
    """What a stage may ask of an engine. Parameters (``?`` in the SQL) are bound, never
    interpolated."""

    #: The engine's name for a text column type (``VARCHAR``, ``STRING``).
    text_type: str
    #: The exception types the engine's SQL raises (to turn them into our own errors).
    errors: tuple[type[Exception], ...]

    @property
    def dialect(self) -> Dialect:
        """The engine's SQL dialect; ``dialect.name`` is ``duckdb`` or ``spark`` (also Splink's
        and sqlglot's name)."""
        ...

    def quote(self, name: str) -> str:
        """Quote an identifier (as ``dialect.quote``)."""
        ...

    def create_table(self, name: str, select_sql: str, params: Sequence[object] = ()) -> None:
        """Materialise the result of ``select_sql`` as table ``name`` (replacing it)."""
        ...

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows."""
        ...

    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run a query and return a pandas DataFrame."""
        ...

    def load_frame(self, name: str, frame: pd.DataFrame) -> None:
        """Make a pandas DataFrame available as table ``name``."""
        ...

    def columns(self, table: str) -> dict[str, str]:
        """Column name -> lower-case type name of a table."""
        ...

    def drop(self, *names: str) -> None:
        """Drop tables if they exist."""
        ...

    def splink_api(self) -> Any:
        """The Splink database API over this engine (``DuckDBAPI`` or ``SparkAPI``)."""
        ...
