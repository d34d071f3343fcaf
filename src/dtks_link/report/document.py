"""The report's HTML, built in every language at once: bilingual texts and the section builder.

A text shown in the report is a :data:`Bi` (one text per report language); :func:`spans`
writes it as one ``<span lang=..>`` per language, which the page's language switch shows or
hides. The ``bi_*`` helpers make such texts from the string table (:func:`bi_text`), from
numbers and shares in each locale's format, or from one text for all languages.
:class:`ReportBuilder` collects the sections' HTML (headings, paragraphs, cards, tables,
details) and their charts (one Vega-Lite spec per language), and writes the table of contents.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .strings import LANGUAGES, format_number, format_percent, text

__all__ = [
    "Bi",
    "Cell",
    "ReportBuilder",
    "bi_by_lang",
    "bi_number",
    "bi_percent",
    "bi_same",
    "bi_signed",
    "bi_text",
    "logit2",
    "spans",
]

Bi = Mapping[str, str]
"""A text in every report language."""
Cell = Bi | str
"""A table cell or paragraph: a text per language, or one string shown in every language."""


def bi_text(key: str, **values: Any) -> dict[str, str]:
    """``key`` in every language; a value may itself be a text per language."""
    return {
        lang: text(key, lang, **{k: v[lang] if isinstance(v, Mapping) else v for k, v in values.items()})
        for lang in LANGUAGES
    }


def bi_number(value: float, decimals: int = 0) -> dict[str, str]:
    """A number in each locale's format."""
    return {lang: format_number(value, lang, decimals) for lang in LANGUAGES}


def bi_percent(share: float, decimals: int = 1) -> dict[str, str]:
    """A share as a percentage in each locale's format."""
    return {lang: format_percent(share, lang, decimals) for lang in LANGUAGES}


def bi_same(value: str) -> dict[str, str]:
    """One text, the same in every language."""
    return dict.fromkeys(LANGUAGES, value)


def bi_by_lang(make: Callable[[str], str]) -> dict[str, str]:
    """A text made for each language by ``make(lang)``."""
    return {lang: make(lang) for lang in LANGUAGES}


def spans(value: Cell) -> str:
    """Escaped HTML of a text: one ``<span lang>`` per language unless all languages agree."""
    if isinstance(value, str):
        return html.escape(value)
    if len(set(value.values())) == 1:
        return html.escape(next(iter(value.values())))
    return "".join(f'<span lang="{lang}">{html.escape(value[lang])}</span>' for lang in LANGUAGES)


def bi_signed(weight: float) -> dict[str, str]:
    """A match weight with its sign (``+1.25``) in each locale's format."""
    return {lang: ("+" if weight >= 0 else "") + format_number(weight, lang, 2) for lang in LANGUAGES}


def logit2(probability: float) -> float:
    """The match weight of a probability: log2 of its odds (clamped away from 0 and 1)."""
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(probability / (1 - probability))


class ReportBuilder:
    """Collects the sections' HTML and the charts (one spec per language)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, Bi]] = []
        self.charts: dict[str, dict[str, Any]] = {}

    def section(self, anchor: str, title: Bi) -> None:
        if self.toc:
            self.parts.append("</section>")
        self.toc.append((anchor, title))
        self.parts.append(f'<section id="{anchor}">\n<h2>{spans(title)}</h2>')

    def heading(self, title: Bi) -> None:
        self.parts.append(f"<h3>{spans(title)}</h3>")

    def paragraph(self, value: Cell, *, note: bool = False) -> None:
        self.parts.append(f"<p{' class=note' if note else ''}>{spans(value)}</p>")

    def cards(self, items: Sequence[tuple[Bi, Cell]]) -> None:
        cells = "".join(f'<div class="card"><b>{spans(v)}</b>{spans(label)}</div>' for label, v in items)
        self.parts.append(f'<div class="cards">{cells}</div>')

    def table(
        self, headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, numeric: Sequence[int] = ()
    ) -> None:
        def cell(tag: str, index: int, value: Cell) -> str:
            css = ' class="n"' if index in numeric else ""
            return f"<{tag}{css}>{spans(value)}</{tag}>"

        head = "".join(cell("th", i, h) for i, h in enumerate(headers))
        body = "".join(
            "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
        )
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def metrics(self, rows: Sequence[tuple[str, Cell]]) -> None:
        """A two-column table: the measure (a string key) and its value."""
        self.table(
            [bi_text("col.metric"), bi_text("col.value")],
            [[bi_text(key), value] for key, value in rows],
            numeric=(1,),
        )

    def details(self, summary: Bi, lines: Sequence[str]) -> None:
        items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
        self.parts.append(f"<details><summary>{spans(summary)}</summary><ul>{items}</ul></details>")

    def chart(self, name: str, make: Callable[[str], dict[str, Any]]) -> None:
        self.charts[name] = {lang: make(lang) for lang in LANGUAGES}
        views = "".join(f'<div class="view" lang="{lang}"></div>' for lang in LANGUAGES)
        self.parts.append(f'<div class="chart" data-chart="{name}">{views}</div>')

    def html(self) -> str:
        nav_items = "".join(f'<li><a href="#{a}">{spans(title)}</a></li>' for a, title in self.toc)
        nav = f"<nav><b>{spans(bi_text('contents'))}</b><ol>{nav_items}</ol></nav>"
        return nav + "\n" + "\n".join(self.parts) + ("</section>" if self.toc else "")
