"""Shared helpers for the benchmarks: timing, peak memory, result files, tables."""

from __future__ import annotations

import json
import platform
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
DATA = Path(__file__).parent / "data"
_STAMP = "generator.stamp"


def generator_fingerprint() -> str:
    """A hash of everything the synthetic generator's output depends on: the ``synth`` package's
    source and the gazetteer files it reads. A cached data set whose stamp differs was written by
    another version of the generator."""
    import hashlib

    import dtks_link.standardise
    import dtks_link.synth

    digest = hashlib.sha256()
    synth = Path(dtks_link.synth.__file__).parent
    gazetteer = Path(dtks_link.standardise.__file__).parent / "data"
    for path in sorted([*synth.glob("*.py"), *synth.glob("*.toml"), *gazetteer.glob("*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def synthetic(
    residents: int, *, seed: int = 7, noise: float | None = None, folder: Path | None = None
) -> Path:
    """The folder of a generated synthetic Depok data set, cached under ``benchmarks/data``.

    The cache is regenerated when the generator changed since it was written (its stamp holds
    :func:`generator_fingerprint` and the arguments), so a benchmark or a digest never reads data
    that a fresh clone would generate differently."""
    import shutil

    from dtks_link.synth import generate

    if folder is None:
        folder = DATA / (f"depok_{residents}" if noise is None else f"depok_{residents}_noise_{noise:g}")
    stamp = json.dumps(
        {"generator": generator_fingerprint(), "residents": residents, "seed": seed, "noise": noise}
    )
    stamp_path = folder / _STAMP
    if (folder / "config.toml").exists() and stamp_path.exists() and stamp_path.read_text() == stamp:
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    kwargs: dict[str, Any] = {} if noise is None else {"noise": noise}
    generate(folder, residents=residents, seed=seed, **kwargs)
    stamp_path.write_text(stamp)
    return folder


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, Any]:
    import os

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
    }


@contextmanager
def timer(into: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    into[name] = round(time.perf_counter() - start, 3)


def child_result(command: Sequence[str], *, src: Path | None = None) -> dict[str, Any]:
    """Run a benchmark's child process (one size or engine in its own process, so its peak RSS is
    its own) and return the JSON of its last ``RESULT <json>`` line; ``{"error": "exit N"}``
    (its stderr printed) when it failed. ``src``: import ``dtks_link`` from this ``src``
    directory (another checkout) instead of the installed one."""
    import os
    import subprocess

    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = f"{Path(src).resolve()}{os.pathsep}{env.get('PYTHONPATH', '')}"
    proc = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=False, env=env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"error": f"exit {proc.returncode}"}
    return dict(json.loads(lines[-1][7:]))


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A Markdown table."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4f}" if value < 10 else f"{value:,.1f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: timings are indicative)."""
    import os

    return ", ".join(f"{x:.1f}" for x in os.getloadavg())
