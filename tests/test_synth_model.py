"""Unit tests for the pieces of dtks_link.synth: population arrays, name tables, error edits."""

from __future__ import annotations

import dataclasses
import doctest
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import dtks_link.synth.error_model as error_model
import dtks_link.synth.generator as generator
import dtks_link.synth.names as names_module
from dtks_link.errors import ConfigError
from dtks_link.synth import DEFAULT_ERROR_RATES, ERROR_NAMES, SOURCE_NAMES, ErrorRates
from dtks_link.synth.codes import (
    FEMALE,
    KK_MOVED,
    KK_SPLIT,
    KK_WIDOWED,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
    ROLE_SPOUSE,
)
from dtks_link.synth.edits import (
    digit_typos,
    excel_damage,
    from_matrix,
    to_matrix,
    typo_keyboard,
    typo_ocr,
    typo_transposition,
)
from dtks_link.synth.names import load_vocab, to_old_spelling
from dtks_link.synth.population import Population, build_population
from dtks_link.synth.regions import load_wilayah

ERROR_MODEL_MD = Path(__file__).parents[1] / "src" / "dtks_link" / "synth" / "ERROR_MODEL.md"


@pytest.fixture(scope="module")
def pop() -> Population:
    return build_population(8_000, np.random.default_rng(11))


# ---------------------------------------------------------------------------------------------
# population


def test_population_sizes(pop: Population) -> None:
    assert pop.size == 8_000
    assert pop.name_tok.shape == (8_000, 3) and pop.mother_tok.shape == (8_000, 3)
    assert pop.kk.shape == (pop.n_households,) == pop.head.shape
    assert (pop.role[pop.head] == ROLE_HEAD).all()
    assert (np.bincount(pop.household[pop.role == ROLE_HEAD]) == 1).all()


def test_nik_matches_birth_date_sex_and_registration(pop: Population) -> None:
    assert np.unique(pop.nik).size == pop.size
    dob = pop.dob.astype("datetime64[D]")
    year = dob.astype("datetime64[Y]").astype(int) + 1970
    month = (dob.astype("datetime64[M]") - dob.astype("datetime64[Y]")).astype(int) + 1
    day = (dob - dob.astype("datetime64[M]")).astype(int) + 1
    nik = pop.nik
    assert ((nik // 10**8) % 100 == day + np.where(pop.sex == FEMALE, 40, 0)).all()
    assert ((nik // 10**6) % 100 == month).all()
    assert ((nik // 10**4) % 100 == year % 100).all()
    assert (nik % 10**4 > 0).all()
    region = nik // 10**10
    assert ((region // 100 != 3276) == pop.registered_outside).all()
    old = pop.registered_old_code
    assert (region[old] % 100 <= 6).all()
    assert (year[old] <= 2006).all()
    assert not (old & pop.registered_outside).any()


def test_kk_numbers(pop: Population) -> None:
    assert np.unique(pop.kk).size == pop.n_households
    split = pop.kk_event == KK_SPLIT
    assert not np.isin(pop.prev_kk[~split], pop.kk).any()
    # pecah KK: the previous KK is the parent family's, current or previous at the split
    parent = pop.parent_household[split]
    assert (parent >= 0).all() and (pop.parent_household[~split] == -1).all()
    assert ((pop.prev_kk[split] == pop.kk[parent]) | (pop.prev_kk[split] == pop.prev_kk[parent])).all()
    assert (pop.prev_kk[split] == pop.kk[parent]).mean() > 0.5
    assert not np.isin(pop.kk, pop.nik).any()
    kecamatan = (pop.kk // 10**10) % 100
    assert (kecamatan == load_wilayah().kecamatan_code[pop.kelurahan]).all()


def test_family_history(pop: Population) -> None:
    events = np.bincount(pop.kk_event, minlength=4) / pop.n_households
    assert 0.15 < events[KK_SPLIT] < 0.35 and 0.03 < events[KK_MOVED] < 0.1 and events[KK_WIDOWED] > 0
    age = pop.age()
    split = np.nonzero(pop.kk_event == KK_SPLIT)[0]
    member, parent = pop.split_member[split], pop.parent_household[split]
    assert (pop.household[member] == split).all()
    assert np.isin(pop.role[member], (ROLE_HEAD, ROLE_SPOUSE)).all()
    gap = age[pop.head[parent]] - age[member]
    assert gap.min() >= 16 and gap.max() <= 40
    # the split member's mother is the parent family's mother, where it has one
    mother = np.where(pop.sex[pop.head] == FEMALE, pop.head, -1)
    rows = np.nonzero((pop.role == ROLE_SPOUSE) & (pop.sex == FEMALE))[0]
    mother[pop.household[rows]] = rows
    known = mother[parent] >= 0
    assert known.mean() > 0.7
    assert (pop.mother_tok[member[known], 0] == pop.name_tok[mother[parent[known]], 0]).all()
    # some still live in the parents' house: same address, another KK
    same_house = (pop.street[split] == pop.street[parent]) & (pop.house_no[split] == pop.house_no[parent])
    same_house &= (pop.kelurahan[split] == pop.kelurahan[parent]) & (pop.rt[split] == pop.rt[parent])
    assert 0.2 < same_house.mean() < 0.45
    # after the head's death the spouse heads a KK issued after it (the date is in the number)
    widowed = np.nonzero(pop.kk_event == KK_WIDOWED)[0]
    assert pop.deceased[pop.head[widowed]].all()
    kk = pop.kk[widowed]
    day, month, year = (kk // 10**8) % 100, (kk // 10**6) % 100, (kk // 10**4) % 100
    issued = np.array(
        [np.datetime64(f"20{y:02d}-{m:02d}-{d:02d}") for y, m, d in zip(year, month, day, strict=True)]
    )
    assert (issued > pop.death_date[pop.head[widowed]]).all()


def test_mother_names_coherent(pop: Population) -> None:
    spouse = np.full(pop.n_households, -1)
    rows = np.nonzero((pop.role == ROLE_SPOUSE) & (pop.sex == FEMALE))[0]
    spouse[pop.household[rows]] = rows
    children = np.nonzero(pop.role == ROLE_CHILD)[0]
    mother = spouse[pop.household[children]]
    has = mother >= 0
    assert (pop.mother_tok[children[has]] == pop.name_tok[mother[has]]).all()
    orang_tua = np.full(pop.n_households, -1)
    rows = np.nonzero((pop.role == ROLE_PARENT) & (pop.sex == FEMALE))[0]
    orang_tua[pop.household[rows]] = rows
    heads = pop.head[orang_tua >= 0]
    assert (pop.mother_tok[heads] == pop.name_tok[orang_tua[orang_tua >= 0]]).all()


def test_ages_within_households_are_plausible(pop: Population) -> None:
    age = pop.age()
    head_age = age[pop.head[pop.household]]
    children = pop.role == ROLE_CHILD
    assert (head_age[children] - age[children] >= 14).mean() > 0.97
    assert (age[pop.head] >= 17).all()


def test_same_seed_same_population() -> None:
    a = build_population(1_000, np.random.default_rng(3))
    b = build_population(1_000, np.random.default_rng(3))
    for field in dataclasses.fields(Population):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fM"), field.name


# ---------------------------------------------------------------------------------------------
# names


def test_vocabulary_is_upper_case_ascii() -> None:
    vocab = load_vocab()
    assert all(re.fullmatch(r"[A-Z.]+", t) for t in vocab.tokens)
    assert len(set(vocab.tokens)) == vocab.size
    for ids, p in vocab.pools.values():
        assert ids.size and p.sum() == pytest.approx(1.0)


def test_old_spelling_table_is_an_involution() -> None:
    vocab = load_vocab()
    ids = np.arange(vocab.size)
    assert (vocab.old_alt[vocab.old_alt] == ids).all()
    pairs = {vocab.tokens[i]: vocab.tokens[j] for i, j in enumerate(vocab.old_alt) if i != j}
    assert pairs["SUPARMAN"] == "SOEPARMAN" and pairs["DJOKO"] == "JOKO"
    assert to_old_spelling("KHADIJAH") == "CHADIDJAH"


def test_spelling_families() -> None:
    vocab = load_vocab()
    muhammad = [vocab.tokens[i] for i in vocab.family_members[0]]
    assert muhammad[0] == "MUHAMMAD" and "M." in muhammad and "MOCH." in muhammad
    assert vocab.abbreviation[vocab.id("M.")] and not vocab.abbreviation[vocab.id("MUHAMMAD")]


# ---------------------------------------------------------------------------------------------
# error edits


def test_matrix_round_trip() -> None:
    arr = pa.array(["SITI AMINAH", "", None, "H. SUPARMAN, S.PD."])
    mat, lengths = to_matrix(arr)
    assert from_matrix(mat, lengths).to_pylist() == ["SITI AMINAH", "", "", "H. SUPARMAN, S.PD."]
    empty_mat, empty_len = to_matrix(pa.array([], pa.string()))
    assert from_matrix(empty_mat, empty_len).to_pylist() == []


@pytest.mark.parametrize("edit", [typo_keyboard, typo_ocr, typo_transposition])
def test_typos_change_exactly_the_rows_they_report(edit: object) -> None:
    rng = np.random.default_rng(0)
    words = ["SITI AMINAH", "MUHAMMAD RIZKY", "X", "BAMBANG SUTRISNO", "AA"] * 200
    mat, lengths = to_matrix(pa.array(words))
    changed = edit(mat, lengths, rng)  # type: ignore[operator]
    after = from_matrix(mat, lengths).to_pylist()
    differs = np.array([a != b for a, b in zip(words, after, strict=True)])
    assert (differs == changed).all()
    assert changed.mean() > 0.5
    assert all(abs(len(a) - len(b)) <= 1 for a, b in zip(words, after, strict=True))


def test_digit_typos_always_differ() -> None:
    rng = np.random.default_rng(0)
    values = np.array([3276011203850007, 3175084107970016, 1111111111111111] * 300)
    out = digit_typos(values, rng).to_pylist()
    assert all(o != str(v) for o, v in zip(out, values, strict=True))
    assert {len(o) for o in out} == {15, 16, 17}
    assert all(o.isdigit() for o in out)


def test_excel_damage_forms() -> None:
    rng = np.random.default_rng(0)
    values = np.array([3276011203850007, 3276014507850120] * 500)
    out = excel_damage(values, rng).to_pylist()
    assert "3.27601E+15" in out and "3276011203850000" in out
    assert "'3276011203850007" in out and "3276014507850120.0" in out
    assert all(o != str(v) for o, v in zip(out, values, strict=True))


# ---------------------------------------------------------------------------------------------
# rates: validation and documentation


def test_error_rates_validation_lists_every_problem() -> None:
    with pytest.raises(ConfigError) as info:
        ErrorRates(typo_keyboard=1.5, nik_missing=-0.1)
    assert len(info.value.problems) == 2
    with pytest.raises(ConfigError, match="add up"):
        ErrorRates(nik_missing=0.6, nik_typo=0.6)
    assert ErrorRates(typo_ocr=0.4).scaled(3.0).typo_ocr == 1.0
    assert ErrorRates(deceased_listed=0.5).scaled(0.0).deceased_listed == 0.5


def documented_rates(text: str, *, markdown: bool) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    sources = ["dtks", "bpjs_pbi", "pkh", "lansia", "bencana"]
    for line in text.splitlines():
        if markdown:
            cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if len(cells) != 7 or cells[0] not in ERROR_NAMES:
                continue
            name, values = cells[0], cells[2:]
        else:
            parts = line.split()
            if not parts or parts[0] not in ERROR_NAMES:
                continue
            name, values = parts[0], parts[-5:]
        table[name] = {s: 0.0 if v in ("-", "–") else float(v) for s, v in zip(sources, values, strict=True)}
    return table


@pytest.mark.parametrize("where", ["docstring", "markdown"])
def test_documented_rates_match_defaults(where: str) -> None:
    if where == "docstring":
        table = documented_rates(error_model.__doc__ or "", markdown=False)
    else:
        table = documented_rates(ERROR_MODEL_MD.read_text(encoding="utf-8"), markdown=True)
    assert set(table) == set(ERROR_NAMES)
    for name, per_source in table.items():
        for source, value in per_source.items():
            assert getattr(DEFAULT_ERROR_RATES[source], name) == value, (where, name, source)
    assert set(DEFAULT_ERROR_RATES) == set(SOURCE_NAMES)


@pytest.mark.parametrize("module", [names_module, error_model, generator])
def test_docstring_examples_run(module: object) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert result.failed == 0


def test_noise_knob_scales_every_rate_and_keeps_exclusive_groups_valid() -> None:
    from dtks_link.synth.error_model import _NIK_ERRORS, DEFAULT_ERROR_RATES

    bencana = DEFAULT_ERROR_RATES["bencana"]
    tripled = bencana.scaled(3.0)
    assert tripled.typo_keyboard == pytest.approx(3 * bencana.typo_keyboard)
    nik_total = sum(getattr(tripled, name) for name in _NIK_ERRORS)
    assert nik_total == pytest.approx(1.0)
    # proportions between the exclusive NIK errors are kept
    assert tripled.nik_missing / tripled.nik_typo == pytest.approx(bencana.nik_missing / bencana.nik_typo)
    assert bencana.scaled(0.5).typo_keyboard == pytest.approx(bencana.typo_keyboard / 2)
    assert DEFAULT_ERROR_RATES["dukcapil"].scaled(3.0) == DEFAULT_ERROR_RATES["dukcapil"]


def test_generate_with_more_noise_applies_more_errors(tmp_path: Path) -> None:
    import pandas as pd

    from dtks_link.synth import generate

    counts = {}
    for noise in (0.5, 2.0):
        ds = generate(tmp_path / str(noise), residents=2_000, seed=3, sources=["dtks"], noise=noise)
        counts[noise] = len(pd.read_parquet(ds.errors_path))
    assert counts[2.0] > 2.5 * counts[0.5]
    with pytest.raises(ConfigError, match="noise"):
        generate(tmp_path / "bad", residents=100, noise=-1)
