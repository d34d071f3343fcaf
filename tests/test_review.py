"""Clerical review round trip: queue, export (formulas neutralised), import, labels into the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dtks_link
from dtks_link import SourceError
from dtks_link.review import export_review, import_review, labels_for_pairs, neutralise_formulas, review_queue


def test_formulas_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "+1", "ok", None]})
    safe = neutralise_formulas(frame)
    assert safe["a"].tolist()[:4] == ['\'=HYPERLINK("http://x")', "'=cmd|' /C calc'!A0", "'+1", "ok"]
    path = export_review(frame.assign(**{"=evil": 1}), tmp_path / "q.csv")
    text = path.read_text()
    assert "\n=" not in text and ",=" not in text and not text.startswith("=")


def test_import_parses_decisions_and_rejects_garbage(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "source_l": ["a", "a", "a"],
            "record_id_l": ["1", "2", "3"],
            "source_r": ["b", "b", "b"],
            "record_id_r": ["9", "8", "7"],
            "is_match": ["ya", "0", ""],
        }
    )
    frame.to_csv(tmp_path / "r.csv", index=False)
    labels = import_review(tmp_path / "r.csv")
    assert labels["is_match"].tolist() == [True, False]
    frame.loc[2, "is_match"] = "maybe"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(SourceError, match="row 3"):
        import_review(tmp_path / "bad.csv")


def test_review_round_trip_feeds_the_model(small_depok: Any, tmp_path: Path) -> None:
    result = dtks_link.link(small_depok.config_path, write=False, keep_records=True)
    assert result.records is not None
    queue = review_queue(result.pairs, result.records, lower=0.01, upper=0.999, limit=200)
    assert len(queue) > 0
    assert "nik_equal" in queue.columns
    for value in queue["nik_l"].dropna():
        assert "*" in value  # never a raw NIK in a review file
    path = export_review(queue, tmp_path / "review.xlsx")
    # a reviewer decides with the truth
    truth = pd.read_parquet(small_depok.truth_path)
    key = truth.set_index(["source", "record_id"])["true_id"]
    reviewed = pd.read_excel(path, dtype=str)
    left = key.reindex(list(zip(reviewed["source_l"], reviewed["record_id_l"], strict=True))).to_numpy()
    right = key.reindex(list(zip(reviewed["source_r"], reviewed["record_id_r"], strict=True))).to_numpy()
    reviewed["is_match"] = ["y" if a == b else "n" for a, b in zip(left, right, strict=True)]
    reviewed.to_excel(path, index=False)
    labels = import_review(path)
    assert len(labels) == len(queue)
    labelled = labels_for_pairs(result.pairs, labels)
    assert len(labelled) == len(labels)
    # the labels train m probabilities instead of EM
    relinked = dtks_link.link(small_depok.config_path, write=False, labels=labels)
    assert any("labelled" in step for step in relinked.model.training_log_)
    metrics = dtks_link.evaluate(relinked.clusters, small_depok.truth_path)
    assert metrics.f1 > 0.9
