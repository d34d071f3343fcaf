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


HOSTILE = [
    '=HYPERLINK("http://x.example","klik")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1+1",
    "\uff1d1+1",
    "ok\x01\x02",
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_no_exported_cell_can_run_as_a_formula(tmp_path: Path, suffix: str) -> None:
    import csv

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    frame = pd.DataFrame({"source_l": HOSTILE, "record_id_l": HOSTILE[::-1], "n": range(len(HOSTILE))})
    path = export_review(frame.rename(columns={"n": "=1+1"}), tmp_path / f"q{suffix}")
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
    else:
        sheet = load_workbook(path).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    dangerous = ("=", "+", "-", "@", "\t", "\r", "\uff1d")
    assert [c for c in cells if c.lstrip(" ").startswith(dangerous)] == []
    assert len(cells) == 3 * (len(HOSTILE) + 1)


def test_broken_review_files_are_source_errors(tmp_path: Path) -> None:
    (tmp_path / "r.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(SourceError, match="cannot read the review file"):
        import_review(tmp_path / "r.xlsx")
    (tmp_path / "r.csv").write_bytes(b"\xff\xfe\x00garbage\x00\n\x81")
    with pytest.raises(SourceError):
        import_review(tmp_path / "r.csv")
