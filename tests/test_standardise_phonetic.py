"""The Indonesian phonetic key against jellyfish's soundex, metaphone and NYSIIS.

Each method turns a name into a key (jellyfish's per word, on the clean display name); a pair
of names is "matched" when the keys are equal. On true spelling variants of one name we count
recall; over all pairs, precision. The numbers are printed (``pytest -s``) and recorded in
``dtks_link.standardise.names.PHONETIC_COMPARISON``.
"""

from __future__ import annotations

from collections.abc import Callable

import jellyfish
import pytest

from dtks_link.standardise import name, name_key, name_phonetic
from dtks_link.standardise.names import PHONETIC_COMPARISON

VARIANTS = [
    ("Soekardjo", "Sukarjo"),
    ("Djoko Susilo", "Joko Susilo"),
    ("Tjahjo Kumolo", "Cahjo Kumolo"),
    ("Sjarifuddin", "Syarifudin"),
    ("Njoman Sudana", "Nyoman Sudana"),
    ("Achmad Fauzi", "Ahmad Fauzi"),
    ("Rachmat Hidayat", "Rahmat Hidayat"),
    ("Moehammad Joesoef", "Muhammad Yusuf"),
    ("Jusuf Kalla", "Yusuf Kalla"),
    ("Soeharto", "Suharto"),
    ("Abdullah", "Abdulah"),
    ("Fatimah", "Fatima"),
    ("Aisyah", "Aisah"),
    ("Zainal Abidin", "Zaenal Abidin"),
    ("Taufik Hidayat", "Taufiq Hidayat"),
    ("Fitri Handayani", "Pitri Handayani"),
    ("Novi Yanti", "Nopi Yanti"),
    ("Sugiyono", "Sugiono"),
    ("Mulyadi", "Muliadi"),
    ("Rudy Hartono", "Rudi Hartono"),
    ("Dewi Kurniawati", "Dewie Kurniawati"),
    ("Slamet Riyadi", "Selamet Riyadi"),
    ("Sri Mulyani", "Seri Mulyani"),
    ("Fadhil Akbar", "Fadil Akbar"),
    ("Ridho Rhoma", "Rido Rhoma"),
    ("Dzulkifli", "Zulkifli"),
    ("Utsman", "Usman"),
    ("Chairul Anwar", "Khairul Anwar"),
    ("Syaiful Bahri", "Saiful Bahri"),
    ("Yuliani", "Juliani"),
    ("Wahyudi", "Wahjudi"),
    ("Suwarno", "Suarno"),
    ("Nurhayati", "Nur Hayati"),
    ("Siti Nurjanah", "Siti Nurjannah"),
    ("Maulana Yusuf", "Molana Yusuf"),
    ("Taufik", "Topik"),
    ("Sholeh", "Soleh"),
    ("Ikhsan", "Ihsan"),
    ("Mochamad Rizki", "Muhammad Rizki"),
    ("Agoes Salim", "Agus Salim"),
    ("Bambang Soetrisno", "Bambang Sutrisno"),
    ("Koesnadi", "Kusnadi"),
    ("Imam Syafi'i", "Imam Syafii"),
    ("Nur Aini", "Nuraini"),
    ("Saepudin", "Saifudin"),
    ("Iis Nurhasanah", "Iis Nurhasana"),
    ("Rachmawati", "Rahmawati"),
    ("Muhamad Ichsan", "Muhammad Ihsan"),
    ("Tjetjep", "Cecep"),
    ("Oedjang", "Ujang"),
    ("Sutedja", "Suteja"),
    ("Hadijah", "Hadidjah"),
    ("Zulfikar", "Dzulfikar"),
    ("Fauziah", "Fauziyah"),
    ("Rizky Ramadhan", "Rizki Ramadan"),
    ("Sumarni", "Soemarni"),
    ("Yohanes", "Johanes"),
    ("Wijaya", "Widjaja"),
    ("Abdul Rachman", "Abd Rahman"),
    ("Qomariyah", "Komariah"),
    ("Syamsul Arifin", "Samsul Arifin"),
    ("Harjono", "Hardjono"),
    ("Sudirman", "Soedirman"),
    ("Supriyadi", "Supriadi"),
    ("Kartini", "Kartinie"),
    ("Dadang Sunandar", "Dadang Sunandar"),
    ("Ahmad Dhani", "Achmad Dani"),
    ("Mohamad Toha", "Muhammad Thoha"),
    ("Sitti Maryam", "Siti Mariam"),
    ("Jaenal", "Zaenal"),
    ("Eha Julaeha", "Eha Julaiha"),
    ("Ujang Sopian", "Ujang Sofyan"),
    ("Yayat Supriatna", "Yayat Supriyatna"),
    ("Ade Irawan", "Ade Iriawan"),
    ("Neneng Hasanah", "Neneng Hasanah"),
    ("Cucu Sumiati", "Tjutju Sumiati"),
    ("Entin Kartini", "Entin Kartinie"),
    ("Ruslan Efendi", "Ruslan Effendy"),
    ("Iwan Setiawan", "Iwan Setyawan"),
    ("Rohmat", "Rochmat"),
]

DIFFERENT = [
    ("Agus", "Agung"),
    ("Rina", "Rini"),
    ("Dedi", "Dodi"),
    ("Hendra", "Indra"),
    ("Ahmad", "Hamid"),
    ("Yanti", "Yani"),
    ("Budi", "Bambang"),
    ("Siti Aminah", "Siti Aisyah"),
    ("Joko", "Yoko"),
    ("Asep", "Asih"),
    ("Ujang", "Ucup"),
    ("Dewi", "Desi"),
    ("Sri", "Sari"),
    ("Nur", "Nuri"),
    ("Slamet", "Samsul"),
    ("Fitri", "Fitria"),
    ("Novi", "Nova"),
    ("Yusuf", "Yunus"),
    ("Sugiono", "Sugianto"),
    ("Mulyadi", "Mulyono"),
    ("Hartono", "Hartini"),
    ("Suparman", "Suparmin"),
    ("Kurniawan", "Kurniawati"),
    ("Rahmat", "Rahman"),
    ("Hidayat", "Hidayah"),
    ("Taufik", "Taufan"),
    ("Zainal", "Zaenab"),
    ("Fadil", "Fadli"),
    ("Ridho", "Ridwan"),
    ("Usman", "Umar"),
    ("Yuli", "Yuni"),
    ("Wahyu", "Wahyudi"),
    ("Dian", "Diana"),
    ("Eka", "Eko"),
    ("Dwi", "Tri"),
    ("Ani", "Ana"),
    ("Ina", "Ani"),
    ("Iwan", "Irwan"),
    ("Adi", "Edi"),
    ("Ade", "Ida"),
    ("Lia", "Lina"),
    ("Maya", "Mayang"),
    ("Rizki", "Rizal"),
    ("Bayu", "Bayi"),
    ("Siti Nurhayati", "Siti Nurhasanah"),
    ("Dedi Kurniawan", "Dedi Kusnadi"),
    ("Ahmad Fauzi", "Ahmad Fauzan"),
    ("Muhammad Rizki", "Muhammad Rizal"),
    ("Dewi Lestari", "Dewi Lestiani"),
    ("Agus Salim", "Agus Salam"),
    ("Tati", "Titi"),
    ("Eman", "Iman"),
    ("Oman", "Omen"),
    ("Tuti", "Tati"),
    ("Aan", "Ana"),
    ("Endang", "Entang"),
    ("Enung", "Euis"),
    ("Cecep", "Cepi"),
    ("Acep", "Asep"),
    ("Dadang", "Didin"),
    ("Herman", "Hermin"),
    ("Sutisna", "Sutrisna"),
    ("Rohman", "Rohmat"),
    ("Jajang", "Jaja"),
    ("Mamat", "Mamah"),
    ("Hasan", "Husen"),
    ("Saleh", "Salim"),
    ("Ismail", "Ismanto"),
    ("Ratna", "Ratih"),
    ("Wawan", "Wawang"),
    ("Ratu", "Ratih"),
    ("Rosita", "Rosida"),
    ("Sukardi", "Sukarjo"),
    ("Suhendar", "Suhendra"),
    ("Yayah", "Yaya"),
    ("Nining", "Nina"),
    ("Imas", "Ima"),
    ("Ujang Sopian", "Ujang Supian"),
    ("Ade Irma", "Ade Irawan"),
    ("Kartini", "Kartika"),
]


def _per_word(fn: Callable[[str], str]) -> Callable[[str], str | None]:
    def key(value: str) -> str | None:
        clean = name(value)
        return None if clean is None else " ".join(fn(w) for w in clean.split())

    return key


METHODS: dict[str, Callable[[str], str | None]] = {
    "dtks_link name_phonetic": name_phonetic,
    "dtks_link name_key": name_key,
    "jellyfish soundex": _per_word(jellyfish.soundex),
    "jellyfish metaphone": _per_word(jellyfish.metaphone),
    "jellyfish nysiis": _per_word(jellyfish.nysiis),
}


def measure(fn: Callable[[str], str | None]) -> tuple[float, float]:
    """(precision, recall) of "keys equal" over the variant and different pairs."""
    true_pos = sum(1 for a, b in VARIANTS if fn(a) is not None and fn(a) == fn(b))
    false_pos = sum(1 for a, b in DIFFERENT if fn(a) is not None and fn(a) == fn(b))
    matched = true_pos + false_pos
    precision = true_pos / matched if matched else 0.0
    return precision, true_pos / len(VARIANTS)


def test_pair_tables_are_sizeable() -> None:
    assert len(VARIANTS) >= 80 and len(DIFFERENT) >= 80


def test_phonetic_key_beats_english_algorithms() -> None:
    results = {label: measure(fn) for label, fn in METHODS.items()}
    for label, (precision, recall) in results.items():
        print(f"{label:26s} precision {precision:.2f}  recall {recall:.2f}")
    ours_p, ours_r = results["dtks_link name_phonetic"]
    for label in ("jellyfish soundex", "jellyfish metaphone", "jellyfish nysiis"):
        p, r = results[label]
        assert ours_r > r, label
        assert ours_p >= p - 0.05, label
    assert ours_r >= 0.85 and ours_p >= 0.9


@pytest.mark.parametrize("label", sorted(PHONETIC_COMPARISON))
def test_recorded_numbers_match(label: str) -> None:
    precision, recall = measure(METHODS[label])
    assert (round(precision, 2), round(recall, 2)) == PHONETIC_COMPARISON[label]
