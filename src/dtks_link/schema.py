"""The resident record: the canonical raw fields every source is mapped onto, and the one table
of standardised columns (name, type, group, meaning) that the SQL, the Python twin, the
pseudonymised sources and the model read."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CANONICAL_FIELDS",
    "COLUMN_GROUPS",
    "IDENTIFIER_FACTS",
    "IDENTIFIER_FIELDS",
    "PSEUDONYMISED_FIELDS",
    "STANDARDISED_COLUMNS",
    "Column",
    "column_types",
]

#: Canonical raw fields, in output order. A source may carry any subset of them.
#: ``umur`` (age in years) is an addition for sources that give an age instead of a birth date;
#: ``kode_pos`` (postcode) and ``id_lain`` (any other personal identifier: a BPJS card, passport
#: or foreign social-security number) let the model link data from outside Indonesia too.
#: ``hubungan_keluarga`` (relationship to the head of the family) and ``id_keluarga`` (a
#: source's own family id) are evidence for households (:mod:`dtks_link.households`).
CANONICAL_FIELDS: tuple[str, ...] = (
    "nik",
    "no_kk",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "kabupaten_kota",
    "nama_ibu_kandung",
    "telepon",
    "umur",
    "kode_pos",
    "id_lain",
    "hubungan_keluarga",
    "id_keluarga",
)

#: Fields that hold personal identifiers and must be masked in any output meant for people.
IDENTIFIER_FIELDS: frozenset[str] = frozenset({"nik", "no_kk", "id_lain", "id_keluarga"})

#: Fields a pseudonymised source holds as keyed hashes (see :mod:`dtks_link.pseudonymise`).
PSEUDONYMISED_FIELDS: tuple[str, ...] = ("nik", "no_kk", "telepon", "id_lain")


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column of the standardised record: its name, SQL type (DuckDB's spelling), group
    (:data:`COLUMN_GROUPS`) and meaning. ``derived`` columns are added when the records table
    is built, after the standardisation rules ran."""

    name: str
    type: str
    group: str
    doc: str
    derived: bool = False


#: What each column group means.
COLUMN_GROUPS: dict[str, str] = {
    "match": "compared or blocked on by the model",
    "fact": "drawn from the raw NIK or KK; a pseudonymised source gives it ready-made",
    "detail": "describes the record: display values, quality flags, extra evidence for the model",
    "family": "evidence for households (dtks_link.households), not compared by the resident model",
}


def _c(name: str, type: str, group: str, doc: str, *, derived: bool = False) -> Column:
    return Column(name=name, type=type, group=group, doc=doc, derived=derived)


def _derived(name: str, type: str, group: str, doc: str) -> Column:
    return _c(name, type, group, doc, derived=True)


#: The standardised record, one row per column, in table order. The standardisation rules
#: (:func:`dtks_link.standardise.standardise_query`) give the columns that are not derived, in
#: this order; the records table adds the derived ones.
STANDARDISED_COLUMNS: tuple[Column, ...] = (
    _c("nik", "VARCHAR", "match", "16 clean digits; NULL when missing or unrecoverable"),
    _c("nik_valid", "BOOLEAN", "fact", "16 digits and no problem at all"),
    _c("nik_problems", "VARCHAR", "fact", "comma-separated problem codes in fixed order ('' when none)"),
    _c("nik_birth_date", "DATE", "fact", "decoded from the NIK (women: day - 40)"),
    _c("nik_sex", "VARCHAR", "fact", "'L'/'P' from the NIK day"),
    _c("nik_region", "VARCHAR", "fact", "first 6 digits (province, kab/kota, kecamatan)"),
    _c("nik_prefix", "VARCHAR", "fact", "Excel-damaged NIK: its first 12 digits when they survived"),
    _c("nik_dob_mismatch", "BOOLEAN", "fact", "NIK date part differs from tanggal_lahir"),
    _c("nik_sex_mismatch", "BOOLEAN", "fact", "NIK sex differs from jenis_kelamin"),
    _c("no_kk", "VARCHAR", "match", "16 clean digits or NULL"),
    _c("kk_valid", "BOOLEAN", "fact", "16 digits and no problem at all"),
    _c("kk_problems", "VARCHAR", "fact", "as nik_problems, looks_like_nik instead of looks_like_kk"),
    _c("nama_clean", "VARCHAR", "detail", "display name, upper case, no titles/degrees/patronym"),
    _c("nama_key", "VARCHAR", "match", "comparison key, folded spelling, no spaces"),
    _c("nama_tokens_key", "VARCHAR", "match", "the same folding, words separated by single spaces"),
    _c("nama_phonetic", "VARCHAR", "match", "Indonesian phonetic key"),
    _c("nama_patronym", "VARCHAR", "detail", "X in 'bin/binti X' (display form)"),
    _c("is_deceased", "BOOLEAN", "detail", "Alm./Almh. in the name"),
    _c("tanggal_lahir", "DATE", "detail", "parsed birth date"),
    _c(
        "birth_year",
        "INTEGER",
        "match",
        "from tanggal_lahir, a bare year, else reference year - umur (the records table takes "
        "birth_date's year when there is one, as a BIGINT)",
    ),
    _c("birth_year_from_age", "BOOLEAN", "detail", "birth_year came from umur"),
    _c("tanggal_lahir_placeholder", "BOOLEAN", "detail", "1 Jul, 31 Dec, 1 Jan or a 15th"),
    _c("jenis_kelamin", "VARCHAR", "detail", "recorded sex, 'L'/'P'"),
    _c("street", "VARCHAR", "match", "e.g. JL MARGONDA RAYA"),
    _c("house_number", "VARCHAR", "match", "house number as written (household blocking rules)"),
    _c("rt", "INTEGER", "match", "rukun tetangga"),
    _c("rw", "INTEGER", "match", "rukun warga"),
    _c("kelurahan", "VARCHAR", "detail", "gazetteer spelling, upper case"),
    _c("kecamatan", "VARCHAR", "detail", "gazetteer spelling, upper case"),
    _c("kelurahan_code", "VARCHAR", "match", "e.g. 32.76.06.1001"),
    _c("kecamatan_code", "VARCHAR", "match", "e.g. 32.76.06"),
    _c("kelurahan_known", "BOOLEAN", "detail", "kelurahan found in the gazetteer; NULL when none was given"),
    _c("tempat_lahir", "VARCHAR", "match", "upper case, letters only, old names modernised"),
    _c("nama_ibu_clean", "VARCHAR", "detail", "mother's display name"),
    _c("nama_ibu_key", "VARCHAR", "match", "mother's nama_key"),
    _c("telepon", "VARCHAR", "match", "08.../021... phone number"),
    _c("kode_pos", "VARCHAR", "match", "postcode digits"),
    _c("id_lain", "VARCHAR", "match", "another identifier (card, passport, social security), A-Z0-9"),
    _c("hubungan_keluarga", "VARCHAR", "family", "relationship to the head of the KK: an SHDK label"),
    _c("id_keluarga", "VARCHAR", "family", "the source's own family id, A-Z0-9"),
    _derived("birth_date", "DATE", "match", "tanggal_lahir, else the date of a valid NIK fitting the record"),
    _derived("birth_date_from_nik", "BOOLEAN", "detail", "birth_date was read from the NIK"),
    _derived("sex", "VARCHAR", "match", "jenis_kelamin, else the sex of a valid NIK fitting the record"),
    _derived("sex_from_nik", "BOOLEAN", "detail", "sex was read from the NIK"),
    _derived("nik_typo_keys", "VARCHAR[]", "fact", "keyed hashes of the NIK's one-typo neighbours, or NULL"),
    _derived("birth_date_placeholder", "BOOLEAN", "detail", "birth_date is a Dukcapil placeholder date"),
    _derived("nik_holders", "BIGINT", "detail", "names (phonetic keys) among the records of this NIK"),
)


def column_types(*, group: str | None = None, derived: bool | None = None) -> dict[str, str]:
    """Name -> SQL type of the standardised columns in table order, those of one ``group`` and
    (with ``derived``) only the derived or only the rule-given ones.

    >>> list(column_types(group="fact"))[:3]
    ['nik_valid', 'nik_problems', 'nik_birth_date']
    """
    if group is not None and group not in COLUMN_GROUPS:
        raise ValueError(f"unknown column group {group!r}; expected one of {sorted(COLUMN_GROUPS)}")
    return {
        c.name: c.type
        for c in STANDARDISED_COLUMNS
        if (group is None or c.group == group) and (derived is None or c.derived == derived)
    }


#: What a pseudonymised source carries besides the canonical fields, with its SQL type: the
#: facts standardisation draws from the raw NIK and KK, extracted before they were hashed, and
#: keyed hashes of the NIK's one-typo neighbours (so the NIK "one typo" level still works).
IDENTIFIER_FACTS: dict[str, str] = column_types(group="fact")
