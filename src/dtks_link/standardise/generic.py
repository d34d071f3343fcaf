"""Fields that are not Indonesian-specific: postcodes and other identifiers.

They let the same model link data from elsewhere (FEBRL's Australian records, a BPJS card
number, a passport) through the generic mapping:

* ``kode_pos`` (postcode): the digits only, 3 to 10 of them, else NULL; all zeros (``00000``,
  an export's default for "unknown") is a placeholder and NULL;
* ``id_lain`` (any other personal identifier): upper-case letters and digits only, 4 to 40 of
  them, else NULL; a value of one repeated character (``0000000``) is a placeholder and NULL.
"""

from __future__ import annotations

from functools import cache

from ..rules import Compiled, Expr, and_, col, compile_py, if_, not_
from ._text import plain_upper

__all__ = ["other_identifier", "other_identifier_expr", "postcode", "postcode_expr"]

_REPEATED = "^(?:0+|1+|2+|3+|4+|5+|6+|7+|8+|9+|X+)$"


def postcode_expr(raw: Expr) -> Expr:
    """Postcode digits or NULL (a float export's trailing ``.0`` is dropped; all zeros is NULL:
    19,871 of pseudopeople's 36,882 records carry ``00000``, which as a blocking key paired
    each of them with thousands of others)."""
    text = plain_upper(raw).re_sub(r"([0-9])\.0+$", r"\1", every=False)
    digits = text.re_sub("[^0-9]+", "")
    return if_(and_(digits.re_has("^[0-9]{3,10}$"), not_(digits.re_has("^0+$"))), digits)


def identifier_expr(raw: Expr, *, min_length: int) -> Expr:
    """An identifier as upper-case letters and digits (a float export's trailing ``.0``
    dropped), or NULL when shorter than ``min_length``, longer than 40 or one repeated digit."""
    text = plain_upper(raw).re_sub(r"([0-9])\.0+$", r"\1", every=False)
    clean = text.re_sub("[^0-9A-Z]+", "")
    shape = f"^[0-9A-Z]{{{min_length},40}}$"
    return if_(and_(clean.re_has(shape), not_(clean.re_has(_REPEATED))), clean)


def other_identifier_expr(raw: Expr) -> Expr:
    """Identifier letters and digits (at least four) or NULL."""
    return identifier_expr(raw, min_length=4)


@cache
def _postcode_fn() -> Compiled:
    return compile_py(postcode_expr(col("v")))


@cache
def _other_fn() -> Compiled:
    return compile_py(other_identifier_expr(col("v")))


def postcode(value: object) -> str | None:
    """A postcode as digits, or None.

    >>> postcode("16424"), postcode("2615.0"), postcode(" 16 424 "), postcode("-"), postcode("00000")
    ('16424', '2615', '16424', None, None)
    """
    out = _postcode_fn()({"v": None if value is None else str(value)})
    assert out is None or isinstance(out, str)
    return out


def other_identifier(value: object) -> str | None:
    """Another personal identifier (card, passport or social-security number) as upper-case
    letters and digits, or None for empty values and placeholders.

    >>> other_identifier("0001-2345-678"), other_identifier("a 12345"), other_identifier("000000")
    ('00012345678', 'A12345', None)
    """
    out = _other_fn()({"v": None if value is None else str(value)})
    assert out is None or isinstance(out, str)
    return out
