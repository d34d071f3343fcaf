"""Resident comparisons for Splink 5: NIK, name, birth date, sex, residence, mother, birthplace,
phone and another identifier.

Each comparison is declared once as a list of :class:`Level` objects whose conditions are pair
rules (:mod:`dtks_link.rules.pairs`) over the left and right record: the SQL Splink runs (in
the engine's dialect) and the Python the registry's real-time scorer runs come from the same
rule (:func:`level_function`). Every docstring lists the levels in order, most specific
first; a NULL on either side falls in the first (null) level and carries no evidence.

* :mod:`.levels` — :class:`Level`, :class:`ComparisonSpec`;
* :mod:`.evidence` — what two records' own facts say (another person behind one identifier,
  two members of one family), shared with the clustering constraints;
* :mod:`.identifiers`, :mod:`.person`, :mod:`.residence` — the comparisons.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..rules import DUCKDB, Dialect
from .identifiers import NIK, OTHER_ID, PHONE, SHARED_NIK_HOLDERS
from .levels import FIXED_U, ComparisonSpec, Level, level_function
from .person import BIRTH_DATE, BIRTHPLACE, MOTHER, NAME, SEX
from .residence import RESIDENCE

__all__ = [
    "COMPARISONS",
    "FIXED_U",
    "SHARED_NIK_HOLDERS",
    "ComparisonSpec",
    "Level",
    "default_comparisons",
    "level_function",
]

#: Every comparison, by the output column name Splink knows it by.
COMPARISONS: dict[str, ComparisonSpec] = {
    spec.name: spec for spec in (NIK, NAME, BIRTH_DATE, SEX, RESIDENCE, MOTHER, BIRTHPLACE, PHONE, OTHER_ID)
}


def default_comparisons(columns_with_data: Collection[str], *, dialect: Dialect = DUCKDB) -> list[Any]:
    """Splink comparisons for the standardised columns that hold any data, their SQL in
    ``dialect`` (the engine's).

    A comparison whose columns are empty in every source is left out: it would carry no
    evidence and EM could not estimate it.
    """
    return [spec.creator(dialect) for spec in COMPARISONS.values() if spec.columns_present(columns_with_data)]
