"""The matching service, run for real: uvicorn on a free loopback port in a subprocess, httpx."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import dtks_link
from dtks_link import Registry, load_config
from dtks_link.cli import main as cli_main
from dtks_link.client import Client, ServiceError
from dtks_link.errors import QueryError
from dtks_link.service.keys import KeyFile

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path
    registry: Path
    audit: Path
    keys: Path

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return int(self.proc.returncode)


def start_server(registry: Path, keys: Path, audit: Path, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    log = registry.with_name(registry.name + f".{port}.log")
    command = [
        sys.executable,
        "-m",
        "dtks_link",
        "serve",
        str(registry),
        "--port",
        str(port),
        "--keys",
        str(keys),
        "--audit-log",
        str(audit),
        "--drain-seconds",
        "5",
    ]
    with open(log, "wb") as handle:
        proc = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    server = Server(f"http://127.0.0.1:{port}", proc, log, registry, audit, keys)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the service exited: {log.read_text()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"the service never became ready: {log.read_text()}")


@dataclass
class World:
    server: Server
    keys: dict[str, str]
    batch_path: Path
    batch_columns: dict[str, str]
    batch_id_column: str
    batch_rows: pd.DataFrame
    expected: list[tuple[dict[str, Any], list[Any]]]
    merged: tuple[str, str]
    phone: tuple[str, str]
    pii_values: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from dtks_link.synth import generate

    work = tmp_path_factory.mktemp("service")
    data = generate(work / "data", residents=700, seed=21)
    config = load_config(data.config_path)
    base_sources, held_out = [], None
    for source in config.sources:
        if source.name != "dtks":
            base_sources.append(source)
            continue
        assert source.path is not None and source.file_format == "csv"
        frame = pd.read_csv(source.path, sep=source.delimiter or ",", dtype=str, keep_default_na=False)
        held_out = (source, frame.tail(60).reset_index(drop=True))
        out = work / "dtks_base.parquet"
        frame.head(len(frame) - 60).to_parquet(out, index=False)
        base_sources.append(
            dtks_link.SourceConfig(
                name=source.name,
                path=out,
                id_column=source.id_column,
                columns=source.columns,
                duplicate_free=source.duplicate_free,
            )
        )
    assert held_out is not None
    registry = work / "hub" / "depok.registry"
    dtks_link.link(
        dtks_link.LinkConfig(sources=tuple(base_sources), options=config.options),
        registry=registry,
        write=False,
    )
    batch_source, batch_rows = held_out
    batch_path = work / "batch.parquet"
    batch_rows.to_parquet(batch_path, index=False)

    # queries with the answers the library gives in-process, to compare the service with
    duk = config.source("dukcapil")
    assert duk.path is not None
    raw = pd.read_csv(duk.path, sep=duk.delimiter or ",", dtype=str, keep_default_na=False).head(15)
    queries = [{f: (row[c] or None) for f, c in duk.columns.items()} for _, row in raw.iterrows()]
    with Registry(registry) as reg:
        # one merged id, written as an ingest writes a merge, for the redirect
        a, b = [
            r[0]
            for r in reg.con.execute(
                "SELECT resident_id FROM reg.residents WHERE status = 'active' "
                "ORDER BY resident_id LIMIT 2 OFFSET 5"
            ).fetchall()
        ]
        reg.con.execute("UPDATE reg.membership SET resident_id = ? WHERE resident_id = ?", [a, b])
        reg.con.execute(
            "UPDATE reg.residents SET status = 'merged', merged_into = ? WHERE resident_id = ?", [a, b]
        )
        expected = [(q, reg.match(q, top_k=3)) for q in queries]
        phone, phone_owner = reg.con.execute(
            "SELECT r.telepon, m.resident_id FROM reg.records r JOIN reg.membership m USING (unique_id) "
            "WHERE r.telepon IS NOT NULL ORDER BY r.unique_id LIMIT 1"
        ).fetchall()[0]
    pii_values: set[str] = set()
    for q in queries:
        pii_values |= {str(v) for k, v in q.items() if k in ("nik", "no_kk", "nama") and v}

    keyfile = KeyFile(work / "hub" / "keys.json")
    keys = {}
    for name, scopes, rate in (
        ("full", ["match", "read", "pii", "ingest", "admin"], 1000.0),
        ("matcher", ["match"], 1000.0),
        ("reader", ["read"], 1000.0),
        ("loader", ["ingest"], 1000.0),
        ("slow", ["match"], 0.5),
    ):
        keys[name], _ = keyfile.add(name, scopes, rate_per_second=rate, burst=2 if rate < 1 else None)
    server = start_server(registry, keyfile.path, work / "hub" / "audit.jsonl")
    try:
        yield World(
            server=server,
            keys=keys,
            batch_path=batch_path,
            batch_columns=dict(batch_source.columns),
            batch_id_column=batch_source.id_column,
            batch_rows=batch_rows,
            expected=expected,
            merged=(b, a),
            phone=(phone, phone_owner),
            pii_values=pii_values,
        )
    finally:
        code = server.stop()
    # uvicorn ends by re-raising the SIGTERM it handled, after the graceful shutdown
    assert code in (0, -signal.SIGTERM) and "stopped cleanly" in server.log.read_text(), (
        server.log.read_text()
    )
    assert not registry.with_name(registry.name + ".service.json").exists()


def call(world: World, method: str, path: str, key: str | None = "full", **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {world.keys[key]}"} if key else {}
    headers.update(kwargs.pop("headers", {}))
    return httpx.request(method, world.server.url + path, headers=headers, timeout=30, **kwargs)


def upload_batch(world: World, url: str, key: str, path: Path) -> httpx.Response:
    """Upload a Parquet batch of the held-out DTKS source; asserts it was queued."""
    with open(path, "rb") as handle:
        response = httpx.post(
            url + "/v1/batches",
            headers={"Authorization": f"Bearer {key}"},
            files={"file": (path.name, handle)},
            data={
                "source": "dtks",
                "id_column": world.batch_id_column,
                "columns": json.dumps(world.batch_columns),
            },
            timeout=60,
        )
    assert response.status_code == 202, response.text
    return response


def test_every_v1_endpoint_needs_a_key_and_its_scope(world: World) -> None:
    rid = world.expected[0][1][0].resident_id
    endpoints = [
        ("POST", "/v1/match", {"json": {"record": {"nama": "SITI"}}}, "match"),
        ("GET", f"/v1/residents/{rid}", {}, "read"),
        ("GET", f"/v1/residents/{rid}/records", {}, "read"),
        ("GET", "/v1/batches/J0123456789abcdef", {}, "ingest"),
        ("POST", "/v1/admin/backup", {"json": {"dest": str(world.server.registry)}}, "admin"),
    ]
    holders = {"match": "matcher", "read": "reader", "ingest": "loader", "admin": "full"}
    for method, path, kwargs, scope in endpoints:
        assert call(world, method, path, key=None, **kwargs).status_code == 401, path
        bad = httpx.request(
            method,
            world.server.url + path,
            headers={"Authorization": "Bearer dtks_00000000_" + "x" * 43},
            timeout=30,
            **kwargs,
        )
        assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
        others = [k for k in ("matcher", "reader", "loader") if k != holders[scope]]
        for other in others:
            denied = call(world, method, path, key=other, **kwargs)
            assert denied.status_code == 403, (path, other)
            assert scope in denied.json()["error"]["message"]
        assert call(world, method, path, key=holders[scope], **kwargs).status_code not in (401, 403), path
    assert httpx.get(world.server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(world.server.url + "/readyz").json()
    assert ready["index"] and ready["records"] > 500
    assert httpx.get(world.server.url + "/openapi.json").json()["paths"]["/v1/match"]


def test_match_answers_as_the_library_does(world: World) -> None:
    for query, hits in world.expected[:8]:
        body = call(world, "POST", "/v1/match", json={"record": query, "top_k": 3}).json()
        assert [m["resident_id"] for m in body["matches"]] == [h.resident_id for h in hits]
        assert set(body["matches"][0]) == {"resident_id", "match_probability", "match_weight", "explanation"}
        for got, want in zip(body["matches"], hits, strict=True):
            assert got["match_probability"] == pytest.approx(want.match_probability, abs=1e-12)
            assert got["match_weight"] == pytest.approx(want.match_weight, abs=1e-9)
    queries = [q for q, _ in world.expected]
    batch = call(world, "POST", "/v1/match", key="matcher", json={"records": queries, "top_k": 3}).json()
    assert [[m["resident_id"] for m in r["matches"]] for r in batch["results"]] == [
        [h.resident_id for h in hits] for _, hits in world.expected
    ]


def test_invalid_queries_get_422_naming_the_field_and_never_the_value(world: World) -> None:
    nik = next(q["nik"] for q, _ in world.expected if q.get("nik"))
    cases = [
        ({"record": {"name": "SITI AMINAH", "nik": nik}}, "record.name", "did you mean 'nama'"),
        ({"record": {"nama": 123}}, "record.nama", "must be text"),
        ({"record": {"nik": nik, "tanggal_lahir": ["x"]}}, "record.tanggal_lahir", "must be a date"),
        ({"record": {"jenis_kelamin": "P", "alamat": "JL. MARGONDA"}}, "record", "nama"),
        ({"record": {"nama": "SITI"}, "top_k": 0}, "top_k", "greater than"),
        ({"record": {"nama": "SITI"}, "records": []}, "body", "not both"),
        ({"records": [{"nama": "SITI"}, {"nik": nik, "foo": 1}]}, "records[1].foo", "unknown field"),
        ({"records": [{"nama": "A"}] * 1001}, "records", "1000"),
        ({"record": {"nama": "SITI"}, "extra": nik}, "extra", "not permitted"),
        ({"record": {nik: "SITI"}}, "record." + nik[:4] + "*" * (len(nik) - 8) + nik[-4:], "unknown field"),
    ]
    for body, where, words in cases:
        response = call(world, "POST", "/v1/match", json=body)
        assert response.status_code == 422, body
        error = response.json()["error"]
        assert error["field"] == where, (error, body)
        assert words in error["message"], error
        assert nik not in response.text
    garbage = call(
        world, "POST", "/v1/match", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert garbage.status_code == 422
    nik_path = call(world, "GET", f"/v1/residents/{nik}")
    assert nik_path.status_code == 422 and nik_path.json()["error"]["field"] == "resident_id"
    assert nik not in nik_path.text


def test_name_only_and_phone_only_queries_return_low_probability_candidates(world: World) -> None:
    rid = world.expected[0][1][0].resident_id
    golden = call(world, "GET", f"/v1/residents/{rid}").json()["golden"]
    name = golden["nama_clean"]["value"]
    hits = call(world, "POST", "/v1/match", json={"record": {"nama": name}, "top_k": 5}).json()["matches"]
    assert hits and rid in [h["resident_id"] for h in hits]
    assert all(h["match_probability"] < 0.99 for h in hits)
    phone, owner = world.phone
    hits = call(world, "POST", "/v1/match", json={"record": {"telepon": phone}}).json()["matches"]
    assert owner in [h["resident_id"] for h in hits]


def test_golden_record_masks_identifiers_without_the_pii_scope(world: World) -> None:
    query, hits = next((q, h) for q, h in world.expected if q.get("nik"))
    rid = hits[0].resident_id
    plain = call(world, "GET", f"/v1/residents/{rid}", key="reader").json()
    clear = call(world, "GET", f"/v1/residents/{rid}", key="full").json()
    assert plain["golden"]["nik"]["masked"] and "*" in plain["golden"]["nik"]["value"]
    assert query["nik"] not in json.dumps(plain)
    assert clear["golden"]["nik"]["value"] == query["nik"] and not clear["golden"]["nik"]["masked"]
    assert plain["golden"]["nik"]["source"] == "dukcapil" and plain["golden"]["nik"]["record_id"]
    assert plain["golden"]["nama_clean"]["value"] == clear["golden"]["nama_clean"]["value"]
    assert any(h["kind"] == "created" for h in plain["history"])
    records = call(world, "GET", f"/v1/residents/{rid}/records", key="reader").json()
    assert len(records["records"]) == plain["records"] >= 1
    assert {"source", "record_id"} == set(records["records"][0])
    assert call(world, "GET", "/v1/residents/R9999999999", key="reader").status_code == 404
    assert call(world, "GET", "/v1/residents/R9999999999/records", key="reader").status_code == 404


def test_a_merged_id_redirects_to_its_survivor(world: World) -> None:
    old, survivor = world.merged
    response = call(world, "GET", f"/v1/residents/{old}", key="reader")
    assert response.status_code == 307
    assert response.headers["location"] == f"/v1/residents/{survivor}"
    response = call(world, "GET", f"/v1/residents/{old}/records", key="reader")
    assert response.status_code == 307 and response.headers["location"].endswith(f"{survivor}/records")
    with Client(world.server.url, world.keys["reader"]) as client:
        assert client.resident(old).resident_id == survivor


def test_rate_limit_per_key(world: World) -> None:
    statuses = [
        call(world, "POST", "/v1/match", key="slow", json={"record": {"nama": "SITI"}}) for _ in range(4)
    ]
    codes = [r.status_code for r in statuses]
    assert codes[:2] == [200, 200] and 429 in codes[2:]
    limited = next(r for r in statuses if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    # another key is not slowed down by it
    assert (
        call(world, "POST", "/v1/match", key="matcher", json={"record": {"nama": "SITI"}}).status_code == 200
    )


def test_request_size_limits(world: World) -> None:
    big = {"records": [{"nama": "x" * 400}] * 6000}
    response = call(world, "POST", "/v1/match", json=big)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_python_client_mirrors_the_registry(world: World) -> None:
    with Client(world.server.url, world.keys["full"]) as client:
        query, hits = world.expected[1]
        got = client.match(query, top_k=3)
        assert [h.resident_id for h in got] == [h.resident_id for h in hits]
        assert got[0].match_probability == pytest.approx(hits[0].match_probability)
        many = client.match_many([q for q, _ in world.expected[:3]], top_k=1)
        assert [m[0].resident_id for m in many] == [h[0].resident_id for _, h in world.expected[:3]]
        view = client.resident(hits[0].resident_id)
        assert view.golden["nama_clean"].source and len(view.members) >= 1
        with pytest.raises(QueryError, match="did you mean 'nama'") as caught:
            client.match({"name": "SITI"})
        assert caught.value.field == "name"
        with pytest.raises(KeyError):
            client.resident("R9999999999")
    with (
        Client(world.server.url, "dtks_00000000_" + "y" * 43) as stranger,
        pytest.raises(ServiceError) as denied,
    ):
        stranger.match({"nama": "SITI"})
    assert denied.value.status == 401


def test_batch_upload_lookups_during_ingest_and_new_residents_within_a_second(world: World) -> None:
    answered: list[int] = []
    during: list[int] = []
    state = {"job": "queued"}
    stop = threading.Event()
    query = world.expected[2][0]

    def hammer() -> None:
        with httpx.Client(
            base_url=world.server.url, headers={"Authorization": f"Bearer {world.keys['matcher']}"}
        ) as http:
            while not stop.is_set():
                status = http.post("/v1/match", json={"record": query}, timeout=30).status_code
                answered.append(status)
                if state["job"] == "running":
                    during.append(status)

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        response = upload_batch(world, world.server.url, world.keys["loader"], world.batch_path)
        job = response.json()["job"]
        assert response.headers["location"] == f"/v1/batches/{job}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = call(world, "GET", f"/v1/batches/{job}", key="loader").json()
            state["job"] = body["state"]
            if body["state"] in ("committed", "failed"):
                break
            time.sleep(0.05)
        seen_commit = time.monotonic()
    finally:
        stop.set()
        worker.join()
    assert body["state"] == "committed", body
    report = body["report"]
    assert report["records_in"] == len(world.batch_rows) and report["records_added"] > 0
    assert during and set(during) == {200}, "lookups issued during the ingest must be answered"
    assert set(answered) == {200}
    # a new record is found, as its new resident, within one second of the commit
    row = world.batch_rows.iloc[0]
    record = {f: (row[c] or None) for f, c in world.batch_columns.items()}
    record_id = str(row[world.batch_id_column])
    found = False
    while time.monotonic() < seen_commit + 1.0 and not found:
        hits = call(world, "POST", "/v1/match", json={"record": record, "top_k": 1}).json()["matches"]
        if hits:
            members = call(world, "GET", f"/v1/residents/{hits[0]['resident_id']}/records").json()["records"]
            found = {"source": "dtks", "record_id": record_id} in members
    assert found, "the new record was not found within a second of the commit"
    # bad uploads are refused up front
    bad = call(
        world, "POST", "/v1/batches", key="loader", files={"file": ("x.xlsx", b"abc")}, data={"source": "x"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "file"
    with open(world.batch_path, "rb") as handle:
        bad = call(
            world,
            "POST",
            "/v1/batches",
            key="loader",
            files={"file": ("b.parquet", handle)},
            data={"source": "dtks", "id_column": "nope"},
        )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "id_column"
    config = call(world, "POST", "/v1/batches", key="loader", json={"config": str(world.batch_path)})
    assert config.status_code == 403 and "admin" in config.json()["error"]["message"]


def test_backup_while_serving(world: World, tmp_path: Path) -> None:
    dest = tmp_path / "backups" / "copy.registry"
    response = call(world, "POST", "/v1/admin/backup", json={"dest": str(dest)})
    assert response.status_code == 200, response.text
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    assert stat.S_IMODE(dest.parent.stat().st_mode) == 0o700
    with Registry(dest, read_only=True) as copy:
        assert copy.stats()["records"] > 500 and copy.model_json is not None
    again = call(world, "POST", "/v1/admin/backup", json={"dest": str(dest)})
    assert again.status_code == 422 and "never overwrites" in again.json()["error"]["message"]
    # the command line goes through the service when the service holds the file
    os.environ["DTKS_LINK_API_KEY"] = world.keys["full"]
    try:
        assert (
            cli_main(["registry", "backup", str(world.server.registry), str(tmp_path / "cli.registry")]) == 0
        )
    finally:
        del os.environ["DTKS_LINK_API_KEY"]
    with Registry(tmp_path / "cli.registry", read_only=True) as copy:
        assert copy.stats()["records"] > 500


def test_files_with_personal_data_are_private(world: World) -> None:
    for path in (world.server.registry, world.server.keys, world.server.audit):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(world.server.registry.parent.stat().st_mode) == 0o700
    jobs = world.server.registry.with_name(world.server.registry.name + ".jobs")
    assert stat.S_IMODE(jobs.stat().st_mode) == 0o700


def test_keys_cli_and_revocation_on_a_running_service(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    keyfile = str(world.server.keys)
    assert cli_main(["keys", "add", keyfile, "desk-2", "--scopes", "match,read"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    key = out[-1]
    assert key.startswith("dtks_") and " " not in key
    assert key not in world.server.keys.read_text()
    headers = {"Authorization": f"Bearer {key}"}

    def status_within_seconds(wanted: int) -> int:  # the service re-reads the key file within a second
        deadline = time.monotonic() + 5
        while True:
            url = world.server.url + "/v1/match"
            status = httpx.post(url, json={"record": {"nama": "SITI"}}, headers=headers).status_code
            if status == wanted or time.monotonic() > deadline:
                return status
            time.sleep(0.2)

    assert status_within_seconds(200) == 200
    assert cli_main(["keys", "list", keyfile]) == 0
    listing = capsys.readouterr().out
    assert "desk-2" in listing and key not in listing
    assert cli_main(["keys", "revoke", keyfile, "desk-2"]) == 0
    assert status_within_seconds(401) == 401
    assert cli_main(["keys", "add", keyfile, "bad name", "--scopes", "match"]) == 2
    assert cli_main(["keys", "add", keyfile, "x", "--scopes", "everything"]) == 2


def test_zz_audit_log_records_requests_and_holds_no_identifier(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    text = world.server.audit.read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    assert len(entries) > 50
    assert {"time", "key", "endpoint", "method", "status", "records", "resident_ids", "latency_ms"} <= set(
        entries[0]
    )
    batch = [e for e in entries if e["endpoint"] == "/v1/match" and e["records"] == len(world.expected)]
    assert batch and batch[0]["key"] == "matcher" and batch[0]["resident_ids"]
    assert any(e["status"] == 401 and e["key"] is None for e in entries)
    assert any(e["status"] == 429 and e["key"] == "slow" for e in entries)
    batch_rows = {
        str(v) for col in ("nik", "nama") for v in world.batch_rows.get(world.batch_columns.get(col, ""), [])
    }
    for value in world.pii_values | {v for v in batch_rows if v}:
        assert value not in text, "an identifier or a name reached the audit log"
    assert cli_main(["audit", str(world.server.audit)]) == 0
    summary = capsys.readouterr().out
    assert "matcher" in summary and "/v1/match" in summary


def test_sigkill_mid_ingest_leaves_the_last_commit_and_the_job_resumes(world: World, tmp_path: Path) -> None:
    registry = tmp_path / "kill" / "depok.registry"
    response = call(world, "POST", "/v1/admin/backup", json={"dest": str(registry)})
    assert response.status_code == 200
    with Registry(registry, read_only=True) as reg:
        before = reg.stats()
        last_run = reg.last_run
    keys = KeyFile(tmp_path / "kill" / "keys.json")
    key, _ = keys.add("loader", ["ingest", "match"], rate_per_second=100)
    server = start_server(
        registry, keys.path, tmp_path / "kill" / "audit.jsonl", env={"DTKS_LINK_PAUSE_IN_COMMIT": "60"}
    )
    try:
        renamed = world.batch_rows.copy()
        renamed[world.batch_id_column] = "K" + renamed[world.batch_id_column].astype(str)
        upload = tmp_path / "renamed.parquet"
        renamed.to_parquet(upload, index=False)
        job = upload_batch(world, server.url, key, upload).json()["job"]
        deadline = time.monotonic() + 120
        while "paused inside the commit" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "paused inside the commit" in server.log.read_text()
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait()
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
    with Registry(registry, read_only=True) as reg:
        assert reg.stats() == before and reg.last_run == last_run
    # restarted, the service queues the interrupted job again and commits it
    server = start_server(registry, keys.path, tmp_path / "kill" / "audit.jsonl")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = httpx.get(
                server.url + f"/v1/batches/{job}", headers={"Authorization": f"Bearer {key}"}
            ).json()
            if body["state"] in ("committed", "failed"):
                break
            time.sleep(0.1)
        assert body["state"] == "committed" and body["note"] == "resumed after a restart", body
        assert body["report"]["records_added"] == len(renamed)
        # graceful shutdown: a request in flight when SIGTERM arrives is still answered
        answer: dict[str, httpx.Response] = {}
        records = [{"nama": f"NAMA {i}", "tanggal_lahir": "1980-01-01"} for i in range(1000)]

        def slow_request() -> None:
            answer["response"] = httpx.post(
                server.url + "/v1/match",
                json={"records": records},
                headers={"Authorization": f"Bearer {key}"},
                timeout=60,
            )

        in_flight = threading.Thread(target=slow_request)
        in_flight.start()
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        in_flight.join()
        assert answer["response"].status_code == 200 and len(answer["response"].json()["results"]) == 1000
    finally:
        assert server.stop() in (0, -signal.SIGTERM)
    with Registry(registry, read_only=True) as reg:
        assert reg.last_run == last_run + 1 and reg.stats()["records"] == before["records"] + len(renamed)
        assert reg.run_report(job) is not None


def test_key_file_keeps_only_hashes_and_survives_a_half_written_edit(tmp_path: Path) -> None:
    keys = KeyFile(tmp_path / "keys.json")
    key, entry = keys.add("portal", ["match"], rate_per_second=5)
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    assert key not in keys.path.read_text() and entry.sha256 in keys.path.read_text()
    assert keys.authenticate(key) == entry
    assert keys.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert keys.authenticate("Bearer " + key) is None
    keys.path.write_text('{"format": "dtks_link api keys", "keys": [')  # an editor mid-save
    keys._checked = 0.0
    assert keys.authenticate(key) == entry  # the keys read before still hold
