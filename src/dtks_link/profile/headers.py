"""Header recognition: which field a column's header names, by the names known and by its words.

Headers are matched after folding case and separators (:func:`fold`: ``TGL_LAHIR``,
``tglLahir`` and ``tgl lahir`` are one name). The names known cover DTKS, Dukcapil (SIAK),
BPJS, PKH, SIKS-NG and common English exports; a header not in the lists is read by its words
(:func:`token_rule`), and a header about somebody else (``nik_ibu``, ``nama_ayah``) names no
field of the record's own person. A field spread over several columns (first, middle and last
name; street number, name and unit) is found by :func:`parts_proposals`. Only headers are read
here; what the values say is weighed in ``profile.values``.
"""

from __future__ import annotations

import re

from .proposal import ColumnProposal, SampledColumn

__all__ = ["OTHER_PARTY", "fold", "header_field", "names_an_id", "parts_proposals", "token_rule"]

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
OTHER_PARTY = {
    "ibu", "ayah", "bapak", "kepala", "krt", "kk_kepala", "spouse", "dependent", "employer", "guardian",
    "pendamping", "petugas", "wali", "ahli", "waris", "suami", "istri", "anak", "copy", "bank",
    "program", "sekolah", "jalan", "prov", "provinsi", "kab", "kec", "kel", "desa", "father",
    "mother", "parent", "child", "operator", "mati", "meninggal", "wafat", "daftar", "input",
    "update", "entri", "cetak", "terbit", "survei", "survey", "event", "tax", "kartu",
}  # fmt: skip
# Prefixes that name the person's own address (pseudopeople's tax forms).
_OWN_PREFIXES = ("mailing_address_", "residence_", "domisili_")
_ID_WORDS = {"id", "no", "nomor", "kode", "key", "kartu", "peserta", "registrasi", "record", "urut", "idx"}


def fold(header: str) -> str:
    """``tglLahir``, ``TGL_LAHIR`` and ``Tgl. Lahir`` -> ``tgl_lahir``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", header.strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def header_field(header: str) -> tuple[str, float, str] | None:
    """The field a header names, the confidence of the header alone and how it was found;
    None when the header names no field of the record's own person."""
    folded = fold(header)
    for prefix in _OWN_PREFIXES:
        if folded.startswith(prefix) and folded[len(prefix) :] in _PART_BY_NAME:
            folded = folded[len(prefix) :]
    canonical = _FIELD_BY_NAME.get(folded)
    if canonical is not None:
        return canonical, 0.9, f"header {header!r}"
    canonical = token_rule(folded)
    if canonical is None:
        return None
    return canonical, 0.8, f"header {header!r} (by its words)"


def token_rule(folded: str) -> str | None:
    """A field from the words of a header not in the lists (``nik_ibu`` is not the person's)."""
    words = set(folded.split("_"))
    if words & OTHER_PARTY or {"nik", "kk"} <= words:  # NIK_KK: the head's NIK or the KK number?
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


def names_an_id(header: str) -> bool:
    """Whether a header reads like a record id (``id``, ``no_urut``, ``kode_peserta``...)."""
    words = set(fold(header).split("_"))
    return bool(words & _ID_WORDS) or any(fold(header).startswith(w) for w in ("id", "no"))


def parts_proposals(columns: list[SampledColumn]) -> list[ColumnProposal]:
    """``nama`` from first/middle/last name columns, ``alamat`` from street number/name/unit."""
    found: dict[str, dict[str, str]] = {}
    for column in columns:
        folded = fold(column.name)
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
