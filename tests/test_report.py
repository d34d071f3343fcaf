"""The linkage report: its string table, number formats, what `link` writes for it, and the page."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import string
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link import ConfigError, EvaluationError
from dtks_link.comparisons import COMPARISONS
from dtks_link.evaluation import ExpectedQuality, expected_quality
from dtks_link.report import ReportInputs, mask_record_id, render_report, write_report
from dtks_link.report.strings import (
    LANGUAGES,
    STRINGS,
    format_number,
    format_percent,
    level_label,
    quality_label,
    quarantine_reason,
)
from dtks_link.standardise import QUALITY_CHECKS


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    assert len(STRINGS) > 150
    for key, texts in STRINGS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts[lang].strip() for lang in LANGUAGES), key
        assert _placeholders(texts["id"]) == _placeholders(texts["en"]), key


def test_every_quality_check_and_model_level_has_an_indonesian_label() -> None:
    from dtks_link.formats import FORMAT_FIELDS

    checks = [c.name for c in QUALITY_CHECKS] + [f"{f}_format_mismatch" for f in FORMAT_FIELDS]
    untranslated = [name for name in checks if quality_label(name, "id", "?") == "?"]
    assert untranslated == [], f"add check.<name> to report/strings.py for {untranslated}"
    missing = []
    for name, spec in COMPARISONS.items():
        for level in spec.levels:
            if level.label == "Null":
                continue
            translated = level_label(level.label, "id", comparison=name)
            if translated == level.label:
                missing.append(f"{name}: {level.label}")
    assert missing == [], f"add level.<label> (or a pattern) to report/strings.py for {missing}"
    assert level_label("Key JW >= 0.88", "id") == "kemiripan kunci nama ≥ 0,88"
    assert level_label("Key JW >= 0.88", "en") == "name key Jaro-Winkler ≥ 0.88"
    assert level_label("a level of a custom model", "id") == "a level of a custom model"


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1234.5, 1, "id", "1.234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (1234567, 0, "id", "1.234.567"),
        (1234567, 0, "en", "1,234,567"),
        (0.9123, 4, "id", "0,9123"),
        (-11.62, 2, "id", "-11,62"),
    ],
)
def test_numbers_use_the_locale_separators(value: float, decimals: int, lang: str, expected: str) -> None:
    assert format_number(value, lang, decimals) == expected


def test_percentages() -> None:
    assert format_percent(0.9975, "id", 2) == "99,75%"
    assert format_percent(0.9975, "en", 2) == "99.75%"


@pytest.mark.parametrize(
    ("reason", "key", "values"),
    [
        ("missing record id in column 'ID'", "reason.missing_id", {"column": "'ID'"}),
        (
            "duplicate record id in column 'ID' (first seen at row 12)",
            "reason.duplicate_id",
            {"column": "'ID'"},
        ),
        ("duplicate record id in column 'ID'", "", {"text": "duplicate record id in column 'ID'"}),
        (
            "value in column 'NAMA' is longer than 1000 characters",
            "reason.value_too_long",
            {"column": "'NAMA'"},
        ),
        ("no name, NIK or KK number: nothing to link on", "reason.nothing_to_link", {}),
        ("malformed line: too many columns", "reason.malformed", {"detail": "too many columns"}),
        ("something new", "", {"text": "something new"}),
    ],
)
def test_quarantine_reasons_are_recognised(reason: str, key: str, values: dict[str, str]) -> None:
    assert quarantine_reason(reason) == (key, values)


def test_record_ids_with_long_digit_runs_are_masked() -> None:
    assert mask_record_id("3276011207850001") == "3276********0001"
    assert mask_record_id("0001000000001") == "0001*****0001"
    assert mask_record_id("DTKS0000000001") == "DTKS0000**0001"
    assert mask_record_id("BCN-000001") == "BCN-000001"  # short runs stay readable


def test_expected_quality_contract() -> None:
    """The contract the report relies on (any implementation of expected_quality meets it)."""
    keys = {
        "source_l": ["a"] * 3,
        "record_id_l": ["1", "2", "3"],
        "source_r": ["b"] * 3,
        "record_id_r": ["1", "2", "3"],
    }
    clusters = pd.DataFrame(
        {
            "source": ["a", "b"] * 3,
            "record_id": ["1", "1", "2", "2", "3", "3"],
            "resident_id": ["R1", "R1", "R2", "R2", "R3", "R3"],
        }
    )
    certain = expected_quality(
        pd.DataFrame({**keys, "match_probability": [1.0] * 3}), clusters, threshold=0.9
    )
    assert dataclasses.is_dataclass(certain) and isinstance(certain, ExpectedQuality)
    assert (certain.precision, certain.recall, certain.f1) == pytest.approx((1.0, 1.0, 1.0))
    assert certain.expected_true_pairs == pytest.approx(3.0)
    mixed = expected_quality(
        pd.DataFrame({**keys, "match_probability": [0.99, 0.92, 0.3]}), clusters, threshold=0.9
    )
    # one accepted pair is doubtful (0.92) and one true pair may be kept apart (0.3)
    assert 0 < mixed.precision < 1 and 0 < mixed.recall <= 1
    assert mixed.f1 == pytest.approx(2 * mixed.precision * mixed.recall / (mixed.precision + mixed.recall))
    assert mixed.expected_true_pairs < 3


# -- what link writes -------------------------------------------------------------------------------
def test_link_writes_what_the_report_needs(small_link: Any) -> None:
    out: Path = small_link.output_dir
    run = json.loads((out / "run.json").read_text())
    assert run == json.loads(json.dumps(small_link.run))  # the same summary in memory and on disk
    assert run["counts"]["residents"] == small_link.clusters["resident_id"].nunique()
    assert run["counts"]["records"] == len(small_link.clusters)
    assert sum(s["rows_read"] for s in run["sources"]) == run["counts"]["records"] + sum(
        s["quarantined"] for s in run["sources"]
    )
    assert set(run["timings"]) >= {"read", "standardise", "train", "predict", "diagnose", "cluster"}
    rules = run["blocking"]["rules"]
    assert [r["rule"] for r in rules] == run["model"]["blocking_rules"]
    assert sum(r["kept"] for r in rules) == len(small_link.pairs)
    assert all(r["compared"] >= r["kept"] for r in rules)
    assert json.loads((out / "model.json").read_text())["comparisons"]
    assert json.loads((out / "uncertain_pairs.json").read_text()) == small_link.uncertain_pairs


def test_uncertain_pairs_are_the_closest_to_the_threshold_and_add_up(small_link: Any) -> None:
    uncertain = small_link.uncertain_pairs
    assert len(uncertain) == 10
    threshold = small_link.run["options"]["match_threshold"]
    target = math.log2(threshold / (1 - threshold))
    closest = (small_link.pairs["match_weight"] - target).abs().min()
    distances = [abs(pair["match_weight"] - target) for pair in uncertain]
    assert distances == sorted(distances) and distances[0] == pytest.approx(closest)
    patterns = {tuple(step["level"] for step in pair["steps"]) for pair in uncertain}
    assert len(patterns) == len(uncertain)  # one pair per comparison pattern
    for pair in uncertain:
        steps = pair["prior_weight"] + sum(s["weight"] + s["tf_weight"] for s in pair["steps"])
        assert steps == pytest.approx(pair["match_weight"], abs=1e-6)
        assert {s["comparison"] for s in pair["steps"]} == set(small_link.run["model"]["comparisons"])
        pairs = small_link.pairs
        same = pairs[
            (pairs["source_l"] == pair["source_l"])
            & (pairs["source_r"] == pair["source_r"])
            & ((pairs["match_weight"] - pair["match_weight"]).abs() < 1e-6)
        ]
        assert len(same) >= 1  # the re-scored weight is the weight predict gave


def test_blocking_counts_match_the_blocking_report(tmp_path: Path) -> None:
    from dtks_link import link
    from dtks_link.blocking import blocking_report
    from dtks_link.synth import generate

    dataset = generate(tmp_path / "data", residents=400, seed=5)
    registry = tmp_path / "depok.registry"
    result = link(dataset.config_path, out_dir=tmp_path / "out", keep_records=True, registry=registry)
    con = duckdb.connect()
    con.register("records_view", result.records)
    con.execute("CREATE TABLE records AS SELECT * FROM records_view")
    from dtks_link.backends.duckdb import as_engine

    expected = blocking_report(as_engine(con), "records", result.model.blocking_rules_)
    rules = result.run["blocking"]["rules"]
    assert [r["compared"] for r in rules] == list(expected.comparisons)
    assert result.run["blocking"]["sample_proportion"] == 1.0
    changes = result.run["registry"]
    assert changes["created"] == result.run["counts"]["residents"]
    assert (changes["merged"], changes["split"]) == (0, 0)
    page = write_report(tmp_path / "out", tmp_path / "report.html", lang="en").read_text()
    assert 'id="registry"' in page


# -- the page -----------------------------------------------------------------------------------------
def _charts(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="dtks-charts">(.*?)</script>', page, re.S)
    assert match is not None
    charts: dict[str, Any] = json.loads(match.group(1))
    return charts


def test_report_from_the_output_directory(small_link: Any, small_depok: Any, tmp_path: Path) -> None:
    path = write_report(small_link.output_dir, tmp_path / "r" / "report.html", truth=small_depok.truth_path)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="id" data-lang="id">' in page
    for section in (
        "summary",
        "quality",
        "blocking",
        "model",
        "weights",
        "accuracy",
        "clusters",
        "uncertain",
    ):
        assert f'<section id="{section}">' in page
    assert 'id="registry"' not in page  # no registry in this run
    for key in ("sec.summary", "sec.uncertain", "accuracy.measured"):
        assert STRINGS[key]["id"] in page and STRINGS[key]["en"] in page
    residents = small_link.run["counts"]["residents"]
    assert f"<b>{format_number(residents, 'id')}</b>" not in page  # cards carry both languages
    assert f'<span lang="id">{format_number(residents, "id")}</span>' in page
    assert f'<span lang="en">{format_number(residents, "en")}</span>' in page
    charts = _charts(page)
    assert {"blocking", "model", "weights", "cluster_sizes", "expected_sweep", "measured_sweep"} <= set(
        charts
    )
    assert len([c for c in charts if c.startswith("waterfall_")]) == 10
    assert len([c for c in charts if c.startswith("quality_")]) == len(small_link.run["sources"])
    for name, specs in charts.items():
        assert set(specs) == set(LANGUAGES), name
        assert specs["id"] != specs["en"], f"chart {name} has no translated label"
        assert f'data-chart="{name}"' in page
    # self-contained: the chart libraries are inline, nothing is loaded from elsewhere
    assert "vegaEmbed" in page and "vega-lite" in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"\b(src|href)=\"(?!#)", markup)


def test_report_from_a_result_and_in_english(small_link: Any, tmp_path: Path) -> None:
    page = small_link.report(tmp_path / "en.html", lang="en").read_text(encoding="utf-8")
    assert '<html lang="en" data-lang="en">' in page
    assert STRINGS["accuracy.no_truth"]["en"] in page


def test_report_errors_are_clear(small_link: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="report language"):
        small_link.report(tmp_path / "x.html", lang="fr")
    with pytest.raises(EvaluationError, match=r"run\.json"):
        write_report(tmp_path, tmp_path / "x.html")
    with pytest.raises(EvaluationError, match="not a directory"):
        write_report(tmp_path / "missing", tmp_path / "x.html")


def test_registry_changes_are_listed(small_link: Any) -> None:
    data = ReportInputs.from_result(small_link)
    run = dict(data.run)
    run["registry"] = {
        "run_id": 3,
        "created": 2,
        "merged": 60,
        "split": 1,
        "attached": 5,
        "detached": 4,
        "merges": [[f"R{i:010d}", "R0000000001"] for i in range(2, 52)],
        "splits": [["R0000000007", "R0000000099"]],
    }
    page = render_report(ReportInputs(**{**data.__dict__, "run": run}), lang="en")
    assert 'id="registry"' in page
    assert "R0000000002 → R0000000001" in page and "R0000000007 → R0000000099" in page
    assert STRINGS["registry.first_build"]["en"] not in page
    assert "… and 10 more" in page and "… dan 10 lainnya" in page


def test_cli_report(small_link: Any, tmp_path: Path, capsys: Any) -> None:
    from dtks_link.cli import main

    out = tmp_path / "cli.html"
    assert main(["report", str(small_link.output_dir), "--lang", "en", "--out", str(out)]) == 0
    assert f"report written to {out}" in capsys.readouterr().out
    assert out.stat().st_size > 500_000  # the chart libraries are inside


def test_a_run_without_pairs_still_reports(small_link: Any) -> None:
    data = ReportInputs.from_result(small_link)
    empty = ReportInputs(
        **{
            **data.__dict__,
            "pairs": data.pairs.iloc[:0],
            "uncertain_pairs": [],
            "quality": data.quality.iloc[:0],
        }
    )
    page = render_report(empty, lang="en")
    assert STRINGS["weights.none"]["en"] in page and STRINGS["uncertain.none"]["en"] in page
    charts = _charts(page)
    assert "weights" not in charts and not any(c.startswith("waterfall_") for c in charts)


@given(
    weights=st.lists(st.floats(-40, 60, allow_nan=False), min_size=1, max_size=300),
    threshold=st.floats(0.01, 0.99),
)
@settings(max_examples=200, deadline=None)
def test_histogram_bins_count_every_weight_and_split_at_the_threshold(
    weights: list[float], threshold: float
) -> None:
    from dtks_link.report.document import logit2
    from dtks_link.report.sections.model import histogram_bins

    cut = logit2(threshold)
    bins = histogram_bins(np.array(weights), cut)
    assert sum(n for _, _, n in bins) == len(weights)
    assert len(bins) <= 200
    for start, end, _ in bins:
        assert start < end
        assert end <= cut + 1e-9 or start >= cut - 1e-9  # no bin straddles the threshold
