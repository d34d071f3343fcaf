"""Keyed pseudonymisation: the copies hold no raw identifier and link exactly like the originals."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from pathlib import Path
from typing import Any

import jellyfish
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link import ConfigError, LinkConfig, SourceConfig, SourceError, link, load_config, pseudonymise
from dtks_link.backends import connect
from dtks_link.pseudonymise import _register_hmac, _typo_neighbours_sql, read_key

KEY = b"0123456789abcdef-test-key-not-secret"


@pytest.fixture(scope="module")
def tiny_depok(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dtks_link.synth import generate

    return generate(tmp_path_factory.mktemp("tiny") / "data", residents=800, seed=5)


@pytest.fixture(scope="module")
def pseudonymised(tiny_depok: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return pseudonymise(tiny_depok.config_path, key=KEY, out_dir=tmp_path_factory.mktemp("pseudo"))


def _partition(clusters: pd.DataFrame) -> set[frozenset[tuple[str, str]]]:
    groups = clusters.groupby("resident_id")[["source", "record_id"]]
    return {frozenset(zip(g["source"], g["record_id"], strict=True)) for _, g in groups}


def test_linking_the_copies_gives_the_same_clusters(pseudonymised: Any, tiny_depok: Any) -> None:
    raw = link(tiny_depok.config_path, write=False, keep_records=True)
    result = link(pseudonymised.config_path, write=False)
    assert _partition(result.clusters) == _partition(raw.clusters)
    pd.testing.assert_frame_equal(result.pairs, raw.pairs, check_exact=False, rtol=1e-9)
    # the data holds scored pairs whose NIKs are one typo apart, so that level was exercised
    assert raw.records is not None
    nik = raw.records.set_index(raw.records["source"] + "|" + raw.records["record_id"])["nik"]
    left = nik.reindex(raw.pairs["source_l"] + "|" + raw.pairs["record_id_l"]).to_numpy()
    right = nik.reindex(raw.pairs["source_r"] + "|" + raw.pairs["record_id_r"]).to_numpy()
    one_typo = [
        a != b and jellyfish.damerau_levenshtein_distance(a, b) == 1
        for a, b in zip(left, right, strict=True)
        if isinstance(a, str) and isinstance(b, str)
    ]
    assert sum(one_typo) > 0


def test_copies_hold_no_raw_identifier(pseudonymised: Any, tiny_depok: Any) -> None:
    config = load_config(tiny_depok.config_path)
    raw: set[str] = set()
    for source in config.sources:
        assert source.path is not None
        if source.file_format == "excel":
            frame = pd.read_excel(source.path, dtype=str)
        elif source.file_format == "parquet":
            frame = pd.read_parquet(source.path).astype("string")
        else:
            frame = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        for field in ("nik", "no_kk", "telepon"):
            if field in source.columns:
                raw |= {re.sub(r"\D", "", v) for v in frame[source.columns[field]].dropna().astype(str)}
    raw = {v for v in raw if len(v) >= 8}
    assert len(raw) > 500
    for name, path in pseudonymised.source_paths.items():
        copy = pd.read_parquet(path)
        text = copy.drop(columns=["nik_typo_keys"]).astype("string").to_csv(index=False)
        digit_runs = set(re.findall(r"\d{8,}", text))
        assert not (digit_runs & raw), name
        for field in ("nik", "no_kk", "telepon"):
            if field in copy.columns:
                assert copy[field].dropna().str.fullmatch(r"[0-9a-f]{32}").all(), (name, field)


def test_facts_are_kept_and_the_key_matters(pseudonymised: Any, tiny_depok: Any, tmp_path: Path) -> None:
    duk = pd.read_parquet(pseudonymised.source_paths["dukcapil"])
    assert duk["nik_birth_date"].notna().mean() > 0.9
    assert set(duk["nik_sex"].dropna()) == {"L", "P"}
    assert duk["nik_region"].dropna().str.fullmatch(r"\d{6}").all()
    # the documented pseudonym, recomputed from the raw NIK of the first record
    raw = pd.read_csv(tiny_depok.source_paths["dukcapil"], dtype=str, nrows=1)
    nik = raw.loc[0, "NIK"]
    assert re.fullmatch(r"\d{16}", nik) and duk.loc[0, "record_id"] == raw.loc[0, "ID"]

    def mac(label: str, value: str) -> str:
        return hmac.digest(KEY, label.encode() + b"\x00" + value.encode(), hashlib.sha256).hex()

    assert duk.loc[0, "nik"] == mac("nik-region-birth", nik[:12])[:12] + mac("nik", nik)[:20]
    other = pseudonymise(tiny_depok.config_path, key=KEY[::-1], out_dir=tmp_path / "other")
    different = pd.read_parquet(other.source_paths["dukcapil"])
    both = duk["nik"].notna()
    assert (different["nik"][both] != duk["nik"][both]).all()  # another key, other pseudonyms


def _typo_keys(niks: list[str]) -> list[set[str]]:
    con = connect()
    _register_hmac(con, KEY)
    con.execute("CREATE TABLE n AS SELECT unnest(?) AS nik, generate_subscripts(?, 1) AS i", [niks, niks])
    rows = con.execute(
        f"SELECT __dtks_hmac_list('nik-typo', {_typo_neighbours_sql('nik')}) FROM n ORDER BY i"
    ).fetchall()
    return [set(r[0] or []) for r in rows]


def _mutate(nik: str, rng: random.Random) -> str:
    digits = list(nik)
    for _ in range(rng.choice([1, 1, 2])):
        i = rng.randrange(15)
        if rng.random() < 0.5:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
        else:
            digits[i] = rng.choice("0123456789")
    return "".join(digits)


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False))
def test_shared_typo_key_iff_one_edit_apart(rng: random.Random) -> None:
    left = ["".join(rng.choice("0123456789") for _ in range(16)) for _ in range(20)]
    right = [_mutate(nik, rng) for nik in left]
    keys = _typo_keys(left + right)
    for a, b, ka, kb in zip(left, right, keys[:20], keys[20:], strict=True):
        assert bool(ka & kb) == (jellyfish.damerau_levenshtein_distance(a, b) <= 1), (a, b)
        assert len(ka) == 31


def test_bad_keys_and_mixed_configs_are_refused(tmp_path: Path, tiny_depok: Any) -> None:
    (tmp_path / "short").write_bytes(b"secret\n")
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        read_key(tmp_path / "short")
    with pytest.raises(ConfigError, match="cannot read the key file"):
        read_key(tmp_path / "missing")
    with pytest.raises(ConfigError, match="at least 16 bytes"):
        pseudonymise(tiny_depok.config_path, key=b"", out_dir=tmp_path / "x")
    frame = pd.DataFrame({"ID": ["1"], "NAMA": ["A"]})
    plain = SourceConfig(name="a", id_column="ID", columns={"nama": "NAMA"}, data=frame)
    hashed = SourceConfig(name="b", id_column="ID", columns={"nama": "NAMA"}, data=frame, pseudonymised=True)
    with pytest.raises(ConfigError, match="every source is pseudonymised"):
        LinkConfig(sources=(plain, hashed))
    with pytest.raises(SourceError, match="dtks-link pseudonymise"):
        link(LinkConfig(sources=(hashed,)), write=False)
