"""Blocking rules for residents, and a pair-count / recall check against truth.

A blocking rule names the candidate pairs worth scoring. Every rule is a SQL condition over
``l`` and ``r`` and is combined with a guard that drops pairs inside a duplicate-free source
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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from .backends.duckdb import quote_identifier as q

__all__ = [
    "LEGACY_RULES",
    "SAME_SOURCE_GUARD",
    "BlockingReport",
    "BlockingRule",
    "KeyPart",
    "blocking_report",
    "default_blocking_rules",
    "rules_in_settings",
]

#: Pairs inside one duplicate-free source are never candidates.
SAME_SOURCE_GUARD = 'NOT (l."source" = r."source" AND l."source_duplicate_free")'


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

    def sql(self, side: str) -> str:
        column = f"{side}.{q(self.column)}"
        if self.kind == "optional":
            return f"coalesce(CAST({column} AS VARCHAR), '')"
        if self.kind == "prefix":
            return f"substr({column}, 1, {self.n})"
        if self.kind == "first_token":
            return f"split_part({column}, ' ', 1)"
        if self.kind == "last_token":
            return f"regexp_extract({column}, '[^ ]*$', 0)"
        if self.kind == "min_token":
            return f"list_min(string_split({column}, ' '))"
        if self.kind == "max_token":
            return f"list_max(string_split({column}, ' '))"
        if self.kind == "sorted_chars":
            return f"array_to_string(list_sort(string_split({column}, '')), '')"
        if self.kind == "bucket":
            return f"floor(({column} + {self.offset}) / {self.n})::BIGINT"
        return column

    def text_sql(self, side: str) -> str:
        """The part as text, for keys built in SQL (matches :meth:`text`)."""
        return f"CAST({self.sql(side)} AS VARCHAR)"

    def text(self, value: object) -> str | None:
        """The part of one Python value as text, as :meth:`text_sql` gives it."""
        if value is None:
            return "" if self.kind == "optional" else None
        if self.kind == "bucket":
            return str((int(value) + self.offset) // self.n)  # type: ignore[call-overload]
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if self.kind == "prefix":
            return text[: self.n]
        if self.kind == "first_token":
            return text.split(" ")[0]
        if self.kind == "last_token":
            return text.split(" ")[-1]
        if self.kind == "min_token":
            return min(text.split(" "))
        if self.kind == "max_token":
            return max(text.split(" "))
        if self.kind == "sorted_chars":
            return "".join(sorted(text))
        return text


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


@dataclass(frozen=True, kw_only=True)
class BlockingRule:
    """A named blocking rule: records whose key parts are all equal become a candidate pair."""

    name: str
    parts: tuple[KeyPart, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads."""
        return tuple(dict.fromkeys(p.column for p in self.parts))

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns that must hold data for the rule to pair anything (not the
        ``optional`` parts)."""
        return tuple(dict.fromkeys(p.column for p in self.parts if p.kind != "optional"))

    @property
    def condition(self) -> str:
        return " AND ".join(f"{p.sql('l')} = {p.sql('r')}" for p in self.parts)

    @property
    def sql(self) -> str:
        """The condition with the duplicate-free-source guard, as Splink takes it."""
        return f"({self.condition}) AND {SAME_SOURCE_GUARD}"

    def key_sql(self, alias: str) -> str:
        """SQL for this rule's blocking key of a row (NULL when a part is NULL)."""
        return " || chr(31) || ".join(p.text_sql(alias) for p in self.parts)

    def key(self, record: Mapping[str, object]) -> str | None:
        """The blocking key of one standardised record (None when a part is missing)."""
        texts = [p.text(record.get(p.column)) for p in self.parts]
        if any(t is None for t in texts):
            return None
        return "\x1f".join(t for t in texts if t is not None)


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


def rules_in_settings(settings: Mapping[str, Any]) -> list[BlockingRule]:
    """The library's rules that a saved Splink model (its settings dict) predicts with."""
    saved = set()
    for rule in settings.get("blocking_rules_to_generate_predictions", []):
        saved.add(rule["blocking_rule"] if isinstance(rule, Mapping) else str(rule))
    return [rule for rule in (*_RULES, *LEGACY_RULES) if rule.sql in saved]


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
    con: duckdb.DuckDBPyConnection,
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
    table = q(records_table)
    counts: list[int] = []
    alone: list[int] = []
    previous: list[str] = []
    for rule in rules:
        if pairs_alone:
            join = f"{table} l JOIN {table} r ON ({rule.sql}) AND l.unique_id < r.unique_id"
            alone.append(int(con.execute(f"SELECT count(*) FROM {join}").fetchall()[0][0]))
        exclude = " AND ".join(f"NOT coalesce(({p}), false)" for p in previous) or "true"
        sql = (
            f"SELECT count(*) FROM {table} l JOIN {table} r ON ({rule.sql}) "
            f"AND l.unique_id < r.unique_id WHERE {exclude}"
        )
        counts.append(int(con.execute(sql).fetchall()[0][0]))
        previous.append(rule.sql)
    records = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    true_pairs = reached = None
    if truth_column is not None:
        truth = q(truth_column)
        true_pairs = int(
            con.execute(
                f"SELECT count(*) FROM {table} l JOIN {table} r ON l.{truth} = r.{truth} "
                f"AND l.unique_id < r.unique_id AND {SAME_SOURCE_GUARD}"
            ).fetchall()[0][0]
        )
        any_rule = " OR ".join(f"({rule.sql})" for rule in rules) or "false"
        reached = int(
            con.execute(
                f"SELECT count(*) FROM {table} l JOIN {table} r ON l.{truth} = r.{truth} "
                f"AND l.unique_id < r.unique_id WHERE {any_rule}"
            ).fetchall()[0][0]
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
