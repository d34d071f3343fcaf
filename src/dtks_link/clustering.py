"""Scored pairs -> clusters of records that are one resident, and resident ids for them."""

from __future__ import annotations

from typing import Any

import duckdb

from .backends.duckdb import quote_identifier as q

__all__ = ["assign_resident_ids", "cluster_pairs"]


def cluster_pairs(linker: Any, predictions: Any, *, threshold: float) -> Any:
    """Connected components over pairs at or above ``threshold`` match probability.

    Every record appears in the result (singletons included) with a ``cluster_id``.
    Returns Splink's SplinkDataFrame.
    """
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )


def assign_resident_ids(
    con: duckdb.DuckDBPyConnection, clusters_table: str, output_table: str
) -> None:
    """Give each cluster an opaque resident id and write ``source, record_id, resident_id``.

    The id is a hash of the cluster's smallest record key (source and record id), never of
    personal data: the same partition of the same records gives the same ids. Stable ids
    across changing data are the registry's job.
    """
    con.execute(
        f"CREATE OR REPLACE TABLE {q(output_table)} AS "
        "SELECT source, record_id, "
        "'R' || upper(substr(md5(min(unique_id) OVER (PARTITION BY cluster_id)), 1, 12)) "
        "AS resident_id, count(*) OVER (PARTITION BY cluster_id) AS cluster_size "
        f"FROM {q(clusters_table)} ORDER BY source, record_id"
    )
