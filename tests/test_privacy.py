"""Identifiers are personal data: no raw NIK or KK in any output meant for people."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dtks_link import SourceConfig, SourceError, load_config
from dtks_link.errors import mask_identifier


def all_identifiers(config_path: Path, fields: tuple[str, ...] = ("nik", "no_kk")) -> set[str]:
    """Every 16-digit NIK/KK value in every source of the config."""
    return {value for value in _field_digits(config_path, fields) if len(value) == 16}


def all_phones(config_path: Path) -> set[str]:
    """Every phone number in the sources, as its digits and in the 08... form."""
    found: set[str] = set()
    for digits in _field_digits(config_path, ("telepon",)):
        if len(digits) >= 9:
            found.add(digits)
            found.add("0" + digits[2:] if digits.startswith("62") else digits)
    return found


def _field_digits(config_path: Path, fields: tuple[str, ...]) -> set[str]:
    config = load_config(config_path)
    found: set[str] = set()
    for source in config.sources:
        assert source.path is not None
        if source.file_format == "excel":
            data = pd.read_excel(source.path, dtype=str)
        elif source.file_format == "parquet":
            data = pd.read_parquet(source.path).astype("string")
        else:
            data = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        for field in fields:
            column = source.columns.get(field)
            if column is not None:
                for value in data[column].dropna().astype(str):
                    digits = re.sub(r"\D", "", value)
                    if digits:
                        found.add(digits)
    return found


#: Runs the CLI with every log record (any library, DEBUG and up) and every warning printed.
_LOUD_CLI = (
    "import logging, sys, warnings; "
    "logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "warnings.simplefilter('always'); "
    "logging.getLogger('dtks_link').debug('log capture on'); "
    "from dtks_link.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run_loud(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", _LOUD_CLI, *args], capture_output=True, text=True, timeout=900
    )


def test_no_identifier_in_any_output_of_a_full_run(small_depok: Any, tmp_path: Path) -> None:
    """Everything a full run prints (results, progress, logs at DEBUG, warnings, errors) is
    searched for every input NIK and KK."""
    identifiers = all_identifiers(small_depok.config_path)
    assert len(identifiers) > 1000
    a_nik = sorted(identifiers)[0]
    registry = tmp_path / "r.registry"
    key = tmp_path / "key"
    key.write_text("a-test-key-of-enough-length\n")
    runs = [
        ["link", str(small_depok.config_path), "--out", str(tmp_path / "out"), "--registry", str(registry)],
        [
            "evaluate",
            "--clusters",
            str(tmp_path / "out" / "clusters.parquet"),
            "--truth",
            str(small_depok.truth_path),
        ],
        ["registry", "match", str(registry), "--field", f"nik={a_nik}", "--field", "nama=SITI AMINAH"],
        ["registry", "backup", str(registry), str(tmp_path / "backup" / "r.registry")],
        ["households", "duplicates", str(tmp_path / "out")],
        ["households", "duplicates", str(tmp_path / "out"), "--json"],
        ["pseudonymise", str(small_depok.config_path), "--key-file", str(key), "--out", str(tmp_path / "p")],
    ]
    output = ""
    for args in runs:
        proc = run_loud(*args)
        assert proc.returncode == 0, proc.stderr[-3000:]
        output += proc.stdout + proc.stderr
    assert "DEBUG:dtks_link:log capture on" in output  # log records reach the captured output
    clusters = pd.read_parquet(tmp_path / "out" / "clusters.parquet")
    rid = clusters["resident_id"].value_counts().index[0]
    show = run_loud("registry", "show", str(registry), rid)
    assert show.returncode == 0, show.stderr
    output += show.stdout + show.stderr
    assert "****" in show.stdout  # the golden NIK is shown masked
    golden = pd.read_parquet(tmp_path / "out" / "household_golden.parquet")
    family = golden.sort_values(["members", "household_id"]).iloc[-1]["household_id"]
    household = run_loud("households", "show", str(tmp_path / "out"), family)
    assert household.returncode == 0, household.stderr
    assert "****" in household.stdout  # the current KK, masked
    output += household.stdout + household.stderr
    bad_query = run_loud("registry", "match", str(registry), "--field", f"{a_nik}=SITI AMINAH")
    assert bad_query.returncode == 2 and "unknown field" in bad_query.stderr
    output += bad_query.stdout + bad_query.stderr
    output += _error_paths_output(tmp_path, sorted(identifiers)[:3])
    leaked = [value for value in identifiers if value in output]
    assert leaked == []
    # the report and the files written for it: no NIK, KK or phone either
    report = tmp_path / "report.html"
    truth = str(small_depok.truth_path)
    proc = run_loud("report", str(tmp_path / "out"), "--truth", truth, "--out", str(report))
    assert proc.returncode == 0, proc.stderr[-3000:]
    phones = all_phones(small_depok.config_path)
    assert len(phones) > 10
    written = {
        name: (tmp_path / "out" / name).read_text(encoding="utf-8")
        for name in ("run.json", "model.json", "uncertain_pairs.json")
    }
    written["report.html"] = report.read_text(encoding="utf-8")
    written["report stdout"] = proc.stdout + proc.stderr
    for name, text in written.items():
        leaked = [value for value in identifiers | phones if value in text]
        assert leaked == [], f"{name} holds raw identifiers or phones: {leaked[:3]}"
    pairs = pd.read_parquet(tmp_path / "out" / "pairs.parquet")
    assert not (set(pairs.columns) & {"nik_l", "nik_r", "no_kk_l", "no_kk_r"})


def _error_paths_output(tmp_path: Path, niks: list[str]) -> str:
    """Output of failing runs whose input puts NIKs where error messages look."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "header.csv").write_text(f"ID,{niks[0]},NAMA_LENGKAP\n1,x,y\n")
    (bad / "rows.csv").write_bytes(f"ID,NIK,NAMA\n{niks[1]},{niks[1]},A\n2,{niks[2]},\x81\n".encode())
    (bad / "huge.csv").write_text("ID,NIK,NAMA\n1,x," + niks[2] * 300_000 + "\n")
    cases = [
        ("header.csv", "utf-8", 'nama = "NAMA"'),  # the missing column error lists the header
        ("rows.csv", "cp1252", 'nik = "NIK"'),  # undecodable byte on a row holding NIKs
        ("huge.csv", "utf-8", f'nik = "{niks[0]}"'),  # a NIK as a column name, a 5 MB value
    ]
    output = ""
    for name, encoding, mapping in cases:
        config = bad / f"{name}.toml"
        config.write_text(
            f'[[sources]]\nname = "s"\npath = "{name}"\nid_column = "ID"\nencoding = "{encoding}"\n'
            f"[sources.columns]\n{mapping}\n"
        )
        proc = run_loud("link", str(config), "--out", str(bad / "out"))
        assert proc.returncode == 2, (name, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr
        output += proc.stdout + proc.stderr
    review = bad / "review.csv"
    review.write_text(f"source_l,record_id_l,source_r,record_id_r,is_match\na,1,b,2,{niks[0]}\n")
    from dtks_link.review import import_review

    with pytest.raises(SourceError) as info:
        import_review(review)
    return output + str(info.value)


def test_errors_mask_identifiers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("ID,3276011207850001\n1,x\n")
    source = SourceConfig(name="s", id_column="ID", columns={"nama": "NAMA"}, path=path)
    from dtks_link.backends import connect
    from dtks_link.sources import load_sources

    try:
        load_sources(connect(), [source])
    except SourceError as exc:
        assert "NAMA" in str(exc)
        assert "3276011207850001" not in str(exc)
        assert "3276********0001" in str(exc)
    else:
        raise AssertionError("a missing column must raise")
    assert mask_identifier("3276011207850001") == "3276********0001"
