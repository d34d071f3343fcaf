"""Clerical review: send the uncertain band of pairs to people, read their decisions back.

1. :func:`review_queue` puts the pairs between two probabilities side by side with the fields a
   reviewer needs (NIK and KK masked, with an "equal" flag instead of the raw numbers);
2. :func:`export_review` writes it as CSV or Excel, with spreadsheet formulas neutralised;
3. reviewers fill the ``is_match`` column (``1``/``0``, ``y``/``n``, ``ya``/``tidak``);
4. :func:`import_review` reads the decisions back as labels, which feed
   ``dtks_link.link(..., labels=...)`` (m probabilities from labels) and the evaluation
   (:func:`labels_for_pairs`).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from ._files import open_private
from .errors import SourceError, mask_identifier

__all__ = ["export_review", "import_review", "labels_for_pairs", "review_queue"]

_KEYS = ["source_l", "record_id_l", "source_r", "record_id_r"]
_SHOWN = [
    "nama_clean",
    "birth_date",
    "birth_year",
    "sex",
    "kelurahan",
    "rt",
    "rw",
    "street",
    "nama_ibu_key",
    "tempat_lahir",
]
_MASKED = ["nik", "no_kk"]
_TRUE = {"1", "y", "yes", "ya", "true", "t", "match", "sama"}
_FALSE = {"0", "n", "no", "tidak", "false", "f", "non-match", "beda"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Characters an .xlsx file cannot hold (XML 1.0 forbids them); openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def review_queue(
    pairs: pd.DataFrame,
    records: pd.DataFrame,
    *,
    lower: float = 0.2,
    upper: float = 0.95,
    limit: int | None = 500,
) -> pd.DataFrame:
    """Pairs with ``lower <= match_probability < upper``, most uncertain first, fields side by side.

    ``records`` are the standardised records (``LinkResult.records`` with ``keep_records=True``).
    """
    band = pairs[(pairs["match_probability"] >= lower) & (pairs["match_probability"] < upper)].copy()
    band["uncertainty"] = (band["match_probability"] - 0.5).abs()
    band = band.sort_values(["uncertainty", *_KEYS]).drop(columns="uncertainty")
    if limit is not None:
        band = band.head(limit)
    shown = [c for c in _SHOWN + _MASKED if c in records.columns]
    side = records[["source", "record_id", *shown]]
    out = band[[*_KEYS, "match_probability", "match_weight"]]
    for suffix in ("l", "r"):
        renamed = side.rename(columns={c: f"{c}_{suffix}" for c in side.columns})
        out = out.merge(renamed, on=[f"source_{suffix}", f"record_id_{suffix}"], how="left")
    for column in _MASKED:
        if f"{column}_l" in out.columns:
            left, right = out[f"{column}_l"], out[f"{column}_r"]
            out[f"{column}_equal"] = (left == right).where(left.notna() & right.notna())
            out[f"{column}_l"] = left.map(lambda v: None if pd.isna(v) else mask_identifier(v))
            out[f"{column}_r"] = right.map(lambda v: None if pd.isna(v) else mask_identifier(v))
    out["is_match"] = ""
    out["note"] = ""
    return out.reset_index(drop=True)


def _neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (also when
    spaces come before the formula sign, which some spreadsheets skip)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` where no text cell or column name starts like a spreadsheet formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_neutralise)
    out.columns = [str(_neutralise(str(c))) for c in out.columns]
    return out


def export_review(queue: pd.DataFrame, path: str | Path) -> Path:
    """Write the review queue as ``.csv`` or ``.xlsx``, formulas neutralised.

    An .xlsx cannot hold control characters: they are written as U+FFFD. The file holds
    personal data (names, dates, addresses side by side) and is created ``0600``.
    """
    target = Path(path)
    safe = neutralise_formulas(queue)
    if target.suffix.lower() in (".xlsx", ".xlsm"):
        for column in safe.columns:
            safe[column] = safe[column].map(
                lambda v: _XML_ILLEGAL.sub("\ufffd", v) if isinstance(v, str) else v
            )
        safe.columns = [_XML_ILLEGAL.sub("\ufffd", str(c)) for c in safe.columns]
        with open_private(target, "wb") as handle:
            safe.to_excel(handle, index=False)
    else:
        # every field quoted: pandas leaves a bare CR unquoted, which spreadsheets read as a
        # new row whose first cell could then start with "="
        with open_private(target, "w", encoding="utf-8", newline="") as handle:
            safe.to_csv(handle, index=False, quoting=csv.QUOTE_ALL)
    return target


def import_review(path: str | Path) -> pd.DataFrame:
    """Read reviewed decisions: ``source_l, record_id_l, source_r, record_id_r, is_match``.

    Rows whose ``is_match`` is empty are skipped (not yet reviewed); any other value that is not
    a recognised yes/no raises :class:`~dtks_link.errors.SourceError` naming the row.
    """
    source = Path(path)
    try:
        if source.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(source, dtype=str)
        else:
            frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas and openpyxl raise many types for broken files
        detail = str(exc).strip().split("\n", 1)[0][:300]
        raise SourceError(
            f"cannot read the review file: {exc.__class__.__name__}: {detail}", source=str(source)
        ) from None
    missing = [c for c in [*_KEYS, "is_match"] if c not in frame.columns]
    if missing:
        raise SourceError(f"review file lacks column(s) {missing}", source=str(source))
    frame = frame.fillna("")
    decisions: list[bool | None] = []
    for row_number, raw in enumerate(frame["is_match"].astype(str).str.strip().str.lower(), start=1):
        if raw == "":
            decisions.append(None)
        elif raw in _TRUE:
            decisions.append(True)
        elif raw in _FALSE:
            decisions.append(False)
        else:
            raise SourceError(
                f"is_match must be yes/no (1/0, y/n, ya/tidak), got {raw!r}",
                source=str(source),
                column="is_match",
                row=row_number,
            )
    frame["is_match"] = decisions
    labels = frame[frame["is_match"].notna()][[*_KEYS, "is_match"]].copy()
    for column in _KEYS:
        labels[column] = labels[column].str.lstrip("'")
    labels["is_match"] = labels["is_match"].astype(bool)
    return labels.reset_index(drop=True)


def labels_for_pairs(pairs: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The scored pairs that were reviewed, with their ``is_match`` decision (either orientation)."""
    flipped = labels.rename(
        columns={
            "source_l": "source_r",
            "record_id_l": "record_id_r",
            "source_r": "source_l",
            "record_id_r": "record_id_l",
        }
    )
    both = pd.concat([labels, flipped], ignore_index=True).drop_duplicates(_KEYS)
    return pairs.merge(both, on=_KEYS, how="inner")
