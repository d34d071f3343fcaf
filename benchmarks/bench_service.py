"""The matching service under load, on loopback: latency at 1, 8 and 32 concurrent clients, idle
and while a batch of ``--new`` records ingests.

    python benchmarks/bench_service.py --residents 500000 2010912 [--new 10000] [--seconds 15]

For each size: the synthetic extracts (seed 7, as ``bench_registry.py``) minus ``--new`` held-out
records are built into a registry once (cached under benchmarks/data/), copied, and served by
``dtks-link serve`` in its own process. An asyncio httpx loop (one connection per client, each
sending its next request as soon as the last is answered) posts whole source records to
``POST /v1/match`` for ``--seconds`` per level, then stops. During ingest, each level gets its own
batch: the held-out records under fresh record ids, sent as one job (a config path, admin key),
and only the requests issued while that job runs are counted. The load generator shares the
machine's cores with the service; ``--client raw`` (default) is a minimal asyncio HTTP/1.1
keep-alive client, ``--client httpx`` uses ``httpx.AsyncClient`` (heavier on the CPU it shares).
Writes benchmarks/results/service.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
import dtks_link
from _common import save, synthetic, table
from bench_registry import _read
from dtks_link import LinkConfig, SourceConfig, load_config
from dtks_link.service.keys import KeyFile

DATA = Path(__file__).parent / "data"
LEVELS = (1, 8, 32)


def prepare(residents: int, new: int) -> tuple[Path, list[SourceConfig], list[dict[str, Any]]]:
    """The cached base registry, the held-out sources, and query records from the base."""
    folder = synthetic(residents)
    config = load_config(folder / "config.toml")
    cache = folder / f"service_base_{new}"
    registry = cache / "base.registry"
    rng = np.random.default_rng(3)
    sources = [(s, _read(s)) for s in config.sources]
    total = sum(len(d) for _, d in sources)
    base, held_out, queries = [], [], []
    cache.mkdir(parents=True, exist_ok=True)
    for source, data in sources:
        take = rng.random(len(data)) < new / total
        for part, bucket, label in ((data[~take], base, "base"), (data[take], held_out, "new")):
            path = cache / f"{source.name}_{label}.parquet"
            if not path.exists():
                part.reset_index(drop=True).to_parquet(path, index=False)
            bucket.append(
                dataclasses.replace(source, path=path, format="parquet", delimiter=None, sheet=None)
            )
        sample = data[~take].sample(n=min(400, int((~take).sum())), random_state=1)
        for _, row in sample.iterrows():
            record = {f: (str(row[c]) or None) for f, c in source.columns.items()}
            record = {k: v for k, v in record.items() if v not in (None, "", "nan", "<NA>")}
            if record.get("nama") or record.get("nik"):
                queries.append(record)
    if not registry.exists():
        start = time.perf_counter()
        dtks_link.link(
            LinkConfig(sources=tuple(base), options=config.options),
            registry=registry,
            write=False,
            progress=True,
        )
        print(f"built the base registry in {time.perf_counter() - start:.0f} s", flush=True)
    order = np.random.default_rng(5).permutation(len(queries))
    return registry, held_out, [queries[i] for i in order]


def batch_config(held_out: list[SourceConfig], work: Path, prefix: str) -> Path:
    """A config of the held-out records under fresh record ids (so each batch is new work)."""
    lines = []
    for source in held_out:
        assert source.path is not None
        data = pd.read_parquet(source.path)
        data[source.id_column] = prefix + data[source.id_column].astype(str)
        path = work / f"{prefix}_{source.name}.parquet"
        data.to_parquet(path, index=False)
        lines += [
            "[[sources]]",
            f"name = {json.dumps(source.name)}",
            f"path = {json.dumps(str(path))}",
            f"id_column = {json.dumps(source.id_column)}",
            f"duplicate_free = {str(source.duplicate_free).lower()}",
            "[sources.columns]",
        ]
        lines += [f"{field} = {json.dumps(column)}" for field, column in source.columns.items()]
        lines.append("")
    path = work / f"{prefix}.toml"
    path.write_text("\n".join(lines))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: a few microseconds of Python per
    request, so the load generator takes less of the cores it shares with the service."""

    def __init__(self, url: str, key: str) -> None:
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.key = key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        status = int(headers[9:12])
        length = 0
        for line in headers.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def load(
    url: str, key: str, queries: list[dict[str, Any]], clients: int, until: Any, kind: str = "raw"
) -> dict[str, Any]:
    """``clients`` closed-loop clients until ``until()`` is true; latencies in ms and errors."""
    latencies: list[float] = []
    errors = rejected = 0
    counter = 0
    bodies = [json.dumps({"record": q, "top_k": 5}).encode() for q in queries]

    async def client() -> None:
        nonlocal errors, rejected, counter
        raw = RawClient(url, key)
        http = httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=30,
        )
        try:
            while not until():
                body = bodies[counter % len(bodies)]
                counter += 1
                start = time.perf_counter()
                try:
                    if kind == "raw":
                        status = await raw.post("/v1/match", body)
                    else:
                        status = (await http.post("/v1/match", content=body)).status_code
                except (httpx.HTTPError, OSError, asyncio.IncompleteReadError):
                    status = 0
                    await raw.close()
                    raw = RawClient(url, key)
                latencies.append((time.perf_counter() - start) * 1000)
                rejected += status == 422  # a query the service refuses as unanswerable: not a failure
                errors += status not in (200, 422)
        finally:
            await raw.close()
            await http.aclose()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {**summary(latencies, errors, elapsed), "rejected": rejected}


def summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 2) if ordered else 0.0

    return {
        "requests": len(ordered),
        "errors": errors,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.mean(ordered), 2) if ordered else 0.0,
        "per_second": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
    }


def run_size(residents: int, new: int, seconds: float, kind: str) -> dict[str, Any]:
    registry_base, held_out, queries = prepare(residents, new)
    work = Path(tempfile.mkdtemp(prefix="dtks_service_bench_"))
    registry = work / "depok.registry"
    shutil.copy(registry_base, registry)
    keys = KeyFile(work / "keys.json")
    key, _ = keys.add("bench", ["match", "read", "ingest", "admin"], rate_per_second=1e6)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "wb")  # noqa: SIM115 - kept open for the server's life
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dtks_link",
            "serve",
            str(registry),
            "--port",
            str(port),
            "--keys",
            str(keys.path),
            "--workers",
            "8",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rows: list[dict[str, Any]] = []
    try:
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None:
                raise SystemExit((work / "serve.log").read_text())
            time.sleep(0.5)
        ready_s = time.perf_counter() - started
        records = httpx.get(url + "/readyz").json()["records"]
        print(f"{residents:,} residents: {records:,} records served, ready in {ready_s:.1f} s", flush=True)
        asyncio.run(load(url, key, queries, 4, _after(3)))  # warm up
        for clients in LEVELS:
            result = with_cpu(
                server.pid, lambda c=clients: asyncio.run(load(url, key, queries, c, _after(seconds), kind))
            )
            rows.append({"residents": residents, "phase": "idle", "clients": clients, **result})
            print(rows[-1], flush=True)
        headers = {"Authorization": f"Bearer {key}"}
        for clients in LEVELS:
            config = batch_config(held_out, work, f"B{clients}")
            job = httpx.post(url + "/v1/batches", json={"config": str(config)}, headers=headers).json()["job"]
            state: dict[str, Any] = {"value": "queued", "give_up": time.perf_counter() + 1800}

            def running(job: str = job, state: dict[str, Any] = state) -> bool:
                return state["value"] in ("queued", "running")

            async def watch(job: str = job, state: dict[str, Any] = state) -> None:
                # a saturated service answers this slowly too: wait, and never give up on it
                async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http:
                    while running():
                        with contextlib.suppress(httpx.HTTPError):
                            state["value"] = (await http.get(f"/v1/batches/{job}")).json()["state"]
                        if time.perf_counter() > state["give_up"]:
                            state["value"] = "timed out"
                        await asyncio.sleep(0.1)

            async def both(clients: int = clients, state: dict[str, Any] = state) -> dict[str, Any]:
                watcher = asyncio.create_task(watch())
                while state["value"] == "queued":
                    await asyncio.sleep(0.02)
                result = await load(url, key, queries, clients, lambda: not running(), kind)
                await watcher
                return result

            ingest_start = time.perf_counter()
            result = with_cpu(server.pid, lambda b=both: asyncio.run(b()))
            while (body := httpx.get(url + f"/v1/batches/{job}", headers=headers, timeout=300).json())[
                "state"
            ] in ("queued", "running"):
                time.sleep(0.5)
            assert body["state"] == "committed", body
            rows.append(
                {
                    "residents": residents,
                    "phase": "ingest",
                    "clients": clients,
                    **result,
                    "ingest_s": round(time.perf_counter() - ingest_start, 1),
                    "batch_records": body["report"]["records_in"],
                }
            )
            print(rows[-1], flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(120)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    return {"residents": residents, "records": records, "ready_s": round(ready_s, 1), "rows": rows}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process ``pid`` has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(pid: int, run: Any) -> dict[str, Any]:
    """``run()``'s result with the server's CPU milliseconds per request while it ran: less
    affected than latency by other work on a shared machine (during ingest it includes the
    batch's own work)."""
    before = cpu_seconds(pid)
    result: dict[str, Any] = run()
    used = cpu_seconds(pid) - before
    result["server_cpu_ms_per_request"] = round(used * 1000 / max(1, result["requests"]), 2)
    return result


def _after(seconds: float) -> Any:
    deadline = time.perf_counter() + seconds
    return lambda: time.perf_counter() >= deadline


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--residents", type=int, nargs="+", default=[500_000, 2_010_912])
    parser.add_argument("--new", type=int, default=10_000, help="records in each ingested batch")
    parser.add_argument("--seconds", type=float, default=15.0, help="load per idle level")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load generator: raw asyncio HTTP/1.1 (light) or httpx.AsyncClient",
    )
    parser.add_argument(
        "--name", default="service", help="results file: benchmarks/results/NAME.json (default service)"
    )
    args = parser.parse_args()
    results = [run_size(n, args.new, args.seconds, args.client) for n in args.residents]
    rows = [row for result in results for row in result["rows"]]
    print(
        table(
            rows,
            [
                "residents",
                "phase",
                "clients",
                "requests",
                "errors",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "per_second",
                "server_cpu_ms_per_request",
                "ingest_s",
            ],
        )
    )
    save(
        args.name,
        {
            "sizes": results,
            "new": args.new,
            "seconds": args.seconds,
            "client": args.client,
            "load_average": os.getloadavg(),
        },
    )


if __name__ == "__main__":
    main()
