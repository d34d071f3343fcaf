"""The peer: a generic Splink 5 configuration, as a user builds it from Splink's tutorials.

It reads the same raw files through the same config (so row accounting is identical), but
does no Indonesian standardisation: lower-cased names with NameComparison, pandas-parsed dates
with DateOfBirthComparison, Levenshtein on the NIK string, Jaro-Winkler on the address text,
exact sex and kelurahan, Levenshtein on a postcode where there is one. Blocking: NIK, name +
birth date, birth date + first name letter.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from dtks_link import load_config
from dtks_link.backends import connect
from dtks_link.sources import load_sources


def run_generic(config_path: str | Path, *, threshold: float = 0.9) -> tuple[pd.DataFrame, dict[str, float]]:
    """Link the config's sources with a generic Splink model; return clusters and timings."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config = load_config(config_path)
    con = connect()
    load_sources(con, config.sources)
    raw = con.execute("SELECT * FROM mapped").df()
    timings["read"] = time.perf_counter() - start

    start = time.perf_counter()
    frame = pd.DataFrame(
        {
            "unique_id": raw["source"] + "|" + raw["record_id"],
            "source": raw["source"],
            "record_id": raw["record_id"],
            # whatever identifier the source has: the NIK, else another id (FEBRL's soc_sec_id)
            "nik": raw["nik"].combine_first(raw["id_lain"]),
            "name": raw["nama"].str.lower().str.strip(),
            "dob": pd.to_datetime(
                raw["tanggal_lahir"], errors="coerce", dayfirst=True, format="mixed"
            ).dt.strftime("%Y-%m-%d"),
            "sex": raw["jenis_kelamin"].str.upper().str[:1],
            "address": raw["alamat"].str.lower(),
            "kelurahan": raw["kelurahan"].str.lower(),
            "postcode": raw["kode_pos"].str.strip(),
        }
    )
    timings["prepare"] = time.perf_counter() - start

    start = time.perf_counter()
    # a user drops the comparisons and rules of fields the files do not have
    has = {c for c in frame.columns if frame[c].notna().any()}
    comparisons = [
        comparison
        for column, comparison in (
            ("nik", cl.LevenshteinAtThresholds("nik", [1, 2])),
            ("name", cl.NameComparison("name").configure(term_frequency_adjustments=True)),
            ("dob", cl.DateOfBirthComparison("dob", input_is_string=True, datetime_format="%Y-%m-%d")),
            ("sex", cl.ExactMatch("sex")),
            ("address", cl.JaroWinklerAtThresholds("address", [0.9, 0.7])),
            ("kelurahan", cl.ExactMatch("kelurahan").configure(term_frequency_adjustments=True)),
            ("postcode", cl.LevenshteinAtThresholds("postcode", [1])),
        )
        if column in has
    ]
    rules = [("nik",), ("name", "dob"), ("dob", "substr(name, 1, 1)")]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on(*rule) for rule in rules if {c.split("(")[-1].split(",")[0] for c in rule} <= has
        ],
        additional_columns_to_retain=["source", "record_id"],
    )
    db_api = DuckDBAPI()
    sdf = db_api.register(frame)
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    prior_rule = ("nik", "name") if "nik" in has else ("name", "dob")
    linker.training.estimate_probability_two_random_records_match([block_on(*prior_rule)], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=42)
    for rule in (("nik",), ("name", "dob"), ("dob",)):
        if set(rule) <= has and (rule != ("dob",) or "nik" not in has):
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    timings["train"] = time.perf_counter() - start

    start = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.05)
    timings["predict"] = time.perf_counter() - start
    start = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    ).as_pandas_dataframe()
    timings["cluster"] = time.perf_counter() - start
    result: Any = clusters[["source", "record_id", "cluster_id"]].rename(
        columns={"cluster_id": "resident_id"}
    )
    return result, timings
