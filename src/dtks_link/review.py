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
    clusters: pd.DataFrame | None = None,
    decided: pd.DataFrame | None = None,
    threshold: float = 0.9,
    order: str = "impact",
) -> pd.DataFrame:
    """Pairs with ``lower <= match_probability < upper``, fields side by side.

    ``records`` are the standardised records (``LinkResult.records`` with ``keep_records=True``).
    ``decided`` (``source_l, record_id_l, source_r, record_id_r``, either orientation: pairs a
    reviewer has decided) are left out: a decided pair never comes back.

    Without ``clusters`` the most uncertain pairs (closest to 0.5) come first. With
    ``clusters`` (``source, record_id, resident_id``, e.g. ``LinkResult.clusters``) the queue
    puts first the pairs whose decision would change the most: ``records_moved`` is how many
    records would change resident if the reviewer decided against the clustering (for a pair
    of two residents, *same* moves the smaller one's records; for a pair within one resident,
    *different* moves the records that its clustering would then cut off, computed from the
    pairs at or above ``threshold``), and the queue is ordered by ``expected_change`` =
    ``records_moved`` times the model's probability of that outcome (active learning in the
    sense of dedupe: uncertain pairs that hold residents together count most).
    ``order="uncertainty"`` keeps the most uncertain pairs first (with ``records_moved``
    shown). With ``clusters``, the queue holds one pair per two residents (the first in its
    order): the others between them ask the same question, and none when a decided pair
    already answered it.
    """
    if order not in ("impact", "uncertainty"):
        raise ValueError(f"order must be 'impact' or 'uncertainty', got {order!r}")
    band = pairs[(pairs["match_probability"] >= lower) & (pairs["match_probability"] < upper)].copy()
    if decided is not None and len(decided):
        keys = {(a, b, c, d) for a, b, c, d in decided[_KEYS].astype(str).itertuples(index=False)}
        keys |= {(c, d, a, b) for a, b, c, d in keys}
        seen = [tuple(map(str, k)) in keys for k in band[_KEYS].itertuples(index=False)]
        band = band[~pd.Series(seen, index=band.index, dtype=bool)]
    band["uncertainty"] = (band["match_probability"] - 0.5).abs()
    by = ["uncertainty", *_KEYS]
    ascending = [True] * len(by)
    if clusters is not None:
        band = _with_impact(band, pairs, clusters, threshold)
        if order == "impact":
            by, ascending = ["expected_change", *by], [False, *ascending]
    band = band.sort_values(by, ascending=ascending)
    if clusters is not None:
        if decided is not None and len(decided):  # two residents a reviewer already kept apart
            settled = _with_impact(decided.assign(match_probability=0.0), pairs, clusters, threshold)
            asked = set(zip(settled.resident_pair_l, settled.resident_pair_r, strict=True))
            questions = zip(band.resident_pair_l, band.resident_pair_r, strict=True)
            open_question = [q not in asked for q in questions]
            band = band[open_question]
        band = band.drop_duplicates(["resident_pair_l", "resident_pair_r"]).drop(
            columns=["resident_pair_l", "resident_pair_r"]
        )
    band = band.drop(columns="uncertainty")
    if limit is not None:
        band = band.head(limit)
    shown = [c for c in _SHOWN + _MASKED if c in records.columns]
    side = records[["source", "record_id", *shown]]
    impact = ["records_moved", "expected_change"] if clusters is not None else []
    out = band[[*_KEYS, "match_probability", "match_weight", *impact]]
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


def _with_impact(
    band: pd.DataFrame, pairs: pd.DataFrame, clusters: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """``band`` with ``records_moved`` and ``expected_change`` (see :func:`review_queue`)."""
    from .clustering import greedy_constrained_clusters

    resident = {
        (str(s), str(r)): str(c)
        for s, r, c in clusters[["source", "record_id", "resident_id"]].itertuples(index=False)
    }
    size: dict[str, int] = {}
    for rid in resident.values():
        size[rid] = size.get(rid, 0) + 1
    res_l = [resident.get((str(s), str(r))) for s, r in zip(band.source_l, band.record_id_l, strict=True)]
    res_r = [resident.get((str(s), str(r))) for s, r in zip(band.source_r, band.record_id_r, strict=True)]
    joined = [a is not None and a == b for a, b in zip(res_l, res_r, strict=True)]
    # the strong edges within the residents that hold a band pair, for the cuts
    inside = {a for a, j in zip(res_l, joined, strict=True) if j and a is not None}
    strong: dict[str, list[tuple[str, str, float]]] = {}
    if inside:
        kept = pairs[pairs["match_probability"] >= threshold]
        for s1, r1, s2, r2, w in kept[[*_KEYS, "match_weight"]].itertuples(index=False):
            a = resident.get((str(s1), str(r1)))
            if a is not None and a in inside and a == resident.get((str(s2), str(r2))):
                strong.setdefault(a, []).append((f"{s1}|{r1}", f"{s2}|{r2}", float(w)))
    members: dict[str, list[str]] = {}
    for (s, r), rid in resident.items():
        if rid in inside:
            members.setdefault(rid, []).append(f"{s}|{r}")
    moved: list[int] = []
    for i, row in enumerate(band[_KEYS].itertuples(index=False)):
        a, b = res_l[i], res_r[i]
        if a is None or b is None:
            moved.append(1)
        elif not joined[i]:
            moved.append(min(size[a], size[b]))
        else:
            mapping, _ = greedy_constrained_clusters(
                ((m, None, None) for m in members[a]),
                strong.get(a, []),
                max_cluster_size=len(members[a]),
                cannot_link=[(f"{row[0]}|{row[1]}", f"{row[2]}|{row[3]}")],
            )
            parts = pd.Series(list(mapping.values())).value_counts()
            moved.append(int(len(mapping) - parts.iloc[0]))
    # the question a pair asks: for two residents, whether they are one (either order; a record
    # without a resident counts as its own); within one resident, whether to cut this link
    questions = [
        (f"{row[0]}|{row[1]}", f"{row[2]}|{row[3]}") if joined[i] or a is None or b is None else (a, b)
        for i, (row, a, b) in enumerate(zip(band[_KEYS].itertuples(index=False), res_l, res_r, strict=True))
    ]
    out = band.assign(
        records_moved=moved,
        resident_pair_l=[min(x) for x in questions],
        resident_pair_r=[max(x) for x in questions],
    )
    flip = out["match_probability"].where(~pd.Series(joined, index=out.index), 1 - out["match_probability"])
    return out.assign(expected_change=(flip * out["records_moved"]).round(6))


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


def import_review(path: str | Path, *, keep_notes: bool = False) -> pd.DataFrame:
    """Read reviewed decisions: ``source_l, record_id_l, source_r, record_id_r, is_match``
    (and ``note``, the reviewer's note or "", with ``keep_notes=True``).

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
    if "note" not in frame.columns:
        frame["note"] = ""
    kept = [*_KEYS, "is_match", "note"] if keep_notes else [*_KEYS, "is_match"]
    labels = frame[frame["is_match"].notna()][kept].copy()
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
