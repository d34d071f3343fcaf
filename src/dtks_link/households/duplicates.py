"""The double-aid report: where a programme that pays once per family pays twice.

Two findings, in every source marked ``pays_per_family = true`` (PKH, BPNT: a KPM list):

* **family listed twice** — a household holds two or more records of the programme: the same
  carer listed twice, or two members each listed as a carer;
* **carer of two families** — one resident is the carer on records whose KK numbers belong to
  two different households (for example her own family's KK, and her parents' KK from before
  she split off it, pecah KK).

A record belongs to the household of its carer (the resident it was linked to), not to the
household of the KK printed on it: a young family still listed on its parents' KK is its own
household, so the parents' record and theirs are two families, not a duplicate.

Every line carries its evidence: the records (record ids with runs of 8 or more digits masked),
the residents, the KK on each record (masked, ``3276********0001``) and the household that KK
belongs to. Nothing in the report is an unmasked identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from ..errors import mask_identifier, mask_record_id
from .resolve import SourceRole

__all__ = ["PROGRAMME_RECORD_COLUMNS", "DoubleAidFinding", "double_aid", "double_aid_report"]

#: What :func:`double_aid` reads: one row per record of a programme source.
PROGRAMME_RECORD_COLUMNS: tuple[str, ...] = (
    "source",
    "programme",
    "record_id",
    "resident_id",
    "household_id",
    "kk",
    "kk_household_id",
)


@dataclass(frozen=True, kw_only=True)
class DoubleAidFinding:
    """One line of the double-aid report. ``records`` are masked record ids; ``evidence`` is
    the whole line for people to read (identifiers masked)."""

    kind: str  # "family_listed_twice" or "carer_of_two_families"
    source: str
    programme: str
    household_ids: tuple[str, ...]
    resident_ids: tuple[str, ...]
    records: tuple[str, ...]
    evidence: str

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _record_line(row: Any) -> str:
    kk = "no KK" if pd.isna(row.kk) else f"KK {mask_identifier(row.kk)}"
    owner = "" if pd.isna(row.kk_household_id) else f" of {row.kk_household_id}"
    return f"{mask_record_id(row.record_id)} (carer {row.resident_id}, {kk}{owner})"


def double_aid(programme_records: pd.DataFrame, sources: Sequence[SourceRole]) -> list[DoubleAidFinding]:
    """The double-aid findings in ``programme_records`` (:data:`PROGRAMME_RECORD_COLUMNS`; the
    ``kk`` column is the record's own KK, personal data used only masked). Only sources whose
    :class:`~.resolve.SourceRole` pays per family are read. Ordered by kind, source, household."""
    per_family = {s.name: s for s in sources if s.pays_per_family}
    missing = [c for c in PROGRAMME_RECORD_COLUMNS if c not in programme_records.columns]
    if missing:
        raise ValueError(f"programme records lack column(s) {missing}")
    frame = programme_records[programme_records["source"].isin(list(per_family))]
    frame = frame.sort_values(["source", "household_id", "resident_id", "record_id"], kind="stable")
    findings: list[DoubleAidFinding] = []
    for (source, household), rows in frame.groupby(["source", "household_id"], sort=True):
        if len(rows) < 2:
            continue
        programme = per_family[str(source)].programme or str(source)
        residents = tuple(sorted(set(rows["resident_id"])))
        who = (
            f"the same carer {residents[0]} listed {len(rows)} times"
            if len(residents) == 1
            else f"{len(residents)} members each listed as carer"
        )
        lines = "; ".join(_record_line(r) for r in rows.itertuples())
        findings.append(
            DoubleAidFinding(
                kind="family_listed_twice",
                source=str(source),
                programme=programme,
                household_ids=(str(household),),
                resident_ids=residents,
                records=tuple(mask_record_id(r) for r in rows["record_id"]),
                evidence=f"household {household}: {len(rows)} records in {source} "
                f"({programme}, pays once per family): {who}: {lines}",
            )
        )
    for (source, resident), rows in frame.groupby(["source", "resident_id"], sort=True):
        families = sorted({str(h) for h in rows["kk_household_id"].dropna()})
        if len(families) < 2:
            continue
        programme = per_family[str(source)].programme or str(source)
        lines = "; ".join(_record_line(r) for r in rows.itertuples())
        findings.append(
            DoubleAidFinding(
                kind="carer_of_two_families",
                source=str(source),
                programme=programme,
                household_ids=tuple(families),
                resident_ids=(str(resident),),
                records=tuple(mask_record_id(r) for r in rows["record_id"]),
                evidence=f"resident {resident} (household {rows['household_id'].iloc[0]}) is the carer in "
                f"{source} ({programme}) for {len(families)} families ({', '.join(families)}): {lines}",
            )
        )
    return findings


def double_aid_report(findings: Sequence[DoubleAidFinding], *, sources: Sequence[SourceRole]) -> str:
    """The findings as text, one line each, under a heading per kind."""
    paying = [s for s in sources if s.pays_per_family]
    if not paying:
        return (
            "no source is marked pays_per_family = true: nothing to check. Mark the programme lists that "
            "pay once per family (PKH, BPNT) in the config."
        )
    names = ", ".join(f"{s.name} ({s.programme or s.name})" for s in paying)
    lines = [f"double aid in programmes that pay once per family: {names}"]
    for kind, title in (
        ("family_listed_twice", "families holding more than one record of a programme"),
        ("carer_of_two_families", "residents listed as the carer of two families"),
    ):
        found = [f for f in findings if f.kind == kind]
        lines.append(f"{title}: {len(found):,}")
        lines.extend(f"  {f.evidence}" for f in found)
    return "\n".join(lines)
