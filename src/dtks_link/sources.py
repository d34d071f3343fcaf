"""Reading sources (CSV/TXT, Parquet, Excel, in-memory tables) into the engine, mapping their
columns onto the canonical resident record, and quarantining rows that cannot be linked.

Nothing is dropped silently: every input row ends up either in the ``mapped`` table or in the
``quarantine`` table with a reason. Row numbers are 1-based data rows (the header is not
counted), so row 1 is the first line after the header.
"""

from __future__ import annotations

import codecs
import difflib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .backends.duckdb import DuckDBEngine
from .backends.duckdb import quote_identifier as q
from .backends.engine import Engine, SourceReader
from .config import SourceConfig
from .errors import EngineError, SourceError
from .formats import FORMAT_FIELDS, formatted_sql
from .schema import CANONICAL_FIELDS, IDENTIFIER_FACTS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_VALUE_LENGTH", "LoadedSources", "load_sources", "read_sources"]

#: Longer values than this (in characters) quarantine the row: no real name or address is that long.
MAX_VALUE_LENGTH = 1000

#: Longest CSV line read; a longer line fails the source (DuckDB cannot quarantine it).
MAX_LINE_BYTES = 64 << 20

_NUMERIC_TYPES = (
    "DOUBLE",
    "FLOAT",
    "BIGINT",
    "INT",
    "HUGEINT",
    "UBIGINT",
    "DECIMAL",
    "REAL",
    "SMALLINT",
    "TINYINT",
)


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
    accepted: dict[str, int] = {}
    quarantined: dict[str, int] = {}
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
        malformed, excel_numeric = _read_raw(con, source, raw_table, index)
        _check_columns(con, source, raw_table)
        n_read = _count(con, raw_table) + len(malformed)
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
        accepted[source.name] = _count(con, mapped_table, source.name)
        quarantined[source.name] = _count(con, quarantine_table, source.name)
        if on_source is not None:
            on_source(source.name, n_read)
    return LoadedSources(
        mapped_table=mapped_table,
        quarantine_table=quarantine_table,
        rows_read=rows_read,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        format_mismatches={name: counts for name, counts in mismatches.items() if counts},
    )


def _count(con: duckdb.DuckDBPyConnection, table: str, source: str | None = None) -> int:
    if source is None:
        row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchall()
    else:
        row = con.execute(f"SELECT count(*) FROM {q(table)} WHERE source = ?", [source]).fetchall()
    return int(row[0][0])


def _read_raw(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, raw_table: str, index: int
) -> tuple[list[tuple[int, str]], set[str]]:
    """Create ``raw_table`` (with a ``__dtks_row`` column) from the source.

    Returns the malformed lines (row, reason) and the Excel columns that held numbers.
    """
    if source.data is not None:
        return _read_in_memory(con, source, raw_table), set()
    assert source.path is not None
    path = source.path
    if not path.exists():
        raise SourceError(f"file {str(path)!r} does not exist", source=source.name)
    if not path.is_file():
        raise SourceError(f"{str(path)!r} is not a file", source=source.name)
    if path.stat().st_size == 0:
        raise SourceError(f"file {str(path)!r} is empty (0 bytes)", source=source.name)
    fmt = source.file_format
    try:
        if fmt == "parquet":
            con.execute(
                f"CREATE OR REPLACE TABLE {q(raw_table)} AS "
                "SELECT row_number() OVER () AS __dtks_row, * FROM read_parquet(?)",
                [str(path)],
            )
            return [], set()
        if fmt == "excel":
            return _read_excel(con, source, raw_table)
        return _read_csv(con, source, raw_table, index), set()
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot read {fmt} file {str(path)!r}: {engine_message(exc)}", source=source.name
        ) from None


def engine_message(exc: BaseException) -> str:
    """The first line of an engine error: DuckDB appends the offending SQL or the whole input
    line (which may hold personal data) after it."""
    return str(exc).strip().split("\n", 1)[0][:300]


def _read_csv(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, raw_table: str, index: int
) -> list[tuple[int, str]]:
    assert source.path is not None
    path = source.path
    encoding = codecs.lookup(source.encoding).name  # normalises 'UTF8', 'latin1', ...
    temp: tempfile.TemporaryDirectory[str] | None = None
    if encoding not in ("utf-8", "utf-8-sig"):
        # DuckDB reads UTF-8 natively; transcode other encodings in a streaming pass.
        temp = tempfile.TemporaryDirectory(prefix="dtks_link_")
        utf8_path = Path(temp.name) / "source.csv"
        try:
            _transcode(path, encoding, utf8_path, source.name)
        except SourceError:
            temp.cleanup()
            raise
        path = utf8_path
    rejects, scan = f"__rejects_{index}", f"__rejects_scan_{index}"
    # Only VARCHAR as a type candidate: the sniffer's number detection takes minutes on a
    # megabyte-long run of digits (a hostile or corrupt cell), and every column is text anyway.
    options = "header = true, all_varchar = true, auto_type_candidates = ['VARCHAR'], "
    options += f"max_line_size = {MAX_LINE_BYTES}, store_rejects = true, "
    options += f"rejects_table = '{rejects}', rejects_scan = '{scan}'"
    # RFC 4180 unless the config says otherwise: the sniffer looks at the first 20,480 rows
    # only, and a file whose first quoted field comes later would lose that row. The sniffer
    # still finds the delimiter (unconstrained, as it always did), then quoting is set.
    options += ", quote = ?, escape = ?, delim = ?"
    try:
        delimiter = source.delimiter or sniff_delimiter(con, path)
        params: list[Any] = [str(path), source.csv_quote, source.csv_escape, delimiter]
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {q(raw_table)} AS "
                f"SELECT row_number() OVER () AS __dtks_row, * FROM read_csv(?, {options})",
                params,
            )
        except duckdb.InvalidInputException as exc:
            if "sniffing" in str(exc).lower() and source.csv_quote:
                raise SourceError(
                    f"cannot be read as CSV with delimiter {delimiter!r} and quote {source.csv_quote!r}: "
                    "a quoted value may never close. If quotes are ordinary characters in this file, "
                    'set quote = "" for this source',
                    source=source.name,
                ) from None
            raise
        bad = con.execute(
            f"SELECT line, string_agg(DISTINCT error_type, '; '), "
            "max(byte_position) FILTER (WHERE error_message ILIKE '%unterminated quote%') "
            f"FROM {q(rejects)} GROUP BY line ORDER BY line"
        ).fetchall()
        _check_unterminated_quote(source, path, bad, _count(con, raw_table) + len(bad))
    except duckdb.InvalidInputException as exc:
        if "unicode" in str(exc).lower() or "utf" in str(exc).lower():
            raise SourceError(
                'file is not valid UTF-8; set encoding = "latin-1" or "cp1252" for this source',
                source=source.name,
            ) from None
        raise
    finally:
        if temp is not None:
            temp.cleanup()
    con.execute(f"DROP TABLE IF EXISTS {q(rejects)}")
    con.execute(f"DROP TABLE IF EXISTS {q(scan)}")
    # DuckDB reports physical lines (header = line 1); report data rows like the rest.
    malformed = [(int(line) - 1, _reject_reason(str(kind))) for line, kind, _ in bad]
    if malformed:
        _renumber_after_rejects(con, raw_table, [row for row, _ in malformed])
    return malformed


def sniff_delimiter(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The delimiter DuckDB's sniffer finds in the file's first rows (',' when it finds none),
    sniffing as the reader does when it keeps malformed lines aside (``ignore_errors``)."""
    found = con.execute(
        "SELECT Delimiter FROM sniff_csv(?, header = true, all_varchar = true, ignore_errors = true, "
        f"auto_type_candidates = ['VARCHAR'], max_line_size = {MAX_LINE_BYTES}, sample_size = 4096)",
        [str(path)],
    ).fetchall()
    delimiter = str(found[0][0]) if found else ","
    return delimiter if len(delimiter) == 1 else ","


def _check_unterminated_quote(
    source: SourceConfig, path: Path, rejects: list[tuple[Any, ...]], records: int
) -> None:
    """Fail the source when a quote opened on the last record DuckDB saw never closes while
    lines follow it: RFC 4180 reads the rest of the file as that one value, so the rows
    after it would be lost without a trace."""
    unterminated = [(int(line), int(at)) for line, _, at in rejects if at is not None]
    if not unterminated:
        return
    line, at = unterminated[-1]
    if line - 1 < records:  # DuckDB recovered: later rows were read
        return
    with path.open("rb") as handle:
        handle.seek(at)
        handle.readline()  # the rest of the row with the quote
        while chunk := handle.read(1 << 20):
            if chunk.strip():
                raise SourceError(
                    "a quote opened in this row never closes, so RFC 4180 reads every line after it "
                    "as one value. Close the quote, or, if quotes are ordinary characters in this file, "
                    'set quote = "" for this source',
                    source=source.name,
                    row=line - 1,
                )


def _transcode(path: Path, encoding: str, target: Path, source_name: str) -> None:
    """Copy ``path`` to ``target`` as UTF-8, streaming; a byte sequence that is not valid in
    ``encoding`` raises :class:`SourceError` naming the data row (0 means the header)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        for line in src:  # one physical line per step, so an error knows its row
            try:
                text = decoder.decode(line)
            except UnicodeError as exc:
                where = "the header" if newlines == 0 else "the row"
                raise SourceError(
                    f"{where} is not valid {encoding} text ({exc.__class__.__name__}: "
                    f"{getattr(exc, 'reason', exc)}); check the encoding set for this source",
                    source=source_name,
                    row=newlines or None,
                ) from None
            newlines += text.count("\n")
            dst.write(text)
        try:
            dst.write(decoder.decode(b"", final=True))
        except UnicodeError:
            raise SourceError(
                f"the file ends in the middle of a {encoding} character", source=source_name
            ) from None


def _reject_reason(kind: str) -> str:
    reason = f"malformed line: {kind.lower()}"
    if "encoding" in kind.lower() or "unicode" in kind.lower():
        reason += ' (not UTF-8: set encoding, e.g. "cp1252" or "latin-1", for this source)'
    return reason


def _renumber_after_rejects(con: duckdb.DuckDBPyConnection, raw_table: str, rejected_rows: list[int]) -> None:
    """Give accepted rows their true data-row numbers: the k-th row number not rejected."""
    con.execute("CREATE OR REPLACE TEMP TABLE __rejected (row_number BIGINT)")
    con.executemany("INSERT INTO __rejected VALUES (?)", [[r] for r in rejected_rows])
    total = _count(con, raw_table) + len(rejected_rows)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __slots AS SELECT row_number() OVER (ORDER BY s) AS k, "
        "s AS true_row FROM range(1, ? + 1) t(s) "
        "WHERE s NOT IN (SELECT row_number FROM __rejected)",
        [total],
    )
    con.execute(
        f"UPDATE {q(raw_table)} SET __dtks_row = __slots.true_row FROM __slots "
        f"WHERE {q(raw_table)}.__dtks_row = __slots.k"
    )
    con.execute("DROP TABLE __slots")
    con.execute("DROP TABLE __rejected")


def _read_excel(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, raw_table: str
) -> tuple[list[tuple[int, str]], set[str]]:
    text_frame, numeric = _excel_frame(source)
    _read_in_memory(con, source, raw_table, frame=text_frame)
    return [], numeric


def _excel_frame(source: SourceConfig) -> tuple[Any, set[str]]:
    import pandas as pd

    sheet: str | int = 0 if source.sheet is None else source.sheet
    try:
        frame = pd.read_excel(source.path, sheet_name=sheet, dtype=object)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SourceError(f"cannot read Excel file: {exc}", source=source.name) from None
    return excel_to_text(frame)


def _in_memory_frame(source: SourceConfig) -> Any:
    """An in-memory source as a pandas DataFrame (pandas, pyarrow or DuckDB relation)."""
    import pandas as pd

    data = source.data
    if isinstance(data, duckdb.DuckDBPyRelation):
        data = data.to_arrow_table()
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "to_pandas"):
        return data.to_pandas()
    raise SourceError(
        f"in-memory data of type {type(data).__name__} is not a table "
        "(give a pandas DataFrame, pyarrow Table or DuckDB relation)",
        source=source.name,
    )


def excel_to_text(frame: Any) -> tuple[Any, set[str]]:
    """Turn Excel cells into text columns, keeping integral numbers without a '.0' tail.

    Also returns the columns that held numbers, so a NIK stored as a number can be recognised
    (its last digits may have been zeroed by Excel's 15-digit precision).
    """
    import pandas as pd

    out = {}
    numeric: list[str] = []
    for column in frame.columns:
        values = frame[column]
        as_number = pd.to_numeric(values, errors="coerce")
        is_number = values.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        text = values.astype("string")
        if bool(is_number.any()):
            numeric.append(str(column))
            integral = is_number & as_number.notna() & (as_number % 1 == 0)
            ints = as_number.where(integral).astype("Float64").astype("Int64").astype("string")
            text = text.where(~integral, ints)
        out[str(column)] = text.where(values.notna(), None)
    return pd.DataFrame(out), set(numeric)


def _read_in_memory(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    raw_table: str,
    frame: Any = None,
) -> list[tuple[int, str]]:
    data = source.data if frame is None else frame
    view = f"__view_{raw_table}"
    if isinstance(data, duckdb.DuckDBPyRelation):
        data = data.to_arrow_table()
    try:
        con.register(view, data)
    except Exception as exc:
        raise SourceError(
            f"in-memory data of type {type(data).__name__} is not a table "
            "(give a pandas DataFrame, pyarrow Table or DuckDB relation)",
            source=source.name,
        ) from exc
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {q(raw_table)} AS "
            f"SELECT row_number() OVER () AS __dtks_row, * FROM {q(view)}"
        )
    finally:
        con.unregister(view)
    return []


def _column_types(con: duckdb.DuckDBPyConnection, raw_table: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE {q(raw_table)}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def _check_columns(con: duckdb.DuckDBPyConnection, source: SourceConfig, raw_table: str) -> None:
    _check_available(source, [c for c in _column_types(con, raw_table) if c != "__dtks_row"])


def _check_available(source: SourceConfig, available: list[str]) -> None:
    wanted = [("id_column", source.id_column)]
    wanted += [(f, c) for f in source.columns for c in source.mapped_columns(f)]
    problems = []
    for role, column in wanted:
        if column not in available:
            folded = [c for c in available if c.strip().casefold() == column.strip().casefold()]
            close = folded or difflib.get_close_matches(column, available, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append((role, column, hint))
    if source.pseudonymised:
        missing = [f for f in IDENTIFIER_FACTS if f not in available]
        if missing:
            raise SourceError(
                f"marked pseudonymised but lacks the identifier facts {missing}: only copies "
                "written by 'dtks-link pseudonymise' can be linked as pseudonymised",
                source=source.name,
                column=missing[0],
            )
    if problems:
        role, column, hint = problems[0]
        others = "" if len(problems) == 1 else f" (and {len(problems) - 1} more missing column(s))"
        shown = ", ".join(repr(c) for c in available[:30])
        raise SourceError(
            f"column configured for {role} is not in the file{hint}{others}. "
            f"Columns found: {shown}. If all names run together, check the delimiter.",
            source=source.name,
            column=column,
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
    candidate, judged = _mapping_sql(engine, source, _column_types(con, raw_table), raw_table, excel_numeric)
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
    mismatches = _format_mismatches(engine, source, "__judged")
    con.execute("DROP TABLE __candidate")
    con.execute("DROP TABLE __judged")
    return mismatches


Query = tuple[str, list[Any]]


def _mapping_sql(
    engine: Engine,
    source: SourceConfig,
    types: dict[str, str],
    raw_table: str,
    excel_numeric: set[str],
) -> tuple[Query, Query]:
    """The two queries that map a raw table onto the canonical fields (``__candidate``) and
    judge each row (``__judged``: ``__reason`` is NULL for an accepted row), in the engine's
    dialect; one definition for every engine."""
    q = engine.quote
    text = engine.text_type
    # an integer as wide as any float that prints without an exponent
    wide_int = engine.dialect.type_name("HUGEINT")

    def as_text(column: str) -> str:
        kind = types[column].upper()
        if kind.startswith(("DOUBLE", "FLOAT", "REAL", "DECIMAL")):
            # Integral floats print without exponent; non-integral keep their text form.
            return (
                f"CASE WHEN {q(column)} = trunc({q(column)}) AND abs({q(column)}) < 1e20 "
                f"THEN CAST(CAST({q(column)} AS {wide_int}) AS {text}) "
                f"ELSE CAST({q(column)} AS {text}) END"
            )
        return f"CAST({q(column)} AS {text})"

    nik_columns = source.mapped_columns("nik")
    nik_numeric = len(nik_columns) == 1 and (
        types.get(nik_columns[0], "").upper().startswith(_NUMERIC_TYPES) or nik_columns[0] in excel_numeric
    )
    fields = []
    for canonical in CANONICAL_FIELDS:
        columns = source.mapped_columns(canonical)
        if not columns:
            fields.append(f"CAST(NULL AS {text}) AS {q(canonical)}")
        elif len(columns) == 1:
            fields.append(f"NULLIF(trim({as_text(columns[0])}), '') AS {q(canonical)}")
        else:
            # several columns: joined with one space, blanks and NULLs skipped
            parts = ", ".join(f"NULLIF(trim({as_text(c)}), '')" for c in columns)
            fields.append(f"NULLIF(concat_ws(' ', {parts}), '') AS {q(canonical)}")
    # (condition, reason) in order of precedence; reasons are parameters, never SQL text.
    id_checks: list[tuple[str, str]] = [
        ("record_id IS NULL", f"missing record id in column {source.id_column!r}"),
        (
            f"length(record_id) > {MAX_VALUE_LENGTH}",
            f"record id in column {source.id_column!r} is longer than {MAX_VALUE_LENGTH} characters",
        ),
        ("contains(record_id, chr(0))", f"record id in column {source.id_column!r} holds a NUL character"),
    ]
    field_checks: list[tuple[str, str]] = []
    for canonical in CANONICAL_FIELDS:
        if canonical in source.columns:
            where = _columns_label(source, canonical)
            field_checks.append(
                (
                    f"length({q(canonical)}) > {MAX_VALUE_LENGTH}",
                    f"value in {where} is longer than {MAX_VALUE_LENGTH} characters",
                )
            )
            field_checks.append(
                (f"contains({q(canonical)}, chr(0))", f"value in {where} holds a NUL character")
            )
    linkable = " OR ".join(f"{q(f)} IS NOT NULL" for f in ("nama", "nik", "no_kk") if f in source.columns)
    linkable = linkable or "false"
    for fact, kind in IDENTIFIER_FACTS.items():
        sql_type = engine.dialect.type_name(kind)
        value = f"CAST({q(fact)} AS {sql_type})" if source.pseudonymised else f"CAST(NULL AS {sql_type})"
        fields.append(f"{value} AS {q(fact)}")
    mapped = (
        f"SELECT CAST(? AS {text}) AS source, NULLIF(trim({as_text(source.id_column)}), '') AS record_id, "
        f"__dtks_row AS row_number, {'true' if nik_numeric else 'false'} AS nik_numeric_source, "
        f"{', '.join(fields)} FROM {q(raw_table)}"
    )
    # [sources.formats]: each value rewritten in the rules' unambiguous form, NULL (and
    # flagged) when it fits none of the formats
    outer: list[str] = ["source", "record_id", "row_number", "nik_numeric_source"]
    format_params: list[Any] = []
    for canonical in (*CANONICAL_FIELDS, *IDENTIFIER_FACTS):
        formats = source.field_formats(canonical)
        if not formats:
            outer.append(q(canonical))
            continue
        converted, params = formatted_sql(q(canonical), formats, engine.dialect)
        outer.append(f"{converted} AS {q(canonical)}")
        format_params += params
    # the value as read, beside each converted field, to count the values no format fits
    kept = [f"{q(c)} AS {q(_AS_READ + c)}" for c in FORMAT_FIELDS if source.field_formats(c)]
    candidate = f"SELECT {', '.join(outer + kept)} FROM ({mapped}) __mapped"
    reason_sql = (
        "CASE "
        + " ".join(f"WHEN {condition} THEN ?" for condition, _ in id_checks)
        + f" WHEN __first_row < row_number THEN concat(?, CAST(__first_row AS {text}), ')') "
        + " ".join(f"WHEN {condition} THEN ?" for condition, _ in field_checks)
        + f" WHEN NOT ({linkable}) THEN ? ELSE NULL END"
    )
    reason_params: list[Any] = [
        *(reason for _, reason in id_checks),
        f"duplicate record id in column {source.id_column!r} (first seen at row ",
        *(reason for _, reason in field_checks),
        "no name, NIK or KK number: nothing to link on",
    ]
    judged = (
        f"SELECT *, {reason_sql} AS __reason FROM (SELECT *, min(row_number) OVER "
        "(PARTITION BY record_id) AS __first_row FROM __candidate)"
    )
    return (candidate, [*format_params, source.name]), (judged, reason_params)


#: Prefix of the ``__candidate`` columns that keep a formatted field's value as read.
_AS_READ = "__as_read_"


def _format_mismatches(engine: Engine, source: SourceConfig, judged_table: str) -> dict[str, int]:
    """Accepted rows of ``judged_table`` whose value fits none of its field's formats."""
    fields = [c for c in FORMAT_FIELDS if source.field_formats(c)]
    if not fields:
        return {}
    q = engine.quote
    counts = ", ".join(
        f"count(CASE WHEN {q(_AS_READ + c)} IS NOT NULL AND {q(c)} IS NULL THEN 1 END)" for c in fields
    )
    row = engine.rows(f"SELECT {counts} FROM {q(judged_table)} WHERE __reason IS NULL")[0]
    return {c: int(n) for c, n in zip(fields, row, strict=True)}


def _columns_label(source: SourceConfig, canonical: str) -> str:
    """``column 'X'``, or ``columns 'A' + 'B'`` for a field mapped to several."""
    columns = source.mapped_columns(canonical)
    if len(columns) == 1:
        return f"column {columns[0]!r}"
    return "columns " + " + ".join(repr(c) for c in columns)


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
    and quarantine rules (:func:`_mapping_sql`), with the engine's reader.

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
            frame, numeric = _excel_frame(source)
            engine.load_frame(raw_table, frame.assign(__dtks_row=range(1, len(frame) + 1)))
        elif source.data is not None:
            frame = _in_memory_frame(source)
            engine.load_frame(raw_table, frame.assign(__dtks_row=range(1, len(frame) + 1)))
        elif isinstance(engine, SourceReader):
            engine.load_source(raw_table, source)
        else:
            raise EngineError(
                f"the {engine.dialect.name} engine has no file reader: give source {source.name!r} "
                "as a DataFrame or Arrow table (SourceConfig data=...)"
            )
        types = dict(engine.columns(raw_table))
        _check_available(source, [c for c in types if c != "__dtks_row"])
        candidate, judged = _mapping_sql(engine, source, types, raw_table, numeric)
        engine.create_table("__candidate", *candidate)
        engine.create_table(f"__judged_{index}", *judged)
        engine.drop("__candidate", raw_table)
        rows_read[source.name] = int(
            engine.rows(f"SELECT count(*) FROM {engine.quote(f'__judged_{index}')}")[0][0]
        )
        mismatches[source.name] = _format_mismatches(engine, source, f"__judged_{index}")
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
    accepted = dict.fromkeys(rows_read, 0)
    for name, n in engine.rows(f"SELECT source, count(*) FROM {engine.quote(mapped_table)} GROUP BY source"):
        accepted[str(name)] = int(n)
    quarantined = dict.fromkeys(rows_read, 0)
    for name, n in engine.rows(
        f"SELECT source, count(*) FROM {engine.quote(quarantine_table)} GROUP BY source"
    ):
        quarantined[str(name)] = int(n)
    return LoadedSources(
        mapped_table=mapped_table,
        quarantine_table=quarantine_table,
        rows_read=rows_read,
        rows_accepted=accepted,
        rows_quarantined=quarantined,
        format_mismatches={name: counts for name, counts in mismatches.items() if counts},
    )
