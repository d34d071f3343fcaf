"""Checks on a lookup query before it is standardised: no silent empty answers.

A query that names a field the registry does not know (``name`` for ``nama``), or gives a value
of the wrong type (``{"nama": 123}``), would otherwise standardise to nothing and find no one:
"not a known resident", forever. :func:`validate_query` rejects both with a
:class:`~dtks_link.errors.QueryError` that names the field (with a did-you-mean), never the value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping

from ..errors import QueryError, mask_numbers
from ..schema import CANONICAL_FIELDS

__all__ = ["FIELD_TYPES", "validate_query"]

_TEXT = (str,)
_CODE = (str, int)
_NUMBER_OR_TEXT = (str, int, float)
_DATE = (str, dt.date)

#: Field -> accepted Python types (None is accepted everywhere and means "not given").
#: NIK and KK may arrive as numbers (spreadsheets turn them into floats, which standardisation
#: repairs where it can); ``bool`` is never accepted.
FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "nik": _NUMBER_OR_TEXT,
    "no_kk": _NUMBER_OR_TEXT,
    "nama": _TEXT,
    "tempat_lahir": _TEXT,
    "tanggal_lahir": _DATE,
    "jenis_kelamin": _TEXT,
    "alamat": _TEXT,
    "rt": _CODE,
    "rw": _CODE,
    "kelurahan": _TEXT,
    "kecamatan": _TEXT,
    "kabupaten_kota": _TEXT,
    "nama_ibu_kandung": _TEXT,
    "telepon": _CODE,
    "umur": _NUMBER_OR_TEXT,
    "kode_pos": _CODE,
    "id_lain": _CODE,
    "hubungan_keluarga": _CODE,
    "id_keluarga": _CODE,
}
assert tuple(FIELD_TYPES) == CANONICAL_FIELDS

_TYPE_WORDS: dict[tuple[type, ...], str] = {
    _TEXT: "text",
    _CODE: "text or an integer",
    _NUMBER_OR_TEXT: "text or a number",
    _DATE: "a date or text such as '12-08-1975'",
}

#: What people coming from other systems call the canonical fields.
_ALIASES: dict[str, str] = {
    "name": "nama",
    "full_name": "nama",
    "fullname": "nama",
    "nama_lengkap": "nama",
    "birth_date": "tanggal_lahir",
    "birthdate": "tanggal_lahir",
    "date_of_birth": "tanggal_lahir",
    "dob": "tanggal_lahir",
    "tgl_lahir": "tanggal_lahir",
    "birth_place": "tempat_lahir",
    "place_of_birth": "tempat_lahir",
    "sex": "jenis_kelamin",
    "gender": "jenis_kelamin",
    "address": "alamat",
    "phone": "telepon",
    "telephone": "telepon",
    "hp": "telepon",
    "no_hp": "telepon",
    "mobile": "telepon",
    "kk": "no_kk",
    "nkk": "no_kk",
    "family_card": "no_kk",
    "mother": "nama_ibu_kandung",
    "mother_name": "nama_ibu_kandung",
    "nama_ibu": "nama_ibu_kandung",
    "age": "umur",
    "postcode": "kode_pos",
    "zip": "kode_pos",
    "postal_code": "kode_pos",
    "city": "kabupaten_kota",
    "district": "kecamatan",
    "village": "kelurahan",
    "desa": "kelurahan",
    "ktp": "nik",
    "national_id": "nik",
}

_MAX_TEXT = 500


def _suggestion(field: str) -> str | None:
    lowered = field.strip().lower()
    if lowered in FIELD_TYPES:
        return lowered
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    close = difflib.get_close_matches(lowered, [*FIELD_TYPES, *_ALIASES], n=1, cutoff=0.6)
    if not close:
        return None
    return _ALIASES.get(close[0], close[0])


def _shown(field: object) -> str:
    text = str(field)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def validate_query(record: Mapping[str, object]) -> dict[str, object]:
    """The query with its values checked, empty strings and None dropped.

    Raises :class:`QueryError` for a field that is not canonical (with a did-you-mean), a value
    whose type the field cannot take, or text longer than 500 characters.
    """
    if not isinstance(record, Mapping):
        raise QueryError(f"a query is a mapping of canonical field -> value, not {type(record).__name__}")
    clean: dict[str, object] = {}
    for field, value in record.items():
        if not isinstance(field, str) or field not in FIELD_TYPES:
            hint = _suggestion(field) if isinstance(field, str) else None
            did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
            raise QueryError(
                f"unknown field {_shown(field)}{did_you_mean}; known fields: {', '.join(FIELD_TYPES)}",
                field=mask_numbers(str(field)[:40]),  # a client may put anything in a key
            )
        if value is None:
            continue
        accepted = FIELD_TYPES[field]
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise QueryError(
                f"field {field!r} must be {_TYPE_WORDS[accepted]}, not {type(value).__name__}",
                field=field,
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise QueryError(f"field {field!r} must be a finite number", field=field)
        if isinstance(value, str):
            if len(value) > _MAX_TEXT:
                raise QueryError(f"field {field!r} is longer than {_MAX_TEXT} characters", field=field)
            if not value.strip():
                continue
        clean[field] = value
    return clean
