"""The default model: parameters shipped with the package, for when EM cannot train.

``data/default_model.json`` holds a Splink 5 model (``settings``: the JSON
:meth:`~dtks_link.model.ResidentModel.save` writes) and how it was made (``info``). It is used

- for the whole model with ``[linkage] model = "default"``, or when a linkage has too few
  records to train on (:data:`~dtks_link.model.MIN_RECORDS_TO_TRAIN`): files of 2, 10 or 100
  records still link;
- for one comparison that no EM session could train (its m probabilities; u still comes from
  the data), e.g. the birth date when the sources that carry it never meet a training rule;
- by a registry started without a linkage (``Registry.init(path, model="default")``), so a
  service can match from the first record on.

Parameters are looked up by comparison name and level label, so the default model applies to
any subset of the canonical fields: comparisons without data drop out as usual.

How it is made (reproducible; the command writes the file and its ``info``)::

    python -m dtks_link.default_model src/dtks_link/data/default_model.json

It generates synthetic Depok (:func:`dtks_link.synth.generate`, 50,000 residents, seed 2025,
default error rates, all six extracts), links it with the trained model, and links the same
records once more through the generic fields (name, birth date, sex, one address line,
postcode from the gazetteer, the NIK as ``id_lain``) to train the levels Indonesian sources
never fill (other identifier, postcode). Per level the first run's parameters are kept unless
that run never observed the level. Term frequencies are not part of it: they always come from
the data being linked.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .default_parameters import (
    apply_default_parameters,
    clear_cache,
    default_model_description,
    default_model_info,
    default_prior,
    default_settings,
)

__all__ = [
    "apply_default_parameters",
    "default_model_description",
    "default_model_info",
    "default_prior",
    "default_settings",
    "train_default_model",
]

#: Residents and seed of the synthetic Depok the shipped default model was trained on.
TRAINING_RESIDENTS = 50_000
TRAINING_SEED = 2025


# -- training the shipped model ---------------------------------------------------------------
def _generic_view(records: Any) -> Any:
    """The standardised records seen through generic fields only (as FEBRL or a US file
    would give them): name, birth date, sex, one address line with house number, the
    kelurahan's postcode, and the NIK as another identifier."""
    import pandas as pd

    from .standardise.gazetteer import depok_kelurahan

    postcode = {k.code: k.postcode for k in depok_kelurahan()}
    line = (
        records["house_number"].fillna("").astype(str) + " " + records["street"].fillna("").astype(str)
    ).str.strip()
    return pd.DataFrame(
        {
            "source": records["source"],
            "id": records["record_id"],
            "nama": records["nama_clean"],
            "tanggal_lahir": pd.to_datetime(records["tanggal_lahir"]).dt.strftime("%Y-%m-%d"),
            "jenis_kelamin": records["jenis_kelamin"],
            "alamat": line.where(line != "", None),
            "kode_pos": records["kelurahan_code"].map(postcode),
            "id_lain": records["nik"],
        }
    )


_GENERIC_FIELDS = ("nama", "tanggal_lahir", "jenis_kelamin", "alamat", "kode_pos", "id_lain")


def _merge(primary: dict[str, Any], secondary: dict[str, Any]) -> dict[str, Any]:
    """``primary`` with every comparison or level it lacks or never observed (m == u) taken
    from ``secondary``."""
    merged = json.loads(json.dumps(primary))
    by_name = {c["output_column_name"]: c for c in merged["comparisons"]}
    for comparison in secondary["comparisons"]:
        name = comparison["output_column_name"]
        if name not in by_name:
            merged["comparisons"].append(comparison)
            continue
        levels = {lv.get("label_for_charts"): lv for lv in by_name[name]["comparison_levels"]}
        for level in comparison["comparison_levels"]:
            mine = levels.get(level.get("label_for_charts"))
            if mine is None or mine.get("is_null_level") or mine.get("fix_m_probability"):
                continue
            if mine.get("m_probability") == mine.get("u_probability") and level.get(
                "m_probability"
            ) != level.get("u_probability"):
                mine["m_probability"] = level.get("m_probability")
                mine["u_probability"] = level.get("u_probability")
    result: dict[str, Any] = merged
    return result


def train_default_model(
    out_path: str | Path, *, residents: int = TRAINING_RESIDENTS, seed: int = TRAINING_SEED
) -> dict[str, Any]:
    """Train the default model on synthetic Depok and write it to ``out_path`` (see the
    module docstring). Returns what was written."""
    import splink

    from ._version import __version__
    from .blocking import all_blocking_rules
    from .config import LinkageOptions, LinkConfig, SourceConfig, load_config
    from .pipeline import link
    from .synth import generate

    with tempfile.TemporaryDirectory() as tmp:
        data = generate(Path(tmp) / "depok", residents=residents, seed=seed)
        config = load_config(data.config_path)
        options = LinkageOptions(seed=seed, reference_date=dt.date(2025, 6, 30))
        config = dataclasses.replace(config, options=options)
        first = link(config, write=False, keep_records=True)
        assert first.records is not None and first.model.settings_ is not None
        generic = _generic_view(first.records)
        sources = tuple(
            SourceConfig(
                name=str(name),
                data=frame.drop(columns="source").reset_index(drop=True),
                id_column="id",
                columns={c: c for c in _GENERIC_FIELDS},
                duplicate_free=config.source(str(name)).duplicate_free,
            )
            for name, frame in generic.groupby("source", sort=True)
        )
        second = link(LinkConfig(sources=sources, options=options), write=False)
        assert second.model.settings_ is not None
        settings = _merge(first.model.settings_, second.model.settings_)
    # every library rule, so a registry started from this model blocks on whatever it gets
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule.sql, "sql_dialect": "duckdb"} for rule in all_blocking_rules()
    ]
    payload = {
        "info": {
            "dtks_link_version": __version__,
            "splink_version": splink.__version__,
            "residents": residents,
            "seed": seed,
            "trained_at": dt.date.today().isoformat(),
            "command": f"python -m dtks_link.default_model OUT --residents {residents} --seed {seed}",
            "training_log": [*first.model.training_log_, "-- generic view --", *second.model.training_log_],
        },
        "settings": settings,
    }
    Path(out_path).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    clear_cache()
    return payload


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dtks_link.default_model", description="Train the packaged default model."
    )
    parser.add_argument("out", type=Path, help="where to write the model JSON")
    parser.add_argument("--residents", type=int, default=TRAINING_RESIDENTS)
    parser.add_argument("--seed", type=int, default=TRAINING_SEED)
    args = parser.parse_args(argv)
    payload = train_default_model(args.out, residents=args.residents, seed=args.seed)
    print(f"wrote {args.out}: {len(payload['settings']['comparisons'])} comparisons")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
