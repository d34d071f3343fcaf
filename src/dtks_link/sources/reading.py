"""Getting a source's rows into the engine as they are: CSV/TXT, Parquet, Excel and in-memory tables.

:func:`read_raw` creates a raw table (every column as read, plus ``__dtks_row``, the 1-based
data-row number) from one source. CSV is read as RFC 4180 text unless the config says
otherwise, other encodings are transcoded to UTF-8 in a streaming pass, and malformed lines are
returned with their reason (the caller quarantines them) while the rows after them keep their
true row numbers. A quote that never closes fails the source rather than swallow the rest of
the file. Excel cells become text with integral numbers kept without a ``.0`` tail
(:func:`excel_to_text`). Engine errors are cut to their first line (:func:`engine_message`):
DuckDB appends the offending input line, which may hold personal data.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from ..backends.duckdb import quote_identifier as q
from ..config import SourceConfig
from ..errors import SourceError

__all__ = [
    "MAX_LINE_BYTES",
    "count_rows",
    "engine_message",
    "excel_frame",
    "excel_to_text",
    "in_memory_frame",
    "read_raw",
    "sniff_delimiter",
]

#: Longest CSV line read; a longer line fails the source (DuckDB cannot quarantine it).
MAX_LINE_BYTES = 64 << 20


def count_rows(con: duckdb.DuckDBPyConnection, table: str, source: str | None = None) -> int:
    """Rows of ``table`` (of one ``source`` when given)."""
    if source is None:
        row = con.execute(f"SELECT count(*) FROM {q(table)}").fetchall()
    else:
        row = con.execute(f"SELECT count(*) FROM {q(table)} WHERE source = ?", [source]).fetchall()
    return int(row[0][0])


def read_raw(
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
        _check_unterminated_quote(source, path, bad, count_rows(con, raw_table) + len(bad))
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
    total = count_rows(con, raw_table) + len(rejected_rows)
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
    text_frame, numeric = excel_frame(source)
    _read_in_memory(con, source, raw_table, frame=text_frame)
    return [], numeric


def excel_frame(source: SourceConfig) -> tuple[Any, set[str]]:
    """An Excel source's sheet as text columns, and the columns that held numbers."""
    import pandas as pd

    sheet: str | int = 0 if source.sheet is None else source.sheet
    try:
        frame = pd.read_excel(source.path, sheet_name=sheet, dtype=object)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SourceError(f"cannot read Excel file: {exc}", source=source.name) from None
    return excel_to_text(frame)


def in_memory_frame(source: SourceConfig) -> Any:
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
