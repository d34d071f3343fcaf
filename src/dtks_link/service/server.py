"""``dtks-link serve``: run the matching service with uvicorn."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from ..errors import EngineError
from . import require_service_extra

__all__ = ["default_audit_log", "default_key_file", "serve"]


def default_key_file(registry: Path) -> Path:
    return registry.with_name(registry.name + ".keys")


def default_audit_log(registry: Path) -> Path:
    return registry.with_name(registry.name + ".audit.jsonl")


def serve(
    registry: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    keys: str | Path | None = None,
    workers: int = 8,
    audit_log: str | Path | None = None,
    max_upload_mb: int = 256,
    drain_seconds: float = 30.0,
    engine_threads: int = 1,
) -> None:
    """Serve ``registry`` until SIGINT/SIGTERM, then shut down gracefully: stop accepting,
    finish the requests in flight, give a running batch ``drain_seconds`` to commit (then roll
    it back; it resumes at the next start).

    ``workers`` is the number of threads answering requests in the one service process (DuckDB
    allows one process to write the file); ``engine_threads`` the number of DuckDB threads for
    batch jobs (1 by default, leaving the other core to lookups); see the README's "Serving"
    section.
    """
    require_service_extra()
    import uvicorn

    from .app import ServiceConfig, create_app

    path = Path(registry)
    if not path.is_file():
        raise EngineError(
            f"no registry file {str(path)!r}: build one with `dtks-link link CONFIG --registry FILE`"
        )
    from ..registry import Registry

    with Registry(path) as opened:  # refuse an old format, a locked or an empty registry up front
        if opened.model_json is None:
            raise EngineError(f"registry {str(path)!r} has no model yet: build it before serving it")
    os.umask(0o077)  # everything this process creates holds personal data or secrets
    # a batch job's Python work shares the GIL with the lookups: hand it over every millisecond
    # (default 5 ms), so a lookup waits less behind an ingest
    sys.setswitchinterval(0.001)
    logging.basicConfig(level=logging.WARNING, format="dtks-link serve: %(message)s")
    logging.getLogger("dtks_link.service").setLevel(logging.INFO)
    config = ServiceConfig(
        registry=path,
        keys=Path(keys) if keys is not None else default_key_file(path),
        audit_log=Path(audit_log) if audit_log is not None else default_audit_log(path),
        workers=workers,
        max_upload_bytes=max_upload_mb * 1024 * 1024,
        drain_seconds=drain_seconds,
        engine_threads=engine_threads,
        url=f"http://{host}:{port}",
    )
    app = create_app(config)
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,  # a raw path may hold what a client typed; the audit log is the record
        log_level="warning",
        timeout_graceful_shutdown=int(drain_seconds) + 5,
        server_header=False,
    )
