"""The records table: one standardised record per mapped row, with the columns derived from it
for the model (``birth_date``, ``sex``, ``birth_year`` and their flags, ``nik_holders``).

The derived columns are rules over the standardised columns (:data:`DERIVED`), so the records
table (SQL in the engine's dialect) and a single record (:func:`derive_record`, the registry's
real-time lookup) come from one definition. ``nik_holders`` counts across records (the
different names a NIK is written with), so it is an aggregate over the table, not a rule of
one record: :func:`standardise_records` counts it over the run's records, or over a batch and
the registry it joins (``holders_with``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd

from ..backends.engine import Engine
from ..config import LinkConfig
from ..rules import Expr, and_, coalesce, col, compile_record, if_, or_, staged_query, year_of
from ..schema import IDENTIFIER_FACTS, PSEUDONYMISED_FIELDS, column_types
from .dates import is_placeholder_expr
from .sql import OUTPUT_COLUMNS, standardise_query

__all__ = ["DERIVED", "NIK_CONSISTENT", "derive_record", "standardise_records"]

#: Columns a pseudonymised source gives ready-made: the hashed identifiers, taken as they are,
#: and the facts drawn from the raw NIK and KK before hashing.
_GIVEN: tuple[str, ...] = (*PSEUDONYMISED_FIELDS, *IDENTIFIER_FACTS)

_NIK_DATE, _NIK_SEX = col("nik_birth_date"), col("nik_sex")
_DATE, _SEX, _YEAR = col("tanggal_lahir"), col("jenis_kelamin"), col("birth_year")

#: When the facts a valid NIK encodes (birth date, sex) may stand in for a record's missing ones:
#: only when they agree with what the record itself says (its sex, birth year, or age). A NIK
#: that contradicts its record is often another family member's (the head's NIK on the carer's
#: aid record); its facts would pull the record onto that person. Never NULL.
NIK_CONSISTENT = and_(
    coalesce(col("nik_valid"), False),
    or_(col("jenis_kelamin").is_null(), col("nik_sex").is_null(), col("jenis_kelamin").eq(col("nik_sex"))),
    or_(
        col("tanggal_lahir").is_null(),
        _NIK_DATE.is_null(),
        year_of(col("tanggal_lahir")).eq(year_of(_NIK_DATE)),
    ),
    or_(
        col("birth_year").is_null(),
        _NIK_DATE.is_null(),
        col("birth_year").sub(year_of(_NIK_DATE)).abs().le(2),
    ),
)


def _derived() -> dict[str, Expr]:
    birth_date = coalesce(col("tanggal_lahir"), if_(NIK_CONSISTENT, _NIK_DATE))
    return {
        "birth_date": birth_date,
        "birth_date_from_nik": and_(col("tanggal_lahir").is_null(), _NIK_DATE.not_null(), NIK_CONSISTENT),
        "sex": coalesce(col("jenis_kelamin"), if_(NIK_CONSISTENT, col("nik_sex"))),
        "sex_from_nik": and_(col("jenis_kelamin").is_null(), col("nik_sex").not_null(), NIK_CONSISTENT),
        # the year of the birth date when there is one, else the standardised year (from a
        # bare year or an age); BIGINT, as the records table has always held it
        "birth_year": coalesce(year_of(birth_date), col("birth_year")).cast("BIGINT"),
        "birth_year_from_age": and_(birth_date.is_null(), coalesce(col("birth_year_from_age"), False)),
        "birth_date_placeholder": is_placeholder_expr(birth_date),
    }


#: The derived columns, as rules over the standardised columns: ``birth_date`` and ``sex`` (the
#: recorded value, else the one decoded from a valid NIK that agrees with the record:
#: :data:`NIK_CONSISTENT`), ``birth_date_from_nik`` and ``sex_from_nik`` (they were read from
#: the NIK), ``birth_year`` and ``birth_year_from_age`` (from ``birth_date`` when there is one)
#: and ``birth_date_placeholder`` (``birth_date`` is one of Dukcapil's placeholder dates).
DERIVED: dict[str, Expr] = _derived()

#: The SQL types of the derived columns in the records table.
_DERIVED_TYPES = {**column_types(derived=True), "birth_year": "BIGINT", "birth_year_from_age": "BOOLEAN"}


@cache
def _derive_function() -> Any:
    return compile_record(DERIVED)


def derive_record(std: Mapping[str, Any]) -> dict[str, Any]:
    """A standardised record (:func:`~dtks_link.standardise.standardise_record`) with the
    derived columns of :data:`DERIVED` (``nik_holders`` needs the other records: not here)."""
    out = dict(std)
    out.update(_derive_function()(std))
    return out


def standardise_records(
    engine: Engine,
    config: LinkConfig,
    *,
    mapped_table: str = "mapped",
    records_table: str = "records",
    holders_with: str | None = None,
) -> None:
    """Create ``records_table``: one standardised row per mapped record, with ``unique_id``,
    ``source_duplicate_free``, the derived columns (:data:`DERIVED`), ``nik_holders`` (how many
    different names, by phonetic key, the records with this NIK carry: a shared or generic NIK
    has several) and ``nik_typo_keys`` (NULL unless the sources are pseudonymised).

    With pseudonymised sources, NIK, KK and phone are taken as they are (keyed hashes) and the
    facts standardisation would draw from them come from the columns extracted beforehand.

    ``holders_with`` names a table of records (``unique_id, nik, nama_phonetic``: the
    registry's) whose names count towards ``nik_holders`` too, except those with a unique id of
    the batch (they are replaced). The SQL is the same rules rendered in the engine's dialect.
    """
    q = engine.quote
    d = engine.dialect
    engine.load_frame(
        "__source_flags",
        pd.DataFrame(
            {
                "source": pd.Series([s.name for s in config.sources], dtype=object),
                "duplicate_free": pd.Series([s.duplicate_free for s in config.sources], dtype=bool),
            }
        ),
    )
    pseudonymised = any(s.pseudonymised for s in config.sources)
    # the staged query: shared intermediate values computed once (about twice as fast as one
    # select list)
    given = ", ".join(f"{q(c)} AS {q('__given_' + c)}" for c in _GIVEN)
    standardised = standardise_query(
        f"(SELECT m.*, f.duplicate_free AS __source_duplicate_free FROM {q(mapped_table)} m "
        "JOIN __source_flags f ON m.source = f.source) AS m",
        reference_date=config.options.effective_reference_date,
        select="concat(source, '|', record_id) AS unique_id, source, record_id, "
        f"__source_duplicate_free AS source_duplicate_free, {given}",
        dialect=d,
    )
    # pseudonymised sources: the hashed identifiers and the facts extracted before hashing
    # replace what standardisation would draw from the (hashed) values
    columns = [
        f"{q('__given_' + c)} AS {q(c)}" if pseudonymised and c in _GIVEN else q(c) for c in OUTPUT_COLUMNS
    ]
    with_given = (
        "SELECT unique_id, source, record_id, source_duplicate_free, "
        f"{', '.join(columns)}, {q('__given_nik_typo_keys')} AS nik_typo_keys FROM ({standardised}) __s"
    )
    replaced = ("birth_year", "birth_year_from_age")
    kept = [
        c
        for c in ("unique_id", "source", "record_id", "source_duplicate_free", *OUTPUT_COLUMNS)
        if c not in replaced
    ]
    derived = staged_query(
        DERIVED,
        source=f"({with_given}) __g",
        select=", ".join(q(c) for c in (*kept, "nik_typo_keys")),
        types=_DERIVED_TYPES,
        prefix="__derived",
        dialect=d,
    )
    order = [*kept, "birth_date", "birth_date_from_nik", "sex", "sex_from_nik", "nik_typo_keys", *replaced,
             "birth_date_placeholder"]  # fmt: skip
    listed = ", ".join(q(c) for c in order)
    if holders_with is None:
        holders = d.count_distinct_over("nama_phonetic", "nik")
        engine.create_table(
            records_table,
            f"SELECT {listed}, CASE WHEN nik IS NOT NULL THEN {holders} END AS nik_holders "
            f"FROM ({derived}) __d",
        )
    else:
        engine.create_table("__records_derived", f"SELECT {listed} FROM ({derived}) __d")
        table = ".".join(q(part) for part in holders_with.split("."))
        others = (
            f"SELECT nik, nama_phonetic FROM {table} "
            "WHERE unique_id NOT IN (SELECT unique_id FROM __records_derived)"
        )
        engine.create_table(
            records_table,
            f"SELECT {', '.join('d.' + q(c) for c in order)}, CASE WHEN d.nik IS NOT NULL THEN h.n END "
            "AS nik_holders FROM __records_derived d LEFT JOIN (SELECT nik, count(DISTINCT nama_phonetic) "
            f"AS n FROM (SELECT nik, nama_phonetic FROM __records_derived UNION ALL {others}) __all "
            "GROUP BY nik) h ON d.nik = h.nik",
        )
        engine.drop("__records_derived")
    engine.drop("__source_flags")
