"""The families of the synthetic population: who lives in each KK (roles, sexes, ages), their
recorded birth dates and deaths, their addresses, and the family history that explains why
each KK number changed (pecah KK, a move, a death, a reissue)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from dtks_link.synth.codes import (
    F64,
    FEMALE,
    I8,
    I16,
    I32,
    I64,
    KK_MOVED,
    KK_REISSUED,
    KK_SPLIT,
    KK_WIDOWED,
    MALE,
    REFERENCE_DATE,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_IN_LAW,
    ROLE_OTHER,
    ROLE_PARENT,
    ROLE_SPOUSE,
    B,
    D,
    age_at,
    dates_of,
    year_month_day,
)
from dtks_link.synth.identities import kk_numbers
from dtks_link.synth.streets import STREETS

__all__ = [
    "SPLIT_CO_RESIDENT",
    "SPLIT_SHARE",
    "Addresses",
    "History",
    "Members",
    "draw_addresses",
    "draw_birth_dates",
    "draw_deaths",
    "draw_members",
    "draw_street_sets",
    "family_history",
]


# Household kinds: couple+children, +orang tua/mertua, +famili lain, single parent,
# alone, elderly couple.
KIND_P = np.array([0.54, 0.085, 0.055, 0.08, 0.16, 0.08])
CHILDREN_P = np.array([0.05, 0.13, 0.32, 0.27, 0.13, 0.07, 0.03])


# ---------------------------------------------------------------------------------------------
# households and members


@dataclass(frozen=True)
class Members:
    household: I32
    role: I8
    sex: I8
    age: I64
    n_households: int


def draw_members(n: int, rng: np.random.Generator) -> Members:
    h = int(n / 2.8) + 64
    kind = rng.choice(6, size=h, p=KIND_P)
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
    n_children = np.where(with_children, rng.choice(7, size=h, p=CHILDREN_P), 0)
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
    return Members(household, role, sex, np.floor(age_f).astype(np.int64), n_households)


# ---------------------------------------------------------------------------------------------
# birth dates, deaths


def draw_birth_dates(age: I64, household: I32, role: I8, n_households: int, rng: np.random.Generator) -> D:
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


def draw_deaths(age: I64, welfare: F64, rng: np.random.Generator) -> tuple[B, D]:
    p = np.select([age >= 80, age >= 70, age >= 60, age >= 50], [0.15, 0.06, 0.025, 0.01], 0.002)
    p = p * np.where(welfare < 0.3, 1.3, 1.0)
    dead = rng.random(age.size) < p
    days = rng.integers(1, 730, age.size).astype("timedelta64[D]")
    date = np.where(dead, REFERENCE_DATE - days, np.datetime64("NaT", "D"))
    return dead, date


# ---------------------------------------------------------------------------------------------
# addresses


@dataclass(frozen=True)
class Addresses:
    kelurahan: I16
    rw: I16
    rt: I16
    street: I16
    house_no: I16
    block: I16

    def columns(self, prefix: str = "") -> dict[str, Any]:
        """The arrays by field name, each name after ``prefix`` (``prev_`` for the previous address)."""
        return {prefix + name: getattr(self, name) for name in ADDRESS_FIELDS}


ADDRESS_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Addresses))


def draw_street_sets(n_kelurahan: int, rng: np.random.Generator) -> I32:
    """For each kelurahan, 24 streets of the pool (same street names recur across a kelurahan)."""
    return np.stack([rng.choice(len(STREETS), size=24, replace=False) for _ in range(n_kelurahan)]).astype(
        np.int32
    )


def draw_addresses(kelurahan: I16, street_sets: I32, rw_count: I16, rng: np.random.Generator) -> Addresses:
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
    return Addresses(kelurahan, rw, rt, street, house_no, block)


# ---------------------------------------------------------------------------------------------
# family history: why KK numbers changed

#: Share of young families (head aged 21-45, no orang tua or mertua in the KK) formed by pecah KK
#: from a parent family in Depok, and the share of those still living in the parents' house.
SPLIT_SHARE = 0.55
SPLIT_CO_RESIDENT = 0.3


@dataclass(frozen=True)
class History:
    kk: I64
    prev_kk: I64
    kk_event: I8
    parent_household: I32
    split_member: I32
    dtks_family_id: I64
    moved: B
    mother_tok: I32
    current: Addresses
    previous: Addresses

    def family_columns(self) -> dict[str, Any]:
        """The per-family arrays a :class:`~dtks_link.synth.population.Population` keeps as they
        are (the KK numbers and their history, the DTKS family id, whether the family moved)."""
        names = ("kk", "prev_kk", "kk_event", "parent_household", "split_member", "dtks_family_id", "moved")
        return {name: getattr(self, name) for name in names}


def take_address(addr: Addresses, rows: npt.NDArray[np.integer], into: Addresses, at: I64) -> Addresses:
    """``into`` with the households ``at`` given the addresses of ``addr`` at ``rows``."""
    parts = {}
    for name in ADDRESS_FIELDS:
        values = getattr(into, name).copy()
        values[at] = getattr(addr, name)[rows]
        parts[name] = values
    return Addresses(**parts)


def family_history(
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
    current: Addresses,
    previous: Addresses,
) -> History:
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
    current = take_address(current, parent[co], current, co)
    previous = take_address(current, parent[apart], previous, apart)
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
    numbers = kk_numbers(
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
    return History(
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
