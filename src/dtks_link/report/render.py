"""Build the report's sections: bilingual HTML fragments and the charts they hold."""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..evaluation import evaluate, expected_quality, pair_labels_from_truth, threshold_sweep
from . import charts
from .collect import mask_record_id
from .inputs import ReportInputs
from .page import page
from .strings import (
    LANGUAGES,
    STRINGS,
    comparison_label,
    format_number,
    format_percent,
    level_label,
    quality_label,
    quarantine_reason,
    text,
)

__all__ = ["render_report"]

Bi = Mapping[str, str]
"""A text in every report language."""
Cell = Bi | str

#: Thresholds of the precision and recall charts.
_SWEEP = [round(0.05 * i, 2) for i in range(1, 20)] + [0.99]
#: Largest clusters listed, and record ids shown per cluster.
_LARGEST, _IDS_SHOWN = 10, 8


def _t(key: str, **values: Any) -> dict[str, str]:
    """``key`` in every language; a value may itself be a text per language."""
    return {
        lang: text(key, lang, **{k: v[lang] if isinstance(v, Mapping) else v for k, v in values.items()})
        for lang in LANGUAGES
    }


def _num(value: float, decimals: int = 0) -> dict[str, str]:
    return {lang: format_number(value, lang, decimals) for lang in LANGUAGES}


def _pct(share: float, decimals: int = 1) -> dict[str, str]:
    return {lang: format_percent(share, lang, decimals) for lang in LANGUAGES}


def _same(value: str) -> dict[str, str]:
    return dict.fromkeys(LANGUAGES, value)


def _by_lang(make: Callable[[str], str]) -> dict[str, str]:
    return {lang: make(lang) for lang in LANGUAGES}


def _spans(value: Cell) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if len(set(value.values())) == 1:
        return html.escape(next(iter(value.values())))
    return "".join(f'<span lang="{lang}">{html.escape(value[lang])}</span>' for lang in LANGUAGES)


def _signed(weight: float) -> dict[str, str]:
    return {lang: ("+" if weight >= 0 else "") + format_number(weight, lang, 2) for lang in LANGUAGES}


def _logit2(probability: float) -> float:
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(probability / (1 - probability))


class _Report:
    """Collects the sections' HTML and the charts (one spec per language)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.toc: list[tuple[str, Bi]] = []
        self.charts: dict[str, dict[str, Any]] = {}

    def section(self, anchor: str, title: Bi) -> None:
        if self.toc:
            self.parts.append("</section>")
        self.toc.append((anchor, title))
        self.parts.append(f'<section id="{anchor}">\n<h2>{_spans(title)}</h2>')

    def heading(self, title: Bi) -> None:
        self.parts.append(f"<h3>{_spans(title)}</h3>")

    def paragraph(self, value: Cell, *, note: bool = False) -> None:
        self.parts.append(f"<p{' class=note' if note else ''}>{_spans(value)}</p>")

    def cards(self, items: Sequence[tuple[Bi, Cell]]) -> None:
        cells = "".join(f'<div class="card"><b>{_spans(v)}</b>{_spans(label)}</div>' for label, v in items)
        self.parts.append(f'<div class="cards">{cells}</div>')

    def table(
        self, headers: Sequence[Cell], rows: Sequence[Sequence[Cell]], *, numeric: Sequence[int] = ()
    ) -> None:
        def cell(tag: str, index: int, value: Cell) -> str:
            css = ' class="n"' if index in numeric else ""
            return f"<{tag}{css}>{_spans(value)}</{tag}>"

        head = "".join(cell("th", i, h) for i, h in enumerate(headers))
        body = "".join(
            "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
        )
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def metrics(self, rows: Sequence[tuple[str, Cell]]) -> None:
        """A two-column table: the measure (a string key) and its value."""
        self.table(
            [_t("col.metric"), _t("col.value")], [[_t(key), value] for key, value in rows], numeric=(1,)
        )

    def details(self, summary: Bi, lines: Sequence[str]) -> None:
        items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
        self.parts.append(f"<details><summary>{_spans(summary)}</summary><ul>{items}</ul></details>")

    def chart(self, name: str, make: Callable[[str], dict[str, Any]]) -> None:
        self.charts[name] = {lang: make(lang) for lang in LANGUAGES}
        views = "".join(f'<div class="view" lang="{lang}"></div>' for lang in LANGUAGES)
        self.parts.append(f'<div class="chart" data-chart="{name}">{views}</div>')

    def html(self) -> str:
        nav_items = "".join(f'<li><a href="#{a}">{_spans(title)}</a></li>' for a, title in self.toc)
        nav = f"<nav><b>{_spans(_t('contents'))}</b><ol>{nav_items}</ol></nav>"
        return nav + "\n" + "\n".join(self.parts) + ("</section>" if self.toc else "")


# -- sections ---------------------------------------------------------------------------------------
def _summary(report: _Report, data: ReportInputs) -> None:
    run = data.run
    counts = run["counts"]
    options = run["options"]
    report.section("summary", _t("sec.summary"))
    report.paragraph(_t("intro"))
    total_seconds = sum(run["timings"].values())
    cards: list[tuple[Bi, Cell]] = [
        (_t("summary.residents"), _num(counts["residents"])),
        (_t("summary.records_linked"), _num(counts["records"])),
        (_t("summary.scored_pairs"), _num(counts["pairs"])),
        (_t("summary.largest_cluster"), _num(counts["largest_cluster"])),
    ]
    if counts.get("households") is not None:
        cards.insert(1, (_t("summary.households"), _num(counts["households"])))
    cards.append((_t("summary.duration"), _t("summary.seconds", n=_num(total_seconds, 1))))
    report.cards(cards)

    model = run["model"]
    prior = model.get("prior")
    rows: list[list[Cell]] = [
        [_t("summary.generated"), run["finished_at"].replace("T", " ") + " UTC"],
        [_t("summary.version"), f"{run['dtks_link_version']} (Splink {run['splink_version']})"],
        [_t("summary.engine"), run["engine"]],
        [_t("summary.match_threshold"), _num(options["match_threshold"], 2)],
        [_t("summary.pair_threshold"), _num(options["pair_threshold"], 2)],
        [
            _t("summary.model"),
            _t(f"summary.model_{model['trained_with']}"),
        ],
    ]
    if prior is not None:
        rows.append([_t("summary.prior"), _by_lang(lambda lang: f"{format_number(float(prior), lang, 6)}")])
    rows.append(
        [
            _t("summary.comparisons"),
            _by_lang(lambda lang: ", ".join(comparison_label(c, lang) for c in model["comparisons"])),
        ]
    )
    rows.append([_t("summary.blocking_rules"), ", ".join(model["blocking_rules"])])
    constraints = run.get("constraints")
    if constraints:
        repaired = _num(constraints["repaired_components"])
        refused = _num(constraints["edges_refused"])
        rows.append(
            [_t("summary.constraints"), _t("summary.constraints_value", repaired=repaired, refused=refused)]
        )
    report.table([_t("col.metric"), _t("col.value")], rows)

    report.heading(_t("summary.sources"))
    source_rows: list[list[Cell]] = []
    for source in run["sources"]:
        name = source["name"] + (f" ({source['file']})" if source.get("file") else "")
        source_rows.append(
            [
                name,
                source["format"],
                _t("yes" if source["duplicate_free"] else "no"),
                _num(source["rows_read"]),
                _num(source["records"]),
                _num(source["quarantined"]),
            ]
        )
    totals = [sum(s[k] for s in run["sources"]) for k in ("rows_read", "records", "quarantined")]
    source_rows.append([_t("total"), "", "", *(_num(v) for v in totals)])
    report.table(
        [
            _t(k)
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

    report.heading(_t("summary.quarantine"))
    reasons = run.get("quarantine_reasons") or []
    if not reasons:
        report.paragraph(_t("summary.no_quarantine"), note=True)
    else:
        reason_rows: list[list[Cell]] = []
        for item in reasons:
            key, values = quarantine_reason(item["reason"])
            reason = _t(key, **values) if key else _same(values["text"])
            reason_rows.append([item["source"], reason, _num(item["rows"])])
        report.table([_t("col.source"), _t("col.reason"), _t("col.rows")], reason_rows, numeric=(2,))

    report.heading(_t("summary.timings"))
    stage_rows: list[list[Cell]] = []
    for stage, seconds in run["timings"].items():
        label = _t(f"stage.{stage}") if f"stage.{stage}" in STRINGS else _same(stage)
        stage_rows.append([label, _num(seconds, 2)])
    report.table([_t("col.stage"), _t("col.seconds")], stage_rows, numeric=(1,))
    if model.get("training_log"):
        report.details(_t("summary.training_log"), model["training_log"])


def _quality(report: _Report, data: ReportInputs) -> None:
    report.section("quality", _t("sec.quality"))
    report.paragraph(_t("quality.intro"), note=True)
    profile = data.quality
    if profile.empty:
        report.paragraph(_t("quality.none"))
        return
    for index, (source, rows) in enumerate(profile.groupby("source", sort=True)):
        records = int(rows["records"].iloc[0])
        title = _t("quality.records", source=str(source), n=_num(records))
        flagged = rows[rows["flagged"] > 0]
        if flagged.empty:
            report.heading(title)
            report.paragraph(_t("quality.none"), note=True)
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


def _blocking(report: _Report, data: ReportInputs) -> None:
    report.section("blocking", _t("sec.blocking"))
    blocking = data.run.get("blocking")
    if not blocking or not blocking.get("rules"):
        report.paragraph(_t("blocking.unavailable"), note=True)
        return
    report.paragraph(_t("blocking.intro"), note=True)
    rules = blocking["rules"]
    report.chart("blocking", lambda lang: charts.blocking_chart(rules, lang))
    total = sum(r["compared"] for r in rules)
    records = blocking.get("records") or data.run["counts"]["records"]
    report.paragraph(
        _t(
            "blocking.total",
            n=_num(total),
            records=_num(records),
            per=_num(total / records if records else 0, 1),
        )
    )
    if blocking.get("sample_proportion", 1.0) < 1.0:
        report.paragraph(_t("blocking.estimated", share=_pct(blocking["sample_proportion"])), note=True)


def _model_levels(model: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Levels of a Splink model JSON with m, u and match weight (null levels left out)."""
    rows = []
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or m is None or u is None or m <= 0 or u <= 0:
                continue
            rows.append(
                {
                    "comparison": comparison.get("output_column_name", ""),
                    "description": comparison.get("comparison_description", ""),
                    "level": level.get("label_for_charts", ""),
                    "m": float(m),
                    "u": float(u),
                    "weight": math.log2(float(m) / float(u)),
                }
            )
    return rows


def _model(report: _Report, data: ReportInputs) -> None:
    report.section("model", _t("sec.model"))
    report.paragraph(_t("model.intro"), note=True)
    levels = _model_levels(data.model)
    prior = data.model.get("probability_two_random_records_match")
    if prior:
        weight = _logit2(float(prior))
        report.paragraph(
            _by_lang(
                lambda lang: (
                    f"{text('model.prior', lang)}: {format_number(float(prior), lang, 6)} "
                    f"({text('col.weight', lang).lower()} {format_number(weight, lang, 2)})"
                )
            )
        )
    if not levels:
        return

    def make(lang: str) -> dict[str, Any]:
        rows = [
            {
                "comparison": comparison_label(r["comparison"], lang, r["description"]),
                "level": level_label(r["level"], lang, comparison=r["comparison"]),
                "weight": r["weight"],
                "m": r["m"],
                "u": r["u"],
            }
            for r in levels
        ]
        order = list(dict.fromkeys(r["comparison"] for r in rows))
        return charts.model_weights_chart(rows, lang, order=order)

    report.chart("model", make)


def _histogram_bins(weights: np.ndarray, threshold_weight: float) -> list[tuple[float, float, int]]:
    """Bins of about 60 over the weights, one edge on the threshold."""
    low, high = float(weights.min()), float(weights.max())
    width = max(0.5, math.ceil((high - low) / 60 * 2) / 2)
    first = threshold_weight - math.ceil((threshold_weight - low) / width) * width
    count = max(1, math.ceil((high - first) / width + 1e-9))
    edges = first + width * np.arange(count + 1)
    if edges[-1] <= high:
        edges = np.append(edges, edges[-1] + width)
    histogram, _ = np.histogram(weights, bins=edges)
    return [
        (float(a), float(b), int(n)) for a, b, n in zip(edges[:-1], edges[1:], histogram, strict=True) if n
    ]


def _weights(report: _Report, data: ReportInputs) -> None:
    report.section("weights", _t("sec.weights"))
    threshold = float(data.run["options"]["match_threshold"])
    weights = data.pairs["match_weight"].to_numpy(dtype=float)
    weights = weights[np.isfinite(weights)]
    if not len(weights):
        report.paragraph(_t("weights.none"), note=True)
        return
    report.paragraph(_t("weights.intro"), note=True)
    threshold_weight = _logit2(threshold)
    bins = _histogram_bins(weights, threshold_weight)

    def make(lang: str) -> dict[str, Any]:
        above, below = text("weights.above", lang), text("weights.below", lang)
        rows = [
            {"start": a, "end": b, "count": n, "side": above if a >= threshold_weight - 1e-9 else below}
            for a, b, n in bins
        ]
        label = text("weights.threshold", lang, p=format_number(threshold, lang, 2))
        return charts.weight_histogram(rows, lang, threshold_weight=threshold_weight, threshold_label=label)

    report.chart("weights", make)


def _expected_sweep(pairs: pd.DataFrame) -> list[dict[str, float | str]]:
    probability = np.sort(pairs["match_probability"].to_numpy(dtype=float))
    total = probability.sum()
    rows: list[dict[str, float | str]] = []
    for cut in _SWEEP:
        chosen = probability[probability >= cut]
        precision = float(chosen.mean()) if len(chosen) else 1.0
        recall = float(chosen.sum() / total) if total else 1.0
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        rows.append({"threshold": cut, "precision": precision, "recall": recall, "f1": f1})
    return rows


def _sweep_long(rows: Sequence[Mapping[Any, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {"threshold": float(r["threshold"]), "metric": text(f"accuracy.{m}", lang), "value": float(r[m])}
        for r in rows
        for m in ("precision", "recall", "f1")
    ]


def _accuracy(report: _Report, data: ReportInputs, truth: pd.DataFrame | str | Path | None) -> None:
    report.section("accuracy", _t("sec.accuracy"))
    threshold = float(data.run["options"]["match_threshold"])
    expected = expected_quality(data.pairs, data.clusters, threshold=threshold)
    report.heading(_t("accuracy.expected"))
    report.paragraph(_t("accuracy.expected_intro"), note=True)
    report.metrics(
        [
            ("accuracy.precision", _num(expected.precision, 4)),
            ("accuracy.recall", _num(expected.recall, 4)),
            ("accuracy.f1", _num(expected.f1, 4)),
            ("accuracy.expected_true_pairs", _num(expected.expected_true_pairs, 0)),
        ]
    )
    if len(data.pairs):
        sweep = _expected_sweep(data.pairs)
        report.chart(
            "expected_sweep",
            lambda lang: charts.sweep_chart(
                _sweep_long(sweep, lang),
                lang,
                threshold=threshold,
                title=text("accuracy.chart_expected", lang),
            ),
        )
    report.heading(_t("accuracy.measured"))
    if truth is None:
        report.paragraph(_t("accuracy.no_truth"), note=True)
        return
    metrics = evaluate(data.clusters, truth)
    report.paragraph(_t("accuracy.measured_intro", records=_num(metrics.records)), note=True)
    report.metrics(
        [
            ("accuracy.pairwise_precision", _num(metrics.precision, 4)),
            ("accuracy.pairwise_recall", _num(metrics.recall, 4)),
            ("accuracy.pairwise_f1", _num(metrics.f1, 4)),
            ("accuracy.bcubed_f1", _num(metrics.bcubed_f1, 4)),
            ("accuracy.exact_clusters", _pct(metrics.exact_cluster_accuracy, 2)),
            ("accuracy.true_pairs", _num(metrics.true_pairs)),
            ("accuracy.predicted_pairs", _num(metrics.predicted_pairs)),
            ("accuracy.split", _num(metrics.split_entities)),
            ("accuracy.merged", _num(metrics.merged_clusters)),
        ]
    )
    if len(data.pairs):
        labels = pair_labels_from_truth(data.pairs, truth)
        measured = threshold_sweep(
            data.pairs, labels, total_true_pairs=metrics.true_pairs, thresholds=_SWEEP
        ).to_dict("records")
        report.chart(
            "measured_sweep",
            lambda lang: charts.sweep_chart(
                _sweep_long(measured, lang),
                lang,
                threshold=threshold,
                title=text("accuracy.chart_measured", lang),
            ),
        )


def _clusters(report: _Report, data: ReportInputs) -> None:
    report.section("clusters", _t("sec.clusters"))
    report.paragraph(_t("clusters.intro"), note=True)
    clusters = data.clusters
    if clusters.empty:
        return
    sizes = clusters.groupby("resident_id").size()
    distribution = sizes.value_counts().sort_index()
    sizes_seen, residents = distribution.index.astype(int).tolist(), distribution.astype(int).tolist()
    rows = [{"size": s, "residents": n} for s, n in zip(sizes_seen, residents, strict=True)]
    report.chart("cluster_sizes", lambda lang: charts.cluster_size_chart(rows, lang))
    report.heading(_t("clusters.largest"))
    largest = sizes.sort_values(ascending=False, kind="stable").head(_LARGEST)
    members = clusters[clusters["resident_id"].isin(largest.index)]
    table_rows: list[list[Cell]] = []
    for resident_id, size in zip(largest.index.tolist(), largest.astype(int).tolist(), strict=True):
        own = members[members["resident_id"] == resident_id].sort_values(["source", "record_id"])
        per_source = own.groupby("source").size()
        ids = [f"{s}:{mask_record_id(r)}" for s, r in zip(own["source"], own["record_id"], strict=True)]
        shown = ", ".join(ids[:_IDS_SHOWN]) + (" …" if len(ids) > _IDS_SHOWN else "")
        table_rows.append(
            [
                str(resident_id),
                _num(size),
                ", ".join(f"{s} {n}" for s, n in per_source.items()),
                shown,
            ]
        )
    report.table(
        [_t("col.resident"), _t("col.records"), _t("col.by_source"), _t("col.record_ids")],
        table_rows,
        numeric=(1,),
    )


def _waterfall_rows(pair: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    position = float(pair["prior_weight"])
    rows.append(
        {
            "label": text("waterfall.prior", lang),
            "start": 0.0,
            "end": position,
            "weight": position,
            "kind": "total",
        }
    )
    for step in pair["steps"]:
        name = comparison_label(step["comparison"], lang, step.get("description"))
        if step["is_null"]:
            level = text("waterfall.null", lang)
        else:
            level = level_label(step["level"], lang, comparison=step["comparison"])
        weight = float(step["weight"])
        kind = "none" if weight == 0 else ("up" if weight > 0 else "down")
        rows.append(
            {
                "label": f"{name}: {level}",
                "start": position,
                "end": position + weight,
                "weight": weight,
                "kind": kind,
            }
        )
        position += weight
        tf = float(step.get("tf_weight") or 0.0)
        if tf:
            rows.append(
                {
                    "label": text("waterfall.tf", lang, comparison=name),
                    "start": position,
                    "end": position + tf,
                    "weight": tf,
                    "kind": "up" if tf > 0 else "down",
                }
            )
            position += tf
    final = float(pair["match_weight"])
    rows.append(
        {"label": text("waterfall.final", lang), "start": 0.0, "end": final, "weight": final, "kind": "total"}
    )
    return rows


def _uncertain(report: _Report, data: ReportInputs) -> None:
    report.section("uncertain", _t("sec.uncertain"))
    report.paragraph(_t("uncertain.intro"), note=True)
    if not data.uncertain_pairs:
        report.paragraph(_t("uncertain.none"), note=True)
        return
    threshold = float(data.run["options"]["match_threshold"])
    threshold_weight = _logit2(threshold)
    for number, pair in enumerate(data.uncertain_pairs, start=1):
        report.parts.append('<div class="pair">')
        report.heading(_t("uncertain.pair", n=str(number)))
        decision = _t("weights.above" if pair["match_probability"] >= threshold else "weights.below")
        report.paragraph(
            _t(
                "uncertain.headline",
                p=_num(pair["match_probability"], 4),
                w=_signed(float(pair["match_weight"])),
                decision=decision,
            )
        )
        report.paragraph(
            f"{pair['source_l']} {pair['record_id_l']}  ↔  {pair['source_r']} {pair['record_id_r']}",
            note=True,
        )
        if pair.get("blocking_rule"):
            report.paragraph(_t("uncertain.found_by", rule=pair["blocking_rule"]), note=True)

        def make(lang: str, pair: Mapping[str, Any] = pair) -> dict[str, Any]:
            return charts.waterfall_chart(
                _waterfall_rows(pair, lang), lang, threshold_weight=threshold_weight
            )

        report.chart(f"waterfall_{number}", make)
        report.parts.append("</div>")


def _registry(report: _Report, data: ReportInputs) -> None:
    changes = data.run.get("registry")
    if not changes:
        return
    report.section("registry", _t("sec.registry"))
    report.paragraph(_t("registry.intro", run=str(changes.get("run_id", ""))), note=True)
    if changes["created"] == data.run["counts"]["residents"] and not (changes["merged"] or changes["split"]):
        report.paragraph(_t("registry.first_build"))
    report.cards(
        [
            (_t(f"registry.{kind}"), _num(changes[kind]))
            for kind in ("created", "merged", "split", "attached", "detached")
        ]
    )
    for kind, key in (("merges", "merged"), ("splits", "split")):
        listed = changes.get(kind) or []
        if not listed:
            continue
        report.heading(_t(f"registry.{kind}"))
        lines = [f"{a} → {b}" for a, b in listed]
        report.parts.append(
            "<ul>" + "".join(f"<li><code>{html.escape(x)}</code></li>" for x in lines) + "</ul>"
        )
        if changes[key] > len(listed):
            report.paragraph(_t("registry.more", n=_num(changes[key] - len(listed))), note=True)


def render_report(
    data: ReportInputs, *, lang: str = "id", truth: pd.DataFrame | str | Path | None = None
) -> str:
    """The report as one self-contained HTML document, opening in ``lang``."""
    report = _Report()
    _summary(report, data)
    _quality(report, data)
    _blocking(report, data)
    _model(report, data)
    _weights(report, data)
    _accuracy(report, data, truth)
    _clusters(report, data)
    _uncertain(report, data)
    _registry(report, data)
    buttons = "".join(
        f'<button type="button" data-set-lang="{code}" aria-pressed="{str(code == lang).lower()}">'
        f"{label}</button>"
        for code, label in (("id", "Bahasa Indonesia"), ("en", "English"))
    )
    header = (
        f"<header><div><h1>{_spans(_t('title'))}</h1><p>{_spans(_t('subtitle'))}</p></div>"
        f'<div class="switch"><span>{_spans(_t("language"))}</span>{buttons}</div></header>'
        f'<noscript><p class="note">{_spans(_t("no_script"))}</p></noscript>'
    )
    generated = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds") + " UTC"
    footer = _spans(_t("footer", version=str(data.run.get("dtks_link_version", "")), generated=generated))
    return page(
        lang=lang,
        title=html.escape(text("title", lang)),
        header=header,
        body=report.html(),
        footer=footer,
        charts=report.charts,
    )
