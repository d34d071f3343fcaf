"""Regular expressions with one meaning everywhere: the RE2 subset rules may use, and its
translation to Python ``re`` and to Java (Spark).

Rules write patterns in the subset shared by RE2 (DuckDB) and Python ``re`` with
``re.ASCII``: no backreferences in patterns, no look-around, no ``\\d``/``\\s``/``\\w``,
``\\1``..``\\9`` only in replacements; ``$`` means end of text (:func:`check_pattern`
refuses the rest). Python and Java read a few things differently, so patterns are
translated rather than copied (:func:`python_pattern`, :func:`java_pattern`,
:func:`java_replacement`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["check_pattern", "java_pattern", "java_replacement", "python_pattern"]

_OUTSIDE_SUBSET = ("\\Z", "\\z", "\\s", "\\S", "\\w", "\\W", "\\d", "\\D")


def check_pattern(pattern: str) -> None:
    """Refuse a pattern outside the RE2/Python common subset (raises ``ValueError``)."""
    if "(?" in pattern.replace("(?:", "") or any(b in pattern for b in _OUTSIDE_SUBSET):
        raise ValueError(f"pattern uses syntax outside the RE2/Python common subset: {pattern}")
    re.compile(pattern)


def _scan(pattern: str) -> Iterator[tuple[str, str]]:
    """Each character of a pattern with where it stands: ``escaped`` (after a backslash),
    ``open`` and ``close`` (the brackets of a class), ``class`` (inside one) or ``top``. A ``]``
    right after ``[`` or ``[^`` belongs to the class, as in RE2, Python and Java."""
    in_class = escaped = negated = False
    members = 0  # characters of the current class so far, a leading ^ not counted
    for ch in pattern:
        if escaped:
            escaped = False
            members += 1
            yield ch, "escaped"
        elif ch == "\\":
            escaped = True
            yield ch, "class" if in_class else "top"
        elif in_class:
            if ch == "]" and members > 0:
                in_class = False
                yield ch, "close"
                continue
            if ch == "^" and members == 0 and not negated:
                negated = True
            else:
                members += 1
            yield ch, "class"
        elif ch == "[":
            in_class, members, negated = True, 0, False
            yield ch, "open"
        else:
            yield ch, "top"


def python_pattern(pattern: str) -> re.Pattern[str]:
    """Compile for Python: ``$`` outside classes means end of text, as in RE2."""
    out = [r"\Z" if ch == "$" and where == "top" else ch for ch, where in _scan(pattern)]
    return re.compile("".join(out), re.ASCII)


def java_pattern(pattern: str, *, first_only_prefix: bool = False) -> str:
    """The RE2 pattern as a Java regex with RE2's meaning.

    ``(?d)`` (UNIX_LINES) makes ``.`` exclude only ``\\n`` as in RE2, ``$`` outside classes
    becomes ``\\z`` (end of text; Java's ``$`` also matches before a final newline), and ``[``
    and ``&&`` inside a class are escaped (Java reads them as nested classes/intersections).
    ``first_only_prefix`` wraps the pattern as ``\\A((?s:.*?))(?:pattern)`` so that a
    replace-all replaces only the first match (the lazy prefix finds the leftmost one)."""
    out: list[str] = []
    for ch, where in _scan(pattern):
        if where == "top" and ch == "$":
            out.append("\\z")
        elif where == "class" and ch == "[":
            out.append("\\[")
        elif where == "class" and ch == "&" and out and out[-1] == "&":
            out.append("\\&")
        else:
            out.append(ch)
    body = "".join(out)
    if first_only_prefix:
        return f"(?d)\\A((?s:.*?))(?:{body})"
    return f"(?d){body}"


def java_replacement(repl: str, *, shift: int = 0) -> str:
    """RE2 replacement text (``\\1``..``\\9`` are groups) as Java replacement text (``$1``):
    a literal ``$`` or backslash is escaped; group numbers move up by ``shift``."""
    out: list[str] = []
    i = 0
    while i < len(repl):
        ch = repl[i]
        if ch == "\\" and i + 1 < len(repl) and repl[i + 1].isdigit():
            if i + 2 < len(repl) and repl[i + 2].isdigit():
                # Java would read "$12" as group 12 when the pattern has that many groups
                raise ValueError(f"group reference followed by a digit is ambiguous in Java: {repl!r}")
            out.append("$" + str(int(repl[i + 1]) + shift))
            i += 2
            continue
        if ch == "\\" and i + 1 < len(repl) and repl[i + 1] == "\\":
            out.append("\\\\")
            i += 2
            continue
        if ch in ("$", "\\"):
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)
