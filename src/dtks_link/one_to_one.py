"""One-to-one evidence between two duplicate-free sources, for clustering.

Fellegi–Sunter scores each pair on its own: its match probability is the prior that two records
are one person (estimated over all candidate pairs) times the Bayes factor of the comparisons.
Between two sources that each hold a person at most once (``duplicate_free = true``: two
registers, a census and a register), more is known: a record of source A has *at most one*
match in source B, and most of A's records have one there. Scored on its own, a true pair whose
fields are badly typed (a surname misspelt, no birth date) stays below the match threshold even
when it is the only candidate its record has; scored against the alternatives, it is clearly
the match.

For a record ``a`` of source A and its candidates ``b_1 .. b_n`` in source B, the hypotheses are
"``a`` is ``b_j``" (prior ``c / |B|`` each) and "``a`` has no match in B" (prior ``1 - c``),
where ``c`` is A's coverage in B. With ``O_j`` the pairwise posterior odds of ``(a, b_j)`` (the
model's own prior ``λ ≈ c / |B|`` times its Bayes factor), the posterior that ``b_j`` is ``a``'s
match is::

    P_a(j) = O_j / ((1 - c) + Σ_k O_k)

that is, odds ``O_j / ((1 - c) + Σ_{k≠j} O_k)``: a lone candidate gains a factor ``1 / (1 - c)``,
one with a strong competitor loses. The same is computed from ``b``'s side (its candidates in
A, with B's coverage in A), and the pair keeps the smaller of the two, so a link needs both
records to agree (the one-to-one assignment of Jaro 1989 and Sadinle 2017, in closed form).
``c`` is estimated from the data: the share of A's records with a pair at or above the match
threshold in B, smoothed as ``(linked + 1) / (|A| + 2)``, so a small source gains little.

Only pairs of records of two *different* duplicate-free sources change; every other pair keeps
its pairwise score. The scored pairs written to ``pairs.parquet`` stay pairwise; only the
clustering reads the adjusted scores. Set-based SQL, the same on DuckDB and Spark.
"""

from __future__ import annotations

from .backends.engine import Engine

__all__ = ["one_to_one_edges"]

#: Weights are clamped to this for the sums (2^100 is far from a double's range).
_CLAMP = 100.0

_TABLES = ("__o2o_sources", "__o2o_pairs", "__o2o_coverage", "__o2o_adjusted")


def one_to_one_edges(
    engine: Engine,
    *,
    records_table: str,
    edges_table: str,
    output_table: str,
    threshold: float,
) -> int | None:
    """Write ``output_table`` (``unique_id_l, unique_id_r, match_weight, match_probability``):
    ``edges_table`` with the pairs between two duplicate-free sources rescored as above.

    ``records_table`` needs ``unique_id, source, source_duplicate_free``. Returns the number of
    pairs rescored, or ``None`` (and writes nothing) when fewer than two sources are
    duplicate-free, so that the caller keeps ``edges_table``.
    """
    q = engine.quote
    records, edges = q(records_table), q(edges_table)
    engine.create_table(
        "__o2o_sources",
        f"SELECT source, count(*) AS n FROM {records} WHERE source_duplicate_free GROUP BY source",
    )
    if int(engine.rows("SELECT count(*) FROM __o2o_sources")[0][0]) < 2:
        engine.drop("__o2o_sources")
        return None
    engine.create_table(
        "__o2o_pairs",
        "SELECT e.unique_id_l, e.unique_id_r, l.source AS source_l, r.source AS source_r, "
        "e.match_weight, e.match_probability, "
        f"power(2.0, least(greatest(e.match_weight, {-_CLAMP}), {_CLAMP})) AS odds "
        f"FROM {edges} e JOIN {records} l ON e.unique_id_l = l.unique_id "
        f"JOIN {records} r ON e.unique_id_r = r.unique_id "
        "WHERE l.source_duplicate_free AND r.source_duplicate_free AND l.source <> r.source",
    )
    engine.create_table(
        "__o2o_coverage",
        "SELECT a.source AS source_a, b.source AS source_b, "
        "(coalesce(x.linked, 0) + 1.0) / (a.n + 2.0) AS coverage "
        "FROM __o2o_sources a JOIN __o2o_sources b ON a.source <> b.source "
        "LEFT JOIN (SELECT source_a, source_b, count(DISTINCT unique_id) AS linked FROM ("
        "SELECT source_l AS source_a, source_r AS source_b, unique_id_l AS unique_id "
        "FROM __o2o_pairs WHERE match_probability >= ? UNION ALL "
        "SELECT source_r, source_l, unique_id_r FROM __o2o_pairs WHERE match_probability >= ?"
        ") s GROUP BY source_a, source_b) x ON x.source_a = a.source AND x.source_b = b.source",
        [threshold, threshold],
    )
    # the smaller posterior of the two sides is the larger denominator
    others = "greatest(sum(p.odds) OVER (PARTITION BY p.unique_id_{0}, p.source_{1}) - p.odds, 0.0)"
    engine.create_table(
        "__o2o_adjusted",
        "SELECT unique_id_l, unique_id_r, match_weight, "
        "1.0 / (1.0 + power(2.0, -least(greatest(match_weight, -1000.0), 1000.0))) AS match_probability "
        "FROM (SELECT p.unique_id_l, p.unique_id_r, p.match_weight - log2(greatest("
        f"(1.0 - cl.coverage) + {others.format('l', 'r')}, (1.0 - cr.coverage) + {others.format('r', 'l')}"
        ")) AS match_weight FROM __o2o_pairs p "
        "JOIN __o2o_coverage cl ON cl.source_a = p.source_l AND cl.source_b = p.source_r "
        "JOIN __o2o_coverage cr ON cr.source_a = p.source_r AND cr.source_b = p.source_l) x",
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
    engine.drop(*_TABLES)
    return adjusted
