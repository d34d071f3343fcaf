"""The linkage pipeline: sources -> standardise -> block -> score -> cluster -> outputs.

:func:`link` runs every stage in one DuckDB connection and returns a :class:`LinkResult`;
with an output directory it also writes ``clusters.parquet``, ``pairs.parquet``,
``quarantine.parquet``, ``quality.parquet``, and for the report (:mod:`dtks_link.report`)
``run.json``, ``model.json`` and ``uncertain_pairs.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from .backends.duckdb import DuckDBEngine, connect
from .backends.engine import Engine
from .clustering import ClusterReport, assign_resident_ids, cluster_records
from .config import LinkConfig, load_config
from .errors import EngineError, TrainingError
from .evaluation import ExpectedQuality, expected_quality
from .households.resolve import HouseholdResult, source_roles
from .households.stage import link_households, write_households
from .model import ResidentModel
from .report.collect import blocking_counts, json_safe, run_record, uncertain_pairs
from .schema import IDENTIFIER_FACTS, PSEUDONYMISED_FIELDS
from .source_checks import mapping_mistakes, warn_mapping_mistakes
from .sources import load_sources, load_sources_on_engine

if TYPE_CHECKING:
    from .registry import Registry
    from .registry.identity import IdentityChanges

__all__ = ["LinkResult", "link", "standardise_records"]

ProgressCallback = Callable[[str, float, str], None]


@dataclass(frozen=True, kw_only=True)
class LinkResult:
    """What a linkage run produced.

    - ``clusters``: ``source, record_id, resident_id, cluster_size``, one row per accepted record
    - ``pairs``: scored candidate pairs (record keys, match weight and probability)
    - ``quarantine``: rejected rows with ``source, record_id, row_number, reason``
    - ``quality``: data-quality profile per source
    - ``timings``: seconds per stage; ``counts``: records per source and totals, what the
      clustering constraints did (``constraints``) and the precision and recall the model
      expects of itself (``expected_quality``, :func:`~dtks_link.evaluation.expected_quality`)
    - ``model``: the fitted :class:`~dtks_link.model.ResidentModel`
    - ``records``: the standardised records, when ``link(..., keep_records=True)``
    - ``run``: the run's summary for the report (``run.json``: sources, counts, quarantine
      reasons, options, timings, model outline, pairs per blocking rule, registry changes)
    - ``households``: the families the residents live in now (:mod:`dtks_link.households`):
      ``households.members`` (``households.parquet``), ``.records``, ``.links``, ``.golden``
    - ``uncertain_pairs``: the pairs closest to the match threshold with their waterfalls,
      levels and weights only, record ids masked (``uncertain_pairs.json``)
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
    run: dict[str, Any] = field(default_factory=dict, repr=False)
    uncertain_pairs: list[dict[str, Any]] = field(default_factory=list, repr=False)
    households: HouseholdResult | None = field(default=None, repr=False)

    def report(
        self, path: str | Path, *, lang: str = "id", truth: pd.DataFrame | str | Path | None = None
    ) -> Path:
        """Write the run's report: one self-contained HTML file in Bahasa Indonesia
        (``lang="id"``) or English (``"en"``), with a switch to the other language. With
        ``truth`` (``source, record_id, true_id``) it also shows the measured precision and
        recall. No NIK, KK or phone number is in it. Returns the path written.

        See :func:`dtks_link.report.write_report`."""
        from .report import write_report

        return write_report(self, path, lang=lang, truth=truth)

    def summary(self) -> str:
        """Records per source, pairs, clusters and time per stage, as text."""
        lines = ["records per source:"]
        for name, n in self.counts["records_per_source"].items():
            quarantined = self.counts["quarantined_per_source"].get(name, 0)
            lines.append(f"  {name:<12} {n:>10,}  (quarantined {quarantined:,})")
        lines.append(f"scored pairs: {len(self.pairs):,}; {_model_detail(self.model)}")
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
                f"family members {report.family_conflicts}, "
                f"oversized {report.oversized}); {report.edges_refused} link(s) refused"
            )
        if self.households is not None:
            lines.append(f"households: {self.households.counts['households']:,} ({_placed(self.households)})")
        lines.extend(f"warning: {message}" for message in self.counts.get("mapping_warnings", ()))
        expected: ExpectedQuality | None = self.counts.get("expected_quality")
        if expected is not None:
            lines.append(expected.summary())
        lines.extend(_quality_lines(self.quality))
        lines.append("time per stage:")
        for stage, seconds in self.timings.items():
            lines.append(f"  {stage:<12} {seconds:8.2f} s")
        return "\n".join(lines)


def _quality_lines(quality: pd.DataFrame, *, top: int = 4) -> list[str]:
    """The most frequent data-quality problems of each source (full table: quality.parquet)."""
    flagged = quality[quality["flagged"] > 0]
    if flagged.empty:
        return ["data quality: no problem flagged"]
    lines = ["data quality (most frequent problems per source; all in quality.parquet):"]
    for source, rows in flagged.groupby("source", sort=True):
        worst = rows.sort_values(["rate", "check"], ascending=[False, True]).head(top)
        text = ", ".join(f"{r.check} {r.rate:.1%}" for r in worst.itertuples())
        lines.append(f"  {source:<12} {text}")
    return lines


def _placed(households: HouseholdResult) -> str:
    placed = households.counts.get("placed_by", {})
    text = ", ".join(f"{n:,} residents by {how}" for how, n in placed.items())
    return text + (f"; {households.note}" if households.note else "")


def _model_detail(model: ResidentModel) -> str:
    """Which model scores: trained, or the default one, and what was borrowed."""
    if model.model_kind_ != "trained":
        return f"model: {model.model_kind_}"
    borrowed = sorted(n for n, src in model.parameter_sources_.items() if src != "EM")
    if not borrowed:
        return "model: trained (EM)"
    return "model: trained (EM); from the default model: " + ", ".join(borrowed)


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


#: Columns a pseudonymised source gives ready-made: the hashed identifiers, taken as they are,
#: and the facts drawn from the raw NIK and KK before hashing.
_GIVEN: tuple[str, ...] = (*PSEUDONYMISED_FIELDS, *IDENTIFIER_FACTS)


#: When the facts a valid NIK encodes (birth date, sex) may stand in for a record's missing ones:
#: only when they agree with what the record itself says (its sex, birth year, or age). A NIK
#: that contradicts its record is often another family member's (the head's NIK on the carer's
#: aid record); its facts would pull the record onto that person.
NIK_CONSISTENT_SQL = (
    "coalesce(nik_valid, false) "
    "AND (jenis_kelamin IS NULL OR nik_sex IS NULL OR jenis_kelamin = nik_sex) "
    "AND (tanggal_lahir IS NULL OR nik_birth_date IS NULL OR year(tanggal_lahir) = year(nik_birth_date)) "
    "AND (birth_year IS NULL OR nik_birth_date IS NULL OR abs(birth_year - year(nik_birth_date)) <= 2)"
)


def nik_facts_consistent(std: dict[str, Any]) -> bool:
    """Python twin of :data:`NIK_CONSISTENT_SQL` for one standardised record."""
    if not std.get("nik_valid"):
        return False
    nik_date, nik_sex = std.get("nik_birth_date"), std.get("nik_sex")
    sex, date, year = std.get("jenis_kelamin"), std.get("tanggal_lahir"), std.get("birth_year")
    if sex is not None and nik_sex is not None and sex != nik_sex:
        return False
    if date is not None and nik_date is not None and date.year != nik_date.year:
        return False
    return not (year is not None and nik_date is not None and abs(int(year) - nik_date.year) > 2)


def standardise_records(
    con: duckdb.DuckDBPyConnection | Engine,
    config: LinkConfig,
    *,
    mapped_table: str = "mapped",
    records_table: str = "records",
) -> None:
    """Create ``records_table``: one standardised row per mapped record, with ``unique_id``,
    ``source_duplicate_free`` and the comparison columns ``birth_date``, ``birth_year`` and
    ``sex`` (the recorded value, else the one decoded from a valid NIK that agrees with the
    record: :data:`NIK_CONSISTENT_SQL`), ``birth_date_from_nik`` (the birth date was read from
    the NIK), ``sex_from_nik`` (likewise),
    ``birth_date_placeholder`` (``birth_date`` is one of Dukcapil's placeholder dates),
    ``nik_holders`` (how many different names, by phonetic key, the records with this NIK carry:
    a shared or generic NIK has several) and ``nik_typo_keys`` (NULL unless the sources are
    pseudonymised).

    With pseudonymised sources, NIK, KK and phone are taken as they are (keyed hashes) and the
    facts standardisation would draw from them come from the columns extracted beforehand.

    ``con`` is a DuckDB connection or an engine; the SQL is the same rules rendered in the
    engine's dialect."""
    from .standardise import OUTPUT_COLUMNS, standardise_query, standardise_select_sql

    engine = DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    q = engine.quote
    engine.load_frame(
        "__source_flags",
        pd.DataFrame(
            {
                "source": pd.Series([s.name for s in config.sources], dtype=object),
                "duplicate_free": pd.Series([s.duplicate_free for s in config.sources], dtype=bool),
            }
        ),
    )
    pseudonymised = any(s.pseudonymised for s in config.sources)
    reference_date = config.options.effective_reference_date
    if engine.dialect == "duckdb":
        # the staged query: shared intermediate values computed once (about twice as fast)
        given = ", ".join(f"{q(c)} AS {q('__given_' + c)}" for c in _GIVEN)
        standardised = standardise_query(
            f"(SELECT m.*, f.duplicate_free AS __source_duplicate_free FROM {q(mapped_table)} m "
            "JOIN __source_flags f ON m.source = f.source) AS m",
            reference_date=reference_date,
            select="concat(source, '|', record_id) AS unique_id, source, record_id, "
            f"__source_duplicate_free AS source_duplicate_free, {given}",
        )
    else:
        fragment = standardise_select_sql(reference_date=reference_date, dialect=engine.dialect)
        given = ", ".join(f"m.{q(c)} AS {q('__given_' + c)}" for c in _GIVEN)
        standardised = (
            "SELECT concat(m.source, '|', m.record_id) AS unique_id, m.source, m.record_id, "
            f"f.duplicate_free AS source_duplicate_free, {fragment}, {given} "
            f"FROM {q(mapped_table)} m JOIN __source_flags f ON m.source = f.source"
        )
    # pseudonymised sources: the hashed identifiers and the facts extracted before hashing
    # replace what standardisation would draw from the (hashed) values
    columns = [
        f"{q('__given_' + c)} AS {q(c)}" if pseudonymised and c in _GIVEN else q(c) for c in OUTPUT_COLUMNS
    ]
    with_given = (
        "SELECT unique_id, source, record_id, source_duplicate_free, "
        f"{', '.join(columns)}, {q('__given_nik_typo_keys')} AS nik_typo_keys FROM ({standardised}) __s"
    )
    kept = ["unique_id", "source", "record_id", "source_duplicate_free", *OUTPUT_COLUMNS]
    kept += ["birth_date", "birth_date_from_nik", "sex", "sex_from_nik", "nik_typo_keys"]
    passthrough = ", ".join(q(c) for c in kept if c not in ("birth_year", "birth_year_from_age"))
    distinct_names = (
        "size(collect_set(nama_phonetic) OVER (PARTITION BY nik))"
        if engine.dialect == "spark"
        else "count(DISTINCT nama_phonetic) OVER (PARTITION BY nik)"
    )
    engine.create_table(
        records_table,
        f"SELECT {passthrough}, "
        "coalesce(year(birth_date), birth_year) AS birth_year, "
        "birth_date IS NULL AND coalesce(birth_year_from_age, false) AS birth_year_from_age, "
        "coalesce((dayofmonth(birth_date) = 1 AND month(birth_date) IN (1, 7)) "
        "OR (dayofmonth(birth_date) = 31 AND month(birth_date) = 12) OR dayofmonth(birth_date) = 15, false) "
        "AS birth_date_placeholder, "
        f"CASE WHEN nik IS NOT NULL THEN {distinct_names} END AS nik_holders FROM ("
        "SELECT *, "
        "coalesce(tanggal_lahir, CASE WHEN __nik_consistent THEN nik_birth_date END) AS birth_date, "
        "tanggal_lahir IS NULL AND nik_birth_date IS NOT NULL AND __nik_consistent AS birth_date_from_nik, "
        "coalesce(jenis_kelamin, CASE WHEN __nik_consistent THEN nik_sex END) AS sex, "
        "jenis_kelamin IS NULL AND nik_sex IS NOT NULL AND __nik_consistent AS sex_from_nik "
        f"FROM (SELECT *, {NIK_CONSISTENT_SQL} AS __nik_consistent "
        f"FROM ({with_given}) __g0) __g) __standardised",
    )
    engine.drop("__source_flags")


def link(
    config: LinkConfig | str | Path,
    *,
    out_dir: str | Path | None = None,
    write: bool = True,
    progress: bool | ProgressCallback = False,
    registry: str | Path | Registry | None = None,
    keep_records: bool = False,
    labels: pd.DataFrame | None = None,
    engine: str | Engine | None = None,
) -> LinkResult:
    """Link and deduplicate the configured sources into residents.

    ``config`` is a :class:`LinkConfig` or the path of a TOML config. ``out_dir`` overrides the
    config's output directory; with ``write=False`` nothing is written. ``progress=True``
    prints time per stage to stderr (or pass a callback ``(stage, seconds, detail)``).

    With ``registry`` (a path or an open :class:`~dtks_link.registry.Registry`), the result is
    also written to the registry and ``resident_id`` values are its stable ids.
    ``keep_records=True`` keeps the standardised records in ``LinkResult.records`` (for
    clerical review). ``labels`` (reviewed pairs, see :mod:`dtks_link.review`) make the model
    add an estimate of the m probabilities from them to the EM sessions'.

    ``engine`` overrides the config's ``[linkage] engine``: ``"duckdb"`` (embedded, the
    default), ``"spark"`` (a local Spark session, see
    :func:`~dtks_link.backends.spark.spark_session`), or an engine object such as
    ``SparkEngine(spark)`` for the session of a cluster. Every stage runs in the engine; with
    a registry, Spark computes the clusters and the registry (a DuckDB file) records them.
    """
    cfg = load_config(config) if isinstance(config, str | Path) else config
    if out_dir is not None:
        cfg = replace(cfg, output_dir=Path(out_dir))
    if isinstance(engine, str):
        cfg = replace(cfg, options=replace(cfg.options, engine=engine))
    callback: ProgressCallback | None
    callback = _print_progress if progress is True else (progress or None)
    stages = _Stages(callback)
    if (engine is not None and not isinstance(engine, str)) or cfg.options.engine == "spark":
        spark_engine = engine if engine is not None and not isinstance(engine, str) else _spark_engine()
        if registry is None:
            return _run(
                spark_engine,
                cfg,
                stages,
                write=write,
                registry=None,
                keep_records=keep_records,
                labels=labels,
            )
        from .registry import Registry

        if isinstance(registry, Registry):
            return _run(
                spark_engine,
                cfg,
                stages,
                write=write,
                registry=registry,
                keep_records=keep_records,
                labels=labels,
            )
        with Registry(registry) as opened:
            return _run(
                spark_engine,
                cfg,
                stages,
                write=write,
                registry=opened,
                keep_records=keep_records,
                labels=labels,
            )
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


def _spark_engine() -> Engine:
    from .backends.spark import SparkEngine, require_pyspark

    require_pyspark()
    return SparkEngine()


def _run(
    con: duckdb.DuckDBPyConnection | Engine,
    cfg: LinkConfig,
    stages: _Stages,
    *,
    write: bool,
    registry: Registry | None,
    keep_records: bool,
    labels: pd.DataFrame | None,
) -> LinkResult:
    from .standardise import quality_profile

    engine = DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    q = engine.quote
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with stages.stage("read") as s:
        if isinstance(con, duckdb.DuckDBPyConnection):
            loaded = load_sources(
                con, cfg.sources, mapped_table="work_mapped", quarantine_table="work_quarantine"
            )
        else:
            loaded = load_sources_on_engine(
                engine, cfg.sources, mapped_table="work_mapped", quarantine_table="work_quarantine"
            )
        s.detail = ", ".join(f"{k}={v:,}" for k, v in loaded.rows_accepted.items())
        mistakes = mapping_mistakes(engine, "work_mapped", cfg.sources, loaded.format_mismatches)
        warn_mapping_mistakes(mistakes, stacklevel=3)
        s.detail += "".join(f"\n  warning: {m.message}" for m in mistakes)
    with stages.stage("standardise") as s:
        standardise_records(engine, cfg, mapped_table="work_mapped", records_table="work_records")
        quality = quality_profile(con, "work_records")
        if loaded.format_mismatches:
            quality = pd.concat([quality, loaded.quality_rows()], ignore_index=True)
            quality = quality.sort_values("source", kind="stable", ignore_index=True)
        s.detail = f"{sum(loaded.rows_accepted.values()):,} records"
    if sum(loaded.rows_accepted.values()) == 0:
        raise EngineError("no records left to link after reading: every row was quarantined")
    db_api = engine.splink_api()
    model = ResidentModel(options=cfg.options)
    with stages.stage("train") as s:
        model.fit(db_api, "work_records", labels=labels)
        s.detail = f"{len(model.blocking_rules_)} blocking rules; {_model_detail(model)}"
    with stages.stage("predict") as s:
        predictions = model.predict()
        problem = model.check_scores(predictions.physical_name, match_threshold=cfg.options.match_threshold)
        if problem is not None:
            if model.model_kind_ != "trained":
                raise TrainingError(f"the {model.model_kind_} model's scores are implausible: {problem}")
            message = (
                f"the trained model's scores are implausible ({problem}); linking with the default "
                "model instead. Training log: " + " | ".join(model.training_log_)
            )
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            _print_progress("WARNING", 0.0, message)
            model = ResidentModel(options=replace(cfg.options, model="default"))
            model.fit(db_api, "work_records")
            model.training_log_.insert(0, f"trained model rejected: {problem}")
            predictions = model.predict()
            second = model.check_scores(
                predictions.physical_name, match_threshold=cfg.options.match_threshold
            )
            if second is not None:
                raise TrainingError(
                    f"the trained model's scores are implausible ({problem}), and so are the default "
                    f"model's ({second}). Check the mapping of the sources: are names, birth dates "
                    "and identifiers in the right fields?"
                )
        n_pairs = int(engine.rows(f"SELECT count(*) FROM {predictions.physical_name}")[0][0])
        s.detail = f"{n_pairs:,} pairs >= {cfg.options.pair_threshold}"
    with stages.stage("diagnose") as s:
        blocking = blocking_counts(
            engine,
            model,
            records_table="work_records",
            predictions_table=predictions.physical_name,
            records=sum(loaded.rows_accepted.values()),
        )
        uncertain = uncertain_pairs(
            engine,
            model,
            records_table="work_records",
            predictions_table=predictions.physical_name,
            threshold=cfg.options.match_threshold,
        )
        s.detail = f"pairs per blocking rule; {len(uncertain)} most uncertain pairs explained"
    changes: IdentityChanges | None = None
    registry_run: int | None = None
    with stages.stage("cluster") as s:
        report = cluster_records(
            engine,
            records_table="work_records",
            edges_table=predictions.physical_name,
            output_table="work_record_clusters",
            threshold=cfg.options.match_threshold,
            max_cluster_size=cfg.options.max_cluster_size,
        )
        if registry is None:
            assign_resident_ids(engine, "work_record_clusters", "work_records", "work_clusters")
            clusters = engine.frame("SELECT * FROM work_clusters ORDER BY source, record_id")
        else:
            assert model.settings_ is not None
            reg_con = registry.con
            if engine.dialect != "duckdb":
                # Spark computed the clusters; the registry (a DuckDB file) records them.
                _copy_to_registry(engine, reg_con, predictions.physical_name)
                edges_name = "work_edges"
            else:
                edges_name = predictions.physical_name
            changes = registry.commit_build(
                records_table="work_records",
                edges_table=edges_name,
                clusters_table="work_record_clusters",
                quarantine_table="work_quarantine",
                model_json=model.settings_,
                options=cfg.options,
                started_at=started,
            )
            registry_run = int(reg_con.execute("SELECT max(run_id) FROM reg.runs").fetchall()[0][0])
            reg_con.execute(
                "CREATE OR REPLACE TABLE work_clusters AS SELECT r.source, r.record_id, m.resident_id, "
                "count(*) OVER (PARTITION BY m.resident_id) AS cluster_size "
                "FROM work_records r JOIN reg.membership m USING (unique_id) ORDER BY r.source, r.record_id"
            )
            clusters = reg_con.execute("SELECT * FROM work_clusters").df()
        s.detail = (
            f"{clusters['resident_id'].nunique():,} residents; "
            f"{report.repaired_components} component(s) repaired by constraints"
        )
    with stages.stage("households") as s:
        households = link_households(engine, cfg, records_table="work_records", clusters=clusters)
        s.detail = f"{households.counts['households']:,} households"
        if registry is not None and registry_run is not None:
            from .households.registry import commit_households

            households, household_changes = commit_households(
                registry, households, sources=source_roles(cfg.sources), run_id=registry_run
            )
            s.detail += f"; {household_changes.summary()}"
    pairs = engine.frame(
        "SELECT source_l, record_id_l, source_r, record_id_r, match_weight, match_probability "
        f"FROM {predictions.physical_name} ORDER BY source_l, record_id_l, source_r, record_id_r"
    )
    quarantine = engine.frame(f"SELECT * FROM {q('work_quarantine')} ORDER BY source, row_number")
    counts: dict[str, Any] = {
        "records_per_source": loaded.rows_accepted,
        "rows_read_per_source": loaded.rows_read,
        "quarantined_per_source": loaded.rows_quarantined,
        "pairs": len(pairs),
        "clusters": int(clusters["resident_id"].nunique()),
        "largest_cluster": int(clusters["cluster_size"].max()) if len(clusters) else 0,
        "constraints": report,
        "mapping_warnings": [m.message for m in mistakes],
        "expected_quality": expected_quality(pairs, clusters, threshold=cfg.options.match_threshold),
        "households": households.counts["households"],
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
            model.save(output_dir / "model.json")
            write_households(households, output_dir)
            _write_json(output_dir / "uncertain_pairs.json", uncertain)
            s.detail = str(output_dir)
    run = run_record(
        config=cfg,
        counts=counts,
        quarantine=quarantine,
        timings=stages.timings,
        model=model,
        constraints=report,
        blocking=blocking,
        registry=changes,
        registry_run=registry_run,
        labelled=labels is not None and bool(labels["is_match"].any()),
        started_at=started,
    )
    if output_dir is not None:
        _write_json(output_dir / "run.json", run)
    return LinkResult(
        run=run,
        uncertain_pairs=uncertain,
        records=engine.frame("SELECT * FROM work_records ORDER BY unique_id") if keep_records else None,
        clusters=clusters,
        pairs=pairs,
        quarantine=quarantine,
        quality=quality,
        timings=dict(stages.timings),
        counts=counts,
        model=model,
        output_dir=output_dir,
        households=households,
    )


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(json_safe(payload), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _copy_to_registry(engine: Engine, reg_con: duckdb.DuckDBPyConnection, edges_table: str) -> None:
    """Bring what the registry build reads from the engine into the registry's connection."""
    tables = {
        "work_records": "SELECT * FROM work_records",
        "work_record_clusters": "SELECT * FROM work_record_clusters",
        "work_quarantine": "SELECT * FROM work_quarantine",
        "work_edges": f"SELECT * FROM {edges_table}",
    }
    target = DuckDBEngine(reg_con)
    for name, sql in tables.items():
        target.load_frame(name, engine.frame(sql))
