"""Metrics against hand-computed cases, edge cases, and invariants."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link import EvaluationError, evaluate


def frames(pred: list[str], true: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [str(i) for i in range(len(pred))]
    clusters = pd.DataFrame({"source": "s", "record_id": ids, "resident_id": pred})
    truth = pd.DataFrame({"source": "s", "record_id": ids, "true_id": true})
    return clusters, truth


def test_hand_computed_case() -> None:
    # predicted {0,1,2} {3} {4,5}; truth {0,1} {2,3} {4,5}
    clusters, truth = frames(["a", "a", "a", "b", "c", "c"], ["x", "x", "y", "y", "z", "z"])
    m = evaluate(clusters, truth)
    assert m.predicted_pairs == 4  # 3 + 0 + 1
    assert m.true_pairs == 3
    assert m.true_positive_pairs == 2  # (0,1) and (4,5)
    assert m.precision == pytest.approx(0.5)
    assert m.recall == pytest.approx(2 / 3)
    assert m.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    # B-cubed precision per record: 2/3, 2/3, 1/3, 1, 1, 1 -> mean 17/18... computed by hand
    assert m.bcubed_precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6)
    # B-cubed recall per record: 1, 1, 1/2, 1/2, 1, 1
    assert m.bcubed_recall == pytest.approx((1 + 1 + 0.5 + 0.5 + 1 + 1) / 6)
    assert m.exact_cluster_accuracy == pytest.approx(1 / 3)  # only {4,5}
    assert m.split_entities == 1  # y is split
    assert m.merged_clusters == 1  # a mixes x and y


def test_all_singletons() -> None:
    clusters, truth = frames(["a", "b", "c"], ["x", "y", "z"])
    m = evaluate(clusters, truth)
    assert (m.precision, m.recall, m.f1) == (1.0, 1.0, 1.0)
    assert m.exact_cluster_accuracy == 1.0


def test_everything_in_one_cluster() -> None:
    clusters, truth = frames(["a"] * 4, ["x", "x", "y", "z"])
    m = evaluate(clusters, truth)
    assert m.predicted_pairs == 6
    assert m.true_positive_pairs == 1
    assert m.precision == pytest.approx(1 / 6)
    assert m.recall == 1.0
    assert m.merged_clusters == 1


def test_missed_everything() -> None:
    clusters, truth = frames(["a", "b"], ["x", "x"])
    m = evaluate(clusters, truth)
    assert m.precision == 1.0 and m.recall == 0.0 and m.f1 == 0.0
    assert m.split_entities == 1


def test_empty_input() -> None:
    clusters, truth = frames([], [])
    m = evaluate(clusters, truth)
    assert m.records == 0 and m.f1 == 1.0


def test_records_without_truth_are_counted_not_scored() -> None:
    clusters, truth = frames(["a", "a", "b"], ["x", "x", "y"])
    extra = pd.concat(
        [clusters, pd.DataFrame({"source": ["t"], "record_id": ["9"], "resident_id": ["a"]})]
    )
    m = evaluate(extra, truth)
    assert m.records_without_truth == 1
    assert m.f1 == 1.0


def test_bad_inputs_raise_our_error() -> None:
    clusters, truth = frames(["a"], ["x"])
    with pytest.raises(EvaluationError, match="missing column"):
        evaluate(clusters.drop(columns="resident_id"), truth)
    with pytest.raises(EvaluationError, match="more than once"):
        evaluate(clusters, pd.concat([truth, truth]))
    with pytest.raises(EvaluationError, match="does not exist"):
        evaluate("nowhere.parquet", truth)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=40), st.randoms())
def test_metrics_do_not_depend_on_row_order_or_labels(
    pairs: list[tuple[int, int]], rnd: object
) -> None:
    pred = [f"p{p}" for p, _ in pairs]
    true = [f"t{t}" for _, t in pairs]
    clusters, truth = frames(pred, true)
    base = evaluate(clusters, truth)
    shuffled = clusters.sample(frac=1.0, random_state=7)
    relabelled = shuffled.assign(resident_id=shuffled["resident_id"].map(lambda x: "new" + x[::-1]))
    again = evaluate(relabelled, truth.sample(frac=1.0, random_state=3))
    assert base == again
    for value in (base.precision, base.recall, base.f1, base.bcubed_precision, base.bcubed_recall):
        assert 0.0 <= value <= 1.0
    # swapping the roles of prediction and truth swaps precision and recall
    swapped = evaluate(
        truth.rename(columns={"true_id": "resident_id"}),
        clusters.rename(columns={"resident_id": "true_id"}),
    )
    assert swapped.precision == pytest.approx(base.recall)
    assert swapped.bcubed_precision == pytest.approx(base.bcubed_recall)


def test_threshold_sweep_hand_computed() -> None:
    from dtks_link.evaluation import pair_labels_from_truth, threshold_sweep

    pairs = pd.DataFrame(
        {
            "source_l": ["s", "s", "s"],
            "record_id_l": ["0", "0", "2"],
            "source_r": ["s", "s", "s"],
            "record_id_r": ["1", "2", "3"],
            "match_probability": [0.95, 0.6, 0.3],
            "match_weight": [4.0, 0.5, -1.0],
        }
    )
    truth = pd.DataFrame(
        {"source": "s", "record_id": ["0", "1", "2", "3"], "true_id": ["a", "a", "b", "b"]}
    )
    labels = pair_labels_from_truth(pairs, truth)
    assert list(labels) == [True, False, True]
    sweep = threshold_sweep(pairs, labels, total_true_pairs=2, thresholds=[0.2, 0.5, 0.9])
    assert list(sweep["predicted_pairs"]) == [3, 2, 1]
    assert list(sweep["true_positives"]) == [2, 1, 1]
    assert sweep["precision"].tolist() == pytest.approx([2 / 3, 0.5, 1.0])
    assert sweep["recall"].tolist() == pytest.approx([1.0, 0.5, 0.5])


def test_charts_build() -> None:
    from dtks_link.evaluation import (
        cluster_size_chart,
        match_weight_histogram,
        precision_recall_chart,
    )

    pairs = pd.DataFrame({"match_probability": [0.9, 0.1], "match_weight": [3.0, -3.0]})
    sweep = pd.DataFrame({"threshold": [0.5], "precision": [1.0], "recall": [0.5], "f1": [2 / 3]})
    clusters, _ = frames(["a", "a", "b"], ["x", "x", "y"])
    for chart in (
        precision_recall_chart(sweep),
        match_weight_histogram(pairs, pd.Series([True, False])),
        cluster_size_chart(clusters),
    ):
        spec = chart.to_dict()
        assert "mark" in spec
