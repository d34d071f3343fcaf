"""The report's frame and run summary in Bahasa Indonesia and English: page furniture,
section titles, the summary table, stage names and quarantine reasons (see ``report.strings``).
"""

from __future__ import annotations

__all__ = ["SUMMARY_STRINGS"]

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
        'atau model = "default")',
        "en": "the package's default model (parameters from synthetic Depok; too little data to train, "
        'or model = "default")',
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


SUMMARY_STRINGS: _S = {
    **_PAGE,
    **_SECTIONS,
    **_SUMMARY,
    **_STAGES,
    **_REASONS,
}
