"""The report's string table: every key's text in Bahasa Indonesia and English, and :func:`text`.

:data:`STRINGS` is assembled from the section modules (``summary``, ``diagnostics``,
``outcomes``, ``comparisons``); texts may hold ``{placeholders}``, the same in both languages
(a test checks both).
"""

from __future__ import annotations

from typing import Any, Final

from .comparisons import COMPARISON_STRINGS
from .diagnostics import DIAGNOSTICS_STRINGS
from .outcomes import OUTCOMES_STRINGS
from .summary import SUMMARY_STRINGS

__all__ = ["LANGUAGES", "STRINGS", "text"]

LANGUAGES: Final = ("id", "en")
"""Report languages: Bahasa Indonesia (the default) and English."""

STRINGS: Final[dict[str, dict[str, str]]] = {
    **SUMMARY_STRINGS,
    **DIAGNOSTICS_STRINGS,
    **OUTCOMES_STRINGS,
    **COMPARISON_STRINGS,
}
"""The report's string table: key -> {"id": text, "en": text}."""


def text(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return STRINGS[key][lang].format(**values)
