"""The fast path of real-time lookup: reading candidate records and scoring them in one pass.

:class:`ColumnReader` reads rows of an Arrow table as Python values (the same values
``Table.to_pylist`` gives) without Arrow's per-call dispatch, which costs about 15 µs per column
per call, so fetching 8 candidates of 34 columns took about a millisecond. It keeps, per column,
numpy arrays over the table's own buffers: for text, the validity and the offsets into the
UTF-8 data (no copy); for other types, dictionary codes into a list of the distinct values
(dates, numbers and flags have few).

:class:`CandidateScorer` holds what scoring needs, compiled once per index rather than per pair:
the comparisons' level rules as one function of the pair's columns, each level's weight and
term-frequency parameters, and the term-frequency tables. :meth:`CandidateScorer.prepare` takes
the query's side once; :meth:`CandidateScorer.score_rows` scores every candidate of a segment
from its columns, and the explanation text is written only for the candidates that are returned
(:meth:`CandidateScorer.explain`). Weights are summed in the same order as
:meth:`LookupIndex.score <dtks_link.registry.lookup.LookupIndex.score>`, the scalar reference,
so both give the same floating-point numbers (a test compares them).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..rules import pair_columns
from ..rules.python import compile_record

if TYPE_CHECKING:
    from ..comparisons import ComparisonSpec

__all__ = ["CandidateScorer", "ColumnReader", "LevelScore", "PreparedQuery", "ScoredComparison"]


@dataclass(frozen=True)
class LevelScore:
    """One comparison level as the lookup scores it: its label, weight and term-frequency terms."""

    label: str
    weight: float
    tf_column: str | None
    tf_weight: float
    tf_minimum_u: float
    log2_u_exact: float


@dataclass(frozen=True)
class ScoredComparison:
    """A comparison with its levels' scores, in order."""

    spec: ComparisonSpec
    levels: tuple[LevelScore, ...]


class _TextColumn:
    """A string column: validity, offsets into the UTF-8 data, and the data (no copies)."""

    __slots__ = ("data", "offsets", "valid")

    def __init__(self, array: pa.Array) -> None:
        large = pa.types.is_large_string(array.type)
        buffers = array.buffers()
        offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)
        self.offsets = offsets[array.offset : array.offset + len(array) + 1]
        self.data = memoryview(buffers[2]) if buffers[2] is not None else memoryview(b"")
        self.valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)

    def take(self, rows: np.ndarray[Any, Any]) -> list[Any]:
        data = self.data
        starts = self.offsets[rows].tolist()
        ends = self.offsets[rows + 1].tolist()
        return [
            str(data[a:b], "utf-8") if ok else None
            for ok, a, b in zip(self.valid[rows].tolist(), starts, ends, strict=True)
        ]


class _CodedColumn:
    """Any other column: codes into its distinct values (the last one None, for nulls)."""

    __slots__ = ("codes", "values")

    def __init__(self, array: pa.Array) -> None:
        try:
            encoded = pc.dictionary_encode(array)
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
            # lists and other nested types: the values themselves (mostly null where they occur)
            self.values = np.empty(len(array) + 1, dtype=object)
            self.values[:-1] = array.to_pylist()
            self.codes = np.arange(len(array), dtype=np.int32)
            return
        values = encoded.dictionary.to_pylist()
        self.values = np.empty(len(values) + 1, dtype=object)
        self.values[: len(values)] = values
        self.codes = np.asarray(
            encoded.indices.fill_null(len(values)).to_numpy(zero_copy_only=False), dtype=np.int32
        )

    def take(self, rows: np.ndarray[Any, Any]) -> list[Any]:
        return list(self.values[self.codes[rows]])


class ColumnReader:
    """Rows of an Arrow table as Python values, column by column, cheaply (see the module)."""

    def __init__(self, table: pa.Table) -> None:
        self.num_rows = table.num_rows
        self._columns: dict[str, _TextColumn | _CodedColumn] = {}
        for name in table.column_names:
            column = table.column(name)
            if column.num_chunks == 1:
                array = column.chunk(0)
            elif column.num_chunks == 0:
                array = pa.array([], type=column.type)
            else:
                array = pa.concat_arrays(column.chunks)
            text = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
            self._columns[name] = _TextColumn(array) if text else _CodedColumn(array)

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    def take(self, name: str, rows: np.ndarray[Any, Any]) -> list[Any]:
        """The values of column ``name`` at ``rows`` (None for every row if there is no such
        column, as a missing key reads in a record)."""
        column = self._columns.get(name)
        if column is None:
            return [None] * len(rows)
        return column.take(rows)


@dataclass(frozen=True)
class PreparedQuery:
    """The query's side of every pair: its columns under their left names, and its term
    frequencies."""

    left: dict[str, Any]
    term_frequencies: tuple[float | None, ...]


class CandidateScorer:
    """Scores candidates against a query with a registry's model (see the module)."""

    def __init__(
        self,
        comparisons: Sequence[ScoredComparison],
        prior_weight: float,
        term_frequencies: Mapping[str, Mapping[Any, float]],
    ) -> None:
        self.comparisons = tuple(comparisons)
        self.prior_weight = prior_weight
        rules = {c.spec.name: c.spec.level_rule() for c in self.comparisons}
        self._levels: Callable[[Mapping[str, Any]], dict[str, Any]] = compile_record(rules)
        self._names = [c.spec.name for c in self.comparisons]
        self.columns = pair_columns(*rules.values())
        self._left_names = [c + "_l" for c in self.columns]
        self._right_names = [c + "_r" for c in self.columns]
        self.tf_columns = tuple(
            sorted({lv.tf_column for c in self.comparisons for lv in c.levels if lv.tf_column is not None})
        )
        self._tf_tables = [term_frequencies.get(column, {}) for column in self.tf_columns]
        position = {column: i for i, column in enumerate(self.tf_columns)}
        # per comparison, per level: (weight, None) or (weight, (tf position, tf_weight, log2_u, min_u))
        self._levels_table: list[list[tuple[float, tuple[int, float, float, float] | None]]] = [
            [
                (lv.weight, None)
                if lv.tf_column is None
                else (lv.weight, (position[lv.tf_column], lv.tf_weight, lv.log2_u_exact, lv.tf_minimum_u))
                for lv in c.levels
            ]
            for c in self.comparisons
        ]

    def prepare(self, std: Mapping[str, Any]) -> PreparedQuery:
        """The query's side, once per query."""
        left = {name: std.get(column) for name, column in zip(self._left_names, self.columns, strict=True)}
        tfs = tuple(
            table.get(std.get(column)) for table, column in zip(self._tf_tables, self.tf_columns, strict=True)
        )
        return PreparedQuery(left, tfs)

    def score_rows(
        self, query: PreparedQuery, reader: ColumnReader, rows: np.ndarray[Any, Any]
    ) -> list[tuple[float, tuple[int, ...], tuple[float, ...]]]:
        """Per row of ``reader``: the match weight, the level index of every comparison and the
        weight each comparison added."""
        values = [reader.take(column, rows) for column in self.columns]
        tf_values = [reader.take(column, rows) for column in self.tf_columns]
        tf_tables = self._tf_tables
        left_tfs = query.term_frequencies
        names = self._names
        table = self._levels_table
        out = []
        for i in range(len(rows)):
            record = dict(query.left)
            record.update(zip(self._right_names, (v[i] for v in values), strict=True))
            indexes = self._levels(record)
            total = self.prior_weight
            levels = []
            weights = []
            for name, comparison in zip(names, table, strict=True):
                index = indexes[name]
                weight, tf = comparison[index]
                if tf is not None:
                    at, tf_weight, log2_u, minimum_u = tf
                    tf_l = left_tfs[at]
                    tf_r = tf_tables[at].get(tf_values[at][i])
                    if tf_l is not None or tf_r is not None:
                        a = tf_l if tf_l is not None else tf_r
                        b = tf_r if tf_r is not None else tf_l
                        assert a is not None and b is not None
                        weight += tf_weight * (log2_u - math.log2(max(a, b, minimum_u)))
                total += weight
                levels.append(index)
                weights.append(weight)
            out.append((total, tuple(levels), tuple(weights)))
        return out

    def explain(self, levels: Sequence[int], weights: Sequence[float]) -> str:
        """The explanation :meth:`LookupIndex.score` gives, from :meth:`score_rows`' levels."""
        return "; ".join(
            f"{c.spec.description}: {c.levels[index].label} ({weight:+.2f})"
            for c, index, weight in zip(self.comparisons, levels, weights, strict=True)
        )
