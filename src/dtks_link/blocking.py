"""Blocking rules for residents, and a pair-count / recall check against truth.

A blocking rule names the candidate pairs worth scoring: records whose key parts are all
equal. Each key part is a rule (:mod:`dtks_link.rules`), so one definition gives the SQL
condition over ``l`` and ``r`` in every engine's dialect, the blocking key a SQL query
computes for a table, and the same key in Python for one record (the registry's real-time
lookup). Every rule is combined with a guard that drops pairs inside a duplicate-free source
(two Dukcapil records are never the same resident).

**Blocks that do not grow with the city.** A rule's pair count is the sum over its blocks of
n(n-1)/2, so a rule whose key takes a fixed set of values (a name, a birth year, a street name,
an RW number) makes pairs that grow with the square of the population while its blocks fill up:
comparisons per record rise with the size of the city. Each default rule is therefore bounded by
something that grows with the population: an identifier (NIK, KK), a household address
(kelurahan, RW, RT, house number), an RT, a birth date with a name token, or, for the name key
within birth years and the street rule, the geography the records carry (``optional`` key parts:
equal, or missing on both sides, so data without Depok geography (FEBRL, pseudopeople) is still
blocked by name and street alone). ``benchmarks/bench_blocking.py`` measures pairs per rule at
several sizes; the rules replaced for this reason are kept in :data:`LEGACY_RULES`, so models
saved with them are still understood.

Splink keeps a model's blocking rules as SQL text, and :func:`rules_in_settings` finds the
rules of a saved model by that text: the DuckDB text of a rule does not change between
versions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .backends.engine import Engine
from .rules import (
    DUCKDB,
    Dialect,
    Expr,
    Renderer,
    coalesce,
    col,
    compile_py,
    dialect_of,
    left,
    lit,
    pair_sql,
    right,
)

__all__ = [
    "LEGACY_RULES",
    "SAME_SOURCE_GUARD",
    "BlockingReport",
    "BlockingRule",
    "KeyPart",
    "all_blocking_rules",
    "blocking_report",
    "default_blocking_rules",
    "rules_in_settings",
    "same_source_guard",
]

_PAIR = ("l", "r")


def same_source_guard(dialect: Dialect = DUCKDB) -> str:
    """The condition that drops pairs inside one duplicate-free source, over ``l`` and ``r``."""
    source = pair_sql(left("source").eq(right("source")), dialect=dialect, aliases=_PAIR)
    duplicate_free = pair_sql(left("source_duplicate_free"), dialect=dialect, aliases=_PAIR)
    return f"NOT ({source.removeprefix('(').removesuffix(')')} AND {duplicate_free})"


#: Pairs inside one duplicate-free source are never candidates (DuckDB SQL).
SAME_SOURCE_GUARD = same_source_guard()


@dataclass(frozen=True)
class KeyPart:
    """One part of a blocking key, from one column:

    - ``value``: the whole value;
    - ``prefix``: its first ``n`` characters;
    - ``first_token`` / ``last_token``: its first or last space-separated token;
    - ``min_token`` / ``max_token``: its alphabetically first or last token, so that given
      name and surname written in either order give the same key;
    - ``sorted_chars``: its characters sorted (an anagram key: a transposed digit pair in an
      identifier keeps it);
    - ``bucket``: an integer column in windows of ``n`` starting at ``-offset``
      (``floor((value + offset) / n)``). Two rules with windows of 4 offset by 0 and 2 reach
      every pair of values at most 2 apart, with equality keys only;
    - ``optional``: the whole value, or the empty text when it is missing: two records agree on
      it when both have the same value or both lack it. A geography part that bounds a block
      where the data has the geography and is no obstacle where no record has it.
    """

    column: str
    kind: str = "value"
    n: int = 0
    offset: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"unknown key part kind {self.kind!r}; use one of {sorted(_KINDS)}")
        if self.kind in ("prefix", "bucket") and self.n < 1:
            raise ValueError(f"a {self.kind} key part needs n >= 1")

    def rule(self, value: Expr | None = None) -> Expr:
        """The part as a rule over ``value`` (by default the record's column)."""
        v = col(self.column) if value is None else value
        if self.kind == "optional":
            return coalesce(v.to_str(), lit(""))
        if self.kind == "prefix":
            return v.substr(1, self.n)
        if self.kind == "first_token":
            return v.split_part(" ", 1)
        if self.kind == "last_token":
            return v.re_extract("[^ ]*$")
        if self.kind == "min_token":
            return v.split(" ").list_min()
        if self.kind == "max_token":
            return v.split(" ").list_max()
        if self.kind == "sorted_chars":
            return v.sorted_chars()
        if self.kind == "bucket":
            return v.add(self.offset).floor_div(self.n)
        return v

    def sql(self, side: str, dialect: Dialect = DUCKDB) -> str:
        """The part of the record aliased ``side`` (``l`` or ``r``), as SQL."""
        value = left(self.column) if side == _PAIR[0] else right(self.column)
        return pair_sql(self.rule(value), dialect=dialect, aliases=_PAIR)

    def text(self, value: object) -> str | None:
        """The part of one Python value as text (as it is in a blocking key)."""
        return _text_function(self)({self.column: value})  # type: ignore[no-any-return]


_KINDS = frozenset(
    {
        "value",
        "prefix",
        "first_token",
        "last_token",
        "min_token",
        "max_token",
        "sorted_chars",
        "bucket",
        "optional",
    }
)


@cache
def _text_function(part: KeyPart) -> Any:
    return compile_py(part.rule().to_str())


@dataclass(frozen=True, kw_only=True)
class BlockingRule:
    """A named blocking rule: records whose key parts are all equal become a candidate pair."""

    name: str
    parts: tuple[KeyPart, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads."""
        return tuple(dict.fromkeys(p.column for p in self.parts))

    def condition_in(self, dialect: Dialect) -> str:
        """Every key part equal on ``l`` and ``r``, as SQL in ``dialect``."""
        return _condition(self, dialect)

    def sql_in(self, dialect: Dialect) -> str:
        """The condition with the duplicate-free-source guard, as Splink takes it."""
        return f"({self.condition_in(dialect)}) AND {same_source_guard(dialect)}"

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns that must hold data for the rule to pair anything (not the
        ``optional`` parts)."""
        return tuple(dict.fromkeys(p.column for p in self.parts if p.kind != "optional"))

    @property
    def condition(self) -> str:
        """:meth:`condition_in` DuckDB."""
        return self.condition_in(DUCKDB)

    @property
    def sql(self) -> str:
        """:meth:`sql_in` DuckDB: the text a saved model keeps."""
        return self.sql_in(DUCKDB)

    def key_rule(self) -> Expr:
        """The blocking key of a record as a rule: its parts as text joined by ``\x1f``, NULL
        when a part is NULL."""
        key = self.parts[0].rule().to_str()
        for part in self.parts[1:]:
            key = key.concat(lit("\x1f"), part.rule().to_str())
        return key

    def key_sql(self, alias: str, dialect: Dialect = DUCKDB) -> str:
        """SQL for this rule's blocking key of a row of the table aliased ``alias``."""
        return Renderer(dialect, table_alias=alias).expression(self.key_rule())

    def key(self, record: Mapping[str, object]) -> str | None:
        """The blocking key of one standardised record (None when a part is missing)."""
        return _key_function(self)(record)  # type: ignore[no-any-return]


@cache
def _condition(rule: BlockingRule, dialect: Dialect) -> str:
    return " AND ".join(f"{p.sql(_PAIR[0], dialect)} = {p.sql(_PAIR[1], dialect)}" for p in rule.parts)


@cache
def _key_function(rule: BlockingRule) -> Any:
    return compile_py(rule.key_rule())


def _v(column: str) -> KeyPart:
    return KeyPart(column)


def _opt(column: str) -> KeyPart:
    return KeyPart(column, "optional")


#: One household address: kelurahan, RW, RT and house number. A block is one address, so it
#: holds a household or two whatever the size of the city.
_HOUSEHOLD = (_v("kelurahan_code"), _v("rw"), _v("rt"), _v("house_number"))

_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="nik", parts=(_v("nik"),)),
    BlockingRule(
        name="nik_region_birth",
        parts=(KeyPart("nik", "prefix", 12), KeyPart("nama_key", "prefix", 2)),
    ),
    BlockingRule(name="birth_date_phonetic", parts=(_v("birth_date"), _v("nama_phonetic"))),
    BlockingRule(
        name="birth_date_first_token",
        parts=(_v("birth_date"), KeyPart("nama_tokens_key", "first_token")),
    ),
    BlockingRule(
        name="birth_date_min_token", parts=(_v("birth_date"), KeyPart("nama_tokens_key", "min_token"))
    ),
    BlockingRule(
        name="birth_date_max_token", parts=(_v("birth_date"), KeyPart("nama_tokens_key", "max_token"))
    ),
    # the birth date with the name's first letter: every word of the name mistyped. Within one
    # kecamatan where the record has one (optional: data without Indonesian geography keeps the
    # rule whole): a city of 2M holds ~90 records per birth date, most under a handful of first
    # letters, so the block would grow with the city
    BlockingRule(
        name="birth_date_initial",
        parts=(_v("birth_date"), KeyPart("nama_key", "prefix", 1), _opt("kecamatan_code")),
    ),
    # the family name (last word) with the birth date: a nickname or shortened first name
    # beside a middle initial (``HARY J TOMAS`` / ``HAROLD JAMES TOMAS``) breaks the others;
    # within one kecamatan, as above
    BlockingRule(
        name="birth_date_last_token",
        parts=(_v("birth_date"), KeyPart("nama_tokens_key", "last_token"), _opt("kecamatan_code")),
    ),
    # the same household address: a heavily misspelt name, or a birth date given as an age
    BlockingRule(name="household_birth_year", parts=(*_HOUSEHOLD, _v("birth_year"))),
    BlockingRule(name="household_name_sound", parts=(*_HOUSEHOLD, KeyPart("nama_phonetic", "prefix", 2))),
    # same RT: people in one neighbourhood whose names sound alike at the start
    BlockingRule(
        name="rt_name_sound",
        parts=(_v("kelurahan_code"), _v("rw"), _v("rt"), KeyPart("nama_phonetic", "prefix", 3)),
    ),
    BlockingRule(name="kk_first_letter", parts=(_v("no_kk"), KeyPart("nama_key", "prefix", 1))),
    # name key within a few birth years (ages turned into birth years are off by one or two),
    # inside the kelurahan where records have one: city-wide, a common name's block grows with
    # the square of the population
    BlockingRule(
        name="name_key_years_kelurahan_a",
        parts=(_v("nama_key"), KeyPart("birth_year", "bucket", 4, 0), _opt("kelurahan_code")),
    ),
    BlockingRule(
        name="name_key_years_kelurahan_b",
        parts=(_v("nama_key"), KeyPart("birth_year", "bucket", 4, 2), _opt("kelurahan_code")),
    ),
    # generic fields, for data from outside Indonesia or with another identifier
    BlockingRule(name="other_identifier", parts=(_v("id_lain"),)),
    BlockingRule(name="other_identifier_anagram", parts=(KeyPart("id_lain", "sorted_chars"),)),
    BlockingRule(name="postcode_birth_date", parts=(_v("kode_pos"), _v("birth_date"))),
    # same street line within a postcode (generic addresses, where the house number is part of
    # the street text); without a postcode this would pair everyone on a long Depok street
    BlockingRule(
        name="postcode_street_name_prefix",
        parts=(_v("kode_pos"), _v("street"), KeyPart("nama_key", "prefix", 3)),
    ),
    # name key and the start of the street line: the address rule of generic data (FEBRL,
    # pseudopeople: the house number is in the street text). Where records carry a house
    # number, RW and RT, they must agree too: a Depok street start ("JL MAR", "PERUM ") alone
    # holds thousands of people
    BlockingRule(
        name="name_key_street_start_local",
        parts=(
            _v("nama_key"),
            KeyPart("street", "prefix", 6),
            _opt("house_number"),
            _opt("rw"),
            _opt("rt"),
        ),
    ),
    BlockingRule(name="postcode_min_token", parts=(_v("kode_pos"), KeyPart("nama_tokens_key", "min_token"))),
    BlockingRule(name="postcode_max_token", parts=(_v("kode_pos"), KeyPart("nama_tokens_key", "max_token"))),
)

#: Rules of earlier versions, replaced because their blocks grow with the population (pairs
#: per record rose from 2.6 at 100,000 residents to 10.5 at 500,000): a saved model that
#: predicts with them is still understood by :func:`rules_in_settings`.
LEGACY_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="name_key_years_a", parts=(_v("nama_key"), KeyPart("birth_year", "bucket", 4, 0))),
    BlockingRule(name="name_key_years_b", parts=(_v("nama_key"), KeyPart("birth_year", "bucket", 4, 2))),
    BlockingRule(name="kelurahan_name_key", parts=(_v("kelurahan_code"), _v("nama_key"))),
    BlockingRule(name="kelurahan_birth_date", parts=(_v("kelurahan_code"), _v("birth_date"))),
    BlockingRule(
        name="rt_name_prefix",
        parts=(_v("kelurahan_code"), _v("rw"), _v("rt"), KeyPart("nama_key", "prefix", 3)),
    ),
    BlockingRule(name="name_key_street_start", parts=(_v("nama_key"), KeyPart("street", "prefix", 6))),
)


def default_blocking_rules(columns_with_data: Collection[str]) -> list[BlockingRule]:
    """The default rules whose required columns all hold data in at least one source."""
    return [rule for rule in _RULES if all(c in columns_with_data for c in rule.required_columns)]


def all_blocking_rules() -> list[BlockingRule]:
    """Every rule the model may block on, in order (the packaged default model keeps them all)."""
    return list(_RULES)


def rules_in_settings(settings: Mapping[str, Any]) -> list[BlockingRule]:
    """The library's rules that a saved Splink model (its settings dict) predicts with, found
    by their SQL text in the dialect the model was saved in."""
    saved = set()
    for rule in settings.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, Mapping):
            saved.add((str(rule.get("sql_dialect") or DUCKDB.name), rule["blocking_rule"]))
        else:
            saved.add((DUCKDB.name, str(rule)))
    dialects = {name: dialect_of(name) for name, _ in saved if name in ("duckdb", "spark")}
    return [
        rule
        for rule in (*_RULES, *LEGACY_RULES)
        if any((name, rule.sql_in(d)) in saved for name, d in dialects.items())
    ]


@dataclass(frozen=True, kw_only=True)
class BlockingReport:
    """Pairs each rule adds, and (with truth) the share of true pairs reached.

    ``comparisons`` are the new pairs each rule adds to those of the rules before it (what is
    scored); ``pairs_alone`` (when asked for) the pairs each rule makes on its own, the size
    of its join (what blocking costs)."""

    rules: tuple[str, ...]
    comparisons: tuple[int, ...]
    total_comparisons: int
    records: int
    true_pairs: int | None
    true_pairs_reached: int | None
    pairs_alone: tuple[int, ...] | None = None

    @property
    def comparisons_per_record(self) -> float:
        return self.total_comparisons / self.records if self.records else 0.0

    @property
    def pair_recall(self) -> float | None:
        if self.true_pairs is None or self.true_pairs_reached is None:
            return None
        return self.true_pairs_reached / self.true_pairs if self.true_pairs else 1.0


def blocking_report(
    engine: Engine,
    records_table: str,
    rules: Sequence[BlockingRule],
    *,
    truth_column: str | None = None,
    pairs_alone: bool = False,
) -> BlockingReport:
    """Count the distinct pairs the rules generate, in rule order, and their recall.

    With ``truth_column`` (a column of ``records_table`` holding the true resident id), also
    count the true pairs (excluding pairs inside duplicate-free sources) and how many the rules
    reach. With ``pairs_alone``, also count the pairs each rule makes on its own.
    """
    d = engine.dialect
    table = engine.quote(records_table)
    counts: list[int] = []
    alone: list[int] = []
    previous: list[str] = []
    for rule in rules:
        if pairs_alone:
            join = f"{table} l JOIN {table} r ON ({rule.sql_in(d)}) AND l.unique_id < r.unique_id"
            alone.append(int(engine.rows(f"SELECT count(*) FROM {join}")[0][0]))
        exclude = " AND ".join(f"NOT coalesce(({p}), false)" for p in previous) or "true"
        sql = (
            f"SELECT count(*) FROM {table} l JOIN {table} r ON ({rule.sql_in(d)}) "
            f"AND l.unique_id < r.unique_id WHERE {exclude}"
        )
        counts.append(int(engine.rows(sql)[0][0]))
        previous.append(rule.sql_in(d))
    records = int(engine.rows(f"SELECT count(*) FROM {table}")[0][0])
    true_pairs = reached = None
    if truth_column is not None:
        truth = engine.quote(truth_column)
        true_pairs = int(
            engine.rows(
                f"SELECT count(*) FROM {table} l JOIN {table} r ON l.{truth} = r.{truth} "
                f"AND l.unique_id < r.unique_id AND {same_source_guard(d)}"
            )[0][0]
        )
        any_rule = " OR ".join(f"({rule.sql_in(d)})" for rule in rules) or "false"
        reached = int(
            engine.rows(
                f"SELECT count(*) FROM {table} l JOIN {table} r ON l.{truth} = r.{truth} "
                f"AND l.unique_id < r.unique_id WHERE {any_rule}"
            )[0][0]
        )
    return BlockingReport(
        rules=tuple(r.name for r in rules),
        comparisons=tuple(counts),
        total_comparisons=sum(counts),
        records=records,
        true_pairs=true_pairs,
        true_pairs_reached=reached,
        pairs_alone=tuple(alone) if pairs_alone else None,
    )
