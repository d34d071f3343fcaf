"""dtks_link: one identity per resident across Indonesian government datasets.

The pipeline, one module per stage::

    sources      read CSV/Parquet/Excel/DataFrames, map to the canonical record, quarantine
    standardise  NIK/KK, names, dates, addresses as SQL run inside the engine
    blocking     candidate pairs worth scoring
    comparisons  + model: Fellegi-Sunter scoring with Splink 5
    clustering   scored pairs -> residents
    evaluation   precision, recall, F1, B-cubed

    pseudonymise  copies of the sources with NIK, KK and phone as keyed hashes (optional)
    profile       ``dtks-link init``: a config proposed from the files in a folder

Quick use::

    import dtks_link
    result = dtks_link.link("config.toml")
    metrics = dtks_link.evaluate(result.clusters, "truth.parquet")
"""

from __future__ import annotations

from ._version import __version__ as __version__
from .config import LinkageOptions, LinkConfig, SourceConfig, load_config
from .errors import (
    ConfigError,
    DtksLinkError,
    EngineError,
    EvaluationError,
    QueryError,
    SourceError,
    TrainingError,
)
from .evaluation import LinkageMetrics, evaluate
from .model import ResidentModel
from .pipeline import LinkResult, link
from .profile import propose_config
from .pseudonymise import pseudonymise
from .registry import Registry

__all__ = [
    "ConfigError",
    "DtksLinkError",
    "EngineError",
    "EvaluationError",
    "LinkConfig",
    "LinkResult",
    "LinkageMetrics",
    "LinkageOptions",
    "QueryError",
    "Registry",
    "ResidentModel",
    "SourceConfig",
    "SourceError",
    "TrainingError",
    "evaluate",
    "link",
    "load_config",
    "propose_config",
    "pseudonymise",
]
