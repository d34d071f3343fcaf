"""Engine-independent sampling for Splink's training, so DuckDB and Spark learn the same model.

Splink samples deterministically by hashing the unique id (u estimation, EM record sampling,
chunking), but with each engine's own ``hash()``: DuckDB and Spark would train on different
rows and learn slightly different models. Inside :func:`portable_sampling` both engines hash
with the same function, the first 60 bits of the MD5 of the id text, so they pick the same
rows and the trained parameters agree to floating-point precision.

Splink picks its dialect objects by name, so the hash is swapped on the two dialect classes
for the duration of the block and restored after it (training is not run from several
threads at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from splink.internals.dialects import DuckDBDialect, SparkDialect

from ..rules.dialects import DUCKDB, SPARK, Dialect, dialect_of

__all__ = ["portable_hash_sql", "portable_sampling"]


def portable_hash_sql(dialect: Dialect | str, expression: str) -> str:
    """SQL for a non-negative BIGINT hash of ``expression`` as text: the first 15 hex digits
    of its MD5, the same number on DuckDB and Spark (:meth:`Dialect.portable_hash`)."""
    return dialect_of(dialect).portable_hash(expression)


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
        for cls, ours in ((DuckDBDialect, DUCKDB), (SparkDialect, SPARK)):
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
