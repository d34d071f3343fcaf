"""Comparison levels, level by level, with literal left and right values.

Every case is checked twice: the level's SQL condition run by DuckDB (as Splink runs it), and
its Python twin (as the registry's real-time scorer runs it). Both must name the expected level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.comparisons import COMPARISONS, ComparisonSpec

D = dt.date
TYPES = {
    "birth_date": "DATE",
    "birth_year": "INTEGER",
    "rt": "INTEGER",
    "rw": "INTEGER",
    "birth_year_from_age": "BOOLEAN",
    "birth_date_placeholder": "BOOLEAN",
    "nik_typo_keys": "VARCHAR[]",
    "nik_holders": "INTEGER",
    "tanggal_lahir": "DATE",
    "birth_date_from_nik": "BOOLEAN",
    "sex_from_nik": "BOOLEAN",
    "nik_valid": "BOOLEAN",
    "nik_dob_mismatch": "BOOLEAN",
    "nik_sex_mismatch": "BOOLEAN",
}

NIK_A = "3276014107850001"

CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    # NIK
    ("nik", {"nik": None}, {"nik": NIK_A}, "Null"),
    (
        "nik",
        {"nik": None, "nik_prefix": "327601410785"},
        {"nik": NIK_A},
        "Excel-damaged, surviving digits agree",
    ),
    (
        "nik",
        {"nik": None, "nik_prefix": "327601410785"},
        {"nik": None, "nik_prefix": "327601410785"},
        "Excel-damaged, surviving digits agree",
    ),
    (
        "nik",
        {"nik": None, "nik_prefix": "320102410785"},
        {"nik": NIK_A, "nik_valid": True},
        "Other NIK, one invalid or contradicting its record",
    ),
    ("nik", {"nik": NIK_A}, {"nik": NIK_A}, "Exact NIK"),
    ("nik", {"nik": NIK_A, "nik_holders": 2}, {"nik": NIK_A, "nik_holders": 2}, "Exact NIK"),
    (
        "nik",
        {"nik": NIK_A, "nik_holders": 5},
        {"nik": NIK_A, "nik_holders": None},
        "Exact NIK shared by 3+ names",
    ),
    ("nik", {"nik": NIK_A}, {"nik": "3276014107850002"}, "One typo or transposition"),
    ("nik", {"nik": NIK_A}, {"nik": "3276014107850010"}, "One typo or transposition"),
    ("nik", {"nik": NIK_A}, {"nik": "3276014107850123"}, "Same region and birth, other serial"),
    (
        "nik",
        {"nik": NIK_A, "nik_valid": True},
        {"nik": "3201024107850001", "nik_valid": True},
        "All other comparisons",
    ),
    (
        "nik",
        {"nik": NIK_A, "nik_valid": True},
        {"nik": "3201024107850001", "nik_valid": False},
        "Other NIK, one invalid or contradicting its record",
    ),
    (
        "nik",
        {"nik": NIK_A, "nik_valid": True, "nik_dob_mismatch": True},
        {"nik": "3201024107850001", "nik_valid": True},
        "Other NIK, one invalid or contradicting its record",
    ),
    # a borrowed NIK: the head's NIK on the carer's record (names clearly disagree)
    (
        "nik",
        {"nik": NIK_A, "nama_key": "SITIAMINAH", "nama_tokens_key": "SITI AMINAH"},
        {"nik": NIK_A, "nama_key": "BUDISANTOSO", "nama_tokens_key": "BUDI SANTOSO"},
        "Exact NIK, another person (name, birth date or sex disagree)",
    ),
    # ... or birth date and sex disagree
    (
        "nik",
        {"nik": NIK_A, "tanggal_lahir": D(1960, 2, 2), "jenis_kelamin": "L"},
        {"nik": NIK_A, "tanggal_lahir": D(1990, 7, 7), "jenis_kelamin": "P"},
        "Exact NIK, another person (name, birth date or sex disagree)",
    ),
    # one disagreeing fact alone is a typo; names apart but the own birth dates agree: one person
    (
        "nik",
        {"nik": NIK_A, "tanggal_lahir": D(1960, 2, 2), "nama_key": "BUDI", "nama_tokens_key": "BUDI"},
        {"nik": NIK_A, "tanggal_lahir": D(1990, 7, 7), "nama_key": "BUDI", "nama_tokens_key": "BUDI"},
        "Exact NIK",
    ),
    (
        "nik",
        {"nik": NIK_A, "tanggal_lahir": D(1960, 2, 2), "nama_key": "SITI", "nama_tokens_key": "SITI"},
        {"nik": NIK_A, "tanggal_lahir": D(1960, 2, 2), "nama_key": "IIN", "nama_tokens_key": "IIN"},
        "Exact NIK",
    ),
    # pseudonymised NIKs: keyed hashes of the one-typo neighbours share exactly one key
    (
        "nik",
        {"nik": "9f1c2e7a0b3d4c5e", "nik_typo_keys": ["a1", "b2", "c3"]},
        {"nik": "0d4e6f8a9b1c2d3e", "nik_typo_keys": ["x9", "b2", "y8"]},
        "One typo or transposition",
    ),
    (
        "nik",
        {"nik": "9f1c2e7a0b3d4c5e", "nik_typo_keys": ["a1", "b2"]},
        {"nik": "9f1c2e7a0b3d4c5f", "nik_typo_keys": ["x9", "y8"]},
        "Same region and birth, other serial",
    ),
    # name
    ("nama", {"nama_key": None}, {"nama_key": "SITIAMINAH"}, "Null"),
    (
        "nama",
        {"nama_key": "AHMAD", "nama_clean": "AHMAD", "nama_patronym": "SALIM", "nama_tokens_key": "AHMAD"},
        {"nama_key": "AHMAD", "nama_clean": "AHMAD", "nama_patronym": "YUSUF", "nama_tokens_key": "AHMAD"},
        "Equal name key, other father (bin/binti)",
    ),
    (
        "nama",
        {"nama_key": "AHMAD", "nama_clean": "AHMAD", "nama_patronym": "SALIM", "nama_tokens_key": "AHMAD"},
        {"nama_key": "AHMAD", "nama_clean": "AHMAD", "nama_patronym": None, "nama_tokens_key": "AHMAD"},
        "Exact name",
    ),
    (
        "nama",
        {"nama_key": "SITIAMINAH", "nama_clean": "SITI AMINAH", "nama_tokens_key": "SITI AMINAH"},
        {"nama_key": "SITIAMINAH", "nama_clean": "SITI AMINAH", "nama_tokens_key": "SITI AMINAH"},
        "Exact name",
    ),
    (
        "nama",
        {"nama_key": "SUKARJO", "nama_clean": "SOEKARDJO", "nama_tokens_key": "SUKARJO"},
        {"nama_key": "SUKARJO", "nama_clean": "SUKARJO", "nama_tokens_key": "SUKARJO"},
        "Equal name key",
    ),
    (
        "nama",
        {"nama_key": "SITIAMINAH", "nama_clean": "SITI AMINAH", "nama_tokens_key": "SITI AMINAH"},
        {"nama_key": "SITIAMINA", "nama_clean": "SITI AMINA", "nama_tokens_key": "SITI AMINA"},
        "Key JW >= 0.95",
    ),
    (
        "nama",
        {"nama_key": "RINAWATI", "nama_clean": "RINA WATI", "nama_tokens_key": "RINA WATI"},
        {"nama_key": "WATIRINA", "nama_clean": "WATI RINA", "nama_tokens_key": "WATI RINA"},
        "Token subset",
    ),
    (
        "nama",
        {"nama_key": "DEWILESTARI", "nama_clean": "DEWI LESTARI", "nama_tokens_key": "DEWI LESTARI"},
        {"nama_key": "LESTARI", "nama_clean": "LESTARI", "nama_tokens_key": "LESTARI"},
        "Token subset",
    ),
    (
        "nama",
        {"nama_key": "BUDISANTOSO", "nama_clean": "BUDI SANTOSO", "nama_tokens_key": "BUDI SANTOSO"},
        {"nama_key": "BUDISANTOSA", "nama_clean": "BUDI SANTOSA", "nama_tokens_key": "BUDI SANTOSA"},
        "Key JW >= 0.95",
    ),
    (
        "nama",
        {"nama_key": "AGUSSETIAWAN", "nama_clean": "AGUS SETIAWAN", "nama_tokens_key": "AGUS SETIAWAN"},
        {"nama_key": "AGUSSETIADI", "nama_clean": "AGUS SETIADI", "nama_tokens_key": "AGUS SETIADI"},
        "Key JW >= 0.88",
    ),
    (
        "nama",
        {"nama_key": "TRIM", "nama_clean": "TRI M", "nama_tokens_key": "TRI M"},
        {"nama_key": "TRIMULYANI", "nama_clean": "TRI MULYANI", "nama_tokens_key": "TRI MULYANI"},
        "Key JW >= 0.88",  # the key's shared prefix already makes them close
    ),
    (
        "nama",
        {"nama_key": "NURH", "nama_clean": "NUR H", "nama_tokens_key": "NUR H"},
        {
            "nama_key": "NURHIDAYATULAH",
            "nama_clean": "NUR HIDAYATULLAH",
            "nama_tokens_key": "NUR HIDAYATULAH",
        },
        "First token and initial",
    ),
    (
        "nama",
        {"nama_key": "SITIAMINAH", "nama_clean": "SITI AMINAH", "nama_tokens_key": "SITI AMINAH"},
        {"nama_key": "SITIRAHAYU", "nama_clean": "SITI RAHAYU", "nama_tokens_key": "SITI RAHAYU"},
        "Key JW >= 0.75",
    ),
    (
        "nama",
        {"nama_key": "BUDI", "nama_clean": "BUDI", "nama_tokens_key": "BUDI"},
        {"nama_key": "FATIMAH", "nama_clean": "FATIMAH", "nama_tokens_key": "FATIMAH"},
        "All other comparisons",
    ),
    (
        "nama",
        {"nama_key": "HARYJTOMAS", "nama_clean": "HARY J TOMAS", "nama_tokens_key": "HARY J TOMAS"},
        {
            "nama_key": "HAROLJAMESTOMAS",
            "nama_clean": "HAROLD JAMES TOMAS",
            "nama_tokens_key": "HAROLD JAMES TOMAS",
        },
        "Other first name, same middle initial and family name",
    ),
    (
        "nama",
        {"nama_key": "BENYAMINCALEN", "nama_clean": "BENJAMIN C ALLEN", "nama_tokens_key": "BENYAMIN C ALEN"},
        {
            "nama_key": "BENYAMINKHRISTOFERALEN",
            "nama_clean": "BENJAMIN CHRISTOPHER ALLEN",
            "nama_tokens_key": "BENYAMIN KHRISTOFER ALEN",
        },
        "First token and initial",  # C is CHRISTOPHER's initial, though the key folds CH to KH
    ),
    (
        "nama",
        {"nama_key": "CALEN", "nama_clean": "C ALLEN", "nama_tokens_key": "C ALEN"},
        {"nama_key": "KHRISALEN", "nama_clean": "CHRIS ALLEN", "nama_tokens_key": "KHRIS ALEN"},
        "All other comparisons",  # an initial, not another given name
    ),
    (
        "nama",
        {"nama_key": "JOHNCOXON", "nama_clean": "JOHN COXON", "nama_tokens_key": "JOHN COXON"},
        {"nama_key": "COXNYONH", "nama_clean": "COXN JONH", "nama_tokens_key": "COXN JONH"},
        "First and last words swapped",
    ),
    # birth date
    ("tanggal_lahir", {"birth_date": None, "birth_year": None}, {"birth_date": D(1985, 8, 12)}, "Null"),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        "Exact date",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 7, 1), "birth_year": 1985, "birth_date_placeholder": True},
        {"birth_date": D(1985, 7, 1), "birth_year": 1985, "birth_date_placeholder": True},
        "Exact placeholder date",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1985, 12, 8), "birth_year": 1985},
        "Day and month swapped",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1986, 8, 12), "birth_year": 1986},
        "One component different",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": None, "birth_year": 1986, "birth_year_from_age": True},
        "Age-based year within 1",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": None, "birth_year": 1988, "birth_year_from_age": True},
        "Age-based year within 3",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1986, 3, 1), "birth_year": 1986},
        "Year within 1",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1982, 3, 1), "birth_year": 1982},
        "Year within 3",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1985, 8, 12), "birth_year": 1985},
        {"birth_date": D(1960, 3, 1), "birth_year": 1960},
        "All other comparisons",
    ),
    (
        "nama",
        {"nama_key": "DIANAPKOFRON", "nama_tokens_key": "DIANA P KOFRON"},
        {"nama_key": "ANNAAKOFRON", "nama_tokens_key": "ANNA A KOFRON"},
        "Other given name, same family name",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1970, 3, 12), "birth_year": 1970, "birth_date_from_nik": True, "nik": NIK_A},
        {"birth_date": D(1970, 3, 12), "birth_year": 1970, "nik": NIK_A},
        "Date read from the NIK both records share",
    ),
    (
        "tanggal_lahir",
        {"birth_date": D(1970, 3, 12), "birth_year": 1970, "birth_date_from_nik": True},
        {"birth_date": D(1990, 1, 8), "birth_year": 1990},
        "Other date, one read from the NIK",
    ),
    (
        "tanggal_lahir",
        {"birth_date": None, "birth_year": 1970, "birth_year_from_age": True},
        {"birth_date": D(1960, 1, 8), "birth_year": 1960},
        "Age-based year, further apart",
    ),
    (
        "id_lain",
        {"id_lain": "4086030", "nama_key": "SITIAMINAH", "nama_tokens_key": "SITI AMINAH"},
        {"id_lain": "4086030", "nama_key": "BUDISANTOSO", "nama_tokens_key": "BUDI SANTOSO"},
        "Exact other identifier, another person (name, birth date or sex disagree)",
    ),
    # sex, phone
    ("sex", {"sex": "L"}, {"sex": None}, "Null"),
    ("sex", {"sex": "P"}, {"sex": "P"}, "Exact sex"),
    ("sex", {"sex": "P"}, {"sex": "L"}, "All other comparisons"),
    ("sex", {"sex": "P", "sex_from_nik": True}, {"sex": "L"}, "Other sex, one read from the NIK"),
    ("telepon", {"telepon": "081234567890"}, {"telepon": "081234567890"}, "Exact phone"),
    ("telepon", {"telepon": None}, {"telepon": "081234567890"}, "Null"),
    # residence: KK, kelurahan/RT/RW, street line, postcode as one comparison
    ("alamat", {"kelurahan_code": None, "kecamatan_code": None}, {"kelurahan_code": "32.76.01.1001"}, "Null"),
    ("alamat", {"no_kk": "3276010101090001"}, {"kelurahan_code": "32.76.01.1001"}, "Null"),
    (
        "alamat",
        {"no_kk": "3276010101090001", "kelurahan_code": "32.76.01.1001", "rt": 3, "rw": 5},
        {"no_kk": "3276010101090001", "kelurahan_code": "32.76.01.1001", "rt": 3, "rw": 5},
        "Same KK and address",
    ),
    (
        "alamat",
        {"no_kk": "3276010101090001", "street": "JL MAWAR", "house_number": "5"},
        {"no_kk": "3276010101090001", "street": "JL MAWAR", "house_number": "5"},
        "Same KK and address",
    ),
    ("alamat", {"no_kk": "3276010101090001"}, {"no_kk": "3276010101090001"}, "Same KK"),
    (
        "alamat",
        {
            "street": "54 TWIN BROOK WAY",
            "nama_key": "SUSIEBLAKE",
            "nama_clean": "SUSIE B LAKE",
            "nama_tokens_key": "SUSIE B LAKE",
        },
        {
            "street": "54 TWIN BROOK WAY",
            "nama_key": "LISAMLAKE",
            "nama_clean": "LISA M LAKE",
            "nama_tokens_key": "LISA M LAKE",
        },
        "One household, another given name of one family",
    ),
    (
        "alamat",
        {
            "no_kk": "3276010101090001",
            "nama_key": "DEWILESTARI",
            "nama_clean": "DEWI LESTARI",
            "nama_tokens_key": "DEWI LESTARI",
        },
        {
            "no_kk": "3276010101090001",
            "nama_key": "RINALESTARI",
            "nama_clean": "RINA LESTARI",
            "nama_tokens_key": "RINA LESTARI",
        },
        "One household, another given name of one family",
    ),
    (
        "alamat",  # a nickname keeping the middle initial: one person's name, not two members'
        {
            "street": "54 TWIN BROOK WAY",
            "nama_key": "HARYJTOMAS",
            "nama_clean": "HARY J TOMAS",
            "nama_tokens_key": "HARY J TOMAS",
        },
        {
            "street": "54 TWIN BROOK WAY",
            "nama_key": "HAROLJAMESTOMAS",
            "nama_clean": "HAROLD JAMES TOMAS",
            "nama_tokens_key": "HAROLD JAMES TOMAS",
        },
        "Same street and house number",
    ),
    (
        "alamat",
        {"no_kk": "3276010101090001", "street": "JL MARGONDA RAYA", "house_number": "100"},
        {"no_kk": "3276010202150003", "street": "JL MARGONDA RAYA", "house_number": "100"},
        "Same street and house number",
    ),
    (
        "alamat",
        {"street": "42 MIAMBA STREET WOORINGA VILLAGE"},
        {"street": "42 MIAMBA STREET WOORINGA VILLAGE"},
        "Same street and house number",
    ),
    (
        "alamat",
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": 3, "rw": 5},
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": 3, "rw": 5},
        "Same kelurahan, RT, RW",
    ),
    (
        "alamat",
        {"street": "JL MARGONDA RAYA", "house_number": "100"},
        {"street": "JL MARGONDA RAYA", "house_number": None},
        "Same street",
    ),
    (
        "alamat",
        {"street": "42 MIAMBA STREET WOORINGA VILLAGE"},
        {"street": "42 MIAMBA STREET WOORINGA VILAGE"},
        "Street JW >= 0.92",
    ),
    ("alamat", {"street": "JL MARGONDA RAYA"}, {"street": "JL MARGA JAYA"}, "Street JW >= 0.92"),
    (
        "alamat",
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": 3, "rw": 5},
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": 4, "rw": 5},
        "Same kelurahan, RW",
    ),
    (
        "alamat",
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": 3, "rw": 5},
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01", "rt": None, "rw": None},
        "Same kelurahan",
    ),
    (
        "alamat",
        {"kode_pos": "16424", "street": "A ST"},
        {"kode_pos": "16424", "street": "B RD"},
        "Same postcode",
    ),
    ("alamat", {"street": "JL MARGONDA RAYA"}, {"street": "JALAN MARGONDA"}, "Street JW >= 0.8"),
    (
        "alamat",
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01"},
        {"kelurahan_code": None, "kecamatan_code": "32.76.01"},
        "Same kecamatan",
    ),
    (
        "alamat",
        {"kelurahan_code": "32.76.01.1001", "kecamatan_code": "32.76.01"},
        {"kelurahan_code": "32.76.02.1001", "kecamatan_code": "32.76.02"},
        "All other comparisons",
    ),
    ("alamat", {"street": "JL MARGONDA RAYA"}, {"street": "GG H ASAN"}, "All other comparisons"),
    # mother, birthplace
    ("nama_ibu_key", {"nama_ibu_key": "SITIAMINAH"}, {"nama_ibu_key": "SITIAMINAH"}, "Exact mother's name"),
    ("nama_ibu_key", {"nama_ibu_key": "SITIAMINAH"}, {"nama_ibu_key": "SITIAMINA"}, "JW >= 0.88"),
    ("nama_ibu_key", {"nama_ibu_key": "SITIAMINAH"}, {"nama_ibu_key": "RUKAYAH"}, "All other comparisons"),
    ("tempat_lahir", {"tempat_lahir": "JAKARTA"}, {"tempat_lahir": "JAKARTA"}, "Exact place of birth"),
    ("tempat_lahir", {"tempat_lahir": "JAKARTA"}, {"tempat_lahir": "JAKARATA"}, "JW >= 0.9"),
    ("tempat_lahir", {"tempat_lahir": "JAKARTA"}, {"tempat_lahir": "BOGOR"}, "All other comparisons"),
    # generic identifier and postcode
    ("id_lain", {"id_lain": "4086030"}, {"id_lain": "4086030"}, "Exact other identifier"),
    ("id_lain", {"id_lain": "4086030"}, {"id_lain": "4086300"}, "One typo or transposition"),
    ("id_lain", {"id_lain": "4086030"}, {"id_lain": "4081130"}, "Two typos"),
    ("id_lain", {"id_lain": "4086030"}, {"id_lain": "7280622"}, "All other comparisons"),
    ("id_lain", {"id_lain": None}, {"id_lain": "4086030"}, "Null"),
    ("nama_ibu_key", {"nama_ibu_key": None}, {"nama_ibu_key": "RUKAYAH"}, "Null"),
    ("tempat_lahir", {"tempat_lahir": "BOGOR"}, {"tempat_lahir": None}, "Null"),
]


def _sql_level(spec: ComparisonSpec, left: dict[str, Any], right: dict[str, Any]) -> str:
    """The label of the level DuckDB picks for one pair, from the levels' SQL conditions."""
    columns = sorted(spec.uses)
    con = duckdb.connect()
    defs = ", ".join(f'"{c}_{side}" {TYPES.get(c, "VARCHAR")}' for c in columns for side in "lr")
    con.execute(f"CREATE TABLE pair ({defs})")
    values = [row.get(c) for c in columns for row in (left, right)]
    con.execute(f"INSERT INTO pair VALUES ({', '.join('?' for _ in values)})", values)
    whens = " ".join(
        f"WHEN ({level.sql}) THEN {i}" for i, level in enumerate(spec.levels) if level.sql != "ELSE"
    )
    index = con.execute(f"SELECT CASE {whens} ELSE {len(spec.levels) - 1} END FROM pair").fetchall()[0][0]
    return spec.levels[int(index)].label


@pytest.mark.parametrize(
    ("name", "left", "right", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[3]}:{i}" for i, c in enumerate(CASES)],
)
def test_level(name: str, left: dict[str, Any], right: dict[str, Any], expected: str) -> None:
    spec = COMPARISONS[name]
    python_level = spec.levels[spec.level_of(left, right)].label
    assert python_level == expected
    assert _sql_level(spec, left, right) == expected
    # every comparison is symmetric
    assert spec.levels[spec.level_of(right, left)].label == expected


def test_every_level_of_every_comparison_has_a_case() -> None:
    covered = {(name, label) for name, _, _, label in CASES}
    missing = [
        (name, level.label)
        for name, spec in COMPARISONS.items()
        for level in spec.levels
        if (name, level.label) not in covered and name not in {"telepon"}
    ]
    assert not missing, missing


def test_docstrings_list_the_levels() -> None:
    """Each comparison's docstring (the string after its assignment) says ``Levels:`` and
    lists as many levels, separated by semicolons, as the comparison has."""
    import ast
    import importlib
    import inspect
    import itertools

    specs: dict[str, ComparisonSpec] = {}
    docs: dict[str, str] = {}
    for part in ("identifiers", "person", "residence"):
        module = importlib.import_module(f"dtks_link.comparisons.{part}")
        body = ast.parse(inspect.getsource(module)).body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.Assign)
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
                and isinstance(getattr(module, statement.targets[0].id), ComparisonSpec)
            ):
                name = statement.targets[0].id
                docs[name] = following.value.value
                specs[name] = getattr(module, name)
    assert {spec.name for spec in specs.values()} == set(COMPARISONS)
    for name, spec in specs.items():
        doc = " ".join(docs[name].split())
        assert "Levels:" in doc, name
        listed = doc.split("Levels:", 1)[1].rstrip(".").split(";")
        assert len(listed) == len(spec.levels), (name, listed)


_NAMES = st.sampled_from(["SITI AMINAH", "SITI AMINA", "AMINAH SITI", "TRI M", "TRI MULYANI", "BUDI", None])
_DATES = st.one_of(st.none(), st.dates(min_value=D(1940, 1, 1), max_value=D(2020, 12, 31)))


@settings(max_examples=150, deadline=None)
@given(
    a_name=_NAMES,
    b_name=_NAMES,
    a_date=_DATES,
    b_date=_DATES,
    a_nik=st.sampled_from([NIK_A, "3276014107850002", "3276014107850123", None]),
    b_nik=st.sampled_from([NIK_A, "3201024107850001", None]),
)
def test_levels_are_symmetric(
    a_name: str | None,
    b_name: str | None,
    a_date: dt.date | None,
    b_date: dt.date | None,
    a_nik: str | None,
    b_nik: str | None,
) -> None:
    def row(name: str | None, date: dt.date | None, nik: str | None) -> dict[str, Any]:
        return {
            "nama_key": None if name is None else name.replace(" ", ""),
            "nama_clean": name,
            "nama_tokens_key": name,
            "birth_date": date,
            "birth_year": None if date is None else date.year,
            "nik": nik,
        }

    left, right = row(a_name, a_date, a_nik), row(b_name, b_date, b_nik)
    for spec in COMPARISONS.values():
        assert spec.level_of(left, right) == spec.level_of(right, left), spec.name
