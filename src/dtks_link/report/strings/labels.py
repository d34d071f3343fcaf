"""Numbers in the locale's format, and labels from the model or the data in the report's language.

:func:`format_number` and :func:`format_percent` use the locale's separators. Labels that come
from the model or the data (comparison levels, quality checks, quarantine reasons) are
translated by :func:`level_label`, :func:`quality_label` and :func:`quarantine_reason`, which
fall back to the English text for a label they do not know. The package ``report.strings``
exports them.
"""

from __future__ import annotations

import re

from .table import STRINGS, load_data, text


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the locale's separators: ``1.234,5`` (id) or ``1,234.5`` (en)."""
    english = f"{value:,.{decimals}f}"
    if lang == "id":
        return english.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return english


def _patterns(name: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), key) for pattern, key in load_data("patterns")[name])


_LEVEL_PATTERNS = _patterns("level_patterns")
"""Level labels with a number or a field in them, and the key of their template."""
_REASON_PATTERNS = _patterns("reason_patterns")
"""Quarantine reasons that differ only by a column or a row number, and their key."""


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


def quarantine_reason(reason: str) -> tuple[str, dict[str, str]]:
    """The string key of a quarantine reason and the values it names (``column``, ``detail``).

    Reasons that differ only by a row number share a key. An unknown reason comes back as
    ``("", {"text": reason})``."""
    for pattern, key in _REASON_PATTERNS:
        match = pattern.match(reason)
        if match:
            return key, dict(match.groupdict())
    return "", {"text": reason}
