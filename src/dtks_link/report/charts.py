"""The report's charts as Vega-Lite specifications (plain dicts, no Altair needed).

Each function takes data already aggregated and labelled in the report's language, so a chart
never carries a record: at most counts, rates, weights and labels. Specs use Vega-Lite 5
features that the Vega-Lite bundled with Splink (5.2) draws. Number formats are d3 format
strings; the page renders them with the language's separators (``formatLocale``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .strings import text

__all__ = [
    "blocking_chart",
    "cluster_size_chart",
    "model_weights_chart",
    "quality_chart",
    "sweep_chart",
    "waterfall_chart",
    "weight_histogram",
]

Spec = dict[str, Any]
Rows = Sequence[dict[str, Any]]

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
BLUE, ORANGE, GREY, RED = "#2b6cb0", "#c05621", "#a0aec0", "#c53030"
_CONFIG: Spec = {
    "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 320},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
    "view": {"stroke": None},
}


def _spec(body: Spec, title: str | None = None) -> Spec:
    spec: Spec = {"$schema": _SCHEMA, "config": _CONFIG, **body}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 13}
    return spec


def quality_chart(rows: Rows, lang: str, *, title: str) -> Spec:
    """Bars of the share of records each check flags (``label, rate, flagged, records``)."""
    return _spec(
        {
            "data": {"values": list(rows)},
            "width": 360,
            "height": {"step": 18},
            "mark": {"type": "bar", "color": ORANGE},
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": text("quality.axis", lang),
                    "axis": {"format": ".0%"},
                },
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": text("col.check", lang)},
                    {
                        "field": "flagged",
                        "type": "quantitative",
                        "format": ",d",
                        "title": text("col.flagged", lang),
                    },
                    {
                        "field": "records",
                        "type": "quantitative",
                        "format": ",d",
                        "title": text("col.records", lang),
                    },
                    {
                        "field": "rate",
                        "type": "quantitative",
                        "format": ".2%",
                        "title": text("col.rate", lang),
                    },
                ],
            },
        },
        title,
    )


def blocking_chart(rows: Rows, lang: str) -> Spec:
    """Pairs each blocking rule adds (``rule, compared, kept``), side by side with those kept."""

    def bars(field: str, title: str, color: str, show_rules: bool) -> Spec:
        return {
            "width": 260,
            "height": {"step": 18},
            "mark": {"type": "bar", "color": color},
            "encoding": {
                "y": {
                    "field": "rule",
                    "type": "nominal",
                    "sort": None,
                    "title": None,
                    "axis": {} if show_rules else None,
                },
                "x": {"field": field, "type": "quantitative", "title": title, "axis": {"format": "~s"}},
                "tooltip": [
                    {"field": "rule", "type": "nominal", "title": text("col.rule", lang)},
                    {"field": field, "type": "quantitative", "format": ",d", "title": title},
                ],
            },
        }

    return _spec(
        {
            "data": {"values": list(rows)},
            "hconcat": [
                bars("compared", text("blocking.compared", lang), BLUE, True),
                bars("kept", text("blocking.kept", lang), ORANGE, False),
            ],
            "resolve": {"scale": {"y": "shared"}},
        }
    )


def model_weights_chart(rows: Rows, lang: str, *, order: Sequence[str]) -> Spec:
    """Match weight per level (``comparison, level, weight, m, u``), one row per comparison."""
    return _spec(
        {
            "data": {"values": list(rows)},
            "facet": {
                "row": {
                    "field": "comparison",
                    "type": "nominal",
                    "sort": list(order),
                    "title": None,
                    "header": {"labelAngle": 0, "labelAlign": "left", "labelFontWeight": "bold"},
                }
            },
            "spec": {
                "width": 360,
                "height": {"step": 16},
                "mark": {"type": "bar"},
                "encoding": {
                    "y": {"field": "level", "type": "nominal", "sort": None, "title": None},
                    "x": {"field": "weight", "type": "quantitative", "title": text("model.axis", lang)},
                    "color": {"condition": {"test": "datum.weight >= 0", "value": BLUE}, "value": ORANGE},
                    "tooltip": [
                        {"field": "comparison", "type": "nominal", "title": text("col.comparison", lang)},
                        {"field": "level", "type": "nominal", "title": text("col.level", lang)},
                        {
                            "field": "weight",
                            "type": "quantitative",
                            "format": "+.2f",
                            "title": text("col.weight", lang),
                        },
                        {"field": "m", "type": "quantitative", "format": ".4g", "title": "m"},
                        {"field": "u", "type": "quantitative", "format": ".4g", "title": "u"},
                    ],
                },
            },
            "resolve": {"scale": {"y": "independent"}},
        }
    )


def weight_histogram(rows: Rows, lang: str, *, threshold_weight: float, threshold_label: str) -> Spec:
    """Pairs per match-weight bin (``start, end, count, side``) and the match threshold."""
    above, below = text("weights.above", lang), text("weights.below", lang)
    marker = [{"x": threshold_weight, "label": threshold_label}]
    return _spec(
        {
            "width": 560,
            "height": 240,
            "layer": [
                {
                    "data": {"values": list(rows)},
                    "mark": {"type": "bar"},
                    "encoding": {
                        "x": {
                            "field": "start",
                            "type": "quantitative",
                            "bin": {"binned": True},
                            "title": text("model.axis", lang),
                        },
                        "x2": {"field": "end"},
                        "y": {
                            "field": "count",
                            "type": "quantitative",
                            "title": text("weights.axis_count", lang),
                        },
                        "color": {
                            "field": "side",
                            "type": "nominal",
                            "scale": {"domain": [below, above], "range": [GREY, BLUE]},
                            "title": text("weights.side", lang),
                        },
                        "tooltip": [
                            {"field": "start", "type": "quantitative", "format": ".1f", "title": "≥"},
                            {"field": "end", "type": "quantitative", "format": ".1f", "title": "<"},
                            {
                                "field": "count",
                                "type": "quantitative",
                                "format": ",d",
                                "title": text("weights.axis_count", lang),
                            },
                        ],
                    },
                },
                {
                    "data": {"values": marker},
                    "mark": {"type": "rule", "color": RED, "strokeWidth": 2},
                    "encoding": {"x": {"field": "x", "type": "quantitative"}},
                },
                {
                    "data": {"values": marker},
                    "mark": {
                        "type": "text",
                        "color": RED,
                        "align": "left",
                        "dx": 4,
                        "dy": 8,
                        "fontWeight": "bold",
                    },
                    "encoding": {
                        "x": {"field": "x", "type": "quantitative"},
                        "y": {"value": 0},
                        "text": {"field": "label"},
                    },
                },
            ],
        }
    )


def sweep_chart(rows: Rows, lang: str, *, threshold: float, title: str) -> Spec:
    """Precision, recall and F1 against the probability threshold (``threshold, metric, value``),
    with the run's match threshold marked."""
    metrics = [text(f"accuracy.{m}", lang) for m in ("precision", "recall", "f1")]
    return _spec(
        {
            "width": 420,
            "height": 220,
            "layer": [
                {
                    "data": {"values": list(rows)},
                    "mark": {"type": "line", "point": True},
                    "encoding": {
                        "x": {
                            "field": "threshold",
                            "type": "quantitative",
                            "title": text("accuracy.axis_threshold", lang),
                            "scale": {"domain": [0, 1]},
                        },
                        "y": {
                            "field": "value",
                            "type": "quantitative",
                            "title": text("accuracy.axis_value", lang),
                            "scale": {"zero": False},
                        },
                        "color": {
                            "field": "metric",
                            "type": "nominal",
                            "scale": {"domain": metrics, "range": [BLUE, ORANGE, "#2f855a"]},
                            "title": text("col.metric", lang),
                        },
                        "tooltip": [
                            {"field": "metric", "type": "nominal", "title": text("col.metric", lang)},
                            {
                                "field": "threshold",
                                "type": "quantitative",
                                "format": ".2f",
                                "title": text("accuracy.axis_threshold", lang),
                            },
                            {
                                "field": "value",
                                "type": "quantitative",
                                "format": ".4f",
                                "title": text("col.value", lang),
                            },
                        ],
                    },
                },
                {
                    "data": {"values": [{"x": threshold}]},
                    "mark": {"type": "rule", "color": RED, "strokeDash": [4, 3]},
                    "encoding": {"x": {"field": "x", "type": "quantitative"}},
                },
            ],
        },
        title,
    )


def cluster_size_chart(rows: Rows, lang: str) -> Spec:
    """Residents per cluster size (``size, residents``), each bar labelled with its count."""
    axis_count = text("clusters.axis_count", lang)
    encoding: Spec = {
        "x": {
            "field": "size",
            "type": "ordinal",
            "title": text("clusters.axis_size", lang),
            "axis": {"labelAngle": 0},
        },
        "y": {"field": "residents", "type": "quantitative", "title": axis_count},
        "tooltip": [
            {"field": "size", "type": "ordinal", "title": text("clusters.axis_size", lang)},
            {"field": "residents", "type": "quantitative", "format": ",d", "title": axis_count},
        ],
    }
    return _spec(
        {
            "data": {"values": list(rows)},
            "width": {"step": 34},
            "height": 220,
            "encoding": encoding,
            "layer": [
                {"mark": {"type": "bar", "color": BLUE}},
                {
                    "mark": {"type": "text", "dy": -6, "fontSize": 10},
                    "encoding": {"text": {"field": "residents", "type": "quantitative", "format": ",d"}},
                },
            ],
        }
    )


def waterfall_chart(rows: Rows, lang: str, *, threshold_weight: float) -> Spec:
    """A pair's waterfall (``label, start, end, weight, kind``): from the prior, each
    comparison's weight, to the final weight; the match threshold marked."""
    axis = text("waterfall.axis", lang)
    return _spec(
        {
            "width": 440,
            "height": {"step": 17},
            "layer": [
                {
                    "data": {"values": list(rows)},
                    "mark": {"type": "bar"},
                    "encoding": {
                        "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
                        "x": {"field": "start", "type": "quantitative", "title": axis},
                        "x2": {"field": "end"},
                        "color": {
                            "field": "kind",
                            "type": "nominal",
                            "scale": {
                                "domain": ["total", "up", "down", "none"],
                                "range": ["#4a5568", BLUE, ORANGE, GREY],
                            },
                            "legend": None,
                        },
                        "tooltip": [
                            {"field": "label", "type": "nominal", "title": text("waterfall.step", lang)},
                            {
                                "field": "weight",
                                "type": "quantitative",
                                "format": "+.2f",
                                "title": text("col.weight", lang),
                            },
                            {"field": "end", "type": "quantitative", "format": "+.2f", "title": axis},
                        ],
                    },
                },
                {
                    "data": {"values": [{"x": threshold_weight}]},
                    "mark": {"type": "rule", "color": RED, "strokeDash": [4, 3]},
                    "encoding": {"x": {"field": "x", "type": "quantitative"}},
                },
            ],
        }
    )
