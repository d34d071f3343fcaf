"""The rule language: every operation means the same in DuckDB SQL (both forms) and in Python,
each dialect can render every operation, rendering is re-entrant, and the column table."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import duckdb
import jellyfish
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.model import MODEL_COLUMNS
from dtks_link.rules import (
    DUCKDB,
    OPS,
    SPARK,
    TYPES,
    Dialect,
    Renderer,
    SparkDialect,
    col,
    compile_py,
    compile_record,
    damerau_levenshtein,
    dialect_of,
    jaro_winkler,
    render_sql,
    staged_query,
)
from dtks_link.rules.dialects import Template
from dtks_link.schema import IDENTIFIER_FACTS, STANDARDISED_COLUMNS, column_types
from dtks_link.standardise import OUTPUT_COLUMNS
from dtks_link.standardise.sql import standardise_exprs
from rule_catalogue import CATALOGUE, ROWS, same, used_ops


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, s VARCHAR, t VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, s, t) for i, (s, t) in enumerate(ROWS)])
    return con


def _python() -> list[dict[str, Any]]:
    run = compile_record(CATALOGUE)
    return [run({"s": s, "t": t}) for s, t in ROWS]


def _assert_same(sql_rows: list[dict[str, Any]], python_rows: list[dict[str, Any]]) -> None:
    for i, (sql, py) in enumerate(zip(sql_rows, python_rows, strict=True)):
        differs = {k: (sql[k], py[k]) for k in CATALOGUE if not same(sql[k], py[k])}
        assert not differs, (ROWS[i], differs)


@pytest.mark.parametrize(
    "module", ["dtks_link.rules", "dtks_link.rules.pairs", "dtks_link.rules.datefmt", "dtks_link.schema"]
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


def test_catalogue_uses_every_operation() -> None:
    assert used_ops() == set(OPS)


def test_sql_select_list_equals_python(con: duckdb.DuckDBPyConnection) -> None:
    renderer = Renderer(DUCKDB)
    items = ", ".join(f"{renderer.expression(e)} AS {DUCKDB.quote(k)}" for k, e in CATALOGUE.items())
    cursor = con.execute(f"SELECT {items} FROM t ORDER BY i")
    names = [d[0] for d in cursor.description]
    _assert_same([dict(zip(names, row, strict=True)) for row in cursor.fetchall()], _python())


def test_staged_query_equals_python(con: duckdb.DuckDBPyConnection) -> None:
    cursor = con.execute(staged_query(CATALOGUE, source="t", select="i") + " ORDER BY i")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    _assert_same(rows, _python())


def test_compile_py_equals_compile_record() -> None:
    record = _python()
    for name, expr in CATALOGUE.items():
        run = compile_py(expr)
        assert [run({"s": s, "t": t}) for s, t in ROWS] == [r[name] for r in record], name


@pytest.mark.parametrize("dialect", [DUCKDB, SPARK], ids=str)
def test_every_operation_renders_in_every_dialect(dialect: Dialect) -> None:
    renderer = Renderer(dialect)
    for name, expr in CATALOGUE.items():
        assert renderer.expression(expr), name


def test_rendering_is_deterministic_and_re_entrant() -> None:
    exprs = standardise_exprs(dt.date(2025, 6, 30))
    expected = {name: render_sql(e) for name, e in exprs.items()}
    assert {name: render_sql(e) for name, e in exprs.items()} == expected
    results: list[dict[str, str]] = []

    def render_all() -> None:
        results.append({name: render_sql(e) for name, e in exprs.items()})

    threads = [threading.Thread(target=render_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_dialects_spell_their_engines() -> None:
    assert render_sql(col("nama").upper(), table_alias="m") == 'upper("m"."nama")'
    assert render_sql(col("nama").upper(), table_alias="m", dialect=SPARK) == "upper(`m`.`nama`)"
    assert SPARK.type_name("VARCHAR[]") == "ARRAY<STRING>"
    assert DUCKDB.type_name("VARCHAR[]") == "VARCHAR[]"
    assert SPARK.string("it's \\") == "'it\\'s \\\\'"
    assert DUCKDB.string("it's \\") == "'it''s \\'"
    assert render_sql(jaro_winkler(col("a"), col("b")), dialect="spark") == "dtks_jaro_winkler(`a`, `b`)"
    assert render_sql(damerau_levenshtein(col("a"), col("b"))) == 'damerau_levenshtein("a", "b")'


def test_a_dialect_is_found_by_name_and_never_equals_a_string() -> None:
    assert dialect_of("spark") == SPARK and dialect_of(SPARK) is SPARK and DUCKDB != SPARK
    assert DUCKDB != "duckdb" and SPARK != "spark"  # code asks a dialect how, never which
    assert str(SPARK) == "spark" and {DUCKDB, dialect_of("duckdb")} == {DUCKDB}
    with pytest.raises(ValueError, match="unknown SQL dialect 'postgres'"):
        dialect_of("postgres")


def test_a_missing_part_names_itself() -> None:
    class Bare(Dialect):
        name = "bare"

    with pytest.raises(NotImplementedError, match="'bare' has no function 'jaro_winkler'"):
        render_sql(jaro_winkler(col("a"), col("b")), dialect=Bare())
    with pytest.raises(NotImplementedError, match="'bare' has no SQL for the rule operation 'contains'"):
        render_sql(col("a").contains("x"), dialect=Bare())
    assert render_sql(col("a").upper(), dialect=Bare()) == 'upper("a")'


def test_a_dialect_subclass_lists_only_what_differs() -> None:
    class SparkWithContains(SparkDialect):
        function_names: ClassVar[Mapping[str, str]] = {"jaro_winkler": "jw"}
        templates: ClassVar[Mapping[str, Template]] = {"contains": "contains({a[0]}, {q[0]})"}

    dialect = SparkWithContains()
    assert render_sql(col("a").contains("x"), dialect=dialect) == "contains(`a`, 'x')"
    assert render_sql(jaro_winkler(col("a"), col("b")), dialect=dialect) == "jw(`a`, `b`)"
    assert render_sql(col("a").split(","), dialect=dialect) == render_sql(col("a").split(","), dialect=SPARK)
    assert dialect.type_name("VARCHAR") == "STRING" and dialect.functions["day"] == "dayofmonth"


def test_operations_engines_disagree_on_are_refused() -> None:
    with pytest.raises(ValueError, match="split needs a separator"):
        col("a").split("")
    with pytest.raises(ValueError, match="outside the RE2/Python common subset"):
        col("a").re_has("\\d+")
    assert col("a").replace("", "x").op == "col"  # replacing '' replaces nothing


_TEXT = st.text(alphabet="ABCDEHIKMNORSTU ", max_size=12)
_SIMILARITY = duckdb.connect()


@settings(max_examples=150, deadline=None)
@given(pairs=st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=20))
def test_string_similarity_is_jellyfish_in_sql_and_python(pairs: list[tuple[str, str]]) -> None:
    jw, dl = jaro_winkler(col("a"), col("b")), damerau_levenshtein(col("a"), col("b"))
    rows = _SIMILARITY.execute(
        f"SELECT {render_sql(jw)}, {render_sql(dl)} FROM "
        "(SELECT unnest($1::VARCHAR[]) AS a, unnest($2::VARCHAR[]) AS b)",
        [[a for a, _ in pairs], [b for _, b in pairs]],
    ).fetchall()
    for (a, b), (sql_jw, sql_dl) in zip(pairs, rows, strict=True):
        assert sql_dl == compile_py(dl)({"a": a, "b": b}) == jellyfish.damerau_levenshtein_distance(a, b)
        assert same(sql_jw, compile_py(jw)({"a": a, "b": b}))


# ---- the column table ------------------------------------------------------------------------


def test_column_table_is_the_one_source_of_the_column_sets() -> None:
    names = [c.name for c in STANDARDISED_COLUMNS]
    assert len(names) == len(set(names))
    assert all(c.type in TYPES for c in STANDARDISED_COLUMNS)
    assert {c.name: c.type for c in STANDARDISED_COLUMNS if not c.derived} == OUTPUT_COLUMNS
    assert column_types(group="fact") == IDENTIFIER_FACTS
    assert list(IDENTIFIER_FACTS)[-1] == "nik_typo_keys"
    # model.MODEL_COLUMNS is the "match" group (phase 2 reads it from the table)
    assert set(MODEL_COLUMNS) == set(column_types(group="match"))
    with pytest.raises(ValueError, match="unknown column group"):
        column_types(group="nope")


def test_one_renderer_renders_many_short_lived_trees_each_as_itself() -> None:
    """A renderer memoises nodes by identity; trees rendered one after the other and freed in
    between must not be taken for one another (Python reuses a freed object's id)."""
    from dtks_link.rules import Renderer

    renderer = Renderer(DUCKDB)
    for i in range(200):
        width = 2 + i % 7
        assert renderer.expression(col("a").length().ge(width)) == f'(length("a") >= {width})'
