"""Synthetic Depok: a seeded resident population and departmental extracts with known truth.

Real DTKS and Dukcapil data cannot leave the government, so ``dtks_link.synth`` makes data that
behaves like it (facts in ``domain.md``): about two million residents of Kota Depok in family
cards (KK), with NIKs that encode birth date, sex and region of first registration, and six
extracts in their real-world shapes (Dukcapil, DTKS, BPJS PBI, PKH/BPNT, lansia, bencana), each
with its own documented error rates (``ERROR_MODEL.md``).

    >>> from dtks_link.synth import generate
    >>> ds = generate("synthetic_depok", residents=20_000, seed=1)   # doctest: +SKIP
    >>> ds.config_path                                                # doctest: +SKIP
    PosixPath('.../synthetic_depok/config.toml')

Modules, in the order data flows: ``regions`` and ``names`` (gazetteer and name pools) →
``population`` (residents, KKs, addresses; built from ``codes``, ``families`` and
``identities``) → ``error_model`` (rates and the error log) and ``edits`` (the edits they apply)
→ ``fields`` and ``dates`` (one column at a time) → ``extracts`` (one source at a time) →
``writer`` (files) → ``generator`` (:func:`generate`).
"""

from dtks_link.synth.error_model import DEFAULT_ERROR_RATES, ERROR_NAMES, ErrorRates
from dtks_link.synth.extracts import SOURCE_NAMES
from dtks_link.synth.generator import DEFAULT_RESIDENTS, SyntheticDataset, generate

__all__ = [
    "DEFAULT_ERROR_RATES",
    "DEFAULT_RESIDENTS",
    "ERROR_NAMES",
    "SOURCE_NAMES",
    "ErrorRates",
    "SyntheticDataset",
    "generate",
]
