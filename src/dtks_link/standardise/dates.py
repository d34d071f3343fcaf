"""Birth dates: every common written form to a DATE, two-digit years resolved, placeholders flagged.

Accepted forms (leading words such as a place or weekday are skipped, a time part is ignored):

* ``dd-mm-yyyy``, ``dd/mm/yyyy``, ``dd.mm.yyyy``, ``dd mm yy`` (any separators); when the
  month part is above 12 and the day part is not, the two are swapped (US ``mm/dd/yyyy``);
* ``yyyy-mm-dd`` and ``yyyy/mm/dd``, optionally with a time (``1985-08-17 00:00:00``);
* ``d Month yyyy`` with Indonesian or English month names and abbreviations
  (``17 Agustus 1985``, ``17 Agt 85``, ``17-AUG-1985``, ``1 Nop 1960``);
* ``yyyymmdd`` and ``ddmmyyyy`` (8 digits);
* Excel serial day numbers (``31276``, ``31276.0``; 1900 date system);
* a bare year (``1985``) gives :func:`birth_year` but no date.

Two-digit years become 20yy, or 19yy when 20yy would put the date after the reference date,
so no birth date lies in the future. Dates before 1880 or after the reference date are
rejected (None).

Placeholder dates: Dukcapil writes unknown births as 1 July (SIAK, since 2004) or 31 December
(before 2004), the 15th when only the month is known, and many people carry 1 January.
:func:`is_placeholder_date` flags these so comparisons can treat them as weak evidence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from ..rules import (
    Compiled,
    Expr,
    and_,
    case,
    coalesce,
    col,
    compile_py,
    date_add_days,
    day_of,
    if_,
    let_many,
    lit,
    make_date,
    month_of,
    not_,
    null,
    or_,
    struct,
    year_of,
)
from ._text import plain_upper

__all__ = ["MONTHS", "DateExprs", "birth_date", "birth_year", "date_exprs", "is_placeholder_date"]

MIN_YEAR = 1880
_EXCEL_EPOCH = datetime.date(1899, 12, 30)

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "JAN JANUARI JANUARY",
        "FEB PEB FEBRUARI PEBRUARI FEBRUARY PEBR FEBR",
        "MAR MARET MARCH MRT",
        "APR APRIL",
        "MEI MAY",
        "JUN JUNI JUNE",
        "JUL JULI JULY",
        "AGU AGT AGS AGUS AGST AGUSTUS AUG AUGUST",
        "SEP SEPT SEPTEMBER",
        "OKT OKTOBER OCT OCTOBER",
        "NOP NOV NOPEMBER NOVEMBER",
        "DES DESEMBER DEC DECEMBER",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number


@dataclass(frozen=True, kw_only=True)
class DateExprs:
    """Rule trees for one birth-date column (internal)."""

    date: Expr  # DATE or NULL
    year_only: Expr  # INTEGER: a bare year when no full date was given
    placeholder: Expr  # BOOLEAN, never NULL
    ddmmyy: Expr  # the date as DDMMYY text (for comparing with a NIK)


def _two(x: Expr) -> Expr:
    return if_(x.lt(10), lit("0").concat(x.to_str()), x.to_str())


_SHAPES = (
    # (pattern on the dash-separated tokens, canonical "kind|year|month|day")
    (r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:-.*)?$", r"I|\1|\2|\3"),  # yyyy-mm-dd
    (r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})(?:-.*)?$", r"D|\3|\2|\1"),  # dd-mm-yyyy
    (r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{2})(?:-.*)?$", r"T|\3|\2|\1"),  # dd-mm-yy
    # 8 digits: yyyymmdd when it starts like a birth year and a month, else ddmmyyyy
    (r"^(18[89][0-9]|19[0-9]{2}|20[0-9]{2})(0[1-9]|1[0-2])([0-9]{2})(?:-.*)?$", r"I|\1|\2|\3"),
    (r"^([0-9]{2})([0-9]{2})([0-9]{4})(?:-.*)?$", r"D|\3|\2|\1"),
    (r"^([0-9]{3,5})(?:-[0-9]+)?$", r"S|\1"),  # Excel serial (a fraction is ignored) or a year
    # a day-first date whose month is above 12 and day is not: written month-first
    (r"^([DT])[|]([0-9]+)[|](1[3-9]|[2-9][0-9])[|](0?[1-9]|1[0-2])$", r"\1|\2|\4|\3"),
)
MONTH_NUMBERS = {name: str(number) for name, number in MONTHS.items()}


def _apply_shapes(v: Expr, can_match: Expr, shapes: tuple[tuple[str, str], ...]) -> Expr:
    out = v
    for pattern, repl in shapes:
        out = out.re_sub(pattern, repl, every=False)
    return case((can_match, out), default=v, rare=True)


def date_exprs(raw: Expr, reference_date: datetime.date) -> DateExprs:
    """Build the birth-date rules for one raw text column.

    A chain of anchored regular expressions rewrites the text to ``kind|a|b|c`` (month names
    already turned into numbers); one step then checks and builds the date."""
    ref = reference_date
    ref_int = ref.year * 10000 + ref.month * 100 + ref.day
    ref_serial = (ref - _EXCEL_EPOCH).days
    text = plain_upper(raw)
    spaced = text.re_sub("([0-9])([A-Z])|([A-Z])([0-9])", r"\1\3-\2\4")
    tokens = spaced.re_sub("[^0-9A-Z]+", "-").re_sub("^[^0-9]+", "", every=False)
    numeric = tokens.pipe(
        lambda t: case(
            (
                t.re_has("[A-Z]"),
                t.split("-")
                .list_map(lambda w: coalesce(w.lookup(MONTH_NUMBERS, "VARCHAR"), w))
                .list_join("-"),
            ),
            default=t,
            rare=True,
        )
    )
    # Each group of shapes only where one of them can match (the first three need a dash,
    # the next three start with a digit, the last with D or T); a cheap test skips the rest.
    shaped = (
        numeric.pipe(lambda v: _apply_shapes(v, v.contains("-"), _SHAPES[:3]))
        .pipe(lambda v: _apply_shapes(v, v.substr(1, 1).isin(tuple("0123456789")), _SHAPES[3:6]))
        .pipe(lambda v: _apply_shapes(v, v.substr(1, 1).isin(("D", "T")), _SHAPES[6:]))
    )

    def build(p: Expr) -> Expr:
        kind = p.substr(1, 1)
        parts = p.split("|")
        year_raw, month, day = (parts.at(i).to_int(checked=True) for i in (2, 3, 4))
        after = year_raw.add(2000).mul(10000).add(month.mul(100)).add(day).gt(ref_int)
        year = case((kind.eq("T"), if_(after, year_raw.add(1900), year_raw.add(2000))), default=year_raw)
        in_range = and_(
            kind.isin(("I", "D", "T")),
            year.between(MIN_YEAR, ref.year),
            year.mul(10000).add(month.mul(100)).add(day).le(ref_int),
        )
        year_like = and_(kind.eq("S"), year_raw.between(MIN_YEAR, ref.year), parts.at(2).length().eq(4))
        serial = if_(
            and_(kind.eq("S"), not_(year_like), year_raw.between(61, ref_serial)),
            date_add_days(_EXCEL_EPOCH, year_raw),
        )
        return struct(
            date=coalesce(if_(in_range, make_date(year, month, day)), serial),
            bare_year=if_(year_like, year_raw),
        )

    def finish(s: Expr) -> Expr:
        date = s.field("date")
        return struct(
            date=date,
            year_only=if_(date.is_null(), s.field("bare_year")),
            placeholder=is_placeholder_expr(date),
            ddmmyy=_two(day_of(date)).concat(_two(month_of(date)), _two(year_of(date).mod(100))),
        )

    parsed = shaped.pipe(build).pipe(finish)
    return DateExprs(
        date=parsed.field("date"),
        year_only=parsed.field("year_only"),
        placeholder=parsed.field("placeholder"),
        ddmmyy=parsed.field("ddmmyy"),
    )


def is_placeholder_expr(date: Expr) -> Expr:
    """TRUE for 1 July, 31 December, 1 January and any 15th; FALSE otherwise (also for NULL)."""
    d, m = day_of(date), month_of(date)
    hit = or_(
        and_(d.eq(1), m.eq(7)),
        and_(d.eq(31), m.eq(12)),
        and_(d.eq(1), m.eq(1)),
        d.eq(15),
    )
    return and_(date.not_null(), hit)


def age_expr(raw: Expr) -> Expr:
    """Age in whole years from text such as ``45``, ``45.0``, ``45 th``, ``45 tahun``; 0-120."""
    text = plain_upper(raw)
    digits = text.re_extract(r"^([0-9]{1,3})(?:[.,]0+)? ?(?:TH|THN|TAHUN|YEARS|YEAR|YRS)?\.?$", 1)
    age = if_(digits.ne(""), digits.to_int(checked=True))
    return if_(age.le(120), age)


def birth_year_expr(dates: DateExprs, age: Expr, reference_date: datetime.date) -> Expr:
    """struct(birth_year, from_age): the year of the date, else the bare year, else the
    reference year minus the age (``from_age`` true only in that last case)."""

    def body(date: Expr, bare: Expr, age: Expr) -> Expr:
        return struct(
            birth_year=case(
                (date.not_null(), year_of(date)),
                (bare.not_null(), bare),
                default=lit(reference_date.year).sub(age),
            ),
            from_age=and_(date.is_null(), bare.is_null(), age.not_null()),
        )

    return let_many([dates.date, dates.year_only, age], body)


@cache
def _fns(reference_date: datetime.date) -> tuple[Compiled, Compiled]:
    exprs = date_exprs(col("v"), reference_date)
    by = birth_year_expr(exprs, age_expr(null("VARCHAR")), reference_date).field("birth_year")
    return compile_py(exprs.date), compile_py(by)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def birth_date(value: object, *, reference_date: datetime.date | None = None) -> datetime.date | None:
    """The birth date written in ``value``, or None.

    ``reference_date`` (default: today) resolves two-digit years and rejects future dates.

    >>> birth_date("17 Agustus 1985")
    datetime.date(1985, 8, 17)
    >>> birth_date("17/08/85", reference_date=datetime.date(2025, 1, 1))
    datetime.date(1985, 8, 17)
    >>> birth_date("01-07-20", reference_date=datetime.date(2025, 1, 1))
    datetime.date(2020, 7, 1)
    >>> birth_date("31276")
    datetime.date(1985, 8, 17)
    >>> birth_date("31-02-1990") is None
    True
    """
    fn = _fns(reference_date or datetime.date.today())[0]
    out = fn({"v": _text(value)})
    assert out is None or isinstance(out, datetime.date)
    return out


def birth_year(value: object, *, reference_date: datetime.date | None = None) -> int | None:
    """The birth year in ``value``: from a full date, or from a bare year such as ``1985``."""
    fn = _fns(reference_date or datetime.date.today())[1]
    out = fn({"v": _text(value)})
    assert out is None or isinstance(out, int)
    return out


def is_placeholder_date(value: datetime.date | None) -> bool:
    """True for the dates Dukcapil uses for unknown births: 1 July, 31 December, 1 January,
    and the 15th of any month."""
    if value is None:
        return False
    return (value.day, value.month) in ((1, 7), (31, 12), (1, 1)) or value.day == 15
