"""``dtks-link init``: a config proposed from the files, with evidence, that links like a
hand-written one."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dtks_link import ConfigError, evaluate, link, load_config
from dtks_link.cli import main
from dtks_link.profile import propose_config

PSEUDOPEOPLE = Path(__file__).parent / "data" / "pseudopeople_shaped"


def _nik(i: int, *, woman: bool) -> str:
    day = (i % 28) + 1 + (40 if woman else 0)
    return f"327601{day:02d}{(i % 12) + 1:02d}{60 + i % 30:02d}{i % 9000 + 1:04d}"


def _kk(i: int) -> str:
    return f"3276010{(i % 9) + 1}{(i % 12) + 1:02d}{10 + i % 10:02d}{i % 9000 + 1:04d}"


def _people(n: int) -> dict[str, list[str]]:
    first = ["SITI", "AHMAD", "DEWI", "BUDI", "RINA", "AGUS", "NUR", "EKO"]
    last = ["AMINAH", "SANTOSO", "LESTARI", "HIDAYAT", "WATI", "PRASETYO"]
    kelurahan = ["DEPOK", "BEJI", "KUKUSAN", "PONDOK CINA", "MEKARJAYA", "TUGU"]
    return {
        "nik": [_nik(i, woman=i % 2 == 0) for i in range(n)],
        "kk": [_kk(i // 3) for i in range(n)],
        "nama": [f"{first[i % 8]} {last[i % 6]}" for i in range(n)],
        "ibu": [f"{first[(i + 3) % 8]} {last[(i + 1) % 6]}" for i in range(n)],
        "tgl": [f"{(i % 28) + 1:02d}-{(i % 12) + 1:02d}-19{60 + i % 30}" for i in range(n)],
        "tempat": ["DEPOK", "JAKARTA", "BOGOR"] * (n // 3) + ["DEPOK"] * (n % 3),
        "sex": ["P" if i % 2 == 0 else "L" for i in range(n)],
        "alamat": [f"JL. MARGONDA RAYA NO. {i + 1}" for i in range(n)],
        "rt": [f"{(i % 12) + 1:03d}" for i in range(n)],
        "rw": [f"{(i % 8) + 1:03d}" for i in range(n)],
        "kel": [kelurahan[i % 6] for i in range(n)],
        "kec": ["PANCORAN MAS", "BEJI", "CIMANGGIS"] * (n // 3) + ["BEJI"] * (n % 3),
        "hp": [f"0812{i:08d}" for i in range(n)],
        "hub": [["Kepala Keluarga", "Istri", "Anak"][i % 3] for i in range(n)],
        "shdk": [str(i % 3 + 1) for i in range(n)],
        "keluarga": [f"3276{i // 3:08d}" for i in range(n)],
    }


def _columns(text: str) -> list[dict[str, Any]]:
    return [dict(s["columns"]) for s in tomllib.loads(text)["sources"]]


# Real export headers: DTKS (SIKS-NG), Dukcapil (SIAK), BPJS PBI, PKH, and English.
HEADER_CASES = {
    "dtks_siksng.csv": {
        "IDDTKS": ("id", None),
        "NIK": ("nik", "nik"),
        "NOKK": ("kk", "no_kk"),
        "NAMA": ("nama", "nama"),
        "TMPT_LAHIR": ("tempat", "tempat_lahir"),
        "TGL_LAHIR": ("tgl", "tanggal_lahir"),
        "JNS_KEL": ("sex", "jenis_kelamin"),
        "NAMA_IBU_KANDUNG": ("ibu", "nama_ibu_kandung"),
        "ALAMAT": ("alamat", "alamat"),
        "RT": ("rt", "rt"),
        "RW": ("rw", "rw"),
        "desa_kelurahan": ("kel", "kelurahan"),
        "KECAMATAN": ("kec", "kecamatan"),
        "HUB_KRT": ("sex", None),
        "NIK_KEPALA_KELUARGA": ("nik", None),
        "hubungan_keluarga": ("hub", "hubungan_keluarga"),
        "id_keluarga": ("keluarga", "id_keluarga"),
    },
    "dukcapil.csv": {
        "NIK": ("nik", "nik"),
        "NO_KK": ("kk", "no_kk"),
        "NAMA_LENGKAP": ("nama", "nama"),
        "TGL_LAHIR": ("tgl", "tanggal_lahir"),
        "TMPT_LHR": ("tempat", "tempat_lahir"),
        "JENIS_KLMIN": ("sex", "jenis_kelamin"),
        "NAMA_LGKP_IBU": ("ibu", "nama_ibu_kandung"),
        "NO_RT": ("rt", "rt"),
        "NO_RW": ("rw", "rw"),
        "KEL_NAME": ("kel", "kelurahan"),
        "NO_KEL": ("rt", None),
        "NIK_IBU": ("nik", None),
        "STAT_HBKEL": ("shdk", "hubungan_keluarga"),
    },
    "bpjs.csv": {
        "noKartu": ("id", None),
        "nomor_nik": ("nik", "nik"),
        "nomorkk": ("kk", "no_kk"),
        "namaPeserta": ("nama", "nama"),
        "tglLahir": ("tgl", "tanggal_lahir"),
        "jenis_kelamin": ("sex", "jenis_kelamin"),
        "alamat": ("alamat", "alamat"),
        "no_hp": ("hp", "telepon"),
    },
    "pkh.csv": {
        "NO_PESERTA": ("id", None),
        "nik_pengurus": ("nik", "nik"),
        "NO_KK": ("kk", "no_kk"),
        "NAMA_PENGURUS": ("nama", "nama"),
        "JK": ("sex", "jenis_kelamin"),
        "tempat_lahir": ("tempat", "tempat_lahir"),
        "KELURAHAN": ("kel", "kelurahan"),
        "NO_HP": ("hp", "telepon"),
        "NAMA_PENDAMPING": ("nama", None),
    },
}


def test_common_indonesian_headers_map_to_their_fields(tmp_path: Path) -> None:
    n = 60
    people = _people(n)
    people["id"] = [f"R{i:05d}" for i in range(n)]
    for file_name, headers in HEADER_CASES.items():
        pd.DataFrame({h: people[key] for h, (key, _) in headers.items()}).to_csv(
            tmp_path / file_name, index=False, sep="|" if "dtks" in file_name else ","
        )
    text = propose_config(tmp_path)
    config = tomllib.loads(text)
    by_name = {s["name"]: s for s in config["sources"]}
    for file_name, headers in HEADER_CASES.items():
        source = by_name[Path(file_name).stem]
        expected = {field: header for header, (_, field) in headers.items() if field is not None}
        assert dict(source["columns"]) == expected, (file_name, source["columns"])
        ids = [h for h, (key, _) in headers.items() if key == "id"]
        if ids:
            assert source["id_column"] == ids[0]
    assert by_name["dtks_siksng"]["delimiter"] == "|"
    assert not re.search(r"\d{15,}", text), "no NIK or KK value in the proposal"
    # the proposal is a config that loads as it is
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    assert len(load_config(tmp_path / "config.toml").sources) == len(HEADER_CASES)


def test_values_decide_when_headers_say_nothing_and_unknowns_stay_unmapped(tmp_path: Path) -> None:
    n = 60
    people = _people(n)
    frame = pd.DataFrame(
        {
            "kolom_a": [f"K{i}" for i in range(n)],
            "kolom_b": people["nik"],
            "kolom_c": people["nama"],
            "kolom_d": people["hp"],
            "kolom_e": people["kel"],
            "kolom_f": [f"x{i % 7}" for i in range(n)],
            "kolom_g": people["sex"],
            "kolom_h": people["tgl"],
            "kolom_i": people["hub"],
            "kolom_j": people["shdk"],
        }
    )
    frame.to_csv(tmp_path / "unknown.csv", index=False)
    text = propose_config(tmp_path)
    (columns,) = _columns(text)
    # values alone: a 16-digit NIK with women's days, phones, Depok kelurahan, sex codes, the
    # relationship to the head in words (bare SHDK codes 1-3 could be anything: not mapped)
    assert columns == {
        "nik": "kolom_b",
        "jenis_kelamin": "kolom_g",
        "kelurahan": "kolom_e",
        "telepon": "kolom_d",
        "hubungan_keluarga": "kolom_i",
    }
    # a date column without a header could be any date: proposed, commented out
    assert re.search(r'^# tanggal_lahir = "kolom_h" +# uncertain', text, re.M)
    assert re.search(r"# not mapped \(not recognised\): .*kolom_c.*kolom_f.*kolom_j", text)
    assert tomllib.loads(text)["sources"][0]["id_column"] == "kolom_a"


def test_an_ssn_under_a_nik_header_is_not_mapped_to_nik(tmp_path: Path) -> None:
    n = 30
    pd.DataFrame(
        {"ID": range(n), "NIK": [f"{100 + i}-45-6789" for i in range(n)], "NAMA": _people(n)["nama"]}
    ).to_csv(tmp_path / "us.csv", index=False)
    text = propose_config(tmp_path)
    assert _columns(text) == [{"nama": "NAMA"}]
    assert re.search(r'^# id_lain = "NIK" +# uncertain.*social-security', text, re.M)


@pytest.mark.parametrize(
    ("values", "formats", "note"),
    [
        (["07/24/1986", "12/04/2018", "05/06/1994", "03/18/1975"], ["%m/%d/%Y"], "month-first"),
        (["07-24-86", "12-04-18", "05-16-94"], ["%m-%d-%y"], "month-first"),
        (["07241986", "12042018", "05061994", "03181975"], ["%m%d%Y"], "mmddyyyy"),
        (["24/07/1986", "04/12/2018", "16/05/1994"], None, "day-first"),
        (["19860724", "20181204", "19940506"], None, "yyyymmdd"),
        (["04/07/1986", "12/04/2018", "05/06/1994"], None, "order unknown"),
        (["24/07/1986", "07/24/1986", "16/05/1994", "05/16/1994"], None, "mixed"),
    ],
)
def test_date_formats_are_proposed_only_when_the_values_settle_them(
    tmp_path: Path, values: list[str], formats: list[str] | None, note: str
) -> None:
    n = 30
    pd.DataFrame(
        {"ID": range(n), "NAMA": _people(n)["nama"], "DOB": [values[i % len(values)] for i in range(n)]}
    ).to_csv(tmp_path / "d.csv", index=False)
    text = propose_config(tmp_path)
    source = tomllib.loads(text)["sources"][0]
    assert source["columns"]["tanggal_lahir"] == "DOB"
    if formats is None:
        assert "formats" not in source
    else:
        assert source["formats"] == {"tanggal_lahir": formats[0] if len(formats) == 1 else formats}
    assert note in text


def test_duplicate_free_only_on_strong_evidence(tmp_path: Path) -> None:
    n = 200
    people = _people(n)
    unique = pd.DataFrame({"ID": range(n), "NIK": people["nik"], "NAMA": people["nama"]})
    unique.to_csv(tmp_path / "register.csv", index=False)
    repeated = unique.copy()
    repeated.loc[150, "NIK"] = repeated.loc[3, "NIK"]  # beyond the sample below
    repeated.to_csv(tmp_path / "repeated.csv", index=False)
    gaps = unique.copy()
    gaps.loc[10, "NIK"] = None
    gaps.to_parquet(tmp_path / "gaps.parquet", index=False)
    text = propose_config(tmp_path, sample_rows=100)
    by_name = {s["name"]: s for s in tomllib.loads(text)["sources"]}
    assert by_name["register"].get("duplicate_free") is True
    assert "duplicate_free" not in by_name["repeated"]  # counted over the whole file
    assert "duplicate_free" not in by_name["gaps"]


def test_excel_parquet_and_cp1252_files(tmp_path: Path) -> None:
    n = 20
    people = _people(n)
    frame = pd.DataFrame(
        {"ID_KORBAN": [f"B{i}" for i in range(n)], "NAMA": people["nama"], "NIK": people["nik"]}
    )
    excel = frame.copy()
    excel["NIK"] = excel["NIK"].astype("int64")  # Excel holds the NIK as a number
    excel.to_excel(tmp_path / "bencana.xlsx", index=False)
    frame.to_parquet(tmp_path / "bpjs.parquet", index=False)
    latin = frame.assign(NAMA=[f"JOSÉ {name}" for name in people["nama"]])
    (tmp_path / "lama.csv").write_bytes(latin.to_csv(index=False, sep=";").encode("cp1252"))
    (tmp_path / "notes.md").write_text("not data", encoding="utf-8")
    text = propose_config(tmp_path)
    by_name = {s["name"]: s for s in tomllib.loads(text)["sources"]}
    assert set(by_name) == {"bencana", "bpjs", "lama"}
    for source in by_name.values():
        assert dict(source["columns"]) == {"nama": "NAMA", "nik": "NIK"}
    assert by_name["lama"]["encoding"] == "cp1252" and by_name["lama"]["delimiter"] == ";"


def test_a_file_that_is_not_rfc_4180_gets_quote_off(tmp_path: Path) -> None:
    n = 30
    names = _people(n)["nama"]
    names[1] = '"' + names[1]  # an opening quote that never closes
    pd.DataFrame({"ID": range(n), "NAMA": names}).to_csv(tmp_path / "open.csv", index=False, quoting=3)
    text = propose_config(tmp_path)
    source = tomllib.loads(text)["sources"][0]
    assert source["quote"] == "" and source["columns"] == {"nama": "NAMA"}
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    from dtks_link.backends import connect
    from dtks_link.sources import load_sources

    loaded = load_sources(connect(), load_config(tmp_path / "config.toml").sources)
    assert loaded.rows_accepted == {"open": n}


def test_awkward_headers_stay_inside_their_comments(tmp_path: Path) -> None:
    n = 20
    frame = pd.DataFrame({"ID": range(n), "NAMA": _people(n)["nama"], 'odd "col"\nname': ["x"] * n})
    frame.to_csv(tmp_path / "odd.csv", index=False)
    text = propose_config(tmp_path)
    assert tomllib.loads(text)["sources"][0]["columns"] == {"nama": "NAMA"}


def test_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a folder"):
        propose_config(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no data file"):
        propose_config(tmp_path)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    (tmp_path / "header_only.csv").write_text("ID,NAMA\n", encoding="utf-8")
    (tmp_path / "codes.csv").write_text("KODE,KET\n1,a\n2,b\n", encoding="utf-8")
    (tmp_path / "no_id.csv").write_text("ID,NAMA\n1,SITI\n1,BUDI\n2,ANI\n", encoding="utf-8")
    text = propose_config(tmp_path)
    assert "# skipped codes.csv: no name, NIK or KK column recognised" in text
    assert "# skipped empty.csv: cannot read it" in text
    assert "# skipped header_only.csv: no data rows" in text
    # no unique column: the id is left for the user to choose, not guessed
    assert re.search(r'^id_column = "" +# no column is present and distinct .*closest: .ID.', text, re.M)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="source 'no_id': 'id_column' must name the column"):
        load_config(tmp_path / "config.toml")


def test_cli_writes_refuses_to_overwrite_and_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "proposed" / "config.toml"
    assert main(["init", str(PSEUDOPEOPLE), "--out", str(target)]) == 0
    written = target.read_text(encoding="utf-8")
    assert "source 'census'" in capsys.readouterr().out
    assert load_config(target).source("census").path == (PSEUDOPEOPLE / "census.csv").resolve()
    assert main(["init", str(PSEUDOPEOPLE), "--out", str(target)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["init", str(PSEUDOPEOPLE), "--out", str(target), "--force"]) == 0
    capsys.readouterr()
    assert main(["init", str(PSEUDOPEOPLE), "--out", "-"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("[[sources]]") == written.count("[[sources]]") == 3


# -- the proposal links ---------------------------------------------------------------------------
def _pseudopeople_truth(names: dict[str, str]) -> pd.DataFrame:
    frames = []
    for file_name, source in names.items():
        rows = pd.read_csv(PSEUDOPEOPLE / file_name, dtype=str)
        frames.append(
            pd.DataFrame({"source": source, "record_id": rows["record_id"], "true_id": rows["simulant_id"]})
        )
    return pd.concat(frames, ignore_index=True)


def test_pseudopeople_shaped_files_link_from_their_columns(tmp_path: Path) -> None:
    """Names, addresses and month-first dates straight from pseudopeople's columns: the
    hand-written config holds only mappings and formats, and the proposed one links alike."""
    hand = link(PSEUDOPEOPLE / "config.toml", write=False, keep_records=True)
    truth = _pseudopeople_truth({"census.csv": "census", "wic.csv": "wic", "social_security.csv": "ssa"})
    hand_metrics = evaluate(hand.clusters, truth)
    assert hand_metrics.f1 >= 0.9 and hand_metrics.recall == 1.0, hand_metrics.summary()
    records = hand.records
    assert records is not None
    dates = dict(zip(records["unique_id"], records["birth_date"].astype(str), strict=True))
    # 02/11/1962 read day-first would be 2 November: the format says month-first
    assert dates["census|c15"] == dates["wic|w06"] == dates["ssa|s15"] == "1962-02-11"
    names = dict(zip(records["unique_id"], records["nama_clean"], strict=True))
    assert names["census|c01"] == "DIANA P LYONS" and names["ssa|s01"] == "DIANA PAIGE LYONS"

    proposed_path = tmp_path / "proposed.toml"
    proposed_path.write_text(propose_config(PSEUDOPEOPLE, config_path=proposed_path), encoding="utf-8")
    proposed = load_config(proposed_path)
    assert proposed.source("wic").formats == {"tanggal_lahir": "%m%d%Y"}
    assert proposed.source("census").columns["alamat"] == ["street_number", "street_name", "unit_number"]
    assert proposed.source("social_security").columns["id_lain"] == "ssn"
    result = link(proposed, write=False)
    metrics = evaluate(
        result.clusters,
        _pseudopeople_truth(
            {"census.csv": "census", "wic.csv": "wic", "social_security.csv": "social_security"}
        ),
    )
    assert abs(metrics.f1 - hand_metrics.f1) <= 0.002, (metrics.summary(), hand_metrics.summary())


@pytest.mark.slow
def test_init_on_synthetic_depok_links_like_the_hand_written_config(
    small_depok: Any, small_link: Any, tmp_path: Path
) -> None:
    proposed_path = tmp_path / "config.toml"
    proposed_path.write_text(
        propose_config(small_depok.config_path.parent, config_path=proposed_path), encoding="utf-8"
    )
    proposed = load_config(proposed_path)
    hand = load_config(small_depok.config_path)
    assert {s.name for s in proposed.sources} == {s.name for s in hand.sources}
    for source in hand.sources:
        assert dict(proposed.source(source.name).columns) == dict(source.columns), source.name
    result = link(proposed, write=False)
    f1 = evaluate(result.clusters, small_depok.truth_path).f1
    hand_f1 = evaluate(small_link.clusters, small_depok.truth_path).f1
    assert abs(f1 - hand_f1) <= 0.002, (f1, hand_f1)
