"""Household resolution as a stage of a linkage run, and the files it writes.

:func:`link_households` runs after the residents are resolved (``dtks_link.link`` calls it
on the run's engine, DuckDB or Spark); :func:`write_households` writes its tables next to
``clusters.parquet``:

=============================  ==================================================================
file                           content
=============================  ==================================================================
``households.parquet``         one row per resident: :data:`~.resolve.HOUSEHOLD_COLUMNS`
``household_records.parquet``  ``source, record_id, resident_id, household_id`` per record
``household_links.parquet``    pecah KK links between households
``household_golden.parquet``   one golden record per household (:mod:`.golden`)
``household_programme_``       the records of programmes that pay once per family, with their
``records.parquet``            carer's household and the household of their KK (the double-aid
                               report's evidence: :mod:`.duplicates`)
=============================  ==================================================================

KK numbers in these files are personal data, as NIKs are: the files are as private as the
sources (every printout masks them).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..backends.engine import Engine
from ..config import LinkConfig
from .resolve import HouseholdResult, resolve_households, source_roles

__all__ = ["HOUSEHOLD_FILES", "link_households", "write_households"]

#: The files :func:`write_households` writes, by the :class:`HouseholdResult` field they hold.
HOUSEHOLD_FILES: dict[str, str] = {
    "members": "households.parquet",
    "records": "household_records.parquet",
    "links": "household_links.parquet",
    "golden": "household_golden.parquet",
    "programme_records": "household_programme_records.parquet",
}


_BROADCAST = "spark.sql.autoBroadcastJoinThreshold"


def link_households(
    engine: Engine,
    config: LinkConfig,
    *,
    records_table: str,
    clusters: pd.DataFrame,
    prefix: str = "work_hh",
) -> HouseholdResult:
    """Resolve the households of a run: ``records_table`` holds its standardised records (in
    ``engine``), ``clusters`` its residents (``source, record_id, resident_id``, as
    ``LinkResult.clusters``). Sources are read by :func:`~.resolve.source_roles` (duplicate-free
    sources give each resident's current KK)."""
    q = engine.quote
    text = engine.dialect.type_name("VARCHAR")
    keys = clusters[["source", "record_id", "resident_id"]].astype(str)
    engine.load_frame(f"{prefix}_residents", keys)
    engine.create_table(
        f"{prefix}_clusters",
        f"SELECT r.unique_id, c.resident_id FROM {q(records_table)} r JOIN {q(prefix + '_residents')} c "
        f"ON r.source = c.source AND CAST(r.record_id AS {text}) = c.record_id",
    )
    # Spark: the steps join many small tables; broadcasting them is built in the driver's heap,
    # which a long linkage session has mostly filled (out of memory at 2g). Sort-merge joins
    # need no driver memory, so broadcasts are off for this stage and restored after it.
    spark = getattr(engine, "spark", None)
    broadcast = spark.conf.get(_BROADCAST, None) if spark is not None else None
    if spark is not None:
        spark.conf.set(_BROADCAST, "-1")
    try:
        return resolve_households(
            engine,
            records_table=records_table,
            clusters_table=f"{prefix}_clusters",
            sources=source_roles(config.sources),
            reference_date=config.options.effective_reference_date,
            prefix=prefix,
        )
    finally:
        engine.drop(f"{prefix}_residents", f"{prefix}_clusters")
        if spark is not None:
            if broadcast is None:
                spark.conf.unset(_BROADCAST)
            else:
                spark.conf.set(_BROADCAST, broadcast)


def write_households(result: HouseholdResult, output_dir: str | Path) -> list[Path]:
    """Write :data:`HOUSEHOLD_FILES` into ``output_dir``; returns the paths written."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for attribute, name in HOUSEHOLD_FILES.items():
        frame: pd.DataFrame = getattr(result, attribute)
        frame.to_parquet(out / name, index=False)
        written.append(out / name)
    return written
