"""The report's outcome sections in Bahasa Indonesia and English: precision and recall,
resident clusters, the most uncertain pairs and the registry's changes (see ``report.strings``).
"""

from __future__ import annotations

__all__ = ["OUTCOMES_STRINGS"]

_S = dict[str, dict[str, str]]

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

OUTCOMES_STRINGS: _S = {
    **_ACCURACY,
    **_CLUSTERS,
    **_UNCERTAIN,
    **_REGISTRY,
}
