"""One-to-one evidence between two duplicate-free sources (:mod:`dtks_link.one_to_one`)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.backends import connect
from dtks_link.backends.duckdb import DuckDBEngine
from dtks_link.clustering import cluster_records
from dtks_link.one_to_one import one_to_one_edges

N_LINKED = 98  # records of each source that link clearly, so that coverage is (98 + 1) / (100 + 2)


def _tables(
    extra_edges: list[tuple[str, str, float]],
    *,
    duplicate_free: tuple[bool, bool] = (True, True),
    birth_date_from_nik: frozenset[str] = frozenset(),
) -> duckdb.DuckDBPyConnection:
    """Two sources ``a`` and ``b`` of 100 records each; records 0..97 link with weight 20, the
    rest is ``extra_edges`` ((left, right, weight)). Returns the connection."""
    ids_a = [f"a|{i}" for i in range(100)]
    ids_b = [f"b|{i}" for i in range(100)]
    records = pd.DataFrame(
        {
            "unique_id": ids_a + ids_b,
            "source": ["a"] * 100 + ["b"] * 100,
            "source_duplicate_free": [duplicate_free[0]] * 100 + [duplicate_free[1]] * 100,
            "nik": [None] * 200,
            "nik_valid": [False] * 200,
            "tanggal_lahir": [None] * 200,
            "nik_birth_date": [None] * 200,
            "jenis_kelamin": [None] * 200,
            "nik_sex": [None] * 200,
            "birth_date_from_nik": [key in birth_date_from_nik for key in ids_a + ids_b],
        }
    )
    edges = [(f"a|{i}", f"b|{i}", 20.0) for i in range(N_LINKED)] + extra_edges
    frame = pd.DataFrame(edges, columns=["unique_id_l", "unique_id_r", "match_weight"])
    frame["match_probability"] = 1 / (1 + 2.0 ** -frame["match_weight"])
    con = connect()
    con.register("r", records)
    con.register("e", frame)
    con.execute("CREATE TABLE records AS SELECT * FROM r")
    con.execute("CREATE TABLE edges AS SELECT * FROM e")
    return con


def _adjusted(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    rows = con.execute("SELECT unique_id_l, unique_id_r, match_probability FROM o2o").fetchall()
    return {(left, right): p for left, right, p in rows}


def test_a_lone_candidate_gains_the_coverage_factor() -> None:
    # a|98's only candidate is b|98, pairwise probability 0.5 (weight 0)
    con = _tables([("a|98", "b|98", 0.0)])
    n = one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
    )
    assert n is not None and n.pairs == N_LINKED + 1
    coverage = (N_LINKED + 1) / (100 + 2)
    expected_odds = 1.0 / (1 - coverage)  # pairwise odds 1, no competitor
    p = _adjusted(con)[("a|98", "b|98")]
    assert p == pytest.approx(expected_odds / (1 + expected_odds), rel=1e-9)
    assert p > 0.9


def test_two_candidates_of_equal_weight_share_the_evidence() -> None:
    # a|98 has two candidates in b at the same weight: neither is more likely than the other
    con = _tables([("a|98", "b|98", 4.0), ("a|98", "b|99", 4.0)])
    one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
    )
    adjusted = _adjusted(con)
    assert adjusted[("a|98", "b|98")] == pytest.approx(adjusted[("a|98", "b|99")])
    assert adjusted[("a|98", "b|98")] < 0.5  # the odds 16 / (0.03 + 16) each: below one half
    assert adjusted[("a|98", "b|98")] < 1 / (1 + 2.0**-4.0)  # lower than pairwise


def test_nothing_changes_when_no_source_is_duplicate_free() -> None:
    con = _tables([("a|98", "b|98", 0.0)], duplicate_free=(False, False))
    engine = DuckDBEngine(con)
    assert (
        one_to_one_edges(
            engine, records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
        )
        is None
    )
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert "o2o" not in tables and not any(t.startswith("__o2o") for t in tables)


def test_one_duplicate_free_source_constrains_the_other_side_only() -> None:
    # b is duplicate-free, a is not: a|98 has at most one match in b (its lone candidate b|98
    # gains), but b|97 may be held twice in a (a|97 and a duplicate a|99 do not compete)
    con = _tables([("a|98", "b|98", 0.0), ("a|99", "b|97", 20.0)], duplicate_free=(False, True))
    one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
    )
    adjusted = _adjusted(con)
    assert adjusted[("a|98", "b|98")] > 0.9
    # b|97's two candidates do not compete (a is not duplicate-free): neither loses
    pairwise = 1 / (1 + 2.0**-20.0)
    assert adjusted[("a|99", "b|97")] >= pairwise and adjusted[("a|97", "b|97")] >= pairwise


def test_a_record_whose_birth_date_is_read_from_its_nik_is_not_rescored() -> None:
    # a carer's aid record with no birth date of its own, carrying the head's NIK: its
    # candidates are ranked by the head's birth date, so its pairs keep their pairwise score
    con = _tables(
        [("a|98", "b|98", 0.0)], duplicate_free=(False, True), birth_date_from_nik=frozenset({"a|98"})
    )
    one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
    )
    assert _adjusted(con)[("a|98", "b|98")] == pytest.approx(0.5)


def test_clustering_links_the_lone_candidate_and_not_the_contested_one() -> None:
    con = _tables([("a|98", "b|98", 0.0), ("a|99", "b|99", 3.0), ("a|99", "b|98", 3.0)])
    report = cluster_records(
        con, records_table="records", edges_table="edges", output_table="out",
        threshold=0.9, max_cluster_size=10,
    )  # fmt: skip
    clusters = dict(con.execute("SELECT unique_id, cluster_key FROM out").fetchall())
    # b|98 is contested by a|98 and a|99: from b|98's side the evidence is split, so the pairs
    # (a|98, b|98) and (a|99, b|98) stay below 0.9; (a|99, b|99) has a competitor on a|99's side
    assert clusters["b|98"] == "b|98"
    assert all(clusters[f"b|{i}"] == f"a|{i}" for i in range(N_LINKED))
    assert report.one_to_one_pairs == N_LINKED + 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(90, 99), st.integers(90, 99), st.floats(-8, 30)), max_size=12))
def test_rescored_probabilities_are_probabilities_and_symmetric_in_the_sources(
    raw: list[tuple[int, int, float]],
) -> None:
    extra = {(f"a|{i}", f"b|{j}"): w for i, j, w in raw if not (i == j and i < N_LINKED)}
    con = _tables([(left, right, w) for (left, right), w in extra.items()])
    one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="edges", output_table="o2o", threshold=0.9
    )
    forward = _adjusted(con)
    # the same pairs written right-to-left give the same scores
    con.execute(
        "CREATE TABLE flipped AS SELECT unique_id_r AS unique_id_l, unique_id_l AS unique_id_r, "
        "match_weight, match_probability FROM edges"
    )
    one_to_one_edges(
        DuckDBEngine(con), records_table="records", edges_table="flipped", output_table="o2o", threshold=0.9
    )
    backward = {(right, left): p for (left, right), p in _adjusted(con).items()}
    for pair, p in forward.items():
        assert 0.0 <= p <= 1.0 and not math.isnan(p)
        assert backward[pair] == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_a_given_coverage_replaces_the_estimate_and_is_reported() -> None:
    con = _tables([("a|98", "b|98", 0.0)], duplicate_free=(False, True))
    done = one_to_one_edges(
        DuckDBEngine(con),
        records_table="records",
        edges_table="edges",
        output_table="o2o",
        threshold=0.9,
        coverage={("a", "b"): 0.5},
    )
    assert done is not None and done.coverage == {("a", "b"): 0.5}
    # pairwise odds 1 over (1 - 0.5): odds 2
    assert _adjusted(con)[("a|98", "b|98")] == pytest.approx(2 / 3, rel=1e-9)


def test_a_registry_keeps_its_builds_coverage_for_later_reclusters(tmp_path: Path) -> None:
    from dtks_link import Registry, link, load_config
    from dtks_link.registry.decisions import build_coverage
    from dtks_link.synth import generate

    data = generate(tmp_path / "data", residents=150, seed=8)
    result = link(
        load_config(data.config_path), registry=tmp_path / "r.registry", write=False, progress=False
    )
    with Registry(tmp_path / "r.registry") as registry:
        kept = build_coverage(registry)
    reported = {(a, b): c for a, b, c in result.counts["constraints"].one_to_one_coverage}
    assert kept == reported and kept
    assert all(b == "dukcapil" and 0 < c <= 0.99 for (_, b), c in kept.items())
