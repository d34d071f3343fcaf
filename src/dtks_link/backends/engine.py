"""The engine seam: the handful of operations the pipeline asks of a SQL engine.

An :class:`Engine` runs SQL in one dialect (:attr:`Engine.dialect`, a
:class:`~dtks_link.rules.Dialect`), keeps named tables, and hands out the matching Splink
database API. Stages build their SQL once and ask the engine's dialect to quote identifiers,
name types and spell functions, so the same stage runs on every engine.

``Engine`` is an abstract base class: an engine subclasses it and implements every abstract
method (:class:`~dtks_link.backends.duckdb.DuckDBEngine`,
:class:`~dtks_link.backends.spark.SparkEngine`). An engine that reads files with a reader of its
own (Spark: any path the cluster can reach) also implements :class:`SourceReader`; DuckDB reads
files with the reader of :mod:`dtks_link.sources` (:func:`dtks_link.sources.read_sources`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import pandas as pd

from ..rules.dialects import Dialect

if TYPE_CHECKING:
    from ..config import SourceConfig

__all__ = ["Engine", "SourceReader"]


class Engine(ABC):
    """What a stage may ask of an engine. Parameters (``?`` in the SQL) are bound, never
    interpolated."""

    #: The engine's SQL dialect; ``dialect.name`` is ``duckdb`` or ``spark`` (also Splink's and
    #: sqlglot's name).
    dialect: ClassVar[Dialect]
    #: The engine's name for a text column type (``VARCHAR``, ``STRING``).
    text_type: str
    #: The exception types the engine's SQL raises (to turn them into our own errors).
    errors: tuple[type[Exception], ...]
    #: Every query has a fixed cost of its own (Spark: scheduling a job, a checkpoint): training
    #: then asks for fewer, larger queries (:mod:`~dtks_link.backends.splink_compat`: u sampling
    #: in one pass over all comparisons, EM iterations on the driver). The model learned is the
    #: same either way.
    few_large_queries: ClassVar[bool] = False

    def quote(self, name: str) -> str:
        """Quote an identifier (as ``dialect.quote``)."""
        return self.dialect.quote(name)

    @abstractmethod
    def create_table(self, name: str, select_sql: str, params: Sequence[object] = ()) -> None:
        """Materialise the result of ``select_sql`` as table ``name`` (replacing it)."""

    @abstractmethod
    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows."""

    @abstractmethod
    def frame(self, sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
        """Run a query and return a pandas DataFrame."""

    @abstractmethod
    def load_frame(self, name: str, frame: pd.DataFrame) -> None:
        """Make a pandas DataFrame available as table ``name``."""

    @abstractmethod
    def columns(self, table: str) -> dict[str, str]:
        """Column name -> lower-case type name of a table."""

    @abstractmethod
    def drop(self, *names: str) -> None:
        """Drop tables if they exist."""

    def keep_in_memory(self, name: str) -> None:
        """Hint that table ``name`` is about to be read many times (training reads the records
        table in every step). Engines whose tables live in memory anyway do nothing."""
        return None

    @abstractmethod
    def splink_api(self) -> Any:
        """The Splink database API over this engine (``DuckDBAPI`` or ``SparkAPI``)."""


@runtime_checkable
class SourceReader(Protocol):
    """An engine with a file reader of its own (Spark), used for CSV and Parquet sources."""

    def load_source(self, name: str, source: SourceConfig) -> None:
        """Read a CSV or Parquet source into table ``name``, with a 1-based ``__dtks_row``
        column in file order and the file's columns as text."""
        ...
