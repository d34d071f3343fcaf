"""Blocking rules: keys agree between SQL and Python, rules reach what they claim, and the
recall report counts pairs as computed by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link.backends.duckdb import as_engine
from dtks_link.blocking import (
    _RULES,
    LEGACY_RULES,
    KeyPart,
    blocking_report,
    default_blocking_rules,
    rules_in_settings,
)

RULES = (*_RULES, *LEGACY_RULES)

TYPES = {"birth_date": "DATE", "birth_year": "INTEGER", "rt": "INTEGER", "rw": "INTEGER"}
COLUMNS = sorted({c for rule in RULES for c in rule.columns})

_TOKEN = st.text(alphabet="ABCDEHIKMNRSTU", min_size=1, max_size=6)
_RECORD = st.fixed_dictionaries(
    {
        "nik": st.one_of(st.none(), st.from_regex(r"32760[0-9]{11}", fullmatch=True)),
        "nama_key": st.one_of(st.none(), _TOKEN),
        "nama_tokens_key": st.one_of(st.none(), st.lists(_TOKEN, min_size=1, max_size=4).map(" ".join)),
        "nama_phonetic": st.one_of(st.none(), _TOKEN),
        "birth_date": st.one_of(st.none(), st.dates(dt.date(1930, 1, 1), dt.date(2024, 12, 31))),
        "birth_year": st.one_of(st.none(), st.integers(1900, 2030)),
        "kelurahan_code": st.one_of(st.none(), st.sampled_from(["32.76.01.1001", "32.76.06.1002"])),
        "rt": st.one_of(st.none(), st.integers(1, 20)),
        "rw": st.one_of(st.none(), st.integers(1, 15)),
        "no_kk": st.one_of(st.none(), st.from_regex(r"32760[0-9]{11}", fullmatch=True)),
        "id_lain": st.one_of(st.none(), st.from_regex(r"[0-9A-Z]{4,9}", fullmatch=True)),
        "kode_pos": st.one_of(st.none(), st.from_regex(r"[0-9]{4,5}", fullmatch=True)),
        "street": st.one_of(st.none(), st.lists(_TOKEN, min_size=1, max_size=3).map(" ".join)),
        "house_number": st.one_of(st.none(), st.sampled_from(["1", "12", "12A", "100"])),
    }
)


def _table(records: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t (unique_id VARCHAR, source VARCHAR, source_duplicate_free BOOLEAN, "
        + ", ".join(f'"{c}" {TYPES.get(c, "VARCHAR")}' for c in COLUMNS)
        + ")"
    )
    for i, record in enumerate(records):
        values = [f"s|{i}", record.get("source", "s"), record.get("duplicate_free", False)]
        values += [record.get(c) for c in COLUMNS]
        con.execute(f"INSERT INTO t VALUES ({', '.join('?' for _ in values)})", values)
    return con


@settings(max_examples=60, deadline=None)
@given(st.lists(_RECORD, min_size=1, max_size=5))
def test_python_keys_equal_sql_keys(records: list[dict[str, Any]]) -> None:
    """The registry's lookup index builds keys in Python; batch linking builds them in SQL."""
    con = _table(records)
    for rule in RULES:
        sql_keys = [
            row[0] for row in con.execute(f"SELECT {rule.key_sql('t')} FROM t ORDER BY rowid").fetchall()
        ]
        assert sql_keys == [rule.key(r) for r in records], rule.name


@settings(max_examples=60, deadline=None)
@given(_RECORD, _RECORD)
def test_equal_keys_are_exactly_the_pairs_the_rule_admits(a: dict[str, Any], b: dict[str, Any]) -> None:
    con = _table([a, b])
    for rule in RULES:
        admitted = con.execute(
            f"SELECT count(*) FROM t l JOIN t r ON l.unique_id = 's|0' AND r.unique_id = 's|1' "
            f"WHERE {rule.condition}"
        ).fetchall()[0][0]
        key_a, key_b = rule.key(a), rule.key(b)
        assert bool(admitted) == (key_a is not None and key_a == key_b), rule.name


@pytest.mark.parametrize(
    ("part", "value", "expected"),
    [
        (KeyPart("nama_tokens_key", "first_token"), "SITI AMINAH", "SITI"),
        (KeyPart("nama_tokens_key", "last_token"), "SITI AMINAH", "AMINAH"),
        (KeyPart("nama_tokens_key", "min_token"), "SITI AMINAH", "AMINAH"),
        (KeyPart("nama_tokens_key", "max_token"), "AMINAH SITI", "SITI"),
        (KeyPart("nama_key", "prefix", 3), "SITIAMINAH", "SIT"),
        (KeyPart("id_lain", "sorted_chars"), "4086300", "0003468"),
        (KeyPart("birth_year", "bucket", 4, 0), 1985, "496"),
        (KeyPart("birth_year", "bucket", 4, 2), 1985, "496"),
        (KeyPart("birth_year", "bucket", 4, 2), 1986, "497"),
        (KeyPart("birth_date"), dt.date(1985, 8, 12), "1985-08-12"),
        (KeyPart("nama_key"), None, None),
        (KeyPart("rt", "optional"), 3, "3"),
        (KeyPart("kelurahan_code", "optional"), None, ""),
    ],
)
def test_key_parts(part: KeyPart, value: object, expected: str | None) -> None:
    assert part.text(value) == expected


def test_two_offset_windows_reach_every_pair_of_years_at_most_two_apart() -> None:
    a, b = KeyPart("birth_year", "bucket", 4, 0), KeyPart("birth_year", "bucket", 4, 2)
    for year in range(1900, 2030):
        for other in range(year - 2, year + 3):
            assert a.text(year) == a.text(other) or b.text(year) == b.text(other), (year, other)


def test_unknown_key_part_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown key part kind"):
        KeyPart("nama_key", "soundex")


def test_default_rules_need_their_columns() -> None:
    names = {r.name for r in default_blocking_rules({"nama_key", "birth_year", "birth_date"})}
    # the kelurahan is optional: without it, the name key within birth years still blocks
    assert names == {"name_key_years_kelurahan_a", "name_key_years_kelurahan_b", "birth_date_initial"}
    assert default_blocking_rules(set()) == []
    generic = {r.name for r in default_blocking_rules({"id_lain", "kode_pos", "nama_tokens_key"})}
    assert {"other_identifier", "other_identifier_anagram", "postcode_min_token"} <= generic


def test_blocking_report_counts_pairs_by_hand() -> None:
    records = [
        {"nik": "3276014107850001", "nama_key": "SITI", "birth_year": 1985, "true": "a"},
        {"nik": "3276014107850001", "nama_key": "SITI", "birth_year": 1985, "true": "a"},
        {"nik": None, "nama_key": "SITI", "birth_year": 1986, "true": "a"},
        {"nik": None, "nama_key": "BUDI", "birth_year": 1960, "true": "b"},
        {"nik": None, "nama_key": "BUDY", "birth_year": 1960, "true": "b"},
    ]
    con = _table(records)
    con.execute("ALTER TABLE t ADD COLUMN true_id VARCHAR")
    for i, record in enumerate(records):
        con.execute("UPDATE t SET true_id = ? WHERE unique_id = ?", [record["true"], f"s|{i}"])
    rules = [
        r for r in RULES if r.name in ("nik", "name_key_years_kelurahan_a", "name_key_years_kelurahan_b")
    ]
    report = blocking_report(as_engine(con), "t", rules, truth_column="true_id")
    # nik: (0,1). years_a (buckets of 4 from 1984): 0,1,2 share SITI/496 -> (0,2), (1,2) new.
    # years_b: nothing new. BUDI/BUDY never meet.
    assert report.comparisons == (1, 2, 0)
    assert report.total_comparisons == 3
    assert report.true_pairs == 4  # three SITI pairs and one BUDI pair
    assert report.true_pairs_reached == 3
    assert report.pair_recall == pytest.approx(0.75)
    assert report.comparisons_per_record == pytest.approx(3 / 5)


def test_duplicate_free_source_pairs_are_never_candidates() -> None:
    records = [
        {"nik": "3276014107850001", "source": "dukcapil", "duplicate_free": True},
        {"nik": "3276014107850001", "source": "dukcapil", "duplicate_free": True},
    ]
    con = _table(records)
    con.execute("UPDATE t SET unique_id = source || '|' || unique_id")
    rule = next(r for r in RULES if r.name == "nik")
    assert blocking_report(as_engine(con), "t", [rule]).total_comparisons == 0


def test_optional_geography_bounds_the_block_only_where_records_have_it() -> None:
    """Name key within birth years: records in different kelurahan are not paired, records
    without a kelurahan pair with each other (data without Depok geography still blocks)."""
    rule = next(r for r in RULES if r.name == "name_key_years_kelurahan_a")
    base = {"nama_key": "SITIAMINAH", "birth_year": 1985}
    records = [
        {**base, "kelurahan_code": "32.76.01.1001"},
        {**base, "kelurahan_code": "32.76.01.1001"},
        {**base, "kelurahan_code": "32.76.06.1002"},
        {**base},
        {**base},
    ]
    con = _table(records)
    pairs = con.execute(
        f"SELECT l.unique_id, r.unique_id FROM t l JOIN t r ON {rule.condition} "
        "AND l.unique_id < r.unique_id ORDER BY 1, 2"
    ).fetchall()
    assert pairs == [("s|0", "s|1"), ("s|3", "s|4")]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("KHARLOTE BISHOP", "KHARLOTUTE BISHDOP"),  # both words mistyped (FEBRL)
        ("JUSTYN S MERIL", "JUSTIN SHADMAN MERIL"),  # first name mistyped beside a middle initial
    ],
)
def test_names_mistyped_in_every_word_block_on_the_birth_date(left: str, right: str) -> None:
    from dtks_link.standardise.names import parse_name

    born = dt.date(1942, 1, 31)
    records = []
    for text in (left, right, "BUDI SANTOSO"):
        parsed = parse_name(text)
        records.append({"nama_key": parsed.key, "nama_tokens_key": parsed.tokens_key, "birth_date": born})
    report = blocking_report(as_engine(_table(records)), "t", default_blocking_rules(COLUMNS))
    assert report.total_comparisons == 1  # the two spellings, not BUDI SANTOSO born that day


def test_rules_of_saved_models_are_recognised_old_and_new() -> None:
    old = next(r for r in LEGACY_RULES if r.name == "name_key_years_a")
    new = next(r for r in _RULES if r.name == "nik")
    settings = {"blocking_rules_to_generate_predictions": [{"blocking_rule": old.sql}, new.sql]}
    assert [r.name for r in rules_in_settings(settings)] == ["nik", "name_key_years_a"]


def test_no_default_rule_is_a_legacy_rule() -> None:
    assert not {r.sql for r in _RULES} & {r.sql for r in LEGACY_RULES}
    assert len({r.name for r in RULES}) == len(RULES)
