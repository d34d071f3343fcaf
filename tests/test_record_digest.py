"""The standardised records, scored pairs and clusters of the demo data are exactly those
recorded before the redesign.

``tests/data/digests.json`` holds one SHA-256 per column of the records table (every row,
sorted by ``unique_id``), of the pairs (weights and probabilities to 1e-9) and of the clusters
that ``benchmarks/record_digest.py`` computed on the code as it was before the rule language,
the dialects and the run path were reorganised. A change to any value of any column fails here
and names the column. When a change is meant (a rule or the model is improved), record the new
digests with ``python benchmarks/record_digest.py demo depok100k febrl4 --write`` and say why
in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import record_digest  # noqa: E402


def test_demo_records_are_unchanged() -> None:
    stored = json.loads(record_digest.DIGESTS.read_text())
    actual = record_digest.digest("demo")
    assert record_digest.differences(stored["demo/duckdb"], actual) == []
    assert actual == stored["demo/duckdb"]


def test_demo_pairs_and_clusters_are_unchanged() -> None:
    stored = json.loads(record_digest.DIGESTS.read_text())
    actual = record_digest.linkage_digests("demo")
    for output in ("pairs", "clusters"):
        expected = stored[record_digest.digest_key("demo", "duckdb", output)]
        assert record_digest.differences(expected, actual[output]) == [], output
        assert actual[output] == expected, output


def test_pair_weights_are_rounded_to_1e9_without_negative_zero() -> None:
    assert record_digest.rounded(1.23456789049) == "1.234567890"
    assert record_digest.rounded(-0.0000000001) == "0.000000000"
    assert record_digest.rounded(-2.5) == "-2.500000000"


def test_spark_gave_the_same_records_as_duckdb() -> None:
    stored = json.loads(record_digest.DIGESTS.read_text())
    assert stored["demo/spark"] == stored["demo/duckdb"]


def test_digest_names_the_column_that_changed() -> None:
    rows = [("a", 1, None), ("b", 2, True)]
    before = record_digest.digest_rows(["k", "n", "flag"], rows)
    after = record_digest.digest_rows(["k", "n", "flag"], [("a", 1, None), ("b", 3, True)])
    assert record_digest.differences(before, after) == ["column 'n' differs"]
    assert record_digest.differences(before, before) == []


def test_cached_synthetic_data_is_regenerated_when_the_generator_changed(tmp_path: Path) -> None:
    import _common

    folder = tmp_path / "depok_300"
    _common.synthetic(300, seed=3, folder=folder)
    fresh = (folder / "truth.parquet").read_bytes()
    (folder / "truth.parquet").write_bytes(b"written by another version of the generator")
    assert _common.synthetic(300, seed=3, folder=folder) == folder
    assert (folder / "truth.parquet").read_bytes() != fresh  # same stamp: the cache is trusted
    (folder / _common._STAMP).write_text('{"generator": "an older generator"}')
    _common.synthetic(300, seed=3, folder=folder)
    assert (folder / "truth.parquet").read_bytes() == fresh
