"""The report's string table: every key's text in Bahasa Indonesia and English, and :func:`text`.

The texts live beside this module as package data, one JSON file per report section, each
grouped by subsection (``{"page": {"title": {"id": ..., "en": ...}, ...}, ...}``):

- ``summary.json``: the page frame, section titles, the summary table, stage names and
  quarantine reasons;
- ``diagnostics.json``: data quality, blocking, the model and its weights;
- ``outcomes.json``: accuracy, clusters, uncertain pairs and the registry;
- ``comparisons.json``: comparison names (``comparison.<name>``) and level labels
  (``level.<label>``);
- ``patterns.json``: the regular expressions that map labels and quarantine reasons with a
  number or a name in them to a key (see ``report.strings.labels``).

Texts may hold ``{placeholders}``, the same in both languages (a test checks both). The files
are read once, on import.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

__all__ = ["LANGUAGES", "STRINGS", "load_data", "text"]

LANGUAGES: Final = ("id", "en")
"""Report languages: Bahasa Indonesia (the default) and English."""

_SECTIONS: Final = ("summary", "diagnostics", "outcomes", "comparisons")


def load_data(name: str) -> Any:
    """The parsed JSON file ``name``.json that ships beside this module."""
    return json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))


def _load_strings() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for section in _SECTIONS:
        for group in load_data(section).values():
            for key, texts in group.items():
                if key in table:
                    raise ValueError(f"report string {key!r} is defined twice ({section}.json)")
                table[key] = texts
    return table


STRINGS: Final[dict[str, dict[str, str]]] = _load_strings()
"""The report's string table: key -> {"id": text, "en": text}."""


def text(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return STRINGS[key][lang].format(**values)
