"""Clustering: connected components, constraints, and order independence."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.backends import connect
from dtks_link.clustering import cluster_records, greedy_constrained_clusters


def partition(mapping: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, root in mapping.items():
        groups.setdefault(root, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_greedy_without_constraints_is_connected_components() -> None:
    nodes = [(k, None, None) for k in "abcde"]
    edges = [("a", "b", 5.0), ("b", "c", 1.0), ("d", "e", 2.0)]
    mapping, refused = greedy_constrained_clusters(nodes, edges, max_cluster_size=10)
    assert partition(mapping) == {frozenset("abc"), frozenset("de")}
    assert refused == 0
    assert mapping["c"] == "a"  # the representative is the smallest id


def test_duplicate_free_source_splits_on_weakest_link() -> None:
    # a and c are both Dukcapil: b links to both, the weaker link (b-c) is cut
    nodes = [("a", "dukcapil", None), ("b", None, None), ("c", "dukcapil", None)]
    edges = [("a", "b", 9.0), ("b", "c", 4.0)]
    mapping, refused = greedy_constrained_clusters(nodes, edges, max_cluster_size=10)
    assert partition(mapping) == {frozenset("ab"), frozenset("c")}
    assert refused == 1


def test_confirmed_niks_never_merge() -> None:
    nodes = [("a", None, "3276010101900001"), ("b", None, None), ("c", None, "3276010101900002")]
    edges = [("a", "b", 3.0), ("b", "c", 8.0)]
    mapping, _ = greedy_constrained_clusters(nodes, edges, max_cluster_size=10)
    assert partition(mapping) == {frozenset("a"), frozenset("bc")}


def test_size_cap() -> None:
    nodes = [(k, None, None) for k in "abcd"]
    edges = [("a", "b", 9.0), ("c", "d", 8.0), ("b", "c", 1.0)]
    mapping, refused = greedy_constrained_clusters(nodes, edges, max_cluster_size=3)
    assert partition(mapping) == {frozenset("ab"), frozenset("cd")}
    assert refused == 1


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(-5, 20, allow_nan=False)),
        max_size=30,
    ),
    st.lists(st.sampled_from([None, "dukcapil"]), min_size=10, max_size=10),
    st.randoms(use_true_random=False),
)
def test_clustering_does_not_depend_on_input_order(
    raw_edges: list[tuple[int, int, float]], flags: list[str | None], rnd: object
) -> None:
    nodes = [(f"n{i}", flags[i], None) for i in range(10)]
    edges = [(f"n{a}", f"n{b}", w) for a, b, w in raw_edges if a != b]
    first, _ = greedy_constrained_clusters(nodes, edges, max_cluster_size=4)
    shuffled_edges = list(edges)
    shuffled_nodes = list(nodes)
    rnd.shuffle(shuffled_edges)  # type: ignore[attr-defined]
    rnd.shuffle(shuffled_nodes)  # type: ignore[attr-defined]
    flipped = [(b, a, w) for a, b, w in shuffled_edges]
    second, _ = greedy_constrained_clusters(shuffled_nodes, flipped, max_cluster_size=4)
    assert first == second
    for group in partition(first):
        assert len(group) <= 4
        assert sum(1 for key in group if flags[int(key[1:])]) <= 1


def test_cluster_records_in_the_engine() -> None:
    con = connect()
    records = pd.DataFrame(
        {
            "unique_id": ["d|1", "d|2", "x|1", "x|2", "x|3"],
            "source": ["d", "d", "x", "x", "x"],
            "source_duplicate_free": [True, True, False, False, False],
            "nik": ["3276010101900001", "3276010101900002", None, None, None],
            "nik_valid": [True, True, False, False, False],
            "tanggal_lahir": [None] * 5,
            "nik_birth_date": [None] * 5,
            "jenis_kelamin": [None] * 5,
            "nik_sex": [None] * 5,
        }
    )
    edges = pd.DataFrame(
        {
            # x|1 and x|2 are one resident listed twice; each is linked to another Dukcapil record
            "unique_id_l": ["d|1", "x|1", "d|2", "x|2"],
            "unique_id_r": ["x|1", "x|2", "x|2", "x|3"],
            "match_weight": [10.0, 8.0, 6.0, 0.0],
            "match_probability": [0.999, 0.996, 0.98, 0.5],
        }
    )
    con.register("r", records)
    con.register("e", edges)
    con.execute("CREATE TABLE records AS SELECT * FROM r")
    con.execute("CREATE TABLE edges AS SELECT * FROM e")
    report = cluster_records(
        con, records_table="records", edges_table="edges", output_table="out",
        threshold=0.9, max_cluster_size=10,
    )  # fmt: skip
    rows = dict(con.execute("SELECT unique_id, cluster_key FROM out").fetchall())
    assert rows["x|1"] == "d|1" and rows["x|2"] == "d|1"  # the strongest links win
    assert rows["d|2"] == "d|2"  # two Dukcapil records never share a cluster
    assert rows["x|3"] == "x|3"  # 0.5 is below the threshold
    assert report.repaired_components == 1
    assert report.duplicate_free_violations == 1
    assert report.edges_refused == 1
