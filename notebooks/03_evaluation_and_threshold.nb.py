# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 — Evaluation, choosing a threshold, and one round of clerical review
#
# **Size knob:** `DTKS_NOTEBOOK_RESIDENTS` (CI uses a small value).

# %%
import os
import tempfile
from pathlib import Path

import pandas as pd

import dtks_link
from dtks_link.evaluation import (
    cluster_size_chart,
    match_weight_histogram,
    pair_labels_from_truth,
    precision_recall_chart,
    threshold_sweep,
)
from dtks_link.review import export_review, import_review, review_queue
from dtks_link.synth import generate

RESIDENTS = int(os.environ.get("DTKS_NOTEBOOK_RESIDENTS", "20000"))
workdir = Path(tempfile.mkdtemp(prefix="dtks_eval_"))


def show(obj: object) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:
        print(obj)


dataset = generate(workdir / "data", residents=RESIDENTS, seed=3)
result = dtks_link.link(dataset.config_path, write=False, keep_records=True)
truth = pd.read_parquet(dataset.truth_path)
metrics = dtks_link.evaluate(result.clusters, truth)
print(metrics.summary())

# %% [markdown]
# ## 1. Precision and recall against the threshold

# %%
labels = pair_labels_from_truth(result.pairs, truth)
sweep = threshold_sweep(result.pairs, labels, total_true_pairs=metrics.true_pairs)
show(sweep)
precision_recall_chart(sweep)

# %%
match_weight_histogram(result.pairs, labels)

# %%
cluster_size_chart(result.clusters)

# %% [markdown]
# ## 2. Where the errors are
# `metrics.errors(...)` lists every false merge (two residents in one cluster) and missed link
# (one resident in two clusters), counted by source pair and by the pattern of comparison
# levels, with a few examples per source pair whose NIK, KK and other identifiers are masked.

# %%
report = metrics.errors(pairs=result.pairs, records=result.records)
print(report.summary())
show(report.by_source_pair)
show(report.by_pattern.head(10))
show(report.examples.head(6))

# %% [markdown]
# ## 3. Quality without truth
# Without truth, the model's own match probabilities give the precision and recall it
# expects (`link` prints them in its summary). Compare them with the measured figures:

# %%
expected = result.counts["expected_quality"]
print(expected.summary())
print(f"measured: precision {metrics.precision:.4f}, recall {metrics.recall:.4f}, F1 {metrics.f1:.4f}")

# %% [markdown]
# ## 4. Clerical review of the uncertain band
# Export the pairs between 0.2 and 0.95, let a reviewer decide (here the truth plays the
# reviewer), read the decisions back and retrain m from them.

# %%
assert result.records is not None
queue = review_queue(result.pairs, result.records, lower=0.2, upper=0.95, limit=300)
path = export_review(queue, workdir / "review.csv")
print(f"{len(queue)} pairs to review in {path}")
reviewed = pd.read_csv(path, dtype=str, keep_default_na=False)
key = truth.set_index(["source", "record_id"])["true_id"]
same = [
    key.get((a, b)) == key.get((c, d))
    for a, b, c, d in zip(
        reviewed.source_l, reviewed.record_id_l, reviewed.source_r, reviewed.record_id_r, strict=True
    )
]
reviewed["is_match"] = ["ya" if s else "tidak" for s in same]
reviewed.to_csv(path, index=False)
decisions = import_review(path)
print(decisions["is_match"].value_counts())

# %%
if decisions["is_match"].any():
    relinked = dtks_link.link(dataset.config_path, write=False, labels=decisions)
    print(dtks_link.evaluate(relinked.clusters, truth).summary())
