"""strptime formats (``%d/%m/%Y``) and their spelling in each engine: parsed once, turned into
Java ``DateTimeFormatter`` patterns for Spark (DuckDB reads strptime formats as they are).

Supported codes: ``%d`` ``%-d`` (day), ``%m`` ``%-m`` (month number), ``%b`` (month name,
English, ``Jul``), ``%B`` (``July``), ``%Y`` (four-digit year), ``%y`` (two-digit year),
``%H`` ``%M`` ``%S`` (a time part) and ``%%`` (a literal ``%``). Every other character is
literal text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FORMAT_CODES",
    "NUMERIC_CODES",
    "FormatToken",
    "java_output_pattern",
    "java_pattern",
    "parse_format",
]

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
NUMERIC_CODES = frozenset({"d", "-d", "m", "-m", "Y", "y", "H", "M", "S"})


@dataclass(frozen=True)
class FormatToken:
    """One directive (``code``: ``d``, ``-m``...) or a run of literal text (``code`` None)."""

    code: str | None  # None: literal text
    text: str


def parse_format(fmt: str) -> list[FormatToken]:
    """The directives and literal runs of a strptime format; raises ValueError on an unknown
    or unfinished code (the message names it)."""
    tokens: list[FormatToken] = []
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
            tokens.append(FormatToken(None, "".join(literal)))
            literal = []
        tokens.append(FormatToken(code, "%" + code))
        i += 1 + len(code)
    if literal:
        tokens.append(FormatToken(None, "".join(literal)))
    return tokens


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
        fixed = token.code in NUMERIC_CODES and any(n in NUMERIC_CODES for n in neighbours)
        out.append(touching if fixed and touching else alone)
    return "".join(out)


def java_output_pattern(fmt: str) -> str:
    """The Java pattern that writes a date as strptime ``fmt`` writes it (every number
    zero-padded to its width, as ``strftime`` does).

    >>> java_output_pattern("%d-%m-%y"), java_output_pattern("%Y-%m-%d")
    ("dd'-'MM'-'yy", "yyyy'-'MM'-'dd")
    """
    out = []
    for token in parse_format(fmt):
        if token.code is None:
            out.append("'" + token.text.replace("'", "''") + "'")
        else:
            out.append(FORMAT_CODES[token.code][2] or FORMAT_CODES[token.code][1] * 2)
    return "".join(out)
