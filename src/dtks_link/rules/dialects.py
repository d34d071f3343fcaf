"""SQL dialects: one class per engine, owning everything that is spelled differently.

A :class:`Dialect` says how its engine quotes identifiers, names types, writes literals
(and escapes quotes in them), spells functions, indexes lists (from 0 or 1), writes lambdas
and structs, and reads regular expressions. :class:`DuckDBDialect` and
:class:`SparkDialect` override only what differs from the base; a part an engine lacks
raises ``NotImplementedError`` naming it (the manner of Splink's ``SplinkDialect``).

Rule operations (:mod:`.ops`) carry one default SQL template each; a dialect replaces the
template of an operation its engine spells differently (:attr:`Dialect.templates`), and
every other template is built from the dialect's parts, so one renderer (:mod:`.sql`)
serves every engine. The engines (:mod:`dtks_link.backends`) hold their dialect as
``engine.dialect``.

Adding an engine means a subclass here (its types, functions, templates for the operations
it spells differently) and an engine class in :mod:`dtks_link.backends`; the contract tests
(SQL == Python for every rule) then run on it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .datefmt import java_output_pattern
from .datefmt import java_pattern as java_date_pattern
from .regex import java_pattern, java_replacement

if TYPE_CHECKING:
    from .tree import Expr

__all__ = [
    "DUCKDB",
    "SPARK",
    "Dialect",
    "DuckDBDialect",
    "SparkDialect",
    "SqlParts",
    "Template",
    "dialect_of",
]


@dataclass(frozen=True, slots=True)
class SqlParts:
    """What an operation's SQL template is given: the dialect, the node, its arguments
    already rendered, and the renderer's names for lambda parameters."""

    dialect: Dialect
    node: Expr
    args: Sequence[str]
    #: The renderer's name for a lambda parameter node.
    name: Callable[[Expr], str]
    #: A new lambda parameter name (for SQL that needs a lambda the tree does not have).
    fresh: Callable[[], str]
    #: How the renderer refers to a column (quoted, qualified by a table alias when asked).
    column: Callable[[str], str]


Template = str | Callable[[SqlParts], str]
"""SQL of one operation: a format string over ``a`` (rendered arguments), ``n`` (the node's
data as it is), ``q`` (its data as string literals), ``re`` (as regular-expression literals),
``t`` (as type names), ``T`` (the dialect's type names) and ``f`` (its function names), or a
function of :class:`SqlParts`."""


class _Names(Mapping[str, str]):
    """A dialect's names for types or functions; a missing one says which and where."""

    def __init__(self, dialect: str, kind: str, names: Mapping[str, str]) -> None:
        self._dialect, self._kind, self._names = dialect, kind, dict(names)

    def __getitem__(self, key: str) -> str:
        try:
            return self._names[key]
        except KeyError:
            raise NotImplementedError(f"SQL dialect {self._dialect!r} has no {self._kind} {key!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Dialect:
    """The SQL of one engine. Subclasses set :attr:`name` and override what differs.

    Code asks the dialect how to spell something; it never asks which dialect it has (two
    dialects are equal when they are of one class; a dialect never equals its name)."""

    #: The engine's name, also Splink's ``sql_dialect_str`` and sqlglot's dialect name.
    name: ClassVar[str] = "ansi"
    #: Index of a list's first element.
    list_first_index: ClassVar[int] = 1
    #: Rule type names (DuckDB spelling, :data:`~dtks_link.rules.tree.TYPES`) -> this engine's
    #: (like the two mappings below, a subclass lists only the names that differ).
    type_names: ClassVar[Mapping[str, str]] = {
        "VARCHAR": "VARCHAR",
        "INTEGER": "INTEGER",
        "BIGINT": "BIGINT",
        "HUGEINT": "DECIMAL(38, 0)",  # an integer as wide as any float that prints without exponent
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "DOUBLE": "DOUBLE",
    }
    #: Function names the shared templates use (``f[...]`` in a template).
    function_names: ClassVar[Mapping[str, str]] = {
        "levenshtein": "levenshtein",
        "year": "year",
        "month": "month",
    }
    #: Operation -> template, for the operations this engine spells differently.
    templates: ClassVar[Mapping[str, Template]] = {}

    def __init__(self) -> None:
        self.types = _Names(self.name, "type", self._merged("type_names"))
        self.functions = _Names(self.name, "function", self._merged("function_names"))
        #: Operation -> template, this class's over its bases' (see :attr:`templates`).
        self.op_templates: Mapping[str, Template] = self._merged("templates")

    @classmethod
    def _merged(cls, attribute: str) -> dict[str, Any]:
        """A class mapping merged along the bases: a subclass lists only what differs."""
        merged: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            merged.update(klass.__dict__.get(attribute, {}))
        return merged

    # -- identity ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dialect):
            return type(other) is type(self)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)

    # -- names and literals --------------------------------------------------------------------
    def quote(self, name: str) -> str:
        """Quote an identifier (NUL characters are refused)."""
        if "\x00" in name:
            raise ValueError("identifier contains a NUL character")
        return '"' + name.replace('"', '""') + '"'

    def type_name(self, rule_type: str) -> str:
        """This engine's name for a rule type; ``T[]`` lists as :meth:`list_type`."""
        if rule_type.endswith("[]"):
            return self.list_type(self.type_name(rule_type[:-2]))
        return self.types[rule_type]

    def list_type(self, element: str) -> str:
        return f"{element}[]"

    def string(self, value: str) -> str:
        """A string literal: quotes doubled (standard SQL)."""
        return "'" + value.replace("'", "''") + "'"

    def literal(self, value: object) -> str:
        """A constant: NULL, boolean, integer, text, date or a list of them."""
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError(f"no SQL literal for {value!r}")
            return repr(value)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return f"DATE '{value.isoformat()}'"
        if isinstance(value, list | tuple):
            return self.list_of([self.literal(v) for v in value])
        raise TypeError(f"no SQL literal for {type(value).__name__}")

    # -- casts ---------------------------------------------------------------------------------
    def cast(self, sql: str, rule_type: str) -> str:
        return f"CAST({sql} AS {self.type_name(rule_type)})"

    def try_cast(self, sql: str, rule_type: str) -> str:
        """A cast that gives NULL where the value does not convert (so the SQL runs whether
        or not the engine raises on a failed cast)."""
        return f"TRY_CAST({sql} AS {self.type_name(rule_type)})"

    # -- lists, lambdas, structs ---------------------------------------------------------------
    def list_of(self, items: Sequence[str]) -> str:
        """A list built from SQL expressions."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no list constructor")

    def lambda_(self, param: str, body: str) -> str:
        raise NotImplementedError(f"SQL dialect {self.name!r} has no lambdas")

    def transform(self, list_sql: str, param: str, body: str) -> str:
        """Each element of a list through a lambda."""
        return f"{self.functions['list_transform']}({list_sql}, {self.lambda_(param, body)})"

    def filter(self, list_sql: str, param: str, body: str) -> str:
        """The elements of a list for which a lambda is true."""
        return f"{self.functions['list_filter']}({list_sql}, {self.lambda_(param, body)})"

    def first(self, list_sql: str) -> str:
        """The first element of a (non-empty) list."""
        return f"{list_sql}[{self.list_first_index}]"

    def struct(self, fields: Sequence[tuple[str, str]]) -> str:
        """A struct from (field name, SQL) pairs."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no struct constructor")

    # -- regular expressions -------------------------------------------------------------------
    def regex(self, pattern: str) -> str:
        """A rule pattern (RE2 subset, see :mod:`.regex`) as this engine's pattern literal."""
        return self.string(pattern)

    def regex_matches(self, sql: str, pattern: str) -> str:
        """True when the pattern matches somewhere in the text."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no regex search")

    # -- dates read and written with a format (:mod:`.datefmt`) --------------------------------
    def strptime(self, sql: str) -> str:
        """A timestamp read from the text ``sql`` with a format bound as a parameter (``?``,
        given by :meth:`strptime_format`); NULL where the text does not fit the format."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no date parsing with a format")

    def strptime_format(self, fmt: str) -> str:
        """The parameter :meth:`strptime` takes for a strptime format (``%d/%m/%Y``)."""
        return fmt

    def strftime(self, sql: str, fmt: str) -> str:
        """A timestamp as text written in the strptime format ``fmt`` (numbers zero-padded)."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no date writing with a format")

    # -- aggregates and hashing ----------------------------------------------------------------
    def count_if(self, condition: str) -> str:
        """How many rows of the group meet a condition (NULL counts as not met)."""
        return f"count(*) FILTER (WHERE {condition})"

    def count_distinct_over(self, sql: str, partition_by: str) -> str:
        """How many different non-NULL values the rows of a window partition hold."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no distinct count over a window")

    def portable_hash(self, sql: str) -> str:
        """A non-negative BIGINT hash of the value as text, the same number on every engine:
        the first 15 hex digits of its MD5 (so engines sample the same rows)."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no portable hash")

    def sorted_set_join(self, sql: str, sep: str) -> str:
        """An aggregate: the group's different non-NULL text values, sorted, joined by ``sep``."""
        raise NotImplementedError(f"SQL dialect {self.name!r} has no sorted set join")


# ---- DuckDB ----------------------------------------------------------------------------------


def _duckdb_re_sub(p: SqlParts) -> str:
    pattern, repl, every = p.node.data
    flags = ", 'g'" if every else ""
    return f"regexp_replace({p.args[0]}, {p.dialect.regex(pattern)}, {p.dialect.string(repl)}{flags})"


def _duckdb_lookup(p: SqlParts) -> str:
    mapping, sql_type = p.node.data
    d = p.dialect
    items = ", ".join(f"{d.string(k)}: {d.literal(v)}" for k, v in mapping.items())
    return f"(MAP {{{items}}}::MAP(VARCHAR, {sql_type}))[{p.args[0]}]"


def _date_add(p: SqlParts, add: Callable[[str, str, int, int], str]) -> str:
    """``base + days`` where that stays in years 1-9999, else NULL: ``add(base, days, low,
    high)`` is the engine's addition, for days known to lie in [low, high]."""
    base: datetime.date = p.node.data[0]
    low, high = (datetime.date.min - base).days, (datetime.date.max - base).days
    days = p.args[0]
    added = add(p.dialect.literal(base), days, low, high)
    return f"(CASE WHEN {days} BETWEEN {low} AND {high} THEN {added} END)"


def _duckdb_date_add(p: SqlParts) -> str:
    # the clamp keeps DuckDB from raising on rows the CASE excludes (it may evaluate them)
    return _date_add(
        p, lambda base, days, lo, hi: f"CAST({base} + greatest({lo}, least({days}, {hi})) AS DATE)"
    )


class DuckDBDialect(Dialect):
    """DuckDB: double-quoted identifiers, 1-based lists, ``lambda x: ...``, ``{'k': v}``,
    RE2 regular expressions."""

    name = "duckdb"
    type_names: ClassVar[Mapping[str, str]] = {"HUGEINT": "HUGEINT"}
    function_names: ClassVar[Mapping[str, str]] = {
        "day": "day",
        "byte_length": "strlen",
        "list_transform": "list_transform",
        "list_filter": "list_filter",
        "damerau_levenshtein": "damerau_levenshtein",
        "jaro_winkler": "jaro_winkler_similarity",
    }
    templates: ClassVar[Mapping[str, Template]] = {
        "re_sub": _duckdb_re_sub,
        "contains": "contains({a[0]}, {q[0]})",
        "split": "string_split({a[0]}, {q[0]})",
        "lookup": _duckdb_lookup,
        "at": "({a[0]})[{a[1]}]",
        "list_len": "len({a[0]})",
        "list_sort": "list_sort({a[0]}, 'ASC', 'NULLS LAST')",
        "list_position": "list_position({a[0]}, {a[1]})",
        "list_slice_from": "list_slice({a[0]}, greatest(1, {a[1]}), 2147483647)",
        "list_slice": "list_slice({a[0]}, {n[0]}, 2147483647)",
        "list_distinct": "list_distinct({a[0]})",
        "list_min": "list_min({a[0]})",
        "list_max": "list_max({a[0]})",
        "list_join": "array_to_string({a[0]}, {q[0]})",
        "list_has": "list_contains({a[0]}, {a[1]})",
        "list_has_all": "list_has_all({a[0]}, {a[1]})",
        # array_intersect(list, NULL) is [] in DuckDB, where list_has_any gives NULL
        "list_overlaps": "list_has_any({a[0]}, {a[1]})",
        "date_add": _duckdb_date_add,
        "floor_div": "floor({a[0]} / {n[0]})::BIGINT",
        "sorted_chars": "array_to_string(list_sort(string_split({a[0]}, '')), '')",
    }

    def list_of(self, items: Sequence[str]) -> str:
        return "[" + ", ".join(items) + "]"

    def lambda_(self, param: str, body: str) -> str:
        return f"lambda {param}: {body}"

    def struct(self, fields: Sequence[tuple[str, str]]) -> str:
        return "{" + ", ".join(f"'{k}': {v}" for k, v in fields) + "}"

    def regex_matches(self, sql: str, pattern: str) -> str:
        return f"regexp_matches({sql}, {self.regex(pattern)})"

    def strptime(self, sql: str) -> str:
        return f"try_strptime({sql}, ?)"

    def strftime(self, sql: str, fmt: str) -> str:
        return f"strftime({sql}, {self.string(fmt)})"

    def count_distinct_over(self, sql: str, partition_by: str) -> str:
        return f"count(DISTINCT {sql}) OVER (PARTITION BY {partition_by})"

    def sorted_set_join(self, sql: str, sep: str) -> str:
        return f"string_agg(DISTINCT {sql}, {self.string(sep)} ORDER BY {sql})"

    def portable_hash(self, sql: str) -> str:
        return f"CAST(('0x' || substr(md5(CAST({sql} AS VARCHAR)), 1, 15)) AS BIGINT)"


# ---- Spark -----------------------------------------------------------------------------------


def _spark_re_sub(p: SqlParts) -> str:
    pattern, repl, every = p.node.data
    if every:
        java, replacement = java_pattern(pattern), java_replacement(repl)
    else:  # no first-match-only mode: a replace-all anchored at the start of the text
        java, replacement = (
            java_pattern(pattern, first_only_prefix=True),
            "$1" + java_replacement(repl, shift=1),
        )
    return f"regexp_replace({p.args[0]}, {p.dialect.string(java)}, {p.dialect.string(replacement)})"


def _spark_split(p: SqlParts) -> str:
    sep = p.node.data[0]
    regex = sep if re.fullmatch(r"[A-Za-z0-9 ,;:_-]*", sep) else f"\\Q{sep}\\E"
    return f"split({p.args[0]}, {p.dialect.string(regex)}, -1)"


def _spark_lookup(p: SqlParts) -> str:
    mapping, sql_type = p.node.data
    d = p.dialect
    items = ", ".join(f"{d.string(k)}, {d.cast(d.literal(v), sql_type)}" for k, v in mapping.items())
    return f"try_element_at(map({items}), {p.args[0]})"


def _spark_at(p: SqlParts) -> str:
    index = p.node.args[1]
    if index.op == "lit" and isinstance(index.data[0], int):
        return "NULL" if index.data[0] < 1 else f"try_element_at({p.args[0]}, {index.data[0]})"
    i = p.args[1]
    return f"try_element_at({p.args[0]}, CASE WHEN {i} >= 1 THEN {i} END)"


def _spark_list_distinct(p: SqlParts) -> str:
    x = p.fresh()
    return f"array_distinct(filter({p.args[0]}, {x} -> {x} IS NOT NULL))"


def _spark_date_add(p: SqlParts) -> str:
    return _date_add(p, lambda base, days, lo, hi: f"date_add({base}, {days})")


class SparkDialect(Dialect):
    """Spark SQL (3.4+), with the meaning the DuckDB rendering and the Python twin have.
    Where Spark differs, the templates compensate:

    * identifiers in backticks; string literals escape quotes and backslashes with a
      backslash (Spark reads backslash escapes inside quotes);
    * regular expressions are Java's (:func:`~.regex.java_pattern`); ``regexp_replace`` has
      no first-match-only mode, so that is a replace-all anchored at the start of the text;
    * lists are 0-based and ``[]`` fails out of range in ANSI mode, so element reads are
      ``try_element_at`` (1-based) and an index below 1 reads NULL as in the Python twin;
    * ``array_position`` gives 0 for "absent" (NULL in DuckDB); ``array_distinct`` keeps a
      NULL (DuckDB drops it); ``size`` of NULL may be -1 (``array_size`` is NULL);
    * ``split`` takes a regular expression, so the separator is quoted;
    * casts that can fail are ``TRY_CAST``, so the SQL runs with ANSI mode on or off;
    * Jaro-Winkler and Damerau-Levenshtein are the jellyfish functions that
      :class:`~dtks_link.backends.spark.SparkEngine` registers (Splink's jar scores
      Jaro-Winkler differently)."""

    name = "spark"
    list_first_index = 0
    type_names: ClassVar[Mapping[str, str]] = {"VARCHAR": "STRING", "INTEGER": "INT"}
    function_names: ClassVar[Mapping[str, str]] = {
        "day": "dayofmonth",
        "byte_length": "octet_length",
        "list_transform": "transform",
        "list_filter": "filter",
        "damerau_levenshtein": "dtks_damerau_levenshtein",
        "jaro_winkler": "dtks_jaro_winkler",
    }
    templates: ClassVar[Mapping[str, Template]] = {
        "re_sub": _spark_re_sub,
        "contains": "(instr({a[0]}, {q[0]}) > 0)",
        "split": _spark_split,
        "lookup": _spark_lookup,
        "at": _spark_at,
        "list_len": "array_size({a[0]})",
        "list_sort": "array_sort({a[0]})",
        "list_position": "CAST(nullif(array_position({a[0]}, {a[1]}), 0) AS INT)",
        "list_slice_from": "slice({a[0]}, greatest(1, {a[1]}), array_size({a[0]}))",
        "list_slice": "slice({a[0]}, {n[0]}, array_size({a[0]}))",
        "list_distinct": _spark_list_distinct,
        "list_min": "array_min({a[0]})",
        "list_max": "array_max({a[0]})",
        "list_join": "array_join({a[0]}, {q[0]})",
        "list_has": "array_contains({a[0]}, {a[1]})",
        "list_has_all": "(array_size(array_except({a[1]}, {a[0]})) = 0)",
        "list_overlaps": "(array_size(array_intersect({a[0]}, {a[1]})) > 0)",
        "date_add": _spark_date_add,
        "starts_with": "startswith({a[0]}, {a[1]})",
        # split on '' may end in an empty string: it sorts first and joins to nothing
        "sorted_chars": "array_join(array_sort(split({a[0]}, '')), '')",
    }

    def quote(self, name: str) -> str:
        if "\x00" in name:
            raise ValueError("identifier contains a NUL character")
        return "`" + name.replace("`", "``") + "`"

    def list_type(self, element: str) -> str:
        return f"ARRAY<{element}>"

    def string(self, value: str) -> str:
        """Spark reads backslash escapes inside quotes (and two adjacent literals as one), so
        backslashes and quotes are escaped with a backslash."""
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def list_of(self, items: Sequence[str]) -> str:
        return "array(" + ", ".join(items) + ")"

    def lambda_(self, param: str, body: str) -> str:
        return f"{param} -> {body}"

    def struct(self, fields: Sequence[tuple[str, str]]) -> str:
        return "named_struct(" + ", ".join(f"{self.string(k)}, {v}" for k, v in fields) + ")"

    def regex(self, pattern: str) -> str:
        return self.string(java_pattern(pattern))

    def regex_matches(self, sql: str, pattern: str) -> str:
        return f"({sql} RLIKE {self.regex(pattern)})"

    def strptime(self, sql: str) -> str:
        return f"try_to_timestamp({sql}, ?)"

    def strptime_format(self, fmt: str) -> str:
        """The Java ``DateTimeFormatter`` pattern that parses what ``fmt`` parses."""
        return java_date_pattern(fmt)

    def strftime(self, sql: str, fmt: str) -> str:
        return f"date_format({sql}, {self.string(java_output_pattern(fmt))})"

    def count_distinct_over(self, sql: str, partition_by: str) -> str:
        return f"size(collect_set({sql}) OVER (PARTITION BY {partition_by}))"

    def sorted_set_join(self, sql: str, sep: str) -> str:
        return f"array_join(array_sort(collect_set({sql})), {self.string(sep)})"

    def portable_hash(self, sql: str) -> str:
        return f"CAST(conv(substr(md5(CAST({sql} AS STRING)), 1, 15), 16, 10) AS BIGINT)"


DUCKDB = DuckDBDialect()
SPARK = SparkDialect()
_BY_NAME: dict[str, Dialect] = {d.name: d for d in (DUCKDB, SPARK)}


def dialect_of(value: Dialect | str) -> Dialect:
    """The dialect object for a dialect or its name (``"duckdb"``, ``"spark"``)."""
    if isinstance(value, Dialect):
        return value
    try:
        return _BY_NAME[value]
    except KeyError:
        raise ValueError(f"unknown SQL dialect {value!r}; expected one of {sorted(_BY_NAME)}") from None
