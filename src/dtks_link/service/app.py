"""The FastAPI application behind ``dtks-link serve`` (needs the ``service`` extra).

Consistency: the service owns the registry file (DuckDB: one writing process). Batch jobs write
on one background thread (:mod:`.jobs`); lookups never wait for them. ``POST /v1/match`` reads
the in-memory index, which is replaced by an updated copy right after each commit (an atomic
reference swap: a query sees the index before or after a batch, never half of one), so new
residents are found well within a second of the commit. ``GET /v1/residents/...`` reads the
registry through per-thread handles that see the last committed state.

The application is put together here: the lifespan (open the registry, warm the index, start
the job runner), the error handlers and the routes. What it is made of lives beside it:
``api`` (error answer, request and response bodies), ``state`` (``ServiceConfig``,
``ServiceState``), ``auth`` (keys, scopes, rate limits), ``guard`` (size limits, metrics,
audit) and ``uploads`` (a batch file checked and saved as a job).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import traceback
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import pandas as pd
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from .._files import open_private
from .._version import __version__
from ..errors import DtksLinkError, QueryError, mask_identifier, mask_numbers
from ..registry import Registry
from ..registry.lookup import LookupIndex, MatchCandidate
from ..schema import IDENTIFIER_FIELDS
from .api import (
    ApiError,
    BackupRequest,
    BatchMatchResponse,
    ConfigBatch,
    MatchRequest,
    MatchResponse,
    error_response,
)
from .auth import AdminKey, IngestKey, MatchKey, ReadKey, note_audit, service_state
from .guard import BodyTooLarge, Guard
from .jobs import Job, new_job_id
from .state import ServiceConfig, ServiceState
from .uploads import upload_job

__all__ = ["ServiceConfig", "create_app"]

log = logging.getLogger("dtks_link.service")

_RESIDENT_ID = re.compile(r"^R\d{10}$")
_JOB_ID = re.compile(r"^J[0-9a-f]{16}$")
_MASKED = {"nik", "no_kk", *IDENTIFIER_FIELDS}


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
    registry = service_state(request).reader()
    survivor = registry.resolve(resident_id)
    if survivor == resident_id:
        return registry, None
    note_audit(request, audit_residents=[survivor])
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
        response = error_response(exc.status, exc.code, exc.message, exc.field)
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
        return error_response(
            422, "invalid_request", f"{first['field']}: {first['message']}", first["field"], problems=problems
        )

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, exc: BodyTooLarge) -> JSONResponse:
        return error_response(413, "too_large", "the request body exceeds the limit")

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        trace = "".join(traceback.format_exception(exc))
        log.error(
            "internal error on %s %s\n%s",
            request.method,
            request.scope.get("route", None) and request.scope["route"].path,
            mask_numbers(trace),
        )
        return error_response(500, "internal_error", "internal error; the service log has the details")

    def _index(request: Request) -> LookupIndex:
        state = service_state(request)
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
        state = service_state(request)
        if body.record is not None:
            # one record takes about a millisecond of Python: answered on the event loop, which
            # saves two thread hand-overs (the GIL would serialise the work anyway)
            note_audit(request, audit_records=1)
            matches = _lookup(index, body.record, body.top_k, "record")
            state.query_records.inc()
            note_audit(request, audit_residents=[m["resident_id"] for m in matches])
            return JSONResponse({"matches": matches})
        records = body.records
        assert records is not None
        note_audit(request, audit_records=len(records))

        def many() -> list[dict[str, Any]]:  # up to 1,000: on a worker thread, off the loop
            return [
                {"matches": _lookup(index, record, body.top_k, f"records[{i}]")}
                for i, record in enumerate(records)
            ]

        results = await run_in_threadpool(many)
        state.query_records.inc(len(records))
        note_audit(request, audit_residents=sorted({m["resident_id"] for r in results for m in r["matches"]}))
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
        note_audit(request, audit_residents=[resident_id])
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
        note_audit(request, audit_residents=[resident_id])
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
        state = service_state(request)
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
            job = await upload_job(request, state, job_id, key)
        else:
            raise ApiError(
                415,
                "unsupported_media_type",
                "send multipart/form-data (file upload) or application/json (config path)",
            )
        state.jobs.submit(job)
        note_audit(request, audit_job=job.job_id)
        return JSONResponse(job.as_dict(), status_code=202, headers={"Location": f"/v1/batches/{job.job_id}"})

    @app.get(
        "/v1/batches/{job_id}", tags=["batches"], summary="A batch job's state and report (scope: ingest)"
    )
    async def batch(job_id: str, request: Request, key: IngestKey) -> Any:
        if not _JOB_ID.match(job_id):
            raise ApiError(422, "invalid_job_id", "a job id is 'J' and 16 hex digits", field="job_id")
        state = service_state(request)
        note_audit(request, audit_job=job_id)
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
            path = service_state(request).reader().backup(body.dest)
        except DtksLinkError as exc:
            raise ApiError(422, "invalid_request", str(exc), field="dest") from None
        return {"backup": str(path), "bytes": path.stat().st_size}

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> Any:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Registry open, model loaded, index warm")
    async def readyz(request: Request) -> Any:
        state = service_state(request)
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
        return Response(generate_latest(service_state(request).metrics), media_type=CONTENT_TYPE_LATEST)

    return app
