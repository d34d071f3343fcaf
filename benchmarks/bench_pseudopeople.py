"""A public second benchmark: the ``pseudopeople`` sample of a simulated US town.

pseudopeople (PyPI, BSD-3) bundles a sample population; its ``generate_*`` functions with
``source=None`` read that sample offline and add the package's default noise. Six agency files
are linked: decennial census, ACS, CPS, WIC, Social Security and W-2/1099 (true ids:
``simulant_id``). The files go to ``benchmarks/data/pseudopeople/`` (ignored by git) with a
``config.toml`` that maps them through the public config only:

    nama = first name + middle initial (or middle name) + last name
    tanggal_lahir = date_of_birth, jenis_kelamin = sex, kode_pos = zipcode
    alamat = street number + street name + unit (W-2/1099: the mailing address)
    id_lain = ssn (Social Security and W-2/1099)

The files are written with pseudopeople's own columns; the config maps a field to several
columns (``nama = ["first_name", "middle_initial", "last_name"]``) and gives the date formats
(``[sources.formats] tanggal_lahir = ["%m/%d/%Y", "%m%d%Y", "%Y%m%d"]``): no preprocessing.

Then dtks_link (trained, and the packaged default model), generic Splink 5 and recordlinkage
link the same files, and the model's own estimate of its precision and recall
(:func:`dtks_link.evaluation.expected_quality`) is set beside the measured figures.

    python benchmarks/bench_pseudopeople.py [--seed 0]

Prints a Markdown table and writes benchmarks/results/pseudopeople.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import load_average, peak_rss_mb, save, table
from dtks_link.evaluation import expected_quality
from generic_splink import run_generic
from recordlinkage_peer import run_recordlinkage

DATA = Path(__file__).parent / "data" / "pseudopeople"

#: file name -> (pseudopeople function, columns of the name parts, of the address parts, prefix)
DATASETS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "census": (
        "generate_decennial_census",
        ("first_name", "middle_initial", "last_name"),
        ("street_number", "street_name", "unit_number"),
    ),
    "acs": (
        "generate_american_community_survey",
        ("first_name", "middle_initial", "last_name"),
        ("street_number", "street_name", "unit_number"),
    ),
    "cps": (
        "generate_current_population_survey",
        ("first_name", "middle_initial", "last_name"),
        ("street_number", "street_name", "unit_number"),
    ),
    "wic": (
        "generate_women_infants_and_children",
        ("first_name", "middle_initial", "last_name"),
        ("street_number", "street_name", "unit_number"),
    ),
    "ssa": ("generate_social_security", ("first_name", "middle_name", "last_name"), ()),
    "w2_1099": (
        "generate_taxes_w2_and_1099",
        ("first_name", "middle_initial", "last_name"),
        ("mailing_address_street_number", "mailing_address_street_name", "mailing_address_unit_number"),
    ),
}

#: Date formats the datasets write (census/ACS/CPS ``MM/DD/YYYY``, WIC ``MMDDYYYY``, SSA
#: ``YYYYMMDD``), tried in order: no month is 19 or 20, so a YYYYMMDD date never parses month-first.
DATE_FORMATS = ["%m/%d/%Y", "%m%d%Y", "%Y%m%d"]


def _toml_list(columns: list[str]) -> str:
    return "[" + ", ".join(f'"{c}"' for c in columns) + "]"


def prepare(seed: int) -> tuple[Path, pd.DataFrame]:
    """Write the six files, the config and the truth; return the config path and truth."""
    import numpy as np

    errors = np.geterr()
    try:
        return _prepare(seed)
    finally:
        np.seterr(**errors)  # pseudopeople turns numpy warnings into errors for the whole process


def _prepare(seed: int) -> tuple[Path, pd.DataFrame]:
    import pseudopeople as psp

    folder = DATA / f"seed_{seed}"
    config = folder / "config.toml"
    truth_path = folder / "truth.parquet"
    if config.exists() and truth_path.exists():
        return config, pd.read_parquet(truth_path)
    folder.mkdir(parents=True, exist_ok=True)
    truths = []
    lines = ['[output]\ndir = "out"\n']
    for name, (function, name_parts, address_parts) in DATASETS.items():
        raw = getattr(psp, function)(seed=seed).reset_index(drop=True)
        frame = raw.drop(columns=["simulant_id"]).astype("string")
        frame.insert(0, "record_id", [f"{name}-{i}" for i in range(len(raw))])
        frame = frame.astype(object).where(frame.notna(), None)
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        truths.append(pd.DataFrame({"source": name, "record_id": frame["record_id"],
                                    "true_id": raw["simulant_id"].astype(str)}))  # fmt: skip
        present = [c for c in frame.columns if frame[c].notna().any()]
        mapping = {"nama": _toml_list([c for c in name_parts if c in present])}
        if address_parts:
            mapping["alamat"] = _toml_list([c for c in address_parts if c in present])
        for field, options in (
            ("tanggal_lahir", ["date_of_birth"]),
            ("jenis_kelamin", ["sex"]),
            ("kode_pos", ["zipcode", "mailing_address_zipcode"]),
            ("id_lain", ["ssn"]),
        ):
            column = next((c for c in options if c in present), None)
            if column is not None:
                mapping[field] = f'"{column}"'
        lines += [f'[[sources]]\nname = "{name}"\npath = "{name}.parquet"\nid_column = "record_id"',
                  "[sources.columns]", *[f"{k} = {v}" for k, v in mapping.items()]]  # fmt: skip
        if "tanggal_lahir" in mapping:
            lines += ["[sources.formats]", f"tanggal_lahir = {_toml_list(DATE_FORMATS)}"]
        lines.append("")
    config.write_text("\n".join(lines))
    truth = pd.concat(truths, ignore_index=True)
    truth.to_parquet(truth_path, index=False)
    return config, truth


def _row(
    label: str, tool: str, seconds: float, clusters: pd.DataFrame, truth: pd.DataFrame
) -> dict[str, Any]:
    m = dtks_link.evaluate(clusters, truth)
    return {"data": label, "tool": tool, "precision": m.precision, "recall": m.recall, "f1": m.f1,
            "bcubed_f1": m.bcubed_f1, "seconds": seconds}  # fmt: skip


def run_dtks(config_path: Path, truth: pd.DataFrame, label: str, *, model: str = "trained") -> dict[str, Any]:
    """dtks_link on a config, with the measured and the expected (no-truth) quality."""
    config = dtks_link.load_config(config_path)
    config = dataclasses.replace(config, options=dataclasses.replace(config.options, model=model))
    start = time.perf_counter()
    result = dtks_link.link(config, write=False)
    seconds = time.perf_counter() - start
    tool = "dtks_link" if model == "trained" else "dtks_link, default model"
    row = _row(label, tool, seconds, result.clusters, truth)
    expected = expected_quality(result.pairs, result.clusters, threshold=config.options.match_threshold)
    row.update(
        expected_precision=expected.precision, expected_recall=expected.recall, expected_f1=expected.f1
    )
    return row


def _recordlinkage_frames(config_path: Path) -> dict[str, pd.DataFrame]:
    """The sources as recordlinkage's tutorial takes them, read through the same config (list
    mappings joined, dates in the configured formats) so every tool sees the same values."""
    from dtks_link.backends import connect
    from dtks_link.sources import load_sources

    con = connect()
    load_sources(con, dtks_link.load_config(config_path).sources)
    mapped = con.execute("SELECT * FROM mapped").df()
    frames = {}
    for name, raw in mapped.groupby("source", sort=False):
        frames[str(name)] = pd.DataFrame({
            "rec_id": raw["record_id"], "name": raw["nama"].fillna("").str.lower(),
            "dob": raw["tanggal_lahir"], "address": raw["alamat"].fillna("").str.lower(),
            "id_number": raw["id_lain"],
        })  # fmt: skip
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-recordlinkage", action="store_true")
    args = parser.parse_args()
    config_path, truth = prepare(args.seed)
    label = f"pseudopeople sample (seed {args.seed}, {len(truth):,} records)"
    rows = [run_dtks(config_path, truth, label), run_dtks(config_path, truth, label, model="default")]
    clusters, timings = run_generic(config_path)
    rows.append(_row(label, "generic Splink 5", sum(timings.values()), clusters, truth))
    if not args.skip_recordlinkage:
        clusters, seconds = run_recordlinkage(_recordlinkage_frames(config_path), block_on_year=True)
        rows.append(_row(label, "recordlinkage ECM", seconds, clusters, truth))
    columns = ["data", "tool", "precision", "recall", "f1", "bcubed_f1", "expected_f1", "seconds"]
    print(table(rows, columns))
    print(f"peak RSS {peak_rss_mb():,.0f} MB; load average {load_average()}")
    save("pseudopeople", {"rows": rows, "peak_rss_mb": peak_rss_mb(), "load_average": load_average()})


if __name__ == "__main__":
    main()
