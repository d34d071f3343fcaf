"""Benchmark: standardise N messy raw records in DuckDB with the standardisation query.

Builds a few thousand messy record templates in Python (every NIK, name, date, address and
phone format the rules handle, with the usual damage: Excel notation, masked and swapped
numbers, titles, old spelling, placeholder dates, typos in kelurahan names, missing fields),
repeats them to N rows inside DuckDB (vectorised), then times::

    CREATE TABLE standardised AS
    <standardise_query("mapped", select="unique_id, source, record_id", ...)>

(the staged query the pipeline runs; compile included) and reports records/s. ``--select-list``
times the single select list of ``standardise_select_sql`` instead (same values, slower).
Writes ``benchmarks/results/standardise.json``.

Usage::

    python benchmarks/bench_standardise.py --rows 1000000 [--threads 2] [--profile]

``--profile`` also times every output column on its own (slow; for finding hot spots).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import time
from pathlib import Path
from typing import Any

import duckdb

from dtks_link.standardise import OUTPUT_COLUMNS, RAW_COLUMNS, standardise_query, standardise_select_sql
from dtks_link.standardise.gazetteer import depok_kelurahan, neighbour_kecamatan
from dtks_link.standardise.nik import nik_from_parts

REFERENCE_DATE = datetime.date(2025, 6, 30)
RESULTS = Path(__file__).resolve().parent / "results" / "standardise.json"

FIRST = [
    "Siti",
    "Muhammad",
    "Ahmad",
    "Nur",
    "Dewi",
    "Agus",
    "Budi",
    "Sri",
    "Rina",
    "Dedi",
    "Asep",
    "Ujang",
    "Euis",
    "Neneng",
    "Eneng",
    "Iis",
    "Cucu",
    "Slamet",
    "Joko",
    "Yusuf",
    "Rahmat",
    "Fitri",
    "Taufik",
    "Zainal",
    "Abdul",
    "Fatimah",
    "Aisyah",
    "Hendra",
    "Indra",
    "Rizki",
]
SECOND = [
    "Aminah",
    "Rizki",
    "Hidayat",
    "Santoso",
    "Lestari",
    "Wati",
    "Hayati",
    "Setiawan",
    "Sukarjo",
    "Suparman",
    "Kurniawan",
    "Rahmawati",
    "Saputra",
    "Maulana",
    "Hasanah",
    "Nurhayati",
    "Susanti",
    "Gunawan",
    "Wibowo",
    "Yulianti",
    "Junaedi",
]
OLD_SPELLING = {"u": "oe", "j": "dj", "c": "tj", "y": "j", "kh": "ch"}
TITLES_BEFORE = ("", "", "", "H. ", "Hj. ", "Drs. ", "Ir. ", "Bpk. ", "Ibu ", "Alm. ", "Almh. ")
TITLES_AFTER = ("", "", "", ", S.Pd", ", S.E.", " SH", ", A.Md.Kep", ", M.Si")
MUHAMMAD = ("Muhammad", "Muhamad", "Mohammad", "Moch.", "Moh.", "M.", "Mochamad")
MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "Nopember",
    "Desember",
]
STREETS = (
    "Jl. Margonda Raya",
    "Jl. H. Terin",
    "Jalan Andara Ujung",
    "Gg. Masjid",
    "Jl. Raya Sawangan",
    "Perum Griya Depok Asri Blok C2",
    "Kp. Sawah",
    "Jln. Nusantara",
    "Komp. Timah Blok B",
    "Jl. Tole Iskandar",
)


def _old(name: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        for new, old in OLD_SPELLING.items():
            if new in name.lower() and rng.random() < 0.5:
                return name.replace(new, old).replace(new.upper(), old.upper())
    return name


def _name(rng: random.Random) -> str:
    first = rng.choice(MUHAMMAD) if rng.random() < 0.15 else rng.choice(FIRST)
    parts = [first, _old(rng.choice(SECOND), rng)]
    if rng.random() < 0.2:
        parts.append(rng.choice(SECOND))
    name = " ".join(parts)
    name = rng.choice(TITLES_BEFORE) + name + rng.choice(TITLES_AFTER)
    if rng.random() < 0.08:
        name += rng.choice((" bin ", " binti ")) + rng.choice(FIRST)
    if rng.random() < 0.5:
        name = name.upper()
    if rng.random() < 0.03:
        name = "  " + name.replace(" ", "  ") + " "
    return name


def _birth(rng: random.Random) -> datetime.date:
    if rng.random() < 0.15:
        year = rng.randint(1935, 1980)
        day, month = rng.choice(((1, 7), (31, 12), (1, 1), (15, rng.randint(1, 12))))
        return datetime.date(year, month, day)
    return datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randint(0, 32000))


def _date_text(d: datetime.date, rng: random.Random) -> str | None:
    form = rng.randrange(10)
    if form == 0:
        return d.strftime("%d-%m-%Y")
    if form == 1:
        return d.strftime("%d/%m/%Y")
    if form == 2:
        return d.isoformat()
    if form == 3:
        return d.isoformat() + " 00:00:00"
    if form == 4:
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    if form == 5:
        return f"{d.day} {MONTHS_ID[d.month - 1][:3].upper()} {d.year % 100:02d}"
    if form == 6:
        return str((d - datetime.date(1899, 12, 30)).days)
    if form == 7:
        return d.strftime("%d-%m-%y")
    if form == 8:
        return None
    return d.strftime("%m/%d/%Y") if d.day > 12 else d.strftime("%d.%m.%Y")


def _nik(d: datetime.date, female: bool, rng: random.Random) -> str:
    if rng.random() < 0.8:
        region = "3276" + f"{rng.randint(1, 11):02d}"
    else:
        region = rng.choice(neighbour_kecamatan()).code.replace(".", "")
    return nik_from_parts(
        province=region[:2],
        regency=region[2:4],
        district=region[4:6],
        birth_date=d,
        female=female,
        serial=f"{rng.randint(1, 40):04d}",
    )


def _damage_nik(nik: str, rng: random.Random) -> tuple[str | None, bool]:
    r = rng.random()
    if r < 0.03:
        return None, False
    if r < 0.05:
        return f"{int(nik[:6]) / 100000:.5f}E+15".replace("0.", "."), False
    if r < 0.07:
        return nik[:4] + "xxxxxxxx" + nik[12:], False
    if r < 0.09:
        return nik[:15], False
    if r < 0.12:
        return nik[:15] + "0", True
    if r < 0.20:
        return " ".join((nik[:4], nik[4:8], nik[8:12], nik[12:])), False
    if r < 0.25:
        return "'" + nik, False
    if r < 0.30:
        return nik + ".0", False
    return nik, rng.random() < 0.1


def _address(kel: Any, rng: random.Random) -> dict[str, str | None]:
    street = rng.choice(STREETS)
    number = rng.randint(1, 150)
    rt, rw = rng.randint(1, 15), rng.randint(1, 12)
    kel_name = kel.name.title()
    if rng.random() < 0.15:  # typo or joined spelling
        kel_name = kel_name.replace(" ", "") if " " in kel_name else kel_name[:-1] + kel_name[-1] * 2
    form = rng.randrange(5)
    if form == 0:  # DTKS-like: separate columns
        return {
            "alamat": f"{street} No. {number}",
            "rt": f"{rt:03d}",
            "rw": f"{rw:03d}",
            "kelurahan": kel_name.upper(),
            "kecamatan": kel.kecamatan_name,
            "kabupaten_kota": "KOTA DEPOK",
        }
    if form == 1:
        alamat = (
            f"{street} No.{number} RT {rt:03d}/RW {rw:03d}, Kel. {kel_name}, "
            f"Kec. {kel.kecamatan_name.title()}, Kota Depok"
        )
    elif form == 2:
        alamat = (
            f"{street} RT.{rt:02d}/RW.{rw:02d} No. {number} Kelurahan {kel_name} "
            f"Kecamatan {kel.kecamatan_name.title()}"
        )
    elif form == 3:
        alamat = f"{street} No {number}, {kel_name}, {kel.kecamatan_name.title()}, Depok"
    else:
        alamat = f"{street.upper()} RT/RW {rt:03d}/{rw:03d}"
        return {
            "alamat": alamat,
            "rt": None,
            "rw": None,
            "kelurahan": kel_name,
            "kecamatan": None,
            "kabupaten_kota": None,
        }
    return {
        "alamat": alamat,
        "rt": None,
        "rw": None,
        "kelurahan": None,
        "kecamatan": None,
        "kabupaten_kota": None,
    }


def _phone(rng: random.Random) -> str | None:
    digits = "8" + "".join(str(rng.randrange(10)) for _ in range(rng.randint(9, 11)))
    return rng.choice(
        (None, "0" + digits, "+62 " + digits, "62" + digits, digits, f"0{digits[:3]}-{digits[3:]}")
    )


def templates(count: int, seed: int = 20250630) -> list[dict[str, Any]]:
    """``count`` messy raw records covering every format the rules handle."""
    rng = random.Random(seed)
    kels = depok_kelurahan()
    out = []
    for _ in range(count):
        female = rng.random() < 0.5
        born = _birth(rng)
        nik, numeric = _damage_nik(_nik(born, female, rng), rng)
        kk = _nik(datetime.date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28)), False, rng)
        if rng.random() < 0.03:
            nik = kk
        record: dict[str, Any] = {
            "nik": nik,
            "no_kk": None if rng.random() < 0.1 else kk,
            "nama": _name(rng),
            "tempat_lahir": rng.choice(("DEPOK", "Jakarta", "DJAKARTA", "Bogor", "BATAVIA", None)),
            "tanggal_lahir": _date_text(born, rng),
            "jenis_kelamin": rng.choice(
                ("P", "Perempuan", "2", "W") if female else ("L", "Laki-laki", "1", "LK")
            ),
            "nama_ibu_kandung": _name(rng) if rng.random() < 0.7 else None,
            "telepon": _phone(rng),
            "umur": None,
            "nik_numeric_source": numeric,
        }
        if rng.random() < 0.1:
            record["tanggal_lahir"] = None
            record["umur"] = str(REFERENCE_DATE.year - born.year)
        record.update(_address(rng.choice(kels), rng))
        out.append(record)
    return out


def build_mapped(con: duckdb.DuckDBPyConnection, rows: int, n_templates: int) -> None:
    """Table ``mapped`` with ``rows`` rows: the templates repeated (vectorised in DuckDB)."""
    recs = templates(n_templates)
    columns = ", ".join(f'"{c}" VARCHAR' for c in RAW_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE templates (tid INTEGER, {columns}, nik_numeric_source BOOLEAN)")
    placeholders = ", ".join("?" for _ in range(len(RAW_COLUMNS) + 2))
    con.executemany(
        f"INSERT INTO templates VALUES ({placeholders})",
        [[i, *(r.get(c) for c in RAW_COLUMNS), r["nik_numeric_source"]] for i, r in enumerate(recs)],
    )
    select_raw = ", ".join(f't."{c}"' for c in RAW_COLUMNS)
    con.execute(
        f"""CREATE OR REPLACE TABLE mapped AS
        SELECT r.range AS unique_id, 'src' || (r.range % 4) AS source,
               CAST(r.range AS VARCHAR) AS record_id, {select_raw}, t.nik_numeric_source
        FROM range({rows}) r JOIN templates t ON t.tid = r.range % {n_templates}
        ORDER BY r.range"""
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--templates", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--select-list", action="store_true", help="time standardise_select_sql")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    t0 = time.perf_counter()
    build_mapped(con, args.rows, args.templates)
    build_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    if args.select_list:
        fragment = standardise_select_sql(reference_date=REFERENCE_DATE)
        query = f"SELECT unique_id, source, record_id, {fragment} FROM mapped"
    else:
        query = standardise_query(
            "mapped", reference_date=REFERENCE_DATE, select="unique_id, source, record_id"
        )
    render_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute(f"EXPLAIN {query}")
    compile_seconds = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute(f"CREATE OR REPLACE TABLE standardised AS {query}")
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    count = con.execute("SELECT count(*) FROM standardised").fetchall()[0][0]
    rate = count / seconds
    result: dict[str, Any] = {
        "benchmark": "standardise",
        "rows": count,
        "templates": args.templates,
        "threads": threads,
        "cpu_count": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "form": "standardise_select_sql" if args.select_list else "standardise_query",
        "sql_chars": len(query),
        "build_seconds": round(build_seconds, 3),
        "render_seconds": round(render_seconds, 3),
        "compile_seconds": round(compile_seconds, 3),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "load_average_1min": round(load_before, 2),
        "records_per_second": round(rate),
        "target_records_per_second": 100_000,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    if args.profile:
        from dtks_link.rules import render_sql
        from dtks_link.standardise.sql import standardise_exprs

        exprs = standardise_exprs(REFERENCE_DATE)
        per_column = {}
        for name in OUTPUT_COLUMNS:
            t0 = time.perf_counter()
            con.execute(f"CREATE OR REPLACE TABLE _one AS SELECT {render_sql(exprs[name])} AS x FROM mapped")
            per_column[name] = round(time.perf_counter() - t0, 3)
            print(f"  {name:28s} {per_column[name]:7.3f} s", flush=True)
        result["seconds_per_column_alone"] = per_column
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{count:,} records in {seconds:.2f} s (compile {compile_seconds:.2f} s, CPU {cpu_seconds:.2f} s, "
        f"load {load_before:.2f}): {rate:,.0f} records/s on {threads} threads  [target 100,000]"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
