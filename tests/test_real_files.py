"""Real files in without glue code: RFC 4180 quoting wherever the first quoted field is, fields
mapped from several columns, per-field date formats, tiny files, and the warning for a column
mapped to the wrong field."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from dtks_link import ConfigError, LinkConfig, SourceConfig, SourceError, load_config
from dtks_link.backends import connect
from dtks_link.errors import MappingWarning
from dtks_link.formats import java_pattern
from dtks_link.sources import load_sources


def _load(*sources: SourceConfig) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    con = connect()
    loaded = load_sources(con, list(sources))
    mapped = con.execute("SELECT * FROM mapped ORDER BY source, row_number").df()
    quarantine = con.execute("SELECT * FROM quarantine ORDER BY source, row_number").df()
    return loaded, mapped, quarantine


def _config_problems(tmp_path: Path, text: str) -> str:
    """The problems ``load_config`` reports for a config ``text``, one a line."""
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "c.toml")
    return "\n".join(info.value.problems)


def _values(frame: pd.DataFrame, column: str) -> list[object]:
    return [None if pd.isna(v) else v for v in frame[column]]


# -- quoting -------------------------------------------------------------------------------------
def test_first_quoted_field_after_30000_rows_is_read(tmp_path: Path) -> None:
    """DuckDB's sniffer samples 20,480 rows; a quoted address at row 30,001 must still read."""
    path = tmp_path / "late.csv"
    lines = ["ID,NAMA,ALAMAT"] + [f"{i},ANI {i},JL A NO {i}" for i in range(1, 30_001)]
    lines.append('30001,BUDI,"JL. MARGONDA, RT 1"')
    lines.append('30002,"CICI ""CI"" SARI","GG. H, RW 2"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded, mapped, quarantine = _load(
        SourceConfig(name="late", path=path, id_column="ID", columns={"nama": "NAMA", "alamat": "ALAMAT"})
    )
    assert quarantine.empty
    assert loaded.rows_accepted["late"] == 30_002
    tail = mapped.tail(2)
    assert _values(tail, "alamat") == ["JL. MARGONDA, RT 1", "GG. H, RW 2"]
    assert _values(tail, "nama") == ["BUDI", 'CICI "CI" SARI']


def test_quoted_newlines_and_a_malformed_row_after_them(tmp_path: Path) -> None:
    path = tmp_path / "nl.csv"
    path.write_text(
        'ID,NAMA,ALAMAT\n1,"SITI\nAMINAH","JL. A\r\nRT 1"\n2,BUDI,JL B,EXTRA\n3,CICI,"JL, C"\n',
        encoding="utf-8",
    )
    _, mapped, quarantine = _load(
        SourceConfig(name="nl", path=path, id_column="ID", columns={"nama": "NAMA", "alamat": "ALAMAT"})
    )
    assert _values(mapped, "nama") == ["SITI\nAMINAH", "CICI"]
    assert _values(mapped, "alamat") == ["JL. A\r\nRT 1", "JL, C"]
    assert list(mapped["row_number"]) == [1, 3]
    assert list(quarantine["row_number"]) == [2]
    assert "too many columns" in quarantine["reason"][0]


@pytest.mark.parametrize(
    ("content", "options", "expected"),
    [
        (
            'ID;NAMA\n1;"ANI \\"SRI\\" W"\n2;"BUDI; S"\n',
            {"delimiter": ";", "escape": "\\"},
            ['ANI "SRI" W', "BUDI; S"],
        ),
        ('ID|NAMA\n1|"ANI\n2|BUDI"\n', {"delimiter": "|", "quote": ""}, ['"ANI', 'BUDI"']),
        ("ID,NAMA\n1,'ANI, SRI'\n", {"quote": "'", "escape": "'"}, ["ANI, SRI"]),
    ],
    ids=["backslash escape", "no quoting", "single quotes"],
)
def test_quote_and_escape_keys(
    tmp_path: Path, content: str, options: dict[str, str], expected: list[str]
) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text(content, encoding="utf-8")
    _, mapped, quarantine = _load(
        SourceConfig(name="q", path=path, id_column="ID", columns={"nama": "NAMA"}, **options)
    )
    assert quarantine.empty
    assert _values(mapped, "nama") == expected


@pytest.mark.parametrize("at", [2, 25_001], ids=["within the sniffer's sample", "after it"])
def test_a_quote_that_never_closes_fails_clearly_and_quote_off_reads_every_row(
    tmp_path: Path, at: int
) -> None:
    """RFC 4180 would read every line after an unclosed quote as one value: no row may vanish."""
    rows = [f"{i},ANI {i},x" for i in range(1, 25_010)]
    rows[at - 1] = f'{at},"BUDI,y'
    path = tmp_path / "open.csv"
    path.write_text("ID,NAMA,X\n" + "\n".join(rows) + "\n", encoding="utf-8")
    columns = {"nama": "NAMA"}
    with pytest.raises(SourceError) as info:
        _load(SourceConfig(name="open", path=path, id_column="ID", columns=columns))
    message = str(info.value)
    assert "'open'" in message and 'quote = ""' in message
    if at > 20_480:
        assert f"row {at}" in message
    loaded, mapped, _ = _load(SourceConfig(name="open", path=path, id_column="ID", columns=columns, quote=""))
    assert loaded.rows_accepted["open"] == len(rows)
    assert _values(mapped, "nama")[at - 1] == '"BUDI'


def test_quote_and_escape_from_toml(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text(
        '[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "ID"\nquote = "\'"\nescape = "\\\\"\n'
        '[sources.columns]\nnama = "N"\n',
        encoding="utf-8",
    )
    source = load_config(tmp_path / "c.toml").sources[0]
    assert (source.csv_quote, source.csv_escape) == ("'", "\\")
    default = SourceConfig(name="d", path=tmp_path / "d.csv", id_column="ID", columns={"nama": "N"})
    assert (default.csv_quote, default.csv_escape) == ('"', '"')


# -- tiny inputs -----------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [1, 2])
@pytest.mark.parametrize("delimiter", [None, ",", ";", "|"])
def test_tiny_csv_files_read(tmp_path: Path, rows: int, delimiter: str | None) -> None:
    sep = delimiter or ","
    body = [f"ID{sep}NIK{sep}NAMA{sep}TGL", f"1{sep}3276014107850001{sep}SITI AMINAH{sep}01-07-1985"]
    body += [f"2{sep}{sep}BUDI, S{sep}"] if rows == 2 else []
    if sep == ",":
        body = [line.replace("BUDI, S", '"BUDI, S"') for line in body]
    path = tmp_path / "tiny.csv"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    columns = {"nik": "NIK", "nama": "NAMA", "tanggal_lahir": "TGL"}
    loaded, mapped, quarantine = _load(
        SourceConfig(name="t", path=path, id_column="ID", columns=columns, delimiter=delimiter)
    )
    assert quarantine.empty
    assert loaded.rows_accepted["t"] == rows
    assert _values(mapped, "nama")[:2] == ["SITI AMINAH", "BUDI, S"][:rows]


# -- several columns for one field -------------------------------------------------------------
PEOPLE = pd.DataFrame(
    {
        "rid": ["a1", "a2", "a3", "a4"],
        "first_name": ["John", "Siti", None, "  "],
        "middle_initial": ["Q", None, "", "B"],
        "last_name": ["Public", "Aminah", "Budi", None],
        "street_number": ["12", None, "7", None],
        "street_name": ["main st", "jl. margonda", "  ", None],
        "unit_number": [None, "", "apt 3", None],
    }
)
JOINED_NAMES = ["John Q Public", "Siti Aminah", "Budi", "B"]
JOINED_ADDRESSES = ["12 main st", "jl. margonda", "7 apt 3", None]
LIST_COLUMNS = {
    "nama": ["first_name", "middle_initial", "last_name"],
    "alamat": ["street_number", "street_name", "unit_number"],
}


def _write_people(kind: str, tmp_path: Path) -> dict[str, Any]:
    if kind == "csv":
        path = tmp_path / "people.csv"
        PEOPLE.to_csv(path, index=False)
        return {"path": path}
    if kind == "parquet":
        path = tmp_path / "people.parquet"
        PEOPLE.to_parquet(path, index=False)
        return {"path": path}
    if kind == "excel":
        path = tmp_path / "people.xlsx"
        PEOPLE.to_excel(path, index=False)
        return {"path": path}
    if kind == "pandas":
        return {"data": PEOPLE}
    if kind == "arrow":
        return {"data": pa.Table.from_pandas(PEOPLE)}
    con = duckdb.connect()
    return {"data": con.from_df(PEOPLE)}


@pytest.mark.parametrize("kind", ["csv", "parquet", "excel", "pandas", "arrow", "relation"])
def test_a_field_from_several_columns_on_every_reader(kind: str, tmp_path: Path) -> None:
    source = SourceConfig(
        name="people", id_column="rid", columns=LIST_COLUMNS, **_write_people(kind, tmp_path)
    )
    _, mapped, quarantine = _load(source)
    assert quarantine.empty
    assert _values(mapped, "nama") == JOINED_NAMES
    assert _values(mapped, "alamat") == JOINED_ADDRESSES


def test_list_mapping_missing_column_names_source_column_and_hint(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    PEOPLE.to_csv(path, index=False)
    source = SourceConfig(
        name="people",
        path=path,
        id_column="rid",
        columns={"nama": ["first_name", "midle_initial", "last_name"]},
    )
    with pytest.raises(SourceError) as info:
        _load(source)
    message = str(info.value)
    assert (
        "'people'" in message and "'midle_initial'" in message and "did you mean 'middle_initial'" in message
    )


def test_list_mapping_quarantine_reason_names_the_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame({"rid": ["1", "2"], "a": ["SITI", "x" * 900], "b": ["AMINAH", "y" * 200]})
    source = SourceConfig(name="p", data=frame, id_column="rid", columns={"nama": ["a", "b"]})
    _, mapped, quarantine = _load(source)
    assert _values(mapped, "nama") == ["SITI AMINAH"]
    assert "columns 'a' + 'b' is longer than 1000" in quarantine["reason"][0]


def test_list_mapping_config_errors(tmp_path: Path) -> None:
    text = """
[[sources]]
name = "a"
path = "a.csv"
id_column = ["ID", "ID2"]
[sources.columns]
nama = []
alamat = ["street", "street"]
nik = ["NIK", 5]
"""
    problems = _config_problems(tmp_path, text)
    for fragment in (
        "source 'a': 'id_column' must be one column, not a list",
        "the list of columns for 'nama' is empty",
        "the list of columns for 'alamat' names a column twice",
        "the list of columns for 'nik' must hold non-empty strings",
    ):
        assert fragment in problems, problems


# -- formats -------------------------------------------------------------------------------------
DATES = pd.DataFrame(
    {
        "ID": ["1", "2", "3", "4", "5", "6", "7"],
        "NAMA": ["A", "B", "C", "D", "E", "F", "G"],
        "DOB": ["07/04/1960", "7/14/1961", "12251999", "19600704", "04-07-1960", "31/12/1960", None],
    }
)


def test_formats_tried_in_order_and_mismatches_counted(tmp_path: Path) -> None:
    source = SourceConfig(
        name="us",
        data=DATES,
        id_column="ID",
        columns={"nama": "NAMA", "tanggal_lahir": "DOB"},
        formats={"tanggal_lahir": ["%m/%d/%Y", "%m%d%Y", "%Y%m%d"]},
    )
    loaded, mapped, _ = _load(source)
    assert _values(mapped, "tanggal_lahir") == [
        "1960-07-04",
        "1961-07-14",
        "1999-12-25",
        "1960-07-04",
        None,  # 04-07-1960 fits none: not guessed
        None,  # 31/12/1960 is no month-first date
        None,  # empty: not a mismatch
    ]
    assert loaded.format_mismatches == {"us": {"tanggal_lahir": 2}}
    quality = loaded.quality_rows()
    assert quality.to_dict("records") == [
        {
            "source": "us",
            "check": "tanggal_lahir_format_mismatch",
            "description": quality["description"][0],
            "records": 7,
            "flagged": 2,
            "rate": 2 / 7,
        }
    ]


def test_two_digit_year_formats_leave_the_century_to_the_rules() -> None:
    frame = pd.DataFrame({"ID": ["1", "2"], "NAMA": ["A", "B"], "DOB": ["07/04/60", "12/25/05"]})
    source = SourceConfig(
        name="yy",
        data=frame,
        id_column="ID",
        columns={"nama": "NAMA", "tanggal_lahir": "DOB"},
        formats={"tanggal_lahir": "%m/%d/%y"},
    )
    _, mapped, _ = _load(source)
    assert _values(mapped, "tanggal_lahir") == ["04-07-60", "25-12-05"]  # day-first, read by the rules


def test_month_names_times_and_separate_day_month_year_columns() -> None:
    frame = pd.DataFrame(
        {
            "ID": ["1", "2"],
            "NAMA": ["A", "B"],
            "D": ["4", "17"],
            "M": ["Jul", "AUG"],
            "Y": ["1960", "1985"],
        }
    )
    source = SourceConfig(
        name="parts",
        data=frame,
        id_column="ID",
        columns={"nama": "NAMA", "tanggal_lahir": ["D", "M", "Y"]},
        formats={"tanggal_lahir": "%d %b %Y"},
    )
    _, mapped, _ = _load(source)
    assert _values(mapped, "tanggal_lahir") == ["1960-07-04", "1985-08-17"]


def test_format_config_errors(tmp_path: Path) -> None:
    text = """
[[sources]]
name = "a"
path = "a.csv"
id_column = "ID"
[sources.columns]
nama = "N"
tanggal_lahir = "T"
[sources.formats]
tanggal_lahir = ["%m/%d/%Y", "%m/%Q/%Y", "%Y"]
nama = "%d"

[[sources]]
name = "b"
path = "b.csv"
id_column = "ID"
quote = "ab"
[sources.columns]
nama = "N"
[sources.formats]
tanggal_lahir = "%d/%m/%Y"
"""
    problems = _config_problems(tmp_path, text)
    for fragment in (
        "source 'a': formats.tanggal_lahir: unknown format code '%Q'",
        "source 'a': formats.tanggal_lahir: format '%Y' must hold exactly one day",
        "source 'a': formats.nama: formats apply to tanggal_lahir only",
        "source 'b': formats.tanggal_lahir: 'tanggal_lahir' is not mapped",
        "source 'b': quote must be one character",
    ):
        assert fragment in problems, problems


def test_java_patterns() -> None:
    assert java_pattern("%m/%d/%Y") == "M'/'d'/'yyyy"
    assert java_pattern("%m%d%Y") == "MMddyyyy"
    assert java_pattern("%Y%m%d") == "yyyyMMdd"
    assert java_pattern("%d-%b-%y") == "d'-'MMM'-'yy"
    assert java_pattern("%Y-%m-%d %H:%M:%S") == "yyyy'-'M'-'d' 'H':'m':'s"
    assert java_pattern("%d.%m.%Y 'x' 100%%") == "d'.'M'.'yyyy' ''x'' 100%'"


def test_dates_are_written_zero_padded_on_spark_as_on_duckdb() -> None:
    from dtks_link.rules import DUCKDB, SPARK
    from dtks_link.rules.datefmt import java_output_pattern

    assert java_output_pattern("%d-%m-%y") == "dd'-'MM'-'yy"
    assert java_output_pattern("%Y-%m-%d") == "yyyy'-'MM'-'dd"
    assert DUCKDB.strftime("t", "%Y-%m-%d") == "strftime(t, '%Y-%m-%d')"
    assert SPARK.strftime("t", "%Y-%m-%d") == "date_format(t, 'yyyy\\'-\\'MM\\'-\\'dd')"
    assert SPARK.strptime_format("%m/%d/%Y") == java_pattern("%m/%d/%Y")


# -- mapping mistakes ----------------------------------------------------------------------------
def test_an_ssn_mapped_to_nik_warns_and_names_source_and_column() -> None:
    from dtks_link import link

    n = 40
    frame = pd.DataFrame(
        {
            "rid": [str(i) for i in range(n)],
            "ssn": [f"{100 + i:03d}-45-{6789 + i:04d}" for i in range(n)],
            "name": [f"SITI {chr(65 + i % 26)}{chr(65 + i // 26)}" for i in range(n)],
            "dob": ["01/02/1960"] * n,
            "hp": ["081234567890"] * n,
        }
    )
    config = LinkConfig(
        sources=(
            SourceConfig(
                name="us",
                data=frame,
                id_column="rid",
                columns={"nik": "ssn", "nama": "name", "tanggal_lahir": "dob", "telepon": "hp"},
            ),
        )
    )
    seen: list[tuple[str, float, str]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = link(config, write=False, progress=lambda *a: seen.append(a))
    messages = [str(w.message) for w in caught if issubclass(w.category, MappingWarning)]
    assert len(messages) == 1, messages
    assert "source 'us'" in messages[0] and "'ssn'" in messages[0] and "id_lain" in messages[0]
    assert "0%" in messages[0] and "-45-" not in messages[0]
    read_detail = next(detail for stage, _, detail in seen if stage == "read")
    assert messages[0] in read_detail
    assert messages[0] in result.summary()


def test_good_mappings_and_excel_mangled_niks_do_not_warn(small_depok: Any) -> None:
    from dtks_link.source_checks import mapping_mistakes

    config = load_config(small_depok.config_path)
    con = connect()
    loaded = load_sources(con, config.sources)
    from dtks_link.backends.duckdb import DuckDBEngine

    assert mapping_mistakes(DuckDBEngine(con), loaded.mapped_table, config.sources) == []
    frame = pd.DataFrame(
        {
            "ID": [str(i) for i in range(20)],
            "NIK": ["3.27601E+15"] * 10 + [f"32760141078500{i:02d}" for i in range(10)],
            "NAMA": ["A"] * 20,
            "TGL": ["17 Agustus 1985", "1985-08-17", "17/08/85", "19850817", "31276"] * 4,
            "UMUR": [str(30 + i) for i in range(20)],
        }
    )
    sources = [
        SourceConfig(name="ok", data=frame, id_column="ID", columns={"nik": "NIK", "tanggal_lahir": "TGL"}),
        SourceConfig(
            name="age", data=frame, id_column="ID", columns={"nama": "NAMA", "tanggal_lahir": "UMUR"}
        ),
    ]
    loaded = load_sources(con, sources)
    mistakes = mapping_mistakes(DuckDBEngine(con), loaded.mapped_table, sources)
    assert [(m.source, m.field, m.columns) for m in mistakes] == [("age", "tanggal_lahir", ("UMUR",))]
    assert "umur" in mistakes[0].message


# -- the same on Spark ---------------------------------------------------------------------------
@pytest.mark.spark
def test_spark_reads_lists_formats_and_late_quotes_like_duckdb(spark_engine: Any, tmp_path: Path) -> None:
    from dtks_link.backends.duckdb import DuckDBEngine
    from dtks_link.source_checks import mapping_mistakes
    from dtks_link.sources import read_sources

    people = tmp_path / "people.csv"
    frame = PEOPLE.assign(
        dob=["07/04/1960", "7/14/1961", "12251999", "04-07-1960"],
        ssn=["123-45-6789", "223-45-6789", None, "323-45-6789"],
    )
    frame.to_csv(people, index=False)
    late = tmp_path / "late.csv"
    lines = ["ID,NAMA,ALAMAT"] + [f"{i},ANI {i},JL A" for i in range(1, 25_001)]
    lines += ['25001,BUDI,"JL. MARGONDA, RT 1"', '25002,"CICI\nSARI","GG ""H"""']
    late.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = [
        SourceConfig(
            name="people",
            path=people,
            id_column="rid",
            columns={**LIST_COLUMNS, "tanggal_lahir": "dob", "nik": "ssn"},
            formats={"tanggal_lahir": ["%m/%d/%Y", "%m%d%Y"]},
        ),
        SourceConfig(name="late", path=late, id_column="ID", columns={"nama": "NAMA", "alamat": "ALAMAT"}),
    ]
    spark_loaded = read_sources(spark_engine, sources)
    spark_rows = spark_engine.frame("SELECT * FROM mapped ORDER BY source, row_number")
    con = connect()
    duck_loaded = load_sources(con, sources)
    duck_rows = con.execute("SELECT * FROM mapped ORDER BY source, row_number").df()
    columns = ["source", "record_id", "row_number", "nama", "alamat", "tanggal_lahir", "nik"]
    pd.testing.assert_frame_equal(
        spark_rows[columns].astype(object).where(spark_rows[columns].notna(), None),
        duck_rows[columns].astype(object).where(duck_rows[columns].notna(), None),
    )
    people_rows = duck_rows[duck_rows["source"] == "people"]
    assert _values(people_rows, "nama") == JOINED_NAMES
    assert _values(people_rows, "tanggal_lahir") == ["1960-07-04", "1961-07-14", "1999-12-25", None]
    assert spark_loaded.format_mismatches == duck_loaded.format_mismatches == {"people": {"tanggal_lahir": 1}}
    assert spark_loaded.rows_accepted["late"] == 25_002
    ssn = pd.DataFrame(
        {
            "rid": [str(i) for i in range(12)],
            "ssn": [f"{100 + i}-45-6789" for i in range(12)],
            "hp": ["0812-3456-789"] * 12,
            "dob": ["17 Agustus 1985"] * 6 + ["1985-08-17"] * 6,
        }
    )
    checked = [
        SourceConfig(
            name="ssn",
            data=ssn,
            id_column="rid",
            columns={"nik": "ssn", "telepon": "hp", "tanggal_lahir": "dob"},
        )
    ]
    read_sources(spark_engine, checked)
    load_sources(con, checked)
    on_spark = mapping_mistakes(spark_engine, "mapped", checked)
    assert on_spark == mapping_mistakes(DuckDBEngine(con), "mapped", checked)
    assert [(m.field, m.checked, m.fitting) for m in on_spark] == [("nik", 12, 0)]
