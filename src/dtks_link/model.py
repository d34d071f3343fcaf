"""The resident matching model: Splink 5's Fellegi-Sunter model behind one ``fit``.

``ResidentModel.fit`` runs the whole unsupervised recipe: the prior (probability that two
random records match) from strict deterministic rules, u probabilities by random sampling, and
m probabilities by EM on complementary blocking rules. Learned state ends in ``_``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.blocking_rule_library import CustomRule

from .backends.duckdb import DuckDBEngine
from .backends.engine import Engine
from .backends.splink_sampling import portable_sampling
from .blocking import SAME_SOURCE_GUARD, BlockingRule, default_blocking_rules
from .comparisons import COMPARISONS, default_comparisons
from .config import LinkageOptions
from .errors import EngineError

__all__ = ["ResidentModel", "columns_with_data"]

logger = logging.getLogger(__name__)

#: Standardised columns that comparisons and blocking may use.
MODEL_COLUMNS: tuple[str, ...] = (
    "nik",
    "nama_key",
    "nama_tokens_key",
    "nama_phonetic",
    "birth_date",
    "birth_year",
    "sex",
    "kelurahan_code",
    "kecamatan_code",
    "no_kk",
    "nama_ibu_key",
    "tempat_lahir",
    "telepon",
)

#: Strict rules that admit almost no false matches: used to estimate the prior.
_DETERMINISTIC = (
    ('l."nik" = r."nik" AND l."nama_key" = r."nama_key"', ("nik", "nama_key")),
    (
        'l."nama_key" = r."nama_key" AND l."birth_date" = r."birth_date" '
        'AND l."kelurahan_code" = r."kelurahan_code"',
        ("nama_key", "birth_date", "kelurahan_code"),
    ),
)

#: EM training rules: each trains the comparisons whose columns it does not use.
#: Run in order while they still train a comparison no earlier session trained; the last two
#: are fallbacks for data without NIK or Depok addresses (any name + birth date data).
_EM_RULES = (
    ('l."nik" = r."nik"', ("nik",)),
    ('l."nama_key" = r."nama_key" AND l."birth_year" = r."birth_year"', ("nama_key", "birth_year")),
    (
        'l."birth_date" = r."birth_date" AND l."kelurahan_code" = r."kelurahan_code"',
        ("birth_date", "kelurahan_code"),
    ),
    ('l."birth_date" = r."birth_date"', ("birth_date",)),
    ('l."nama_key" = r."nama_key"', ("nama_key",)),
)
_CORE_EM_RULES = 3


def columns_with_data(con: duckdb.DuckDBPyConnection | Engine, table: str) -> set[str]:
    """The model columns of ``table`` that hold at least one non-null value."""
    engine = DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    present = set(engine.columns(table))
    candidates = [c for c in MODEL_COLUMNS if c in present]
    if not candidates:
        return set()
    counts = engine.rows(
        "SELECT "
        + ", ".join(f"count({engine.quote(c)})" for c in candidates)
        + f" FROM {engine.quote(table)}"
    )[0]
    return {c for c, n in zip(candidates, counts, strict=True) if n}


def _engine_of(db_api: Any) -> Engine:
    """The engine behind a Splink database API (DuckDB connection or Spark session)."""
    if db_api.sql_dialect.sql_dialect_str == "spark":
        from .backends.spark import SparkEngine

        return SparkEngine(db_api.spark)
    return DuckDBEngine(db_api._con)


class ResidentModel:
    """Fellegi-Sunter model for residents, trained without labels.

    >>> model = ResidentModel()                      # doctest: +SKIP
    >>> model.fit(db_api, "records")                 # doctest: +SKIP
    >>> pairs = model.predict(threshold=0.05)        # doctest: +SKIP

    After ``fit``: ``linker_`` (the Splink linker), ``settings_`` (the model as a dict, the same
    JSON ``save`` writes), ``blocking_rules_`` and ``training_log_`` (what each step did).
    """

    def __init__(self, *, options: LinkageOptions | None = None) -> None:
        self.options = options or LinkageOptions()
        self.linker_: Linker | None = None
        self.settings_: dict[str, Any] | None = None
        self.blocking_rules_: list[BlockingRule] = []
        self.training_log_: list[str] = []

    # -- training -------------------------------------------------------------------------
    def fit(
        self, db_api: DuckDBAPI, records_table: str, *, labels: pd.DataFrame | None = None
    ) -> ResidentModel:
        """Train on the standardised ``records_table`` registered on ``db_api``'s connection
        (a Splink ``DuckDBAPI`` or ``SparkAPI``).

        With ``labels`` (``source_l, record_id_l, source_r, record_id_r, is_match``, e.g. from
        clerical review), m probabilities come from the labelled matches instead of EM.

        Splink's samples are drawn with an engine-independent hash
        (:func:`~dtks_link.backends.splink_sampling.portable_sampling`), so the same data
        gives the same model on DuckDB and on Spark.
        """
        with portable_sampling():
            return self._fit(db_api, records_table, labels=labels)

    def _fit(self, db_api: DuckDBAPI, records_table: str, *, labels: pd.DataFrame | None) -> ResidentModel:
        dialect = db_api.sql_dialect.sql_dialect_str
        with_data = columns_with_data(_engine_of(db_api), records_table)
        comparisons = default_comparisons(with_data, dialect=dialect)
        if not comparisons:
            raise EngineError("no comparable field holds data: map at least a name, NIK or birth date")
        self.blocking_rules_ = default_blocking_rules(with_data)
        if not self.blocking_rules_:
            raise EngineError(
                "no blocking rule can be built from the fields present; map at least a NIK, "
                "or a name together with a birth date or kelurahan"
            )
        comparison_list: list[Any] = list(comparisons)
        rule_list: list[Any] = [_rule(r.sql) for r in self.blocking_rules_]
        settings = SettingsCreator(
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=comparison_list,
            blocking_rules_to_generate_predictions=rule_list,
            additional_columns_to_retain=["source", "record_id"],
            retain_intermediate_calculation_columns=False,
            max_iterations=self.options.em_max_iterations,
            em_convergence=0.001,
        )
        sdf = db_api.register(records_table)
        linker = Linker(sdf, settings, log_level=logging.ERROR)
        training = linker.training

        deterministic = [rule for rule, cols in _DETERMINISTIC if set(cols) <= with_data]
        if deterministic:
            guarded: list[Any] = [_rule(f"({rule}) AND {_guard()}") for rule in deterministic]
            training.estimate_probability_two_random_records_match(guarded, recall=0.8)
            self.training_log_.append(f"prior from {len(guarded)} deterministic rule(s)")
        training.estimate_u_using_random_sampling(
            max_pairs=self.options.max_pairs_for_u, seed=self.options.seed
        )
        self.training_log_.append(f"u by random sampling (max_pairs={self.options.max_pairs_for_u:g})")
        if labels is not None and bool(labels["is_match"].any()):
            positives = labels[labels["is_match"].astype(bool)]
            table = pd.DataFrame(
                {
                    "unique_id_l": positives["source_l"].astype(str)
                    + "|"
                    + positives["record_id_l"].astype(str),
                    "unique_id_r": positives["source_r"].astype(str)
                    + "|"
                    + positives["record_id_r"].astype(str),
                }
            )
            training.estimate_m_from_pairwise_labels(db_api.register(table))  # type: ignore[no-untyped-call]
            self.training_log_.append(f"m from {len(table)} labelled matching pairs")
            self.training_log_.extend(_calibrate(linker))
            self.linker_ = linker
            self.settings_ = linker.misc.save_model_to_json()
            return self
        sessions = 0
        present = {spec.name: spec.uses for spec in COMPARISONS.values() if spec.columns_present(with_data)}
        untrained = set(present)
        for position, (rule, cols) in enumerate(_EM_RULES):
            if not set(cols) <= with_data:
                continue
            trains = {name for name, uses in present.items() if not uses & set(cols)}
            fallback = position >= _CORE_EM_RULES
            if not trains or (fallback and not trains & untrained):
                continue
            try:
                training.estimate_parameters_using_expectation_maximisation(
                    _rule(f"({rule}) AND {_guard()}"),
                    estimate_without_term_frequencies=True,
                    max_pairs=2e6,
                    record_sample_proportion=0.1,
                )
                sessions += 1
                untrained -= trains
                self.training_log_.append(f"EM on {rule}")
            except Exception as exc:  # Splink raises plain exceptions when a rule finds nothing
                self.training_log_.append(f"EM on {rule} skipped: {exc}")
                logger.warning("EM session on %s skipped: %s", rule, exc)
        if sessions == 0:
            raise EngineError("no EM training session could run on this data")
        self.training_log_.extend(_calibrate(linker))
        self.linker_ = linker
        self.settings_ = linker.misc.save_model_to_json()
        return self

    # -- scoring --------------------------------------------------------------------------
    def predict(self, *, threshold: float | None = None) -> Any:
        """Score all candidate pairs; return Splink's SplinkDataFrame of pairs at or above
        ``threshold`` match probability (default: the options' ``pair_threshold``)."""
        linker = self._require_fitted()
        cutoff = self.options.pair_threshold if threshold is None else threshold
        return linker.inference.predict(threshold_match_probability=cutoff)

    def parameters(self) -> pd.DataFrame:
        """The learned parameters: one row per comparison level with m, u and match weight."""
        linker = self._require_fitted()
        rows = []
        for comparison in linker._settings_obj.comparisons:
            for level in comparison.comparison_levels:
                if level.is_null_level:
                    continue
                rows.append(
                    {
                        "comparison": comparison.output_column_name,
                        "level": level.label_for_charts,
                        "m_probability": level.m_probability,
                        "u_probability": level.u_probability,
                        "match_weight": level._log2_bayes_factor,
                    }
                )
        return pd.DataFrame(rows)

    def save(self, path: str | Path) -> None:
        """Write the trained model as Splink JSON."""
        if self.settings_ is None:
            raise EngineError("the model is not fitted yet: call fit() first")
        Path(path).write_text(json.dumps(self.settings_, indent=2), encoding="utf-8")

    def _require_fitted(self) -> Linker:
        if self.linker_ is None:
            raise EngineError("the model is not fitted yet: call fit() first")
        return self.linker_


#: Lowest m probability a level keeps after EM. EM can drive the m of a rarely disagreeing
#: field (mother's name, birthplace) to ~1e-20, which would veto a match on one typo.
M_FLOOR = 1e-3


def _calibrate(linker: Linker) -> list[str]:
    """Make the trained model safe on data it has not seen:

    - a level EM never observed keeps no default m: its m is set to its u (weight 0), so an
      unobserved pattern is neutral instead of carrying Splink's arbitrary default weight;
    - every m is floored at :data:`M_FLOOR`, bounding how strongly one field can veto a match.
    """
    notes = []
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            if not level._has_estimated_m_values and level._u_is_trained:
                level.m_probability = level.u_probability
                notes.append(
                    f"{comparison.output_column_name}: '{level.label_for_charts}' unobserved, neutral"
                )
                continue
            m = level.m_probability
            if m is not None and m < M_FLOOR:
                level.m_probability = M_FLOOR
                notes.append(f"{comparison.output_column_name}: '{level.label_for_charts}' m floored")
    return notes


def _guard() -> str:
    return SAME_SOURCE_GUARD


def _rule(sql: str) -> Any:
    """A blocking rule written in DuckDB SQL, translated by Splink for the engine in use."""
    return CustomRule(sql, sql_dialect="duckdb")
