"""Text folding shared by every rule: accents to ASCII, invisible characters out, upper case.

Indonesian registers are written in Latin letters, but exports carry accents (``Andréa``),
non-breaking spaces, zero-width characters, curly apostrophes and the odd character from
another script. Every rule first folds its input to printable ASCII, so that ``upper`` and
the regular expressions mean the same thing in SQL and in Python.
"""

from __future__ import annotations

from ..rules import Expr, if_

__all__ = ["ascii_fold", "letters_only", "norm_upper", "squeeze"]

# Combining diacritics, zero-width characters, soft hyphen, BOM, word joiner: dropped.
_DELETE_CLASS = "[\u0300-\u036f\u200b-\u200f\u00ad\ufeff]+"

_PAIRS = (
    ("ÀÁÂÃÄÅàáâãäå", "A"),
    ("ÈÉÊËèéêë", "E"),
    ("ÌÍÎÏìíîï", "I"),
    ("ÒÓÔÕÖØòóôõöø", "O"),
    ("ÙÚÛÜùúûü", "U"),
    ("ÑñÇçÝýÿ", "NNCCYYY"),
    ("\u2018\u2019\u00b4`", "'"),
    ("\u201c\u201d", '"'),
    ("\u2013\u2014", "-"),
    ("\u00a0", " "),
)
FOLD_FROM = "".join(src for src, _ in _PAIRS)
FOLD_TO = "".join(dst if len(dst) == len(src) else dst * len(src) for src, dst in _PAIRS)
assert len(FOLD_FROM) == len(FOLD_TO)


def ascii_fold(x: Expr) -> Expr:
    """ASCII only: accents on Latin-1 letters folded (``é`` -> ``E``), combining accents and
    invisible characters dropped, curly quotes/dashes/no-break spaces to their ASCII forms,
    every other character outside printable ASCII a space. Folded letters come out upper
    case; every rule upper-cases anyway.

    Text that is already ASCII passes through untouched (one cheap test: byte length against
    length); ASCII control characters are left to the rules, which treat them as
    punctuation."""

    def fold(v: Expr) -> Expr:
        folded = v.re_sub(_DELETE_CLASS, "").translate(FOLD_FROM, FOLD_TO).re_sub("[^ -~]+", " ")
        return if_(v.has_non_ascii(), folded, v)

    return fold(x) if x.op in ("col", "param", "field") else x.pipe(fold)


def squeeze(x: Expr) -> Expr:
    """Runs of spaces to one space, trimmed; '' becomes NULL."""
    return x.re_sub(" {2,}", " ").trim().nullif("")


def norm_upper(x: Expr) -> Expr:
    """ASCII-folded, upper-case, trimmed; NULL when nothing is left. Runs of spaces are
    kept (every rule's patterns allow them; :func:`squeeze` removes them)."""
    return ascii_fold(x).upper().trim().nullif("")


def plain_upper(x: Expr) -> Expr:
    """For codes, numbers and dates: every character outside printable ASCII a space (no
    accent folding — an accent in a NIK or a date is noise either way), upper-case, trimmed;
    NULL when nothing is left."""
    plain = (
        if_(x.has_non_ascii(), x.re_sub("[^ -~]+", " "), x)
        if x.op == "col"
        else x.pipe(lambda v: if_(v.has_non_ascii(), v.re_sub("[^ -~]+", " "), v))
    )
    return plain.upper().trim().nullif("")


def letters_only(x: Expr) -> Expr:
    """Upper-case letters A-Z only (from an already upper-cased text); NULL when none."""
    return x.re_sub("[^A-Z]+", "").nullif("")
