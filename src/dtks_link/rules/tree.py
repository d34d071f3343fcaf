"""The rule language: an expression tree that renders to SQL in any dialect and runs in Python,
with one meaning.

Every standardisation rule is written once as an :class:`Expr` tree, built with the helper
functions here (:func:`col`, :func:`lit`, :func:`case`, :func:`let`...) and the methods of
:class:`Expr` (``.upper()``, ``.re_sub()``, ``.lookup()``...). The same tree is

* rendered to one SQL expression in an engine's dialect (:func:`dtks_link.rules.render_sql`),
  or, for many outputs at once, to a staged query (:func:`dtks_link.rules.staged_query`);
* compiled to a Python function of one record (:func:`dtks_link.rules.compile_py`).

Because both come from one tree, the paths agree by construction, as long as each operation
means the same in every engine. The operations are chosen for that:

* regular expressions use the subset shared by RE2 (DuckDB) and Python ``re`` with
  ``re.ASCII`` (see :mod:`.regex`);
* SQL NULL is Python ``None`` and follows SQL three-valued logic;
* ``upper``/``lower`` only ever see ASCII (rules fold text first);
* list indexes are 1-based and out-of-range reads give NULL, as in DuckDB;
* every operation is total (never raises): DuckDB does not short-circuit ``AND``/``OR`` and
  may evaluate an expression for rows a ``CASE`` excludes, so e.g. :func:`make_date` checks
  the date itself and integer casts are ``TRY_CAST`` on digits.

Each operation is declared once in :mod:`.ops` (cost, flags, SQL, Python); the builders
here only make nodes. Types are named as DuckDB names them (:data:`TYPES`); a dialect maps
them to its own names.

How to write rules that run fast (DuckDB 2.0 measurements on 1M rows, 2 threads):

* a value needed several times is bound once with :func:`let`/:func:`let_many` (DuckDB's
  common-subexpression elimination does not look inside ``CASE``, ``AND`` or ``OR``);
* a let may not sit inside another let's body (:func:`~.sql.check_flat`): nested lambdas
  bind in time exponential in their depth; lets are chained instead;
* regular expressions are the main cost: a pass that cannot match is best skipped behind a
  cheap test (``contains``, a first character) in a ``case``; ``case(..., rare=True)`` keeps
  costly work that few rows need inside its branch.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .regex import check_pattern

# the package (dtks_link.rules) exports the public names of this module

TYPES = ("VARCHAR", "INTEGER", "BIGINT", "BOOLEAN", "DATE", "DOUBLE", "VARCHAR[]", "INTEGER[]")
"""The SQL types a rule may name (DuckDB's spelling; each dialect maps them)."""

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class Expr:
    """One node of a rule. Build nodes with the helper functions and methods, never directly."""

    __slots__ = ("args", "data", "op")

    def __init__(self, op: str, args: tuple[Expr, ...] = (), data: tuple[Any, ...] = ()) -> None:
        self.op = op
        self.args = args
        self.data = data

    def __repr__(self) -> str:
        return f"Expr({self.op!r}, {len(self.args)} args, data={self.data!r})"

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
        """Replace every non-overlapping occurrence of ``old``, left to right ('' replaces
        nothing)."""
        if old == "":
            return self
        return Expr("replace", (self,), (old, new))

    def translate(self, src: str, dst: str) -> Expr:
        """Map each character of ``src`` to the one at the same place in ``dst``; extra
        characters of ``src`` are deleted."""
        return Expr("translate", (self,), (src, dst))

    def re_sub(self, pattern: str, repl: str, *, every: bool = True) -> Expr:
        """Regex replace (every match, or only the first)."""
        check_pattern(pattern)
        return Expr("re_sub", (self,), (pattern, repl, every))

    def re_extract(self, pattern: str, group: int = 0) -> Expr:
        """First match's group, '' when there is no match or the group did not take part."""
        check_pattern(pattern)
        return Expr("re_extract", (self,), (pattern, group))

    def re_has(self, pattern: str) -> Expr:
        """True when the pattern matches somewhere (search, not full match)."""
        check_pattern(pattern)
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
        check_pattern(pattern)
        return Expr("re_findall", (self,), (pattern,))

    def contains(self, needle: str) -> Expr:
        """Plain substring test (no regex)."""
        return Expr("contains", (self,), (needle,))

    def substr_from(self, start: Expr) -> Expr:
        """1-based substring from ``start`` (at least 1) to the end."""
        return Expr("substr_from", (self, start))

    def split_part(self, sep: str, index: int) -> Expr:
        """The ``index``-th (1-based) part of the text split on a literal, non-empty separator;
        '' when it has fewer parts."""
        if not sep or index < 1:
            raise ValueError("split_part needs a separator and an index of at least 1")
        return Expr("split_part", (self,), (sep, index))

    def starts_with(self, prefix: Expr | str) -> Expr:
        """True when the text begins with ``prefix`` (every text begins with '')."""
        return Expr("starts_with", (self, _wrap(prefix)))

    def sorted_chars(self) -> Expr:
        """The text's characters in sorted order (an anagram key: ``3125`` and ``1235`` agree)."""
        return Expr("sorted_chars", (self,))

    def nullif(self, value: Expr | str | int) -> Expr:
        return Expr("nullif", (self, _wrap(value)))

    def split(self, sep: str) -> Expr:
        """Split into a list on a literal, non-empty separator ('' gives [''])."""
        if not sep:
            raise ValueError("split needs a separator (engines disagree on splitting by '')")
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
        _check_type(sql_type)
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

    def list_has(self, value: Expr | object) -> Expr:
        """True when the list holds ``value`` (NULL when either is NULL)."""
        return Expr("list_has", (self, _wrap(value)))

    def list_has_all(self, other: Expr) -> Expr:
        """True when every element of ``other`` is in this list (lists without NULL elements;
        NULL when either list is NULL)."""
        return Expr("list_has_all", (self, other))

    def list_overlaps(self, other: Expr) -> Expr:
        """True when the two lists share an element (lists without NULL elements; NULL when
        either list is NULL)."""
        return Expr("list_overlaps", (self, other))

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

    def abs(self) -> Expr:
        return Expr("abs", (self,))

    def floor_div(self, n: int) -> Expr:
        """Division by a positive integer, rounded down (``floor(x / n)``), as a BIGINT."""
        if n < 1:
            raise ValueError("floor_div needs a positive divisor")
        return Expr("floor_div", (self,), (n,))

    def to_str(self) -> Expr:
        """INTEGER to its decimal text."""
        return Expr("to_str", (self,))

    def cast(self, sql_type: str) -> Expr:
        """Declare the SQL type of the result (no conversion in Python)."""
        _check_type(sql_type)
        return Expr("cast", (self,), (sql_type,))


# ---- constructors ------------------------------------------------------------------------


def col(name: str) -> Expr:
    """A raw input column (VARCHAR or BOOLEAN)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"bad column name {name!r}")
    return Expr("col", (), (name,))


def lit(value: str | int | float | bool | datetime.date) -> Expr:
    """A constant (a float is a finite DOUBLE, such as a similarity threshold)."""
    if isinstance(value, datetime.datetime):
        raise TypeError("use a date, not a datetime")
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        raise ValueError(f"a float constant must be finite, not {value!r}")
    return Expr("lit", (), (value,))


def lit_list(values: Iterable[str]) -> Expr:
    """A constant list of text (rendered as a list literal)."""
    return Expr("lit", (), (list(values),))


def null(sql_type: str) -> Expr:
    """A typed NULL."""
    _check_type(sql_type)
    return Expr("null", (), (sql_type,))


def param() -> Expr:
    """A lambda parameter (internal): each call gives a new one; renderers name it."""
    return Expr("param")


def _wrap(value: Expr | object) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, str | int | float | bool | datetime.date):
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
        if not _NAME.fullmatch(key):
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


def greatest(*parts: Expr | object) -> Expr:
    """The largest of the values that are not NULL (NULL when all are)."""
    return Expr("greatest", tuple(_wrap(p) for p in parts))


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


def damerau_levenshtein(a: Expr, b: Expr) -> Expr:
    """Edit distance that also counts a swap of two adjacent characters as one edit (the
    unrestricted Damerau-Levenshtein distance of DuckDB and jellyfish)."""
    return Expr("damerau_levenshtein", (a, b))


def jaro_winkler(a: Expr, b: Expr) -> Expr:
    """Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, as DuckDB and jellyfish; 0.0 when
    either text is empty). A DOUBLE: compare it with thresholds, not for equality."""
    return Expr("jaro_winkler", (a, b))


def _check_type(sql_type: str) -> None:
    if sql_type not in TYPES:
        raise ValueError(f"unknown SQL type {sql_type!r}; expected one of {TYPES}")
