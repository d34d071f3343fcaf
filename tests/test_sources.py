"""Reading and mapping sources: formats, encodings, quarantine, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from dtks_link import SourceConfig, SourceError
from dtks_link.backends import connect
from dtks_link.sources import MAX_VALUE_LENGTH, load_sources

COLUMNS = {"nik": "NIK", "nama": "NAMA", "tanggal_lahir": "TGL"}


def source(path: Path, **kwargs: object) -> SourceConfig:
    options: dict[str, object] = {
        "name": "src",
        "id_column": "ID",
        "columns": COLUMNS,
        "path": path,
    }
    options.update(kwargs)
    return SourceConfig(**options)  # type: ignore[arg-type]


def mapped(sources: list[SourceConfig]) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = connect()
    load_sources(con, sources)
    return (
        con.execute("SELECT * FROM mapped ORDER BY source, row_number").df(),
        con.execute("SELECT * FROM quarantine ORDER BY source, row_number").df(),
    )


def test_pipe_delimited_csv_maps_to_canonical_fields(tmp_path: Path) -> None:
    path = tmp_path / "dtks.txt"
    path.write_text(
        "ID|NIK|NAMA|TGL|EXTRA\n1|3276014107850001|SITI|01-07-1985|x\n2||BUDI|1990-01-02|y\n"
    )
    rows, quarantine = mapped([source(path, delimiter="|")])
    assert list(rows["record_id"]) == ["1", "2"]
    assert rows.loc[0, "nik"] == "3276014107850001"
    assert pd.isna(rows.loc[1, "nik"])  # empty string becomes NULL
    assert rows["alamat"].isna().all()  # unmapped canonical fields exist, all NULL
    assert len(quarantine) == 0


def test_a_record_with_only_another_identifier_or_a_phone_is_linkable(tmp_path: Path) -> None:
    # FEBRL-style: no name, but a social-security number, a birth date and an address; or a
    # phone number only. Both are something to link on; a row with neither is quarantined.
    path = tmp_path / "ids.csv"
    path.write_text("ID,NAMA,SSN,HP,TGL\n1,,4440480,,01-01-1990\n2,,,081234567890,\n3,,,,01-01-1990\n")
    columns = {"nama": "NAMA", "id_lain": "SSN", "telepon": "HP", "tanggal_lahir": "TGL"}
    rows, quarantine = mapped([source(path, columns=columns)])
    assert list(rows["record_id"]) == ["1", "2"]
    assert list(quarantine["record_id"]) == ["3"]
    assert "nothing to link on" in quarantine.loc[0, "reason"]


def test_quarantine_reasons_and_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    long_name = "A" * (MAX_VALUE_LENGTH + 1)
    path.write_text(
        "ID,NIK,NAMA,TGL\n"
        "1,3276010101900001,ANI,\n"
        ",3276010101900002,TANPA ID,\n"
        "1,3276010101900003,DUPLIKAT,\n"
        "4,,,01-01-1990\n"
        f"5,,{long_name},\n"
        "6,,ADI,\n"
    )
    rows, quarantine = mapped([source(path)])
    assert list(rows["record_id"]) == ["1", "6"]
    reasons = dict(zip(quarantine["row_number"], quarantine["reason"], strict=True))
    assert "missing record id" in reasons[2]
    assert "duplicate record id" in reasons[3] and "row 1" in reasons[3]
    assert "nothing to link on" in reasons[4]
    assert "longer than" in reasons[5]
    assert len(rows) + len(quarantine) == 6


def test_malformed_csv_line_is_quarantined(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ID,NIK,NAMA,TGL\n1,,ANI,\n2,,BUDI,,,extra\n3,,CICI,\n")
    rows, quarantine = mapped([source(path)])
    assert list(rows["record_id"]) == ["1", "3"]
    assert list(rows["row_number"]) == [1, 3]
    assert len(quarantine) == 1
    assert quarantine.loc[0, "row_number"] == 2
    assert "malformed" in quarantine.loc[0, "reason"]


def test_latin1_and_cp1252_files(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("ID;NIK;NAMA;TGL\n1;;JOSÉ ‘ARIF’;\n2;;ADI;\n".encode("cp1252"))
    rows, _ = mapped([source(path, delimiter=";", encoding="cp1252")])
    assert rows.loc[0, "nama"] == "JOSÉ ‘ARIF’"
    # read as UTF-8 by mistake: the bad row is quarantined with a hint, the rest is kept
    rows, quarantine = mapped([source(path, delimiter=";")])
    assert list(rows["record_id"]) == ["2"] and list(rows["row_number"]) == [2]
    assert list(quarantine["row_number"]) == [1]
    assert "encoding" in quarantine.loc[0, "reason"]


def test_bom_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffID,NIK,NAMA,TGL\n1,,ANI,\n".encode())
    rows, _ = mapped([source(path)])
    assert list(rows["record_id"]) == ["1"]


def test_missing_column_names_source_and_column(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("ID,NIK,NAMA_LENGKAP,TGL\n1,,ANI,\n")
    with pytest.raises(SourceError) as info:
        mapped([source(path)])
    message = str(info.value)
    assert "'src'" in message and "'NAMA'" in message and "NAMA_LENGKAP" in message


def test_wrong_delimiter_gives_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("ID|NIK|NAMA|TGL\n1||ANI|\n")
    with pytest.raises(SourceError, match="delimiter"):
        mapped([source(path, delimiter=",")])


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        mapped([source(empty)])
    header = tmp_path / "header.csv"
    header.write_text("ID,NIK,NAMA,TGL\n")
    rows, quarantine = mapped([source(header)])
    assert len(rows) == 0 and len(quarantine) == 0


def test_parquet_with_numeric_nik_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table(
        {"ID": [1, 2], "NIK": [3276014107850001.0, None], "NAMA": ["A", "B"], "TGL": ["", ""]}
    )
    pd.DataFrame(table.to_pandas()).to_parquet(path)
    rows, _ = mapped([source(path)])
    assert list(rows["record_id"]) == ["1", "2"]
    assert rows.loc[0, "nik"] == "3276014107850001"  # integral floats print without exponent
    assert bool(rows.loc[0, "nik_numeric_source"]) is True


def test_excel_source(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame(
        {
            "ID": [1, 2],
            "NIK": [3276014107850001, "3276014107850002"],
            "NAMA": ["A", "B"],
            "TGL": ["x", None],
        }
    ).to_excel(path, index=False)
    rows, _ = mapped([source(path)])
    assert list(rows["record_id"]) == ["1", "2"]
    assert rows.loc[0, "nik"] == "3276014107850001"
    assert rows.loc[1, "nik"] == "3276014107850002"
    assert bool(rows.loc[0, "nik_numeric_source"]) is True


def test_in_memory_sources(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "ID": ["a", "b"],
            "NIK": [None, "3276014107850001"],
            "NAMA": ["A", "B"],
            "TGL": [None, None],
        }
    )
    arrow = pa.Table.from_pandas(frame)
    rows, _ = mapped(
        [
            SourceConfig(name="pandas", id_column="ID", columns=COLUMNS, data=frame),
            SourceConfig(name="arrow", id_column="ID", columns=COLUMNS, data=arrow),
        ]
    )
    assert sorted(rows["source"].unique()) == ["arrow", "pandas"]
    assert len(rows) == 4


def test_sql_looking_column_names_and_values_are_inert(tmp_path: Path) -> None:
    evil_column = 'NAMA"; DROP TABLE mapped; --'
    path = tmp_path / "evil.csv"
    path.write_text(
        f'ID,"{evil_column.replace(chr(34), chr(34) * 2)}"\n1,"x\'); DROP TABLE mapped; --"\n'
    )
    con = connect()
    load_sources(
        con, [SourceConfig(name="evil", id_column="ID", columns={"nama": evil_column}, path=path)]
    )
    assert con.execute("SELECT nama FROM mapped").fetchall() == [("x'); DROP TABLE mapped; --",)]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"mapped", "quarantine"}
