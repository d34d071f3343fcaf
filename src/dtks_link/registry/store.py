"""The :class:`Registry`: a DuckDB file attached to an in-memory working connection."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from .._files import make_private_dir, open_private, private_umask, tighten
from ..backends.duckdb import DuckDBEngine, connect
from ..backends.duckdb import quote_identifier as q
from ..config import LinkageOptions, LinkConfig, SourceConfig
from ..errors import DtksLinkError, EngineError
from .decisions import Decision, DecisionConflict, DecisionReport
from .identity import IdentityChanges, assign_ids
from .schema import DDL, MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    from ..households.registry import HouseholdView

__all__ = [
    "GoldenValue",
    "IngestReport",
    "Registry",
    "RegistryLockedError",
    "RegistryVersionError",
    "ResidentView",
]

#: Default survivorship: field -> rule. Rules: ``source_priority``, ``most_recent``,
#: ``most_frequent``. A valid NIK always wins over an invalid one.
DEFAULT_SURVIVORSHIP: dict[str, str] = {
    "nik": "source_priority",
    "no_kk": "most_recent",
    "nama_clean": "source_priority",
    "tanggal_lahir": "source_priority",
    "jenis_kelamin": "source_priority",
    "tempat_lahir": "most_frequent",
    "street": "most_recent",
    "house_number": "most_recent",
    "rt": "most_recent",
    "rw": "most_recent",
    "kelurahan": "most_recent",
    "kecamatan": "most_recent",
    "kelurahan_code": "most_recent",
    "telepon": "most_recent",
    "nama_ibu_key": "most_frequent",
    "is_deceased": "most_recent",
}


class RegistryLockedError(DtksLinkError):
    """Another process has the registry open for writing."""


class RegistryVersionError(DtksLinkError):
    """The registry file is in another format version than this dtks_link reads."""

    def __init__(self, message: str, *, version: int) -> None:
        self.version = version
        super().__init__(message)


@dataclass(frozen=True, kw_only=True)
class GoldenValue:
    """One field of a golden record, with where it came from."""

    value: Any
    source: str
    record_id: str
    rule: str


@dataclass(frozen=True, kw_only=True)
class ResidentView:
    """A resident: the golden record, the member records and the id's history."""

    resident_id: str
    status: str
    merged_into: str | None
    golden: dict[str, GoldenValue]
    members: pd.DataFrame
    events: pd.DataFrame


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


class Registry:
    """A resident registry in a DuckDB file, created when absent.

    Use it as a context manager. Only one process may have a registry open for writing; a
    second one gets :class:`RegistryLockedError`. ``read_only=True`` opens it for reading
    (possible only while no process writes to it). Within one process, :meth:`handle` gives
    other threads their own connection to the same open registry.

    The file holds personal data in clear: a new registry is created ``0600`` (its folder
    ``0700`` when it is created too), and so is DuckDB's write-ahead log beside it (writes run
    under umask ``077``). A file in an older format is refused with
    :class:`RegistryVersionError` until :meth:`migrate` has run.
    """

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
        self._lookup: Any = None

    def _prepare(self) -> None:
        version = self._meta("schema_version")
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
                self._set_meta("schema_version", SCHEMA_VERSION)
                self._set_meta("next_number", "1")
                self._set_meta("created_by", f"dtks_link {__version__}")
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

    def handle(self, *, writable: bool = False) -> Registry:
        """Another handle on this open registry, with its own DuckDB connection, for another
        thread of this process (a DuckDB connection must not be shared between threads). It
        sees committed state: a transaction open on another handle is invisible to it until it
        commits. ``writable`` handles write too (DuckDB resolves concurrent writers within a
        process; the service keeps one). Close it when done; the registry stays open."""
        other = Registry.__new__(Registry)
        other.path = self.path
        other.read_only = self.read_only or not writable
        other.con = self.con.cursor()
        other._lookup = None
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

    def __enter__(self) -> Registry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- metadata ---------------------------------------------------------------------------
    def _meta(self, key: str) -> str | None:
        try:
            rows = self.con.execute("SELECT value FROM reg.meta WHERE key = ?", [key]).fetchall()
        except duckdb.CatalogException:
            return None
        return str(rows[0][0]) if rows else None

    def _set_meta(self, key: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO reg.meta VALUES (?, ?)", [key, value])

    @property
    def schema_version(self) -> int:
        """The file format version (see :mod:`dtks_link.registry.schema`)."""
        return int(self._meta("schema_version") or SCHEMA_VERSION)

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
        text = self._meta("model_json")
        return None if text is None else dict(json.loads(text))

    @property
    def options(self) -> LinkageOptions:
        """The linkage options stored with the model."""
        text = self._meta("options_json")
        if text is None:
            return LinkageOptions()
        raw = json.loads(text)
        if raw.get("reference_date"):
            raw["reference_date"] = dt.date.fromisoformat(raw["reference_date"])
        return LinkageOptions(**raw)

    def _table_exists(self, name: str) -> bool:
        rows = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'reg' AND table_name = ?",
            [name],
        ).fetchall()
        return bool(rows[0][0])

    def stats(self) -> dict[str, int]:
        """Counts: records, active residents, merged ids, edges, runs, events."""
        if not self._table_exists("records"):
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
    def _require_writable(self) -> None:
        if self.read_only:
            raise EngineError("this registry was opened read-only")

    def _next_run_id(self) -> int:
        return int(self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM reg.runs").fetchall()[0][0])

    def commit_build(
        self,
        *,
        records_table: str,
        edges_table: str,
        clusters_table: str,
        quarantine_table: str,
        model_json: Mapping[str, Any],
        options: LinkageOptions,
        started_at: dt.datetime,
    ) -> IdentityChanges:
        """Replace the registry's records, edges and model with a full linkage run and map its
        clusters onto the existing resident ids (used by ``link(..., registry=...)``)."""
        self._require_writable()
        run_id = self._next_run_id()
        old = self._membership_frame()
        clusters = self.con.execute(f"SELECT unique_id, cluster_key FROM {q(clusters_table)}").df()
        changes = assign_ids(clusters, old, next_number=int(self._meta("next_number") or 1))
        tf_columns = _tf_columns(model_json)
        with private_umask():
            self._commit_build(
                run_id=run_id,
                changes=changes,
                tf_columns=tf_columns,
                records_table=records_table,
                edges_table=edges_table,
                quarantine_table=quarantine_table,
                model_json=model_json,
                options=options,
                started_at=started_at,
            )
        self._lookup = None
        return changes

    def _commit_build(
        self,
        *,
        run_id: int,
        changes: IdentityChanges,
        tf_columns: list[str],
        records_table: str,
        edges_table: str,
        quarantine_table: str,
        model_json: Mapping[str, Any],
        options: LinkageOptions,
        started_at: dt.datetime,
    ) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DROP TABLE IF EXISTS reg.records")
            self.con.execute(
                f"CREATE TABLE reg.records AS SELECT *, CAST(? AS INTEGER) AS run_id "
                f"FROM {q(records_table)} ORDER BY unique_id",
                [run_id],
            )
            self.con.execute("DELETE FROM reg.edges")
            self.con.execute(
                "INSERT INTO reg.edges SELECT unique_id_l, unique_id_r, match_weight, "
                f"match_probability, ? FROM {q(edges_table)}",
                [run_id],
            )
            for column in tf_columns:
                self.con.execute(f"DROP TABLE IF EXISTS reg.{q('tf_' + column)}")
                self.con.execute(f"CREATE TABLE reg.{q('tf_' + column)} AS {_tf_sql(column, records_table)}")
            self._set_meta("tf_columns", json.dumps(tf_columns))
            self._set_meta("model_json", json.dumps(model_json))
            self._set_meta("options_json", _options_json(options))
            self.con.execute(
                f"INSERT INTO reg.quarantine SELECT ?, source, record_id, row_number, reason "
                f"FROM {q(quarantine_table)}",
                [run_id],
            )
            self._apply_changes(changes, run_id, replace_all=True)
            n_records = int(self.con.execute("SELECT count(*) FROM reg.records").fetchall()[0][0])
            self.con.execute(
                "INSERT INTO reg.runs VALUES (?, 'build', ?, ?, ?, ?, NULL, NULL)",
                [run_id, started_at, utc_now(), n_records, changes_detail(changes)],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _membership_frame(self) -> pd.DataFrame:
        return self.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()

    def _apply_changes(self, changes: IdentityChanges, run_id: int, *, replace_all: bool) -> None:
        """Write membership, residents and events for ``changes`` (inside a transaction)."""
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
        self._set_meta("next_number", str(changes.next_number))

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
            from .decisions import ATTRIBUTE_EVENTS_SQL

            self.con.register("__events", events)
            found = dict(self.con.execute(ATTRIBUTE_EVENTS_SQL, [replace_all]).fetchall())
            self.con.unregister("__events")
            events["decision_id"] = events["event_id"].map(found).astype("Int64")
        return events

    @classmethod
    def init(
        cls, path: str | Path, *, model: str = "default", options: LinkageOptions | None = None
    ) -> Registry:
        """Open (creating it when absent) a registry that can match from the first record on.

        ``model="default"`` starts a registry that has no model yet from the default model
        shipped with the package (:mod:`dtks_link.default_model`): records can be ingested
        and looked up at once, without a first linkage run. A later ``link(...,
        registry=...)`` replaces it with a model trained on the data. Term frequencies start
        empty (no adjustment) until such a build. Returns the open registry (a context
        manager)."""
        if model != "default":
            raise EngineError(
                f"Registry.init knows model='default' only, got {model!r}; to start from a trained "
                "model, build the registry with dtks_link.link(config, registry=path)"
            )
        registry = cls(path)
        try:
            if registry.model_json is None:
                registry.use_default_model(options=options)
        except BaseException:
            registry.close()
            raise
        return registry

    def use_default_model(self, *, options: LinkageOptions | None = None) -> None:
        """Give a registry without a model the packaged default model and an empty record
        table, so records can be ingested and looked up (see :meth:`init`)."""
        from ..default_parameters import default_settings
        from ..sources import load_sources
        from ..standardise.records import standardise_records

        self._require_writable()
        if self.model_json is not None:
            raise EngineError(f"registry {str(self.path)!r} already has a model")
        settings = default_settings()
        for comparison in settings["comparisons"]:
            for level in comparison["comparison_levels"]:
                level.pop("tf_adjustment_column", None)
                level.pop("tf_adjustment_weight", None)
        nothing = pd.DataFrame({"id": pd.Series(dtype=str), "nama": pd.Series(dtype=str)})
        empty = SourceConfig(name="empty", id_column="id", columns={"nama": "nama"}, data=nothing)
        config = LinkConfig(sources=(empty,), options=options or LinkageOptions())
        load_sources(self.con, [], mapped_table="__empty_mapped", quarantine_table="__empty_quarantine")
        standardise_records(
            self.engine, config, mapped_table="__empty_mapped", records_table="__empty_records"
        )
        self.con.execute("BEGIN TRANSACTION")
        try:
            if not self._table_exists("records"):
                self.con.execute(
                    "CREATE TABLE reg.records AS SELECT *, CAST(NULL AS INTEGER) AS run_id "
                    "FROM __empty_records LIMIT 0"
                )
            self._set_meta("tf_columns", json.dumps([]))
            self._set_meta("model_json", json.dumps(settings))
            self._set_meta("options_json", _options_json(config.options))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        for table in ("__empty_mapped", "__empty_quarantine", "__empty_records"):
            self.con.execute(f"DROP TABLE IF EXISTS {q(table)}")
        self._lookup = None

    def adopt_model(self, other: Registry) -> None:
        """Use another registry's trained model and term frequencies (for an empty registry)."""
        self._require_writable()
        model = other.model_json
        if model is None:
            raise EngineError(f"registry {str(other.path)!r} has no model to adopt")
        tf_columns = json.loads(other._meta("tf_columns") or "[]")
        frames = {c: other.con.execute(f"SELECT * FROM reg.{q('tf_' + c)}").df() for c in tf_columns}
        with private_umask():
            self._adopt(other, model, tf_columns, frames)
        self._lookup = None

    def _adopt(
        self,
        other: Registry,
        model: Mapping[str, Any],
        tf_columns: list[str],
        frames: Mapping[str, pd.DataFrame],
    ) -> None:
        self.con.execute("BEGIN TRANSACTION")
        try:
            for column, frame in frames.items():
                self.con.register("__tf_frame", frame)
                self.con.execute(f"DROP TABLE IF EXISTS reg.{q('tf_' + column)}")
                self.con.execute(f"CREATE TABLE reg.{q('tf_' + column)} AS SELECT * FROM __tf_frame")
                self.con.unregister("__tf_frame")
            self._set_meta("tf_columns", json.dumps(tf_columns))
            self._set_meta("model_json", json.dumps(model))
            self._set_meta("options_json", _options_json(other.options))
            if not self._table_exists("records"):
                columns = other.con.execute("DESCRIBE reg.records").fetchall()
                spec = ", ".join(f"{q(str(c[0]))} {c[1]}" for c in columns)
                self.con.execute(f"CREATE TABLE reg.records ({spec})")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    # -- incremental ingest -----------------------------------------------------------------
    def ingest(
        self,
        batch: LinkConfig | SourceConfig | Sequence[SourceConfig],
        *,
        progress: bool = False,
        job_id: str | None = None,
    ) -> IngestReport:
        """Add a batch of records: score them against the registry and among themselves, then
        update clusters and ids without re-scoring old pairs. One transaction: a failure or a
        killed process leaves the registry as it was.

        Records whose ``(source, record_id)`` is already in the registry with the same content
        are skipped; with different content they replace the old version. ``job_id`` (the
        service's batch job) is stored with the run and its report.

        A lookup index already built by :meth:`match` is updated with the batch, not rebuilt.
        """
        from .ingest import run_ingest

        self._require_writable()
        if self.model_json is None:
            raise EngineError(
                "this registry has no model yet: build it first with "
                "dtks_link.link(config, registry=...) or `dtks-link link CONFIG --registry FILE`"
            )
        sources: tuple[SourceConfig, ...]
        if isinstance(batch, LinkConfig):
            sources = batch.sources
        elif isinstance(batch, SourceConfig):
            sources = (batch,)
        else:
            sources = tuple(batch)
        with private_umask():
            report = run_ingest(self, sources, progress=progress, job_id=job_id)
            from ..households.registry import refresh_after_ingest

            refresh_after_ingest(self, report.run_id)
        self._refresh_lookup()
        return report

    # -- reading ----------------------------------------------------------------------------
    def resident_id_of(self, source: str, record_id: str) -> str | None:
        """The current resident id of a record, or None if the registry does not hold it."""
        rows = self.con.execute(
            "SELECT resident_id FROM reg.membership WHERE unique_id = ?", [f"{source}|{record_id}"]
        ).fetchall()
        return str(rows[0][0]) if rows else None

    def resolve(self, resident_id: str) -> str:
        """Follow merges: the active id that ``resident_id`` now lives on as."""
        current = resident_id
        for _ in range(1000):
            rows = self.con.execute(
                "SELECT status, merged_into FROM reg.residents WHERE resident_id = ?", [current]
            ).fetchall()
            if not rows or rows[0][0] != "merged" or rows[0][1] is None:
                return current
            current = str(rows[0][1])
        return current

    def resident(self, resident_id: str) -> ResidentView:
        """The golden record of a resident, with its member records and id history.

        A merged id is followed to the resident it was merged into.
        """
        status_rows = self.con.execute(
            "SELECT status, merged_into FROM reg.residents WHERE resident_id = ?", [resident_id]
        ).fetchall()
        if not status_rows:
            raise KeyError(f"no resident {resident_id!r} in this registry")
        active = self.resolve(resident_id)
        members = self._members(active)
        golden = self.golden_records(resident_ids=[active])
        values: dict[str, GoldenValue] = {}
        for row in golden.itertuples(index=False):
            values[str(row.field)] = GoldenValue(
                value=row.value,
                source=str(row.source),
                record_id=str(row.record_id),
                rule=str(row.rule),
            )
        events = self.con.execute(
            "SELECT * FROM reg.events WHERE resident_id = ? OR other_resident_id = ? ORDER BY event_id",
            [resident_id, resident_id],
        ).df()
        return ResidentView(
            resident_id=active,
            status=str(status_rows[0][0]),
            merged_into=None if status_rows[0][1] is None else str(status_rows[0][1]),
            golden=values,
            members=members,
            events=events,
        )

    def household(self, household_id: str) -> HouseholdView:
        """A household: golden record, members with roles, pecah KK links and history
        (:mod:`dtks_link.households.registry`). A merged id is followed."""
        from ..households.registry import household_view

        return household_view(self, household_id)

    def households_by_kk(self, kk: object) -> list[tuple[str, str]]:
        """``(household_id, 'current'|'former')`` of the households holding KK ``kk`` now or before."""
        from ..households.registry import households_by_kk

        return households_by_kk(self, kk)

    def _members(self, resident_id: str) -> pd.DataFrame:
        return self.con.execute(
            "SELECT r.* FROM reg.records r JOIN reg.membership m USING (unique_id) "
            "WHERE m.resident_id = ? ORDER BY unique_id",
            [resident_id],
        ).df()

    def golden_records(
        self,
        *,
        resident_ids: Iterable[str] | None = None,
        source_priority: Sequence[str] | None = None,
        survivorship: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Golden values in long form: ``resident_id, field, value, source, record_id, rule``.

        ``source_priority`` orders sources (default: duplicate-free sources such as Dukcapil
        first, then by name). ``survivorship`` maps field -> rule, overriding
        :data:`DEFAULT_SURVIVORSHIP`.
        """
        from .golden import golden_sql

        rules = dict(DEFAULT_SURVIVORSHIP)
        rules.update(survivorship or {})
        columns = {str(r[0]) for r in self.con.execute("DESCRIBE reg.records").fetchall()}
        rules = {k: v for k, v in rules.items() if k in columns}
        priority = list(source_priority) if source_priority is not None else self._default_priority()
        self.con.execute("CREATE OR REPLACE TEMP TABLE __priority (source VARCHAR, rank INTEGER)")
        self.con.executemany("INSERT INTO __priority VALUES (?, ?)", [[s, i] for i, s in enumerate(priority)])
        self.con.execute("CREATE OR REPLACE TEMP TABLE __wanted (resident_id VARCHAR)")
        restrict = resident_ids is not None
        if restrict:
            assert resident_ids is not None
            self.con.executemany("INSERT INTO __wanted VALUES (?)", [[r] for r in resident_ids])
        sql = golden_sql(rules, restrict=restrict)
        return self.con.execute(sql).df()

    def _default_priority(self) -> list[str]:
        rows = self.con.execute(
            "SELECT source, bool_or(source_duplicate_free) FROM reg.records GROUP BY source"
        ).fetchall()
        return [s for s, _ in sorted(rows, key=lambda r: (not r[1], r[0]))]

    def export(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``membership``, ``residents``, ``events`` and ``golden`` as Parquet files
        (``0600``; the folder ``0700`` when it is created): golden records are personal data."""
        out = make_private_dir(out_dir)
        paths: dict[str, Path] = {}
        queries = {
            "membership": "SELECT r.source, r.record_id, m.resident_id FROM reg.membership m "
            "JOIN reg.records r USING (unique_id) ORDER BY r.source, r.record_id",
            "residents": "SELECT * FROM reg.residents ORDER BY resident_id",
            "events": "SELECT * FROM reg.events ORDER BY event_id",
        }
        for name, sql in queries.items():
            paths[name] = out / f"{name}.parquet"
            with open_private(paths[name], "wb") as handle:
                self.con.execute(sql).df().to_parquet(handle, index=False)
        paths["golden"] = out / "golden.parquet"
        golden = self.golden_records()
        golden["value"] = golden["value"].astype("string")
        with open_private(paths["golden"], "wb") as handle:
            golden.to_parquet(handle, index=False)
        return paths

    # -- reviewers' decisions ---------------------------------------------------------------
    def decide(
        self,
        left: tuple[str, str],
        right: tuple[str, str],
        same: bool,
        *,
        by: str,
        reason: str | None = None,
        document: str | None = None,
    ) -> DecisionReport:
        """Record a reviewer's decision that two records, each ``(source, record_id)``, are one
        resident (``same=True``) or two (``same=False``), with who decided, why and an optional
        document reference. It lasts: every later build, ingest and retrain honours it. It is
        applied at once (a run of kind ``decision`` re-clusters the residents it touches, one
        transaction); deciding the same pair again overrides it and keeps the history.

        Returns a :class:`~dtks_link.registry.decisions.DecisionReport`. A decision that
        contradicts others (a chain of *same* decisions joining records decided *different*)
        is recorded and reported as a conflict (and warned about): the *different* holds.
        Raises :class:`~dtks_link.registry.decisions.DecisionError` for a record the registry
        does not hold."""
        from .decisions import record

        with private_umask():
            report = record(self, [(left, right, same, reason, document)], by=by, origin="api")
        self._refresh_lookup()
        return report

    def import_decisions(self, path: str | Path, *, by: str, reason: str | None = None) -> DecisionReport:
        """Turn the reviewed rows of a clerical review file (CSV or Excel, from
        :meth:`review_queue` and :func:`~dtks_link.review.export_review`) into decisions by
        ``by``, applied in one run. A row's ``note`` is its reason (else ``reason``)."""
        from .decisions import import_review_file

        with private_umask():
            report = import_review_file(self, path, by=by, reason=reason)
        self._refresh_lookup()
        return report

    def decisions(self, *, history: bool = False) -> list[Decision]:
        """The decisions in force (the newest of each pair), or every decision ever recorded
        with ``history=True``, oldest first."""
        from .decisions import list_decisions

        return list_decisions(self, history=history)

    def decision_conflicts(self) -> list[DecisionConflict]:
        """Decisions in force that contradict each other, with the decisions on both sides."""
        from .decisions import find_conflicts

        return find_conflicts(self)

    def decisions_as_labels(self) -> pd.DataFrame:
        """The decisions in force as labels for ``dtks_link.link(..., labels=...)``: reviewed
        pairs keep feeding the model's training."""
        from .decisions import decisions_as_labels

        return decisions_as_labels(self)

    def review_queue(
        self, *, lower: float = 0.2, upper: float = 0.95, limit: int | None = 500, order: str = "impact"
    ) -> pd.DataFrame:
        """The registry's clerical review queue: stored pairs with ``lower <= match_probability
        < upper`` that no reviewer has decided, one per two residents, the pairs whose outcome
        would move the most records first (``order="uncertainty"``: the most uncertain first;
        see :func:`dtks_link.review.review_queue`); NIK and KK masked. Export
        it with :func:`~dtks_link.review.export_review`, read it back with
        :meth:`import_decisions`."""
        from .decisions import registry_review_queue

        return registry_review_queue(self, lower=lower, upper=upper, limit=limit, order=order)

    def _refresh_lookup(self) -> None:
        if self._lookup is not None:
            updated = self._lookup.updated(self)
            self._lookup = None if updated.needs_rebuild else updated

    # -- real-time lookup -------------------------------------------------------------------
    def match(self, record: Mapping[str, object], *, top_k: int = 5) -> list[Any]:
        """Candidate residents for a record given as a dict of canonical fields.

        Returns up to ``top_k`` candidates (best first), each with ``resident_id``,
        ``match_probability``, ``match_weight`` and a plain-text ``explanation``. A query that
        only the fallback keys can use (a name alone, a phone number alone) gets the best
        candidates with their low probabilities.

        Raises :class:`~dtks_link.errors.QueryError` for an unknown field (with a
        did-you-mean), a value of the wrong type, or a query with no field that can find
        candidates (the message lists the fields that would).
        """
        result: list[Any] = self._lookup_index().match(record, top_k=top_k)
        return result

    def _lookup_index(self) -> Any:
        from .lookup import LookupIndex

        if self._lookup is None:
            self._lookup = LookupIndex.build(self)
        return self._lookup


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


def _tf_columns(model_json: Mapping[str, Any]) -> list[str]:
    columns: set[str] = set()
    for comparison in model_json.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            column = level.get("tf_adjustment_column")
            if column:
                columns.add(str(column))
    return sorted(columns)


def _tf_sql(column: str, table: str) -> str:
    """Term frequencies exactly as Splink computes them."""
    c = q(column)
    return (
        f"SELECT {c}, CAST(count(*) AS DOUBLE) / (SELECT count({c}) FROM {q(table)}) "
        f"AS {q('tf_' + column)} FROM {q(table)} WHERE {c} IS NOT NULL GROUP BY {c}"
    )


def _options_json(options: LinkageOptions) -> str:
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
