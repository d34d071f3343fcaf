"""What a full linkage run and a change of model write into the registry: the records, edges,
term frequencies, quarantine and model of a build; the packaged default model; another
registry's trained model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..backends.duckdb import quote_identifier as q
from ..config import LinkageOptions, LinkConfig, SourceConfig
from ..errors import EngineError
from .identity import IdentityChanges
from .store import RegistryStore, changes_detail, utc_now

__all__ = ["install_default_model", "model_tf_columns", "write_adopted_model", "write_build"]


def write_build(
    store: RegistryStore,
    *,
    run_id: int,
    changes: IdentityChanges,
    tf_columns: list[str],
    records_table: str,
    edges_table: str,
    quarantine_table: str,
    model_json: Mapping[str, Any],
    options: LinkageOptions,
    started_at: dt.datetime,
) -> None:
    """Replace the registry's records, edges, term frequencies and model with a build's and
    write its identity changes, in one transaction."""
    with store.transaction():
        store.con.execute("DROP TABLE IF EXISTS reg.records")
        store.con.execute(
            f"CREATE TABLE reg.records AS SELECT *, CAST(? AS INTEGER) AS run_id "
            f"FROM {q(records_table)} ORDER BY unique_id",
            [run_id],
        )
        store.con.execute("DELETE FROM reg.edges")
        store.con.execute(
            "INSERT INTO reg.edges SELECT unique_id_l, unique_id_r, match_weight, "
            f"match_probability, ? FROM {q(edges_table)}",
            [run_id],
        )
        for column in tf_columns:
            store.con.execute(f"DROP TABLE IF EXISTS reg.{q('tf_' + column)}")
            store.con.execute(f"CREATE TABLE reg.{q('tf_' + column)} AS {tf_sql(column, records_table)}")
        store.save_model(model_json, tf_columns, options)
        store.con.execute(
            f"INSERT INTO reg.quarantine SELECT ?, source, record_id, row_number, reason "
            f"FROM {q(quarantine_table)}",
            [run_id],
        )
        store.apply_changes(changes, run_id, replace_all=True)
        n_records = int(store.con.execute("SELECT count(*) FROM reg.records").fetchall()[0][0])
        store.con.execute(
            "INSERT INTO reg.runs VALUES (?, 'build', ?, ?, ?, ?, NULL, NULL)",
            [run_id, started_at, utc_now(), n_records, changes_detail(changes)],
        )


def install_default_model(store: RegistryStore, *, options: LinkageOptions | None = None) -> None:
    """Give a registry without a model the packaged default model and an empty record
    table, so records can be ingested and looked up (:meth:`dtks_link.registry.Registry.init`)."""
    from ..default_parameters import default_settings
    from ..sources import load_sources
    from ..standardise.records import standardise_records

    store.require_writable()
    if store.model_json is not None:
        raise EngineError(f"registry {str(store.path)!r} already has a model")
    settings = default_settings()
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    nothing = pd.DataFrame({"id": pd.Series(dtype=str), "nama": pd.Series(dtype=str)})
    empty = SourceConfig(name="empty", id_column="id", columns={"nama": "nama"}, data=nothing)
    config = LinkConfig(sources=(empty,), options=options or LinkageOptions())
    load_sources(store.con, [], mapped_table="__empty_mapped", quarantine_table="__empty_quarantine")
    standardise_records(store.engine, config, mapped_table="__empty_mapped", records_table="__empty_records")
    with store.transaction():
        if not store.has_table("records"):
            store.con.execute(
                "CREATE TABLE reg.records AS SELECT *, CAST(NULL AS INTEGER) AS run_id "
                "FROM __empty_records LIMIT 0"
            )
        store.save_model(settings, [], config.options)
    for table in ("__empty_mapped", "__empty_quarantine", "__empty_records"):
        store.con.execute(f"DROP TABLE IF EXISTS {q(table)}")


def write_adopted_model(
    store: RegistryStore,
    other: RegistryStore,
    model: Mapping[str, Any],
    tf_columns: list[str],
    frames: Mapping[str, pd.DataFrame],
) -> None:
    """Write ``other``'s model, options and term-frequency tables (``frames``) into ``store``,
    in one transaction; an empty registry also gets ``other``'s record table layout."""
    with store.transaction():
        for column, frame in frames.items():
            store.con.register("__tf_frame", frame)
            store.con.execute(f"DROP TABLE IF EXISTS reg.{q('tf_' + column)}")
            store.con.execute(f"CREATE TABLE reg.{q('tf_' + column)} AS SELECT * FROM __tf_frame")
            store.con.unregister("__tf_frame")
        store.save_model(model, tf_columns, other.options)
        if not store.has_table("records"):
            columns = other.con.execute("DESCRIBE reg.records").fetchall()
            spec = ", ".join(f"{q(str(c[0]))} {c[1]}" for c in columns)
            store.con.execute(f"CREATE TABLE reg.records ({spec})")


def model_tf_columns(model_json: Mapping[str, Any]) -> list[str]:
    columns: set[str] = set()
    for comparison in model_json.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            column = level.get("tf_adjustment_column")
            if column:
                columns.add(str(column))
    return sorted(columns)


def tf_sql(column: str, table: str) -> str:
    """Term frequencies exactly as Splink computes them."""
    c = q(column)
    return (
        f"SELECT {c}, CAST(count(*) AS DOUBLE) / (SELECT count({c}) FROM {q(table)}) "
        f"AS {q('tf_' + column)} FROM {q(table)} WHERE {c} IS NOT NULL GROUP BY {c}"
    )
