"""Linkage quality metrics as plain functions: pairwise and cluster-level (B-cubed, exact).

Pairwise counts come from the contingency table of predicted and true clusters, so no pairs
are enumerated: a predicted cluster of n records holds n*(n-1)/2 pairs.
Conventions for empty denominators: precision is 1.0 when nothing was predicted as a pair,
recall is 1.0 when there are no true pairs, and F1 is 0.0 when both precision and recall are 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EvaluationError

__all__ = [
    "ExpectedQuality",
    "LinkageMetrics",
    "cluster_size_chart",
    "evaluate",
    "expected_quality",
    "match_weight_histogram",
    "pair_labels_from_truth",
    "precision_recall_chart",
    "threshold_sweep",
]

_KEYS = ["source", "record_id"]


@dataclass(frozen=True, kw_only=True)
class LinkageMetrics:
    """Pairwise and cluster metrics of predicted clusters against truth."""

    records: int
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    true_clusters: int
    predicted_clusters: int
    exact_cluster_accuracy: float
    split_entities: int
    merged_clusters: int
    records_without_truth: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One human-readable paragraph."""
        return (
            f"pairwise precision {self.precision:.4f}, recall {self.recall:.4f}, F1 {self.f1:.4f} "
            f"({self.true_positive_pairs:,} of {self.true_pairs:,} true pairs; "
            f"{self.predicted_pairs:,} predicted)\n"
            f"B-cubed precision {self.bcubed_precision:.4f}, recall {self.bcubed_recall:.4f}, "
            f"F1 {self.bcubed_f1:.4f}; exact clusters {self.exact_cluster_accuracy:.4f}; "
            f"{self.split_entities:,} residents split, {self.merged_clusters:,} clusters merged"
        )


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def _read(table: Any, what: str) -> pd.DataFrame:
    if isinstance(table, str | Path):
        path = Path(table)
        if not path.exists():
            raise EvaluationError(f"{what} file {str(path)!r} does not exist")
        return pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    if isinstance(table, pd.DataFrame):
        return table
    raise EvaluationError(f"{what} must be a pandas DataFrame or a Parquet/CSV path")


def evaluate(
    clusters: pd.DataFrame | str | Path,
    truth: pd.DataFrame | str | Path,
    *,
    cluster_column: str = "resident_id",
    truth_column: str = "true_id",
) -> LinkageMetrics:
    """Compare predicted clusters with truth.

    ``clusters`` has ``source, record_id`` and ``cluster_column``; ``truth`` has
    ``source, record_id`` and ``truth_column``. Records are matched on (source, record_id) as
    strings; records without truth are counted in ``records_without_truth`` and left out.
    """
    predicted = _read(clusters, "clusters")
    true = _read(truth, "truth")
    for frame, name, column in (
        (predicted, "clusters", cluster_column),
        (true, "truth", truth_column),
    ):
        missing = [c for c in [*_KEYS, column] if c not in frame.columns]
        if missing:
            raise EvaluationError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")
    left = predicted[[*_KEYS, cluster_column]].astype(str).rename(columns={cluster_column: "pred"})
    right = true[[*_KEYS, truth_column]].astype(str).rename(columns={truth_column: "true"})
    if right.duplicated(_KEYS).any():
        raise EvaluationError("truth lists some (source, record_id) more than once")
    if left.duplicated(_KEYS).any():
        raise EvaluationError("clusters list some (source, record_id) more than once")
    joined = left.merge(right, on=_KEYS, how="left")
    without_truth = int(joined["true"].isna().sum())
    joined = joined.dropna(subset=["true"])
    n = len(joined)
    if n == 0:
        return LinkageMetrics(
            records=0, true_pairs=0, predicted_pairs=0, true_positive_pairs=0,
            precision=1.0, recall=1.0, f1=1.0, bcubed_precision=1.0, bcubed_recall=1.0,
            bcubed_f1=1.0, true_clusters=0, predicted_clusters=0, exact_cluster_accuracy=1.0,
            split_entities=0, merged_clusters=0, records_without_truth=without_truth,
        )  # fmt: skip
    pred_sizes = joined.groupby("pred").size()
    true_sizes = joined.groupby("true").size()
    cell_sizes = joined.groupby(["pred", "true"]).size()
    tp = _pairs(cell_sizes)
    predicted_pairs = _pairs(pred_sizes)
    true_pairs = _pairs(true_sizes)
    precision = tp / predicted_pairs if predicted_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0

    cells = cell_sizes.rename("cell").reset_index()
    cells["pred_size"] = cells["pred"].map(pred_sizes)
    cells["true_size"] = cells["true"].map(true_sizes)
    # B-cubed: each record weighs |C∩T|/|C| (precision) and |C∩T|/|T| (recall); sum over cells.
    b_precision = float((cells["cell"] ** 2 / cells["pred_size"]).sum() / n)
    b_recall = float((cells["cell"] ** 2 / cells["true_size"]).sum() / n)
    exact = cells[(cells["cell"] == cells["pred_size"]) & (cells["cell"] == cells["true_size"])]
    split_entities = int((cells.groupby("true").size() > 1).sum())
    merged_clusters = int((cells.groupby("pred").size() > 1).sum())
    return LinkageMetrics(
        records=n,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        true_positive_pairs=tp,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=_f1(b_precision, b_recall),
        true_clusters=len(true_sizes),
        predicted_clusters=len(pred_sizes),
        exact_cluster_accuracy=len(exact) / len(true_sizes),
        split_entities=split_entities,
        merged_clusters=merged_clusters,
        records_without_truth=without_truth,
    )


def pair_labels_from_truth(pairs: pd.DataFrame, truth: pd.DataFrame | str | Path) -> pd.Series:
    """For scored pairs (``source_l, record_id_l, source_r, record_id_r``), whether truth says
    both records are the same resident (a boolean Series aligned with ``pairs``)."""
    true = _read(truth, "truth")[[*_KEYS, "true_id"]].astype(str)
    left = pairs[["source_l", "record_id_l"]].astype(str).set_axis(_KEYS, axis=1)
    right = pairs[["source_r", "record_id_r"]].astype(str).set_axis(_KEYS, axis=1)
    true_l = left.merge(true, on=_KEYS, how="left")["true_id"]
    true_r = right.merge(true, on=_KEYS, how="left")["true_id"]
    return pd.Series((true_l.to_numpy() == true_r.to_numpy()) & true_l.notna().to_numpy(), index=pairs.index)


def threshold_sweep(
    pairs: pd.DataFrame,
    labels: pd.Series,
    *,
    total_true_pairs: int | None = None,
    thresholds: list[float] | None = None,
) -> pd.DataFrame:
    """Pairwise precision, recall and F1 of the scored pairs at each match-probability threshold.

    ``labels`` says which pairs are true matches (from truth or clerical review).
    ``total_true_pairs`` is the number of true pairs in the data (including those never
    scored because blocking missed them); without it, recall is relative to the scored pairs.
    This scores pairs directly, before clustering (clustering can add transitive pairs).
    """
    cuts = thresholds or [round(0.05 * i, 2) for i in range(1, 20)] + [0.99, 0.999]
    probability = pairs["match_probability"].to_numpy()
    is_true = labels.to_numpy(dtype=bool)
    available = int(is_true.sum()) if total_true_pairs is None else total_true_pairs
    rows = []
    for cut in cuts:
        chosen = probability >= cut
        tp = int((chosen & is_true).sum())
        predicted = int(chosen.sum())
        precision = tp / predicted if predicted else 1.0
        recall = tp / available if available else 1.0
        rows.append(
            {
                "threshold": cut,
                "predicted_pairs": predicted,
                "true_positives": tp,
                "false_positives": predicted - tp,
                "precision": precision,
                "recall": recall,
                "f1": _f1(precision, recall),
            }
        )
    return pd.DataFrame(rows)


def precision_recall_chart(sweep: pd.DataFrame) -> Any:
    """Altair line chart of precision, recall and F1 against the threshold (from
    :func:`threshold_sweep`)."""
    import altair as alt

    long = sweep.melt(id_vars="threshold", value_vars=["precision", "recall", "f1"], var_name="metric")
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("threshold:Q", title="match probability threshold"),
            y=alt.Y("value:Q", scale=alt.Scale(zero=False)),
            color="metric:N",
            tooltip=["threshold", "metric", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(title="Precision and recall against threshold")
    )


def match_weight_histogram(pairs: pd.DataFrame, labels: pd.Series | None = None) -> Any:
    """Altair histogram of match weights, split by true/false match when labels are given."""
    import altair as alt

    frame = pd.DataFrame({"match_weight": pairs["match_weight"].to_numpy()})
    encoding: dict[str, Any] = {
        "x": alt.X("match_weight:Q", bin=alt.Bin(maxbins=60), title="match weight"),
        "y": alt.Y("count():Q", title="pairs"),
    }
    if labels is not None:
        frame["truth"] = labels.map({True: "match", False: "non-match"}).to_numpy()
        encoding["color"] = "truth:N"
    return alt.Chart(frame).mark_bar().encode(**encoding).properties(title="Match weights")


def cluster_size_chart(clusters: pd.DataFrame, *, cluster_column: str = "resident_id") -> Any:
    """Altair bar chart: how many clusters have each size."""
    import altair as alt

    sizes = clusters.groupby(cluster_column).size().value_counts().sort_index()
    frame = pd.DataFrame({"cluster_size": sizes.index, "clusters": sizes.to_numpy()})
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("cluster_size:O", title="records per resident"),
            y=alt.Y("clusters:Q", scale=alt.Scale(type="symlog")),
        )
        .properties(title="Cluster sizes")
    )


@dataclass(frozen=True, kw_only=True)
class ExpectedQuality:
    """Pairwise precision, recall and F1 the model expects of its own decisions, without truth.

    ``expected_true_pairs`` is the number of matching pairs the model believes the scored pairs
    hold (the sum of their match probabilities)."""

    precision: float
    recall: float
    f1: float
    expected_true_pairs: float


def expected_quality(pairs: pd.DataFrame, clusters: pd.DataFrame, *, threshold: float) -> ExpectedQuality:
    """What the model expects its precision and recall to be, from its own match probabilities.

    A scored pair (``pairs``: ``source_l, record_id_l, source_r, record_id_r,
    match_probability``) is accepted when its probability is at least ``threshold`` and, when
    ``clusters`` (``source, record_id, resident_id``) holds its records, both ended in the same
    cluster (the clustering constraints can refuse a link). If the probabilities are
    calibrated, an accepted pair is a true match with its probability, so:

    - expected true pairs = the sum of the probabilities of all scored pairs;
    - precision = the mean probability of the accepted pairs (1.0 when none is accepted);
    - recall = the accepted pairs' probabilities over the expected true pairs (1.0 when 0).

    Pairs scored below the pair threshold are not in ``pairs``; their small probabilities are
    left out of the expected true pairs, so recall reads slightly high. Pairs joined only
    transitively by clustering are not counted either.
    """
    missing = [c for c in ("match_probability", *_PAIR_KEYS) if c not in pairs.columns]
    if missing:
        raise EvaluationError(f"pairs are missing column(s) {missing}; they have {list(pairs.columns)}")
    probability = pairs["match_probability"].to_numpy(dtype=float)
    accepted = probability >= threshold
    if len(clusters) and {"resident_id", *_KEYS} <= set(clusters.columns):
        ids = clusters[[*_KEYS, "resident_id"]].astype(str)
        sides = []
        for side in ("l", "r"):
            keys = pairs[[f"source_{side}", f"record_id_{side}"]].astype(str).set_axis(_KEYS, axis=1)
            sides.append(keys.merge(ids, on=_KEYS, how="left")["resident_id"].to_numpy())
        same = (sides[0] == sides[1]) & pd.notna(sides[0])
        known = pd.notna(sides[0]) & pd.notna(sides[1])
        accepted &= same | ~known
    expected_true = float(probability.sum())
    precision = float(probability[accepted].mean()) if accepted.any() else 1.0
    recall = float(probability[accepted].sum()) / expected_true if expected_true else 1.0
    return ExpectedQuality(
        precision=precision, recall=recall, f1=_f1(precision, recall), expected_true_pairs=expected_true
    )


_PAIR_KEYS = ("source_l", "record_id_l", "source_r", "record_id_r")
