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

from .rules.datefmt import FORMAT_CODES, NUMERIC_CODES, java_pattern, parse_format
from .rules.dialects import Dialect

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
            left.code in NUMERIC_CODES
            and right.code in NUMERIC_CODES
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


def _two_digit_year(fmt: str) -> bool:
    return any(t.code == "y" for t in parse_format(fmt))


def formatted_sql(value_sql: str, formats: Sequence[str], dialect: Dialect) -> tuple[str, list[str]]:
    """SQL turning the text ``value_sql`` into the rules' unambiguous form with the first of
    ``formats`` that parses it (NULL when none does), and its parameters in order.

    ``value_sql`` appears several times: pass a column reference, not an expensive expression.
    A parsed year below 1000 counts as no match (DuckDB reads ``196`` as a year; Spark not)."""
    parts: list[str] = []
    params: list[str] = []
    for fmt in formats:
        parsed = dialect.strptime(value_sql)
        shown = dialect.strftime(parsed, "%d-%m-%y" if _two_digit_year(fmt) else "%Y-%m-%d")
        params += [dialect.strptime_format(fmt)] * 2
        parts.append(f"CASE WHEN year({parsed}) >= 1000 THEN {shown} END")
    if len(parts) == 1:
        return parts[0], params
    return f"coalesce({', '.join(parts)})", params
