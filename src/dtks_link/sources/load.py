"""Loading sources: read, map, split accepted rows from quarantine, and count what happened.

:func:`load_sources` (DuckDB) and :func:`read_sources` (any engine) run every source through
reading (``sources.reading``) and mapping (``sources.mapping``), and leave two tables: the
mapped records and the quarantine, with :class:`LoadedSources` accounting for every row read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from ..backends.duckdb import DuckDBEngine
from ..backends.duckdb import quote_identifier as q
from ..backends.engine import Engine, SourceReader
from ..config import SourceConfig
from ..errors import EngineError, SourceError
from ..schema import CANONICAL_FIELDS, IDENTIFIER_FACTS
from .mapping import (
    MAX_VALUE_LENGTH,
    check_available,
    check_columns,
    column_types,
    format_mismatches,
    mapping_sql,
)
from .reading import count_rows, engine_message, excel_frame, in_memory_frame, read_raw

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LoadedSources", "load_sources", "read_sources"]


@dataclass(frozen=True, kw_only=True)
class LoadedSources:
    """What :func:`load_sources` put in the engine, with per-source row accounting."""

    mapped_table: str
    quarantine_table: str
    rows_read: dict[str, int]
    rows_accepted: dict[str, int]
    rows_quarantined: dict[str, int]
    #: per source, per field with ``[sources.formats]``: accepted rows whose value fit none
    #: of the formats (and was read as NULL)
    format_mismatches: dict[str, dict[str, int]] = field(default_factory=dict)

    def quality_rows(self) -> pd.DataFrame:
        """The reading checks as rows of the quality profile
        (:func:`~dtks_link.standardise.quality_profile`): ``<field>_format_mismatch`` per
        source with formats."""
        import pandas as pd

        rows = [
            {
                "source": name,
                "check": f"{canonical}_format_mismatch",
                "description": f"{canonical} fits none of the formats in [sources.formats] (read as missing)",
                "records": self.rows_accepted.get(name, 0),
                "flagged": flagged,
                "rate": flagged / self.rows_accepted[name] if self.rows_accepted.get(name) else 0.0,
            }
            for name, counts in self.format_mismatches.items()
            for canonical, flagged in counts.items()
        ]
        return pd.DataFrame(rows, columns=["source", "check", "description", "records", "flagged", "rate"])


def load_sources(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[SourceConfig],
    *,
    mapped_table: str = "mapped",
    quarantine_table: str = "quarantine",
    on_source: Callable[[str, int], None] | None = None,
) -> LoadedSources:
    """Read every source, map it to the canonical fields and split accepted rows from quarantine.

    Creates two tables on ``con``: ``mapped_table`` with ``source, record_id, row_number,
    nik_numeric_source``, every canonical field as VARCHAR (NULL where the source lacks it) and
    the :data:`~dtks_link.schema.IDENTIFIER_FACTS` (NULL unless the source is pseudonymised),
    and ``quarantine_table`` with ``source, record_id, row_number, reason``.
    """
    rows_read: dict[str, int] = {}
    mismatches: dict[str, dict[str, int]] = {}
    con.execute(
        f"CREATE OR REPLACE TABLE {q(quarantine_table)} "
        "(source VARCHAR, record_id VARCHAR, row_number BIGINT, reason VARCHAR)"
    )
    columns_sql = ", ".join(f"{q(f)} VARCHAR" for f in CANONICAL_FIELDS)
    facts_sql = ", ".join(f"{q(f)} {kind}" for f, kind in IDENTIFIER_FACTS.items())
    con.execute(
        f"CREATE OR REPLACE TABLE {q(mapped_table)} (source VARCHAR, record_id VARCHAR, "
        f"row_number BIGINT, nik_numeric_source BOOLEAN, {columns_sql}, {facts_sql})"
    )
    for index, source in enumerate(sources):
        raw_table = f"__raw_{index}"
        malformed, excel_numeric = read_raw(con, source, raw_table, index)
        check_columns(con, source, raw_table)
        n_read = count_rows(con, raw_table) + len(malformed)
        for line, reason in malformed:
            con.execute(
                f"INSERT INTO {q(quarantine_table)} VALUES (?, NULL, ?, ?)",
                [source.name, line, reason],
            )
        try:
            mismatches[source.name] = _map_and_split(
                con, source, raw_table, mapped_table, quarantine_table, excel_numeric
            )
        except duckdb.Error as exc:
            raise SourceError(f"cannot map the columns: {engine_message(exc)}", source=source.name) from None
        con.execute(f"DROP TABLE IF EXISTS {q(raw_table)}")
        rows_read[source.name] = n_read
        if on_source is not None:
            on_source(source.name, n_read)
    return _loaded(DuckDBEngine(con), mapped_table, quarantine_table, rows_read, mismatches)


def _loaded(
    engine: Engine,
    mapped_table: str,
    quarantine_table: str,
    rows_read: dict[str, int],
    mismatches: dict[str, dict[str, int]],
) -> LoadedSources:
    """The accounting of a finished read: rows accepted and quarantined per source (0 for a
    source with none), and the sources whose values missed their formats."""
    counted: list[dict[str, int]] = []
    for table in (mapped_table, quarantine_table):
        counts = dict.fromkeys(rows_read, 0)
        for name, n in engine.rows(f"SELECT source, count(*) FROM {engine.quote(table)} GROUP BY source"):
            counts[str(name)] = int(n)
        counted.append(counts)
    return LoadedSources(
        mapped_table=mapped_table,
        quarantine_table=quarantine_table,
        rows_read=rows_read,
        rows_accepted=counted[0],
        rows_quarantined=counted[1],
        format_mismatches={name: counts for name, counts in mismatches.items() if counts},
    )


def _map_and_split(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    raw_table: str,
    mapped_table: str,
    quarantine_table: str,
    excel_numeric: set[str],
) -> dict[str, int]:
    engine = DuckDBEngine(con)
    candidate, judged = mapping_sql(engine, source, column_types(con, raw_table), raw_table, excel_numeric)
    engine.create_table("__candidate", *candidate)
    engine.create_table("__judged", *judged)
    con.execute(
        f"INSERT INTO {q(quarantine_table)} SELECT source, left(record_id, {MAX_VALUE_LENGTH}), "
        "row_number, __reason "
        "FROM __judged WHERE __reason IS NOT NULL ORDER BY row_number"
    )
    con.execute(
        f"INSERT INTO {q(mapped_table)} SELECT source, record_id, row_number, nik_numeric_source, "
        f"{', '.join(q(f) for f in (*CANONICAL_FIELDS, *IDENTIFIER_FACTS))} FROM __judged "
        "WHERE __reason IS NULL ORDER BY row_number"
    )
    mismatches = format_mismatches(engine, source, "__judged")
    con.execute("DROP TABLE __candidate")
    con.execute("DROP TABLE __judged")
    return mismatches


def read_sources(
    engine: Engine,
    sources: Sequence[SourceConfig],
    *,
    mapped_table: str = "mapped",
    quarantine_table: str = "quarantine",
) -> LoadedSources:
    """The read stage on any engine: on DuckDB, :func:`load_sources` (DuckDB's reader, which
    quarantines malformed CSV lines); elsewhere the engine's own reader
    (:class:`~dtks_link.backends.engine.SourceReader`; in-memory and Excel sources are loaded
    as frames), with the same mapping and quarantine rules."""
    if isinstance(engine, DuckDBEngine):
        return load_sources(engine.con, sources, mapped_table=mapped_table, quarantine_table=quarantine_table)
    return _load_with_engine_reader(engine, sources, mapped_table, quarantine_table)


def _load_with_engine_reader(
    engine: Engine, sources: Sequence[SourceConfig], mapped_table: str, quarantine_table: str
) -> LoadedSources:
    """:func:`load_sources` on an engine that reads sources itself (Spark): the same mapping
    and quarantine rules (:func:`mapping_sql`), with the engine's reader.

    The engine's reader does not report malformed CSV lines the way DuckDB's does: a line
    with too few fields is read with NULLs and judged like any other row."""
    columns = ", ".join(engine.quote(f) for f in (*CANONICAL_FIELDS, *IDENTIFIER_FACTS))
    mapped_parts: list[str] = []
    quarantine_parts: list[str] = []
    rows_read: dict[str, int] = {}
    mismatches: dict[str, dict[str, int]] = {}
    for index, source in enumerate(sources):
        raw_table = f"__raw_{index}"
        numeric: set[str] = set()
        if source.data is None and source.file_format == "excel":
            # Workbooks are small by nature: read on the driver, as for DuckDB.
            frame, numeric = excel_frame(source)
            engine.load_frame(raw_table, frame.assign(__dtks_row=range(1, len(frame) + 1)))
        elif source.data is not None:
            frame = in_memory_frame(source)
            engine.load_frame(raw_table, frame.assign(__dtks_row=range(1, len(frame) + 1)))
        elif isinstance(engine, SourceReader):
            engine.load_source(raw_table, source)
        else:
            raise EngineError(
                f"the {engine.dialect.name} engine has no file reader: give source {source.name!r} "
                "as a DataFrame or Arrow table (SourceConfig data=...)"
            )
        types = dict(engine.columns(raw_table))
        check_available(source, [c for c in types if c != "__dtks_row"])
        candidate, judged = mapping_sql(engine, source, types, raw_table, numeric)
        engine.create_table("__candidate", *candidate)
        engine.create_table(f"__judged_{index}", *judged)
        engine.drop("__candidate", raw_table)
        rows_read[source.name] = int(
            engine.rows(f"SELECT count(*) FROM {engine.quote(f'__judged_{index}')}")[0][0]
        )
        mismatches[source.name] = format_mismatches(engine, source, f"__judged_{index}")
        mapped_parts.append(
            f"SELECT source, record_id, row_number, nik_numeric_source, {columns} "
            f"FROM {engine.quote(f'__judged_{index}')} WHERE __reason IS NULL"
        )
        quarantine_parts.append(
            f"SELECT source, left(record_id, {MAX_VALUE_LENGTH}) AS record_id, row_number, "
            f"__reason AS reason FROM {engine.quote(f'__judged_{index}')} WHERE __reason IS NOT NULL"
        )
    engine.create_table(mapped_table, " UNION ALL ".join(mapped_parts))
    engine.create_table(quarantine_table, " UNION ALL ".join(quarantine_parts))
    engine.drop(*(f"__judged_{i}" for i in range(len(sources))))
    return _loaded(engine, mapped_table, quarantine_table, rows_read, mismatches)
