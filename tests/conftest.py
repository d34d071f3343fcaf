"""Shared fixtures: one small synthetic Depok, generated once per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SMALL_RESIDENTS = 3_000


@pytest.fixture(scope="session")
def small_depok(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dtks_link.synth import generate

    return generate(tmp_path_factory.mktemp("depok") / "data", residents=SMALL_RESIDENTS, seed=11)


@pytest.fixture(scope="session")
def small_link(small_depok: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dtks_link import link

    out: Path = tmp_path_factory.mktemp("linked")
    return link(small_depok.config_path, out_dir=out)


@pytest.fixture(scope="session")
def spark_engine() -> Any:
    """One local Spark session (local[2], 2 shuffle partitions) shared by every Spark test."""
    from dtks_link.backends.spark import SparkEngine, spark_session

    return SparkEngine(spark_session(master="local[2]", shuffle_partitions=2, driver_memory="2g"))
