"""Mapping a raw table onto the canonical resident record, and judging each row.

:func:`check_available` fails a source whose configured columns are not in the file (with
the closest name found). :func:`mapping_sql` writes the two queries, in the engine's dialect,
that map a raw table onto the canonical fields (a field mapped to several columns is their
values joined with spaces; ``[sources.formats]`` rewrite values in the rules' unambiguous
form) and judge each row: a missing, duplicated, overlong or NUL-holding record id, an overlong
or NUL-holding value, or no name, NIK or KK number quarantines the row with its reason (reasons
are bound parameters, never SQL text). :func:`format_mismatches` counts the accepted values no
format fits.
"""

from __future__ import annotations

import difflib
from typing import Any

import duckdb

from ..backends.duckdb import quote_identifier as q
from ..backends.engine import Engine
from ..config import SourceConfig
from ..errors import SourceError
from ..formats import FORMAT_FIELDS, formatted_sql
from ..schema import CANONICAL_FIELDS, IDENTIFIER_FACTS

__all__ = [
    "MAX_VALUE_LENGTH",
    "Query",
    "check_available",
    "check_columns",
    "column_types",
    "format_mismatches",
    "mapping_sql",
]

#: Longer values than this (in characters) quarantine the row: no real name or address is that long.
MAX_VALUE_LENGTH = 1000

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


def column_types(con: duckdb.DuckDBPyConnection, raw_table: str) -> dict[str, str]:
    """The columns of a DuckDB table and their types."""
    rows = con.execute(f"DESCRIBE {q(raw_table)}").fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def check_columns(con: duckdb.DuckDBPyConnection, source: SourceConfig, raw_table: str) -> None:
    """:func:`check_available` on the columns of a raw DuckDB table."""
    check_available(source, [c for c in column_types(con, raw_table) if c != "__dtks_row"])


def check_available(source: SourceConfig, available: list[str]) -> None:
    """Fail the source when a configured column (or a pseudonymised copy's identifier fact) is
    not among ``available``, naming the closest column found."""
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


#: A SQL text and its bound parameters.
Query = tuple[str, list[Any]]


def mapping_sql(
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
    # a record is linkable on a name or any identifier the model compares (a record with only an
    # other identifier, a birth date and an address is one FEBRL-style person, not noise)
    linkable = " OR ".join(
        f"{q(f)} IS NOT NULL" for f in ("nama", "nik", "no_kk", "id_lain", "telepon") if f in source.columns
    )
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


def format_mismatches(engine: Engine, source: SourceConfig, judged_table: str) -> dict[str, int]:
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
