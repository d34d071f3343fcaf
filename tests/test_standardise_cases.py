"""Table-driven cases for every standardisation rule, each checked on both paths.

Every case is one raw record and the outputs it must give. All cases run through the SQL
in one DuckDB query (module fixture; once as the staged :func:`standardise_query`, once as
the :func:`standardise_select_sql` select list) and through :func:`standardise_record`; a
case passes when Python gives the expected values *and* SQL gives exactly what Python gives,
for every output column.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pytest

from dtks_link.standardise import (
    OUTPUT_COLUMNS,
    RAW_COLUMNS,
    standardise_query,
    standardise_record,
    standardise_select_sql,
)

REF = dt.date(2025, 6, 30)
D = dt.date

Case = tuple[str, dict[str, Any], dict[str, Any]]

NIK_CASES: list[Case] = [
    (
        "nik valid male",
        {"nik": "3276011708850003"},
        {
            "nik": "3276011708850003",
            "nik_valid": True,
            "nik_problems": "",
            "nik_birth_date": D(1985, 8, 17),
            "nik_sex": "L",
            "nik_region": "327601",
        },
    ),
    (
        "nik valid female +40",
        {"nik": "3276015708850003"},
        {"nik_valid": True, "nik_birth_date": D(1985, 8, 17), "nik_sex": "P"},
    ),
    ("nik dots", {"nik": "3276.0141.0885.0003"}, {"nik": "3276014108850003", "nik_valid": True}),
    ("nik spaces", {"nik": " 3276 0117 0885 0003 "}, {"nik": "3276011708850003"}),
    ("nik dashes", {"nik": "3276-0117-0885-0003"}, {"nik": "3276011708850003"}),
    ("nik apostrophe", {"nik": "'3276011708850003"}, {"nik": "3276011708850003"}),
    ("nik trailing .0", {"nik": "3276011708850003.0"}, {"nik": "3276011708850003"}),
    (
        "nik scientific",
        {"nik": "3.27601E+15"},
        {"nik": None, "nik_valid": False, "nik_problems": "excel_damaged", "nik_prefix": None},
    ),
    ("nik scientific comma", {"nik": "3,27601E+15"}, {"nik_problems": "excel_damaged"}),
    (
        "nik scientific lower e",
        {"nik": "3.276011708850e+15"},
        {"nik_problems": "excel_damaged", "nik_prefix": "327601170885"},
    ),
    (
        "nik scientific too short to keep",
        {"nik": "3E+15"},
        {"nik_problems": "excel_damaged", "nik_prefix": None},
    ),
    (
        "nik numeric zero tail",
        {"nik": "3276011708850010", "nik_numeric_source": True},
        {"nik": None, "nik_problems": "excel_damaged", "nik_prefix": "327601170885"},
    ),
    ("nik clean has no prefix", {"nik": "3276011708850003"}, {"nik_prefix": None}),
    (
        "nik numeric other tail",
        {"nik": "3276011708850013", "nik_numeric_source": True},
        {"nik": "3276011708850013", "nik_valid": True},
    ),
    ("nik text zero tail ok", {"nik": "3276011708850010"}, {"nik": "3276011708850010", "nik_valid": True}),
    ("nik masked x", {"nik": "3276xxxxxxxx0003"}, {"nik": None, "nik_problems": "masked"}),
    ("nik masked stars", {"nik": "3276********0003"}, {"nik_problems": "masked"}),
    ("nik 15 digits", {"nik": "327601170885000"}, {"nik": None, "nik_problems": "bad_length"}),
    ("nik 17 digits", {"nik": "32760117088500031"}, {"nik_problems": "bad_length"}),
    ("nik letters", {"nik": "3276O11708850003"}, {"nik": None, "nik_problems": "not_digits"}),
    ("nik missing none", {"nik": None}, {"nik": None, "nik_problems": "missing", "nik_valid": False}),
    ("nik missing dash", {"nik": "-"}, {"nik_problems": "missing"}),
    ("nik missing zero", {"nik": "0"}, {"nik_problems": "missing"}),
    ("nik missing word", {"nik": "tidak ada"}, {"nik_problems": "missing"}),
    (
        "nik unknown province",
        {"nik": "9976011708850003"},
        {
            "nik": "9976011708850003",
            "nik_valid": False,
            "nik_problems": "unknown_region",
            "nik_region": None,
            "nik_birth_date": D(1985, 8, 17),
        },
    ),
    ("nik depok kecamatan 12", {"nik": "3276121708850003"}, {"nik_problems": "unknown_region"}),
    ("nik pre-split depok code", {"nik": "3276041708850003"}, {"nik_valid": True}),
    ("nik kecamatan 00", {"nik": "3276001708850003"}, {"nik_problems": "unknown_region"}),
    ("nik dki regency 76", {"nik": "3176011708850003"}, {"nik_problems": "unknown_region"}),
    ("nik jakarta selatan", {"nik": "3174091708850003"}, {"nik_valid": True, "nik_region": "317409"}),
    ("nik papua new province", {"nik": "9501011708850003"}, {"nik_valid": True}),
    (
        "nik day 32",
        {"nik": "3276013208850003"},
        {"nik_problems": "bad_date", "nik_birth_date": None, "nik_sex": None},
    ),
    ("nik day 00", {"nik": "3276010008850003"}, {"nik_problems": "bad_date"}),
    ("nik month 13", {"nik": "3276011713850003"}, {"nik_problems": "bad_date"}),
    ("nik feb 30", {"nik": "3276013002850003"}, {"nik_problems": "bad_date"}),
    ("nik feb 29 leap", {"nik": "3276012902840003"}, {"nik_valid": True, "nik_birth_date": D(1984, 2, 29)}),
    ("nik feb 29 not leap", {"nik": "3276012902850003"}, {"nik_problems": "bad_date"}),
    ("nik female day 71", {"nik": "3276017101850003"}, {"nik_birth_date": D(1985, 1, 31)}),
    ("nik female day 72", {"nik": "3276017201850003"}, {"nik_problems": "bad_date"}),
    ("nik century 2024", {"nik": "3276011708240003"}, {"nik_birth_date": D(2024, 8, 17)}),
    ("nik century resolved back", {"nik": "3276011708250003"}, {"nik_birth_date": D(1925, 8, 17)}),
    ("nik zero serial", {"nik": "3276011708850000"}, {"nik_problems": "zero_serial"}),
    (
        "nik placeholder ones",
        {"nik": "1111111111111111"},
        {"nik_problems": "placeholder", "nik_birth_date": None, "nik_region": None},
    ),
    ("nik placeholder sequence", {"nik": "1234567890123456"}, {"nik_problems": "bad_date,placeholder"}),
    (
        "nik all zeros",
        {"nik": "0000000000000000"},
        {"nik_problems": "unknown_region,bad_date,zero_serial,placeholder"},
    ),
    (
        "nik is the kk",
        {"nik": "3276011205100021", "no_kk": "3276011205100021"},
        {"nik_problems": "looks_like_kk", "nik_birth_date": None, "kk_valid": True, "kk_problems": ""},
    ),
    (
        "nik equals kk female",
        {"nik": "3276015205100021", "no_kk": "3276015205100021"},
        {"nik_valid": True, "kk_problems": "looks_like_nik"},
    ),
    (
        "nik equals kk matches dob",
        {"nik": "3276011708850003", "no_kk": "3276011708850003", "tanggal_lahir": "17-08-1985"},
        {"nik_valid": True, "kk_problems": "looks_like_nik"},
    ),
    (
        "nik dob mismatch",
        {"nik": "3276011708850003", "tanggal_lahir": "18-08-1985"},
        {"nik_dob_mismatch": True},
    ),
    (
        "nik dob match",
        {"nik": "3276011708850003", "tanggal_lahir": "1985-08-17"},
        {"nik_dob_mismatch": False},
    ),
    ("nik sex mismatch", {"nik": "3276015708850003", "jenis_kelamin": "L"}, {"nik_sex_mismatch": True}),
    ("nik sex match", {"nik": "3276015708850003", "jenis_kelamin": "Perempuan"}, {"nik_sex_mismatch": False}),
]

KK_CASES: list[Case] = [
    (
        "kk valid",
        {"no_kk": "3276011205100021"},
        {"no_kk": "3276011205100021", "kk_valid": True, "kk_problems": ""},
    ),
    ("kk spaced", {"no_kk": "3276 0112 0510 0021"}, {"no_kk": "3276011205100021"}),
    ("kk day above 40", {"no_kk": "3276015205100021"}, {"kk_valid": False, "kk_problems": "looks_like_nik"}),
    ("kk missing", {"no_kk": None}, {"no_kk": None, "kk_problems": "missing"}),
    ("kk short", {"no_kk": "327601120510002"}, {"kk_problems": "bad_length"}),
    ("kk bad date", {"no_kk": "3276013205100021"}, {"kk_problems": "bad_date"}),
    ("kk unknown region", {"no_kk": "9976011205100021"}, {"kk_problems": "unknown_region"}),
    ("kk zero serial", {"no_kk": "3276011205100000"}, {"kk_problems": "zero_serial"}),
    ("kk scientific", {"no_kk": "3.27601E+15"}, {"no_kk": None, "kk_problems": "excel_damaged"}),
    ("kk masked", {"no_kk": "3276XXXXXXXX0021"}, {"kk_problems": "masked"}),
]

NAME_CASES: list[Case] = [
    (
        "name hajjah with degree",
        {"nama": "HJ. SITI AMINAH, S.PD"},
        {"nama_clean": "SITI AMINAH", "nama_key": "SITIAMINAH"},
    ),
    ("name plain", {"nama": "Siti Aminah"}, {"nama_clean": "SITI AMINAH", "nama_key": "SITIAMINAH"}),
    ("name old spelling oe dj", {"nama": "Soekardjo"}, {"nama_clean": "SOEKARDJO", "nama_key": "SUKARJO"}),
    ("name new spelling", {"nama": "Sukarjo"}, {"nama_key": "SUKARJO"}),
    (
        "name moch",
        {"nama": "MOCH. RIZKI"},
        {"nama_clean": "MOCH RIZKI", "nama_key": "MUHAMADRIZKI", "nama_tokens_key": "MUHAMAD RIZKI"},
    ),
    ("name muhammad", {"nama": "Muhammad Rizki"}, {"nama_key": "MUHAMADRIZKI"}),
    ("name mohammad", {"nama": "Mohammad Rizki"}, {"nama_key": "MUHAMADRIZKI"}),
    ("name muh", {"nama": "Muh. Rizki"}, {"nama_key": "MUHAMADRIZKI"}),
    ("name m initial", {"nama": "M. Rizki"}, {"nama_key": "MUHAMADRIZKI"}),
    ("name mhd", {"nama": "Mhd Rizki"}, {"nama_key": "MUHAMADRIZKI"}),
    ("name m alone", {"nama": "M"}, {"nama_clean": "M", "nama_key": "M"}),
    ("name abd", {"nama": "Abd. Rahman"}, {"nama_key": "ABDULRAHMAN"}),
    ("name achmad", {"nama": "Achmad Yani"}, {"nama_key": "AHMADYANI", "nama_tokens_key": "AHMAD YANI"}),
    ("name st siti", {"nama": "St. Nurhaliza"}, {"nama_key": "SITINURHALIZA"}),
    ("name tj", {"nama": "Tjahjo"}, {"nama_key": "CAHJO"}),
    ("name nj", {"nama": "Njoman"}, {"nama_key": "NYOMAN"}),
    ("name sj", {"nama": "Sjahrir"}, {"nama_key": "SYAHRIR"}),
    ("name ch", {"nama": "Chairul"}, {"nama_key": "KHAIRUL"}),
    ("name doubled", {"nama": "Abdullah"}, {"nama_key": "ABDULAH"}),
    ("name dh th", {"nama": "Fadhil Fathoni"}, {"nama_key": "FADILFATONI"}),
    ("name q", {"nama": "Taufiq"}, {"nama_key": "TAUFIK"}),
    ("name drs haji", {"nama": "Drs. H. Bambang"}, {"nama_clean": "BAMBANG"}),
    ("name prof dr", {"nama": "Prof. Dr. Ir. Budi Santoso, M.Sc"}, {"nama_clean": "BUDI SANTOSO"}),
    ("name kh", {"nama": "KH. Ahmad Dahlan"}, {"nama_clean": "AHMAD DAHLAN"}),
    ("name k.h.", {"nama": "K.H. Hasyim Asyari"}, {"nama_clean": "HASYIM ASYARI"}),
    ("name raden", {"nama": "R. Soeprapto"}, {"nama_clean": "SOEPRAPTO"}),
    ("name tubagus", {"nama": "Tb. Hasanuddin"}, {"nama_clean": "HASANUDDIN"}),
    ("name bapak", {"nama": "Bpk. Dedi"}, {"nama_clean": "DEDI"}),
    ("name ibu", {"nama": "Ibu Euis"}, {"nama_clean": "EUIS"}),
    ("name ibu alone", {"nama": "Ibu"}, {"nama_clean": "IBU"}),
    ("name sdr", {"nama": "Sdr. Asep"}, {"nama_clean": "ASEP"}),
    ("name dr lowercase", {"nama": "dr. Rina"}, {"nama_clean": "RINA"}),
    ("name degrees chain", {"nama": "Dewi Lestari, S.Pd., M.Pd"}, {"nama_clean": "DEWI LESTARI"}),
    ("name degree no comma", {"nama": "Dewi Lestari S.E."}, {"nama_clean": "DEWI LESTARI"}),
    ("name dotless degree", {"nama": "Dewi Lestari SH"}, {"nama_clean": "DEWI LESTARI"}),
    ("name amd kep", {"nama": "Neneng, A.Md.Kep"}, {"nama_clean": "NENENG"}),
    ("name comma words kept", {"nama": "Aminah, Siti"}, {"nama_clean": "AMINAH SITI"}),
    ("name alm", {"nama": "Alm. Slamet"}, {"nama_clean": "SLAMET", "is_deceased": True}),
    ("name almh", {"nama": "Almh. Siti Fatimah"}, {"nama_clean": "SITI FATIMAH", "is_deceased": True}),
    ("name alm suffix", {"nama": "Siti Aminah (Almh)"}, {"is_deceased": True}),
    ("name salman not deceased", {"nama": "Salman"}, {"nama_clean": "SALMAN", "is_deceased": False}),
    ("name bin", {"nama": "Ahmad bin Abdullah"}, {"nama_clean": "AHMAD", "nama_patronym": "ABDULLAH"}),
    (
        "name binti deceased father",
        {"nama": "Siti binti Alm. H. Ahmad"},
        {"nama_clean": "SITI", "nama_patronym": "AHMAD", "is_deceased": False},
    ),
    ("name bt", {"nama": "Nur bt. Hasan"}, {"nama_clean": "NUR", "nama_patronym": "HASAN"}),
    ("name apostrophe", {"nama": "Nur'aini"}, {"nama_clean": "NURAINI"}),
    ("name accents", {"nama": "André Sébastien"}, {"nama_clean": "ANDRE SEBASTIEN"}),
    ("name nbsp", {"nama": "Siti\u00a0Aminah"}, {"nama_clean": "SITI AMINAH"}),
    ("name digits", {"nama": "Budi 2"}, {"nama_clean": "BUDI"}),
    ("name spaces", {"nama": "  siti   aminah  "}, {"nama_clean": "SITI AMINAH"}),
    ("name empty", {"nama": ""}, {"nama_clean": None, "nama_key": None, "nama_phonetic": None}),
    ("name joined vs split", {"nama": "Nurhayati"}, {"nama_key": "NURHAYATI"}),
    ("name phonetic rachmat", {"nama": "Rachmat Hidajat"}, {"nama_phonetic": "RAMATHIDEAT"}),
    ("name phonetic rahmat", {"nama": "Rahmat Hidayat"}, {"nama_phonetic": "RAMATHIDEAT"}),
    ("name phonetic slamet", {"nama": "Selamet"}, {"nama_phonetic": "SLAMET"}),
    (
        "name mother",
        {"nama_ibu_kandung": "Hj. Siti Aminah"},
        {"nama_ibu_key": "SITIAMINAH", "nama_ibu_clean": "SITI AMINAH"},
    ),
]

DATE_CASES: list[Case] = [
    (
        "date dd-mm-yyyy",
        {"tanggal_lahir": "17-08-1985"},
        {"tanggal_lahir": D(1985, 8, 17), "birth_year": 1985, "birth_year_from_age": False},
    ),
    ("date dd/mm/yyyy", {"tanggal_lahir": "17/08/1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date dd.mm.yyyy", {"tanggal_lahir": "17.08.1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date iso", {"tanggal_lahir": "1985-08-17"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date iso time", {"tanggal_lahir": "1985-08-17 00:00:00"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date iso T", {"tanggal_lahir": "1985-08-17T07:30:00"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date iso slashes", {"tanggal_lahir": "1985/8/7"}, {"tanggal_lahir": D(1985, 8, 7)}),
    ("date single digits", {"tanggal_lahir": "7-8-1985"}, {"tanggal_lahir": D(1985, 8, 7)}),
    ("date agustus", {"tanggal_lahir": "17 Agustus 1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date agt", {"tanggal_lahir": "17 Agt 1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date ags", {"tanggal_lahir": "17 ags 1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date agu", {"tanggal_lahir": "17-Agu-1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date des", {"tanggal_lahir": "31 Des 1960"}, {"tanggal_lahir": D(1960, 12, 31)}),
    ("date okt", {"tanggal_lahir": "5 Okt 1970"}, {"tanggal_lahir": D(1970, 10, 5)}),
    ("date nop", {"tanggal_lahir": "1 Nop 1960"}, {"tanggal_lahir": D(1960, 11, 1)}),
    ("date mei", {"tanggal_lahir": "2 Mei 1999"}, {"tanggal_lahir": D(1999, 5, 2)}),
    ("date pebruari", {"tanggal_lahir": "3 Pebruari 1950"}, {"tanggal_lahir": D(1950, 2, 3)}),
    ("date english", {"tanggal_lahir": "17 August 1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date glued", {"tanggal_lahir": "17AGT1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date weekday prefix", {"tanggal_lahir": "Sabtu, 17 Agustus 1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date place prefix", {"tanggal_lahir": "DEPOK, 17-08-1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date two digit 85", {"tanggal_lahir": "17/08/85"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date two digit 20", {"tanggal_lahir": "01-07-20"}, {"tanggal_lahir": D(2020, 7, 1)}),
    ("date two digit future", {"tanggal_lahir": "01-07-30"}, {"tanggal_lahir": D(1930, 7, 1)}),
    ("date two digit month name", {"tanggal_lahir": "17 Agt 85"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date us swap", {"tanggal_lahir": "08/17/1985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date yyyymmdd", {"tanggal_lahir": "19850817"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date ddmmyyyy", {"tanggal_lahir": "17081985"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date excel serial", {"tanggal_lahir": "31276"}, {"tanggal_lahir": D(1985, 8, 17)}),
    ("date excel serial fraction", {"tanggal_lahir": "31276.75"}, {"tanggal_lahir": D(1985, 8, 17)}),
    (
        "date bare year",
        {"tanggal_lahir": "1985"},
        {"tanggal_lahir": None, "birth_year": 1985, "birth_year_from_age": False},
    ),
    ("date bad feb 30", {"tanggal_lahir": "30-02-1985"}, {"tanggal_lahir": None, "birth_year": None}),
    ("date zeros", {"tanggal_lahir": "00-00-0000"}, {"tanggal_lahir": None}),
    ("date text", {"tanggal_lahir": "tidak tahu"}, {"tanggal_lahir": None}),
    ("date future", {"tanggal_lahir": "01-01-2030"}, {"tanggal_lahir": None}),
    ("date too old", {"tanggal_lahir": "01-01-1850"}, {"tanggal_lahir": None}),
    ("date placeholder 1 jul", {"tanggal_lahir": "01-07-1950"}, {"tanggal_lahir_placeholder": True}),
    ("date placeholder 31 dec", {"tanggal_lahir": "31-12-1950"}, {"tanggal_lahir_placeholder": True}),
    ("date placeholder 1 jan", {"tanggal_lahir": "1950-01-01"}, {"tanggal_lahir_placeholder": True}),
    ("date placeholder 15th", {"tanggal_lahir": "15 Maret 1950"}, {"tanggal_lahir_placeholder": True}),
    ("date not placeholder", {"tanggal_lahir": "16-03-1950"}, {"tanggal_lahir_placeholder": False}),
    ("age only", {"umur": "45"}, {"birth_year": 1980, "birth_year_from_age": True, "tanggal_lahir": None}),
    ("age th", {"umur": "45 th"}, {"birth_year": 1980, "birth_year_from_age": True}),
    ("age tahun", {"umur": "45 Tahun"}, {"birth_year": 1980}),
    ("age float", {"umur": "45.0"}, {"birth_year": 1980}),
    ("age text", {"umur": "lansia"}, {"birth_year": None, "birth_year_from_age": False}),
    ("age too high", {"umur": "150"}, {"birth_year": None}),
    (
        "date wins over age",
        {"tanggal_lahir": "17-08-1985", "umur": "10"},
        {"birth_year": 1985, "birth_year_from_age": False},
    ),
]

SEX_CASES: list[Case] = [
    ("sex L", {"jenis_kelamin": "L"}, {"jenis_kelamin": "L"}),
    ("sex laki-laki", {"jenis_kelamin": "Laki-laki"}, {"jenis_kelamin": "L"}),
    ("sex laki laki spaced", {"jenis_kelamin": "LAKI LAKI"}, {"jenis_kelamin": "L"}),
    ("sex laki2", {"jenis_kelamin": "laki2"}, {"jenis_kelamin": "L"}),
    ("sex lk", {"jenis_kelamin": "Lk."}, {"jenis_kelamin": "L"}),
    ("sex pria", {"jenis_kelamin": "Pria"}, {"jenis_kelamin": "L"}),
    ("sex male", {"jenis_kelamin": "Male"}, {"jenis_kelamin": "L"}),
    ("sex 1", {"jenis_kelamin": "1"}, {"jenis_kelamin": "L"}),
    ("sex 1.0", {"jenis_kelamin": "1.0"}, {"jenis_kelamin": "L"}),
    ("sex P", {"jenis_kelamin": "p"}, {"jenis_kelamin": "P"}),
    ("sex perempuan", {"jenis_kelamin": "PEREMPUAN"}, {"jenis_kelamin": "P"}),
    ("sex wanita", {"jenis_kelamin": "Wanita"}, {"jenis_kelamin": "P"}),
    ("sex F", {"jenis_kelamin": "F"}, {"jenis_kelamin": "P"}),
    ("sex 2", {"jenis_kelamin": "2"}, {"jenis_kelamin": "P"}),
    ("sex unknown", {"jenis_kelamin": "X"}, {"jenis_kelamin": None}),
    ("sex 3", {"jenis_kelamin": "3"}, {"jenis_kelamin": None}),
]

PHONE_CASES: list[Case] = [
    ("phone 08", {"telepon": "0812-3456-7890"}, {"telepon": "081234567890"}),
    ("phone +62", {"telepon": "+62 812 3456 7890"}, {"telepon": "081234567890"}),
    ("phone 62", {"telepon": "6281234567890"}, {"telepon": "081234567890"}),
    ("phone 0062", {"telepon": "0062 812 3456 7890"}, {"telepon": "081234567890"}),
    ("phone missing 0", {"telepon": "81234567890"}, {"telepon": "081234567890"}),
    ("phone landline", {"telepon": "(021) 7720-1234"}, {"telepon": "02177201234"}),
    ("phone two numbers", {"telepon": "0812345678 / 0813999888"}, {"telepon": "0812345678"}),
    ("phone float", {"telepon": "81234567890.0"}, {"telepon": "081234567890"}),
    ("phone too short", {"telepon": "0812"}, {"telepon": None}),
    ("phone scientific", {"telepon": "8.12346E+10"}, {"telepon": None}),
    ("phone text", {"telepon": "tidak ada"}, {"telepon": None}),
]

ADDRESS_CASES: list[Case] = [
    (
        "addr full marked",
        {
            "alamat": "Jl. H. Terin No.5. RT 005 / RW 03, Kelurahan Pangkalan "
            "jati baru, Kecamatan Cinere, Kota Depok, Jawa barat 16513"
        },
        {
            "street": "JL H TERIN",
            "house_number": "5",
            "rt": 5,
            "rw": 3,
            "kelurahan": "PANGKALAN JATI BARU",
            "kecamatan": "CINERE",
            "kelurahan_code": "32.76.09.1004",
            "kecamatan_code": "32.76.09",
            "kelurahan_known": True,
        },
    ),
    (
        "addr gang after comma",
        {
            "alamat": "Jalan Andara Ujung, GG Sungai, RT 02 RW 02 No. 99, "
            "Kel. Pangkalan Jati Baru, Kec. Cinere, Depok"
        },
        {
            "street": "JL ANDARA UJUNG GG SUNGAI",
            "house_number": "99",
            "rt": 2,
            "rw": 2,
            "kelurahan_code": "32.76.09.1004",
        },
    ),
    (
        "addr rt slash rw",
        {"alamat": "Jl. Andara Gg. Masjid Rt 008/ Rw 01 No. 48 Kel. Pangkalan Jati Baru, Kec. Cinere, Depok"},
        {"street": "JL ANDARA GG MASJID", "rt": 8, "rw": 1, "house_number": "48"},
    ),
    (
        "addr unmarked parts",
        {"alamat": "Jl. Green Andara Residences Blok B3 No. 19, Pangkalan Jati Baru, Cinere, Depok"},
        {
            "street": "JL GREEN ANDARA RESIDENCES BLOK B3",
            "house_number": "19",
            "kelurahan": "PANGKALAN JATI BARU",
            "kecamatan": "CINERE",
        },
    ),
    ("addr rt.rw dots", {"alamat": "Kp. Sawah RT.03/RW.05"}, {"street": "KP SAWAH", "rt": 3, "rw": 5}),
    ("addr rt/rw combined", {"alamat": "RT/RW 003/005"}, {"street": None, "rt": 3, "rw": 5}),
    ("addr bare rt rw", {"alamat": "Kp. Sawah 03/05"}, {"street": "KP SAWAH", "rt": 3, "rw": 5}),
    ("addr rw only", {"alamat": "Jl. Kelapa Dua RW 05"}, {"street": "JL KELAPA DUA", "rt": None, "rw": 5}),
    (
        "addr house letter",
        {"alamat": "Jln. Nusantara No. 12A"},
        {"street": "JL NUSANTARA", "house_number": "12A"},
    ),
    ("addr house hash", {"alamat": "Komplek Timah #7"}, {"street": "KOMP TIMAH", "house_number": "7"}),
    ("addr street words", {"alamat": "Perumahan Griya Asri Blk C2"}, {"street": "PERUM GRIYA ASRI BLOK C2"}),
    ("addr gang word", {"alamat": "Gang Mawar"}, {"street": "GG MAWAR"}),
    ("addr rt column", {"alamat": "Jl. Mawar", "rt": "003", "rw": "005"}, {"rt": 3, "rw": 5}),
    ("addr rt column combined", {"rt": "003/005"}, {"rt": 3, "rw": 5}),
    ("addr rt column words", {"rt": "RT 3", "rw": "RW 12"}, {"rt": 3, "rw": 12}),
    ("addr rt column float", {"rt": "3.0", "rw": "5.0"}, {"rt": 3, "rw": 5}),
    ("addr rt zero", {"rt": "000", "rw": "0"}, {"rt": None, "rw": None}),
    ("addr columns win", {"alamat": "RT 01 RW 02", "rt": "7", "rw": "8"}, {"rt": 7, "rw": 8}),
    (
        "kel column",
        {"kelurahan": "Pondok Cina"},
        {
            "kelurahan": "PONDOK CINA",
            "kecamatan": "BEJI",
            "kelurahan_code": "32.76.06.1005",
            "kecamatan_code": "32.76.06",
            "kelurahan_known": True,
        },
    ),
    ("kel joined", {"kelurahan": "Pondokcina"}, {"kelurahan_code": "32.76.06.1005"}),
    ("kel prefix", {"kelurahan": "KEL. MEKARJAYA"}, {"kelurahan_code": "32.76.05.1004"}),
    ("kel split spelling", {"kelurahan": "Mekar Jaya"}, {"kelurahan_code": "32.76.05.1004"}),
    ("kel alternate spelling", {"kelurahan": "Pengasihan"}, {"kelurahan": "PENGASINAN"}),
    ("kel abbreviation pgs", {"kelurahan": "PGS"}, {"kelurahan": "PASIR GUNUNG SELATAN"}),
    ("kel abbreviation bpt", {"kelurahan": "BPT"}, {"kelurahan": "BOJONG PONDOK TERONG"}),
    ("kel compass abbreviation", {"kelurahan": "Beji Tim."}, {"kelurahan": "BEJI TIMUR"}),
    ("kel typo", {"kelurahan": "Leuwinanggungg"}, {"kelurahan": "LEUWINANGGUNG", "kecamatan": "TAPOS"}),
    (
        "kel typo within kecamatan",
        {"kelurahan": "Tanah Baro", "kecamatan": "Beji"},
        {"kelurahan": "TANAH BARU", "kelurahan_code": "32.76.06.1003"},
    ),
    (
        "kel curug ambiguous",
        {"kelurahan": "Curug"},
        {"kelurahan": "CURUG", "kelurahan_code": None, "kecamatan": None, "kelurahan_known": True},
    ),
    (
        "kel curug bojongsari",
        {"kelurahan": "Curug", "kecamatan": "Bojongsari"},
        {"kelurahan_code": "32.76.11.1005", "kecamatan": "BOJONGSARI"},
    ),
    (
        "kel curug cimanggis",
        {"kelurahan": "Curug", "kecamatan": "CIMANGGIS"},
        {"kelurahan_code": "32.76.02.1008"},
    ),
    (
        "kel decides old kecamatan",
        {"kelurahan": "Pangkalan Jati", "kecamatan": "Limo"},
        {"kelurahan_code": "32.76.09.1003", "kecamatan": "CINERE"},
    ),
    (
        "kel both names",
        {"kelurahan": "Cipayung", "kecamatan": "Cipayung"},
        {"kelurahan_code": "32.76.07.1001"},
    ),
    (
        "kec only",
        {"kecamatan": "Sukma Jaya"},
        {"kecamatan": "SUKMAJAYA", "kecamatan_code": "32.76.05", "kelurahan_known": None},
    ),
    ("kec typo", {"kecamatan": "Cimangis"}, {"kecamatan": "CIMANGGIS"}),
    ("kel unknown", {"kelurahan": "Kebayoran"}, {"kelurahan": None, "kelurahan_known": False}),
    (
        "kel outside depok",
        {"kelurahan": "Cipayung", "kecamatan": "Cipayung", "kabupaten_kota": "Jakarta Timur"},
        {"kelurahan": None, "kelurahan_known": False, "kecamatan": "CIPAYUNG", "kecamatan_code": "31.75.10"},
    ),
    ("kec neighbour", {"kecamatan": "Jagakarsa"}, {"kecamatan": "JAGAKARSA", "kecamatan_code": "31.74.09"}),
    ("kel none", {"alamat": "Jl. Margonda Raya No. 1"}, {"kelurahan": None, "kelurahan_known": None}),
    (
        "kel marked in alamat",
        {"alamat": "Kp. Rawa, Kel. Sukatani, Kec. Tapos"},
        {"kelurahan": "SUKATANI", "kecamatan": "TAPOS", "street": "KP RAWA"},
    ),
    ("street title kept", {"alamat": "Jl. H. Terin"}, {"street": "JL H TERIN"}),
    ("street kota cut", {"alamat": "Jl. Raya Bogor Kota Depok"}, {"street": "JL RAYA BOGOR"}),
]

PLACE_CASES: list[Case] = [
    ("place upper", {"tempat_lahir": "depok"}, {"tempat_lahir": "DEPOK"}),
    ("place djakarta", {"tempat_lahir": "DJAKARTA"}, {"tempat_lahir": "JAKARTA"}),
    ("place batavia", {"tempat_lahir": "Batavia"}, {"tempat_lahir": "JAKARTA"}),
    ("place kota prefix", {"tempat_lahir": "Kota Bogor"}, {"tempat_lahir": "BOGOR"}),
    ("place kab prefix", {"tempat_lahir": "Kab. Bekasi"}, {"tempat_lahir": "BEKASI"}),
    ("place abbreviation", {"tempat_lahir": "JKT"}, {"tempat_lahir": "JAKARTA"}),
    ("place ujung pandang", {"tempat_lahir": "Ujung Pandang"}, {"tempat_lahir": "MAKASSAR"}),
    ("place tjirebon", {"tempat_lahir": "Tjirebon"}, {"tempat_lahir": "CIREBON"}),
    ("place empty", {"tempat_lahir": " - "}, {"tempat_lahir": None}),
]

GENERIC_CASES: list[Case] = [
    ("postcode digits", {"kode_pos": "16 424"}, {"kode_pos": "16424"}),
    ("postcode float export", {"kode_pos": "2615.0"}, {"kode_pos": "2615"}),
    ("postcode all zeros", {"kode_pos": "00000"}, {"kode_pos": None}),
    ("postcode zeros with a zero inside", {"kode_pos": "10000"}, {"kode_pos": "10000"}),
    ("other identifier placeholder", {"id_lain": "0000000"}, {"id_lain": None}),
]


def _role(case_id: str, raw: str | None, expected: str | None, **other: str) -> Case:
    return (f"role {case_id}", {"hubungan_keluarga": raw, **other}, {"hubungan_keluarga": expected})


FAMILY_CASES: list[Case] = [
    _role("label", "Kepala Keluarga", "KEPALA KELUARGA"),
    _role("abbreviated", "KEP. KELUARGA", "KEPALA KELUARGA"),
    _role("kk", "KK", "KEPALA KELUARGA"),
    _role("krt", "krt", "KEPALA KELUARGA"),
    _role("english head", "Head of household", "KEPALA KELUARGA"),
    _role("reference person", "Reference person", "KEPALA KELUARGA"),
    _role("code 1", "1", "KEPALA KELUARGA"),
    _role("code 01", "01", "KEPALA KELUARGA"),
    _role("code float", "1.0", "KEPALA KELUARGA"),
    _role("code 2", "2", "SUAMI"),
    _role("code 3", "3", "ISTRI"),
    _role("code 4", "4", "ANAK"),
    _role("code 5", "5", "MENANTU"),
    _role("code 6", "6", "CUCU"),
    _role("code 7", "7", "ORANG TUA"),
    _role("code 8", "8", "MERTUA"),
    _role("code 9", "9", "FAMILI LAIN"),
    _role("code 10", "10", "PEMBANTU"),
    _role("code 11", "11", "LAINNYA"),
    _role("code 12", "12", None),
    _role("code 0", "0", None),
    _role("istri", "Istri", "ISTRI"),
    _role("isteri", "ISTERI", "ISTRI"),
    _role("suami", "suami", "SUAMI"),
    _role("wife", "wife", "ISTRI"),
    _role("spouse by sex", "ISTRI/SUAMI", "SUAMI", jenis_kelamin="L"),
    _role("spouse by sex p", "SUAMI / ISTRI", "ISTRI", jenis_kelamin="Perempuan"),
    _role("spouse by nik sex", "Pasangan", "ISTRI", nik="3276015708850003"),
    _role("spouse unknown sex", "spouse", None),
    _role("partner", "Opp-sex partner", "SUAMI", jenis_kelamin="M"),
    _role("anak kandung", "ANAK KANDUNG", "ANAK"),
    _role("anak tiri", "anak tiri", "ANAK"),
    _role("anak ke-2", "Anak ke-2", "ANAK"),
    _role("anak 3", "ANAK 3", "ANAK"),
    _role("biological child", "Biological child", "ANAK"),
    _role("stepchild", "Stepchild", "ANAK"),
    _role("menantu", "Menantu", "MENANTU"),
    _role("child in law", "Child-in-law", "MENANTU"),
    _role("cucu", "CUCU", "CUCU"),
    _role("grandchild", "Grandchild", "CUCU"),
    _role("orang tua", "OrangTua", "ORANG TUA"),
    _role("mertua", "MERTUA", "MERTUA"),
    _role("parent in law", "Parent-in-law", "MERTUA"),
    _role("famili lain", "Famili Lain", "FAMILI LAIN"),
    _role("saudara", "saudara kandung", "FAMILI LAIN"),
    _role("other relative", "Other relative", "FAMILI LAIN"),
    _role("pembantu", "PRT", "PEMBANTU"),
    _role("lainnya", "Lain-lain", "LAINNYA"),
    _role("roommate", "Roommate", "LAINNYA"),
    _role("unknown word", "ANGGOTA", None),
    _role("dash", "-", None),
    _role("empty", "  ", None),
    ("family id digits", {"id_keluarga": "32760100012"}, {"id_keluarga": "32760100012"}),
    ("family id separators", {"id_keluarga": " 3276-0100-012 "}, {"id_keluarga": "32760100012"}),
    ("family id float", {"id_keluarga": "32760100012.0"}, {"id_keluarga": "32760100012"}),
    ("family id letters", {"id_keluarga": "dtks-00a1"}, {"id_keluarga": "DTKS00A1"}),
    ("family id placeholder", {"id_keluarga": "000000"}, {"id_keluarga": None}),
    ("family id dash", {"id_keluarga": "-"}, {"id_keluarga": None}),
    ("family id too long", {"id_keluarga": "1" * 20 + "2" * 21}, {"id_keluarga": None}),
]

CASES: list[Case] = (
    NIK_CASES
    + KK_CASES
    + NAME_CASES
    + DATE_CASES
    + SEX_CASES
    + PHONE_CASES
    + ADDRESS_CASES
    + PLACE_CASES
    + FAMILY_CASES
    + GENERIC_CASES
)


def _raw(record: dict[str, Any]) -> list[Any]:
    return [record.get(c) for c in RAW_COLUMNS] + [bool(record.get("nik_numeric_source"))]


@pytest.fixture(scope="module", params=["query", "select_list"])
def sql_results(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """Every case through the SQL (staged query or select list), in one query."""
    con = duckdb.connect()
    columns = ", ".join(f'"{c}" VARCHAR' for c in RAW_COLUMNS)
    con.execute(f"CREATE TABLE mapped (case_id VARCHAR, {columns}, nik_numeric_source BOOLEAN)")
    con.executemany(
        f"INSERT INTO mapped VALUES ({', '.join('?' for _ in range(len(RAW_COLUMNS) + 2))})",
        [[case_id, *_raw(record)] for case_id, record, _ in CASES],
    )
    if request.param == "query":
        query = standardise_query("mapped", reference_date=REF, select="case_id")
    else:
        query = f"SELECT case_id, {standardise_select_sql(reference_date=REF)} FROM mapped"
    rows = con.execute(query).fetchall()
    return {row[0]: dict(zip(OUTPUT_COLUMNS, row[1:], strict=True)) for row in rows}


def test_enough_cases() -> None:
    assert len(CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize(("case_id", "record", "expected"), CASES, ids=[c[0] for c in CASES])
def test_case(
    case_id: str,
    record: dict[str, Any],
    expected: dict[str, Any],
    sql_results: dict[str, dict[str, Any]],
) -> None:
    python = standardise_record(record, reference_date=REF)
    wrong = {k: (python[k], v) for k, v in expected.items() if python[k] != v}
    assert not wrong, f"python (got, expected): {wrong}"
    sql = sql_results[case_id]
    differs = {k: (sql[k], python[k]) for k in OUTPUT_COLUMNS if sql[k] != python[k]}
    assert not differs, f"sql differs from python (sql, python): {differs}"
