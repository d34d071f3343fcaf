"""The residence comparison: KK number, kelurahan/RT/RW, street line and postcode as one piece
of evidence."""

from __future__ import annotations

from ..rules import and_, coalesce, left, not_, or_, right
from .evidence import SAME_HOUSEHOLD, SAME_LINE, same
from .levels import ELSE, ComparisonSpec, JointEvidence, Level
from .person import FAMILY_NAME_ONLY, similar

__all__ = ["RESIDENCE"]

_RESIDENCE_COLUMNS = ("no_kk", "kelurahan_code", "kecamatan_code", "street", "kode_pos")
_SAME_RT = and_(same("kelurahan_code"), same("rt"), same("rw"))

RESIDENCE = ComparisonSpec(
    name="alamat",
    description="Residence",
    columns=_RESIDENCE_COLUMNS,
    levels=(
        Level(
            "Null",
            not_(or_(*(and_(left(c).not_null(), right(c).not_null()) for c in _RESIDENCE_COLUMNS))),
            is_null=True,
        ),
        Level(
            "One household, another given name of one family",
            and_(SAME_HOUSEHOLD, FAMILY_NAME_ONLY),
            joint=JointEvidence(
                within=(
                    "Same KK and address",
                    "Same KK",
                    "Same street and house number",
                    "Same kelurahan, RT, RW",
                ),
                counted=("nama", "Other given name, same family name"),
            ),
        ),
        Level("Same KK and address", and_(same("no_kk"), coalesce(or_(_SAME_RT, SAME_LINE), False))),
        Level("Same KK", same("no_kk")),
        Level("Same street and house number", SAME_LINE),
        Level("Same kelurahan, RT, RW", _SAME_RT),
        Level("Same street", same("street"), tf_column="street"),
        Level("Street JW >= 0.92", similar("street", 0.92)),
        Level("Same kelurahan, RW", and_(same("kelurahan_code"), same("rw"))),
        Level("Same kelurahan", same("kelurahan_code")),
        Level("Same postcode", same("kode_pos"), tf_column="kode_pos"),
        Level("Street JW >= 0.8", similar("street", 0.8)),
        Level("Same kecamatan", same("kecamatan_code")),
        ELSE,
    ),
)
"""Where the person lives, as one comparison: KK number, kelurahan/RT/RW on gazetteer codes,
the street line parsed from ``alamat`` (street and house number, or the whole line when it has
no RT/RW) and postcode. They describe one household, so they are one piece of evidence: as
separate comparisons they would count a shared household three or four times, and every member
of a family would look like one resident. A different KK is no evidence against a match (KKs
change on marriage, moves and family splits). Levels: null (no field held on both sides); one
household (same KK, or kelurahan, RT and RW, or street line) with the names of two members of
one family (the name comparison's level "Other given name, same family name"): u from random
pairs, which show a shared address and a shared family name together far more often than the
two apart would predict, and m set so that this level and the name level weigh together
log2 of the household levels' m times the name level's m over that u (for one person the two
are independent, see :class:`~.levels.JointEvidence`); same
KK and same address (kelurahan, RT and RW, or street and house number); same KK; same street
and house number (or the same street line where neither has a house number apart); same
kelurahan, RT and RW; same street (TF adjusted); street Jaro-Winkler >=
0.92; same kelurahan and RW; same kelurahan; same postcode (TF adjusted); street JW >= 0.8; same
kecamatan; all other comparisons."""
