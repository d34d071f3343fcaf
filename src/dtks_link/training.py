"""The training steps of :meth:`ResidentModel.fit <dtks_link.model.ResidentModel.fit>` around
Splink's own: the prior (from the strict deterministic rules, re-solved from the scored pairs
where those rules see too few of the pairs) and the calibration of the m probabilities after EM.
Each step appends what it did to the model's training log."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np
from splink import Linker

from .backends import splink_compat
from .backends.engine import Engine
from .blocking import BlockingRule
from .comparisons import COMPARISONS
from .rules import Dialect

__all__ = [
    "FULL_COVERAGE",
    "M_FLOOR",
    "calibrate",
    "deterministic_coverage",
    "estimate_prior",
    "joint_levels",
    "levels",
    "refine_prior",
    "took",
]

# the steps log under the model's name, as they did when they were its methods
logger = logging.getLogger("dtks_link.model")

#: When the deterministic rules see at least this share of the record pairs, their prior is
#: kept; below it the prior is re-estimated from the scored pairs (:func:`refine_prior`).
FULL_COVERAGE = 0.9


def levels(linker: Linker) -> dict[tuple[str, str], Any]:
    """The linker's comparison levels (null levels left out) by comparison name and label."""
    return {
        (comparison.output_column_name, level.label_for_charts): level
        for comparison in splink_compat.comparisons(linker)
        for level in comparison.comparison_levels
        if not level.is_null_level
    }


#: Lowest m probability a level keeps after EM. EM can drive the m of a rarely disagreeing
#: field (mother's name, birthplace) to ~1e-20, which would veto a match on one typo.
M_FLOOR = 1e-3


def calibrate(linker: Linker) -> list[str]:
    """Make the trained model safe on data it has not seen:

    - a level EM never observed keeps no default m: its m is set to its u (weight 0), so an
      unobserved pattern is neutral instead of carrying Splink's arbitrary default weight;
    - every m is floored at :data:`M_FLOOR`, bounding how strongly one field can veto a match.
    """
    notes = []
    for comparison in splink_compat.comparisons(linker):
        spec = COMPARISONS.get(comparison.output_column_name)
        u_like = {lv.label: lv.u_like for lv in spec.levels if lv.u_like} if spec is not None else {}
        by_label = {lv.label_for_charts: lv for lv in comparison.comparison_levels}
        for label, sibling in u_like.items():
            if label in by_label and sibling in by_label and splink_compat.u_is_trained(by_label[sibling]):
                by_label[label].u_probability = by_label[sibling].u_probability
        for level in comparison.comparison_levels:
            if level.is_null_level or splink_compat.m_is_fixed(level):
                continue
            if not splink_compat.m_is_estimated(level):
                if not splink_compat.u_is_trained(level):  # never seen at all: a small u, weight 0
                    level.u_probability = 1e-6
                level.m_probability = level.u_probability
                notes.append(
                    f"{comparison.output_column_name}: '{level.label_for_charts}' unobserved, neutral"
                )
                continue
            m = level.m_probability
            if m is not None and m < M_FLOOR:
                level.m_probability = M_FLOOR
                notes.append(f"{comparison.output_column_name}: '{level.label_for_charts}' m floored")
    notes.extend(joint_levels(linker))
    return notes


def joint_levels(linker: Linker) -> list[str]:
    """Set the m of the levels that join two comparisons' evidence
    (:class:`~dtks_link.comparisons.levels.JointEvidence`), from the calibrated m and u of the
    levels they join."""
    notes = []
    found = levels(linker)
    for spec in COMPARISONS.values():
        for lv in spec.levels:
            level = found.get((spec.name, lv.label))
            if lv.joint is None or level is None:
                continue
            within = [found[(spec.name, label)] for label in lv.joint.within if (spec.name, label) in found]
            m_within = sum(float(w.m_probability) for w in within)
            counted = found.get(lv.joint.counted)
            if not splink_compat.u_is_trained(level) or counted is None or m_within <= 0:
                # random pairs never showed the pattern: the facts as if independent
                u_within = sum(float(w.u_probability) for w in within)
                level.u_probability = max(u_within, 1e-12)
                level.m_probability = m_within if m_within > 0 else level.u_probability
                weighed_as = ", ".join(lv.joint.within)
                notes.append(f"{spec.name}: '{lv.label}' unseen in random pairs, weighed as {weighed_as}")
                continue
            level.m_probability = min(m_within * float(counted.u_probability), 1.0)
    return notes


def estimate_prior(
    linker: Linker, dialect: Dialect, deterministic: list[BlockingRule], n_records: int, log: list[str]
) -> None:
    """The prior from the strict deterministic rules, else about one match per record."""
    step = time.perf_counter()
    if deterministic:
        guarded: list[Any] = [splink_compat.blocking_rule(rule, dialect) for rule in deterministic]
        try:
            linker.training.estimate_probability_two_random_records_match(guarded, recall=0.8)
            prior = splink_compat.prior(linker)
            if 0.0 < prior < 1.0:
                log.append(f"prior from {len(guarded)} deterministic rule(s){took(step)}")
                return
        except Exception as exc:  # Splink raises plain exceptions when no pair is found
            logger.info("prior from deterministic rules failed: %s", exc)
    prior = min(0.5, 1.0 / max(n_records - 1, 1))
    splink_compat.set_prior(linker, prior)
    log.append(f"prior {prior:.3g}: no pair meets a deterministic rule; assumed about one match per record")


def refine_prior(
    linker: Linker,
    engine: Engine,
    records_table: str,
    n_records: int,
    deterministic: list[BlockingRule],
    log: list[str],
) -> None:
    """Re-estimate the prior from the scored candidate pairs when the deterministic rules
    cannot see every pair of sources.

    The deterministic estimate only counts pairs whose records both hold a rule's fields
    (the NIK, or the birth date, ...). Where some pairs of sources share no such field (a
    tax file without birth dates beside a census), it is far too low and true pairs score
    too low. Then the prior is solved for: the share of all pairs that the candidate pairs'
    match probabilities add up to (``prior = sum p / pairs``, ``p`` depending on the
    prior), iterated to a fixed point. Pairs blocking does not reach count as non-matches.
    """
    share = deterministic_coverage(engine, records_table, deterministic)
    if share >= FULL_COVERAGE:
        return
    step = time.perf_counter()
    prior = splink_compat.prior(linker)
    prior_weight = math.log2(prior / (1 - prior))
    scored = linker.inference.predict(threshold_match_weight=prior_weight - 6)
    frame = engine.frame(f"SELECT match_weight FROM {scored.physical_name}")
    scored.drop_table_from_database_and_remove_from_cache()
    factors = np.exp2(np.minimum(frame["match_weight"].to_numpy(dtype=float) - prior_weight, 1000.0))
    sizes = [int(r[0]) for r in engine.rows(
        f"SELECT count(*) FROM {engine.quote(records_table)} WHERE source_duplicate_free GROUP BY source"
    )]  # fmt: skip
    total = n_records * (n_records - 1) / 2 - sum(n * (n - 1) / 2 for n in sizes)
    if not len(factors) or total <= 0:
        return
    for _ in range(50):
        odds = prior / (1 - prior)
        expected = float(np.sum(odds * factors / (1 + odds * factors)))
        new = min(0.5, max(expected / total, 1e-12))
        converged = abs(math.log(new / prior)) < 1e-4
        prior = new
        if converged:
            break
    splink_compat.set_prior(linker, prior)
    log.append(
        f"prior {prior:.3g} from the scored candidate pairs (the deterministic rules see "
        f"{share:.0%} of the pairs){took(step)}"
    )


def deterministic_coverage(engine: Engine, records_table: str, deterministic: list[BlockingRule]) -> float:
    """Share of record pairs whose two records both hold every field of at least one
    deterministic rule (judged per source: a source holds a field when most of its records
    do)."""
    if not deterministic:
        return 0.0
    columns = sorted({c for rule in deterministic for c in rule.columns})
    rows = engine.rows(
        "SELECT count(*), "
        + ", ".join(f"avg(CASE WHEN {engine.quote(c)} IS NULL THEN 0 ELSE 1 END)" for c in columns)
        + f" FROM {engine.quote(records_table)} GROUP BY source"
    )
    holds = [(int(r[0]), {c for c, share in zip(columns, r[1:], strict=True) if share >= 0.5}) for r in rows]
    rules = [set(rule.columns) for rule in deterministic]
    seen = total = 0.0
    for i, (n_a, a) in enumerate(holds):
        for j, (n_b, b) in enumerate(holds[i:], start=i):
            pairs = n_a * (n_a - 1) / 2 if i == j else n_a * n_b
            total += pairs
            if any(rule <= a and rule <= b for rule in rules):
                seen += pairs
    return seen / total if total else 1.0


def took(start: float) -> str:
    """`` (1.2 s)``: the time since ``start``, for a log line."""
    return f" ({time.perf_counter() - start:.1f} s)"
