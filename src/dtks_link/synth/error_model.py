"""The error model: named, tunable per-source error rates and the vectorised edits that apply them.

Every error type is a field of :class:`ErrorRates`, a probability in ``[0, 1]``. A rate is the
chance that one record *to which the error can apply* receives it (a title can only be dropped
from a name that has one; a day/month swap needs a day of 12 or less). Errors are drawn
independently per record, except the NIK errors, which exclude each other (a NIK field holds
one wrong thing at a time), and the KK errors, likewise. ``kk_changed``, ``kk_before_*`` and
``address_stale`` are drawn once per family (KK) and source, so a family's members agree.

Default rates per source (:data:`DEFAULT_ERROR_RATES`; Dukcapil is clean, all zeros)::

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
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.errors import ConfigError

__all__ = [
    "DEFAULT_ERROR_RATES",
    "ERROR_NAMES",
    "ErrorLog",
    "ErrorRates",
]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]


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

DEFAULT_ERROR_RATES: Mapping[str, ErrorRates] = MappingProxyType(
    {
        "dukcapil": ErrorRates(),
        "dtks": ErrorRates(
            typo_keyboard=0.02,
            typo_ocr=0.005,
            typo_transposition=0.01,
            old_spelling=0.25,
            title_added=0.02,
            title_dropped=0.30,
            muhammad_variant=0.30,
            nickname=0.01,
            token_dropped=0.04,
            token_abbreviated=0.02,
            token_reordered=0.01,
            dob_day_month_swap=0.02,
            dob_year_typo=0.01,
            dob_placeholder=0.01,
            nik_typo=0.015,
            nik_excel_damage=0.005,
            nik_missing=0.02,
            nik_kk_in_field=0.005,
            nik_of_head=0.005,
            nik_placeholder=0.002,
            kk_changed=0.10,
            kk_before_split=0.4,
            kk_before_move=0.35,
            kk_before_death=0.6,
            kk_typo=0.01,
            kk_missing=0.01,
            kk_excel_damage=0.005,
            address_stale=0.50,
            kelurahan_spelling=0.20,
            mother_name_missing=0.10,
            duplicate=0.04,
            deceased_listed=0.80,
        ),
        "bpjs_pbi": ErrorRates(
            typo_keyboard=0.01,
            typo_ocr=0.005,
            typo_transposition=0.005,
            old_spelling=0.15,
            title_dropped=0.60,
            muhammad_variant=0.40,
            token_dropped=0.03,
            token_abbreviated=0.35,
            dob_day_month_swap=0.005,
            dob_year_typo=0.005,
            nik_typo=0.005,
            nik_missing=0.005,
            nik_kk_in_field=0.002,
            nik_of_head=0.002,
            kk_changed=0.08,
            kk_before_split=0.2,
            kk_before_move=0.2,
            kk_before_death=0.4,
            kk_typo=0.005,
            kk_missing=0.02,
            address_stale=0.40,
            duplicate=0.01,
            deceased_listed=0.50,
        ),
        "pkh": ErrorRates(
            typo_keyboard=0.03,
            typo_ocr=0.01,
            typo_transposition=0.01,
            old_spelling=0.25,
            title_added=0.03,
            title_dropped=0.40,
            muhammad_variant=0.35,
            nickname=0.03,
            token_dropped=0.05,
            token_abbreviated=0.03,
            token_reordered=0.01,
            nik_typo=0.02,
            nik_excel_damage=0.05,
            nik_missing=0.01,
            nik_kk_in_field=0.02,
            nik_of_head=0.03,
            nik_placeholder=0.005,
            kk_changed=0.08,
            kk_before_split=0.5,
            kk_before_move=0.45,
            kk_before_death=0.7,
            kk_typo=0.02,
            kk_missing=0.01,
            kk_excel_damage=0.05,
            address_stale=0.30,
            kelurahan_spelling=0.20,
            duplicate=0.02,
            deceased_listed=0.60,
        ),
        "lansia": ErrorRates(
            typo_keyboard=0.03,
            typo_ocr=0.01,
            typo_transposition=0.01,
            old_spelling=0.35,
            title_added=0.25,
            title_dropped=0.10,
            muhammad_variant=0.30,
            nickname=0.05,
            token_dropped=0.06,
            token_abbreviated=0.03,
            token_reordered=0.01,
            dob_day_month_swap=0.03,
            dob_year_typo=0.03,
            dob_placeholder=0.15,
            nik_typo=0.02,
            nik_excel_damage=0.03,
            nik_missing=0.08,
            nik_kk_in_field=0.005,
            nik_of_head=0.005,
            nik_placeholder=0.01,
            address_stale=0.30,
            kelurahan_spelling=0.30,
            duplicate=0.03,
            deceased_listed=0.90,
        ),
        "bencana": ErrorRates(
            typo_keyboard=0.05,
            typo_ocr=0.01,
            typo_transposition=0.02,
            old_spelling=0.30,
            title_added=0.05,
            title_dropped=0.60,
            muhammad_variant=0.40,
            nickname=0.15,
            token_dropped=0.15,
            token_abbreviated=0.05,
            token_reordered=0.02,
            age_misstated=0.30,
            nik_typo=0.03,
            nik_excel_damage=0.05,
            nik_missing=0.50,
            nik_kk_in_field=0.02,
            nik_of_head=0.03,
            nik_placeholder=0.02,
            kelurahan_spelling=0.30,
            duplicate=0.05,
        ),
    }
)
"""Default :class:`ErrorRates` per source name, calibrated as the module docstring explains."""


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


# ---------------------------------------------------------------------------------------------
# character-level edits on upper-case ASCII strings, as a (rows, width) uint8 matrix


def to_matrix(arr: pa.Array) -> tuple[U8, I64]:
    """Strings -> zero-padded byte matrix (two spare columns) and lengths; nulls become ''."""
    arr = pc.fill_null(arr, "").cast(pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    data_buf = arr.buffers()[2]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets).astype(np.int64)
    width = int(lengths.max(initial=0)) + 2
    mat = np.zeros((n, width), dtype=np.uint8)
    if n and lengths.sum():
        rows = np.repeat(np.arange(n), lengths)
        cols = np.arange(int(lengths.sum())) - np.repeat(
            (offsets[:-1] - offsets[0]).astype(np.int64), lengths
        )
        mat[rows, cols] = data[offsets[0] : offsets[-1]]
    return mat, lengths


def from_matrix(mat: U8, lengths: I64) -> pa.Array:
    """Inverse of :func:`to_matrix`."""
    n = mat.shape[0]
    keep = np.arange(mat.shape[1])[None, :] < lengths[:, None]
    data = mat[keep]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data.tobytes())]
    )


_QWERTY_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _keyboard_table() -> tuple[U8, I64]:
    pos = {c: (r, i) for r, row in enumerate(_QWERTY_ROWS) for i, c in enumerate(row)}
    table = np.zeros((256, 8), dtype=np.uint8)
    count = np.zeros(256, dtype=np.int64)
    for c, (r, i) in pos.items():
        near = [
            d
            for d, (r2, i2) in pos.items()
            if d != c and abs(r2 - r) <= 1 and abs((i2 + 0.5 * r2) - (i + 0.5 * r)) <= 1.0
        ]
        table[ord(c), : len(near)] = [ord(d) for d in near]
        count[ord(c)] = len(near)
    return table, count


_KEYBOARD, _KEYBOARD_N = _keyboard_table()
_OCR_PAIRS = {
    "I": "L", "L": "I", "O": "D", "D": "O", "U": "V", "V": "U", "E": "F", "F": "E",
    "C": "G", "G": "C", "H": "N", "N": "H", "M": "N", "B": "R", "R": "B", "Q": "O",
}  # fmt: skip
_OCR = np.zeros(256, dtype=np.uint8)
for _a, _b in _OCR_PAIRS.items():
    _OCR[ord(_a)] = ord(_b)


def _pick_position(candidates: B, rng: np.random.Generator) -> tuple[I64, B]:
    """One random True column per row; also which rows had any candidate."""
    k = candidates.sum(axis=1)
    ok = k > 0
    r = np.floor(rng.random(k.size) * np.maximum(k, 1)).astype(np.int64)
    pos = np.argmax(np.cumsum(candidates, axis=1) > r[:, None], axis=1)
    return pos.astype(np.int64), ok


def _letters(mat: U8, lengths: I64) -> B:
    inside = np.arange(mat.shape[1])[None, :] < lengths[:, None]
    return inside & (mat >= ord("A")) & (mat <= ord("Z"))


def typo_keyboard(mat: U8, lengths: I64, rng: np.random.Generator) -> B:
    """Keyboard slip: a neighbouring key (60%), a doubled letter (20%) or a lost letter (20%).

    Edits ``mat``/``lengths`` in place; returns which rows changed.
    """
    n, width = mat.shape
    pos, ok = _pick_position(_letters(mat, lengths), rng)
    rows = np.arange(n)
    kind = rng.random(n)
    sub = ok & (kind < 0.6)
    ch = mat[rows, pos]
    choice = np.floor(rng.random(n) * np.maximum(_KEYBOARD_N[ch], 1)).astype(np.int64)
    mat[rows[sub], pos[sub]] = _KEYBOARD[ch[sub], choice[sub]]
    cols = np.arange(width)[None, :]
    ins = ok & (kind >= 0.6) & (kind < 0.8) & (lengths + 1 < width)
    if ins.any():
        r = rows[ins]
        shifted = np.concatenate([mat[r, :1], mat[r, :-1]], axis=1)
        mat[r] = np.where(cols > pos[r, None], shifted, mat[r])
        lengths[r] += 1
    dele = ok & (kind >= 0.8) & (lengths > 1)
    if dele.any():
        r = rows[dele]
        shifted = np.concatenate([mat[r, 1:], np.zeros((r.size, 1), np.uint8)], axis=1)
        mat[r] = np.where(cols >= pos[r, None], shifted, mat[r])
        lengths[r] -= 1
    changed: B = sub | ins | dele
    return changed


def typo_ocr(mat: U8, lengths: I64, rng: np.random.Generator) -> B:
    """OCR confusion of one letter (I/L, O/D, U/V, E/F, C/G, H/N, M/N, B/R); rows changed."""
    candidates = _letters(mat, lengths) & (_OCR[mat] > 0)
    pos, ok = _pick_position(candidates, rng)
    rows = np.nonzero(ok)[0]
    mat[rows, pos[rows]] = _OCR[mat[rows, pos[rows]]]
    return ok


def typo_transposition(mat: U8, lengths: I64, rng: np.random.Generator) -> B:
    """Two adjacent, different letters swapped; rows changed."""
    letters = _letters(mat, lengths)
    pair = letters[:, :-1] & letters[:, 1:] & (mat[:, :-1] != mat[:, 1:])
    pos, ok = _pick_position(pair, rng)
    rows = np.nonzero(ok)[0]
    a = mat[rows, pos[rows]].copy()
    mat[rows, pos[rows]] = mat[rows, pos[rows] + 1]
    mat[rows, pos[rows] + 1] = a
    return ok


# ---------------------------------------------------------------------------------------------
# identifier edits: 16-digit numbers as int64


def digit_typos(values: I64, rng: np.random.Generator) -> pa.Array:
    """Data-entry errors in 16-digit numbers, as strings.

    One digit replaced (50%), two adjacent digits swapped (30%), a digit lost (10%, 15 digits)
    or a digit doubled (10%, 17 digits). The result always differs from the input.
    """
    n = values.size
    powers = 10 ** np.arange(15, -1, -1, dtype=np.int64)
    digits = ((values[:, None] // powers[None, :]) % 10).astype(np.uint8)
    mat = np.zeros((n, 18), dtype=np.uint8)
    mat[:, :16] = digits
    lengths = np.full(n, 16, dtype=np.int64)
    rows = np.arange(n)
    kind = rng.random(n)
    pos = rng.integers(2, 16, n)  # the province code is rarely mistyped
    sub = kind < 0.5
    mat[rows[sub], pos[sub]] = (mat[rows[sub], pos[sub]] + rng.integers(1, 10, int(sub.sum()))) % 10
    swap = (kind >= 0.5) & (kind < 0.8)
    p = np.minimum(pos, 14)
    a, b = mat[rows, p], mat[rows, p + 1]
    swap_ok = swap & (a != b)
    mat[rows[swap_ok], p[swap_ok]] = b[swap_ok]
    mat[rows[swap_ok], p[swap_ok] + 1] = a[swap_ok]
    same = swap & (a == b)  # nothing to swap: replace the digit instead
    mat[rows[same], p[same]] = (mat[rows[same], p[same]] + 1) % 10
    cols = np.arange(18)[None, :]
    drop = kind >= 0.8
    lost = drop & (kind < 0.9)
    if lost.any():
        r = rows[lost]
        shifted = np.concatenate([mat[r, 1:], np.zeros((r.size, 1), np.uint8)], axis=1)
        mat[r] = np.where(cols >= pos[r, None], shifted, mat[r])
        lengths[r] = 15
    extra = kind >= 0.9
    if extra.any():
        r = rows[extra]
        shifted = np.concatenate([mat[r, :1], mat[r, :-1]], axis=1)
        mat[r] = np.where(cols > pos[r, None], shifted, mat[r])
        lengths[r] = 17
    return from_matrix(mat + ord("0"), lengths)


def excel_damage(values: I64, rng: np.random.Generator) -> pa.Array:
    """How a 16-digit number looks after a round trip through Excel, as strings.

    Scientific display ``3.27601E+15`` (40%); last digit lost to 15-digit precision
    ``3276011203850000`` (35%), also with a float ``.0`` (10%); a leading apostrophe kept
    from the text-forcing trick ``'3276011203850007`` (15%).
    """
    n = values.size
    kind = rng.random(n)
    text = pc.cast(pa.array(values), pa.string())
    zeroed = pc.cast(pa.array(values // 10 * 10), pa.string())
    mantissa = pc.cast(pa.array((values + 5 * 10**9) // 10**10), pa.string())
    lead = pc.utf8_slice_codeunits(mantissa, 0, 1)
    rest = pc.utf8_rtrim(pc.utf8_slice_codeunits(mantissa, 1, 6), characters="0")
    dotted = pc.binary_join_element_wise(lead, rest, ".")
    scientific = pc.if_else(
        pc.equal(pc.utf8_length(rest), 0),
        pc.binary_join_element_wise(lead, "E+15", ""),
        pc.binary_join_element_wise(dotted, "E+15", ""),
    )
    float_text = pc.binary_join_element_wise(zeroed, ".0", "")
    apostrophe = pc.binary_join_element_wise("'", text, "")
    ends_in_zero = values % 10 == 0  # zeroing would change nothing: show the float form
    return pc.case_when(
        pc.make_struct(
            pa.array(kind < 0.40),
            pa.array((kind < 0.75) & ~ends_in_zero),
            pa.array(kind < 0.85),
        ),
        scientific,
        zeroed,
        float_text,
        apostrophe,
    )


PLACEHOLDER_NIKS: tuple[str, ...] = (
    "0000000000000000",
    "1234567890123456",
    "3276000000000000",
    "9999999999999999",
)
