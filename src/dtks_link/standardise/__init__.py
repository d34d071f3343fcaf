"""Standardise: Indonesian identity fields to clean, comparable columns, in SQL and in Python.

Every rule is written once (in the rule language, :mod:`dtks_link.rules`) and runs two ways
with the same answers:

* :func:`standardise_query` gives a SQL query that DuckDB runs set-based over whole tables
  (the linking pipeline); :func:`standardise_select_sql` gives the same as one select list;
* the single-value helpers (:func:`parse_nik`, :func:`name_key`, :func:`birth_date`,
  :func:`address`, ...) and :func:`standardise_record` run the same rules in plain Python
  (about 0.3 ms a record), for code, tests and real-time matching.

The rules: NIK and No. KK (:mod:`.nik`), names and the Indonesian phonetic key
(:mod:`.names`), birth dates (:mod:`.dates`), sex (:mod:`.sex`), addresses against the Depok
gazetteer (:mod:`.address`, :mod:`.gazetteer`), phone numbers (:mod:`.phone`); the output
columns are listed in :mod:`.sql`. :func:`standardise_records` builds the records table the
model reads (:mod:`.records`: the standardised columns and the derived ones, :data:`DERIVED`).
:func:`quality_profile` counts the problems each source has; :func:`quality_chart` draws them.

>>> name_key("HJ. SITI AMINAH, S.PD") == name_key("Siti Aminah")
True
>>> parse_nik("3276014108850003").birth_date
datetime.date(1985, 8, 1)
"""

from __future__ import annotations

from .address import AddressResult, address, kelurahan
from .dates import birth_date, birth_year, is_placeholder_date
from .generic import other_identifier, postcode
from .names import NameResult, name, name_key, name_phonetic, parse_name
from .nik import KK_PROBLEMS, NIK_PROBLEMS, KkResult, NikResult, nik_from_parts, parse_kk, parse_nik
from .phone import phone
from .quality import QUALITY_CHECKS, QualityCheck, quality_chart, quality_profile
from .records import DERIVED, derive_record, standardise_records
from .sex import sex
from .sql import OUTPUT_COLUMNS, RAW_COLUMNS, standardise_query, standardise_record, standardise_select_sql

__all__ = [
    "DERIVED",
    "KK_PROBLEMS",
    "NIK_PROBLEMS",
    "OUTPUT_COLUMNS",
    "QUALITY_CHECKS",
    "RAW_COLUMNS",
    "AddressResult",
    "KkResult",
    "NameResult",
    "NikResult",
    "QualityCheck",
    "address",
    "birth_date",
    "birth_year",
    "derive_record",
    "is_placeholder_date",
    "kelurahan",
    "name",
    "name_key",
    "name_phonetic",
    "nik_from_parts",
    "other_identifier",
    "parse_kk",
    "parse_name",
    "parse_nik",
    "phone",
    "postcode",
    "quality_chart",
    "quality_profile",
    "sex",
    "standardise_query",
    "standardise_record",
    "standardise_records",
    "standardise_select_sql",
]
