"""Stable household ids in the registry, with their history.

The rules are those of resident ids (:mod:`dtks_link.registry.identity`), applied to the
records each household holds: a new household keeps the oldest id among the old households
whose records it mostly holds (the others are *merged* into it); a household whose records
went to several new ones is *split*, and its largest part keeps the id; a household with no
old one at home gets a new id, ``H`` and a counter (``H0000000001``), never derived from a KK.

Tables, in the registry file (created on first use; older files gain them then):

===========================  =====================================================================
table                        contents
===========================  =====================================================================
``household_membership``     ``unique_id, household_id``: the household of every record
``households``               ``household_id, created_run, status (active|merged), merged_into``
``household_events``         ``event_id, run_id, happened_at, kind, household_id,
                             other_household_id, resident_id``; kinds ``created``, ``merged``,
                             ``split``, ``member_joined``, ``member_left``
``household_members``        the latest ``households.parquet`` (one row per resident)
``household_golden``         the latest golden record per household
``household_links``          pecah KK links between households
``household_kks``            ``kk, household_id, kind (current|former)``: lookup by KK
``household_programme_``     the programme records the double-aid report reads
``records``
``household_sources``        how each source is read (rank, duplicate-free, programme)
===========================  =====================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..backends.duckdb import DuckDBEngine
from ..errors import DtksLinkError
from ..households.resolve import HouseholdResult, SourceRole, resolve_households, source_frame
from .identity import assign_ids

if TYPE_CHECKING:
    from .store import RegistryStore

__all__ = [
    "HouseholdChanges",
    "HouseholdView",
    "commit_households",
    "household_view",
    "households_by_kk",
    "refresh_after_ingest",
    "refresh_households",
]

_DDL = (
    "CREATE TABLE IF NOT EXISTS reg.household_membership (unique_id VARCHAR PRIMARY KEY, "
    "household_id VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.households (household_id VARCHAR PRIMARY KEY, created_run INTEGER, "
    "status VARCHAR, merged_into VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.household_events (event_id BIGINT, run_id INTEGER, "
    "happened_at TIMESTAMP, kind VARCHAR, household_id VARCHAR, other_household_id VARCHAR, "
    "resident_id VARCHAR)",
)

#: Snapshot tables, replaced by every update: table -> HouseholdResult field.
_SNAPSHOTS = {
    "household_members": "members",
    "household_golden": "golden",
    "household_links": "links",
    "household_programme_records": "programme_records",
}

_NEXT = "next_household_number"


@dataclass(frozen=True, kw_only=True)
class HouseholdChanges:
    """What an update did to household ids: ``created``, ``merged`` (absorbed, surviving),
    ``split`` (original, part that left), ``joined`` / ``left`` (resident, household)."""

    created: list[str]
    merged: list[tuple[str, str]]
    split: list[tuple[str, str]]
    joined: list[tuple[str, str]]
    left: list[tuple[str, str]]

    def summary(self) -> str:
        return (
            f"households: {len(self.created):,} created, {len(self.merged):,} merged, "
            f"{len(self.split):,} split, {len(self.joined):,} member(s) joined, {len(self.left):,} left"
        )


@dataclass(frozen=True, kw_only=True)
class HouseholdView:
    """One household from the registry: its golden record (``golden``: column -> value, the
    KK numbers personal data), ``members`` (resident, role, how placed, sources), ``links``
    (pecah KK links it is part of) and ``events`` (its history)."""

    household_id: str
    status: str
    merged_into: str | None
    golden: dict[str, Any]
    members: pd.DataFrame
    links: pd.DataFrame
    events: pd.DataFrame


def _stable_ids(
    result: HouseholdResult, old: pd.DataFrame, next_number: int
) -> tuple[dict[str, str], list[str], list[tuple[str, str]], list[tuple[str, str]], int, pd.DataFrame]:
    """Map the run's household ids onto the registry's: (run id -> stable id, created, merged,
    split, next counter, new record membership)."""
    records = result.records
    new = pd.DataFrame(
        {
            "unique_id": records["source"].astype(str) + "|" + records["record_id"].astype(str),
            "cluster_key": records["household_id"].astype(str),
        }
    )
    changes = assign_ids(new, old.rename(columns={"household_id": "resident_id"}), next_number=next_number)

    def household(rid: str) -> str:  # assign_ids numbers new ids as residents (R...): ours are H...
        return "H" + rid[1:] if rid in created_set else rid

    created_set = set(changes.created)
    membership = changes.membership.assign(household_id=changes.membership["resident_id"].map(household))
    key_of = dict(zip(new["unique_id"], new["cluster_key"], strict=True))
    mapping = {key_of[u]: h for u, h in zip(membership["unique_id"], membership["household_id"], strict=True)}
    created = [household(r) for r in changes.created]
    merged = [(a, household(b)) for a, b in changes.merged]
    split = [(a, household(b)) for a, b in changes.split]
    return mapping, created, merged, split, changes.next_number, membership[["unique_id", "household_id"]]


def _renamed(result: HouseholdResult, mapping: dict[str, str]) -> HouseholdResult:
    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for column in ("household_id", "other_household_id", "kk_household_id"):
            if column in frame.columns:
                frame[column] = frame[column].map(lambda h: mapping.get(h, h) if isinstance(h, str) else h)
        if "split_from" in frame.columns:
            frame["split_from"] = frame["split_from"].map(
                lambda v: (
                    ",".join(sorted(mapping.get(h, h) for h in v.split(","))) if isinstance(v, str) else v
                )
            )
        return frame

    return HouseholdResult(
        members=rename(result.members),
        records=rename(result.records),
        links=rename(result.links),
        golden=rename(result.golden),
        programme_records=rename(result.programme_records),
        note=result.note,
        counts=result.counts,
    )


def commit_households(
    registry: RegistryStore, result: HouseholdResult, *, sources: Sequence[SourceRole], run_id: int
) -> tuple[HouseholdResult, HouseholdChanges]:
    """Give the households of ``result`` the registry's stable ids, record the changes as
    events of ``run_id`` and store the snapshot tables. Returns ``result`` with stable ids."""
    con = registry.con
    for statement in _DDL:
        con.execute(statement)
    old = con.execute("SELECT unique_id, household_id FROM reg.household_membership").df()
    old_resident = con.execute(
        "SELECT h.unique_id, h.household_id, m.resident_id FROM reg.household_membership h "
        "JOIN reg.membership m USING (unique_id)"
    ).df()
    rows = con.execute("SELECT value FROM reg.meta WHERE key = ?", [_NEXT]).fetchall()
    next_number = int(rows[0][0]) if rows else 1
    mapping, created, merged, split, next_number, membership = _stable_ids(result, old, next_number)
    stable = _renamed(result, mapping)
    before = {
        (str(r), str(h))
        for r, h in zip(old_resident["resident_id"], old_resident["household_id"], strict=True)
    }
    after = {
        (str(r), str(h))
        for r, h in zip(stable.members["resident_id"], stable.members["household_id"], strict=True)
    }
    changes = HouseholdChanges(
        created=created,
        merged=merged,
        split=split,
        joined=sorted(after - before),
        left=sorted(before - after),
    )
    kks = pd.concat(
        [
            stable.golden[["current_kk", "household_id"]]
            .dropna()
            .rename(columns={"current_kk": "kk"})
            .assign(kind="current"),
            _former(stable.golden),
        ],
        ignore_index=True,
    )
    sources_frame = source_frame(sources)
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    event_rows = (
        [("created", h, None, None) for h in created]
        + [("merged", a, b, None) for a, b in merged]
        + [("split", a, b, None) for a, b in split]
        + [("member_joined", h, None, r) for r, h in changes.joined]
        + [("member_left", h, None, r) for r, h in changes.left]
    )
    con.execute("BEGIN TRANSACTION")
    try:
        frames = {name: getattr(stable, field) for name, field in _SNAPSHOTS.items()}
        frames["household_kks"] = kks
        frames["household_sources"] = sources_frame
        for name, frame in frames.items():
            con.register("__hh_frame", frame)
            con.execute(f'CREATE OR REPLACE TABLE reg."{name}" AS SELECT * FROM __hh_frame')
            con.unregister("__hh_frame")
        con.execute("DELETE FROM reg.household_membership")
        con.register("__hh_frame", membership)
        con.execute("INSERT INTO reg.household_membership SELECT unique_id, household_id FROM __hh_frame")
        con.unregister("__hh_frame")
        if created:
            con.executemany(
                "INSERT INTO reg.households VALUES (?, ?, 'active', NULL)", [[h, run_id] for h in created]
            )
        if merged:
            con.executemany(
                "UPDATE reg.households SET status = 'merged', merged_into = ? WHERE household_id = ?",
                [[b, a] for a, b in merged],
            )
        if event_rows:
            first = int(
                con.execute("SELECT coalesce(max(event_id), 0) + 1 FROM reg.household_events").fetchall()[0][
                    0
                ]
            )
            events = pd.DataFrame(
                event_rows, columns=["kind", "household_id", "other_household_id", "resident_id"]
            )
            events.insert(0, "event_id", range(first, first + len(events)))
            events.insert(1, "run_id", run_id)
            events.insert(2, "happened_at", at)
            con.register("__hh_frame", events)
            con.execute(
                "INSERT INTO reg.household_events SELECT event_id, run_id, happened_at, kind, household_id, "
                "other_household_id, resident_id FROM __hh_frame"
            )
            con.unregister("__hh_frame")
        con.execute("INSERT OR REPLACE INTO reg.meta VALUES (?, ?)", [_NEXT, str(next_number)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return stable, changes


def _former(golden: pd.DataFrame) -> pd.DataFrame:
    former = golden[["former_kks", "household_id"]].dropna()
    if former.empty:
        return pd.DataFrame({"kk": pd.Series(dtype=object), "household_id": pd.Series(dtype=object),
                             "kind": pd.Series(dtype=object)})  # fmt: skip
    exploded = former.assign(kk=former["former_kks"].str.split(",")).explode("kk")
    return exploded[["kk", "household_id"]].assign(kind="former")


def refresh_households(registry: RegistryStore, *, reference_date: dt.date, run_id: int) -> HouseholdChanges:
    """Resolve the households of every record in the registry again (after an ingest), with
    the source roles the last build stored, and commit them."""
    con = registry.con
    if not _has(registry, "household_sources"):
        raise DtksLinkError(
            "this registry has no households yet: build it with dtks_link.link(config, registry=...) first"
        )
    rows = con.execute(
        "SELECT source, source_rank, authoritative, programme, pays_per_family FROM reg.household_sources"
    ).fetchall()
    known = {str(r[0]) for r in rows}
    extra = [
        str(s)
        for (s,) in con.execute("SELECT DISTINCT source FROM reg.records ORDER BY source").fetchall()
        if str(s) not in known
    ]
    sources = [
        SourceRole(
            name=str(name),
            rank=int(rank),
            authoritative=bool(authoritative),
            programme=None if programme is None else str(programme),
            pays_per_family=bool(pays),
        )
        for name, rank, authoritative, programme, pays in rows
    ] + [SourceRole(name=s, rank=len(known) + i) for i, s in enumerate(extra)]
    con.execute("CREATE OR REPLACE TEMP VIEW __hh_records AS SELECT * FROM reg.records")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW __hh_clusters AS SELECT unique_id, resident_id FROM reg.membership"
    )
    try:
        result = resolve_households(
            DuckDBEngine(con),
            records_table="__hh_records",
            clusters_table="__hh_clusters",
            sources=sources,
            reference_date=reference_date,
            prefix="__hh",
        )
    finally:
        con.execute("DROP VIEW IF EXISTS __hh_records")
        con.execute("DROP VIEW IF EXISTS __hh_clusters")
    return commit_households(registry, result, sources=sources, run_id=run_id)[1]


def refresh_after_ingest(registry: RegistryStore, run_id: int) -> HouseholdChanges | None:
    """After :meth:`Registry.ingest`: refresh the households when the registry has them."""
    if not _has(registry, "household_sources"):
        return None
    return refresh_households(
        registry, reference_date=registry.options.effective_reference_date, run_id=run_id
    )


def _has(registry: RegistryStore, table: str) -> bool:
    rows = registry.con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'reg' AND table_name = ?",
        [table],
    ).fetchall()
    return bool(rows[0][0])


def _require(registry: RegistryStore) -> None:
    if not _has(registry, "household_golden"):
        raise DtksLinkError(
            "this registry holds no households: they are recorded by dtks_link.link(config, registry=...) "
            "(`dtks-link link CONFIG --registry FILE`) with this version"
        )


def household_view(registry: RegistryStore, household_id: str) -> HouseholdView:
    """:meth:`Registry.household`: a household, followed through merges to the one it lives on
    as. Raises ``KeyError`` for an id the registry never gave."""
    _require(registry)
    con = registry.con
    status = con.execute(
        "SELECT status, merged_into FROM reg.households WHERE household_id = ?", [household_id]
    ).fetchall()
    if not status:
        raise KeyError(f"no household {household_id!r} in this registry")
    active = household_id
    for _ in range(1000):
        rows = con.execute(
            "SELECT status, merged_into FROM reg.households WHERE household_id = ?", [active]
        ).fetchall()
        if not rows or rows[0][0] != "merged" or rows[0][1] is None:
            break
        active = str(rows[0][1])
    golden = con.execute("SELECT * FROM reg.household_golden WHERE household_id = ?", [active]).df()
    members = con.execute(
        "SELECT * FROM reg.household_members WHERE household_id = ? ORDER BY resident_id", [active]
    ).df()
    links = con.execute(
        "SELECT * FROM reg.household_links WHERE household_id = ? OR other_household_id = ?", [active, active]
    ).df()
    events = con.execute(
        "SELECT * FROM reg.household_events WHERE household_id = ? OR other_household_id = ? "
        "ORDER BY event_id",
        [household_id, household_id],
    ).df()
    return HouseholdView(
        household_id=active,
        status=str(status[0][0]),
        merged_into=None if status[0][1] is None else str(status[0][1]),
        golden={str(k): v for k, v in golden.iloc[0].to_dict().items()} if len(golden) else {},
        members=members,
        links=links,
        events=events,
    )


def households_by_kk(registry: RegistryStore, kk: object) -> list[tuple[str, str]]:
    """:meth:`Registry.households_by_kk`: ``(household_id, kind)`` of the households that hold
    ``kk`` now (``current``) or held it before (``former``: the family moved, split or was
    reissued a KK). The KK is standardised first (``3.27601E+15`` and spaces are repaired where
    possible); an invalid KK finds nothing."""
    from ..standardise import standardise_record

    _require(registry)
    std = standardise_record({"no_kk": kk}, reference_date=dt.date.today())
    if not std.get("kk_valid"):
        return []
    rows = registry.con.execute(
        "SELECT household_id, kind FROM reg.household_kks WHERE kk = ? ORDER BY kind, household_id",
        [std["no_kk"]],
    ).fetchall()
    return [(str(h), str(k)) for h, k in rows]
