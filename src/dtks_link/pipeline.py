"""The linkage pipeline: sources -> standardise -> block -> score -> cluster -> outputs.

resolves the engine (DuckDB, embedded, or Spark) and the registry once, runs
every stage in that engine (:func:`_run`, the one run path) and returns a :class:`LinkResult`;
with an output directory it also writes ``clusters.parquet``, ``pairs.parquet``,
``quarantine.parquet``, ``quality.parquet``, and for the report (:mod:`dtks_link.report`)
``run.json``, ``model.json`` and ``uncertain_pairs.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from contextlib import ExitStack, closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from .progress import ProgressCallback, Stages, print_progress
from .report.collect import blocking_counts, json_safe, run_record, uncertain_pairs
from .source_checks import mapping_mistakes, warn_mapping_mistakes
from .sources import read_sources

if TYPE_CHECKING:
    from .registry import Registry
    from .registry.identity import IdentityChanges

__all__ = ["LinkResult", "link"]


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
        if report is not None and report.decisions_applied:
            lines.append(
                f"reviewer decisions: {report.decisions_applied} applied, "
                f"{report.decision_conflicts} conflict(s) (see Registry.decision_conflicts())"
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
    stages = Stages.reporting(progress)
    with ExitStack() as opened:
        # the engine and the registry are resolved once; then one run path for every combination
        run_engine: Engine | None = None
        if engine is not None and not isinstance(engine, str):
            run_engine = engine
        elif cfg.options.engine == "spark":
            run_engine = _spark_engine()
        reg = _open_registry(registry, opened)
        if run_engine is None:
            # DuckDB: the registry's own connection, else a connection for this run
            run_engine = (
                reg.engine if reg is not None else DuckDBEngine(opened.enter_context(closing(connect())))
            )
        if cfg.options.memory_limit is not None and isinstance(run_engine, DuckDBEngine):
            run_engine.con.execute("SET memory_limit = ?", [cfg.options.memory_limit])
        return _run(
            run_engine, cfg, stages, write=write, registry=reg, keep_records=keep_records, labels=labels
        )


def _open_registry(registry: str | Path | Registry | None, opened: ExitStack) -> Registry | None:
    """The registry a run writes to: the one given open, or the one at a path, opened until the
    run ends."""
    if registry is None:
        return None
    from .registry import Registry

    if isinstance(registry, Registry):
        return registry
    return opened.enter_context(Registry(registry))


def _spark_engine() -> Engine:
    from .backends.spark import SparkEngine, require_pyspark

    require_pyspark()
    return SparkEngine()


def _run(
    engine: Engine,
    cfg: LinkConfig,
    stages: Stages,
    *,
    write: bool,
    registry: Registry | None,
    keep_records: bool,
    labels: pd.DataFrame | None,
) -> LinkResult:
    from .standardise import quality_profile, standardise_records

    q = engine.quote
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with stages.stage("read") as s:
        loaded = read_sources(
            engine, cfg.sources, mapped_table="work_mapped", quarantine_table="work_quarantine"
        )
        s.detail = ", ".join(f"{k}={v:,}" for k, v in loaded.rows_accepted.items())
        mistakes = mapping_mistakes(engine, "work_mapped", cfg.sources, loaded.format_mismatches)
        warn_mapping_mistakes(mistakes, stacklevel=3)
        s.detail += "".join(f"\n  warning: {m.message}" for m in mistakes)
    with stages.stage("standardise") as s:
        standardise_records(engine, cfg, mapped_table="work_mapped", records_table="work_records")
        quality = quality_profile(engine, "work_records")
        if loaded.format_mismatches:
            quality = pd.concat([quality, loaded.quality_rows()], ignore_index=True)
            quality = quality.sort_values("source", kind="stable", ignore_index=True)
        s.detail = f"{sum(loaded.rows_accepted.values()):,} records"
    if sum(loaded.rows_accepted.values()) == 0:
        raise EngineError("no records left to link after reading: every row was quarantined")
    model = ResidentModel(options=cfg.options)
    with stages.stage("train") as s:
        model.fit(engine, "work_records", labels=labels)
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
            print_progress("WARNING", 0.0, message)
            model = ResidentModel(options=replace(cfg.options, model="default"))
            model.fit(engine, "work_records")
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
        decisions = None
        if registry is not None:  # reviewers' decisions: must-links and cannot-links
            from .registry.decisions import load_in_force

            decisions = load_in_force(registry, engine, "work_decisions")
        report = cluster_records(
            engine,
            records_table="work_records",
            edges_table=predictions.physical_name,
            output_table="work_record_clusters",
            threshold=cfg.options.match_threshold,
            max_cluster_size=cfg.options.max_cluster_size,
            decisions_table=decisions,
        )
        if registry is None:
            assign_resident_ids(engine, "work_record_clusters", "work_records", "work_clusters")
            clusters = engine.frame("SELECT * FROM work_clusters ORDER BY source, record_id")
        else:
            assert model.settings_ is not None
            reg_con = registry.con
            if engine is not registry.engine:
                # another engine (Spark) computed the clusters; the registry (a DuckDB file)
                # records them, so what it reads is copied into its connection
                _copy_to_registry(engine, registry.engine, predictions.physical_name)
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
            # the one-to-one coverage of this build, which the registry's re-clusters reuse
            registry.set_meta(
                "one_to_one_coverage", json.dumps([list(entry) for entry in report.one_to_one_coverage])
            )
            registry_run = int(reg_con.execute("SELECT max(run_id) FROM reg.runs").fetchall()[0][0])
            reg_con.execute(
                "CREATE OR REPLACE TABLE work_clusters AS SELECT r.source, r.record_id, m.resident_id, "
                "count(*) OVER (PARTITION BY m.resident_id) AS cluster_size "
                "FROM work_records r JOIN reg.membership m USING (unique_id) ORDER BY r.source, r.record_id"
            )
            clusters = reg_con.execute("SELECT * FROM work_clusters").df()
            if report.decision_conflicts:
                from .registry.decisions import warn_conflicts

                warn_conflicts(registry, stacklevel=4)
        s.detail = (
            f"{clusters['resident_id'].nunique():,} residents; "
            f"{report.repaired_components} component(s) repaired by constraints"
        )
    with stages.stage("households") as s:
        households = link_households(engine, cfg, records_table="work_records", clusters=clusters)
        s.detail = f"{households.counts['households']:,} households"
        if registry is not None and registry_run is not None:
            from .registry.households import commit_households

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


def _copy_to_registry(engine: Engine, target: Engine, edges_table: str) -> None:
    """Bring what the registry build reads from the engine into the registry's engine."""
    tables = {
        "work_records": "SELECT * FROM work_records",
        "work_record_clusters": "SELECT * FROM work_record_clusters",
        "work_quarantine": "SELECT * FROM work_quarantine",
        "work_edges": f"SELECT * FROM {edges_table}",
    }
    for name, sql in tables.items():
        target.load_frame(name, engine.frame(sql))
