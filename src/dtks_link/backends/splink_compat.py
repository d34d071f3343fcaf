"""Splink, behind one module: every use of Splink's private API is here, so a Splink upgrade is
checked in one place.

Public Splink API is used wherever it exists; where it does not (a linker's settings object,
the prior, the learned parameters of a comparison level, the hash Splink samples with), the
attribute is read or written here with a note saying why. The rest of dtks_link calls these
functions and never touches a name of Splink's that begins with ``_`` or ``splink.internals``.

Fewer, larger queries: on an engine where every query is a job with a fixed cost (Spark),
:func:`u_sampling_in_one_pass` and :func:`em_session` with ``iterate_on_driver`` replace
Splink's many small queries with a few large ones that give the same counts, so the model
learned is the same as on DuckDB.

Sampling: Splink samples deterministically by hashing the unique id (u estimation, EM record
sampling, chunking), but with each engine's own ``hash()``: DuckDB and Spark would train on
different rows and learn slightly different models. Inside :func:`portable_sampling` both
engines hash with the same function, the first 60 bits of the MD5 of the id text, so they pick
the same rows and the trained parameters agree to floating-point precision. Splink picks its
dialect objects by name, so the hash is swapped on the two dialect classes for the duration of
the block and restored after it (training is not run from several threads at once).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Protocol

import duckdb
from splink import DuckDBAPI
from splink.blocking_rule_library import CustomRule
from splink.internals import em_training_session as splink_em_session
from splink.internals import estimate_u as splink_estimate_u
from splink.internals.dialects import DuckDBDialect as SplinkDuckDBDialect
from splink.internals.dialects import SparkDialect as SplinkSparkDialect

from ..rules.dialects import DUCKDB, SPARK, Dialect

__all__ = [
    "TermFrequency",
    "blocking_rule",
    "bundled_javascript",
    "comparisons",
    "em_session",
    "forget_m_estimates_after",
    "intermediate_columns_kept",
    "level_weight",
    "m_estimates",
    "m_is_estimated",
    "m_is_fixed",
    "portable_sampling",
    "prior",
    "set_prior",
    "spark_api_checkpointing_with",
    "term_frequency",
    "u_is_trained",
    "u_sampling_in_one_pass",
]


class _Rule(Protocol):
    """A blocking rule of ours (:class:`dtks_link.blocking.BlockingRule`): SQL in any dialect."""

    def sql_in(self, dialect: Dialect) -> str: ...


def blocking_rule(rule: _Rule, dialect: Dialect) -> Any:
    """A blocking rule for Splink, written in the engine's own dialect (so Splink translates
    nothing)."""
    return CustomRule(rule.sql_in(dialect), sql_dialect=dialect.name)


# -- a linker's settings (Splink has no public accessor for the live settings object) ----------
def comparisons(linker: Any) -> list[Any]:
    """The linker's live comparisons (Splink ``Comparison`` objects, their levels in order)."""
    return list(linker._settings_obj.comparisons)


def prior(linker: Any) -> float:
    """The probability that two random records match (the model's prior)."""
    return float(linker._settings_obj._probability_two_random_records_match)


def set_prior(linker: Any, value: float) -> None:
    """Set the model's prior (Splink sets it only by estimating it)."""
    linker._settings_obj._probability_two_random_records_match = value


def bundled_javascript() -> Traversable:
    """The folder of JavaScript libraries (Vega, Vega-Lite, vega-embed) that Splink ships for its
    charts, inside its ``internals`` package: ``splink/internals/files/external_js``."""
    return files("splink").joinpath("internals/files/external_js")


@contextmanager
def intermediate_columns_kept(linker: Any) -> Iterator[None]:
    """Within the block, Splink treats scored rows as holding the intermediate columns (the
    per-comparison weights a waterfall chart draws)."""
    settings = linker._settings_obj
    kept = settings._retain_intermediate_calculation_columns
    settings._retain_intermediate_calculation_columns = True
    try:
        yield
    finally:
        settings._retain_intermediate_calculation_columns = kept


def em_session(linker: Any, rule: Any, *, iterate_on_driver: bool = False) -> None:
    """One EM session on ``rule``. Splink 5 drops the comparisons a session cannot train from the
    linker's own settings and only puts them back when the session succeeds: a session that
    raises (``m_probability ... below the minimum allowed value``) would leave the model
    without them, every pair would score low and every record would stay alone. They (and the
    prior) are restored here when it raises.

    ``iterate_on_driver``: the engine counts the session's agreement patterns (one query) and
    the iterations run on them in an in-process DuckDB (:func:`_em_iterations_on_driver`),
    instead of one engine query per iteration."""
    settings = linker._settings_obj
    kept, kept_prior = list(settings.comparisons), settings._probability_two_random_records_match
    original = getattr(splink_em_session, _EM_LOOP)
    if iterate_on_driver:
        setattr(splink_em_session, _EM_LOOP, _em_iterations_on_driver)
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=2e6, record_sample_proportion=0.1
        )
    except BaseException:
        settings.comparisons = kept
        settings._probability_two_random_records_match = kept_prior
        raise
    finally:
        setattr(splink_em_session, _EM_LOOP, original)


#: Splink's EM loop, by its name in the module that calls it (:func:`em_session` swaps it there
#: for the time of one session).
_EM_LOOP = "expectation_maximisation"
_SPLINK_EM = getattr(splink_em_session, _EM_LOOP)


def _em_iterations_on_driver(*, db_api: Any, estimate_without_term_frequencies: bool, **kwargs: Any) -> Any:
    """Splink's EM loop, its iterations run in an in-process DuckDB.

    Without term frequencies, every iteration of Splink's loop reads only the counts of the
    agreement patterns (a few hundred rows), but on Spark each is a job or three. Here the
    engine counts the patterns once; the pairs are re-made in DuckDB (each pattern repeated by
    its count) and Splink's own loop runs there, unchanged: it counts the same patterns and
    iterates with the same SQL as on the DuckDB engine."""
    if not estimate_without_term_frequencies:
        return _SPLINK_EM(db_api=db_api, estimate_without_term_frequencies=False, **kwargs)
    from splink.internals.expectation_maximisation import count_agreement_patterns_sql
    from splink.internals.pipeline import CTEPipeline

    comparisons = kwargs["core_model_settings"].comparisons
    pipeline = CTEPipeline([kwargs.pop("df_comparison_vector_values")])
    pipeline.enqueue_sql(count_agreement_patterns_sql(comparisons), "__splink__agreement_pattern_counts")
    counted = db_api.sql_pipeline_to_splink_dataframe(pipeline)
    try:
        patterns = counted.as_pyarrow_table()
    finally:
        counted.drop_table_from_database_and_remove_from_cache()
    gammas = ", ".join(DUCKDB.quote(c._gamma_column_name) for c in comparisons)
    with duckdb.connect() as con:
        con.register("dtks_patterns", patterns)
        name = "__splink__df_comparison_vectors"  # the name Splink's loop reads
        con.execute(
            f"CREATE TABLE {name} AS SELECT {gammas} FROM dtks_patterns, "
            "range(dtks_patterns.agreement_pattern_count)"
        ).fetchall()
        con.unregister("dtks_patterns")
        local = DuckDBAPI(connection=con)
        pairs = local.table_to_splink_dataframe(name, name)
        return _SPLINK_EM(
            db_api=local, estimate_without_term_frequencies=True, df_comparison_vector_values=pairs, **kwargs
        )


# -- a comparison level's learned parameters ----------------------------------------------------
def m_is_fixed(level: Any) -> bool:
    """The level's m probability is fixed (training leaves it)."""
    return bool(level._fix_m_probability)


def m_is_estimated(level: Any) -> bool:
    """Some training session estimated the level's m probability."""
    return bool(level._has_estimated_m_values)


def u_is_trained(level: Any) -> bool:
    """The level's u probability was estimated from random pairs."""
    return bool(level._u_is_trained)


def level_weight(level: Any) -> float:
    """The level's match weight: log2(m / u)."""
    return float(level._log2_bayes_factor)


def m_estimates(level: Any) -> int:
    """How many m estimates the training sessions recorded for the level."""
    return len(level._trained_m_probabilities)


def forget_m_estimates_after(level: Any, count: int, m_probability: float | None) -> None:
    """Undo the training sessions after the level's first ``count`` m estimates: drop their
    estimates and put back ``m_probability`` (the m it had then); a fixed m is left as it is."""
    del level._trained_m_probabilities[count:]
    if not m_is_fixed(level):
        level.m_probability = m_probability


@dataclass(frozen=True)
class TermFrequency:
    """How a level adjusts its weight by the frequency of the value: the column read, the
    adjustment's weight, the smallest u it uses, and log2 of the u of an exact match."""

    column: str
    weight: float
    minimum_u: float
    log2_u_exact: float


def term_frequency(level: Any, levels: list[Any]) -> TermFrequency | None:
    """The level's term-frequency adjustment (``levels``: every level of its comparison), or
    None (also for the null and else levels)."""
    if not level._has_tf_adjustments or level.is_null_level or level._is_else_level:
        return None
    return TermFrequency(
        column=level._tf_adjustment_input_column.unquote().name,
        weight=float(level._tf_adjustment_weight),
        minimum_u=float(level._tf_minimum_u_value),
        log2_u_exact=math.log2(level._u_probability_corresponding_to_exact_match(levels)),
    )


# -- the same samples on every engine -------------------------------------------------------------
def _patched(dialect: Dialect) -> dict[str, Any]:
    def hash_function_expression(self: Any, col_expression: str) -> str:
        return dialect.portable_hash(col_expression)

    def hash_bucket_expression(self: Any, col_expression: str, modulus: int) -> str:
        if modulus <= 0:
            raise ValueError("modulus must be positive")
        return f"({dialect.portable_hash(col_expression)} % {int(modulus)})"

    return {
        "hash_function_expression": hash_function_expression,
        "hash_bucket_expression": hash_bucket_expression,
    }


@contextmanager
def portable_sampling() -> Iterator[None]:
    """Make Splink's hash-based samples the same on DuckDB and Spark within the block."""
    saved: list[tuple[type, str, Any]] = []
    try:
        for cls, ours in ((SplinkDuckDBDialect, DUCKDB), (SplinkSparkDialect, SPARK)):
            for attr, fn in _patched(ours).items():
                saved.append((cls, attr, cls.__dict__.get(attr)))
                setattr(cls, attr, fn)
        yield
    finally:
        for cls, attr, original in reversed(saved):
            if original is None:
                delattr(cls, attr)
            else:
                setattr(cls, attr, original)


# -- u sampling in one pass per chunk ----------------------------------------------------------
@contextmanager
def u_sampling_in_one_pass(
    linker: Any, *, enabled: bool = True, on_driver: list[Any] | None = None
) -> Iterator[None]:
    """Within the block, Splink's ``estimate_u_using_random_sampling`` on ``linker`` runs one
    query per chunk for all comparisons, instead of one per chunk and comparison.

    Splink 5 estimates u comparison by comparison: a probe over 1/(10 ``num_chunks``) of the
    sampled pairs, then chunks (the pairs split by a hash of the right-hand record's id) until
    every level of the comparison has been seen ``min_count_per_level`` times. Its chunk
    function is replaced here by one that, on its first call, runs the same sequence for all
    comparisons at once: the probe for every comparison in one query, then chunk after chunk
    for the comparisons that still need pairs, each query scoring only those. It records each
    comparison's counts per chunk, and Splink's own loop (the early stop, the proportions), run
    unchanged, reads them: the same pairs are scored, the same chunks counted, the same u
    probabilities come out, in at most ``num_chunks + 1`` queries instead of up to
    ``(num_chunks + 1)`` times the number of comparisons.

    ``on_driver``: the same comparisons as Splink ``ComparisonCreator`` objects with DuckDB
    SQL. The sampled records (``max_pairs`` gives about 2,000 of them) are then fetched once
    from the engine and the chunks are counted in an in-process DuckDB, which scores pairs
    natively where Spark calls a Python function per string comparison. Within
    :func:`portable_sampling` both engines pick the same chunks, so the counts are the same."""
    original = splink_estimate_u._accumulate_u_counts_from_chunk_and_check_min_count
    if enabled:
        splink_estimate_u._accumulate_u_counts_from_chunk_and_check_min_count = _UCounts(linker, on_driver)
    try:
        yield
    finally:
        splink_estimate_u._accumulate_u_counts_from_chunk_and_check_min_count = original


class _UCounts:
    """Splink's u-chunk function, answered from counts made for all comparisons at once."""

    def __init__(self, linker: Any, on_driver: list[Any] | None = None) -> None:
        self.linker = linker
        self.on_driver = on_driver
        self.sample: str | None = None
        # (comparison, chunk number, number of chunks) -> [{comparison_vector_value, u_count}]
        self.counts: dict[tuple[str, int, int], list[dict[str, Any]]] = {}

    def __call__(
        self,
        *,
        df_sample: Any,
        comparison: Any,
        rhs_chunk_num: int,
        rhs_num_chunks: int,
        counts_accumulator: Any,
        min_count_per_level: int | None,
        probe_percent_of_max_pairs: float | None = None,
        **query: Any,
    ) -> bool:
        if self.sample != df_sample.physical_name:
            # the first call is the probe, or with a single chunk the only chunk
            num_chunks = rhs_num_chunks // 10 if probe_percent_of_max_pairs is not None else rhs_num_chunks
            if self.on_driver is None:
                self.counts = self._count_like_splink(df_sample, num_chunks, min_count_per_level, query)
            else:
                self.counts = self._count_on_driver(df_sample, num_chunks, min_count_per_level, query)
            self.sample = df_sample.physical_name
        key = (comparison.output_column_name, rhs_chunk_num, rhs_num_chunks)
        if key not in self.counts:  # not foreseen: counted on its own, as Splink would
            name = comparison.output_column_name
            column_info = self.linker._settings_obj.column_info_settings
            self.counts.update(
                self._chunk(df_sample, [comparison], rhs_chunk_num, rhs_num_chunks, query, column_info)
            )
            assert (name, rhs_chunk_num, rhs_num_chunks) in self.counts
        counts_accumulator.update_from_chunk_counts(self.counts[key])
        if min_count_per_level is None:
            return False
        return bool(counts_accumulator.all_levels_meet_min_u_count(min_count_per_level))

    def _count_on_driver(
        self, df_sample: Any, num_chunks: int, min_count: int | None, query: dict[str, Any]
    ) -> dict[tuple[str, int, int], list[dict[str, Any]]]:
        """:meth:`_count_like_splink` over the sampled records copied to an in-process DuckDB."""
        assert self.on_driver is not None
        records = df_sample.as_pyarrow_table()
        name = df_sample.templated_name
        with duckdb.connect() as con:
            con.register("dtks_sample", records)
            con.execute(f"CREATE TABLE {DUCKDB.quote(name)} AS SELECT * FROM dtks_sample").fetchall()
            con.unregister("dtks_sample")
            local = DuckDBAPI(connection=con)
            sample = local.table_to_splink_dataframe(name, name)
            column_info = replace(self.linker._settings_obj.column_info_settings, sql_dialect="duckdb")
            comparisons = [creator.get_comparison("duckdb") for creator in self.on_driver]
            for comparison in comparisons:
                comparison.column_info_settings = column_info
            query = {
                **query,
                "db_api": local,
                "unique_id_input_column": column_info.unique_id_input_column,
                "source_dataset_input_column": column_info.source_dataset_input_column,
            }
            return self._count_like_splink(
                sample, num_chunks, min_count, query, comparisons=comparisons, column_info=column_info
            )

    def _count_like_splink(
        self,
        df_sample: Any,
        num_chunks: int,
        min_count: int | None,
        query: dict[str, Any],
        *,
        comparisons: list[Any] | None = None,
        column_info: Any = None,
    ) -> dict[tuple[str, int, int], list[dict[str, Any]]]:
        """Splink's sequence (probe, then chunks until the early stop) for every comparison
        (the linker's, unless ``comparisons`` and their ``column_info`` are given)."""
        column_info = column_info or self.linker._settings_obj.column_info_settings
        # as Splink's u estimation does: a copy of the comparisons without term frequencies
        comparisons = deepcopy(list(comparisons or self.linker._settings_obj.comparisons))
        for comparison in comparisons:
            for level in comparison.comparison_levels:
                level._tf_adjustment_column = None
        counts: dict[tuple[str, int, int], list[dict[str, Any]]] = {}

        def enough(comparison: Any, chunks: list[tuple[int, int]]) -> bool:
            accumulator = splink_estimate_u._MUCountsAccumulator(comparison)
            for chunk, of in chunks:
                accumulator.update_from_chunk_counts(counts[(comparison.output_column_name, chunk, of)])
            return min_count is not None and bool(accumulator.all_levels_meet_min_u_count(min_count))

        pending = comparisons
        if num_chunks > 1:  # the probe
            counts.update(self._chunk(df_sample, pending, 1, num_chunks * 10, query, column_info))
            pending = [c for c in pending if not enough(c, [(1, num_chunks * 10)])]
        for chunk in range(1, num_chunks + 1):
            if not pending:
                break
            counts.update(self._chunk(df_sample, pending, chunk, num_chunks, query, column_info))
            done = [(k, num_chunks) for k in range(1, chunk + 1)]
            pending = [c for c in pending if not enough(c, done)]
        return counts

    def _chunk(
        self,
        df_sample: Any,
        comparisons: list[Any],
        chunk: int,
        num_chunks: int,
        query: dict[str, Any],
        column_info: Any,
    ) -> dict[tuple[str, int, int], list[dict[str, Any]]]:
        """One chunk of the sampled pairs (Splink's chunk filter), counted by the comparison
        vector value of each comparison in ``comparisons``: one query."""
        from splink.internals.pipeline import CTEPipeline
        from splink.internals.settings import Settings

        db_api = query["db_api"]
        id_columns = column_info.unique_id_input_columns
        blocking_cols = [name for column in id_columns for name in column.l_r_names_as_l_r]
        for comparison in comparisons:
            blocking_cols += [
                c for c in comparison._columns_to_select_for_blocking() if c not in blocking_cols
            ]
        cv_cols = Settings.columns_to_select_for_comparison_vector_values(
            unique_id_input_columns=id_columns,
            comparisons=comparisons,
            retain_matching_columns=False,
            additional_columns_to_retain=[],
        )
        pipeline = CTEPipeline(input_dataframes=[df_sample])
        if query["split_sqls"]:
            pipeline.enqueue_list_of_sqls(query["split_sqls"])
        pipeline.enqueue_list_of_sqls(
            splink_estimate_u._estimate_u_comparison_vector_sqls(
                db_api=db_api,
                input_tablename_l=query["input_tablename_sample_l"],
                input_tablename_r=query["input_tablename_sample_r"],
                link_type=query["link_type"],
                source_dataset_input_column=query["source_dataset_input_column"],
                unique_id_input_column=query["unique_id_input_column"],
                blocking_cols=blocking_cols,
                cv_cols=cv_cols,
                rhs_chunk_num=chunk,
                rhs_num_chunks=num_chunks,
            )
        )
        gammas = ", ".join(c._gamma_column_name for c in comparisons)
        pipeline.enqueue_sql(
            f"SELECT {gammas}, count(*) AS __dtks_pairs "
            f"FROM __splink__df_comparison_vectors GROUP BY {gammas}",
            "__splink__u_counts_of_chunk",
        )
        counted = db_api.sql_pipeline_to_splink_dataframe(pipeline)
        try:
            frame = counted.as_pandas_dataframe()
        finally:
            counted.drop_table_from_database_and_remove_from_cache()
        out = {}
        for comparison in comparisons:
            by_level = frame.groupby(comparison._gamma_column_name)["__dtks_pairs"].sum()
            out[(comparison.output_column_name, chunk, num_chunks)] = [
                {"comparison_vector_value": int(v), "u_count": float(n)} for v, n in by_level.items()
            ]
        return out


# -- Spark's lineage breaks ---------------------------------------------------------------------
_SPARK_API_CLASSES: dict[Callable[[Any], Any], type] = {}


def spark_api_checkpointing_with(checkpoint: Callable[[Any], Any]) -> type:
    """Splink's ``SparkAPI`` whose lineage breaks (``break_lineage_method="checkpoint"``) call
    ``checkpoint(df)`` instead of ``df.checkpoint()``.

    Splink checkpoints its large tables (blocked pairs, comparison vectors, predictions, term
    frequencies, clustering steps) with an eager ``checkpoint()`` of a DataFrame that is not
    cached, which computes each twice (:func:`dtks_link.backends.spark.checkpoint_once`). The
    subclass hands Splink's lineage-break method a wrapper whose ``checkpoint`` is the one given
    (importing this needs pyspark)."""
    if checkpoint not in _SPARK_API_CLASSES:
        from splink import SparkAPI

        class SparkAPICheckpointing(SparkAPI):
            def _break_lineage_and_repartition(
                self, spark_df: Any, templated_name: str, physical_name: str
            ) -> Any:
                out = super()._break_lineage_and_repartition(  # type: ignore[no-untyped-call]
                    _Checkpointing(spark_df, checkpoint), templated_name, physical_name
                )
                return out.frame if isinstance(out, _Checkpointing) else out

        _SPARK_API_CLASSES[checkpoint] = SparkAPICheckpointing
    return _SPARK_API_CLASSES[checkpoint]


class _Checkpointing:
    """A DataFrame whose eager ``checkpoint`` is the function given; every other attribute is the
    DataFrame's own."""

    def __init__(self, df: Any, checkpoint: Callable[[Any], Any]) -> None:
        self.frame = df
        self.checkpoint_function = checkpoint

    def checkpoint(self, eager: bool = True) -> Any:
        return self.checkpoint_function(self.frame) if eager else self.frame.checkpoint(eager=False)

    def repartition(self, *args: Any, **kwargs: Any) -> _Checkpointing:
        return _Checkpointing(self.frame.repartition(*args, **kwargs), self.checkpoint_function)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.frame, name)
