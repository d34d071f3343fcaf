"""The ``dtks-link`` command (also ``python -m dtks_link``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import DtksLinkError, mask_identifier, mask_numbers

__all__ = ["main"]


def _cmd_link(args: argparse.Namespace) -> int:
    from .pipeline import link

    result = link(args.config, out_dir=args.out, progress=True, registry=args.registry)
    print(result.summary())
    print(f"outputs written to {result.output_dir}")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from .errors import ConfigError
    from .profile import profile_folder, render

    to_stdout = str(args.out) == "-"
    out = args.folder / "config.toml" if args.out is None else args.out
    if not to_stdout and out.exists() and not args.force:
        raise ConfigError(
            [f"{str(out)!r} exists already; pass --force to replace it, or --out to write elsewhere"],
            origin="dtks-link init",
        )
    proposals = profile_folder(args.folder, sample_rows=args.sample_rows)
    text = render(
        proposals,
        config_dir=Path.cwd() if to_stdout else out.parent,
        folder=args.folder,
        sample_rows=args.sample_rows,
    )
    if to_stdout:
        print(text, end="")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    for proposal in proposals:
        if proposal.skipped is not None:
            print(f"  {proposal.path.name:<28} skipped: {proposal.skipped}")
            continue
        print(
            f"  {proposal.path.name:<28} -> source {proposal.name!r}: {len(proposal.mappings)} field(s) "
            f"mapped, {len(proposal.uncertain)} uncertain (commented out), "
            f"{len(proposal.unrecognised)} column(s) not mapped"
        )
    print(f"proposed config written to {out}; read it, then: dtks-link link {out}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    out = args.out if args.out is not None else args.out_dir / "report.html"
    path = write_report(args.out_dir, out, lang=args.lang, truth=args.truth)
    print(f"report written to {path}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate

    metrics = evaluate(args.clusters, args.truth, level=args.level)
    if args.json:
        print(json.dumps(metrics.as_dict(), indent=2))
    else:
        print(metrics.summary())
    if args.errors:
        import pandas as pd

        pairs_path = args.pairs or args.clusters.parent / "pairs.parquet"
        pairs = pd.read_parquet(pairs_path) if pairs_path.exists() else None
        records = _standardised_records(args.config) if args.config is not None else None
        report = metrics.errors(pairs=pairs, records=records)
        print("\n" + report.summary(top=args.top))
        if not report.examples.empty:
            print("\nexamples (identifiers masked):")
            print(report.examples.head(args.top).to_string(index=False))
        elif records is None:
            print("(pass --config CONFIG for the comparison levels of each error and masked examples)")
    return 0


def _standardised_records(config_path: Path) -> Any:
    """The standardised records of a config's sources, as the linkage saw them."""
    from .backends.duckdb import DuckDBEngine, connect
    from .config import load_config
    from .sources import load_sources
    from .standardise import standardise_records

    config = load_config(config_path)
    con = connect()
    try:
        load_sources(con, config.sources, mapped_table="mapped", quarantine_table="quarantine")
        standardise_records(DuckDBEngine(con), config, mapped_table="mapped", records_table="records")
        return con.execute("SELECT * FROM records").df()
    finally:
        con.close()


def _cmd_generate(args: argparse.Namespace) -> int:
    from .synth import generate

    start = time.perf_counter()
    dataset = generate(args.out, residents=args.residents, seed=args.seed, noise=args.noise)
    print(f"generated {dataset.residents:,} residents in {time.perf_counter() - start:.1f} s")
    for name, n in dataset.records_per_source.items():
        print(f"  {name:<12} {n:>10,} records  {dataset.source_paths[name].name}")
    print(f"truth:  {dataset.truth_path}\nconfig: {dataset.config_path}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .evaluation import evaluate
    from .pipeline import link
    from .synth import generate

    out = Path(args.out)
    start = time.perf_counter()
    print(f"[demo] generating a synthetic Depok of {args.residents:,} residents (seed {args.seed})")
    dataset = generate(out / "data", residents=args.residents, seed=args.seed)
    generated = time.perf_counter() - start
    print(f"[demo] generate     {generated:7.2f} s")
    result = link(dataset.config_path, out_dir=out / "linked", progress=True)
    metrics = evaluate(result.clusters, dataset.truth_path)
    print("\n" + result.summary())
    print("\naccuracy against the generator's truth:")
    print(metrics.summary())
    report = result.report(out / "linked" / "report.html", lang=args.lang, truth=dataset.truth_path)
    print(f"\ntotal {time.perf_counter() - start:.1f} s; outputs in {out / 'linked'}")
    print(f"report (open it in a browser): {report.resolve()}")
    return 0


def _cmd_pseudonymise(args: argparse.Namespace) -> int:
    from .pseudonymise import pseudonymise, read_key

    key = read_key(args.key_file)
    out = args.out if args.out is not None else args.config.resolve().parent / "pseudonymised"
    result = pseudonymise(args.config, key=key, out_dir=out)
    print("pseudonymised copies (NIK, KK and phone as keyed hashes):")
    for name, path in result.source_paths.items():
        written, quarantined = result.rows_written[name], result.rows_quarantined[name]
        print(f"  {name:<12} {written:>10,} rows  (quarantined {quarantined:,})  {path.name}")
    print(f"config:     {result.config_path}\nquarantine: {result.quarantine_path}")
    print(
        "names, birth dates, addresses and record ids stay in clear: the copies are still personal "
        "data. Keep the key apart from them; anyone holding both can recover every NIK."
    )
    return 0


def _masked(field: str, value: object) -> str:
    if value is None:
        return ""
    return mask_identifier(value) if field in ("nik", "no_kk") else str(value)


def _cmd_registry(args: argparse.Namespace) -> int:
    from .registry import Registry

    if args.registry_command == "init":
        if args.model == "default":
            with Registry.init(args.file, model="default") as registry:
                print(f"registry {args.file} ready with the default model: {registry.stats()}")
            return 0
        with Registry(args.file) as registry:
            if args.model_from is not None:
                with Registry(args.model_from, read_only=True) as source:
                    registry.adopt_model(source)
            print(f"registry {args.file} ready: {registry.stats()}")
        return 0
    if args.registry_command == "migrate":
        old, new = Registry.migrate(args.file)
        print(f"registry {args.file}: format {old} -> {new}" if old != new else
              f"registry {args.file} is already in format {new}")  # fmt: skip
        return 0
    if args.registry_command == "backup":
        return _backup(args)
    if args.registry_command in ("decide", "decisions", "review"):
        from .registry.decisions_cli import run_decisions_command

        return run_decisions_command(args)
    if args.registry_command == "ingest":
        from .config import load_config

        config = load_config(args.config)
        with Registry(args.file) as registry:
            report = registry.ingest(config, progress=True)
            print(
                f"run {report.run_id}: {report.records_in:,} rows in, {report.records_added:,} added, "
                f"{report.records_updated:,} updated, {report.records_unchanged:,} unchanged, "
                f"{report.quarantined:,} quarantined; {report.pairs_scored:,} pairs scored; "
                f"residents: {report.residents_created:,} created, {report.residents_merged:,} merged, "
                f"{report.residents_split:,} split"
            )
        return 0
    with Registry(args.file, read_only=True) as registry:
        if args.registry_command == "household":
            from .cli_households import registry_household

            return registry_household(registry, args.household_id, args.kk)
        if args.registry_command == "show":
            view = registry.resident(args.resident_id)
            payload = {
                "resident_id": view.resident_id,
                "status": view.status,
                "golden": {
                    field: {"value": _masked(field, g.value), "source": g.source, "record_id": g.record_id}
                    for field, g in view.golden.items()
                },
                "members": [
                    {"source": str(s), "record_id": str(r)}
                    for s, r in zip(view.members["source"], view.members["record_id"], strict=True)
                ],
                "events": len(view.events),
            }
            print(json.dumps(payload, indent=2, default=str))
            return 0
        if args.registry_command == "match":
            record = {}
            for item in args.field:
                key, _, value = item.partition("=")
                record[key] = value
            hits = registry.match(record, top_k=args.top_k)
            print(json.dumps([hit.__dict__ for hit in hits], indent=2))
            return 0
        paths = registry.export(args.out)
        for name, path in paths.items():
            print(f"{name:<11} {path}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    import os

    from .registry import Registry, RegistryLockedError

    try:
        with Registry(args.file, read_only=True) as registry:
            path = registry.backup(args.dest)
    except RegistryLockedError:
        # the service holds the file: ask it for the copy (it reads a consistent snapshot)
        discovery = Path(str(args.file) + ".service.json")
        url = args.url or (json.loads(discovery.read_text())["url"] if discovery.exists() else None)
        key = os.environ.get("DTKS_LINK_API_KEY")
        if url is None or key is None:
            raise RegistryLockedError(
                f"registry {str(args.file)!r} is held by another process. If it is `dtks-link serve`, "
                "set DTKS_LINK_API_KEY to a key with the 'admin' scope (and --url if the service "
                "file is missing) to back it up through the service"
            ) from None
        from .client import Client

        with Client(url, key) as client:
            path = Path(client.backup(str(Path(args.dest).resolve())))
    print(f"backup written: {path}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .service.server import serve

    serve(
        args.registry,
        host=args.host,
        port=args.port,
        keys=args.keys,
        workers=args.workers,
        audit_log=args.audit_log,
        max_upload_mb=args.max_upload_mb,
        drain_seconds=args.drain_seconds,
        engine_threads=args.engine_threads,
    )
    return 0


def _cmd_keys(args: argparse.Namespace) -> int:
    from .service.keys import KeyFile

    keys = KeyFile(args.keyfile)
    if args.keys_command == "add":
        scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
        key, entry = keys.add(args.name, scopes, rate_per_second=args.rate, burst=args.burst)
        print(
            f"key {entry.name!r} (id {entry.key_id}) scopes {','.join(entry.scopes)}, "
            f"{entry.rate_per_second:g} requests/s (burst {entry.burst}), stored as a hash in {args.keyfile}"
        )
        print("the key is shown once, on the next line; give it to the client over a safe channel:")
        print(key)
        return 0
    if args.keys_command == "revoke":
        n = keys.revoke(args.name)
        if not n:
            print(f"dtks-link: error: no active key named {args.name!r}", file=sys.stderr)
            return 2
        print(f"revoked {n} key(s) named {args.name!r}")
        return 0
    entries = keys.entries()
    if args.json:
        shown = [{k: v for k, v in e.as_dict().items() if k != "sha256"} for e in entries]
        print(json.dumps(shown, indent=2))
        return 0
    print(f"{'name':<20} {'id':<9} {'scopes':<28} {'rate/s':>7} {'created':<26} revoked")
    for e in entries:
        print(f"{e.name:<20} {e.key_id:<9} {','.join(e.scopes):<28} {e.rate_per_second:>7g} "
              f"{e.created:<26} {e.revoked or '-'}")  # fmt: skip
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .service.audit import summarise_audit

    summary = summarise_audit(args.file)
    print(json.dumps(summary.as_dict(), indent=2) if args.json else summary.text())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dtks-link",
        description="Link Indonesian social-welfare and civil-registry records into residents.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("link", help="link the sources of a TOML config")
    p.add_argument("config", type=Path, help="linkage config (TOML)")
    p.add_argument("--out", type=Path, default=None, help="output directory (overrides config)")
    p.add_argument("--registry", type=Path, default=None, help="write stable ids to this registry file")
    p.set_defaults(func=_cmd_link)

    p = sub.add_parser("init", help="profile the files in a folder and propose a config.toml")
    p.add_argument("folder", type=Path, help="folder holding the source files (CSV/TXT, Parquet, Excel)")
    p.add_argument(
        "--out", type=Path, default=None, help="config to write (default: FOLDER/config.toml; '-' prints it)"
    )
    p.add_argument("--force", action="store_true", help="replace the config file if it exists")
    p.add_argument(
        "--sample-rows", type=int, default=10_000, help="rows read from each file (default 10,000)"
    )
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser(
        "pseudonymise", help="write copies of the sources with NIK, KK and phone as keyed hashes"
    )
    p.add_argument("config", type=Path, help="linkage config (TOML) of the raw sources")
    p.add_argument("--key-file", type=Path, required=True, help="file holding the secret key (>= 16 bytes)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output directory (default: 'pseudonymised' next to the config)",
    )
    p.set_defaults(func=_cmd_pseudonymise)

    p = sub.add_parser(
        "registry",
        help="stable resident ids: init, ingest, show, match, export, decide, decisions, review, "
        "migrate, backup",
    )
    reg = p.add_subparsers(dest="registry_command", required=True)
    r = reg.add_parser("init", help="create an empty registry")
    r.add_argument("file", type=Path)
    r.add_argument("--model-from", type=Path, default=None, help="copy the model of another registry")
    r.add_argument(
        "--model",
        choices=["default"],
        default=None,
        help="start from the default model shipped with the package (match from the first record)",
    )
    r = reg.add_parser("ingest", help="add the sources of a config as a new batch")
    r.add_argument("file", type=Path)
    r.add_argument("config", type=Path)
    r = reg.add_parser("show", help="golden record and members of a resident (identifiers masked)")
    r.add_argument("file", type=Path)
    r.add_argument("resident_id")
    r = reg.add_parser("household", help="a household: golden record, members, history (KK masked)")
    r.add_argument("file", type=Path)
    r.add_argument("household_id", nargs="?", default=None)
    r.add_argument("--kk", default=None, help="list the households holding this KK number now or before")
    r = reg.add_parser("match", help="look a record up: --field nama='SITI AMINAH' ...")
    r.add_argument("file", type=Path)
    r.add_argument("--field", action="append", default=[], help="canonical field=value")
    r.add_argument("--top-k", type=int, default=5)
    r = reg.add_parser("export", help="write membership, residents, events, golden as Parquet")
    r.add_argument("file", type=Path)
    r.add_argument("--out", type=Path, required=True)
    from .registry.decisions_cli import add_decisions_commands

    add_decisions_commands(reg)
    r = reg.add_parser("migrate", help="bring a registry of an older format to this version's")
    r.add_argument("file", type=Path)
    r = reg.add_parser("backup", help="a consistent copy, also while `dtks-link serve` runs")
    r.add_argument("file", type=Path)
    r.add_argument("dest", type=Path)
    r.add_argument("--url", default=None, help="the service's URL (default: from FILE.service.json)")
    p.set_defaults(func=_cmd_registry)

    p = sub.add_parser("report", help="write the HTML report of a linked output directory")
    p.add_argument("out_dir", type=Path, help="output directory of 'dtks-link link'")
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language it opens in (default id)")
    p.add_argument("--out", type=Path, default=None, help="report file (default OUT_DIR/report.html)")
    p.add_argument("--truth", type=Path, default=None, help="truth (source, record_id, true_id) to measure")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("serve", help="the matching service: an authenticated HTTP API over a registry")
    p.add_argument("registry", type=Path)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--keys", type=Path, default=None, help="key file (default: REGISTRY.keys)")
    p.add_argument("--workers", type=int, default=8, help="threads answering requests (one process)")
    p.add_argument("--audit-log", type=Path, default=None, help="default: REGISTRY.audit.jsonl")
    p.add_argument("--max-upload-mb", type=int, default=256, help="largest batch upload")
    p.add_argument(
        "--drain-seconds",
        type=float,
        default=30.0,
        help="at shutdown, how long a running batch may take to commit before it is rolled back",
    )
    p.add_argument(
        "--engine-threads",
        type=int,
        default=1,
        help="DuckDB threads for batch jobs (default 1: the other cores stay with the lookups)",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("keys", help="API keys of the service: add, list, revoke")
    keys = p.add_subparsers(dest="keys_command", required=True)
    k = keys.add_parser("add", help="create a key and print it once, alone on the last line")
    k.add_argument("keyfile", type=Path)
    k.add_argument("name")
    k.add_argument("--scopes", required=True, help="comma-separated: match,read,pii,ingest,admin")
    k.add_argument("--rate", type=float, default=50.0, help="requests per second (default 50)")
    k.add_argument("--burst", type=int, default=None, help="bucket size (default: twice the rate)")
    k = keys.add_parser("list", help="the keys (names, scopes, dates; never a key)")
    k.add_argument("keyfile", type=Path)
    k.add_argument("--json", action="store_true")
    k = keys.add_parser("revoke", help="revoke the active key of that name")
    k.add_argument("keyfile", type=Path)
    k.add_argument("name")
    p.set_defaults(func=_cmd_keys)

    p = sub.add_parser("audit", help="summarise a service audit log")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_audit)

    from .cli_households import add_households_parser

    add_households_parser(sub)

    p = sub.add_parser("evaluate", help="compare clusters with truth")
    p.add_argument("--clusters", type=Path, required=True, help="clusters.parquet from link")
    p.add_argument("--truth", type=Path, required=True, help="truth with source, record_id, true_id")
    p.add_argument("--json", action="store_true", help="print metrics as JSON")
    p.add_argument(
        "--errors", action="store_true", help="list false merges and missed links by source pair and pattern"
    )
    p.add_argument("--pairs", type=Path, default=None, help="pairs.parquet (default: beside --clusters)")
    p.add_argument(
        "--config", type=Path, default=None, help="the linkage config: adds comparison levels and examples"
    )
    p.add_argument("--top", type=int, default=10, help="rows shown per table with --errors")
    p.add_argument(
        "--level",
        choices=("resident", "household"),
        default="resident",
        help="household: compare household_id (household_records.parquet) with the truth's household_id",
    )
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("generate", help="write a synthetic Depok population and its extracts")
    p.add_argument("--residents", type=int, default=None, help="number of residents (default: Depok 2025)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--noise", type=float, default=1.0, help="scale every error rate (0.5 halves, 2 doubles; default 1)"
    )
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("demo", help="generate, link and evaluate a synthetic Depok")
    p.add_argument("--residents", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("demo_out"))
    p.add_argument("--lang", choices=("id", "en"), default="id", help="language of the report")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "residents", 0) is None:
        from .synth import DEFAULT_RESIDENTS

        args.residents = DEFAULT_RESIDENTS
    try:
        code: int = args.func(args)
    except DtksLinkError as exc:
        print(f"dtks-link: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: keep the traceback, but an engine message may quote data
        trace = "".join(traceback.format_exception(exc))
        print(f"dtks-link: internal error (please report it)\n{mask_numbers(trace)}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
