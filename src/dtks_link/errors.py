"""Exception types raised by dtks_link.

Every error the library raises on purpose is a :class:`DtksLinkError`, so a pipeline can catch
one type. The tree::

    DtksLinkError
    ├── ConfigError          the linkage config (TOML or Python) is wrong; lists every problem
    ├── SourceError          a source cannot be read or mapped; names source, column and row
    ├── EngineError          the engine (DuckDB, Splink) failed or a needed extra is missing
    │   └── TrainingError    the trained model scores implausibly (see ResidentModel.check_scores)
    ├── EvaluationError      clusters and truth cannot be compared
    └── QueryError           a lookup query names an unknown field, has a wrong type, or
                             holds nothing that can find candidates

:class:`MappingWarning` (a ``UserWarning``) says that a mapped column does not look like its
field.

Messages never contain a raw NIK or KK number; use :func:`mask_identifier` when a value must
be shown.
"""

from __future__ import annotations

import re

__all__ = [
    "ConfigError",
    "DtksLinkError",
    "EngineError",
    "EvaluationError",
    "MappingWarning",
    "QueryError",
    "SourceError",
    "TrainingError",
    "mask_identifier",
    "mask_numbers",
    "mask_record_id",
]


_LONG_NUMBER = re.compile(r"\d{15,17}")
_DIGIT_RUN = re.compile(r"\d{8,}")


def mask_numbers(text: str) -> str:
    """Mask every 15-17 digit run (a NIK, a KK number, a damaged one) in ``text``."""
    return _LONG_NUMBER.sub(lambda m: mask_identifier(m.group()), text)


class DtksLinkError(Exception):
    """Base class of every error dtks_link raises on purpose. Its message never shows a
    15-17 digit number (NIK, KK) unmasked."""

    def __init__(self, message: str = "") -> None:
        super().__init__(mask_numbers(str(message)))


class ConfigError(DtksLinkError):
    """The linkage configuration is invalid. ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], origin: str = "config") -> None:
        self.problems = list(problems)
        self.origin = origin
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{origin} has {len(self.problems)} problem(s):\n{lines}")


class SourceError(DtksLinkError):
    """A source could not be read or mapped to the canonical record."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.source = source
        self.column = column
        self.row = row
        where = f"source {source!r}"
        if column is not None:
            where += f", column {column!r}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {message}")


class EngineError(DtksLinkError):
    """The SQL engine or Splink failed, or an optional engine is not installed."""


class TrainingError(EngineError):
    """The model's scores are implausible: blocking found candidate pairs but none scored as a
    pair, or the pairs the strict deterministic rules call one resident mostly score below the
    match threshold. ``link`` then tries the default model; this is raised when that fails too."""


class EvaluationError(DtksLinkError):
    """Clusters and truth cannot be compared (missing columns, no overlap, ...)."""


def mask_identifier(value: object) -> str:
    """Mask an identifier (NIK, KK) for logs: keep the first 4 and last 4 characters.

    >>> mask_identifier("3276012345670001")
    '3276********0001'
    >>> mask_identifier("12345")
    '*****'
    """
    text = "" if value is None else str(value)
    if len(text) <= 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_record_id(record_id: object) -> str:
    """A record id for people to read: every run of 8 or more digits (a NIK, KK, phone or card
    number used as an id) masked like ``3276********0001``; shorter ids stay readable."""
    return _DIGIT_RUN.sub(lambda m: mask_identifier(m.group()), str(record_id))


class MappingWarning(UserWarning):
    """A mapped column's values mostly do not look like its field (for example an SSN mapped
    to ``nik``): the linkage runs, but that field will not help. Names the source, field and
    column, never a value."""


class QueryError(DtksLinkError):
    """A lookup query cannot be answered as given: an unknown field, a value of the wrong type,
    or no field that can find candidates. ``field`` names the field at fault (None when the
    query as a whole is the problem). The message never quotes a value."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)
