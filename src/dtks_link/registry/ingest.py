"""Incremental ingest: score a batch against the registry and within itself, re-cluster only the
residents the batch touches, and commit everything in one transaction."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Sequence

from splink import DuckDBAPI, Linker

from ..backends.duckdb import quote_identifier as q
from ..config import LinkConfig, SourceConfig
from ..progress import Stages
from ..sources import load_sources
from ..standardise.records import standardise_records
from .decisions import IN_FORCE_SQL, cluster_affected, grow_touched, node_columns, warn_conflicts
from .store import IngestReport, RegistryStore, changes_detail, utc_now

__all__ = ["run_ingest"]

_NOT_COMPARED = {"run_id", "row_number"}
def _columns(registry: RegistryStore, table: str) -> list[str]:
    return [str(r[0]) for r in registry.con.execute(f"DESCRIBE {table}").fetchall()]


def run_ingest(
    registry: RegistryStore, sources: Sequence[SourceConfig], *, progress: bool, job_id: str | None = None
) -> IngestReport:
    con = registry.con
    options = registry.options
    started = utc_now()
    stages = Stages.reporting(progress, prefix="ingest ")
    lap = stages.lap

    config = LinkConfig(sources=tuple(sources), options=options)
    loaded = load_sources(con, sources, mapped_table="__batch_mapped", quarantine_table="__batch_quarantine")
    # a NIK's holders are counted over the registry's records and the batch, as one run would
    standardise_records(
        registry.engine,
        config,
        mapped_table="__batch_mapped",
        records_table="__batch_all",
        holders_with="reg.records",
    )
    lap("read")

    compared = [c for c in _columns(registry, "__batch_all") if c not in _NOT_COMPARED]
    same = " AND ".join(f"b.{q(c)} IS NOT DISTINCT FROM r.{q(c)}" for c in compared)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __batch_status AS SELECT b.unique_id, "
        f"CASE WHEN r.unique_id IS NULL THEN 'new' WHEN {same} THEN 'unchanged' ELSE 'updated' END "
        "AS status FROM __batch_all b LEFT JOIN reg.records r USING (unique_id)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __batch_records AS SELECT b.* FROM __batch_all b "
        "JOIN __batch_status s USING (unique_id) WHERE s.status <> 'unchanged'"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __updated AS SELECT unique_id FROM __batch_status "
        "WHERE status = 'updated'"
    )
    counts = dict(con.execute("SELECT status, count(*) FROM __batch_status GROUP BY status").fetchall())
    registry_columns = [c for c in _columns(registry, "reg.records") if c != "run_id"]
    select_existing = ", ".join(q(c) for c in registry_columns)
    # a view, not a copy: the registry's records are read where they are (a copy of millions
    # of rows cost more than the scoring it feeds)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW __existing AS SELECT {select_existing} FROM reg.records "
        "WHERE unique_id NOT IN (SELECT unique_id FROM __updated)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __batch_scored AS SELECT {select_existing} FROM __batch_records"
    )

    # -- score: batch x registry and batch x batch, with the frozen model and term frequencies
    n_batch = int(con.execute("SELECT count(*) FROM __batch_scored").fetchall()[0][0])
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __new_edges (unique_id_l VARCHAR, unique_id_r VARCHAR, "
        "match_weight DOUBLE, match_probability DOUBLE)"
    )
    if n_batch:
        db_api = DuckDBAPI(connection=con)
        existing_sdf = db_api.register("__existing")
        batch_sdf = db_api.register("__batch_scored")
        model = registry.model_json
        assert model is not None
        linker = Linker(existing_sdf, model, log_level=logging.ERROR)
        for column in registry.tf_columns:
            view = f"__tf_view_{column}"
            con.execute(f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT * FROM reg.{q('tf_' + column)}")
            linker.table_management.register_term_frequency_lookup(db_api.register(view), column)
        threshold = options.pair_threshold
        between = linker.inference.predict_between(
            existing_sdf, batch_sdf, threshold_match_probability=threshold
        )
        within = linker.inference.predict_within(batch_sdf, threshold_match_probability=threshold)
        for scored in (between, within):
            con.execute(
                "INSERT INTO __new_edges SELECT least(unique_id_l, unique_id_r), "
                "greatest(unique_id_l, unique_id_r), match_weight, match_probability "
                f"FROM {scored.physical_name}"
            )
    lap("score")

    # -- which residents does the batch touch?
    nodes = node_columns(registry)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW __all_nodes AS "
        f"SELECT {nodes} FROM __existing UNION ALL SELECT {nodes} FROM __batch_scored"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __confirmed_niks AS SELECT DISTINCT nik FROM __all_nodes "
        "WHERE source_duplicate_free AND nik_valid AND nik IS NOT NULL"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __touched AS SELECT DISTINCT m.resident_id FROM reg.membership m "
        "WHERE m.unique_id IN (SELECT unique_id FROM __updated) "
        "OR m.unique_id IN (SELECT unique_id_l FROM __new_edges WHERE match_probability >= ?) "
        "OR m.unique_id IN (SELECT unique_id_r FROM __new_edges WHERE match_probability >= ?) "
        "OR m.unique_id IN (SELECT unique_id FROM __existing WHERE nik_valid AND nik IN "
        "(SELECT nik FROM __batch_scored WHERE source_duplicate_free AND nik_valid))",
        [options.match_threshold, options.match_threshold],
    )
    # Grow the touched set to whole connected components of the match graph, so a component
    # that constraints once split is re-clustered as a whole, exactly as a one-batch run would.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __strong AS SELECT unique_id_l, unique_id_r FROM reg.edges "
        "WHERE match_probability >= ? AND unique_id_l NOT IN (SELECT unique_id FROM __updated) "
        "AND unique_id_r NOT IN (SELECT unique_id FROM __updated) "
        "UNION ALL SELECT unique_id_l, unique_id_r FROM __new_edges WHERE match_probability >= ? "
        f"UNION ALL SELECT unique_id_l, unique_id_r FROM ({IN_FORCE_SQL}) d WHERE same",  # must-links
        [options.match_threshold, options.match_threshold],
    )
    grow_touched(registry, extra_nodes="__batch_scored")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __aff_nodes AS SELECT * FROM __all_nodes "
        "WHERE unique_id IN (SELECT unique_id FROM __affected)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE __aff_edges AS "
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability FROM reg.edges "
        "WHERE unique_id_l IN (SELECT unique_id FROM __aff_nodes) "
        "AND unique_id_r IN (SELECT unique_id FROM __aff_nodes) "
        "AND unique_id_l NOT IN (SELECT unique_id FROM __updated) "
        "AND unique_id_r NOT IN (SELECT unique_id FROM __updated) "
        "UNION ALL SELECT * FROM __new_edges"
    )
    cluster_report, changes = cluster_affected(registry)
    lap("cluster")

    # -- commit
    run_id = registry.next_run_id()
    n_edges = int(con.execute("SELECT count(*) FROM __new_edges").fetchall()[0][0])
    touched = int(con.execute("SELECT count(*) FROM __touched").fetchall()[0][0])
    report = IngestReport(
        run_id=run_id,
        records_in=sum(loaded.rows_read.values()),
        records_added=int(counts.get("new", 0)),
        records_unchanged=int(counts.get("unchanged", 0)),
        records_updated=int(counts.get("updated", 0)),
        quarantined=sum(loaded.rows_quarantined.values()),
        pairs_scored=n_edges,
        residents_created=len(changes.created),
        residents_merged=len(changes.merged),
        residents_split=len(changes.split),
        residents_touched=touched,
        timings=stages.timings,
    )
    with registry.transaction():
        con.execute(
            "DELETE FROM reg.edges WHERE unique_id_l IN (SELECT unique_id FROM __updated) "
            "OR unique_id_r IN (SELECT unique_id FROM __updated)"
        )
        con.execute("DELETE FROM reg.records WHERE unique_id IN (SELECT unique_id FROM __updated)")
        con.execute(
            "INSERT INTO reg.records BY NAME SELECT *, CAST(? AS INTEGER) AS run_id FROM __batch_records",
            [run_id],
        )
        con.execute("INSERT INTO reg.edges SELECT *, ? FROM __new_edges", [run_id])
        _pause_for_kill_test()
        con.execute(
            "INSERT INTO reg.quarantine SELECT ?, source, record_id, row_number, reason "
            "FROM __batch_quarantine",
            [run_id],
        )
        registry.apply_changes(changes, run_id, replace_all=False)
        con.execute(
            "INSERT INTO reg.runs VALUES (?, 'ingest', ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                started,
                utc_now(),
                report.records_in,
                changes_detail(changes),
                job_id,
                json.dumps(report.as_dict()),
            ],
        )
    lap("commit")
    if cluster_report.decision_conflicts:
        warn_conflicts(registry, stacklevel=4)
    for table in (
        "__batch_mapped", "__batch_quarantine", "__batch_all", "__batch_status", "__batch_records",
        "__updated", "__batch_scored", "__new_edges",
        "__confirmed_niks", "__touched", "__affected", "__strong", "__aff_nodes", "__aff_edges",
        "__aff_clusters", "__aff_decisions",
    ):  # fmt: skip
        con.execute(f"DROP TABLE IF EXISTS {q(table)}")
    for view in ("__all_nodes", "__existing"):
        con.execute(f"DROP VIEW IF EXISTS {q(view)}")
    return report


def _pause_for_kill_test() -> None:
    """Test hook: with DTKS_LINK_PAUSE_IN_COMMIT=<seconds>, wait inside the open transaction
    so a test can kill the process mid-commit."""
    seconds = os.environ.get("DTKS_LINK_PAUSE_IN_COMMIT")
    if seconds:
        print("[dtks-link] paused inside the commit", file=sys.stderr, flush=True)
        time.sleep(float(seconds))
