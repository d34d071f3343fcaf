"""Field values of one extract: clean values from the population, then the source's errors.

Each builder takes the population, ``person`` (the resident behind each record), the source's
:class:`~dtks_link.synth.error_model.ErrorRates`, a random generator and the
:class:`~dtks_link.synth.error_model.ErrorLog`, and returns one Arrow array (or NumPy array for
dates). Everything is vectorised over records; loops run over error kinds or small tables only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.synth.codes import (
    FEMALE,
    I8,
    I64,
    KK_REISSUED,
    KK_SPLIT,
    KK_WIDOWED,
    LISTED_CUCU,
    LISTED_MENANTU,
    LISTED_SUAMI,
    MALE,
    REFERENCE_DATE,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_SPOUSE,
    B,
    age_at,
)
from dtks_link.synth.edits import (
    PLACEHOLDER_NIKS,
    digit_typos,
    excel_damage,
    from_matrix,
    to_matrix,
    typo_keyboard,
    typo_ocr,
    typo_transposition,
)
from dtks_link.synth.error_model import ErrorLog, ErrorRates
from dtks_link.synth.identities import left_align
from dtks_link.synth.population import Population
from dtks_link.synth.regions import load_wilayah
from dtks_link.synth.streets import STREETS

__all__ = [
    "AddressChoice",
    "KkChoice",
    "address_choice",
    "kecamatan_names",
    "kelurahan_names",
    "kk_numbers",
    "listed_roles",
    "mother_names",
    "names",
    "nik_numbers",
    "padded",
    "phones",
    "record_kk",
    "sex_labels",
    "street_text",
]


def _take(table: pa.Array, idx: npt.NDArray[np.integer]) -> pa.Array:
    """``table[idx]`` with ``-1`` giving null."""
    idx64 = np.asarray(idx, dtype=np.int64)
    return table.take(pa.array(np.maximum(idx64, 0), mask=idx64 < 0))


def _vocab_array(pop: Population) -> pa.Array:
    return pa.array(pop.vocab.tokens, pa.string())


# ---------------------------------------------------------------------------------------------
# names


def names(
    pop: Population,
    person: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
    *,
    title_case: bool = False,
) -> pa.Array:
    """The resident's name as this source writes it (upper case unless ``title_case``)."""
    v = pop.vocab
    n = person.size
    tok = pop.name_tok[person].copy()
    bin_word = pop.bin_word[person].copy()
    bin_father = pop.bin_father[person].copy()
    registered = pop.title_registered[person]
    held_prefix = pop.title_prefix[person]
    held_suffix = pop.title_suffix[person]
    prefix = np.where(registered, held_prefix, -1).astype(np.int32)
    suffix = np.where(registered, held_suffix, -1).astype(np.int32)
    sex = pop.sex[person]
    age = age_at(pop.dob[person], REFERENCE_DATE)

    # titles
    has_title = (prefix >= 0) | (suffix >= 0)
    drop = has_title & (rng.random(n) < rates.title_dropped)
    prefix[drop] = -1
    suffix[drop] = -1
    log.add("title_dropped", drop)
    add = ~has_title & (age >= 18) & (rng.random(n) < rates.title_added)
    holds = (held_prefix >= 0) | (held_suffix >= 0)
    dead = pop.deceased[person]
    muslim = pop.muslim[person]
    female = sex == FEMALE

    def word(token: str) -> int:
        return v.id(token)

    added = np.select(
        [
            holds & (held_prefix >= 0),
            holds,
            dead,
            muslim & (age >= 45),
        ],
        [
            held_prefix,
            -1,
            np.where(female, word("ALMH."), word("ALM.")),
            np.where(female, word("HJ."), word("H.")),
        ],
        np.where(female, word("IBU"), word("BPK.")),
    )
    prefix = np.where(add, added, prefix).astype(np.int32)
    suffix = np.where(add & holds & (held_prefix < 0), held_suffix, suffix).astype(np.int32)
    log.add("title_added", add)

    # old spelling: a name registered in the old spelling is written in the new one; the
    # name of someone born before the 1972 reform may be written in the old one
    safe = np.maximum(tok, 0)
    alt = np.where(tok >= 0, v.old_alt[safe], tok)
    is_old: B = (tok >= 0) & v.old_form[safe]
    modernise: B = np.asarray(is_old.any(axis=1), dtype=np.bool_)
    born = pop.dob[person].astype("datetime64[Y]").astype(np.int64) + 1970
    antiquate = ~modernise & (born < 1973) & (alt != tok).any(axis=1)
    hit: B = (modernise | antiquate) & (rng.random(n) < rates.old_spelling)
    switch = hit[:, None] & np.where(modernise[:, None], is_old, alt != tok)
    tok = np.where(switch, alt, tok).astype(np.int32)
    log.add("old_spelling", hit)

    # Muhammad / Ahmad / Abdul / Siti written another way
    fam = np.where(tok >= 0, v.family[np.maximum(tok, 0)], -1)
    can = (fam >= 0).any(axis=1)
    hit = can & (rng.random(n) < rates.muhammad_variant)
    for f, members in enumerate(v.family_members):
        cells = hit[:, None] & (fam == f)
        k = int(cells.sum())
        if not k:
            continue
        current = tok[cells]
        new = members[rng.choice(members.size, size=k, p=v.family_variant_p[f])]
        # drawing the same spelling again: take the next member of the family instead
        position = np.argmax(members[None, :] == current[:, None], axis=1)
        following = members[(position + 1) % members.size]
        new = np.where(new == current, following, new)
        # a one-word name is not cut to "M." or "ST.": use a full spelling
        one_word = np.broadcast_to((tok >= 0).sum(axis=1)[:, None], tok.shape)[cells] == 1
        full = members[0]
        short = v.abbreviation[new]
        new = np.where(one_word & short, np.where(current == full, members[1], full), new)
        tok[cells] = new
    log.add("muhammad_variant", hit)

    # nickname: the first token that has one becomes the short form; often alone
    nick = np.where(tok >= 0, v.nickname[np.maximum(tok, 0)], -1)
    can = (nick >= 0).any(axis=1)
    hit = can & (rng.random(n) < rates.nickname)
    rows = np.nonzero(hit)[0]
    col = np.argmax(nick[rows] >= 0, axis=1)
    tok[rows, col] = nick[rows, col]
    alone = rows[rng.random(rows.size) < 0.5]
    keep_col = np.argmax(nick[alone] >= 0, axis=1)
    kept = tok[alone, keep_col]
    tok[alone] = -1
    tok[alone, 0] = kept
    bin_word[alone] = -1
    bin_father[alone] = -1
    log.add("nickname", hit)
    tok = left_align(tok)

    # a word dropped: the bin part, the last word, or the first
    core = (tok >= 0).sum(axis=1)
    words = core + (bin_father >= 0)
    hit = (words >= 2) & (rng.random(n) < rates.token_dropped)
    u = rng.random(n)
    drop_bin = hit & (bin_father >= 0) & ((u < 0.5) | (core < 2))
    bin_word[drop_bin] = -1
    bin_father[drop_bin] = -1
    other = hit & ~drop_bin
    last = np.maximum(core - 1, 0)
    drop_first = other & (u > 0.8)
    rows = np.nonzero(other & ~drop_first)[0]
    tok[rows, last[rows]] = -1
    rows = np.nonzero(drop_first)[0]
    tok[rows, 0] = -1
    tok = left_align(tok)
    log.add("token_dropped", hit)

    # abbreviated: words after the first reduced to initials ("TRI M"), sometimes only the last
    core = (tok >= 0).sum(axis=1)
    hit = (core >= 2) & (rng.random(n) < rates.token_abbreviated)
    only_last = rng.random(n) < 0.6
    initials = np.where(tok >= 0, v.initial[np.maximum(tok, 0)], -1)
    last = np.maximum(core - 1, 0)
    for c in (1, 2):
        cells = hit & (tok[:, c] >= 0) & (~only_last | (last == c))
        tok[cells, c] = initials[cells, c]
    fa = hit & (bin_father >= 0) & ~only_last
    bin_father[fa] = v.initial[bin_father[fa]]
    log.add("token_abbreviated", hit)

    # reordered: the first two words swapped
    hit = ((tok >= 0).sum(axis=1) >= 2) & (rng.random(n) < rates.token_reordered)
    tok[hit, 0], tok[hit, 1] = tok[hit, 1], tok[hit, 0].copy()
    log.add("token_reordered", hit)

    vocab = _vocab_array(pop)
    parts = [_take(vocab, tok[:, c]) for c in range(3)]
    parts += [_take(vocab, bin_word), _take(vocab, bin_father)]
    core_name = pc.binary_join_element_wise(*parts, " ", null_handling="skip")
    core_name = _char_typos(core_name, rates, rng, log)
    name = pc.binary_join_element_wise(_take(vocab, prefix), core_name, " ", null_handling="skip")
    name = pc.binary_join_element_wise(name, _take(vocab, suffix), ", ", null_handling="skip")
    return pc.utf8_title(name) if title_case else name


def _char_typos(arr: pa.Array, rates: ErrorRates, rng: np.random.Generator, log: ErrorLog) -> pa.Array:
    n = len(arr)
    for name, rate, edit in (
        ("typo_keyboard", rates.typo_keyboard, typo_keyboard),
        ("typo_ocr", rates.typo_ocr, typo_ocr),
        ("typo_transposition", rates.typo_transposition, typo_transposition),
    ):
        chosen = np.nonzero(rng.random(n) < rate)[0]
        if chosen.size == 0:
            continue
        mat, lengths = to_matrix(arr.take(pa.array(chosen)))
        changed = edit(mat, lengths, rng)
        edited = from_matrix(mat, lengths)
        mask = np.zeros(n, dtype=bool)
        mask[chosen[changed]] = True
        arr = pc.replace_with_mask(arr, pa.array(mask), edited.filter(pa.array(changed)))
        log.add(name, chosen[changed])
    return arr


def mother_names(
    pop: Population,
    person: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
) -> pa.Array:
    """Nama ibu kandung, upper case; blank at ``mother_name_missing``."""
    vocab = _vocab_array(pop)
    tok = pop.mother_tok[person]
    joined = pc.binary_join_element_wise(
        *[_take(vocab, tok[:, c]) for c in range(3)], " ", null_handling="skip"
    )
    missing = rng.random(person.size) < rates.mother_name_missing
    log.add("mother_name_missing", missing)
    return pc.if_else(pa.array(missing), pa.scalar("", pa.string()), joined)


# ---------------------------------------------------------------------------------------------
# NIK and KK


def nik_numbers(
    pop: Population,
    person: I64,
    kk: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
) -> pa.Array:
    """The NIK column: the resident's NIK, or one of the mutually exclusive NIK errors.

    ``kk`` is the KK number this record carries (used for ``nik_kk_in_field``). Missing NIKs
    are null.
    """
    n = person.size
    nik = pop.nik[person]
    out = pc.cast(pa.array(nik), pa.string())
    is_head = pop.role[person] == ROLE_HEAD
    u = rng.random(n)
    bounds = np.cumsum(
        [
            rates.nik_typo,
            rates.nik_excel_damage,
            rates.nik_missing,
            rates.nik_kk_in_field,
            rates.nik_of_head,
            rates.nik_placeholder,
        ]
    )
    kind = np.searchsorted(bounds, u, side="right")  # 0..5 = error, 6 = clean
    typo = kind == 0
    excel = kind == 1
    missing = kind == 2
    kk_field = (kind == 3) & (kk > 0)
    head = (kind == 4) & ~is_head
    placeholder = kind == 5
    replacement = out
    if typo.any():
        replacement = _place(replacement, typo, digit_typos(nik[typo], rng))
    if excel.any():
        replacement = _place(replacement, excel, excel_damage(nik[excel], rng))
    if kk_field.any():
        replacement = _place(replacement, kk_field, pc.cast(pa.array(kk[kk_field]), pa.string()))
    if head.any():
        head_nik = pop.nik[pop.head[pop.household[person[head]]]]
        replacement = _place(replacement, head, pc.cast(pa.array(head_nik), pa.string()))
    if placeholder.any():
        pick = rng.integers(0, len(PLACEHOLDER_NIKS), int(placeholder.sum()))
        replacement = _place(replacement, placeholder, pa.array(PLACEHOLDER_NIKS).take(pa.array(pick)))
    replacement = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), replacement)
    for name, mask in (
        ("nik_typo", typo),
        ("nik_excel_damage", excel),
        ("nik_missing", missing),
        ("nik_kk_in_field", kk_field),
        ("nik_of_head", head),
        ("nik_placeholder", placeholder),
    ):
        log.add(name, mask)
    return replacement


def _place(arr: pa.Array, mask: B, values: pa.Array) -> pa.Array:
    return pc.replace_with_mask(arr, pa.array(mask), values)


@dataclass(frozen=True)
class KkChoice:
    """The KK number each record is listed under; whether it is the family's previous one; and
    whether that is because the source has not caught up (``lagging``; the other reason is a
    head who died on the previous KK)."""

    number: I64
    previous: B
    lagging: B


#: The error that lists a family under its previous KK, by :attr:`Population.kk_event`.
KK_STALE_ERRORS: tuple[str, ...] = ("kk_changed", "kk_before_split", "kk_before_move", "kk_before_death")


def record_kk(
    pop: Population,
    person: I64,
    household: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
) -> KkChoice:
    """The KK number each record's family is listed under: the current one, or the previous one
    when the source has not caught up with the change, at the rate for why it changed
    (``kk_changed`` for a reissue, ``kk_before_split``, ``kk_before_move``, ``kk_before_death``).

    Drawn once per family, so all members of a family agree. A head who died, in a family whose
    widow(er) heads a new KK, is always on the KK he or she died on.
    """
    u = rng.random(pop.n_households)
    rate = np.array([getattr(rates, name) for name in KK_STALE_ERRORS])[pop.kk_event]
    event = pop.kk_event[household]
    stale = (u < rate)[household]
    for code, name in enumerate(KK_STALE_ERRORS):
        log.add(name, stale & (event == code))
    died_on_previous = (event == KK_WIDOWED) & (pop.role[person] == ROLE_HEAD)
    previous = stale | died_on_previous
    return KkChoice(np.where(previous, pop.prev_kk[household], pop.kk[household]), previous, stale)


def listed_roles(pop: Population, person: I64, previous: B) -> I64:
    """Each record's hubungan keluarga (an index into
    :data:`~dtks_link.synth.population.RELATIONSHIPS`) on the KK it is listed under.

    On the current KK: the resident's role (Suami for a male spouse), the widow(er) as Kepala
    Keluarga of the new KK. A split-off family listed on its parents' KK: the parents' child
    Anak, the partner Menantu, their children Cucu."""
    role = pop.role[person].astype(np.int64)
    out = np.where((role == ROLE_SPOUSE) & (pop.sex[person] == MALE), LISTED_SUAMI, role)
    household = pop.household[person]
    event = pop.kk_event[household]
    out = np.where((event == KK_WIDOWED) & ~previous & (role == ROLE_SPOUSE), ROLE_HEAD, out)
    on_parents = (event == KK_SPLIT) & previous
    is_member = person == pop.split_member[household]
    partner = np.isin(role, (ROLE_HEAD, ROLE_SPOUSE)) & ~is_member
    out = np.where(on_parents & is_member, ROLE_CHILD, out)
    out = np.where(on_parents & partner, LISTED_MENANTU, out)
    return np.where(on_parents & (role == ROLE_CHILD), LISTED_CUCU, out)


def family_ids(pop: Population, household: I64, previous: B) -> pa.Array:
    """The family's DTKS id (``id_keluarga``): a split-off family listed on its parents' KK is in
    the parents' DTKS family."""
    on_parents = previous & (pop.kk_event[household] == KK_SPLIT)
    family = np.where(on_parents, pop.parent_household[household], household)
    return pc.cast(pa.array(pop.dtks_family_id[family]), pa.string())


def kk_numbers(kk: I64, rates: ErrorRates, rng: np.random.Generator, log: ErrorLog) -> pa.Array:
    """The KK column: ``kk`` as text, with typos, Excel damage or missing (exclusive)."""
    n = kk.size
    out = pc.cast(pa.array(kk), pa.string())
    bounds = np.cumsum([rates.kk_typo, rates.kk_missing, rates.kk_excel_damage])
    kind = np.searchsorted(bounds, rng.random(n), side="right")
    typo, missing, excel = kind == 0, kind == 1, kind == 2
    if typo.any():
        out = _place(out, typo, digit_typos(kk[typo], rng))
    if excel.any():
        out = _place(out, excel, excel_damage(kk[excel], rng))
    out = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), out)
    log.add("kk_typo", typo)
    log.add("kk_missing", missing)
    log.add("kk_excel_damage", excel)
    return out


# ---------------------------------------------------------------------------------------------
# addresses


@dataclass(frozen=True)
class AddressChoice:
    """The address each record carries: current, or previous for stale records."""

    kelurahan: npt.NDArray[np.int16]
    rw: npt.NDArray[np.int16]
    rt: npt.NDArray[np.int16]
    street: npt.NDArray[np.int16]
    house_no: npt.NDArray[np.int16]
    block: npt.NDArray[np.int16]


def address_choice(
    pop: Population,
    household: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
    kk: KkChoice | None = None,
) -> AddressChoice:
    """Current address, or the previous one for families who moved (``address_stale``).

    With ``kk``, a family whose KK changed for a move or a split and who is listed under the
    previous KK carries the address it had then (a snapshot of that time): for those families
    the KK decides, not ``address_stale``."""
    stale_family = pop.moved & (rng.random(pop.n_households) < rates.address_stale)
    stale = stale_family[household]
    if kk is not None:
        event_family = pop.kk_event[household] != KK_REISSUED
        stale = np.where(event_family, pop.moved[household] & kk.lagging, stale)
    log.add("address_stale", stale)

    def pick(now: npt.NDArray[np.int16], before: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        return np.where(stale, before[household], now[household]).astype(np.int16)

    return AddressChoice(
        kelurahan=pick(pop.kelurahan, pop.prev_kelurahan),
        rw=pick(pop.rw, pop.prev_rw),
        rt=pick(pop.rt, pop.prev_rt),
        street=pick(pop.street, pop.prev_street),
        house_no=pick(pop.house_no, pop.prev_house_no),
        block=pick(pop.block, pop.prev_block),
    )


_STREET_WORDS: dict[str, tuple[str, ...]] = {
    "JL.": ("JL.", "JL", "JLN.", "JALAN"),
    "GG.": ("GG.", "GG", "GANG", "GG."),
    "KP.": ("KP.", "KP", "KAMPUNG", "KP."),
    "PERUM": ("PERUM", "PERUMAHAN", "PERUM.", "KOMP."),
}
_NUMBER_WORDS = ("NO.", "NO", "NO.", "NOMOR")


def street_text(addr: AddressChoice, rng: np.random.Generator, *, family: I64 | None = None) -> pa.Array:
    """Street part of the address ("JL. MAWAR NO. 12", "PERUM X BLOK C3 NO. 19").

    With ``family`` (a family number per record) one of four spellings of the street-type and
    number words (JL./JL/JLN./JALAN, NO./NO/NOMOR) is drawn per family, as a source that enters
    an address once per family would; without it the canonical form is used.
    """
    n = addr.street.size
    variants = 4
    labels = [f"{_STREET_WORDS[kind][k]} {name}" for kind, name in STREETS for k in range(variants)]
    if family is None:
        which = np.zeros(n, dtype=np.int64)
    else:
        which = rng.integers(0, variants, int(family.max(initial=0)) + 1)[family]
    street = pa.array(labels).take(pa.array(addr.street.astype(np.int64) * variants + which))
    number_word = pa.array(_NUMBER_WORDS).take(pa.array(which))
    number = pc.cast(pa.array(addr.house_no.astype(np.int64)), pa.string())
    number = pc.binary_join_element_wise(number_word, number, " ")
    number = pc.if_else(pa.array(addr.house_no > 0), number, pa.scalar(None, pa.string()))
    block_labels = pa.array(["BLOK " + "ABCDEFGH"[b // 12] + str(b % 12 + 1) for b in range(8 * 12)])
    block = _take(block_labels, addr.block.astype(np.int64) - 1)
    return pc.binary_join_element_wise(street, block, number, " ", null_handling="skip")


def kelurahan_names(
    addr: AddressChoice, rates: ErrorRates, rng: np.random.Generator, log: ErrorLog
) -> pa.Array:
    """Upper-case kelurahan name, an alternative spelling at ``kelurahan_spelling``."""
    w = load_wilayah()
    has_variant = np.array([a != b for a, b in zip(w.kelurahan, w.kelurahan_variant, strict=True)])[
        addr.kelurahan
    ]
    hit = has_variant & (rng.random(addr.kelurahan.size) < rates.kelurahan_spelling)
    log.add("kelurahan_spelling", hit)
    index = addr.kelurahan.astype(np.int64) + np.where(hit, w.size, 0)
    return pa.array(w.kelurahan + w.kelurahan_variant).take(pa.array(index))


def kecamatan_names(addr: AddressChoice) -> pa.Array:
    w = load_wilayah()
    return pa.array(w.kecamatan).take(pa.array(addr.kelurahan.astype(np.int64)))


def padded(values: npt.NDArray[np.integer], width: int) -> pa.Array:
    """Integers as zero-padded text ("003")."""
    return pc.utf8_lpad(pc.cast(pa.array(values.astype(np.int64)), pa.string()), width, "0")


def sex_labels(sex: I8, labels: tuple[str, str]) -> pa.Array:
    """Sex codes (1 = male, 2 = female) as the source's labels."""
    return pa.array(labels).take(pa.array((sex == FEMALE).astype(np.int64)))


def phones(pop: Population, person: I64, rng: np.random.Generator, share: float) -> pa.Array:
    """Mobile numbers ("0812…"), for about ``share`` of records that have one."""
    phone = pop.phone[person]
    shown = (phone > 0) & (rng.random(person.size) < share)
    text = pc.binary_join_element_wise("0", pc.cast(pa.array(phone), pa.string()), "")
    return pc.if_else(pa.array(shown), text, pa.scalar(None, pa.string()))
