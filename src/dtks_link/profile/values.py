"""Value evidence: what a column's values say about the field its header names, or alone.

:func:`by_header` weighs a field named by the header (``profile.headers``) against the shares
of value shapes measured on the sample (``profile.sample``): **high** when they agree, low when
they disagree. :func:`by_values` proposes a field from the values alone (16-digit NIKs with a
share of women's days, shared KK numbers, phone numbers, sex codes, Depok kelurahan and
kecamatan names from the gazetteer, dates, US social-security numbers).
:func:`birth_date_format` proposes ``[sources.formats]`` for a birth date only when the values
settle the day/month order. The evidence gives shares and counts, never a value.
"""

from __future__ import annotations

import re
from collections import Counter

from .headers import OTHER_PARTY, fold, header_field
from .proposal import ColumnProposal, SampledColumn

__all__ = ["birth_date_format", "by_header", "by_values", "with_header_gazetteer"]


def _gazetteer_shares(column: SampledColumn) -> tuple[float, float]:
    """Shares of a column's values naming a Depok kelurahan, and a Depok kecamatan."""
    if not column.counts or not column.filled or column.distinct > 1000:
        return 0.0, 0.0
    from ..standardise.gazetteer import maps, place_key

    gazetteer = maps()
    kel = {*gazetteer.kel_by_key, *gazetteer.ambiguous_kel_names}
    kel_hits = kec_hits = 0
    for value, n in column.counts.items():
        key = place_key(value)
        kel_hits += n if key in kel else 0
        kec_hits += n if key in gazetteer.kec_by_key else 0
    return kel_hits / column.filled, kec_hits / column.filled


def _pct(share: float) -> str:
    return f"{share:.0%}" if share < 0.995 or share == 1 else ">99%"


# field -> (shape, share needed, what it means): the value test of a field found by its header
_VALUE_TESTS: dict[str, tuple[str, float, str]] = {
    "nik": ("nik", 0.5, "look like a 16-digit NIK"),
    "no_kk": ("kk", 0.5, "look like a 16-digit KK number"),
    "tanggal_lahir": ("date", 0.5, "look like dates"),
    "telepon": ("phone", 0.5, "look like phone numbers"),
    "jenis_kelamin": ("sex", 0.8, "are sex codes"),
    "rt": ("rt_rw", 0.8, "are RT numbers"),
    "rw": ("rt_rw", 0.8, "are RW numbers"),
    "umur": ("age", 0.8, "are ages (0-120)"),
    "kode_pos": ("postcode", 0.8, "are postcodes"),
    "nama": ("name", 0.5, "look like names"),
    "nama_ibu_kandung": ("name", 0.5, "look like names"),
    "tempat_lahir": ("letters", 0.8, "hold letters"),
    "alamat": ("address", 0.5, "look like addresses"),
    "kelurahan": ("letters", 0.8, "hold letters"),
    "kecamatan": ("letters", 0.8, "hold letters"),
    "kabupaten_kota": ("letters", 0.8, "hold letters"),
    "hubungan_keluarga": ("relationship", 0.8, "are relationships to the head (SHDK)"),
}


def _relationship_share(column: SampledColumn) -> float:
    """Share of a column's values that read as a hubungan keluarga (SHDK label, code or an
    English relationship)."""
    if not column.counts or not column.filled or column.distinct > 1000:
        return 0.0
    from ..standardise.family import relationship

    return sum(n for value, n in column.counts.items() if relationship(value, sex="L")) / column.filled


def _share(column: SampledColumn, shape: str) -> float:
    if shape == "relationship":
        return _relationship_share(column)
    share = column.shares[shape]
    if shape in ("nik", "kk"):
        share += column.shares["excel_number"]  # Excel wrote the 16 digits as 3.27601E+15
    return share


def by_header(column: SampledColumn) -> ColumnProposal | None:
    """The field the column's header names, its confidence raised or lowered by the values."""
    found = header_field(column.name)
    if found is None:
        return None
    canonical, confidence, how = found
    if not column.filled:
        return ColumnProposal(
            field=canonical, columns=(column.name,), confidence=0.5, evidence=f"{how}; empty in the sample"
        )
    test = _VALUE_TESTS.get(canonical)
    if test is None:
        return ColumnProposal(field=canonical, columns=(column.name,), confidence=confidence, evidence=how)
    shape, needed, meaning = test
    share = _share(column, shape)
    evidence = f"{how}; {_pct(share)} of {column.filled:,} values {meaning}"
    if share >= needed:
        return ColumnProposal(
            field=canonical, columns=(column.name,), confidence=min(confidence + 0.1, 1.0), evidence=evidence
        )
    if canonical in ("nik", "no_kk") and column.shares["ssn"] >= 0.5:
        evidence += f", {_pct(column.shares['ssn'])} look like US social-security numbers"
        return ColumnProposal(field="id_lain", columns=(column.name,), confidence=0.6, evidence=evidence)
    return ColumnProposal(field=canonical, columns=(column.name,), confidence=0.5, evidence=evidence)


def by_values(column: SampledColumn) -> ColumnProposal | None:
    """A field from the values alone (the header is not known)."""
    words = set(fold(column.name).split("_"))
    if column.filled < 5 or words & OTHER_PARTY:
        return None
    shares = column.shares
    nik, kk = _share(column, "nik"), _share(column, "kk")
    women = shares["nik_women"] / nik if nik else 0.0
    kel, kec = _gazetteer_shares(column)
    roles = _relationship_share(column)
    worded = sum(
        n for value, n in (column.counts or {}).items() if not value.strip().replace(".", "").isdigit()
    )
    # (field, share, whether it decides, confidence, what that share of the values shows), in order
    rules = [
        (
            "nik",
            nik,
            nik >= 0.9 and 0.2 <= women <= 0.8,
            0.5 if "kk" in words else 0.8,
            f"look like a 16-digit NIK, {_pct(women)} with a women's day (41-71)",
        ),
        (
            "no_kk",
            kk,
            kk >= 0.9 and women < 0.05 and column.distinct < column.filled,
            0.6,
            "look like 16-digit KK numbers, some shared",
        ),
        ("telepon", shares["phone"], shares["phone"] >= 0.9, 0.8, "look like phone numbers"),
        (
            "jenis_kelamin",
            shares["sex"],
            shares["sex"] >= 0.95 and column.distinct <= 8,
            0.8,
            "are sex codes",
        ),
        ("kecamatan", kec, kec >= 0.9 and kec >= kel, 0.8, "name a Depok kecamatan"),
        ("kelurahan", kel, kel >= 0.8, 0.8, "name a Depok kelurahan"),
        (
            "tanggal_lahir",
            shares["date"],
            shares["date"] >= 0.9,
            0.5,
            "look like dates (a birth date? check)",
        ),
        ("id_lain", shares["ssn"], shares["ssn"] >= 0.9, 0.5, "look like US social-security numbers"),
        (
            "hubungan_keluarga",
            roles,
            roles >= 0.95 and 2 <= column.distinct <= 40 and worded >= 0.5 * column.filled,
            0.8,
            "are relationships to the head (Kepala Keluarga, Istri, Anak...)",
        ),
    ]
    for canonical, share, decides, confidence, meaning in rules:
        if decides:
            return ColumnProposal(
                field=canonical,
                columns=(column.name,),
                confidence=confidence,
                evidence=f"values: {_pct(share)} of {column.filled:,} {meaning}",
            )
    return None


def with_header_gazetteer(proposal: ColumnProposal, column: SampledColumn) -> ColumnProposal:
    """A kelurahan or kecamatan column found by its header, with the gazetteer's word on it."""
    if proposal.field not in ("kelurahan", "kecamatan"):
        return proposal
    kel, kec = _gazetteer_shares(column)
    share = kel if proposal.field == "kelurahan" else kec
    if share < 0.5:
        return proposal
    return ColumnProposal(
        field=proposal.field,
        columns=proposal.columns,
        confidence=max(proposal.confidence, 1.0),
        evidence=f"{proposal.evidence}; {_pct(share)} name a Depok {proposal.field}",
    )


# -- birth-date formats --------------------------------------------------------------------------
_SEPARATED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^\d{8}$")


def birth_date_format(column: SampledColumn) -> tuple[list[str], str] | str:
    """Formats for a birth-date column when the values settle the order (with the evidence),
    or a note saying why none is proposed."""
    counts = column.counts
    if not counts:
        return "values too varied to tell the day/month order; the rules read day-first"
    separated: Counter[tuple[str, int]] = Counter()
    first_big = second_big = 0
    compact = 0
    md_first = dm_first = compact_md = compact_dm = compact_ymd = 0
    total = sum(counts.values())
    for value, n in counts.items():
        match = _SEPARATED.match(value.strip())
        if match:
            a, sep, b, year = int(match[1]), match[2], int(match[3]), match[4]
            separated[(sep, len(year))] += n
            first_big += n if a > 12 else 0
            second_big += n if b > 12 else 0
            md_first += n if a <= 12 and b <= 31 else 0
            dm_first += n if b <= 12 and a <= 31 else 0
            continue
        if _COMPACT.match(value.strip()):
            compact += n
            v = value.strip()
            mm, dd, yyyy = int(v[:2]), int(v[2:4]), int(v[4:])
            compact_md += n if 1 <= mm <= 12 and 1 <= dd <= 31 and 1880 <= yyyy <= 2100 and dd > 12 else 0
            compact_dm += n if 1 <= dd <= 12 and 1 <= mm <= 31 and 1880 <= yyyy <= 2100 and mm > 12 else 0
            y, m, d = int(v[:4]), int(v[4:6]), int(v[6:])
            compact_ymd += n if 1880 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31 else 0
    n_sep = sum(separated.values())
    if n_sep >= 0.9 * total:
        if second_big >= 2 and first_big <= 0.02 * second_big:
            formats = []
            for (sep, digits), n in separated.most_common():
                if n >= 0.01 * n_sep:
                    fmt = f"%m{sep}%d{sep}" + ("%Y" if digits == 4 else "%y")
                    formats.append(fmt)
            return formats, (
                f"month-first: {second_big:,} of {n_sep:,} dates have a day above 12 in the second part, "
                f"{first_big:,} in the first"
            )
        if first_big and second_big <= 0.02 * first_big:
            return "day-first (some first parts above 12): read by the standard rules"
        if not first_big and not second_big:
            return "no part above 12 in the sample: day/month order unknown; the rules read day-first"
        return "mixed day/month order: left to the standard rules"
    if compact >= 0.9 * total:
        if compact_ymd >= 0.98 * compact:
            return "yyyymmdd: read by the standard rules"
        if compact_md >= 2 and compact_dm <= 0.02 * compact_md:
            return ["%m%d%Y"], (
                f"mmddyyyy: {compact_md:,} of {compact:,} values have a day above 12 in digits 3-4, "
                f"{compact_dm:,} in digits 1-2"
            )
        return "8-digit dates: read by the standard rules (yyyymmdd or ddmmyyyy)"
    return "read by the standard rules"
