"""The resident registry: stable resident ids across runs, incremental batches, golden records
and real-time lookup, stored in one DuckDB file.

>>> with dtks_link.Registry("depok.registry") as registry:         # doctest: +SKIP
...     dtks_link.link("config.toml", registry=registry)           # build (or re-run)
...     registry.ingest(new_batch_sources)                         # incremental
...     registry.resident("R0000000042").golden
...     registry.match({"nama": "Siti Aminah", "tanggal_lahir": "12-08-1975"})
...     registry.decide(("dtks", "D-1"), ("pkh", "P-9"), False, by="Ani", reason="ayah dan anak")

The schema is documented in :mod:`dtks_link.registry.schema`.
"""

from .decisions import Decision, DecisionConflict, DecisionConflictWarning, DecisionError, DecisionReport
from .registry import GoldenValue, Registry, ResidentView
from .store import IngestReport, RegistryLockedError, RegistryVersionError

__all__ = [
    "Decision",
    "DecisionConflict",
    "DecisionConflictWarning",
    "DecisionError",
    "DecisionReport",
    "GoldenValue",
    "IngestReport",
    "Registry",
    "RegistryLockedError",
    "RegistryVersionError",
    "ResidentView",
]
