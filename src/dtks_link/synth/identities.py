"""What identifies a synthetic resident: names drawn from the weighted ethnic name pools (with
old spellings, single names, bin/binti and titles decided in :mod:`~dtks_link.synth.population`)
and the numbers, NIK and KK, with their serials."""

from __future__ import annotations

import numpy as np

from dtks_link.synth.codes import FEMALE, I8, I32, I64, MALE, B, D, year_month_day
from dtks_link.synth.names import ETHNICITIES, NameVocab
from dtks_link.synth.regions import DEPOK_PREFIX

__all__ = [
    "FAMILY_NAME_ETHNICITIES",
    "birth_era",
    "draw_names",
    "draw_pool",
    "kk_numbers",
    "left_align",
    "nik_numbers",
    "serials",
]


# ---------------------------------------------------------------------------------------------
# names


def birth_era(year: I64) -> I8:
    """0 = born before 1965, 1 = 1965-1994, 2 = 1995 and later."""
    return np.select([year < 1965, year < 1995], [0, 1], 2).astype(np.int8)


FAMILY_NAME_ETHNICITIES = {"batak", "tionghoa", "timur"}


def draw_pool(vocab: NameVocab, key: tuple[str, str, str], size: int, rng: np.random.Generator) -> I32:
    ids, p = vocab.pools[key]
    return ids[rng.choice(ids.size, size=size, p=p)]


def draw_names(
    vocab: NameVocab,
    ethnicity: I8,
    sex: I8,
    birth_year: I64,
    muslim: B,
    family_token: I32,
    rng: np.random.Generator,
) -> I32:
    """Core name tokens (n, 3) for people of given ethnicity/sex/birth year.

    ``family_token`` (>= 0) is used as the last token for Batak/Chinese/eastern names.
    """
    n = ethnicity.size
    tok = np.full((n, 3), -1, dtype=np.int32)
    era = birth_era(birth_year)
    u = rng.random(n)
    single = u < np.select([era == 0, era == 1], [0.35, 0.12], 0.03)
    single &= birth_year < 2022  # Permendagri 73/2022: at least two words
    three = ~single & (rng.random(n) < np.select([era == 0, era == 1], [0.03, 0.10], 0.28))
    style_u = rng.random(n)
    p_arab = np.where(muslim, 0.3, 0.0)
    p_modern = np.where(muslim, np.select([era == 0, era == 1], [0.0, 0.1], 0.5), 0.0)
    p_modern = np.where(~muslim & (era == 2), 0.25, p_modern)
    style = np.where(style_u < p_arab, 1, np.where(style_u < p_arab + p_modern, 2, 0))
    sexes = ("m", "f")
    for e, eth in enumerate(ETHNICITIES):
        for s in (MALE, FEMALE):
            sx = sexes[s - 1]
            for st, style_name in enumerate((eth, "arab", "modern")):
                sel = np.nonzero((ethnicity == e) & (sex == s) & (style == st))[0]
                if sel.size == 0:
                    continue
                pool_style = style_name if (style_name, sx, "first") in vocab.pools else "arab"
                tok[sel, 0] = draw_pool(vocab, (pool_style, sx, "first"), sel.size, rng)
                if eth in FAMILY_NAME_ETHNICITIES:
                    second_key = (pool_style, sx, "second")
                    if (pool_style, sx, "second") not in vocab.pools:
                        second_key = ("modern", sx, "second")
                    tok[sel, 1] = family_token[sel]
                    mid = sel[three[sel]]
                    tok[mid, 2] = tok[mid, 1]
                    tok[mid, 1] = draw_pool(vocab, second_key, mid.size, rng)
                    continue
                second_style = pool_style
                if (second_style, sx, "second") not in vocab.pools:
                    second_style = "modern"
                two = sel[~single[sel]]
                tok[two, 1] = draw_pool(vocab, (second_style, sx, "second"), two.size, rng)
                tri = sel[three[sel]]
                tok[tri, 2] = draw_pool(vocab, ("modern", sx, "second"), tri.size, rng)
    tok[:, 2] = np.where(tok[:, 2] == tok[:, 1], -1, tok[:, 2])
    tok[:, 1] = np.where(tok[:, 1] == tok[:, 0], -1, tok[:, 1])
    # registered spellings of Muhammad/Ahmad/Abdul/Siti
    for f, members in enumerate(vocab.family_members):
        canonical = members[0]
        hit = tok == canonical
        k = int(hit.sum())
        if k:
            tok[hit] = members[rng.choice(members.size, size=k, p=vocab.family_registered_p[f])]
    # old spelling for people born before the 1972 reform
    p_old = np.select([birth_year < 1950, birth_year < 1973], [0.6, 0.35], 0.02)
    old = rng.random(n) < p_old
    safe = np.where(tok >= 0, tok, 0)
    tok = np.where(old[:, None] & (tok >= 0), vocab.old_alt[safe], tok).astype(np.int32)
    return left_align(tok)


def left_align(tok: I32) -> I32:
    """Move absent (-1) tokens to the right, keeping order."""
    key = np.where(tok >= 0, 0, 1)
    order = np.argsort(key, axis=1, kind="stable")
    return np.take_along_axis(tok, order, axis=1)


# ---------------------------------------------------------------------------------------------
# identifiers


def serials(prefix12: I64, base: int) -> I64:
    """A serial unique within each 12-digit prefix: ``base`` + rank + a per-prefix offset."""
    order = np.argsort(prefix12, kind="stable")
    sorted_keys = prefix12[order]
    start = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(start, np.arange(sorted_keys.size), 0))
    rank = np.arange(sorted_keys.size) - group_start
    serial = np.empty_like(prefix12)
    # others born the same day in the same kecamatan elsewhere took the first serials
    serial[order] = base + rank + (sorted_keys * 7919 % 61)
    return np.minimum(serial, 9999)


def nik_numbers(prefix6: I64, dob: D, sex: I8) -> I64:
    y, m, d = year_month_day(dob)
    day = d + np.where(sex == FEMALE, 40, 0)
    prefix12 = prefix6 * 1_000_000 + day * 10_000 + m * 100 + (y % 100)
    return prefix12 * 10_000 + serials(prefix12, 1)


def kk_numbers(kecamatan: I64, issue: D) -> I64:
    y, m, d = year_month_day(issue)
    prefix12 = (DEPOK_PREFIX * 100 + kecamatan) * 1_000_000 + d * 10_000 + m * 100 + (y % 100)
    # KK serials start at 5001 so that no KK number can equal a NIK of the same region and date
    return prefix12 * 10_000 + serials(prefix12, 5001)
