"""Reading a sample of a file and measuring the shape of each column's values.

:func:`read_sample` reads the first rows of a file as text (CSV/TXT with any delimiter and
encoding, Parquet, Excel); :func:`profile_columns` measures each column of the sample in
DuckDB, a column at a time: filled and distinct counts, the count of each value, and the share
of values of each shape in :data:`SHAPES` (16-digit NIK and KK numbers, dates, phone numbers,
RT/RW numbers, sex codes, postcodes...), the patterns bound as parameters.
:func:`count_whole_file` counts one column over the whole file, for the ``duplicate_free``
check. Nothing read is printed.
"""

from __future__ import annotations

import codecs
import tempfile
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd

from ..backends.duckdb import quote_identifier as q
from ..sources.reading import excel_to_text, sniff_delimiter
from .proposal import FileProposal, SampledColumn

__all__ = ["SHAPES", "SUFFIXES", "count_whole_file", "profile_columns", "read_sample"]

#: The file suffixes profiled, and the format each is read as (anything else is read as CSV).
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".psv": "csv",
    ".dat": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
}

# -- value shapes (SQL over the sample; patterns are bound parameters) ---------------------------
_NIK_BODY = "regexp_matches(v, '^[1-9][0-9]{15}$') AND substr(v, 9, 2) BETWEEN '01' AND '12'"
_DAY = "substr(v, 7, 2) BETWEEN '01' AND '31'"
_WOMENS_DAY = "substr(v, 7, 2) BETWEEN '41' AND '71'"
_ADDRESS_WORDS = (
    "JL|JLN|JALAN|GG|GANG|KOMP|KOMPLEK|PERUM|PERUMAHAN|BLOK|NO|RT|RW|KP|KAMPUNG|DUSUN"
    "|ST|AVE|RD|DR|LN|BLVD|WAY"
)
SHAPES: dict[str, str] = {
    "nik": f"{_NIK_BODY} AND ({_DAY} OR {_WOMENS_DAY})",
    "nik_women": f"{_NIK_BODY} AND {_WOMENS_DAY}",
    "kk": f"{_NIK_BODY} AND {_DAY}",
    "excel_number": "regexp_matches(v, '^[0-9][.,][0-9]+[Ee][+]?1[4-6]$')",
    "ssn": "regexp_matches(v, '^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$')",
    "phone": "regexp_matches(regexp_replace(v, '[ .()-]', '', 'g'), '^([+]?62|0)8[0-9]{7,12}$') "
    "OR regexp_matches(v, '^[(]?[0-9]{3}[)]?[ .-]?[0-9]{3}[ .-]?[0-9]{4}$')",
    "date": "regexp_matches(v, '^[0-9]{1,4}[-/. ]([0-9]{1,2}|[A-Za-z]{3,9})[-/. ][0-9]{2,4}([ T][0-9:.]+)?$')"
    " OR regexp_matches(v, '^[0-9]{8}$')",
    "rt_rw": "regexp_matches(v, '^((RT|RW|rt|rw)[ .:]*)?0*[0-9]{1,3}$') AND NOT regexp_matches(v, '^0+$')",
    "age": "try_cast(v AS DOUBLE) BETWEEN 0 AND 120 AND regexp_matches(v, '^[0-9]{1,3}([.]0+)?$')",
    "sex": "list_contains(?, upper(regexp_replace(regexp_replace(v, '[.]0+$', ''), '[^A-Za-z0-9]', '', 'g')))",  # noqa: E501
    "postcode": "regexp_matches(v, '^[0-9]{5}(-[0-9]{4})?$')",
    "name": "regexp_matches(v, '^\\p{L}[\\p{L} .,''`-]*$') AND length(v) <= 80",
    "address": f"regexp_matches(upper(v), '(^|[^A-Z])({_ADDRESS_WORDS})([^A-Z]|$)') "
    "OR regexp_matches(v, '^[0-9]+[A-Za-z]? [A-Za-z]')",
    "letters": "regexp_matches(v, '\\p{L}')",
}  # fmt: skip


# -- reading a sample ---------------------------------------------------------------------------
def read_sample(
    path: Path, fmt: str, rows: int, con: duckdb.DuckDBPyConnection, proposal: FileProposal
) -> pd.DataFrame:
    """The first ``rows`` rows of a file, every column as text; notes on ``proposal`` whether
    that is the whole file and, for a CSV, its delimiter, quote and encoding."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        total = parquet.metadata.num_rows
        batch = next(parquet.iter_batches(batch_size=max(rows, 1)), None)
        frame = batch.to_pandas() if batch is not None else parquet.schema_arrow.empty_table().to_pandas()
        proposal.whole_file = total <= rows
        text: pd.DataFrame = excel_to_text(frame.astype(object))[0]
        return text
    if fmt == "excel":
        frame = pd.read_excel(path, sheet_name=0, dtype=object, nrows=rows + 1)
        proposal.whole_file = len(frame) <= rows
        sheet: pd.DataFrame = excel_to_text(frame.head(rows))[0]
        return sheet
    return _read_csv_sample(path, rows, con, proposal)


def _detect_encoding(head: bytes) -> str:
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _read_csv_sample(
    path: Path, rows: int, con: duckdb.DuckDBPyConnection, proposal: FileProposal
) -> pd.DataFrame:
    with path.open("rb") as handle:
        head = handle.read(16 << 20)
        more = bool(handle.read(1))
    encoding = _detect_encoding(head[: 1 << 20])
    proposal.encoding = None if encoding == "utf-8" else encoding
    text = head.decode(encoding, errors="replace")
    if more:  # cut at the last line end: the sample holds whole lines only
        text = text[: text.rfind("\n") + 1] if "\n" in text else text
    with tempfile.TemporaryDirectory(prefix="dtks_link_init_") as temp:
        sample = Path(temp) / "sample.csv"
        sample.write_text(text, encoding="utf-8")
        delimiter = proposal.delimiter = sniff_delimiter(con, sample)
        try:
            frame = _csv_frame(con, sample, delimiter, '"', rows)
        except duckdb.InvalidInputException:
            # not RFC 4180 (a quote that never closes): propose reading quotes as characters
            frame = _csv_frame(con, sample, delimiter, "", rows)
            proposal.quote = ""
    proposal.whole_file = not more and len(frame) <= rows
    return frame.head(rows)


def _csv_frame(
    con: duckdb.DuckDBPyConnection, path: Path, delimiter: str, quote: str, rows: int
) -> pd.DataFrame:
    relation = con.execute(
        "SELECT * FROM read_csv(?, quote = ?, escape = ?, header = true, delim = ?, all_varchar = true, "
        "auto_type_candidates = ['VARCHAR'], ignore_errors = true, null_padding = true) LIMIT ?",
        [str(path), quote, quote, delimiter, rows + 1],
    )
    columns = [d[0] for d in relation.description]
    return pd.DataFrame(relation.fetchall(), columns=columns, dtype=object)


# -- profiling columns ---------------------------------------------------------------------------
def profile_columns(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> list[SampledColumn]:
    """Each column of the sample measured: filled and distinct counts, shape shares, value counts."""
    from ..standardise.sex import SEX_CODES

    out = []
    text = pd.DataFrame({f"c{i}": frame.iloc[:, i] for i in range(frame.shape[1])}, dtype=object)
    con.register("__init_sample", text)
    try:
        for i, name in enumerate(frame.columns):
            value = f"NULLIF(trim(CAST({q(f'c{i}')} AS VARCHAR)), '')"
            shapes = ", ".join(f"count(*) FILTER (WHERE {sql})" for sql in SHAPES.values())
            row = con.execute(
                f"SELECT count(v), count(DISTINCT v), {shapes} FROM (SELECT {value} AS v FROM __init_sample)",
                [list(SEX_CODES)],
            ).fetchall()[0]
            filled, distinct = int(row[0]), int(row[1])
            shares = {s: (int(n) / filled if filled else 0.0) for s, n in zip(SHAPES, row[2:], strict=True)}
            counts = None
            if filled:
                pairs = con.execute(
                    f"SELECT v, count(*) FROM (SELECT {value} AS v FROM __init_sample) "
                    "WHERE v IS NOT NULL GROUP BY v"
                ).fetchall()
                counts = Counter({str(v): int(n) for v, n in pairs})
            out.append(
                SampledColumn(name=str(name), filled=filled, distinct=distinct, shares=shares, counts=counts)
            )
    finally:
        con.unregister("__init_sample")
    return out


def count_whole_file(proposal: FileProposal, column: str) -> tuple[int, int] | None:
    """Rows, and distinct non-empty trimmed values of ``column``, over the whole file (CSV in
    UTF-8 or Parquet); None when the file cannot be counted that way."""
    path = str(proposal.path)
    value = f"NULLIF(trim(CAST({q(column)} AS VARCHAR)), '')"
    con = duckdb.connect()
    try:
        if proposal.file_format == "parquet":
            source, params = "read_parquet(?)", [path]
        elif proposal.file_format == "csv" and proposal.encoding is None:
            source = "read_csv(?, quote = '\"', escape = '\"', header = true, delim = ?, all_varchar = true)"
            params = [path, proposal.delimiter or ","]
        else:
            return None
        row = con.execute(f"SELECT count(*), count(DISTINCT {value}) FROM {source}", params).fetchall()[0]
        return int(row[0]), int(row[1])
    except duckdb.Error:
        return None
    finally:
        con.close()
