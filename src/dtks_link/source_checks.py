"""Mapping mistakes: a column mapped to an identifier or date field whose values are mostly
not of that kind (a US social-security number mapped to ``nik``, an age mapped to
``tanggal_lahir``).

:func:`mapping_mistakes` measures, in SQL inside the engine, the share of each mapped
column's non-empty values that have the field's shape (a rule, rendered in the engine's
dialect), and describes every column where fewer than half do (when at least
:data:`MIN_VALUES` values were checked). It names the source, the field and the column and
says what to do; it never shows a value.
:func:`warn_mapping_mistakes` issues them as :class:`~dtks_link.errors.MappingWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from .backends.engine import Engine
from .config import SourceConfig
from .errors import MappingWarning
from .rules import Expr, Renderer, and_, col, or_

__all__ = ["MIN_VALUES", "MappingMistake", "mapping_mistakes", "warn_mapping_mistakes"]

#: Fewer non-empty values than this are too few to judge a column by.
MIN_VALUES = 10

#: Below this share of values with the field's shape, the mapping is reported.
MIN_SHARE = 0.5


@dataclass(frozen=True, kw_only=True)
class MappingMistake:
    """A mapped column whose values mostly do not look like its field."""

    source: str
    field: str
    columns: tuple[str, ...]
    checked: int
    fitting: int
    message: str


# field -> (what the values should look like, advice when they do not)
_ADVICE = {
    "nik": (
        "a 16-digit NIK",
        "if it holds another personal identifier (a social-security, passport or card number), "
        "map it to id_lain instead",
    ),
    "no_kk": (
        "a 16-digit KK number",
        "if it holds another identifier (a household or card number), map it to id_lain instead",
    ),
    "telepon": ("a phone number", "check the mapping"),
    "tanggal_lahir": (
        "a date",
        "check the mapping (an age in years belongs in umur) or give its format in [sources.formats]",
    ),
}


def _digits(value: Expr) -> Expr:
    """How many digits the text holds."""
    return value.re_sub("[^0-9]", "").length()


def _shape(field: str) -> Expr:
    """A rule true when the field's mapped value has the field's shape."""
    value = col(field)
    if field in ("nik", "no_kk"):
        # 15-17 digits (a typo adds or drops one), or the number Excel wrote as 3.27601E+15
        return or_(
            and_(_digits(value).between(15, 17), value.length().le(24)),
            value.re_has("^[0-9][.,][0-9]+[Ee][+]?1[4-6]$"),
        )
    if field == "telepon":
        return and_(_digits(value).between(7, 15), value.length().le(30))
    # tanggal_lahir: day, month (number or name) and year with separators; or 5-8 digits
    # (yyyymmdd, ddmmyyyy, an Excel serial day)
    return or_(
        value.re_has("[0-9]{1,4}[^0-9A-Za-z]+([0-9]{1,2}|[A-Za-z]{3,9})[^0-9A-Za-z]+[0-9]{2,4}"),
        value.re_has("^[0-9]{5,8}([.]0+)?$"),
    )


def mapping_mistakes(
    engine: Engine,
    mapped_table: str,
    sources: Sequence[SourceConfig],
    format_mismatches: dict[str, dict[str, int]] | None = None,
) -> list[MappingMistake]:
    """Mapped ``nik``, ``no_kk``, ``telepon`` and ``tanggal_lahir`` columns whose values are
    mostly not of their kind, in the mapped table of :func:`~dtks_link.sources.load_sources`.

    A ``tanggal_lahir`` with ``[sources.formats]`` is judged by how many values fit its
    formats (``format_mismatches``, from the loader). Pseudonymised sources are not checked:
    their identifiers are hashes."""
    q = engine.quote
    renderer = Renderer(engine.dialect)
    mismatches = format_mismatches or {}
    out: list[MappingMistake] = []
    for source in sources:
        if source.pseudonymised:
            continue
        fields = [f for f in _ADVICE if f in source.columns]
        if not fields:
            continue
        selects: list[str] = []
        for canonical in fields:
            if source.field_formats(canonical):
                # converted already: a value that fit none of the formats is NULL now
                selects.append(f"count({q(canonical)}), count({q(canonical)})")
                continue
            shaped = engine.dialect.count_if(renderer.expression(_shape(canonical)))
            selects.append(f"count({q(canonical)}), {shaped}")
        row = engine.rows(
            f"SELECT {', '.join(selects)} FROM {q(mapped_table)} WHERE source = ?", [source.name]
        )[0]
        for i, canonical in enumerate(fields):
            checked, fitting = int(row[2 * i]), int(row[2 * i + 1])
            missed = mismatches.get(source.name, {}).get(canonical, 0)
            checked += missed  # values no format fit were read as NULL
            if checked < MIN_VALUES or fitting >= MIN_SHARE * checked:
                continue
            out.append(_mistake(source, canonical, checked, fitting, formats=bool(missed)))
    return out


def _mistake(
    source: SourceConfig, canonical: str, checked: int, fitting: int, *, formats: bool
) -> MappingMistake:
    columns = source.mapped_columns(canonical)
    shown = repr(columns[0]) if len(columns) == 1 else "[" + ", ".join(repr(c) for c in columns) + "]"
    shape, advice = _ADVICE[canonical]
    seen = f"only {fitting / checked:.0%} of its {checked:,} non-empty values"
    if formats:
        fits, advice = f"{seen} fit its formats in [sources.formats]", "the others are read as missing"
    else:
        fits = f"{seen} look like {shape}"
    message = f"source {source.name!r}: column {shown} is mapped to {canonical}, but {fits}; {advice}"
    return MappingMistake(
        source=source.name,
        field=canonical,
        columns=columns,
        checked=checked,
        fitting=fitting,
        message=message,
    )


def warn_mapping_mistakes(mistakes: Sequence[MappingMistake], *, stacklevel: int = 2) -> None:
    """Issue each mistake as a :class:`~dtks_link.errors.MappingWarning`."""
    for mistake in mistakes:
        warnings.warn(mistake.message, MappingWarning, stacklevel=stacklevel + 1)
