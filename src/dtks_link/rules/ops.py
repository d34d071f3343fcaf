"""The operations of the rule language, each declared once: name, cost, flags, default SQL and
Python meaning.

:data:`OPS` is the one table the renderers (:mod:`.sql`, :mod:`.staged`) and the Python
evaluator (:mod:`.python`) read. Adding an operation means one row here and one builder in
:mod:`.tree` (and a template in a dialect whose engine spells it differently, or lacks a
default here). The tests render every operation in every dialect and compare SQL with Python.

* ``sql``: the default template (:data:`~.dialects.Template`); ``None`` when engines spell it
  too differently for a shared default: then each dialect must give one.
* ``py``: called with the node's data, returns the function of the argument values; a NULL
  argument gives NULL without calling it, as in SQL (``strict`` names the arguments for
  which that holds when not all do). ``None`` for
  the forms that decide about NULLs or evaluation themselves (``and``, ``case``, ``let``...),
  which :mod:`.python` evaluates.
* ``cost``: rough cost of one evaluation per row, in units of a cheap scalar function; the
  renderers compute a repeated node once when the repeats cost enough.
* ``heavy``: costly enough that, needed only in a rare CASE branch, it stays in the branch.
* ``guarded``: only safe under the check its builder wraps it in (never moved out of it).
* ``binds_element``: a list lambda (arguments: list, body, parameter).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jellyfish

from .dialects import SqlParts, Template
from .regex import python_pattern

__all__ = ["OPS", "Op"]


@dataclass(frozen=True, kw_only=True)
class Op:
    """One operation of the rule language (see the module docstring)."""

    name: str
    sql: Template | None
    py: Callable[..., Callable[..., Any]] | None = None
    cost: int = 1
    heavy: bool = False
    guarded: bool = False
    binds_element: bool = False
    leaf: bool = False
    strict: tuple[int, ...] | None = None


# ---- Python meanings (on non-NULL values) ----------------------------------------------------


def _fixed(fn: Callable[..., Any]) -> Callable[..., Callable[..., Any]]:
    """For operations without data: the value function itself."""
    return lambda *data: fn


_ASCII_UPPER = {i: i - 32 for i in range(ord("a"), ord("z") + 1)}
_ASCII_LOWER = {i: i + 32 for i in range(ord("A"), ord("Z") + 1)}


def _upper(s: str) -> str:
    return s.translate(_ASCII_UPPER)


def _lower(s: str) -> str:
    return s.translate(_ASCII_LOWER)


def _trim(s: str) -> str:
    return s.strip(" ")


def _translate(src: str, dst: str) -> Callable[[str], str]:
    table: dict[int, int | None] = {}
    for i, ch in enumerate(src):
        if ord(ch) not in table:
            table[ord(ch)] = ord(dst[i]) if i < len(dst) else None
    return lambda s: s.translate(table)


def _re_sub(pattern: str, repl: str, every: bool) -> Callable[[str], str]:
    compiled, count = python_pattern(pattern), 0 if every else 1
    return lambda s: compiled.sub(repl, s, count=count)


def _re_extract(pattern: str, group: int) -> Callable[[str], str]:
    compiled = python_pattern(pattern)

    def extract(s: str) -> str:
        m = compiled.search(s)
        return "" if m is None else m.group(group) or ""

    return extract


def _re_has(pattern: str) -> Callable[[str], bool]:
    compiled = python_pattern(pattern)
    return lambda s: compiled.search(s) is not None


def _re_findall(pattern: str) -> Callable[[str], list[str]]:
    compiled = python_pattern(pattern)
    return lambda s: [m.group(0) for m in compiled.finditer(s)]


def _split_part(sep: str, index: int) -> Callable[[str], str]:
    def part(s: str) -> str:
        parts = s.split(sep)
        return parts[index - 1] if index <= len(parts) else ""

    return part


def _lpad(width: int, fill: str) -> Callable[[str], str]:
    return lambda s: s[:width] if len(s) >= width else fill * (width - len(s)) + s


_ISO_DATE_SHAPE = "^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"  # years 1000-9999, as DuckDB's DATE
_ISO_DATE = python_pattern(_ISO_DATE_SHAPE)


def _try_date(s: str) -> datetime.date | None:
    if not _ISO_DATE.match(s):
        return None
    try:
        return datetime.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None


def _to_int(s: str) -> int | None:
    """TRY_CAST(text AS INTEGER) for text of ASCII digits: NULL beyond the INTEGER range."""
    if s and s.isascii() and s.isdigit():
        value = int(s)
        return value if value <= 2147483647 else None
    return None


def _from(seq: Any, start: int | None) -> Any:
    """Elements from 1-based ``start`` (NULL or below 1: from the first), as SQL's
    ``greatest(1, start)``, which skips NULL."""
    return seq[max(1, start or 1) - 1 :]


def _at(lst: Sequence[Any], i: int) -> Any:
    return lst[i - 1] if 1 <= i <= len(lst) else None


def _position(lst: Sequence[Any], v: Any) -> int | None:
    for i, item in enumerate(lst, 1):
        if item == v:
            return i
    return None


def _sort(lst: Sequence[Any]) -> list[Any]:
    return sorted(v for v in lst if v is not None) + [v for v in lst if v is None]


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date_add(base: datetime.date) -> Callable[[int], datetime.date | None]:
    def add_days(n: int) -> datetime.date | None:
        try:
            return base + datetime.timedelta(days=n)
        except OverflowError:
            return None

    return add_days


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITHMETIC: Mapping[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,  # only used on non-negative integers, where SQL and Python agree
}


# ---- SQL that needs more than a format string -------------------------------------------------


def _try_date_sql(p: SqlParts) -> str:
    d, x = p.dialect, p.args[0]
    if p.node.data[0]:  # the caller promised the shape
        return d.try_cast(x, "DATE")
    shape = d.regex_matches(x, _ISO_DATE_SHAPE)
    return f"(CASE WHEN {shape} THEN {d.try_cast(x, 'DATE')} END)"


def _case_sql(p: SqlParts) -> str:
    has_default, a = p.node.data[0], p.args
    n = len(a) - 1 if has_default else len(a)
    parts = [f"WHEN {a[i]} THEN {a[i + 1]}" for i in range(0, n, 2)]
    tail = f" ELSE {a[-1]}" if has_default else ""
    return f"(CASE {' '.join(parts)}{tail} END)"


def _let_sql(p: SqlParts) -> str:
    d = p.dialect
    return d.first(d.transform(d.list_of([p.args[0]]), p.args[2], p.args[1]))


def _op(
    name: str, sql: Template | None, py: Callable[..., Callable[..., Any]] | None = None, **flags: Any
) -> Op:
    return Op(name=name, sql=sql, py=py, **flags)


def _element_op(name: str, dialect_method: str) -> Op:
    """A list operation with a lambda over each element (``list_map``, ``list_filter``), spelt
    by the dialect's method of that name from (list, element name, body)."""
    return _op(
        name,
        lambda p: getattr(p.dialect, dialect_method)(p.args[0], p.args[2], p.args[1]),
        cost=8,
        heavy=True,
        binds_element=True,
    )


_TABLE = (
    # leaves
    _op("col", lambda p: p.column(p.node.data[0]), leaf=True),
    _op("lit", lambda p: p.dialect.literal(p.node.data[0]), leaf=True),
    _op("null", "CAST(NULL AS {t[0]})", leaf=True),
    _op("param", lambda p: p.name(p.node), leaf=True),
    # text
    _op("upper", "upper({a[0]})", _fixed(_upper)),
    _op("lower", "lower({a[0]})", _fixed(_lower)),
    _op("trim", "trim({a[0]})", _fixed(_trim)),
    _op("length", "length({a[0]})", _fixed(len)),
    _op("replace", "replace({a[0]}, {q[0]}, {q[1]})", lambda old, new: lambda s: s.replace(old, new)),
    _op("translate", "translate({a[0]}, {q[0]}, {q[1]})", _translate, cost=5, heavy=True),
    _op("re_sub", None, _re_sub, cost=8, heavy=True),
    _op("re_extract", "regexp_extract({a[0]}, {re[0]}, {n[1]})", _re_extract, cost=8, heavy=True),
    _op("re_has", lambda p: p.dialect.regex_matches(p.args[0], p.node.data[0]), _re_has, cost=6, heavy=True),
    _op("re_findall", "regexp_extract_all({a[0]}, {re[0]}, 0)", _re_findall),
    _op("concat", "({a[0]} || {a[1]})", _fixed(lambda x, y: str(x) + str(y))),
    _op("substr", "substr({a[0]}, {n[0]}, {n[1]})", lambda start, n: lambda s: s[start - 1 : start - 1 + n]),
    # greatest() skips NULL: a NULL start means 1
    _op("substr_from", "substring({a[0]}, greatest(1, {a[1]}))", _fixed(_from), strict=(0,)),
    _op("contains", None, lambda needle: lambda s: needle in s),
    _op("has_non_ascii", "({f[byte_length]}({a[0]}) <> length({a[0]}))", _fixed(lambda s: not s.isascii())),
    _op("lpad", "lpad({a[0]}, {n[0]}, {q[1]})", _lpad),
    _op("split", None, lambda sep: lambda s: s.split(sep), cost=3),
    _op("split_part", "split_part({a[0]}, {q[0]}, {n[1]})", _split_part, cost=3),
    _op("starts_with", "starts_with({a[0]}, {a[1]})", _fixed(lambda s, prefix: s.startswith(prefix))),
    _op("sorted_chars", None, _fixed(lambda s: "".join(sorted(s))), cost=5),
    _op("nullif", "nullif({a[0]}, {a[1]})"),
    _op("concat_ws", lambda p: f"concat_ws({p.dialect.string(p.node.data[0])}, {', '.join(p.args)})"),
    # conversions
    _op("try_date", _try_date_sql, _fixed(_try_date)),
    _op("to_int", lambda p: p.dialect.try_cast(p.args[0], "INTEGER"), _fixed(_to_int)),
    _op("to_str", lambda p: p.dialect.cast(p.args[0], "VARCHAR"), _fixed(str)),
    _op("cast", "CAST({a[0]} AS {t[0]})"),
    _op("lookup", None, lambda mapping, sql_type: mapping.get, cost=2),
    # lists
    _op("at", None, _fixed(_at)),
    _op("list_len", None, _fixed(len)),
    _op("list_position", None, _fixed(_position)),
    _op("list_has", None, _fixed(lambda lst, v: v in lst)),
    _op("list_has_all", None, _fixed(lambda lst, other: set(other) <= set(lst)), cost=3),
    _op("list_overlaps", None, _fixed(lambda lst, other: not set(lst).isdisjoint(other)), cost=3),
    _op("list_slice", None, lambda start: lambda lst: list(lst[start - 1 :])),
    _op("list_slice_from", None, _fixed(lambda lst, i: list(_from(lst, i))), strict=(0,)),
    _op("list_sort", None, _fixed(_sort)),
    _op("list_distinct", None, _fixed(lambda lst: list(dict.fromkeys(v for v in lst if v is not None)))),
    _op("list_min", None, _fixed(lambda lst: min((v for v in lst if v is not None), default=None))),
    _op("list_max", None, _fixed(lambda lst: max((v for v in lst if v is not None), default=None))),
    _op("list_join", None, lambda sep: lambda lst: sep.join(v for v in lst if v is not None), cost=3),
    _element_op("list_map", "transform"),
    _element_op("list_filter", "filter"),
    # binding and structs
    _op("let", _let_sql, cost=8, heavy=True),
    _op("struct", lambda p: p.dialect.struct(list(zip(p.node.data[0], p.args, strict=True)))),
    _op("field", "{a[0]}.{n[0]}", lambda name: operator.itemgetter(name)),
    # logic and comparison
    _op("cmp", "({a[0]} {n[0]} {a[1]})", _COMPARE.__getitem__),
    _op(
        "isin",
        lambda p: f"({p.args[0]} IN ({', '.join(p.dialect.literal(v) for v in p.node.data[0])}))",
        lambda values: frozenset(values).__contains__,
    ),
    _op("is_null", "({a[0]} IS NULL)"),
    _op("not_null", "({a[0]} IS NOT NULL)"),
    _op("and", lambda p: "(" + " AND ".join(p.args) + ")"),
    _op("or", lambda p: "(" + " OR ".join(p.args) + ")"),
    _op("not", "(NOT {a[0]})", _fixed(operator.not_)),
    _op("case", _case_sql),
    _op("coalesce", lambda p: f"coalesce({', '.join(p.args)})"),
    _op("greatest", lambda p: f"greatest({', '.join(p.args)})"),
    # numbers and dates
    _op("arith", "({a[0]} {n[0]} {a[1]})", _ARITHMETIC.__getitem__),
    _op("abs", "abs({a[0]})", _fixed(abs)),
    _op("floor_div", "CAST(floor({a[0]} / {n[0]}) AS BIGINT)", lambda n: lambda x: x // n),
    _op("make_date", "make_date({a[0]}, {a[1]}, {a[2]})", _fixed(_make_date), cost=3, guarded=True),
    _op("date_add", None, _date_add),
    _op(
        "date_part",
        lambda p: p.dialect.cast(f"{p.dialect.functions[p.node.data[0]]}({p.args[0]})", "INTEGER"),
        lambda part: operator.attrgetter(part),
    ),
    # string similarity
    _op(
        "levenshtein",
        "{f[levenshtein]}({a[0]}, {a[1]})",
        _fixed(jellyfish.levenshtein_distance),
        cost=8,
        heavy=True,
    ),
    _op(
        "damerau_levenshtein",
        "{f[damerau_levenshtein]}({a[0]}, {a[1]})",
        _fixed(jellyfish.damerau_levenshtein_distance),
        cost=8,
        heavy=True,
    ),
    _op(
        "jaro_winkler",
        "{f[jaro_winkler]}({a[0]}, {a[1]})",
        _fixed(jellyfish.jaro_winkler_similarity),
        cost=8,
        heavy=True,
    ),
)

OPS: Mapping[str, Op] = {op.name: op for op in _TABLE}
"""Every operation of the rule language, by name."""
