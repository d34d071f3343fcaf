"""End to end: link a small synthetic Depok and check outputs, accounting and accuracy."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dtks_link import evaluate

#: F1 floor on 3,000 synthetic residents across all six sources. Set below what the pipeline
#: measures (see README) with room for seed-to-seed variation; a broken stage (no NIK
#: comparison, no name folding, a bad threshold) drops F1 far below it.
F1_FLOOR = 0.93


def test_outputs_are_written(small_link: Any) -> None:
    out = small_link.output_dir
    for name in ("clusters", "pairs", "quarantine", "quality"):
        assert (out / f"{name}.parquet").exists()
    clusters = pd.read_parquet(out / "clusters.parquet")
    assert {"source", "record_id", "resident_id"} <= set(clusters.columns)
    assert clusters["record_id"].map(type).eq(str).all()
    pairs = pd.read_parquet(out / "pairs.parquet")
    assert {"match_weight", "match_probability"} <= set(pairs.columns)
    assert pairs["match_probability"].between(0, 1).all()


def test_every_row_is_accounted_for(small_link: Any, small_depok: Any) -> None:
    truth = pd.read_parquet(small_depok.truth_path)
    clusters = small_link.clusters
    quarantine = small_link.quarantine
    assert not clusters.duplicated(["source", "record_id"]).any()
    for source, n_rows in truth.groupby("source").size().items():
        kept = int((clusters["source"] == source).sum())
        rejected = int((quarantine["source"] == source).sum())
        assert kept + rejected == n_rows, source


def test_accuracy_floor(small_link: Any, small_depok: Any) -> None:
    metrics = evaluate(small_link.clusters, small_depok.truth_path)
    assert metrics.records_without_truth == 0
    assert metrics.f1 >= F1_FLOOR, metrics.summary()


def test_duplicate_free_source_never_shares_a_cluster_within_itself(small_link: Any) -> None:
    duk = small_link.clusters[small_link.clusters["source"] == "dukcapil"]
    assert not duk["resident_id"].duplicated().any()


def test_model_parameters_are_learned(small_link: Any) -> None:
    params = small_link.model.parameters()
    nik_exact = params[(params["comparison"] == "nik") & (params["level"] == "Exact NIK")]
    assert len(nik_exact) == 1
    assert float(nik_exact["match_weight"].iloc[0]) > 5  # an equal NIK is strong evidence


def test_summary_lists_the_quality_problems_it_wrote(small_link: Any) -> None:
    quality = pd.read_parquet(small_link.output_dir / "quality.parquet")
    summary = small_link.summary()
    assert "data quality" in summary
    worst = quality.sort_values("rate", ascending=False).iloc[0]
    assert worst["flagged"] > 0  # synthetic extracts carry every kind of damage
    assert f"{worst['check']} {worst['rate']:.1%}" in summary
