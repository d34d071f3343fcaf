"""The vectorised edits that the error model's rates apply: character-level typos (keyboard
neighbours, OCR confusions, transpositions) on names as byte matrices, and digit edits on
identifiers (a wrong digit, Excel's damage to long numbers, placeholder NIKs)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.synth.codes import I64, B

__all__ = [
    "PLACEHOLDER_NIKS",
    "digit_typos",
    "excel_damage",
    "from_matrix",
    "to_matrix",
    "typo_keyboard",
    "typo_ocr",
    "typo_transposition",
]

U8 = npt.NDArray[np.uint8]


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
