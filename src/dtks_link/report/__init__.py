"""The linkage report: one self-contained HTML file in Bahasa Indonesia and English.

For the analysts who run a linkage and the officials who must trust it: how many residents,
how good, where the data is bad, and which decisions are uncertain. The file carries its
charts' JavaScript and data, so it opens offline (from a USB stick, on a network that blocks
outside sites), and has a switch between the two languages.

>>> result = dtks_link.link("config.toml")                      # doctest: +SKIP
>>> result.report("report.html", lang="id")                      # doctest: +SKIP
>>> write_report("out/", "report.html", truth="truth.parquet")   # doctest: +SKIP

or ``dtks-link report OUT_DIR [--lang id|en] [--out report.html] [--truth FILE]``.

Sections: run summary (sources, records, quarantined rows and why, residents, model,
time per stage); data-quality profile per source; pairs per blocking rule; match weight of
every comparison level; the match-weight histogram with the threshold; precision and recall
expected by the model and, with a truth file, measured; cluster sizes and the largest clusters;
the most uncertain pairs with their waterfalls; and, for a registry run, the resident ids
created, merged and split.

No NIK, KK or phone number is written: the report draws only counts, rates, weights and
level labels, and masks record ids that hold a long digit run (:func:`mask_record_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from .collect import mask_record_id
from .inputs import LinkOutputs, ReportInputs
from .render import render_report
from .strings import LANGUAGES

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LANGUAGES", "ReportInputs", "mask_record_id", "render_report", "write_report"]


def write_report(
    source: LinkOutputs | ReportInputs | str | Path,
    path: str | Path,
    *,
    lang: str = "id",
    truth: pd.DataFrame | str | Path | None = None,
) -> Path:
    """Write the report of a run to ``path`` (an ``.html`` file) and return the path.

    ``source`` is a :class:`~dtks_link.LinkResult`, the output directory ``dtks-link link``
    wrote, or :class:`ReportInputs`. ``lang`` is the language the page opens in (``"id"`` or
    ``"en"``; the other is one click away). ``truth`` (``source, record_id, true_id``, a
    DataFrame or a Parquet/CSV path) adds the measured precision and recall.
    """
    if lang not in LANGUAGES:
        raise ConfigError(
            [f"report language must be one of {list(LANGUAGES)}, got {lang!r}"], origin="report"
        )
    if isinstance(source, ReportInputs):
        data = source
    elif isinstance(source, str | Path):
        data = ReportInputs.from_dir(source)
    else:
        data = ReportInputs.from_result(source)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(data, lang=lang, truth=truth), encoding="utf-8")
    return target
