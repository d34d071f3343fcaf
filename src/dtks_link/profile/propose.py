"""Proposing a file's ``[[sources]]`` entry: choosing the mappings, the record id and ``duplicate_free``.

:func:`profile_file` reads a sample of one file (``profile.sample``), proposes a field for each
column by its header and its values (``profile.headers``, ``profile.values``), keeps the most
confident proposal of each field (the others are commented out), chooses the ``id_column`` and
proposes a birth-date format and ``duplicate_free`` where the evidence settles them.
:func:`profile_folder` does it for every data file in a folder and :func:`propose_config`
writes the result as a ``config.toml`` text (``profile.write``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from ..errors import ConfigError, SourceError, mask_numbers
from ..schema import CANONICAL_FIELDS
from .headers import names_an_id, parts_proposals
from .proposal import DEFAULT_SAMPLE_ROWS, LOW, WRITE_AT, ColumnProposal, FileProposal, SampledColumn
from .sample import SUFFIXES, count_whole_file, profile_columns, read_sample
from .values import birth_date_format, by_header, by_values, with_header_gazetteer
from .write import render

__all__ = ["profile_file", "profile_folder", "propose_config"]


# -- choosing ------------------------------------------------------------------------------------
def _choose(columns: list[SampledColumn]) -> tuple[list[ColumnProposal], list[ColumnProposal], list[str]]:
    """The mappings written, those commented out, and the columns not recognised."""
    candidates: list[ColumnProposal] = parts_proposals(columns)
    in_parts = {c for p in candidates for c in p.columns}
    by_column = {c.name: c for c in columns}
    for column in columns:
        if column.name in in_parts:
            continue
        proposal = by_header(column) or by_values(column)
        if proposal is not None:
            candidates.append(with_header_gazetteer(proposal, by_column[column.name]))
    candidates.sort(key=lambda p: -p.confidence)
    chosen: dict[str, ColumnProposal] = {}
    uncertain: list[ColumnProposal] = []
    for proposal in candidates:
        if proposal.confidence >= WRITE_AT and proposal.field not in chosen:
            chosen[proposal.field] = proposal
        elif proposal.confidence >= LOW:
            if proposal.field in chosen:
                proposal = ColumnProposal(
                    field=proposal.field,
                    columns=proposal.columns,
                    confidence=min(proposal.confidence, WRITE_AT - 0.01),
                    evidence=f"{proposal.evidence}; {chosen[proposal.field].columns[0]!r} is mapped instead",
                )
            uncertain.append(proposal)
    used = {c for p in (*chosen.values(), *uncertain) for c in p.columns}
    mappings = [chosen[f] for f in CANONICAL_FIELDS if f in chosen]
    uncertain.sort(key=lambda p: CANONICAL_FIELDS.index(p.field))
    return mappings, uncertain, [c.name for c in columns if c.name not in used]


def _choose_id(
    columns: list[SampledColumn], rows: int, mappings: Sequence[ColumnProposal]
) -> tuple[str | None, str]:
    mapped = {c for p in mappings for c in p.columns}
    identifiers = {p.columns[0] for p in mappings if p.field in ("nik", "id_lain") and len(p.columns) == 1}
    unique = [c for c in columns if rows and c.filled == rows and c.distinct == rows]

    def idlike(column: SampledColumn) -> bool:
        return names_an_id(column.name)

    for group, how in (
        ([c for c in unique if c.name not in mapped and idlike(c)], "header names an id"),
        ([c for c in unique if c.name not in mapped], "not mapped to a field"),
        ([c for c in unique if c.name in identifiers], "also mapped as an identifier"),
    ):
        if group:
            return group[0].name, f"present and distinct in all {rows:,} sampled rows; {how}"
    near = sorted((c for c in columns if c.distinct > rows // 2), key=lambda c: (not idlike(c), -c.distinct))
    shown = ", ".join(f"{c.name!r} ({c.distinct:,} distinct)" for c in near[:3]) or "none"
    return None, (
        f"no column is present and distinct in all {rows:,} sampled rows: add a unique record id column "
        f"and name it here (closest: {shown})"
    )


def _duplicate_free(
    proposal: FileProposal, nik: ColumnProposal | None, column: SampledColumn | None, rows: int
) -> None:
    """Propose ``duplicate_free`` when every row of the whole file has a distinct, well-formed NIK."""
    if nik is None or column is None or len(nik.columns) != 1 or rows < 50:
        return
    if column.filled < rows or column.shares["nik"] < 1.0 or column.distinct < rows:
        return
    total = distinct = rows
    if not proposal.whole_file:
        counted = count_whole_file(proposal, nik.columns[0])
        if counted is None:
            return
        total, distinct = counted
        if distinct < total:
            return
    proposal.duplicate_free = (
        f"every one of the {total:,} rows has a distinct, well-formed NIK (column {nik.columns[0]!r}): "
        "a register with one row per person"
    )


# -- the whole file --------------------------------------------------------------------------------
def _source_name(path: Path, taken: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", path.stem).strip("_")[:55] or "source"
    if not name[0].isalpha():
        name = "s_" + name
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def profile_file(
    path: str | Path, *, name: str | None = None, sample_rows: int = DEFAULT_SAMPLE_ROWS
) -> FileProposal:
    """Profile one file and propose its ``[[sources]]`` entry (see :func:`propose_config`)."""
    file_path = Path(path)
    fmt = SUFFIXES.get(file_path.suffix.lower(), "csv")
    proposal = FileProposal(path=file_path, name=name or _source_name(file_path, set()), file_format=fmt)
    con = duckdb.connect()
    try:
        try:
            frame = read_sample(file_path, fmt, sample_rows, con, proposal)
        except (duckdb.Error, OSError, ValueError, SourceError) as exc:
            first_line = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            proposal.skipped = f"cannot read it as {fmt}: {mask_numbers(first_line)}"
            return proposal
        except Exception as exc:  # openpyxl and pyarrow raise many types for broken files
            proposal.skipped = f"cannot read it as {fmt}: {type(exc).__name__}"
            return proposal
        frame.columns = [str(c) for c in frame.columns]
        proposal.rows_sampled = len(frame)
        if frame.empty:
            proposal.skipped = "no data rows to profile"
            return proposal
        columns = profile_columns(frame, con)
    finally:
        con.close()
    mappings, uncertain, unrecognised = _choose(columns)
    proposal.mappings, proposal.uncertain, proposal.unrecognised = mappings, uncertain, unrecognised
    if not any(p.field in ("nama", "nik", "no_kk") for p in mappings):
        proposal.skipped = "no name, NIK or KK column recognised: nothing to link on"
        return proposal
    proposal.id_column, proposal.id_evidence = _choose_id(columns, len(frame), mappings)
    proposal.unrecognised = [c for c in unrecognised if c != proposal.id_column]
    by_name = {c.name: c for c in columns}
    for mapping in mappings:
        if mapping.field == "tanggal_lahir" and len(mapping.columns) == 1:
            found = birth_date_format(by_name[mapping.columns[0]])
            if isinstance(found, tuple):
                proposal.formats["tanggal_lahir"] = found
            else:
                proposal.date_notes["tanggal_lahir"] = found
    nik = next((m for m in mappings if m.field == "nik"), None)
    _duplicate_free(proposal, nik, by_name.get(nik.columns[0]) if nik else None, len(frame))
    return proposal


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in SUFFIXES
    )


def profile_folder(folder: str | Path, *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> list[FileProposal]:
    """:func:`profile_file` for every data file in ``folder`` (CSV/TXT/TSV, Parquet, Excel; not
    recursive), with distinct source names. Raises :class:`ConfigError` when the folder does
    not exist or holds no data file."""
    directory = Path(folder)
    if not directory.is_dir():
        raise ConfigError([f"{str(directory)!r} is not a folder"], origin="dtks-link init")
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, int) or sample_rows < 1:
        raise ConfigError(
            [f"sample_rows must be a positive integer, got {sample_rows!r}"], origin="dtks-link init"
        )
    files = _files(directory)
    if not files:
        suffixes = ", ".join(sorted(SUFFIXES))
        raise ConfigError([f"no data file ({suffixes}) in {str(directory)!r}"], origin="dtks-link init")
    taken: set[str] = set()
    return [profile_file(p, name=_source_name(p, taken), sample_rows=sample_rows) for p in files]


def propose_config(
    folder: str | Path,
    *,
    config_path: str | Path | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
) -> str:
    """Profile every data file in ``folder`` (CSV/TXT/TSV, Parquet, Excel; not recursive) and
    return a proposed ``config.toml`` text. Paths in it are relative to ``config_path``'s
    folder (default: ``folder``, as if the config is saved there).

    Read the proposal before linking: each line says why it is there and how sure it is;
    uncertain mappings are commented out, unrecognised columns are listed, not mapped.
    Raises :class:`ConfigError` when the folder does not exist or holds no data file."""
    proposals = profile_folder(folder, sample_rows=sample_rows)
    config_dir = Path(config_path).parent if config_path is not None else Path(folder)
    return render(proposals, config_dir=config_dir, folder=Path(folder), sample_rows=sample_rows)
