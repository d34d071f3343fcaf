"""The Depok gazetteer: 11 kecamatan and 63 kelurahan of Kota Depok, plus neighbouring kecamatan.

Loaded from the package data files ``depok_wilayah.csv`` (Kemendagri codes, postcodes, BPS 2018
codes, spellings seen in sources) and ``kecamatan_sekitar_depok.csv`` (kecamatan of Jakarta,
Bogor, Bekasi and Tangerang with their 6-digit NIK prefixes).

Names are given in upper case (``PONDOK CINA``), which is the canonical spelling every
standardised column uses; codes are in Kemendagri dotted form (``32.76.06.1005``).

Matching (:func:`maps`) uses the place key of every spelling (:func:`place_key_expr`):
upper-case letters only, so ``Pondokcina`` and ``Pondok Cina`` share the key ``PONDOKCINA``.
Besides the gazetteer's alternate spellings, every name also gets the abbreviated forms of
its compass/suffix words (``BR`` for ``BARU``, ``TIM`` for ``TIMUR``, ``SEL`` for ``SELATAN``,
``UT`` for ``UTARA``) and the local abbreviations ``PGS`` (Pasir Gunung Selatan) and ``BPT``
(Bojong Pondok Terong).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..rules import Compiled, Expr, col, compile_py
from ._text import letters_only, norm_upper

__all__ = [
    "DEPOK_KABKOTA_CODE",
    "Kecamatan",
    "Kelurahan",
    "depok_kecamatan",
    "depok_kelurahan",
    "neighbour_kecamatan",
    "place_key_expr",
    "region_rules",
]

DEPOK_KABKOTA_CODE = "32.76"

MARKER_PREFIX = r"^((KELURAHAN|KEL|DESA|DS|KECAMATAN|KEC|KAB|KABUPATEN|KOTA)([ .:]+|$))+"
_WORD_ABBREVIATIONS = {"BARU": "BR", "TIMUR": "TIM", "SELATAN": "SEL", "UTARA": "UT", "BARAT": "BAR"}
_LOCAL_ABBREVIATIONS = {"PGS": "Pasir Gunung Selatan", "BPT": "Bojong Pondok Terong"}


@dataclass(frozen=True, kw_only=True)
class Kelurahan:
    """One Depok kelurahan as given in the gazetteer."""

    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str
    postcode: str
    spellings: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Kecamatan:
    """One kecamatan (Depok or neighbouring) with its kab/kota."""

    code: str
    name: str
    kabkota_code: str
    kabkota_name: str


def place_key_expr(x: Expr) -> Expr:
    """The matching key of a place name: upper-case letters only, without a leading
    ``Kel.``/``Kelurahan``/``Desa``/``Kec.``/``Kecamatan`` marker. NULL when no letter."""
    return letters_only(norm_upper(x).re_sub(MARKER_PREFIX, ""))


@cache
def _place_key_fn() -> Compiled:
    return compile_py(place_key_expr(col("v")))


def place_key(value: str) -> str | None:
    """Python form of :func:`place_key_expr` (used to build the lookup tables).

    >>> place_key("Kel. Pondok-Cina")
    'PONDOKCINA'
    """
    out = _place_key_fn()({"v": value})
    assert out is None or isinstance(out, str)
    return out


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("dtks_link.standardise").joinpath("data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def depok_kelurahan() -> tuple[Kelurahan, ...]:
    """The 63 kelurahan of Kota Depok, in code order."""
    out = []
    for row in _read("depok_wilayah.csv"):
        spellings = tuple(s.strip() for s in row["ejaan_lain"].split(";") if s.strip())
        out.append(
            Kelurahan(
                code=row["kode_kelurahan"],
                name=row["kelurahan"].upper(),
                kecamatan_code=row["kode_kecamatan"],
                kecamatan_name=row["kecamatan"].upper(),
                postcode=row["kode_pos"],
                spellings=spellings,
            )
        )
    return tuple(sorted(out, key=lambda k: k.code))


@cache
def depok_kecamatan() -> tuple[Kecamatan, ...]:
    """The 11 kecamatan of Kota Depok, in code order."""
    seen: dict[str, Kecamatan] = {}
    for kel in depok_kelurahan():
        seen.setdefault(
            kel.kecamatan_code,
            Kecamatan(
                code=kel.kecamatan_code,
                name=kel.kecamatan_name,
                kabkota_code=DEPOK_KABKOTA_CODE,
                kabkota_name="KOTA DEPOK",
            ),
        )
    return tuple(sorted(seen.values(), key=lambda k: k.code))


@cache
def neighbour_kecamatan() -> tuple[Kecamatan, ...]:
    """Kecamatan of the regions around Depok (Jakarta, Bogor, Bekasi, Tangerang)."""
    return tuple(
        Kecamatan(
            code=row["kode_kecamatan"],
            name=row["kecamatan"].upper(),
            kabkota_code=row["kode_kabkota"],
            kabkota_name=row["kabkota"].upper(),
        )
        for row in _read("kecamatan_sekitar_depok.csv")
    )


def _variants(name: str) -> set[str]:
    """A name, plus its forms with abbreviated compass/suffix words."""
    words = name.upper().split()
    out = {" ".join(words)}
    for i, word in enumerate(words):
        if word in _WORD_ABBREVIATIONS:
            for form in list(out):
                parts = form.split()
                if parts[i] == word:
                    parts[i] = _WORD_ABBREVIATIONS[word]
                    out.add(" ".join(parts))
    return out


@dataclass(frozen=True, kw_only=True)
class GazetteerMaps:
    """Constant lookup tables used by the address rules (built once from the CSVs)."""

    kel_by_key: dict[str, str]  # KEY -> kelurahan code, for keys naming one kelurahan only
    kel_by_key_kec: dict[str, str]  # "KEY|32.76.02" -> code, for keys naming several
    ambiguous_kel_names: dict[str, str]  # KEY -> name, for keys naming several (CURUG)
    kel_name_by_code: dict[str, str]
    kec_by_key: dict[str, str]  # Depok kecamatan KEY -> code
    depok_kec_name_by_code: dict[str, str]
    neighbour_kec_by_key: dict[str, str]  # KEY -> "31.74.09|JAGAKARSA" (code '' if ambiguous)
    fuzzy_kel: list[str]  # "32.76.06.1001:BEJI": each kelurahan once, its canonical key
    fuzzy_kel_by_kec: dict[str, list[str]]  # "32.76.06" -> its kelurahan's entries
    fuzzy_kec: list[str]  # "32.76.06:BEJI": each kecamatan once


@cache
def maps() -> GazetteerMaps:
    kels = depok_kelurahan()
    kel_keys: dict[str, set[str]] = {}
    for kel in kels:
        names = {kel.name, *kel.spellings}
        names |= {v for n in list(names) for v in _variants(n)}
        for n in sorted(names):  # sorted: the maps, and so the SQL, are the same in every process
            key = place_key(n)
            if key:
                kel_keys.setdefault(key, set()).add(kel.code)
    for abbrev, full in _LOCAL_ABBREVIATIONS.items():
        full_key = place_key(full)
        assert full_key is not None
        kel_keys.setdefault(abbrev, set()).update(kel_keys[full_key])
    name_by_code = {k.code: k.name for k in kels}
    ambiguous = {key: codes for key, codes in kel_keys.items() if len(codes) > 1}
    ambiguous_names = {}
    for key, codes in ambiguous.items():
        names = {name_by_code[c] for c in codes}
        assert len(names) == 1, f"key {key} names different kelurahan {names}"
        ambiguous_names[key] = names.pop()
    kec_by_key: dict[str, str] = {}
    for kec in depok_kecamatan():
        for n in sorted(_variants(kec.name) | {kec.name.replace(" ", "")}):
            key = place_key(n)
            if key:
                kec_by_key[key] = kec.code
    # Local short form of Pancoran Mas; BPS's "SUKMA JAYA" already shares Sukmajaya's key.
    kec_by_key.setdefault("PANMAS", "32.76.01")
    neighbours: dict[str, set[tuple[str, str]]] = {}
    for kec in neighbour_kecamatan():
        key = place_key(kec.name)
        if key:
            neighbours.setdefault(key, set()).add((kec.code, kec.name))
    neighbour_by_key = {}
    for key, found in neighbours.items():
        codes = {c for c, _ in found}
        names = {n for _, n in found}
        neighbour_by_key[key] = (next(iter(codes)) if len(codes) == 1 else "") + "|" + min(names)
    return GazetteerMaps(
        kel_by_key={key: next(iter(codes)) for key, codes in kel_keys.items() if len(codes) == 1},
        kel_by_key_kec={
            f"{key}|{code[:8]}": code for key, codes in ambiguous.items() for code in sorted(codes)
        },
        ambiguous_kel_names=ambiguous_names,
        kel_name_by_code=name_by_code,
        kec_by_key=kec_by_key,
        depok_kec_name_by_code={k.code: k.name for k in depok_kecamatan()},
        neighbour_kec_by_key=neighbour_by_key,
        fuzzy_kel=[f"{k.code}:{place_key(k.name)}" for k in kels],
        fuzzy_kel_by_kec={
            kec.code: [f"{k.code}:{place_key(k.name)}" for k in kels if k.kecamatan_code == kec.code]
            for kec in depok_kecamatan()
        },
        fuzzy_kec=[f"{k.code}:{place_key(k.name)}" for k in depok_kecamatan()],
    )


@dataclass(frozen=True, kw_only=True)
class RegionRules:
    """What a NIK/KK region prefix may look like (structural check; no full national table)."""

    provinces: frozenset[str]
    # For the regencies the package has a kecamatan table for: the highest kecamatan number.
    # Numbers from 01 up to it are accepted, so pre-split codes stay valid (a NIK never changes).
    max_kecamatan: dict[str, int]


# The 38 current provinces; codes of the 2022 Papua splits (93-96) and their parents
# (91, 92) are all accepted, as a NIK keeps the code it was first registered under.
_PROVINCES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "51",
    "52",
    "53",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "81",
    "82",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
]


@cache
def region_rules() -> RegionRules:
    max_kec: dict[str, int] = {"3276": len(depok_kecamatan())}
    for kec in neighbour_kecamatan():
        regency = kec.code[:5].replace(".", "")
        number = int(kec.code[6:8])
        max_kec[regency] = max(max_kec.get(regency, 0), number)
    # DKI Jakarta has one kabupaten (Kepulauan Seribu, 2 kecamatan) besides the five kota.
    max_kec.setdefault("3101", 2)
    return RegionRules(provinces=frozenset(_PROVINCES), max_kecamatan=max_kec)
