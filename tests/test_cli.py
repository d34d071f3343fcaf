"""The dtks-link command, run as a subprocess like a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dtks_link", *args], capture_output=True, text=True, timeout=600
    )


def test_generate_link_evaluate(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generated = run("generate", "--residents", "1500", "--seed", "3", "--out", str(data))
    assert generated.returncode == 0, generated.stderr
    assert (data / "config.toml").exists() and (data / "truth.parquet").exists()

    linked = run("link", str(data / "config.toml"), "--out", str(tmp_path / "out"))
    assert linked.returncode == 0, linked.stderr
    assert "clusters:" in linked.stdout
    assert "standardise" in linked.stderr  # per-stage timings
    for name in ("clusters", "pairs", "quarantine"):
        assert (tmp_path / "out" / f"{name}.parquet").exists()

    evaluated = run(
        "evaluate", "--clusters", str(tmp_path / "out" / "clusters.parquet"),
        "--truth", str(data / "truth.parquet"), "--json",
    )  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    metrics: dict[str, Any] = json.loads(evaluated.stdout)
    assert 0.8 < metrics["f1"] <= 1.0


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[sources]]\nname = "a"\n')
    result = run("link", str(config))
    assert result.returncode == 2
    assert "missing required key" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("link", "evaluate", "generate", "demo"):
        assert command in result.stdout
