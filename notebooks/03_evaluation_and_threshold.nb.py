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

# %% [markdown]
# ## 5. Decisions that last: a review round in the registry
# Labels only retrain the model: the next run could merge the same two people again. In the
# registry, a reviewer's answer is a **decision**: kept with who decided, when and why, and
# honoured by every later run: *same* is a must-link, *different* a cannot-link. The registry's
# queue leaves out the pairs already decided and puts first those whose answer would move the
# most records (`records_moved`, and `expected_change` = that times the model's probability of
# the answer going against the clustering).

# %%
registry_path = workdir / "depok.registry"
built = dtks_link.link(dataset.config_path, registry=registry_path, write=False)
print("before review:", dtks_link.evaluate(built.clusters, truth).summary().splitlines()[0])
with dtks_link.Registry(registry_path) as registry:
    queue = registry.review_queue(limit=100)
show(queue[["match_probability", "records_moved", "expected_change", "nama_clean_l", "nama_clean_r"]].head(8))
path = export_review(queue, workdir / "review_registry.xlsx")

# %% [markdown]
# The reviewer (the truth, again) fills `is_match` and a note; importing the file turns every
# reviewed row into a decision, applied at once in one run.

# %%
reviewed = pd.read_excel(path, dtype=str)
left = key.reindex(pd.MultiIndex.from_frame(reviewed[["source_l", "record_id_l"]])).to_numpy()
right = key.reindex(pd.MultiIndex.from_frame(reviewed[["source_r", "record_id_r"]])).to_numpy()
reviewed["is_match"] = ["ya" if a == b else "tidak" for a, b in zip(left, right, strict=True)]
reviewed["note"] = "checked against the KTP"
export_review(reviewed, path)
with dtks_link.Registry(registry_path) as registry:
    applied = registry.import_decisions(path, by="Dinas Sosial, review team 1")
    print(applied.summary())
    for decision in registry.decisions()[:3]:
        print(decision.describe())  # record ids that look like a NIK are masked

# %% [markdown]
# A re-run retrains the model (the decisions also feed it as labels) and re-clusters everything
# from scratch. The decisions hold: every *same* pair shares a resident, every *different* pair
# does not, and no decided pair comes back to the queue.


# %%
def decided_pairs_hold(registry: dtks_link.Registry) -> bool:
    for d in registry.decisions():
        together = registry.resident_id_of(*d.left) == registry.resident_id_of(*d.right)
        if together != d.same:
            return False
    return True


with dtks_link.Registry(registry_path) as registry:
    rerun = dtks_link.link(
        dataset.config_path, registry=registry, write=False, labels=registry.decisions_as_labels()
    )
    print("after review and a re-run:", dtks_link.evaluate(rerun.clusters, truth).summary().splitlines()[0])
    print("every decision holds:", decided_pairs_hold(registry))
    decided = {frozenset((d.left, d.right)) for d in registry.decisions()}
    again = registry.review_queue(limit=100)
    columns = ["source_l", "record_id_l", "source_r", "record_id_r"]
    back = {frozenset(((a, b), (c, d))) for a, b, c, d in again[columns].itertuples(index=False)}
    print("decided pairs back in the queue:", len(back & decided))
