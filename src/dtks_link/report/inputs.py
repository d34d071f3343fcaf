"""What a report is made of, read from a :class:`~dtks_link.LinkResult` or from the output
directory ``dtks-link link`` wrote."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..errors import EvaluationError

__all__ = ["LinkOutputs", "ReportInputs"]


class LinkOutputs(Protocol):
    """What the report reads of a run held in memory (a :class:`~dtks_link.LinkResult`: the
    report is drawn from what the pipeline made, without importing the pipeline)."""

    @property
    def run(self) -> dict[str, Any]: ...
    @property
    def model(self) -> Any: ...
    @property
    def uncertain_pairs(self) -> list[dict[str, Any]]: ...
    @property
    def quality(self) -> pd.DataFrame: ...
    @property
    def clusters(self) -> pd.DataFrame: ...
    @property
    def pairs(self) -> pd.DataFrame: ...

#: Files of an output directory the report reads, and what writes them.
REQUIRED_FILES = (
    "run.json",
    "model.json",
    "uncertain_pairs.json",
    "quality.parquet",
    "clusters.parquet",
    "pairs.parquet",
)


@dataclass(frozen=True, kw_only=True)
class ReportInputs:
    """Everything the report draws: the run summary (``run.json``), the model (Splink JSON),
    the uncertain pairs (levels and weights only), the quality profile, the clusters and the
    scored pairs."""

    run: dict[str, Any]
    model: dict[str, Any]
    uncertain_pairs: list[dict[str, Any]]
    quality: pd.DataFrame
    clusters: pd.DataFrame
    pairs: pd.DataFrame

    @classmethod
    def from_result(cls, result: LinkOutputs) -> ReportInputs:
        """The inputs of a run held in memory (``dtks_link.link(...)``)."""
        if not result.run:
            raise EvaluationError("this LinkResult has no run summary: it was not made by dtks_link.link")
        return cls(
            run=result.run,
            model=result.model.settings_ or {},
            uncertain_pairs=list(result.uncertain_pairs),
            quality=result.quality,
            clusters=result.clusters,
            pairs=result.pairs,
        )

    @classmethod
    def from_dir(cls, out_dir: str | Path) -> ReportInputs:
        """The inputs an output directory of ``dtks-link link`` holds."""
        folder = Path(out_dir)
        if not folder.is_dir():
            raise EvaluationError(f"{str(folder)!r} is not a directory written by 'dtks-link link'")
        missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
        if missing:
            hint = (
                "it was written by an older dtks_link or by link(write=False); run 'dtks-link link' again"
                if "run.json" in missing
                else "run 'dtks-link link' again to write them"
            )
            raise EvaluationError(f"{str(folder)!r} lacks {', '.join(missing)}: {hint}")

        def read_json(name: str) -> Any:
            try:
                return json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise EvaluationError(f"cannot read {name} in {str(folder)!r}: {exc}") from exc

        return cls(
            run=read_json("run.json"),
            model=read_json("model.json"),
            uncertain_pairs=read_json("uncertain_pairs.json"),
            quality=pd.read_parquet(folder / "quality.parquet"),
            clusters=pd.read_parquet(folder / "clusters.parquet"),
            pairs=pd.read_parquet(folder / "pairs.parquet"),
        )
