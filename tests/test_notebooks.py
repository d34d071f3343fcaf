"""Notebooks are code: each runs top to bottom at a small size (DTKS_NOTEBOOK_RESIDENTS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.nb.py"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_runs(notebook: Path, tmp_path: Path) -> None:
    env = dict(os.environ, DTKS_NOTEBOOK_RESIDENTS="3000", MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, str(notebook)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
