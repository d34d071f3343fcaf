"""What profiling concludes: a field proposed for columns, a file's proposed source, a sampled column.

The plain records the other ``profile`` modules pass between them: :class:`SampledColumn`
(counts and value-shape shares of one column of the sample), :class:`ColumnProposal` (a field,
its columns, the evidence and the confidence) and :class:`FileProposal` (everything concluded
about one file, from which its ``[[sources]]`` entry is written).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_SAMPLE_ROWS", "LOW", "WRITE_AT", "ColumnProposal", "FileProposal", "SampledColumn"]

#: Rows read from each file.
DEFAULT_SAMPLE_ROWS = 10_000

#: Confidence at or above which a mapping is written; below it (down to LOW) it is commented out.
WRITE_AT = 0.75
LOW = 0.4


@dataclass(frozen=True, kw_only=True)
class ColumnProposal:
    """A field proposed for one or several columns, with the reason and the confidence (0-1)."""

    field: str
    columns: tuple[str, ...]
    confidence: float
    evidence: str

    @property
    def level(self) -> str:
        """``high``, ``medium`` or ``low`` (low is written commented out)."""
        if self.confidence >= 0.9:
            return "high"
        return "medium" if self.confidence >= WRITE_AT else "low"


@dataclass(kw_only=True)
class FileProposal:
    """What :func:`profile_file` concluded about one file."""

    path: Path
    name: str
    file_format: str
    rows_sampled: int = 0
    whole_file: bool = False
    delimiter: str | None = None
    quote: str | None = None  # "" when the sample does not read as RFC 4180
    encoding: str | None = None
    id_column: str | None = None
    id_evidence: str = ""
    mappings: list[ColumnProposal] = field(default_factory=list)
    uncertain: list[ColumnProposal] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    formats: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    date_notes: dict[str, str] = field(default_factory=dict)
    duplicate_free: str | None = None  # the evidence when proposed
    skipped: str | None = None  # why no [[sources]] entry is proposed


@dataclass(kw_only=True)
class SampledColumn:
    """One column of the sample: filled and distinct counts, the share of its values of each
    shape (``sample.SHAPES``) and the count of each value (None when the column is empty)."""

    name: str
    filled: int
    distinct: int
    shares: dict[str, float]
    counts: Counter[str] | None
