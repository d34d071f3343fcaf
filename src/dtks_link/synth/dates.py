"""Birth dates and ages as departmental records hold them: day/month swaps, year typos and
placeholder dates, ages heaped on round numbers, and the four ways a date is written."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dtks_link.synth.codes import I64, REFERENCE_DATE, D, age_at, dates_of, year_month_day
from dtks_link.synth.error_model import ErrorLog, ErrorRates
from dtks_link.synth.population import Population

__all__ = ["MONTHS_ID", "ages", "birth_dates", "format_dates"]


MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def birth_dates(
    pop: Population,
    person: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
) -> D:
    """Recorded birth date with day/month swaps, year typos and placeholder dates."""
    n = person.size
    y, m, d = year_month_day(pop.dob[person])
    swap = (d <= 12) & (d != m) & (rng.random(n) < rates.dob_day_month_swap)
    m, d = np.where(swap, d, m), np.where(swap, m, d)
    log.add("dob_day_month_swap", swap)
    year_typo = rng.random(n) < rates.dob_year_typo
    tens, ones = (y // 10) % 10, y % 10
    swapped_year = y - tens * 10 - ones + ones * 10 + tens
    use_swap = (
        (rng.random(n) < 0.5) & (tens != ones) & (swapped_year < 2025) & (np.abs(swapped_year - y) < 60)
    )
    shifted = y + np.where(rng.random(n) < 0.5, -1, 1)
    y = np.where(year_typo, np.where(use_swap, swapped_year, shifted), y)
    log.add("dob_year_typo", year_typo)
    kind = rng.random(n)
    placeholder_m = np.select([kind < 0.5, kind < 0.8], [7, 12], 1)
    placeholder_d = np.select([kind < 0.5, kind < 0.8], [1, 31], 1)
    placeholder = (rng.random(n) < rates.dob_placeholder) & ((placeholder_m != m) | (placeholder_d != d))
    m = np.where(placeholder, placeholder_m, m)
    d = np.where(placeholder, placeholder_d, d)
    log.add("dob_placeholder", placeholder)
    out = dates_of(y, m, d)
    return np.minimum(out, REFERENCE_DATE - np.timedelta64(1, "D"))


def format_dates(dates: D, style: str) -> pa.Array:
    """Format dates: ``"dd-mm-yyyy"``, ``"dd/mm/yyyy"``, ``"iso"`` or ``"indonesian"``.

    Only the distinct dates are formatted (a city has tens of thousands of birth dates, not
    millions), then spread back to the records.
    """
    unique, inverse = np.unique(dates.astype("datetime64[D]"), return_inverse=True)
    arr = pa.array(unique, pa.date32())
    if style == "dd-mm-yyyy":
        text = pc.strftime(arr, format="%d-%m-%Y")
    elif style == "dd/mm/yyyy":
        text = pc.strftime(arr, format="%d/%m/%Y")
    elif style == "iso":
        text = pc.strftime(arr, format="%Y-%m-%d")
    elif style == "indonesian":
        y, m, d = year_month_day(unique)
        months = pa.array(MONTHS_ID).take(pa.array(m - 1))
        text = pc.binary_join_element_wise(
            pc.cast(pa.array(d), pa.string()), months, pc.cast(pa.array(y), pa.string()), " "
        )
    else:
        raise ValueError(f"unknown date style {style!r}")
    return text.take(pa.array(inverse.reshape(-1)))


def ages(
    pop: Population,
    person: I64,
    rates: ErrorRates,
    rng: np.random.Generator,
    log: ErrorLog,
) -> I64:
    """Age in whole years; misstated ages are heaped on multiples of 5 or off by 1-3."""
    n = person.size
    age = age_at(pop.dob[person], REFERENCE_DATE)
    wrong = rng.random(n) < rates.age_misstated
    heaped = np.round(age / 5).astype(np.int64) * 5
    off = age + rng.choice(np.array([-3, -2, -1, 1, 2, 3]), n)
    use_heap = (age >= 30) & (heaped != age) & (rng.random(n) < 0.6)
    new = np.maximum(np.where(use_heap, heaped, off), 0)
    wrong &= new != age
    log.add("age_misstated", wrong)
    return np.where(wrong, new, age)
