"""Who may call: API keys from the ``Authorization: Bearer`` header, their scopes and rate limits.

:func:`require` makes a FastAPI dependency that authenticates the caller's key (401 when it is
missing, unknown or revoked), checks that it holds a scope (403) and applies the key's rate
limit (429 with ``Retry-After``); :data:`MatchKey`, :data:`ReadKey`, :data:`IngestKey` and
:data:`AdminKey` are those dependencies as parameter types. :func:`note_audit` adds what a
request touched to the audit line the guard writes (``service.guard``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .api import ApiError
from .keys import ApiKey
from .state import ServiceState

__all__ = [
    "AdminKey",
    "Credentials",
    "IngestKey",
    "MatchKey",
    "ReadKey",
    "note_audit",
    "require",
    "service_state",
]

_bearer = HTTPBearer(auto_error=False, description="an API key from `dtks-link keys add`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def require(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency: the caller's key, which must hold ``scope`` (401, 403, 429 otherwise)."""

    async def dependency(request: Request, credentials: Credentials) -> ApiKey:
        state = service_state(request)
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


def note_audit(request: Request, **values: Any) -> None:
    request.scope.setdefault("state", {}).update(values)
