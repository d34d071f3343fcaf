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

__all__ = ["LinkageMetrics", "evaluate"]

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
            raise EvaluationError(
                f"{name} is missing column(s) {missing}; it has {list(frame.columns)}"
            )
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
