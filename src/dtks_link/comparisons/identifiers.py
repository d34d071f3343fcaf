"""Comparisons of identifiers: the NIK, another personal identifier, the phone number."""

from __future__ import annotations

from ..rules import Expr, and_, coalesce, damerau_levenshtein, greatest, left, not_, or_, right
from .evidence import ANOTHER_PERSON, same
from .levels import ComparisonSpec, Level, comparison

__all__ = ["NIK", "OTHER_ID", "PHONE", "SHARED_NIK_HOLDERS", "exact_spec"]

#: A NIK written on records of this many different names (phonetic keys) is a shared or
#: generic number (a head of family's NIK given to members, ``3276000000000001``), not an
#: identity: agreeing on it is a level of its own, which EM learns to be weak evidence.
SHARED_NIK_HOLDERS = 3


def exact_spec(column: str, description: str) -> ComparisonSpec:
    """Null, equal, all other comparisons."""
    return comparison(column, description, (column,), Level(f"Exact {description}", same(column)))


#: An identifier that agrees on the records of two people (a borrowed identifier: the head's
#: NIK on the carer's aid record, an SSN copied from a household member) is a level of its
#: own. EM learns how often true matches show it (m); its u is the exact level's (the chance
#: that two random records share the identifier at all), so it weighs far less than an exact
#: match and never makes a match on its own: the name, birth date and residence decide.
def borrowed(column: str) -> Expr:
    return and_(same(column), ANOTHER_PERSON)


def _typos_at_most(column: str, limit: int) -> Expr:
    return damerau_levenshtein(left(column), right(column)).le(limit)


#: One typo or transposition. On pseudonymised NIKs (keyed hashes) the distance cannot be
#: computed; there two NIKs one typo apart share one of their keyed one-typo neighbours.
_NIK_TYPO = coalesce(left("nik_typo_keys").list_overlaps(right("nik_typo_keys")), _typos_at_most("nik", 1))

#: One side's NIK was damaged by Excel and the digits that survived begin the other's.
_NIK_PREFIX_AGREES = or_(
    and_(
        left("nik_prefix").not_null(),
        coalesce(right("nik"), right("nik_prefix")).starts_with(left("nik_prefix")),
    ),
    and_(
        right("nik_prefix").not_null(),
        coalesce(left("nik"), left("nik_prefix")).starts_with(right("nik_prefix")),
    ),
)


#: One side's NIK is invalid, or its date or sex contradicts the record it is on (often a
#: family member's NIK typed on the record): a different NIK then says little.
_DOUBTFUL_NIK = or_(
    *(
        part
        for pick in (left, right)
        for part in (
            not_(coalesce(pick("nik_valid"), False)),
            coalesce(pick("nik_dob_mismatch"), False),
            coalesce(pick("nik_sex_mismatch"), False),
        )
    )
)

NIK = comparison(
    "nik",
    "NIK",
    ("nik",),
    Level(
        "Exact NIK, another person (name, birth date or sex disagree)", borrowed("nik"), u_like="Exact NIK"
    ),
    Level(
        f"Exact NIK shared by {SHARED_NIK_HOLDERS}+ names",
        and_(same("nik"), greatest(left("nik_holders"), right("nik_holders")).ge(SHARED_NIK_HOLDERS)),
    ),
    Level("Exact NIK", same("nik"), tf_column="nik"),
    Level("One typo or transposition", _NIK_TYPO),
    Level(
        "Same region and birth, other serial",
        left("nik").substr(1, 12).eq(right("nik").substr(1, 12)),
        fixed_weight=0.0,
    ),
    Level("Excel-damaged, surviving digits agree", _NIK_PREFIX_AGREES),
    Level("Other NIK, one invalid or contradicting its record", _DOUBTFUL_NIK),
    null_columns=("nik", "nik_prefix"),
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

PHONE = exact_spec("telepon", "phone")
"""Canonical phone number. Levels: null; equal; different."""

OTHER_ID = comparison(
    "id_lain",
    "other identifier",
    ("id_lain",),
    Level(
        "Exact other identifier, another person (name, birth date or sex disagree)",
        borrowed("id_lain"),
        u_like="Exact other identifier",
    ),
    Level("Exact other identifier", same("id_lain"), tf_column="id_lain"),
    Level("One typo or transposition", _typos_at_most("id_lain", 1)),
    Level("Two typos", _typos_at_most("id_lain", 2)),
)
"""Another personal identifier (``id_lain``: a card, passport or social-security number).
Levels: null; exact, but the records' own names, birth dates or sexes say two people (a
borrowed number: m learned, u the exact level's); exact (TF adjusted: a number shared by many records counts
for less); one substitution or adjacent transposition; two edits; all other comparisons."""
