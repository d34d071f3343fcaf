"""The report's diagnostic sections in Bahasa Indonesia and English: the data-quality
profile and its checks, blocking, the model's match weights and their distribution (see
``report.strings``).
"""

from __future__ import annotations

__all__ = ["DIAGNOSTICS_STRINGS"]

_S = dict[str, dict[str, str]]

_QUALITY: _S = {
    "quality.intro": {
        "id": "Bagian catatan setiap sumber yang memiliki masalah. Hanya pemeriksaan yang menandai sesuatu "
        "yang digambar; tabel lengkap ada di quality.parquet.",
        "en": "Share of each source's records with a problem. Only checks that flag something are drawn; "
        "the full table is in quality.parquet.",
    },
    "quality.axis": {"id": "bagian catatan", "en": "share of records"},
    "quality.records": {"id": "{source}: {n} catatan", "en": "{source}: {n} records"},
    "quality.none": {
        "id": "Tidak ada masalah yang ditandai di sumber ini.",
        "en": "No problem flagged in this source.",
    },
    "check.nik_invalid": {
        "id": "NIK tidak valid (apa pun masalahnya, atau kosong)",
        "en": "NIK not valid (any problem, or missing)",
    },
    "check.nik_missing": {"id": "NIK kosong", "en": "NIK missing"},
    "check.nik_excel_damaged": {
        "id": "NIK rusak oleh Excel (mis. 3,27601E+15)",
        "en": "NIK damaged by Excel (e.g. 3.27601E+15)",
    },
    "check.nik_masked": {"id": "NIK disamarkan (berisi *, x)", "en": "NIK masked (holds *, x)"},
    "check.nik_bad_length": {"id": "NIK tidak 16 digit", "en": "NIK not 16 digits"},
    "check.nik_not_digits": {"id": "NIK berisi selain angka", "en": "NIK holds non-digits"},
    "check.nik_unknown_region": {"id": "kode wilayah NIK tidak dikenal", "en": "NIK region code unknown"},
    "check.nik_bad_date": {"id": "tanggal di NIK tidak mungkin", "en": "NIK date part impossible"},
    "check.nik_zero_serial": {"id": "nomor urut NIK 0000", "en": "NIK serial 0000"},
    "check.nik_placeholder": {"id": "NIK pengisi (mis. 1111…)", "en": "placeholder NIK (e.g. 1111…)"},
    "check.nik_looks_like_kk": {"id": "NIK tampak seperti nomor KK", "en": "NIK looks like a KK number"},
    "check.nik_dob_mismatch": {
        "id": "tanggal di NIK berbeda dari tanggal lahir tercatat",
        "en": "NIK date part differs from the recorded birth date",
    },
    "check.nik_sex_mismatch": {
        "id": "jenis kelamin di NIK berbeda dari yang tercatat",
        "en": "NIK sex differs from the recorded sex",
    },
    "check.kk_invalid": {
        "id": "No. KK tidak valid (apa pun masalahnya, atau kosong)",
        "en": "No. KK not valid (any problem, or missing)",
    },
    "check.kk_missing": {"id": "No. KK kosong", "en": "No. KK missing"},
    "check.kk_excel_damaged": {"id": "No. KK rusak oleh Excel", "en": "No. KK damaged by Excel"},
    "check.kk_masked": {"id": "No. KK disamarkan", "en": "No. KK masked"},
    "check.kk_bad_length": {"id": "No. KK tidak 16 digit", "en": "No. KK not 16 digits"},
    "check.kk_not_digits": {"id": "No. KK berisi selain angka", "en": "No. KK holds non-digits"},
    "check.kk_unknown_region": {
        "id": "kode wilayah No. KK tidak dikenal",
        "en": "No. KK region code unknown",
    },
    "check.kk_bad_date": {"id": "tanggal di No. KK tidak mungkin", "en": "No. KK date part impossible"},
    "check.kk_zero_serial": {"id": "nomor urut No. KK 0000", "en": "No. KK serial 0000"},
    "check.kk_placeholder": {"id": "No. KK pengisi", "en": "placeholder No. KK"},
    "check.kk_looks_like_nik": {"id": "No. KK tampak seperti NIK", "en": "No. KK looks like a NIK"},
    "check.nama_missing": {"id": "tanpa nama yang dapat dipakai", "en": "no usable name"},
    "check.deceased_marker": {"id": "nama memuat Alm./Almh.", "en": "name carries Alm./Almh."},
    "check.birth_date_missing": {"id": "tanpa tanggal lahir", "en": "no birth date"},
    "check.birth_year_missing": {"id": "tanpa tanggal, tahun, atau umur", "en": "no birth date, year or age"},
    "check.birth_date_placeholder": {
        "id": "tanggal lahir pengisi (1 Jan, 1 Jul, 31 Des, tgl 15)",
        "en": "placeholder birth date (1 Jan, 1 Jul, 31 Dec, 15th)",
    },
    "check.sex_missing": {"id": "jenis kelamin tidak dikenali", "en": "no recognisable sex"},
    "check.kelurahan_missing": {"id": "kelurahan kosong", "en": "no kelurahan given"},
    "check.kelurahan_unknown": {
        "id": "kelurahan tidak ditemukan di gazetir Depok",
        "en": "kelurahan not found in the Depok gazetteer",
    },
    "check.rt_rw_missing": {"id": "RT atau RW kosong", "en": "RT or RW missing"},
    "check.tanggal_lahir_format_mismatch": {
        "id": "tanggal lahir tidak cocok dengan format yang ditetapkan",
        "en": "birth date fits none of the configured formats",
    },
}

_BLOCKING: _S = {
    "blocking.intro": {
        "id": "Aturan blocking memilih pasangan catatan yang layak dibandingkan. Setiap batang adalah "
        "pasangan baru dari aturan itu; pasangan yang sudah ditemukan aturan sebelumnya tidak dihitung "
        "lagi. Di kanan: berapa dari pasangan itu yang disimpan (probabilitas ≥ ambang pasangan).",
        "en": "Blocking rules choose the record pairs worth comparing. Each bar is the new pairs of that "
        "rule; pairs an earlier rule already found are not counted again. On the right: how many of "
        "them were kept (probability ≥ pair threshold).",
    },
    "blocking.compared": {"id": "pasangan dibandingkan", "en": "pairs compared"},
    "blocking.kept": {"id": "pasangan disimpan", "en": "pairs kept"},
    "blocking.total": {
        "id": "{n} perbandingan untuk {records} catatan ({per} per catatan).",
        "en": "{n} comparisons for {records} records ({per} per record).",
    },
    "blocking.estimated": {
        "id": "Jumlah perbandingan diperkirakan dari sampel {share} catatan di setiap sisi.",
        "en": "Comparison counts are estimated from a {share} sample of records on each side.",
    },
    "blocking.unavailable": {
        "id": "Jumlah pasangan per aturan tidak tersedia untuk proses ini.",
        "en": "Pair counts per rule are not available for this run.",
    },
}

_MODEL: _S = {
    "model.intro": {
        "id": "Bobot kecocokan (log₂ dari m/u) setiap tingkat perbandingan. Bobot positif adalah bukti "
        "bahwa dua catatan adalah orang yang sama, bobot negatif adalah bukti sebaliknya. Bobot akhir "
        "sebuah pasangan adalah peluang awal ditambah bobot setiap perbandingan.",
        "en": "Match weight (log₂ of m/u) of each comparison level. A positive weight is evidence that "
        "two records are the same person, a negative one is evidence against. A pair's final weight is "
        "the prior plus the weight of each comparison.",
    },
    "model.axis": {"id": "bobot kecocokan", "en": "match weight"},
    "model.prior": {"id": "peluang awal", "en": "prior"},
}

_WEIGHTS: _S = {
    "weights.intro": {
        "id": "Bobot kecocokan semua pasangan yang disimpan. Garis merah adalah ambang kecocokan: pasangan "
        "di kanannya digabung menjadi satu penduduk.",
        "en": "Match weights of every kept pair. The red line is the match threshold: pairs to its right "
        "are joined into one resident.",
    },
    "weights.axis_count": {"id": "pasangan", "en": "pairs"},
    "weights.threshold": {"id": "ambang {p}", "en": "threshold {p}"},
    "weights.above": {"id": "di atas ambang", "en": "above the threshold"},
    "weights.below": {"id": "di bawah ambang", "en": "below the threshold"},
    "weights.side": {"id": "keputusan", "en": "decision"},
    "weights.none": {"id": "Tidak ada pasangan yang disimpan.", "en": "No pair was kept."},
}


DIAGNOSTICS_STRINGS: _S = {
    **_QUALITY,
    **_BLOCKING,
    **_MODEL,
    **_WEIGHTS,
}
