"""The public helpers, the SQL contract, the gazetteer and the quality profile."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib

import duckdb
import pandas as pd
import pytest

import dtks_link.standardise as std
from dtks_link.errors import EngineError
from dtks_link.rules import check_flat, col, let
from dtks_link.standardise import (
    OUTPUT_COLUMNS,
    RAW_COLUMNS,
    address,
    birth_date,
    birth_year,
    is_placeholder_date,
    kelurahan,
    name,
    name_key,
    name_phonetic,
    parse_kk,
    parse_name,
    parse_nik,
    phone,
    quality_chart,
    quality_profile,
    sex,
    standardise_query,
    standardise_record,
    standardise_select_sql,
)
from dtks_link.standardise.gazetteer import (
    depok_kecamatan,
    depok_kelurahan,
    maps,
    neighbour_kecamatan,
    place_key,
)

REF = dt.date(2025, 6, 30)
MODULES = ["address", "dates", "gazetteer", "names", "nik", "phone", "quality", "sex", "sql"]


def test_package_docstring_examples_run() -> None:
    assert doctest.testmod(std).failed == 0


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module: str) -> None:
    mod = importlib.import_module(f"dtks_link.standardise.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_names_sorted_and_present() -> None:
    # isort order, as ruff keeps it: CONSTANTS, then Classes, then functions
    assert std.__all__ == sorted(std.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    for exported in std.__all__:
        assert hasattr(std, exported)


def test_parse_nik_fields() -> None:
    r = parse_nik("3276014108850003", reference_date=REF)
    assert (r.nik, r.valid, r.province_code, r.regency_code, r.district_code) == (
        "3276014108850003",
        True,
        "32",
        "76",
        "01",
    )
    assert (r.birth_date, r.sex, r.serial, r.region, r.problems) == (
        dt.date(1985, 8, 1),
        "P",
        "0003",
        "327601",
        (),
    )


def test_parse_nik_float_means_numeric_source() -> None:
    assert parse_nik(3276011708850010.0).problems == ("excel_damaged",)
    assert parse_nik(3276011708850013.0).valid
    assert parse_nik(3276011708850013).valid


def test_parse_nik_swap_checks() -> None:
    assert parse_nik("3276011205100021", no_kk="3276011205100021").problems == ("looks_like_kk",)
    assert parse_nik("3276011708850003", no_kk="3276011708850003", tanggal_lahir=dt.date(1985, 8, 17)).valid
    assert parse_kk("3276011708850003", nik="3276011708850003").problems == ()


def test_parse_kk_fields() -> None:
    r = parse_kk("3276 0112 0510 0021")
    assert (r.no_kk, r.valid, r.district_code, r.serial) == ("3276011205100021", True, "01", "0021")
    assert parse_kk(None).problems == ("missing",)


def test_name_helpers() -> None:
    assert name("HJ. SITI AMINAH, S.PD") == name("Siti Aminah") == "SITI AMINAH"
    assert name_key("HJ. SITI AMINAH, S.PD") == name_key("Siti Aminah")
    assert name_key("Soekardjo") == name_key("Sukarjo")
    assert name_key("MOCH. RIZKI") == name_key("Muhammad Rizki")
    assert name_phonetic("Zainal") == name_phonetic("Zaenal")
    assert name(None) is None and name_key("") is None
    r = parse_name("Alm. H. Ahmad bin Usman")
    assert (r.clean, r.patronym, r.deceased) == ("AHMAD", "USMAN", True)


def test_birth_date_helpers() -> None:
    assert birth_date("17 Agustus 1985") == dt.date(1985, 8, 17)
    assert birth_date(dt.date(1985, 8, 17)) == dt.date(1985, 8, 17)
    assert birth_date(dt.datetime(1985, 8, 17, 10, 0)) == dt.date(1985, 8, 17)
    assert birth_date("01-07-30", reference_date=REF) == dt.date(1930, 7, 1)
    assert birth_date("01-07-20", reference_date=REF) == dt.date(2020, 7, 1)
    assert birth_date(31276) == dt.date(1985, 8, 17)
    assert birth_year("1985") == 1985
    assert is_placeholder_date(dt.date(1970, 7, 1)) and not is_placeholder_date(None)


def test_sex_and_phone_helpers() -> None:
    assert [sex(v) for v in ("L", "Perempuan", 1, 2, "x", None)] == ["L", "P", "L", "P", None, None]
    assert phone("+62 812-3456-7890") == phone("081234567890") == "081234567890"
    assert phone(None) is None


def test_address_helpers() -> None:
    r = address("Jl. H. Terin No.5 RT 005/RW 03 Kel. Pangkalan Jati Baru Kec. Cinere")
    assert (r.street, r.house_number, r.rt, r.rw) == ("JL H TERIN", "5", 5, 3)
    assert (r.kelurahan, r.kecamatan, r.kelurahan_code, r.kecamatan_code) == (
        "PANGKALAN JATI BARU",
        "CINERE",
        "32.76.09.1004",
        "32.76.09",
    )
    assert address("Jl. Mawar", rt="3", rw="5").rt == 3
    k = kelurahan("Curug", "Bojongsari")
    assert (k.kelurahan_code, k.kecamatan_code, k.kelurahan_known) == (
        "32.76.11.1005",
        "32.76.11",
        True,
    )
    assert kelurahan("Nowhere").kelurahan_known is False
    assert kelurahan(None).kelurahan_known is None


def test_standardise_record_shape_and_defaults() -> None:
    out = standardise_record({}, reference_date=REF)
    assert list(out) == list(OUTPUT_COLUMNS)
    assert out["nik_problems"] == "missing" and out["nik_valid"] is False
    assert out["is_deceased"] is False and out["tanggal_lahir_placeholder"] is False
    assert out["kelurahan_known"] is None
    out = standardise_record({"nik": 3276011708850010.0}, reference_date=REF)
    assert out["nik_problems"] == "excel_damaged"


def _mapped(con: duckdb.DuckDBPyConnection, rows: list[dict[str, object]]) -> None:
    columns = ", ".join(f'"{c}" VARCHAR' for c in RAW_COLUMNS)
    con.execute(
        f"CREATE TABLE mapped (unique_id INTEGER, source VARCHAR, record_id VARCHAR, "
        f"{columns}, nik_numeric_source BOOLEAN)"
    )
    for i, r in enumerate(rows):
        values = [i, r.get("source", "a"), str(i), *(r.get(c) for c in RAW_COLUMNS), False]
        con.execute(f"INSERT INTO mapped VALUES ({', '.join('?' for _ in values)})", values)


@pytest.fixture(scope="module")
def standardised() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    _mapped(
        con,
        [
            {"source": "a", "nik": "3276011708850003", "nama": "Siti", "kelurahan": "Beji"},
            {"source": "a", "nik": "3.27601E+15", "nama": "Alm. Budi", "kelurahan": "Nowhere"},
            {"source": "b", "nik": None, "tanggal_lahir": "01-07-1950"},
        ],
    )
    fragment = standardise_select_sql(reference_date=REF, table_alias="m")
    con.execute(f"CREATE TABLE std AS SELECT unique_id, source, record_id, {fragment} FROM mapped m")
    return con


def test_sql_contract_columns_and_types(standardised: duckdb.DuckDBPyConnection) -> None:
    described = standardised.execute("DESCRIBE std").fetchall()
    types = {row[0]: row[1] for row in described}
    for column, sql_type in OUTPUT_COLUMNS.items():
        assert types[column] == sql_type, column


def test_sql_fragment_is_plain_and_cached() -> None:
    fragment = standardise_select_sql(reference_date=REF)
    assert fragment is standardise_select_sql(reference_date=REF)
    assert not fragment.lstrip().upper().startswith("SELECT")
    for column in OUTPUT_COLUMNS:
        assert f'AS "{column}"' in fragment
    assert len(fragment) < 1_500_000


def test_staged_query_matches_select_list(standardised: duckdb.DuckDBPyConnection) -> None:
    query = standardise_query(
        "(SELECT * FROM mapped WHERE source IS NOT NULL) AS m",
        reference_date=REF,
        select="unique_id, source, record_id",
    )
    assert query is standardise_query(
        "(SELECT * FROM mapped WHERE source IS NOT NULL) AS m",
        reference_date=REF,
        select="unique_id, source, record_id",
    )
    assert query.upper().startswith("SELECT")
    assert "'f0':" not in query  # no let_many structs left: shared values are columns
    standardised.execute(f"CREATE OR REPLACE TABLE std_staged AS {query}")
    types = {row[0]: row[1] for row in standardised.execute("DESCRIBE std_staged").fetchall()}
    assert list(types) == ["unique_id", "source", "record_id", *OUTPUT_COLUMNS]
    for column, sql_type in OUTPUT_COLUMNS.items():
        assert types[column] == sql_type, column
    for a, b in (("std", "std_staged"), ("std_staged", "std")):
        extra = standardised.execute(f"SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b}").fetchall()
        assert extra == []


def test_table_alias_is_validated() -> None:
    with pytest.raises(ValueError):
        standardise_select_sql(reference_date=REF, table_alias="m; DROP TABLE x")


def test_nested_let_is_refused() -> None:
    nested = let(col("nama"), lambda p: let(p, lambda q: q))
    with pytest.raises(ValueError):
        check_flat(nested)


def test_quality_profile(standardised: duckdb.DuckDBPyConnection) -> None:
    profile = quality_profile(standardised, "std")
    assert list(profile.columns) == ["source", "check", "description", "records", "flagged", "rate"]
    row = profile[(profile.source == "a") & (profile.check == "nik_excel_damaged")].iloc[0]
    assert (row.records, row.flagged, row.rate) == (2, 1, 0.5)
    row = profile[(profile.source == "a") & (profile.check == "kelurahan_unknown")].iloc[0]
    assert row.flagged == 1
    row = profile[(profile.source == "b") & (profile.check == "birth_date_placeholder")].iloc[0]
    assert row.flagged == 1
    assert profile[(profile.source == "a") & (profile.check == "deceased_marker")].flagged.iloc[0] == 1


def test_quality_profile_needs_source() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    with pytest.raises(EngineError):
        quality_profile(con, "t")


def test_quality_chart(standardised: duckdb.DuckDBPyConnection) -> None:
    chart = quality_chart(quality_profile(standardised, "std"))
    spec = chart.to_dict()
    assert spec["mark"]["type"] == "bar"
    assert isinstance(chart.data, pd.DataFrame)


def test_gazetteer() -> None:
    kels = depok_kelurahan()
    assert len(kels) == 63 and len(depok_kecamatan()) == 11
    assert len({k.code for k in kels}) == 63
    assert all(k.code.startswith(k.kecamatan_code) for k in kels)
    assert len(neighbour_kecamatan()) == 172
    assert place_key("Kel. Pondok-Cina") == "PONDOKCINA"
    g = maps()
    assert g.kel_by_key["PONDOKCINA"] == "32.76.06.1005"
    assert "CURUG" not in g.kel_by_key and g.ambiguous_kel_names["CURUG"] == "CURUG"
