"""The guard around every request: body size limits, metrics and the audit log.

:class:`Guard` is ASGI middleware: it refuses a body over the limit (413; uploads to
``POST /v1/batches`` have a larger one), by its declared length or as it is received, then
counts every request and its latency in the Prometheus metrics and writes every ``/v1``
request to the audit log (key name, endpoint, status, latency, records and resident ids
touched; never a value).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

from .api import error_response
from .state import ServiceState

__all__ = ["BodyTooLarge", "Guard", "Message", "Scope"]


class BodyTooLarge(Exception):
    """A request body over the size limit (answered 413)."""


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
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                raise BodyTooLarge
            await self.app(scope, guarded_receive, watched_send)
        except BodyTooLarge:
            response = error_response(413, "too_large", f"the request body exceeds {limit:,} bytes")
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
