"""Keyed pseudonymisation: copies of the sources whose NIK, KK and phone are HMAC-SHA256 hashes.

Departments that must not share raw identifiers each run :func:`pseudonymise` with the same
secret key; the copies link like the originals, because everything the model reads from an
identifier is kept in a form it can still compare:

- ``nik``: 12 hex digits keyed on the region and birth part (first 12 digits) followed by 20
  keyed on the whole NIK, so "equal NIK" and "same region and birth, other serial" still work;
- ``nik_typo_keys``: keyed hashes of the NIK's 31 one-typo neighbours (each digit blanked, each
  adjacent pair unordered): two NIKs one substitution or transposition apart share one;
- ``nik_valid``, ``nik_problems``, ``nik_birth_date``, ``nik_sex``, ``nik_region``, ... : the
  facts standardisation decodes from the raw NIK and KK, extracted before hashing
  (:data:`~dtks_link.schema.IDENTIFIER_FACTS`);
- ``no_kk``, ``telepon``, ``id_lain`` and ``id_keluarga``: keyed hashes of the standardised
  value.

Names, dates, addresses and record ids stay in clear. Hashing runs inside DuckDB, as a Python
function over Arrow batches. What this protects against, and what not, is in the README
("Security and privacy").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path

import duckdb
import duckdb.func
import duckdb.sqltypes
import pyarrow as pa

from .backends.duckdb import DuckDBEngine, connect
from .backends.duckdb import quote_identifier as q
from .config import LinkageOptions, LinkConfig, load_config, toml_string
from .errors import ConfigError
from .schema import CANONICAL_FIELDS, IDENTIFIER_FACTS
from .sources import load_sources
from .standardise.records import standardise_records

__all__ = ["MIN_KEY_BYTES", "PseudonymisedSources", "pseudonymise", "read_key"]

#: Shortest key accepted, in bytes (128 bits).
MIN_KEY_BYTES = 16

_NIK_PREFIX_HEX = 12
_NIK_REST_HEX = 20
_ID_HEX = 32
_TYPO_KEY_HEX = 16


@dataclass(frozen=True, kw_only=True)
class PseudonymisedSources:
    """What :func:`pseudonymise` wrote: one Parquet file per source, the rows it quarantined,
    and a config that links the copies (its ``[linkage]`` options are the original's, with
    the reference date fixed so both decode NIKs alike)."""

    config_path: Path
    source_paths: dict[str, Path]
    quarantine_path: Path
    rows_written: dict[str, int]
    rows_quarantined: dict[str, int]


def read_key(path: str | Path) -> bytes:
    """The key in ``path``: its bytes without trailing whitespace; at least :data:`MIN_KEY_BYTES`.

    Generate one with e.g. ``python -c "import secrets; print(secrets.token_hex(32))" > key``.
    """
    key_path = Path(path)
    try:
        key = key_path.read_bytes().rstrip(b" \t\r\n")
    except OSError as exc:
        raise ConfigError([f"cannot read the key file: {exc.strerror}"], origin=str(key_path)) from None
    _check_key(key, str(key_path))
    return key


def _check_key(key: bytes, origin: str) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            [
                f"the key must hold at least {MIN_KEY_BYTES} bytes of secret material; "
                'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'
            ],
            origin=origin,
        )


def pseudonymise(config: LinkConfig | str | Path, *, key: bytes, out_dir: str | Path) -> PseudonymisedSources:
    """Write pseudonymised Parquet copies of every source of ``config`` to ``out_dir``.

    Rows the reader quarantines (missing id, nothing to link on, ...) are left out of the copies
    and listed in ``quarantine.parquet``. Link the copies with ``out_dir/config.toml``.
    """
    cfg = load_config(config) if isinstance(config, str | Path) else config
    _check_key(key, "pseudonymisation key")
    if any(s.pseudonymised for s in cfg.sources):
        raise ConfigError(["the sources are pseudonymised already"], origin="pseudonymise")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        _register_hmac(con, key)
        loaded = load_sources(con, cfg.sources, mapped_table="__p_mapped", quarantine_table="__p_quarantine")
        standardise_records(DuckDBEngine(con), cfg, mapped_table="__p_mapped", records_table="__p_std")
        paths: dict[str, Path] = {}
        for source in cfg.sources:
            paths[source.name] = out / f"{source.name}.parquet"
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE __p_out AS {_copy_sql([*source.columns])}", [source.name]
            )
            con.table("__p_out").write_parquet(str(paths[source.name]))
        quarantine_path = out / "quarantine.parquet"
        con.table("__p_quarantine").order("source, row_number").write_parquet(str(quarantine_path))
    finally:
        con.close()
    config_path = out / "config.toml"
    config_path.write_text(_config_toml(cfg, paths), encoding="utf-8")
    return PseudonymisedSources(
        config_path=config_path,
        source_paths=paths,
        quarantine_path=quarantine_path,
        rows_written=dict(loaded.rows_accepted),
        rows_quarantined=dict(loaded.rows_quarantined),
    )


def _register_hmac(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """``__dtks_hmac(label, value)`` and ``__dtks_hmac_list(label, values)``: hex HMAC-SHA256 of
    ``label NUL value``, over whole Arrow batches (NULL stays NULL)."""

    def digest_all(label: str, values: list[str | None]) -> list[str | None]:
        prefix = label.encode() + b"\x00"
        return [
            None if v is None else hmac.digest(key, prefix + v.encode(), hashlib.sha256).hex() for v in values
        ]

    def one(labels: pa.ChunkedArray, values: pa.ChunkedArray) -> pa.Array:
        label = str(labels[0].as_py()) if len(labels) else ""
        return pa.array(digest_all(label, values.to_pylist()), pa.string())

    def many(labels: pa.ChunkedArray, values: pa.ChunkedArray) -> pa.Array:
        label = str(labels[0].as_py()) if len(labels) else ""
        lists = values.combine_chunks()
        flat = digest_all(label, lists.flatten().to_pylist())
        offsets = lists.offsets
        if lists.offset:  # a sliced array: make the offsets start at 0 like the flattened values
            offsets = pa.compute.subtract(offsets, offsets[0])
        return pa.ListArray.from_arrays(offsets, pa.array(flat, pa.string()), mask=lists.is_null())

    arrow = duckdb.func.PythonUDFType.ARROW
    text, texts = duckdb.sqltypes.VARCHAR, duckdb.list_type(duckdb.sqltypes.VARCHAR)
    con.create_function("__dtks_hmac", one, [text, text], text, type=arrow)
    con.create_function("__dtks_hmac_list", many, [text, texts], texts, type=arrow)


def _typo_neighbours_sql(nik: str) -> str:
    """The 31 one-typo neighbours of a 16-digit NIK: each digit blanked (position-tagged) and
    each adjacent pair written in sorted order (a transposition gives the same string)."""
    blanked = (
        f"list_transform(range(16), lambda i: 's' || i || ':' || left({nik}, i) || substr({nik}, i + 2))"
    )
    a, b = f"substr({nik}, i + 1, 1)", f"substr({nik}, i + 2, 1)"
    unordered = (
        "list_transform(range(15), lambda i: 't' || i || ':' || "
        f"left({nik}, i) || least({a}, {b}) || greatest({a}, {b}) || substr({nik}, i + 3))"
    )
    return f"CASE WHEN length({nik}) = 16 THEN list_concat({blanked}, {unordered}) END"


def _copy_sql(mapped_fields: list[str]) -> str:
    """The pseudonymised copy of one source (parameter: its name), in row order."""
    hashed = {
        "nik": (
            f"left(__dtks_hmac('nik-region-birth', left(s.nik, 12)), {_NIK_PREFIX_HEX}) "
            f"|| left(__dtks_hmac('nik', s.nik), {_NIK_REST_HEX})"
        ),
        "no_kk": f"left(__dtks_hmac('no_kk', s.no_kk), {_ID_HEX})",
        "telepon": f"left(__dtks_hmac('telepon', s.telepon), {_ID_HEX})",
        "id_lain": f"left(__dtks_hmac('id_lain', s.id_lain), {_ID_HEX})",
        "id_keluarga": f"left(__dtks_hmac('id_keluarga', s.id_keluarga), {_ID_HEX})",
    }
    columns = ["m.record_id AS record_id"]
    for field in CANONICAL_FIELDS:
        if field in mapped_fields:
            columns.append(f"{hashed.get(field, f'm.{q(field)}')} AS {q(field)}")
    for fact in IDENTIFIER_FACTS:
        if fact == "nik_prefix":  # keyed as the pseudonym's first characters are
            columns.append(
                f"left(__dtks_hmac('nik-region-birth', s.nik_prefix), {_NIK_PREFIX_HEX}) AS nik_prefix"
            )
        elif fact != "nik_typo_keys":
            columns.append(f"s.{q(fact)} AS {q(fact)}")
    columns.append(
        f"list_transform(__dtks_hmac_list('nik-typo', {_typo_neighbours_sql('s.nik')}), "
        f"lambda h: left(h, {_TYPO_KEY_HEX})) AS nik_typo_keys"
    )
    return (
        f"SELECT {', '.join(columns)} FROM __p_mapped m JOIN __p_std s "
        "ON s.source = m.source AND s.record_id = m.record_id WHERE m.source = ? ORDER BY m.row_number"
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # a TOML local date
    return toml_string(str(value))


def _config_toml(cfg: LinkConfig, paths: Mapping[str, Path]) -> str:
    lines = ["# Pseudonymised copies written by dtks-link pseudonymise.", "", "[output]", 'dir = "linked"']
    for source in cfg.sources:
        lines += [
            "",
            "[[sources]]",
            f"name = {toml_string(source.name)}",
            f"path = {toml_string(paths[source.name].name)}",
            'id_column = "record_id"',
            f"duplicate_free = {_toml_value(source.duplicate_free)}",
            "pseudonymised = true",
            "[sources.columns]",
        ]
        lines += [f"{field} = {toml_string(field)}" for field in CANONICAL_FIELDS if field in source.columns]
    # the reference date is fixed: it resolves two-digit years, so both runs must share it
    options = replace(cfg.options, reference_date=cfg.options.effective_reference_date)
    lines += ["", "[linkage]"]
    lines += [
        f"{name} = {_toml_value(getattr(options, name))}"
        for name in (f.name for f in dataclass_fields(LinkageOptions))
        if getattr(options, name) is not None  # TOML has no null: an unset option stays unset
    ]
    return "\n".join(lines) + "\n"
