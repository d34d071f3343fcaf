"""Every word of the report in Bahasa Indonesia and English, and the locales' number formats.

:data:`STRINGS` maps a key to its text in each language (``{"id": ..., "en": ...}``); texts
may hold ``{placeholders}``, the same in both languages (a test checks both). Labels that
come from the model or the data (comparison levels, quality checks, quarantine reasons) are
translated by :func:`level_label`, :func:`quality_label` and :func:`quarantine_reason`, which
fall back to the English text for a label they do not know.

The texts are package data: one JSON file per report section beside this module (``summary``:
the page frame, summary, stages and quarantine reasons; ``diagnostics``: quality, blocking,
model and weights; ``outcomes``: accuracy, clusters, uncertain pairs and the registry;
``comparisons``: comparison names and level labels), read by ``table``; ``labels`` formats
numbers and translates labels.
"""

from __future__ import annotations

from .labels import (
    comparison_label,
    format_number,
    format_percent,
    level_label,
    quality_label,
    quarantine_reason,
)
from .table import LANGUAGES, STRINGS, text

__all__ = [
    "LANGUAGES",
    "STRINGS",
    "comparison_label",
    "format_number",
    "format_percent",
    "level_label",
    "quality_label",
    "quarantine_reason",
    "text",
]
