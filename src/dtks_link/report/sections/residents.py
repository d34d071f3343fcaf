"""The report's resident sections: clusters, the most uncertain pairs, and the registry's changes.

Cluster sizes and the largest clusters (record ids masked); for each uncertain pair, a
waterfall of the match weight from the prior through each comparison's level; and the
residents the registry created, merged, split, attached and detached since the last run.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .. import charts
from ..collect import mask_record_id
from ..document import Cell, ReportBuilder, bi_number, bi_signed, bi_text, logit2
from ..inputs import ReportInputs
from ..strings import comparison_label, level_label, text

__all__ = ["clusters_section", "registry_section", "uncertain_section"]

#: Largest clusters listed, and record ids shown per cluster.
_LARGEST, _IDS_SHOWN = 10, 8


def clusters_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("clusters", bi_text("sec.clusters"))
    report.paragraph(bi_text("clusters.intro"), note=True)
    clusters = data.clusters
    if clusters.empty:
        return
    sizes = clusters.groupby("resident_id").size()
    distribution = sizes.value_counts().sort_index()
    sizes_seen, residents = distribution.index.astype(int).tolist(), distribution.astype(int).tolist()
    rows = [{"size": s, "residents": n} for s, n in zip(sizes_seen, residents, strict=True)]
    report.chart("cluster_sizes", lambda lang: charts.cluster_size_chart(rows, lang))
    report.heading(bi_text("clusters.largest"))
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
                bi_number(size),
                ", ".join(f"{s} {n}" for s, n in per_source.items()),
                shown,
            ]
        )
    report.table(
        [
            bi_text("col.resident"),
            bi_text("col.records"),
            bi_text("col.by_source"),
            bi_text("col.record_ids"),
        ],
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


def uncertain_section(report: ReportBuilder, data: ReportInputs) -> None:
    report.section("uncertain", bi_text("sec.uncertain"))
    report.paragraph(bi_text("uncertain.intro"), note=True)
    if not data.uncertain_pairs:
        report.paragraph(bi_text("uncertain.none"), note=True)
        return
    threshold = float(data.run["options"]["match_threshold"])
    threshold_weight = logit2(threshold)
    for number, pair in enumerate(data.uncertain_pairs, start=1):
        report.parts.append('<div class="pair">')
        report.heading(bi_text("uncertain.pair", n=str(number)))
        decision = bi_text("weights.above" if pair["match_probability"] >= threshold else "weights.below")
        report.paragraph(
            bi_text(
                "uncertain.headline",
                p=bi_number(pair["match_probability"], 4),
                w=bi_signed(float(pair["match_weight"])),
                decision=decision,
            )
        )
        report.paragraph(
            f"{pair['source_l']} {pair['record_id_l']}  ↔  {pair['source_r']} {pair['record_id_r']}",
            note=True,
        )
        if pair.get("blocking_rule"):
            report.paragraph(bi_text("uncertain.found_by", rule=pair["blocking_rule"]), note=True)

        def make(lang: str, pair: Mapping[str, Any] = pair) -> dict[str, Any]:
            return charts.waterfall_chart(
                _waterfall_rows(pair, lang), lang, threshold_weight=threshold_weight
            )

        report.chart(f"waterfall_{number}", make)
        report.parts.append("</div>")


def registry_section(report: ReportBuilder, data: ReportInputs) -> None:
    changes = data.run.get("registry")
    if not changes:
        return
    report.section("registry", bi_text("sec.registry"))
    report.paragraph(bi_text("registry.intro", run=str(changes.get("run_id", ""))), note=True)
    if changes["created"] == data.run["counts"]["residents"] and not (changes["merged"] or changes["split"]):
        report.paragraph(bi_text("registry.first_build"))
    report.cards(
        [
            (bi_text(f"registry.{kind}"), bi_number(changes[kind]))
            for kind in ("created", "merged", "split", "attached", "detached")
        ]
    )
    for kind, key in (("merges", "merged"), ("splits", "split")):
        listed = changes.get(kind) or []
        if not listed:
            continue
        report.heading(bi_text(f"registry.{kind}"))
        lines = [f"{a} → {b}" for a, b in listed]
        report.parts.append(
            "<ul>" + "".join(f"<li><code>{html.escape(x)}</code></li>" for x in lines) + "</ul>"
        )
        if changes[key] > len(listed):
            report.paragraph(bi_text("registry.more", n=bi_number(changes[key] - len(listed))), note=True)
