"""The :class:`Registry`: the registry's public operations (build, ingest, reading, reviewers'
decisions, lookup) over the file that :class:`~dtks_link.registry.store.RegistryStore` holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import make_private_dir, open_private, private_umask
from ..backends.duckdb import quote_identifier as q
from ..config import LinkageOptions, LinkConfig, SourceConfig
from ..errors import EngineError
from . import decisions as _decisions
from .build import install_default_model, model_tf_columns, write_adopted_model, write_build
from .decisions import Decision, DecisionConflict, DecisionReport
from .golden import golden_sql
from .households import HouseholdView, household_view, households_by_kk, refresh_after_ingest
from .identity import IdentityChanges, assign_ids
from .ingest import run_ingest
from .lookup import LookupIndex
from .store import IngestReport, RegistryStore

__all__ = ["DEFAULT_SURVIVORSHIP", "GoldenValue", "Registry", "ResidentView"]

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


class Registry(RegistryStore):
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

    #: the lookup index :meth:`match` builds on first use, kept up to date by ingest and decisions
    _lookup: Any = None

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
        install_default_model(self, options=options)
        self._lookup = None

    def adopt_model(self, other: Registry) -> None:
        """Use another registry's trained model and term frequencies (for an empty registry)."""
        self.require_writable()
        model = other.model_json
        if model is None:
            raise EngineError(f"registry {str(other.path)!r} has no model to adopt")
        tf_columns = other.tf_columns
        frames = {c: other.con.execute(f"SELECT * FROM reg.{q('tf_' + c)}").df() for c in tf_columns}
        with private_umask():
            write_adopted_model(self, other, model, tf_columns, frames)
        self._lookup = None

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
        self.require_writable()
        run_id = self.next_run_id()
        old = self.membership_frame()
        clusters = self.con.execute(f"SELECT unique_id, cluster_key FROM {q(clusters_table)}").df()
        changes = assign_ids(clusters, old, next_number=self.next_number)
        tf_columns = model_tf_columns(model_json)
        with private_umask():
            write_build(
                self,
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
        self.require_writable()
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
        (:mod:`dtks_link.registry.households`). A merged id is followed."""
        return household_view(self, household_id)

    def households_by_kk(self, kk: object) -> list[tuple[str, str]]:
        """``(household_id, 'current'|'former')`` of the households holding KK ``kk`` now or before."""
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
        with private_umask():
            report = _decisions.record(self, [(left, right, same, reason, document)], by=by, origin="api")
        self._refresh_lookup()
        return report

    def import_decisions(self, path: str | Path, *, by: str, reason: str | None = None) -> DecisionReport:
        """Turn the reviewed rows of a clerical review file (CSV or Excel, from
        :meth:`review_queue` and :func:`~dtks_link.review.export_review`) into decisions by
        ``by``, applied in one run. A row's ``note`` is its reason (else ``reason``)."""
        with private_umask():
            report = _decisions.import_review_file(self, path, by=by, reason=reason)
        self._refresh_lookup()
        return report

    def decisions(self, *, history: bool = False) -> list[Decision]:
        """The decisions in force (the newest of each pair), or every decision ever recorded
        with ``history=True``, oldest first."""
        return _decisions.list_decisions(self, history=history)

    def decision_conflicts(self) -> list[DecisionConflict]:
        """Decisions in force that contradict each other, with the decisions on both sides."""
        return _decisions.find_conflicts(self)

    def decisions_as_labels(self) -> pd.DataFrame:
        """The decisions in force as labels for ``dtks_link.link(..., labels=...)``: reviewed
        pairs keep feeding the model's training."""
        return _decisions.decisions_as_labels(self)

    def review_queue(
        self, *, lower: float = 0.2, upper: float = 0.95, limit: int | None = 500, order: str = "impact"
    ) -> pd.DataFrame:
        """The registry's clerical review queue: stored pairs with ``lower <= match_probability
        < upper`` that no reviewer has decided, one per two residents, the pairs whose outcome
        would move the most records first (``order="uncertainty"``: the most uncertain first;
        see :func:`dtks_link.review.review_queue`); NIK and KK masked. Export
        it with :func:`~dtks_link.review.export_review`, read it back with
        :meth:`import_decisions`."""
        return _decisions.registry_review_queue(self, lower=lower, upper=upper, limit=limit, order=order)

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
        if self._lookup is None:
            self._lookup = LookupIndex.build(self)
        return self._lookup
