"""Real-time lookup: "who is this?" in milliseconds against the registry.

At first use the registry builds an in-process index: for every blocking rule, the 64-bit hash
of each record's blocking key, sorted, so a query's candidates are found by binary search
(no SQL per query). Candidates are scored in Python with the trained model's parameters, using
the same comparison levels and term frequencies as the batch, so a pair scores the same here as
in a batch run (to floating-point rounding).

When none of the model's blocking rules finds a candidate (a name-only or phone-only query, or
a name whose birth date differs), *fallback* keys are tried: the folded name (``nama_key``),
its phonetic key and the phone number; if they find no one either, any word of the name (an
index of every word of every name). Each key reads at most :data:`FALLBACK_LIMIT` records, so
a very common name costs a bounded amount (records with the same name and nothing else to
compare score the same, so which of them are read changes only ties); the candidates come back
with their (low) probabilities rather than as an empty answer.

An index is a list of immutable *segments*: the records at build time, then one per ingest
(:meth:`LookupIndex.updated`), so a batch's records become searchable without rebuilding
the whole index. Every update returns a new index; the old one stays valid for the queries
still using it.

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
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker

from ..backends import splink_compat
from ..blocking import BlockingRule, KeyPart, rules_in_settings
from ..comparisons import COMPARISONS, ComparisonSpec, level_function
from ..errors import EngineError, QueryError
from .query import validate_query

if TYPE_CHECKING:
    from .store import RegistryStore

__all__ = ["LookupIndex", "MatchCandidate"]

_HASH_KEY = "0123456789123456"

#: At most this many records are read per fallback key (a name shared by thousands).
FALLBACK_LIMIT = 100

#: Keys tried when no blocking rule of the model finds a candidate, in two stages: the second
#: only when the first finds no one.
FALLBACK_RULES: tuple[BlockingRule, ...] = (
    BlockingRule(name="fallback_name_key", parts=(KeyPart("nama_key"),)),
    BlockingRule(name="fallback_name_phonetic", parts=(KeyPart("nama_phonetic"),)),
    BlockingRule(name="fallback_phone", parts=(KeyPart("telepon"),)),
    BlockingRule(name="fallback_name_word", parts=(KeyPart("nama_tokens_key"),)),
)
_FIRST_STAGE = 3
_WORDS = "fallback_name_word"  # indexed once per word of the name, not once per record


def _keys(rule: BlockingRule, std: Mapping[str, Any]) -> list[str]:
    """The keys a query has for ``rule`` (every word of the name for the word index)."""
    key = rule.key(std)
    if key is None:
        return []
    return sorted(set(key.split(" "))) if rule.name == _WORDS else [key]


#: Raw query fields that a standardised column is derived from (first: the usual one).
_COLUMN_SOURCES: dict[str, tuple[str, ...]] = {
    "nik": ("nik",),
    "nama_key": ("nama",),
    "nama_phonetic": ("nama",),
    "nama_tokens_key": ("nama",),
    "birth_year": ("tanggal_lahir", "umur", "nik"),
    "birth_date": ("tanggal_lahir", "nik"),
    "kelurahan_code": ("kelurahan",),
    "street": ("alamat",),
}

#: Segments beyond the first before :attr:`LookupIndex.needs_rebuild` says so.
MAX_SEGMENTS = 12


def _hash(keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.asarray(pd.util.hash_array(keys, hash_key=_HASH_KEY), dtype=np.uint64)


def _hash_few(keys: list[str]) -> np.ndarray[Any, Any]:
    """:func:`_hash` of a query's few keys, without the factorising that pays off only for many
    keys (pandas hashes the distinct values and takes them back by code: the same numbers)."""
    array = np.array(keys, dtype=object)
    return np.asarray(pd.util.hash_array(array, hash_key=_HASH_KEY, categorize=False), dtype=np.uint64)


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


@dataclass(frozen=True)
class _Segment:
    """Records of the index that arrived together, with their key hashes per rule."""

    records: pa.Table
    unique_ids: np.ndarray[Any, Any]  # sorted (records are ordered by unique_id)
    sorted_hashes: tuple[np.ndarray[Any, Any], ...]
    sorted_rows: tuple[np.ndarray[Any, Any], ...]


class LookupIndex:
    """Blocking-key index and vectorised scorer over a registry's records."""

    def __init__(
        self,
        *,
        segments: tuple[_Segment, ...],
        resident_ids: tuple[np.ndarray[Any, Any], ...],
        alive: tuple[np.ndarray[Any, Any] | None, ...],
        rules: list[BlockingRule],
        fallback_rules: list[BlockingRule],
        comparisons: list[_ScoredComparison],
        prior_weight: float,
        term_frequencies: dict[str, dict[Any, float]],
        reference_date: Any,
        last_run: int,
    ) -> None:
        self.segments = segments
        self.resident_ids = resident_ids
        self.alive = alive
        self.rules = rules
        self.fallback_rules = fallback_rules
        self.comparisons = comparisons
        self.prior_weight = prior_weight
        self.term_frequencies = term_frequencies
        self.reference_date = reference_date
        self.last_run = last_run

    @property
    def records(self) -> pa.Table:
        """The records of the first segment (the build)."""
        return self.segments[0].records

    @property
    def size(self) -> int:
        """Records the index answers from (current versions only)."""
        total = 0
        for segment, alive in zip(self.segments, self.alive, strict=True):
            total += segment.records.num_rows if alive is None else int(alive.sum())
        return total

    @property
    def needs_rebuild(self) -> bool:
        """True when updates have piled up enough that a fresh :meth:`build` would be faster to
        query (many segments, or the updates hold more than a fifth of the records)."""
        base = self.segments[0].records.num_rows
        added = sum(s.records.num_rows for s in self.segments[1:])
        return len(self.segments) > MAX_SEGMENTS or added > max(base // 5, 50_000)

    # -- building ---------------------------------------------------------------------------
    @staticmethod
    def _all_rules(registry: RegistryStore) -> tuple[list[BlockingRule], list[BlockingRule]]:
        model = registry.model_json
        if model is None or not registry.has_table("records"):
            raise EngineError("the registry is empty: build it before looking records up")
        columns = {str(r[0]) for r in registry.con.execute("DESCRIBE reg.records").fetchall()}
        rules = [r for r in rules_in_settings(model) if set(r.columns) <= columns]
        fallback = [r for r in FALLBACK_RULES if set(r.columns) <= columns]
        return rules, fallback

    @staticmethod
    def _segment(
        registry: RegistryStore, rules: list[BlockingRule], where: str, params: list[Any]
    ) -> tuple[_Segment, np.ndarray[Any, Any]]:
        key_sql = ", ".join(f"{rule.key_sql('r')} AS __key_{i}" for i, rule in enumerate(rules))
        table: pa.Table = registry.con.sql(
            f"SELECT r.*, m.resident_id AS __resident_id{', ' + key_sql if key_sql else ''} "
            f"FROM reg.records r JOIN reg.membership m USING (unique_id) {where} ORDER BY r.unique_id",
            params=params,
        ).to_arrow_table()
        sorted_hashes: list[np.ndarray[Any, Any]] = []
        sorted_rows: list[np.ndarray[Any, Any]] = []
        for i, rule in enumerate(rules):
            keys = table.column(f"__key_{i}")
            if rule.name == _WORDS:
                words = pc.split_pattern(keys.combine_chunks(), " ")
                valid = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
                values = pc.list_flatten(words).to_numpy(zero_copy_only=False).astype(object)
            else:
                valid = np.flatnonzero(keys.is_valid().to_numpy(zero_copy_only=False))
                values = keys.drop_null().to_numpy(zero_copy_only=False).astype(object)
            hashes = _hash(values) if len(values) else np.empty(0, dtype=np.uint64)
            order = np.argsort(hashes, kind="stable")
            sorted_hashes.append(hashes[order])
            sorted_rows.append(valid[order])
        resident_ids = table.column("__resident_id").to_numpy(zero_copy_only=False).astype(object)
        unique_ids = table.column("unique_id").to_numpy(zero_copy_only=False).astype(object)
        needed = {"source", "record_id"}
        for known in COMPARISONS.values():
            needed |= known.uses
        # one chunk: take() across DuckDB's many small record batches is slow
        records = table.select([c for c in table.column_names if c in needed]).combine_chunks()
        segment = _Segment(records, unique_ids, tuple(sorted_hashes), tuple(sorted_rows))
        return segment, resident_ids

    @classmethod
    def build(cls, registry: RegistryStore) -> LookupIndex:
        model = registry.model_json
        rules, fallback = cls._all_rules(registry)
        assert model is not None
        con = registry.con
        last_run = int(con.execute("SELECT coalesce(max(run_id), 0) FROM reg.runs").fetchall()[0][0])
        segment, resident_ids = cls._segment(registry, [*rules, *fallback], "", [])

        db_api = DuckDBAPI(connection=con)
        con.execute("CREATE OR REPLACE TEMP VIEW __lookup_schema AS SELECT * FROM reg.records LIMIT 0")
        linker = Linker(db_api.register("__lookup_schema"), dict(model), log_level=logging.ERROR)
        comparisons: list[_ScoredComparison] = []
        tf_columns: set[str] = set()
        for comparison in splink_compat.comparisons(linker):
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
                tf = splink_compat.term_frequency(level, levels)
                weight = 0.0 if level.is_null_level else splink_compat.level_weight(level)
                if tf is None:
                    scored.append(_LevelScore(level.label_for_charts, weight, None, 0.0, 0.0, 0.0))
                    continue
                tf_columns.add(tf.column)
                scored.append(
                    _LevelScore(
                        level.label_for_charts, weight, tf.column, tf.weight, tf.minimum_u, tf.log2_u_exact
                    )
                )
            comparisons.append(_ScoredComparison(spec, tuple(scored)))
        prior = splink_compat.prior(linker)
        prior_weight = math.log2(prior / (1 - prior))
        term_frequencies: dict[str, dict[Any, float]] = {}
        for column in sorted(tf_columns):
            rows = con.execute(f'SELECT * FROM reg."tf_{column}"').fetchall()
            term_frequencies[column] = {value: float(tf) for value, tf in rows}
        return cls(
            segments=(segment,),
            resident_ids=(resident_ids,),
            alive=(None,),
            rules=rules,
            fallback_rules=fallback,
            comparisons=comparisons,
            prior_weight=prior_weight,
            term_frequencies=term_frequencies,
            reference_date=registry.options.effective_reference_date,
            last_run=last_run,
        )

    def updated(self, registry: RegistryStore) -> LookupIndex:
        """A new index that also holds the runs committed since this one was made: their records
        as a new segment, the older versions of records they replaced hidden, and the new
        resident of every record whose resident changed. Costs about the size of the runs (plus
        a copy of the resident-id array), not a rebuild; this index is left unchanged."""
        con = registry.con
        last_run = int(con.execute("SELECT coalesce(max(run_id), 0) FROM reg.runs").fetchall()[0][0])
        if last_run == self.last_run:
            return self
        all_rules = [*self.rules, *self.fallback_rules]
        segment, new_ids = self._segment(registry, all_rules, "WHERE r.run_id > ?", [self.last_run])
        moved = con.execute(
            "SELECT e.unique_id, m.resident_id FROM reg.events e JOIN reg.membership m USING (unique_id) "
            "WHERE e.run_id > ? AND e.kind = 'attached' ORDER BY e.event_id",
            [self.last_run],
        ).fetchall()
        new_resident = {str(uid): str(rid) for uid, rid in moved}
        replaced = segment.unique_ids
        resident_ids: list[np.ndarray[Any, Any]] = []
        alive: list[np.ndarray[Any, Any] | None] = []
        for old, ids, mask in zip(self.segments, self.resident_ids, self.alive, strict=True):
            positions = _positions(old.unique_ids, replaced)
            if len(positions):
                mask = (np.ones(len(old.unique_ids), dtype=bool) if mask is None else mask.copy())
                mask[positions] = False
            if new_resident:
                wanted = np.array(list(new_resident), dtype=object)
                found = _positions(old.unique_ids, wanted)
                if len(found):
                    ids = ids.copy()
                    ids[found] = [new_resident[str(u)] for u in old.unique_ids[found]]
            resident_ids.append(ids)
            alive.append(mask)
        return LookupIndex(
            segments=(*self.segments, segment),
            resident_ids=(*resident_ids, new_ids),
            alive=(*alive, None),
            rules=self.rules,
            fallback_rules=self.fallback_rules,
            comparisons=self.comparisons,
            prior_weight=self.prior_weight,
            term_frequencies=self.term_frequencies,
            reference_date=self.reference_date,
            last_run=last_run,
        )

    # -- querying ---------------------------------------------------------------------------
    def standardise(self, record: Mapping[str, object]) -> dict[str, Any]:
        """The query record standardised exactly as the batch pipeline does it."""
        from ..standardise import derive_record, standardise_record

        return derive_record(standardise_record(record, reference_date=self.reference_date))

    def _found(
        self, rules: list[BlockingRule], std: Mapping[str, Any], *, limit: int | None, offset: int = 0
    ) -> tuple[list[tuple[int, np.ndarray[Any, Any]]], bool]:
        """Candidate rows per segment for ``rules`` (which start at hash column ``offset``), and
        whether any rule had a key."""
        found: list[tuple[int, np.ndarray[Any, Any]]] = []
        wanted = [(offset + r, key) for r, rule in enumerate(rules) for key in _keys(rule, std)]
        if not wanted:
            return found, False
        hashes = _hash_few([key for _, key in wanted])
        for (column, _), h in zip(wanted, hashes, strict=True):
            found += self._block(column, h, limit)
        return found, True

    def _block(self, column: int, h: Any, limit: int | None) -> list[tuple[int, np.ndarray[Any, Any]]]:
        found = []
        for s, segment in enumerate(self.segments):
            hashes, rows = segment.sorted_hashes[column], segment.sorted_rows[column]
            lo = int(np.searchsorted(hashes, h, side="left"))
            hi = int(np.searchsorted(hashes, h, side="right"))
            if limit is not None:
                hi = min(hi, lo + limit)
            if hi > lo:
                found.append((s, rows[lo:hi]))
        return found

    def candidates(self, std: Mapping[str, Any]) -> np.ndarray[Any, Any]:
        """Row numbers (in the first segment) of the records sharing a blocking key with ``std``."""
        found, _ = self._found(self.rules, std, limit=None)
        rows = [r for s, r in found if s == 0]
        if not rows:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(rows))

    def _candidate_rows(self, std: Mapping[str, Any]) -> dict[int, np.ndarray[Any, Any]]:
        found, keyed = self._found(self.rules, std, limit=None)
        offset = len(self.rules)
        stages = [
            [r for r in self.fallback_rules if FALLBACK_RULES.index(r) < _FIRST_STAGE],
            [r for r in self.fallback_rules if FALLBACK_RULES.index(r) >= _FIRST_STAGE],
        ]
        for stage in stages:
            if found:
                break
            found, stage_keyed = self._found(stage, std, limit=FALLBACK_LIMIT, offset=offset)
            keyed = keyed or stage_keyed
            offset += len(stage)
        if not keyed:
            raise QueryError(self._no_key_message(std))
        per_segment: dict[int, list[np.ndarray[Any, Any]]] = {}
        for s, rows in found:
            per_segment.setdefault(s, []).append(rows)
        result: dict[int, np.ndarray[Any, Any]] = {}
        for s, parts in per_segment.items():
            rows = np.unique(np.concatenate(parts))
            mask = self.alive[s]
            if mask is not None:
                rows = rows[mask[rows]]
            if len(rows):
                result[s] = rows
        return result

    def _no_key_message(self, std: Mapping[str, Any]) -> str:
        alone: list[str] = []
        together: list[str] = []
        for rule in [*self.rules, *self.fallback_rules]:
            fields = tuple(dict.fromkeys(_COLUMN_SOURCES.get(c, (c,))[0] for c in rule.columns))
            if len(fields) == 1:
                if fields[0] not in alone:
                    alone.append(fields[0])
            elif " + ".join(fields) not in together and not set(fields) & set(alone):
                together.append(" + ".join(fields))
        together = [t for t in together if not set(t.split(" + ")) & set(alone)]
        message = "the query has no field that can find candidates"
        given = sorted(k for k, v in std.get("__given", {}).items() if v is not None)
        if given:
            message += f" (it gives {', '.join(given)})"
        message += f"; give at least one of: {', '.join(alone)}"
        if together:
            message += f"; or together: {'; '.join(together)}"
        return message

    def score(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> tuple[float, list[str]]:
        """Match weight of a pair and a per-comparison explanation (no raw identifiers)."""
        total = self.prior_weight
        parts = []
        indexes = level_function(tuple(c.spec for c in self.comparisons))(left, right)
        for comparison in self.comparisons:
            level = comparison.levels[indexes[comparison.spec.name]]
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
        """The best ``top_k`` residents for ``record`` (canonical fields), best first.

        Raises :class:`~dtks_link.errors.QueryError` for an unknown field, a value of the wrong
        type, or a query with no field that can find candidates.
        """
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise QueryError("top_k must be a positive integer", field="top_k")
        query = validate_query(record)
        std = self.standardise(query)
        std["__given"] = query
        found = self._candidate_rows(std)
        best: dict[str, MatchCandidate] = {}
        for s, rows in found.items():
            candidates = self.segments[s].records.take(pa.array(rows)).to_pylist()
            resident_ids = self.resident_ids[s]
            for row_number, candidate in zip(rows, candidates, strict=True):
                weight, parts = self.score(std, candidate)
                resident_id = str(resident_ids[row_number])
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


def _positions(sorted_values: np.ndarray[Any, Any], wanted: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Positions in ``sorted_values`` of the elements of ``wanted`` that it holds."""
    if len(sorted_values) == 0 or len(wanted) == 0:
        return np.empty(0, dtype=np.int64)
    at = np.searchsorted(sorted_values, wanted)
    inside = at < len(sorted_values)
    at = at[inside]
    hit = sorted_values[at] == wanted[inside]
    return np.asarray(at[hit], dtype=np.int64)
