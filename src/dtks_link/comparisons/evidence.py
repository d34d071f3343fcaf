"""What two records' own facts say about them, as pair rules (:mod:`dtks_link.rules.pairs`):
the pieces the comparison levels and the clustering constraints are built from.

Each is a rule over the left (``<column>_l``) and right (``<column>_r``) record, true, false or
NULL as SQL says; the rules that decide (:data:`ANOTHER_PERSON`, :data:`FAMILY_CONFLICT`) are
never NULL.
"""

from __future__ import annotations

from collections.abc import Callable

from ..rules import Expr, and_, coalesce, day_of, jaro_winkler, left, month_of, not_, or_, right, year_of

__all__ = [
    "ANOTHER_PERSON",
    "FAMILY_COLUMNS",
    "FAMILY_CONFLICT",
    "SAME_HOUSEHOLD",
    "SAME_LINE",
    "TOKEN_SUBSET",
    "dates_disagree",
    "first_token",
    "initials_agree",
    "last_token",
    "same",
    "token_list",
]


def same(column: str) -> Expr:
    """Both records hold the column and the values are equal."""
    return left(column).eq(right(column))


def token_list(side: Expr) -> Expr:
    """A name's words (``nama_tokens_key``) as a list."""
    return side.split(" ")


def first_token(side: Expr) -> Expr:
    """A name's first word ('' for no word)."""
    return side.split_part(" ", 1)


def last_token(side: Expr) -> Expr:
    """A name's last word ('' for no word)."""
    return side.re_extract("[^ ]*$")


def _initial(column: str, pick: Callable[[str], Expr], word: int) -> Expr:
    return pick(column).split_part(" ", word).substr(1, 1)


def initials_agree(word: int) -> Expr:
    """The names' ``word``-th words begin with one letter, on the comparison key or on the
    clean name: spelling folds change some first letters (``CHRISTOPHER`` -> ``KHRISTOFER``,
    ``DJOKO`` -> ``JOKO``) but not the initial another record gives (``C``, ``D``)."""
    return or_(
        *(_initial(c, left, word).eq(_initial(c, right, word)) for c in ("nama_tokens_key", "nama_clean"))
    )


_TOKENS_L, _TOKENS_R = token_list(left("nama_tokens_key")), token_list(right("nama_tokens_key"))

#: One name's words are all among the other's (a word missing, or the same words reordered).
TOKEN_SUBSET = or_(_TOKENS_L.list_has_all(_TOKENS_R), _TOKENS_R.list_has_all(_TOKENS_L))


def _names_below(threshold: float) -> Expr:
    """Names further apart than ``threshold``: Jaro-Winkler below it on the keys, and neither
    name holds the other's words (false when a key is missing)."""
    closeness = jaro_winkler(left("nama_key"), right("nama_key"))
    return coalesce(and_(closeness.lt(threshold), not_(coalesce(TOKEN_SUBSET, False))), False)


def dates_disagree(column: str) -> Expr:
    """Two dates that are not one date mistyped: no two of year, month and day agree, day and
    month are not swapped, and the years are more than one apart (false when one is missing)."""
    a, b = left(column), right(column)
    y = year_of(a).eq(year_of(b))
    m = month_of(a).eq(month_of(b))
    d = day_of(a).eq(day_of(b))
    swapped = and_(y, month_of(a).eq(day_of(b)), day_of(a).eq(month_of(b)))
    alike = or_(and_(y, m), and_(y, d), and_(m, d), swapped)
    return coalesce(and_(not_(alike), year_of(a).sub(year_of(b)).abs().gt(1)), False)


_NAMES_DISAGREE = _names_below(0.75)
_NAMES_DIFFER = _names_below(0.88)
_OWN_DATES_DISAGREE = dates_disagree("tanggal_lahir")
_SEXES_DIFFER = coalesce(left("jenis_kelamin").ne(right("jenis_kelamin")), False)

#: The records' own facts say two people: the names clearly disagree (and their own birth dates
#: do not agree), or two of name, birth date and sex disagree (one fact alone can be a typo).
ANOTHER_PERSON = or_(
    and_(_NAMES_DISAGREE, not_(coalesce(same("tanggal_lahir"), False))),
    and_(_OWN_DATES_DISAGREE, or_(_SEXES_DIFFER, _NAMES_DIFFER)),
    and_(_SEXES_DIFFER, _NAMES_DIFFER),
)

#: Same street and house number, or the same street line where neither has a house number
#: apart (generic addresses keep the number in the street text).
SAME_LINE = and_(
    same("street"),
    coalesce(same("house_number"), and_(left("house_number").is_null(), right("house_number").is_null())),
)

#: One household: the same KK, the same kelurahan, RT and RW, or the same street line.
SAME_HOUSEHOLD = coalesce(
    or_(same("no_kk"), and_(same("kelurahan_code"), same("rt"), same("rw")), SAME_LINE), False
)

_FIRST_L, _FIRST_R = first_token(left("nama_tokens_key")), first_token(right("nama_tokens_key"))
_GIVEN_NAMES_DIFFER = coalesce(
    and_(
        _FIRST_L.ne(_FIRST_R),
        jaro_winkler(_FIRST_L, _FIRST_R).lt(0.8),
        not_(_TOKENS_L.list_has_all(_TOKENS_R)),
        not_(_TOKENS_R.list_has_all(_TOKENS_L)),
    ),
    False,
)
_KEYS_L, _KEYS_R = left("nama_tokens_key"), right("nama_tokens_key")
#: Three-word names or longer with one family name (last word) whose first and middle words
#: both begin differently (on the key and on the clean name), neither name holding the
#: other's words: two members of one family (``SUSIE B LAKE`` / ``LISA M LAKE``), where a
#: nickname keeps the middle initial (``HARY J TOMAS`` / ``HAROLD JAMES TOMAS``).
_GIVEN_AND_MIDDLE_DIFFER = coalesce(
    and_(
        _GIVEN_NAMES_DIFFER,
        _KEYS_L.split_part(" ", 3).ne(""),
        _KEYS_R.split_part(" ", 3).ne(""),
        last_token(_KEYS_L).eq(last_token(_KEYS_R)),
        not_(initials_agree(1)),
        not_(initials_agree(2)),
    ),
    False,
)
_OWN_NIKS_DIFFER = coalesce(
    and_(
        left("nik_valid"),
        right("nik_valid"),
        left("nik").ne(right("nik")),
        left("tanggal_lahir").eq(left("nik_birth_date")),
        right("tanggal_lahir").eq(right("nik_birth_date")),
    ),
    False,
)

#: Two records are different members of one family when they share a KK or an address
#: (kelurahan, RT and RW; or the street line) and either their given names (first name token)
#: differ, neither name's tokens containing the other's, while their own birth dates disagree
#: (not equal, not day/month swapped, more than one component and more than a year apart) or
#: each holds a different valid NIK that agrees with its own birth date (twins); or their
#: names of three words or more share the family name while both the first and the middle
#: word begin differently (no birth date needed: a nickname keeps the initials); or, with
#: names alike (a father and son of one name), both: their birth dates disagree and each holds
#: its own different NIK.
FAMILY_CONFLICT = and_(
    SAME_HOUSEHOLD,
    or_(
        and_(_GIVEN_NAMES_DIFFER, or_(_OWN_DATES_DISAGREE, _OWN_NIKS_DIFFER)),
        _GIVEN_AND_MIDDLE_DIFFER,
        and_(_OWN_DATES_DISAGREE, _OWN_NIKS_DIFFER),
    ),
)

#: Columns :data:`FAMILY_CONFLICT` reads; without them (a records table that lacks one) the
#: family constraint is not applied.
FAMILY_COLUMNS = (
    "no_kk", "kelurahan_code", "rt", "rw", "street", "house_number", "nama_tokens_key", "nama_clean",
    "tanggal_lahir", "nik", "nik_valid", "nik_birth_date",
)  # fmt: skip
