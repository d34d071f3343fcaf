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

__all__ = ["check_pattern", "java_pattern", "java_replacement", "python_pattern"]

_OUTSIDE_SUBSET = ("\\Z", "\\z", "\\s", "\\S", "\\w", "\\W", "\\d", "\\D")


def check_pattern(pattern: str) -> None:
    """Refuse a pattern outside the RE2/Python common subset (raises ``ValueError``)."""
    if "(?" in pattern.replace("(?:", "") or any(b in pattern for b in _OUTSIDE_SUBSET):
        raise ValueError(f"pattern uses syntax outside the RE2/Python common subset: {pattern}")
    re.compile(pattern)


def python_pattern(pattern: str) -> re.Pattern[str]:
    """Compile for Python: ``$`` outside classes means end of text, as in RE2."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            if ch == "]" and out[-2] not in ("[", "^"):
                in_class = False
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append(r"\Z")
        else:
            out.append(ch)
    return re.compile("".join(out), re.ASCII)


def java_pattern(pattern: str, *, first_only_prefix: bool = False) -> str:
    """The RE2 pattern as a Java regex with RE2's meaning.

    ``(?d)`` (UNIX_LINES) makes ``.`` exclude only ``\\n`` as in RE2, ``$`` outside classes
    becomes ``\\z`` (end of text; Java's ``$`` also matches before a final newline), and ``[``
    and ``&&`` inside a class are escaped (Java reads them as nested classes/intersections).
    ``first_only_prefix`` wraps the pattern as ``\\A((?s:.*?))(?:pattern)`` so that a
    replace-all replaces only the first match (the lazy prefix finds the leftmost one)."""
    out: list[str] = []
    in_class = False
    escaped = False
    class_start = 0
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            if ch == "]" and len(out) - class_start > (
                2 if out[class_start + 1 : class_start + 2] == ["^"] else 1
            ):
                in_class = False
                out.append(ch)
            elif ch == "[":
                out.append("\\[")
            elif ch == "&" and out and out[-1] == "&":
                out.append("\\&")
            else:
                out.append(ch)
        elif ch == "[":
            class_start = len(out)
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append("\\z")
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
