"""Resident comparisons for Splink 5: NIK, name, birth date, sex, address, KK, mother, birthplace.

Each function returns a Splink comparison over the standardised columns (see
:mod:`dtks_link.standardise`). Levels are written once as DuckDB SQL and translated by Splink
(sqlglot) for other engines. Every docstring lists the levels in order, most specific first;
a NULL on either side always falls in the first (null) level and carries no evidence.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import splink.comparison_level_library as cll
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison

__all__ = [
    "address_comparison",
    "birth_date_comparison",
    "birthplace_comparison",
    "default_comparisons",
    "kk_comparison",
    "mother_name_comparison",
    "name_comparison",
    "nik_comparison",
    "phone_comparison",
    "sex_comparison",
]

_DIALECT = "duckdb"


def _level(sql: str, label: str) -> ComparisonLevelCreator:
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str=_DIALECT)


def _null(sql: str) -> ComparisonLevelCreator:
    return _level(sql, "Null").configure(is_null_level=True)


def _else() -> ComparisonLevelCreator:
    return cll.ElseLevel()


def nik_comparison() -> ComparisonCreator:
    """Compare cleaned NIKs (column ``nik``).

    Levels:
      1. null: either NIK missing or unrecoverable
      2. exact, with term-frequency adjustment (a NIK shared by many records counts for less)
      3. one substitution or adjacent transposition (Damerau-Levenshtein <= 1)
      4. same region and birth part (first 12 digits), different serial
      5. all other comparisons
    """
    return CustomComparison(
        output_column_name="nik",
        comparison_description="NIK",
        comparison_levels=[
            _null('"nik_l" IS NULL OR "nik_r" IS NULL'),
            _level('"nik_l" = "nik_r"', "Exact NIK").configure(
                tf_adjustment_column="nik", tf_adjustment_weight=1.0
            ),
            _level('damerau_levenshtein("nik_l", "nik_r") <= 1', "One typo or transposition"),
            _level(
                'substr("nik_l", 1, 12) = substr("nik_r", 1, 12)',
                "Same region and birth, other serial",
            ),
            _else(),
        ],
    )


def name_comparison() -> ComparisonCreator:
    """Compare names: the clean name, the folded key (``nama_key``) and its tokens.

    Levels:
      1. null
      2. exact clean name (term-frequency adjusted)
      3. equal comparison key: spelling, title and Muhammad variants folded (TF adjusted)
      4. Jaro-Winkler >= 0.95 on the key
      5. one name's tokens all contained in the other's (a token missing)
      6. Jaro-Winkler >= 0.88 on the key
      7. same first token and compatible initial of the second (``TRI M`` / ``TRI MULYANI``)
      8. Jaro-Winkler >= 0.75 on the key
      9. all other comparisons
    """
    tokens_l = "string_split(\"nama_tokens_key_l\", ' ')"
    tokens_r = "string_split(\"nama_tokens_key_r\", ' ')"
    return CustomComparison(
        output_column_name="nama",
        comparison_description="Name",
        comparison_levels=[
            _null('"nama_key_l" IS NULL OR "nama_key_r" IS NULL'),
            _level('"nama_clean_l" = "nama_clean_r"', "Exact name").configure(
                tf_adjustment_column="nama_clean", tf_adjustment_weight=1.0
            ),
            _level('"nama_key_l" = "nama_key_r"', "Equal name key").configure(
                tf_adjustment_column="nama_key", tf_adjustment_weight=1.0
            ),
            _level('jaro_winkler_similarity("nama_key_l", "nama_key_r") >= 0.95', "Key JW >= 0.95"),
            _level(
                f"list_has_all({tokens_l}, {tokens_r}) OR list_has_all({tokens_r}, {tokens_l})",
                "Token subset",
            ),
            _level('jaro_winkler_similarity("nama_key_l", "nama_key_r") >= 0.88', "Key JW >= 0.88"),
            _level(
                "split_part(\"nama_tokens_key_l\", ' ', 1) "
                "= split_part(\"nama_tokens_key_r\", ' ', 1) "
                "AND left(split_part(\"nama_tokens_key_l\", ' ', 2), 1) "
                "= left(split_part(\"nama_tokens_key_r\", ' ', 2), 1)",
                "First token and initial",
            ),
            _level('jaro_winkler_similarity("nama_key_l", "nama_key_r") >= 0.75', "Key JW >= 0.75"),
            _else(),
        ],
    )


def birth_date_comparison() -> ComparisonCreator:
    """Compare birth dates (``birth_date``, falling back to the NIK's) and birth years.

    Levels:
      1. null: no date and no year (from an age) on one side
      2. exact, on a real date
      3. exact, on a placeholder date (1 Jan, 1 Jul, 31 Dec, 15th): weaker evidence
      4. day and month swapped
      5. one component (day, month or year) different
      6. birth years within 1 (also for sources that give an age)
      7. birth years within 3
      8. all other comparisons
    """
    both = '"birth_date_l" IS NOT NULL AND "birth_date_r" IS NOT NULL'
    return CustomComparison(
        output_column_name="tanggal_lahir",
        comparison_description="Birth date",
        comparison_levels=[
            _null(
                '("birth_date_l" IS NULL AND "birth_year_l" IS NULL) '
                'OR ("birth_date_r" IS NULL AND "birth_year_r" IS NULL)'
            ),
            _level(
                '"birth_date_l" = "birth_date_r" '
                'AND NOT coalesce("tanggal_lahir_placeholder_l", false)',
                "Exact date",
            ),
            _level('"birth_date_l" = "birth_date_r"', "Exact placeholder date"),
            _level(
                f'{both} AND year("birth_date_l") = year("birth_date_r") '
                'AND month("birth_date_l") = day("birth_date_r") '
                'AND day("birth_date_l") = month("birth_date_r")',
                "Day and month swapped",
            ),
            _level(
                f'{both} AND ((year("birth_date_l") = year("birth_date_r") '
                'AND month("birth_date_l") = month("birth_date_r")) '
                'OR (year("birth_date_l") = year("birth_date_r") '
                'AND day("birth_date_l") = day("birth_date_r")) '
                'OR (month("birth_date_l") = month("birth_date_r") '
                'AND day("birth_date_l") = day("birth_date_r")))',
                "One component different",
            ),
            _level('abs("birth_year_l" - "birth_year_r") <= 1', "Year within 1"),
            _level('abs("birth_year_l" - "birth_year_r") <= 3', "Year within 3"),
            _else(),
        ],
    )


def _exact(column: str, description: str, *, tf: bool = False) -> ComparisonCreator:
    exact = _level(f'"{column}_l" = "{column}_r"', f"Exact {description}")
    if tf:
        exact = exact.configure(tf_adjustment_column=column, tf_adjustment_weight=1.0)
    return CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[_null(f'"{column}_l" IS NULL OR "{column}_r" IS NULL'), exact, _else()],
    )


def sex_comparison() -> ComparisonCreator:
    """Compare sex (``sex``: the recorded one, else decoded from the NIK).

    Levels: 1. null, 2. equal, 3. different.
    """
    return _exact("sex", "sex")


def kk_comparison() -> ComparisonCreator:
    """Compare family-card numbers (``no_kk``). KK numbers change on marriage, moves and family
    splits, so the model learns that a different KK is only weak evidence against a match.

    Levels: 1. null, 2. equal, 3. different.
    """
    return _exact("no_kk", "KK number")


def phone_comparison() -> ComparisonCreator:
    """Compare canonical phone numbers (``telepon``). Levels: 1. null, 2. equal, 3. different."""
    return _exact("telepon", "phone")


def address_comparison() -> ComparisonCreator:
    """Compare the place of residence on the gazetteer codes and RT/RW.

    Levels:
      1. null: neither kelurahan nor kecamatan on one side
      2. same kelurahan, RT and RW
      3. same kelurahan and RW
      4. same kelurahan
      5. same kecamatan
      6. all other comparisons
    """
    return CustomComparison(
        output_column_name="alamat",
        comparison_description="Address",
        comparison_levels=[
            _null(
                '("kelurahan_code_l" IS NULL AND "kecamatan_code_l" IS NULL) '
                'OR ("kelurahan_code_r" IS NULL AND "kecamatan_code_r" IS NULL)'
            ),
            _level(
                '"kelurahan_code_l" = "kelurahan_code_r" AND "rt_l" = "rt_r" AND "rw_l" = "rw_r"',
                "Same kelurahan, RT, RW",
            ),
            _level(
                '"kelurahan_code_l" = "kelurahan_code_r" AND "rw_l" = "rw_r"', "Same kelurahan, RW"
            ),
            _level('"kelurahan_code_l" = "kelurahan_code_r"', "Same kelurahan"),
            _level('"kecamatan_code_l" = "kecamatan_code_r"', "Same kecamatan"),
            _else(),
        ],
    )


def _fuzzy(column: str, description: str, thresholds: tuple[float, ...]) -> ComparisonCreator:
    levels: list[ComparisonLevelCreator | dict[str, Any]] = [
        _null(f'"{column}_l" IS NULL OR "{column}_r" IS NULL'),
        _level(f'"{column}_l" = "{column}_r"', f"Exact {description}"),
    ]
    for threshold in thresholds:
        levels.append(
            _level(
                f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {threshold}',
                f"JW >= {threshold}",
            )
        )
    levels.append(_else())
    return CustomComparison(
        output_column_name=column, comparison_description=description, comparison_levels=levels
    )


def mother_name_comparison() -> ComparisonCreator:
    """Compare the mother's name key (``nama_ibu_key``).

    Levels: 1. null, 2. equal key, 3. Jaro-Winkler >= 0.88, 4. all other comparisons.
    """
    return _fuzzy("nama_ibu_key", "mother's name", (0.88,))


def birthplace_comparison() -> ComparisonCreator:
    """Compare the cleaned place of birth (``tempat_lahir``).

    Levels: 1. null, 2. equal, 3. Jaro-Winkler >= 0.9, 4. all other comparisons.
    """
    return _fuzzy("tempat_lahir", "place of birth", (0.9,))


#: comparison factory -> standardised columns it needs (at least one must hold data)
_COMPARISON_COLUMNS = (
    (nik_comparison, ("nik",)),
    (name_comparison, ("nama_key",)),
    (birth_date_comparison, ("birth_date", "birth_year")),
    (sex_comparison, ("sex",)),
    (address_comparison, ("kelurahan_code", "kecamatan_code")),
    (kk_comparison, ("no_kk",)),
    (mother_name_comparison, ("nama_ibu_key",)),
    (birthplace_comparison, ("tempat_lahir",)),
    (phone_comparison, ("telepon",)),
)


def default_comparisons(columns_with_data: Collection[str]) -> list[ComparisonCreator]:
    """The default comparisons for the standardised columns that hold any data.

    A comparison whose columns are empty in every source is left out: it would carry no
    evidence and EM could not estimate it.
    """
    return [
        factory()
        for factory, needed in _COMPARISON_COLUMNS
        if any(column in columns_with_data for column in needed)
    ]
