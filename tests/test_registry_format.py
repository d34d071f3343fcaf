"""Registry file format (version, migration, backup), private file modes, query validation and
the incremental lookup index, on a registry made by the previous release."""

from __future__ import annotations

import gzip
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dtks_link
from dtks_link import Registry, load_config
from dtks_link.cli import main as cli_main
from dtks_link.errors import QueryError
from dtks_link.registry import RegistryVersionError
from dtks_link.registry import schema as registry_schema
from dtks_link.registry.lookup import LookupIndex
from dtks_link.review import export_review

V1_FIXTURE = Path(__file__).parent / "data" / "registry_v1.registry.gz"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def v1_copy(folder: Path) -> Path:
    path = folder / "old.registry"
    with gzip.open(V1_FIXTURE) as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    os.chmod(path, 0o644)  # as the previous release left it under the usual umask
    return path


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = v1_copy(tmp_path_factory.mktemp("migrated"))
    Registry.migrate(path)
    return path


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A registry built by this version (its model's comparisons are this version's, which
    real-time lookup requires), and the config of its synthetic data."""
    from dtks_link.synth import generate

    folder = tmp_path_factory.mktemp("current")
    data = generate(folder / "data", residents=150, seed=5)
    path = folder / "current.registry"
    dtks_link.link(data.config_path, registry=path, write=False)
    return path, data.config_path


def test_an_old_registry_is_refused_with_the_command_to_migrate_it(tmp_path: Path, capsys: Any) -> None:
    path = v1_copy(tmp_path)
    for read_only in (False, True):
        with pytest.raises(RegistryVersionError, match="format version 1") as caught:
            Registry(path, read_only=read_only)
        assert f"dtks-link registry migrate {path}" in str(caught.value)
        assert caught.value.version == 1
    assert cli_main(["registry", "migrate", str(path)]) == 0
    assert "format 1 -> 3" in capsys.readouterr().out
    assert mode(path) == 0o600
    with Registry(path, read_only=True) as registry:
        assert registry.schema_version == 3
        assert registry.stats() == {
            "records": 256,
            "residents": 152,
            "merged_ids": 0,
            "edges": 171,
            "runs": 1,
            "events": 408,
        }
        columns = {r[0] for r in registry.con.execute("DESCRIBE reg.runs").fetchall()}
        assert {"job_id", "report_json"} <= columns
        assert registry.meta("migrated_by") == f"dtks_link {dtks_link.__version__}"
        view = registry.resident("R0000000001")
        assert view.golden["nama_clean"].value and view.golden["nik"].source == "dukcapil"
        assert len(registry.golden_records()) > 152 * 5
        member = view.members.iloc[0]
        assert registry.resident_id_of(member["source"], member["record_id"]) == "R0000000001"
    assert cli_main(["registry", "migrate", str(path)]) == 0  # a current file is left alone
    assert "already in format 3" in capsys.readouterr().out


def test_a_failed_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = v1_copy(tmp_path)
    broken = (*registry_schema.MIGRATIONS[1], "ALTER TABLE reg.no_such_table ADD COLUMN x INTEGER")
    monkeypatch.setitem(registry_schema.MIGRATIONS, 1, broken)
    with pytest.raises(Exception, match="no_such_table"):
        Registry.migrate(path)
    monkeypatch.undo()
    with pytest.raises(RegistryVersionError, match="format version 1"):
        Registry(path)
    Registry.migrate(path)  # and it still migrates


def test_a_newer_registry_is_refused(migrated: Path, tmp_path: Path) -> None:
    path = tmp_path / "newer.registry"
    shutil.copy(migrated, path)
    with Registry(path) as registry:
        registry.set_meta("schema_version", "99")
    with pytest.raises(RegistryVersionError, match="newer dtks_link"):
        Registry(path)


def test_new_files_with_personal_data_are_private(migrated: Path, tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        created = tmp_path / "new-folder" / "fresh.registry"
        with Registry(created) as registry:
            registry.adopt_model(Registry(migrated, read_only=True))
            wal = created.with_name(created.name + ".wal")
            if wal.exists():
                assert mode(wal) == 0o600
        assert mode(created) == 0o600 and mode(created.parent) == 0o700
        with Registry(migrated, read_only=True) as registry:
            paths = registry.export(tmp_path / "export" / "inner")
            backup = registry.backup(tmp_path / "backups" / "copy.registry")
        for path in paths.values():
            assert mode(path) == 0o600, path
        assert mode(tmp_path / "export") == 0o700 and mode(tmp_path / "export" / "inner") == 0o700
        assert mode(backup) == 0o600 and mode(backup.parent) == 0o700
        queue = pd.DataFrame({"nama_l": ["SITI"], "nama_r": ["=SITI"]})
        for name in ("review.csv", "review.xlsx"):
            assert mode(export_review(queue, tmp_path / name)) == 0o600
        assert (os.umask(0o022), os.umask(0o022)) == (0o022, 0o022)  # the umask came back
    finally:
        os.umask(old_umask)
    with (
        pytest.raises(dtks_link.EngineError, match="never overwrites"),
        Registry(migrated, read_only=True) as reg,
    ):
        reg.backup(backup)


def test_match_rejects_what_would_silently_find_no_one(current: tuple[Path, Path]) -> None:
    with Registry(current[0], read_only=True) as registry:
        cases: list[tuple[dict[str, object], str, str | None]] = [
            ({"foo": "bar"}, "unknown field 'foo'", "foo"),
            ({"name": "SITI AMINAH"}, "did you mean 'nama'", "name"),
            ({"tgl_lahir": "12-08-1975", "nama": "SITI"}, "did you mean 'tanggal_lahir'", "tgl_lahir"),
            ({"nama": 123}, "'nama' must be text, not int", "nama"),
            ({"nama": "SITI", "rt": True}, "'rt' must be text or an integer, not bool", "rt"),
            ({"nik": float("nan")}, "finite", "nik"),
            ({"nama": "x" * 501}, "longer than 500", "nama"),
            (
                {"jenis_kelamin": "P", "alamat": "JL. MARGONDA RAYA"},
                "no field that can find candidates",
                None,
            ),
            ({}, "give at least one of: nik", None),
            ({"nama": "!!!"}, "it gives nama", None),
        ]
        for query, words, field in cases:
            with pytest.raises(QueryError, match=words.replace("(", r"\(")) as caught:
                registry.match(query)
            assert caught.value.field == field, query
        with pytest.raises(QueryError, match="top_k"):
            registry.match({"nama": "SITI"}, top_k=0)
        view = registry.resident("R0000000003")
        name = view.golden["nama_clean"].value
        hits = registry.match({"nama": name.title()}, top_k=3)  # a name only: candidates, low scores
        assert "R0000000003" in [h.resident_id for h in hits]
        assert all(h.match_probability < 0.99 for h in hits)
        assert registry.match({"nama": name, "nik": None, "telepon": ""})  # empty values are "not given"
        surname_only = registry.match({"nama": "ZZZQ " + name.split()[-1]})
        assert surname_only, "the second fallback stage (a word of the name) finds candidates"


def test_an_ingest_updates_the_lookup_index_as_a_rebuild_would(
    current: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "grow.registry"
    shutil.copy(current[0], path)
    source = load_config(current[1]).source("dtks")
    assert source.path is not None
    raw = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
    again = raw.head(12).copy()
    again[source.id_column] = "N" + again[source.id_column]  # the same people, new records
    changed = raw.iloc[12:20].copy()
    changed[source.columns["alamat"]] = "JL. BARU NO. 1"  # updated records
    batch = tmp_path / "batch.csv"
    pd.concat([again, changed]).to_csv(batch, index=False)
    batch_source = dtks_link.SourceConfig(
        name="dtks", path=batch, id_column=source.id_column, columns=source.columns, duplicate_free=False
    )
    queries = [{f: (row[c] or None) for f, c in source.columns.items()} for _, row in raw.head(25).iterrows()]
    with Registry(path) as registry:
        registry.match(queries[0])  # builds the index
        built = registry._lookup
        report = registry.ingest([batch_source], job_id="J0123456789abcdef")
        assert report.records_added == 12
        index = registry._lookup
        assert index is not None and index is not built and len(index.segments) == 2
        assert index.size == registry.stats()["records"]
        fresh = LookupIndex.build(registry)
        for query in queries:
            incremental = [(h.resident_id, round(h.match_weight, 9)) for h in index.match(query, top_k=3)]
            rebuilt = [(h.resident_id, round(h.match_weight, 9)) for h in fresh.match(query, top_k=3)]
            assert incremental == rebuilt, query
        assert not index.needs_rebuild and not fresh.needs_rebuild
        from dtks_link.registry import lookup

        monkeypatch.setattr(lookup, "MAX_SEGMENTS", 1)  # as if many batches had come in
        assert index.needs_rebuild and not fresh.needs_rebuild
        run_id, stored = registry.run_report("J0123456789abcdef") or (None, None)
        assert run_id == report.run_id and stored is not None and stored.records_added == 12


def test_importing_the_library_or_the_client_does_not_import_the_web_framework() -> None:
    import subprocess
    import sys

    code = (
        "import sys, dtks_link, dtks_link.client, dtks_link.service.keys, dtks_link.service.audit\n"
        "assert not {'fastapi', 'uvicorn', 'starlette'} & set(sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_service_extra_gets_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from dtks_link.service import require_service_extra

    real_import = builtins.__import__

    def no_fastapi(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "fastapi":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fastapi)
    with pytest.raises(dtks_link.EngineError, match=r"pip install 'dtks-link\[service\]'"):
        require_service_extra()


@pytest.mark.parametrize("key", ["SITI AMINAH", "", "x\x1f1975", "Ñandú", "3276012345670001", "A B C"])
def test_query_keys_hash_as_the_index_does(key: str) -> None:
    import numpy as np

    from dtks_link.registry.lookup import _hash, _hash_few

    many = np.array([key, "OTHER", key, "THIRD"], dtype=object)
    assert list(_hash(many)) == list(_hash_few([key, "OTHER", key, "THIRD"]))
    assert _hash_few([key])[0] == _hash(many)[2]
