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
import logging
import sys
import tempfile
from collections.abc import Collection, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import EngineError

__all__ = [
    "apply_default_parameters",
    "default_model_description",
    "default_model_info",
    "default_prior",
    "default_settings",
    "train_default_model",
]

logger = logging.getLogger(__name__)

#: Residents and seed of the synthetic Depok the shipped default model was trained on.
TRAINING_RESIDENTS = 50_000
TRAINING_SEED = 2025


@cache
def _load() -> dict[str, Any]:
    try:
        text = resources.files("dtks_link").joinpath("data/default_model.json").read_text(encoding="utf-8")
    except OSError as exc:  # a broken installation (or the model is being trained)
        raise EngineError(f"the default model is missing from the installed package: {exc}") from exc
    payload = json.loads(text)
    if not isinstance(payload, dict) or "settings" not in payload:
        raise EngineError("the packaged default model is not a dtks_link default model")
    return payload


def default_settings() -> dict[str, Any]:
    """A copy of the default model's Splink settings: every comparison, and every blocking rule
    of this version of the library (the rules are not learned; a model trained before the
    rules changed still blocks with the current ones)."""
    from .blocking import _RULES

    settings: dict[str, Any] = json.loads(json.dumps(_load()["settings"]))
    settings["blocking_rules_to_generate_predictions"] = _rule_list(_RULES)
    return settings


def _rule_list(rules: Sequence[Any]) -> list[dict[str, str]]:
    return [{"blocking_rule": rule.sql, "sql_dialect": "duckdb"} for rule in rules]


def default_model_info() -> dict[str, Any]:
    """How the default model was made: versions, data, command, date."""
    return dict(_load()["info"])


def default_model_description() -> str:
    """One line for logs: which default model this is."""
    info = default_model_info()
    return (
        f"package data, trained on synthetic Depok of {info['residents']:,} residents "
        f"(seed {info['seed']}) with dtks_link {info['dtks_link_version']} and Splink "
        f"{info['splink_version']}"
    )


def default_prior() -> float:
    """The default model's probability that two random records match (calibrated on a
    city-sized population: a match needs strong evidence)."""
    return float(_load()["settings"]["probability_two_random_records_match"])


def _default_levels() -> dict[tuple[str, str], tuple[float | None, float | None]]:
    levels: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for comparison in _load()["settings"]["comparisons"]:
        name = str(comparison["output_column_name"])
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = str(level.get("label_for_charts", ""))
            levels[(name, label)] = (level.get("m_probability"), level.get("u_probability"))
    return levels


def apply_default_parameters(
    linker: Any,
    *,
    comparisons: Collection[str] | None = None,
    use_m: bool = True,
    use_u: bool,
) -> dict[str, str]:
    """Set the m (and with ``use_u`` the u) probabilities of a Splink linker's comparisons
    from the default model, matched by comparison name and level label.

    ``comparisons`` limits it to those names (default: all). Levels with fixed parameters keep
    them. Returns ``{comparison: "the default model"}`` for every comparison it knows; levels
    (and comparisons) the default model does not know keep their parameters.
    """
    defaults = _default_levels()
    filled: dict[str, str] = {}
    for comparison in linker._settings_obj.comparisons:
        name = comparison.output_column_name
        if comparisons is not None and name not in comparisons:
            continue
        levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
        known = [lv for lv in levels if (name, lv.label_for_charts) in defaults]
        if not known:
            logger.warning("the default model does not know the comparison %s; left as it is", name)
            continue
        if len(known) < len(levels):
            logger.warning("the default model does not know every level of %s; the others stay", name)
        for level in known:
            if level._fix_m_probability:
                continue
            m, u = defaults[(name, level.label_for_charts)]
            if use_m and m is not None:
                level.m_probability = m
            if use_u and u is not None:
                level.u_probability = u
        filled[name] = "the default model"
    return filled


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

    from . import __version__
    from .blocking import _RULES
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
    settings["blocking_rules_to_generate_predictions"] = _rule_list(_RULES)
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
    _load.cache_clear()
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
