"""Scored pairs -> clusters of records that are one resident, with constraints.

Clustering is connected components over pairs at or above the match threshold, then a repair
step for the components that break a constraint:

- two records of a ``duplicate_free`` source never share a cluster;
- two different valid NIKs that a duplicate-free source confirms (a Dukcapil record holds each)
  never share a cluster: they are two residents. A NIK counts for a record only when it agrees
  with the record's own birth date and sex: a member listed under the head of family's NIK (a
  common error) is not held to the head's identity;
- two records that the evidence places as different members of one family never share a
  cluster (:data:`~dtks_link.comparisons.evidence.FAMILY_CONFLICT`: same KK or address, and
  different given names with birth dates that disagree or two different valid NIKs that each
  agree with their record, or birth dates that disagree together with such NIKs);
- a cluster has at most ``max_cluster_size`` records.

Reviewers' decisions (:mod:`dtks_link.registry.decisions`) join in: a *same* decision is a
must-link edge, joined whatever the score and before any other edge; a *different* decision is a
cannot-link constraint. When must-links chain two records a reviewer decided apart, the
cannot-link holds and the must-link that would break it is refused (counted as a conflict, which
the registry reports with both decisions).

A component that breaks one is rebuilt greedily: its edges are taken from the strongest match
weight down (ties broken by record ids), and an edge is skipped when joining its two sides
would break a constraint. So an oversized or conflicting component is split along its weakest
links, and the result depends only on the scores, never on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd
from splink.clustering import cluster_pairwise_predictions_at_threshold

from .backends.duckdb import DuckDBEngine
from .backends.engine import Engine
from .comparisons.evidence import FAMILY_COLUMNS, FAMILY_CONFLICT
from .one_to_one import one_to_one_edges
from .rules import pair_sql

__all__ = [
    "ClusterReport",
    "assign_resident_ids",
    "cluster_records",
    "greedy_constrained_clusters",
]


@dataclass(frozen=True, kw_only=True)
class ClusterReport:
    """What the constraints did: components repaired, per constraint, and edges refused."""

    components: int
    repaired_components: int
    duplicate_free_violations: int
    confirmed_nik_conflicts: int
    oversized: int
    edges_refused: int
    family_conflicts: int = 0
    #: reviewer decisions whose two records were both clustered, and the must-links refused
    #: because they would join two records decided apart
    decisions_applied: int = 0
    decision_conflicts: int = 0
    #: pairs with a record of a duplicate-free source rescored by :mod:`dtks_link.one_to_one`,
    #: and the coverage it used: (source, duplicate-free source, share)
    one_to_one_pairs: int = 0
    one_to_one_coverage: tuple[tuple[str, str, float], ...] = ()


@dataclass
class _Node:
    key: str
    duplicate_free_source: str | None
    confirmed_nik: str | None


def greedy_constrained_clusters(
    nodes: Iterable[tuple[str, str | None, str | None]],
    edges: Iterable[tuple[str, str, float]],
    *,
    max_cluster_size: int,
    cannot_link: Iterable[tuple[str, str]] = (),
    must_link: Iterable[tuple[str, str]] = (),
    decided_apart: Iterable[tuple[str, str]] = (),
) -> tuple[dict[str, str], int]:
    """Cluster one component under the constraints.

    ``nodes`` are ``(unique_id, duplicate_free_source_or_None, confirmed_nik_or_None)``;
    ``edges`` are ``(unique_id_l, unique_id_r, match_weight)`` already above the threshold;
    ``cannot_link`` are pairs of unique ids that must end in different clusters.
    ``must_link`` (reviewers' *same* decisions) are joined first, whatever the other
    constraints say, except that one is refused when it would join two records of
    ``decided_apart`` (reviewers' *different* decisions, which are cannot-links too).
    Returns ``unique_id -> representative unique_id`` (the smallest id of its cluster) and the
    number of edges refused (must-links not counted).
    """
    parent: dict[str, str] = {}
    sources: dict[str, set[str]] = {}
    niks: dict[str, set[str]] = {}
    size: dict[str, int] = {}
    members: dict[str, set[str]] = {}
    for key, source, nik in nodes:
        parent[key] = key
        sources[key] = {source} if source else set()
        niks[key] = {nik} if nik else set()
        size[key] = 1
        members[key] = {key}
    apart: dict[str, set[str]] = {}
    decided: dict[str, set[str]] = {}
    for pairs, table in ((cannot_link, apart), (decided_apart, apart), (decided_apart, decided)):
        for a, b in pairs:
            if a in parent and b in parent and a != b:
                table.setdefault(a, set()).add(b)
                table.setdefault(b, set()).add(a)

    def conflict(a: str, b: str, table: dict[str, set[str]]) -> bool:
        small, large = (a, b) if size[a] <= size[b] else (b, a)
        return any(table.get(m, set()) & members[large] for m in members[small])

    def find(key: str) -> str:
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def join(a: str, b: str) -> None:
        keep, drop = (a, b) if a < b else (b, a)
        parent[drop] = keep
        sources[keep] |= sources.pop(drop)
        niks[keep] |= niks.pop(drop)
        size[keep] += size.pop(drop)
        members[keep] |= members.pop(drop)

    refused = 0
    for left, right in sorted((min(p), max(p)) for p in must_link if p[0] in parent and p[1] in parent):
        a, b = find(left), find(right)
        if a == b:
            continue
        if not (decided and conflict(a, b, decided)):
            join(a, b)
    ordered = sorted(edges, key=lambda e: (-e[2], min(e[0], e[1]), max(e[0], e[1])))
    for left, right, _ in ordered:
        a, b = find(left), find(right)
        if a == b:
            continue
        if (
            sources[a] & sources[b]
            or len(niks[a] | niks[b]) > 1
            or size[a] + size[b] > max_cluster_size
            or (apart and conflict(a, b, apart))
        ):
            refused += 1
            continue
        join(a, b)
    return {key: find(key) for key in parent}, refused


def cluster_records(
    con: duckdb.DuckDBPyConnection | Engine,
    *,
    records_table: str,
    edges_table: str,
    output_table: str,
    threshold: float,
    max_cluster_size: int,
    confirmed_niks_table: str | None = None,
    decisions_table: str | None = None,
    one_to_one_coverage: Mapping[tuple[str, str], float] | None = None,
) -> ClusterReport:
    """Cluster ``records_table`` (``unique_id, source, source_duplicate_free, nik, nik_valid,
    tanggal_lahir, nik_birth_date, jenis_kelamin, nik_sex``)
    using ``edges_table`` (``unique_id_l, unique_id_r, match_weight, match_probability``).

    Writes ``output_table`` with ``unique_id`` and ``cluster_key`` (the smallest unique_id of
    the cluster) for every record, singletons included. ``confirmed_niks_table`` (column
    ``nik``) lists the NIKs a duplicate-free source confirms; by default they are taken from
    ``records_table``.

    ``decisions_table`` (``decision_id, unique_id_l, unique_id_r, same``: the reviewers'
    decisions in force) adds must-links and cannot-links; decisions about records absent from
    ``records_table`` are ignored.

    Pairs with a record of a duplicate-free source are first rescored by
    :func:`~dtks_link.one_to_one.one_to_one_edges` (``one_to_one_coverage`` fixes the coverage
    it uses, as a registry's re-clusters do with their build's).

    ``con`` is a DuckDB connection or an engine. Connected components run in the engine
    (Splink's iterative SQL algorithm, on Spark too); only the components that break a
    constraint are fetched and repaired by :func:`greedy_constrained_clusters`, so both
    engines give the same clusters.
    """
    engine = DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    q = engine.quote
    one_to_one = one_to_one_edges(
        engine,
        records_table=records_table,
        edges_table=edges_table,
        output_table="__one_to_one_edges",
        threshold=threshold,
        coverage=one_to_one_coverage,
    )
    if one_to_one is not None:
        edges_table = "__one_to_one_edges"
    db_api = engine.splink_api()
    nodes_sdf = db_api.register(records_table)
    component_edges = edges_table
    if decisions_table is not None:
        engine.create_table(
            "__decided",
            f"SELECT d.unique_id_l, d.unique_id_r, d.same FROM {q(decisions_table)} d "
            f"WHERE d.unique_id_l IN (SELECT unique_id FROM {q(records_table)}) "
            f"AND d.unique_id_r IN (SELECT unique_id FROM {q(records_table)}) "
            "AND d.unique_id_l <> d.unique_id_r",
        )
        # must-links are edges of probability 1 for the connected components
        component_edges = "__with_decisions"
        engine.create_table(
            component_edges,
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {q(edges_table)} "
            "UNION ALL SELECT unique_id_l, unique_id_r, CAST(1.0 AS DOUBLE) FROM __decided WHERE same",
        )
    edges_sdf = db_api.register(component_edges)
    components = cluster_pairwise_predictions_at_threshold(
        nodes_sdf, edges_sdf, db_api, "unique_id", threshold_match_probability=threshold
    )
    engine.create_table(
        "__components",
        "SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) AS component "
        f"FROM {components.physical_name}",
    )
    components.drop_table_from_database_and_remove_from_cache()
    if confirmed_niks_table is None:
        engine.create_table(
            "__confirmed",
            f"SELECT DISTINCT nik FROM {q(records_table)} "
            "WHERE source_duplicate_free AND nik_valid AND nik IS NOT NULL",
        )
    else:
        engine.create_table("__confirmed", f"SELECT DISTINCT nik FROM {q(confirmed_niks_table)}")
    engine.create_table(
        "__node_facts",
        "SELECT c.unique_id, c.component, "
        "CASE WHEN r.source_duplicate_free THEN r.source END AS df_source, "
        "CASE WHEN r.nik_valid AND r.nik IN (SELECT nik FROM __confirmed) "
        "AND (r.tanggal_lahir IS NULL OR r.nik_birth_date IS NULL OR r.tanggal_lahir = r.nik_birth_date) "
        "AND (r.jenis_kelamin IS NULL OR r.nik_sex IS NULL OR r.jenis_kelamin = r.nik_sex) THEN r.nik END "
        f"AS confirmed_nik FROM __components c JOIN {q(records_table)} r ON c.unique_id = r.unique_id",
    )
    family = set(FAMILY_COLUMNS) <= set(engine.columns(records_table))
    conflict = pair_sql(FAMILY_CONFLICT, dialect=engine.dialect, aliases=("l", "r")) if family else "false"
    # pairs the evidence places as two members of one family, among every pair of records of
    # one component (joined through others, two relatives may never have been compared)
    engine.create_table(
        "__cannot_link",
        "SELECT n.unique_id AS a, m.unique_id AS b, n.component FROM __node_facts n "
        "JOIN __node_facts m ON m.component = n.component AND n.unique_id < m.unique_id "
        f"JOIN {q(records_table)} l ON n.unique_id = l.unique_id "
        f"JOIN {q(records_table)} r ON m.unique_id = r.unique_id "
        f"WHERE n.component IN (SELECT component FROM __node_facts GROUP BY component HAVING count(*) > 1) "
        f"AND {conflict}",
    )
    # pairs a reviewer decided are two residents, when the model's edges put them in one component
    apart_sql = (
        "SELECT d.unique_id_l AS a, d.unique_id_r AS b, n.component FROM __decided d "
        "JOIN __node_facts n ON n.unique_id = d.unique_id_l "
        "JOIN __node_facts m ON m.unique_id = d.unique_id_r "
        "WHERE NOT d.same AND n.component = m.component"
        if decisions_table is not None
        else "SELECT a, b, component FROM __cannot_link WHERE false"
    )
    engine.create_table("__decided_apart", apart_sql)
    violations = engine.rows(
        "SELECT f.component, count(*) > ? AS oversized, "
        "count(df_source) > count(DISTINCT df_source) AS df_violation, "
        "count(DISTINCT confirmed_nik) > 1 AS nik_conflict, "
        "f.component IN (SELECT component FROM __cannot_link) AS family_conflict "
        "FROM __node_facts f GROUP BY f.component "
        "HAVING count(*) > ? OR count(df_source) > count(DISTINCT df_source) "
        "OR count(DISTINCT confirmed_nik) > 1 OR f.component IN (SELECT component FROM __cannot_link) "
        "OR f.component IN (SELECT component FROM __decided_apart) "
        "ORDER BY f.component",
        [max_cluster_size, max_cluster_size],
    )
    repaired: dict[str, str] = {}
    refused = 0
    if violations:
        engine.load_frame(
            "__bad", pd.DataFrame({"component": pd.Series([v[0] for v in violations], dtype=object)})
        )
        node_rows = engine.rows(
            "SELECT component, unique_id, df_source, confirmed_nik FROM __node_facts "
            "WHERE component IN (SELECT component FROM __bad) ORDER BY component, unique_id"
        )
        edge_rows = engine.rows(
            "SELECT n.component, e.unique_id_l, e.unique_id_r, e.match_weight "
            f"FROM {q(edges_table)} e JOIN __node_facts n ON e.unique_id_l = n.unique_id "
            "WHERE n.component IN (SELECT component FROM __bad) AND e.match_probability >= ?",
            [threshold],
        )
        by_component_nodes: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for component, key, source, nik in node_rows:
            by_component_nodes.setdefault(component, []).append((key, source, nik))
        by_component_edges: dict[str, list[tuple[str, str, float]]] = {}
        for component, left, right, weight in edge_rows:
            by_component_edges.setdefault(component, []).append((left, right, float(weight)))
        by_component_apart: dict[str, list[tuple[str, str]]] = {}
        for component, left, right in engine.rows("SELECT component, a, b FROM __cannot_link"):
            by_component_apart.setdefault(component, []).append((left, right))
        by_component_decided: dict[str, list[tuple[str, str]]] = {}
        for component, left, right in engine.rows("SELECT component, a, b FROM __decided_apart"):
            by_component_decided.setdefault(component, []).append((left, right))
        by_component_must: dict[str, list[tuple[str, str]]] = {}
        if decisions_table is not None:
            must_rows = engine.rows(
                "SELECT n.component, d.unique_id_l, d.unique_id_r FROM __decided d "
                "JOIN __node_facts n ON n.unique_id = d.unique_id_l "
                "WHERE d.same AND n.component IN (SELECT component FROM __bad)"
            )
            for component, left, right in must_rows:
                by_component_must.setdefault(component, []).append((left, right))
        for component, members in by_component_nodes.items():
            mapping, n_refused = greedy_constrained_clusters(
                members,
                by_component_edges.get(component, []),
                max_cluster_size=max_cluster_size,
                cannot_link=by_component_apart.get(component, []),
                must_link=by_component_must.get(component, []),
                decided_apart=by_component_decided.get(component, []),
            )
            repaired.update(mapping)
            refused += n_refused
        engine.drop("__bad")
    engine.load_frame(
        "__repaired",
        pd.DataFrame(
            {
                "unique_id": pd.Series(list(repaired), dtype=object),
                "cluster_key": pd.Series(list(repaired.values()), dtype=object),
            }
        ),
    )
    engine.create_table(
        output_table,
        "SELECT c.unique_id, coalesce(r.cluster_key, c.component) AS cluster_key "
        "FROM __components c LEFT JOIN __repaired r ON c.unique_id = r.unique_id",
    )
    n_components = int(engine.rows("SELECT count(DISTINCT component) FROM __components")[0][0])
    applied = conflicts = 0
    if decisions_table is not None:
        # a must-link whose two records ended apart was refused: it chains a decided-apart pair
        applied, conflicts = (
            int(v or 0)
            for v in engine.rows(
                "SELECT count(*), sum(CASE WHEN d.same AND l.cluster_key <> r.cluster_key THEN 1 ELSE 0 END) "
                f"FROM __decided d JOIN {q(output_table)} l ON l.unique_id = d.unique_id_l "
                f"JOIN {q(output_table)} r ON r.unique_id = d.unique_id_r"
            )[0]
        )
        engine.drop("__decided", "__with_decisions")
    engine.drop(
        "__components", "__confirmed", "__node_facts", "__repaired", "__cannot_link", "__decided_apart"
    )
    if one_to_one is not None:
        engine.drop("__one_to_one_edges")
    return ClusterReport(
        components=n_components,
        repaired_components=len(violations),
        duplicate_free_violations=sum(1 for v in violations if v[2]),
        confirmed_nik_conflicts=sum(1 for v in violations if v[3]),
        oversized=sum(1 for v in violations if v[1]),
        edges_refused=refused,
        family_conflicts=sum(1 for v in violations if v[4]),
        decisions_applied=applied,
        decision_conflicts=conflicts,
        one_to_one_pairs=one_to_one.pairs if one_to_one else 0,
        one_to_one_coverage=tuple(sorted((a, b, c) for (a, b), c in one_to_one.coverage.items()))
        if one_to_one
        else (),
    )


def assign_resident_ids(
    con: duckdb.DuckDBPyConnection | Engine,
    clusters_table: str,
    records_table: str,
    output_table: str,
) -> None:
    """Write ``source, record_id, resident_id, cluster_size`` for a one-off linkage.

    The id is a hash of the cluster's smallest record key (source and record id), never of
    personal data, so the same partition of the same records gives the same ids. Ids that stay
    stable while the data changes are the registry's job (:mod:`dtks_link.registry`).
    """
    engine = DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    q = engine.quote
    engine.create_table(
        output_table,
        "SELECT r.source, r.record_id, "
        "concat('R', upper(substr(md5(c.cluster_key), 1, 12))) AS resident_id, "
        "count(*) OVER (PARTITION BY c.cluster_key) AS cluster_size "
        f"FROM {q(clusters_table)} c JOIN {q(records_table)} r ON c.unique_id = r.unique_id "
        "ORDER BY r.source, r.record_id",
    )
