"""The :class:`Registry`: a DuckDB file attached to an in-memory working connection."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pandas as pd

from ..backends.duckdb import connect
from ..backends.duckdb import quote_identifier as q
from ..config import LinkageOptions, LinkConfig, SourceConfig
from ..errors import DtksLinkError, EngineError
from .identity import IdentityChanges, assign_ids
from .schema import DDL, SCHEMA_VERSION

__all__ = ["GoldenValue", "IngestReport", "Registry", "RegistryLockedError", "ResidentView"]

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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Registry:
    """A resident registry in a DuckDB file, created when absent.

    Use it as a context manager. Only one process may have a registry open for writing; a
    second one gets :class:`RegistryLockedError`. ``read_only=True`` opens it for reading
    (possible only while no process writes to it).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.con = connect()
        mode = " (READ_ONLY)" if read_only else ""
        try:
            self.con.execute(f"ATTACH ? AS reg{mode}", [str(self.path)])
        except duckdb.IOException as exc:
            self.con.close()
            if "lock" in str(exc).lower():
                raise RegistryLockedError(
                    f"registry {str(self.path)!r} is open for writing in another process; "
                    "wait for it to finish (one writer at a time)"
                ) from None
            raise EngineError(f"cannot open registry {str(self.path)!r}: {exc}") from None
        if not read_only:
            for statement in DDL:
                self.con.execute(statement)
            if self._meta("schema_version") is None:
                self._set_meta("schema_version", SCHEMA_VERSION)
                self._set_meta("next_number", "1")
        self._lookup: Any = None

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
                "INSERT INTO reg.runs VALUES (?, 'build', ?, ?, ?, ?)",
                [run_id, started_at, _now(), n_records, _changes_detail(changes)],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self._lookup = None
        return changes

    def _membership_frame(self) -> pd.DataFrame:
        return self.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()

    def _apply_changes(self, changes: IdentityChanges, run_id: int, *, replace_all: bool) -> None:
        """Write membership, residents and events for ``changes`` (inside a transaction)."""
        at = _now()
        self.con.register("__new_membership", changes.membership)
        if replace_all:
            self.con.execute("DELETE FROM reg.membership")
        else:
            self.con.execute(
                "DELETE FROM reg.membership WHERE unique_id IN (SELECT unique_id FROM __new_membership)"
            )
        self.con.execute("INSERT INTO reg.membership SELECT unique_id, resident_id FROM __new_membership")
        self.con.unregister("__new_membership")
        if changes.created:
            self.con.executemany(
                "INSERT INTO reg.residents VALUES (?, ?, 'active', NULL)",
                [[rid, run_id] for rid in changes.created],
            )
        if changes.merged:
            self.con.executemany(
                "UPDATE reg.residents SET status = 'merged', merged_into = ? WHERE resident_id = ?",
                [[winner, loser] for loser, winner in changes.merged],
            )
        next_event = int(
            self.con.execute("SELECT coalesce(max(event_id), 0) + 1 FROM reg.events").fetchall()[0][0]
        )
        rows: list[tuple[str, str | None, str | None, str | None]] = []
        rows += [("created", rid, None, None) for rid in changes.created]
        rows += [("merged", loser, winner, None) for loser, winner in changes.merged]
        rows += [("split", original, part, None) for original, part in changes.split]
        rows += [("detached", rid, None, uid) for uid, rid in changes.detached]
        rows += [("attached", rid, None, uid) for uid, rid in changes.attached]
        if rows:
            events = pd.DataFrame(rows, columns=["kind", "resident_id", "other_resident_id", "unique_id"])
            events.insert(0, "event_id", range(next_event, next_event + len(events)))
            events.insert(1, "run_id", run_id)
            events.insert(2, "happened_at", at)
            self.con.register("__events", events)
            self.con.execute(
                "INSERT INTO reg.events SELECT event_id, run_id, happened_at, kind, resident_id, "
                "other_resident_id, unique_id FROM __events"
            )
            self.con.unregister("__events")
        self._set_meta("next_number", str(changes.next_number))

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
        from ..default_model import default_settings
        from ..pipeline import standardise_records
        from ..sources import load_sources

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
        standardise_records(self.con, config, mapped_table="__empty_mapped", records_table="__empty_records")
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
        self._lookup = None

    # -- incremental ingest -----------------------------------------------------------------
    def ingest(
        self,
        batch: LinkConfig | SourceConfig | Sequence[SourceConfig],
        *,
        progress: bool = False,
    ) -> IngestReport:
        """Add a batch of records: score them against the registry and among themselves, then
        update clusters and ids without re-scoring old pairs. One transaction: a failure or a
        killed process leaves the registry as it was.

        Records whose ``(source, record_id)`` is already in the registry with the same content
        are skipped; with different content they replace the old version.
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
        report = run_ingest(self, sources, progress=progress)
        self._lookup = None
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
        """Write ``membership``, ``residents``, ``events`` and ``golden`` as Parquet files."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths: dict[str, Path] = {}
        queries = {
            "membership": "SELECT r.source, r.record_id, m.resident_id FROM reg.membership m "
            "JOIN reg.records r USING (unique_id) ORDER BY r.source, r.record_id",
            "residents": "SELECT * FROM reg.residents ORDER BY resident_id",
            "events": "SELECT * FROM reg.events ORDER BY event_id",
        }
        for name, sql in queries.items():
            paths[name] = out / f"{name}.parquet"
            self.con.execute(sql).df().to_parquet(paths[name], index=False)
        paths["golden"] = out / "golden.parquet"
        golden = self.golden_records()
        golden["value"] = golden["value"].astype("string")
        golden.to_parquet(paths["golden"], index=False)
        return paths

    # -- real-time lookup -------------------------------------------------------------------
    def match(self, record: Mapping[str, object], *, top_k: int = 5) -> list[Any]:
        """Candidate residents for a record given as a dict of canonical fields.

        Returns up to ``top_k`` candidates (best first), each with ``resident_id``,
        ``match_probability``, ``match_weight`` and a plain-text ``explanation``.
        """
        result: list[Any] = self._lookup_index().match(record, top_k=top_k)
        return result

    def _lookup_index(self) -> Any:
        from .lookup import LookupIndex

        if self._lookup is None:
            self._lookup = LookupIndex.build(self)
        return self._lookup


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


def _changes_detail(changes: IdentityChanges) -> str:
    return json.dumps(
        {
            "created": len(changes.created),
            "merged": len(changes.merged),
            "split": len(changes.split),
            "attached": len(changes.attached),
            "detached": len(changes.detached),
        }
    )
