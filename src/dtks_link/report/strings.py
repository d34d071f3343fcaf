"""Every word of the report in Bahasa Indonesia and English, and the locales' number formats.

:data:`STRINGS` maps a key to its text in each language (``{"id": ..., "en": ...}``); texts
may hold ``{placeholders}``, the same in both languages (a test checks both). Labels that
come from the model or the data (comparison levels, quality checks, quarantine reasons) are
translated by :func:`level_label`, :func:`quality_label` and :func:`quarantine_reason`, which
fall back to the English text for a label they do not know.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "LANGUAGES",
    "STRINGS",
    "comparison_label",
    "format_number",
    "format_percent",
    "level_label",
    "quality_label",
    "quarantine_reason",
    "text",
]

LANGUAGES: Final = ("id", "en")
"""Report languages: Bahasa Indonesia (the default) and English."""

_S = dict[str, dict[str, str]]

_PAGE: _S = {
    "title": {"id": "Laporan penautan data penduduk", "en": "Resident linkage report"},
    "subtitle": {
        "id": "dtks_link: satu identitas untuk setiap penduduk",
        "en": "dtks_link: one identity per resident",
    },
    "language": {"id": "Bahasa", "en": "Language"},
    "contents": {"id": "Isi", "en": "Contents"},
    "intro": {
        "id": "Laporan ini merangkum satu kali proses penautan: dari mana data berasal, seberapa baik "
        "kualitasnya, bagaimana model memutuskan bahwa dua catatan adalah orang yang sama, dan keputusan "
        "mana yang paling meragukan. Nomor NIK, KK, dan telepon tidak pernah ditampilkan; nomor catatan "
        "disamarkan.",
        "en": "This report sums up one linkage run: where the data came from, how good it is, how the "
        "model decides that two records are the same person, and which decisions are the least certain. "
        "NIK, KK and phone numbers never appear; record numbers are masked.",
    },
    "footer": {
        "id": "Dibuat oleh dtks_link {version} pada {generated}. File ini berdiri sendiri: grafiknya "
        "tampil tanpa internet.",
        "en": "Made by dtks_link {version} on {generated}. This file is self-contained: its charts show "
        "without internet.",
    },
    "no_script": {
        "id": "Grafik memerlukan JavaScript. Tabel tetap dapat dibaca.",
        "en": "Charts need JavaScript. The tables can still be read.",
    },
    "yes": {"id": "ya", "en": "yes"},
    "no": {"id": "tidak", "en": "no"},
    "total": {"id": "Jumlah", "en": "Total"},
    "show_table": {"id": "Tampilkan tabel", "en": "Show the table"},
}

_SECTIONS: _S = {
    "sec.summary": {"id": "Ringkasan proses", "en": "Run summary"},
    "sec.quality": {"id": "Profil kualitas data", "en": "Data-quality profile"},
    "sec.blocking": {"id": "Blocking: pasangan kandidat", "en": "Blocking: candidate pairs"},
    "sec.model": {"id": "Model: bobot kecocokan", "en": "Model: match weights"},
    "sec.weights": {"id": "Sebaran bobot kecocokan", "en": "Match-weight distribution"},
    "sec.accuracy": {"id": "Presisi dan recall", "en": "Precision and recall"},
    "sec.clusters": {"id": "Klaster penduduk", "en": "Resident clusters"},
    "sec.uncertain": {"id": "Pasangan paling meragukan", "en": "Most uncertain pairs"},
    "sec.registry": {
        "id": "Perubahan registri sejak proses sebelumnya",
        "en": "Registry changes since the last run",
    },
}

_SUMMARY: _S = {
    "summary.generated": {"id": "Dibuat", "en": "Generated"},
    "summary.version": {"id": "Versi dtks_link", "en": "dtks_link version"},
    "summary.engine": {"id": "Mesin", "en": "Engine"},
    "summary.duration": {"id": "Waktu total", "en": "Total time"},
    "summary.seconds": {"id": "{n} detik", "en": "{n} s"},
    "summary.sources": {"id": "Sumber data", "en": "Sources"},
    "summary.residents": {"id": "Penduduk (klaster)", "en": "Residents (clusters)"},
    "summary.records_linked": {"id": "Catatan yang ditautkan", "en": "Records linked"},
    "summary.scored_pairs": {
        "id": "Pasangan yang dinilai (≥ ambang pasangan)",
        "en": "Scored pairs (≥ pair threshold)",
    },
    "summary.largest_cluster": {"id": "Klaster terbesar (catatan)", "en": "Largest cluster (records)"},
    "summary.households": {"id": "Rumah tangga", "en": "Households"},
    "summary.match_threshold": {
        "id": "Ambang kecocokan (probabilitas)",
        "en": "Match threshold (probability)",
    },
    "summary.pair_threshold": {"id": "Ambang pasangan (probabilitas)", "en": "Pair threshold (probability)"},
    "summary.constraints": {"id": "Batasan klaster", "en": "Cluster constraints"},
    "summary.constraints_value": {
        "id": "{repaired} komponen diperbaiki, {refused} tautan ditolak",
        "en": "{repaired} component(s) repaired, {refused} link(s) refused",
    },
    "summary.model": {"id": "Model yang dipakai", "en": "Model used"},
    "summary.model_em": {
        "id": "dilatih pada data ini tanpa label (EM)",
        "en": "trained on this data without labels (EM)",
    },
    "summary.model_default": {
        "id": "model bawaan paket (parameter dari Depok sintetis; data terlalu sedikit untuk dilatih "
        "atau model = \"default\")",
        "en": "the package's default model (parameters from synthetic Depok; too little data to train, "
        "or model = \"default\")",
    },
    "summary.model_labels": {
        "id": "dilatih dari pasangan berlabel hasil tinjauan",
        "en": "trained from reviewed, labelled pairs",
    },
    "summary.prior": {
        "id": "Peluang awal dua catatan acak adalah orang yang sama",
        "en": "Prior probability that two random records are the same person",
    },
    "summary.comparisons": {"id": "Perbandingan", "en": "Comparisons"},
    "summary.blocking_rules": {"id": "Aturan blocking", "en": "Blocking rules"},
    "summary.training_log": {"id": "Catatan pelatihan", "en": "Training log"},
    "summary.timings": {"id": "Waktu per tahap", "en": "Time per stage"},
    "summary.quarantine": {"id": "Baris yang dikarantina", "en": "Quarantined rows"},
    "summary.no_quarantine": {
        "id": "Tidak ada baris yang dikarantina: setiap baris ikut ditautkan.",
        "en": "No row was quarantined: every row took part in the linkage.",
    },
    "col.source": {"id": "Sumber", "en": "Source"},
    "col.format": {"id": "Format", "en": "Format"},
    "col.duplicate_free": {"id": "Bebas duplikat", "en": "Duplicate-free"},
    "col.rows_read": {"id": "Baris dibaca", "en": "Rows read"},
    "col.accepted": {"id": "Diterima", "en": "Accepted"},
    "col.quarantined": {"id": "Dikarantina", "en": "Quarantined"},
    "col.reason": {"id": "Alasan", "en": "Reason"},
    "col.rows": {"id": "Baris", "en": "Rows"},
    "col.stage": {"id": "Tahap", "en": "Stage"},
    "col.seconds": {"id": "Detik", "en": "Seconds"},
    "col.rule": {"id": "Aturan", "en": "Rule"},
    "col.comparison": {"id": "Perbandingan", "en": "Comparison"},
    "col.level": {"id": "Tingkat", "en": "Level"},
    "col.weight": {"id": "Bobot", "en": "Weight"},
    "col.metric": {"id": "Ukuran", "en": "Measure"},
    "col.value": {"id": "Nilai", "en": "Value"},
    "col.resident": {"id": "ID penduduk", "en": "Resident id"},
    "col.records": {"id": "Catatan", "en": "Records"},
    "col.by_source": {"id": "Per sumber", "en": "By source"},
    "col.record_ids": {"id": "Nomor catatan (disamarkan)", "en": "Record ids (masked)"},
    "col.check": {"id": "Pemeriksaan", "en": "Check"},
    "col.flagged": {"id": "Ditandai", "en": "Flagged"},
    "col.rate": {"id": "Bagian", "en": "Share"},
    "col.count": {"id": "Jumlah", "en": "Count"},
}

_STAGES: _S = {
    "stage.read": {"id": "membaca sumber", "en": "read"},
    "stage.standardise": {"id": "standardisasi", "en": "standardise"},
    "stage.train": {"id": "melatih model", "en": "train"},
    "stage.predict": {"id": "menilai pasangan", "en": "predict"},
    "stage.cluster": {"id": "membentuk klaster", "en": "cluster"},
    "stage.diagnose": {"id": "diagnostik laporan", "en": "report diagnostics"},
    "stage.write": {"id": "menulis hasil", "en": "write"},
}

_REASONS: _S = {
    "reason.missing_id": {
        "id": "nomor catatan kosong di kolom {column}",
        "en": "missing record id in column {column}",
    },
    "reason.duplicate_id": {
        "id": "nomor catatan ganda di kolom {column}",
        "en": "duplicate record id in column {column}",
    },
    "reason.id_too_long": {
        "id": "nomor catatan di kolom {column} terlalu panjang",
        "en": "record id in column {column} too long",
    },
    "reason.id_nul": {
        "id": "nomor catatan di kolom {column} berisi karakter NUL",
        "en": "record id in column {column} holds a NUL character",
    },
    "reason.value_too_long": {
        "id": "nilai di kolom {column} terlalu panjang",
        "en": "value in column {column} too long",
    },
    "reason.value_nul": {
        "id": "nilai di kolom {column} berisi karakter NUL",
        "en": "value in column {column} holds a NUL character",
    },
    "reason.nothing_to_link": {
        "id": "tanpa nama, NIK, atau nomor KK: tidak ada yang bisa ditautkan",
        "en": "no name, NIK or KK number: nothing to link on",
    },
    "reason.malformed": {"id": "baris rusak: {detail}", "en": "malformed line: {detail}"},
}

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

_ACCURACY: _S = {
    "accuracy.expected": {
        "id": "Perkiraan model (tanpa data kebenaran)",
        "en": "Expected by the model (without truth)",
    },
    "accuracy.expected_intro": {
        "id": "Tanpa data kebenaran, model memperkirakan kualitasnya dari probabilitas kecocokannya "
        "sendiri: bila probabilitas itu terkalibrasi, pasangan yang diterima benar-benar cocok dengan "
        "peluang sebesar probabilitasnya. Pasangan di bawah ambang pasangan tidak disimpan, sehingga "
        "perkiraan recall sedikit terlalu tinggi.",
        "en": "Without truth, the model estimates its quality from its own match probabilities: if "
        "they are calibrated, an accepted pair is a true match with its probability. Pairs below the "
        "pair threshold are not kept, so the expected recall reads slightly high.",
    },
    "accuracy.measured": {"id": "Terukur terhadap data kebenaran", "en": "Measured against truth"},
    "accuracy.measured_intro": {
        "id": "Klaster dibandingkan dengan file kebenaran ({records} catatan memiliki kebenaran).",
        "en": "Clusters compared with the truth file ({records} records have truth).",
    },
    "accuracy.no_truth": {
        "id": "Tidak ada file kebenaran: hanya perkiraan yang ditampilkan. Berikan --truth untuk mengukur.",
        "en": "No truth file given: only the expected figures are shown. Pass --truth to measure.",
    },
    "accuracy.precision": {"id": "presisi", "en": "precision"},
    "accuracy.recall": {"id": "recall", "en": "recall"},
    "accuracy.f1": {"id": "F1", "en": "F1"},
    "accuracy.expected_true_pairs": {
        "id": "perkiraan pasangan yang benar-benar cocok",
        "en": "expected true matching pairs",
    },
    "accuracy.pairwise_precision": {"id": "presisi pasangan", "en": "pairwise precision"},
    "accuracy.pairwise_recall": {"id": "recall pasangan", "en": "pairwise recall"},
    "accuracy.pairwise_f1": {"id": "F1 pasangan", "en": "pairwise F1"},
    "accuracy.bcubed_f1": {"id": "F1 B-cubed", "en": "B-cubed F1"},
    "accuracy.exact_clusters": {"id": "klaster yang tepat sama", "en": "clusters exactly right"},
    "accuracy.true_pairs": {"id": "pasangan benar", "en": "true pairs"},
    "accuracy.predicted_pairs": {"id": "pasangan diprediksi", "en": "predicted pairs"},
    "accuracy.split": {"id": "penduduk yang terpecah", "en": "residents split"},
    "accuracy.merged": {"id": "klaster yang tergabung", "en": "clusters merged"},
    "accuracy.axis_threshold": {"id": "ambang probabilitas", "en": "probability threshold"},
    "accuracy.axis_value": {"id": "nilai", "en": "value"},
    "accuracy.chart_expected": {
        "id": "Perkiraan menurut ambang (per pasangan)",
        "en": "Expected, by threshold (pairwise)",
    },
    "accuracy.chart_measured": {
        "id": "Terukur menurut ambang (per pasangan, sebelum klaster)",
        "en": "Measured, by threshold (pairwise, before clustering)",
    },
}

_CLUSTERS: _S = {
    "clusters.intro": {
        "id": "Berapa catatan yang dimiliki setiap penduduk. Klaster yang sangat besar patut diperiksa: "
        "mungkin beberapa orang tergabung.",
        "en": "How many records each resident has. Very large clusters deserve a look: several people "
        "may have been joined.",
    },
    "clusters.axis_size": {"id": "catatan per penduduk", "en": "records per resident"},
    "clusters.axis_count": {"id": "penduduk", "en": "residents"},
    "clusters.largest": {"id": "Klaster terbesar", "en": "Largest clusters"},
}

_UNCERTAIN: _S = {
    "uncertain.intro": {
        "id": "Pasangan yang probabilitasnya paling dekat dengan ambang kecocokan: keputusan yang paling "
        "mudah berubah. Setiap grafik air terjun dimulai dari peluang awal; setiap perbandingan "
        "menambah atau mengurangi bobot sampai bobot akhir. Hanya tingkat dan bobot yang ditampilkan, "
        "tidak pernah nilai datanya.",
        "en": "The pairs whose probability is closest to the match threshold: the decisions most easily "
        "reversed. Each waterfall starts from the prior; each comparison adds or removes weight up to "
        "the final weight. Only levels and weights are shown, never the data values.",
    },
    "uncertain.pair": {"id": "Pasangan {n}", "en": "Pair {n}"},
    "uncertain.headline": {
        "id": "probabilitas {p}, bobot {w}: {decision}",
        "en": "probability {p}, weight {w}: {decision}",
    },
    "uncertain.found_by": {
        "id": "ditemukan oleh aturan blocking {rule}",
        "en": "found by blocking rule {rule}",
    },
    "uncertain.none": {"id": "Tidak ada pasangan yang dinilai.", "en": "No pair was scored."},
    "waterfall.prior": {"id": "peluang awal", "en": "prior"},
    "waterfall.final": {"id": "bobot akhir", "en": "final weight"},
    "waterfall.tf": {"id": "{comparison}: frekuensi nilai", "en": "{comparison}: value frequency"},
    "waterfall.axis": {"id": "bobot kecocokan kumulatif", "en": "cumulative match weight"},
    "waterfall.step": {"id": "langkah", "en": "step"},
    "waterfall.null": {"id": "tidak ada data (netral)", "en": "no data (neutral)"},
}

_REGISTRY: _S = {
    "registry.intro": {
        "id": "Perubahan identitas penduduk yang dicatat registri pada proses ini (run {run}).",
        "en": "Changes to resident identities that the registry recorded in this run (run {run}).",
    },
    "registry.first_build": {
        "id": "Ini pembangunan pertama registri: setiap penduduk mendapat ID baru.",
        "en": "This is the registry's first build: every resident got a new id.",
    },
    "registry.created": {"id": "ID penduduk baru", "en": "new resident ids"},
    "registry.merged": {"id": "penduduk digabung", "en": "residents merged"},
    "registry.split": {"id": "penduduk dipecah", "en": "residents split"},
    "registry.attached": {"id": "catatan bergabung ke penduduk", "en": "records attached to a resident"},
    "registry.detached": {"id": "catatan lepas dari penduduk", "en": "records detached from a resident"},
    "registry.merges": {
        "id": "Penggabungan (ID yang diserap → ID yang bertahan)",
        "en": "Merges (absorbed id → surviving id)",
    },
    "registry.splits": {
        "id": "Pemecahan (ID asal → ID bagian yang keluar)",
        "en": "Splits (original id → id of the part that left)",
    },
    "registry.more": {"id": "… dan {n} lainnya", "en": "… and {n} more"},
}

#: Comparison names (the model's output columns) and the English descriptions they carry.
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

STRINGS: Final[_S] = {
    **_PAGE,
    **_SECTIONS,
    **_SUMMARY,
    **_STAGES,
    **_REASONS,
    **_QUALITY,
    **_BLOCKING,
    **_MODEL,
    **_WEIGHTS,
    **_ACCURACY,
    **_CLUSTERS,
    **_UNCERTAIN,
    **_REGISTRY,
    **_COMPARISONS,
    **_LEVELS,
}
"""The report's string table: key -> {"id": text, "en": text}."""


def text(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return STRINGS[key][lang].format(**values)


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """A number with the locale's separators: ``1.234,5`` (id) or ``1,234.5`` (en)."""
    english = f"{value:,.{decimals}f}"
    if lang == "id":
        return english.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return english


def format_percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share as a percentage: ``12,5%`` (id) or ``12.5%`` (en)."""
    return format_number(100 * share, lang, decimals) + "%"


def _decimal(number: str, lang: str) -> str:
    return number.replace(".", ",") if lang == "id" else number


def comparison_label(name: str, lang: str, fallback: str | None = None) -> str:
    """A comparison's name (the model's output column, e.g. ``nama``) in ``lang``."""
    key = f"comparison.{name}"
    if key in STRINGS:
        return STRINGS[key][lang]
    from ..comparisons import COMPARISONS

    spec = COMPARISONS.get(name)
    if spec is not None:
        return spec.description
    return fallback if fallback and fallback != "CustomComparison" else name


_LEVEL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^Exact (?P<field>.+), another person \(name, birth date or sex disagree\)$"),
        "level.another_person",
    ),
    (re.compile(r"^Exact NIK shared by (?P<n>\d+)\+ names$"), "level.shared_nik"),
    (re.compile(r"^Key JW >= (?P<x>[\d.]+)$"), "level.key_jw"),
    (re.compile(r"^Street JW >= (?P<x>[\d.]+)$"), "level.street_jw"),
    (re.compile(r"^JW >= (?P<x>[\d.]+)$"), "level.jw"),
    (re.compile(r"^Age-based year within (?P<n>\d+)$"), "level.age_year_within"),
    (re.compile(r"^Year within (?P<n>\d+)$"), "level.year_within"),
)


def level_label(label: str, lang: str, *, comparison: str | None = None) -> str:
    """A comparison level's label (the English ``label_for_charts`` of the model) in ``lang``.

    A label this table does not know (a custom model) is shown as the model gives it."""
    key = f"level.{label}"
    if key in STRINGS:
        return STRINGS[key][lang]
    for pattern, template in _LEVEL_PATTERNS:
        match = pattern.match(label)
        if match:
            found = {k: _decimal(v, lang) for k, v in match.groupdict().items()}
            if "field" in found and comparison is not None and f"comparison.{comparison}" in STRINGS:
                found["field"] = text(f"comparison.{comparison}", lang)
            return text(template, lang, **found)
    if label.startswith("Exact ") and comparison is not None and f"comparison.{comparison}" in STRINGS:
        return text("level.exact_field", lang)
    return label


def quality_label(check: str, lang: str, fallback: str) -> str:
    """A data-quality check (its name in ``quality_profile``) in ``lang``."""
    key = f"check.{check}"
    return STRINGS[key][lang] if key in STRINGS else fallback


_REASON_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^missing record id in column (?P<column>.+)$"), "reason.missing_id"),
    (
        re.compile(r"^duplicate record id in column (?P<column>.+?) \(first seen at row \d+\)$"),
        "reason.duplicate_id",
    ),
    (re.compile(r"^record id in column (?P<column>.+) is longer than \d+ characters$"), "reason.id_too_long"),
    (re.compile(r"^record id in column (?P<column>.+) holds a NUL character$"), "reason.id_nul"),
    (re.compile(r"^value in column (?P<column>.+) is longer than \d+ characters$"), "reason.value_too_long"),
    (re.compile(r"^value in column (?P<column>.+) holds a NUL character$"), "reason.value_nul"),
    (re.compile(r"^no name, NIK or KK number: nothing to link on$"), "reason.nothing_to_link"),
    (re.compile(r"^malformed line: (?P<detail>.+)$"), "reason.malformed"),
)


def quarantine_reason(reason: str) -> tuple[str, dict[str, str]]:
    """The string key of a quarantine reason and the values it names (``column``, ``detail``).

    Reasons that differ only by a row number share a key. An unknown reason comes back as
    ``("", {"text": reason})``."""
    for pattern, key in _REASON_PATTERNS:
        match = pattern.match(reason)
        if match:
            return key, dict(match.groupdict())
    return "", {"text": reason}
