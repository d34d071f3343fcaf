"""The FastAPI application behind ``dtks-link serve`` (needs the ``service`` extra).

Consistency: the service owns the registry file (DuckDB: one writing process). Batch jobs write
on one background thread (:mod:`.jobs`); lookups never wait for them. ``POST /v1/match`` reads
the in-memory index, which is replaced by an updated copy right after each commit (an atomic
reference swap: a query sees the index before or after a batch, never half of one), so new
residents are found well within a second of the commit. ``GET /v1/residents/...`` reads the
registry through per-thread handles that see the last committed state.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
import pandas as pd
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from .._files import make_private_dir, open_private
from .._version import __version__
from ..config import SourceConfig
from ..errors import DtksLinkError, QueryError, mask_identifier, mask_numbers
from ..registry import Registry
from ..registry.lookup import LookupIndex, MatchCandidate
from ..schema import CANONICAL_FIELDS, IDENTIFIER_FIELDS
from .audit import AuditLog
from .jobs import Job, JobRunner, new_job_id
from .keys import ApiKey, KeyFile, RateLimiter

__all__ = ["ServiceConfig", "create_app"]

log = logging.getLogger("dtks_link.service")

MAX_BATCH_RECORDS = 1000
_RESIDENT_ID = re.compile(r"^R\d{10}$")
_JOB_ID = re.compile(r"^J[0-9a-f]{16}$")
_MASKED = {"nik", "no_kk", *IDENTIFIER_FIELDS}


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


class ApiError(Exception):
    """An error answer: ``{"error": {"code", "message", "field"}}`` with an HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = mask_numbers(message)
        self.field = field
        self.headers = headers or {}


def _error(status: int, code: str, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    body.update(extra)
    return JSONResponse({"error": body}, status_code=status)


# -- request and response models ----------------------------------------------------------------
class MatchRequest(BaseModel):
    """One record (``record``) or up to 1,000 (``records``), in canonical fields."""

    model_config = ConfigDict(extra="forbid")

    record: dict[str, Any] | None = Field(
        default=None,
        description=f"canonical fields, any subset: {', '.join(CANONICAL_FIELDS)}",
        examples=[{"nama": "SITI AMINAH", "tanggal_lahir": "12-08-1975"}],
    )
    records: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_BATCH_RECORDS)
    top_k: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _one_form(self) -> MatchRequest:
        if (self.record is None) == (self.records is None):
            raise ValueError("give either 'record' (one) or 'records' (a batch), not both or neither")
        return self


class Match(BaseModel):
    resident_id: str
    match_probability: float
    match_weight: float
    explanation: str = Field(description="each comparison's level and weight; never a value")


class MatchResponse(BaseModel):
    matches: list[Match]


class BatchResult(BaseModel):
    matches: list[Match]


class BatchMatchResponse(BaseModel):
    results: list[BatchResult]


class ConfigBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: str = Field(description="path of a linkage config (TOML) on the server; admin keys only")


class BackupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dest: str = Field(description="path of the new backup file on the server")


# -- state --------------------------------------------------------------------------------------
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


# -- authentication -----------------------------------------------------------------------------
_bearer = HTTPBearer(auto_error=False, description="an API key from `dtks-link keys add`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def require(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency: the caller's key, which must hold ``scope`` (401, 403, 429 otherwise)."""

    async def dependency(request: Request, credentials: Credentials) -> ApiKey:
        state = _state(request)
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise ApiError(
                401,
                "unauthenticated",
                "send an API key: 'Authorization: Bearer KEY'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key = state.keys.authenticate(credentials.credentials)
        if key is None:
            raise ApiError(
                401,
                "unauthenticated",
                "the API key is unknown or revoked",
                headers={"WWW-Authenticate": "Bearer"},
            )
        request.scope.setdefault("state", {})["key_name"] = key.name
        if scope not in key.scopes:
            raise ApiError(403, "forbidden", f"the key {key.name!r} lacks the {scope!r} scope")
        wait = state.limiter.allow(key)
        if wait > 0:
            raise ApiError(
                429,
                "rate_limited",
                f"the key {key.name!r} exceeds its rate limit of {key.rate_per_second:g} requests per second",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
        return key

    return dependency


MatchKey = Annotated[ApiKey, Depends(require("match"))]
ReadKey = Annotated[ApiKey, Depends(require("read"))]
IngestKey = Annotated[ApiKey, Depends(require("ingest"))]
AdminKey = Annotated[ApiKey, Depends(require("admin"))]


def _audit(request: Request, **values: Any) -> None:
    request.scope.setdefault("state", {}).update(values)


# -- the guard: size limits, metrics, audit -----------------------------------------------------
class _TooLarge(Exception):
    pass


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class Guard:
    """ASGI middleware: refuses bodies over the limits (413), then records every request in the
    metrics and every ``/v1`` request in the audit log."""

    def __init__(self, app: Callable[..., Awaitable[None]], owner: FastAPI) -> None:
        self.app = app
        self.owner = owner

    @property
    def service(self) -> ServiceState:
        state: ServiceState = self.owner.state.service
        return state

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        config = self.service.config
        upload = scope["path"] == "/v1/batches" and scope["method"] == "POST"
        limit = config.max_upload_bytes if upload else config.max_body_bytes
        status = 500
        received = 0

        async def guarded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                raise _TooLarge
            await self.app(scope, guarded_receive, watched_send)
        except _TooLarge:
            response = _error(413, "too_large", f"the request body exceeds {limit:,} bytes")
            await response(scope, receive, watched_send)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            endpoint = getattr(route, "path", None) or "(no route)"
            self.service.requests.labels(endpoint, scope["method"], str(status)).inc()
            self.service.latency.labels(endpoint).observe(elapsed)
            if scope["path"].startswith("/v1/"):
                state = scope.get("state", {})
                self.service.audit.write(
                    key=state.get("key_name"),
                    endpoint=endpoint,
                    method=scope["method"],
                    status=status,
                    latency_ms=elapsed * 1000,
                    records=int(state.get("audit_records", 0)),
                    resident_ids=state.get("audit_residents", ()),
                    job=state.get("audit_job"),
                )


# -- the application ----------------------------------------------------------------------------
def _candidate(hit: MatchCandidate) -> dict[str, Any]:
    return {
        "resident_id": hit.resident_id,
        "match_probability": hit.match_probability,
        "match_weight": hit.match_weight,
        "explanation": hit.explanation,
    }


def _open_resident(
    request: Request, resident_id: str, suffix: str
) -> tuple[Registry, RedirectResponse | None]:
    """This thread's registry handle, and a 307 to the survivor when the id was merged."""
    _check_resident_id(resident_id)
    registry = _state(request).reader()
    survivor = registry.resolve(resident_id)
    if survivor == resident_id:
        return registry, None
    _audit(request, audit_residents=[survivor])
    return registry, RedirectResponse(f"/v1/residents/{survivor}{suffix}", status_code=307)


def _check_resident_id(resident_id: str) -> None:
    if not _RESIDENT_ID.match(resident_id):
        raise ApiError(
            422,
            "invalid_resident_id",
            "a resident id is 'R' and 10 digits, e.g. R0000000042",
            field="resident_id",
        )


def create_app(config: ServiceConfig) -> FastAPI:
    """The application for ``config``; the registry is opened when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(1, config.workers)
        service = ServiceState(config)
        app.state.service = service
        if not service.keys.entries():
            log.warning(
                "the key file %s holds no key: every request will get 401. Create one with "
                "`dtks-link keys add %s NAME --scopes match,read`",
                config.keys,
                config.keys,
            )
        log.info(
            "serving %s at %s (API docs at /docs); keys %s; audit log %s",
            config.registry,
            config.url,
            config.keys,
            config.audit_log,
        )
        warm = threading.Thread(target=service.warm, name="dtks-link-warm", daemon=True)
        warm.start()
        service.jobs.start()
        discovery = config.registry.with_name(config.registry.name + ".service.json")
        with open_private(discovery, "w", encoding="utf-8") as handle:
            json.dump({"url": config.url, "pid": os.getpid(), "version": __version__}, handle)
        try:
            yield
        finally:
            discovery.unlink(missing_ok=True)
            await run_in_threadpool(service.close)
            log.info("stopped cleanly")

    app = FastAPI(
        title="dtks_link matching service",
        version=__version__,
        description=(
            "Look residents up in a dtks_link registry: match a record, read a golden record, "
            "ingest a batch. Every /v1 endpoint needs `Authorization: Bearer KEY` with its scope."
        ),
        lifespan=lifespan,
    )

    app.add_middleware(Guard, owner=app)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        response = _error(exc.status, exc.code, exc.message, exc.field)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            location = [str(p) for p in error.get("loc", ()) if p not in ("body", "path", "query")]
            field = ".".join(location) or "body"
            # the message only: pydantic's "input" would echo the value back
            problems.append({"field": field, "message": mask_numbers(str(error.get("msg", "invalid")))})
        first = problems[0] if problems else {"field": "body", "message": "invalid request"}
        return _error(
            422, "invalid_request", f"{first['field']}: {first['message']}", first["field"], problems=problems
        )

    @app.exception_handler(_TooLarge)
    async def _too_large(request: Request, exc: _TooLarge) -> JSONResponse:
        return _error(413, "too_large", "the request body exceeds the limit")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        trace = "".join(traceback.format_exception(exc))
        log.error(
            "internal error on %s %s\n%s",
            request.method,
            request.scope.get("route", None) and request.scope["route"].path,
            mask_numbers(trace),
        )
        return _error(500, "internal_error", "internal error; the service log has the details")

    def _index(request: Request) -> LookupIndex:
        state = _state(request)
        index = state.index
        if index is None:
            if state.index_error:
                raise ApiError(503, "not_ready", "the registry cannot answer lookups: " + state.index_error)
            raise ApiError(
                503,
                "not_ready",
                "the lookup index is warming up; retry shortly",
                headers={"Retry-After": "1"},
            )
        return index

    def _lookup(index: LookupIndex, record: dict[str, Any], top_k: int, where: str) -> list[dict[str, Any]]:
        try:
            return [_candidate(hit) for hit in index.match(record, top_k=top_k)]
        except QueryError as exc:
            field = where if exc.field is None else f"{where}.{exc.field}"
            raise ApiError(422, "invalid_query", str(exc), field=field) from None

    # -- endpoints -------------------------------------------------------------------------------
    @app.post(
        "/v1/match",
        response_model=MatchResponse | BatchMatchResponse,
        tags=["match"],
        summary="Which residents is this record? (scope: match)",
    )
    async def match(body: MatchRequest, request: Request, key: MatchKey) -> Any:
        """``{"record": {...}, "top_k": 5}`` gives ``{"matches": [...]}``; ``{"records": [...]}``
        (at most 1,000) gives ``{"results": [{"matches": [...]}, ...]}`` in order. Each match
        has ``resident_id``, ``match_probability``, ``match_weight`` and ``explanation``.
        Unknown fields, wrong types and queries with nothing to search on get 422."""
        index = _index(request)
        state = _state(request)
        if body.record is not None:
            # one record takes about a millisecond of Python: answered on the event loop, which
            # saves two thread hand-overs (the GIL would serialise the work anyway)
            _audit(request, audit_records=1)
            matches = _lookup(index, body.record, body.top_k, "record")
            state.query_records.inc()
            _audit(request, audit_residents=[m["resident_id"] for m in matches])
            return JSONResponse({"matches": matches})
        records = body.records
        assert records is not None
        _audit(request, audit_records=len(records))

        def many() -> list[dict[str, Any]]:  # up to 1,000: on a worker thread, off the loop
            return [
                {"matches": _lookup(index, record, body.top_k, f"records[{i}]")}
                for i, record in enumerate(records)
            ]

        results = await run_in_threadpool(many)
        state.query_records.inc(len(records))
        _audit(request, audit_residents=sorted({m["resident_id"] for r in results for m in r["matches"]}))
        return JSONResponse({"results": results})

    @app.get(
        "/v1/residents/{resident_id}",
        tags=["residents"],
        summary="A resident's golden record with provenance (scope: read; NIK/KK in clear: pii)",
    )
    def resident(resident_id: str, request: Request, key: ReadKey) -> Any:
        """The golden record, each value with its source, record id and survivorship rule;
        ``nik``, ``no_kk`` and ``id_lain`` are masked unless the key has the ``pii`` scope. A
        merged id answers 307 with the survivor's URL."""
        registry, redirect = _open_resident(request, resident_id, "")
        if redirect is not None:
            return redirect
        try:
            view = registry.resident(resident_id)
        except KeyError:
            raise ApiError(404, "not_found", "no such resident", field="resident_id") from None
        _audit(request, audit_residents=[resident_id])
        pii = "pii" in key.scopes
        golden = {}
        for name, value in view.golden.items():
            shown: Any = value.value
            masked = name in _MASKED and not pii and shown is not None
            golden[name] = {
                "value": mask_identifier(shown) if masked else shown,
                "masked": masked,
                "source": value.source,
                "record_id": value.record_id,
                "rule": value.rule,
            }
        history = [
            {
                "run_id": int(event["run_id"]),
                "happened_at": str(event["happened_at"]),
                "kind": str(event["kind"]),
                "resident_id": str(event["resident_id"]),
                "other_resident_id": None
                if pd.isna(event["other_resident_id"])
                else str(event["other_resident_id"]),
            }
            for event in view.events.to_dict("records")
            if event["kind"] in ("created", "merged", "split")
        ]
        return {
            "resident_id": view.resident_id,
            "status": view.status,
            "golden": golden,
            "records": len(view.members),
            "history": history,
        }

    @app.get(
        "/v1/residents/{resident_id}/records",
        tags=["residents"],
        summary="A resident's member records as source and record id (scope: read)",
    )
    def resident_records(resident_id: str, request: Request, key: ReadKey) -> Any:
        registry, redirect = _open_resident(request, resident_id, "/records")
        if redirect is not None:
            return redirect
        rows = registry.con.execute(
            "SELECT r.source, r.record_id FROM reg.membership m JOIN reg.records r USING (unique_id) "
            "WHERE m.resident_id = ? ORDER BY r.source, r.record_id",
            [resident_id],
        ).fetchall()
        if (
            not rows
            and not registry.con.execute(
                "SELECT 1 FROM reg.residents WHERE resident_id = ?", [resident_id]
            ).fetchall()
        ):
            raise ApiError(404, "not_found", "no such resident", field="resident_id")
        _audit(request, audit_residents=[resident_id])
        return {"resident_id": resident_id, "records": [{"source": s, "record_id": r} for s, r in rows]}

    @app.post(
        "/v1/batches",
        status_code=202,
        tags=["batches"],
        summary="Ingest a batch as a background job (scope: ingest; a config path: admin)",
        openapi_extra={
            "requestBody": {
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file", "source"],
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "CSV or Parquet",
                                },
                                "source": {"type": "string", "description": "source name, e.g. puskesmas"},
                                "id_column": {"type": "string", "default": "record_id"},
                                "columns": {
                                    "type": "string",
                                    "description": "JSON object canonical field -> column; default: "
                                    "the file's columns named like canonical fields",
                                },
                                "duplicate_free": {"type": "boolean", "default": False},
                            },
                        }
                    },
                    "application/json": {"schema": ConfigBatch.model_json_schema()},
                }
            }
        },
    )
    async def submit_batch(request: Request, key: IngestKey) -> Any:
        """Queue a batch; answers 202 with the job id. ``GET /v1/batches/{job}`` follows it."""
        state = _state(request)
        content_type = request.headers.get("content-type", "")
        job_id = new_job_id()
        if content_type.startswith("application/json"):
            if "admin" not in key.scopes:
                raise ApiError(
                    403, "forbidden", "a batch from a config path on the server needs the 'admin' scope"
                )
            try:
                body = ConfigBatch.model_validate_json(await request.body())
            except ValueError:
                raise ApiError(
                    422, "invalid_request", 'give {"config": "/path/batch.toml"}', field="config"
                ) from None
            if not Path(body.config).is_file():
                raise ApiError(
                    422, "invalid_request", "no config file at that path on the server", field="config"
                )
            job = Job(job_id=job_id, key=key.name, kind="config", spec={"config": body.config})
        elif content_type.startswith("multipart/form-data"):
            job = await _upload_job(request, state, job_id, key)
        else:
            raise ApiError(
                415,
                "unsupported_media_type",
                "send multipart/form-data (file upload) or application/json (config path)",
            )
        state.jobs.submit(job)
        _audit(request, audit_job=job.job_id)
        return JSONResponse(job.as_dict(), status_code=202, headers={"Location": f"/v1/batches/{job.job_id}"})

    @app.get(
        "/v1/batches/{job_id}", tags=["batches"], summary="A batch job's state and report (scope: ingest)"
    )
    async def batch(job_id: str, request: Request, key: IngestKey) -> Any:
        if not _JOB_ID.match(job_id):
            raise ApiError(422, "invalid_job_id", "a job id is 'J' and 16 hex digits", field="job_id")
        state = _state(request)
        _audit(request, audit_job=job_id)
        job = state.jobs.get(job_id)
        if job is not None:  # in memory: answered on the event loop, no thread hand-over
            return JSONResponse(job.as_dict())
        done = await run_in_threadpool(lambda: state.reader().run_report(job_id))
        if done is None:
            raise ApiError(404, "not_found", "no such batch job", field="job_id")
        run_id, report = done
        return Job(
            job_id=job_id,
            key=None,
            kind="unknown",
            spec={},
            state="committed",
            run_id=run_id,
            report=report,
            note="committed under an earlier start of the service",
        ).as_dict()

    @app.post("/v1/admin/backup", tags=["admin"], summary="A consistent copy of the registry (scope: admin)")
    def backup(body: BackupRequest, request: Request, key: AdminKey) -> Any:
        try:
            path = _state(request).reader().backup(body.dest)
        except DtksLinkError as exc:
            raise ApiError(422, "invalid_request", str(exc), field="dest") from None
        return {"backup": str(path), "bytes": path.stat().st_size}

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> Any:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Registry open, model loaded, index warm")
    async def readyz(request: Request) -> Any:
        state = _state(request)
        index = state.index
        body: dict[str, Any] = {
            "registry": True,
            "model": state.registry.model_json is not None if index is None else True,
            "index": index is not None,
            "records": index.size if index is not None else 0,
            "last_run": index.last_run if index is not None else None,
        }
        if index is None:
            if state.index_error:
                body["error"] = state.index_error
            return JSONResponse(body, status_code=503)
        return body

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(_state(request).metrics), media_type=CONTENT_TYPE_LATEST)

    return app


async def _upload_job(request: Request, state: ServiceState, job_id: str, key: ApiKey) -> Job:
    from starlette.datastructures import UploadFile

    form = await request.form(max_files=1, max_fields=8)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "invalid_request", "attach the batch as the form field 'file'", field="file")
        name = (upload.filename or "").lower()
        suffix = (
            ".parquet"
            if name.endswith((".parquet", ".pq"))
            else ".csv"
            if name.endswith((".csv", ".txt"))
            else ""
        )
        if not suffix:
            raise ApiError(422, "invalid_request", "the file must be .csv or .parquet", field="file")
        source_name = str(form.get("source") or "")
        id_column = str(form.get("id_column") or "record_id")
        duplicate_free = str(form.get("duplicate_free") or "false").lower() in ("1", "true", "yes")
        target = state.jobs.upload_path(job_id, suffix)
        make_private_dir(target.parent)

        def save() -> None:
            with open_private(target, "wb") as out:
                shutil.copyfileobj(upload.file, out, 1024 * 1024)

        await run_in_threadpool(save)
    finally:
        await form.close()
    try:
        header = await run_in_threadpool(_header, target, suffix)
        raw_columns = form.get("columns")
        if raw_columns:
            try:
                columns = json.loads(str(raw_columns))
                if not isinstance(columns, dict):
                    raise ValueError
            except ValueError:
                raise ApiError(
                    422,
                    "invalid_request",
                    "'columns' must be a JSON object canonical field -> column",
                    field="columns",
                ) from None
        else:
            columns = {c: c for c in CANONICAL_FIELDS if c in header}
        if id_column not in header:
            raise ApiError(
                422, "invalid_request", f"the file has no id column {id_column[:60]!r}", field="id_column"
            )
        missing = sorted(str(c) for c in columns.values() if c not in header)
        if missing:
            raise ApiError(
                422, "invalid_request", f"the file lacks the mapped columns {missing[:5]}", field="columns"
            )
        spec: dict[str, Any] = {
            "name": source_name,
            "path": str(target),
            "id_column": id_column,
            "columns": columns,
            "duplicate_free": duplicate_free,
            "format": suffix[1:],
        }
        try:
            SourceConfig(**{**spec, "path": target})
        except DtksLinkError as exc:
            raise ApiError(422, "invalid_request", str(exc), field="source") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Job(job_id=job_id, key=key.name, kind="upload", spec={"source": spec})


def _header(path: Path, suffix: str) -> list[str]:
    """Column names of an uploaded CSV or Parquet file."""
    import duckdb

    con = duckdb.connect()
    try:
        reader = "read_parquet(?)" if suffix == ".parquet" else "read_csv(?, all_varchar = true)"
        return [str(d[0]) for d in con.execute(f"SELECT * FROM {reader} LIMIT 0", [str(path)]).description]
    except duckdb.Error:
        raise ApiError(
            422, "invalid_request", "the file cannot be read as " + suffix[1:], field="file"
        ) from None
    finally:
        con.close()
