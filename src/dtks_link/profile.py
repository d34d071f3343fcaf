"""``dtks-link init``: look at the files in a folder and propose a linkage config for them.

:func:`propose_config` reads a sample of each file (the first 10,000 rows by default; CSV/TXT
with any delimiter, Parquet, Excel), profiles every column by its header and by the shape of
its values, and writes a ``config.toml`` text:

* each mapping carries a comment with its evidence and confidence: **high** when the header
  and the values agree, **medium** when one of them is clear and the other has nothing
  against it;
* an uncertain mapping (**low**: values alone that could mean something else, or a header
  whose values disagree) is written commented out, to be checked and uncommented;
* a column it cannot recognise is not mapped: it is listed in a comment;
* ``id_column`` is a column whose sampled values are all present and distinct (when there is
  none, it is left empty with the closest candidates named: the config will not load until a
  unique record id is chosen, rather than quarantine every row with a repeated id);
* ``[sources.formats]`` is proposed for a birth date only when the values settle the
  question (month-first because some second part is above 12 and no first part is);
* ``duplicate_free = true`` only when every row of the whole file has a distinct,
  well-formed NIK (the mark of a civil registry extract), never on a guess.

Headers are matched after folding case and separators (``TGL_LAHIR``, ``tglLahir`` and
``tgl lahir`` are one name). The names known cover DTKS, Dukcapil (SIAK), BPJS, PKH, SIKS-NG
and common English exports (``first_name``/``last_name``, ``date_of_birth``, ``ssn``,
``zipcode``); values are tested for 16-digit NIKs and KK numbers, dates, phone numbers,
RT/RW numbers, sex codes, postcodes, relationships to the head of the family (hubungan
keluarga) and Depok kelurahan and kecamatan names from the gazetteer. Only the sample is
read, except for the one column the ``duplicate_free`` check counts over the whole file.
Nothing read is printed: the comments give shares and counts, never a value.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .backends.duckdb import quote_identifier as q
from .config import toml_string
from .errors import ConfigError, SourceError, mask_numbers
from .schema import CANONICAL_FIELDS
from .sources import excel_to_text, sniff_delimiter

__all__ = [
    "DEFAULT_SAMPLE_ROWS",
    "ColumnProposal",
    "FileProposal",
    "profile_file",
    "profile_folder",
    "propose_config",
    "render",
]

#: Rows read from each file.
DEFAULT_SAMPLE_ROWS = 10_000

#: Confidence at or above which a mapping is written; below it (down to LOW) it is commented out.
WRITE_AT = 0.75
LOW = 0.4

_SUFFIXES = {
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

# -- header names ------------------------------------------------------------------------------
# Exact names (after folding, see _fold): field -> names. A name given here is strong evidence.
_NAMES: dict[str, tuple[str, ...]] = {
    "nik": (
        "nik", "no_nik", "nomor_nik", "nonik", "nik_ktp", "no_ktp", "nomor_ktp", "nik_pengurus",
        "nik_penerima", "nik_peserta", "nik_kpm", "nik_art", "nik_anggota", "nik_lansia",
        "nik_korban", "nik_penduduk", "nik_pm", "nik_individu", "nomor_induk_kependudukan",
    ),
    "no_kk": (
        "no_kk", "nomor_kk", "nokk", "nomorkk", "kk", "nkk", "no_kartu_keluarga",
        "nomor_kartu_keluarga", "no_kk_pengurus", "nomor_kk_pengurus", "kk_pengurus",
    ),
    "nama": (
        "nama", "nama_lengkap", "nama_lgkp", "nama_pengurus", "nama_penerima", "nama_peserta",
        "nama_kpm", "nama_art", "nama_anggota", "nama_penduduk", "nama_korban", "nama_lansia",
        "nama_pm", "nama_individu", "nm", "nm_lengkap", "name", "full_name", "fullname",
    ),
    "nama_ibu_kandung": (
        "nama_ibu_kandung", "nama_ibu", "ibu_kandung", "nama_lgkp_ibu", "nm_ibu", "nama_ibu_kandung_pengurus",
        "mother_name", "mothers_name", "mother_maiden_name", "mothers_maiden_name",
    ),
    "tempat_lahir": (
        "tempat_lahir", "tmpt_lhr", "tmp_lahir", "tmpt_lahir", "tempat_lhr", "tpt_lahir", "tmp_lhr",
        "place_of_birth", "birth_place", "birthplace",
    ),
    "tanggal_lahir": (
        "tanggal_lahir", "tgl_lahir", "tgl_lhr", "tgllahir", "tanggal_lhr", "tanggallahir",
        "tgl_lahir_pengurus", "date_of_birth", "dob", "birth_date", "birthdate",
    ),
    "jenis_kelamin": (
        "jenis_kelamin", "jk", "jenis_klmin", "jns_kelamin", "jns_klmin", "kelamin", "jenkel",
        "jenis_kel", "jns_kel", "sex", "gender", "l_p", "lp",
    ),
    "alamat": (
        "alamat", "alamat_lengkap", "alamat_ktp", "alamat_rumah", "alamat_tinggal", "alamat_domisili",
        "address", "street_address", "full_address",
    ),
    "rt": ("rt", "no_rt", "nort", "nomor_rt"),
    "rw": ("rw", "no_rw", "norw", "nomor_rw"),
    "kelurahan": (
        "kelurahan", "desa_kelurahan", "kelurahan_desa", "desa_kel", "kel_desa", "kel_name", "nama_kel",
        "nama_kelurahan", "nama_desa", "nm_kel", "kel", "desa", "village",
    ),
    "kecamatan": ("kecamatan", "kec_name", "nama_kec", "nama_kecamatan", "nm_kec", "kec", "subdistrict"),
    "kabupaten_kota": (
        "kabupaten_kota", "kab_kota", "kabkota", "kota_kab", "kab_name", "kota", "kabupaten", "nama_kab",
        "nama_kota", "nama_kabupaten", "city",
    ),
    "telepon": (
        "no_hp", "nohp", "nomor_hp", "hp", "telepon", "telp", "no_telp", "no_telepon", "nomor_telepon",
        "handphone", "no_handphone", "no_wa", "phone", "phone_number", "telephone", "mobile",
    ),
    "umur": ("umur", "usia", "age"),
    "kode_pos": ("kode_pos", "kodepos", "kd_pos", "zipcode", "zip", "zip_code", "postcode", "postal_code"),
    "id_lain": (
        "ssn", "social_security_number", "passport", "passport_number", "no_paspor", "nomor_paspor",
        "no_bpjs", "nomor_bpjs", "no_kartu_bpjs", "no_jkn",
    ),
    "hubungan_keluarga": (
        "hubungan_keluarga", "hub_keluarga", "hubungan", "hub_kel", "hubkel", "stat_hbkel", "shdk",
        "status_hubungan", "status_hubungan_keluarga", "stat_hub_kel", "hubungan_dengan_kepala_keluarga",
        "hubungan_dg_kk", "hub_dg_kk", "kd_hubungan_dg_kk", "hubungan_kk", "status_dalam_keluarga",
        "relationship", "relationship_to_head", "relation_to_head", "relationship_to_reference_person",
        "relationship_to_householder", "family_relationship",
    ),
    "id_keluarga": (
        "id_keluarga", "idkeluarga", "id_keluarga_dtks", "id_dtks_keluarga", "idkeluarga_dtks",
        "kode_keluarga", "no_keluarga", "nomor_keluarga", "id_kel_dtks", "id_rumah_tangga", "id_ruta",
        "family_id", "household_id", "hh_id", "householdid",
    ),
}  # fmt: skip
_FIELD_BY_NAME = {name: canonical for canonical, names in _NAMES.items() for name in names}

# Parts of a field spread over several columns, in the order they are joined.
_PARTS: dict[str, dict[str, tuple[str, ...]]] = {
    "nama": {
        "first": ("first_name", "firstname", "given_name", "nama_depan"),
        "middle": ("middle_initial", "middle_name", "middlename", "nama_tengah"),
        "last": ("last_name", "lastname", "surname", "family_name", "nama_belakang"),
    },
    "alamat": {
        "number": ("street_number", "house_number", "nomor_rumah", "no_rumah"),
        "street": ("street_name", "street", "nama_jalan", "jalan"),
        "unit": ("unit_number", "unit", "apartment", "apt"),
    },
}
_PART_BY_NAME = {
    name: (canonical, part)
    for canonical, parts in _PARTS.items()
    for part, names in parts.items()
    for name in names
}
# A column about somebody or something else than the record's own person.
_OTHER_PARTY = {
    "ibu", "ayah", "bapak", "kepala", "krt", "kk_kepala", "spouse", "dependent", "employer", "guardian",
    "pendamping", "petugas", "wali", "ahli", "waris", "suami", "istri", "anak", "copy", "bank",
    "program", "sekolah", "jalan", "prov", "provinsi", "kab", "kec", "kel", "desa", "father",
    "mother", "parent", "child", "operator", "mati", "meninggal", "wafat", "daftar", "input",
    "update", "entri", "cetak", "terbit", "survei", "survey", "event", "tax", "kartu",
}  # fmt: skip
# Prefixes that name the person's own address (pseudopeople's tax forms).
_OWN_PREFIXES = ("mailing_address_", "residence_", "domisili_")
_ID_WORDS = {"id", "no", "nomor", "kode", "key", "kartu", "peserta", "registrasi", "record", "urut", "idx"}


def _fold(header: str) -> str:
    """``tglLahir``, ``TGL_LAHIR`` and ``Tgl. Lahir`` -> ``tgl_lahir``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", header.strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# -- value shapes (SQL over the sample; patterns are bound parameters) ---------------------------
_NIK_BODY = "regexp_matches(v, '^[1-9][0-9]{15}$') AND substr(v, 9, 2) BETWEEN '01' AND '12'"
_DAY = "substr(v, 7, 2) BETWEEN '01' AND '31'"
_WOMENS_DAY = "substr(v, 7, 2) BETWEEN '41' AND '71'"
_ADDRESS_WORDS = (
    "JL|JLN|JALAN|GG|GANG|KOMP|KOMPLEK|PERUM|PERUMAHAN|BLOK|NO|RT|RW|KP|KAMPUNG|DUSUN"
    "|ST|AVE|RD|DR|LN|BLVD|WAY"
)
_SHAPES: dict[str, str] = {
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


@dataclass(frozen=True, kw_only=True)
class ColumnProposal:
    """A field proposed for one or several columns, with the reason and the confidence (0-1)."""

    field: str
    columns: tuple[str, ...]
    confidence: float
    evidence: str

    @property
    def level(self) -> str:
        """``high``, ``medium`` or ``low`` (low is written commented out)."""
        if self.confidence >= 0.9:
            return "high"
        return "medium" if self.confidence >= WRITE_AT else "low"


@dataclass(kw_only=True)
class FileProposal:
    """What :func:`profile_file` concluded about one file."""

    path: Path
    name: str
    file_format: str
    rows_sampled: int = 0
    whole_file: bool = False
    delimiter: str | None = None
    quote: str | None = None  # "" when the sample does not read as RFC 4180
    encoding: str | None = None
    id_column: str | None = None
    id_evidence: str = ""
    mappings: list[ColumnProposal] = field(default_factory=list)
    uncertain: list[ColumnProposal] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    formats: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    date_notes: dict[str, str] = field(default_factory=dict)
    duplicate_free: str | None = None  # the evidence when proposed
    skipped: str | None = None  # why no [[sources]] entry is proposed


@dataclass(kw_only=True)
class _Column:
    name: str
    filled: int
    distinct: int
    shares: dict[str, float]
    counts: Counter[str] | None  # value counts when the column has few distinct values


# -- reading a sample ------------------------------------------------------------------------------
def _read_sample(
    path: Path, fmt: str, rows: int, con: duckdb.DuckDBPyConnection, proposal: FileProposal
) -> pd.DataFrame:
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
def _profile_columns(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection) -> list[_Column]:
    from .standardise.sex import SEX_CODES

    out = []
    text = pd.DataFrame({f"c{i}": frame.iloc[:, i] for i in range(frame.shape[1])}, dtype=object)
    con.register("__init_sample", text)
    try:
        for i, name in enumerate(frame.columns):
            value = f"NULLIF(trim(CAST({q(f'c{i}')} AS VARCHAR)), '')"
            shapes = ", ".join(f"count(*) FILTER (WHERE {sql})" for sql in _SHAPES.values())
            row = con.execute(
                f"SELECT count(v), count(DISTINCT v), {shapes} FROM (SELECT {value} AS v FROM __init_sample)",
                [list(SEX_CODES)],
            ).fetchall()[0]
            filled, distinct = int(row[0]), int(row[1])
            shares = {s: (int(n) / filled if filled else 0.0) for s, n in zip(_SHAPES, row[2:], strict=True)}
            counts = None
            if filled:
                pairs = con.execute(
                    f"SELECT v, count(*) FROM (SELECT {value} AS v FROM __init_sample) "
                    "WHERE v IS NOT NULL GROUP BY v"
                ).fetchall()
                counts = Counter({str(v): int(n) for v, n in pairs})
            out.append(
                _Column(name=str(name), filled=filled, distinct=distinct, shares=shares, counts=counts)
            )
    finally:
        con.unregister("__init_sample")
    return out


def _gazetteer_shares(column: _Column) -> tuple[float, float]:
    """Shares of a column's values naming a Depok kelurahan, and a Depok kecamatan."""
    if not column.counts or not column.filled or column.distinct > 1000:
        return 0.0, 0.0
    from .standardise.gazetteer import maps, place_key

    gazetteer = maps()
    kel = {*gazetteer.kel_by_key, *gazetteer.ambiguous_kel_names}
    kel_hits = kec_hits = 0
    for value, n in column.counts.items():
        key = place_key(value)
        kel_hits += n if key in kel else 0
        kec_hits += n if key in gazetteer.kec_by_key else 0
    return kel_hits / column.filled, kec_hits / column.filled


def _pct(share: float) -> str:
    return f"{share:.0%}" if share < 0.995 or share == 1 else ">99%"


# field -> (shape, share needed, what it means): the value test of a field found by its header
_VALUE_TESTS: dict[str, tuple[str, float, str]] = {
    "nik": ("nik", 0.5, "look like a 16-digit NIK"),
    "no_kk": ("kk", 0.5, "look like a 16-digit KK number"),
    "tanggal_lahir": ("date", 0.5, "look like dates"),
    "telepon": ("phone", 0.5, "look like phone numbers"),
    "jenis_kelamin": ("sex", 0.8, "are sex codes"),
    "rt": ("rt_rw", 0.8, "are RT numbers"),
    "rw": ("rt_rw", 0.8, "are RW numbers"),
    "umur": ("age", 0.8, "are ages (0-120)"),
    "kode_pos": ("postcode", 0.8, "are postcodes"),
    "nama": ("name", 0.5, "look like names"),
    "nama_ibu_kandung": ("name", 0.5, "look like names"),
    "tempat_lahir": ("letters", 0.8, "hold letters"),
    "alamat": ("address", 0.5, "look like addresses"),
    "kelurahan": ("letters", 0.8, "hold letters"),
    "kecamatan": ("letters", 0.8, "hold letters"),
    "kabupaten_kota": ("letters", 0.8, "hold letters"),
    "hubungan_keluarga": ("relationship", 0.8, "are relationships to the head (SHDK)"),
}


def _relationship_share(column: _Column) -> float:
    """Share of a column's values that read as a hubungan keluarga (SHDK label, code or an
    English relationship)."""
    if not column.counts or not column.filled or column.distinct > 1000:
        return 0.0
    from .standardise.family import relationship

    return sum(n for value, n in column.counts.items() if relationship(value, sex="L")) / column.filled


def _share(column: _Column, shape: str) -> float:
    if shape == "relationship":
        return _relationship_share(column)
    share = column.shares[shape]
    if shape in ("nik", "kk"):
        share += column.shares["excel_number"]  # Excel wrote the 16 digits as 3.27601E+15
    return share


def _by_header(column: _Column) -> ColumnProposal | None:
    folded = _fold(column.name)
    for prefix in _OWN_PREFIXES:
        if folded.startswith(prefix) and folded[len(prefix) :] in _PART_BY_NAME:
            folded = folded[len(prefix) :]
    canonical = _FIELD_BY_NAME.get(folded)
    if canonical is not None:
        confidence, how = 0.9, f"header {column.name!r}"
    else:
        canonical = _token_rule(folded)
        if canonical is None:
            return None
        confidence, how = 0.8, f"header {column.name!r} (by its words)"
    if not column.filled:
        return ColumnProposal(
            field=canonical, columns=(column.name,), confidence=0.5, evidence=f"{how}; empty in the sample"
        )
    test = _VALUE_TESTS.get(canonical)
    if test is None:
        return ColumnProposal(field=canonical, columns=(column.name,), confidence=confidence, evidence=how)
    shape, needed, meaning = test
    share = _share(column, shape)
    evidence = f"{how}; {_pct(share)} of {column.filled:,} values {meaning}"
    if share >= needed:
        return ColumnProposal(
            field=canonical, columns=(column.name,), confidence=min(confidence + 0.1, 1.0), evidence=evidence
        )
    if canonical in ("nik", "no_kk") and column.shares["ssn"] >= 0.5:
        evidence += f", {_pct(column.shares['ssn'])} look like US social-security numbers"
        return ColumnProposal(field="id_lain", columns=(column.name,), confidence=0.6, evidence=evidence)
    return ColumnProposal(field=canonical, columns=(column.name,), confidence=0.5, evidence=evidence)


def _token_rule(folded: str) -> str | None:
    """A field from the words of a header not in the lists (``nik_ibu`` is not the person's)."""
    words = set(folded.split("_"))
    if words & _OTHER_PARTY or {"nik", "kk"} <= words:  # NIK_KK: the head's NIK or the KK number?
        return None
    if "nik" in words:
        return "nik"
    if "kk" in words:
        return "no_kk"
    if "lahir" in words or "lhr" in words:
        if words & {"tgl", "tanggal", "tg"}:
            return "tanggal_lahir"
        if words & {"tempat", "tmp", "tmpt", "tpt"}:
            return "tempat_lahir"
        return None
    if words & {"nama", "nm"} and len(words) <= 3:
        return "nama"
    if "alamat" in words:
        return "alamat"
    return None


def _by_values(column: _Column) -> ColumnProposal | None:
    """A field from the values alone (the header is not known)."""
    words = set(_fold(column.name).split("_"))
    if column.filled < 5 or words & _OTHER_PARTY:
        return None
    shares = column.shares
    nik, kk = _share(column, "nik"), _share(column, "kk")
    women = shares["nik_women"] / nik if nik else 0.0
    kel, kec = _gazetteer_shares(column)
    roles = _relationship_share(column)
    worded = sum(
        n for value, n in (column.counts or {}).items() if not value.strip().replace(".", "").isdigit()
    )
    # (field, share, whether it decides, confidence, what that share of the values shows), in order
    rules = [
        (
            "nik",
            nik,
            nik >= 0.9 and 0.2 <= women <= 0.8,
            0.5 if "kk" in words else 0.8,
            f"look like a 16-digit NIK, {_pct(women)} with a women's day (41-71)",
        ),
        (
            "no_kk",
            kk,
            kk >= 0.9 and women < 0.05 and column.distinct < column.filled,
            0.6,
            "look like 16-digit KK numbers, some shared",
        ),
        ("telepon", shares["phone"], shares["phone"] >= 0.9, 0.8, "look like phone numbers"),
        (
            "jenis_kelamin",
            shares["sex"],
            shares["sex"] >= 0.95 and column.distinct <= 8,
            0.8,
            "are sex codes",
        ),
        ("kecamatan", kec, kec >= 0.9 and kec >= kel, 0.8, "name a Depok kecamatan"),
        ("kelurahan", kel, kel >= 0.8, 0.8, "name a Depok kelurahan"),
        (
            "tanggal_lahir",
            shares["date"],
            shares["date"] >= 0.9,
            0.5,
            "look like dates (a birth date? check)",
        ),
        ("id_lain", shares["ssn"], shares["ssn"] >= 0.9, 0.5, "look like US social-security numbers"),
        (
            "hubungan_keluarga",
            roles,
            roles >= 0.95 and 2 <= column.distinct <= 40 and worded >= 0.5 * column.filled,
            0.8,
            "are relationships to the head (Kepala Keluarga, Istri, Anak...)",
        ),
    ]
    for canonical, share, decides, confidence, meaning in rules:
        if decides:
            return ColumnProposal(
                field=canonical,
                columns=(column.name,),
                confidence=confidence,
                evidence=f"values: {_pct(share)} of {column.filled:,} {meaning}",
            )
    return None


def _with_header_gazetteer(proposal: ColumnProposal, column: _Column) -> ColumnProposal:
    """A kelurahan or kecamatan column found by its header, with the gazetteer's word on it."""
    if proposal.field not in ("kelurahan", "kecamatan"):
        return proposal
    kel, kec = _gazetteer_shares(column)
    share = kel if proposal.field == "kelurahan" else kec
    if share < 0.5:
        return proposal
    return ColumnProposal(
        field=proposal.field,
        columns=proposal.columns,
        confidence=max(proposal.confidence, 1.0),
        evidence=f"{proposal.evidence}; {_pct(share)} name a Depok {proposal.field}",
    )


# -- birth-date formats --------------------------------------------------------------------------
_SEPARATED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^\d{8}$")


def _date_format(column: _Column) -> tuple[list[str], str] | str:
    """Formats for a birth-date column when the values settle the order (with the evidence),
    or a note saying why none is proposed."""
    counts = column.counts
    if not counts:
        return "values too varied to tell the day/month order; the rules read day-first"
    separated: Counter[tuple[str, int]] = Counter()
    first_big = second_big = 0
    compact = 0
    md_first = dm_first = compact_md = compact_dm = compact_ymd = 0
    total = sum(counts.values())
    for value, n in counts.items():
        match = _SEPARATED.match(value.strip())
        if match:
            a, sep, b, year = int(match[1]), match[2], int(match[3]), match[4]
            separated[(sep, len(year))] += n
            first_big += n if a > 12 else 0
            second_big += n if b > 12 else 0
            md_first += n if a <= 12 and b <= 31 else 0
            dm_first += n if b <= 12 and a <= 31 else 0
            continue
        if _COMPACT.match(value.strip()):
            compact += n
            v = value.strip()
            mm, dd, yyyy = int(v[:2]), int(v[2:4]), int(v[4:])
            compact_md += n if 1 <= mm <= 12 and 1 <= dd <= 31 and 1880 <= yyyy <= 2100 and dd > 12 else 0
            compact_dm += n if 1 <= dd <= 12 and 1 <= mm <= 31 and 1880 <= yyyy <= 2100 and mm > 12 else 0
            y, m, d = int(v[:4]), int(v[4:6]), int(v[6:])
            compact_ymd += n if 1880 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31 else 0
    n_sep = sum(separated.values())
    if n_sep >= 0.9 * total:
        if second_big >= 2 and first_big <= 0.02 * second_big:
            formats = []
            for (sep, digits), n in separated.most_common():
                if n >= 0.01 * n_sep:
                    fmt = f"%m{sep}%d{sep}" + ("%Y" if digits == 4 else "%y")
                    formats.append(fmt)
            return formats, (
                f"month-first: {second_big:,} of {n_sep:,} dates have a day above 12 in the second part, "
                f"{first_big:,} in the first"
            )
        if first_big and second_big <= 0.02 * first_big:
            return "day-first (some first parts above 12): read by the standard rules"
        if not first_big and not second_big:
            return "no part above 12 in the sample: day/month order unknown; the rules read day-first"
        return "mixed day/month order: left to the standard rules"
    if compact >= 0.9 * total:
        if compact_ymd >= 0.98 * compact:
            return "yyyymmdd: read by the standard rules"
        if compact_md >= 2 and compact_dm <= 0.02 * compact_md:
            return ["%m%d%Y"], (
                f"mmddyyyy: {compact_md:,} of {compact:,} values have a day above 12 in digits 3-4, "
                f"{compact_dm:,} in digits 1-2"
            )
        return "8-digit dates: read by the standard rules (yyyymmdd or ddmmyyyy)"
    return "read by the standard rules"


# -- choosing ------------------------------------------------------------------------------------
def _parts_proposals(columns: list[_Column]) -> list[ColumnProposal]:
    """``nama`` from first/middle/last name columns, ``alamat`` from street number/name/unit."""
    found: dict[str, dict[str, str]] = {}
    for column in columns:
        folded = _fold(column.name)
        for prefix in _OWN_PREFIXES:
            if folded.startswith(prefix):
                folded = folded[len(prefix) :]
        if folded in _PART_BY_NAME:
            canonical, part = _PART_BY_NAME[folded]
            found.setdefault(canonical, {}).setdefault(part, column.name)
    out = []
    for canonical, parts in found.items():
        order = list(_PARTS[canonical])
        anchor = "last" if canonical == "nama" else "street"
        if anchor not in parts:
            continue
        names = tuple(parts[p] for p in order if p in parts)
        shown = ", ".join(repr(c) for c in names)
        out.append(
            ColumnProposal(
                field=canonical,
                columns=names,
                confidence=0.9,
                evidence=f"headers {shown}: the parts of one {canonical}, joined with spaces",
            )
        )
    return out


def _choose(columns: list[_Column]) -> tuple[list[ColumnProposal], list[ColumnProposal], list[str]]:
    """The mappings written, those commented out, and the columns not recognised."""
    candidates: list[ColumnProposal] = _parts_proposals(columns)
    in_parts = {c for p in candidates for c in p.columns}
    by_column = {c.name: c for c in columns}
    for column in columns:
        if column.name in in_parts:
            continue
        proposal = _by_header(column) or _by_values(column)
        if proposal is not None:
            candidates.append(_with_header_gazetteer(proposal, by_column[column.name]))
    candidates.sort(key=lambda p: -p.confidence)
    chosen: dict[str, ColumnProposal] = {}
    uncertain: list[ColumnProposal] = []
    for proposal in candidates:
        if proposal.confidence >= WRITE_AT and proposal.field not in chosen:
            chosen[proposal.field] = proposal
        elif proposal.confidence >= LOW:
            if proposal.field in chosen:
                proposal = ColumnProposal(
                    field=proposal.field,
                    columns=proposal.columns,
                    confidence=min(proposal.confidence, WRITE_AT - 0.01),
                    evidence=f"{proposal.evidence}; {chosen[proposal.field].columns[0]!r} is mapped instead",
                )
            uncertain.append(proposal)
    used = {c for p in (*chosen.values(), *uncertain) for c in p.columns}
    mappings = [chosen[f] for f in CANONICAL_FIELDS if f in chosen]
    uncertain.sort(key=lambda p: CANONICAL_FIELDS.index(p.field))
    return mappings, uncertain, [c.name for c in columns if c.name not in used]


def _choose_id(
    columns: list[_Column], rows: int, mappings: Sequence[ColumnProposal]
) -> tuple[str | None, str]:
    mapped = {c for p in mappings for c in p.columns}
    identifiers = {p.columns[0] for p in mappings if p.field in ("nik", "id_lain") and len(p.columns) == 1}
    unique = [c for c in columns if rows and c.filled == rows and c.distinct == rows]

    def idlike(column: _Column) -> bool:
        words = set(_fold(column.name).split("_"))
        return bool(words & _ID_WORDS) or any(_fold(column.name).startswith(w) for w in ("id", "no"))

    for group, how in (
        ([c for c in unique if c.name not in mapped and idlike(c)], "header names an id"),
        ([c for c in unique if c.name not in mapped], "not mapped to a field"),
        ([c for c in unique if c.name in identifiers], "also mapped as an identifier"),
    ):
        if group:
            return group[0].name, f"present and distinct in all {rows:,} sampled rows; {how}"
    near = sorted((c for c in columns if c.distinct > rows // 2), key=lambda c: (not idlike(c), -c.distinct))
    shown = ", ".join(f"{c.name!r} ({c.distinct:,} distinct)" for c in near[:3]) or "none"
    return None, (
        f"no column is present and distinct in all {rows:,} sampled rows: add a unique record id column "
        f"and name it here (closest: {shown})"
    )


def _duplicate_free(
    proposal: FileProposal, nik: ColumnProposal | None, column: _Column | None, rows: int
) -> None:
    """Propose ``duplicate_free`` when every row of the whole file has a distinct, well-formed NIK."""
    if nik is None or column is None or len(nik.columns) != 1 or rows < 50:
        return
    if column.filled < rows or column.shares["nik"] < 1.0 or column.distinct < rows:
        return
    total = distinct = rows
    if not proposal.whole_file:
        counted = _count_whole_file(proposal, nik.columns[0])
        if counted is None:
            return
        total, distinct = counted
        if distinct < total:
            return
    proposal.duplicate_free = (
        f"every one of the {total:,} rows has a distinct, well-formed NIK (column {nik.columns[0]!r}): "
        "a register with one row per person"
    )


def _count_whole_file(proposal: FileProposal, column: str) -> tuple[int, int] | None:
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


# -- the whole file --------------------------------------------------------------------------------
def _source_name(path: Path, taken: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", path.stem).strip("_")[:55] or "source"
    if not name[0].isalpha():
        name = "s_" + name
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def profile_file(
    path: str | Path, *, name: str | None = None, sample_rows: int = DEFAULT_SAMPLE_ROWS
) -> FileProposal:
    """Profile one file and propose its ``[[sources]]`` entry (see :func:`propose_config`)."""
    file_path = Path(path)
    fmt = _SUFFIXES.get(file_path.suffix.lower(), "csv")
    proposal = FileProposal(path=file_path, name=name or _source_name(file_path, set()), file_format=fmt)
    con = duckdb.connect()
    try:
        try:
            frame = _read_sample(file_path, fmt, sample_rows, con, proposal)
        except (duckdb.Error, OSError, ValueError, SourceError) as exc:
            first_line = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            proposal.skipped = f"cannot read it as {fmt}: {mask_numbers(first_line)}"
            return proposal
        except Exception as exc:  # openpyxl and pyarrow raise many types for broken files
            proposal.skipped = f"cannot read it as {fmt}: {type(exc).__name__}"
            return proposal
        frame.columns = [str(c) for c in frame.columns]
        proposal.rows_sampled = len(frame)
        if frame.empty:
            proposal.skipped = "no data rows to profile"
            return proposal
        columns = _profile_columns(frame, con)
    finally:
        con.close()
    mappings, uncertain, unrecognised = _choose(columns)
    proposal.mappings, proposal.uncertain, proposal.unrecognised = mappings, uncertain, unrecognised
    if not any(p.field in ("nama", "nik", "no_kk") for p in mappings):
        proposal.skipped = "no name, NIK or KK column recognised: nothing to link on"
        return proposal
    proposal.id_column, proposal.id_evidence = _choose_id(columns, len(frame), mappings)
    proposal.unrecognised = [c for c in unrecognised if c != proposal.id_column]
    by_name = {c.name: c for c in columns}
    for mapping in mappings:
        if mapping.field == "tanggal_lahir" and len(mapping.columns) == 1:
            found = _date_format(by_name[mapping.columns[0]])
            if isinstance(found, tuple):
                proposal.formats["tanggal_lahir"] = found
            else:
                proposal.date_notes["tanggal_lahir"] = found
    nik = next((m for m in mappings if m.field == "nik"), None)
    _duplicate_free(proposal, nik, by_name.get(nik.columns[0]) if nik else None, len(frame))
    return proposal


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in _SUFFIXES
    )


def _comment(text: str) -> str:
    """One comment line: control characters (a newline in a header) cannot end it early."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", text)


def _aligned(assignment: str, comment: str) -> str:
    return f"{assignment:<40} # {_comment(comment)}"


def _value(columns: tuple[str, ...]) -> str:
    if len(columns) == 1:
        return toml_string(columns[0])
    return "[" + ", ".join(toml_string(c) for c in columns) + "]"


def _source_toml(proposal: FileProposal, config_dir: Path) -> list[str]:
    target = proposal.path.resolve()
    try:  # relative to the config when the file is under its folder, else absolute
        shown = target.relative_to(config_dir.resolve()).as_posix()
    except ValueError:
        shown = target.as_posix()
    sampled = "the whole file" if proposal.whole_file else f"the first {proposal.rows_sampled:,} rows"
    lines = [f"# {_comment(proposal.path.name)}: profiled from {sampled}", "[[sources]]"]
    lines.append(f"name = {toml_string(proposal.name)}")
    lines.append(f"path = {toml_string(shown)}")
    lines.append(_aligned(f"id_column = {toml_string(proposal.id_column or '')}", proposal.id_evidence))
    if proposal.file_format == "csv":
        lines.append(f"delimiter = {toml_string(proposal.delimiter or ',')}")
        if proposal.quote is not None:
            lines.append(
                _aligned(
                    f"quote = {toml_string(proposal.quote)}",
                    "the first rows do not read as RFC 4180 (a quote never closes?): quotes read as text",
                )
            )
        if proposal.encoding is not None:
            lines.append(_aligned(f"encoding = {toml_string(proposal.encoding)}", "the file is not UTF-8"))
    if proposal.duplicate_free is not None:
        lines.append(_aligned("duplicate_free = true", proposal.duplicate_free))
    lines.append("[sources.columns]")
    for mapping in proposal.mappings:
        lines.append(
            _aligned(f"{mapping.field} = {_value(mapping.columns)}", f"{mapping.level}: {mapping.evidence}")
        )
    for mapping in proposal.uncertain:
        lines.append(
            _aligned(
                f"# {mapping.field} = {_value(mapping.columns)}",
                f"uncertain ({mapping.level}): {mapping.evidence}",
            )
        )
    if proposal.unrecognised:
        shown = ", ".join(proposal.unrecognised)
        lines.append(_comment(f"# not mapped (not recognised): {shown}"))
    for canonical, note in proposal.date_notes.items():
        lines.append(_comment(f"# {canonical}: {note}"))
    if proposal.formats:
        lines.append("[sources.formats]")
        for canonical, (formats, evidence) in proposal.formats.items():
            value = toml_string(formats[0]) if len(formats) == 1 else _value(tuple(formats))
            lines.append(_aligned(f"{canonical} = {value}", evidence))
    return lines


def profile_folder(folder: str | Path, *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> list[FileProposal]:
    """:func:`profile_file` for every data file in ``folder`` (CSV/TXT/TSV, Parquet, Excel; not
    recursive), with distinct source names. Raises :class:`ConfigError` when the folder does
    not exist or holds no data file."""
    directory = Path(folder)
    if not directory.is_dir():
        raise ConfigError([f"{str(directory)!r} is not a folder"], origin="dtks-link init")
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, int) or sample_rows < 1:
        raise ConfigError(
            [f"sample_rows must be a positive integer, got {sample_rows!r}"], origin="dtks-link init"
        )
    files = _files(directory)
    if not files:
        suffixes = ", ".join(sorted(_SUFFIXES))
        raise ConfigError([f"no data file ({suffixes}) in {str(directory)!r}"], origin="dtks-link init")
    taken: set[str] = set()
    return [profile_file(p, name=_source_name(p, taken), sample_rows=sample_rows) for p in files]


def propose_config(
    folder: str | Path,
    *,
    config_path: str | Path | None = None,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
) -> str:
    """Profile every data file in ``folder`` (CSV/TXT/TSV, Parquet, Excel; not recursive) and
    return a proposed ``config.toml`` text. Paths in it are relative to ``config_path``'s
    folder (default: ``folder``, as if the config is saved there).

    Read the proposal before linking: each line says why it is there and how sure it is;
    uncertain mappings are commented out, unrecognised columns are listed, not mapped.
    Raises :class:`ConfigError` when the folder does not exist or holds no data file."""
    proposals = profile_folder(folder, sample_rows=sample_rows)
    config_dir = Path(config_path).parent if config_path is not None else Path(folder)
    return render(proposals, config_dir=config_dir, folder=Path(folder), sample_rows=sample_rows)


def render(proposals: Iterable[FileProposal], *, config_dir: Path, folder: Path, sample_rows: int) -> str:
    """The config text of profiled files (see :func:`propose_config`)."""
    lines = [
        _comment(
            f"# Proposed by dtks-link init from the files in {folder} (up to {sample_rows:,} rows of each)."
        ),
        "# Check every line before linking. Each mapping says why it is there and how sure it is:",
        "#   high = the header and the values agree; medium = one of them is clear, nothing against it;",
        "#   uncertain = commented out: uncomment it if it is right. Unrecognised columns are not mapped.",
        "",
        "[output]",
        'dir = "out"',
    ]
    skipped = []
    for proposal in proposals:
        if proposal.skipped is not None:
            skipped.append(_comment(f"# skipped {proposal.path.name}: {proposal.skipped}"))
            continue
        lines += ["", *_source_toml(proposal, config_dir)]
    if skipped:
        lines += ["", *skipped]
    return "\n".join(lines) + "\n"
