"""The error model: named, tunable per-source error rates and the log of the errors made (the
vectorised edits that apply them are in :mod:`dtks_link.synth.edits`).

Every error type is a field of :class:`ErrorRates`, a probability in ``[0, 1]``. A rate is the
chance that one record *to which the error can apply* receives it (a title can only be dropped
from a name that has one; a day/month swap needs a day of 12 or less). Errors are drawn
independently per record, except the NIK errors, which exclude each other (a NIK field holds
one wrong thing at a time), and the KK errors, likewise. ``kk_changed``, ``kk_before_*`` and
``address_stale`` are drawn once per family (KK) and source, so a family's members agree.

Default rates per source (:data:`DEFAULT_ERROR_RATES`, kept in ``error_rates.toml``; Dukcapil is
clean, all zeros)::

    error                 applies to                        dtks  bpjs_pbi  pkh   lansia  bencana
    typo_keyboard         every name                        0.02  0.01     0.03  0.03    0.05
    typo_ocr              names with an OCR-confusable      0.005 0.005    0.01  0.01    0.01
    typo_transposition    names with two adjacent letters   0.01  0.005    0.01  0.01    0.02
    old_spelling          old-spelt names, pre-1973 names   0.25  0.15     0.25  0.35    0.30
    title_added           adults without a printed title    0.02  0.0      0.03  0.25    0.05
    title_dropped         names with a printed title        0.30  0.60     0.40  0.10    0.60
    muhammad_variant      Muhammad/Ahmad/Abdul/Siti names   0.30  0.40     0.35  0.30    0.40
    nickname              names with a known short form     0.01  0.0      0.03  0.05    0.15
    token_dropped         names of two or more words        0.04  0.03     0.05  0.06    0.15
    token_abbreviated     names of two or more words        0.02  0.35     0.03  0.03    0.05
    token_reordered       names of two or more words        0.01  0.0      0.01  0.01    0.02
    dob_day_month_swap    dates with day <= 12 != month    0.02  0.005    -     0.03    -
    dob_year_typo         every date                        0.01  0.005    -     0.03    -
    dob_placeholder       every date                        0.01  0.0      -     0.15    -
    age_misstated         every age (umur)                  -     -        -     -       0.30
    nik_typo              every NIK                         0.015 0.005    0.02  0.02    0.03
    nik_excel_damage      every NIK                         0.005 0.0      0.05  0.03    0.05
    nik_missing           every NIK                         0.02  0.005    0.01  0.08    0.50
    nik_kk_in_field       every NIK                         0.005 0.002    0.02  0.005   0.02
    nik_of_head           NIKs of members other than head   0.005 0.002    0.03  0.005   0.03
    nik_placeholder       every NIK                         0.002 0.0      0.005 0.01    0.02
    kk_changed            families whose KK was reissued    0.10  0.08     0.08  -       -
    kk_before_split       families formed by pecah KK       0.40  0.20     0.50  -       -
    kk_before_move        families who moved (new KK)       0.35  0.20     0.45  -       -
    kk_before_death       families after the head's death   0.60  0.40     0.70  -       -
    kk_typo               every KK number                   0.01  0.005    0.02  -       -
    kk_missing            every KK number                   0.01  0.02     0.01  -       -
    kk_excel_damage       every KK number                   0.005 0.0      0.05  -       -
    address_stale         families who moved (10%)          0.50  0.40     0.30  0.30    0.0
    kelurahan_spelling    kelurahan with another spelling   0.20  0.0      0.20  0.30    0.30
    mother_name_missing   every nama ibu kandung            0.10  -        -     -       -
    duplicate             every listed resident             0.04  0.01     0.02  0.03    0.05
    deceased_listed       listed residents who have died    0.80  0.50     0.60  0.90    0.0

("-" = the source has no such field; the rate is ignored.) Calibration against domain.md §6.3:
DTKS's NIK errors add up to about 5% of records, between Kemensos's 1.1% unmatched (May 2024)
and BPK's 11% invalid NIKs (2020); KK errors to about 12%, below BPK's 16.9% invalid KK numbers
(2020) because matching has improved since; 4% of DTKS residents have a second record (KPK 1.1%,
BPK Banten 5–9%); with about 1% of poorer residents dead in the last two years, 0.8% of DTKS
records are deceased (KPK 0.24%, BPK 1.7%). PKH's NIK errors add up to about 13% of families,
like BPKP's 3.9 million invalid-NIK KPM among ~29 million (2020). Rates for lansia and bencana
lists, filled by hand by cadres and disaster posts, are assumptions [uncertain].

Every applied error is recorded in ``errors.parquet`` (``source, record_id, error``).
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dtks_link.errors import ConfigError
from dtks_link.synth.codes import I64, B

__all__ = [
    "DEFAULT_ERROR_RATES",
    "ERROR_NAMES",
    "ErrorLog",
    "ErrorRates",
]


@dataclass(frozen=True, kw_only=True)
class ErrorRates:
    """Per-record error probabilities for one source (see the module docstring for each one).

    Build a variant with :func:`dataclasses.replace` or :meth:`scaled`::

        >>> r = ErrorRates(typo_keyboard=0.05)
        >>> r.scaled(2.0).typo_keyboard
        0.1
    """

    # names
    typo_keyboard: float = 0.0
    typo_ocr: float = 0.0
    typo_transposition: float = 0.0
    old_spelling: float = 0.0
    title_added: float = 0.0
    title_dropped: float = 0.0
    muhammad_variant: float = 0.0
    nickname: float = 0.0
    token_dropped: float = 0.0
    token_abbreviated: float = 0.0
    token_reordered: float = 0.0
    # dates and ages
    dob_day_month_swap: float = 0.0
    dob_year_typo: float = 0.0
    dob_placeholder: float = 0.0
    age_misstated: float = 0.0
    # NIK (mutually exclusive)
    nik_typo: float = 0.0
    nik_excel_damage: float = 0.0
    nik_missing: float = 0.0
    nik_kk_in_field: float = 0.0
    nik_of_head: float = 0.0
    nik_placeholder: float = 0.0
    # KK number (kk_changed and kk_before_* per family; the others mutually exclusive per record)
    kk_changed: float = 0.0
    kk_before_split: float = 0.0
    kk_before_move: float = 0.0
    kk_before_death: float = 0.0
    kk_typo: float = 0.0
    kk_missing: float = 0.0
    kk_excel_damage: float = 0.0
    # address
    address_stale: float = 0.0
    kelurahan_spelling: float = 0.0
    # other fields and whole records
    mother_name_missing: float = 0.0
    duplicate: float = 0.0
    deceased_listed: float = 0.0

    def __post_init__(self) -> None:
        problems = [
            f"{f.name} = {getattr(self, f.name)!r}: a rate must be a number between 0 and 1"
            for f in dataclasses.fields(self)
            if not isinstance(getattr(self, f.name), int | float)
            or not 0.0 <= float(getattr(self, f.name)) <= 1.0
        ]
        if not problems:
            nik_sum = sum(getattr(self, name) for name in _NIK_ERRORS)
            if nik_sum > 1.0:
                problems.append(f"the NIK error rates add up to {nik_sum:.3f}; at most 1 allowed")
            kk_sum = sum(getattr(self, name) for name in _KK_ERRORS)
            if kk_sum > 1.0:
                problems.append(f"the KK error rates add up to {kk_sum:.3f}; at most 1 allowed")
        if problems:
            raise ConfigError(problems, origin="ErrorRates")

    def scaled(self, factor: float) -> ErrorRates:
        """All rates multiplied by ``factor`` (capped at 1), except ``deceased_listed`` (who is
        listed, not an error). The mutually exclusive NIK errors, and the KK errors, are scaled
        down together when their sum would pass 1, so their proportions are kept."""
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not factor >= 0:
            problem = f"the noise factor must be a number >= 0, got {factor!r}"
            raise ConfigError([problem], origin="ErrorRates")
        values = {
            f.name: min(1.0, getattr(self, f.name) * factor)
            for f in dataclasses.fields(self)
            if f.name != "deceased_listed"
        }
        for group in (_NIK_ERRORS, _KK_ERRORS):
            total = sum(getattr(self, name) * factor for name in group)
            if total > 1.0:
                for name in group:
                    values[name] = getattr(self, name) * factor / total
        return dataclasses.replace(self, **values)


ERROR_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ErrorRates))
_NIK_ERRORS = (
    "nik_typo",
    "nik_excel_damage",
    "nik_missing",
    "nik_kk_in_field",
    "nik_of_head",
    "nik_placeholder",
)
_KK_ERRORS = ("kk_typo", "kk_missing", "kk_excel_damage")

def _load_default_rates() -> Mapping[str, ErrorRates]:
    text = resources.files(__package__).joinpath("error_rates.toml").read_text(encoding="utf-8")
    return MappingProxyType({name: ErrorRates(**rates) for name, rates in tomllib.loads(text).items()})


DEFAULT_ERROR_RATES: Mapping[str, ErrorRates] = _load_default_rates()
"""Default :class:`ErrorRates` per source name (from ``error_rates.toml`` beside this module),
calibrated as the module docstring explains."""


class ErrorLog:
    """Collects which error was applied to which record (by position in the extract)."""

    def __init__(self) -> None:
        self._names: list[str] = []
        self._rows: list[I64] = []

    def add(self, name: str, rows: npt.NDArray[np.integer] | B) -> None:
        """Record ``name`` for ``rows`` (positions or a boolean mask)."""
        arr = np.asarray(rows)
        idx = np.nonzero(arr)[0] if arr.dtype == np.bool_ else arr.astype(np.int64)
        if idx.size:
            self._names.append(name)
            self._rows.append(idx.astype(np.int64))

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for name, rows in zip(self._names, self._rows, strict=True):
            out[name] = out.get(name, 0) + int(rows.size)
        return out

    def table(self, source: str, record_ids: pa.Array) -> pa.Table:
        """``source, record_id, error`` rows, ordered by record position then error name."""
        if not self._rows:
            return pa.table(
                {
                    "source": pa.array([], pa.string()),
                    "record_id": pa.array([], pa.string()),
                    "error": pa.array([], pa.string()),
                }
            )
        rows = np.concatenate(self._rows)
        names = sorted(set(self._names))
        code = np.concatenate(
            [
                np.full(r.size, names.index(nm), np.int64)
                for nm, r in zip(self._names, self._rows, strict=True)
            ]
        )
        order = np.lexsort((code, rows))
        rows, code = rows[order], code[order]
        return pa.table(
            {
                "source": pa.array(np.full(rows.size, source, dtype=object), pa.string()),
                "record_id": record_ids.take(pa.array(rows)),
                "error": pa.array(names, pa.string()).take(pa.array(code)),
            }
        )

    def remap(self, new_position: I64) -> None:
        """Renumber recorded rows after the records were reordered (old -> new position)."""
        self._rows = [new_position[r] for r in self._rows]
