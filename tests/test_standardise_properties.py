"""Properties of the standardisation rules, and SQL/Python agreement on random input.

* the SQL (staged query and select list) and :func:`standardise_record` give the same values
  on random and messy text (hypothesis, and a large seeded batch);
* standardising twice changes nothing (display name, name key);
* arbitrary unicode never raises in the Python path;
* a valid NIK built from parts parses back to the same parts.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.standardise import (
    OUTPUT_COLUMNS,
    RAW_COLUMNS,
    name,
    name_key,
    nik_from_parts,
    parse_kk,
    parse_nik,
    standardise_query,
    standardise_record,
    standardise_select_sql,
)
from dtks_link.standardise.family import RELATIONSHIP_WORDS, RELATIONSHIPS, family_id, relationship
from dtks_link.standardise.gazetteer import depok_kecamatan, neighbour_kecamatan

REF = dt.date(2025, 6, 30)

# Pieces the rules react to, so random text often reaches the interesting branches.
FRAGMENTS = [
    "H.",
    "Hj.",
    "Drs.",
    "Alm.",
    "Almh",
    "bin",
    "binti",
    "BT",
    ", S.Pd",
    " SE",
    "M.",
    "Moch",
    "Muhammad",
    "Abd",
    "St.",
    "Soe",
    "dj",
    "tj",
    "nj",
    "sj",
    "ch",
    "aa",
    "ll",
    "'",
    "Ibu",
    "Jl.",
    "Gg.",
    "No.",
    "#",
    "RT",
    "RW",
    "/",
    "Kel.",
    "Kec.",
    "Kota",
    "Depok",
    "Beji",
    "Pondok Cina",
    "Curug",
    "PGS",
    "Cipayung",
    "003",
    "0",
    "00",
    "12",
    "1985",
    "17",
    "08",
    "-",
    ".",
    ",",
    " ",
    "  ",
    "Agustus",
    "Agt",
    "Des",
    "E+15",
    "xx",
    "*",
    "+62",
    "08",
    "62",
    "3276",
    "0001",
    "3.0",
    "\u00a0",
    "é",
    "\u0301",
    "\t",
    "\n",
    "ß",
    "ı",
    "\u200b",
    "Ä",
    "Anak",
    "KK",
    "Kepala Keluarga",
    "Istri/Suami",
    "ke-2",
    "spouse",
    "Cucu",
    "01",
    "11",
]
MESSY = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet=string.ascii_letters + string.digits + " .,-/'", max_size=4),
    ),
    max_size=8,
).map("".join)
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
FIELD = st.one_of(st.none(), MESSY, ANY_TEXT)
RECORD = st.fixed_dictionaries(
    {c: FIELD for c in RAW_COLUMNS}, optional={"nik_numeric_source": st.booleans()}
)


@pytest.fixture(scope="module", params=["query", "select_list"])
def sql_path(request: pytest.FixtureRequest) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with a prepared standardisation over the table ``batch`` (the staged
    query, or the single select list)."""
    con = duckdb.connect()
    columns = ", ".join(f'"{c}" VARCHAR' for c in RAW_COLUMNS)
    con.execute(f"CREATE TABLE batch (i INTEGER, {columns}, nik_numeric_source BOOLEAN)")
    if request.param == "query":
        query = standardise_query("batch", reference_date=REF, select="i")
        con.execute(f"PREPARE standardise AS {query} ORDER BY i")
    else:
        fragment = standardise_select_sql(reference_date=REF)
        con.execute(f"PREPARE standardise AS SELECT i, {fragment} FROM batch ORDER BY i")
    yield con
    con.close()


def _run_sql(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    con.execute("DELETE FROM batch")
    con.executemany(
        f"INSERT INTO batch VALUES ({', '.join('?' for _ in range(len(RAW_COLUMNS) + 2))})",
        [
            [i, *(r.get(c) for c in RAW_COLUMNS), bool(r.get("nik_numeric_source"))]
            for i, r in enumerate(records)
        ],
    )
    rows = con.execute("EXECUTE standardise").fetchall()
    return [dict(zip(OUTPUT_COLUMNS, row[1:], strict=True)) for row in rows]


def _assert_same(con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> None:
    for record, sql in zip(records, _run_sql(con, records), strict=True):
        python = standardise_record(record, reference_date=REF)
        differs = {k: (sql[k], python[k]) for k in OUTPUT_COLUMNS if sql[k] != python[k]}
        assert not differs, f"{record!r}: (sql, python) {differs}"


# Records hypothesis draws below; compiling the SQL takes a second or two, so they are all
# checked against SQL in one query afterwards (no shrinking, the failing record is shown).
DRAWN: list[dict[str, Any]] = []


@settings(max_examples=150, deadline=None)
@given(records=st.lists(RECORD, min_size=1, max_size=12))
def test_random_records_standardise(records: list[dict[str, Any]]) -> None:
    for record in records:
        out = standardise_record(record, reference_date=REF)
        assert set(out) == set(OUTPUT_COLUMNS)
    DRAWN.extend(records)


def test_sql_equals_python_on_drawn_records(sql_path: duckdb.DuckDBPyConnection) -> None:
    records = DRAWN or _seeded_records(500, seed=11)
    _assert_same(sql_path, records)


def _seeded_records(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + " .,-/'#*+:()" + "éÄß\u00a0\u0301ı"

    def text() -> str | None:
        roll = rng.random()
        if roll < 0.1:
            return None
        if roll < 0.6:
            return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 6)))
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))

    return [{**{c: text() for c in RAW_COLUMNS}, "nik_numeric_source": rng.random() < 0.2} for _ in range(n)]


def test_sql_equals_python_on_seeded_batch(sql_path: duckdb.DuckDBPyConnection) -> None:
    _assert_same(sql_path, _seeded_records(3000, seed=7))


NAMEISH = st.one_of(
    MESSY,
    st.text(alphabet="ABDEHIJKLMNOSTU .,'-", max_size=20),
    ANY_TEXT,
)


@settings(max_examples=400, deadline=None)
@given(value=NAMEISH)
def test_name_is_idempotent(value: str) -> None:
    once = name(value)
    assert name(once) == once


@settings(max_examples=400, deadline=None)
@given(value=NAMEISH)
def test_name_key_is_idempotent(value: str) -> None:
    once = name_key(value)
    assert name_key(once) == once


@settings(max_examples=200, deadline=None)
@given(
    record=st.dictionaries(
        st.sampled_from([*RAW_COLUMNS, "nik_numeric_source", "other"]),
        st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.dates()),
    )
)
def test_arbitrary_values_never_raise(record: dict[str, Any]) -> None:
    out = standardise_record(record, reference_date=REF)
    assert set(out) == set(OUTPUT_COLUMNS)


REGIONS = sorted(
    {k.code.replace(".", "") for k in depok_kecamatan()}
    | {k.code.replace(".", "") for k in neighbour_kecamatan()}
)


@settings(max_examples=300, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    born=st.dates(min_value=dt.date(1925, 7, 1), max_value=REF),
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_nik_from_parts_parses_back(region: str, born: dt.date, female: bool, serial: int) -> None:
    nik = nik_from_parts(
        province=region[:2],
        regency=region[2:4],
        district=region[4:6],
        birth_date=born,
        female=female,
        serial=f"{serial:04d}",
    )
    parsed = parse_nik(nik, reference_date=REF)
    assert parsed.valid, parsed.problems
    assert (parsed.province_code, parsed.regency_code, parsed.district_code) == (
        region[:2],
        region[2:4],
        region[4:6],
    )
    assert parsed.birth_date == born
    assert parsed.sex == ("P" if female else "L")
    assert parsed.serial == f"{serial:04d}"
    assert parsed.region == region


@settings(max_examples=100, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.floats()))
def test_id_parsers_never_raise(value: object) -> None:
    assert isinstance(parse_nik(value).problems, tuple)
    assert isinstance(parse_kk(value).problems, tuple)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(MESSY, ANY_TEXT, st.sampled_from(sorted(RELATIONSHIP_WORDS))),
    sex=st.sampled_from([None, "L", "P"]),
)
def test_relationship_gives_a_label_that_reads_back_as_itself(value: str, sex: str | None) -> None:
    label = relationship(value, sex=sex)
    assert label is None or label in RELATIONSHIPS
    if label is not None:
        assert relationship(label) == label
        assert relationship(RELATIONSHIPS.index(label) + 1) == label  # its SHDK code


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(MESSY, ANY_TEXT, st.integers(min_value=0)))
def test_family_id_is_idempotent(value: object) -> None:
    once = family_id(value)
    assert once is None or (once.isascii() and once.isalnum() and once == once.upper())
    assert family_id(once) == once
