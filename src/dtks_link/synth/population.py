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

import numpy as np

from dtks_link.synth.codes import (
    F64,
    FEMALE,
    I8,
    I16,
    I32,
    I64,
    KK_EVENT_NAMES,
    KK_MOVED,
    KK_REISSUED,
    KK_SPLIT,
    KK_WIDOWED,
    MALE,
    REFERENCE_DATE,
    RELATIONSHIPS,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_IN_LAW,
    ROLE_OTHER,
    ROLE_PARENT,
    ROLE_SPOUSE,
    B,
    D,
    age_at,
    year_month_day,
)
from dtks_link.synth.families import (
    draw_addresses,
    draw_birth_dates,
    draw_deaths,
    draw_members,
    draw_street_sets,
    family_history,
)
from dtks_link.synth.identities import draw_names, draw_pool, left_align, nik_numbers
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
from dtks_link.synth.streets import BIRTHPLACE_DEPOK

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


# ---------------------------------------------------------------------------------------------
# the population


def build_population(n: int, rng: np.random.Generator) -> Population:
    """Generate ``n`` residents grouped in KKs, with names, NIKs, KK numbers and addresses."""
    vocab = load_vocab()
    wilayah = load_wilayah()
    members = draw_members(n, rng)
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
    dob = draw_birth_dates(age, hh, role, h, rng)
    birth_year, _, _ = year_month_day(dob)
    age = age_at(dob, REFERENCE_DATE)
    deceased, death_date = draw_deaths(age, welfare[hh], rng)

    # --- names
    fam_eth = ("batak", "tionghoa", "timur")
    hh_family = np.full(h, -1, dtype=np.int32)
    own_family = np.full(n, -1, dtype=np.int32)
    for name in fam_eth:
        e = ETHNICITIES.index(name)
        sel_h = np.nonzero(hh_eth == e)[0]
        hh_family[sel_h] = draw_pool(vocab, (name, "x", "family"), sel_h.size, rng)
        sel_p = np.nonzero(ethnicity == e)[0]
        own_family[sel_p] = draw_pool(vocab, (name, "x", "family"), sel_p.size, rng)
    patrilineal = (role == ROLE_CHILD) | ((role == ROLE_HEAD) & (sex == MALE)) | (role == ROLE_OTHER)
    family_token = np.where(patrilineal & (ethnicity == hh_eth[hh]), hh_family[hh], own_family)
    name_tok = draw_names(vocab, ethnicity, sex, birth_year, muslim, family_token, rng)

    # bin/binti + the father's first token (children of a male head in some Muslim KKs)
    bin_id, binti_id = vocab.id("BIN"), vocab.id("BINTI")
    hh_bin = hh_muslim & (rng.random(h) < 0.12) & (sex[head] == MALE)
    child_bin = (role == ROLE_CHILD) & hh_bin[hh]
    bin_father = np.where(child_bin, name_tok[head[hh], 0], -1).astype(np.int32)
    adult_bin = muslim & (role != ROLE_CHILD) & (rng.random(n) < 0.025)
    random_father = draw_pool(vocab, ("arab", "m", "first"), n, rng)
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
        mothers_family[sel_p] = draw_pool(vocab, (name, "x", "family"), sel_p.size, rng)
    generated = draw_names(
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
    nik = nik_numbers(prefix6, dob, sex)

    # --- KK numbers (current and previous) and addresses
    street_sets = draw_street_sets(wilayah.size, rng)
    rw_count = rng.integers(8, 26, wilayah.size).astype(np.int16)
    current = draw_addresses(kelurahan, street_sets, rw_count, rng)
    moved = rng.random(h) < 0.10
    same_kel = rng.random(h) < 0.4
    prev_kel = np.where(
        same_kel, kelurahan, rng.choice(wilayah.size, size=h, p=kel_weight / kel_weight.sum())
    ).astype(np.int16)
    previous = draw_addresses(prev_kel, street_sets, rw_count, rng)
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
    history = family_history(
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
        mother_tok=left_align(history.mother_tok.astype(np.int32)),
        nik=nik,
        registered_outside=outside,
        registered_old_code=old_code,
        birthplace=birthplace,
        phone=phone,
        birthplaces=tuple(places),
        welfare=welfare,
        **history.family_columns(),
        **history.current.columns(),
        **history.previous.columns("prev_"),
        head=head,
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
