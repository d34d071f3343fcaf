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
# # 02 — Multi-source Depok linkage: quality, blocking, model, explanations
#
# Six departmental extracts (Dukcapil, DTKS, BPJS PBI, PKH, lansia, disaster victims), each in
# its own format. We look at their data quality, check what the blocking rules reach, read the
# learned model and explain individual pairs.
#
# **Size knob:** `DTKS_NOTEBOOK_RESIDENTS` (CI uses a small value).

# %%
import os
import tempfile
from pathlib import Path

import pandas as pd

import dtks_link
from dtks_link.backends.duckdb import as_engine, connect
from dtks_link.blocking import blocking_report, default_blocking_rules
from dtks_link.model import columns_with_data
from dtks_link.sources import load_sources
from dtks_link.standardise import quality_chart, quality_profile, standardise_records
from dtks_link.synth import generate

RESIDENTS = int(os.environ.get("DTKS_NOTEBOOK_RESIDENTS", "20000"))
workdir = Path(tempfile.mkdtemp(prefix="dtks_multi_"))


def show(obj: object) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:
        print(obj)


dataset = generate(workdir / "data", residents=RESIDENTS, seed=2)
config = dtks_link.load_config(dataset.config_path)

# %% [markdown]
# ## 1. Data quality per source
# Invalid and Excel-damaged NIKs, NIK/birth-date and NIK/sex mismatches, placeholder dates,
# unknown kelurahan — counted per source, inside DuckDB.

# %%
con = connect()
load_sources(con, config.sources)
standardise_records(as_engine(con), config)
profile = quality_profile(con, "records")
show(profile)
chart = quality_chart(profile)
chart

# %% [markdown]
# ## 2. Blocking: how many pairs, and how many true pairs they reach
# We attach the generator's truth to the records to measure pair recall.

# %%
truth = pd.read_parquet(dataset.truth_path)
con.register("truth_frame", truth)
con.execute(
    "CREATE TABLE records_truth AS SELECT r.*, t.true_id FROM records r "
    "JOIN truth_frame t ON r.source = t.source AND r.record_id = t.record_id"
)
rules = default_blocking_rules(columns_with_data(con, "records_truth"))
report = blocking_report(as_engine(con), "records_truth", rules, truth_column="true_id")
show(pd.DataFrame({"rule": report.rules, "new comparisons": report.comparisons}))
print(
    f"{report.total_comparisons:,} comparisons ({report.comparisons_per_record:.1f} per record); "
    f"pair recall {report.pair_recall:.4f}"
)

# %% [markdown]
# ## 3. Link and read the model
# Match weights per comparison level: how much each agreement or disagreement counts.

# %%
result = dtks_link.link(config, write=False, progress=True, keep_records=True)
print(result.summary())
params = result.model.parameters()
show(params)

# %%
import altair as alt

alt.Chart(params).mark_bar().encode(
    x=alt.X("match_weight:Q", title="match weight"),
    y=alt.Y("level:N", sort=None),
    color=alt.condition("datum.match_weight > 0", alt.value("steelblue"), alt.value("orange")),
    row=alt.Row("comparison:N", sort=None, header=alt.Header(labelAngle=0, labelAlign="left")),
).properties(width=400, title="Learned match weights").resolve_scale(y="independent")

# %% [markdown]
# ## 4. Why was a pair matched? Waterfall of match weights
# `model.explain` gives a plain-text account for logs and services: levels and weights only,
# never a value, so no NIK can leak. `model.waterfall_chart` is Splink's chart of the same
# sum; by default it carries weights only (`show_values=True` adds values, identifiers masked).

# %%
model = result.model.attach(result.records)  # the run's database is closed; re-attach its records
records = result.records.set_index("unique_id", drop=False)
pair = result.pairs.sort_values("match_probability").iloc[len(result.pairs) // 2]
left = records.loc[f"{pair.source_l}|{pair.record_id_l}"].to_dict()
right = records.loc[f"{pair.source_r}|{pair.record_id_r}"].to_dict()
print(model.explain(left, right))

# %%
model.waterfall_chart(left, right, show_values=True)

# %% [markdown]
# The model saves to JSON (Splink's format) and loads back, e.g. to score a new extract
# with the weights an analyst has signed off:

# %%
model.save(workdir / "model.json")
reloaded = dtks_link.ResidentModel.load(workdir / "model.json").attach(result.records)
print(reloaded.explain(left, right) == model.explain(left, right))

# %%
con.close()
