"""The service's HTTP contract: the error answer and the request and response bodies.

Every error is ``{"error": {"code", "message", "field"}}`` with an HTTP status
(:class:`ApiError`, written by :func:`error_response`; numbers in the message are masked). The
pydantic models describe ``POST /v1/match`` (one record or up to :data:`MAX_BATCH_RECORDS`), its
answers, a batch from a config path and a backup request; FastAPI checks requests against them
and draws them in the OpenAPI page.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import mask_numbers
from ..schema import CANONICAL_FIELDS

__all__ = [
    "MAX_BATCH_RECORDS",
    "ApiError",
    "BackupRequest",
    "BatchMatchResponse",
    "BatchResult",
    "ConfigBatch",
    "Match",
    "MatchRequest",
    "MatchResponse",
    "error_response",
]

MAX_BATCH_RECORDS = 1000


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


def error_response(
    status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> JSONResponse:
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
