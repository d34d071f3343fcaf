"""Build the report: its sections in page order, the header with the language switch, and the page.

The sections are written by ``report.sections`` into a
:class:`~dtks_link.report.document.ReportBuilder` (bilingual HTML fragments and the charts they
hold); :func:`render_report` puts them in the self-contained page (``report.page``).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from .document import ReportBuilder, bi_text, spans
from .inputs import ReportInputs
from .page import page
from .sections import (
    accuracy_section,
    blocking_section,
    clusters_section,
    model_section,
    quality_section,
    registry_section,
    summary_section,
    uncertain_section,
    weights_section,
)
from .strings import text

__all__ = ["render_report"]


def render_report(
    data: ReportInputs, *, lang: str = "id", truth: pd.DataFrame | str | Path | None = None
) -> str:
    """The report as one self-contained HTML document, opening in ``lang``."""
    report = ReportBuilder()
    summary_section(report, data)
    quality_section(report, data)
    blocking_section(report, data)
    model_section(report, data)
    weights_section(report, data)
    accuracy_section(report, data, truth)
    clusters_section(report, data)
    uncertain_section(report, data)
    registry_section(report, data)
    buttons = "".join(
        f'<button type="button" data-set-lang="{code}" aria-pressed="{str(code == lang).lower()}">'
        f"{label}</button>"
        for code, label in (("id", "Bahasa Indonesia"), ("en", "English"))
    )
    header = (
        f"<header><div><h1>{spans(bi_text('title'))}</h1><p>{spans(bi_text('subtitle'))}</p></div>"
        f'<div class="switch"><span>{spans(bi_text("language"))}</span>{buttons}</div></header>'
        f'<noscript><p class="note">{spans(bi_text("no_script"))}</p></noscript>'
    )
    generated = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds") + " UTC"
    footer = spans(bi_text("footer", version=str(data.run.get("dtks_link_version", "")), generated=generated))
    return page(
        lang=lang,
        title=html.escape(text("title", lang)),
        header=header,
        body=report.html(),
        footer=footer,
        charts=report.charts,
    )
