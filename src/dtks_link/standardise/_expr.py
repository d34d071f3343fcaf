"""A tiny expression language that renders to SQL and compiles to Python, with one meaning.

Every standardisation rule is written once as an :class:`Expr` tree. The same tree is

* rendered to a DuckDB SQL expression (:func:`render_sql`) that runs set-based over whole
  tables, and
* compiled to a Python closure (:func:`compile_py`) for single values and real-time matching.

Because both come from one tree, the two paths agree by construction, as long as each
operation has the same meaning in both engines. The operations are chosen for that:

* regular expressions use the subset shared by RE2 (DuckDB) and Python ``re`` with
  ``re.ASCII``: no backreferences in patterns, no look-around, no ``\\d``/``\\s``/``\\w``,
  ``\\1``..``\\9`` only in replacements; ``$`` means end of text in both (Python patterns
  get ``\\Z``);
* SQL NULL is Python ``None`` and follows SQL three-valued logic;
* ``upper``/``lower`` only ever see ASCII (rules fold text first);
* list indexes are 1-based and out-of-range reads give NULL, as in DuckDB;
* every operation is total (never raises): DuckDB does not short-circuit ``AND``/``OR`` and
  may evaluate an expression for rows a ``CASE`` excludes, so e.g. :func:`make_date` checks
  the date itself and integer casts are ``TRY_CAST`` on digits.

How the SQL is shaped, and why (DuckDB 2.0 measurements on 1M rows, 2 threads):

* Outside lambdas DuckDB's common-subexpression elimination computes a repeated expression
  once — but it does not look inside ``CASE``, ``AND`` or ``OR``. A value needed several
  times is therefore bound with :func:`let`/:func:`let_many` (``list_transform([v],
  lambda p: body)[1]``); the bound value is a plain function argument, so identical lets in
  several output columns are computed once.
* Nested lambdas bind in time exponential in their depth, so a let may not sit inside
  another let's body (:func:`check_flat`); lets are chained instead (one let's value may be
  another let).
* Inside a lambda there is no elimination at all, so :func:`render_sql` *stages* each let
  body: nodes the body uses more than once are computed once in an earlier step and passed on
  as struct fields. Costly nodes that only some rows need (``case(..., rare=True)``) stay in
  their branch.
* Each step and each operation inside a lambda costs more than at the top level (about 2-4
  times per operation), so rules keep regular expressions at the top level where they can,
  as the values of a let, and keep bodies to cheap decisions.

:func:`render_sql` gives one self-contained expression per output (the select list of
``standardise_select_sql``). The pipeline instead runs a *staged query*
(:mod:`._staged`, ``standardise_query``): the same trees with every let inlined, and values
that several places need computed once as columns of nested subqueries. There are no lambda
steps and no elimination gaps then, and it runs about twice as fast; the operations render
exactly as here, so the values are the same. Rules should still bind shared values with
:func:`let` (the select list and the Python path need it; the staged query treats a let
value as computed for every row). Regular expressions are the main cost in both forms: a
pass that cannot match is best skipped behind a cheap test (``contains``, a first
character) in a ``case``.

The rendered SQL is DuckDB's dialect. For another engine (Spark), add a renderer rather than
transpiling: replacement strings there use ``$1``, lambdas ``x -> ...``, lists are 0-based.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "Compiled",
    "Expr",
    "and_",
    "case",
    "coalesce",
    "col",
    "compile_py",
    "concat_ws",
    "date_add_days",
    "day_of",
    "if_",
    "let",
    "let_many",
    "levenshtein",
    "lit",
    "make_date",
    "month_of",
    "not_",
    "null",
    "or_",
    "param",
    "render_sql",
    "struct",
    "year_of",
]

Env = dict[str, Any]
PyFn = Callable[[Env], Any]
Compiled = Callable[[Mapping[str, Any]], Any]
"""A rule compiled to Python: record (column name -> value) -> value."""

_SERIAL = [0]

_SQL_TYPES = ("VARCHAR", "INTEGER", "BOOLEAN", "DATE", "VARCHAR[]", "INTEGER[]")


class Expr:
    """One node of a rule. Build nodes with the helper functions and methods, never directly."""

    __slots__ = ("args", "data", "op", "serial")

    def __init__(self, op: str, args: tuple[Expr, ...] = (), data: tuple[Any, ...] = ()) -> None:
        self.op = op
        self.args = args
        self.data = data
        _SERIAL[0] += 1
        self.serial = _SERIAL[0]

    # ---- text -------------------------------------------------------------------------
    def upper(self) -> Expr:
        """Upper-case (only applied to ASCII text, so both engines agree)."""
        return Expr("upper", (self,))

    def lower(self) -> Expr:
        """Lower-case (only applied to ASCII text, so both engines agree)."""
        return Expr("lower", (self,))

    def trim(self) -> Expr:
        """Remove leading and trailing ASCII spaces (not other whitespace)."""
        return Expr("trim", (self,))

    def length(self) -> Expr:
        return Expr("length", (self,))

    def replace(self, old: str, new: str) -> Expr:
        """Replace every non-overlapping occurrence of ``old``, left to right."""
        return Expr("replace", (self,), (old, new))

    def translate(self, src: str, dst: str) -> Expr:
        """Map each character of ``src`` to the one at the same place in ``dst``; extra
        characters of ``src`` are deleted."""
        return Expr("translate", (self,), (src, dst))

    def re_sub(self, pattern: str, repl: str, *, every: bool = True) -> Expr:
        """Regex replace (every match, or only the first)."""
        _check_pattern(pattern)
        return Expr("re_sub", (self,), (pattern, repl, every))

    def re_extract(self, pattern: str, group: int = 0) -> Expr:
        """First match's group, '' when there is no match or the group did not take part."""
        _check_pattern(pattern)
        return Expr("re_extract", (self,), (pattern, group))

    def re_has(self, pattern: str) -> Expr:
        """True when the pattern matches somewhere (search, not full match)."""
        _check_pattern(pattern)
        return Expr("re_has", (self,), (pattern,))

    def concat(self, *others: Expr | str) -> Expr:
        """``||`` concatenation: NULL when any part is NULL."""
        out = self
        for other in others:
            out = Expr("concat", (out, _wrap(other)))
        return out

    def substr(self, start: int, length: int) -> Expr:
        """1-based substring of at most ``length`` characters."""
        return Expr("substr", (self,), (start, length))

    def has_non_ascii(self) -> Expr:
        """True when the text has a character outside ASCII (byte length <> length)."""
        return Expr("has_non_ascii", (self,))

    def lpad(self, width: int, fill: str) -> Expr:
        """Left-pad to ``width`` characters (longer text is cut to ``width``, as in SQL)."""
        return Expr("lpad", (self,), (width, fill))

    def try_date(self, *, checked: bool = False) -> Expr:
        """``YYYY-MM-DD`` text (exactly that shape, years 1000-9999) to a DATE; NULL if it
        is not a real date. ``checked=True`` promises the text has that shape (digits in
        place), so the SQL skips the shape test."""
        return Expr("try_date", (self,), (checked,))

    def re_findall(self, pattern: str) -> Expr:
        """Every non-overlapping match of the pattern, as a list of text."""
        _check_pattern(pattern)
        return Expr("re_findall", (self,), (pattern,))

    def contains(self, needle: str) -> Expr:
        """Plain substring test (no regex)."""
        return Expr("contains", (self,), (needle,))

    def substr_from(self, start: Expr) -> Expr:
        """1-based substring from ``start`` (at least 1) to the end."""
        return Expr("substr_from", (self, start))

    def nullif(self, value: Expr | str | int) -> Expr:
        return Expr("nullif", (self, _wrap(value)))

    def split(self, sep: str) -> Expr:
        """Split into a list on a literal separator ('' gives [''])."""
        return Expr("split", (self,), (sep,))

    def to_int(self, *, checked: bool = False) -> Expr:
        """Text of 1 to 9 ASCII digits to INTEGER; anything else gives NULL.

        ``checked=True`` promises the caller has already made sure the text is 1 to 9
        digits, so the SQL can skip the test (a bare cast also accepts ``1E3`` or ``0x10``)."""
        if checked:
            return Expr("to_int", (self,), (True,))
        return if_(self.re_has("^[0-9]{1,9}$"), Expr("to_int", (self,), (True,)))

    def lookup(self, mapping: Mapping[str, Any], sql_type: str) -> Expr:
        """Look the value up in a constant mapping (NULL when absent)."""
        if sql_type not in _SQL_TYPES:
            raise ValueError(sql_type)
        return Expr("lookup", (self,), (dict(mapping), sql_type))

    def field(self, name: str) -> Expr:
        """A field of a struct value."""
        return Expr("field", (self,), (name,))

    def pipe(self, fn: Callable[[Expr], Expr]) -> Expr:
        """``let(self, fn)``: compute this once and use it many times inside ``fn``."""
        return let(self, fn)

    # ---- lists ------------------------------------------------------------------------
    def at(self, index: int | Expr) -> Expr:
        """1-based list element, NULL when out of range."""
        return Expr("at", (self, _wrap(index)))

    def list_position(self, value: Expr) -> Expr:
        """1-based position of the first element equal to ``value`` (NULL if none)."""
        return Expr("list_position", (self, value))

    def list_slice_from(self, start: Expr) -> Expr:
        """Elements from 1-based ``start`` (an expression, at least 1) to the end."""
        return Expr("list_slice_from", (self, start))

    def list_sort(self) -> Expr:
        """The list sorted ascending (NULLs last)."""
        return Expr("list_sort", (self,))

    def list_distinct(self) -> Expr:
        """The distinct non-NULL elements (in no particular order; sort afterwards)."""
        return Expr("list_distinct", (self,))

    def list_len(self) -> Expr:
        return Expr("list_len", (self,))

    def list_min(self) -> Expr:
        return Expr("list_min", (self,))

    def list_max(self) -> Expr:
        return Expr("list_max", (self,))

    def list_join(self, sep: str) -> Expr:
        """Join a list of text with a separator ([] gives '')."""
        return Expr("list_join", (self,), (sep,))

    def list_slice(self, start: int) -> Expr:
        """Elements from 1-based ``start`` to the end."""
        return Expr("list_slice", (self,), (start,))

    def list_map(self, fn: Callable[[Expr], Expr]) -> Expr:
        p = param()
        return Expr("list_map", (self, fn(p), p))

    def list_filter(self, fn: Callable[[Expr], Expr]) -> Expr:
        p = param()
        return Expr("list_filter", (self, fn(p), p))

    # ---- comparison -------------------------------------------------------------------
    def eq(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), ("=",))

    def ne(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), ("<>",))

    def lt(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), ("<",))

    def le(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), ("<=",))

    def gt(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), (">",))

    def ge(self, other: Expr | object) -> Expr:
        return Expr("cmp", (self, _wrap(other)), (">=",))

    def between(self, low: object, high: object) -> Expr:
        return and_(self.ge(low), self.le(high))

    def isin(self, values: Iterable[object]) -> Expr:
        vals = tuple(values)
        if not vals:
            raise ValueError("isin needs at least one value")
        return Expr("isin", (self,), (vals,))

    def is_null(self) -> Expr:
        return Expr("is_null", (self,))

    def not_null(self) -> Expr:
        return Expr("not_null", (self,))

    # ---- arithmetic -------------------------------------------------------------------
    def add(self, other: Expr | int) -> Expr:
        return Expr("arith", (self, _wrap(other)), ("+",))

    def sub(self, other: Expr | int) -> Expr:
        return Expr("arith", (self, _wrap(other)), ("-",))

    def mul(self, other: Expr | int) -> Expr:
        return Expr("arith", (self, _wrap(other)), ("*",))

    def mod(self, other: Expr | int) -> Expr:
        """Remainder (only used on non-negative integers, where SQL and Python agree)."""
        return Expr("arith", (self, _wrap(other)), ("%",))

    def to_str(self) -> Expr:
        """INTEGER to its decimal text."""
        return Expr("to_str", (self,))

    def cast(self, sql_type: str) -> Expr:
        """Declare the SQL type of the result (no conversion in Python)."""
        if sql_type not in _SQL_TYPES:
            raise ValueError(sql_type)
        return Expr("cast", (self,), (sql_type,))


# ---- constructors ------------------------------------------------------------------------


def col(name: str) -> Expr:
    """A raw input column (VARCHAR or BOOLEAN)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"bad column name {name!r}")
    return Expr("col", (), (name,))


def lit(value: str | int | bool | datetime.date) -> Expr:
    """A constant."""
    if isinstance(value, datetime.datetime):
        raise TypeError("use a date, not a datetime")
    return Expr("lit", (), (value,))


def null(sql_type: str) -> Expr:
    """A typed NULL."""
    if sql_type not in _SQL_TYPES:
        raise ValueError(sql_type)
    return Expr("null", (), (sql_type,))


def param() -> Expr:
    """A lambda parameter (internal)."""
    e = Expr("param")
    e.data = (f"_p{e.serial}",)
    return e


def _wrap(value: Expr | object) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, str | int | bool | datetime.date):
        return lit(value)
    raise TypeError(f"cannot use {type(value).__name__} in an expression")


def let(value: Expr, fn: Callable[[Expr], Expr]) -> Expr:
    """Compute ``value`` once and give it to ``fn`` (which should only use its argument,
    constants and raw columns). SQL: ``list_transform([value], lambda p: body)[1]``."""
    p = param()
    return Expr("let", (value, fn(p), p))


def struct(**fields: Expr) -> Expr:
    """A struct value (read it back with :meth:`Expr.field`)."""
    for key in fields:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
            raise ValueError(f"bad struct field name {key!r}")
    return Expr("struct", tuple(fields.values()), (tuple(fields),))


def let_many(values: Sequence[Expr], fn: Callable[..., Expr]) -> Expr:
    """Like :func:`let` for several values at once (bound as one struct)."""
    keys = tuple(f"f{i}" for i in range(len(values)))
    packed = Expr("struct", tuple(values), (keys,))

    def body(p: Expr) -> Expr:
        return fn(*(Expr("field", (p,), (k,)) for k in keys))

    return let(packed, body)


def and_(*parts: Expr) -> Expr:
    return Expr("and", tuple(parts))


def or_(*parts: Expr) -> Expr:
    return Expr("or", tuple(parts))


def not_(part: Expr) -> Expr:
    return Expr("not", (part,))


def case(
    *branches: tuple[Expr, Expr | object],
    default: Expr | object | None = None,
    rare: bool = False,
) -> Expr:
    """``CASE WHEN c1 THEN v1 ... ELSE default END`` (a NULL condition is not taken).

    ``rare=True`` says the branches are taken by few rows: the renderer then keeps costly
    work that only they need inside them, rather than computing it once for every row."""
    args: list[Expr] = []
    for cond, value in branches:
        args.extend((cond, _wrap(value)))
    if default is not None:
        args.append(_wrap(default))
    return Expr("case", tuple(args), (default is not None, rare))


def if_(cond: Expr, then: Expr | object, other: Expr | object | None = None, *, rare: bool = False) -> Expr:
    return case((cond, then), default=other, rare=rare)


def coalesce(*parts: Expr | object) -> Expr:
    return Expr("coalesce", tuple(_wrap(p) for p in parts))


def concat_ws(sep: str, *parts: Expr) -> Expr:
    """Join the non-NULL parts with ``sep``; '' when all are NULL."""
    return Expr("concat_ws", tuple(parts), (sep,))


def make_date(year: Expr, month: Expr, day: Expr) -> Expr:
    """A DATE from parts; NULL when they do not form a real date in years 1-9999.

    The check comes first because DuckDB's ``make_date`` raises on a bad date (and
    ``try()`` falls back to slow row-by-row evaluation whenever anything in a vector fails)."""
    leap = and_(year.mod(4).eq(0), or_(year.mod(100).ne(0), year.mod(400).eq(0)))
    days = case(
        (month.isin((4, 6, 9, 11)), lit(30)),
        (month.eq(2), case((leap, lit(29)), default=lit(28))),
        default=lit(31),
    )
    ok = and_(year.between(1, 9999), month.between(1, 12), day.between(1, days))
    return case((ok, Expr("make_date", (year, month, day))))


def date_add_days(base: datetime.date, days: Expr) -> Expr:
    """``base + days`` for a constant base date; NULL outside years 1-9999."""
    return Expr("date_add", (days,), (base,))


def year_of(date: Expr) -> Expr:
    return Expr("date_part", (date,), ("year",))


def month_of(date: Expr) -> Expr:
    return Expr("date_part", (date,), ("month",))


def day_of(date: Expr) -> Expr:
    return Expr("date_part", (date,), ("day",))


def levenshtein(a: Expr, b: Expr) -> Expr:
    """Edit distance with unit costs (insert, delete, substitute)."""
    return Expr("levenshtein", (a, b))


# ---- regex helpers -------------------------------------------------------------------------


def _check_pattern(pattern: str) -> None:
    banned = ("\\Z", "\\z", "\\s", "\\S", "\\w", "\\W", "\\d", "\\D")
    if "(?" in pattern.replace("(?:", "") or any(b in pattern for b in banned):
        raise ValueError(f"pattern uses syntax outside the RE2/Python common subset: {pattern}")
    re.compile(pattern)


def _py_pattern(pattern: str) -> re.Pattern[str]:
    """Compile for Python: ``$`` outside classes means end of text, as in RE2."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            if ch == "]" and out[-2] not in ("[", "^"):
                in_class = False
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append(r"\Z")
        else:
            out.append(ch)
    return re.compile("".join(out), re.ASCII)


# ---- SQL rendering -------------------------------------------------------------------------


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _sql_str(value)
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_sql_lit(v) for v in value) + "]"
    raise TypeError(type(value).__name__)


def render_sql(expr: Expr, *, table_alias: str | None = None, dialect: str = "duckdb") -> str:
    """Render a tree as one SQL expression in ``dialect`` (``duckdb`` or ``spark``).

    Both dialects come from the same tree; :func:`_render_spark` maps each operation to the
    Spark SQL function with DuckDB's (and the Python twin's) meaning (see its docstring).

    Outside lambdas a node used in several places is rendered in each place: DuckDB's
    common-subexpression elimination computes the repeats once. Inside a :func:`let` body
    there is no such elimination, so the renderer *stages* the body: every non-trivial node
    the body uses more than once is computed once in an earlier step and handed on as a
    struct field (``list_transform(list_transform([v], lambda p: {...}), lambda q: ...)``).
    Nodes used only inside a CASE branch are left where they are, so they stay lazy."""
    if table_alias is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table_alias):
        raise ValueError(f"bad table alias {table_alias!r}")
    if dialect not in _DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {_DIALECTS}")
    quote = "`" if dialect == "spark" else '"'
    prefix = f"{quote}{table_alias}{quote}." if table_alias else ""
    check_flat(expr)
    return _Renderer(prefix, dialect).render(expr, {})


_DIALECTS = ("duckdb", "spark")


_LAMBDA_OPS = ("list_map", "list_filter")
_LEAF_OPS = ("col", "lit", "null", "param")
# Rough cost of one operation per row, in units of a cheap scalar function. A step in the
# chain costs about as much as a handful of cheap operations, so only repeats that would
# cost more than _HOIST_AT units are computed once in an earlier step.
_OP_WEIGHT = {
    "re_sub": 8,
    "re_extract": 8,
    "re_has": 6,
    "levenshtein": 8,
    "list_map": 8,
    "list_filter": 8,
    "translate": 5,
    "split": 3,
    "list_join": 3,
    "lookup": 2,
    "make_date": 3,
    "let": 8,
}
_HOIST_AT = 8
# Not moved out of a CASE branch: costly, or (make_date) only safe under its check.
_HEAVY_OPS = frozenset({"re_sub", "re_extract", "re_has", "levenshtein", "translate", "let", *_LAMBDA_OPS})


class _Renderer:
    def __init__(self, prefix: str, dialect: str = "duckdb") -> None:
        self.prefix = prefix
        self.spark = dialect == "spark"
        self._render_op = _render_spark if self.spark else _render
        self.memo: dict[tuple[int, int], str] = {}
        self._scopes: list[dict[int, str]] = []  # keeps every scope alive: ids stay unique

    def render(self, e: Expr, subst: dict[int, str]) -> str:
        if id(e) in subst:
            return subst[id(e)]
        key = (id(e), id(subst))
        if key not in self.memo:
            if e.op == "let":
                self.memo[key] = self._let(e, subst)
            else:
                self.memo[key] = self._render_op(e, lambda x: self.render(x, subst), self.prefix)
        return self.memo[key]

    # -- staging of let bodies ----------------------------------------------------------------
    def _let(self, e: Expr, subst: dict[int, str]) -> str:
        value, body, param = e.args
        value_sql = self.render(value, subst)
        pname = str(param.data[0])
        levels, uses = _plan(body, param, subst)
        if not levels:
            inner = {**subst, id(param): pname}
            self._scopes.append(inner)
            return self._first(self._transform(self._singleton(value_sql), pname, self.render(body, inner)))
        # needed[k]: the shared nodes (and the param) stage k or later still reads.
        order: list[list[Expr]] = levels
        final_uses = uses[id(body)]
        chain = self._singleton(value_sql)
        current = {**subst, id(param): pname}
        self._scopes.append(current)
        qname = pname
        for k, stage in enumerate(order):
            later: set[int] = set(final_uses)
            for later_stage in order[k + 1 :]:
                for node in later_stage:
                    later |= uses[id(node)]
            fields: list[tuple[str, str]] = []
            carried = [
                (nid, ref)
                for nid, ref in current.items()
                if nid not in subst and nid in later and nid != id(param)
            ]
            if id(param) in later:
                fields.append(("v", current[id(param)]))
            fields.extend((ref.rsplit(".", 1)[-1], ref) for _, ref in carried)
            fields.extend((f"s{node.serial}", self.render(node, current)) for node in stage)
            chain = self._transform(chain, qname, self._struct(fields))
            next_q = f"{pname}_{k + 1}"
            nxt = dict(subst)
            if id(param) in later:
                nxt[id(param)] = f"{next_q}.v"
            for nid, ref in carried:
                nxt[nid] = f"{next_q}.{ref.rsplit('.', 1)[-1]}"
            for node in stage:
                nxt[id(node)] = f"{next_q}.s{node.serial}"
            self._scopes.append(nxt)
            current, qname = nxt, next_q
        return self._first(self._transform(chain, qname, self.render(body, current)))

    # -- the few shapes the staging writes itself, per dialect ---------------------------------
    def _singleton(self, value_sql: str) -> str:
        return f"array({value_sql})" if self.spark else f"[{value_sql}]"

    def _transform(self, list_sql: str, param: str, body_sql: str) -> str:
        if self.spark:
            return f"transform({list_sql}, {param} -> {body_sql})"
        return f"list_transform({list_sql}, lambda {param}: {body_sql})"

    def _first(self, list_sql: str) -> str:
        return f"{list_sql}[0]" if self.spark else f"{list_sql}[1]"

    def _struct(self, fields: list[tuple[str, str]]) -> str:
        if self.spark:
            return "named_struct(" + ", ".join(f"{_spark_str(k)}, {v}" for k, v in fields) + ")"
        return "{" + ", ".join(f"'{k}': {v}" for k, v in fields) + "}"


def _plan(body: Expr, param: Expr, subst: dict[int, str]) -> tuple[list[list[Expr]], dict[int, set[int]]]:
    """Which nodes of a let body to compute once, in which step.

    Returns the steps (lists of nodes; a node only reads nodes of earlier steps) and, for
    every node computed in a step and for the body, the ids of the step results (and of the
    parameter) it reads directly."""
    refs: dict[int, int] = {}
    nodes: dict[int, Expr] = {}
    uncond: set[int] = set()
    order: list[Expr] = []  # postorder
    stack: list[tuple[Expr, bool, bool]] = [(body, False, True)]
    visited: set[int] = set()
    # Count references, and find nodes evaluated for every row (not only in a branch).
    while stack:
        node, done, unconditional = stack.pop()
        if done:
            order.append(node)
            continue
        if unconditional:
            uncond.add(id(node))
        first_visit = id(node) not in visited
        if not first_visit and not (unconditional and id(node) not in _SEEN_UNCOND):
            continue
        visited.add(id(node))
        if unconditional:
            _SEEN_UNCOND.add(id(node))
        nodes[id(node)] = node
        if first_visit:
            stack.append((node, True, unconditional))
        if id(node) in subst or node is param or node.op in _LEAF_OPS:
            continue
        for child, cond in _children(node):
            if first_visit:
                refs[id(child)] = refs.get(id(child), 0) + 1
            stack.append((child, False, unconditional and not cond))
    _SEEN_UNCOND.clear()
    cost: dict[int, int] = {}
    for node in order:
        if (
            id(node) in subst
            or node is param
            or node.op in _LEAF_OPS
            or (node.op == "field" and cost.get(id(node.args[0]), 1) == 0)
        ):
            cost[id(node)] = 0
        else:
            own = _OP_WEIGHT.get(node.op, 1)
            cost[id(node)] = own + sum(cost.get(id(c), 0) for c, _ in _children(node))
    heavy: dict[int, bool] = {}
    for node in order:
        leaf = id(node) in subst or node is param or node.op in _LEAF_OPS
        heavy[id(node)] = not leaf and (
            node.op in _HEAVY_OPS or any(heavy.get(id(c), False) for c, _ in _children(node))
        )
    shared = {
        id(n)
        for n in order
        if (id(n) in uncond or not heavy[id(n)])
        and cost[id(n)] > 0
        and n is not body
        and n.op != "make_date"  # only safe under the check make_date() wraps it in
        and (refs.get(id(n), 0) - 1) * cost[id(n)] >= _HOIST_AT
    }
    if not shared:
        return [], {}
    level: dict[int, int] = {}
    uses: dict[int, set[int]] = {}

    def direct(n: Expr) -> set[int]:
        out: set[int] = set()
        seen: set[int] = set()
        todo = [c for c, _ in _children(n)]
        while todo:
            x = todo.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if id(x) in shared:
                out.add(id(x))
            elif x is param:
                out.add(id(param))
            elif id(x) not in subst and x.op not in _LEAF_OPS:
                todo.extend(c for c, _ in _children(x))
        return out

    for n in order:
        if id(n) in shared:
            uses[id(n)] = direct(n)
            level[id(n)] = 1 + max((level[u] for u in uses[id(n)] if u in level), default=-1)
    uses[id(body)] = direct(body) if id(body) not in shared else {id(body)}
    depth = max(level.values()) + 1
    levels: list[list[Expr]] = [[] for _ in range(depth)]
    for n in order:
        if id(n) in shared:
            levels[level[id(n)]].append(n)
    return levels, uses


_SEEN_UNCOND: set[int] = set()


def _children(e: Expr) -> list[tuple[Expr, bool]]:
    """Children of a node, each with whether it is evaluated only for some rows."""
    if e.op in _LAMBDA_OPS:
        # the list is evaluated for every row; the lambda body per element
        return [(e.args[0], False), *((x, False) for x in _frontier(e.args[1], e.args[2]))]
    if e.op == "case":
        has_default = e.data[0]
        n = len(e.args) - 1 if has_default else len(e.args)
        out: list[tuple[Expr, bool]] = []
        rare = e.data[1]
        for i in range(0, n, 2):
            out.append((e.args[i], False))
            out.append((e.args[i + 1], rare))
        if has_default:
            out.append((e.args[-1], rare))
        return out
    if e.op == "let":
        return [(e.args[0], False)]
    return [(x, False) for x in e.args]


def _frontier(body: Expr, p: Expr) -> list[Expr]:
    """Largest parts of a list-lambda body that do not use the element parameter."""
    out: list[Expr] = []
    seen: set[int] = set()
    uses: dict[int, bool] = {}

    def uses_p(x: Expr) -> bool:
        if id(x) not in uses:
            uses[id(x)] = x is p or any(uses_p(a) for a in x.args)
        return uses[id(x)]

    todo = [body]
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if not uses_p(x):
            if x.op not in _LEAF_OPS:
                out.append(x)
            continue
        todo.extend(x.args)
    return out


def check_flat(expr: Expr) -> None:
    """Refuse a :func:`let` inside the body of another ``let`` or list lambda.

    DuckDB binds nested lambdas in time exponential in their depth; rules chain lets
    instead (a let may be the *value* of another)."""
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        e, inside = stack.pop()
        if (id(e), inside) in seen:
            continue
        seen.add((id(e), inside))
        if e.op == "let":
            if inside:
                raise ValueError("a let inside a lambda body; chain lets instead")
            stack.append((e.args[0], inside))
            stack.append((e.args[1], True))
        elif e.op in ("list_map", "list_filter"):
            stack.append((e.args[0], inside))
            stack.append((e.args[1], True))
        else:
            stack.extend((a, inside) for a in e.args)


def sql_size(expr: Expr) -> int:
    """Length of the rendered SQL, computed without rendering (for tests on text growth)."""
    memo: dict[int, int] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in memo:
            continue
        if ready:
            memo[id(e)] = 20 + sum(memo[id(a)] for a in e.args)
            continue
        stack.append((e, True))
        stack.extend((a, False) for a in e.args if id(a) not in memo)
    return memo[id(expr)]


def _render(e: Expr, r: Callable[[Expr], str], prefix: str) -> str:
    op, a, d = e.op, e.args, e.data
    if op == "col":
        return f'{prefix}"{d[0]}"'
    if op == "lit":
        return _sql_lit(d[0])
    if op == "null":
        return f"CAST(NULL AS {d[0]})"
    if op == "param":
        return str(d[0])
    if op == "upper":
        return f"upper({r(a[0])})"
    if op == "trim":
        return f"trim({r(a[0])})"
    if op == "lower":
        return f"lower({r(a[0])})"
    if op == "length":
        return f"length({r(a[0])})"
    if op == "replace":
        return f"replace({r(a[0])}, {_sql_str(d[0])}, {_sql_str(d[1])})"
    if op == "translate":
        return f"translate({r(a[0])}, {_sql_str(d[0])}, {_sql_str(d[1])})"
    if op == "re_sub":
        flags = ", 'g'" if d[2] else ""
        return f"regexp_replace({r(a[0])}, {_sql_str(d[0])}, {_sql_str(d[1])}{flags})"
    if op == "re_extract":
        return f"regexp_extract({r(a[0])}, {_sql_str(d[0])}, {d[1]})"
    if op == "re_has":
        return f"regexp_matches({r(a[0])}, {_sql_str(d[0])})"
    if op == "concat":
        return f"({r(a[0])} || {r(a[1])})"
    if op == "substr":
        return f"substring({r(a[0])}, {d[0]}, {d[1]})"
    if op == "nullif":
        return f"nullif({r(a[0])}, {r(a[1])})"
    if op == "contains":
        return f"contains({r(a[0])}, {_sql_str(d[0])})"
    if op == "lpad":
        return f"lpad({r(a[0])}, {d[0]}, {_sql_str(d[1])})"
    if op == "try_date":
        x = r(a[0])
        if d[0]:
            return f"TRY_CAST({x} AS DATE)"
        shape = "'^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$'"
        return f"(CASE WHEN regexp_matches({x}, {shape}) THEN TRY_CAST({x} AS DATE) END)"
    if op == "re_findall":
        return f"regexp_extract_all({r(a[0])}, {_sql_str(d[0])})"
    if op == "has_non_ascii":
        x = r(a[0])
        return f"(strlen({x}) <> length({x}))"
    if op == "substr_from":
        return f"substring({r(a[0])}, greatest(1, {r(a[1])}))"
    if op == "split":
        return f"string_split({r(a[0])}, {_sql_str(d[0])})"
    if op == "to_int":
        return f"TRY_CAST({r(a[0])} AS INTEGER)"
    if op == "lookup":
        mapping, sql_type = d
        items = ", ".join(f"{_sql_str(k)}: {_sql_lit(v)}" for k, v in mapping.items())
        return f"(MAP {{{items}}}::MAP(VARCHAR, {sql_type}))[{r(a[0])}]"
    if op == "at":
        return f"({r(a[0])})[{r(a[1])}]"
    if op == "list_len":
        return f"len({r(a[0])})"
    if op == "list_sort":
        return f"list_sort({r(a[0])}, 'ASC', 'NULLS LAST')"
    if op == "list_position":
        return f"list_position({r(a[0])}, {r(a[1])})"
    if op == "list_slice_from":
        return f"list_slice({r(a[0])}, greatest(1, {r(a[1])}), 2147483647)"
    if op == "list_distinct":
        return f"list_distinct({r(a[0])})"
    if op == "list_min":
        return f"list_min({r(a[0])})"
    if op == "list_max":
        return f"list_max({r(a[0])})"
    if op == "to_str":
        return f"CAST({r(a[0])} AS VARCHAR)"
    if op == "concat_ws":
        return f"concat_ws({_sql_str(d[0])}, {', '.join(r(x) for x in a)})"
    if op == "list_join":
        return f"array_to_string({r(a[0])}, {_sql_str(d[0])})"
    if op == "list_slice":
        return f"list_slice({r(a[0])}, {d[0]}, 2147483647)"
    if op in ("list_map", "list_filter"):
        fn = "list_transform" if op == "list_map" else "list_filter"
        return f"{fn}({r(a[0])}, lambda {a[2].data[0]}: {r(a[1])})"
    if op == "let":
        value, body_expr, params = a[0], a[1], a[2:]
        if len(params) == 1:
            return f"list_transform([{r(value)}], lambda {params[0].data[0]}: {r(body_expr)})[1]"
        raise AssertionError("multi-value let is rendered from a struct")
    if op == "struct":
        return "{" + ", ".join(f"'{k}': {r(x)}" for k, x in zip(d[0], a, strict=True)) + "}"
    if op == "field":
        return f"{r(a[0])}.{d[0]}"
    if op == "cmp":
        return f"({r(a[0])} {d[0]} {r(a[1])})"
    if op == "isin":
        return f"({r(a[0])} IN ({', '.join(_sql_lit(v) for v in d[0])}))"
    if op == "is_null":
        return f"({r(a[0])} IS NULL)"
    if op == "not_null":
        return f"({r(a[0])} IS NOT NULL)"
    if op == "arith":
        return f"({r(a[0])} {d[0]} {r(a[1])})"
    if op == "cast":
        return f"CAST({r(a[0])} AS {d[0]})"
    if op == "and":
        return "(" + " AND ".join(r(x) for x in a) + ")"
    if op == "or":
        return "(" + " OR ".join(r(x) for x in a) + ")"
    if op == "not":
        return f"(NOT {r(a[0])})"
    if op == "case":
        has_default = d[0]
        n = len(a) - 1 if has_default else len(a)
        parts = [f"WHEN {r(a[i])} THEN {r(a[i + 1])}" for i in range(0, n, 2)]
        tail = f" ELSE {r(a[-1])}" if has_default else ""
        return f"(CASE {' '.join(parts)}{tail} END)"
    if op == "coalesce":
        return f"coalesce({', '.join(r(x) for x in a)})"
    if op == "make_date":  # only ever rendered under the check built by make_date()
        return f"make_date({r(a[0])}, {r(a[1])}, {r(a[2])})"
    if op == "date_add":
        base: datetime.date = d[0]
        low = (datetime.date.min - base).days
        high = (datetime.date.max - base).days
        days = r(a[0])
        return (
            f"(CASE WHEN {days} BETWEEN {low} AND {high} THEN "
            f"CAST({_sql_lit(base)} + greatest({low}, least({days}, {high})) AS DATE) END)"
        )
    if op == "date_part":
        return f"CAST({d[0]}({r(a[0])}) AS INTEGER)"
    if op == "levenshtein":
        return f"levenshtein({r(a[0])}, {r(a[1])})"
    raise AssertionError(f"unknown op {op}")


# ---- Spark SQL rendering -------------------------------------------------------------------

SPARK_TYPES = {
    "VARCHAR": "STRING",
    "INTEGER": "INT",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "VARCHAR[]": "ARRAY<STRING>",
    "INTEGER[]": "ARRAY<INT>",
}


def _spark_str(value: str) -> str:
    """A Spark SQL string literal: Spark reads backslash escapes inside quotes (and two
    adjacent literals as one), so backslashes and quotes are escaped with a backslash."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _spark_lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _spark_str(value)
    if isinstance(value, datetime.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, list | tuple):
        return "array(" + ", ".join(_spark_lit(v) for v in value) + ")"
    raise TypeError(type(value).__name__)


def _java_pattern(pattern: str, *, first_only_prefix: bool = False) -> str:
    """The RE2 pattern as a Java regex with RE2's meaning.

    ``(?d)`` (UNIX_LINES) makes ``.`` exclude only ``\\n`` as in RE2, ``$`` outside classes
    becomes ``\\z`` (end of text; Java's ``$`` also matches before a final newline), and ``[``
    and ``&&`` inside a class are escaped (Java reads them as nested classes/intersections).
    ``first_only_prefix`` wraps the pattern as ``\\A((?s:.*?))(?:pattern)`` so that a
    replace-all replaces only the first match (the lazy prefix finds the leftmost one)."""
    out: list[str] = []
    in_class = False
    escaped = False
    class_start = 0
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            if ch == "]" and len(out) - class_start > (
                2 if out[class_start + 1 : class_start + 2] == ["^"] else 1
            ):
                in_class = False
                out.append(ch)
            elif ch == "[":
                out.append("\\[")
            elif ch == "&" and out and out[-1] == "&":
                out.append("\\&")
            else:
                out.append(ch)
        elif ch == "[":
            class_start = len(out)
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append("\\z")
        else:
            out.append(ch)
    body = "".join(out)
    if first_only_prefix:
        return f"(?d)\\A((?s:.*?))(?:{body})"
    return f"(?d){body}"


def _java_replacement(repl: str, *, shift: int = 0) -> str:
    """RE2 replacement text (``\\1``..``\\9`` are groups) as Java replacement text (``$1``):
    a literal ``$`` or backslash is escaped; group numbers move up by ``shift``."""
    out: list[str] = []
    i = 0
    while i < len(repl):
        ch = repl[i]
        if ch == "\\" and i + 1 < len(repl) and repl[i + 1].isdigit():
            if i + 2 < len(repl) and repl[i + 2].isdigit():
                # Java would read "$12" as group 12 when the pattern has that many groups
                raise ValueError(f"group reference followed by a digit is ambiguous in Java: {repl!r}")
            out.append("$" + str(int(repl[i + 1]) + shift))
            i += 2
            continue
        if ch == "\\" and i + 1 < len(repl) and repl[i + 1] == "\\":
            out.append("\\\\")
            i += 2
            continue
        if ch in ("$", "\\"):
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _render_spark(e: Expr, r: Callable[[Expr], str], prefix: str) -> str:
    """One operation in Spark SQL (Spark 3.4+), with the meaning the DuckDB rendering and the
    Python twin have. Where Spark differs, the rendering compensates:

    * regular expressions are Java's: see :func:`_java_pattern`; ``regexp_replace`` has no
      first-match-only mode, so that is a replace-all anchored at the start of the text;
      ``regexp_extract_all`` takes group 0 explicitly (Spark's default is group 1);
    * lists are 0-based and ``[]`` fails out of range in ANSI mode, so element reads are
      ``try_element_at`` (1-based) and an index below 1 reads NULL as in the Python twin;
    * ``array_position`` gives 0 for "absent" (NULL in DuckDB); ``array_distinct`` keeps a
      NULL (DuckDB drops it); ``size`` of NULL may be -1 (``array_size`` is NULL);
    * ``split`` takes a regular expression, so the separator is quoted;
    * casts that can fail are ``try_cast``, so the SQL runs with ANSI mode on or off."""
    op, a, d = e.op, e.args, e.data
    if op == "col":
        return f"{prefix}`{d[0]}`"
    if op == "lit":
        return _spark_lit(d[0])
    if op == "null":
        return f"CAST(NULL AS {SPARK_TYPES[d[0]]})"
    if op == "param":
        return str(d[0])
    if op in ("upper", "lower", "trim", "length"):
        return f"{op}({r(a[0])})"
    if op == "replace":
        if d[0] == "":
            return r(a[0])
        return f"replace({r(a[0])}, {_spark_str(d[0])}, {_spark_str(d[1])})"
    if op == "translate":
        return f"translate({r(a[0])}, {_spark_str(d[0])}, {_spark_str(d[1])})"
    if op == "re_sub":
        if d[2]:
            pattern, repl = _java_pattern(d[0]), _java_replacement(d[1])
        else:
            pattern, repl = (
                _java_pattern(d[0], first_only_prefix=True),
                "$1" + _java_replacement(d[1], shift=1),
            )
        return f"regexp_replace({r(a[0])}, {_spark_str(pattern)}, {_spark_str(repl)})"
    if op == "re_extract":
        return f"regexp_extract({r(a[0])}, {_spark_str(_java_pattern(d[0]))}, {d[1]})"
    if op == "re_has":
        return f"({r(a[0])} RLIKE {_spark_str(_java_pattern(d[0]))})"
    if op == "concat":
        return f"concat({r(a[0])}, {r(a[1])})"
    if op == "substr":
        return f"substring({r(a[0])}, {d[0]}, {d[1]})"
    if op == "nullif":
        return f"nullif({r(a[0])}, {r(a[1])})"
    if op == "contains":
        return f"(instr({r(a[0])}, {_spark_str(d[0])}) > 0)"
    if op == "lpad":
        return f"lpad({r(a[0])}, {d[0]}, {_spark_str(d[1])})"
    if op == "try_date":
        x = r(a[0])
        if d[0]:
            return f"try_cast({x} AS DATE)"
        shape = _spark_str(_java_pattern("^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"))
        return f"(CASE WHEN {x} RLIKE {shape} THEN try_cast({x} AS DATE) END)"
    if op == "re_findall":
        return f"regexp_extract_all({r(a[0])}, {_spark_str(_java_pattern(d[0]))}, 0)"
    if op == "has_non_ascii":
        x = r(a[0])
        return f"(octet_length({x}) <> length({x}))"
    if op == "substr_from":
        return f"substring({r(a[0])}, greatest(1, {r(a[1])}))"
    if op == "split":
        sep = d[0]
        regex = sep if re.fullmatch(r"[A-Za-z0-9 ,;:|_-]*", sep) and "|" not in sep else f"\\Q{sep}\\E"
        if sep == "":
            return f"CASE WHEN {r(a[0])} IS NOT NULL THEN array({r(a[0])}) END"
        return f"split({r(a[0])}, {_spark_str(regex)}, -1)"
    if op == "to_int":
        return f"try_cast({r(a[0])} AS INT)"
    if op == "lookup":
        mapping, sql_type = d
        spark_type = SPARK_TYPES[sql_type]
        items = ", ".join(
            f"{_spark_str(k)}, CAST({_spark_lit(v)} AS {spark_type})" for k, v in mapping.items()
        )
        return f"try_element_at(map({items}), {r(a[0])})"
    if op == "at":
        index = a[1]
        if index.op == "lit" and isinstance(index.data[0], int):
            if index.data[0] < 1:
                return "NULL"
            return f"try_element_at({r(a[0])}, {index.data[0]})"
        i = r(index)
        return f"try_element_at({r(a[0])}, CASE WHEN {i} >= 1 THEN {i} END)"
    if op == "list_len":
        return f"array_size({r(a[0])})"
    if op == "list_sort":
        return f"array_sort({r(a[0])})"
    if op == "list_position":
        return f"CAST(nullif(array_position({r(a[0])}, {r(a[1])}), 0) AS INT)"
    if op == "list_slice_from":
        lst = r(a[0])
        return f"slice({lst}, greatest(1, {r(a[1])}), array_size({lst}))"
    if op == "list_distinct":
        name = f"_d{e.serial}"
        return f"array_distinct(filter({r(a[0])}, {name} -> {name} IS NOT NULL))"
    if op == "list_min":
        return f"array_min({r(a[0])})"
    if op == "list_max":
        return f"array_max({r(a[0])})"
    if op == "to_str":
        return f"CAST({r(a[0])} AS STRING)"
    if op == "concat_ws":
        return f"concat_ws({_spark_str(d[0])}, {', '.join(r(x) for x in a)})"
    if op == "list_join":
        return f"array_join({r(a[0])}, {_spark_str(d[0])})"
    if op == "list_slice":
        lst = r(a[0])
        return f"slice({lst}, {d[0]}, array_size({lst}))"
    if op in ("list_map", "list_filter"):
        fn = "transform" if op == "list_map" else "filter"
        return f"{fn}({r(a[0])}, {a[2].data[0]} -> {r(a[1])})"
    if op == "let":
        value, body_expr, params = a[0], a[1], a[2:]
        return f"transform(array({r(value)}), {params[0].data[0]} -> {r(body_expr)})[0]"
    if op == "struct":
        return (
            "named_struct("
            + ", ".join(f"{_spark_str(k)}, {r(x)}" for k, x in zip(d[0], a, strict=True))
            + ")"
        )
    if op == "field":
        return f"{r(a[0])}.{d[0]}"
    if op == "cmp":
        return f"({r(a[0])} {d[0]} {r(a[1])})"
    if op == "isin":
        return f"({r(a[0])} IN ({', '.join(_spark_lit(v) for v in d[0])}))"
    if op == "is_null":
        return f"({r(a[0])} IS NULL)"
    if op == "not_null":
        return f"({r(a[0])} IS NOT NULL)"
    if op == "arith":
        return f"({r(a[0])} {d[0]} {r(a[1])})"
    if op == "cast":
        return f"CAST({r(a[0])} AS {SPARK_TYPES[d[0]]})"
    if op == "and":
        return "(" + " AND ".join(r(x) for x in a) + ")"
    if op == "or":
        return "(" + " OR ".join(r(x) for x in a) + ")"
    if op == "not":
        return f"(NOT {r(a[0])})"
    if op == "case":
        has_default = d[0]
        n = len(a) - 1 if has_default else len(a)
        parts = [f"WHEN {r(a[i])} THEN {r(a[i + 1])}" for i in range(0, n, 2)]
        tail = f" ELSE {r(a[-1])}" if has_default else ""
        return f"(CASE {' '.join(parts)}{tail} END)"
    if op == "coalesce":
        return f"coalesce({', '.join(r(x) for x in a)})"
    if op == "make_date":  # only ever rendered under the check built by make_date()
        return f"make_date({r(a[0])}, {r(a[1])}, {r(a[2])})"
    if op == "date_add":
        base: datetime.date = d[0]
        low = (datetime.date.min - base).days
        high = (datetime.date.max - base).days
        days = r(a[0])
        return f"(CASE WHEN {days} BETWEEN {low} AND {high} THEN date_add({_spark_lit(base)}, {days}) END)"
    if op == "date_part":
        fn = {"year": "year", "month": "month", "day": "dayofmonth"}[d[0]]
        return f"CAST({fn}({r(a[0])}) AS INT)"
    if op == "levenshtein":
        return f"levenshtein({r(a[0])}, {r(a[1])})"
    raise AssertionError(f"unknown op {op}")


# ---- Python compilation --------------------------------------------------------------------


def compile_py(expr: Expr) -> Compiled:
    """Compile a tree to a function of one record (column name -> value)."""
    counts: dict[int, int] = {}

    def count(e: Expr) -> None:
        counts[id(e)] = counts.get(id(e), 0) + 1
        if counts[id(e)] == 1:
            for child in e.args:
                count(child)

    count(expr)
    compiled: dict[int, PyFn] = {}

    def c(e: Expr) -> PyFn:
        key = id(e)
        if key in compiled:
            return compiled[key]
        fn = _compile(e, c)
        if counts.get(key, 0) > 1 and e.op not in ("col", "lit", "null", "param"):
            inner = fn

            def memo_fn(env: Env, _inner: PyFn = inner, _key: int = key) -> Any:
                cache: dict[int, Any] = env["__memo__"]
                if _key in cache:
                    return cache[_key]
                value = _inner(env)
                cache[_key] = value
                return value

            fn = memo_fn
        compiled[key] = fn
        return fn

    root = c(expr)

    def run(record: Mapping[str, Any]) -> Any:
        env: Env = dict(record)
        env["__memo__"] = {}
        return root(env)

    return run


def _null_prop1(f: Callable[[Any], Any], x: PyFn) -> PyFn:
    def fn(env: Env) -> Any:
        v = x(env)
        return None if v is None else f(v)

    return fn


def _null_prop2(f: Callable[[Any, Any], Any], x: PyFn, y: PyFn) -> PyFn:
    def fn(env: Env) -> Any:
        v = x(env)
        if v is None:
            return None
        w = y(env)
        return None if w is None else f(v, w)

    return fn


_ASCII_UPPER = {i: i - 32 for i in range(ord("a"), ord("z") + 1)}


def _py_upper(s: str) -> str:
    return s.translate(_ASCII_UPPER)


_ASCII_LOWER = {i: i + 32 for i in range(ord("A"), ord("Z") + 1)}


def _py_lower(s: str) -> str:
    return s.translate(_ASCII_LOWER)


def _py_trim(s: str) -> str:
    return s.strip(" ")


_ISO_DATE = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)


def _py_try_date(s: str) -> datetime.date | None:
    if not _ISO_DATE.match(s):
        return None
    try:
        return datetime.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None


def _py_to_int(s: str) -> int | None:
    """TRY_CAST(text AS INTEGER) for text of ASCII digits: NULL beyond the INTEGER range."""
    if s and s.isascii() and s.isdigit():
        value = int(s)
        return value if value <= 2147483647 else None
    return None


def _py_levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return len(b)
    if not b:
        return len(a)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _py_cmp(sym: str) -> Callable[[Any, Any], bool]:
    return {
        "=": lambda a, b: a == b,
        "<>": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[sym]


def _compile(e: Expr, c: Callable[[Expr], PyFn]) -> PyFn:
    op, a, d = e.op, e.args, e.data
    if op == "col":
        name = d[0]
        return lambda env: env.get(name)
    if op == "lit":
        value = d[0]
        return lambda env: value
    if op == "null":
        return lambda env: None
    if op == "param":
        name = d[0]
        return lambda env: env[name]
    if op == "upper":
        return _null_prop1(_py_upper, c(a[0]))
    if op == "trim":
        return _null_prop1(_py_trim, c(a[0]))
    if op == "lower":
        return _null_prop1(_py_lower, c(a[0]))
    if op == "length":
        return _null_prop1(len, c(a[0]))
    if op == "replace":
        old, new = d
        if old == "":
            return c(a[0])
        return _null_prop1(lambda s: s.replace(old, new), c(a[0]))
    if op == "translate":
        src, dst = d
        table: dict[int, int | None] = {}
        for i, ch in enumerate(src):
            if ord(ch) not in table:
                table[ord(ch)] = ord(dst[i]) if i < len(dst) else None
        return _null_prop1(lambda s: s.translate(table), c(a[0]))
    if op == "re_sub":
        pattern = _py_pattern(d[0])
        repl = d[1]
        count = 0 if d[2] else 1
        return _null_prop1(lambda s: pattern.sub(repl, s, count=count), c(a[0]))
    if op == "re_extract":
        pattern = _py_pattern(d[0])
        group = d[1]

        def extract(s: str) -> str:
            m = pattern.search(s)
            if m is None:
                return ""
            return m.group(group) or ""

        return _null_prop1(extract, c(a[0]))
    if op == "re_has":
        pattern = _py_pattern(d[0])
        return _null_prop1(lambda s: pattern.search(s) is not None, c(a[0]))
    if op == "concat":
        return _null_prop2(lambda x, y: str(x) + str(y), c(a[0]), c(a[1]))
    if op == "substr":
        start, length = d
        return _null_prop1(lambda s: s[start - 1 : start - 1 + length], c(a[0]))
    if op == "contains":
        needle = d[0]
        return _null_prop1(lambda s: needle in s, c(a[0]))
    if op == "has_non_ascii":
        return _null_prop1(lambda s: not s.isascii(), c(a[0]))
    if op == "lpad":
        width, fill = d
        return _null_prop1(lambda s: s[:width] if len(s) >= width else fill * (width - len(s)) + s, c(a[0]))
    if op == "try_date":
        return _null_prop1(_py_try_date, c(a[0]))
    if op == "re_findall":
        pattern_all = _py_pattern(d[0])
        return _null_prop1(lambda s: [m.group(0) for m in pattern_all.finditer(s)], c(a[0]))
    if op == "substr_from":
        return _null_prop2(lambda s, i: s[max(1, i) - 1 :], c(a[0]), c(a[1]))
    if op == "nullif":
        x, y = c(a[0]), c(a[1])

        def nullif(env: Env) -> Any:
            v = x(env)
            if v is None:
                return None
            w = y(env)
            return None if w is not None and v == w else v

        return nullif
    if op == "split":
        sep = d[0]
        return _null_prop1(lambda s: s.split(sep), c(a[0]))
    if op == "to_int":
        return _null_prop1(_py_to_int, c(a[0]))
    if op == "lookup":
        mapping = d[0]
        return _null_prop1(lambda k: mapping.get(k), c(a[0]))
    if op == "at":

        def at(lst: Sequence[Any], i: int) -> Any:
            return lst[i - 1] if 1 <= i <= len(lst) else None

        return _null_prop2(at, c(a[0]), c(a[1]))
    if op == "list_len":
        return _null_prop1(len, c(a[0]))
    if op == "list_position":

        def position(lst: Sequence[Any], v: Any) -> int | None:
            for i, item in enumerate(lst, 1):
                if item == v:
                    return i
            return None

        return _null_prop2(position, c(a[0]), c(a[1]))
    if op == "list_slice_from":
        return _null_prop2(lambda lst, i: list(lst[max(1, i) - 1 :]), c(a[0]), c(a[1]))
    if op == "list_sort":
        return _null_prop1(
            lambda lst: sorted(v for v in lst if v is not None) + [v for v in lst if v is None],
            c(a[0]),
        )
    if op == "list_distinct":
        return _null_prop1(lambda lst: list(dict.fromkeys(v for v in lst if v is not None)), c(a[0]))
    if op == "list_min":
        return _null_prop1(lambda lst: min((v for v in lst if v is not None), default=None), c(a[0]))
    if op == "list_max":
        return _null_prop1(lambda lst: max((v for v in lst if v is not None), default=None), c(a[0]))
    if op == "to_str":
        return _null_prop1(str, c(a[0]))
    if op == "concat_ws":
        sep_ws: str = d[0]
        parts_ws = [c(x) for x in a]

        def concat_ws_fn(env: Env) -> str:
            return sep_ws.join(str(v) for v in (p(env) for p in parts_ws) if v is not None)

        return concat_ws_fn
    if op == "list_join":
        sep = d[0]
        return _null_prop1(lambda lst: sep.join(v for v in lst if v is not None), c(a[0]))
    if op == "list_slice":
        start = d[0]
        return _null_prop1(lambda lst: list(lst[start - 1 :]), c(a[0]))
    if op in ("list_map", "list_filter"):
        src, body, par = c(a[0]), c(a[1]), a[2].data[0]
        is_map = op == "list_map"

        def apply(env: Env) -> Any:
            lst = src(env)
            if lst is None:
                return None
            out = []
            for item in lst:
                inner = dict(env)
                inner[par] = item
                inner["__memo__"] = {}
                value = body(inner)
                if is_map:
                    out.append(value)
                elif value is True:
                    out.append(item)
            return out

        return apply
    if op == "cmp":
        return _null_prop2(_py_cmp(d[0]), c(a[0]), c(a[1]))
    if op == "isin":
        values = frozenset(d[0])
        return _null_prop1(lambda v: v in values, c(a[0]))
    if op == "is_null":
        x = c(a[0])
        return lambda env: x(env) is None
    if op == "not_null":
        x = c(a[0])
        return lambda env: x(env) is not None
    if op == "arith":
        sym = d[0]
        f: Callable[[Any, Any], Any] = {
            "+": lambda p, q: p + q,
            "-": lambda p, q: p - q,
            "*": lambda p, q: p * q,
            "%": lambda p, q: p % q,
        }[sym]
        return _null_prop2(f, c(a[0]), c(a[1]))
    if op == "cast":
        return c(a[0])
    if op == "and":
        parts = [c(x) for x in a]

        def and_fn(env: Env) -> bool | None:
            unknown = False
            for p in parts:
                v = p(env)
                if v is False:
                    return False
                if v is None:
                    unknown = True
            return None if unknown else True

        return and_fn
    if op == "or":
        parts = [c(x) for x in a]

        def or_fn(env: Env) -> bool | None:
            unknown = False
            for p in parts:
                v = p(env)
                if v is True:
                    return True
                if v is None:
                    unknown = True
            return None if unknown else False

        return or_fn
    if op == "not":
        return _null_prop1(lambda v: not v, c(a[0]))
    if op == "case":
        has_default = d[0]
        n = len(a) - 1 if has_default else len(a)
        pairs = [(c(a[i]), c(a[i + 1])) for i in range(0, n, 2)]
        default = c(a[-1]) if has_default else None

        def case_fn(env: Env) -> Any:
            for cond, value in pairs:
                if cond(env) is True:
                    return value(env)
            return default(env) if default is not None else None

        return case_fn
    if op == "coalesce":
        parts = [c(x) for x in a]

        def coalesce_fn(env: Env) -> Any:
            for p in parts:
                v = p(env)
                if v is not None:
                    return v
            return None

        return coalesce_fn
    if op == "make_date":
        y, m, dd = c(a[0]), c(a[1]), c(a[2])

        def make_date_fn(env: Env) -> Any:
            vy, vm, vd = y(env), m(env), dd(env)
            if vy is None or vm is None or vd is None:
                return None
            try:
                return datetime.date(vy, vm, vd)
            except ValueError:
                return None

        return make_date_fn
    if op == "date_add":
        base_date: datetime.date = d[0]

        def add_days(n: int) -> datetime.date | None:
            try:
                return base_date + datetime.timedelta(days=n)
            except OverflowError:
                return None

        return _null_prop1(add_days, c(a[0]))
    if op == "date_part":
        part = d[0]
        return _null_prop1(lambda dt: getattr(dt, part), c(a[0]))
    if op == "levenshtein":
        return _null_prop2(_py_levenshtein, c(a[0]), c(a[1]))
    if op == "let":
        value_fn, body_fn, pname = c(a[0]), c(a[1]), a[2].data[0]

        def let_fn(env: Env) -> Any:
            env[pname] = value_fn(env)
            return body_fn(env)

        return let_fn
    if op == "struct":
        keys = d[0]
        parts_struct = [c(x) for x in a]
        return lambda env: dict(zip(keys, (p(env) for p in parts_struct), strict=True))
    if op == "field":
        fname = d[0]
        return _null_prop1(lambda v: v[fname], c(a[0]))
    if op == "row":  # Python only: several outputs sharing one per-record memo
        parts_row = [c(x) for x in a]
        return lambda env: [p(env) for p in parts_row]
    raise AssertionError(f"unknown op {op}")
