"""The canonical resident record: the fields every source is mapped onto."""

from __future__ import annotations

__all__ = ["CANONICAL_FIELDS", "IDENTIFIER_FIELDS"]

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
