"""Linkage configuration: frozen, keyword-only dataclasses, read from TOML and validated once.

A config names the sources, how their columns map onto the canonical resident record, where the
outputs go, and the linkage options. Every problem found is reported together in one
:class:`~dtks_link.errors.ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .formats import FORMAT_FIELDS, format_problems
from .schema import CANONICAL_FIELDS

__all__ = [
    "LinkConfig",
    "LinkageOptions",
    "SourceConfig",
    "load_config",
    "toml_string",
]

_SOURCE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_FORMATS = ("csv", "parquet", "excel")
_ENGINES = ("duckdb", "spark")
_MODELS = ("trained", "default")


@dataclass(frozen=True, kw_only=True)
class SourceConfig:
    """One departmental source and how its columns map to the canonical record.

    ``path`` is a file (CSV/TXT with any delimiter, Parquet, or Excel). ``data`` may instead
    hold an in-memory table (pandas DataFrame, pyarrow Table, or DuckDB relation) when the
    Python API is used. ``columns`` maps canonical field -> column name in this source, or
    -> a list of columns whose values are joined with a space, blanks skipped
    (``nama = ["first_name", "middle_initial", "last_name"]``). ``formats`` maps a field
    (``tanggal_lahir``) to the strptime format(s) its values are written in (see
    :mod:`dtks_link.formats`). ``quote`` and ``escape`` are the CSV quote and escape
    characters (default ``"`` for both, as RFC 4180; ``""`` for none).
    ``pseudonymised`` marks a copy written by ``dtks-link pseudonymise``: NIK, KK and phone
    hold keyed hashes and the file carries the facts extracted from them beforehand.
    ``programme`` names the aid programme the source lists (``"PKH"``, ``"BPNT"``,
    ``"PBI JK"``): a household whose member is in the source is in that programme.
    ``pays_per_family`` says the programme pays once per family (a KPM list such as PKH or
    BPNT): a family holding two of its records, or one carer listed for two families, is
    reported by ``dtks-link households duplicates``.
    """

    @property
    def programme_name(self) -> str | None:
        """The programme this source lists: ``programme``, else the source's name when it pays
        per family, else None (the source is not an aid programme)."""
        if self.programme is not None:
            return self.programme
        return self.name if self.pays_per_family else None

    name: str
    id_column: str
    columns: Mapping[str, str | Sequence[str]]
    path: Path | None = None
    data: Any = None
    duplicate_free: bool = False
    delimiter: str | None = None
    quote: str | None = None
    escape: str | None = None
    encoding: str = "utf-8"
    sheet: str | int | None = None
    format: str | None = None
    formats: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    pseudonymised: bool = False
    programme: str | None = None
    pays_per_family: bool = False

    def __post_init__(self) -> None:
        problems = _source_problems(self)
        if problems:
            raise ConfigError(problems, origin=f"source {self.name!r}")

    def mapped_columns(self, canonical: str) -> tuple[str, ...]:
        """The source columns mapped to ``canonical`` (one, several joined, or none)."""
        column = self.columns.get(canonical)
        if column is None:
            return ()
        return (column,) if isinstance(column, str) else tuple(column)

    def field_formats(self, canonical: str) -> tuple[str, ...]:
        """The formats given for ``canonical`` in ``[sources.formats]``, in the order tried."""
        fmt = self.formats.get(canonical)
        if fmt is None:
            return ()
        return (fmt,) if isinstance(fmt, str) else tuple(fmt)

    @property
    def csv_quote(self) -> str:
        """The quote character in force: ``quote``, else ``"`` (none if ``"`` is the delimiter)."""
        if self.quote is not None:
            return self.quote
        return "" if self.delimiter == '"' else '"'

    @property
    def csv_escape(self) -> str:
        """The escape character in force: ``escape``, else the quote (RFC 4180 doubling)."""
        return self.csv_quote if self.escape is None else self.escape

    @property
    def file_format(self) -> str:
        """``csv``, ``parquet`` or ``excel``: the explicit ``format`` or the file suffix."""
        if self.format is not None:
            return self.format
        suffix = (self.path.suffix if self.path is not None else "").lower()
        if suffix in (".parquet", ".pq"):
            return "parquet"
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return "excel"
        return "csv"


@dataclass(frozen=True, kw_only=True)
class LinkageOptions:
    """Options of the matching model and clustering, each with a sensible default.

    - ``match_threshold``: pairs at or above this match probability join a cluster.
    - ``pair_threshold``: pairs below this probability are not written to ``pairs.parquet``.
    - ``engine``: ``duckdb`` (default, embedded) or ``spark``.
    - ``seed``: seed for the random sampling in training, so runs are repeatable.
    - ``max_pairs_for_u``: pairs sampled to estimate u probabilities.
    - ``em_max_iterations``: iterations per EM session.
    - ``reference_date``: resolves two-digit years and ages (default: today).
    - ``max_cluster_size``: clusters bigger than this are reported as suspicious.
    - ``model``: ``trained`` (default: learn the parameters from the data, borrowing from the
      default model what cannot be learned) or ``default`` (the parameters shipped with the
      package, :mod:`dtks_link.default_model`: for small files or a first look).
    - ``memory_limit``: the most memory DuckDB may hold, such as ``"6GB"`` (default: DuckDB's
      own, 80% of the machine's RAM). Above it DuckDB spills to temporary files instead of
      growing; the run's pandas outputs come on top. Ignored on Spark (set Spark's own memory).
    """

    match_threshold: float = 0.9
    pair_threshold: float = 0.05
    engine: str = "duckdb"
    seed: int = 42
    max_pairs_for_u: float = 2e6
    em_max_iterations: int = 25
    reference_date: dt.date | None = None
    max_cluster_size: int = 50
    model: str = "trained"
    memory_limit: str | None = None

    def __post_init__(self) -> None:
        problems = _option_type_problems(self)
        if problems:
            raise ConfigError(problems, origin="linkage options")
        for name in ("match_threshold", "pair_threshold"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                problems.append(f"linkage.{name} must be between 0 and 1 (exclusive), got {value}")
        if self.pair_threshold > self.match_threshold:
            problems.append(
                "linkage.pair_threshold must not exceed linkage.match_threshold "
                f"({self.pair_threshold} > {self.match_threshold})"
            )
        if self.engine not in _ENGINES:
            problems.append(f"linkage.engine must be one of {_ENGINES}, got {self.engine!r}")
        if self.model not in _MODELS:
            problems.append(f"linkage.model must be one of {_MODELS}, got {self.model!r}")
        if self.max_pairs_for_u < 1000:
            problems.append("linkage.max_pairs_for_u must be at least 1000")
        if self.em_max_iterations < 1:
            problems.append("linkage.em_max_iterations must be at least 1")
        if self.max_cluster_size < 2:
            problems.append("linkage.max_cluster_size must be at least 2")
        if self.memory_limit is not None and not _MEMORY_SIZE.fullmatch(self.memory_limit):
            problems.append(
                f'linkage.memory_limit must be a size like "6GB" or "512MB", got {self.memory_limit!r}'
            )
        if problems:
            raise ConfigError(problems, origin="linkage options")

    @property
    def effective_reference_date(self) -> dt.date:
        """The reference date in force: the configured one, else today."""
        return self.reference_date or dt.date.today()


#: A memory size DuckDB understands: a number and a unit (validated: it is written into a SET).
_MEMORY_SIZE = re.compile(r"[0-9]+(\.[0-9]+)? ?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def _option_type_problems(options: LinkageOptions) -> list[str]:
    number, integer, text = ((float, int), "a number"), ((int,), "an integer"), ((str,), "text")
    expected = {
        "match_threshold": number,
        "pair_threshold": number,
        "engine": text,
        "seed": integer,
        "max_pairs_for_u": number,
        "em_max_iterations": integer,
        "max_cluster_size": integer,
        "model": text,
    }
    problems = []
    for name, (types, kind) in expected.items():
        value = getattr(options, name)
        if isinstance(value, bool) or not isinstance(value, types):
            problems.append(f"linkage.{name} must be {kind}, got {value!r}")
    if options.memory_limit is not None and not isinstance(options.memory_limit, str):
        problems.append(f'linkage.memory_limit must be text like "6GB", got {options.memory_limit!r}')
    ref = options.reference_date
    if ref is not None and (not isinstance(ref, dt.date) or isinstance(ref, dt.datetime)):
        problems.append(f"linkage.reference_date must be a date like 2025-06-30, got {ref!r}")
    return problems


@dataclass(frozen=True, kw_only=True)
class LinkConfig:
    """A whole linkage job: sources, output directory and options."""

    sources: tuple[SourceConfig, ...]
    output_dir: Path = Path("out")
    options: LinkageOptions = field(default_factory=LinkageOptions)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.sources:
            problems.append("at least one [[sources]] entry is required")
        names = [s.name for s in self.sources]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"source name {name!r} is used more than once")
        if len({s.pseudonymised for s in self.sources}) > 1:
            problems.append(
                "either every source is pseudonymised (with the same key) or none is: "
                "a hashed NIK never matches a raw one"
            )
        if problems:
            raise ConfigError(problems)

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``."""
        for candidate in self.sources:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


def _source_problems(source: SourceConfig) -> list[str]:
    problems: list[str] = []
    where = f"source {source.name!r}"
    if not isinstance(source.name, str) or not _SOURCE_NAME.fullmatch(source.name):
        problems.append(
            f"source name {source.name!r} must start with a letter and use only letters, "
            "digits and '_' (at most 63 characters)"
        )
    if (source.path is None) == (source.data is None):
        problems.append(f"{where}: give exactly one of 'path' or in-memory 'data'")
    elif source.path is not None and "\x00" in str(source.path):
        problems.append(f"{where}: path must not contain a NUL character")
    if isinstance(source.id_column, list | tuple):
        problems.append(
            f"{where}: 'id_column' must be one column, not a list: the record id is read from a "
            "single column (lists are for [sources.columns])"
        )
    elif not isinstance(source.id_column, str) or not source.id_column.strip():
        problems.append(f"{where}: 'id_column' must name the column holding a unique record id")
    elif "\x00" in source.id_column:
        problems.append(f"{where}: 'id_column' must not contain a NUL character")
    if not isinstance(source.columns, Mapping) or not source.columns:
        problems.append(f"{where}: [sources.columns] must map at least one canonical field")
    for canonical, column in source.columns.items() if isinstance(source.columns, Mapping) else ():
        if canonical not in CANONICAL_FIELDS:
            problems.append(
                f"{where}: unknown canonical field {canonical!r} in columns; "
                f"known fields are {', '.join(CANONICAL_FIELDS)}"
            )
        problems += [f"{where}: {p}" for p in _column_problems(canonical, column)]
    problems += _formats_problems(source, where)
    if source.format is not None and source.format not in _FORMATS:
        problems.append(f"{where}: format must be one of {_FORMATS}, got {source.format!r}")
    if source.delimiter is not None and (not isinstance(source.delimiter, str) or len(source.delimiter) != 1):
        problems.append(f"{where}: delimiter must be a single character, got {source.delimiter!r}")
    for key in ("quote", "escape"):
        value = getattr(source, key)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) != 1 or value in "\r\n\x00":
            problems.append(f'{where}: {key} must be one character, or "" for none, got {value!r}')
    if (
        isinstance(source.quote, str)
        and source.quote
        and isinstance(source.delimiter, str)
        and source.quote == source.delimiter
    ):
        problems.append(f"{where}: quote and delimiter must differ, both are {source.quote!r}")
    if not isinstance(source.encoding, str) or not _known_encoding(source.encoding):
        problems.append(
            f"{where}: encoding {source.encoding!r} is not a known text encoding "
            "(e.g. 'utf-8', 'latin-1', 'cp1252')"
        )
    if source.sheet is not None and (
        isinstance(source.sheet, bool) or not isinstance(source.sheet, str | int)
    ):
        problems.append(f"{where}: sheet must be a sheet name or a 0-based sheet number")
    if not isinstance(source.duplicate_free, bool):
        problems.append(f"{where}: duplicate_free must be true or false")
    if not isinstance(source.pseudonymised, bool):
        problems.append(f"{where}: pseudonymised must be true or false")
    if source.programme is not None and (
        not isinstance(source.programme, str)
        or not source.programme.strip()
        or len(source.programme) > 60
        or any(ch in source.programme for ch in "\x00\r\n")
    ):
        problems.append(
            f'{where}: programme must name the aid programme the source lists, e.g. "PKH" '
            f"(1-60 characters on one line), got {source.programme!r}"
        )
    if not isinstance(source.pays_per_family, bool):
        problems.append(
            f"{where}: pays_per_family must be true or false (true for a programme that pays once "
            f"per family, such as PKH or BPNT), got {source.pays_per_family!r}"
        )
    return problems


def _column_problems(canonical: object, column: object) -> list[str]:
    """Problems with the column(s) mapped to one canonical field: a name or a list of names."""
    if isinstance(column, str):
        if not column:
            return [f"column for {canonical!r} must be a non-empty string"]
        if "\x00" in column:
            return [f"column for {canonical!r} must not contain a NUL character"]
        return []
    if not isinstance(column, list | tuple):
        return [f"column for {canonical!r} must be a column name or a list of column names, got {column!r}"]
    if not column:
        return [f"the list of columns for {canonical!r} is empty; give at least one column"]
    problems = []
    if not all(isinstance(c, str) and c for c in column):
        problems.append(f"the list of columns for {canonical!r} must hold non-empty strings, got {column!r}")
    elif any("\x00" in c for c in column):
        problems.append(f"a column for {canonical!r} must not contain a NUL character")
    elif len(set(column)) != len(column):
        problems.append(f"the list of columns for {canonical!r} names a column twice: {column!r}")
    return problems


def _formats_problems(source: SourceConfig, where: str) -> list[str]:
    if not isinstance(source.formats, Mapping):
        return [f"{where}: [sources.formats] must be a table of field = format(s)"]
    problems = []
    for canonical, value in source.formats.items():
        if canonical not in FORMAT_FIELDS:
            problems.append(f"{where}: formats.{canonical}: formats apply to {', '.join(FORMAT_FIELDS)} only")
            continue
        if isinstance(source.columns, Mapping) and canonical not in source.columns:
            problems.append(f"{where}: formats.{canonical}: {canonical!r} is not mapped in [sources.columns]")
        problems += [f"{where}: formats.{canonical}: {p}" for p in format_problems(value)]
    return problems


def _known_encoding(name: str) -> bool:
    try:
        "".encode(name)  # raises LookupError for unknown and for bytes-to-bytes codecs
    except LookupError:
        return False
    return True


_TOP_KEYS = {"output", "sources", "linkage"}
_SOURCE_KEYS = {
    "name",
    "path",
    "id_column",
    "duplicate_free",
    "delimiter",
    "quote",
    "escape",
    "encoding",
    "columns",
    "formats",
    "sheet",
    "format",
    "pseudonymised",
    "programme",
    "pays_per_family",
}
_OUTPUT_KEYS = {"dir"}
_LINKAGE_KEYS = {
    "match_threshold",
    "pair_threshold",
    "engine",
    "seed",
    "max_pairs_for_u",
    "em_max_iterations",
    "reference_date",
    "max_cluster_size",
    "model",
    "memory_limit",
}


def load_config(path: str | Path) -> LinkConfig:
    """Read and validate a TOML linkage config. Paths inside it are relative to the file.

    Raises :class:`ConfigError` listing every problem found, not just the first.
    """
    config_path = Path(path)
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"config file {str(config_path)!r} does not exist"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], origin=str(config_path)) from None
    except UnicodeDecodeError:
        raise ConfigError(["config file is not UTF-8 text"], origin=str(config_path)) from None
    return config_from_dict(raw, base_dir=config_path.resolve().parent, origin=str(config_path))


def config_from_dict(raw: Mapping[str, Any], *, base_dir: Path, origin: str = "config") -> LinkConfig:
    """Build a :class:`LinkConfig` from the parsed TOML structure (see :func:`load_config`)."""
    problems: list[str] = []
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(f"unknown top-level key {key!r}; expected one of {sorted(_TOP_KEYS)}")

    output = raw.get("output", {})
    if not isinstance(output, Mapping):
        problems.append("[output] must be a table")
        output = {}
    for key in sorted(set(output) - _OUTPUT_KEYS):
        problems.append(f"unknown key {key!r} in [output]")
    out_dir_raw = output.get("dir", "out")
    if not isinstance(out_dir_raw, str) or not out_dir_raw or "\x00" in out_dir_raw:
        problems.append("[output] dir must be a non-empty string without NUL characters")
        out_dir_raw = "out"

    sources: list[SourceConfig] = []
    raw_sources = raw.get("sources", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.append("at least one [[sources]] entry is required")
        raw_sources = []
    for index, entry in enumerate(raw_sources, start=1):
        if not isinstance(entry, Mapping):
            problems.append(f"[[sources]] entry {index} must be a table")
            continue
        label = f"[[sources]] entry {index} ({entry.get('name', '?')!r})"
        for key in sorted(set(entry) - _SOURCE_KEYS):
            problems.append(f"{label}: unknown key {key!r}; expected one of {sorted(_SOURCE_KEYS)}")
        missing = [k for k in ("name", "path", "id_column", "columns") if k not in entry]
        if missing:
            problems.append(f"{label}: missing required key(s) {', '.join(missing)}")
            continue
        columns = entry["columns"]
        if not isinstance(columns, Mapping):
            problems.append(f"{label}: [sources.columns] must be a table")
            continue
        formats = entry.get("formats", {})
        if not isinstance(formats, Mapping):
            problems.append(f"{label}: [sources.formats] must be a table")
            continue
        source_path = Path(str(entry["path"]))
        if not source_path.is_absolute():
            source_path = base_dir / source_path
        try:
            sources.append(
                SourceConfig(
                    name=entry["name"],
                    path=source_path,
                    id_column=entry["id_column"],
                    columns=dict(columns),
                    formats=dict(formats),
                    duplicate_free=entry.get("duplicate_free", False),
                    delimiter=entry.get("delimiter"),
                    quote=entry.get("quote"),
                    escape=entry.get("escape"),
                    encoding=entry.get("encoding", "utf-8"),
                    sheet=entry.get("sheet"),
                    format=entry.get("format"),
                    pseudonymised=entry.get("pseudonymised", False),
                    programme=entry.get("programme"),
                    pays_per_family=entry.get("pays_per_family", False),
                )
            )
        except ConfigError as exc:
            problems.extend(exc.problems)

    linkage_raw = raw.get("linkage", {})
    options = LinkageOptions()
    if not isinstance(linkage_raw, Mapping):
        problems.append("[linkage] must be a table")
    else:
        for key in sorted(set(linkage_raw) - _LINKAGE_KEYS):
            problems.append(f"unknown key {key!r} in [linkage]; expected one of {sorted(_LINKAGE_KEYS)}")
        kwargs = {k: v for k, v in linkage_raw.items() if k in _LINKAGE_KEYS}
        try:
            options = LinkageOptions(**kwargs)
        except ConfigError as exc:
            problems.extend(exc.problems)
        except TypeError as exc:
            problems.append(f"[linkage]: {exc}")

    if problems:
        raise ConfigError(problems, origin=origin)
    out_dir = Path(out_dir_raw)
    if not out_dir.is_absolute():
        out_dir = base_dir / out_dir
    return LinkConfig(sources=tuple(sources), output_dir=out_dir, options=options)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
