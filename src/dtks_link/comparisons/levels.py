"""A comparison and its levels: one rule per level, rendered as Splink's SQL in the engine's
dialect and compiled to Python for the registry's real-time scorer.

A :class:`Level`'s ``condition`` is a pair rule (:mod:`dtks_link.rules.pairs`) over the left
(``<column>_l``) and right (``<column>_r``) record; a pair falls in the first level whose
condition is true (NULL counts as false, as in SQL's ``CASE WHEN``), and in the last, the else
level, when none is. SQL and Python come from the one rule, so a pair is in the same level in
a batch run and in a lookup.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import splink.comparison_level_library as cll
from splink.comparison_library import CustomComparison

from ..rules import (
    DUCKDB,
    Dialect,
    Expr,
    PairFunction,
    and_,
    case,
    compile_pair,
    left,
    or_,
    pair_columns,
    pair_sql,
    right,
)

__all__ = [
    "ELSE",
    "FIXED_U",
    "ComparisonSpec",
    "JointEvidence",
    "Level",
    "comparison",
    "either_null",
    "level_function",
]

#: u probability of the levels with a fixed weight (m = u * 2**weight).
FIXED_U = 1e-4
Row = Mapping[str, Any]


@dataclass(frozen=True)
class JointEvidence:
    """How a level whose condition joins this comparison's evidence with another comparison's
    gets its m probability, where the two are independent among matches but not among
    non-matches (two members of one family share an address *and* a family name far more often
    than two random people do).

    The level's u is learned from random pairs as usual: the chance that two different people
    show both facts at once. Its m is the product of the two facts' m (for one person, where
    they live and how a clerk wrote their given name are independent): the sum of the m of
    ``within`` (the sibling levels that, between them, take the pairs agreeing on this
    comparison's part of the condition) times the m of ``counted`` (comparison, level). That
    level has already added its own weight, log2(m / u) on its unconditional u, so the
    product is divided by that m and multiplied by its u: the two comparisons together then
    weigh log2(m_within * m_counted / u_joint), the evidence of both facts at the rate that
    different people show them together.

    A pattern random pairs never show (too rare to sample) keeps the independent estimate:
    the ``within`` levels' weight."""

    within: tuple[str, ...]
    counted: tuple[str, str]


@dataclass(frozen=True)
class Level:
    """One comparison level: its label, its condition (a pair rule; None for the else level
    that takes every other pair), and how Splink treats it."""

    label: str
    condition: Expr | None
    tf_column: str | None = None
    is_null: bool = False
    fixed_weight: float | None = None
    u_like: str | None = None
    """Label of a sibling level whose u probability this level takes after training: for a
    pattern random pairs never show (an identifier shared by two people), so u sampling cannot
    estimate it, while EM can estimate its m."""
    joint: JointEvidence | None = None
    """For a level joining two comparisons' evidence: how its m is set after training (EM
    leaves it; :class:`JointEvidence`)."""

    @property
    def is_else(self) -> bool:
        return self.condition is None

    def sql_in(self, dialect: Dialect) -> str:
        """The condition as SQL over ``<column>_l``/``<column>_r`` (``ELSE`` for the else level)."""
        return "ELSE" if self.condition is None else pair_sql(self.condition, dialect=dialect)

    @property
    def sql(self) -> str:
        """:meth:`sql_in` DuckDB."""
        return self.sql_in(DUCKDB)

    def creator(self, dialect: Dialect = DUCKDB) -> Any:
        """The Splink comparison level, its SQL in ``dialect``."""
        if self.condition is None:
            return cll.ElseLevel()
        level: Any = cll.CustomLevel(
            self.sql_in(dialect), label_for_charts=self.label, base_dialect_str=dialect.name
        )
        if self.is_null:
            level = level.configure(is_null_level=True)
        if self.fixed_weight is not None:
            # a pattern whose evidence EM cannot learn from random pairs: fixed m and u
            level = level.configure(
                m_probability=FIXED_U * 2.0**self.fixed_weight,
                u_probability=FIXED_U,
                fix_m_probability=True,
                fix_u_probability=True,
            )
        if self.joint is not None:
            # m is set from other levels' after training (JointEvidence); EM leaves it
            level = level.configure(m_probability=FIXED_U, fix_m_probability=True)
        if self.tf_column is not None:
            level = level.configure(tf_adjustment_column=self.tf_column, tf_adjustment_weight=1.0)
        return level


@dataclass(frozen=True)
class ComparisonSpec:
    """A comparison: its output column (Splink's name for it), levels and needed columns."""

    name: str
    description: str
    levels: tuple[Level, ...]
    columns: tuple[str, ...]

    def creator(self, dialect: Dialect = DUCKDB) -> Any:
        """The Splink comparison, its SQL in ``dialect``."""
        return CustomComparison(
            output_column_name=self.name,
            comparison_description=self.description,
            comparison_levels=[level.creator(dialect) for level in self.levels],
        )

    @cached_property
    def uses(self) -> set[str]:
        """Every column the levels read."""
        return set(pair_columns(*(lv.condition for lv in self.levels if lv.condition is not None)))

    def columns_present(self, columns_with_data: Collection[str]) -> bool:
        """Whether this comparison has data to work on."""
        return any(column in columns_with_data for column in self.columns)

    def level_rule(self) -> Expr:
        """The index of the pair's level, as one pair rule (a ``CASE`` over the conditions)."""
        branches = [(lv.condition, i) for i, lv in enumerate(self.levels) if lv.condition is not None]
        return case(*branches, default=len(self.levels) - 1)

    def level_of(self, left: Row, right: Row) -> int:
        """Index of the first level whose condition holds (the else level if none)."""
        return int(level_function((self,))(left, right)[self.name])


ELSE = Level("All other comparisons", None)
"""The last level of every comparison: the pairs no other level takes."""


def either_null(*columns: str) -> Expr:
    """On one side or the other, every one of ``columns`` is NULL."""
    return or_(and_(*(left(c).is_null() for c in columns)), and_(*(right(c).is_null() for c in columns)))


def comparison(
    name: str, description: str, columns: tuple[str, ...], *levels: Level, null_columns: tuple[str, ...] = ()
) -> ComparisonSpec:
    """A comparison of ``levels`` between the null level (every one of ``null_columns``, by
    default ``columns``, NULL on one side) and :data:`ELSE`."""
    null = Level("Null", either_null(*(null_columns or columns)), is_null=True)
    return ComparisonSpec(name=name, description=description, columns=columns, levels=(null, *levels, ELSE))


@cache
def level_function(specs: tuple[ComparisonSpec, ...]) -> PairFunction:
    """One Python function giving, for a pair of records, comparison name -> level index for
    every comparison of ``specs`` (values they share are computed once per pair)."""
    return compile_pair({spec.name: spec.level_rule() for spec in specs})
