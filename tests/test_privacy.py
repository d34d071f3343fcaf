"""Identifiers are personal data: no raw NIK or KK in any output meant for people."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from dtks_link import SourceConfig, SourceError, load_config
from dtks_link.errors import mask_identifier


def all_identifiers(config_path: Path) -> set[str]:
    """Every 16-digit NIK/KK value in every source of the config."""
    config = load_config(config_path)
    found: set[str] = set()
    for source in config.sources:
        assert source.path is not None
        if source.file_format == "excel":
            data = pd.read_excel(source.path, dtype=str)
        elif source.file_format == "parquet":
            data = pd.read_parquet(source.path).astype("string")
        else:
            data = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        for field in ("nik", "no_kk"):
            column = source.columns.get(field)
            if column is not None:
                for value in data[column].dropna().astype(str):
                    digits = re.sub(r"\D", "", value)
                    if len(digits) == 16:
                        found.add(digits)
    return found


def test_no_identifier_in_any_output_of_a_full_run(small_depok: Any, tmp_path: Path) -> None:
    identifiers = all_identifiers(small_depok.config_path)
    assert len(identifiers) > 1000
    registry = tmp_path / "r.registry"
    runs = [
        ["link", str(small_depok.config_path), "--out", str(tmp_path / "out"), "--registry", str(registry)],
        [
            "evaluate",
            "--clusters",
            str(tmp_path / "out" / "clusters.parquet"),
            "--truth",
            str(small_depok.truth_path),
        ],
    ]
    output = ""
    for args in runs:
        proc = subprocess.run([sys.executable, "-m", "dtks_link", *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-3000:]
        output += proc.stdout + proc.stderr
    clusters = pd.read_parquet(tmp_path / "out" / "clusters.parquet")
    rid = clusters["resident_id"].value_counts().index[0]
    show = subprocess.run(
        [sys.executable, "-m", "dtks_link", "registry", "show", str(registry), rid],
        capture_output=True,
        text=True,
    )
    assert show.returncode == 0, show.stderr
    output += show.stdout + show.stderr
    assert "****" in show.stdout  # the golden NIK is shown masked
    leaked = [value for value in identifiers if value in output]
    assert leaked == []
    pairs = pd.read_parquet(tmp_path / "out" / "pairs.parquet")
    assert not (set(pairs.columns) & {"nik_l", "nik_r", "no_kk_l", "no_kk_r"})


def test_errors_mask_identifiers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("ID,3276011207850001\n1,x\n")
    source = SourceConfig(name="s", id_column="ID", columns={"nama": "NAMA"}, path=path)
    from dtks_link.backends import connect
    from dtks_link.sources import load_sources

    try:
        load_sources(connect(), [source])
    except SourceError as exc:
        assert "NAMA" in str(exc)
        assert "3276011207850001" not in str(exc)
        assert "3276********0001" in str(exc)
    else:
        raise AssertionError("a missing column must raise")
    assert mask_identifier("3276011207850001") == "3276********0001"
