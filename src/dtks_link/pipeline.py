"""The linkage pipeline: sources -> standardise -> block -> score -> cluster -> outputs.

:func:`link` runs every stage in one DuckDB connection and returns a :class:`LinkResult`;
with an output directory it also writes ``clusters.parquet``, ``pairs.parquet``,
``quarantine.parquet`` and ``quality.parquet``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from splink import DuckDBAPI

from .backends.duckdb import connect
from .backends.duckdb import quote_identifier as q
from .clustering import ClusterReport, assign_resident_ids, cluster_records
from .config import LinkConfig, load_config
from .errors import EngineError
from .model import ResidentModel
from .sources import load_sources

if TYPE_CHECKING:
    from .registry import Registry

__all__ = ["LinkResult", "link", "standardise_records"]

ProgressCallback = Callable[[str, float, str], None]


@dataclass(frozen=True, kw_only=True)
class LinkResult:
    """What a linkage run produced.

    - ``clusters``: ``source, record_id, resident_id, cluster_size``, one row per accepted record
    - ``pairs``: scored candidate pairs (record keys, match weight and probability)
    - ``quarantine``: rejected rows with ``source, record_id, row_number, reason``
    - ``quality``: data-quality profile per source
    - ``timings``: seconds per stage; ``counts``: records per source and totals
    - ``model``: the fitted :class:`~dtks_link.model.ResidentModel`
    - ``records``: the standardised records, when ``link(..., keep_records=True)``
    """

    clusters: pd.DataFrame
    pairs: pd.DataFrame
    quarantine: pd.DataFrame
    quality: pd.DataFrame
    timings: dict[str, float]
    counts: dict[str, Any]
    model: ResidentModel = field(repr=False)
    output_dir: Path | None = None
    records: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> str:
        """Records per source, pairs, clusters and time per stage, as text."""
        lines = ["records per source:"]
        for name, n in self.counts["records_per_source"].items():
            quarantined = self.counts["quarantined_per_source"].get(name, 0)
            lines.append(f"  {name:<12} {n:>10,}  (quarantined {quarantined:,})")
        lines.append(f"scored pairs: {len(self.pairs):,}")
        lines.append(
            f"clusters: {self.counts['clusters']:,} residents from {len(self.clusters):,} records "
            f"(largest {self.counts['largest_cluster']})"
        )
        report: ClusterReport | None = self.counts.get("constraints")
        if report is not None and report.repaired_components:
            lines.append(
                f"constraints: {report.repaired_components} component(s) split "
                f"(duplicate-free source {report.duplicate_free_violations}, "
                f"conflicting confirmed NIKs {report.confirmed_nik_conflicts}, "
                f"oversized {report.oversized}); {report.edges_refused} link(s) refused"
            )
        lines.append("time per stage:")
        for stage, seconds in self.timings.items():
            lines.append(f"  {stage:<12} {seconds:8.2f} s")
        return "\n".join(lines)


def _print_progress(stage: str, seconds: float, detail: str) -> None:
    print(f"[dtks-link] {stage:<12} {seconds:7.2f} s  {detail}", file=sys.stderr, flush=True)


class _Stages:
    def __init__(self, callback: ProgressCallback | None) -> None:
        self.timings: dict[str, float] = {}
        self.callback = callback
        self.detail = ""

    @contextmanager
    def stage(self, name: str) -> Iterator[_Stages]:
        self.detail = ""
        start = time.perf_counter()
        yield self
        self.timings[name] = time.perf_counter() - start
        if self.callback is not None:
            self.callback(name, self.timings[name], self.detail)


def standardise_records(
    con: duckdb.DuckDBPyConnection,
    config: LinkConfig,
    *,
    mapped_table: str = "mapped",
    records_table: str = "records",
) -> None:
    """Create ``records_table``: one standardised row per mapped record, with ``unique_id``,
    ``source_duplicate_free`` and the comparison columns ``birth_date``, ``birth_year`` and
    ``sex`` (the recorded value, else the one decoded from a valid NIK), and
    ``birth_date_placeholder`` (``birth_date`` is one of Dukcapil's placeholder dates)."""
    from .standardise import standardise_query

    con.execute("CREATE OR REPLACE TEMP TABLE __source_flags (source VARCHAR, duplicate_free BOOLEAN)")
    con.executemany(
        "INSERT INTO __source_flags VALUES (?, ?)",
        [[s.name, s.duplicate_free] for s in config.sources],
    )
    standardised = standardise_query(
        f"(SELECT m.*, f.duplicate_free AS __source_duplicate_free FROM {q(mapped_table)} m "
        "JOIN __source_flags f ON m.source = f.source) AS m",
        reference_date=config.options.effective_reference_date,
        select="source || '|' || record_id AS unique_id, source, record_id, "
        "__source_duplicate_free AS source_duplicate_free",
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {q(records_table)} AS "
        "SELECT * EXCLUDE (birth_year, birth_year_from_age), "
        "coalesce(year(birth_date), birth_year) AS birth_year, "
        "birth_date IS NULL AND coalesce(birth_year_from_age, false) AS birth_year_from_age, "
        "coalesce((day(birth_date) = 1 AND month(birth_date) IN (1, 7)) "
        "OR (day(birth_date) = 31 AND month(birth_date) = 12) OR day(birth_date) = 15, false) "
        "AS birth_date_placeholder FROM ("
        "SELECT *, "
        "coalesce(tanggal_lahir, CASE WHEN nik_valid THEN nik_birth_date END) AS birth_date, "
        "coalesce(jenis_kelamin, CASE WHEN nik_valid THEN nik_sex END) AS sex "
        f"FROM ({standardised}))"
    )


def link(
    config: LinkConfig | str | Path,
    *,
    out_dir: str | Path | None = None,
    write: bool = True,
    progress: bool | ProgressCallback = False,
    registry: str | Path | Registry | None = None,
    keep_records: bool = False,
    labels: pd.DataFrame | None = None,
) -> LinkResult:
    """Link and deduplicate the configured sources into residents.

    ``config`` is a :class:`LinkConfig` or the path of a TOML config. ``out_dir`` overrides the
    config's output directory; with ``write=False`` nothing is written. ``progress=True``
    prints time per stage to stderr (or pass a callback ``(stage, seconds, detail)``).

    With ``registry`` (a path or an open :class:`~dtks_link.registry.Registry`), the result is
    also written to the registry and ``resident_id`` values are its stable ids.
    ``keep_records=True`` keeps the standardised records in ``LinkResult.records`` (for
    clerical review). ``labels`` (reviewed pairs, see :mod:`dtks_link.review`) make the model
    estimate m probabilities from them instead of EM.
    """
    cfg = load_config(config) if isinstance(config, str | Path) else config
    if out_dir is not None:
        cfg = replace(cfg, output_dir=Path(out_dir))
    if cfg.options.engine != "duckdb":
        raise EngineError(f"engine {cfg.options.engine!r} is not available yet in this version; use 'duckdb'")
    callback: ProgressCallback | None
    callback = _print_progress if progress is True else (progress or None)
    stages = _Stages(callback)
    if registry is None:
        con = connect()
        try:
            return _run(
                con, cfg, stages, write=write, registry=None, keep_records=keep_records, labels=labels
            )
        finally:
            con.close()
    from .registry import Registry

    if isinstance(registry, Registry):
        return _run(
            registry.con,
            cfg,
            stages,
            write=write,
            registry=registry,
            keep_records=keep_records,
            labels=labels,
        )
    with Registry(registry) as opened:
        return _run(
            opened.con, cfg, stages, write=write, registry=opened, keep_records=keep_records, labels=labels
        )


def _run(
    con: duckdb.DuckDBPyConnection,
    cfg: LinkConfig,
    stages: _Stages,
    *,
    write: bool,
    registry: Registry | None,
    keep_records: bool,
    labels: pd.DataFrame | None,
) -> LinkResult:
    from .standardise import quality_profile

    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with stages.stage("read") as s:
        loaded = load_sources(
            con, cfg.sources, mapped_table="work_mapped", quarantine_table="work_quarantine"
        )
        s.detail = ", ".join(f"{k}={v:,}" for k, v in loaded.rows_accepted.items())
    with stages.stage("standardise") as s:
        standardise_records(con, cfg, mapped_table="work_mapped", records_table="work_records")
        quality = quality_profile(con, "work_records")
        s.detail = f"{sum(loaded.rows_accepted.values()):,} records"
    if sum(loaded.rows_accepted.values()) == 0:
        raise EngineError("no records left to link after reading: every row was quarantined")
    db_api = DuckDBAPI(connection=con)
    model = ResidentModel(options=cfg.options)
    with stages.stage("train") as s:
        model.fit(db_api, "work_records", labels=labels)
        s.detail = f"{len(model.blocking_rules_)} blocking rules"
    with stages.stage("predict") as s:
        predictions = model.predict()
        n_pairs = int(con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()[0][0])
        s.detail = f"{n_pairs:,} pairs >= {cfg.options.pair_threshold}"
    with stages.stage("cluster") as s:
        report = cluster_records(
            con,
            records_table="work_records",
            edges_table=predictions.physical_name,
            output_table="work_record_clusters",
            threshold=cfg.options.match_threshold,
            max_cluster_size=cfg.options.max_cluster_size,
        )
        if registry is None:
            assign_resident_ids(con, "work_record_clusters", "work_records", "work_clusters")
        else:
            assert model.settings_ is not None
            registry.commit_build(
                records_table="work_records",
                edges_table=predictions.physical_name,
                clusters_table="work_record_clusters",
                quarantine_table="work_quarantine",
                model_json=model.settings_,
                options=cfg.options,
                started_at=started,
            )
            con.execute(
                "CREATE OR REPLACE TABLE work_clusters AS SELECT r.source, r.record_id, m.resident_id, "
                "count(*) OVER (PARTITION BY m.resident_id) AS cluster_size "
                "FROM work_records r JOIN reg.membership m USING (unique_id) ORDER BY r.source, r.record_id"
            )
        clusters = con.execute("SELECT * FROM work_clusters").df()
        s.detail = (
            f"{clusters['resident_id'].nunique():,} residents; "
            f"{report.repaired_components} component(s) repaired by constraints"
        )
    pairs = con.execute(
        "SELECT source_l, record_id_l, source_r, record_id_r, match_weight, match_probability "
        f"FROM {predictions.physical_name} ORDER BY source_l, record_id_l, source_r, record_id_r"
    ).df()
    quarantine = con.execute("SELECT * FROM work_quarantine ORDER BY source, row_number").df()
    counts: dict[str, Any] = {
        "records_per_source": loaded.rows_accepted,
        "rows_read_per_source": loaded.rows_read,
        "quarantined_per_source": loaded.rows_quarantined,
        "pairs": len(pairs),
        "clusters": int(clusters["resident_id"].nunique()),
        "largest_cluster": int(clusters["cluster_size"].max()) if len(clusters) else 0,
        "constraints": report,
    }
    output_dir = None
    if write:
        with stages.stage("write") as s:
            output_dir = cfg.output_dir
            output_dir.mkdir(parents=True, exist_ok=True)
            clusters.to_parquet(output_dir / "clusters.parquet", index=False)
            pairs.to_parquet(output_dir / "pairs.parquet", index=False)
            quarantine.to_parquet(output_dir / "quarantine.parquet", index=False)
            quality.to_parquet(output_dir / "quality.parquet", index=False)
            s.detail = str(output_dir)
    return LinkResult(
        records=con.execute("SELECT * FROM work_records").df() if keep_records else None,
        clusters=clusters,
        pairs=pairs,
        quarantine=quarantine,
        quality=quality,
        timings=dict(stages.timings),
        counts=counts,
        model=model,
        output_dir=output_dir,
    )
