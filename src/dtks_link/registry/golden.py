"""Golden records: per field, the value that survives among a resident's records.

Rules: ``source_priority`` (the highest-priority source, Dukcapil first by default),
``most_recent`` (the record from the latest run), ``most_frequent`` (the value most records
agree on). Ties fall back to source priority, then record key. For ``nik`` a valid NIK always
beats an invalid one. Every value keeps its provenance (source and record id).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..backends.duckdb import quote_identifier as q
from ..errors import ConfigError

__all__ = ["RULES", "golden_sql"]

RULES = ("source_priority", "most_recent", "most_frequent")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def golden_sql(rules: Mapping[str, str], *, restrict: bool) -> str:
    """SQL over ``reg.records``/``reg.membership`` and temp tables ``__priority`` (source, rank)
    and, with ``restrict``, ``__wanted`` (resident_id)."""
    problems = [
        f"unknown survivorship rule {r!r} for {f!r}; use one of {RULES}"
        for f, r in rules.items()
        if r not in RULES
    ]
    if problems:
        raise ConfigError(problems, origin="survivorship rules")
    parts = []
    for column, rule in sorted(rules.items()):
        c = q(column)
        if rule == "source_priority":
            order = "__source_rank, run_id DESC, unique_id"
        elif rule == "most_recent":
            order = "run_id DESC, __source_rank, unique_id"
        else:
            order = "__frequency DESC, __source_rank, unique_id"
        if column == "nik":
            order = "NOT __nik_valid, " + order
        where = f"r.{c} IS NOT NULL"
        if restrict:
            where += " AND m.resident_id IN (SELECT resident_id FROM __wanted)"
        parts.append(
            f"SELECT resident_id, {_literal(column)} AS field, CAST(__value AS VARCHAR) AS value, "
            f"source, record_id, {_literal(rule)} AS rule FROM ("
            f"SELECT *, row_number() OVER (PARTITION BY resident_id ORDER BY {order}) AS __rank FROM ("
            f"SELECT m.resident_id, r.{c} AS __value, r.source, r.record_id, r.unique_id, r.run_id, "
            "coalesce(p.rank, 1000000) AS __source_rank, coalesce(r.nik_valid, false) AS __nik_valid, "
            f"count(*) OVER (PARTITION BY m.resident_id, r.{c}) AS __frequency "
            "FROM reg.records r JOIN reg.membership m USING (unique_id) "
            f"LEFT JOIN __priority p ON p.source = r.source WHERE {where})) WHERE __rank = 1"
        )
    return " UNION ALL ".join(parts) + " ORDER BY resident_id, field"
