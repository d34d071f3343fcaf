"""Linkage quality metrics as plain functions: pairwise and cluster-level (B-cubed, exact).

Pairwise counts come from the contingency table of predicted and true clusters, so no pairs
are enumerated: a predicted cluster of n records holds n*(n-1)/2 pairs.
Conventions for empty denominators: precision is 1.0 when nothing was predicted as a pair,
recall is 1.0 when there are no true pairs, and F1 is 0.0 when both precision and recall are 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EvaluationError

__all__ = [
    "ErrorReport",
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
    assignments: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    """``source, record_id, pred, true`` for every record with truth (for :meth:`errors`)."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "assignments"}

    def errors(
        self,
        *,
        pairs: pd.DataFrame | None = None,
        records: pd.DataFrame | None = None,
        examples: int = 3,
    ) -> ErrorReport:
        """The linkage errors, pair by pair: false merges (two residents in one cluster) and
        missed links (one resident in two clusters), counted by source pair and by the
        pattern of comparison levels, with masked examples.

        ``pairs`` (``LinkResult.pairs``) adds each error pair's match probability (missing
        for pairs never scored: blocking did not reach them, or they scored below the pair
        threshold, or they were joined only through other records). ``records`` (the
        standardised records, ``LinkResult.records`` from ``link(..., keep_records=True)``)
        adds the level of every comparison, computed with the same rules as the model, and
        example values with NIK, KK and other identifiers masked."""
        if self.assignments is None:
            raise EvaluationError("these metrics carry no record assignments; compute them with evaluate()")
        return _error_report(self.assignments, pairs=pairs, records=records, examples=examples)

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
    cluster_column: str | None = None,
    truth_column: str | None = None,
    level: str = "resident",
) -> LinkageMetrics:
    """Compare predicted clusters with truth.

    ``clusters`` has ``source, record_id`` and ``cluster_column``; ``truth`` has
    ``source, record_id`` and ``truth_column``. Records are matched on (source, record_id) as
    strings; records without truth are counted in ``records_without_truth`` and left out.

    ``level="resident"`` (default) compares ``resident_id`` with ``true_id``;
    ``level="household"`` compares households: ``household_id`` in both (``clusters`` is then
    ``LinkResult.households.records``, and the synthetic Depok's ``truth.parquet`` has it), so
    the pairwise figures count pairs of records of one family.
    """
    if level not in ("resident", "household"):
        raise EvaluationError(f"level must be 'resident' or 'household', got {level!r}")
    household = level == "household"
    cluster_column = cluster_column or ("household_id" if household else "resident_id")
    truth_column = truth_column or ("household_id" if household else "true_id")
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
    assignments = joined[[*_KEYS, "pred", "true"]].reset_index(drop=True)
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
        assignments=assignments,
    )


@dataclass(frozen=True, kw_only=True)
class ErrorReport:
    """Linkage errors against truth (:meth:`LinkageMetrics.errors`).

    - ``pairs``: one row per error pair: ``kind`` (``false merge`` or ``missed link``),
      ``source_l, record_id_l, source_r, record_id_r``, ``match_probability`` (NaN when never
      scored) and, with records, ``pattern`` and one column per comparison (its level);
    - ``by_source_pair``: false merges and missed links per pair of sources, worst first;
    - ``by_pattern``: error pairs per kind and comparison-level pattern, most frequent first;
    - ``examples``: a few error pairs per kind and source pair with standardised values side
      by side, NIK, KK and other identifiers masked (``3276********0001``).
    """

    pairs: pd.DataFrame
    by_source_pair: pd.DataFrame
    by_pattern: pd.DataFrame
    examples: pd.DataFrame

    def summary(self, *, top: int = 8) -> str:
        kinds = self.pairs["kind"].value_counts()
        lines = [
            f"false merges: {int(kinds.get(FALSE_MERGE, 0)):,} pairs; "
            f"missed links: {int(kinds.get(MISSED_LINK, 0)):,} pairs",
            "by source pair:",
        ]
        for row in self.by_source_pair.head(top).itertuples(index=False):
            lines.append(
                f"  {row.source_l:>12} x {row.source_r:<12} false merges {row.false_merges:>6,}  "
                f"missed links {row.missed_links:>6,}"
            )
        if "pattern" in self.by_pattern.columns:
            lines.append("most frequent comparison patterns:")
            for row in self.by_pattern.head(top).itertuples(index=False):
                lines.append(f"  {row.kind:<12} {row.pairs:>6,}  {row.pattern}")
        return "\n".join(lines)


FALSE_MERGE = "false merge"
MISSED_LINK = "missed link"
_SHOWN = (
    "nama_clean",
    "birth_date",
    "sex",
    "nik",
    "no_kk",
    "id_lain",
    "kelurahan_code",
    "rt",
    "rw",
    "street",
)


def _pairs_within(frame: pd.DataFrame, group: str, differ: str) -> pd.DataFrame:
    """Every pair of records sharing ``group`` whose ``differ`` differs."""
    left = frame.rename(columns=lambda c: f"{c}_l" if c != group else c)
    right = frame.rename(columns=lambda c: f"{c}_r" if c != group else c)
    both = left.merge(right, on=group)
    key_l = both["source_l"] + "|" + both["record_id_l"]
    key_r = both["source_r"] + "|" + both["record_id_r"]
    return both[(key_l < key_r) & (both[f"{differ}_l"] != both[f"{differ}_r"])]


def _error_report(
    assignments: pd.DataFrame, *, pairs: pd.DataFrame | None, records: pd.DataFrame | None, examples: int
) -> ErrorReport:
    from .comparisons import COMPARISONS
    from .errors import mask_identifier
    from .schema import IDENTIFIER_FIELDS

    merges = _pairs_within(assignments, "pred", "true").assign(kind=FALSE_MERGE)
    missed = _pairs_within(assignments, "true", "pred").assign(kind=MISSED_LINK)
    columns = ["kind", "source_l", "record_id_l", "source_r", "record_id_r"]
    errors = pd.concat([merges[columns], missed[columns]], ignore_index=True)
    if pairs is not None and len(pairs):
        scored = pairs[["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]].astype(
            {"source_l": str, "record_id_l": str, "source_r": str, "record_id_r": str}
        )
        flipped = scored.rename(
            columns={"source_l": "source_r", "record_id_l": "record_id_r",
                     "source_r": "source_l", "record_id_r": "record_id_l"}
        )  # fmt: skip
        both = pd.concat([scored, flipped], ignore_index=True).drop_duplicates(columns[1:])
        errors = errors.merge(both, on=columns[1:], how="left")
    else:
        errors["match_probability"] = float("nan")
    by_source = (
        errors.assign(
            a=errors[["source_l", "source_r"]].min(axis=1), b=errors[["source_l", "source_r"]].max(axis=1)
        )
        .groupby(["a", "b", "kind"])
        .size()
        .unstack("kind", fill_value=0)
        .reindex(columns=[FALSE_MERGE, MISSED_LINK], fill_value=0)
        .rename(columns={FALSE_MERGE: "false_merges", MISSED_LINK: "missed_links"})
        .reset_index()
        .rename(columns={"a": "source_l", "b": "source_r"})
    )
    by_source = by_source.assign(total=by_source["false_merges"] + by_source["missed_links"])
    by_source = by_source.sort_values(["total", "source_l", "source_r"], ascending=[False, True, True])
    by_source = by_source.drop(columns="total").reset_index(drop=True)
    by_pattern = errors.groupby("kind").size().rename("pairs").reset_index()
    shown = pd.DataFrame()
    if records is not None and len(errors):
        table = records.copy()
        table["__key"] = table["source"].astype(str) + "|" + table["record_id"].astype(str)
        rows = table.set_index("__key").to_dict("index")
        present = [
            spec for spec in COMPARISONS.values()
            if any(c in table.columns and table[c].notna().any() for c in spec.columns)
        ]  # fmt: skip
        labels: dict[str, list[str]] = {spec.name: [] for spec in present}
        values: dict[str, list[Any]] = {f"{c}_{side}": [] for c in _SHOWN for side in "lr"}
        for row in errors.itertuples(index=False):
            left = _plain_row(rows.get(f"{row.source_l}|{row.record_id_l}", {}))
            right = _plain_row(rows.get(f"{row.source_r}|{row.record_id_r}", {}))
            for spec in present:
                labels[spec.name].append(spec.levels[spec.level_of(left, right)].label)
            for c in _SHOWN:
                for side, rec in (("l", left), ("r", right)):
                    value = rec.get(c)
                    if c in IDENTIFIER_FIELDS and value is not None:
                        value = mask_identifier(value)
                    values[f"{c}_{side}"].append(value)
        for name, level_labels in labels.items():
            errors[name] = level_labels
        errors["pattern"] = [
            "; ".join(f"{spec.name}: {labels[spec.name][i]}" for spec in present) for i in range(len(errors))
        ]
        by_pattern = (
            errors.groupby(["kind", "pattern"]).size().rename("pairs").reset_index()
            .sort_values(["pairs", "kind", "pattern"], ascending=[False, True, True]).reset_index(drop=True)
        )  # fmt: skip
        detail = pd.concat([errors, pd.DataFrame(values)], axis=1)
        shown = (
            detail.sort_values(["kind", "source_l", "source_r", "record_id_l", "record_id_r"])
            .groupby(["kind", "source_l", "source_r"], sort=True)
            .head(examples)
            .reset_index(drop=True)
        )
        shown = shown[[*columns, "match_probability", *values.keys(), "pattern"]]
    return ErrorReport(pairs=errors, by_source_pair=by_source, by_pattern=by_pattern, examples=shown)


def _plain_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A records row with missing values as None and timestamps as dates (what the
    comparisons' Python twins expect)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if (
            value is None
            or value is pd.NaT
            or value is pd.NA
            or (isinstance(value, float) and value != value)
        ):
            out[str(key)] = None
        elif isinstance(value, pd.Timestamp):
            out[str(key)] = value.date()
        elif hasattr(value, "tolist") and not isinstance(value, str | bytes):
            out[str(key)] = value.tolist()
        else:
            out[str(key)] = value
    return out


@dataclass(frozen=True, kw_only=True)
class ExpectedQuality:
    """Pairwise precision, recall and F1 that the model expects of its own clusters, estimated
    from its match probabilities without any truth (see :func:`expected_quality`)."""

    precision: float
    recall: float
    f1: float
    expected_true_pairs: float
    expected_true_positives: float
    predicted_pairs: int
    scored_pairs: int
    unscored_cluster_pairs: int
    threshold: float

    @property
    def expected_false_merges(self) -> float:
        """Expected pairs in one predicted cluster that are two different residents."""
        return self.predicted_pairs - self.expected_true_positives

    @property
    def expected_missed_links(self) -> float:
        """Expected pairs of one resident that the clusters keep apart."""
        return self.expected_true_pairs - self.expected_true_positives

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "expected_false_merges": self.expected_false_merges,
            "expected_missed_links": self.expected_missed_links,
        }

    def summary(self) -> str:
        return (
            f"expected pairwise precision {self.precision:.4f}, recall {self.recall:.4f}, "
            f"F1 {self.f1:.4f} (from match probabilities, no truth: about "
            f"{self.expected_false_merges:,.0f} false merges and {self.expected_missed_links:,.0f} "
            f"missed links among {self.predicted_pairs:,} linked pairs)"
        )


def expected_quality(pairs: pd.DataFrame, clusters: pd.DataFrame, *, threshold: float) -> ExpectedQuality:
    """Estimate pairwise precision, recall and F1 of ``clusters`` from the match probabilities
    of the scored ``pairs``, without truth.

    ``pairs`` has ``source_l, record_id_l, source_r, record_id_r, match_probability`` (the
    scored pairs, e.g. ``LinkResult.pairs``); ``clusters`` has ``source, record_id,
    resident_id`` (``LinkResult.clusters``); ``threshold`` is the match threshold the clusters
    were built at.

    Method: a pair's match probability is read as the chance that it is a true match.

    - linked pairs: every pair of records in one predicted cluster (``n(n-1)/2`` per cluster);
    - expected true positives: the sum of the probabilities of the scored pairs inside a
      cluster, plus, for each linked pair that was never scored (joined only through other
      records), the mean probability of the scored pairs of its cluster (``threshold`` when the
      cluster has none);
    - expected true pairs: the expected true positives plus the probabilities of the scored
      pairs that the clusters keep apart.
    - precision = true positives / linked pairs; recall = true positives / true pairs.

    Assumptions, each of which makes the estimate optimistic when it fails: the probabilities
    are calibrated (EM on data unlike its assumptions, e.g. strongly dependent fields, makes
    them overconfident); blocking reached every true pair; true pairs scored below the pair
    threshold (not in ``pairs``) are few. The benchmarks compare the estimate with measured
    figures (README, Benchmarks).
    """
    for frame, name, needed in (
        (pairs, "pairs", ["source_l", "record_id_l", "source_r", "record_id_r", "match_probability"]),
        (clusters, "clusters", [*_KEYS, "resident_id"]),
    ):
        missing = [c for c in needed if c not in frame.columns]
        if missing:
            raise EvaluationError(f"{name} is missing column(s) {missing}; it has {list(frame.columns)}")
    if not 0.0 < threshold < 1.0:
        raise EvaluationError(f"threshold must be between 0 and 1, got {threshold}")
    key = clusters["source"].astype(str) + "|" + clusters["record_id"].astype(str)
    cluster_of = pd.Series(clusters["resident_id"].astype(str).to_numpy(), index=key.to_numpy())
    if cluster_of.index.has_duplicates:
        raise EvaluationError("clusters list some (source, record_id) more than once")
    left = (pairs["source_l"].astype(str) + "|" + pairs["record_id_l"].astype(str)).map(cluster_of)
    right = (pairs["source_r"].astype(str) + "|" + pairs["record_id_r"].astype(str)).map(cluster_of)
    probability = pairs["match_probability"].astype(float).clip(0.0, 1.0)
    inside = (left.notna() & (left == right)).to_numpy()
    sizes = cluster_of.groupby(cluster_of.to_numpy()).size()
    predicted_pairs = _pairs(sizes)
    scored_inside = pd.DataFrame({"cluster": left[inside].to_numpy(), "p": probability[inside].to_numpy()})
    per_cluster = scored_inside.groupby("cluster")["p"].agg(["sum", "count", "mean"])
    all_pairs = (sizes * (sizes - 1) // 2).rename("pairs")
    per_cluster = per_cluster.reindex(all_pairs.index[all_pairs > 0])
    n_pairs = all_pairs.reindex(per_cluster.index)
    unscored = (n_pairs - per_cluster["count"].fillna(0)).clip(lower=0)
    fill = per_cluster["mean"].fillna(threshold)
    true_positives = float(per_cluster["sum"].fillna(0).sum() + (unscored * fill).sum())
    apart = float(probability[~inside].sum())
    true_pairs = true_positives + apart
    precision = true_positives / predicted_pairs if predicted_pairs else 1.0
    recall = true_positives / true_pairs if true_pairs > 0 else 1.0
    return ExpectedQuality(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        expected_true_pairs=true_pairs,
        expected_true_positives=true_positives,
        predicted_pairs=predicted_pairs,
        scored_pairs=len(pairs),
        unscored_cluster_pairs=int(unscored.sum()),
        threshold=threshold,
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
