"""Numbers in the locale's format, and labels from the model or the data in the report's language.

:func:`format_number` and :func:`format_percent` use the locale's separators. Labels that come
from the model or the data (comparison levels, quality checks, quarantine reasons) are
translated by :func:`level_label`, :func:`quality_label` and :func:`quarantine_reason`, which
fall back to the English text for a label they do not know.
"""

from __future__ import annotations

import re

from .table import STRINGS, text

__all__ = [
    "comparison_label",
    "format_number",
    "format_percent",
    "level_label",
    "quality_label",
    "quarantine_reason",
]


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the locale's separators: ``1.234,5`` (id) or ``1,234.5`` (en)."""
    english = f"{value:,.{decimals}f}"
    if lang == "id":
        return english.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return english


def format_percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share as a percentage: ``12,5%`` (id) or ``12.5%`` (en)."""
    return format_number(100 * share, lang, decimals) + "%"


def _decimal(number: str, lang: str) -> str:
    return number.replace(".", ",") if lang == "id" else number


def comparison_label(name: str, lang: str, fallback: str | None = None) -> str:
    """A comparison's name (the model's output column, e.g. ``nama``) in ``lang``."""
    key = f"comparison.{name}"
    if key in STRINGS:
        return STRINGS[key][lang]
    from ...comparisons import COMPARISONS

    spec = COMPARISONS.get(name)
    if spec is not None:
        return spec.description
    return fallback if fallback and fallback != "CustomComparison" else name


_LEVEL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Exact (?P<field>.+), another person \(name, birth date or sex disagree\)$"),
        "level.another_person",
    ),
    (re.compile(r"^Exact NIK shared by (?P<n>\d+)\+ names$"), "level.shared_nik"),
    (re.compile(r"^Key JW >= (?P<x>[\d.]+)$"), "level.key_jw"),
    (re.compile(r"^Street JW >= (?P<x>[\d.]+)$"), "level.street_jw"),
    (re.compile(r"^JW >= (?P<x>[\d.]+)$"), "level.jw"),
    (re.compile(r"^Age-based year within (?P<n>\d+)$"), "level.age_year_within"),
    (re.compile(r"^Year within (?P<n>\d+)$"), "level.year_within"),
)


def level_label(label: str, lang: str, *, comparison: str | None = None) -> str:
    """A comparison level's label (the English ``label_for_charts`` of the model) in ``lang``.

    A label this table does not know (a custom model) is shown as the model gives it."""
    key = f"level.{label}"
    if key in STRINGS:
        return STRINGS[key][lang]
    for pattern, template in _LEVEL_PATTERNS:
        match = pattern.match(label)
        if match:
            found = {k: _decimal(v, lang) for k, v in match.groupdict().items()}
            if "field" in found and comparison is not None and f"comparison.{comparison}" in STRINGS:
                found["field"] = text(f"comparison.{comparison}", lang)
            return text(template, lang, **found)
    if label.startswith("Exact ") and comparison is not None and f"comparison.{comparison}" in STRINGS:
        return text("level.exact_field", lang)
    return label


def quality_label(check: str, lang: str, fallback: str) -> str:
    """A data-quality check (its name in ``quality_profile``) in ``lang``."""
    key = f"check.{check}"
    return STRINGS[key][lang] if key in STRINGS else fallback


_REASON_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^missing record id in column (?P<column>.+)$"), "reason.missing_id"),
    (
        re.compile(r"^duplicate record id in column (?P<column>.+?) \(first seen at row \d+\)$"),
        "reason.duplicate_id",
    ),
    (re.compile(r"^record id in column (?P<column>.+) is longer than \d+ characters$"), "reason.id_too_long"),
    (re.compile(r"^record id in column (?P<column>.+) holds a NUL character$"), "reason.id_nul"),
    (re.compile(r"^value in column (?P<column>.+) is longer than \d+ characters$"), "reason.value_too_long"),
    (re.compile(r"^value in column (?P<column>.+) holds a NUL character$"), "reason.value_nul"),
    (re.compile(r"^no name, NIK or KK number: nothing to link on$"), "reason.nothing_to_link"),
    (re.compile(r"^malformed line: (?P<detail>.+)$"), "reason.malformed"),
)


def quarantine_reason(reason: str) -> tuple[str, dict[str, str]]:
    """The string key of a quarantine reason and the values it names (``column``, ``detail``).

    Reasons that differ only by a row number share a key. An unknown reason comes back as
    ``("", {"text": reason})``."""
    for pattern, key in _REASON_PATTERNS:
        match = pattern.match(reason)
        if match:
            return key, dict(match.groupdict())
    return "", {"text": reason}
