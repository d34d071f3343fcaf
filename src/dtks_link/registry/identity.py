"""Stable resident ids: map a new partition of records onto the ids of the old one.

Rules, applied to the overlap between new clusters and old residents:

- each old resident has a *home*: the new cluster holding most of its records (ties: the
  cluster with the smallest key);
- a new cluster keeps the oldest id among the residents whose home it is; the other residents
  at home there are recorded as *merged* into it;
- a resident whose records went to several clusters is *split*: the part at home keeps the id,
  the other parts take another resident's id or a new one;
- a cluster with no resident at home gets a new id.

Ids are opaque: ``R`` and a zero-padded counter, never derived from personal data. With the
same partition, every id stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["IdentityChanges", "assign_ids", "format_resident_id"]


def format_resident_id(number: int) -> str:
    """The id for counter ``number``: ``R0000000001`` for 1."""
    return f"R{number:010d}"


def _number(resident_id: str) -> int:
    return int(resident_id[1:])


@dataclass(frozen=True, kw_only=True)
class IdentityChanges:
    """The outcome of :func:`assign_ids`.

    - ``membership``: ``unique_id, resident_id`` for every record of the new partition
    - ``created``: new resident ids
    - ``merged``: ``(absorbed_id, surviving_id)``
    - ``split``: ``(original_id, id_of_the_part_that_left)``
    - ``attached`` / ``detached``: ``(unique_id, resident_id)`` for records that joined / left
    - ``next_number``: the counter after the new ids
    """

    membership: pd.DataFrame
    created: list[str]
    merged: list[tuple[str, str]]
    split: list[tuple[str, str]]
    attached: list[tuple[str, str]]
    detached: list[tuple[str, str]]
    next_number: int


def assign_ids(
    new_clusters: pd.DataFrame, old_membership: pd.DataFrame, *, next_number: int
) -> IdentityChanges:
    """Give each cluster of ``new_clusters`` (``unique_id, cluster_key``) a resident id.

    ``old_membership`` (``unique_id, resident_id``) holds the previous ids of records that had
    one; records absent from it are new.
    """
    joined = new_clusters[["unique_id", "cluster_key"]].merge(
        old_membership[["unique_id", "resident_id"]], on="unique_id", how="left"
    )
    known = joined.dropna(subset=["resident_id"])
    overlap = known.groupby(["resident_id", "cluster_key"], sort=True).size().rename("n").reset_index()
    # home of each old resident: the cluster with most of its records, ties -> smallest key
    overlap = overlap.sort_values(["resident_id", "n", "cluster_key"], ascending=[True, False, True])
    home = overlap.drop_duplicates("resident_id", keep="first")
    home = home.assign(number=home["resident_id"].map(_number)).sort_values("number")
    winners = home.drop_duplicates("cluster_key", keep="first")
    winner_of = dict(zip(winners["cluster_key"], winners["resident_id"], strict=True))
    merged = [
        (rid, winner_of[key])
        for rid, key in zip(home["resident_id"], home["cluster_key"], strict=True)
        if winner_of[key] != rid
    ]
    cluster_keys = sorted(new_clusters["cluster_key"].unique())
    created: list[str] = []
    for key in cluster_keys:
        if key not in winner_of:
            winner_of[key] = format_resident_id(next_number)
            created.append(winner_of[key])
            next_number += 1
    away = overlap.merge(home[["resident_id", "cluster_key"]], on="resident_id", suffixes=("", "_home"))
    away = away[away["cluster_key"] != away["cluster_key_home"]]
    split = sorted(
        {(rid, winner_of[key]) for rid, key in zip(away["resident_id"], away["cluster_key"], strict=True)}
    )
    membership = pd.DataFrame(
        {
            "unique_id": joined["unique_id"].to_numpy(),
            "resident_id": joined["cluster_key"].map(winner_of).to_numpy(),
        }
    )
    previous = joined["resident_id"]
    changed = previous.isna() | (previous.to_numpy() != membership["resident_id"].to_numpy())
    attached = list(zip(membership["unique_id"][changed], membership["resident_id"][changed], strict=True))
    moved = changed & previous.notna()
    detached = list(zip(joined["unique_id"][moved], previous[moved], strict=True))
    return IdentityChanges(
        membership=membership.sort_values("unique_id", ignore_index=True),
        created=created,
        merged=sorted(merged),
        split=split,
        attached=sorted(attached),
        detached=sorted(detached),
        next_number=next_number,
    )
