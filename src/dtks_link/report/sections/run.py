"""The report's run sections: the run summary, the data-quality profile and blocking.

Each ``*_section`` function adds one section to a :class:`~dtks_link.report.document.ReportBuilder`
from the run's :class:`~dtks_link.report.inputs.ReportInputs`: the summary (counts, options,
sources, quarantine reasons, stage timings), the quality checks that flag something per source,
and the candidate pairs per blocking rule.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import charts
from ..document import Bi, Cell, ReportBuilder, bi_by_lang, bi_number, bi_percent, bi_same, bi_text
from ..inputs import ReportInputs
from ..strings import STRINGS, comparison_label, format_number, quality_label, quarantine_reason

__all__ = ["blocking_section", "quality_section", "summary_section"]


def summary_section(report: ReportBuilder, data: ReportInputs) -> None:
    run = data.run
    counts = run["counts"]
    options = run["options"]
    report.section("summary", bi_text("sec.summary"))
    report.paragraph(bi_text("intro"))
    total_seconds = sum(run["timings"].values())
    cards: list[tuple[Bi, Cell]] = [
        (bi_text("summary.residents"), bi_number(counts["residents"])),
        (bi_text("summary.records_linked"), bi_number(counts["records"])),
        (bi_text("summary.scored_pairs"), bi_number(counts["pairs"])),
        (bi_text("summary.largest_cluster"), bi_number(counts["largest_cluster"])),
    ]
    if counts.get("households") is not None:
        cards.insert(1, (bi_text("summary.households"), bi_number(counts["households"])))
    cards.append((bi_text("summary.duration"), bi_text("summary.seconds", n=bi_number(total_seconds, 1))))
    report.cards(cards)

    model = run["model"]
    prior = model.get("prior")
    rows: list[list[Cell]] = [
        [bi_text("summary.generated"), run["finished_at"].replace("T", " ") + " UTC"],
        [bi_text("summary.version"), f"{run['dtks_link_version']} (Splink {run['splink_version']})"],
        [bi_text("summary.engine"), run["engine"]],
        [bi_text("summary.match_threshold"), bi_number(options["match_threshold"], 2)],
        [bi_text("summary.pair_threshold"), bi_number(options["pair_threshold"], 2)],
        [
            bi_text("summary.model"),
            bi_text(f"summary.model_{model['trained_with']}"),
        ],
    ]
    if prior is not None:
        rows.append(
            [bi_text("summary.prior"), bi_by_lang(lambda lang: f"{format_number(float(prior), lang, 6)}")]
        )
    rows.append(
        [
            bi_text("summary.comparisons"),
            bi_by_lang(lambda lang: ", ".join(comparison_label(c, lang) for c in model["comparisons"])),
        ]
    )
    rows.append([bi_text("summary.blocking_rules"), ", ".join(model["blocking_rules"])])
    constraints = run.get("constraints")
    if constraints:
        repaired = bi_number(constraints["repaired_components"])
        refused = bi_number(constraints["edges_refused"])
        rows.append(
            [
                bi_text("summary.constraints"),
                bi_text("summary.constraints_value", repaired=repaired, refused=refused),
            ]
        )
    report.table([bi_text("col.metric"), bi_text("col.value")], rows)

    report.heading(bi_text("summary.sources"))
    source_rows: list[list[Cell]] = []
    for source in run["sources"]:
        name = source["name"] + (f" ({source['file']})" if source.get("file") else "")
        source_rows.append(
            [
                name,
                source["format"],
                bi_text("yes" if source["duplicate_free"] else "no"),
                bi_number(source["rows_read"]),
                bi_number(source["records"]),
                bi_number(source["quarantined"]),
            ]
        )
    totals = [sum(s[k] for s in run["sources"]) for k in ("rows_read", "records", "quarantined")]
    source_rows.append([bi_text("total"), "", "", *(bi_number(v) for v in totals)])
    report.table(
        [
            bi_text(k)
            for k in (
                "col.source",
                "col.format",
                "col.duplicate_free",
                "col.rows_read",
                "col.accepted",
                "col.quarantined",
            )
        ],
        source_rows,
        numeric=(3, 4, 5),
    )

    report.heading(bi_text("summary.quarantine"))
    reasons = run.get("quarantine_reasons") or []
    if not reasons:
        report.paragraph(bi_text("summary.no_quarantine"), note=True)
    else:
        reason_rows: list[list[Cell]] = []
        for item in reasons:
            key, values = quarantine_reason(item["reason"])
            reason = bi_text(key, **values) if key else bi_same(values["text"])
            reason_rows.append([item["source"], reason, bi_number(item["rows"])])
        report.table(
            [bi_text("col.source"), bi_text("col.reason"), bi_text("col.rows")], reason_rows, numeric=(2,)
        )

    report.heading(bi_text("summary.timings"))
    stage_rows: list[list[Cell]] = []
    for stage, seconds in run["timings"].items():
        label = bi_text(f"stage.{stage}") if f"stage.{stage}" in STRINGS else bi_same(stage)
        stage_rows.append([label, bi_number(seconds, 2)])
    report.table([bi_text("col.stage"), bi_text("col.seconds")], stage_rows, numeric=(1,))
    if model.get("training_log"):
        report.details(bi_text("summary.training_log"), model["training_log"])


def quality_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("quality", bi_text("sec.quality"))
    report.paragraph(bi_text("quality.intro"), note=True)
    profile = data.quality
    if profile.empty:
        report.paragraph(bi_text("quality.none"))
        return
    for index, (source, rows) in enumerate(profile.groupby("source", sort=True)):
        records = int(rows["records"].iloc[0])
        title = bi_text("quality.records", source=str(source), n=bi_number(records))
        flagged = rows[rows["flagged"] > 0]
        if flagged.empty:
            report.heading(title)
            report.paragraph(bi_text("quality.none"), note=True)
            continue

        def make(lang: str, flagged: pd.DataFrame = flagged, title: Bi = title) -> dict[str, Any]:
            values = [
                {
                    "label": quality_label(str(check), lang, str(about)),
                    "rate": rate,
                    "flagged": n,
                    "records": of,
                }
                for check, about, rate, n, of in zip(
                    flagged["check"].tolist(),
                    flagged["description"].tolist(),
                    flagged["rate"].astype(float).tolist(),
                    flagged["flagged"].astype(int).tolist(),
                    flagged["records"].astype(int).tolist(),
                    strict=True,
                )
            ]
            return charts.quality_chart(values, lang, title=title[lang])

        report.chart(f"quality_{index}", make)


def blocking_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("blocking", bi_text("sec.blocking"))
    blocking = data.run.get("blocking")
    if not blocking or not blocking.get("rules"):
        report.paragraph(bi_text("blocking.unavailable"), note=True)
        return
    report.paragraph(bi_text("blocking.intro"), note=True)
    rules = blocking["rules"]
    report.chart("blocking", lambda lang: charts.blocking_chart(rules, lang))
    total = sum(r["compared"] for r in rules)
    records = blocking.get("records") or data.run["counts"]["records"]
    report.paragraph(
        bi_text(
            "blocking.total",
            n=bi_number(total),
            records=bi_number(records),
            per=bi_number(total / records if records else 0, 1),
        )
    )
    if blocking.get("sample_proportion", 1.0) < 1.0:
        report.paragraph(
            bi_text("blocking.estimated", share=bi_percent(blocking["sample_proportion"])), note=True
        )
