"""The registry's file: a DuckDB file attached to an in-memory working connection, its format
version and metadata, and the writes that every run ends with (membership, residents, events).

:class:`RegistryStore` is the part of the registry that the modules doing the work (build,
ingest, decisions, lookup, households) are handed; :class:`~dtks_link.registry.Registry`
(:mod:`dtks_link.registry.registry`) adds the public operations on top of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Self

import duckdb
import pandas as pd

from .._closing import Closing
from .._files import make_private_dir, private_umask, tighten
from ..backends.duckdb import DuckDBEngine, connect
from ..config import LinkageOptions
from ..errors import DtksLinkError, EngineError
from .identity import IdentityChanges
from .schema import DDL, IN_FORCE_SQL, MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "IngestReport",
    "RegistryLockedError",
    "RegistryStore",
    "RegistryVersionError",
    "changes_detail",
    "options_json",
    "utc_now",
]


class RegistryLockedError(DtksLinkError):
    """Another process has the registry open for writing."""


class RegistryVersionError(DtksLinkError):
    """The registry file is in another format version than this dtks_link reads."""

    def __init__(self, message: str, *, version: int) -> None:
        self.version = version
        super().__init__(message)


@dataclass(frozen=True, kw_only=True)
class IngestReport:
    """What one :meth:`Registry.ingest` did."""

    run_id: int
    records_in: int
    records_added: int
    records_unchanged: int
    records_updated: int
    quarantined: int
    pairs_scored: int
    residents_created: int
    residents_merged: int
    residents_split: int
    residents_touched: int
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready values."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> IngestReport:
        """The report :meth:`as_dict` gave (unknown keys are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class RegistryStore(Closing):
    """An open registry file: the connection (``con``, the file attached as ``reg``), its metadata
    and the writes of a run. See :class:`~dtks_link.registry.Registry` for the whole.

    The modules that build, ingest into and decide on a registry (``registry.build``,
    ``registry.ingest``, ``registry.decisions``) write through this interface: :meth:`meta` and
    :meth:`set_meta` (the ``meta`` key/value table), :meth:`save_model`, :meth:`has_table`,
    :meth:`require_writable`, :meth:`transaction`, :meth:`next_run_id`,
    :meth:`membership_frame` and :meth:`apply_changes`."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        creating = not read_only and not self.path.exists()
        if creating:
            make_private_dir(self.path.parent)
        self.con = _attach(self.path, read_only=read_only)
        if creating:
            tighten(self.path)
        try:
            self._prepare()
        except BaseException:
            self.con.close()
            raise
        # the cap stored with the model holds for every later use of the file (ingest, lookups,
        # the service), not only for the build that set it
        memory_limit = self.options.memory_limit
        if memory_limit is not None:
            self.con.execute("SET memory_limit = ?", [memory_limit])

    def _prepare(self) -> None:
        version = self.meta("schema_version")
        if version is None:
            tables = self.con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'reg'"
            ).fetchall()[0][0]
            if tables:
                raise EngineError(f"{str(self.path)!r} is a DuckDB file but not a dtks_link registry")
            if self.read_only:
                return
            from .._version import __version__

            with private_umask():
                self.con.execute("BEGIN TRANSACTION")
                for statement in DDL:
                    self.con.execute(statement)
                self.set_meta("schema_version", SCHEMA_VERSION)
                self.set_meta("next_number", "1")
                self.set_meta("created_by", f"dtks_link {__version__}")
                self.con.execute("COMMIT")
            return
        _check_version(self.path, int(version))

    @classmethod
    def migrate(cls, path: str | Path) -> tuple[int, int]:
        """Bring a registry file of an older format to this version's, in one transaction (a
        failure or a killed process leaves it as it was). Returns ``(old, new)`` versions;
        a current file is left alone. The file is made ``0600``."""
        from .._version import __version__

        target = Path(path)
        if not target.exists():
            raise EngineError(f"no registry file {str(target)!r}")
        con = _attach(target, read_only=False)
        try:
            try:
                rows = con.execute("SELECT value FROM reg.meta WHERE key = 'schema_version'").fetchall()
            except duckdb.CatalogException:
                rows = []
            if not rows:
                raise EngineError(f"{str(target)!r} is not a dtks_link registry")
            old = int(rows[0][0])
            new = int(SCHEMA_VERSION)
            if old > new:
                _check_version(target, old)
            if old < new:
                with private_umask():
                    con.execute("BEGIN TRANSACTION")
                    try:
                        for version in range(old, new):
                            for statement in MIGRATIONS[version]:
                                con.execute(statement)
                        con.executemany(
                            "INSERT OR REPLACE INTO reg.meta VALUES (?, ?)",
                            [["schema_version", SCHEMA_VERSION], ["migrated_by", f"dtks_link {__version__}"]],
                        )
                        con.execute("COMMIT")
                    except duckdb.Error as exc:
                        con.execute("ROLLBACK")
                        raise EngineError(
                            f"migrating {str(target)!r} from format {old} failed and was rolled back "
                            f"(the file is unchanged): {str(exc).splitlines()[0]}"
                        ) from None
                    except BaseException:
                        con.execute("ROLLBACK")
                        raise
                    con.execute("CHECKPOINT reg")
        finally:
            con.close()
        tighten(target)
        return old, new

    def handle(self, *, writable: bool = False) -> Self:
        """Another handle on this open registry, with its own DuckDB connection, for another
        thread of this process (a DuckDB connection must not be shared between threads). It
        sees committed state: a transaction open on another handle is invisible to it until it
        commits. ``writable`` handles write too (DuckDB resolves concurrent writers within a
        process; the service keeps one). Close it when done; the registry stays open."""
        other = type(self).__new__(type(self))
        other.path = self.path
        other.read_only = self.read_only or not writable
        other.con = self.con.cursor()
        return other

    def backup(self, dest: str | Path) -> Path:
        """Write a consistent copy of the registry to ``dest`` (a new file, ``0600``): the state
        committed when the copy starts, even while another handle writes. The copy is written
        under a temporary name and renamed when complete."""
        target = Path(dest)
        if target.exists():
            raise EngineError(f"{str(target)!r} exists; a backup never overwrites a file")
        make_private_dir(target.parent)
        partial = target.with_name(target.name + ".partial")
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
        cursor = self.con.cursor()
        try:
            with private_umask():
                cursor.execute("ATTACH ? AS __backup", [str(partial)])
                try:
                    cursor.execute("BEGIN TRANSACTION")
                    cursor.execute("COPY FROM DATABASE reg TO __backup")
                    cursor.execute("COMMIT")
                finally:
                    cursor.execute("DETACH __backup")
        finally:
            cursor.close()
        os.replace(partial, target)
        tighten(target)
        return target

    @cached_property
    def engine(self) -> DuckDBEngine:
        """The registry's working connection as an engine (the registry's tables are ``reg.*``):
        a linkage run on DuckDB runs in it, so the build reads its tables where they are."""
        return DuckDBEngine(self.con)

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Close the registry (the file stays)."""
        self.con.close()

    # -- metadata ---------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        """The value of ``key`` in the registry's ``meta`` table, or None (also before it exists)."""
        try:
            rows = self.con.execute("SELECT value FROM reg.meta WHERE key = ?", [key]).fetchall()
        except duckdb.CatalogException:
            return None
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Set ``key`` to ``value`` in the ``meta`` table (inside the caller's transaction, if any)."""
        self.con.execute("INSERT OR REPLACE INTO reg.meta VALUES (?, ?)", [key, value])

    def save_model(
        self, model: Mapping[str, Any], tf_columns: Sequence[str], options: LinkageOptions
    ) -> None:
        """Store the Splink model the registry scores with, the columns that have term-frequency
        tables (``tf_<column>``, written by the caller) and the linkage options."""
        self.set_meta("tf_columns", json.dumps(list(tf_columns)))
        self.set_meta("model_json", json.dumps(model))
        self.set_meta("options_json", options_json(options))

    @property
    def tf_columns(self) -> list[str]:
        """The columns whose term-frequency tables the registry keeps (``reg.tf_<column>``)."""
        return [str(column) for column in json.loads(self.meta("tf_columns") or "[]")]

    @property
    def next_number(self) -> int:
        """The number the next new resident id gets."""
        return int(self.meta("next_number") or 1)

    @property
    def schema_version(self) -> int:
        """The file format version (see :mod:`dtks_link.registry.schema`)."""
        return int(self.meta("schema_version") or SCHEMA_VERSION)

    @property
    def last_run(self) -> int:
        """The id of the last committed run (build or ingest), 0 for a new registry."""
        return int(self.con.execute("SELECT coalesce(max(run_id), 0) FROM reg.runs").fetchall()[0][0])

    def run_report(self, job_id: str) -> tuple[int, IngestReport | None] | None:
        """``(run_id, report)`` of the run a service batch job committed, or None."""
        rows = self.con.execute(
            "SELECT run_id, report_json FROM reg.runs WHERE job_id = ? ORDER BY run_id DESC LIMIT 1",
            [job_id],
        ).fetchall()
        if not rows:
            return None
        report = None if rows[0][1] is None else IngestReport.from_dict(json.loads(rows[0][1]))
        return int(rows[0][0]), report

    @property
    def model_json(self) -> dict[str, Any] | None:
        """The Splink model the registry scores with, or None before the first build."""
        text = self.meta("model_json")
        return None if text is None else dict(json.loads(text))

    @property
    def options(self) -> LinkageOptions:
        """The linkage options stored with the model."""
        text = self.meta("options_json")
        if text is None:
            return LinkageOptions()
        raw = json.loads(text)
        if raw.get("reference_date"):
            raw["reference_date"] = dt.date.fromisoformat(raw["reference_date"])
        return LinkageOptions(**raw)

    def has_table(self, name: str) -> bool:
        """Whether the registry file holds the table ``name`` (``records`` exists after a build)."""
        rows = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'reg' AND table_name = ?",
            [name],
        ).fetchall()
        return bool(rows[0][0])

    def stats(self) -> dict[str, int]:
        """Counts: records, active residents, merged ids, edges, runs, events."""
        if not self.has_table("records"):
            return {
                "records": 0,
                "residents": 0,
                "merged_ids": 0,
                "edges": 0,
                "runs": 0,
                "events": 0,
            }
        row = self.con.execute(
            "SELECT (SELECT count(*) FROM reg.records), "
            "(SELECT count(*) FROM reg.residents WHERE status = 'active'), "
            "(SELECT count(*) FROM reg.residents WHERE status = 'merged'), "
            "(SELECT count(*) FROM reg.edges), (SELECT count(*) FROM reg.runs), "
            "(SELECT count(*) FROM reg.events)"
        ).fetchall()[0]
        keys = ("records", "residents", "merged_ids", "edges", "runs", "events")
        return {k: int(v) for k, v in zip(keys, row, strict=True)}

    # -- writing ----------------------------------------------------------------------------
    def require_writable(self) -> None:
        """Raise :class:`~dtks_link.errors.EngineError` when the registry was opened read-only."""
        if self.read_only:
            raise EngineError("this registry was opened read-only")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: committed when it ends, rolled back when it raises."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def next_run_id(self) -> int:
        """The id the next run (build, ingest or decision batch) records itself under."""
        return int(self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM reg.runs").fetchall()[0][0])

    def membership_frame(self) -> pd.DataFrame:
        """Every record's resident: ``unique_id, resident_id``."""
        return self.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()

    def apply_changes(self, changes: IdentityChanges, run_id: int, *, replace_all: bool) -> None:
        """Write membership, residents and events for ``changes``, and the next resident number
        (call it inside :meth:`transaction`); ``replace_all`` replaces the whole membership."""
        at = utc_now()
        self.con.register("__new_membership", changes.membership)
        events = self._events_frame(changes, run_id, at, replace_all=replace_all)
        if replace_all:
            self.con.execute("DELETE FROM reg.membership")
        else:
            self.con.execute(
                "DELETE FROM reg.membership WHERE unique_id IN (SELECT unique_id FROM __new_membership)"
            )
        self.con.execute("INSERT INTO reg.membership SELECT unique_id, resident_id FROM __new_membership")
        self.con.unregister("__new_membership")
        # bulk statements over registered frames: row by row (executemany) took 40 s of a
        # 100,000-resident build
        if changes.created:
            created = pd.DataFrame({"resident_id": pd.Series(list(changes.created), dtype=object)})
            self.con.register("__created", created)
            self.con.execute(
                "INSERT INTO reg.residents SELECT resident_id, ?, 'active', NULL FROM __created", [run_id]
            )
            self.con.unregister("__created")
        if changes.merged:
            merged = pd.DataFrame(list(changes.merged), columns=["loser", "winner"], dtype=object)
            self.con.register("__merged", merged.drop_duplicates("loser", keep="last"))
            self.con.execute(
                "UPDATE reg.residents SET status = 'merged', merged_into = m.winner "
                "FROM __merged m WHERE reg.residents.resident_id = m.loser"
            )
            self.con.unregister("__merged")
        if len(events):
            self.con.register("__events", events)
            self.con.execute("INSERT INTO reg.events BY NAME SELECT * FROM __events")
            self.con.unregister("__events")
        self.set_meta("next_number", str(changes.next_number))

    def _events_frame(
        self, changes: IdentityChanges, run_id: int, at: dt.datetime, *, replace_all: bool
    ) -> pd.DataFrame:
        """The events of ``changes``, each with the reviewer decision it carries out (or None);
        read before the membership is written (``__new_membership`` registered)."""
        next_event = int(
            self.con.execute("SELECT coalesce(max(event_id), 0) + 1 FROM reg.events").fetchall()[0][0]
        )
        rows: list[tuple[str, str | None, str | None, str | None]] = []
        rows += [("created", rid, None, None) for rid in changes.created]
        rows += [("merged", loser, winner, None) for loser, winner in changes.merged]
        rows += [("split", original, part, None) for original, part in changes.split]
        rows += [("detached", rid, None, uid) for uid, rid in changes.detached]
        rows += [("attached", rid, None, uid) for uid, rid in changes.attached]
        events = pd.DataFrame(rows, columns=["kind", "resident_id", "other_resident_id", "unique_id"])
        events.insert(0, "event_id", range(next_event, next_event + len(events)))
        events.insert(1, "run_id", run_id)
        events.insert(2, "happened_at", at)
        events["decision_id"] = pd.Series([None] * len(events), dtype="Int64")
        if len(events) and self.con.execute("SELECT count(*) FROM reg.decisions").fetchall()[0][0]:
            self.con.register("__events", events)
            found = dict(self.con.execute(ATTRIBUTE_EVENTS_SQL, [replace_all]).fetchall())
            self.con.unregister("__events")
            events["decision_id"] = events["event_id"].map(found).astype("Int64")
        return events


#: The events (registered as ``__events``: ``event_id, kind, resident_id, other_resident_id,
#: unique_id``) that a decision in force carries out, with its id: a merge that a *same* decision
#: joins, a split (and the resident it creates) that a *different* decision cuts, and the records
#: they move. Reads the residents before the run in ``reg.membership`` and after it in
#: ``__new_membership`` (a record absent from it keeps its resident, unless the parameter says the
#: new membership replaces all).
ATTRIBUTE_EVENTS_SQL = f"""
WITH moves AS (
    SELECT u.unique_id, o.resident_id AS old_id,
           CASE WHEN ? THEN n.resident_id ELSE coalesce(n.resident_id, o.resident_id) END AS new_id
    FROM (SELECT unique_id_l AS unique_id FROM ({IN_FORCE_SQL}) f UNION
          SELECT unique_id_r FROM ({IN_FORCE_SQL}) f UNION SELECT unique_id FROM __events) u
    LEFT JOIN reg.membership o ON o.unique_id = u.unique_id
    LEFT JOIN __new_membership n ON n.unique_id = u.unique_id
), decided AS (
    SELECT d.decision_id, d.same, l.old_id AS old_l, r.old_id AS old_r,
           l.new_id AS new_l, r.new_id AS new_r
    FROM ({IN_FORCE_SQL}) d
    JOIN moves l ON l.unique_id = d.unique_id_l JOIN moves r ON r.unique_id = d.unique_id_r
)
SELECT e.event_id, max(d.decision_id) AS decision_id
FROM __events e LEFT JOIN moves m ON m.unique_id = e.unique_id
JOIN decided d ON (
    (d.same AND d.new_l = d.new_r AND d.old_l <> d.old_r AND (
        (e.kind = 'merged' AND e.other_resident_id = d.new_l AND e.resident_id IN (d.old_l, d.old_r))
        OR (e.kind IN ('attached', 'detached') AND m.new_id = d.new_l AND m.old_id IN (d.old_l, d.old_r))))
    OR (NOT d.same AND d.old_l = d.old_r AND d.new_l <> d.new_r AND (
        (e.kind = 'split' AND e.resident_id = d.old_l)
        OR (e.kind = 'created' AND e.resident_id IN (d.new_l, d.new_r))
        OR (e.kind IN ('attached', 'detached') AND m.old_id = d.old_l AND m.new_id IN (d.new_l, d.new_r))))
)
GROUP BY e.event_id
"""


def _attach(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    con = connect()
    mode = " (READ_ONLY)" if read_only else ""
    try:
        with private_umask():
            con.execute(f"ATTACH ? AS reg{mode}", [str(path)])
    except duckdb.IOException as exc:
        con.close()
        if "lock" in str(exc).lower():
            raise RegistryLockedError(
                f"registry {str(path)!r} is open for writing in another process; "
                "wait for it to finish (one writer at a time)"
            ) from None
        raise EngineError(f"cannot open registry {str(path)!r}: {str(exc).splitlines()[0]}") from None
    return con


def _check_version(path: Path, version: int) -> None:
    current = int(SCHEMA_VERSION)
    if version < current:
        raise RegistryVersionError(
            f"registry {str(path)!r} is in format version {version}, made by an earlier dtks_link; "
            f"this version reads format {current}. Migrate it once (one transaction; keep a backup "
            f"if older tools must still read it): dtks-link registry migrate {path}",
            version=version,
        )
    if version > current:
        raise RegistryVersionError(
            f"registry {str(path)!r} is in format version {version}, made by a newer dtks_link; "
            f"this version reads format {current}: upgrade dtks_link",
            version=version,
        )


def options_json(options: LinkageOptions) -> str:
    raw = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in options.__dict__.items()}
    return json.dumps(raw)


def changes_detail(changes: IdentityChanges) -> str:
    return json.dumps(
        {
            "created": len(changes.created),
            "merged": len(changes.merged),
            "split": len(changes.split),
            "attached": len(changes.attached),
            "detached": len(changes.detached),
        }
    )
