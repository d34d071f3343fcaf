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
# # Synthetic Depok: the population and its departmental extracts
#
# `dtks_link.synth.generate` builds a seeded population of Kota Depok residents in family
# cards (KK) and draws six extracts from it, each in its real-world shape and with its own
# error rates (see `src/dtks_link/synth/ERROR_MODEL.md`). This notebook profiles what it
# makes. The size knob is the environment variable `DTKS_NOTEBOOK_RESIDENTS`
# (default 20,000; the full city is 2,010,912).
#
# NIK and KK numbers are synthetic, but they are masked whenever rows are shown, as real
# ones must be.

# %%
import os
import tempfile
import time
from pathlib import Path

import altair as alt
import pandas as pd
import pyarrow.parquet as pq

from dtks_link.errors import mask_identifier
from dtks_link.synth import DEFAULT_ERROR_RATES, SOURCE_NAMES, generate

RESIDENTS = int(os.environ.get("DTKS_NOTEBOOK_RESIDENTS", "20000"))
SEED = 1
OUT = Path(os.environ.get("DTKS_NOTEBOOK_OUT", tempfile.mkdtemp(prefix="synthetic_depok_")))

try:  # inside Jupyter, show rich output; as a script, print
    from IPython import get_ipython
    from IPython.display import display

    IN_IPYTHON = get_ipython() is not None
except ImportError:  # pragma: no cover - IPython is installed with the notebooks extra
    IN_IPYTHON = False


def show(obj: object, title: str = "") -> None:
    """Display a table or chart in Jupyter; print it (or save the chart) in a plain run."""
    if IN_IPYTHON:
        display(obj)
        return
    if isinstance(obj, alt.TopLevelMixin):
        path = OUT / f"chart_{title or id(obj)}.html"
        obj.save(path)
        print(f"[chart {title}] saved to {path}")
        return
    with pd.option_context("display.width", 160, "display.max_columns", 30):
        print(obj)


# %% [markdown]
# ## Generate

# %%
start = time.perf_counter()
ds = generate(OUT, residents=RESIDENTS, seed=SEED)
print(
    f"{RESIDENTS:,} residents in {ds.households:,} KK, generated in "
    f"{time.perf_counter() - start:.1f} s into {ds.out_dir}"
)
records = pd.DataFrame(
    {
        "file": [ds.source_paths[s].name for s in SOURCE_NAMES],
        "records": [ds.records_per_source[s] for s in SOURCE_NAMES],
    },
    index=list(SOURCE_NAMES),
)
records["per 1,000 residents"] = (1000 * records.records / RESIDENTS).round(1)
show(records)

# %%
truth = pq.read_table(ds.truth_path).to_pandas()
errors = pq.read_table(ds.errors_path).to_pandas()


def read(source: str) -> pd.DataFrame:
    path = ds.source_paths[source]
    if path.suffix == ".parquet":
        frame = pq.read_table(path).to_pandas()
    elif path.suffix == ".xlsx":
        frame = pd.read_excel(path, dtype=str)
    else:
        sep = {"dtks": "|", "pkh": ";"}.get(source, ",")
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    ids = truth[truth.source == source].set_index("record_id")
    id_column = frame.columns[0]
    frame["true_id"] = ids.loc[frame[id_column], "true_id"].to_numpy()
    frame["household_id"] = ids.loc[frame[id_column], "household_id"].to_numpy()
    return frame


frames = {source: read(source) for source in SOURCE_NAMES}
dukcapil = frames["dukcapil"].set_index("true_id")

# %% [markdown]
# ## What each extract looks like
#
# Five rows per source, identifiers masked.

# %%
NUMBER_COLUMNS = {"NIK", "NO_KK", "nomor_nik", "nomor_kk", "nik", "nomorkk", "NIK_PENGURUS"}
for source, frame in frames.items():
    sample = frame.drop(columns=["true_id", "household_id"]).head(5).copy()
    for column in NUMBER_COLUMNS & set(sample.columns):
        sample[column] = sample[column].map(lambda v: mask_identifier(v) if pd.notna(v) else v)
    print(f"--- {source}")
    show(sample)

# %% [markdown]
# ## Profile: completeness and distinct values per column

# %%
profile = []
for source, frame in frames.items():
    for column in frame.columns.drop(["true_id", "household_id"]):
        values = frame[column]
        profile.append(
            {
                "source": source,
                "column": column,
                "filled %": round(100 * values.notna().mean(), 1),
                "distinct": values.nunique(),
            }
        )
profile_table = pd.DataFrame(profile).set_index(["source", "column"])
show(profile_table)

# %% [markdown]
# ## The population: age pyramid and sex ratio (Dukcapil)

# %%
dob = pd.to_datetime(dukcapil.TGL_LHR, format="%d-%m-%Y")
age = (pd.Timestamp("2025-07-01") - dob).dt.days // 365
band = (age // 5 * 5).clip(upper=85)
pyramid = (
    pd.DataFrame({"band": band, "sex": dukcapil.JENIS_KLMIN}).value_counts().rename("people").reset_index()
)
pyramid["signed"] = pyramid.people.where(pyramid.sex == "LAKI-LAKI", -pyramid.people)
male_share = (dukcapil.JENIS_KLMIN == "LAKI-LAKI").mean()
print(f"male share {male_share:.3f} (Depok 2025: 0.501); median age {age.median():.0f}")
show(
    alt.Chart(pyramid, title="Age pyramid (5-year bands)")
    .mark_bar()
    .encode(
        y=alt.Y("band:O", sort="descending", title="age"),
        x=alt.X("signed:Q", title="people (women left, men right)"),
        color="sex:N",
    ),
    "age_pyramid",
)

# %% [markdown]
# ## Where NIKs were first registered
#
# About a quarter outside Depok (Jakarta, Bogor, Bekasi, Tangerang and further); Depok
# registrations before the 2007 split keep the old kecamatan codes 01–06.

# %%
prefix = dukcapil.NIK.str[:4]
region = pd.Series("other", index=dukcapil.index)
names = {"3276": "Kota Depok", "3201": "Kab. Bogor", "3271": "Kota Bogor", "3275": "Kota Bekasi",
         "3216": "Kab. Bekasi", "3674": "Kota Tangerang Selatan", "3671": "Kota Tangerang",
         "3603": "Kab. Tangerang"}  # fmt: skip
for code, name in names.items():
    region[prefix == code] = name
region[prefix.str[:2] == "31"] = "DKI Jakarta"
origin = region.rename("region").value_counts(normalize=True).rename("share").round(3)
origin = origin.reset_index()
show(origin)
show(
    alt.Chart(origin, title="Region of first NIK registration")
    .mark_bar()
    .encode(
        x="share:Q",
        y=alt.Y("region:N", sort="-x", title=None),
    ),
    "nik_origin",
)

# %% [markdown]
# ## The error model as realised
#
# Share of records per source that received each error type (from `errors.parquet`),
# next to the configured rate (the rate applies to records where the error can occur).

# %%
counts = errors.groupby(["error", "source"]).size().unstack(fill_value=0)
realised = (counts / pd.Series(ds.records_per_source)).reindex(columns=list(SOURCE_NAMES[1:]))
configured = pd.DataFrame({s: pd.Series(vars(DEFAULT_ERROR_RATES[s])) for s in SOURCE_NAMES[1:]}).reindex(
    realised.index
)
show(realised.round(4).fillna(0).join(configured.add_suffix(" (rate)")))
heat = realised.fillna(0).reset_index().melt(id_vars="error", var_name="source", value_name="share")
show(
    alt.Chart(heat, title="Share of records with each error")
    .mark_rect()
    .encode(
        x="source:N",
        y="error:N",
        color=alt.Color("share:Q", scale=alt.Scale(type="sqrt")),
        tooltip=["source", "error", alt.Tooltip("share:Q", format=".3f")],
    ),
    "error_heatmap",
)

# %% [markdown]
# ## How linkable each extract is
#
# Exact agreement with the resident's Dukcapil record, per field. A linkage model has to
# bridge the rest: typos, old spellings, titles, abbreviations, stale KKs and addresses.

# %%
fields = {
    "dtks": ("nomor_nik", "nama", "tanggal_lahir", "%d/%m/%Y"),
    "bpjs_pbi": ("nik", "nama", "tglLahir", "%Y-%m-%d"),
    "pkh": ("NIK_PENGURUS", "NAMA_PENGURUS", None, None),
    "lansia": ("NIK", "NAMA", None, None),
    "bencana": ("NIK", "NAMA", None, None),
}
agreement = []
for source, (nik, name, date, fmt) in fields.items():
    frame = frames[source]
    ref = dukcapil.loc[frame.true_id]
    row = {
        "source": source,
        "records": len(frame),
        "residents": frame.true_id.nunique(),
        "NIK equal %": 100 * (frame[nik].to_numpy() == ref.NIK.to_numpy()).mean(),
        "NIK missing %": 100 * frame[nik].isna().mean(),
        "name equal %": 100 * (frame[name].str.upper().to_numpy() == ref.NAMA_LGKP.to_numpy()).mean(),
    }
    if date is not None:
        same = pd.to_datetime(frame[date], format=fmt).to_numpy() == dob.loc[frame.true_id].to_numpy()
        row["birth date equal %"] = 100 * same.mean()
    agreement.append(row)
show(pd.DataFrame(agreement).set_index("source").round(1))

# %% [markdown]
# ## Name variants of one resident across sources
#
# Residents listed in the most sources, with every name they carry.

# %%
listed = truth.groupby("true_id").source.nunique().sort_values(ascending=False)
name_column = {"dukcapil": "NAMA_LGKP", "dtks": "nama", "bpjs_pbi": "nama",
               "pkh": "NAMA_PENGURUS", "lansia": "NAMA", "bencana": "NAMA"}  # fmt: skip
variants = []
for true_id in listed.index[:8]:
    for source, frame in frames.items():
        for value in frame.loc[frame.true_id == true_id, name_column[source]]:
            variants.append({"resident": true_id, "source": source, "name": value})
show(pd.DataFrame(variants))
