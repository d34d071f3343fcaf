"""A Python client for ``dtks-link serve``, mirroring :meth:`Registry.match` and
:meth:`Registry.resident` (needs ``httpx``: ``pip install 'dtks-link[service]'``).

>>> from dtks_link.client import Client                                  # doctest: +SKIP
>>> with Client("http://127.0.0.1:8000", key) as client:                 # doctest: +SKIP
...     hits = client.match({"nama": "SITI AMINAH", "tanggal_lahir": "12-08-1975"})
...     view = client.resident(hits[0].resident_id)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ._closing import Closing
from .errors import DtksLinkError, EngineError, QueryError
from .registry import GoldenValue, IngestReport, ResidentView
from .registry.lookup import MatchCandidate

__all__ = ["Client", "ServiceError"]


class ServiceError(DtksLinkError):
    """The service refused a request or failed; ``status`` is the HTTP status and ``code`` the
    service's error code (``unauthenticated``, ``forbidden``, ``rate_limited``, ...)."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        self.status = status
        self.code = code
        super().__init__(message)


class Client(Closing):
    """Talk to a matching service at ``url`` with an API key."""

    def __init__(self, url: str, key: str, *, timeout: float = 30.0) -> None:
        try:
            import httpx
        except ImportError:  # pragma: no cover - the extra is installed for the tests
            raise EngineError("the client needs httpx: pip install 'dtks-link[service]'") from None
        self._http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {key}"},
            timeout=timeout,
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the HTTP connections (also at the end of a ``with`` block)."""
        self._http.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code < 400:
            return response.json()
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "http_error", "message": response.text[:200]}
        message = f"{error.get('message', 'error')} (HTTP {response.status_code})"
        if response.status_code == 404:
            raise KeyError(message)
        if error.get("code") == "invalid_query":
            field = str(error.get("field") or "")
            raise QueryError(message, field=field.split(".", 1)[1] if "." in field else None)
        raise ServiceError(message, status=response.status_code, code=str(error.get("code")))

    # -- lookups ----------------------------------------------------------------------------------
    def match(self, record: Mapping[str, object], *, top_k: int = 5) -> list[MatchCandidate]:
        """Candidate residents for a record of canonical fields, best first (as
        :meth:`Registry.match`; ``source`` and ``record_id`` of the best record are not sent
        by the service and are empty here)."""
        body = self._request("POST", "/v1/match", json={"record": _jsonable(record), "top_k": top_k})
        return [_candidate(m) for m in body["matches"]]

    def match_many(
        self, records: Sequence[Mapping[str, object]], *, top_k: int = 5
    ) -> list[list[MatchCandidate]]:
        """:meth:`match` for many records, in order, 1,000 per request."""
        results: list[list[MatchCandidate]] = []
        for start in range(0, len(records), 1000):
            chunk = [_jsonable(r) for r in records[start : start + 1000]]
            body = self._request("POST", "/v1/match", json={"records": chunk, "top_k": top_k})
            results += [[_candidate(m) for m in r["matches"]] for r in body["results"]]
        return results

    def resident(self, resident_id: str) -> ResidentView:
        """The golden record (a merged id is followed to its survivor) and member records.
        Identifiers come masked unless the key has the ``pii`` scope."""
        body = self._request("GET", f"/v1/residents/{resident_id}")
        records = self._request("GET", f"/v1/residents/{body['resident_id']}/records")
        golden = {
            name: GoldenValue(value=v["value"], source=v["source"], record_id=v["record_id"], rule=v["rule"])
            for name, v in body["golden"].items()
        }
        return ResidentView(
            resident_id=body["resident_id"],
            status=body["status"],
            merged_into=None,
            golden=golden,
            members=pd.DataFrame(records["records"], columns=["source", "record_id"]),
            events=pd.DataFrame(body["history"]),
        )

    # -- batches and operations -------------------------------------------------------------------
    def submit_batch(
        self,
        path: str | Path,
        *,
        source: str,
        id_column: str = "record_id",
        columns: Mapping[str, str] | None = None,
        duplicate_free: bool = False,
    ) -> str:
        """Upload a CSV or Parquet batch; returns the job id."""
        import json

        target = Path(path)
        data = {"source": source, "id_column": id_column, "duplicate_free": str(duplicate_free).lower()}
        if columns is not None:
            data["columns"] = json.dumps(dict(columns))
        with open(target, "rb") as handle:
            body = self._request("POST", "/v1/batches", data=data, files={"file": (target.name, handle)})
        return str(body["job"])

    def batch(self, job_id: str) -> dict[str, Any]:
        """A job's state (``queued``, ``running``, ``committed``, ``failed``, ``interrupted``)."""
        body: dict[str, Any] = self._request("GET", f"/v1/batches/{job_id}")
        return body

    def wait_for_batch(self, job_id: str, *, timeout: float = 600.0) -> IngestReport:
        """Wait until the job has committed and return its report (raise if it failed)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.batch(job_id)
            if job["state"] == "committed":
                return IngestReport.from_dict(job["report"])
            if job["state"] in ("failed", "interrupted"):
                raise ServiceError(
                    f"batch {job_id} {job['state']}: {job['error']}", status=200, code=job["state"]
                )
            if time.monotonic() > deadline:
                raise ServiceError(f"batch {job_id} still {job['state']}", status=200, code="timeout")
            time.sleep(0.2)

    def backup(self, dest: str) -> str:
        """Have the service write a consistent copy of the registry to ``dest`` (on the server;
        needs the ``admin`` scope)."""
        return str(self._request("POST", "/v1/admin/backup", json={"dest": dest})["backup"])


def _jsonable(record: Mapping[str, object]) -> dict[str, object]:
    import datetime as dt

    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()}


def _candidate(raw: Mapping[str, Any]) -> MatchCandidate:
    return MatchCandidate(
        resident_id=str(raw["resident_id"]),
        match_probability=float(raw["match_probability"]),
        match_weight=float(raw["match_weight"]),
        source="",
        record_id="",
        explanation=str(raw["explanation"]),
    )
