"""The report's model sections: match weights, their distribution, and precision and recall.

The model's levels with their m, u and match weight; a histogram of the pairs' match weights
split at the threshold; the expected precision and recall (from the match probabilities) and,
when the truth is given, the measured ones, each swept over thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...evaluation import evaluate, expected_quality, pair_labels_from_truth, threshold_sweep
from .. import charts
from ..document import ReportBuilder, bi_by_lang, bi_number, bi_percent, bi_text, logit2
from ..inputs import ReportInputs
from ..strings import comparison_label, format_number, level_label, text

__all__ = ["accuracy_section", "histogram_bins", "model_section", "weights_section"]

#: Thresholds of the precision and recall charts.
_SWEEP = [round(0.05 * i, 2) for i in range(1, 20)] + [0.99]


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


def model_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("model", bi_text("sec.model"))
    report.paragraph(bi_text("model.intro"), note=True)
    levels = _model_levels(data.model)
    prior = data.model.get("probability_two_random_records_match")
    if prior:
        weight = logit2(float(prior))
        report.paragraph(
            bi_by_lang(
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


def histogram_bins(weights: np.ndarray, threshold_weight: float) -> list[tuple[float, float, int]]:
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


def weights_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("weights", bi_text("sec.weights"))
    threshold = float(data.run["options"]["match_threshold"])
    weights = data.pairs["match_weight"].to_numpy(dtype=float)
    weights = weights[np.isfinite(weights)]
    if not len(weights):
        report.paragraph(bi_text("weights.none"), note=True)
        return
    report.paragraph(bi_text("weights.intro"), note=True)
    threshold_weight = logit2(threshold)
    bins = histogram_bins(weights, threshold_weight)

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


def _sweep_chart(
    report: ReportBuilder, kind: str, rows: Sequence[Mapping[Any, Any]], threshold: float
) -> None:
    """The ``expected`` or ``measured`` precision/recall chart over the thresholds."""
    report.chart(
        f"{kind}_sweep",
        lambda lang: charts.sweep_chart(
            _sweep_long(rows, lang), lang, threshold=threshold, title=text(f"accuracy.chart_{kind}", lang)
        ),
    )


def _sweep_long(rows: Sequence[Mapping[Any, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {"threshold": float(r["threshold"]), "metric": text(f"accuracy.{m}", lang), "value": float(r[m])}
        for r in rows
        for m in ("precision", "recall", "f1")
    ]


def accuracy_section(
    report: ReportBuilder, data: ReportInputs, truth: pd.DataFrame | str | Path | None
) -> None:
    report.section("accuracy", bi_text("sec.accuracy"))
    threshold = float(data.run["options"]["match_threshold"])
    expected = expected_quality(data.pairs, data.clusters, threshold=threshold)
    report.heading(bi_text("accuracy.expected"))
    report.paragraph(bi_text("accuracy.expected_intro"), note=True)
    report.metrics(
        [
            ("accuracy.precision", bi_number(expected.precision, 4)),
            ("accuracy.recall", bi_number(expected.recall, 4)),
            ("accuracy.f1", bi_number(expected.f1, 4)),
            ("accuracy.expected_true_pairs", bi_number(expected.expected_true_pairs, 0)),
        ]
    )
    if len(data.pairs):
        _sweep_chart(report, "expected", _expected_sweep(data.pairs), threshold)
    report.heading(bi_text("accuracy.measured"))
    if truth is None:
        report.paragraph(bi_text("accuracy.no_truth"), note=True)
        return
    metrics = evaluate(data.clusters, truth)
    report.paragraph(bi_text("accuracy.measured_intro", records=bi_number(metrics.records)), note=True)
    report.metrics(
        [
            ("accuracy.pairwise_precision", bi_number(metrics.precision, 4)),
            ("accuracy.pairwise_recall", bi_number(metrics.recall, 4)),
            ("accuracy.pairwise_f1", bi_number(metrics.f1, 4)),
            ("accuracy.bcubed_f1", bi_number(metrics.bcubed_f1, 4)),
            ("accuracy.exact_clusters", bi_percent(metrics.exact_cluster_accuracy, 2)),
            ("accuracy.true_pairs", bi_number(metrics.true_pairs)),
            ("accuracy.predicted_pairs", bi_number(metrics.predicted_pairs)),
            ("accuracy.split", bi_number(metrics.split_entities)),
            ("accuracy.merged", bi_number(metrics.merged_clusters)),
        ]
    )
    if len(data.pairs):
        labels = pair_labels_from_truth(data.pairs, truth)
        measured = threshold_sweep(
            data.pairs, labels, total_true_pairs=metrics.true_pairs, thresholds=_SWEEP
        ).to_dict("records")
        _sweep_chart(report, "measured", measured, threshold)
