"""API keys: created once, shown once, stored only as SHA-256 hashes in a private key file.

A key looks like ``dtks_<id>_<secret>``: the id (8 hex digits) finds the entry, the secret
(32 random bytes) is what makes it a key. The file (JSON, ``0600``) holds per key its name, id,
hash, scopes, rate limit and dates; never the key. Keys are random, not passwords, so a fast
hash is enough: no one can guess a 256-bit secret from its hash.

Scopes: ``match`` (POST /v1/match), ``read`` (residents and their records), ``pii`` (NIK and KK
in clear in golden records), ``ingest`` (batches), ``admin`` (a batch from a config path on the
server, backups).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._files import make_private_dir, open_private
from ..errors import ConfigError

__all__ = ["SCOPES", "ApiKey", "KeyFile", "RateLimiter"]

SCOPES: tuple[str, ...] = ("match", "read", "pii", "ingest", "admin")

log = logging.getLogger("dtks_link.service")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_KEY = re.compile(r"^dtks_([0-9a-f]{8})_([A-Za-z0-9_-]{20,100})$")
_FORMAT = "dtks_link api keys"


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """One key's entry (never the key itself)."""

    name: str
    key_id: str
    sha256: str
    scopes: tuple[str, ...]
    rate_per_second: float
    burst: int
    created: str
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key_id": self.key_id,
            "sha256": self.sha256,
            "scopes": list(self.scopes),
            "rate_per_second": self.rate_per_second,
            "burst": self.burst,
            "created": self.created,
            "revoked": self.revoked,
        }


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class KeyFile:
    """The key file: add, list, revoke, and check a presented key.

    :meth:`authenticate` re-reads the file when it changed (checked at most once a second),
    so ``dtks-link keys revoke`` takes effect on a running service within a second.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._keys: dict[str, ApiKey] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._reload(force=True)

    # -- file -------------------------------------------------------------------------------
    def _reload(self, *, force: bool = False) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            self._keys, self._stamp = {}, None
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if not force and stamp == self._stamp:
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if raw.get("format") != _FORMAT:
                raise ValueError("not a key file")
            keys = {
                entry["key_id"]: ApiKey(
                    name=str(entry["name"]),
                    key_id=str(entry["key_id"]),
                    sha256=str(entry["sha256"]),
                    scopes=tuple(entry["scopes"]),
                    rate_per_second=float(entry["rate_per_second"]),
                    burst=int(entry["burst"]),
                    created=str(entry["created"]),
                    revoked=entry.get("revoked"),
                )
                for entry in raw["keys"]
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError([f"cannot read the key file: {exc}"], origin=str(self.path)) from None
        self._keys, self._stamp = keys, stamp

    def _save(self) -> None:
        make_private_dir(self.path.parent)
        payload = {"format": _FORMAT, "version": 1, "keys": [k.as_dict() for k in self._keys.values()]}
        partial = self.path.with_name(self.path.name + ".partial")
        with open_private(partial, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.write("\n")
        os.replace(partial, self.path)
        self._reload(force=True)

    # -- managing ---------------------------------------------------------------------------
    def add(
        self,
        name: str,
        scopes: Sequence[str],
        *,
        rate_per_second: float = 50.0,
        burst: int | None = None,
    ) -> tuple[str, ApiKey]:
        """Create a key; returns ``(key, entry)``. The key is not stored: show it once."""
        problems = []
        if not _NAME.match(name):
            problems.append(f"key name {name[:70]!r} must be 1-64 letters, digits, '_', '.', '-'")
        unknown = [s for s in scopes if s not in SCOPES]
        if unknown:
            problems.append(f"unknown scope(s) {unknown}; use some of {list(SCOPES)}")
        if not scopes:
            problems.append(f"a key needs at least one scope of {list(SCOPES)}")
        if rate_per_second <= 0:
            problems.append("the rate limit must be positive (requests per second)")
        with self._lock:
            self._reload()
            if any(k.name == name and k.active for k in self._keys.values()):
                problems.append(f"an active key named {name!r} exists; revoke it first")
            if problems:
                raise ConfigError(problems, origin="keys add")
            key_id = secrets.token_hex(4)
            while key_id in self._keys:
                key_id = secrets.token_hex(4)
            key = f"dtks_{key_id}_{secrets.token_urlsafe(32)}"
            entry = ApiKey(
                name=name,
                key_id=key_id,
                sha256=_digest(key),
                scopes=tuple(s for s in SCOPES if s in scopes),
                rate_per_second=float(rate_per_second),
                burst=int(burst if burst is not None else max(1, round(2 * rate_per_second))),
                created=_now(),
            )
            self._keys[key_id] = entry
            self._save()
        return key, entry

    def revoke(self, name: str) -> int:
        """Revoke every active key named ``name``; returns how many."""
        with self._lock:
            self._reload()
            hits = [k for k in self._keys.values() if k.name == name and k.active]
            for entry in hits:
                self._keys[entry.key_id] = ApiKey(**{**entry.__dict__, "revoked": _now()})
            if hits:
                self._save()
        return len(hits)

    def entries(self) -> list[ApiKey]:
        with self._lock:
            self._reload()
            return sorted(self._keys.values(), key=lambda k: (k.name, k.created))

    # -- checking ---------------------------------------------------------------------------
    def authenticate(self, presented: str) -> ApiKey | None:
        """The active entry of a presented key, or None (unknown, malformed, revoked)."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked >= 1.0:
                self._checked = now
                try:
                    self._reload()
                except ConfigError as exc:  # a half-edited file: keep the keys read before
                    log.error("%s; keeping the keys read before", exc)
            match = _KEY.match(presented)
            entry = self._keys.get(match.group(1)) if match else None
        if entry is None or not entry.active:
            return None
        if not hmac.compare_digest(entry.sha256, _digest(presented)):
            return None
        return entry


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token buckets per key: ``rate_per_second`` refill, ``burst`` capacity."""

    buckets: dict[str, _Bucket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: ApiKey, cost: float = 1.0) -> float:
        """0.0 when the request may go ahead, else the seconds to wait before retrying."""
        now = time.monotonic()
        with self.lock:
            bucket = self.buckets.get(key.key_id)
            if bucket is None:
                bucket = self.buckets[key.key_id] = _Bucket(float(key.burst), now)
            bucket.tokens = min(float(key.burst), bucket.tokens + (now - bucket.stamp) * key.rate_per_second)
            bucket.stamp = now
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return 0.0
            return (cost - bucket.tokens) / key.rate_per_second
