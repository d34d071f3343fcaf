"""Real-time lookup: "who is this?" in milliseconds against the registry.

At first use the registry builds an in-process index: for every blocking rule, the 64-bit hash
of each record's blocking key, sorted, so a query's candidates are found by binary search
(no SQL per query). Candidates are scored in Python with the trained model's parameters, using
the same comparison levels and term frequencies as the batch, so a pair scores the same here as
in a batch run (to floating-point rounding).

Hash collisions between different keys (64-bit, about 1e-7 at 2 million keys per rule) can add a
candidate the batch would not have compared; they cannot remove one.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker

from ..blocking import BlockingRule, rules_in_settings
from ..comparisons import COMPARISONS, ComparisonSpec
from ..errors import EngineError

if TYPE_CHECKING:
    from .store import Registry

__all__ = ["LookupIndex", "MatchCandidate"]

_HASH_KEY = "0123456789123456"


def _hash(keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(pd.util.hash_array(keys, hash_key=_HASH_KEY), dtype=np.uint64)


@dataclass(frozen=True, kw_only=True)
class MatchCandidate:
    """One candidate resident for a looked-up record."""

    resident_id: str
    match_probability: float
    match_weight: float
    source: str
    record_id: str
    explanation: str


@dataclass(frozen=True)
class _LevelScore:
    label: str
    weight: float
    tf_column: str | None
    tf_weight: float
    tf_minimum_u: float
    log2_u_exact: float


@dataclass(frozen=True)
class _ScoredComparison:
    spec: ComparisonSpec
    levels: tuple[_LevelScore, ...]


class LookupIndex:
    """Blocking-key index and vectorised scorer over a registry's records."""

    def __init__(
        self,
        *,
        registry: Registry,
        records: pa.Table,
        resident_ids: np.ndarray[Any, Any],
        rules: list[BlockingRule],
        sorted_hashes: list[np.ndarray[Any, Any]],
        sorted_rows: list[np.ndarray[Any, Any]],
        comparisons: list[_ScoredComparison],
        prior_weight: float,
        term_frequencies: dict[str, dict[Any, float]],
    ) -> None:
        self.registry = registry
        self.records = records
        self.resident_ids = resident_ids
        self.rules = rules
        self.sorted_hashes = sorted_hashes
        self.sorted_rows = sorted_rows
        self.comparisons = comparisons
        self.prior_weight = prior_weight
        self.term_frequencies = term_frequencies
        self.reference_date = registry.options.effective_reference_date

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, registry: Registry) -> LookupIndex:
        model = registry.model_json
        if model is None or not registry._table_exists("records"):
            raise EngineError("the registry is empty: build it before looking records up")
        con = registry.con
        columns = [str(r[0]) for r in con.execute("DESCRIBE reg.records").fetchall()]
        rules = [r for r in rules_in_settings(model) if set(r.columns) <= set(columns)]
        key_sql = ", ".join(f"{rule.key_sql('r')} AS __key_{i}" for i, rule in enumerate(rules))
        table: pa.Table = con.sql(
            f"SELECT r.*, m.resident_id AS __resident_id{', ' + key_sql if key_sql else ''} "
            "FROM reg.records r JOIN reg.membership m USING (unique_id) ORDER BY r.unique_id"
        ).to_arrow_table()
        sorted_hashes: list[np.ndarray[Any, Any]] = []
        sorted_rows: list[np.ndarray[Any, Any]] = []
        for i in range(len(rules)):
            keys = table.column(f"__key_{i}")
            valid = np.flatnonzero(keys.is_valid().to_numpy(zero_copy_only=False))
            values = keys.drop_null().to_numpy(zero_copy_only=False).astype(object)
            hashes = _hash(values)
            order = np.argsort(hashes, kind="stable")
            sorted_hashes.append(hashes[order])
            sorted_rows.append(valid[order])
        resident_ids = table.column("__resident_id").to_numpy(zero_copy_only=False)
        drop = ["__resident_id"] + [f"__key_{i}" for i in range(len(rules))]
        needed = {"source", "record_id"}
        for known in COMPARISONS.values():
            needed |= known.uses
        # one chunk: take() across DuckDB's many small record batches is slow
        records = table.drop_columns(drop)
        records = records.select([c for c in records.column_names if c in needed]).combine_chunks()

        db_api = DuckDBAPI(connection=con)
        con.execute("CREATE OR REPLACE TEMP VIEW __lookup_schema AS SELECT * FROM reg.records LIMIT 0")
        linker = Linker(db_api.register("__lookup_schema"), dict(model), log_level=logging.ERROR)
        settings = linker._settings_obj
        comparisons: list[_ScoredComparison] = []
        tf_columns: set[str] = set()
        for comparison in settings.comparisons:
            spec = COMPARISONS.get(comparison.output_column_name)
            if spec is None:
                raise EngineError(
                    f"the registry's model has a comparison {comparison.output_column_name!r} "
                    "that real-time lookup does not know"
                )
            levels = list(comparison.comparison_levels)
            if [lv.label_for_charts for lv in levels[1:-1]] != [lv.label for lv in spec.levels[1:-1]]:
                raise EngineError(f"the model's levels of {spec.name!r} differ from this version's")
            scored = []
            for level in levels:
                tf_column = None
                tf_weight = 0.0
                tf_min = 0.0
                log2_u_exact = 0.0
                if level._has_tf_adjustments and not level.is_null_level and not level._is_else_level:
                    tf_column = level._tf_adjustment_input_column.unquote().name
                    tf_weight = float(level._tf_adjustment_weight)
                    tf_min = float(level._tf_minimum_u_value)
                    log2_u_exact = math.log2(level._u_probability_corresponding_to_exact_match(levels))
                    tf_columns.add(tf_column)
                weight = 0.0 if level.is_null_level else float(level._log2_bayes_factor)
                scored.append(
                    _LevelScore(level.label_for_charts, weight, tf_column, tf_weight, tf_min, log2_u_exact)
                )
            comparisons.append(_ScoredComparison(spec, tuple(scored)))
        prior = float(settings._probability_two_random_records_match)
        prior_weight = math.log2(prior / (1 - prior))
        term_frequencies: dict[str, dict[Any, float]] = {}
        for column in sorted(tf_columns):
            rows = con.execute(f'SELECT * FROM reg."tf_{column}"').fetchall()
            term_frequencies[column] = {value: float(tf) for value, tf in rows}
        return cls(
            registry=registry,
            records=records,
            resident_ids=resident_ids,
            rules=rules,
            sorted_hashes=sorted_hashes,
            sorted_rows=sorted_rows,
            comparisons=comparisons,
            prior_weight=prior_weight,
            term_frequencies=term_frequencies,
        )

    # -- querying ---------------------------------------------------------------------------
    def standardise(self, record: Mapping[str, object]) -> dict[str, Any]:
        """The query record standardised exactly as the batch pipeline does it."""
        from ..pipeline import nik_facts_consistent
        from ..standardise import is_placeholder_date, standardise_record

        std = standardise_record(record, reference_date=self.reference_date)
        nik_ok = nik_facts_consistent(std)
        std["birth_date_from_nik"] = (
            std.get("tanggal_lahir") is None and std.get("nik_birth_date") is not None and nik_ok
        )
        std["birth_date"] = std.get("tanggal_lahir") or (std.get("nik_birth_date") if nik_ok else None)
        std["sex"] = std.get("jenis_kelamin") or (std.get("nik_sex") if nik_ok else None)
        std["sex_from_nik"] = std.get("jenis_kelamin") is None and std.get("nik_sex") is not None and nik_ok
        birth_date: Any = std["birth_date"]
        std["birth_year"] = birth_date.year if birth_date is not None else std.get("birth_year")
        std["birth_year_from_age"] = birth_date is None and bool(std.get("birth_year_from_age"))
        std["birth_date_placeholder"] = is_placeholder_date(birth_date)
        return std

    def candidates(self, std: Mapping[str, Any]) -> np.ndarray[Any, Any]:
        """Row numbers of the records sharing a blocking key with ``std``."""
        found: list[np.ndarray[Any, Any]] = []
        for rule, hashes, rows in zip(self.rules, self.sorted_hashes, self.sorted_rows, strict=True):
            key = rule.key(std)
            if key is None:
                continue
            h = _hash(np.array([key], dtype=object))[0]
            lo = int(np.searchsorted(hashes, h, side="left"))
            hi = int(np.searchsorted(hashes, h, side="right"))
            if hi > lo:
                found.append(rows[lo:hi])
        if not found:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found))

    def score(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> tuple[float, list[str]]:
        """Match weight of a pair and a per-comparison explanation (no raw identifiers)."""
        total = self.prior_weight
        parts = []
        for comparison in self.comparisons:
            index = comparison.spec.level_of(left, right)
            level = comparison.levels[index]
            weight = level.weight
            if level.tf_column is not None:
                table = self.term_frequencies.get(level.tf_column, {})
                tf_l = table.get(left.get(level.tf_column))
                tf_r = table.get(right.get(level.tf_column))
                if tf_l is not None or tf_r is not None:
                    a = tf_l if tf_l is not None else tf_r
                    b = tf_r if tf_r is not None else tf_l
                    assert a is not None and b is not None
                    weight += level.tf_weight * (
                        level.log2_u_exact - math.log2(max(a, b, level.tf_minimum_u))
                    )
            total += weight
            parts.append(f"{comparison.spec.description}: {level.label} ({weight:+.2f})")
        return total, parts

    def match(self, record: Mapping[str, object], *, top_k: int = 5) -> list[MatchCandidate]:
        std = self.standardise(record)
        rows = self.candidates(std)
        if len(rows) == 0:
            return []
        candidates = self.records.take(pa.array(rows)).to_pylist()
        best: dict[str, MatchCandidate] = {}
        for row_number, candidate in zip(rows, candidates, strict=True):
            weight, parts = self.score(std, candidate)
            resident_id = str(self.resident_ids[row_number])
            current = best.get(resident_id)
            if current is None or weight > current.match_weight:
                probability = 2.0**weight / (1.0 + 2.0**weight) if weight < 1000 else 1.0
                best[resident_id] = MatchCandidate(
                    resident_id=resident_id,
                    match_probability=probability,
                    match_weight=weight,
                    source=str(candidate["source"]),
                    record_id=str(candidate["record_id"]),
                    explanation="; ".join(parts),
                )
        ranked = sorted(best.values(), key=lambda c: (-c.match_weight, c.resident_id))
        return ranked[:top_k]
