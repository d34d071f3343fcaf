"""Writing extracts, ground truth and ``config.toml`` to disk, byte-for-byte reproducibly.

CSV goes through :func:`pyarrow.csv.write_csv`, Parquet through :func:`pyarrow.parquet.write_table`
(both deterministic for equal tables). Excel files are written with openpyxl and then re-packed
with fixed timestamps, because openpyxl stamps the save time into the file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dtks_link.synth.extracts import SourceSpec

__all__ = ["config_toml", "write_parquet", "write_table"]

_FIXED_ZIP_TIME = (2025, 7, 1, 0, 0, 0)
_FIXED_ISO_TIME = "2025-07-01T00:00:00Z"


def write_table(table: pa.Table, spec: SourceSpec, path: Path) -> None:
    """Write one extract in the format its spec names."""
    if spec.file_format == "csv":
        options = pacsv.WriteOptions(
            delimiter=spec.delimiter or ",",
            quoting_style=spec.quoting,
            quoting_header="none" if spec.quoting == "none" else "needed",
        )
        pacsv.write_csv(table, path, options)
    elif spec.file_format == "parquet":
        write_parquet(table, path)
    elif spec.file_format == "xlsx":
        _write_xlsx(table, path, spec.sheet or "Sheet1")
    else:  # pragma: no cover - specs are built in this package
        raise ValueError(f"unknown file format {spec.file_format!r}")


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet with zstd compression and no pandas metadata."""
    pq.write_table(table, path, compression="zstd")


def _write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]  # slow; Excel source only

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(table.column_names)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    for row in zip(*columns, strict=True):
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _repack_zip(buffer.getvalue(), path)


def _repack_zip(data: bytes, path: Path) -> None:
    """Copy a zip archive with fixed entry times and fixed document timestamps."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_ISO_TIME.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def config_toml(specs: Sequence[SourceSpec], *, output_dir: str = "out") -> str:
    """The ``config.toml`` text for these sources (paths relative to the config file)."""
    lines = ["[output]", f"dir = {_toml_string(output_dir)}", ""]
    for spec in specs:
        lines += [
            "[[sources]]",
            f"name = {_toml_string(spec.name)}",
            f"path = {_toml_string(spec.file_name)}",
            f"id_column = {_toml_string(spec.id_column)}",
        ]
        if spec.duplicate_free:
            lines.append("duplicate_free = true")
        if spec.delimiter is not None:
            lines.append(f"delimiter = {_toml_string(spec.delimiter)}")
        if spec.encoding is not None:
            lines.append(f"encoding = {_toml_string(spec.encoding)}")
        if spec.programme is not None:
            lines.append(f"programme = {_toml_string(spec.programme)}")
        if spec.pays_per_family:
            lines.append("pays_per_family = true")
        lines.append("[sources.columns]")
        lines += [f"{key} = {_toml_string(col)}" for key, col in spec.columns.items()]
        lines.append("")
    return "\n".join(lines)
