"""The canonical resident record: the fields every source is mapped onto."""

from __future__ import annotations

__all__ = ["CANONICAL_FIELDS", "IDENTIFIER_FACTS", "IDENTIFIER_FIELDS", "PSEUDONYMISED_FIELDS"]

#: Canonical raw fields, in output order. A source may carry any subset of them.
#: ``umur`` (age in years) is an addition for sources that give an age instead of a birth date;
#: ``kode_pos`` (postcode) and ``id_lain`` (any other personal identifier: a BPJS card, passport
#: or foreign social-security number) let the model link data from outside Indonesia too.
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
)

#: Fields that hold personal identifiers and must be masked in any output meant for people.
IDENTIFIER_FIELDS: frozenset[str] = frozenset({"nik", "no_kk", "id_lain"})

#: Fields a pseudonymised source holds as keyed hashes (see :mod:`dtks_link.pseudonymise`).
PSEUDONYMISED_FIELDS: tuple[str, ...] = ("nik", "no_kk", "telepon", "id_lain")

#: What a pseudonymised source carries besides the canonical fields, with its SQL type: the
#: facts standardisation draws from the raw NIK and KK, extracted before they were hashed, and
#: keyed hashes of the NIK's one-typo neighbours (so the NIK "one typo" level still works).
IDENTIFIER_FACTS: dict[str, str] = {
    "nik_valid": "BOOLEAN",
    "nik_problems": "VARCHAR",
    "nik_birth_date": "DATE",
    "nik_sex": "VARCHAR",
    "nik_region": "VARCHAR",
    "nik_prefix": "VARCHAR",
    "nik_dob_mismatch": "BOOLEAN",
    "nik_sex_mismatch": "BOOLEAN",
    "kk_valid": "BOOLEAN",
    "kk_problems": "VARCHAR",
    "nik_typo_keys": "VARCHAR[]",
}
