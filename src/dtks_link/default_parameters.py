"""The packaged default model, read: its Splink settings, prior and level parameters, and
applying them to a linker (:func:`apply_default_parameters`).

``data/default_model.json`` holds a Splink 5 model (``settings``) and how it was made
(``info``); :mod:`dtks_link.default_model` says when it is used and trains it anew. The model,
the registry and the pipeline read it through this module, which imports nothing that runs a
linkage.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from functools import cache
from importlib import resources
from typing import Any

from .backends import splink_compat
from .errors import EngineError

__all__ = [
    "apply_default_parameters",
    "clear_cache",
    "default_model_description",
    "default_model_info",
    "default_prior",
    "default_settings",
]

logger = logging.getLogger(__name__)


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
    """A copy of the default model's Splink settings (every comparison and blocking rule)."""
    settings: dict[str, Any] = json.loads(json.dumps(_load()["settings"]))
    return settings


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
    for comparison in splink_compat.comparisons(linker):
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
            if splink_compat.m_is_fixed(level):
                continue
            m, u = defaults[(name, level.label_for_charts)]
            if use_m and m is not None:
                level.m_probability = m
            if use_u and u is not None:
                level.u_probability = u
        filled[name] = "the default model"
    return filled


def clear_cache() -> None:
    """Read the packaged file anew next time (after it was retrained)."""
    _load.cache_clear()
