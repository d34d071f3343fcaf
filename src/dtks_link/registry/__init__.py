"""The resident registry: stable resident ids across runs, incremental batches, golden records
and real-time lookup, stored in one DuckDB file.

>>> with dtks_link.Registry("depok.registry") as registry:         # doctest: +SKIP
...     dtks_link.link("config.toml", registry=registry)           # build (or re-run)
...     registry.ingest(new_batch_sources)                         # incremental
...     registry.resident("R0000000042").golden
...     registry.match({"nama": "Siti Aminah", "tanggal_lahir": "12-08-1975"})

The schema is documented in :mod:`dtks_link.registry.schema`.
"""

from .store import (
    GoldenValue,
    IngestReport,
    Registry,
    RegistryLockedError,
    RegistryVersionError,
    ResidentView,
)

__all__ = [
    "GoldenValue",
    "IngestReport",
    "Registry",
    "RegistryLockedError",
    "RegistryVersionError",
    "ResidentView",
]
