"""Phone numbers: ``08…``, ``+62…``, ``62…``, ``0062…`` and ``8…`` to one form, ``08…``/``021…``.

The first number is taken when several are written (``0812… / 0813…``). Separators, spaces and
a trailing ``.0`` (float export) are removed. The result must be 9 to 14 digits starting with 0,
otherwise None (also for Excel's scientific notation, whose digits are lost).
"""

from __future__ import annotations

from functools import cache

from ..rules import Compiled, Expr, and_, case, col, compile_py, if_, lit
from ._text import plain_upper

__all__ = ["phone", "phone_expr"]


_SEPARATOR = r"[/,;|]| ATAU | DAN "


def phone_expr(raw: Expr) -> Expr:
    """Canonical phone text or NULL."""
    text = plain_upper(raw)
    # The first of several numbers; the splitting is skipped when there is no separator.
    first = text.pipe(
        lambda t: case(
            (t.re_has(_SEPARATOR), t.re_sub(_SEPARATOR, "|").split("|").at(1)), default=t, rare=True
        )
    )
    no_fraction = first.pipe(
        lambda f: case((f.contains("."), f.re_sub(r"([0-9])\.0+ *$", r"\1", every=False)), default=f)
    )
    digits = no_fraction.re_sub("[^0-9+]+", "")
    plain = digits.re_sub(r"^\+", "", every=False)
    national = case(
        (plain.re_has("^0062"), lit("0").concat(plain.substr(5, 40))),
        (plain.re_has("^62"), lit("0").concat(plain.substr(3, 40))),
        (plain.re_has("^8"), lit("0").concat(plain)),
        default=plain,
    )
    ok = and_(national.re_has("^0[1-9][0-9]{7,12}$"), digits.re_has(r"^\+?[0-9]+$"))
    return if_(ok, national)


@cache
def _fn() -> Compiled:
    return compile_py(phone_expr(col("v")))


def phone(value: object) -> str | None:
    """One canonical form of an Indonesian phone number, or None.

    >>> phone("+62 812-3456-7890"), phone("0812 3456 7890"), phone("628123456789")
    ('081234567890', '081234567890', '08123456789')
    >>> phone("8123456789"), phone("(021) 7720-1234"), phone("12")
    ('08123456789', '02177201234', None)
    """
    fn = _fn()
    out = fn({"v": None if value is None else str(value)})
    assert out is None or isinstance(out, str)
    return out
