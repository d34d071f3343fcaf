"""Notebooks are code: each runs top to bottom in a Jupyter kernel at a small size
(DTKS_NOTEBOOK_RESIDENTS), and the documentation site, which shows them executed, builds in
strict mode. The docs build reuses the notebooks executed here (tools/notebooks.py)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.nb.py"))
#: Notebooks that draw charts (each must show them as SVG on its page).
WITH_CHARTS = {"00_synthetic_depok", "02_multi_source_linkage", "03_evaluation_and_threshold"}


def _tools() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dtks_docs_notebooks", ROOT / "tools" / "notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_runs(notebook: Path, tmp_path: Path) -> None:
    tools = _tools()
    executed = tools.execute(notebook, residents=tools.CI_RESIDENTS, workdir=tmp_path)
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert outputs, "the notebook printed nothing"
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {key for o in outputs for key in o.get("data", {})}
    for output in outputs:  # charts are SVG on the page, never a spec that loads Vega from the network
        data = output.get("data", {})
        if any(key.startswith("application/vnd.vegalite") for key in data):
            assert "image/svg+xml" in data
    if notebook.name.removesuffix(".nb.py") in WITH_CHARTS:
        assert "image/svg+xml" in kinds, "this notebook's charts did not render"
    assert tools.is_current(notebook, residents=tools.CI_RESIDENTS)


def test_documentation_site_builds_strict(tmp_path: Path) -> None:
    """`mkdocs build --strict` (as `make docs`): no warning, every page and notebook present,
    the API reference generated, the notebooks with their charts. Runs after the notebooks
    above, so it reuses their executed copies."""
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
    assert not re.search(r"^WARNING\s+-", proc.stderr, re.M), proc.stderr[-6000:]
    for page in (
        "index",
        "configuration",
        "standardisation",
        "model",
        "registry",
        "report",
        "serving",
        "spark",
        "security",
        "benchmarks",
        "synthetic",
    ):
        assert (site / f"{page}.html").is_file(), page
    config_page = (site / "configuration.html").read_text(encoding="utf-8")
    assert "match_threshold" in config_page  # the README section was put in
    assert "<!-- readme:" not in config_page
    for notebook in NOTEBOOKS:
        name = notebook.name.removesuffix(".nb.py")
        html = (site / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
        charts = html.count('data-mime-type="image/svg+xml"')
        if name in WITH_CHARTS:
            assert charts > 0, f"{name} shows no chart"
        assert "alt.renderers.enable" not in html  # the setup cell is removed from the page
    reference = (site / "reference" / "report.html").read_text(encoding="utf-8")
    assert "write_report" in reference and "render_report" in reference
    assert ":func:" not in reference and ":class:" not in reference
