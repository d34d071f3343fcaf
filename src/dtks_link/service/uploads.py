"""Batch uploads: an uploaded CSV or Parquet file checked and saved as a batch job.

:func:`upload_job` reads the multipart form of ``POST /v1/batches`` (the file, the source name,
the id column, the column mapping, ``duplicate_free``), saves the file privately where the job
runner keeps uploads, checks its header against the mapping and the source config (422 naming the
form field otherwise; the saved file is removed) and returns the :class:`~.jobs.Job` to queue.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from .._files import make_private_dir, open_private
from ..config import SourceConfig
from ..errors import DtksLinkError
from ..schema import CANONICAL_FIELDS
from .api import ApiError
from .jobs import Job
from .keys import ApiKey
from .state import ServiceState

__all__ = ["upload_job"]


async def upload_job(request: Request, state: ServiceState, job_id: str, key: ApiKey) -> Job:
    """The batch job of an uploaded file (a multipart form), its file saved and checked."""
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
        header = await run_in_threadpool(_upload_header, target, suffix)
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


def _upload_header(path: Path, suffix: str) -> list[str]:
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
