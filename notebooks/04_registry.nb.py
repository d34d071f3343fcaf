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
# # 04 — The resident registry: stable ids, a new batch, a golden record, a lookup, households
#
# **Size knob:** `DTKS_NOTEBOOK_RESIDENTS` (CI uses a small value).

# %%
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import dtks_link
from dtks_link import LinkConfig, Registry, SourceConfig, load_config
from dtks_link.synth import generate

RESIDENTS = int(os.environ.get("DTKS_NOTEBOOK_RESIDENTS", "20000"))
workdir = Path(tempfile.mkdtemp(prefix="dtks_registry_"))


def show(obj: object) -> None:
    try:
        from IPython.display import display

        display(obj)
    except ImportError:
        print(obj)


# %% [markdown]
# ## 1. Hold 10% of every extract back, build the registry from the rest

# %%
dataset = generate(workdir / "data", residents=RESIDENTS, seed=4)
config = load_config(dataset.config_path)
rng = np.random.default_rng(0)
base, batch = [], []
for source in config.sources:
    assert source.path is not None
    if source.file_format == "excel":
        data = pd.read_excel(source.path, dtype=str)
    elif source.file_format == "parquet":
        data = pd.read_parquet(source.path).astype("string")
    else:
        data = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
    held = rng.random(len(data)) < 0.1
    for part, bucket, label in ((data[~held], base, "base"), (data[held], batch, "batch")):
        path = workdir / f"{source.name}_{label}.parquet"
        part.reset_index(drop=True).to_parquet(path, index=False)
        bucket.append(
            SourceConfig(
                name=source.name,
                path=path,
                id_column=source.id_column,
                columns=source.columns,
                duplicate_free=source.duplicate_free,
                programme=source.programme,
                pays_per_family=source.pays_per_family,
            )
        )

registry = Registry(workdir / "depok.registry")
first = dtks_link.link(
    LinkConfig(sources=tuple(base), options=config.options), registry=registry, write=False
)
show(pd.Series(registry.stats(), name="after build"))

# %% [markdown]
# ## 2. Re-running on the same data changes no id

# %%
again = dtks_link.link(
    LinkConfig(sources=tuple(base), options=config.options), registry=registry, write=False
)
same = first.clusters.merge(again.clusters, on=["source", "record_id"])
print("ids unchanged:", bool((same["resident_id_x"] == same["resident_id_y"]).all()))

# %% [markdown]
# ## 3. Ingest the held-back 10% as a new batch

# %%
before = registry.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()
report = registry.ingest(batch)
show(pd.Series(report.__dict__))
after = registry.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()
moved = before.merge(after, on="unique_id").query("resident_id_x != resident_id_y")
print(
    f"existing residents whose id changed: {moved['resident_id_x'].nunique()} "
    f"of {before['resident_id'].nunique()} (only through merges)"
)

# %% [markdown]
# ## 4. A golden record, with provenance

# %%
sizes = after.groupby("resident_id").size().sort_values(ascending=False)
view = registry.resident(sizes.index[0])
golden = pd.DataFrame(
    [
        {"field": f, "value": g.value, "source": g.source, "record_id": g.record_id, "rule": g.rule}
        for f, g in view.golden.items()
    ]
)
golden.loc[golden["field"].isin(["nik", "no_kk"]), "value"] = golden["value"].map(
    dtks_link.errors.mask_identifier
)
show(golden)
show(view.events[["run_id", "kind", "resident_id", "other_resident_id"]].head(10))

# %% [markdown]
# ## 5. "Is this applicant already a known resident?"

# %%
source = config.source("dukcapil")
assert source.path is not None
row = pd.read_csv(source.path, dtype=str, keep_default_na=False).iloc[5]
query = {
    "nama": row[source.columns["nama"]].title(),
    "tanggal_lahir": row[source.columns["tanggal_lahir"]],
}
for hit in registry.match(query, top_k=3):
    print(f"{hit.resident_id}  p={hit.match_probability:.4f}  {hit.explanation}")

# %% [markdown]
# ## 6. A household: its current KK, head, carer, programmes, and its history
#
# Every run also resolves the families the residents live in now; the registry gives them stable
# ids (`H...`) and records their history. Take a family that split off another one (pecah KK)
# if there is one, else the largest. KK numbers are masked in everything shown.

# %%
from dtks_link.errors import mask_identifier

golden_households = registry.con.execute("SELECT * FROM reg.household_golden").df()
split = golden_households.dropna(subset=["split_from"])
chosen = (split if len(split) else golden_households).sort_values(["members", "household_id"]).iloc[-1]
household = registry.household(chosen["household_id"])
record = pd.Series(household.golden)
for column in ("current_kk", "former_kks"):
    if isinstance(record[column], str):
        record[column] = ",".join(mask_identifier(k) for k in record[column].split(","))
show(record.to_frame("value"))
show(household.members[["resident_id", "role", "role_from", "placed_by", "sources"]])
show(household.events[["run_id", "kind", "household_id", "other_household_id", "resident_id"]])
print("households holding its KK:", registry.households_by_kk(chosen["current_kk"]))

# %% [markdown]
# ## 7. Families paid twice
#
# PKH pays once per family. The double-aid report lists families holding more than one PKH
# record, and residents listed as the carer of two families; each line carries its evidence.

# %%
from dtks_link.households import double_aid, double_aid_report, source_roles

roles = source_roles(config.sources)
programme_records = registry.con.execute("SELECT * FROM reg.household_programme_records").df()
findings = double_aid(programme_records, roles)
print("\n".join(double_aid_report(findings, sources=roles).splitlines()[:8]))
registry.close()
