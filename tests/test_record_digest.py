"""The standardised records of the demo data are exactly those recorded before the redesign.

``tests/data/digests.json`` holds one SHA-256 per column of the records table (every row,
sorted by ``unique_id``) that ``benchmarks/record_digest.py`` computed on the code as it was
before the rule language and the dialects were reorganised. A change to any value of any
column fails here and names the column. When a change is meant (a rule is improved), record
the new digests with ``python benchmarks/record_digest.py demo depok100k febrl4 --write`` and
say why in the commit.
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


def test_spark_gave_the_same_records_as_duckdb() -> None:
    stored = json.loads(record_digest.DIGESTS.read_text())
    assert stored["demo/spark"] == stored["demo/duckdb"]


def test_digest_names_the_column_that_changed() -> None:
    rows = [("a", 1, None), ("b", 2, True)]
    before = record_digest.digest_rows(["k", "n", "flag"], rows)
    after = record_digest.digest_rows(["k", "n", "flag"], [("a", 1, None), ("b", 3, True)])
    assert record_digest.differences(before, after) == ["column 'n' differs"]
    assert record_digest.differences(before, before) == []
