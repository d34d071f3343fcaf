"""Config loading: the TOML contract, defaults, and one error listing every problem."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dtks_link import ConfigError, LinkageOptions, SourceConfig, load_config

GOOD = """
[output]
dir = "out"

[[sources]]
name = "dukcapil"
path = "dukcapil.csv"
id_column = "ID"
duplicate_free = true
delimiter = ","
encoding = "utf-8"
[sources.columns]
nik = "NIK"
nama = "NAMA_LENGKAP"
tanggal_lahir = "TGL_LAHIR"

[[sources]]
name = "dtks"
path = "data/dtks.txt"
id_column = "iddtks"
delimiter = "|"
[sources.columns]
nik = "nomor_nik"
nama = "nama"

[linkage]
match_threshold = 0.8
reference_date = 2025-06-30
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_config_resolves_paths_relative_to_file(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    assert [s.name for s in cfg.sources] == ["dukcapil", "dtks"]
    duk = cfg.source("dukcapil")
    assert duk.path == tmp_path.resolve() / "dukcapil.csv"
    assert duk.duplicate_free is True
    assert duk.columns["nama"] == "NAMA_LENGKAP"
    assert cfg.source("dtks").duplicate_free is False
    assert cfg.source("dtks").file_format == "csv"
    assert cfg.output_dir == tmp_path.resolve() / "out"
    assert cfg.options.match_threshold == 0.8
    assert cfg.options.reference_date == dt.date(2025, 6, 30)
    assert cfg.options.pair_threshold == LinkageOptions().pair_threshold


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[output]
dir = "out"
colour = "red"

[[sources]]
name = "1bad name"
path = "a.csv"
id_column = "ID"
[sources.columns]
nik = "NIK"
shoe_size = "SIZE"

[[sources]]
name = "b"
path = "b.csv"
[sources.columns]
nama = "N"

[linkage]
match_threshold = 1.5
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = "\n".join(info.value.problems)
    assert "colour" in problems
    assert "1bad name" in problems
    assert "shoe_size" in problems
    assert "id_column" in problems  # missing in the second source
    assert "match_threshold" in problems
    assert len(info.value.problems) >= 5


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[[sources]\nname="))


def test_duplicate_source_names(tmp_path: Path) -> None:
    twice = GOOD.replace('name = "dtks"', 'name = "dukcapil"')
    with pytest.raises(ConfigError, match="more than once"):
        load_config(write(tmp_path, twice))


def test_source_config_in_python_validates() -> None:
    with pytest.raises(ConfigError, match="exactly one of 'path'"):
        SourceConfig(name="x", id_column="ID", columns={"nama": "N"})
    ok = SourceConfig(name="x", id_column="ID", columns={"nama": "N"}, path=Path("a.parquet"))
    assert ok.file_format == "parquet"
    assert (
        SourceConfig(name="y", id_column="I", columns={"nama": "N"}, path=Path("a.XLSX")).file_format
        == "excel"
    )


def test_config_is_frozen(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, GOOD))
    with pytest.raises(AttributeError):
        cfg.output_dir = Path("elsewhere")  # type: ignore[misc]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_loader_never_crashes_on_arbitrary_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "config.toml"
    path.write_bytes(text.encode("utf-8", errors="replace"))
    with contextlib.suppress(ConfigError):
        load_config(path)


def test_wrong_types_and_hostile_values_are_config_errors(tmp_path: Path) -> None:
    text = """
[[sources]]
name = "ok\\n"
path = "a\\u0000.csv"
id_column = "I\\u0000D"
delimiter = 5
encoding = "rot13"
sheet = true
[sources.columns]
nama = "NA\\u0000MA"

[[sources]]
name = "b"
path = "b.csv"
id_column = "ID"
encoding = "no-such-encoding"
[sources.columns]
nama = "N"

[linkage]
seed = "42"
max_cluster_size = 2.5
reference_date = "2025-06-30"
em_max_iterations = true
"""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    problems = "\n".join(info.value.problems)
    for fragment in (
        "source name 'ok\\n'",
        "path must not contain a NUL",
        "'id_column' must not contain a NUL",
        "delimiter must be a single character",
        "'rot13' is not a known text encoding",
        "'no-such-encoding' is not a known text encoding",
        "sheet must be",
        "column for 'nama' must not contain a NUL",
        "linkage.seed must be an integer",
        "linkage.max_cluster_size",
        "linkage.reference_date must be a date",
        "linkage.em_max_iterations",
    ):
        assert fragment in problems, fragment


_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
    st.sampled_from(["utf-8", "latin-1", "csv", "excel", "|", ",", "nik", "nama", "NIK", "a.csv", "0.5"]),
)
_TOML_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def _table(keys: list[str]) -> st.SearchStrategy[dict[str, object]]:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), _TOML_VALUES, max_size=len(keys))


_SOURCE = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["a", "b", "1x", ""]) | _SCALARS,
        "path": st.sampled_from(["a.csv", "", "/"]) | _SCALARS,
        "id_column": st.sampled_from(["ID", " "]) | _SCALARS,
        "columns": _table(["nik", "nama", "no_kk", "shoe"]) | _TOML_VALUES,
        "delimiter": _SCALARS,
        "encoding": _SCALARS,
        "duplicate_free": _SCALARS,
        "sheet": _SCALARS,
        "format": _SCALARS,
    },
)
_CONFIGS = st.fixed_dictionaries(
    {},
    optional={
        "sources": st.lists(_SOURCE | _TOML_VALUES, max_size=3) | _TOML_VALUES,
        "output": _table(["dir"]) | _TOML_VALUES,
        "linkage": _table(
            [
                "match_threshold",
                "pair_threshold",
                "engine",
                "seed",
                "max_pairs_for_u",
                "em_max_iterations",
                "reference_date",
                "max_cluster_size",
            ]
        )
        | _TOML_VALUES,
        "extra": _TOML_VALUES,
    },
)


@settings(max_examples=300, deadline=None)
@given(_CONFIGS)
def test_config_from_arbitrary_dicts_only_raises_config_error(raw: dict[str, object]) -> None:
    from dtks_link.config import LinkConfig, config_from_dict

    try:
        config = config_from_dict(raw, base_dir=Path("/nonexistent"))
    except ConfigError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
    else:
        assert isinstance(config, LinkConfig)


def test_memory_limit_is_a_size_and_is_read_from_the_linkage_table(tmp_path: Path) -> None:
    assert LinkageOptions(memory_limit="6GB").memory_limit == "6GB"
    assert LinkageOptions(memory_limit="512 MiB").memory_limit == "512 MiB"
    for bad in ("lots", "6GB; DROP TABLE x", "GB", ""):
        with pytest.raises(ConfigError, match="memory_limit"):
            LinkageOptions(memory_limit=bad)
    with pytest.raises(ConfigError, match="memory_limit must be text"):
        LinkageOptions(memory_limit=6)  # type: ignore[arg-type]
    (tmp_path / "a.csv").write_text("id,nama\n1,SITI\n")
    (tmp_path / "c.toml").write_text(
        '[[sources]]\nname = "a"\npath = "a.csv"\nid_column = "id"\ncolumns = { nama = "nama" }\n'
        '[linkage]\nmemory_limit = "4GB"\n'
    )
    assert load_config(tmp_path / "c.toml").options.memory_limit == "4GB"
