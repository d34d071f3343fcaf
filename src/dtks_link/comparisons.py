"""Resident comparisons for Splink 5: NIK, name, birth date, sex, address, KK, mother, birthplace.

Each comparison is declared once as a list of :class:`Level` objects. A level carries its SQL
condition (DuckDB dialect; :func:`level_sql` translates it for Spark with sqlglot, mapping the
similarity functions onto the ones Splink's Spark jar registers) and a Python twin
with the same three-valued logic (a NULL makes a condition false), used by the registry's
real-time scorer. Every docstring lists the levels in order, most specific first; a NULL on
either side falls in the first (null) level and carries no evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import jellyfish
import splink.comparison_level_library as cll
import sqlglot
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.comparison_library import CustomComparison
from sqlglot import exp

__all__ = [
    "COMPARISONS",
    "ComparisonSpec",
    "Level",
    "default_comparisons",
    "level_sql",
]

_DIALECT = "duckdb"
#: u probability of the levels with a fixed weight (m = u * 2**weight).
FIXED_U = 1e-4
Row = Mapping[str, Any]
Predicate = Callable[[Row, Row], bool]


@dataclass(frozen=True)
class Level:
    """One comparison level: label, SQL condition, Python twin, optional TF column."""

    label: str
    sql: str
    py: Predicate
    tf_column: str | None = None
    is_null: bool = False
    fixed_weight: float | None = None
    u_like: str | None = None
    """Label of a sibling level whose u probability this level takes after training: for a
    pattern random pairs never show (an identifier shared by two people), so u sampling cannot
    estimate it, while EM can estimate its m."""

    def creator(self, dialect: str = _DIALECT) -> ComparisonLevelCreator:
        if self.sql == "ELSE":
            return cll.ElseLevel()
        level: ComparisonLevelCreator = cll.CustomLevel(
            level_sql(self.sql, dialect), label_for_charts=self.label, base_dialect_str=dialect
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

    def creator(self, dialect: str = _DIALECT) -> ComparisonCreator:
        levels: list[ComparisonLevelCreator | dict[str, Any]] = [lv.creator(dialect) for lv in self.levels]
        return CustomComparison(
            output_column_name=self.name,
            comparison_description=self.description,
            comparison_levels=levels,
        )

    @property
    def uses(self) -> set[str]:
        """Every column the levels read (``"x_l"`` in the SQL)."""
        return {m for level in self.levels for m in re.findall(r'"(\w+)_[lr]"', level.sql)}

    def columns_present(self, columns_with_data: Collection[str]) -> bool:
        """Whether this comparison has data to work on."""
        return any(column in columns_with_data for column in self.columns)

    def level_of(self, left: Row, right: Row) -> int:
        """Index of the first level whose condition holds (the else level if none)."""
        for index, level in enumerate(self.levels):
            if level.sql == "ELSE" or level.py(left, right):
                return index
        return len(self.levels) - 1


# -- Python twins of the SQL functions (NULL -> condition false) -----------------------------
def _get(row: Row, column: str) -> Any:
    return row.get(column)


def _eq(column: str) -> Predicate:
    def check(left: Row, right: Row) -> bool:
        a, b = left.get(column), right.get(column)
        return a is not None and b is not None and a == b

    return check


def _all_eq(*columns: str) -> Predicate:
    checks = [_eq(c) for c in columns]
    return lambda left, right: all(check(left, right) for check in checks)


def _either_null(*columns: str) -> Predicate:
    """True when, on either side, every one of ``columns`` is NULL."""

    def check(left: Row, right: Row) -> bool:
        return all(left.get(c) is None for c in columns) or all(right.get(c) is None for c in columns)

    return check


def _jw_at_least(column: str, threshold: float) -> Predicate:
    def check(left: Row, right: Row) -> bool:
        a, b = left.get(column), right.get(column)
        if a is None or b is None:
            return False
        return bool(jellyfish.jaro_winkler_similarity(a, b) >= threshold)

    return check


def _split_part(text: str, index: int) -> str:
    parts = text.split(" ")
    return parts[index - 1] if len(parts) >= index else ""


def _sql_null(column: str) -> str:
    return f'"{column}_l" IS NULL OR "{column}_r" IS NULL'


def _sql_eq(column: str) -> str:
    return f'"{column}_l" = "{column}_r"'


def _sql_jw(column: str, threshold: float) -> str:
    return f'jaro_winkler_similarity("{column}_l", "{column}_r") >= {threshold}'


_ELSE = Level("All other comparisons", "ELSE", lambda left, right: True)


# -- another person behind one identifier --------------------------------------------------------
def _names_below(threshold: float) -> Predicate:
    """Names further apart than ``threshold``: Jaro-Winkler below it on the keys, and neither
    name holds the other's words."""

    def check(left: Row, right: Row) -> bool:
        a, b = left.get("nama_key"), right.get("nama_key")
        if a is None or b is None or jellyfish.jaro_winkler_similarity(a, b) >= threshold:
            return False
        return not _token_subset(left, right)

    return check


_names_disagree = _names_below(0.75)
_names_differ = _names_below(0.88)


def _own_dates_disagree(left: Row, right: Row) -> bool:
    a, b = left.get("tanggal_lahir"), right.get("tanggal_lahir")
    if a is None or b is None:
        return False
    y, m, d = a.year == b.year, a.month == b.month, a.day == b.day
    swapped = y and a.month == b.day and a.day == b.month
    return not ((y and m) or (y and d) or (m and d) or swapped) and abs(a.year - b.year) > 1


def _own_dates_agree(left: Row, right: Row) -> bool:
    a, b = left.get("tanggal_lahir"), right.get("tanggal_lahir")
    return a is not None and b is not None and a == b


def _own_sexes_differ(left: Row, right: Row) -> bool:
    a, b = left.get("jenis_kelamin"), right.get("jenis_kelamin")
    return a is not None and b is not None and a != b


def _another_person(left: Row, right: Row) -> bool:
    """The records' own facts say two people: the names clearly disagree (and their own birth
    dates do not agree), or two of name, birth date and sex disagree (one fact alone can be a
    typo)."""
    dates, sexes, names = (
        _own_dates_disagree(left, right),
        _own_sexes_differ(left, right),
        _names_differ(left, right),
    )
    if _names_disagree(left, right) and not _own_dates_agree(left, right):
        return True
    return (dates and (sexes or names)) or (sexes and names)


_TOKENS_L = "string_split(\"nama_tokens_key_l\", ' ')"
_TOKENS_R = "string_split(\"nama_tokens_key_r\", ' ')"
_TOKEN_SUBSET_SQL = f"list_has_all({_TOKENS_L}, {_TOKENS_R}) OR list_has_all({_TOKENS_R}, {_TOKENS_L})"
_OWN_Y = 'year("tanggal_lahir_l") = year("tanggal_lahir_r")'
_OWN_M = 'month("tanggal_lahir_l") = month("tanggal_lahir_r")'
_OWN_D = 'day("tanggal_lahir_l") = day("tanggal_lahir_r")'


def _names_below_sql(threshold: float) -> str:
    return (
        f'coalesce(jaro_winkler_similarity("nama_key_l", "nama_key_r") < {threshold} '
        f"AND NOT coalesce({_TOKEN_SUBSET_SQL}, false), false)"
    )


_NAMES_DISAGREE_SQL = _names_below_sql(0.75)
_NAMES_DIFFER_SQL = _names_below_sql(0.88)
_DATES_DISAGREE_SQL = (
    f"coalesce(NOT (({_OWN_Y} AND {_OWN_M}) OR ({_OWN_Y} AND {_OWN_D}) OR ({_OWN_M} AND {_OWN_D}) "
    f'OR ({_OWN_Y} AND month("tanggal_lahir_l") = day("tanggal_lahir_r") '
    'AND day("tanggal_lahir_l") = month("tanggal_lahir_r"))) '
    'AND abs(year("tanggal_lahir_l") - year("tanggal_lahir_r")) > 1, false)'
)
_SEXES_DIFFER_SQL = 'coalesce("jenis_kelamin_l" <> "jenis_kelamin_r", false)'
#: SQL twin of :func:`_another_person` (NULLs make each part false).
ANOTHER_PERSON_SQL = (
    f'(({_NAMES_DISAGREE_SQL} AND NOT coalesce("tanggal_lahir_l" = "tanggal_lahir_r", false)) '
    f"OR ({_DATES_DISAGREE_SQL} AND ({_SEXES_DIFFER_SQL} OR {_NAMES_DIFFER_SQL})) "
    f"OR ({_SEXES_DIFFER_SQL} AND {_NAMES_DIFFER_SQL}))"
)

#: An identifier that agrees on the records of two people (a borrowed identifier: the head's
#: NIK on the carer's aid record, an SSN copied from a household member) is a level of its
#: own. EM learns how often true matches show it (m); its u is the exact level's (the chance
#: that two random records share the identifier at all), so it weighs far less than an exact
#: match and never makes a match on its own: the name, birth date and residence decide.


def _borrowed(column: str) -> Predicate:
    same = _eq(column)
    return lambda left, right: same(left, right) and _another_person(left, right)


# -- NIK ---------------------------------------------------------------------------------------
def _nik_typo(left: Row, right: Row) -> bool:
    keys_l, keys_r = left.get("nik_typo_keys"), right.get("nik_typo_keys")
    if keys_l is not None and keys_r is not None:  # pseudonymised: shared keyed neighbour
        return bool(set(keys_l) & set(keys_r))
    a, b = left.get("nik"), right.get("nik")
    return a is not None and b is not None and jellyfish.damerau_levenshtein_distance(a, b) <= 1


#: One typo or transposition. On pseudonymised NIKs (keyed hashes) the distance cannot be
#: computed; there two NIKs one typo apart share one of their keyed one-typo neighbours.
_NIK_TYPO_SQL = (
    'coalesce(array_length(array_intersect("nik_typo_keys_l", "nik_typo_keys_r")) > 0, '
    'damerau_levenshtein("nik_l", "nik_r") <= 1)'
)


#: A NIK written on records of this many different names (phonetic keys) is a shared or
#: generic number (a head of family's NIK given to members, ``3276000000000001``), not an
#: identity: agreeing on it is a level of its own, which EM learns to be weak evidence.
SHARED_NIK_HOLDERS = 3


def _shared_nik(left: Row, right: Row) -> bool:
    holders = [h for h in (left.get("nik_holders"), right.get("nik_holders")) if h is not None]
    return _eq("nik")(left, right) and bool(holders) and max(holders) >= SHARED_NIK_HOLDERS


def _nik_prefix_agrees(left: Row, right: Row) -> bool:
    """One side's NIK was damaged by Excel and the digits that survived begin the other's."""
    for one, other in ((left, right), (right, left)):
        prefix = one.get("nik_prefix")
        full = other.get("nik") if other.get("nik") is not None else other.get("nik_prefix")
        if prefix is not None and full is not None and full.startswith(prefix):
            return True
    return False


_NIK_PREFIX_SQL = (
    '("nik_prefix_l" IS NOT NULL AND starts_with(coalesce("nik_r", "nik_prefix_r"), "nik_prefix_l")) '
    'OR ("nik_prefix_r" IS NOT NULL AND starts_with(coalesce("nik_l", "nik_prefix_l"), "nik_prefix_r"))'
)


def _doubtful_nik(left: Row, right: Row) -> bool:
    """One side's NIK is invalid, or its date or sex contradicts the record it is on (often a
    family member's NIK typed on the record): a different NIK then says little."""
    return any(
        not bool(row.get("nik_valid"))
        or bool(row.get("nik_dob_mismatch"))
        or bool(row.get("nik_sex_mismatch"))
        for row in (left, right)
    )


_DOUBTFUL_NIK_SQL = " OR ".join(
    f'NOT coalesce("nik_valid_{side}", false) OR coalesce("nik_dob_mismatch_{side}", false) '
    f'OR coalesce("nik_sex_mismatch_{side}", false)'
    for side in "lr"
)


def _nik_region_birth(left: Row, right: Row) -> bool:
    a, b = left.get("nik"), right.get("nik")
    return a is not None and b is not None and a[:12] == b[:12]


NIK = ComparisonSpec(
    name="nik",
    description="NIK",
    columns=("nik",),
    levels=(
        Level(
            "Null",
            '("nik_l" IS NULL AND "nik_prefix_l" IS NULL) OR ("nik_r" IS NULL AND "nik_prefix_r" IS NULL)',
            _either_null("nik", "nik_prefix"),
            is_null=True,
        ),
        Level(
            "Exact NIK, another person (name, birth date or sex disagree)",
            f'"nik_l" = "nik_r" AND {ANOTHER_PERSON_SQL}',
            _borrowed("nik"),
            u_like="Exact NIK",
        ),
        Level(
            f"Exact NIK shared by {SHARED_NIK_HOLDERS}+ names",
            f'"nik_l" = "nik_r" AND greatest("nik_holders_l", "nik_holders_r") >= {SHARED_NIK_HOLDERS}',
            _shared_nik,
        ),
        Level("Exact NIK", _sql_eq("nik"), _eq("nik"), tf_column="nik"),
        Level("One typo or transposition", _NIK_TYPO_SQL, _nik_typo),
        Level(
            "Same region and birth, other serial",
            'substr("nik_l", 1, 12) = substr("nik_r", 1, 12)',
            _nik_region_birth,
            fixed_weight=0.0,
        ),
        Level("Excel-damaged, surviving digits agree", _NIK_PREFIX_SQL, _nik_prefix_agrees),
        Level("Other NIK, one invalid or contradicting its record", _DOUBTFUL_NIK_SQL, _doubtful_nik),
        _ELSE,
    ),
)
"""NIK (``nik``). Levels: null; exact, but the records' own names, birth dates or sexes say
two people (a borrowed NIK: m learned, u the exact level's, so it weighs far less than an
exact NIK and never makes a match on its own); exact on a shared NIK (held by records of
:data:`SHARED_NIK_HOLDERS` or more different names: weak evidence); exact (term-frequency
adjusted: a NIK shared by many records counts for less); one substitution or adjacent
transposition; same region and birth part (first 12 digits) with another serial (fixed weight
0: the birth part repeats the birth-date comparison, and twins and siblings born on one day
share it); one NIK
damaged by Excel (``3.27601E+15``) and the digits that survived begin the other; another NIK,
but one of the two is invalid or contradicts its own record's birth date or sex (little
evidence against); all other comparisons. The null level needs no NIK and no surviving digits on one side."""


# -- name --------------------------------------------------------------------------------------
def _token_subset(left: Row, right: Row) -> bool:
    a, b = left.get("nama_tokens_key"), right.get("nama_tokens_key")
    if a is None or b is None:
        return False
    ta, tb = set(a.split(" ")), set(b.split(" "))
    return ta >= tb or tb >= ta


def _first_token_initial(left: Row, right: Row) -> bool:
    a, b = left.get("nama_tokens_key"), right.get("nama_tokens_key")
    if a is None or b is None:
        return False
    return _split_part(a, 1) == _split_part(b, 1) and _split_part(a, 2)[:1] == _split_part(b, 2)[:1]


def _other_given_name(left: Row, right: Row) -> bool:
    """Two names of two or more words with the same last word whose first words differ (not
    an initial of the other, Jaro-Winkler < 0.8) and neither holds the other's words: the
    names of two members of one family (``DIANA P KOFRON`` / ``ANNA A KOFRON``)."""
    a, b = left.get("nama_tokens_key"), right.get("nama_tokens_key")
    if a is None or b is None:
        return False
    ta, tb = a.split(" "), b.split(" ")
    if len(ta) < 2 or len(tb) < 2 or ta[-1] != tb[-1] or _token_subset(left, right):
        return False
    fa, fb = ta[0], tb[0]
    if fa[:1] == fb[:1] and (len(fa) == 1 or len(fb) == 1):
        return False
    return fa != fb and jellyfish.jaro_winkler_similarity(fa, fb) < 0.8


_FIRST_L = "split_part(\"nama_tokens_key_l\", ' ', 1)"
_FIRST_R = "split_part(\"nama_tokens_key_r\", ' ', 1)"
#: SQL twin of :func:`_other_given_name`.
_OTHER_GIVEN_SQL = (
    "\"nama_tokens_key_l\" LIKE '% %' AND \"nama_tokens_key_r\" LIKE '% %' "
    "AND regexp_extract(\"nama_tokens_key_l\", '[^ ]*$', 0) "
    "= regexp_extract(\"nama_tokens_key_r\", '[^ ]*$', 0) "
    f"AND NOT ({_TOKEN_SUBSET_SQL}) "
    f"AND NOT (left({_FIRST_L}, 1) = left({_FIRST_R}, 1) "
    f"AND (length({_FIRST_L}) = 1 OR length({_FIRST_R}) = 1)) "
    f"AND {_FIRST_L} <> {_FIRST_R} AND jaro_winkler_similarity({_FIRST_L}, {_FIRST_R}) < 0.8"
)


def _patronym_conflict(left: Row, right: Row) -> bool:
    a, b = left.get("nama_patronym"), right.get("nama_patronym")
    return _eq("nama_key")(left, right) and a is not None and b is not None and a != b


NAME = ComparisonSpec(
    name="nama",
    description="Name",
    columns=("nama_key",),
    levels=(
        Level("Null", _sql_null("nama_key"), _either_null("nama_key"), is_null=True),
        Level(
            "Equal name key, other father (bin/binti)",
            '"nama_key_l" = "nama_key_r" AND "nama_patronym_l" <> "nama_patronym_r"',
            _patronym_conflict,
        ),
        Level("Exact name", _sql_eq("nama_clean"), _eq("nama_clean"), tf_column="nama_clean"),
        Level("Equal name key", _sql_eq("nama_key"), _eq("nama_key"), tf_column="nama_key"),
        Level("Other given name, same family name", _OTHER_GIVEN_SQL, _other_given_name),
        Level("Key JW >= 0.95", _sql_jw("nama_key", 0.95), _jw_at_least("nama_key", 0.95)),
        Level("Token subset", _TOKEN_SUBSET_SQL, _token_subset),
        Level("Key JW >= 0.88", _sql_jw("nama_key", 0.88), _jw_at_least("nama_key", 0.88)),
        Level(
            "First token and initial",
            "split_part(\"nama_tokens_key_l\", ' ', 1) = split_part(\"nama_tokens_key_r\", ' ', 1) "
            "AND left(split_part(\"nama_tokens_key_l\", ' ', 2), 1) "
            "= left(split_part(\"nama_tokens_key_r\", ' ', 2), 1)",
            _first_token_initial,
        ),
        Level("Key JW >= 0.75", _sql_jw("nama_key", 0.75), _jw_at_least("nama_key", 0.75)),
        _ELSE,
    ),
)
"""Name. Levels: null; equal key but both name a father (``bin/binti X``) and the fathers
differ (Ahmad bin Salim is not Ahmad bin Yusuf); exact clean name (TF adjusted); equal
comparison key: spelling, titles and Muhammad variants folded (TF adjusted); another given name
with the same family name (two words or more, same last word, first words unlike and not an
initial: family members, learned to be weak evidence); Jaro-Winkler >=
0.95 on the key; one name's tokens all in the other's (a token missing); JW >= 0.88; same first
token and compatible initial of the second (``TRI M`` / ``TRI MULYANI``); JW >= 0.75; all
other comparisons."""


# -- birth date --------------------------------------------------------------------------------
def _dates(left: Row, right: Row) -> tuple[Any, Any] | None:
    a, b = left.get("birth_date"), right.get("birth_date")
    return None if a is None or b is None else (a, b)


def _exact_real(left: Row, right: Row) -> bool:
    pair = _dates(left, right)
    placeholder = bool(left.get("birth_date_placeholder")) or bool(right.get("birth_date_placeholder"))
    return pair is not None and pair[0] == pair[1] and not placeholder


def _exact_any(left: Row, right: Row) -> bool:
    pair = _dates(left, right)
    return pair is not None and pair[0] == pair[1]


def _swapped(left: Row, right: Row) -> bool:
    pair = _dates(left, right)
    if pair is None:
        return False
    a, b = pair
    return bool(a.year == b.year and a.month == b.day and a.day == b.month)


def _one_component(left: Row, right: Row) -> bool:
    pair = _dates(left, right)
    if pair is None:
        return False
    a, b = pair
    y, m, d = a.year == b.year, a.month == b.month, a.day == b.day
    return bool((y and m) or (y and d) or (m and d))


def _years_within(limit: int) -> Predicate:
    def check(left: Row, right: Row) -> bool:
        a, b = left.get("birth_year"), right.get("birth_year")
        return a is not None and b is not None and abs(int(a) - int(b)) <= limit

    return check


def _from_age_within(limit: int) -> Predicate:
    within = _years_within(limit)

    def check(left: Row, right: Row) -> bool:
        from_age = bool(left.get("birth_year_from_age")) or bool(right.get("birth_year_from_age"))
        return from_age and within(left, right)

    return check


def _from_nik(flag: str) -> Predicate:
    return lambda left, right: bool(left.get(flag)) or bool(right.get(flag))


_FROM_NIK_SQL = '(coalesce("birth_date_from_nik_l", false) OR coalesce("birth_date_from_nik_r", false))'


def _date_from_shared_nik(left: Row, right: Row) -> bool:
    from_nik = bool(left.get("birth_date_from_nik")) or bool(right.get("birth_date_from_nik"))
    return from_nik and _eq("nik")(left, right)


_FROM_AGE = '(coalesce("birth_year_from_age_l", false) OR coalesce("birth_year_from_age_r", false))'
_BOTH_DATES = '"birth_date_l" IS NOT NULL AND "birth_date_r" IS NOT NULL'
_Y = 'year("birth_date_l") = year("birth_date_r")'
_M = 'month("birth_date_l") = month("birth_date_r")'
_D = 'day("birth_date_l") = day("birth_date_r")'

BIRTH_DATE = ComparisonSpec(
    name="tanggal_lahir",
    description="Birth date",
    columns=("birth_date", "birth_year"),
    levels=(
        Level(
            "Null",
            '("birth_date_l" IS NULL AND "birth_year_l" IS NULL) '
            'OR ("birth_date_r" IS NULL AND "birth_year_r" IS NULL)',
            _either_null("birth_date", "birth_year"),
            is_null=True,
        ),
        Level(
            "Date read from the NIK both records share",
            '(coalesce("birth_date_from_nik_l", false) OR coalesce("birth_date_from_nik_r", false)) '
            'AND "nik_l" = "nik_r"',
            _date_from_shared_nik,
            fixed_weight=0.0,
        ),
        Level(
            "Exact date",
            '"birth_date_l" = "birth_date_r" AND NOT (coalesce("birth_date_placeholder_l", false) '
            'OR coalesce("birth_date_placeholder_r", false))',
            _exact_real,
        ),
        Level("Exact placeholder date", '"birth_date_l" = "birth_date_r"', _exact_any),
        Level(
            "Day and month swapped",
            f'{_BOTH_DATES} AND {_Y} AND month("birth_date_l") = day("birth_date_r") '
            'AND day("birth_date_l") = month("birth_date_r")',
            _swapped,
        ),
        Level(
            "One component different",
            f"{_BOTH_DATES} AND (({_Y} AND {_M}) OR ({_Y} AND {_D}) OR ({_M} AND {_D}))",
            _one_component,
        ),
        Level(
            "Age-based year within 1",
            f'{_FROM_AGE} AND abs("birth_year_l" - "birth_year_r") <= 1',
            _from_age_within(1),
        ),
        Level(
            "Age-based year within 3",
            f'{_FROM_AGE} AND abs("birth_year_l" - "birth_year_r") <= 3',
            _from_age_within(3),
        ),
        Level("Age-based year, further apart", _FROM_AGE, _from_age_within(10_000)),
        Level("Year within 1", 'abs("birth_year_l" - "birth_year_r") <= 1', _years_within(1)),
        Level("Year within 3", 'abs("birth_year_l" - "birth_year_r") <= 3', _years_within(3)),
        Level("Other date, one read from the NIK", _FROM_NIK_SQL, _from_nik("birth_date_from_nik")),
        _ELSE,
    ),
)
"""Birth date (``birth_date``: the recorded date, else the one in a valid NIK) and birth year
(also from an age). Levels: null (no date and no year on one side); one side's date was read
from the NIK and both records carry that NIK (no evidence beyond the NIK's own: fixed weight
0); exact on a real date;
exact on a placeholder date (1 Jan, 1 Jul, 31 Dec, 15th), weaker; day and month swapped; one
component different; a year from an age (one side gives an age) within 1; a year from an age
within 3; a year from an age further apart (ages are often misstated); years within 1; years
within 3; another date where one side's was read from its NIK (the NIK may be a family
member's: weaker evidence against); all other comparisons."""


def _exact_spec(column: str, description: str) -> ComparisonSpec:
    return ComparisonSpec(
        name=column,
        description=description,
        columns=(column,),
        levels=(
            Level("Null", _sql_null(column), _either_null(column), is_null=True),
            Level(f"Exact {description}", _sql_eq(column), _eq(column)),
            _ELSE,
        ),
    )


SEX = ComparisonSpec(
    name="sex",
    description="sex",
    columns=("sex",),
    levels=(
        Level("Null", _sql_null("sex"), _either_null("sex"), is_null=True),
        Level("Exact sex", _sql_eq("sex"), _eq("sex")),
        Level(
            "Other sex, one read from the NIK",
            '(coalesce("sex_from_nik_l", false) OR coalesce("sex_from_nik_r", false))',
            _from_nik("sex_from_nik"),
        ),
        _ELSE,
    ),
)
"""Sex (``sex``: recorded, else from the NIK). Levels: null; equal; different where one side's
was read from its NIK (the NIK may be a family member's); different."""

PHONE = _exact_spec("telepon", "phone")
"""Canonical phone number. Levels: null; equal; different."""


def _none_comparable(*columns: str) -> Predicate:
    """True when no column holds a value on both sides."""

    def check(left: Row, right: Row) -> bool:
        return not any(left.get(c) is not None and right.get(c) is not None for c in columns)

    return check


def _same_line(left: Row, right: Row) -> bool:
    """Same street and house number, or the same street line where neither has a house number
    apart (generic addresses keep the number in the street text)."""
    if not _eq("street")(left, right):
        return False
    a, b = left.get("house_number"), right.get("house_number")
    return (a is None and b is None) or (a is not None and a == b)


#: SQL twin of :func:`_same_line`.
_SAME_LINE_SQL = (
    '"street_l" = "street_r" AND coalesce("house_number_l" = "house_number_r", '
    '"house_number_l" IS NULL AND "house_number_r" IS NULL)'
)


def _same_kk_and_address(left: Row, right: Row) -> bool:
    return _eq("no_kk")(left, right) and (
        _all_eq("kelurahan_code", "rt", "rw")(left, right) or _same_line(left, right)
    )


_RESIDENCE_COLUMNS = ("no_kk", "kelurahan_code", "kecamatan_code", "street", "kode_pos")

RESIDENCE = ComparisonSpec(
    name="alamat",
    description="Residence",
    columns=_RESIDENCE_COLUMNS,
    levels=(
        Level(
            "Null",
            "NOT ("
            + " OR ".join(f'("{c}_l" IS NOT NULL AND "{c}_r" IS NOT NULL)' for c in _RESIDENCE_COLUMNS)
            + ")",
            _none_comparable(*_RESIDENCE_COLUMNS),
            is_null=True,
        ),
        Level(
            "Same KK and address",
            '"no_kk_l" = "no_kk_r" AND coalesce(("kelurahan_code_l" = "kelurahan_code_r" AND "rt_l" = "rt_r" '
            f'AND "rw_l" = "rw_r") OR ({_SAME_LINE_SQL}), false)',
            _same_kk_and_address,
        ),
        Level("Same KK", _sql_eq("no_kk"), _eq("no_kk")),
        Level("Same street and house number", _SAME_LINE_SQL, _same_line),
        Level(
            "Same kelurahan, RT, RW",
            '"kelurahan_code_l" = "kelurahan_code_r" AND "rt_l" = "rt_r" AND "rw_l" = "rw_r"',
            _all_eq("kelurahan_code", "rt", "rw"),
        ),
        Level("Same street", _sql_eq("street"), _eq("street"), tf_column="street"),
        Level("Street JW >= 0.92", _sql_jw("street", 0.92), _jw_at_least("street", 0.92)),
        Level(
            "Same kelurahan, RW",
            '"kelurahan_code_l" = "kelurahan_code_r" AND "rw_l" = "rw_r"',
            _all_eq("kelurahan_code", "rw"),
        ),
        Level("Same kelurahan", _sql_eq("kelurahan_code"), _eq("kelurahan_code")),
        Level("Same postcode", _sql_eq("kode_pos"), _eq("kode_pos"), tf_column="kode_pos"),
        Level("Street JW >= 0.8", _sql_jw("street", 0.8), _jw_at_least("street", 0.8)),
        Level("Same kecamatan", _sql_eq("kecamatan_code"), _eq("kecamatan_code")),
        _ELSE,
    ),
)
"""Where the person lives, as one comparison: KK number, kelurahan/RT/RW on gazetteer codes,
the street line parsed from ``alamat`` (street and house number, or the whole line when it has
no RT/RW) and postcode. They describe one household, so they are one piece of evidence: as
separate comparisons they would count a shared household three or four times, and every member
of a family would look like one resident. A different KK is no evidence against a match (KKs
change on marriage, moves and family splits). Levels: null (no field held on both sides); same
KK and same address (kelurahan, RT and RW, or street and house number); same KK; same street
and house number (or the same street line where neither has a house number apart); same
kelurahan, RT and RW; same street (TF adjusted); street Jaro-Winkler >=
0.92; same kelurahan and RW; same kelurahan; same postcode (TF adjusted); street JW >= 0.8; same
kecamatan; all other comparisons."""


def _fuzzy_spec(column: str, description: str, threshold: float) -> ComparisonSpec:
    return ComparisonSpec(
        name=column,
        description=description,
        columns=(column,),
        levels=(
            Level("Null", _sql_null(column), _either_null(column), is_null=True),
            Level(f"Exact {description}", _sql_eq(column), _eq(column)),
            Level(f"JW >= {threshold}", _sql_jw(column, threshold), _jw_at_least(column, threshold)),
            _ELSE,
        ),
    )


MOTHER = _fuzzy_spec("nama_ibu_key", "mother's name", 0.88)
"""Mother's name key. Levels: null; equal; Jaro-Winkler >= 0.88; all other comparisons."""

BIRTHPLACE = _fuzzy_spec("tempat_lahir", "place of birth", 0.9)
"""Place of birth. Levels: null; equal; Jaro-Winkler >= 0.9; all other comparisons."""


def _dl_at_most(column: str, limit: int) -> Predicate:
    def check(left: Row, right: Row) -> bool:
        a, b = left.get(column), right.get(column)
        return a is not None and b is not None and jellyfish.damerau_levenshtein_distance(a, b) <= limit

    return check


def _edit_spec(column: str, description: str, *, tf: bool) -> ComparisonSpec:
    return ComparisonSpec(
        name=column,
        description=description,
        columns=(column,),
        levels=(
            Level("Null", _sql_null(column), _either_null(column), is_null=True),
            Level(
                f"Exact {description}, another person (name, birth date or sex disagree)",
                f"{_sql_eq(column)} AND {ANOTHER_PERSON_SQL}",
                _borrowed(column),
                u_like=f"Exact {description}",
            ),
            Level(f"Exact {description}", _sql_eq(column), _eq(column), tf_column=column if tf else None),
            Level(
                "One typo or transposition",
                f'damerau_levenshtein("{column}_l", "{column}_r") <= 1',
                _dl_at_most(column, 1),
            ),
            Level(
                "Two typos",
                f'damerau_levenshtein("{column}_l", "{column}_r") <= 2',
                _dl_at_most(column, 2),
            ),
            _ELSE,
        ),
    )


OTHER_ID = _edit_spec("id_lain", "other identifier", tf=True)
"""Another personal identifier (``id_lain``: a card, passport or social-security number).
Levels: null; exact, but the records' own names, birth dates or sexes say two people (a
borrowed number: m learned, u the exact level's); exact (TF adjusted: a number shared by many records counts
for less); one substitution or adjacent transposition; two edits; all other comparisons."""

#: Every comparison, by the output column name Splink knows it by.
COMPARISONS: dict[str, ComparisonSpec] = {
    spec.name: spec
    for spec in (
        NIK,
        NAME,
        BIRTH_DATE,
        SEX,
        RESIDENCE,
        MOTHER,
        BIRTHPLACE,
        PHONE,
        OTHER_ID,
    )
}


def default_comparisons(
    columns_with_data: Collection[str], *, dialect: str = _DIALECT
) -> list[ComparisonCreator]:
    """Splink comparisons for the standardised columns that hold any data, in ``dialect``
    (``duckdb`` or ``spark``).

    A comparison whose columns are empty in every source is left out: it would carry no
    evidence and EM could not estimate it.
    """
    return [spec.creator(dialect) for spec in COMPARISONS.values() if spec.columns_present(columns_with_data)]


def level_sql(sql: str, dialect: str) -> str:
    """A level condition (written in DuckDB SQL) in ``dialect``.

    For Spark, sqlglot translates the SQL and three functions are bound to Spark functions
    with the same results: ``jaro_winkler_similarity`` to ``dtks_jaro_winkler`` (registered by
    the Spark engine: jellyfish, which DuckDB agrees with; the jar's ``jaro_winkler`` scores
    differently), ``damerau_levenshtein`` to the function of that name in Splink's Spark jar,
    and ``list_has_all(a, b)`` (every element of ``b`` is in ``a``) to
    ``size(array_except(b, a)) = 0``.

    >>> print(level_sql('jaro_winkler_similarity("a_l", "a_r") >= 0.9', "spark"))
    DTKS_JARO_WINKLER(`a_l`, `a_r`) >= 0.9
    """
    if dialect == _DIALECT:
        return sql
    if dialect != "spark":
        raise ValueError(f"unknown SQL dialect {dialect!r}")

    def bind(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.JarowinklerSimilarity):
            return exp.Anonymous(this="dtks_jaro_winkler", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "list_has_all":
            whole, part = node.expressions
            missing = exp.Anonymous(this="array_except", expressions=[part, whole])
            return exp.EQ(
                this=exp.Anonymous(this="size", expressions=[missing]), expression=exp.Literal.number(0)
            )
        return node

    return sqlglot.parse_one(sql, read=_DIALECT).transform(bind).sql(dialect="spark")
