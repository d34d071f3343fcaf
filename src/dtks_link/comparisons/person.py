"""Comparisons of the person: name, birth date, sex, mother's name, place of birth."""

from __future__ import annotations

from ..rules import Expr, and_, coalesce, day_of, jaro_winkler, left, month_of, not_, or_, right, year_of
from .evidence import TOKEN_SUBSET, first_token, initials_agree, last_token, same
from .levels import ComparisonSpec, Level, comparison

__all__ = [
    "BIRTHPLACE",
    "BIRTH_DATE",
    "FAMILY_NAME_ONLY",
    "MOTHER",
    "NAME",
    "OTHER_GIVEN_NAME",
    "SEX",
    "fuzzy_spec",
    "similar",
]


def similar(column: str, threshold: float) -> Expr:
    """Jaro-Winkler similarity of the two values at least ``threshold``."""
    return jaro_winkler(left(column), right(column)).ge(threshold)


_TOKENS_L, _TOKENS_R = left("nama_tokens_key"), right("nama_tokens_key")
_FIRST_L, _FIRST_R = first_token(_TOKENS_L), first_token(_TOKENS_R)

#: Two names of two or more words with the same last word whose first words differ (not an
#: initial of the other, Jaro-Winkler < 0.8) and neither holds the other's words: the names of
#: two members of one family (``DIANA P KOFRON`` / ``ANNA A KOFRON``).
OTHER_GIVEN_NAME = and_(
    _TOKENS_L.contains(" "),
    _TOKENS_R.contains(" "),
    last_token(_TOKENS_L).eq(last_token(_TOKENS_R)),
    not_(TOKEN_SUBSET),
    not_(and_(initials_agree(1), or_(_FIRST_L.length().eq(1), _FIRST_R.length().eq(1)))),
    _FIRST_L.ne(_FIRST_R),
    jaro_winkler(_FIRST_L, _FIRST_R).lt(0.8),
)

#: Two names of three or more words with the same last word and middle initials that agree
#: whose first words differ (neither name holds the other's words, the keys further apart than
#: Jaro-Winkler 0.88): a nickname or a shortened first name of one person (``HARY J TOMAS`` /
#: ``HAROLD JAMES TOMAS``), or, less often, two members of one family with one initial.
_OTHER_FIRST_NAME_SAME_MIDDLE = and_(
    _TOKENS_L.split_part(" ", 3).ne(""),
    _TOKENS_R.split_part(" ", 3).ne(""),
    last_token(_TOKENS_L).eq(last_token(_TOKENS_R)),
    initials_agree(2),
    _FIRST_L.ne(_FIRST_R),
    not_(TOKEN_SUBSET),
    not_(similar("nama_key", 0.88)),
)

#: Another given name with the same family name, the middle initials not agreeing: the
#: pairs of the level "Other given name, same family name" (the residence comparison's
#: household level reads it).
FAMILY_NAME_ONLY = and_(OTHER_GIVEN_NAME, not_(coalesce(_OTHER_FIRST_NAME_SAME_MIDDLE, False)))

#: Two names of two or more words whose first and last words are swapped, each alike the
#: other's (Jaro-Winkler >= 0.88): family name written first (``COXN JONH`` / ``JOHN COXON``).
_SWAPPED = and_(
    _TOKENS_L.contains(" "),
    _TOKENS_R.contains(" "),
    jaro_winkler(_FIRST_L, last_token(_TOKENS_R)).ge(0.88),
    jaro_winkler(last_token(_TOKENS_L), _FIRST_R).ge(0.88),
)

#: The same first word, and the second words begin alike (``TRI M`` / ``TRI MULYANI``).
_FIRST_TOKEN_AND_INITIAL = and_(_FIRST_L.eq(_FIRST_R), initials_agree(2))

NAME = comparison(
    "nama",
    "Name",
    ("nama_key",),
    Level(
        "Equal name key, other father (bin/binti)",
        and_(same("nama_key"), left("nama_patronym").ne(right("nama_patronym"))),
    ),
    Level("Exact name", same("nama_clean"), tf_column="nama_clean"),
    Level("Equal name key", same("nama_key"), tf_column="nama_key"),
    Level("Other first name, same middle initial and family name", _OTHER_FIRST_NAME_SAME_MIDDLE),
    Level("Other given name, same family name", FAMILY_NAME_ONLY),
    Level("Key JW >= 0.95", similar("nama_key", 0.95)),
    Level("Token subset", TOKEN_SUBSET),
    Level("Key JW >= 0.88", similar("nama_key", 0.88)),
    Level("First token and initial", _FIRST_TOKEN_AND_INITIAL),
    Level("First and last words swapped", _SWAPPED),
    Level("Key JW >= 0.75", similar("nama_key", 0.75)),
)
"""Name. Levels: null; equal key but both name a father (``bin/binti X``) and the fathers
differ (Ahmad bin Salim is not Ahmad bin Yusuf); exact clean name (TF adjusted); equal
comparison key: spelling, titles and Muhammad variants folded (TF adjusted); another first
name with the same middle initial and family name (three words or more, the keys further apart
than JW 0.88: a nickname, ``HARY J TOMAS`` / ``HAROLD JAMES TOMAS``); another given name
with the same family name (two words or more, same last word, first words unlike and not an
initial: family members, learned to be weak evidence, and at one household the residence
comparison weighs the two together); Jaro-Winkler >=
0.95 on the key; one name's tokens all in the other's (a token missing); JW >= 0.88; same first
token and compatible initial of the second (``TRI M`` / ``TRI MULYANI``, initials compared on
the key and on the clean name, which spelling folds leave alone); first and last words swapped,
each alike the other's (JW >= 0.88); JW >= 0.75; all other comparisons."""


def _either(flag: str) -> Expr:
    """The flag is true on one side or the other."""
    return or_(coalesce(left(flag), False), coalesce(right(flag), False))


def _years_within(limit: int) -> Expr:
    return left("birth_year").sub(right("birth_year")).abs().le(limit)


_BD_L, _BD_R = left("birth_date"), right("birth_date")
_BOTH_DATES = and_(_BD_L.not_null(), _BD_R.not_null())
_Y = year_of(_BD_L).eq(year_of(_BD_R))
_M = month_of(_BD_L).eq(month_of(_BD_R))
_D = day_of(_BD_L).eq(day_of(_BD_R))
_FROM_AGE = _either("birth_year_from_age")

BIRTH_DATE = comparison(
    "tanggal_lahir",
    "Birth date",
    ("birth_date", "birth_year"),
    Level(
        "Date read from the NIK both records share",
        and_(_either("birth_date_from_nik"), same("nik")),
        fixed_weight=0.0,
    ),
    Level("Exact date", and_(same("birth_date"), not_(_either("birth_date_placeholder")))),
    Level("Exact placeholder date", same("birth_date")),
    Level(
        "Day and month swapped",
        and_(_BOTH_DATES, _Y, month_of(_BD_L).eq(day_of(_BD_R)), day_of(_BD_L).eq(month_of(_BD_R))),
    ),
    Level("One component different", and_(_BOTH_DATES, or_(and_(_Y, _M), and_(_Y, _D), and_(_M, _D)))),
    Level("Age-based year within 1", and_(_FROM_AGE, _years_within(1))),
    Level("Age-based year within 3", and_(_FROM_AGE, _years_within(3))),
    Level("Age-based year, further apart", _FROM_AGE),
    Level("Year within 1", _years_within(1)),
    Level("Year within 3", _years_within(3)),
    Level("Other date, one read from the NIK", _either("birth_date_from_nik")),
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

SEX = comparison(
    "sex",
    "sex",
    ("sex",),
    Level("Exact sex", same("sex")),
    Level("Other sex, one read from the NIK", _either("sex_from_nik")),
)
"""Sex (``sex``: recorded, else from the NIK). Levels: null; equal; different where one side's
was read from its NIK (the NIK may be a family member's); different."""


def fuzzy_spec(column: str, description: str, threshold: float) -> ComparisonSpec:
    """Null, equal, Jaro-Winkler at least ``threshold``, all other comparisons."""
    return comparison(
        column,
        description,
        (column,),
        Level(f"Exact {description}", same(column)),
        Level(f"JW >= {threshold}", similar(column, threshold)),
    )


MOTHER = fuzzy_spec("nama_ibu_key", "mother's name", 0.88)
"""Mother's name key. Levels: null; equal; Jaro-Winkler >= 0.88; all other comparisons."""

BIRTHPLACE = fuzzy_spec("tempat_lahir", "place of birth", 0.9)
"""Place of birth. Levels: null; equal; Jaro-Winkler >= 0.9; all other comparisons."""
