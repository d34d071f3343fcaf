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
family behind each row, the error log, and a :class:`SourceSpec` (file, format and column
mapping, read from ``extracts.toml`` beside this module) that the writer turns into the file
and its ``[[sources]]`` entry in ``config.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

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


def _load_specs() -> dict[str, SourceSpec]:
    text = resources.files(__package__).joinpath("extracts.toml").read_text(encoding="utf-8")
    specs = {name: SourceSpec(name=name, **fields) for name, fields in tomllib.loads(text).items()}
    if tuple(specs) != SOURCE_NAMES:
        raise ValueError(f"extracts.toml lists {tuple(specs)}, not {SOURCE_NAMES}")
    return specs


_SPECS = _load_specs()
"""Each source's :class:`SourceSpec`, from ``extracts.toml`` beside this module."""


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


def _welfare_band(
    pop: Population, rng: np.random.Generator, *, poor: tuple[float, float], near: tuple[float, float]
) -> B:
    """The families a programme lists: those below welfare percentile ``poor[0]`` at the rate
    ``poor[1]``, and those from there up to ``near[0]`` at ``near[1]``."""
    w = pop.welfare
    u = rng.random(pop.n_households)
    return ((w < poor[0]) & (u < poor[1])) | ((w >= poor[0]) & (w < near[0]) & (u < near[1]))


def _listed(pop: Population, candidate: B, rates: ErrorRates, rng: np.random.Generator) -> I64:
    """Candidates who are listed: the living, and the dead at ``deceased_listed``."""
    keep = candidate & (~pop.deceased | (rng.random(pop.size) < rates.deceased_listed))
    return np.nonzero(keep)[0].astype(np.int64)


def _with_duplicates(person: I64, rates: ErrorRates, rng: np.random.Generator) -> tuple[I64, B]:
    """Append a second record for a share ``duplicate`` of the listed residents."""
    dup = person[rng.random(person.size) < rates.duplicate]
    is_dup = np.r_[np.zeros(person.size, bool), np.ones(dup.size, bool)]
    return np.r_[person, dup].astype(np.int64), is_dup


@dataclass(frozen=True)
class _Rows:
    """The residents an extract lists, one per row, with the family, KK and address each row is
    listed under, and the column builders that draw from them (each one consumes ``rng``, so a
    builder calls them in its columns' order)."""

    pop: Population
    rates: ErrorRates
    rng: np.random.Generator
    log: ErrorLog
    person: I64
    household: I64
    kk: I64
    listed_kk: f.KkChoice | None  # None: the family's current KK, as the source does not track it
    addr: f.AddressChoice

    @property
    def n(self) -> int:
        return int(self.person.size)

    def nik(self) -> pa.Array:
        return f.nik_numbers(self.pop, self.person, self.kk, self.rates, self.rng, self.log)

    def kk_numbers(self) -> pa.Array:
        return f.kk_numbers(self.kk, self.rates, self.rng, self.log)

    def names(self, *, title_case: bool = False) -> pa.Array:
        return f.names(self.pop, self.person, self.rates, self.rng, self.log, title_case=title_case)

    def mother_names(self) -> pa.Array:
        return f.mother_names(self.pop, self.person, self.rates, self.rng, self.log)

    def sex(self, labels: tuple[str, str]) -> pa.Array:
        return f.sex_labels(self.pop.sex[self.person], labels)

    def birth_dates(self, style: str) -> pa.Array:
        return dates.format_dates(
            dates.birth_dates(self.pop, self.person, self.rates, self.rng, self.log), style
        )

    def birthplaces(self) -> pa.Array:
        place = self.pop.birthplace[self.person].astype(np.int64)
        return pa.array(self.pop.birthplaces).take(pa.array(place))

    def roles(self) -> pa.Array:
        """Hubungan keluarga on the KK each row is listed under."""
        assert self.listed_kk is not None
        return pa.array(RELATIONSHIPS).take(
            pa.array(f.listed_roles(self.pop, self.person, self.listed_kk.previous))
        )

    def family_ids(self) -> pa.Array:
        assert self.listed_kk is not None
        return f.family_ids(self.pop, self.household, self.listed_kk.previous)

    def street(self, *, per_family: bool = True) -> pa.Array:
        return f.street_text(self.addr, self.rng, family=self.household if per_family else None)

    def kelurahan(self) -> pa.Array:
        return f.kelurahan_names(self.addr, self.rates, self.rng, self.log)

    def kecamatan(self) -> pa.Array:
        return f.kecamatan_names(self.addr)


def _rows(
    pop: Population,
    person: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
    *,
    tracks_kk: bool = True,
) -> _Rows:
    """The rows for ``person``: the KK each is listed under (a stale one at the error rates, when
    the source ``tracks_kk``; else the current one) and the address."""
    household = pop.household[person].astype(np.int64)
    listed_kk = f.record_kk(pop, person, household, rates, rng, log) if tracks_kk else None
    kk = pop.kk[household] if listed_kk is None else listed_kk.number
    addr = f.address_choice(pop, household, rates, rng, log, listed_kk)
    return _Rows(pop, rates, rng, log, person, household, kk, listed_kk, addr)


def _listed_rows(
    pop: Population,
    candidate: B,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
    *,
    tracks_kk: bool = True,
) -> tuple[_Rows, B]:
    """The rows of a programme's list: the candidates :func:`_listed`, with duplicates (logged),
    and which rows are the duplicates."""
    person, is_dup = _with_duplicates(_listed(pop, candidate, rates, rng), rates, rng)
    log.add("duplicate", is_dup)
    log.add("deceased_listed", pop.deceased[person])
    return _rows(pop, person, rates, rng, log, tracks_kk=tracks_kk), is_dup


def _finish(
    spec: SourceSpec,
    columns: dict[str, pa.Array],
    rows: _Rows,
    order: I64 | None,
    id_values: Callable[[int], pa.Array],
) -> Extract:
    """Reorder rows by ``order`` (new -> old position; None = keep), then add the id column."""
    person, household, log = rows.person, rows.household, rows.log
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
    rows = _rows(pop, person, rates, rng, log)
    dead = pop.deceased[person]
    columns = {
        "NIK": rows.nik(),
        "NO_KK": rows.kk_numbers(),
        "NAMA_LGKP": rows.names(),
        "JENIS_KLMIN": rows.sex(("LAKI-LAKI", "PEREMPUAN")),
        "TMPT_LHR": rows.birthplaces(),
        "TGL_LHR": rows.birth_dates("dd-mm-yyyy"),
        "STAT_HBKEL": rows.roles(),
        "NAMA_LGKP_IBU": rows.mother_names(),
        "ALAMAT": rows.street(per_family=False),
        "NO_RT": f.padded(rows.addr.rt, 3),
        "NO_RW": f.padded(rows.addr.rw, 3),
        "KEL_NAME": rows.kelurahan(),
        "KEC_NAME": rows.kecamatan(),
        "KAB_NAME": _const("KOTA DEPOK", rows.n),
        "STATUS_HIDUP": pa.array(["HIDUP", "MATI"]).take(pa.array(dead.astype(np.int64))),
        "TGL_MATI": pc.if_else(
            pa.array(dead),
            dates.format_dates(np.where(dead, pop.death_date[person], REFERENCE_DATE), "dd-mm-yyyy"),
            pa.scalar(None, pa.string()),
        ),
    }
    return _finish(_SPECS["dukcapil"], columns, rows, None, lambda k: _ids("DKC", k, 8))


# ---------------------------------------------------------------------------------------------
# dtks


def dtks(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """SIKS-NG export of the poorer ~25% of families, pipe-delimited, with duplicates."""
    log = ErrorLog()
    family_in = _welfare_band(pop, rng, poor=(0.23, 0.93), near=(0.38, 0.10))
    age = pop.age()
    member_in = rng.random(pop.size) < np.where(age < 1, 0.5, 0.97)
    rows, is_dup = _listed_rows(pop, family_in[pop.household] & member_in, rates, rng, log)
    n, addr = rows.n, rows.addr
    pad = pa.array((rng.random(pop.n_households) < 0.5)[rows.household])
    columns = {
        "provinsi": _const("JAWA BARAT", n),
        "kabupaten_kota": _const("KOTA DEPOK", n),
        "kecamatan": rows.kecamatan(),
        "desa_kelurahan": rows.kelurahan(),
        "alamat": rows.street(),
        "dusun": _const("", n),
        "rt": pc.if_else(pad, f.padded(addr.rt, 3), f.padded(addr.rt, 1)),
        "rw": pc.if_else(pad, f.padded(addr.rw, 3), f.padded(addr.rw, 1)),
        "nomor_kk": rows.kk_numbers(),
        "nomor_nik": rows.nik(),
        "nama": rows.names(),
        "tanggal_lahir": rows.birth_dates("dd/mm/yyyy"),
        "tempat_lahir": rows.birthplaces(),
        "jenis_kelamin": rows.sex(("Laki-laki", "Perempuan")),
        "nama_ibu_kandung": rows.mother_names(),
        "hubungan_keluarga": _title(rows.roles()),
        "tahun_data": _const("2025", n),
        "id_keluarga": rows.family_ids(),
    }
    # export order: by kelurahan, then family; duplicates land elsewhere in their kelurahan
    family_key = rng.random(pop.n_households)[rows.household]
    family_key = np.where(is_dup, rng.random(n), family_key)
    order = np.lexsort((pop.role[rows.person], family_key, addr.kelurahan)).astype(np.int64)
    return _finish(_SPECS["dtks"], columns, rows, order, lambda k: _ids("DTKS", k, 10))


# ---------------------------------------------------------------------------------------------
# bpjs_pbi


def bpjs_pbi(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """BPJS Kesehatan PBI participants: VClaim field names, ISO dates, abbreviated names."""
    log = ErrorLog()
    family_in = _welfare_band(pop, rng, poor=(0.30, 0.85), near=(0.45, 0.2))
    member_in = rng.random(pop.size) < 0.96
    rows, _ = _listed_rows(pop, family_in[pop.household] & member_in, rates, rng, log)
    n, addr = rows.n, rows.addr
    kelurahan = rows.kelurahan()
    alamat = pc.binary_join_element_wise(
        rows.street(),
        pc.binary_join_element_wise("RT", f.padded(addr.rt, 3), " "),
        pc.binary_join_element_wise("RW", f.padded(addr.rw, 3), " "),
        pc.binary_join_element_wise("KEL.", kelurahan, " "),
        pc.binary_join_element_wise("KEC.", rows.kecamatan(), " "),
        " ",
    )
    role = pop.role[rows.person]
    pisa = np.select([role == ROLE_HEAD, role == ROLE_SPOUSE, role == ROLE_CHILD], [1, 2, 3], 5)
    apbd = rng.random(pop.n_households)[rows.household] < 0.3
    columns = {
        "nik": rows.nik(),
        "nomorkk": rows.kk_numbers(),
        "nama": rows.names(),
        "sex": rows.sex(("L", "P")),
        "tglLahir": rows.birth_dates("iso"),
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

    return _finish(_SPECS["bpjs_pbi"], columns, rows, order, card_numbers)


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
    rows, _ = _listed_rows(pop, candidate, rates, rng, log)
    n, addr = rows.n, rows.addr
    programme = rng.random(n)
    columns = {
        "NIK_PENGURUS": rows.nik(),
        "NO_KK": rows.kk_numbers(),
        "NAMA_PENGURUS": rows.names(),
        "ALAMAT": rows.street(),
        "RT": f.padded(addr.rt, 2),
        "RW": f.padded(addr.rw, 2),
        "KELURAHAN": rows.kelurahan(),
        "KECAMATAN": rows.kecamatan(),
        "NO_HP": f.phones(pop, rows.person, rng, 0.7),
        "JENIS_BANSOS": pa.array(
            np.select([programme < 0.45, programme < 0.75], ["PKH, BPNT", "BPNT"], "PKH").astype(object)
        ),
        "TAHAP": _const("TAHAP 2 2025", n),
        "ID_KELUARGA_DTKS": pc.if_else(
            pa.array(rng.random(n) < 0.9),
            rows.family_ids(),
            pa.scalar(None, pa.string()),
        ),
    }
    order = np.lexsort((rng.random(n), addr.kelurahan)).astype(np.int64)
    return _finish(_SPECS["pkh"], columns, rows, order, lambda k: _ids("KPM", k, 9))


# ---------------------------------------------------------------------------------------------
# lansia


def lansia(pop: Population, rates: ErrorRates, rng: np.random.Generator) -> Extract:
    """Elderly register (60+): title-case names with titles, Indonesian long dates."""
    log = ErrorLog()
    age = pop.age()
    poorer = pop.welfare[pop.household] < 0.5
    candidate = (age >= 60) & (rng.random(pop.size) < np.where(poorer, 0.6, 0.12))
    rows, _ = _listed_rows(pop, candidate, rates, rng, log, tracks_kk=False)
    columns = {
        "NIK": rows.nik(),
        "NAMA": rows.names(title_case=True),
        "JK": rows.sex(("L", "P")),
        "TEMPAT_LAHIR": _title(rows.birthplaces()),
        "TANGGAL_LAHIR": rows.birth_dates("indonesian"),
        "ALAMAT": _title(rows.street()),
        "RT": f.padded(rows.addr.rt, 1),
        "RW": f.padded(rows.addr.rw, 1),
        "KELURAHAN": _title(rows.kelurahan()),
        "KECAMATAN": _title(rows.kecamatan()),
    }
    order = np.lexsort((rng.random(rows.n), rows.addr.kelurahan)).astype(np.int64)
    return _finish(_SPECS["lansia"], columns, rows, order, lambda k: _ids("LNS", k, 7))


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
    rows, _ = _listed_rows(pop, family_in[pop.household], rates, rng, log, tracks_kk=False)
    n, addr = rows.n, rows.addr
    short = rng.random(n) < 0.5
    rt_rw = pc.if_else(
        pa.array(short),
        pc.binary_join_element_wise("RT ", f.padded(addr.rt, 2), "/", f.padded(addr.rw, 2), ""),
        pc.binary_join_element_wise("RT ", f.padded(addr.rt, 1), " RW ", f.padded(addr.rw, 1), ""),
    )
    alamat = pc.binary_join_element_wise(
        rows.street(),
        rt_rw,
        pc.binary_join_element_wise("KEL.", rows.kelurahan(), " "),
        " ",
    )
    condition = rng.choice(
        np.array(["MENGUNGSI", "RUMAH TERENDAM", "RUMAH RUSAK RINGAN", "LUKA RINGAN"], object), n
    )
    columns = {
        "NAMA": rows.names(title_case=True),
        "JENIS_KELAMIN": rows.sex(("L", "P")),
        "UMUR": pa.array(dates.ages(pop, rows.person, rates, rng, log)),
        "NIK": rows.nik(),
        "ALAMAT": _title(alamat),
        "NO_HP": f.phones(pop, rows.person, rng, 0.4),
        "KONDISI": _title(pa.array(condition, pa.string())),
    }
    order = np.lexsort((rng.random(n), addr.kelurahan)).astype(np.int64)
    return _finish(_SPECS["bencana"], columns, rows, order, lambda k: _ids("BCN-", k, 6))


BUILDERS: dict[str, Callable[[Population, ErrorRates, np.random.Generator], Extract]] = {
    "dukcapil": dukcapil,
    "dtks": dtks,
    "bpjs_pbi": bpjs_pbi,
    "pkh": pkh,
    "lansia": lansia,
    "bencana": bencana,
}
"""Builder per source name, in :data:`SOURCE_NAMES` order."""
