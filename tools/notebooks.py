"""Run the notebooks (``notebooks/*.nb.py``, jupytext percent format) in a Jupyter kernel and
keep the executed copies, with their tables and charts, for the documentation site.

``tests/test_notebooks.py`` runs each notebook through :func:`execute` at the CI size, and
the docs build (``tools/docs_hooks.py``) re-runs only the notebooks whose executed copy is
older than the notebook or than the library's code, so ``make test`` runs every notebook once.

Charts are rendered as SVG (Altair's ``svg`` renderer, through vl-convert), so the site shows
them without loading Vega from the network. Run ``python tools/notebooks.py`` to execute all
of them by hand.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
#: Where the executed notebooks go: a folder of the docs site, ignored by git.
EXECUTED = Path(os.environ.get("DTKS_DOCS_NOTEBOOKS", ROOT / "docs" / "notebooks"))
#: The size knob the notebooks read, and the size CI runs them at.
SIZE_VARIABLE = "DTKS_NOTEBOOK_RESIDENTS"
CI_RESIDENTS = 3000
#: A first cell, removed from the pages, that renders Altair charts and Splink's charts (whose
#: HTML would load Vega from a CDN) as static SVG.
SETUP = """\
import altair as alt
import vl_convert
from IPython import get_ipython
from splink.internals.charts import SplinkChart

alt.renderers.enable("svg")


def _splink_chart_as_svg(chart, include=None, exclude=None):
    return {"image/svg+xml": vl_convert.vegalite_to_svg(chart.chart_dict)}


get_ipython().display_formatter.mimebundle_formatter.for_type(SplinkChart, _splink_chart_as_svg)
"""
SETUP_TAG = "remove_cell"
_FORMAT = "3"


def sources() -> list[Path]:
    """The notebooks, in order."""
    return sorted(NOTEBOOKS.glob("*.nb.py"))


def executed_path(notebook: Path, out_dir: Path = EXECUTED) -> Path:
    """``notebooks/01_quickstart.nb.py`` -> ``docs/notebooks/01_quickstart.ipynb``."""
    return out_dir / (notebook.name.removesuffix(".nb.py") + ".ipynb")


def _fingerprint(notebook: Path, residents: int) -> str:
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(f"{residents}|{SETUP}|{_FORMAT}".encode())
    return digest.hexdigest()


def _library_mtime() -> float:
    return max(path.stat().st_mtime for path in (ROOT / "src" / "dtks_link").rglob("*.py"))


def is_current(notebook: Path, *, residents: int = CI_RESIDENTS, out_dir: Path = EXECUTED) -> bool:
    """Whether the executed copy is of this notebook at this size and newer than the code."""
    import nbformat

    target = executed_path(notebook, out_dir)
    if not target.exists() or target.stat().st_mtime < max(notebook.stat().st_mtime, _library_mtime()):
        return False
    try:
        stored = nbformat.read(target, as_version=4).metadata.get("dtks_fingerprint")
    except (OSError, ValueError):
        return False
    return bool(stored == _fingerprint(notebook, residents))


def execute(
    notebook: Path,
    *,
    residents: int = CI_RESIDENTS,
    out_dir: Path = EXECUTED,
    workdir: Path | None = None,
    timeout: int = 900,
) -> Path:
    """Run ``notebook`` top to bottom in a fresh kernel (cwd ``workdir``) at ``residents``
    residents and write the executed copy. A failing cell raises nbclient's
    ``CellExecutionError`` with the cell's traceback."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    nb = jupytext.read(notebook)
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP, metadata={"tags": [SETUP_TAG]}))
    env = dict(os.environ, **{SIZE_VARIABLE: str(residents), "MPLBACKEND": "Agg"})
    env.pop("DTKS_NOTEBOOK_OUT", None)
    with tempfile.TemporaryDirectory(prefix="dtks_nb_") as scratch:
        cwd = workdir or Path(scratch)
        env["DTKS_NOTEBOOK_OUT"] = str(cwd)
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        )
        client.execute(env=env)
    nb.metadata["dtks_fingerprint"] = _fingerprint(notebook, residents)
    nb.metadata.pop("jupytext", None)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = executed_path(notebook, out_dir)
    nbformat.write(nb, target)
    return target


def execute_stale(*, residents: int = CI_RESIDENTS, out_dir: Path = EXECUTED) -> list[Path]:
    """Execute every notebook whose executed copy is missing or out of date."""
    done = []
    for notebook in sources():
        if not is_current(notebook, residents=residents, out_dir=out_dir):
            print(
                f"[notebooks] running {notebook.name} at {residents:,} residents", file=sys.stderr, flush=True
            )
            done.append(execute(notebook, residents=residents, out_dir=out_dir))
    return done


if __name__ == "__main__":
    size = int(os.environ.get(SIZE_VARIABLE, CI_RESIDENTS))
    for path in sources():
        print(execute(path, residents=size))
