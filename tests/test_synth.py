"""Contract tests for dtks_link.synth.generate: files, truth, distributions, errors, determinism."""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dtks_link.errors import ConfigError
from dtks_link.synth import (
    DEFAULT_ERROR_RATES,
    DEFAULT_RESIDENTS,
    SOURCE_NAMES,
    ErrorRates,
    SyntheticDataset,
    generate,
)
from dtks_link.synth.regions import load_wilayah, origin_groups

RESIDENTS = 20_000
CANONICAL = {
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "kabupaten_kota",
    "nama_ibu_kandung",
    "telepon",
    "umur",
    "hubungan_keluarga",
    "id_keluarga",
}
PROVINCES = {
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64,
    65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96,
}  # fmt: skip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> SyntheticDataset:
    return generate(tmp_path_factory.mktemp("synth"), residents=RESIDENTS, seed=1)


def read_source(ds: SyntheticDataset, name: str) -> pd.DataFrame:
    path = ds.source_paths[name]
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    config = {s["name"]: s for s in tomllib.loads(ds.config_path.read_text())["sources"]}
    return pd.read_csv(path, sep=config[name]["delimiter"], dtype=str, keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def frames(dataset: SyntheticDataset) -> dict[str, pd.DataFrame]:
    return {name: read_source(dataset, name) for name in SOURCE_NAMES}


@pytest.fixture(scope="module")
def truth(dataset: SyntheticDataset) -> pd.DataFrame:
    return pq.read_table(dataset.truth_path).to_pandas()


@pytest.fixture(scope="module")
def errors(dataset: SyntheticDataset) -> pd.DataFrame:
    return pq.read_table(dataset.errors_path).to_pandas()


@pytest.fixture(scope="module")
def config(dataset: SyntheticDataset) -> dict[str, dict[str, object]]:
    parsed = tomllib.loads(dataset.config_path.read_text(encoding="utf-8"))
    return {s["name"]: s for s in parsed["sources"]}


def with_truth(frame: pd.DataFrame, truth: pd.DataFrame, source: str, id_col: str) -> pd.DataFrame:
    t = truth[truth.source == source].set_index("record_id")
    out = frame.copy()
    out["true_id"] = t.loc[frame[id_col], "true_id"].to_numpy()
    out["household_id"] = t.loc[frame[id_col], "household_id"].to_numpy()
    return out


@pytest.fixture(scope="module")
def dukcapil(frames: dict[str, pd.DataFrame], truth: pd.DataFrame) -> pd.DataFrame:
    return with_truth(frames["dukcapil"], truth, "dukcapil", "ID").set_index("true_id")


# ---------------------------------------------------------------------------------------------
# public contract


def test_public_constants() -> None:
    assert DEFAULT_RESIDENTS == 2_010_912
    assert SOURCE_NAMES == ("dukcapil", "dtks", "bpjs_pbi", "pkh", "lansia", "bencana")
    assert set(DEFAULT_ERROR_RATES) == set(SOURCE_NAMES)
    assert DEFAULT_ERROR_RATES["dukcapil"] == ErrorRates()


def test_dataset_fields(dataset: SyntheticDataset) -> None:
    assert dataset.residents == RESIDENTS
    assert set(dataset.source_paths) == set(SOURCE_NAMES)
    for path in [dataset.config_path, dataset.truth_path, *dataset.source_paths.values()]:
        assert path.is_file() and path.parent == dataset.out_dir
    assert dataset.records_per_source["dukcapil"] == RESIDENTS
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.residents = 1  # type: ignore[misc]


def test_config_toml_shape(dataset: SyntheticDataset, config: dict[str, dict[str, object]]) -> None:
    parsed = tomllib.loads(dataset.config_path.read_text(encoding="utf-8"))
    assert parsed["output"] == {"dir": "out"}
    assert list(config) == list(SOURCE_NAMES)
    for name, source in config.items():
        path = dataset.config_path.parent / str(source["path"])
        assert path == dataset.source_paths[name]
        columns = source["columns"]
        assert isinstance(columns, dict) and set(columns) <= CANONICAL
        assert source.get("duplicate_free", False) is (name == "dukcapil")
        delimited = path.suffix in (".csv", ".txt")
        assert ("delimiter" in source) is delimited
        assert ("encoding" in source) is delimited
    assert config["dtks"]["delimiter"] == "|"
    assert config["bencana"]["columns"]["umur"] == "UMUR"  # type: ignore[index]


def test_every_mapped_column_exists(
    config: dict[str, dict[str, object]], frames: dict[str, pd.DataFrame]
) -> None:
    for name, source in config.items():
        frame = frames[name]
        columns = source["columns"]
        assert isinstance(columns, dict)
        assert str(source["id_column"]) in frame.columns
        assert set(columns.values()) <= set(frame.columns), name


def test_dtks_follows_siks_ng_column_order(frames: dict[str, pd.DataFrame]) -> None:
    expected = [
        "iddtks",
        "provinsi",
        "kabupaten_kota",
        "kecamatan",
        "desa_kelurahan",
        "alamat",
        "dusun",
        "rt",
        "rw",
        "nomor_kk",
        "nomor_nik",
        "nama",
        "tanggal_lahir",
        "tempat_lahir",
        "jenis_kelamin",
        "nama_ibu_kandung",
        "hubungan_keluarga",
    ]
    assert list(frames["dtks"].columns[: len(expected)]) == expected


def test_truth_has_one_row_per_record(
    dataset: SyntheticDataset,
    config: dict[str, dict[str, object]],
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
) -> None:
    assert list(truth.columns[:4]) == ["source", "record_id", "true_id", "household_id"]
    assert all(truth[c].map(type).eq(str).all() for c in truth.columns if c != "parent_household_id")
    assert truth.parent_household_id.dropna().map(type).eq(str).all()
    assert set(truth.household_event) == {"reissued", "pecah_kk", "moved", "widowed"}
    assert truth.parent_household_id.notna().eq(truth.household_event == "pecah_kk").all()
    for name in SOURCE_NAMES:
        ids = frames[name][str(config[name]["id_column"])]
        assert ids.is_unique, name
        in_truth = truth.loc[truth.source == name, "record_id"]
        assert len(in_truth) == len(ids) == dataset.records_per_source[name]
        assert set(in_truth) == set(ids)
    # every true_id in any source is a Dukcapil resident
    residents = set(truth.loc[truth.source == "dukcapil", "true_id"])
    assert len(residents) == RESIDENTS
    assert set(truth.true_id) <= residents


def test_identifiers_are_written_as_text(dataset: SyntheticDataset) -> None:
    head = dataset.source_paths["dukcapil"].read_text(encoding="utf-8").splitlines()[1]
    assert re.search(r',"32\d{14}",', head), "NIK must be a quoted 16-digit string"
    schema = pq.read_schema(dataset.source_paths["bpjs_pbi"])
    assert str(schema.field("nik").type) == "string"
    assert str(schema.field("noKartu").type) == "string"


# ---------------------------------------------------------------------------------------------
# the population as Dukcapil shows it


def test_sex_ratio(dukcapil: pd.DataFrame) -> None:
    male = (dukcapil.JENIS_KLMIN == "LAKI-LAKI").mean()
    assert male == pytest.approx(1_008_092 / 2_010_912, abs=0.015)


def ages_of(dates: pd.Series, fmt: str) -> np.ndarray:
    dob = pd.to_datetime(dates, format=fmt)
    ref = pd.Timestamp("2025-07-01")
    before = (dob.dt.month > ref.month) | ((dob.dt.month == ref.month) & (dob.dt.day > ref.day))
    return (ref.year - dob.dt.year - before.astype(int)).to_numpy()


def test_age_pyramid(dukcapil: pd.DataFrame) -> None:
    age = ages_of(dukcapil.TGL_LHR, "%d-%m-%Y")
    assert 0.20 <= (age < 15).mean() <= 0.30
    assert 0.60 <= ((age >= 15) & (age < 65)).mean() <= 0.74
    assert 0.04 <= (age >= 65).mean() <= 0.10
    assert 25 <= np.median(age) <= 33
    assert age.min() >= 0 and age.max() <= 105
    # a pyramid: each 10-year band up to 40 is at least as large as the band after 60
    counts = np.bincount(np.minimum(age // 10, 9), minlength=10)
    assert counts[:4].min() > counts[6:].max()


def test_household_size_and_structure(dukcapil: pd.DataFrame) -> None:
    sizes = dukcapil.groupby("household_id").size()
    assert sizes.mean() == pytest.approx(3.2, abs=0.25)
    living = dukcapil[dukcapil.STATUS_HIDUP == "HIDUP"]
    heads = living[living.STAT_HBKEL == "KEPALA KELUARGA"].groupby("household_id").size()
    # (a family whose head died without a surviving spouse keeps the dead head: no living one)
    assert (heads == 1).all() and len(heads) >= 0.995 * living.household_id.nunique()
    assert (living.groupby("household_id").NO_KK.nunique() == 1).all()
    assert dukcapil.groupby("NO_KK").household_id.nunique().max() == 1
    # after the head's death the widow(er) heads a new KK; the head stays on the one he died on
    widowed = dukcapil[dukcapil.household_id.isin(living.household_id) & (dukcapil.STATUS_HIDUP == "MATI")]
    widowed = widowed[widowed.STAT_HBKEL == "KEPALA KELUARGA"]
    new_kk = living.drop_duplicates("household_id").set_index("household_id").NO_KK
    moved_on = widowed.NO_KK.to_numpy() != new_kk.reindex(widowed.household_id).to_numpy()
    assert moved_on.sum() > 20


def test_pecah_kk_families_carry_their_parents_kk_in_aid_lists(
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
    dukcapil: pd.DataFrame,
) -> None:
    dtks = source_with_truth("dtks", frames, truth, config)
    events = truth.drop_duplicates("household_id").set_index("household_id")
    dtks["event"] = events.household_event.reindex(dtks.household_id).to_numpy()
    dtks["parent"] = events.parent_household_id.reindex(dtks.household_id).to_numpy()
    living = dukcapil[dukcapil.STATUS_HIDUP == "HIDUP"]
    current = living.drop_duplicates("household_id").set_index("household_id")
    split = dtks[dtks.event == "pecah_kk"]
    on_parents = split[split.nomor_kk == current.NO_KK.reindex(split.parent).to_numpy()]
    assert len(on_parents) > 100
    # listed on the parents' KK, with their roles on it, in the parents' DTKS family
    assert set(on_parents.hubungan_keluarga) <= {"Anak", "Menantu", "Cucu", "Famili Lain"}
    assert {"Menantu", "Cucu"} <= set(on_parents.hubungan_keluarga)
    parents = dtks[dtks.household_id.isin(on_parents.parent)].drop_duplicates("household_id")
    family_of = parents.set_index("household_id").id_keluarga
    shared = on_parents[on_parents.parent.isin(family_of.index)]
    assert (shared.id_keluarga.to_numpy() == family_of.reindex(shared.parent).to_numpy()).all()
    # elsewhere a pecah KK family is on its own KK, as the civil registry has it
    own = split[split.nomor_kk == current.NO_KK.reindex(split.household_id).to_numpy()]
    assert len(own) > len(on_parents)
    assert own.hubungan_keluarga.isin(["Kepala Keluarga", "Istri", "Suami", "Anak"]).mean() > 0.95


def test_mother_name_consistent_within_family(dukcapil: pd.DataFrame) -> None:
    children = dukcapil[dukcapil.STAT_HBKEL == "ANAK"]
    assert (children.groupby("household_id").NAMA_LGKP_IBU.nunique() == 1).all()
    wives = dukcapil[dukcapil.STAT_HBKEL == "ISTRI"].set_index("household_id").NAMA_LGKP
    with_wife = children[children.household_id.isin(wives.index)]
    wife_name = wives.loc[with_wife.household_id].to_numpy()
    # the registered name may carry titles and "BINTI X" ("HJ. SITI BINTI ALI, S.PD.");
    # the mother's name is the core that remains
    stripped = pd.Series(wife_name).str.replace(r"^(HJ|DRA|IR|DR|R\.A)\. ", "", regex=True)
    stripped = stripped.str.replace(r", [A-Z.]+$", "", regex=True)
    stripped = stripped.str.replace(r" BINTI \S+$", "", regex=True)
    assert (stripped.to_numpy() == with_wife.NAMA_LGKP_IBU.to_numpy()).mean() > 0.999


def nik_parts(nik: pd.Series) -> pd.DataFrame:
    s = nik.astype(str)
    return pd.DataFrame(
        {
            "prefix": s.str[:6].astype(int),
            "province": s.str[:2].astype(int),
            "day": s.str[6:8].astype(int),
            "month": s.str[8:10].astype(int),
            "yy": s.str[10:12].astype(int),
            "serial": s.str[12:].astype(int),
        },
        index=nik.index,
    )


def structurally_valid(nik: pd.Series) -> pd.Series:
    """Domain.md §1.1: 16 digits, known province, valid date after -40, serial != 0000."""
    s = nik.fillna("").astype(str)
    ok = s.str.fullmatch(r"\d{16}")
    parts = nik_parts(s.where(ok, "1100000101000001"))
    day = parts.day.where(parts.day <= 40, parts.day - 40)
    dates = pd.to_datetime(
        dict(year=2000 + parts.yy, month=parts.month.clip(1, 12), day=day.clip(1, 31)),
        errors="coerce",
    )
    valid_date = (parts.month.between(1, 12)) & day.between(1, 31) & dates.notna()
    valid_date &= dates.dt.day == day  # 31 February would roll over
    return ok & parts.province.isin(PROVINCES) & valid_date & (parts.serial > 0)


def test_nik_decodes_to_birth_date_sex_and_region(dukcapil: pd.DataFrame) -> None:
    assert dukcapil.NIK.is_unique
    assert structurally_valid(dukcapil.NIK).all()
    parts = nik_parts(dukcapil.NIK)
    dob = pd.to_datetime(dukcapil.TGL_LHR, format="%d-%m-%Y")
    female = dukcapil.JENIS_KLMIN == "PEREMPUAN"
    assert (parts.day == dob.dt.day + np.where(female, 40, 0)).all()
    assert (parts.month == dob.dt.month).all()
    assert (parts.yy == dob.dt.year % 100).all()
    known = {3276_00 + k for k in range(1, 12)}
    for group in origin_groups():
        known |= set(group.nik_prefixes.tolist())
    assert parts.prefix.isin(known).all()
    outside = (parts.prefix // 100 != 3276).mean()
    assert outside == pytest.approx(0.25, abs=0.03)


def test_old_kecamatan_codes_for_early_depok_registrations(dukcapil: pd.DataFrame) -> None:
    parts = nik_parts(dukcapil.NIK)
    in_depok = parts.prefix // 100 == 3276
    kecamatan_code = parts.prefix % 100
    wilayah = load_wilayah()
    current = dict(zip(wilayah.kelurahan, wilayah.kecamatan_code.tolist(), strict=True))
    lives_in_new = dukcapil.KEL_NAME.map(current) >= 7
    year = pd.to_datetime(dukcapil.TGL_LHR, format="%d-%m-%Y").dt.year
    # people born after 2007 in the new kecamatan carry the new code; many older ones the old
    young = in_depok & lives_in_new & (year >= 2008)
    old = in_depok & lives_in_new & (year < 1990)
    assert (kecamatan_code[young] >= 7).mean() > 0.8
    assert 0.2 < (kecamatan_code[old] <= 6).mean() < 0.6


def test_placeholder_birth_dates_oversampled_among_elderly(dukcapil: pd.DataFrame) -> None:
    dob = pd.to_datetime(dukcapil.TGL_LHR, format="%d-%m-%Y")
    md = dob.dt.strftime("%d-%m")
    placeholder = md.isin(["01-07", "31-12", "01-01"])
    age = ages_of(dukcapil.TGL_LHR, "%d-%m-%Y")
    old, young = placeholder[age >= 60].mean(), placeholder[age < 40].mean()
    assert old > 0.25 and old > 4 * young


def test_names_look_like_depok(dukcapil: pd.DataFrame) -> None:
    names = dukcapil.NAMA_LGKP
    first = names.str.replace(r"^(H|HJ|DRS|DRA|IR|DR|R|R\.A|KH)\. ", "", regex=True)
    first = first.str.split(" ").str[0]
    share = first.value_counts(normalize=True)
    assert share.get("SITI", 0) + share.get("ST.", 0) > 0.01
    assert share.filter(regex=r"^(MUHAMMAD|MUHAMAD|MOHAMMAD|MOHAMAD|MOCH|M\.)").sum() > 0.02
    assert names.str.contains(r" BIN(?:TI)? ").mean() > 0.01
    assert names.str.match(r"^(H|HJ)\. ").mean() > 0.005
    assert names.str.contains(r", S\.").mean() > 0.005
    assert names.str.contains("OE|DJ|TJ").mean() > 0.01  # old spelling among older people
    age = ages_of(dukcapil.TGL_LHR, "%d-%m-%Y")
    one_word = ~names.str.replace(r"^[A-Z.]+\. ", "", regex=True).str.contains(" ")
    assert one_word[age >= 65].mean() > 3 * one_word[age < 25].mean()
    assert names.str.fullmatch(r"[A-Z.,' ]+").all()


def test_addresses_in_real_kelurahan(dukcapil: pd.DataFrame) -> None:
    wilayah = load_wilayah()
    assert set(dukcapil.KEL_NAME) <= set(wilayah.kelurahan)
    pairs = set(zip(wilayah.kelurahan, wilayah.kecamatan, strict=True))
    assert set(zip(dukcapil.KEL_NAME, dukcapil.KEC_NAME, strict=True)) <= pairs
    assert dukcapil.NO_RT.str.fullmatch(r"\d{3}").all()
    assert dukcapil.ALAMAT.str.match(r"^(JL\.|GG\.|KP\.|PERUM) ").all()
    assert dukcapil.KEL_NAME.nunique() >= 55


# ---------------------------------------------------------------------------------------------
# extracts


def source_with_truth(
    name: str,
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
) -> pd.DataFrame:
    return with_truth(frames[name], truth, name, str(config[name]["id_column"]))


def test_dtks_is_the_poorer_quarter_with_duplicates(
    frames: dict[str, pd.DataFrame], truth: pd.DataFrame, config: dict[str, dict[str, object]]
) -> None:
    dtks = source_with_truth("dtks", frames, truth, config)
    people = dtks.true_id.nunique()
    assert people / RESIDENTS == pytest.approx(0.25, abs=0.03)
    duplicated = len(dtks) - people
    assert duplicated / people == pytest.approx(0.04, abs=0.012)
    assert frames["dtks"].tahun_data.eq("2025").all()


def test_pkh_is_one_row_per_family(
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
    dukcapil: pd.DataFrame,
) -> None:
    pkh = source_with_truth("pkh", frames, truth, config)
    assert pkh.household_id.nunique() == pkh.true_id.nunique()
    carers = dukcapil.loc[pkh.true_id]
    assert carers.STAT_HBKEL.isin(["ISTRI", "KEPALA KELUARGA"]).all()
    assert (carers.JENIS_KLMIN == "PEREMPUAN").mean() > 0.8
    assert pkh.NIK_PENGURUS.str.contains(r"E\+15|^'|\.0$", na=False).any()


def test_bpjs_names_abbreviated_and_iso_dates(
    frames: dict[str, pd.DataFrame], truth: pd.DataFrame, config: dict[str, dict[str, object]]
) -> None:
    bpjs = frames["bpjs_pbi"]
    assert bpjs.tglLahir.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert bpjs.sex.isin(["L", "P"]).all()
    assert bpjs.nama.str.fullmatch(r"\S+( \S+)* [A-Z]").mean() > 0.2  # "TRI M"
    assert bpjs.noKartu.str.fullmatch(r"\d{13}").all()


def test_lansia_are_elderly_with_titles_and_placeholders(
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
    dukcapil: pd.DataFrame,
) -> None:
    lansia = source_with_truth("lansia", frames, truth, config)
    true_age = ages_of(dukcapil.loc[lansia.true_id, "TGL_LHR"], "%d-%m-%Y")
    assert true_age.min() >= 60
    assert lansia.NAMA.str.match(r"^(H|Hj|Bpk|Ibu|Alm|Almh|Drs|Dra|Ir|Dr)\.? ").mean() > 0.2
    day_month = lansia.TANGGAL_LAHIR.str.extract(r"^(\d+) (\w+)")
    placeholder = (
        ((day_month[0] == "1") & day_month[1].isin(["Juli", "Januari"]))
        | ((day_month[0] == "31") & (day_month[1] == "Desember"))
    ).mean()
    assert placeholder > 0.35


def test_bencana_is_sparse(frames: dict[str, pd.DataFrame], config: dict[str, dict[str, object]]) -> None:
    bencana = frames["bencana"]
    columns = config["bencana"]["columns"]
    assert isinstance(columns, dict)
    assert "tanggal_lahir" not in columns and "umur" in columns
    assert bencana.NIK.isna().mean() > 0.3
    assert bencana.UMUR.astype(int).between(0, 110).all()
    assert bencana.ALAMAT.str.contains(r"Rt ", regex=True).all()
    assert len(bencana) > 50


def test_extracts_stay_linkable_to_dukcapil(
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
    dukcapil: pd.DataFrame,
) -> None:
    dtks = source_with_truth("dtks", frames, truth, config)
    ref = dukcapil.loc[dtks.true_id]
    same_nik = dtks.nomor_nik.to_numpy() == ref.NIK.to_numpy()
    dob = pd.to_datetime(dtks.tanggal_lahir, format="%d/%m/%Y").to_numpy()
    same_dob = dob == pd.to_datetime(ref.TGL_LHR, format="%d-%m-%Y").to_numpy()
    same_name = dtks.nama.to_numpy() == ref.NAMA_LGKP.to_numpy()
    assert 0.92 < same_nik.mean() < 0.98
    assert 0.6 < same_name.mean() < 0.85
    assert (same_nik | same_dob).mean() > 0.99
    # at most one of NIK / birth date / name disagrees for the vast majority
    assert ((same_nik.astype(int) + same_dob + same_name) >= 2).mean() > 0.95


# ---------------------------------------------------------------------------------------------
# the error model as realised


def within(observed: int, n: int, rate: float) -> bool:
    expected = n * rate
    return abs(observed - expected) <= 4 * math.sqrt(max(expected * (1 - rate), 1.0)) + 2


def test_logged_error_rates_match_configuration(dataset: SyntheticDataset, errors: pd.DataFrame) -> None:
    counts = errors.groupby(["source", "error"]).size()
    unconditional = [
        "nik_typo",
        "nik_excel_damage",
        "nik_missing",
        "nik_kk_in_field",
        "nik_placeholder",
        "kk_typo",
        "kk_missing",
        "kk_excel_damage",
        "dob_year_typo",
        "mother_name_missing",
        "age_misstated",
    ]
    for source in SOURCE_NAMES:
        rates = DEFAULT_ERROR_RATES[source]
        n = dataset.records_per_source[source]
        for name in unconditional:
            observed = int(counts.get((source, name), 0))
            rate = getattr(rates, name)
            if rate == 0:
                assert observed == 0, (source, name)
                continue
            if (name.startswith("kk_") and source in ("lansia", "bencana")) or (
                name.startswith("dob_") and source in ("pkh", "bencana")
            ):
                continue  # no such column
            if name == "mother_name_missing" and source != "dtks":
                continue
            assert within(observed, n, rate), (source, name, observed, n * rate)


def test_dukcapil_is_clean(errors: pd.DataFrame) -> None:
    assert not (errors.source == "dukcapil").any()


def test_missing_nik_share_visible_in_files(
    dataset: SyntheticDataset, frames: dict[str, pd.DataFrame]
) -> None:
    for source, column in (("dtks", "nomor_nik"), ("lansia", "NIK"), ("bencana", "NIK")):
        n = dataset.records_per_source[source]
        observed = int(frames[source][column].isna().sum())
        assert within(observed, n, DEFAULT_ERROR_RATES[source].nik_missing), source


def test_nik_validity_rates(frames: dict[str, pd.DataFrame]) -> None:
    valid = {
        "dtks": structurally_valid(frames["dtks"].nomor_nik).mean(),
        "bpjs_pbi": structurally_valid(frames["bpjs_pbi"].nik).mean(),
        "pkh": structurally_valid(frames["pkh"].NIK_PENGURUS).mean(),
    }
    assert 0.93 < valid["dtks"] < 0.99
    assert valid["bpjs_pbi"] > 0.98
    assert 0.85 < valid["pkh"] < 0.97
    assert valid["pkh"] < valid["dtks"] < valid["bpjs_pbi"]


def test_conditional_rates(
    frames: dict[str, pd.DataFrame],
    truth: pd.DataFrame,
    config: dict[str, dict[str, object]],
    dukcapil: pd.DataFrame,
    errors: pd.DataFrame,
) -> None:
    bpjs = source_with_truth("bpjs_pbi", frames, truth, config)
    logged = set(errors.loc[errors.error == "token_abbreviated", "record_id"])
    multiword = bpjs.nama.str.contains(" ")
    share = bpjs.noKartu.isin(logged)[multiword | bpjs.noKartu.isin(logged)].mean()
    assert share == pytest.approx(0.35, abs=0.05)
    dtks = source_with_truth("dtks", frames, truth, config)
    stale = set(errors.loc[(errors.source == "dtks") & (errors.error == "kk_changed"), "record_id"])
    by_family = dtks.assign(stale=dtks.iddtks.isin(stale)).groupby("household_id").stale
    assert (by_family.nunique() == 1).all()  # a family is stale together
    assert by_family.first().mean() == pytest.approx(0.10, abs=0.03)


def test_zero_rates_give_clean_copies(tmp_path: Path) -> None:
    clean = {name: ErrorRates() for name in SOURCE_NAMES}
    ds = generate(tmp_path, residents=3_000, seed=5, sources=["dukcapil", "dtks"],
                  error_rates=clean)  # fmt: skip
    t = pq.read_table(ds.truth_path).to_pandas().set_index("record_id")
    duk = read_source(ds, "dukcapil")
    duk.index = t.loc[duk.ID, "true_id"].to_numpy()
    dtks = read_source(ds, "dtks")
    ref = duk.loc[t.loc[dtks.iddtks, "true_id"]]
    assert (dtks.nomor_nik.to_numpy() == ref.NIK.to_numpy()).all()
    assert (dtks.nomor_kk.to_numpy() == ref.NO_KK.to_numpy()).all()
    assert (dtks.nama.to_numpy() == ref.NAMA_LGKP.to_numpy()).all()
    assert (dtks.nama_ibu_kandung.to_numpy() == ref.NAMA_LGKP_IBU.to_numpy()).all()
    assert ref.STATUS_HIDUP.eq("HIDUP").all()  # deceased_listed = 0 drops the dead
    assert len(pq.read_table(ds.errors_path)) == 0


def test_rates_are_tunable(tmp_path: Path) -> None:
    noisy = DEFAULT_ERROR_RATES["dtks"].scaled(3.0)
    ds = generate(tmp_path, residents=3_000, seed=5, sources=["dtks"],
                  error_rates={"dtks": noisy})  # fmt: skip
    errors = pq.read_table(ds.errors_path).to_pandas()
    n = ds.records_per_source["dtks"]
    observed = int((errors.error == "nik_missing").sum())
    assert within(observed, n, noisy.nik_missing)
    assert noisy.nik_missing == pytest.approx(0.06)


# ---------------------------------------------------------------------------------------------
# determinism and arguments


def file_bytes(ds: SyntheticDataset) -> Iterator[tuple[str, bytes]]:
    for path in sorted(ds.out_dir.iterdir()):
        yield path.name, path.read_bytes()


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", residents=4_000, seed=7)
    b = generate(tmp_path / "b", residents=4_000, seed=7)
    c = generate(tmp_path / "c", residents=4_000, seed=8)
    files_a, files_b = dict(file_bytes(a)), dict(file_bytes(b))
    assert files_a.keys() == files_b.keys()
    assert len(files_a) == len(SOURCE_NAMES) + 3
    for name in files_a:
        assert files_a[name] == files_b[name], name
    assert dict(file_bytes(c))["dukcapil.csv"] != files_a["dukcapil.csv"]


def test_an_extract_does_not_depend_on_the_others(tmp_path: Path) -> None:
    full = generate(tmp_path / "all", residents=3_000, seed=3)
    only = generate(tmp_path / "one", residents=3_000, seed=3, sources=["pkh"])
    assert list(only.source_paths) == ["pkh"]
    assert only.source_paths["pkh"].read_bytes() == full.source_paths["pkh"].read_bytes()
    truth = pq.read_table(only.truth_path).to_pandas()
    assert set(truth.source) == {"pkh"}


def test_progress_is_reported(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    generate(tmp_path, residents=500, seed=0, progress=lambda s, f: seen.append((s, f)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {s for s, _ in seen} >= {"population", *SOURCE_NAMES, "done"}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"residents": 5}, "at least"),
        ({"residents": 2.5}, "integer"),
        ({"seed": -1}, "seed"),
        ({"sources": ["dtks", "sipp"]}, "unknown source"),
        ({"sources": "dtks"}, "list of names"),
        ({"error_rates": {"dtsen": ErrorRates()}}, "unknown source"),
        ({"error_rates": {"dukcapil": ErrorRates(duplicate=0.1)}}, "exactly once"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        generate(tmp_path, **kwargs)  # type: ignore[arg-type]
