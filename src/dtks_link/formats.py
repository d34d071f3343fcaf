"""Per-source value formats (``[sources.formats]``): strptime codes for a field, applied while reading.

A source may say how it writes a date, e.g. ``tanggal_lahir = "%m/%d/%Y"`` (US month-first),
or give a list of formats tried in order (``["%m/%d/%Y", "%m%d%Y", "%Y%m%d"]``). While the
source is mapped onto the canonical record, each value is parsed with the first format that
fits and rewritten in a form the standardisation rules read without guessing:

* ``YYYY-MM-DD`` (ISO) for formats with a four-digit year (``%Y``);
* ``DD-MM-YY`` for formats with a two-digit year (``%y``), so the rules resolve the century
  against ``reference_date`` as they do for every other two-digit year.

A value that fits none of the formats is not guessed: it becomes NULL and is counted (the
``<field>_format_mismatch`` check of the quality profile). Without formats the rules read the
value as they always do (day-first unless the day part cannot be a month).

The conversion is SQL run by the engine: DuckDB's ``try_strptime`` with the strptime format,
Spark's ``try_to_timestamp`` with the same format translated to a Java pattern
(:func:`java_pattern`). Format strings are passed as bound parameters, never spliced into SQL.

Supported codes: ``%d`` ``%-d`` (day), ``%m`` ``%-m`` (month number), ``%b`` (month name,
English, ``Jul``), ``%B`` (``July``), ``%Y`` (four-digit year), ``%y`` (two-digit year),
``%H`` ``%M`` ``%S`` (a time part, parsed and dropped) and ``%%`` (a literal ``%``). Every
other character must appear literally. A format must hold exactly one day, one month and one
year code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "FORMAT_CODES",
    "FORMAT_FIELDS",
    "format_problems",
    "formatted_sql",
    "java_pattern",
    "parse_format",
]

#: Canonical fields that take ``[sources.formats]``: the birth date is the one date field.
FORMAT_FIELDS: tuple[str, ...] = ("tanggal_lahir",)

#: code -> (role, Java pattern letters when it stands between separators, when it touches a
#: neighbouring number directly). Roles: day, month, year, year2, time, or literal.
FORMAT_CODES: dict[str, tuple[str, str, str]] = {
    "d": ("day", "d", "dd"),
    "-d": ("day", "d", ""),
    "m": ("month", "M", "MM"),
    "-m": ("month", "M", ""),
    "b": ("month", "MMM", "MMM"),
    "B": ("month", "MMMM", "MMMM"),
    "Y": ("year", "yyyy", "yyyy"),
    "y": ("year2", "yy", "yy"),
    "H": ("time", "H", "HH"),
    "M": ("time", "m", "mm"),
    "S": ("time", "s", "ss"),
}
_NUMERIC = frozenset({"d", "-d", "m", "-m", "Y", "y", "H", "M", "S"})


@dataclass(frozen=True)
class _Token:
    code: str | None  # None: literal text
    text: str


def parse_format(fmt: str) -> list[_Token]:
    """The directives and literal runs of a strptime format; raises ValueError on an unknown
    or unfinished code (the message names it)."""
    tokens: list[_Token] = []
    literal: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            literal.append(ch)
            i += 1
            continue
        code = fmt[i + 1 : i + 3] if fmt[i + 1 : i + 2] == "-" else fmt[i + 1 : i + 2]
        if code == "%":
            literal.append("%")
            i += 2
            continue
        if code not in FORMAT_CODES:
            shown = "%" + code if code else "a lone '%' at the end"
            raise ValueError(f"unknown format code {shown!r}")
        if literal:
            tokens.append(_Token(None, "".join(literal)))
            literal = []
        tokens.append(_Token(code, "%" + code))
        i += 1 + len(code)
    if literal:
        tokens.append(_Token(None, "".join(literal)))
    return tokens


def _check_one(fmt: object) -> str | None:
    """Why ``fmt`` is not a usable format, or None."""
    if not isinstance(fmt, str) or not fmt.strip():
        return f"a format must be a non-empty string of strptime codes, got {fmt!r}"
    if "\x00" in fmt:
        return "a format must not contain a NUL character"
    try:
        tokens = parse_format(fmt)
    except ValueError as exc:
        known = ", ".join("%" + c for c in FORMAT_CODES)
        return f"{exc} in {fmt!r}; known codes: {known}, %%"
    roles = [FORMAT_CODES[t.code][0] for t in tokens if t.code is not None]
    dates = {"day": roles.count("day"), "month": roles.count("month")}
    dates["year"] = roles.count("year") + roles.count("year2")
    wrong = [part for part, n in dates.items() if n != 1]
    if wrong:
        return (
            f"format {fmt!r} must hold exactly one day (%d), one month (%m, %b or %B) and one year "
            f"(%Y or %y) code; check the {', '.join(wrong)}"
        )
    for left, right in itertools.pairwise(tokens):
        if (
            left.code in _NUMERIC
            and right.code in _NUMERIC
            and ""
            in (
                FORMAT_CODES[left.code][2],
                FORMAT_CODES[right.code][2],
            )
        ):
            return f"format {fmt!r}: {left.text}{right.text} is ambiguous without a separator; use %d and %m"
    return None


def format_problems(value: object) -> list[str]:
    """Problems with one ``[sources.formats]`` value: a format string or a non-empty list of them."""
    if isinstance(value, str):
        formats: list[object] = [value]
    elif isinstance(value, list | tuple):
        formats = list(value)
        if not formats:
            return ["the list of formats is empty"]
    else:
        return [f"expected a format string or a list of them, got {value!r}"]
    return [p for p in (_check_one(f) for f in formats) if p is not None]


def java_pattern(fmt: str) -> str:
    """The Java ``DateTimeFormatter`` pattern (Spark) parsing what strptime ``fmt`` parses.

    A numeric code between separators takes its one-letter form, which reads one or two
    digits like strptime (``7/4/1960``); between two numbers it is fixed width
    (``%m%d%Y`` is ``MMddyyyy``). Literal text is quoted.

    >>> java_pattern("%m/%d/%Y"), java_pattern("%Y%m%d"), java_pattern("%d %b %Y, %H:%M")
    ("M'/'d'/'yyyy", 'yyyyMMdd', "d' 'MMM' 'yyyy', 'H':'m")
    """
    tokens = parse_format(fmt)
    out = []
    for i, token in enumerate(tokens):
        if token.code is None:
            out.append("'" + token.text.replace("'", "''") + "'")
            continue
        _, alone, touching = FORMAT_CODES[token.code]
        neighbours = [tokens[j].code for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
        fixed = token.code in _NUMERIC and any(n in _NUMERIC for n in neighbours)
        out.append(touching if fixed and touching else alone)
    return "".join(out)


def _two_digit_year(fmt: str) -> bool:
    return any(t.code == "y" for t in parse_format(fmt))


def formatted_sql(value_sql: str, formats: Sequence[str], dialect: str) -> tuple[str, list[str]]:
    """SQL turning the text ``value_sql`` into the rules' unambiguous form with the first of
    ``formats`` that parses it (NULL when none does), and its parameters in order.

    ``value_sql`` appears several times: pass a column reference, not an expensive expression.
    A parsed year below 1000 counts as no match (DuckDB reads ``196`` as a year; Spark not)."""
    parts: list[str] = []
    params: list[str] = []
    for fmt in formats:
        if dialect == "duckdb":
            parsed = f"try_strptime({value_sql}, ?)"
            shown = "strftime({0}, '%d-%m-%y')" if _two_digit_year(fmt) else "strftime({0}, '%Y-%m-%d')"
            params += [fmt, fmt]
        else:
            parsed = f"try_to_timestamp({value_sql}, ?)"
            shown = (
                "date_format({0}, 'dd-MM-yy')" if _two_digit_year(fmt) else "date_format({0}, 'yyyy-MM-dd')"
            )
            params += [java_pattern(fmt), java_pattern(fmt)]
        parts.append(f"CASE WHEN year({parsed}) >= 1000 THEN {shown.format(parsed)} END")
    if len(parts) == 1:
        return parts[0], params
    return f"coalesce({', '.join(parts)})", params
