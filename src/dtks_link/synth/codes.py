"""Codes and date arithmetic shared by the synthetic population and the extracts: the reference
date, family roles (SHDK), why a KK number changed, sex codes, and whole-array date helpers."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FEMALE",
    "KK_EVENT_NAMES",
    "KK_MOVED",
    "KK_REISSUED",
    "KK_SPLIT",
    "KK_WIDOWED",
    "LISTED_CUCU",
    "LISTED_MENANTU",
    "LISTED_SUAMI",
    "MALE",
    "REFERENCE_DATE",
    "RELATIONSHIPS",
    "ROLE_CHILD",
    "ROLE_HEAD",
    "ROLE_IN_LAW",
    "ROLE_OTHER",
    "ROLE_PARENT",
    "ROLE_SPOUSE",
    "age_at",
    "dates_of",
    "year_month_day",
]

I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
D = npt.NDArray[np.datetime64]

REFERENCE_DATE: Final = np.datetime64("2025-07-01", "D")
"""The date the extracts describe: ages and 'the last two years' are counted from here."""

RELATIONSHIPS: tuple[str, ...] = (
    "KEPALA KELUARGA",
    "ISTRI",
    "ANAK",
    "ORANG TUA",
    "MERTUA",
    "FAMILI LAIN",
    "SUAMI",
    "MENANTU",
    "CUCU",
)
"""Hubungan keluarga (SHDK) by role code (0-5 the roles of :attr:`Population.role`; 6-8
appear only on records: a male spouse, and the roles a split-off family had on its parents'
KK)."""

ROLE_HEAD, ROLE_SPOUSE, ROLE_CHILD, ROLE_PARENT, ROLE_IN_LAW, ROLE_OTHER = range(6)
LISTED_SUAMI, LISTED_MENANTU, LISTED_CUCU = 6, 7, 8

KK_REISSUED, KK_SPLIT, KK_MOVED, KK_WIDOWED = range(4)
"""Why a family's KK number changed (:attr:`Population.kk_event`): reissued without a modelled
cause; pecah KK (the head or spouse left a parent family's KK when they married); a move to
another kelurahan; the head's death (the widow or widower became head of a new KK)."""

KK_EVENT_NAMES: tuple[str, ...] = ("reissued", "pecah_kk", "moved", "widowed")
MALE, FEMALE = 1, 2


def age_at(dob: D, at: np.datetime64) -> I64:
    """Age in whole years on ``at`` of people born on ``dob``."""
    y, m, d = year_month_day(dob)
    ay, am, ad = year_month_day(np.array([at], dtype="datetime64[D]"))
    before = (m > am[0]) | ((m == am[0]) & (d > ad[0]))
    years: I64 = (ay[0] - y - before.astype(np.int64)).astype(np.int64)
    return years


def year_month_day(dates: D) -> tuple[I64, I64, I64]:
    """Split datetime64[D] into year, month, day arrays."""
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    d = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def dates_of(y: I64, m: I64, d: I64) -> D:
    """Build datetime64[D] from year/month/day arrays; days past month end are clipped."""
    first = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (m - 1)
    next_first = first + 1
    last_day = (next_first.astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    out: D = first.astype("datetime64[D]") + (np.minimum(d, last_day) - 1)
    return out
