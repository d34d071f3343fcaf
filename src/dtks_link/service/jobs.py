"""Batch jobs: ingests run one at a time on a background thread that holds the writing handle.

DuckDB lets one process write a file, and within it serialises conflicting writers; the
service therefore owns the registry file, and every write goes through this one thread. The
lookup side never waits for it: queries are answered from the in-memory index (swapped for an
updated one right after each commit) and from reader handles that see the last committed state.

A job's upload and description are kept in a private folder next to the registry until the job
has committed or failed, so a job that a shutdown or a crash cut short is queued again when the
service starts (an ingest is one transaction, and re-ingesting records that did commit is a
no-op).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .._files import make_private_dir, open_private
from ..config import SourceConfig, load_config
from ..errors import DtksLinkError, mask_numbers
from ..registry import IngestReport, Registry

__all__ = ["Job", "JobRunner"]

log = logging.getLogger("dtks_link.service")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class Job:
    """One batch: ``queued`` -> ``running`` -> ``committed`` | ``failed`` | ``interrupted``."""

    job_id: str
    key: str | None
    kind: str  # "upload" or "config"
    spec: dict[str, Any]
    state: str = "queued"
    submitted_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    run_id: int | None = None
    report: IngestReport | None = None
    error: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job_id,
            "state": self.state,
            "kind": self.kind,
            "source": self.spec.get("source", {}).get("name") if self.kind == "upload" else None,
            "submitted_at": self.submitted_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "run_id": self.run_id,
            "report": None if self.report is None else self.report.as_dict(),
            "error": self.error,
            "note": self.note,
        }


def new_job_id() -> str:
    return "J" + secrets.token_hex(8)


class JobRunner:
    """The queue and the writer thread. ``on_commit(handle)`` runs on the writer thread right
    after each commit (the service updates and swaps its lookup index there)."""

    def __init__(self, writer: Registry, folder: Path, on_commit: Callable[[Registry], None]) -> None:
        self.writer = writer
        self.folder = make_private_dir(folder)
        self.on_commit = on_commit
        self.jobs: dict[str, Job] = {}
        self.current: Job | None = None
        self.last_commit: float | None = None
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="dtks-link-ingest", daemon=True)
        self._lock = threading.Lock()

    # -- submitting ---------------------------------------------------------------------------
    def start(self) -> None:
        self._resume()
        self._thread.start()

    def upload_path(self, job_id: str, suffix: str) -> Path:
        return self.folder / f"{job_id}{suffix}"

    def submit(self, job: Job) -> Job:
        with open_private(self.folder / f"{job.job_id}.json", "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "job": job.job_id,
                    "key": job.key,
                    "kind": job.kind,
                    "spec": job.spec,
                    "submitted_at": job.submitted_at,
                },
                handle,
            )
        with self._lock:
            self.jobs[job.job_id] = job
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self.jobs.get(job_id)
        return job

    def counts(self) -> dict[str, int]:
        with self._lock:
            states = [j.state for j in self.jobs.values()]
        return {s: states.count(s) for s in ("queued", "running", "committed", "failed", "interrupted")}

    def _resume(self) -> None:
        """Queue again the jobs a previous service left unfinished."""
        for description in sorted(self.folder.glob("J*.json")):
            try:
                raw = json.loads(description.read_text(encoding="utf-8"))
                job = Job(
                    job_id=str(raw["job"]),
                    key=raw.get("key"),
                    kind=str(raw["kind"]),
                    spec=dict(raw["spec"]),
                    submitted_at=str(raw["submitted_at"]),
                )
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring an unreadable job description %s", description.name)
                continue
            done = self.writer.run_report(job.job_id)
            if done is not None:  # committed, but the service stopped before cleaning up
                job.state, job.run_id, job.report = "committed", done[0], done[1]
                with self._lock:
                    self.jobs[job.job_id] = job
                self._cleanup(job)
                continue
            job.note = "resumed after a restart"
            with self._lock:
                self.jobs[job.job_id] = job
            self._queue.put(job)

    # -- running ------------------------------------------------------------------------------
    def _sources(self, job: Job) -> tuple[SourceConfig, ...]:
        if job.kind == "config":
            return load_config(job.spec["config"]).sources
        source = dict(job.spec["source"])
        source["path"] = Path(source["path"])
        return (SourceConfig(**source),)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            self.current = job
            job.state, job.started_at = "running", _now()
            try:
                report = self.writer.ingest(self._sources(job), job_id=job.job_id)
            except duckdb.InterruptException:
                job.state, job.error = (
                    "interrupted",
                    "stopped by a shutdown and rolled back; it resumes at restart",
                )
            except DtksLinkError as exc:
                job.state, job.error = "failed", str(exc)
            except Exception as exc:  # a bug or an engine failure: keep the log, mask identifiers
                log.error("batch job %s failed: %s", job.job_id, mask_numbers(repr(exc)))
                job.state, job.error = "failed", "internal error while ingesting (see the service log)"
            else:
                self.last_commit = time.time()
                try:  # the lookup index first: a job reported committed is already searchable
                    self.on_commit(self.writer)
                except Exception as exc:
                    log.error("updating the lookup index failed: %s", mask_numbers(repr(exc)))
                job.state, job.report, job.run_id = "committed", report, report.run_id
            job.finished_at = _now()
            self.current = None
            if job.state != "interrupted":
                self._cleanup(job)

    def _cleanup(self, job: Job) -> None:
        for leftover in self.folder.glob(f"{job.job_id}*"):
            leftover.unlink(missing_ok=True)

    def stop(self, timeout: float) -> None:
        """Let the running job finish for up to ``timeout`` seconds, then interrupt it (its
        transaction rolls back). Queued jobs stay on disk and resume at the next start."""
        while True:  # drop queued jobs: they resume next time
            try:
                pending = self._queue.get_nowait()
            except queue.Empty:
                break
            if pending is not None:
                pending.state, pending.note = (
                    "interrupted",
                    "not started before the shutdown; resumes at restart",
                )
        self._queue.put(None)
        if not self._thread.is_alive():
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("interrupting the running batch job at shutdown (it rolls back and resumes later)")
            self.writer.con.interrupt()
            self._thread.join(30)
