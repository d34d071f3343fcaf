"""The registry's tables, in its DuckDB file (attached as ``reg``).

=====================  ==========================================================================
table                  contents
=====================  ==========================================================================
``meta``               key/value: ``schema_version``, ``model_json`` (Splink model),
                       ``options_json`` (thresholds), ``next_number`` (resident id counter),
                       ``created_by`` / ``migrated_by`` (dtks_link version)
``runs``               ``run_id, kind (build|ingest|decision), started_at, finished_at, records_in, detail,
                       job_id`` (the service's batch job, or NULL) ``, report_json`` (the
                       :class:`IngestReport` of an ingest, as JSON)
``records``            one standardised record per ``unique_id`` (``source|record_id``), with the
                       ``run_id`` that brought it and its ``row_number`` in that source
``edges``              scored pairs at or above the pair threshold: ``unique_id_l, unique_id_r,
                       match_weight, match_probability, run_id``
``membership``         ``unique_id, resident_id``: the current resident of every record
``residents``          ``resident_id, created_run, status (active|merged), merged_into``
``events``             ``event_id, run_id, happened_at, kind (created|merged|split|attached|detached),
                       resident_id, other_resident_id, unique_id, decision_id`` (the reviewer
                       decision the move carries out, or NULL)
``decisions``          reviewers' decisions, never deleted (an override is a newer row):
                       ``decision_id, unique_id_l, unique_id_r`` (``unique_id_l < unique_id_r``),
                       ``same`` (true: one resident; false: two), ``decided_by, decided_at,
                       reason, document, origin, run_id`` (the run that applied it); the newest
                       row of a pair is in force (:mod:`dtks_link.registry.decisions`)
``quarantine``         rows rejected at ingest: ``run_id, source, record_id, row_number, reason``
``tf_<column>``        term-frequency lookups frozen when the model was trained
=====================  ==========================================================================

The file format version is ``meta.schema_version``. Version history:

- ``1``: the first release.
- ``2``: ``runs.job_id`` and ``runs.report_json``, so a batch job's report outlives the service
  that ran it.
- ``3``: the ``decisions`` table (reviewers' same/different decisions with their history) and
  ``events.decision_id``; runs of kind ``decision``.

A file of an older version is refused until ``dtks-link registry migrate FILE`` (or
:meth:`Registry.migrate`) has run :data:`MIGRATIONS` on it inside one transaction.
"""

from __future__ import annotations

from ..backends.duckdb import quote_identifier as q

SCHEMA_VERSION = "3"

DECISIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS reg.decisions (decision_id BIGINT PRIMARY KEY, "
    "unique_id_l VARCHAR NOT NULL, unique_id_r VARCHAR NOT NULL, same BOOLEAN NOT NULL, "
    "decided_by VARCHAR NOT NULL, decided_at TIMESTAMP NOT NULL, reason VARCHAR, document VARCHAR, "
    "origin VARCHAR, run_id INTEGER)"
)

#: version -> statements that turn a file of that version into the next one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE reg.runs ADD COLUMN job_id VARCHAR",
        "ALTER TABLE reg.runs ADD COLUMN report_json VARCHAR",
    ),
    2: (
        DECISIONS_DDL,
        "ALTER TABLE reg.events ADD COLUMN decision_id BIGINT",
    ),
}

DDL = (
    "CREATE TABLE IF NOT EXISTS reg.meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.runs (run_id INTEGER PRIMARY KEY, kind VARCHAR, "
    "started_at TIMESTAMP, finished_at TIMESTAMP, records_in BIGINT, detail VARCHAR, job_id VARCHAR, "
    "report_json VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.edges (unique_id_l VARCHAR, unique_id_r VARCHAR, "
    "match_weight DOUBLE, match_probability DOUBLE, run_id INTEGER)",
    "CREATE TABLE IF NOT EXISTS reg.membership (unique_id VARCHAR PRIMARY KEY, resident_id VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.residents (resident_id VARCHAR PRIMARY KEY, "
    "created_run INTEGER, status VARCHAR, merged_into VARCHAR)",
    "CREATE TABLE IF NOT EXISTS reg.events (event_id BIGINT, run_id INTEGER, happened_at TIMESTAMP, "
    "kind VARCHAR, resident_id VARCHAR, other_resident_id VARCHAR, unique_id VARCHAR, decision_id BIGINT)",
    DECISIONS_DDL,
    "CREATE TABLE IF NOT EXISTS reg.quarantine (run_id INTEGER, source VARCHAR, "
    "record_id VARCHAR, row_number BIGINT, reason VARCHAR)",
)


# -- reviewers' decisions in force (read by the decisions, the events a run writes and ingest)
def in_force_sql(pending: str | None = None) -> str:
    """SELECT of the decisions in force (``decision_id, unique_id_l, unique_id_r, same``): the
    newest row of every pair, counting the not yet committed rows of table ``pending`` too."""
    rows = "SELECT decision_id, unique_id_l, unique_id_r, same FROM reg.decisions"
    if pending is not None:
        rows += f" UNION ALL SELECT decision_id, unique_id_l, unique_id_r, same FROM {q(pending)}"
    return (
        "SELECT decision_id, unique_id_l, unique_id_r, same FROM (SELECT *, row_number() OVER "
        "(PARTITION BY unique_id_l, unique_id_r ORDER BY decision_id DESC) AS __newest "
        f"FROM ({rows}) __all) __d "
        "WHERE __newest = 1"
    )


#: The decisions in force: the newest row of every pair.
IN_FORCE_SQL = in_force_sql()
