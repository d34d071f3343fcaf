"""``generate``: build the population, draw every extract, write files, truth and config."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.errors import ConfigError
from dtks_link.synth.error_model import DEFAULT_ERROR_RATES, ErrorRates
from dtks_link.synth.extracts import BUILDERS, SOURCE_NAMES, Extract
from dtks_link.synth.fields import padded
from dtks_link.synth.population import KK_EVENT_NAMES, Population, build_population
from dtks_link.synth.writer import config_toml, write_parquet, write_table

__all__ = ["DEFAULT_RESIDENTS", "SyntheticDataset", "generate"]

DEFAULT_RESIDENTS = 2_010_912
"""Kota Depok's population in the Kemendagri 2025 table (domain.md §8)."""

MIN_RESIDENTS = 10


@dataclass(frozen=True, kw_only=True)
class SyntheticDataset:
    """What :func:`generate` wrote. Paths are absolute."""

    out_dir: Path
    config_path: Path
    truth_path: Path
    errors_path: Path
    source_paths: dict[str, Path]
    residents: int
    households: int
    records_per_source: dict[str, int]
    seed: int


def generate(
    out_dir: str | Path,
    *,
    residents: int = DEFAULT_RESIDENTS,
    seed: int = 0,
    sources: Sequence[str] | None = None,
    error_rates: Mapping[str, ErrorRates] | None = None,
    noise: float = 1.0,
    progress: Callable[[str, float], None] | None = None,
) -> SyntheticDataset:
    """Generate a synthetic Depok population and its departmental extracts.

    Writes into ``out_dir`` one file per extract (``dukcapil.csv``, ``dtks.txt``,
    ``bpjs_pbi.parquet``, ``pkh.csv``, ``lansia.csv``, ``bencana.xlsx``), ``truth.parquet``
    (``source, record_id, true_id, household_id``,
    ``household_event``, ``parent_household_id``: one row per extract row; ``household_id`` is
    the family's current KK, ``household_event`` why its KK number last changed, one of
    ``reissued``, ``pecah_kk``, ``moved``, ``widowed``, and ``parent_household_id`` the family a
    pecah KK family split off from),
    ``errors.parquet`` (``source, record_id, error``: every error the model applied) and
    ``config.toml`` describing the sources for ``dtks-link``.

    ``sources`` chooses extracts (default: all six); an extract does not depend on which
    others are chosen. ``error_rates`` replaces the default :class:`ErrorRates` of the sources
    it names (Dukcapil lists every resident once, so its ``duplicate`` and
    ``deceased_listed`` must stay 0). ``noise`` scales every error rate of every source
    (:meth:`ErrorRates.scaled`: 0.5 halves them, 2 doubles them, each capped at 1), for
    stress tests of the matching. ``progress`` is called as
    ``progress(stage, fraction_done)`` as stages finish (and once with 0.0 at the start).
    The same arguments give
    byte-identical files.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ds = generate(tmp, residents=500, seed=1, sources=["dukcapil", "dtks"])
    ...     ds.records_per_source["dukcapil"]
    500
    """
    chosen = _check(residents, seed, sources, error_rates, noise)
    rates = dict(DEFAULT_ERROR_RATES)
    rates.update(error_rates or {})
    if noise != 1.0:
        rates = {name: value.scaled(noise) for name, value in rates.items()}
    report = progress or (lambda stage, fraction: None)
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)

    steps = 2 + len(chosen)
    report("population", 0.0)
    population = build_population(residents, np.random.default_rng([seed, 0]))
    report("population", 1.0 / steps)

    source_paths: dict[str, Path] = {}
    records: dict[str, int] = {}
    truth_parts: list[pa.Table] = []
    error_parts: list[pa.Table] = []
    specs = []
    for i, name in enumerate(chosen):
        stream = SOURCE_NAMES.index(name) + 1
        extract = BUILDERS[name](population, rates[name], np.random.default_rng([seed, stream]))
        path = out / extract.spec.file_name
        write_table(extract.table, extract.spec, path)
        source_paths[name] = path
        records[name] = extract.table.num_rows
        truth_parts.append(_truth(name, extract, population))
        error_parts.append(extract.log.table(name, extract.record_ids))
        specs.append(extract.spec)
        report(name, (2 + i) / steps)

    truth_path = out / "truth.parquet"
    errors_path = out / "errors.parquet"
    write_parquet(pa.concat_tables(truth_parts), truth_path)
    write_parquet(pa.concat_tables(error_parts), errors_path)
    config_path = out / "config.toml"
    config_path.write_text(config_toml(specs), encoding="utf-8")
    report("done", 1.0)
    return SyntheticDataset(
        out_dir=out,
        config_path=config_path,
        truth_path=truth_path,
        errors_path=errors_path,
        source_paths=source_paths,
        residents=residents,
        households=population.n_households,
        records_per_source=records,
        seed=seed,
    )


def _household_ids(household: npt.NDArray[np.int64]) -> pa.Array:
    return pc.binary_join_element_wise("K", padded(household + 1, 7), "")


def _truth(source: str, extract: Extract, population: Population) -> pa.Table:
    n = extract.table.num_rows
    event = population.kk_event[extract.household]
    parent = population.parent_household[extract.household].astype(np.int64)
    return pa.table(
        {
            "source": pa.array(np.full(n, source, dtype=object), pa.string()),
            "record_id": extract.record_ids,
            "true_id": pc.binary_join_element_wise("P", padded(extract.person + 1, 8), ""),
            "household_id": _household_ids(extract.household),
            "household_event": pa.array(KK_EVENT_NAMES).take(pa.array(event.astype(np.int64))),
            "parent_household_id": pc.if_else(
                pa.array(parent >= 0), _household_ids(np.maximum(parent, 0)), pa.scalar(None, pa.string())
            ),
        }
    )


def _check(
    residents: object,
    seed: object,
    sources: Sequence[str] | None,
    error_rates: Mapping[str, ErrorRates] | None,
    noise: object = 1.0,
) -> list[str]:
    problems: list[str] = []
    if isinstance(residents, bool) or not isinstance(residents, int):
        problems.append(f"residents must be an integer, got {residents!r}")
    elif residents < MIN_RESIDENTS:
        problems.append(f"residents must be at least {MIN_RESIDENTS}, got {residents}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise <= 10:
        problems.append(f"noise must be a number between 0 and 10, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(sources, str):
        problems.append(f"sources must be a list of names, not the string {sources!r}")
        chosen: list[str] = []
    else:
        chosen = list(SOURCE_NAMES if sources is None else sources)
    unknown = [s for s in chosen if s not in SOURCE_NAMES]
    if unknown:
        problems.append(f"unknown source(s) {unknown}; choose from {list(SOURCE_NAMES)}")
    if len(set(chosen)) != len(chosen):
        problems.append(f"sources lists a name twice: {chosen}")
    for name, value in (error_rates or {}).items():
        if name not in SOURCE_NAMES:
            problems.append(f"error_rates names unknown source {name!r}")
        elif not isinstance(value, ErrorRates):
            problems.append(f"error_rates[{name!r}] must be an ErrorRates, got {value!r}")
        elif name == "dukcapil" and (value.duplicate or value.deceased_listed):
            problems.append(
                "error_rates['dukcapil']: Dukcapil lists every resident exactly once, so its "
                "duplicate and deceased_listed rates must be 0"
            )
    if problems:
        raise ConfigError(problems, origin="generate()")
    # keep the canonical order so files and truth do not depend on how sources were listed
    return [s for s in SOURCE_NAMES if s in chosen]
