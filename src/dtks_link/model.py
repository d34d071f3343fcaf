"""The resident matching model: Splink 5's Fellegi-Sunter model behind one ``fit``.

``ResidentModel.fit`` runs the whole unsupervised recipe: the prior (probability that two
random records match) from strict deterministic rules, u probabilities by random sampling, and
m probabilities by EM on complementary blocking rules. Learned state ends in ``_``.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from splink import Linker, SettingsCreator

from .backends import splink_compat
from .backends.duckdb import DuckDBEngine
from .backends.engine import Engine
from .blocking import BlockingRule, KeyPart, default_blocking_rules, rules_in_settings
from .comparisons import COMPARISONS, default_comparisons
from .config import LinkageOptions
from .default_parameters import apply_default_parameters, default_model_description, default_prior
from .errors import EngineError, mask_identifier, mask_numbers
from .rules import DUCKDB
from .schema import IDENTIFIER_FIELDS, column_types
from .training import calibrate, estimate_prior, levels, refine_prior, took

__all__ = ["ResidentModel", "columns_with_data"]

logger = logging.getLogger(__name__)

#: Standardised columns that comparisons and blocking may use: the column table's "match" group.
MODEL_COLUMNS: tuple[str, ...] = tuple(column_types(group="match"))


def _rule(name: str, *columns: str) -> BlockingRule:
    """An equality rule on whole columns."""
    return BlockingRule(name=name, parts=tuple(KeyPart(c) for c in columns))


#: Strict rules that admit almost no false matches: used to estimate the prior.
_DETERMINISTIC = (
    _rule("nik_name", "nik", "nama_key"),
    _rule("name_birth_date_kelurahan", "nama_key", "birth_date", "kelurahan_code"),
    _rule("other_identifier_name", "id_lain", "nama_key"),
    _rule("name_birth_date_postcode", "nama_key", "birth_date", "kode_pos"),
)

#: EM training rules: each trains the comparisons that read none of its columns (Splink's
#: rule). Run in order while they still train a comparison no earlier session trained; the
#: rules after the first :data:`_CORE_EM_RULES` are fallbacks for data without NIK or Depok
#: addresses (any name + birth date data).
_EM_RULES = (
    _rule("nik", "nik"),
    _rule("other_identifier", "id_lain"),
    _rule("name_birth_year", "nama_key", "birth_year"),
    _rule("birth_date_kelurahan", "birth_date", "kelurahan_code"),
    _rule("name_kelurahan", "nama_key", "kelurahan_code"),
    _rule("birth_date", "birth_date"),
    _rule("name", "nama_key"),
)
_CORE_EM_RULES = 5

#: Rules that pair records of one household, for :meth:`ResidentModel._household_session`.
_HOUSEHOLD_RULES = (
    _rule("kk", "no_kk"),
    _rule("rt", "kelurahan_code", "rw", "rt"),
    _rule("street", "street"),
)


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


class ResidentModel:
    """Fellegi-Sunter model for residents, trained without labels.

    >>> model = ResidentModel()                      # doctest: +SKIP
    >>> model.fit(db_api, "records")                 # doctest: +SKIP
    >>> pairs = model.predict(threshold=0.05)        # doctest: +SKIP

    After ``fit``: ``linker_`` (the Splink linker), ``settings_`` (the model as a dict, the same
    JSON ``save`` writes), ``blocking_rules_``, ``training_log_`` (what each step did),
    ``model_kind_`` (``"trained"`` or ``"default"``) and ``parameter_sources_`` (per
    comparison: ``"EM"``, or where its parameters came from when no EM session could train it).

    Training never fails silently: a comparison that no EM session could train takes its m
    probabilities from the default model shipped with the package
    (:mod:`dtks_link.default_model`), and the log says so. With ``options.model = "default"``,
    or fewer than :data:`MIN_RECORDS_TO_TRAIN` records, the whole default model is used.
    """

    def __init__(self, *, options: LinkageOptions | None = None) -> None:
        self.options = options or LinkageOptions()
        self.linker_: Linker | None = None
        self.settings_: dict[str, Any] | None = None
        self.blocking_rules_: list[BlockingRule] = []
        self.training_log_: list[str] = []
        self.model_kind_: str | None = None
        self.parameter_sources_: dict[str, str] = {}
        self.deterministic_rules_: list[str] = []
        self._deterministic: list[BlockingRule] = []
        self._engine: Engine | None = None
        self._splink_api: Any = None
        self._records_table: str | None = None

    # -- training -------------------------------------------------------------------------
    def fit(self, engine: Engine, records_table: str, *, labels: pd.DataFrame | None = None) -> ResidentModel:
        """Train on the standardised ``records_table`` of ``engine`` (DuckDB or Spark).

        With ``labels`` (``source_l, record_id_l, source_r, record_id_r, is_match``, e.g. from
        clerical review), the labelled matches give one more estimate of the m probabilities,
        beside the EM sessions' (Splink keeps the median per level).

        Splink's samples are drawn with an engine-independent hash
        (:func:`~dtks_link.backends.splink_compat.portable_sampling`), so the same data
        gives the same model on DuckDB and on Spark.
        """
        with splink_compat.portable_sampling():
            return self._fit(engine, records_table, labels=labels)

    def _fit(self, engine: Engine, records_table: str, *, labels: pd.DataFrame | None) -> ResidentModel:
        db_api = engine.splink_api()
        self._engine, self._splink_api, self._records_table = engine, db_api, records_table
        with_data = columns_with_data(engine, records_table)
        comparisons = default_comparisons(with_data, dialect=engine.dialect)
        if not comparisons:
            raise EngineError("no comparable field holds data: map at least a name, NIK or birth date")
        self.blocking_rules_ = default_blocking_rules(with_data)
        if not self.blocking_rules_:
            raise EngineError(
                "no blocking rule can be built from the fields present; map at least a NIK, "
                "or a name together with a birth date or kelurahan"
            )
        comparison_list: list[Any] = list(comparisons)
        rule_list: list[Any] = [splink_compat.blocking_rule(r, engine.dialect) for r in self.blocking_rules_]
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
        self.linker_ = linker
        n_records = int(engine.rows(f"SELECT count(*) FROM {engine.quote(records_table)}")[0][0])
        self._deterministic = [rule for rule in _DETERMINISTIC if set(rule.columns) <= with_data]
        self.deterministic_rules_ = [rule.condition for rule in self._deterministic]
        estimate_prior(linker, engine.dialect, self._deterministic, n_records, self.training_log_)
        if self.options.model == "default" or n_records < MIN_RECORDS_TO_TRAIN:
            reason = (
                '[linkage] model = "default"'
                if self.options.model == "default"
                else f"{n_records} records are too few to train on (fewer than {MIN_RECORDS_TO_TRAIN})"
            )
            self.parameter_sources_ = apply_default_parameters(linker, use_u=True)
            splink_compat.set_prior(linker, default_prior())
            self.model_kind_ = "default"
            self.training_log_.append(f"default model ({default_model_description()}): {reason}")
            self.settings_ = linker.misc.save_model_to_json()
            return self
        engine.keep_in_memory(records_table)  # every training step reads it
        step = time.perf_counter()
        try:
            with splink_compat.u_sampling_in_one_pass(
                linker,
                enabled=engine.few_large_queries,
                on_driver=default_comparisons(with_data, dialect=DUCKDB)
                if engine.few_large_queries
                else None,
            ):
                training.estimate_u_using_random_sampling(
                    max_pairs=self.options.max_pairs_for_u, seed=self.options.seed
                )
            self.training_log_.append(
                f"u by random sampling (max_pairs={self.options.max_pairs_for_u:g}){took(step)}"
            )
        except Exception as exc:  # Splink raises plain exceptions
            self.training_log_.append(f"u by random sampling failed ({exc}); u from the default model")
            logger.warning("u sampling failed (%s); u probabilities from the default model", exc)
            apply_default_parameters(linker, use_u=True, use_m=False)
        present = {spec.name: spec.uses for spec in COMPARISONS.values() if spec.columns_present(with_data)}
        untrained = set(present)
        for position, rule in enumerate(_EM_RULES):
            if not set(rule.columns) <= with_data:
                continue
            trains = {name for name, uses in present.items() if not uses & set(rule.columns)}
            fallback = position >= _CORE_EM_RULES
            if not trains or (fallback and not trains & untrained):
                continue
            step = time.perf_counter()
            try:
                splink_compat.em_session(
                    linker,
                    splink_compat.blocking_rule(rule, engine.dialect),
                    iterate_on_driver=engine.few_large_queries,
                )
                untrained -= trains
                self.training_log_.append(f"EM on {rule.condition}{took(step)}")
            except Exception as exc:  # Splink raises plain exceptions when a rule finds nothing
                self.training_log_.append(f"EM on {rule.condition} skipped: {mask_numbers(str(exc))}")
                logger.warning("EM session on %s skipped: %s", rule.condition, mask_numbers(str(exc)))
        self._household_session(linker, engine, with_data)
        labelled = labels is not None and bool(labels["is_match"].any())
        if labels is not None and labelled:
            # reviewed matches are one more estimate of m, beside the EM sessions' (Splink keeps
            # the median per level): a few dozen reviewed pairs cannot observe every level
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
            self.training_log_.append(f"m also from {len(table)} labelled matching pairs")
        self.training_log_.extend(calibrate(linker))
        refine_prior(linker, engine, records_table, n_records, self._deterministic, self.training_log_)
        self.parameter_sources_ = {name: "EM" for name in present if name not in untrained}
        if untrained:
            try:
                borrowed = apply_default_parameters(linker, comparisons=untrained, use_u=False)
            except EngineError as exc:
                borrowed = {}
                logger.warning("%s", exc)
            self.parameter_sources_.update(borrowed)
            for name in sorted(untrained):
                source = borrowed.get(name, "none: neutral")
                self.training_log_.append(f"{name}: no EM session could train it; m from {source}")
                logger.warning("comparison %s: no EM session could train it; m from %s", name, source)
        self.model_kind_ = "trained"
        self.settings_ = linker.misc.save_model_to_json()
        return self

    def _household_session(self, linker: Linker, engine: Engine, with_data: set[str]) -> None:
        """Learn how often a shared identifier with disagreeing names, birth dates or sexes
        (the borrowed-identifier levels) belongs to one person, from pairs of one household.

        The other EM rules block on a name or a birth date, so such pairs never meet them.
        Among records of one KK or address, EM sees family members (two people) beside true
        matches: where families share identifiers (Dinas Sosial's carer lists) it learns a
        small m, where records of one address are one person (FEBRL) a large one. Only the
        borrowed levels keep what this session learns; every other level keeps the estimates
        of the sessions above."""
        rule = next((r for r in _HOUSEHOLD_RULES if set(r.columns) <= with_data), None)
        borrowed = {
            (spec.name, level.label)
            for spec in COMPARISONS.values()
            for level in spec.levels
            if level.u_like and spec.columns_present(with_data)
        }
        if rule is None or not borrowed:
            return
        before = {
            key: (splink_compat.m_estimates(level), level.m_probability)
            for key, level in levels(linker).items()
        }
        step = time.perf_counter()
        try:
            splink_compat.em_session(
                linker,
                splink_compat.blocking_rule(rule, engine.dialect),
                iterate_on_driver=engine.few_large_queries,
            )
        except Exception as exc:  # Splink raises plain exceptions
            self.training_log_.append(
                f"EM on {rule.condition} (borrowed identifiers) skipped: {mask_numbers(str(exc))}"
            )
            return
        # Splink replaces the linker's settings with the session's copy: the level objects
        # are looked up again, those captured before the session are no longer the model's
        for key, level in levels(linker).items():
            if key not in borrowed and key in before:
                entries, m_probability = before[key]
                splink_compat.forget_m_estimates_after(level, entries, m_probability)
        self.training_log_.append(
            f"EM on {rule.condition}, for the borrowed-identifier levels only{took(step)}"
        )

    # -- scoring --------------------------------------------------------------------------
    def predict(self, *, threshold: float | None = None) -> Any:
        """Score all candidate pairs; return Splink's SplinkDataFrame of pairs at or above
        ``threshold`` match probability (default: the options' ``pair_threshold``)."""
        linker = self._require_fitted()
        cutoff = self.options.pair_threshold if threshold is None else threshold
        return linker.inference.predict(threshold_match_probability=cutoff)

    def check_scores(self, predictions_table: str, *, match_threshold: float) -> str | None:
        """Whether the scored pairs are plausible; a description of the problem if not.

        Implausible: blocking produced candidate pairs but none was scored (at or above the
        pair threshold); or, of the pairs that the strict deterministic rules (the ones the
        prior is estimated from: NIK and name, name + birth date + kelurahan, ...) call one
        resident, fewer than :data:`PLAUSIBLE_SHARE` score at or above ``match_threshold``.
        Either means training went wrong (typically comparisons left untrained)."""
        engine = self._engine
        if engine is None or self._records_table is None:
            raise EngineError("the model is not fitted yet: call fit() first")
        d = engine.dialect
        records, scored = engine.quote(self._records_table), engine.quote(predictions_table)
        n_scored = int(engine.rows(f"SELECT count(*) FROM {scored}")[0][0])
        if n_scored == 0:
            for rule in self.blocking_rules_:
                found = engine.rows(
                    f"SELECT count(*) FROM (SELECT 1 FROM {records} l JOIN {records} r "
                    f"ON {rule.sql_in(d)} AND l.unique_id < r.unique_id LIMIT 1) x"
                )
                if int(found[0][0]):
                    return "blocking produced candidate pairs but not one scored as a possible match"
            return None
        if not self._deterministic:
            return None
        union = " UNION ".join(
            f"SELECT l.unique_id AS a, r.unique_id AS b FROM {records} l JOIN {records} r "
            f"ON {rule.sql_in(d)} AND l.unique_id < r.unique_id"
            for rule in self._deterministic
        )
        total, kept = engine.rows(
            f"SELECT count(*), count(p.a) FROM ({union}) d LEFT JOIN (SELECT least(unique_id_l, "
            "unique_id_r) AS a, greatest(unique_id_l, unique_id_r) AS b FROM "
            f"{scored} WHERE match_probability >= ?) p ON d.a = p.a AND d.b = p.b",
            [match_threshold],
        )[0]
        total, kept = int(total), int(kept)
        if total >= 10 and kept < PLAUSIBLE_SHARE * total:
            return (
                f"only {kept:,} of the {total:,} pairs that the strict deterministic rules call one "
                f"resident score at or above the match threshold {match_threshold}"
            )
        return None

    def parameters(self) -> pd.DataFrame:
        """The learned parameters: one row per comparison level with m, u and match weight."""
        linker = self._require_fitted()
        rows = []
        for comparison in splink_compat.comparisons(linker):
            for level in comparison.comparison_levels:
                if level.is_null_level:
                    continue
                rows.append(
                    {
                        "comparison": comparison.output_column_name,
                        "level": level.label_for_charts,
                        "m_probability": level.m_probability,
                        "u_probability": level.u_probability,
                        "match_weight": splink_compat.level_weight(level),
                    }
                )
        return pd.DataFrame(rows)

    def save(self, path: str | Path) -> None:
        """Write the trained model as Splink JSON (Splink's own ``Linker`` can read it too)."""
        if self.settings_ is None:
            raise EngineError("the model is not fitted yet: call fit() first")
        Path(path).write_text(json.dumps(self.settings_, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, *, options: LinkageOptions | None = None) -> ResidentModel:
        """Read a model written by :meth:`save`. Call :meth:`attach` before predicting."""
        try:
            settings = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot read a saved model from {path}: {exc}") from exc
        if not isinstance(settings, dict) or "comparisons" not in settings:
            raise EngineError(f"{path} is not a saved dtks_link/Splink model (no 'comparisons')")
        model = cls(options=options)
        model.settings_ = settings
        model.blocking_rules_ = rules_in_settings(settings)
        model.training_log_ = [f"loaded from {path}"]
        return model

    def attach(self, records: Any, *, engine: Engine | None = None) -> ResidentModel:
        """Bind the trained model to standardised records, to predict or explain pairs.

        ``records`` is a table name of ``engine``, or a DataFrame or Arrow table of
        standardised records (``LinkResult.records`` from ``link(..., keep_records=True)``),
        which is loaded into ``engine`` (by default a new in-memory DuckDB). Term frequencies
        come from these records.
        """
        if self.settings_ is None:
            raise EngineError("the model is not fitted yet: call fit() or load() first")
        if isinstance(records, str):
            if engine is None:
                raise EngineError("attach(table_name) needs the engine that holds the table")
            table = records
        else:
            if engine is None:
                from .backends.duckdb import connect

                engine = DuckDBEngine(connect())
            table = "__model_records"
            engine.load_frame(table, records)
        db_api = engine.splink_api()
        self._engine, self._splink_api, self._records_table = engine, db_api, table
        self.linker_ = Linker(db_api.register(table), self.settings_, log_level=logging.ERROR)
        return self

    # -- explaining ---------------------------------------------------------------------------
    def score_pair(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> dict[str, Any]:
        """Score two standardised records (dicts, e.g. rows of ``LinkResult.records``) with
        Splink and return its full comparison row: ``match_weight``, ``match_probability``
        and per comparison its level (``gamma_*``) and match weight (``mw_*``, with the
        term-frequency adjustment in ``mw_tf_adj_*``)."""
        linker = self._require_fitted()
        engine, db_api = self._engine, self._splink_api
        if engine is None or db_api is None or self._records_table is None:
            raise EngineError("attach the model to records first: model.attach(result.records)")
        try:
            types = engine.columns(self._records_table)
        except engine.errors as exc:
            raise EngineError(
                "the model's records are gone (the linking run closed its database): "
                "attach it again with model.attach(result.records) from link(..., keep_records=True)"
            ) from exc
        tables = []
        for side, record in (("l", left), ("r", right)):
            name = f"__explain_{side}"
            values = _pair_record(record, side)
            row = ", ".join(f"CAST(? AS {sql_type}) AS {engine.quote(c)}" for c, sql_type in types.items())
            engine.create_table(name, f"SELECT {row}", [values.get(c) for c in types])
            tables.append(db_api.register(name))
        rows = linker.inference.score_pair(tables[0], tables[1]).as_record_list()
        if not rows:
            raise EngineError("Splink returned no score for this pair")
        return dict(rows[0])

    def explain(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> str:
        """A plain-text explanation of a pair's match weight, one comparison at a time.

        It names levels and weights only, never values, so it is safe for logs and service
        responses (no NIK, KK or name appears in it)::

            match weight +31.20 (probability 1.000000) = prior -13.10; NIK: Exact NIK +16.42
            (term frequency -0.61); Name: Equal name key +11.02; ...
        """
        row = self.score_pair(left, right)
        linker = self._require_fitted()
        prior = splink_compat.prior(linker)
        parts = [f"prior {math.log2(prior / (1 - prior)):+.2f}"]
        for comparison in splink_compat.comparisons(linker):
            name = comparison.output_column_name
            gamma = row.get(f"gamma_{name}")
            level = next(
                (lv for lv in comparison.comparison_levels if lv.comparison_vector_value == gamma), None
            )
            label = level.label_for_charts if level is not None else f"level {gamma}"
            spec = COMPARISONS.get(name)
            description = spec.description if spec is not None else name
            if level is None or level.is_null_level:
                parts.append(f"{description}: null (no evidence)")
                continue
            weight = float(row.get(f"mw_{name}") or 0.0)
            text = f"{description}: {label} {weight:+.2f}"
            tf = float(row.get(f"mw_tf_adj_{name}") or 0.0)
            if tf != 0.0:
                text += f" (term frequency {tf:+.2f})"
            parts.append(text)
        weight_total, probability = float(row["match_weight"]), float(row["match_probability"])
        head = f"match weight {weight_total:+.2f} (probability {probability:.6f})"
        return f"{head} = " + "; ".join(parts)

    def waterfall_chart(
        self, left: Mapping[str, Any], right: Mapping[str, Any], *, show_values: bool = False
    ) -> Any:
        """Splink's waterfall chart of a pair's match weights (an Altair chart).

        By default the chart carries weights only; ``show_values=True`` adds the compared
        values, with NIK, KK and other identifiers masked (``3276********0001``)."""
        row = self.score_pair(left, right)
        if show_values:
            for key in list(row):
                base = key.removesuffix("_l").removesuffix("_r")
                if base in IDENTIFIER_FIELDS and row[key] is not None:
                    row[key] = mask_identifier(row[key])
        linker = self._require_fitted()
        with splink_compat.intermediate_columns_kept(linker):  # the row above has them
            return linker.visualisations.waterfall_chart([row], remove_sensitive_data=not show_values)

    def _require_fitted(self) -> Linker:
        if self.linker_ is None:
            raise EngineError("the model is not fitted yet: call fit() first")
        return self.linker_


#: Share of the deterministic rules' pairs that must score as matches for the model to be
#: plausible (:meth:`ResidentModel.check_scores`).
PLAUSIBLE_SHARE = 0.5

#: Below this many records, EM has too little to learn from: the default model is used.
MIN_RECORDS_TO_TRAIN = 200


def _pair_record(record: Mapping[str, Any], side: str) -> dict[str, Any]:
    """A record for Splink's score_pair: the standardised columns, with a unique_id."""
    out = {k: _plain(v) for k, v in record.items() if not k.startswith("__")}
    out.setdefault("unique_id", f"__explain_{side}")
    return out


def _plain(value: Any) -> Any:
    """A DataFrame cell as a plain Python value: missing values (NaN, NaT, NA) as None,
    timestamps as dates, numpy scalars as Python scalars."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return _plain(value.item())
    return value
