"""Rules over a pair of records: the comparison levels, the blocking keys' equalities and the
clustering constraints, each written once and run as SQL in any dialect or as Python.

A pair rule reads the columns of two records, the left one as ``<column>_l`` and the right one
as ``<column>_r`` (:func:`left`, :func:`right`): the names Splink gives them in its comparison
levels. :func:`pair_sql` renders a rule with those names, or with the two records as table
aliases (``l."nik"``, ``r."nik"``) for a join or a blocking rule; :func:`compile_pair` turns
rules into one Python function of two records (dicts of column -> value).

>>> same = left("nik").eq(right("nik"))
>>> pair_sql(same), pair_sql(same, aliases=("l", "r"))
('("nik_l" = "nik_r")', '(l."nik" = r."nik")')
>>> compile_pair({"same": same})({"nik": "1"}, {"nik": "1"})
{'same': True}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .dialects import DUCKDB, Dialect, dialect_of
from .python import compile_record
from .sql import Renderer
from .tree import Expr, col

__all__ = ["PairFunction", "compile_pair", "left", "pair_columns", "pair_sql", "right"]

_SIDES = ("_l", "_r")

PairFunction = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
"""Pair rules compiled to Python: (left record, right record) -> rule name -> value."""


def left(column: str) -> Expr:
    """A column of the left record."""
    return col(column + "_l")


def right(column: str) -> Expr:
    """A column of the right record."""
    return col(column + "_r")


def _read(expr: Expr) -> list[str]:
    """The column names a rule reads, in first-use order."""
    found: dict[str, None] = {}
    stack = [expr]
    seen: set[int] = set()
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        if e.op == "col":
            found[e.data[0]] = None
        stack.extend(reversed(e.args))
    return list(found)


def pair_columns(*exprs: Expr) -> tuple[str, ...]:
    """The record columns pair rules read (``nik`` for ``nik_l`` or ``nik_r``), in first-use
    order; a column read without a side raises ``ValueError``."""
    found: dict[str, None] = {}
    for expr in exprs:
        for name in _read(expr):
            if not name.endswith(_SIDES):
                raise ValueError(f"pair rules read left(...) and right(...) columns, not {name!r}")
            found[name[:-2]] = None
    return tuple(found)


def pair_sql(expr: Expr, *, dialect: Dialect | str = DUCKDB, aliases: tuple[str, str] | None = None) -> str:
    """A pair rule as one SQL expression in ``dialect``: over the columns ``<c>_l``/``<c>_r``,
    or, with ``aliases`` (the left and right table aliases, e.g. ``("l", "r")``), over
    ``l."<c>"`` and ``r."<c>"``."""
    d = dialect_of(dialect)
    if aliases is None:
        return Renderer(d).expression(expr)
    for alias in aliases:
        if not alias.isidentifier() or not alias.isascii():
            raise ValueError(f"bad table alias {alias!r}")
    by_side = dict(zip(_SIDES, aliases, strict=True))

    def column(name: str) -> str:
        side = name[-2:]
        if side not in by_side:
            raise ValueError(f"pair rules read left(...) and right(...) columns, not {name!r}")
        return f"{by_side[side]}.{d.quote(name[:-2])}"

    return Renderer(d, column=column).expression(expr)


def compile_pair(rules: Mapping[str, Expr]) -> PairFunction:
    """Pair rules compiled into one Python function of two records (column -> value; a missing
    column is NULL), giving rule name -> value. Values the rules share are computed once per
    pair, and the SQL and Python meanings are the same (:mod:`.python`)."""
    run = compile_record(rules)
    columns = pair_columns(*rules.values())
    left_names = [(c + "_l", c) for c in columns]
    right_names = [(c + "_r", c) for c in columns]

    def on_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
        record = {name: a.get(c) for name, c in left_names}
        record.update((name, b.get(c)) for name, c in right_names)
        return run(record)

    return on_pair
