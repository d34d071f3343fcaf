"""The registry: stable ids, incremental ingest, golden records, lookup, durability."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

import dtks_link
from dtks_link import Registry, load_config
from dtks_link.config import SourceConfig
from dtks_link.registry import RegistryLockedError
from dtks_link.registry.identity import assign_ids


# -- the id rules, on hand-made partitions ------------------------------------------------------
def frame(pairs: dict[str, str], column: str) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": list(pairs), column: list(pairs.values())})


def test_ids_survive_an_unchanged_partition() -> None:
    old = frame({"a": "R0000000001", "b": "R0000000001", "c": "R0000000002"}, "resident_id")
    new = frame({"a": "a", "b": "a", "c": "c"}, "cluster_key")
    changes = assign_ids(new, old, next_number=3)
    assert dict(zip(changes.membership["unique_id"], changes.membership["resident_id"], strict=True)) == {
        "a": "R0000000001",
        "b": "R0000000001",
        "c": "R0000000002",
    }
    assert not (changes.created or changes.merged or changes.split or changes.attached)


def test_merge_keeps_the_oldest_id_and_records_the_other() -> None:
    old = frame({"a": "R0000000002", "b": "R0000000001"}, "resident_id")
    new = frame({"a": "a", "b": "a", "n": "a"}, "cluster_key")
    changes = assign_ids(new, old, next_number=3)
    assert set(changes.membership["resident_id"]) == {"R0000000001"}
    assert changes.merged == [("R0000000002", "R0000000001")]
    assert ("n", "R0000000001") in changes.attached


def test_split_larger_part_keeps_the_id() -> None:
    old = frame({"a": "R0000000001", "b": "R0000000001", "c": "R0000000001"}, "resident_id")
    new = frame({"a": "a", "b": "a", "c": "c"}, "cluster_key")
    changes = assign_ids(new, old, next_number=2)
    ids = dict(zip(changes.membership["unique_id"], changes.membership["resident_id"], strict=True))
    assert ids["a"] == ids["b"] == "R0000000001"
    assert ids["c"] == "R0000000002"
    assert changes.split == [("R0000000001", "R0000000002")]
    assert changes.created == ["R0000000002"]


# -- against a small synthetic Depok ------------------------------------------------------------
@pytest.fixture(scope="module")
def built(small_depok: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    path = tmp_path_factory.mktemp("registry") / "depok.registry"
    result = dtks_link.link(small_depok.config_path, registry=path, write=False)
    return path, result


def test_link_with_registry_uses_stable_ids(built: tuple[Path, Any]) -> None:
    path, result = built
    assert result.clusters["resident_id"].str.fullmatch(r"R\d{10}").all()
    with Registry(path, read_only=True) as registry:
        stats = registry.stats()
        assert stats["records"] == len(result.clusters)
        assert stats["residents"] == result.clusters["resident_id"].nunique()
        first = result.clusters.iloc[0]
        assert registry.resident_id_of(first["source"], first["record_id"]) == first["resident_id"]


def test_rerun_on_same_data_changes_no_id(built: tuple[Path, Any], small_depok: Any, tmp_path: Path) -> None:
    path, first = built
    copy = tmp_path / "copy.registry"
    copy.write_bytes(path.read_bytes())
    again = dtks_link.link(small_depok.config_path, registry=copy, write=False)
    merged = first.clusters.merge(again.clusters, on=["source", "record_id"], suffixes=("_1", "_2"))
    assert len(merged) == len(first.clusters)
    assert (merged["resident_id_1"] == merged["resident_id_2"]).all()


def test_golden_record_prefers_dukcapil(built: tuple[Path, Any]) -> None:
    path, result = built
    clusters = result.clusters
    with_dukcapil = clusters.groupby("resident_id")["source"].agg(
        lambda s: "dukcapil" in set(s) and len(s) > 1
    )
    resident_id = with_dukcapil[with_dukcapil].index[0]
    with Registry(path, read_only=True) as registry:
        view = registry.resident(resident_id)
    assert view.golden["nama_clean"].source == "dukcapil"
    assert view.golden["nik"].source == "dukcapil"
    assert len(view.members) >= 2
    assert (view.events["kind"] == "created").any()


def test_lookup_finds_the_resident_and_scores_like_the_batch(
    built: tuple[Path, Any], small_depok: Any
) -> None:
    path, _ = built
    config = load_config(small_depok.config_path)
    dtks = config.source("dtks")
    raw = pd.read_csv(dtks.path, sep=dtks.delimiter, dtype=str, keep_default_na=False)
    with Registry(path, read_only=True) as registry:
        edges = registry.con.execute(
            "SELECT unique_id_l, unique_id_r, match_weight FROM reg.edges "
            "WHERE unique_id_l LIKE 'dtks|%' OR unique_id_r LIKE 'dtks|%' LIMIT 40"
        ).fetchall()
        checked = 0
        for left, right, weight in edges:
            query_id, other = (left, right) if left.startswith("dtks|") else (right, left)
            row = raw[raw[dtks.id_column] == query_id.split("|", 1)[1]].iloc[0]
            record = {field: (row[column] or None) for field, column in dtks.columns.items()}
            index = registry._lookup_index()
            std = index.standardise(record)
            other_record = (
                registry.con.sql("SELECT * FROM reg.records WHERE unique_id = $id", params={"id": other})
                .to_arrow_table()
                .to_pylist()[0]
            )
            score, _ = index.score(std, other_record)
            assert score == pytest.approx(weight, abs=1e-6)
            checked += 1
        assert checked > 10
        # the top candidate of a Dukcapil record is its own resident
        duk = config.source("dukcapil")
        raw_duk = pd.read_csv(duk.path, sep=duk.delimiter, dtype=str, keep_default_na=False).head(20)
        for _, row in raw_duk.iterrows():
            record = {field: (row[column] or None) for field, column in duk.columns.items()}
            hits = registry.match(record, top_k=3)
            assert hits, record
            assert hits[0].resident_id == registry.resident_id_of("dukcapil", row[duk.id_column])
            assert hits[0].match_probability > 0.99
            for hit in hits:
                assert record.get("nik") is None or record["nik"] not in hit.explanation


def split_config(
    config_path: Path, tmp_path: Path, fraction: float, seed: int
) -> tuple[list[SourceConfig], list[SourceConfig]]:
    """Split every source of a config into two files: the first ``1 - fraction`` and the rest."""
    config = load_config(config_path)
    first, second = [], []
    for source in config.sources:
        assert source.path is not None
        if source.file_format == "excel":
            data = pd.read_excel(source.path, dtype=str)
        elif source.file_format == "parquet":
            data = pd.read_parquet(source.path).astype("string")
        else:
            data = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        rest = data.sample(frac=fraction, random_state=seed)
        base = data.drop(rest.index)
        for part, bucket, label in ((base, first, "a"), (rest, second, "b")):
            out = tmp_path / f"{source.name}_{label}.parquet"
            part.reset_index(drop=True).to_parquet(out, index=False)
            bucket.append(
                SourceConfig(
                    name=source.name, path=out, id_column=source.id_column,
                    columns=source.columns, duplicate_free=source.duplicate_free,
                )
            )  # fmt: skip
    return first, second


def test_incremental_ingest_keeps_existing_ids(small_depok: Any, tmp_path: Path) -> None:
    first, second = split_config(small_depok.config_path, tmp_path, 0.1, seed=5)
    path = tmp_path / "grow.registry"
    config = dtks_link.LinkConfig(sources=tuple(first), options=load_config(small_depok.config_path).options)
    dtks_link.link(config, registry=path, write=False)
    with Registry(path) as registry:
        before = registry.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()
        report = registry.ingest(second)
        after = registry.con.execute("SELECT unique_id, resident_id FROM reg.membership").df()
        merged_ids = set(
            registry.con.execute("SELECT resident_id FROM reg.residents WHERE status = 'merged'").df()[
                "resident_id"
            ]
        )
    assert report.records_added + report.quarantined == report.records_in
    joined = before.merge(after, on="unique_id", suffixes=("_before", "_after"))
    assert len(joined) == len(before)  # nothing lost
    changed = joined[joined["resident_id_before"] != joined["resident_id_after"]]
    # ids change only where a true merge absorbed them
    assert set(changed["resident_id_before"]) <= merged_ids
    assert changed["resident_id_before"].nunique() / before["resident_id"].nunique() < 0.01
    # ingesting the same batch again changes nothing
    with Registry(path) as registry:
        again = registry.ingest(second)
        assert again.records_added == 0 and again.records_unchanged == report.records_added
        assert again.residents_created == again.residents_merged == 0


@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # an ingest takes seconds: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(k=st.integers(2, 4), seed=st.integers(0, 1000))
@example(k=2, seed=51)
def test_k_batches_give_the_same_partition_as_one(
    built: tuple[Path, Any], small_depok: Any, tmp_path_factory: pytest.TempPathFactory, k: int, seed: int
) -> None:
    model_path, _ = built
    work = tmp_path_factory.mktemp("batches")
    parts = []
    remaining = load_config(small_depok.config_path).sources
    sources_all = list(remaining)
    chunks: list[list[SourceConfig]] = [[] for _ in range(k)]
    for source in sources_all:
        assert source.path is not None
        if source.file_format == "excel":
            data = pd.read_excel(source.path, dtype=str)
        elif source.file_format == "parquet":
            data = pd.read_parquet(source.path).astype("string")
        else:
            data = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        data = data.sample(frac=1.0, random_state=seed).head(150)
        for i in range(k):
            part = data.iloc[i::k]
            out = work / f"{source.name}_{i}.parquet"
            part.reset_index(drop=True).to_parquet(out, index=False)
            chunks[i].append(
                SourceConfig(name=source.name, path=out, id_column=source.id_column,
                             columns=source.columns, duplicate_free=source.duplicate_free)
            )  # fmt: skip
        parts.append(data)

    def partition(registry: Registry) -> set[frozenset[str]]:
        rows = registry.con.execute("SELECT resident_id, unique_id FROM reg.membership").fetchall()
        groups: dict[str, set[str]] = {}
        for rid, uid in rows:
            groups.setdefault(rid, set()).add(uid)
        return {frozenset(g) for g in groups.values()}

    with Registry(model_path, read_only=True) as trained:
        with Registry(work / "one.registry") as one:
            one.adopt_model(trained)
            one.ingest(_concat(chunks, work))
            one_partition = partition(one)
        with Registry(work / "many.registry") as many:
            many.adopt_model(trained)
            for chunk in chunks:
                many.ingest(chunk)
            many_partition = partition(many)
    assert one_partition == many_partition


def _concat(chunks: list[list[SourceConfig]], work: Path) -> list[SourceConfig]:
    """One batch holding every chunk, source by source."""
    merged = []
    for position, source in enumerate(chunks[0]):
        frames = [pd.read_parquet(chunk[position].path) for chunk in chunks]
        out = work / f"{source.name}_all.parquet"
        pd.concat(frames, ignore_index=True).to_parquet(out, index=False)
        merged.append(
            SourceConfig(name=source.name, path=out, id_column=source.id_column,
                         columns=source.columns, duplicate_free=source.duplicate_free)
        )  # fmt: skip
    return merged


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.registry"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from dtks_link import Registry
            with Registry({str(path)!r}):
                print("open", flush=True)
                time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(RegistryLockedError, match="another process"):
            Registry(path)
    finally:
        holder.kill()
        holder.wait()


def test_killed_ingest_leaves_the_registry_as_it_was(
    built: tuple[Path, Any], small_depok: Any, tmp_path: Path
) -> None:
    source_path, _ = built
    path = tmp_path / "kill.registry"
    path.write_bytes(source_path.read_bytes())
    _, second = split_config(small_depok.config_path, tmp_path, 0.2, seed=9)
    # a batch with new record ids, so the ingest has real work to commit
    renamed = []
    for source in second:
        assert source.path is not None
        data = pd.read_parquet(source.path)
        data[source.id_column] = "NEW" + data[source.id_column].astype(str)
        out = tmp_path / f"renamed_{source.name}.parquet"
        data.to_parquet(out, index=False)
        renamed.append((source.name, str(out), source.id_column, dict(source.columns), source.duplicate_free))
    with Registry(path, read_only=True) as registry:
        before = registry.stats()
        before_members = registry.con.execute("SELECT * FROM reg.membership ORDER BY unique_id").df()
    script = textwrap.dedent(f"""
        from pathlib import Path
        from dtks_link import Registry
        from dtks_link.config import SourceConfig
        sources = [SourceConfig(name=n, path=Path(p), id_column=i, columns=c, duplicate_free=d)
                   for n, p, i, c, d in {renamed!r}]
        with Registry({str(path)!r}) as registry:
            registry.ingest(sources)
    """)
    env = dict(os.environ, DTKS_LINK_PAUSE_IN_COMMIT="30")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    deadline = time.time() + 120
    line = ""
    while time.time() < deadline:
        line = proc.stderr.readline()
        if "paused inside the commit" in line or not line:
            break
    assert "paused inside the commit" in line, "the ingest never reached its commit"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Registry(path, read_only=True) as registry:
        assert registry.stats() == before
        after_members = registry.con.execute("SELECT * FROM reg.membership ORDER BY unique_id").df()
    pd.testing.assert_frame_equal(before_members, after_members)
