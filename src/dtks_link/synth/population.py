"""The synthetic resident population of Kota Depok: people, family cards (KK) and addresses.

:func:`build_population` returns a :class:`Population` of parallel NumPy arrays, one row per
resident (``true_id`` = row number) plus household-level arrays (one row per KK). This is the
clean truth that every departmental extract is drawn from; Dukcapil publishes it unchanged.

What it models (domain.md §1–§5):

* households (KK) of six kinds: couple with children, with an elderly parent (orang tua or
  mertua), with another relative (famili lain), single parents, people living alone and elderly
  couples; about 3.2 people per KK and an urban Indonesian age pyramid;
* names from weighted ethnic pools, single names among older people, old spelling for people
  born before the 1972 reform, registered Muhammad/Ahmad/Abdul/Siti spellings, bin/binti with
  the father's name, hajj and academic titles (on the KTP for about half of their holders);
* nama ibu kandung consistent within a family: children carry their mother's name, the head
  carries the name of an orang tua living in the KK, the spouse that of a mertua;
* recorded birth dates with placeholders (31 Dec before SIAK, 1 Jul or the 15th since 2004,
  1 Jan by choice) over-sampled among older people, and whole KKs recorded as 1 July;
* NIKs consistent with recorded birth date, sex (+40 on the day for women) and region of first
  registration: about 25% outside Depok (Jakarta, Bogor, Bekasi, Tangerang, further away,
  weighted by ethnicity); Depok registrations before 2007 carry the old kecamatan code 01–06;
* KK numbers (kecamatan of issue + issue date + serial) and a previous KK number per family,
  with the reason it changed (:data:`KK_EVENT_NAMES`): pecah KK (a young family split off an
  older Depok family's KK, whose number it carried before), a move to another kelurahan, the
  head's death (the widow or widower heads a new KK), or a reissue;
* addresses in real kelurahan with RT/RW, street or kampung or estate, and a previous address
  for families who moved within Depok in the last five years;
* a welfare percentile per household (0 = poorest) used to pick programme recipients, and a
  small share of residents who died in the last two years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dtks_link.synth.names import (
    ETHNIC_SHARES,
    ETHNICITIES,
    MUSLIM_SHARE,
    NameVocab,
    load_vocab,
)
from dtks_link.synth.regions import (
    DEPOK_PREFIX,
    OLD_KECAMATAN,
    ORIGIN_GROUP_NAMES,
    load_wilayah,
    origin_groups,
)
from dtks_link.synth.streets import BIRTHPLACE_DEPOK, STREETS

__all__ = [
    "KK_EVENT_NAMES",
    "KK_MOVED",
    "KK_REISSUED",
    "KK_SPLIT",
    "KK_WIDOWED",
    "REFERENCE_DATE",
    "RELATIONSHIPS",
    "Population",
    "build_population",
]

I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
D = npt.NDArray[np.datetime64]

REFERENCE_DATE: Final = np.datetime64("2025-07-01", "D")
"""The date the extracts describe: ages and 'the last two years' are counted from here."""

RELATIONSHIPS: tuple[str, ...] = (
    "KEPALA KELUARGA",
    "ISTRI",
    "ANAK",
    "ORANG TUA",
    "MERTUA",
    "FAMILI LAIN",
    "SUAMI",
    "MENANTU",
    "CUCU",
)
"""Hubungan keluarga (SHDK) by role code (0-5 the roles of :attr:`Population.role`; 6-8
appear only on records: a male spouse, and the roles a split-off family had on its parents'
KK)."""

ROLE_HEAD, ROLE_SPOUSE, ROLE_CHILD, ROLE_PARENT, ROLE_IN_LAW, ROLE_OTHER = range(6)
LISTED_SUAMI, LISTED_MENANTU, LISTED_CUCU = 6, 7, 8

KK_REISSUED, KK_SPLIT, KK_MOVED, KK_WIDOWED = range(4)
"""Why a family's KK number changed (:attr:`Population.kk_event`): reissued without a modelled
cause; pecah KK (the head or spouse left a parent family's KK when they married); a move to
another kelurahan; the head's death (the widow or widower became head of a new KK)."""

KK_EVENT_NAMES: tuple[str, ...] = ("reissued", "pecah_kk", "moved", "widowed")
MALE, FEMALE = 1, 2

# Household kinds: couple+children, +orang tua/mertua, +famili lain, single parent,
# alone, elderly couple.
_KIND_P = np.array([0.54, 0.085, 0.055, 0.08, 0.16, 0.08])
_CHILDREN_P = np.array([0.05, 0.13, 0.32, 0.27, 0.13, 0.07, 0.03])

BIRTHPLACES_EXTRA: tuple[str, ...] = ("DJAKARTA", "BATAVIA")


@dataclass(frozen=True, kw_only=True)
class Population:
    """Residents (row = true_id) and households (row = household index), as arrays.

    Name-like fields are token ids into :attr:`vocab` (``-1`` = absent): ``name_tok`` holds up
    to three core tokens, ``bin_word``/``bin_father`` the optional "BIN X" part, and
    ``title_prefix``/``title_suffix`` titles the person holds (printed on the KTP when
    ``title_registered``). ``mother_tok`` is the nama ibu kandung.
    """

    vocab: NameVocab
    # residents
    household: I32
    role: I8
    sex: I8  # 1 = laki-laki, 2 = perempuan
    dob: D  # recorded birth date (datetime64[D])
    deceased: B
    death_date: D
    ethnicity: I8
    muslim: B
    name_tok: I32  # (n, 3)
    bin_word: I32
    bin_father: I32
    title_prefix: I32
    title_suffix: I32
    title_registered: B
    mother_tok: I32  # (n, 3)
    nik: I64
    registered_outside: B
    registered_old_code: B
    birthplace: I16  # index into birthplaces
    phone: I64  # national number without the leading 0 (8xxxxxxxxx), 0 = none
    birthplaces: tuple[str, ...]
    # households
    kk: I64  # the current KK number
    prev_kk: I64  # the KK the family's members were on before it (see kk_event)
    kk_event: I8  # why the KK changed: KK_REISSUED, KK_SPLIT, KK_MOVED, KK_WIDOWED
    parent_household: I32  # pecah KK: the family split off from (-1 = none)
    split_member: I32  # pecah KK: the resident who was the parents' Anak (-1 = none)
    dtks_family_id: I64  # the family's id in DTKS (id_keluarga), a shuffled number
    welfare: F64  # percentile, 0 = poorest
    kelurahan: I16  # index into the gazetteer
    rw: I16
    rt: I16
    street: I16  # index into streets.STREETS
    house_no: I16
    block: I16  # estate block number (0 = none)
    moved: B
    prev_kelurahan: I16
    prev_rw: I16
    prev_rt: I16
    prev_street: I16
    prev_house_no: I16
    prev_block: I16
    head: I32  # resident index of each household's head

    @property
    def size(self) -> int:
        return int(self.household.shape[0])

    @property
    def n_households(self) -> int:
        return int(self.kk.shape[0])

    def age(self, at: np.datetime64 = REFERENCE_DATE) -> I64:
        """Age in whole years at ``at`` (default :data:`REFERENCE_DATE`)."""
        return age_at(self.dob, at)


def age_at(dob: D, at: np.datetime64) -> I64:
    """Age in whole years on ``at`` of people born on ``dob``."""
    y, m, d = year_month_day(dob)
    ay, am, ad = year_month_day(np.array([at], dtype="datetime64[D]"))
    before = (m > am[0]) | ((m == am[0]) & (d > ad[0]))
    years: I64 = (ay[0] - y - before.astype(np.int64)).astype(np.int64)
    return years


def year_month_day(dates: D) -> tuple[I64, I64, I64]:
    """Split datetime64[D] into year, month, day arrays."""
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    d = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def dates_of(y: I64, m: I64, d: I64) -> D:
    """Build datetime64[D] from year/month/day arrays; days past month end are clipped."""
    first = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (m - 1)
    next_first = first + 1
    last_day = (next_first.astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    out: D = first.astype("datetime64[D]") + (np.minimum(d, last_day) - 1)
    return out


# ---------------------------------------------------------------------------------------------
# households and members


@dataclass(frozen=True)
class _Members:
    household: I32
    role: I8
    sex: I8
    age: I64
    n_households: int


def _members(n: int, rng: np.random.Generator) -> _Members:
    h = int(n / 2.8) + 64
    kind = rng.choice(6, size=h, p=_KIND_P)
    couple = np.isin(kind, (0, 1, 2))
    alone = kind == 4
    elderly = kind == 5
    single_parent = kind == 3

    head_age = np.clip(rng.normal(42.0, 11.0, h), 21, 85)
    head_sex = np.full(h, MALE, dtype=np.int8)
    head_age[single_parent] = np.clip(rng.normal(44.0, 11.0, int(single_parent.sum())), 22, 85)
    head_sex[single_parent] = np.where(rng.random(int(single_parent.sum())) < 0.15, MALE, FEMALE)
    young_alone = alone & (rng.random(h) < 0.6)
    old_alone = alone & ~young_alone
    head_age[young_alone] = rng.uniform(19, 36, int(young_alone.sum()))
    head_age[old_alone] = np.clip(rng.normal(69.0, 8.0, int(old_alone.sum())), 55, 97)
    head_sex[young_alone] = np.where(rng.random(int(young_alone.sum())) < 0.75, MALE, FEMALE)
    head_sex[old_alone] = np.where(rng.random(int(old_alone.sum())) < 0.35, MALE, FEMALE)
    head_age[elderly] = np.clip(rng.normal(68.0, 6.5, int(elderly.sum())), 58, 95)

    has_spouse = couple | elderly
    spouse_age = np.clip(head_age - rng.normal(3.5, 3.5, h), 18, 97)
    mother_age = np.where(has_spouse, spouse_age, head_age)
    with_children = couple | single_parent

    # children: first birth at 19-31, then gaps of 1.5-6 years; older children leave home
    n_children = np.where(with_children, rng.choice(7, size=h, p=_CHILDREN_P), 0)
    n_children[single_parent] = np.maximum(n_children[single_parent], 1)
    gaps = np.concatenate([rng.uniform(19, 31, (h, 1)), rng.uniform(1.5, 6.0, (h, 6))], axis=1).cumsum(axis=1)
    child_age = mother_age[:, None] - gaps
    leave = rng.random((h, 7))
    at_home = (
        (np.arange(7)[None, :] < n_children[:, None])
        & (child_age >= 0)
        & ((child_age < 19) | ((child_age < 25) & (leave < 0.7)) | ((child_age < 31) & (leave < 0.3)))
    )
    child_sex = np.where(rng.random((h, 7)) < 0.515, MALE, FEMALE).astype(np.int8)

    with_parent = kind == 1
    parent_age = np.clip(head_age + rng.uniform(22, 34, h), 45, 100)
    parent_sex = np.where(rng.random(h) < 0.35, MALE, FEMALE).astype(np.int8)
    parent_role = np.where(rng.random(h) < 0.55, ROLE_PARENT, ROLE_IN_LAW).astype(np.int8)
    with_other = kind == 2
    other_age = rng.uniform(12, 32, h)
    other_sex = np.where(rng.random(h) < 0.55, MALE, FEMALE).astype(np.int8)

    hh_ids = np.arange(h, dtype=np.int32)
    spouse_sex = np.where(head_sex == MALE, FEMALE, MALE).astype(np.int8)
    cr, cc = np.nonzero(at_home)
    parts_h = [
        hh_ids,
        hh_ids[has_spouse],
        cr.astype(np.int32),
        hh_ids[with_parent],
        hh_ids[with_other],
    ]
    parts_role = [
        np.full(h, ROLE_HEAD, np.int8),
        np.full(int(has_spouse.sum()), ROLE_SPOUSE, np.int8),
        np.full(cr.size, ROLE_CHILD, np.int8),
        parent_role[with_parent],
        np.full(int(with_other.sum()), ROLE_OTHER, np.int8),
    ]
    parts_sex = [
        head_sex,
        spouse_sex[has_spouse],
        child_sex[cr, cc],
        parent_sex[with_parent],
        other_sex[with_other],
    ]
    parts_age = [
        head_age,
        spouse_age[has_spouse],
        child_age[cr, cc],
        parent_age[with_parent],
        other_age[with_other],
    ]
    slot = [
        np.zeros(h, np.int64),
        np.ones(int(has_spouse.sum()), np.int64),
        2 + cc.astype(np.int64),  # children oldest first
        np.full(int(with_parent.sum()), 9, np.int64),
        np.full(int(with_other.sum()), 10, np.int64),
    ]
    household = np.concatenate(parts_h)
    order = np.argsort(household.astype(np.int64) * 16 + np.concatenate(slot), kind="stable")
    household = household[order]
    role = np.concatenate(parts_role)[order]
    sex = np.concatenate(parts_sex)[order]
    age_f = np.concatenate(parts_age)[order]
    if household.size < n:  # pragma: no cover - h is chosen far above what is needed
        raise RuntimeError("household draw too small")
    household, role, sex, age_f = household[:n], role[:n], sex[:n], age_f[:n]
    n_households = int(household[-1]) + 1
    return _Members(household, role, sex, np.floor(age_f).astype(np.int64), n_households)


# ---------------------------------------------------------------------------------------------
# birth dates, deaths


def _birth_dates(age: I64, household: I32, role: I8, n_households: int, rng: np.random.Generator) -> D:
    n = age.size
    offset = rng.integers(0, 365, n)
    dob = REFERENCE_DATE - (age * 365.2425).astype(np.int64).astype("timedelta64[D]")
    dob = dob - offset.astype("timedelta64[D]")
    y, m, d = year_month_day(dob)
    # placeholder dates, more often the older the person (domain.md §1.3)
    p = np.select([age >= 60, age >= 40, age >= 18], [0.35, 0.12, 0.04], 0.01)
    placeholder = rng.random(n) < p
    kind = rng.random(n)
    pre_siak = y < 2004
    # before SIAK: 31-12 (50%), 01-07 (30%), 01-01 (20%); since: 01-07 (60%), 01-01 (30%), 15th
    dec31 = placeholder & pre_siak & (kind < 0.5)
    jul1 = placeholder & ((pre_siak & (kind >= 0.5) & (kind < 0.8)) | (~pre_siak & (kind < 0.6)))
    jan1 = placeholder & ((pre_siak & (kind >= 0.8)) | (~pre_siak & (kind >= 0.6) & (kind < 0.9)))
    mid = placeholder & ~pre_siak & (kind >= 0.9)
    whole_kk = (rng.random(n_households) < 0.02)[household] & (role != ROLE_CHILD)
    jul1 |= whole_kk
    m = np.where(dec31, 12, np.where(jul1, 7, np.where(jan1, 1, m)))
    d = np.where(dec31, 31, np.where(jul1 | jan1, 1, np.where(mid, 15, d)))
    out = dates_of(y, m, d)
    return np.minimum(out, REFERENCE_DATE - np.timedelta64(1, "D"))


def _deaths(age: I64, welfare: F64, rng: np.random.Generator) -> tuple[B, D]:
    p = np.select([age >= 80, age >= 70, age >= 60, age >= 50], [0.15, 0.06, 0.025, 0.01], 0.002)
    p = p * np.where(welfare < 0.3, 1.3, 1.0)
    dead = rng.random(age.size) < p
    days = rng.integers(1, 730, age.size).astype("timedelta64[D]")
    date = np.where(dead, REFERENCE_DATE - days, np.datetime64("NaT", "D"))
    return dead, date


# ---------------------------------------------------------------------------------------------
# names


def _era(year: I64) -> I8:
    """0 = born before 1965, 1 = 1965-1994, 2 = 1995 and later."""
    return np.select([year < 1965, year < 1995], [0, 1], 2).astype(np.int8)


_FAMILY_NAME_ETHNICITIES = {"batak", "tionghoa", "timur"}


def _draw_pool(vocab: NameVocab, key: tuple[str, str, str], size: int, rng: np.random.Generator) -> I32:
    ids, p = vocab.pools[key]
    return ids[rng.choice(ids.size, size=size, p=p)]


def _draw_names(
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
    era = _era(birth_year)
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
                tok[sel, 0] = _draw_pool(vocab, (pool_style, sx, "first"), sel.size, rng)
                if eth in _FAMILY_NAME_ETHNICITIES:
                    second_key = (pool_style, sx, "second")
                    if (pool_style, sx, "second") not in vocab.pools:
                        second_key = ("modern", sx, "second")
                    tok[sel, 1] = family_token[sel]
                    mid = sel[three[sel]]
                    tok[mid, 2] = tok[mid, 1]
                    tok[mid, 1] = _draw_pool(vocab, second_key, mid.size, rng)
                    continue
                second_style = pool_style
                if (second_style, sx, "second") not in vocab.pools:
                    second_style = "modern"
                two = sel[~single[sel]]
                tok[two, 1] = _draw_pool(vocab, (second_style, sx, "second"), two.size, rng)
                tri = sel[three[sel]]
                tok[tri, 2] = _draw_pool(vocab, ("modern", sx, "second"), tri.size, rng)
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
    return _left_align(tok)


def _left_align(tok: I32) -> I32:
    """Move absent (-1) tokens to the right, keeping order."""
    key = np.where(tok >= 0, 0, 1)
    order = np.argsort(key, axis=1, kind="stable")
    return np.take_along_axis(tok, order, axis=1)


# ---------------------------------------------------------------------------------------------
# identifiers


def _serials(prefix12: I64, base: int) -> I64:
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


def _nik(prefix6: I64, dob: D, sex: I8) -> I64:
    y, m, d = year_month_day(dob)
    day = d + np.where(sex == FEMALE, 40, 0)
    prefix12 = prefix6 * 1_000_000 + day * 10_000 + m * 100 + (y % 100)
    return prefix12 * 10_000 + _serials(prefix12, 1)


def _kk_numbers(kecamatan: I64, issue: D) -> I64:
    y, m, d = year_month_day(issue)
    prefix12 = (DEPOK_PREFIX * 100 + kecamatan) * 1_000_000 + d * 10_000 + m * 100 + (y % 100)
    # KK serials start at 5001 so that no KK number can equal a NIK of the same region and date
    return prefix12 * 10_000 + _serials(prefix12, 5001)


# ---------------------------------------------------------------------------------------------
# addresses


@dataclass(frozen=True)
class _Addresses:
    kelurahan: I16
    rw: I16
    rt: I16
    street: I16
    house_no: I16
    block: I16


def _street_sets(n_kelurahan: int, rng: np.random.Generator) -> I32:
    """For each kelurahan, 24 streets of the pool (same street names recur across a kelurahan)."""
    return np.stack([rng.choice(len(STREETS), size=24, replace=False) for _ in range(n_kelurahan)]).astype(
        np.int32
    )


def _addresses(kelurahan: I16, street_sets: I32, rw_count: I16, rng: np.random.Generator) -> _Addresses:
    h = kelurahan.size
    street = street_sets[kelurahan, rng.integers(0, street_sets.shape[1], h)].astype(np.int16)
    rw = (rng.random(h) * rw_count[kelurahan]).astype(np.int16) + 1
    rt = rng.integers(1, 13, h).astype(np.int16)
    house_no = np.minimum(rng.geometric(0.03, h), 250).astype(np.int16)
    kinds = np.array([k for k, _ in STREETS])
    estate = kinds[street] == "PERUM"
    block = np.where(estate, rng.integers(1, 8 * 12 + 1, h), 0).astype(np.int16)
    house_no = np.where(estate, rng.integers(1, 40, h), house_no).astype(np.int16)
    kampung = kinds[street] == "KP."
    house_no = np.where(kampung & (rng.random(h) < 0.5), 0, house_no).astype(np.int16)
    return _Addresses(kelurahan, rw, rt, street, house_no, block)


# ---------------------------------------------------------------------------------------------
# the population


def build_population(n: int, rng: np.random.Generator) -> Population:
    """Generate ``n`` residents grouped in KKs, with names, NIKs, KK numbers and addresses."""
    vocab = load_vocab()
    wilayah = load_wilayah()
    members = _members(n, rng)
    hh = members.household
    h = members.n_households
    role, sex, age = members.role, members.sex, members.age
    head = np.nonzero(role == ROLE_HEAD)[0].astype(np.int32)

    # --- households: place, welfare, ethnicity
    kel_weight = rng.lognormal(0.0, 0.45, wilayah.size)
    kelurahan = rng.choice(wilayah.size, size=h, p=kel_weight / kel_weight.sum()).astype(np.int16)
    kel_poverty = rng.normal(0.0, 0.5, wilayah.size)
    hh_size = np.bincount(hh, minlength=h)
    score = rng.normal(0.0, 1.0, h) + kel_poverty[kelurahan] + 0.12 * np.minimum(hh_size, 7)
    welfare = np.empty(h)
    welfare[np.argsort(score, kind="stable")] = 1.0 - (np.arange(h) + 0.5) / h
    hh_eth = rng.choice(len(ETHNICITIES), size=h, p=np.array(ETHNIC_SHARES)).astype(np.int8)
    hh_muslim = rng.random(h) < np.array(MUSLIM_SHARE)[hh_eth]

    # --- people: ethnicity (spouses and in-laws may differ), birth dates, deaths
    ethnicity = hh_eth[hh].copy()
    other_eth = rng.choice(len(ETHNICITIES), size=n, p=np.array(ETHNIC_SHARES)).astype(np.int8)
    mixed = ((role == ROLE_SPOUSE) | (role == ROLE_IN_LAW)) & (rng.random(n) < 0.2)
    ethnicity = np.where(mixed, other_eth, ethnicity).astype(np.int8)
    muslim = hh_muslim[hh]
    dob = _birth_dates(age, hh, role, h, rng)
    birth_year, _, _ = year_month_day(dob)
    age = age_at(dob, REFERENCE_DATE)
    deceased, death_date = _deaths(age, welfare[hh], rng)

    # --- names
    fam_eth = ("batak", "tionghoa", "timur")
    hh_family = np.full(h, -1, dtype=np.int32)
    own_family = np.full(n, -1, dtype=np.int32)
    for name in fam_eth:
        e = ETHNICITIES.index(name)
        sel_h = np.nonzero(hh_eth == e)[0]
        hh_family[sel_h] = _draw_pool(vocab, (name, "x", "family"), sel_h.size, rng)
        sel_p = np.nonzero(ethnicity == e)[0]
        own_family[sel_p] = _draw_pool(vocab, (name, "x", "family"), sel_p.size, rng)
    patrilineal = (role == ROLE_CHILD) | ((role == ROLE_HEAD) & (sex == MALE)) | (role == ROLE_OTHER)
    family_token = np.where(patrilineal & (ethnicity == hh_eth[hh]), hh_family[hh], own_family)
    name_tok = _draw_names(vocab, ethnicity, sex, birth_year, muslim, family_token, rng)

    # bin/binti + the father's first token (children of a male head in some Muslim KKs)
    bin_id, binti_id = vocab.id("BIN"), vocab.id("BINTI")
    hh_bin = hh_muslim & (rng.random(h) < 0.12) & (sex[head] == MALE)
    child_bin = (role == ROLE_CHILD) & hh_bin[hh]
    bin_father = np.where(child_bin, name_tok[head[hh], 0], -1).astype(np.int32)
    adult_bin = muslim & (role != ROLE_CHILD) & (rng.random(n) < 0.025)
    random_father = _draw_pool(vocab, ("arab", "m", "first"), n, rng)
    bin_father = np.where(adult_bin, random_father, bin_father).astype(np.int32)
    bin_word = np.where(bin_father >= 0, np.where(sex == MALE, bin_id, binti_id), -1).astype(np.int32)

    # titles held: hajj (Muslims 40+), academic suffix (23-65), Drs./Dra./Ir./Dr. prefixes
    title_prefix = np.full(n, -1, dtype=np.int32)
    u = rng.random(n)
    hajj = muslim & (age >= 40) & (u < np.minimum(0.05 + 0.004 * (age - 40), 0.2))
    male_prefix = vocab.prefix_male
    female_prefix = vocab.prefix_female
    title_prefix[hajj & (sex == MALE)] = male_prefix[0]
    title_prefix[hajj & (sex == FEMALE)] = female_prefix[0]
    u2 = rng.random(n)
    old_grad = ~hajj & (age >= 50) & (u2 < 0.03)
    title_prefix[old_grad & (sex == MALE)] = male_prefix[1]
    title_prefix[old_grad & (sex == FEMALE)] = female_prefix[1]
    other_prefix = ~hajj & ~old_grad & (age >= 30) & (u2 > 0.99)
    pick = rng.integers(2, 5, n)  # Ir., Dr., R. / R.A.
    title_prefix = np.where(
        other_prefix, np.where(sex == MALE, male_prefix[pick], female_prefix[pick]), title_prefix
    ).astype(np.int32)
    graduate = (age >= 23) & (age <= 65) & (rng.random(n) < 0.08) & ~old_grad
    suffix_pick = vocab.suffix[rng.choice(vocab.suffix.size, size=n, p=vocab.suffix_p)]
    title_suffix = np.where(graduate, suffix_pick, -1).astype(np.int32)
    title_registered = rng.random(n) < 0.5

    # nama ibu kandung: children -> the KK's mother; head -> orang tua; spouse -> mertua
    spouse_of = np.full(h, -1, dtype=np.int64)
    spouse_rows = np.nonzero(role == ROLE_SPOUSE)[0]
    spouse_of[hh[spouse_rows]] = spouse_rows
    mother_row = np.where(sex[head] == FEMALE, head, spouse_of)
    mother_row = np.where((mother_row >= 0) & (sex[np.maximum(mother_row, 0)] == FEMALE), mother_row, -1)
    parent_f = np.full(h, -1, dtype=np.int64)
    inlaw_f = np.full(h, -1, dtype=np.int64)
    rows = np.nonzero((role == ROLE_PARENT) & (sex == FEMALE))[0]
    parent_f[hh[rows]] = rows
    rows = np.nonzero((role == ROLE_IN_LAW) & (sex == FEMALE))[0]
    inlaw_f[hh[rows]] = rows
    mothers_family = np.full(n, -1, dtype=np.int32)
    for name in fam_eth:
        sel_p = np.nonzero(ethnicity == ETHNICITIES.index(name))[0]
        mothers_family[sel_p] = _draw_pool(vocab, (name, "x", "family"), sel_p.size, rng)
    generated = _draw_names(
        vocab,
        ethnicity,
        np.full(n, FEMALE, dtype=np.int8),
        birth_year - rng.integers(20, 36, n),
        muslim,
        mothers_family,
        rng,
    )
    # siblings without a mother in the KK still share one generated mother's name
    first_child = np.full(h, -1, dtype=np.int64)
    child_rows = np.nonzero(role == ROLE_CHILD)[0]
    child_hh, first_index = np.unique(hh[child_rows], return_index=True)
    first_child[child_hh] = child_rows[first_index]
    source_row = np.full(n, -1, dtype=np.int64)
    source_row = np.where(role == ROLE_CHILD, mother_row[hh], source_row)
    source_row = np.where(role == ROLE_HEAD, parent_f[hh], source_row)
    source_row = np.where(role == ROLE_SPOUSE, inlaw_f[hh], source_row)
    sibling_generated = np.where(role == ROLE_CHILD, first_child[hh], np.arange(n))
    mother_tok = generated[sibling_generated]
    has_source = source_row >= 0
    mother_tok[has_source] = name_tok[source_row[has_source]]

    # --- NIK: region of first registration
    groups = origin_groups()
    eth_group_w = _origin_weights()
    hh_migrant = rng.random(h) < 0.32
    adult = age >= 17
    p_out = np.where(hh_migrant[hh], np.where(adult, 0.85, 0.25), np.where(adult, 0.07, 0.01))
    outside = rng.random(n) < p_out
    hh_group = np.empty(h, dtype=np.int64)
    for e in range(len(ETHNICITIES)):
        sel = np.nonzero(hh_eth == e)[0]
        hh_group[sel] = rng.choice(len(groups), size=sel.size, p=eth_group_w[e])
    person_group = np.where(mixed, rng.choice(len(groups), size=n, p=eth_group_w[0]), hh_group[hh])
    prefix6 = np.zeros(n, dtype=np.int64)
    birthplace = np.zeros(n, dtype=np.int16)
    places = list(BIRTHPLACE_DEPOK) + list(BIRTHPLACES_EXTRA)
    for g, group in enumerate(groups):
        sel = np.nonzero(outside & (person_group == g))[0]
        pick = rng.integers(0, group.nik_prefixes.size, sel.size)
        prefix6[sel] = group.nik_prefixes[pick]
        names = list(dict.fromkeys(group.birthplaces))
        for name in names:
            if name not in places:
                places.append(name)
        place_ids = np.array([places.index(p) for p in group.birthplaces], dtype=np.int16)
        birthplace[sel] = place_ids[pick]
    jakarta_old = outside & (birthplace == places.index("JAKARTA")) & (birth_year < 1960)
    birthplace[jakarta_old & (rng.random(n) < 0.15)] = places.index("DJAKARTA")
    # Depok registrations: current kecamatan mostly, old code when registered before 2007
    inside = ~outside
    current_kec = wilayah.kecamatan_code[kelurahan[hh]]
    other_kec = rng.integers(1, 12, n)
    reg_kec = np.where(rng.random(n) < 0.85, current_kec, other_kec)
    reg_year = np.where(birth_year >= 2005, birth_year + (rng.random(n) < 0.3), rng.integers(2004, 2013, n))
    old_code = inside & (reg_year < 2007)
    old_map = np.arange(12)
    for new, parent in OLD_KECAMATAN.items():
        old_map[new] = parent
    reg_kec = np.where(old_code, old_map[reg_kec], reg_kec)
    prefix6 = np.where(inside, DEPOK_PREFIX * 100 + reg_kec, prefix6)
    bp_u = rng.random(n)
    depok_place = np.where(
        birth_year < 1990,
        np.select([bp_u < 0.35, bp_u < 0.75], [1, 2], 0),  # older: Jakarta/Bogor hospitals
        np.select([bp_u < 0.12, bp_u < 0.22], [1, 2], 0),
    ).astype(np.int16)
    birthplace = np.where(inside, depok_place, birthplace).astype(np.int16)
    nik = _nik(prefix6, dob, sex)

    # --- KK numbers (current and previous) and addresses
    street_sets = _street_sets(wilayah.size, rng)
    rw_count = rng.integers(8, 26, wilayah.size).astype(np.int16)
    current = _addresses(kelurahan, street_sets, rw_count, rng)
    moved = rng.random(h) < 0.10
    same_kel = rng.random(h) < 0.4
    prev_kel = np.where(
        same_kel, kelurahan, rng.choice(wilayah.size, size=h, p=kel_weight / kel_weight.sum())
    ).astype(np.int16)
    previous = _addresses(prev_kel, street_sets, rw_count, rng)
    head_dob = dob[head]
    earliest = np.maximum(np.datetime64("2006-01-01"), head_dob + np.timedelta64(int(20 * 365.25), "D"))
    latest = REFERENCE_DATE - np.timedelta64(30, "D")
    earliest = np.minimum(earliest, latest - np.timedelta64(400, "D"))
    span = (latest - earliest).astype(np.int64)
    issue = earliest + (rng.random(h) * span).astype(np.int64).astype("timedelta64[D]")
    prev_issue = issue - rng.integers(365, 12 * 365, h).astype("timedelta64[D]")
    prev_issue = np.maximum(prev_issue, np.datetime64("1990-01-01"))
    kec_now = wilayah.kecamatan_code[kelurahan].astype(np.int64)
    kec_prev = wilayah.kecamatan_code[np.where(moved, prev_kel, kelurahan)].astype(np.int64)

    operators = np.array([811, 812, 813, 821, 822, 852, 853, 877, 878, 881, 895, 896, 857, 858])
    phone_digits = operators[rng.integers(0, operators.size, n)] * 10**7 + rng.integers(0, 10**7, n)
    long_number = rng.random(n) < 0.5
    phone_digits = np.where(long_number, phone_digits * 10 + rng.integers(0, 10, n), phone_digits)
    has_phone = (age >= 17) & (rng.random(n) < 0.75)
    phone = np.where(has_phone, phone_digits, 0).astype(np.int64)

    # --- family history (drawn last, so every draw above is as it was before it existed)
    history = _family_history(
        rng,
        hh=hh,
        role=role,
        sex=sex,
        dob=dob,
        deceased=deceased,
        death_date=death_date,
        head=head,
        welfare=welfare,
        mother_row=mother_row,
        name_tok=name_tok,
        mother_tok=mother_tok,
        issue=issue,
        prev_issue=prev_issue,
        kec_now=kec_now,
        kec_prev=kec_prev,
        moved=moved,
        current=current,
        previous=previous,
    )
    current, previous = history.current, history.previous

    return Population(
        vocab=vocab,
        household=hh,
        role=role,
        sex=sex,
        dob=dob,
        deceased=deceased,
        death_date=death_date,
        ethnicity=ethnicity,
        muslim=muslim,
        name_tok=name_tok,
        bin_word=bin_word,
        bin_father=bin_father,
        title_prefix=title_prefix,
        title_suffix=title_suffix,
        title_registered=title_registered,
        mother_tok=_left_align(history.mother_tok.astype(np.int32)),
        nik=nik,
        registered_outside=outside,
        registered_old_code=old_code,
        birthplace=birthplace,
        phone=phone,
        birthplaces=tuple(places),
        kk=history.kk,
        prev_kk=history.prev_kk,
        kk_event=history.kk_event,
        parent_household=history.parent_household,
        split_member=history.split_member,
        dtks_family_id=history.dtks_family_id,
        welfare=welfare,
        kelurahan=current.kelurahan,
        rw=current.rw,
        rt=current.rt,
        street=current.street,
        house_no=current.house_no,
        block=current.block,
        moved=history.moved,
        prev_kelurahan=previous.kelurahan,
        prev_rw=previous.rw,
        prev_rt=previous.rt,
        prev_street=previous.street,
        prev_house_no=previous.house_no,
        prev_block=previous.block,
        head=head,
    )


# ---------------------------------------------------------------------------------------------
# family history: why KK numbers changed

#: Share of young families (head aged 21-45, no orang tua or mertua in the KK) formed by pecah KK
#: from a parent family in Depok, and the share of those still living in the parents' house.
SPLIT_SHARE = 0.55
SPLIT_CO_RESIDENT = 0.3


@dataclass(frozen=True)
class _History:
    kk: I64
    prev_kk: I64
    kk_event: I8
    parent_household: I32
    split_member: I32
    dtks_family_id: I64
    moved: B
    mother_tok: I32
    current: _Addresses
    previous: _Addresses


def _take_address(addr: _Addresses, rows: npt.NDArray[np.integer], into: _Addresses, at: I64) -> _Addresses:
    """``into`` with the households ``at`` given the addresses of ``addr`` at ``rows``."""
    parts = {}
    for name in ("kelurahan", "rw", "rt", "street", "house_no", "block"):
        values = getattr(into, name).copy()
        values[at] = getattr(addr, name)[rows]
        parts[name] = values
    return _Addresses(**parts)


def _family_history(
    rng: np.random.Generator,
    *,
    hh: I32,
    role: I8,
    sex: I8,
    dob: D,
    deceased: B,
    death_date: D,
    head: I32,
    welfare: F64,
    mother_row: I64,
    name_tok: I32,
    mother_tok: I32,
    issue: D,
    prev_issue: D,
    kec_now: I64,
    kec_prev: I64,
    moved: B,
    current: _Addresses,
    previous: _Addresses,
) -> _History:
    """Why each family's KK number changed, and the KK numbers that follow from it.

    * the head died (in the last two years) and the spouse survives: the spouse heads a new KK
      issued 20-200 days after the death; the previous KK is the one the head died on;
    * the family moved to another kelurahan: a new KK there; the previous one is its own;
    * pecah KK: the head (70%) or the spouse was the child of an older Depok family (head 20-36
      years older, mostly in the same welfare decile) and left its KK on marrying; the previous
      KK is the parent family's KK at the date of the split (its current one, or the one before
      if it changed since). The split member's nama ibu kandung is the parent family's mother.
      30% still live in the parents' house (same address, another KK); the others moved out,
      within the last five years for some (their previous address is the parents').
    * otherwise the KK was reissued with a new number for no modelled reason.
    """
    h = head.size
    age = age_at(dob, REFERENCE_DATE)
    birth_year = year_month_day(dob)[0]
    event = np.full(h, KK_REISSUED, np.int8)
    spouse_of = np.full(h, -1, np.int64)
    rows = np.nonzero(role == ROLE_SPOUSE)[0]
    spouse_of[hh[rows]] = rows
    has_spouse = spouse_of >= 0

    # the head's death: the surviving spouse heads a new KK
    widowed = deceased[head] & has_spouse & ~deceased[np.maximum(spouse_of, 0)]
    delay = rng.integers(20, 200, h).astype("timedelta64[D]")
    latest = REFERENCE_DATE - np.timedelta64(1, "D")
    new_issue = np.where(widowed, np.minimum(death_date[head] + delay, latest), issue)
    event[widowed] = KK_WIDOWED

    # a move to another kelurahan: a new KK there
    event[(event == KK_REISSUED) & moved & (previous.kelurahan != current.kelurahan)] = KK_MOVED

    # pecah KK: young families split off an older family's KK
    has_elder = np.bincount(hh, weights=np.isin(role, (ROLE_PARENT, ROLE_IN_LAW)), minlength=h) > 0
    head_age = age[head]
    young = (event == KK_REISSUED) & (head_age >= 21) & (head_age <= 45) & ~has_elder & ~deceased[head]
    wants = young & (rng.random(h) < SPLIT_SHARE)
    spouse_side = has_spouse & (rng.random(h) < 0.3)
    member = np.where(spouse_side, spouse_of, head).astype(np.int64)
    decile = np.minimum((welfare * 10).astype(np.int64), 9)
    candidates = np.nonzero(head_age >= 46)[0]
    keys = decile[candidates] * 1000.0 + (birth_year[head[candidates]] - 1850) + rng.random(candidates.size)
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_candidates = keys[order], candidates[order]
    want_decile = np.where(rng.random(h) < 0.75, decile, rng.integers(0, 10, h))
    want_year = birth_year[member] - rng.integers(20, 37, h)
    target = want_decile * 1000.0 + (want_year - 1850) + rng.random(h)
    pos = np.clip(np.searchsorted(sorted_keys, target), 0, max(sorted_keys.size - 1, 0))
    parent = sorted_candidates[pos] if candidates.size else np.zeros(h, np.int64)
    found = (
        (candidates.size > 0)
        & (decile[parent] == want_decile)
        & (np.abs(birth_year[head[parent]] - want_year) <= 3)
    )
    split = wants & found
    event[split] = KK_SPLIT
    at = np.nonzero(split)[0]
    co_resident = split & (rng.random(h) < SPLIT_CO_RESIDENT)
    co = np.nonzero(co_resident)[0]
    apart = np.nonzero(split & ~co_resident)[0]
    current = _take_address(current, parent[co], current, co)
    previous = _take_address(current, parent[apart], previous, apart)
    moved = moved.copy()
    moved[co] = False
    moved[apart] = issue[apart] >= REFERENCE_DATE - np.timedelta64(int(5 * 365.25), "D")
    kec_now = kec_now.copy()
    kec_now[co] = kec_now[parent[co]]
    mother_tok = mother_tok.copy()
    mother = mother_row[parent[at]]
    known = mother >= 0
    mother_tok[member[at][known]] = name_tok[mother[known]]

    # the KK a split-off member left was issued before the split: when the parents' current KK
    # is newer than the split, the one before it is dated before the split too
    p = parent[at]
    late = new_issue[p] > issue[at]
    issue, prev_issue = issue.copy(), prev_issue.copy()
    before_split = issue[at][late] - np.timedelta64(1, "D")
    np.minimum.at(issue, p[late & widowed[p]], before_split[widowed[p][late]])
    np.minimum.at(prev_issue, p[late & ~widowed[p]], before_split[~widowed[p][late]])
    prev_issue = np.minimum(prev_issue, issue - np.timedelta64(1, "D"))

    # KK numbers: the widowed families' new ones are appended, so the others keep their serials
    wid = np.nonzero(widowed)[0]
    numbers = _kk_numbers(
        np.concatenate([kec_now, kec_prev, kec_now[wid]]), np.concatenate([issue, prev_issue, new_issue[wid]])
    )
    kk, prev_kk = numbers[:h].copy(), numbers[h : 2 * h].copy()
    prev_kk[wid] = kk[wid]
    kk[wid] = numbers[2 * h :]
    # the parents' KK at the date of the split
    prev_kk[at] = np.where(new_issue[p] <= issue[at], kk[p], prev_kk[p])

    parent_household = np.full(h, -1, np.int32)
    parent_household[at] = p
    split_member = np.full(h, -1, np.int32)
    split_member[at] = member[at]
    dtks_family_id = 32_760_000_000_000 + rng.permutation(h).astype(np.int64) * 13 + rng.integers(0, 13, h)
    return _History(
        kk=kk,
        prev_kk=prev_kk,
        kk_event=event,
        parent_household=parent_household,
        split_member=split_member,
        dtks_family_id=dtks_family_id,
        moved=moved,
        mother_tok=mother_tok,
        current=current,
        previous=previous,
    )


def _origin_weights() -> F64:
    """Weights over origin groups (rows: ethnicity) for people registered outside Depok."""
    table = {
        # columns: jakarta bogor bekasi tangerang jabar jateng_diy jatim sumut sumbar
        #          sumsel_lampung banten timur (ORIGIN_GROUP_NAMES order)
        "sunda": (0.30, 0.25, 0.08, 0.05, 0.28, 0.01, 0.01, 0.0, 0.0, 0.0, 0.02, 0.0),
        "betawi": (0.62, 0.14, 0.10, 0.12, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.0),
        "jawa": (0.30, 0.08, 0.06, 0.04, 0.02, 0.36, 0.13, 0.0, 0.0, 0.01, 0.0, 0.0),
        "batak": (0.35, 0.06, 0.06, 0.03, 0.0, 0.0, 0.0, 0.50, 0.0, 0.0, 0.0, 0.0),
        "minang": (0.35, 0.05, 0.05, 0.03, 0.0, 0.0, 0.0, 0.0, 0.50, 0.02, 0.0, 0.0),
        "tionghoa": (0.55, 0.08, 0.05, 0.16, 0.04, 0.04, 0.02, 0.06, 0.0, 0.0, 0.0, 0.0),
        "timur": (0.40, 0.05, 0.05, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.45),
    }
    assert len(ORIGIN_GROUP_NAMES) == 12
    w = np.array([table[e] for e in ETHNICITIES], dtype=np.float64)
    normalised: F64 = w / w.sum(axis=1, keepdims=True)
    return normalised
