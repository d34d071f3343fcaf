"""What a linkage run keeps for its report, computed inside the engine while the run is open.

- :func:`blocking_counts`: candidate pairs each blocking rule adds (Splink's blocking analysis,
  exact on small data, estimated from a sample on large data) and the pairs of each rule that
  were kept (at or above the pair threshold);
- :func:`uncertain_pairs`: the pairs closest to the match threshold, re-scored by Splink with
  every intermediate weight, as levels and weights only (no field value ever leaves the
  engine; record ids are masked);
- :func:`run_record`: the JSON-safe summary of a run (``run.json``).

Nothing here holds a NIK, KK, phone, name or other field value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..backends import splink_compat
from ..errors import mask_numbers, mask_record_id

if TYPE_CHECKING:
    from ..backends.engine import Engine
    from ..clustering import ClusterReport
    from ..config import LinkConfig
    from ..model import ResidentModel
    from ..registry.identity import IdentityChanges

__all__ = [
    "EXACT_BLOCKING_COUNT_LIMIT",
    "RUN_FORMAT",
    "UNCERTAIN_PAIRS",
    "blocking_counts",
    "json_safe",
    "mask_record_id",
    "run_record",
    "uncertain_pairs",
]

#: Version of the ``run.json`` layout.
RUN_FORMAT = 1
#: Up to this many records, blocking counts are exact; above, they are estimated from a sample
#: of records whose pairs cost about as much to count as this many records' pairs.
EXACT_BLOCKING_COUNT_LIMIT = 50_000
#: How many of the most uncertain pairs a run keeps, with their waterfalls.
UNCERTAIN_PAIRS = 10
#: Registry changes listed one by one (the counts are always complete).
_LISTED_CHANGES = 50

def blocking_counts(
    engine: Engine, model: ResidentModel, *, records_table: str, predictions_table: str, records: int
) -> dict[str, Any]:
    """Pairs per blocking rule: ``compared`` (new candidate pairs the rule adds, in rule order)
    and ``kept`` (of those, the pairs scored at or above the pair threshold).

    Counts are exact up to :data:`EXACT_BLOCKING_COUNT_LIMIT` records (L). Above, Splink counts
    the pairs among a deterministic sample of a share p = sqrt(L / records) of the records on
    each side and scales up by 1/p² (``sample_proportion`` = p): about L/records of the pairs
    are counted, so the cost stays near that of counting L records, whatever the size."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    rules = model.blocking_rules_
    kept = {
        int(key): int(n)
        for key, n in engine.rows(f"SELECT match_key, count(*) FROM {predictions_table} GROUP BY match_key")
    }
    proportion = min(1.0, math.sqrt(EXACT_BLOCKING_COUNT_LIMIT / records)) if records else 1.0
    db_api = engine.splink_api()
    with warnings.catch_warnings():
        # Splink warns when a rule's sampled count is small; the report says counts are estimates
        warnings.filterwarnings("ignore", message="The sampled blocking analysis estimate")
        counted = count_comparisons_from_blocking_rules(
            db_api.register(records_table),
            blocking_rules=[splink_compat.blocking_rule(rule, engine.dialect) for rule in rules],
            link_type="dedupe_only",
            record_sample_proportion=proportion,
        )
    return {
        "records": records,
        "sample_proportion": proportion,
        "rules": [
            {
                "rule": rule.name,
                "compared": round(float(row["marginal_comparison_count"])),
                "kept": kept.get(index, 0),
            }
            for index, (rule, row) in enumerate(zip(rules, counted, strict=True))
        ],
    }


def _logit2(probability: float) -> float:
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(probability / (1 - probability))


def uncertain_pairs(
    engine: Engine,
    model: ResidentModel,
    *,
    records_table: str,
    predictions_table: str,
    threshold: float,
    limit: int = UNCERTAIN_PAIRS,
) -> list[dict[str, Any]]:
    """The ``limit`` scored pairs whose match weight is closest to the match ``threshold``, one
    per comparison pattern (the levels a pair reaches on every comparison, so each pair shows a
    different situation), each with its waterfall: the prior, then per comparison its level, weight and
    term-frequency adjustment (Splink re-scores just these pairs with the run's term
    frequencies, so the steps add up to the pair's match weight)."""
    linker = model.linker_
    if linker is None or limit <= 0:
        return []
    q = engine.quote
    target = _logit2(threshold)
    # one pair per comparison pattern (its levels on every comparison), the closest of each
    present = engine.columns(predictions_table)
    gammas = [f"gamma_{c.output_column_name}" for c in splink_compat.comparisons(linker)]
    pattern = ", ".join(q(g) for g in gammas if g in present) or "unique_id_l, unique_id_r"
    closest_first = "abs(match_weight - ?), unique_id_l, unique_id_r"
    chosen = engine.frame(
        "SELECT unique_id_l, unique_id_r, match_key FROM (SELECT unique_id_l, unique_id_r, match_key, "
        f"match_weight, row_number() OVER (PARTITION BY {pattern} ORDER BY {closest_first}) AS pattern_rank "
        f"FROM {predictions_table}) ranked WHERE pattern_rank = 1 ORDER BY {closest_first} LIMIT ?",
        [target, target, limit],
    )
    if chosen.empty:
        return []
    engine.load_frame("__report_pairs", chosen[["unique_id_l", "unique_id_r"]].astype(str))
    for side in ("l", "r"):
        engine.create_table(
            f"__report_records_{side}",
            f"SELECT * FROM {q(records_table)} WHERE unique_id IN "
            f"(SELECT unique_id_{side} FROM __report_pairs)",
        )
    db_api = engine.splink_api()
    scored = linker.inference.score_pairs(
        db_api.register("__report_records_l"), db_api.register("__report_records_r")
    )
    rows = engine.frame(
        f"SELECT s.* FROM {scored.physical_name} s JOIN __report_pairs p "
        "ON s.unique_id_l = p.unique_id_l AND s.unique_id_r = p.unique_id_r"
    )
    scored.drop_table_from_database_and_remove_from_cache()
    engine.drop("__report_pairs", "__report_records_l", "__report_records_r")
    by_pair = {(str(r["unique_id_l"]), str(r["unique_id_r"])): r for _, r in rows.iterrows()}

    prior = splink_compat.prior(linker)
    rule_names = [rule.name for rule in model.blocking_rules_]
    out: list[dict[str, Any]] = []
    for pair in chosen.itertuples(index=False):
        row = by_pair.get((str(pair.unique_id_l), str(pair.unique_id_r)))
        if row is None:
            continue
        steps = []
        for comparison in splink_compat.comparisons(linker):
            name = comparison.output_column_name
            gamma = row.get(f"gamma_{name}")
            level = next(
                (lv for lv in comparison.comparison_levels if lv.comparison_vector_value == gamma), None
            )
            steps.append(
                {
                    "comparison": name,
                    "description": comparison.comparison_description,
                    "level": level.label_for_charts if level is not None else f"level {gamma}",
                    "is_null": bool(level is not None and level.is_null_level),
                    "weight": _finite(row.get(f"mw_{name}")),
                    "tf_weight": _finite(row.get(f"mw_tf_adj_{name}")),
                }
            )
        key = str(pair.match_key)
        rule = rule_names[int(key)] if key.isdigit() and int(key) < len(rule_names) else ""
        source_l, _, record_l = str(pair.unique_id_l).partition("|")
        source_r, _, record_r = str(pair.unique_id_r).partition("|")
        out.append(
            {
                "source_l": source_l,
                "record_id_l": mask_record_id(record_l),
                "source_r": source_r,
                "record_id_r": mask_record_id(record_r),
                "match_weight": float(row["match_weight"]),
                "match_probability": float(row["match_probability"]),
                "prior_weight": _logit2(prior),
                "blocking_rule": rule,
                "steps": steps,
            }
        )
    return out


def _finite(value: Any) -> float:
    if value is None:
        return 0.0
    number = float(value)
    return 0.0 if math.isnan(number) else number


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
        return "unknown"


def _reason_key(reason: str) -> str:
    """A quarantine reason without the row number it may quote."""
    return re.sub(r" \(first seen at row \d+\)$", "", reason)


def run_record(
    *,
    config: LinkConfig,
    counts: Mapping[str, Any],
    quarantine: pd.DataFrame,
    timings: Mapping[str, float],
    model: ResidentModel,
    constraints: ClusterReport | None,
    blocking: Mapping[str, Any] | None,
    registry: IdentityChanges | None,
    registry_run: int | None,
    labelled: bool,
    started_at: dt.datetime,
) -> dict[str, Any]:
    """The JSON-safe summary of a run that ``run.json`` holds: sources and counts, quarantine
    reasons (counted, no values), options, timings, the model's outline, blocking counts and
    registry changes. No field value of any record is in it."""
    sources: list[dict[str, Any]] = []
    for source in config.sources:
        sources.append(
            {
                "name": source.name,
                "format": source.file_format if source.path is not None else "memory",
                "file": source.path.name if source.path is not None else None,
                "duplicate_free": source.duplicate_free,
                "pseudonymised": source.pseudonymised,
                "rows_read": int(counts["rows_read_per_source"].get(source.name, 0)),
                "records": int(counts["records_per_source"].get(source.name, 0)),
                "quarantined": int(counts["quarantined_per_source"].get(source.name, 0)),
            }
        )
    reasons: list[dict[str, Any]] = []
    if len(quarantine):
        grouped = quarantine.assign(reason=quarantine["reason"].astype(str).map(_reason_key))
        sizes = grouped.groupby(["source", "reason"], sort=True).size().reset_index(name="rows")
        for row in sizes.itertuples(index=False):
            reasons.append({"source": str(row.source), "reason": str(row.reason), "rows": int(str(row.rows))})
    options = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(config.options).items()}
    settings = model.settings_ or {}
    changes = None
    if registry is not None:
        changes = {
            "run_id": registry_run,
            "created": len(registry.created),
            "merged": len(registry.merged),
            "split": len(registry.split),
            "attached": len(registry.attached),
            "detached": len(registry.detached),
            "merges": [list(pair) for pair in registry.merged[:_LISTED_CHANGES]],
            "splits": [list(pair) for pair in registry.split[:_LISTED_CHANGES]],
        }
    return {
        "format": RUN_FORMAT,
        "dtks_link_version": _version("dtks_link"),
        "splink_version": _version("splink"),
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "engine": config.options.engine,
        "options": options,
        "sources": sources,
        "counts": {
            "records": int(sum(s["records"] for s in sources)),
            "pairs": int(counts["pairs"]),
            "residents": int(counts["clusters"]),
            "largest_cluster": int(counts["largest_cluster"]),
            "households": counts.get("households"),
        },
        "quarantine_reasons": reasons,
        "constraints": asdict(constraints) if constraints is not None else None,
        "timings": {k: float(v) for k, v in timings.items()},
        "model": {
            "trained_with": "default" if model.model_kind_ == "default" else ("labels" if labelled else "em"),
            "prior": settings.get("probability_two_random_records_match"),
            "comparisons": [c.get("output_column_name") for c in settings.get("comparisons", [])],
            "blocking_rules": [rule.name for rule in model.blocking_rules_],
            "training_log": [mask_numbers(line) for line in model.training_log_],
        },
        "blocking": dict(blocking) if blocking is not None else None,
        "registry": changes,
    }


def json_safe(value: Any) -> Any:
    """Numbers, strings, lists and dicts only (numpy scalars and NaN made plain)."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
