"""Blocking rules for residents, and a pair-count / recall check against truth.

A blocking rule names the candidate pairs worth scoring. Every rule is a SQL condition over
``l`` and ``r`` and is combined with a guard that drops pairs inside a duplicate-free source
(two Dukcapil records are never the same resident).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import duckdb

from .backends.duckdb import quote_identifier as q

__all__ = ["BlockingRule", "blocking_report", "default_blocking_rules"]

_NOT_SAME_DUPLICATE_FREE_SOURCE = 'NOT (l."source" = r."source" AND l."source_duplicate_free")'


@dataclass(frozen=True, kw_only=True)
class BlockingRule:
    """A named blocking condition over ``l`` and ``r``; ``columns`` it needs to hold data."""

    name: str
    condition: str
    columns: tuple[str, ...]

    @property
    def sql(self) -> str:
        """The condition with the duplicate-free-source guard, as Splink takes it."""
        return f"({self.condition}) AND {_NOT_SAME_DUPLICATE_FREE_SOURCE}"


def _eq(*columns: str) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in columns)


_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="nik", condition=_eq("nik"), columns=("nik",)),
    BlockingRule(
        name="nik_region_birth",
        condition='substr(l."nik", 1, 12) = substr(r."nik", 1, 12) '
        'AND substr(l."nama_key", 1, 2) = substr(r."nama_key", 1, 2)',
        columns=("nik", "nama_key"),
    ),
    BlockingRule(
        name="name_key_birth_year",
        condition=_eq("nama_key", "birth_year"),
        columns=("nama_key", "birth_year"),
    ),
    BlockingRule(
        name="birth_date_phonetic",
        condition=_eq("birth_date", "nama_phonetic"),
        columns=("birth_date", "nama_phonetic"),
    ),
    BlockingRule(
        name="birth_date_first_token",
        condition=_eq("birth_date") + " AND "
        "split_part(l.\"nama_tokens_key\", ' ', 1) = split_part(r.\"nama_tokens_key\", ' ', 1)",
        columns=("birth_date", "nama_tokens_key"),
    ),
    BlockingRule(
        name="kelurahan_name_key",
        condition=_eq("kelurahan_code", "nama_key"),
        columns=("kelurahan_code", "nama_key"),
    ),
    BlockingRule(
        name="kk_first_letter",
        condition=_eq("no_kk") + ' AND left(l."nama_key", 1) = left(r."nama_key", 1)',
        columns=("no_kk", "nama_key"),
    ),
)


def default_blocking_rules(columns_with_data: Collection[str]) -> list[BlockingRule]:
    """The default rules whose columns all hold data in at least one source."""
    return [rule for rule in _RULES if all(c in columns_with_data for c in rule.columns)]


@dataclass(frozen=True, kw_only=True)
class BlockingReport:
    """Pairs each rule adds, and (with truth) the share of true pairs reached."""

    rules: tuple[str, ...]
    comparisons: tuple[int, ...]
    total_comparisons: int
    records: int
    true_pairs: int | None
    true_pairs_reached: int | None

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
) -> BlockingReport:
    """Count the distinct pairs the rules generate, in rule order, and their recall.

    With ``truth_column`` (a column of ``records_table`` holding the true resident id), also
    count the true pairs (excluding pairs inside duplicate-free sources) and how many the rules
    reach.
    """
    table = q(records_table)
    counts: list[int] = []
    previous: list[str] = []
    for rule in rules:
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
                f"AND l.unique_id < r.unique_id AND {_NOT_SAME_DUPLICATE_FREE_SOURCE}"
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
    )
