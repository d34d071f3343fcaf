"""Writing the proposed ``config.toml``: each mapping with its evidence and confidence.

:func:`render` turns profiled files (:class:`~dtks_link.profile.FileProposal`) into the config
text: a ``[[sources]]`` entry per file with its reading options, each mapping with a comment
giving its evidence and confidence, uncertain mappings commented out, unrecognised columns
listed in a comment, and the files skipped with the reason. Comments are kept on one line
(a control character in a header cannot end one early).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..config import toml_string
from .proposal import FileProposal

__all__ = ["render"]


def _comment(text: str) -> str:
    """One comment line: control characters (a newline in a header) cannot end it early."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _aligned(assignment: str, comment: str) -> str:
    return f"{assignment:<40} # {_comment(comment)}"


def _value(columns: tuple[str, ...]) -> str:
    if len(columns) == 1:
        return toml_string(columns[0])
    return "[" + ", ".join(toml_string(c) for c in columns) + "]"


def _source_toml(proposal: FileProposal, config_dir: Path) -> list[str]:
    target = proposal.path.resolve()
    try:  # relative to the config when the file is under its folder, else absolute
        shown = target.relative_to(config_dir.resolve()).as_posix()
    except ValueError:
        shown = target.as_posix()
    sampled = "the whole file" if proposal.whole_file else f"the first {proposal.rows_sampled:,} rows"
    lines = [f"# {_comment(proposal.path.name)}: profiled from {sampled}", "[[sources]]"]
    lines.append(f"name = {toml_string(proposal.name)}")
    lines.append(f"path = {toml_string(shown)}")
    lines.append(_aligned(f"id_column = {toml_string(proposal.id_column or '')}", proposal.id_evidence))
    if proposal.file_format == "csv":
        lines.append(f"delimiter = {toml_string(proposal.delimiter or ',')}")
        if proposal.quote is not None:
            lines.append(
                _aligned(
                    f"quote = {toml_string(proposal.quote)}",
                    "the first rows do not read as RFC 4180 (a quote never closes?): quotes read as text",
                )
            )
        if proposal.encoding is not None:
            lines.append(_aligned(f"encoding = {toml_string(proposal.encoding)}", "the file is not UTF-8"))
    if proposal.duplicate_free is not None:
        lines.append(_aligned("duplicate_free = true", proposal.duplicate_free))
    lines.append("[sources.columns]")
    for mapping in proposal.mappings:
        lines.append(
            _aligned(f"{mapping.field} = {_value(mapping.columns)}", f"{mapping.level}: {mapping.evidence}")
        )
    for mapping in proposal.uncertain:
        lines.append(
            _aligned(
                f"# {mapping.field} = {_value(mapping.columns)}",
                f"uncertain ({mapping.level}): {mapping.evidence}",
            )
        )
    if proposal.unrecognised:
        shown = ", ".join(proposal.unrecognised)
        lines.append(_comment(f"# not mapped (not recognised): {shown}"))
    for canonical, note in proposal.date_notes.items():
        lines.append(_comment(f"# {canonical}: {note}"))
    if proposal.formats:
        lines.append("[sources.formats]")
        for canonical, (formats, evidence) in proposal.formats.items():
            value = toml_string(formats[0]) if len(formats) == 1 else _value(tuple(formats))
            lines.append(_aligned(f"{canonical} = {value}", evidence))
    return lines


def render(proposals: Iterable[FileProposal], *, config_dir: Path, folder: Path, sample_rows: int) -> str:
    """The config text of profiled files (see :func:`propose_config`)."""
    lines = [
        _comment(
            f"# Proposed by dtks-link init from the files in {folder} (up to {sample_rows:,} rows of each)."
        ),
        "# Check every line before linking. Each mapping says why it is there and how sure it is:",
        "#   high = the header and the values agree; medium = one of them is clear, nothing against it;",
        "#   uncertain = commented out: uncomment it if it is right. Unrecognised columns are not mapped.",
        "",
        "[output]",
        'dir = "out"',
    ]
    skipped = []
    for proposal in proposals:
        if proposal.skipped is not None:
            skipped.append(_comment(f"# skipped {proposal.path.name}: {proposal.skipped}"))
            continue
        lines += ["", *_source_toml(proposal, config_dir)]
    if skipped:
        lines += ["", *skipped]
    return "\n".join(lines) + "\n"
