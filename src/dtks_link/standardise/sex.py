"""Sex: the many ways registers write it, to ``'L'`` (laki-laki) or ``'P'`` (perempuan).

``L``, ``LK``, ``Laki-laki``, ``Laki2``, ``Pria``, ``M``, ``Male``, ``1`` give ``'L'``;
``P``, ``PR``, ``Perempuan``, ``Wanita``, ``W``, ``F``, ``Female``, ``2`` give ``'P'``
(case, spaces, dots and a trailing ``.0`` do not matter). Anything else gives None.
"""

from __future__ import annotations

from functools import cache

from ..rules import Compiled, Expr, col, compile_py
from ._text import plain_upper

__all__ = ["SEX_CODES", "sex", "sex_expr"]

SEX_CODES: dict[str, str] = {}
for _word in ["L", "LK", "LAKI", "LAKILAKI", "LAKI2", "LL", "PRIA", "M", "MALE", "COWOK", "1"]:
    SEX_CODES[_word] = "L"
for _word in ["P", "PR", "PRP", "PEREMPUAN", "WANITA", "W", "F", "FEMALE", "CEWEK", "2"]:
    SEX_CODES[_word] = "P"


def sex_expr(raw: Expr) -> Expr:
    """'L', 'P' or NULL."""
    text = plain_upper(raw).re_sub(r"\.0+$", "", every=False).re_sub("[^A-Z0-9]+", "")
    return text.lookup(SEX_CODES, "VARCHAR")


@cache
def _fn() -> Compiled:
    return compile_py(sex_expr(col("v")))


def sex(value: object) -> str | None:
    """``'L'``, ``'P'`` or None.

    >>> sex("Laki-laki"), sex("PEREMPUAN"), sex(2), sex("x")
    ('L', 'P', 'P', None)
    """
    fn = _fn()
    out = fn({"v": None if value is None else str(value)})
    assert out is None or isinstance(out, str)
    return out
