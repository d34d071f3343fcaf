"""Reviewers' decisions that last: "these two records are one person" or "two people".

A decision names two records by ``(source, record_id)``, says *same* or *different*, and keeps
who decided, when, why and (optionally) the document that proves it. Decisions live in the
registry's ``decisions`` table and are never deleted: deciding a pair again adds a newer row,
and the newest row of a pair is the one *in force*.

Clustering honours the decisions in force on every path: a full build (``link(...,
registry=...)``, also after the model is retrained, on DuckDB and on Spark), an incremental
ingest, and the decision itself, which re-clusters at once the residents it touches (a run of
kind ``decision``):

- *same* is a must-link: the two records share a resident whatever their score;
- *different* is a cannot-link: the records' component is rebuilt from its strongest links
  down, like the other constraints of :mod:`dtks_link.clustering`, without joining them;
- a chain of *same* decisions that would join two records decided *different* is a conflict:
  the *different* holds, and the conflict is reported (:meth:`Registry.decision_conflicts`,
  a :class:`DecisionConflictWarning` on every run while it lasts) with the decisions on both
  sides, for a reviewer to settle with a newer decision.

Resident ids move by the registry's usual rules (:mod:`dtks_link.registry.identity`); the events
of a move that a decision carries out name it (``events.decision_id``).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..backends.duckdb import quote_identifier as q
from ..clustering import ClusterReport, cluster_records
from ..errors import DtksLinkError, mask_numbers
from .identity import IdentityChanges, assign_ids
from .schema import IN_FORCE_SQL, in_force_sql
from .store import utc_now

if TYPE_CHECKING:
    from .store import RegistryStore

__all__ = [
    "IN_FORCE_SQL",
    "Decision",
    "DecisionConflict",
    "DecisionConflictWarning",
    "DecisionError",
    "DecisionReport",
]


#: Columns a record needs for clustering (as :mod:`dtks_link.registry.ingest` reads them).
NODE_COLUMNS = (
    "unique_id, source, source_duplicate_free, nik, nik_valid, tanggal_lahir, nik_birth_date, "
    "jenis_kelamin, nik_sex, no_kk, kelurahan_code, rt, rw, street, house_number, nama_tokens_key, "
    "nama_clean"
)


def node_columns(registry: RegistryStore) -> str:
    """:data:`NODE_COLUMNS`, with ``birth_date_from_nik`` (which the one-to-one evidence reads)
    when the registry's records have it (a registry of format 1 was built without it)."""
    columns = {str(r[0]) for r in registry.con.execute("DESCRIBE reg.records").fetchall()}
    return NODE_COLUMNS + (", birth_date_from_nik" if "birth_date_from_nik" in columns else "")


def build_coverage(registry: RegistryStore) -> dict[tuple[str, str], float] | None:
    """The one-to-one coverage the registry's last build used (:mod:`dtks_link.one_to_one`),
    or None (a registry built before it was kept: the re-cluster estimates it)."""
    text = registry.meta("one_to_one_coverage")
    if text is None:
        return None
    return {(str(a), str(b)): float(c) for a, b, c in json.loads(text)}


class DecisionError(DtksLinkError):
    """A decision cannot be recorded: an unknown record, a pair of one record, no decider, or
    a review file whose rows name records the registry does not hold."""


class DecisionConflictWarning(UserWarning):
    """Reviewers' decisions contradict each other: *same* decisions chain two records that
    another decision says are different people. The *different* decision holds until a
    reviewer decides again."""


@dataclass(frozen=True, kw_only=True)
class Decision:
    """One reviewer decision about a pair of records."""

    decision_id: int
    left: tuple[str, str]
    right: tuple[str, str]
    same: bool
    decided_by: str
    decided_at: dt.datetime
    reason: str | None
    document: str | None
    origin: str | None
    run_id: int | None
    in_force: bool

    def describe(self) -> str:
        """One line, record ids masked where they look like a NIK or KK."""
        verdict = "same person" if self.same else "different people"
        text = (
            f"#{self.decision_id} {self.left[0]}:{self.left[1]} ~ {self.right[0]}:{self.right[1]} "
            f"{verdict}, by {self.decided_by} at {self.decided_at:%Y-%m-%d %H:%M}"
        )
        if self.reason:
            text += f" ({self.reason})"
        return mask_numbers(text)


@dataclass(frozen=True, kw_only=True)
class DecisionConflict:
    """A *different* decision whose two records a chain of *same* decisions joins."""

    apart: Decision
    chain: tuple[Decision, ...]

    def describe(self) -> str:
        """The conflict with both sides, record ids masked."""
        joined = "; ".join(d.describe() for d in self.chain)
        return f"{self.apart.describe()} is contradicted by {joined}"


@dataclass(frozen=True, kw_only=True)
class DecisionReport:
    """What recording decisions did: the decisions, the run that applied them and how the
    residents moved, and the conflicts now in force."""

    run_id: int
    decisions: tuple[Decision, ...]
    residents_created: int
    residents_merged: int
    residents_split: int
    records_moved: int
    conflicts: tuple[DecisionConflict, ...]

    def summary(self) -> str:
        lines = [
            f"run {self.run_id}: {len(self.decisions)} decision(s) recorded; residents: "
            f"{self.residents_created} created, {self.residents_merged} merged, "
            f"{self.residents_split} split; "
            f"{self.records_moved} record(s) moved"
        ]
        lines += [f"CONFLICT: {c.describe()}" for c in self.conflicts]
        return "\n".join(lines)


def _unique_id(record: tuple[str, str] | Sequence[str]) -> str:
    if isinstance(record, str) or len(record) != 2:
        raise DecisionError(f"a record is given as (source, record_id), got {mask_numbers(repr(record))}")
    return f"{record[0]}|{record[1]}"


def _split(unique_id: str) -> tuple[str, str]:
    source, _, record_id = unique_id.partition("|")
    return source, record_id


def _decision(row: Any, in_force: bool) -> Decision:
    return Decision(
        decision_id=int(row.decision_id),
        left=_split(str(row.unique_id_l)),
        right=_split(str(row.unique_id_r)),
        same=bool(row.same),
        decided_by=str(row.decided_by),
        decided_at=pd.Timestamp(row.decided_at).to_pydatetime(),
        reason=None if pd.isna(row.reason) else str(row.reason),
        document=None if pd.isna(row.document) else str(row.document),
        origin=None if pd.isna(row.origin) else str(row.origin),
        run_id=None if pd.isna(row.run_id) else int(row.run_id),
        in_force=in_force,
    )


def decisions_frame(registry: RegistryStore, *, history: bool = False) -> pd.DataFrame:
    """The decisions as a table (``in_force`` marks the newest of each pair); with
    ``history=False`` only those in force."""
    where = "" if history else "WHERE d.decision_id IN (SELECT decision_id FROM __in_force)"
    registry.con.execute(f"CREATE OR REPLACE TEMP TABLE __in_force AS {IN_FORCE_SQL}")
    frame = registry.con.execute(
        "SELECT d.*, d.decision_id IN (SELECT decision_id FROM __in_force) AS in_force "
        f"FROM reg.decisions d {where} ORDER BY d.decision_id"
    ).df()
    registry.con.execute("DROP TABLE IF EXISTS __in_force")
    return frame


def list_decisions(registry: RegistryStore, *, history: bool = False) -> list[Decision]:
    """The decisions (in force, or all with ``history=True``), oldest first."""
    frame = decisions_frame(registry, history=history)
    return [_decision(row, bool(row.in_force)) for row in frame.itertuples(index=False)]


def find_conflicts(registry: RegistryStore) -> list[DecisionConflict]:
    """Every *different* decision in force whose records are chained by *same* decisions in
    force (a shortest chain is named)."""
    in_force = {d.decision_id: d for d in list_decisions(registry)}
    neighbours: dict[str, list[tuple[str, int]]] = {}
    for d in in_force.values():
        if d.same:
            a, b = "|".join(d.left), "|".join(d.right)
            neighbours.setdefault(a, []).append((b, d.decision_id))
            neighbours.setdefault(b, []).append((a, d.decision_id))
    conflicts = []
    for d in in_force.values():
        if d.same:
            continue
        chain = _chain(neighbours, "|".join(d.left), "|".join(d.right))
        if chain is not None:
            conflicts.append(DecisionConflict(apart=d, chain=tuple(in_force[i] for i in chain)))
    return conflicts


def _chain(neighbours: dict[str, list[tuple[str, int]]], start: str, goal: str) -> list[int] | None:
    """The decision ids of a shortest chain of must-links from ``start`` to ``goal``."""
    previous: dict[str, tuple[str, int] | None] = {start: None}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for other, decision_id in sorted(neighbours.get(node, [])):
                if other in previous:
                    continue
                previous[other] = (node, decision_id)
                if other == goal:
                    chain: list[int] = []
                    step = previous[other]
                    while step is not None:
                        chain.append(step[1])
                        step = previous[step[0]]
                    return sorted(chain)
                following.append(other)
        frontier = following
    return None


def warn_conflicts(registry: RegistryStore, *, stacklevel: int = 3) -> list[DecisionConflict]:
    """Warn (:class:`DecisionConflictWarning`) about every conflict in force; return them."""
    conflicts = find_conflicts(registry)
    for conflict in conflicts:
        warnings.warn(
            f"reviewer decisions conflict: {conflict.describe()}. The 'different' decision holds; "
            "decide the pair again to settle it",
            DecisionConflictWarning,
            stacklevel=stacklevel,
        )
    return conflicts


def load_in_force(registry: RegistryStore, engine: Any, table: str) -> str | None:
    """Put the decisions in force into ``table`` of ``engine`` (the registry's own connection
    or another engine, such as Spark); None when there are none."""
    frame = registry.con.execute(f"{IN_FORCE_SQL} ORDER BY decision_id").df()
    if frame.empty:
        return None
    engine.load_frame(table, frame.astype({"unique_id_l": object, "unique_id_r": object}))
    return table


# -- recording --------------------------------------------------------------------------------
def record(
    registry: RegistryStore,
    rows: Iterable[tuple[tuple[str, str], tuple[str, str], bool, str | None, str | None]],
    *,
    by: str,
    origin: str,
) -> DecisionReport:
    """Record decisions ``(left, right, same, reason, document)`` by ``by`` and re-cluster the
    residents they touch, in one transaction."""
    registry.require_writable()
    if not by or not by.strip():
        raise DecisionError("a decision needs the name of who decided (by=...)")
    at = utc_now()
    batch: list[tuple[str, str, bool, str | None, str | None]] = []
    for left, right, same, reason, document in rows:
        a, b = _unique_id(left), _unique_id(right)
        if a == b:
            raise DecisionError(f"a decision is about two records; both are {mask_numbers(a)!r}")
        low, high = (a, b) if a < b else (b, a)
        batch.append((low, high, bool(same), reason or None, document or None))
    if not batch:
        raise DecisionError("no decision to record")
    con = registry.con
    con.execute("CREATE OR REPLACE TEMP TABLE __decided_now (unique_id VARCHAR)")
    con.executemany("INSERT INTO __decided_now VALUES (?)", [[u] for row in batch for u in row[:2]])
    unknown = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT unique_id FROM __decided_now WHERE unique_id NOT IN "
            "(SELECT unique_id FROM reg.membership) ORDER BY unique_id LIMIT 5"
        ).fetchall()
    ]
    if unknown:
        con.execute("DROP TABLE IF EXISTS __decided_now")
        shown = ", ".join(":".join(_split(u)) for u in unknown)
        raise DecisionError(
            f"the registry holds no record {mask_numbers(shown)}: a decision names records by their "
            "source and record id as the registry has them (see `dtks-link registry show`)"
        )
    run_id = registry.next_run_id()
    first = int(con.execute("SELECT coalesce(max(decision_id), 0) + 1 FROM reg.decisions").fetchall()[0][0])
    rows_out = [
        [first + i, low, high, same, by.strip(), at, reason, document, origin, run_id]
        for i, (low, high, same, reason, document) in enumerate(batch)
    ]
    # cluster first (DuckDB writes one database per transaction), then commit the writes
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __pending (decision_id BIGINT, unique_id_l VARCHAR, "
        "unique_id_r VARCHAR, same BOOLEAN)"
    )
    con.executemany("INSERT INTO __pending VALUES (?, ?, ?, ?)", [r[:4] for r in rows_out])
    try:
        changes = recluster(registry, seeds_table="__decided_now", decisions=in_force_sql("__pending"))
    finally:
        con.execute("DROP TABLE IF EXISTS __decided_now")
        con.execute("DROP TABLE IF EXISTS __pending")
    with registry.transaction():
        con.executemany("INSERT INTO reg.decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows_out)
        registry.apply_changes(changes, run_id, replace_all=False)
        detail = (
            f'{{"decisions": {len(batch)}, "created": {len(changes.created)}, '
            f'"merged": {len(changes.merged)}, "split": {len(changes.split)}}}'
        )
        con.execute(
            "INSERT INTO reg.runs VALUES (?, 'decision', ?, ?, ?, ?, NULL, NULL)",
            [run_id, at, utc_now(), len(batch), detail],
        )
    recorded = [
        d for d in list_decisions(registry, history=True) if first <= d.decision_id < first + len(batch)
    ]
    return DecisionReport(
        run_id=run_id,
        decisions=tuple(recorded),
        residents_created=len(changes.created),
        residents_merged=len(changes.merged),
        residents_split=len(changes.split),
        records_moved=len(changes.detached),
        conflicts=tuple(warn_conflicts(registry, stacklevel=4)),
    )


def grow_touched(registry: RegistryStore, *, extra_nodes: str | None = None) -> None:
    """Grow ``__touched`` (resident ids) to whole components of ``__strong`` (match edges,
    must-links included), leaving their records in ``__affected``; ``extra_nodes`` names a
    table of records not yet in the registry (an ingest's batch) that belong in too."""
    con = registry.con
    extra = f" UNION SELECT unique_id FROM {q(extra_nodes)}" if extra_nodes else ""
    while True:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE __affected AS SELECT unique_id FROM reg.membership "
            f"WHERE resident_id IN (SELECT resident_id FROM __touched){extra}"
        )
        grown = con.execute(
            "INSERT INTO __touched SELECT DISTINCT m.resident_id FROM ("
            "SELECT e.unique_id_r AS other FROM __strong e JOIN __affected a ON a.unique_id = e.unique_id_l "
            "UNION SELECT e.unique_id_l FROM __strong e JOIN __affected a ON a.unique_id = e.unique_id_r"
            ") hit JOIN reg.membership m ON m.unique_id = hit.other "
            "WHERE m.resident_id NOT IN (SELECT resident_id FROM __touched)"
        ).fetchall()
        if not grown or not grown[0][0]:
            return


def recluster(registry: RegistryStore, *, seeds_table: str, decisions: str = IN_FORCE_SQL) -> IdentityChanges:
    """Re-cluster the residents of the records in ``seeds_table`` (grown to whole components
    of the match graph and the must-links) from the stored edges and the decisions in force
    (the SELECT ``decisions``), and map the clusters onto the existing ids. Scores nothing."""
    con = registry.con
    options = registry.options
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __touched AS SELECT DISTINCT resident_id FROM reg.membership "
        f"WHERE unique_id IN (SELECT unique_id FROM {q(seeds_table)})"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __strong AS SELECT unique_id_l, unique_id_r FROM reg.edges "
        f"WHERE match_probability >= ? UNION ALL SELECT unique_id_l, unique_id_r FROM ({decisions}) d "
        "WHERE same",
        [options.match_threshold],
    )
    grow_touched(registry)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __aff_nodes AS SELECT {node_columns(registry)} FROM reg.records "
        "WHERE unique_id IN (SELECT unique_id FROM __affected)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __aff_edges AS SELECT unique_id_l, unique_id_r, match_weight, "
        "match_probability FROM reg.edges WHERE unique_id_l IN (SELECT unique_id FROM __affected) "
        "AND unique_id_r IN (SELECT unique_id FROM __affected)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __confirmed_niks AS SELECT DISTINCT nik FROM reg.records "
        "WHERE source_duplicate_free AND nik_valid AND nik IS NOT NULL"
    )
    _, changes = cluster_affected(registry, decisions)
    for table in (
        "__touched", "__strong", "__affected", "__aff_nodes", "__aff_edges", "__confirmed_niks",
        "__aff_decisions", "__aff_clusters",
    ):  # fmt: skip
        con.execute(f"DROP TABLE IF EXISTS {q(table)}")
    return changes


def cluster_affected(
    registry: RegistryStore, decisions: str = IN_FORCE_SQL
) -> tuple[ClusterReport, IdentityChanges]:
    """Cluster ``__aff_nodes`` over ``__aff_edges`` (with ``__confirmed_niks`` and the
    decisions of the SELECT ``decisions``) and map the clusters onto the ids the records of
    ``__affected`` hold (the step an ingest and a decision share)."""
    con = registry.con
    options = registry.options
    con.execute(f"CREATE OR REPLACE TEMP TABLE __aff_decisions AS {decisions}")
    report = cluster_records(
        con,
        records_table="__aff_nodes",
        edges_table="__aff_edges",
        output_table="__aff_clusters",
        threshold=options.match_threshold,
        max_cluster_size=options.max_cluster_size,
        confirmed_niks_table="__confirmed_niks",
        decisions_table="__aff_decisions",
        one_to_one_coverage=build_coverage(registry),
    )
    clusters = con.execute("SELECT unique_id, cluster_key FROM __aff_clusters").df()
    old = con.execute(
        "SELECT unique_id, resident_id FROM reg.membership "
        "WHERE unique_id IN (SELECT unique_id FROM __affected)"
    ).df()
    return report, assign_ids(clusters, old, next_number=registry.next_number)


# -- review files -----------------------------------------------------------------------------
def import_review_file(
    registry: RegistryStore, path: str | Path, *, by: str, reason: str | None
) -> DecisionReport:
    """Turn the reviewed rows of a clerical review file (:func:`dtks_link.review.export_review`)
    into decisions by ``by``; a row's ``note`` becomes its reason (else ``reason``)."""
    from ..review import import_review

    labels = import_review(path, keep_notes=True)
    if labels.empty:
        raise DecisionError(f"{Path(path).name!r} has no reviewed row (the is_match column is empty)")
    rows = [
        (
            (str(r.source_l), str(r.record_id_l)),
            (str(r.source_r), str(r.record_id_r)),
            bool(r.is_match),
            str(r.note).strip() or reason,
            None,
        )
        for r in labels.itertuples(index=False)
    ]
    return record(registry, rows, by=by, origin=f"review file {Path(path).name}")


def decisions_as_labels(registry: RegistryStore) -> pd.DataFrame:
    """The decisions in force as training labels for ``link(..., labels=...)``."""
    frame = decisions_frame(registry)
    left = frame["unique_id_l"].str.split("|", n=1, expand=True)
    right = frame["unique_id_r"].str.split("|", n=1, expand=True)
    return pd.DataFrame(
        {
            "source_l": left[0] if len(frame) else pd.Series(dtype=object),
            "record_id_l": left[1] if len(frame) else pd.Series(dtype=object),
            "source_r": right[0] if len(frame) else pd.Series(dtype=object),
            "record_id_r": right[1] if len(frame) else pd.Series(dtype=object),
            "is_match": frame["same"].astype(bool),
        }
    )


def registry_review_queue(
    registry: RegistryStore, *, lower: float, upper: float, limit: int | None, order: str = "impact"
) -> pd.DataFrame:
    """:func:`dtks_link.review.review_queue` over the registry's stored pairs and residents,
    leaving out every pair a reviewer has decided (in force or overridden)."""
    from ..review import review_queue

    con = registry.con
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __band AS SELECT least(e.unique_id_l, e.unique_id_r) AS unique_id_l, "
        "greatest(e.unique_id_l, e.unique_id_r) AS unique_id_r, e.match_weight, e.match_probability "
        "FROM reg.edges e WHERE e.match_probability >= ? AND e.match_probability < ? "
        "AND NOT EXISTS (SELECT 1 FROM reg.decisions d "
        "WHERE d.unique_id_l = least(e.unique_id_l, e.unique_id_r) "
        "AND d.unique_id_r = greatest(e.unique_id_l, e.unique_id_r))",
        [lower, upper],
    )
    # the records of every resident a band pair touches, and the edges among them (for the cuts)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __queue_members AS "
        "SELECT m.unique_id, m.resident_id FROM reg.membership m "
        "WHERE m.resident_id IN (SELECT resident_id FROM reg.membership WHERE unique_id IN "
        "(SELECT unique_id_l FROM __band UNION SELECT unique_id_r FROM __band))"
    )
    split = ", ".join(
        f"split_part(unique_id_{side}, '|', 1) AS source_{side}, "
        f"substr(unique_id_{side}, length(split_part(unique_id_{side}, '|', 1)) + 2) AS record_id_{side}"
        for side in ("l", "r")
    )
    pairs = con.execute(
        f"SELECT {split}, match_weight, match_probability FROM ("
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability FROM __band UNION "
        "SELECT least(e.unique_id_l, e.unique_id_r), greatest(e.unique_id_l, e.unique_id_r), e.match_weight, "
        "e.match_probability FROM reg.edges e WHERE e.match_probability >= ? "
        "AND e.unique_id_l IN (SELECT unique_id FROM __queue_members) "
        "AND e.unique_id_r IN (SELECT unique_id FROM __queue_members)) p",
        [registry.options.match_threshold],
    ).df()
    records = con.execute(
        "SELECT * FROM reg.records WHERE unique_id IN (SELECT unique_id FROM __queue_members)"
    ).df()
    clusters = con.execute(
        "SELECT r.source, r.record_id, m.resident_id FROM __queue_members m "
        "JOIN reg.records r USING (unique_id)"
    ).df()
    decided = con.execute(f"SELECT DISTINCT {split} FROM reg.decisions").df()
    for table in ("__band", "__queue_members"):
        con.execute(f"DROP TABLE IF EXISTS {q(table)}")
    return review_queue(
        pairs,
        records,
        lower=lower,
        upper=upper,
        limit=limit,
        clusters=clusters,
        decided=decided,
        threshold=registry.options.match_threshold,
        order=order,
    )
