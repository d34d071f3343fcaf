"""The audit log: who asked what, one JSON line per request, append-only, ``0600``.

Each line holds ``time`` (UTC, ISO 8601), ``key`` (the key's name; null when no valid key was
given), ``endpoint`` (the route, e.g. ``/v1/residents/{resident_id}``), ``method``, ``status``,
``records`` (query records in the request), ``resident_ids`` (the ids the response returned),
``job`` (a batch job id) and ``latency_ms``. It never holds a query's values: no NIK, KK, name,
date or address, and no raw path (a path may carry whatever a client typed).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .._files import make_private_dir, open_private

__all__ = ["AuditLog", "AuditSummary", "summarise_audit"]


class AuditLog:
    """Appends audit lines to a private file (created ``0600``), one write per line."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        make_private_dir(self.path.parent)
        self._handle: IO[str] = open_private(self.path, "a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(
        self,
        *,
        key: str | None,
        endpoint: str,
        method: str,
        status: int,
        latency_ms: float,
        records: int = 0,
        resident_ids: Iterable[str] = (),
        job: str | None = None,
    ) -> None:
        entry: dict[str, Any] = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "key": key,
            "endpoint": endpoint,
            "method": method,
            "status": status,
            "records": records,
            "resident_ids": list(resident_ids),
            "latency_ms": round(latency_ms, 3),
        }
        if job is not None:
            entry["job"] = job
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()

    def close(self) -> None:
        with self._lock:
            self._handle.close()


@dataclass
class _KeyStats:
    requests: int = 0
    records: int = 0
    residents: set[str] = field(default_factory=set)
    endpoints: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class AuditSummary:
    """What :func:`summarise_audit` found."""

    lines: int
    unreadable: int
    first: str | None
    last: str | None
    per_key: Mapping[str, Mapping[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "unreadable": self.unreadable,
            "first": self.first,
            "last": self.last,
            "per_key": {k: dict(v) for k, v in self.per_key.items()},
        }

    def text(self) -> str:
        out = [
            f"{self.lines:,} requests from {self.first} to {self.last}"
            + (f" ({self.unreadable} unreadable lines)" if self.unreadable else "")
        ]
        header = (
            f"{'key':<20} {'requests':>9} {'records':>9} {'residents':>10} {'denied':>7} "
            f"{'errors':>7} {'p50 ms':>8} {'p95 ms':>8}"
        )
        out.append(header)
        for name, stats in self.per_key.items():
            out.append(
                f"{name:<20} {stats['requests']:>9,} {stats['records']:>9,} "
                f"{stats['distinct_residents']:>10,} {stats['denied']:>7,} {stats['errors']:>7,} "
                f"{stats['latency_p50_ms']:>8.1f} {stats['latency_p95_ms']:>8.1f}"
            )
            for endpoint, count in stats["endpoints"].items():
                out.append(f"    {endpoint:<44} {count:>9,}")
        return "\n".join(out)


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def summarise_audit(path: str | Path) -> AuditSummary:
    """Requests, records queried, distinct residents returned, refusals (401/403/429), errors
    and latency per key, and the period covered."""
    per_key: dict[str, _KeyStats] = defaultdict(_KeyStats)
    lines = unreadable = 0
    first = last = None
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                key = entry.get("key") or "(no valid key)"
                stats = per_key[key]
                stats.requests += 1
                stats.records += int(entry.get("records", 0))
                stats.residents.update(entry.get("resident_ids", []))
                stats.endpoints[f"{entry['method']} {entry['endpoint']}"] += 1
                stats.statuses[int(entry["status"])] += 1
                stats.latencies.append(float(entry["latency_ms"]))
                first = first or entry["time"]
                last = entry["time"]
                lines += 1
            except (ValueError, KeyError, TypeError):
                unreadable += 1
    summary: dict[str, dict[str, Any]] = {}
    for name in sorted(per_key):
        stats = per_key[name]
        summary[name] = {
            "requests": stats.requests,
            "records": stats.records,
            "distinct_residents": len(stats.residents),
            "denied": sum(n for s, n in stats.statuses.items() if s in (401, 403, 429)),
            "errors": sum(n for s, n in stats.statuses.items() if s >= 500),
            "statuses": {str(s): n for s, n in sorted(stats.statuses.items())},
            "endpoints": dict(stats.endpoints.most_common()),
            "latency_p50_ms": _percentile(stats.latencies, 50),
            "latency_p95_ms": _percentile(stats.latencies, 95),
        }
    return AuditSummary(lines=lines, unreadable=unreadable, first=first, last=last, per_key=summary)
