"""The recordlinkage peer of the accuracy benchmarks: the library's tutorial recipe, so that
dtks_link is compared with what a user of recordlinkage would run on the same files."""

from __future__ import annotations

import time

import pandas as pd


def run_recordlinkage(
    frames: dict[str, pd.DataFrame], *, block_on_year: bool = False
) -> tuple[pd.DataFrame, float]:
    """recordlinkage tutorial style: block on given name, compare, ECM, clusters by components.

    ``block_on_year`` adds the birth year to the first-name block (and to the sorted
    neighbourhood), which large data needs: on Depok the first-name block alone (SITI,
    MUHAMMAD, NUR ...) yields more pairs than pandas holds in memory."""
    import recordlinkage

    start = time.perf_counter()
    names = list(frames)
    combined = pd.concat([f.assign(source=n) for n, f in frames.items()])
    combined.index = combined["source"] + "|" + combined["rec_id"]
    combined["first"] = combined["name"].str.split(" ").str[0]
    indexer = recordlinkage.Index()
    if block_on_year:
        combined["year"] = combined["dob"].str[:4]
        indexer.block(["first", "year"])
        indexer.block("id_number")
    else:
        indexer.block("first")
        indexer.sortedneighbourhood("dob", window=3)
    pairs = indexer.index(combined)
    if len(names) == 2:
        pairs = pairs[combined.loc[pairs.get_level_values(0), "source"].to_numpy()
                      != combined.loc[pairs.get_level_values(1), "source"].to_numpy()]  # fmt: skip
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", threshold=0.85)
    compare.exact("dob", "dob")
    compare.string("address", "address", method="jarowinkler", threshold=0.85)
    compare.exact("id_number", "id_number")
    features = compare.compute(pairs, combined)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    parent = {k: k for k in combined.index}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in matches:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    clusters = pd.DataFrame(
        {
            "source": combined["source"].to_numpy(),
            "record_id": combined["rec_id"].to_numpy(),
            "resident_id": [find(k) for k in combined.index],
        }
    )
    return clusters, time.perf_counter() - start
