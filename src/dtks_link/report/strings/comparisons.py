"""The model's comparisons and their levels in Bahasa Indonesia and English: the names
(``comparison.<name>``) and the level labels (``level.<label>``; labels with a number are matched
by the patterns in ``report.strings.labels``).
"""

from __future__ import annotations

__all__ = ["COMPARISON_STRINGS"]

_S = dict[str, dict[str, str]]

_COMPARISONS: _S = {
    "comparison.nik": {"id": "NIK", "en": "NIK"},
    "comparison.nama": {"id": "Nama", "en": "Name"},
    "comparison.tanggal_lahir": {"id": "Tanggal lahir", "en": "Birth date"},
    "comparison.sex": {"id": "Jenis kelamin", "en": "Sex"},
    "comparison.alamat": {
        "id": "Tempat tinggal (KK, wilayah, jalan, kode pos)",
        "en": "Residence (KK, area, street, postcode)",
    },
    "comparison.street": {"id": "Alamat jalan", "en": "Street address"},
    "comparison.no_kk": {"id": "Nomor KK", "en": "KK number"},
    "comparison.nama_ibu_key": {"id": "Nama ibu kandung", "en": "Mother's name"},
    "comparison.tempat_lahir": {"id": "Tempat lahir", "en": "Place of birth"},
    "comparison.telepon": {"id": "Telepon", "en": "Phone"},
    "comparison.id_lain": {"id": "Identitas lain", "en": "Other identifier"},
    "comparison.kode_pos": {"id": "Kode pos", "en": "Postcode"},
}

#: Comparison levels, by the English label the model gives them.
_LEVELS: _S = {
    "level.Null": {"id": "tidak ada data", "en": "no data"},
    "level.All other comparisons": {"id": "lainnya (tidak cocok)", "en": "all other comparisons"},
    "level.Exact NIK": {"id": "sama persis", "en": "exact"},
    "level.One typo or transposition": {
        "id": "satu salah ketik atau dua digit tertukar",
        "en": "one typo or transposition",
    },
    "level.Two typos": {"id": "dua salah ketik", "en": "two typos"},
    "level.Same region and birth, other serial": {
        "id": "wilayah dan tanggal lahir sama, nomor urut lain",
        "en": "same region and birth, other serial",
    },
    "level.Excel-damaged, surviving digits agree": {
        "id": "rusak oleh Excel, digit yang tersisa sama",
        "en": "Excel-damaged, surviving digits agree",
    },
    "level.Equal name key, other father (bin/binti)": {
        "id": "kunci nama sama, ayah berbeda (bin/binti)",
        "en": "equal name key, other father (bin/binti)",
    },
    "level.Exact name": {"id": "nama sama persis", "en": "exact name"},
    "level.Equal name key": {"id": "kunci nama sama", "en": "equal name key"},
    "level.Token subset": {"id": "kata-kata nama yang satu termuat di yang lain", "en": "token subset"},
    "level.First token and initial": {
        "id": "kata pertama dan inisial sama",
        "en": "first token and initial",
    },
    "level.Exact date": {"id": "tanggal sama persis", "en": "exact date"},
    "level.Exact placeholder date": {"id": "tanggal pengisi sama", "en": "exact placeholder date"},
    "level.Day and month swapped": {"id": "hari dan bulan tertukar", "en": "day and month swapped"},
    "level.One component different": {"id": "satu unsur tanggal berbeda", "en": "one component different"},
    "level.Same kelurahan, RT, RW": {"id": "kelurahan, RT, dan RW sama", "en": "same kelurahan, RT, RW"},
    "level.Same kelurahan, RW": {"id": "kelurahan dan RW sama", "en": "same kelurahan, RW"},
    "level.Same kelurahan": {"id": "kelurahan sama", "en": "same kelurahan"},
    "level.Same kecamatan": {"id": "kecamatan sama", "en": "same kecamatan"},
    "level.Same street and house number": {
        "id": "jalan dan nomor rumah sama",
        "en": "same street and house number",
    },
    "level.Same street": {"id": "jalan sama", "en": "same street"},
    "level.Same KK and address": {"id": "No. KK dan alamat sama", "en": "same KK and address"},
    "level.Same KK": {"id": "No. KK sama", "en": "same KK"},
    "level.Same postcode": {"id": "kode pos sama", "en": "same postcode"},
    "level.Other NIK, one invalid or contradicting its record": {
        "id": "NIK lain, salah satunya tidak sah atau bertentangan dengan catatannya",
        "en": "other NIK, one invalid or contradicting its record",
    },
    "level.Other given name, same family name": {
        "id": "nama depan lain, nama keluarga sama",
        "en": "other given name, same family name",
    },
    "level.Other first name, same middle initial and family name": {
        "id": "nama depan lain, inisial nama tengah dan nama keluarga sama",
        "en": "other first name, same middle initial and family name",
    },
    "level.First and last words swapped": {
        "id": "kata pertama dan terakhir tertukar",
        "en": "first and last words swapped",
    },
    "level.One household, another given name of one family": {
        "id": "satu rumah tangga, nama depan lain dari satu keluarga",
        "en": "one household, another given name of one family",
    },
    "level.Date read from the NIK both records share": {
        "id": "tanggal dibaca dari NIK yang sama pada kedua catatan",
        "en": "date read from the NIK both records share",
    },
    "level.Age-based year, further apart": {
        "id": "tahun dari umur, selisih lebih jauh",
        "en": "age-based birth year, further apart",
    },
    "level.Other date, one read from the NIK": {
        "id": "tanggal lain, salah satunya dibaca dari NIK",
        "en": "other date, one read from the NIK",
    },
    "level.Other sex, one read from the NIK": {
        "id": "jenis kelamin lain, salah satunya dibaca dari NIK",
        "en": "other sex, one read from the NIK",
    },
    "level.another_person": {
        "id": "{field} sama, tetapi orang lain (nama, tanggal lahir, atau jenis kelamin berbeda)",
        "en": "exact {field}, another person (name, birth date or sex disagree)",
    },
    # templates for labels with a number or a field in them (see level_label)
    "level.exact_field": {"id": "sama persis", "en": "exact"},
    "level.shared_nik": {"id": "NIK sama, dipakai {n}+ nama", "en": "exact NIK shared by {n}+ names"},
    "level.jw": {"id": "kemiripan Jaro-Winkler ≥ {x}", "en": "Jaro-Winkler ≥ {x}"},
    "level.key_jw": {"id": "kemiripan kunci nama ≥ {x}", "en": "name key Jaro-Winkler ≥ {x}"},
    "level.street_jw": {"id": "kemiripan nama jalan ≥ {x}", "en": "street Jaro-Winkler ≥ {x}"},
    "level.year_within": {"id": "tahun lahir selisih ≤ {n}", "en": "birth year within {n}"},
    "level.age_year_within": {
        "id": "tahun dari umur, selisih ≤ {n}",
        "en": "age-based birth year within {n}",
    },
}


COMPARISON_STRINGS: _S = {
    **_COMPARISONS,
    **_LEVELS,
}
