"""The six departmental extracts: who each one lists, and in which real-world shape.

=========  ==================  ===============================================================
source     file                who is listed, and how
=========  ==================  ===============================================================
dukcapil   dukcapil.csv        every resident, once, clean (SIAK column names, DD-MM-YYYY);
                               residents who died in the last two years are marked MATI
dtks       dtks.txt (``|``)    all members of the poorer ~25% of residents (family welfare
                               percentile < 0.23 at 93%, 0.23–0.38 at 10%); SIKS-NG export columns
                               (domain.md §6.1), DD/MM/YYYY; duplicates inside the source
bpjs_pbi   bpjs_pbi.parquet    members of the poorer ~30% of families (PBI APBN/APBD); VClaim
                               field names (noKartu, nik, nama, sex, tglLahir ISO); names
                               abbreviated ("TRI M"); address as one line of text
pkh        pkh.csv (``;``)     one row per family (KPM) for the poorest ~12% of families with a
                               child under 18 or a member aged 60+: the carer (pengurus: the
                               wife, else the head), the KK, address; Excel-touched NIKs
lansia     lansia.csv          residents aged 60+ (60% of the poorer half, 12% of the rest);
                               names in title case with many titles, birth date written
                               "17 Agustus 1945", many placeholder dates
bencana    bencana.xlsx        flood victims in 5 riverside kelurahan (4 RWs each, 70% of KKs):
                               name, L/P, age (umur) instead of birth date, address as free text,
                               NIK often missing
=========  ==================  ===============================================================

Each builder returns an :class:`Extract`: the Arrow table in file order, the resident and
family behind each row, the error log, and a :class:`SourceSpec` that the writer turns into the
file and its ``[[sources]]`` entry in ``config.toml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.synth import dates
from dtks_link.synth import fields as f
from dtks_link.synth.codes import (
    FEMALE,
    REFERENCE_DATE,
    RELATIONSHIPS,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_SPOUSE,
)
from dtks_link.synth.error_model import ErrorLog, ErrorRates
from dtks_link.synth.population import Population
from dtks_link.synth.regions import load_wilayah

__all__ = ["BUILDERS", "SOURCE_NAMES", "Extract", "SourceSpec"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

SOURCE_NAMES: tuple[str, ...] = ("dukcapil", "dtks", "bpjs_pbi", "pkh", "lansia", "bencana")


@dataclass(frozen=True, kw_only=True)
class SourceSpec:
    """How an extract is stored and how its columns map to canonical fields."""

    name: str
    file_name: str
    file_format: str  # "csv", "parquet" or "xlsx"
    id_column: str
    columns: dict[str, str]  # canonical field -> column name
    delimiter: str | None = None
    encoding: str | None = None
    quoting: str = "needed"  # pyarrow quoting style for delimited text
    duplicate_free: bool = False
    sheet: str | None = None
    programme: str | None = None  # the aid programme the source lists
    pays_per_family: bool = False  # the programme pays once per family (KPM)


@dataclass(frozen=True, kw_only=True)
class Extract:
    """One built extract, rows in file order."""

    spec: SourceSpec
    table: pa.Table
    person: I64  # resident index (true_id) per row
    household: I64  # family (KK) index per row
    log: ErrorLog = field(repr=False)

    @property
    def record_ids(self) -> pa.Array:
        return self.table.column(self.spec.id_column).combine_chunks()


# ---------------------------------------------------------------------------------------------
# helpers


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    seq = f.padded(np.arange(1, n + 1, dtype=np.int64), width)
    return pc.binary_join_element_wise(prefix, seq, "")


def _const(value: str, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, pa.string()), n)


def _listed(pop: Population, candidate: B, rates: ErrorRates, rng: np.random.Generator) -> I64:
    """Candidates who are listed: the living, and the dead at ``deceased_listed``."""
    keep = candidate & (~pop.deceased | (rng.random(pop.size) < rates.deceased_listed))
    return np.nonzero(keep)[0].astype(np.int64)


def _with_duplicates(person: I64, rates: ErrorRates, rng: np.random.Generator) -> tuple[I64, B]:
    """Append a second record for a share ``duplicate`` of the listed residents."""
    dup = person[rng.random(person.size) < rates.duplicate]
    is_dup = np.r_[np.zeros(person.size, bool), np.ones(dup.size, bool)]
    return np.r_[person, dup].astype(np.int64), is_dup


def _finish(
    spec: SourceSpec,
    columns: dict[str, pa.Array],
    person: I64,
    household: I64,
    order: I64 | None,
    id_values: Callable[[int], pa.Array],
    log: ErrorLog,
) -> Extract:
    """Reorder rows by ``order`` (new -> old position; None = keep), then add the id column."""
    if order is None:
        table = pa.table(columns)
    else:
        take = pa.array(order)
        table = pa.table({name: col.take(take) for name, col in columns.items()})
        new_position = np.empty_like(order)
        new_position[order] = np.arange(order.size)
        log.remap(new_position)
        person, household = person[order], household[order]
    table = table.add_column(0, spec.id_column, id_values(table.num_rows))
    return Extract(spec=spec, table=table, person=person, household=household, log=log)


def _title(arr: pa.Array) -> pa.Array:
    return pc.utf8_title(arr)


# ---------------------------------------------------------------------------------------------
# dukcapil


def dukcapil(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """Every resident once, ordered by kelurahan and KK, clean unless rates say otherwise."""
    log = ErrorLog()
    # SIAK order: by kelurahan, then KK, head first
    person = np.lexsort((pop.role, pop.household, pop.kelurahan[pop.household])).astype(np.int64)
    household = pop.household[person].astype(np.int64)
    listed = f.record_kk(pop, person, household, rates, rng, log)
    kk = listed.number
    addr = f.address_choice(pop, household, rates, rng, log, listed)
    n = person.size
    dead = pop.deceased[person]
    columns = {
        "NIK": f.nik_numbers(pop, person, kk, rates, rng, log),
        "NO_KK": f.kk_numbers(kk, rates, rng, log),
        "NAMA_LGKP": f.names(pop, person, rates, rng, log),
        "JENIS_KLMIN": f.sex_labels(pop.sex[person], ("LAKI-LAKI", "PEREMPUAN")),
        "TMPT_LHR": pa.array(pop.birthplaces).take(pa.array(pop.birthplace[person].astype(np.int64))),
        "TGL_LHR": dates.format_dates(dates.birth_dates(pop, person, rates, rng, log), "dd-mm-yyyy"),
        "STAT_HBKEL": pa.array(RELATIONSHIPS).take(pa.array(f.listed_roles(pop, person, listed.previous))),
        "NAMA_LGKP_IBU": f.mother_names(pop, person, rates, rng, log),
        "ALAMAT": f.street_text(addr, rng),
        "NO_RT": f.padded(addr.rt, 3),
        "NO_RW": f.padded(addr.rw, 3),
        "KEL_NAME": f.kelurahan_names(addr, rates, rng, log),
        "KEC_NAME": f.kecamatan_names(addr),
        "KAB_NAME": _const("KOTA DEPOK", n),
        "STATUS_HIDUP": pa.array(["HIDUP", "MATI"]).take(pa.array(dead.astype(np.int64))),
        "TGL_MATI": pc.if_else(
            pa.array(dead),
            dates.format_dates(np.where(dead, pop.death_date[person], REFERENCE_DATE), "dd-mm-yyyy"),
            pa.scalar(None, pa.string()),
        ),
    }
    spec = SourceSpec(
        name="dukcapil",
        file_name="dukcapil.csv",
        file_format="csv",
        id_column="ID",
        delimiter=",",
        encoding="utf-8",
        duplicate_free=True,
        columns={
            "nik": "NIK",
            "no_kk": "NO_KK",
            "nama": "NAMA_LGKP",
            "tempat_lahir": "TMPT_LHR",
            "tanggal_lahir": "TGL_LHR",
            "jenis_kelamin": "JENIS_KLMIN",
            "alamat": "ALAMAT",
            "rt": "NO_RT",
            "rw": "NO_RW",
            "kelurahan": "KEL_NAME",
            "kecamatan": "KEC_NAME",
            "kabupaten_kota": "KAB_NAME",
            "nama_ibu_kandung": "NAMA_LGKP_IBU",
            "hubungan_keluarga": "STAT_HBKEL",
        },
    )
    return _finish(spec, columns, person, household, None, lambda k: _ids("DKC", k, 8), log)


# ---------------------------------------------------------------------------------------------
# dtks


def dtks(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """SIKS-NG export of the poorer ~25% of families, pipe-delimited, with duplicates."""
    log = ErrorLog()
    w = pop.welfare
    u = rng.random(pop.n_households)
    family_in = ((w < 0.23) & (u < 0.93)) | ((w >= 0.23) & (w < 0.38) & (u < 0.10))
    age = pop.age()
    member_in = rng.random(pop.size) < np.where(age < 1, 0.5, 0.97)
    listed = _listed(pop, family_in[pop.household] & member_in, rates, rng)
    person, is_dup = _with_duplicates(listed, rates, rng)
    household = pop.household[person].astype(np.int64)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    n = person.size
    listed_kk = f.record_kk(pop, person, household, rates, rng, log)
    kk = listed_kk.number
    addr = f.address_choice(pop, household, rates, rng, log, listed_kk)
    pad = (rng.random(pop.n_households) < 0.5)[household]
    rt = pc.if_else(pa.array(pad), f.padded(addr.rt, 3), f.padded(addr.rt, 1))
    rw = pc.if_else(pa.array(pad), f.padded(addr.rw, 3), f.padded(addr.rw, 1))
    columns = {
        "provinsi": _const("JAWA BARAT", n),
        "kabupaten_kota": _const("KOTA DEPOK", n),
        "kecamatan": f.kecamatan_names(addr),
        "desa_kelurahan": f.kelurahan_names(addr, rates, rng, log),
        "alamat": f.street_text(addr, rng, family=household),
        "dusun": _const("", n),
        "rt": rt,
        "rw": rw,
        "nomor_kk": f.kk_numbers(kk, rates, rng, log),
        "nomor_nik": f.nik_numbers(pop, person, kk, rates, rng, log),
        "nama": f.names(pop, person, rates, rng, log),
        "tanggal_lahir": dates.format_dates(dates.birth_dates(pop, person, rates, rng, log), "dd/mm/yyyy"),
        "tempat_lahir": pa.array(pop.birthplaces).take(pa.array(pop.birthplace[person].astype(np.int64))),
        "jenis_kelamin": f.sex_labels(pop.sex[person], ("Laki-laki", "Perempuan")),
        "nama_ibu_kandung": f.mother_names(pop, person, rates, rng, log),
        "hubungan_keluarga": _title(
            pa.array(RELATIONSHIPS).take(pa.array(f.listed_roles(pop, person, listed_kk.previous)))
        ),
        "tahun_data": _const("2025", n),
        "id_keluarga": f.family_ids(pop, household, listed_kk.previous),
    }
    # export order: by kelurahan, then family; duplicates land elsewhere in their kelurahan
    family_key = rng.random(pop.n_households)[household]
    family_key = np.where(is_dup, rng.random(n), family_key)
    order = np.lexsort((pop.role[person], family_key, addr.kelurahan)).astype(np.int64)
    spec = SourceSpec(
        name="dtks",
        file_name="dtks.txt",
        file_format="csv",
        id_column="iddtks",
        delimiter="|",
        encoding="utf-8",
        quoting="none",
        columns={
            "nik": "nomor_nik",
            "no_kk": "nomor_kk",
            "nama": "nama",
            "tanggal_lahir": "tanggal_lahir",
            "tempat_lahir": "tempat_lahir",
            "jenis_kelamin": "jenis_kelamin",
            "nama_ibu_kandung": "nama_ibu_kandung",
            "alamat": "alamat",
            "rt": "rt",
            "rw": "rw",
            "kelurahan": "desa_kelurahan",
            "kecamatan": "kecamatan",
            "kabupaten_kota": "kabupaten_kota",
            "hubungan_keluarga": "hubungan_keluarga",
            "id_keluarga": "id_keluarga",
        },
    )
    return _finish(spec, columns, person, household, order, lambda k: _ids("DTKS", k, 10), log)


# ---------------------------------------------------------------------------------------------
# bpjs_pbi


def bpjs_pbi(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """BPJS Kesehatan PBI participants: VClaim field names, ISO dates, abbreviated names."""
    log = ErrorLog()
    w = pop.welfare
    u = rng.random(pop.n_households)
    family_in = ((w < 0.30) & (u < 0.85)) | ((w >= 0.30) & (w < 0.45) & (u < 0.2))
    member_in = rng.random(pop.size) < 0.96
    listed = _listed(pop, family_in[pop.household] & member_in, rates, rng)
    person, is_dup = _with_duplicates(listed, rates, rng)
    household = pop.household[person].astype(np.int64)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    n = person.size
    listed_kk = f.record_kk(pop, person, household, rates, rng, log)
    kk = listed_kk.number
    addr = f.address_choice(pop, household, rates, rng, log, listed_kk)
    kelurahan = f.kelurahan_names(addr, rates, rng, log)
    alamat = pc.binary_join_element_wise(
        f.street_text(addr, rng, family=household),
        pc.binary_join_element_wise("RT", f.padded(addr.rt, 3), " "),
        pc.binary_join_element_wise("RW", f.padded(addr.rw, 3), " "),
        pc.binary_join_element_wise("KEL.", kelurahan, " "),
        pc.binary_join_element_wise("KEC.", f.kecamatan_names(addr), " "),
        " ",
    )
    role = pop.role[person]
    pisa = np.select([role == ROLE_HEAD, role == ROLE_SPOUSE, role == ROLE_CHILD], [1, 2, 3], 5)
    apbd = rng.random(pop.n_households)[household] < 0.3
    columns = {
        "nik": f.nik_numbers(pop, person, kk, rates, rng, log),
        "nomorkk": f.kk_numbers(kk, rates, rng, log),
        "nama": f.names(pop, person, rates, rng, log),
        "sex": f.sex_labels(pop.sex[person], ("L", "P")),
        "tglLahir": dates.format_dates(dates.birth_dates(pop, person, rates, rng, log), "iso"),
        "pisa": pc.cast(pa.array(pisa.astype(np.int64)), pa.string()),
        "jenisPeserta": pa.array(["PBI APBN", "PBI APBD"]).take(pa.array(apbd.astype(np.int64))),
        "statusPeserta": _const("AKTIF", n),
        "alamat": alamat,
    }
    order = rng.permutation(n).astype(np.int64)

    def card_numbers(k: int) -> pa.Array:
        # 13 digits, "0001…"; unique because each sits in its own block of 7
        numbers = 1_000_000_000 + np.arange(k, dtype=np.int64) * 7 + rng.integers(0, 7, k)
        return f.padded(numbers, 13)

    spec = SourceSpec(
        name="bpjs_pbi",
        file_name="bpjs_pbi.parquet",
        file_format="parquet",
        id_column="noKartu",
        columns={
            "nik": "nik",
            "no_kk": "nomorkk",
            "nama": "nama",
            "jenis_kelamin": "sex",
            "tanggal_lahir": "tglLahir",
            "alamat": "alamat",
        },
        programme="PBI JK",
    )
    return _finish(spec, columns, person, household, order, card_numbers, log)


# ---------------------------------------------------------------------------------------------
# pkh


def pkh(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """PKH/BPNT recipient families (KPM): the carer's NIK and name, the KK, the address."""
    log = ErrorLog()
    age = pop.age()
    h = pop.n_households
    has_child = np.bincount(pop.household, weights=(age < 18), minlength=h) > 0
    has_elder = np.bincount(pop.household, weights=(age >= 60), minlength=h) > 0
    family_in = (pop.welfare < 0.12) & (has_child | has_elder) & (rng.random(h) < 0.8)
    # the carer: the wife if there is one, otherwise the head
    carer = pop.head.astype(np.int64).copy()
    spouse_rows = np.nonzero((pop.role == ROLE_SPOUSE) & (pop.sex == FEMALE))[0]
    carer[pop.household[spouse_rows]] = spouse_rows
    candidate = np.zeros(pop.size, dtype=bool)
    candidate[carer[family_in]] = True
    listed = _listed(pop, candidate, rates, rng)
    person, is_dup = _with_duplicates(listed, rates, rng)
    household = pop.household[person].astype(np.int64)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    n = person.size
    listed_kk = f.record_kk(pop, person, household, rates, rng, log)
    kk = listed_kk.number
    addr = f.address_choice(pop, household, rates, rng, log, listed_kk)
    programme = rng.random(n)
    columns = {
        "NIK_PENGURUS": f.nik_numbers(pop, person, kk, rates, rng, log),
        "NO_KK": f.kk_numbers(kk, rates, rng, log),
        "NAMA_PENGURUS": f.names(pop, person, rates, rng, log),
        "ALAMAT": f.street_text(addr, rng, family=household),
        "RT": f.padded(addr.rt, 2),
        "RW": f.padded(addr.rw, 2),
        "KELURAHAN": f.kelurahan_names(addr, rates, rng, log),
        "KECAMATAN": f.kecamatan_names(addr),
        "NO_HP": f.phones(pop, person, rng, 0.7),
        "JENIS_BANSOS": pa.array(
            np.select([programme < 0.45, programme < 0.75], ["PKH, BPNT", "BPNT"], "PKH").astype(object)
        ),
        "TAHAP": _const("TAHAP 2 2025", n),
        "ID_KELUARGA_DTKS": pc.if_else(
            pa.array(rng.random(n) < 0.9),
            f.family_ids(pop, household, listed_kk.previous),
            pa.scalar(None, pa.string()),
        ),
    }
    order = np.lexsort((rng.random(n), addr.kelurahan)).astype(np.int64)
    spec = SourceSpec(
        name="pkh",
        file_name="pkh.csv",
        file_format="csv",
        id_column="NO_PESERTA",
        delimiter=";",
        encoding="utf-8",
        quoting="none",
        columns={
            "nik": "NIK_PENGURUS",
            "no_kk": "NO_KK",
            "nama": "NAMA_PENGURUS",
            "alamat": "ALAMAT",
            "rt": "RT",
            "rw": "RW",
            "kelurahan": "KELURAHAN",
            "kecamatan": "KECAMATAN",
            "telepon": "NO_HP",
            "id_keluarga": "ID_KELUARGA_DTKS",
        },
        programme="PKH/BPNT",
        pays_per_family=True,
    )
    return _finish(spec, columns, person, household, order, lambda k: _ids("KPM", k, 9), log)


# ---------------------------------------------------------------------------------------------
# lansia


def lansia(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """Elderly register (60+): title-case names with titles, Indonesian long dates."""
    log = ErrorLog()
    age = pop.age()
    poorer = pop.welfare[pop.household] < 0.5
    candidate = (age >= 60) & (rng.random(pop.size) < np.where(poorer, 0.6, 0.12))
    listed = _listed(pop, candidate, rates, rng)
    person, is_dup = _with_duplicates(listed, rates, rng)
    household = pop.household[person].astype(np.int64)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    n = person.size
    kk = pop.kk[household]
    addr = f.address_choice(pop, household, rates, rng, log)
    columns = {
        "NIK": f.nik_numbers(pop, person, kk, rates, rng, log),
        "NAMA": f.names(pop, person, rates, rng, log, title_case=True),
        "JK": f.sex_labels(pop.sex[person], ("L", "P")),
        "TEMPAT_LAHIR": _title(
            pa.array(pop.birthplaces).take(pa.array(pop.birthplace[person].astype(np.int64)))
        ),
        "TANGGAL_LAHIR": dates.format_dates(dates.birth_dates(pop, person, rates, rng, log), "indonesian"),
        "ALAMAT": _title(f.street_text(addr, rng, family=household)),
        "RT": f.padded(addr.rt, 1),
        "RW": f.padded(addr.rw, 1),
        "KELURAHAN": _title(f.kelurahan_names(addr, rates, rng, log)),
        "KECAMATAN": _title(f.kecamatan_names(addr)),
    }
    order = np.lexsort((rng.random(n), addr.kelurahan)).astype(np.int64)
    spec = SourceSpec(
        name="lansia",
        file_name="lansia.csv",
        file_format="csv",
        id_column="ID",
        delimiter=",",
        encoding="utf-8",
        columns={
            "nik": "NIK",
            "nama": "NAMA",
            "jenis_kelamin": "JK",
            "tempat_lahir": "TEMPAT_LAHIR",
            "tanggal_lahir": "TANGGAL_LAHIR",
            "alamat": "ALAMAT",
            "rt": "RT",
            "rw": "RW",
            "kelurahan": "KELURAHAN",
            "kecamatan": "KECAMATAN",
        },
    )
    return _finish(spec, columns, person, household, order, lambda k: _ids("LNS", k, 7), log)


# ---------------------------------------------------------------------------------------------
# bencana

_FLOOD_PRONE = (
    "PONDOK CINA",
    "KEMIRI MUKA",
    "TUGU",
    "PASIR GUNUNG SELATAN",
    "KALIBARU",
    "KALIMULYA",
    "PANGKALAN JATI",
    "GANDUL",
    "DEPOK",
    "RATU JAYA",
)


def bencana(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """Flood-victim list from disaster posts: sparse, age instead of birth date, free address."""
    log = ErrorLog()
    w = load_wilayah()
    flood_kel = np.array([w.kelurahan.index(k) for k in _FLOOD_PRONE])
    hit_kel = rng.choice(flood_kel, size=5, replace=False)
    affected = np.zeros((w.size, int(pop.rw.max(initial=1)) + 1), dtype=bool)
    for k in hit_kel:  # four riverside RWs per kelurahan (every kelurahan has RW 1-8)
        affected[k, rng.choice(np.arange(1, 9), size=4, replace=False)] = True
    family_in = affected[pop.kelurahan, pop.rw] & (rng.random(pop.n_households) < 0.7)
    candidate = family_in[pop.household]
    listed = _listed(pop, candidate, rates, rng)
    person, is_dup = _with_duplicates(listed, rates, rng)
    household = pop.household[person].astype(np.int64)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    n = person.size
    kk = pop.kk[household]
    addr = f.address_choice(pop, household, rates, rng, log)
    short = rng.random(n) < 0.5
    rt_rw = pc.if_else(
        pa.array(short),
        pc.binary_join_element_wise("RT ", f.padded(addr.rt, 2), "/", f.padded(addr.rw, 2), ""),
        pc.binary_join_element_wise("RT ", f.padded(addr.rt, 1), " RW ", f.padded(addr.rw, 1), ""),
    )
    alamat = pc.binary_join_element_wise(
        f.street_text(addr, rng, family=household),
        rt_rw,
        pc.binary_join_element_wise("KEL.", f.kelurahan_names(addr, rates, rng, log), " "),
        " ",
    )
    condition = rng.choice(
        np.array(["MENGUNGSI", "RUMAH TERENDAM", "RUMAH RUSAK RINGAN", "LUKA RINGAN"], object), n
    )
    columns = {
        "NAMA": f.names(pop, person, rates, rng, log, title_case=True),
        "JENIS_KELAMIN": f.sex_labels(pop.sex[person], ("L", "P")),
        "UMUR": pa.array(dates.ages(pop, person, rates, rng, log)),
        "NIK": f.nik_numbers(pop, person, kk, rates, rng, log),
        "ALAMAT": _title(alamat),
        "NO_HP": f.phones(pop, person, rng, 0.4),
        "KONDISI": _title(pa.array(condition, pa.string())),
    }
    order = np.lexsort((rng.random(n), addr.kelurahan)).astype(np.int64)
    spec = SourceSpec(
        name="bencana",
        file_name="bencana.xlsx",
        file_format="xlsx",
        id_column="ID_KORBAN",
        sheet="Data Korban",
        columns={
            "nama": "NAMA",
            "jenis_kelamin": "JENIS_KELAMIN",
            "umur": "UMUR",
            "nik": "NIK",
            "alamat": "ALAMAT",
            "telepon": "NO_HP",
        },
    )
    return _finish(spec, columns, person, household, order, lambda k: _ids("BCN-", k, 6), log)


BUILDERS: dict[str, Callable[[Population, ErrorRates, np.random.Generator], Extract]] = {
    "dukcapil": dukcapil,
    "dtks": dtks,
    "bpjs_pbi": bpjs_pbi,
    "pkh": pkh,
    "lansia": lansia,
    "bencana": bencana,
}
"""Builder per source name, in :data:`SOURCE_NAMES` order."""
