"""The Spark engine: the same contracts as DuckDB, on Spark local[2] with one shared session.

The Spark tests are marked ``spark`` (``pytest -m "not spark"`` leaves them out). The parity
test on 5,000 residents runs when ``DTKS_SPARK_5K=1`` (about ten minutes on two cores).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dtks_link import EngineError, link, load_config
from dtks_link.rules.regex import java_pattern as _java_pattern
from dtks_link.rules.regex import java_replacement as _java_replacement

REFERENCE = dt.date(2025, 7, 1)


# -- no Spark needed -------------------------------------------------------------------------
def test_java_pattern_keeps_re2_meaning() -> None:
    assert _java_pattern("A$") == "(?d)A\\z"
    assert _java_pattern("[$]") == "(?d)[$]"
    assert _java_pattern("[a[]") == "(?d)[a\\[]"
    assert _java_pattern("x", first_only_prefix=True) == "(?d)\\A((?s:.*?))(?:x)"


def test_java_replacement_groups_and_literals() -> None:
    assert _java_replacement("\\1-\\2") == "$1-$2"
    assert _java_replacement("$ \\") == "\\$ \\\\"
    assert _java_replacement("\\1x", shift=1) == "$2x"
    with pytest.raises(ValueError):
        _java_replacement("\\12")


def test_spark_engine_without_pyspark_says_what_to_install(
    small_depok: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark -> ImportError
    with pytest.raises(EngineError, match=r"pip install 'dtks-link\[spark\]'"):
        link(small_depok.config_path, write=False, engine="spark")


def test_importing_dtks_link_does_not_import_pyspark() -> None:
    import subprocess

    code = "import sys, dtks_link, dtks_link.pipeline; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- on Spark --------------------------------------------------------------------------------
def _config(path: Path) -> Any:
    cfg = load_config(path)
    return replace(cfg, options=replace(cfg.options, reference_date=REFERENCE))


@pytest.fixture(scope="module")
def tiny_depok(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dtks_link.synth import generate

    return generate(tmp_path_factory.mktemp("tiny") / "data", residents=300, seed=5)


@pytest.fixture(scope="module")
def tiny_duckdb_link(tiny_depok: Any) -> Any:
    return link(_config(tiny_depok.config_path), write=False, keep_records=True)


def test_few_large_queries_train_the_same_model(tiny_duckdb_link: Any, tiny_depok: Any) -> None:
    """What Spark trains with (u sampling in one pass, EM iterations on the driver), run on
    DuckDB: exactly Splink's u probabilities, the same m probabilities and clusters."""
    import duckdb

    from dtks_link.backends.duckdb import DuckDBEngine

    class FewQueries(DuckDBEngine):
        few_large_queries = True

    with duckdb.connect() as con:
        batched = link(_config(tiny_depok.config_path), write=False, engine=FewQueries(con))
    plain = tiny_duckdb_link.model.parameters()
    params = plain.merge(batched.model.parameters(), on=["comparison", "level"], suffixes=("_a", "_b"))
    assert len(params) == len(plain)
    assert params["u_probability_a"].fillna(-1).tolist() == params["u_probability_b"].fillna(-1).tolist()
    assert (params["m_probability_a"] - params["m_probability_b"]).abs().max() <= 1e-12
    assert _partition(batched.clusters) == _partition(tiny_duckdb_link.clusters)


@pytest.fixture(scope="module")
def both_engines(
    tiny_depok: Any, tiny_duckdb_link: Any, spark_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One run per engine (Spark is slow to start, so its one run also builds and exports a
    registry: Spark computes the clusters, the registry records them)."""
    from dtks_link import Registry

    cfg = _config(tiny_depok.config_path)
    folder = tmp_path_factory.mktemp("spark_registry")
    with Registry(folder / "reg.duckdb") as registry:
        spark = link(cfg, write=False, keep_records=True, engine=spark_engine, registry=registry)
        exported = registry.export(folder / "export")
        stats = registry.stats()
    return {
        "duckdb": tiny_duckdb_link,
        "spark": spark,
        "spark_registry_export": exported,
        "spark_registry_stats": stats,
    }


def _partition(clusters: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
    return {
        frozenset(zip(group["source"], group["record_id"], strict=True))
        for _, group in clusters.groupby("resident_id")
    }


def assert_same_linkage(duck: Any, spark: Any) -> None:
    """Identical clusters; the same pairs with weights within 1e-6; the same model."""
    key = ["source", "record_id"]
    a = duck.clusters.sort_values(key).reset_index(drop=True)
    b = spark.clusters.sort_values(key).reset_index(drop=True)
    assert len(a) == len(b)
    assert _partition(a) == _partition(b)
    pair_key = ["source_l", "record_id_l", "source_r", "record_id_r"]
    merged = duck.pairs.merge(spark.pairs, on=pair_key, how="outer", suffixes=("_d", "_s"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged["_merge"].value_counts()
    assert (merged["match_weight_d"] - merged["match_weight_s"]).abs().max() <= 1e-6
    params = duck.model.parameters().merge(
        spark.model.parameters(), on=["comparison", "level"], suffixes=("_d", "_s")
    )
    assert len(params) == len(duck.model.parameters())
    assert (params["match_weight_d"] - params["match_weight_s"]).abs().max() <= 1e-6


@pytest.mark.spark
def test_standardised_records_are_identical(both_engines: dict[str, Any]) -> None:
    duck, spark = both_engines["duckdb"].records, both_engines["spark"].records
    assert duck is not None and spark is not None
    duck = duck.sort_values("unique_id").reset_index(drop=True)
    spark = spark.sort_values("unique_id").reset_index(drop=True)
    assert list(duck.columns) == list(spark.columns)
    for column in duck.columns:
        left = [
            None if pd.isna(v) else (v.date() if isinstance(v, pd.Timestamp) else v) for v in duck[column]
        ]
        right = [
            None if pd.isna(v) else (v.date() if isinstance(v, pd.Timestamp) else v) for v in spark[column]
        ]
        assert left == right, column


@pytest.mark.spark
def test_same_clusters_and_weights_on_both_engines(both_engines: dict[str, Any]) -> None:
    assert_same_linkage(both_engines["duckdb"], both_engines["spark"])


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_contract_every_row_accounted_for(both_engines: dict[str, Any], tiny_depok: Any, engine: str) -> None:
    result = both_engines[engine]
    truth = pd.read_parquet(tiny_depok.truth_path)
    assert not result.clusters.duplicated(["source", "record_id"]).any()
    for source, n_rows in truth.groupby("source").size().items():
        kept = int((result.clusters["source"] == source).sum())
        rejected = int((result.quarantine["source"] == source).sum())
        assert kept + rejected == n_rows, source
    assert set(result.timings) >= {"read", "standardise", "train", "predict", "cluster"}


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_contract_duplicate_free_source_never_shares_a_cluster(
    both_engines: dict[str, Any], engine: str
) -> None:
    clusters = both_engines[engine].clusters
    duk = clusters[clusters["source"] == "dukcapil"]
    assert not duk["resident_id"].duplicated().any()


@pytest.mark.spark
@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_contract_accuracy(both_engines: dict[str, Any], tiny_depok: Any, engine: str) -> None:
    from dtks_link import evaluate

    metrics = evaluate(both_engines[engine].clusters, tiny_depok.truth_path)
    assert metrics.f1 >= 0.9, metrics.summary()


@pytest.mark.spark
def test_registry_build_and_export_from_spark(both_engines: dict[str, Any]) -> None:
    paths = both_engines["spark_registry_export"]
    assert all(path.exists() for path in paths.values())
    assert both_engines["spark_registry_stats"]["residents"] == both_engines["spark"].counts["clusters"]
    membership = pd.read_parquet(paths["membership"])
    assert _partition(membership) == _partition(both_engines["duckdb"].clusters)


@pytest.mark.spark
@pytest.mark.skipif(os.environ.get("DTKS_SPARK_5K") != "1", reason="set DTKS_SPARK_5K=1 (about 10 min)")
def test_parity_on_5000_residents(tmp_path_factory: pytest.TempPathFactory, spark_engine: Any) -> None:
    from dtks_link.synth import generate

    ds = generate(tmp_path_factory.mktemp("parity5k") / "data", residents=5_000, seed=7)
    cfg = _config(ds.config_path)
    duck = link(cfg, write=False)
    spark = link(cfg, write=False, engine=spark_engine)
    assert_same_linkage(duck, spark)
    ids = ["source", "record_id"]
    a, b = duck.clusters.sort_values(ids), spark.clusters.sort_values(ids)
    assert (a["resident_id"].to_numpy() == b["resident_id"].to_numpy()).all()


def test_report_diagnostics_are_the_same_on_both_engines(both_engines: dict[str, Any]) -> None:
    """What the report draws from a run (pairs per blocking rule, the most uncertain pairs and
    their waterfalls) does not depend on the engine."""
    duck, spark = both_engines["duckdb"].run, both_engines["spark"].run
    assert spark["blocking"] == duck["blocking"]
    assert spark["counts"] == duck["counts"]
    assert spark["registry"]["created"] == spark["counts"]["residents"]
    duck_pairs, spark_pairs = both_engines["duckdb"].uncertain_pairs, both_engines["spark"].uncertain_pairs
    assert len(spark_pairs) == len(duck_pairs) > 0
    for a, b in zip(duck_pairs, spark_pairs, strict=True):
        assert (a["source_l"], a["record_id_l"], a["source_r"], a["record_id_r"]) == (
            b["source_l"],
            b["record_id_l"],
            b["source_r"],
            b["record_id_r"],
        )
        assert a["match_weight"] == pytest.approx(b["match_weight"], abs=1e-6)
        assert [s["level"] for s in a["steps"]] == [s["level"] for s in b["steps"]]


@pytest.mark.spark
def test_every_rule_operation_means_the_same_on_spark(spark_engine: Any) -> None:
    """The catalogue of one rule per operation (tests/rule_catalogue.py) on Spark, as one select
    list and as the staged query: the same values as the Python twin, record by record."""
    from dtks_link.rules import SPARK, Renderer, compile_record, staged_query
    from rule_catalogue import CATALOGUE, ROWS, same

    frame = pd.DataFrame({"i": range(len(ROWS)), "s": [r[0] for r in ROWS], "t": [r[1] for r in ROWS]})
    spark_engine.load_frame("rule_rows", frame.astype({"s": object, "t": object}))
    renderer = Renderer(SPARK)
    items = ", ".join(f"{renderer.expression(e)} AS {SPARK.quote(k)}" for k, e in CATALOGUE.items())
    queries = {
        "select_list": f"SELECT i, {items} FROM rule_rows ORDER BY i",
        "staged": staged_query(CATALOGUE, source="rule_rows", select="i", dialect=SPARK) + " ORDER BY i",
    }
    run = compile_record(CATALOGUE)
    expected = [run({"s": s, "t": t}) for s, t in ROWS]
    for form, sql in queries.items():
        rows = spark_engine.rows(sql)
        for row, want, raw in zip(rows, expected, ROWS, strict=True):
            got = dict(zip(["i", *CATALOGUE], row, strict=True))
            differs = {k: (got[k], want[k]) for k in CATALOGUE if not same(got[k], want[k])}
            assert not differs, (form, raw, differs)


@pytest.mark.spark
def test_same_households_on_both_engines(both_engines: dict[str, Any]) -> None:
    """Household resolution is the same SQL on Spark: the same families, links and current KKs
    (the Spark run's ids are the registry's stable ones, so partitions are compared)."""
    duck, spark = both_engines["duckdb"].households, both_engines["spark"].households
    assert duck is not None and spark is not None

    def families(records: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
        return {
            frozenset(zip(g["source"], g["record_id"].astype(str), strict=True))
            for _, g in records.groupby("household_id")
        }

    assert families(duck.records) == families(spark.records)
    assert len(duck.links) == len(spark.links)
    assert sorted(duck.golden["current_kk"].dropna()) == sorted(spark.golden["current_kk"].dropna())
    assert spark.golden["household_id"].str.fullmatch(r"H\d{10}").all()
