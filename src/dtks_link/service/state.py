"""What the running service holds: its configuration, the open registry, the lookup index, keys,
audit log, batch jobs and metrics.

:class:`ServiceState` opens the registry (one writing handle for the batch jobs, one read handle
per thread for the golden-record endpoints), builds the lookup index on a thread of its own at
start-up (:meth:`ServiceState.warm`) and swaps in an updated copy after each commit
(:meth:`ServiceState.refresh_index`: an atomic reference swap, so a query sees the index before
or after a batch, never half of one), rebuilding it in the background when updates pile up.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ..errors import DtksLinkError, QueryError, mask_numbers
from ..registry import Registry
from ..registry.lookup import LookupIndex
from .audit import AuditLog
from .jobs import JobRunner
from .keys import KeyFile, RateLimiter

__all__ = ["ServiceConfig", "ServiceState"]

log = logging.getLogger("dtks_link.service")


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    """Everything ``dtks-link serve`` was given."""

    registry: Path
    keys: Path
    audit_log: Path
    workers: int = 8
    max_body_bytes: int = 2 * 1024 * 1024
    max_upload_bytes: int = 256 * 1024 * 1024
    drain_seconds: float = 30.0
    engine_threads: int = 1
    url: str | None = None


class ServiceState:
    """The open registry, the lookup index, keys, audit log, jobs and metrics."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.registry = Registry(config.registry)
        # DuckDB's threads run the batch jobs' SQL; lookups are Python on the other core(s)
        self.registry.con.execute(f"SET threads = {max(1, int(config.engine_threads))}")
        self.writer = self.registry.handle(writable=True)
        self.index: LookupIndex | None = None
        self.index_error: str | None = None
        self.index_updated: float | None = None
        self._index_lock = threading.Lock()
        self._rebuilding = threading.Event()
        self.keys = KeyFile(config.keys)
        self.limiter = RateLimiter()
        self.audit = AuditLog(config.audit_log)
        self.jobs = JobRunner(
            self.writer, config.registry.with_name(config.registry.name + ".jobs"), self.refresh_index
        )
        self._local = threading.local()
        self._readers: list[Registry] = []
        self._readers_lock = threading.Lock()
        self.metrics = CollectorRegistry()
        self.requests = Counter(
            "dtks_link_requests",
            "HTTP requests answered",
            ["endpoint", "method", "status"],
            registry=self.metrics,
        )
        self.latency = Histogram(
            "dtks_link_request_duration_seconds",
            "time to answer a request",
            ["endpoint"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.metrics,
        )
        self.query_records = Counter(
            "dtks_link_match_records", "records looked up by POST /v1/match", registry=self.metrics
        )
        Gauge(
            "dtks_link_index_records", "records the lookup index answers from", registry=self.metrics
        ).set_function(lambda: self.index.size if self.index else 0)
        Gauge(
            "dtks_link_index_segments",
            "segments of the lookup index (1 + batches since build)",
            registry=self.metrics,
        ).set_function(lambda: len(self.index.segments) if self.index else 0)
        Gauge("dtks_link_index_ready", "1 when the lookup index is warm", registry=self.metrics).set_function(
            lambda: 1 if self.index else 0
        )
        Gauge(
            "dtks_link_last_ingest_timestamp_seconds",
            "Unix time of the last committed batch",
            registry=self.metrics,
        ).set_function(lambda: self.jobs.last_commit or 0)
        jobs = Gauge(
            "dtks_link_batch_jobs", "batch jobs known to this process", ["state"], registry=self.metrics
        )
        for state in ("queued", "running", "committed", "failed", "interrupted"):
            jobs.labels(state).set_function(lambda s=state: self.jobs.counts()[s])  # type: ignore[misc]

    def reader(self) -> Registry:
        """This thread's read handle on the registry."""
        handle: Registry | None = getattr(self._local, "reader", None)
        if handle is None:
            handle = self.registry.handle()
            self._local.reader = handle
            with self._readers_lock:
                self._readers.append(handle)
        return handle

    def warm(self) -> None:
        """Build the lookup index (on a thread of its own at start-up)."""
        handle = self.registry.handle()
        try:
            started = time.perf_counter()
            index = LookupIndex.build(handle)
            # the first query compiles the standardisation rules: do it before clients come
            with contextlib.suppress(QueryError):
                index.match({"nama": "WARM UP", "tanggal_lahir": "2000-01-01"})
            with self._index_lock:  # catch up with a batch that committed while building
                self.index = index.updated(handle)
                self.index_updated = time.time()
            log.info(
                "lookup index ready: %s records in %.1f s", f"{index.size:,}", time.perf_counter() - started
            )
        except DtksLinkError as exc:
            self.index_error = str(exc)
            log.error("cannot build the lookup index: %s", exc)
        finally:
            handle.close()

    def refresh_index(self, handle: Registry) -> None:
        """After a commit (writer thread): swap in an index that holds the new run."""
        with self._index_lock:
            index = self.index
            if index is None:  # still warming up: warm() catches up under the same lock
                return
            updated = index.updated(handle)
            self.index = updated
            self.index_updated = time.time()
        if updated.needs_rebuild and not self._rebuilding.is_set():
            self._rebuilding.set()
            threading.Thread(target=self._rebuild, name="dtks-link-rebuild", daemon=True).start()

    def _rebuild(self) -> None:
        """A fresh index when updates have piled up; the current one answers meanwhile."""
        handle = self.registry.handle()
        try:
            fresh = LookupIndex.build(handle)
            with self._index_lock:  # catch up with the batches committed while building
                self.index = fresh.updated(handle)
                self.index_updated = time.time()
        except Exception as exc:
            log.error("rebuilding the lookup index failed: %s", mask_numbers(repr(exc)))
        finally:
            handle.close()
            self._rebuilding.clear()

    def close(self) -> None:
        self.jobs.stop(self.config.drain_seconds)
        with self._readers_lock:
            for handle in self._readers:
                handle.close()
        self.writer.close()
        self.registry.close()
        self.audit.close()
