"""One-to-one evidence from duplicate-free sources, for clustering.

Fellegi–Sunter scores each pair on its own: its match probability is the prior that two records
are one person (estimated over all candidate pairs) times the Bayes factor of the comparisons.
A source that holds each person at most once (``duplicate_free = true``: the civil registry, a
census, a register) tells more: a record of any *other* source has *at most one* match in it,
and most of that source's records have one there. Scored on its own, a true pair whose fields
are badly typed (a surname misspelt, an age instead of a birth date) stays below the match
threshold even when it is the only candidate its record has; scored against the alternatives,
it is clearly the match.

For a record ``x`` of source X and its candidates ``d_1 .. d_n`` in a duplicate-free source D,
the hypotheses are "``x`` is ``d_j``" (prior ``c / |D|`` each) and "``x`` has no match in D"
(prior ``1 - c``), where ``c`` is X's coverage in D. With ``O_j`` the pairwise posterior odds of
``(x, d_j)`` (the model's own prior ``λ ≈ c / |D|`` times its Bayes factor), the posterior that
``d_j`` is ``x``'s match is::

    P_x(j) = O_j / ((1 - c) + Σ_k O_k)

that is, odds ``O_j / ((1 - c) + Σ_{k≠j} O_k)``: a lone candidate gains a factor ``1 / (1 - c)``,
one with a strong competitor loses. When both sources are duplicate-free the same is computed
from ``d``'s side too and the pair keeps the smaller posterior, so a link needs both records to
agree (the one-to-one assignment of Jaro 1989 and Sadinle 2017, in closed form); when only D is,
``d`` may have several matches in X (X's duplicates) and only ``x``'s side counts. ``c`` is
estimated from the data: the share of X's records with a pair at or above the match threshold
into D, smoothed as ``(linked + 1) / (|X| + 2)`` and at most :data:`MAX_COVERAGE`.

A record whose birth date is read from its NIK (it has none of its own) is not rescored: its
candidates are ranked by the NIK holder's birth date, and a NIK on an aid list is often the head
of the family's, typed on the carer's record; exclusivity would turn that wrong ranking into a
link. Pairs with no record of a duplicate-free source, and pairs within one source, keep their
pairwise score. The scored pairs written to ``pairs.parquet`` stay pairwise; only the clustering
reads the rescored ones. Set-based SQL, the same on DuckDB and Spark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .backends.engine import Engine

__all__ = ["OneToOne", "one_to_one_edges"]

#: Weights are clamped to this for the sums (2^100 is far from a double's range).
_CLAMP = 100.0

#: The most a source's coverage in a duplicate-free source is taken to be: a record's candidates
#: may miss its true match (blocking, a record not yet registered), so the odds of a lone
#: candidate gain at most a factor 100.
MAX_COVERAGE = 0.99

_TABLES = ("__o2o_counts", "__o2o_pairs", "__o2o_sides", "__o2o_given", "__o2o_coverage", "__o2o_adjusted")


@dataclass(frozen=True)
class OneToOne:
    """What :func:`one_to_one_edges` did: the pairs it rescored and the coverage it used for each
    (source, duplicate-free source), which a registry keeps so that its later re-clusters
    (ingest, decisions) score the same way as the build did."""

    pairs: int
    coverage: dict[tuple[str, str], float]


def one_to_one_edges(
    engine: Engine,
    *,
    records_table: str,
    edges_table: str,
    output_table: str,
    threshold: float,
    coverage: Mapping[tuple[str, str], float] | None = None,
) -> OneToOne | None:
    """Write ``output_table`` (``unique_id_l, unique_id_r, match_weight, match_probability``):
    ``edges_table`` with each pair that has a record of a duplicate-free source rescored as above.

    ``records_table`` needs ``unique_id, source, source_duplicate_free`` (and, when it has it,
    ``birth_date_from_nik``). ``coverage`` ((source, duplicate-free source) -> share) replaces
    the estimate for the pairs of sources it names: a registry passes the coverage of its build,
    since the records of one re-cluster are not a sample of the sources. Returns what was
    rescored, or ``None`` (and writes nothing) when no source is duplicate-free or there is only
    one source, so that the caller keeps ``edges_table``.
    """
    q = engine.quote
    records, edges = q(records_table), q(edges_table)
    engine.create_table(
        "__o2o_counts",
        "SELECT source, count(*) AS n, CAST(max(CASE WHEN source_duplicate_free THEN 1 ELSE 0 END) "
        f"AS BOOLEAN) AS duplicate_free FROM {records} GROUP BY source",
    )
    sources, duplicate_free = engine.rows(
        "SELECT count(*), sum(CASE WHEN duplicate_free THEN 1 ELSE 0 END) FROM __o2o_counts"
    )[0]
    if int(sources) < 2 or not duplicate_free:
        engine.drop("__o2o_counts")
        return None
    standin = (
        "coalesce({0}.birth_date_from_nik, false)"
        if "birth_date_from_nik" in engine.columns(records_table)
        else "false"
    )
    engine.create_table(
        "__o2o_pairs",
        "SELECT e.unique_id_l, e.unique_id_r, l.source AS source_l, r.source AS source_r, "
        "l.source_duplicate_free AS df_l, r.source_duplicate_free AS df_r, "
        f"{standin.format('l')} AS standin_l, {standin.format('r')} AS standin_r, "
        "e.match_weight, e.match_probability, "
        f"power(2.0, least(greatest(e.match_weight, {-_CLAMP}), {_CLAMP})) AS odds "
        f"FROM {edges} e JOIN {records} l ON e.unique_id_l = l.unique_id "
        f"JOIN {records} r ON e.unique_id_r = r.unique_id "
        "WHERE (l.source_duplicate_free OR r.source_duplicate_free) AND l.source <> r.source",
    )
    # one row per pair and side whose *other* record is of a duplicate-free source: that side's
    # record has at most one match in the other's source
    engine.create_table(
        "__o2o_sides",
        "SELECT unique_id_l, unique_id_r, unique_id_l AS record, source_l AS record_source, "
        "source_r AS other_source, odds, match_probability FROM __o2o_pairs WHERE df_r AND NOT standin_l "
        "UNION ALL SELECT unique_id_l, unique_id_r, unique_id_r, source_r, source_l, odds, "
        "match_probability FROM __o2o_pairs WHERE df_l AND NOT standin_r",
    )
    given = pd.DataFrame(
        [(a, b, float(c)) for (a, b), c in (coverage or {}).items()],
        columns=["record_source", "other_source", "coverage"],
    )
    engine.load_frame("__o2o_given", given.astype({"record_source": object, "other_source": object}))
    engine.create_table(
        "__o2o_coverage",
        "SELECT x.record_source, x.other_source, least(coalesce(g.coverage, "
        "(x.linked + 1.0) / (c.n + 2.0)), ?) AS coverage FROM (SELECT record_source, other_source, "
        "count(DISTINCT CASE WHEN match_probability >= ? THEN record END) AS linked "
        "FROM __o2o_sides GROUP BY record_source, other_source) x "
        "JOIN __o2o_counts c ON c.source = x.record_source "
        "LEFT JOIN __o2o_given g ON g.record_source = x.record_source AND g.other_source = x.other_source",
        [MAX_COVERAGE, threshold],
    )
    # a pair keeps the smaller posterior of its sides: the larger denominator
    engine.create_table(
        "__o2o_adjusted",
        "SELECT unique_id_l, unique_id_r, match_weight, "
        "1.0 / (1.0 + power(2.0, -least(greatest(match_weight, -1000.0), 1000.0))) AS match_probability "
        "FROM (SELECT d.unique_id_l, d.unique_id_r, max(p.match_weight) - log2(max(d.denominator)) "
        "AS match_weight FROM (SELECT s.unique_id_l, s.unique_id_r, (1.0 - c.coverage) + greatest("
        "sum(s.odds) OVER (PARTITION BY s.record, s.other_source) - s.odds, 0.0) AS denominator "
        "FROM __o2o_sides s JOIN __o2o_coverage c ON c.record_source = s.record_source "
        "AND c.other_source = s.other_source) d JOIN __o2o_pairs p "
        "ON p.unique_id_l = d.unique_id_l AND p.unique_id_r = d.unique_id_r "
        "GROUP BY d.unique_id_l, d.unique_id_r) x",
    )
    engine.create_table(
        output_table,
        "SELECT e.unique_id_l, e.unique_id_r, "
        "coalesce(a.match_weight, e.match_weight) AS match_weight, "
        "coalesce(a.match_probability, e.match_probability) AS match_probability "
        f"FROM {edges} e LEFT JOIN __o2o_adjusted a "
        "ON a.unique_id_l = e.unique_id_l AND a.unique_id_r = e.unique_id_r",
    )
    adjusted = int(engine.rows("SELECT count(*) FROM __o2o_adjusted")[0][0])
    used = {
        (str(a), str(b)): float(c)
        for a, b, c in engine.rows("SELECT record_source, other_source, coverage FROM __o2o_coverage")
    }
    engine.drop(*_TABLES)
    return OneToOne(pairs=adjusted, coverage=used)
