"""Splink, behind one module: every use of Splink's private API is here, so a Splink upgrade is
checked in one place.

Public Splink API is used wherever it exists; where it does not (a linker's settings object,
the prior, the learned parameters of a comparison level, the hash Splink samples with), the
attribute is read or written here with a note saying why. The rest of dtks_link calls these
functions and never touches a name of Splink's that begins with ``_`` or ``splink.internals``.

Sampling: Splink samples deterministically by hashing the unique id (u estimation, EM record
sampling, chunking), but with each engine's own ``hash()``: DuckDB and Spark would train on
different rows and learn slightly different models. Inside :func:`portable_sampling` both
engines hash with the same function, the first 60 bits of the MD5 of the id text, so they pick
the same rows and the trained parameters agree to floating-point precision. Splink picks its
dialect objects by name, so the hash is swapped on the two dialect classes for the duration of
the block and restored after it (training is not run from several threads at once).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from splink.blocking_rule_library import CustomRule
from splink.internals.dialects import DuckDBDialect as SplinkDuckDBDialect
from splink.internals.dialects import SparkDialect as SplinkSparkDialect

from ..rules.dialects import DUCKDB, SPARK, Dialect

__all__ = [
    "TermFrequency",
    "blocking_rule",
    "bundled_javascript",
    "comparisons",
    "em_session",
    "forget_m_estimates_after",
    "intermediate_columns_kept",
    "level_weight",
    "m_estimates",
    "m_is_estimated",
    "m_is_fixed",
    "portable_sampling",
    "prior",
    "set_prior",
    "term_frequency",
    "u_is_trained",
]


class _Rule(Protocol):
    """A blocking rule of ours (:class:`dtks_link.blocking.BlockingRule`): SQL in any dialect."""

    def sql_in(self, dialect: Dialect) -> str: ...


def blocking_rule(rule: _Rule, dialect: Dialect) -> Any:
    """A blocking rule for Splink, written in the engine's own dialect (so Splink translates
    nothing)."""
    return CustomRule(rule.sql_in(dialect), sql_dialect=dialect.name)


# -- a linker's settings (Splink has no public accessor for the live settings object) ----------
def comparisons(linker: Any) -> list[Any]:
    """The linker's live comparisons (Splink ``Comparison`` objects, their levels in order)."""
    return list(linker._settings_obj.comparisons)


def prior(linker: Any) -> float:
    """The probability that two random records match (the model's prior)."""
    return float(linker._settings_obj._probability_two_random_records_match)


def set_prior(linker: Any, value: float) -> None:
    """Set the model's prior (Splink sets it only by estimating it)."""
    linker._settings_obj._probability_two_random_records_match = value


def bundled_javascript() -> Traversable:
    """The folder of JavaScript libraries (Vega, Vega-Lite, vega-embed) that Splink ships for its
    charts, inside its ``internals`` package: ``splink/internals/files/external_js``."""
    return files("splink").joinpath("internals/files/external_js")


@contextmanager
def intermediate_columns_kept(linker: Any) -> Iterator[None]:
    """Within the block, Splink treats scored rows as holding the intermediate columns (the
    per-comparison weights a waterfall chart draws)."""
    settings = linker._settings_obj
    kept = settings._retain_intermediate_calculation_columns
    settings._retain_intermediate_calculation_columns = True
    try:
        yield
    finally:
        settings._retain_intermediate_calculation_columns = kept


def em_session(linker: Any, rule: Any) -> None:
    """One EM session on ``rule``. Splink 5 drops the comparisons a session cannot train from the
    linker's own settings and only puts them back when the session succeeds: a session that
    raises (``m_probability ... below the minimum allowed value``) would leave the model
    without them, every pair would score low and every record would stay alone. They (and the
    prior) are restored here when it raises."""
    settings = linker._settings_obj
    kept, kept_prior = list(settings.comparisons), settings._probability_two_random_records_match
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=2e6, record_sample_proportion=0.1
        )
    except BaseException:
        settings.comparisons = kept
        settings._probability_two_random_records_match = kept_prior
        raise


# -- a comparison level's learned parameters ----------------------------------------------------
def m_is_fixed(level: Any) -> bool:
    """The level's m probability is fixed (training leaves it)."""
    return bool(level._fix_m_probability)


def m_is_estimated(level: Any) -> bool:
    """Some training session estimated the level's m probability."""
    return bool(level._has_estimated_m_values)


def u_is_trained(level: Any) -> bool:
    """The level's u probability was estimated from random pairs."""
    return bool(level._u_is_trained)


def level_weight(level: Any) -> float:
    """The level's match weight: log2(m / u)."""
    return float(level._log2_bayes_factor)


def m_estimates(level: Any) -> int:
    """How many m estimates the training sessions recorded for the level."""
    return len(level._trained_m_probabilities)


def forget_m_estimates_after(level: Any, count: int, m_probability: float | None) -> None:
    """Undo the training sessions after the level's first ``count`` m estimates: drop their
    estimates and put back ``m_probability`` (the m it had then); a fixed m is left as it is."""
    del level._trained_m_probabilities[count:]
    if not m_is_fixed(level):
        level.m_probability = m_probability


@dataclass(frozen=True)
class TermFrequency:
    """How a level adjusts its weight by the frequency of the value: the column read, the
    adjustment's weight, the smallest u it uses, and log2 of the u of an exact match."""

    column: str
    weight: float
    minimum_u: float
    log2_u_exact: float


def term_frequency(level: Any, levels: list[Any]) -> TermFrequency | None:
    """The level's term-frequency adjustment (``levels``: every level of its comparison), or
    None (also for the null and else levels)."""
    if not level._has_tf_adjustments or level.is_null_level or level._is_else_level:
        return None
    return TermFrequency(
        column=level._tf_adjustment_input_column.unquote().name,
        weight=float(level._tf_adjustment_weight),
        minimum_u=float(level._tf_minimum_u_value),
        log2_u_exact=math.log2(level._u_probability_corresponding_to_exact_match(levels)),
    )


# -- the same samples on every engine -------------------------------------------------------------
def _patched(dialect: Dialect) -> dict[str, Any]:
    def hash_function_expression(self: Any, col_expression: str) -> str:
        return dialect.portable_hash(col_expression)

    def hash_bucket_expression(self: Any, col_expression: str, modulus: int) -> str:
        if modulus <= 0:
            raise ValueError("modulus must be positive")
        return f"({dialect.portable_hash(col_expression)} % {int(modulus)})"

    return {
        "hash_function_expression": hash_function_expression,
        "hash_bucket_expression": hash_bucket_expression,
    }


@contextmanager
def portable_sampling() -> Iterator[None]:
    """Make Splink's hash-based samples the same on DuckDB and Spark within the block."""
    saved: list[tuple[type, str, Any]] = []
    try:
        for cls, ours in ((SplinkDuckDBDialect, DUCKDB), (SplinkSparkDialect, SPARK)):
            for attr, fn in _patched(ours).items():
                saved.append((cls, attr, cls.__dict__.get(attr)))
                setattr(cls, attr, fn)
        yield
    finally:
        for cls, attr, original in reversed(saved):
            if original is None:
                delattr(cls, attr)
            else:
                setattr(cls, attr, original)
