"""Where synthetic residents live and where their NIKs were first registered.

Reads the two gazetteer CSVs shipped with :mod:`dtks_link.standardise` (the 63 kelurahan of
Kota Depok and the kecamatan of its neighbours) and adds a short hand-made list of more
distant origin regions (West/Central/East Java, Yogyakarta, Sumatra, eastern Indonesia) so
that migrant NIKs carry real Kemendagri kab/kota prefixes.

Region groups are weighted per ethnic background: Batak households mostly come from North
Sumatra, Betawi households from Jakarta and its fringe, and so on.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEPOK_PREFIX",
    "OLD_KECAMATAN",
    "ORIGIN_GROUP_NAMES",
    "OriginGroup",
    "Wilayah",
    "load_wilayah",
    "origin_groups",
]

DEPOK_PREFIX = 3276
"""Kemendagri code of Kota Depok (32 Jawa Barat, 76 Kota Depok)."""

OLD_KECAMATAN: dict[int, int] = {7: 1, 8: 5, 9: 4, 10: 2, 11: 3}
"""Kecamatan created by the 2007 split (Perda 8/2007) -> the kecamatan they were cut from.

Cipayung 07 from Pancoran Mas 01, Cilodong 08 from Sukmajaya 05, Cinere 09 from Limo 04,
Tapos 10 from Cimanggis 02, Bojongsari 11 from Sawangan 03 (domain.md §1.2)."""


@dataclass(frozen=True, kw_only=True)
class Wilayah:
    """The 63 kelurahan of Kota Depok, as parallel arrays indexed by kelurahan number."""

    kecamatan_code: npt.NDArray[np.int64]  # 1..11, Kemendagri
    kecamatan: tuple[str, ...]  # upper-case kecamatan name per kelurahan
    kelurahan: tuple[str, ...]  # upper-case kelurahan name
    kelurahan_variant: tuple[str, ...]  # an alternative spelling seen in sources, or the name
    kode_pos: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.kelurahan)


@dataclass(frozen=True, kw_only=True)
class OriginGroup:
    """A group of kab/kota a migrant family may come from (e.g. "Jakarta")."""

    name: str
    nik_prefixes: npt.NDArray[np.int64]  # 6-digit PPKKCC prefixes that may be drawn
    birthplaces: tuple[str, ...]  # tempat lahir per prefix (upper case)


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("dtks_link.standardise") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@cache
def load_wilayah() -> Wilayah:
    """Load ``depok_wilayah.csv`` (cached)."""
    rows = _read_csv("depok_wilayah.csv")
    variants = []
    for row in rows:
        alternatives = [a for a in row["ejaan_lain"].split(";") if a.strip()]
        variants.append((alternatives[0] if alternatives else row["kelurahan"]).upper())
    return Wilayah(
        kecamatan_code=np.array([int(r["kode_kecamatan"].split(".")[2]) for r in rows]),
        kecamatan=tuple(r["kecamatan"].upper() for r in rows),
        kelurahan=tuple(r["kelurahan"].upper() for r in rows),
        kelurahan_variant=tuple(variants),
        kode_pos=tuple(r["kode_pos"] for r in rows),
    )


def _load_origins() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("origins.toml").read_text(encoding="utf-8"))


_ORIGINS = _load_origins()
# Neighbouring kab/kota: (code, tempat lahir); distant ones: (code, tempat lahir, kecamatan
# codes usable 1..n). See origins.toml.
_NEIGHBOUR_GROUPS: dict[str, list[list[str]]] = _ORIGINS["neighbours"]
_DISTANT: dict[str, list[list[Any]]] = _ORIGINS["distant"]

ORIGIN_GROUP_NAMES: tuple[str, ...] = (*_NEIGHBOUR_GROUPS, *_DISTANT)


@cache
def origin_groups() -> tuple[OriginGroup, ...]:
    """All origin groups, in the order of :data:`ORIGIN_GROUP_NAMES` (cached)."""
    rows = _read_csv("kecamatan_sekitar_depok.csv")
    groups: list[OriginGroup] = []
    for name, kabkota in _NEIGHBOUR_GROUPS.items():
        prefixes: list[int] = []
        places: list[str] = []
        for code, place in kabkota:
            for row in rows:
                if row["kode_kabkota"] == code:
                    prefixes.append(int(row["nik_prefix"]))
                    places.append(place)
        groups.append(OriginGroup(name=name, nik_prefixes=np.array(prefixes), birthplaces=tuple(places)))
    for name, entries in _DISTANT.items():
        prefixes = []
        places = []
        for code, place, n_kecamatan in entries:
            base = int(code.replace(".", "")) * 100
            for kecamatan in range(1, n_kecamatan + 1):
                prefixes.append(base + kecamatan)
                places.append(place)
        groups.append(OriginGroup(name=name, nik_prefixes=np.array(prefixes), birthplaces=tuple(places)))
    return tuple(groups)
