"""Data-quality profile per source: how often each problem occurs, as a table and a chart.

:func:`quality_profile` runs one aggregate query over a standardised table (any table with a
``source`` column and the columns of :data:`~dtks_link.standardise.OUTPUT_COLUMNS`) and
returns one row per source and check: ``source``, ``check``, ``description``, ``records``,
``flagged``, ``rate`` (flagged / records). Checks whose columns the table lacks are left out.
:func:`quality_chart` draws it for notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..backends.duckdb import as_engine
from ..errors import EngineError
from ..rules import Expr, Renderer, coalesce, col, not_, or_
from .nik import KK_PROBLEMS, NIK_PROBLEMS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QUALITY_CHECKS", "QualityCheck", "quality_chart", "quality_profile"]


@dataclass(frozen=True, kw_only=True)
class QualityCheck:
    """One problem counted by :func:`quality_profile`: a condition written as a rule (so it
    renders in every engine's SQL and runs in Python with :func:`~dtks_link.rules.compile_py`)."""

    name: str
    description: str
    condition: Expr

    @property
    def columns(self) -> tuple[str, ...]:
        """The standardised columns the condition reads (a table without them skips it)."""
        found: dict[str, None] = {}
        stack = [self.condition]
        while stack:
            e = stack.pop()
            if e.op == "col":
                found[e.data[0]] = None
            stack.extend(reversed(e.args))
        return tuple(found)


def _flag(column: str) -> Expr:
    """True when a BOOLEAN column is true (NULL counts as false)."""
    return coalesce(col(column), False)


def _has_problem(column: str, code: str) -> Expr:
    """The comma-separated problem list in ``column`` holds ``code``."""
    return coalesce(col(column), "").split(",").list_has(code)


def _check(name: str, description: str, condition: Expr) -> QualityCheck:
    return QualityCheck(name=name, description=description, condition=condition)


def _checks() -> tuple[QualityCheck, ...]:
    nik = [
        _check(f"nik_{code}", f"NIK problem: {code}", _has_problem("nik_problems", code))
        for code in NIK_PROBLEMS
    ]
    kk = [
        _check(f"kk_{code}", f"No. KK problem: {code}", _has_problem("kk_problems", code))
        for code in KK_PROBLEMS
    ]
    return (
        _check("nik_invalid", "NIK not valid (any problem, or missing)", not_(_flag("nik_valid"))),
        *nik,
        _check(
            "nik_dob_mismatch",
            "NIK date part differs from the recorded birth date",
            _flag("nik_dob_mismatch"),
        ),
        _check("nik_sex_mismatch", "NIK sex differs from the recorded sex", _flag("nik_sex_mismatch")),
        _check("kk_invalid", "No. KK not valid (any problem, or missing)", not_(_flag("kk_valid"))),
        *kk,
        _check("nama_missing", "no usable name", col("nama_clean").is_null()),
        _check("deceased_marker", "name carries Alm./Almh.", _flag("is_deceased")),
        _check(
            "birth_date_missing",
            "no birth date (a birth year from an age or a bare year may exist)",
            col("tanggal_lahir").is_null(),
        ),
        _check("birth_year_missing", "no birth date, year or age at all", col("birth_year").is_null()),
        _check(
            "birth_date_placeholder",
            "placeholder birth date (1 Jul, 31 Dec, 1 Jan, 15th)",
            _flag("tanggal_lahir_placeholder"),
        ),
        _check("sex_missing", "no recognisable sex", col("jenis_kelamin").is_null()),
        _check("kelurahan_missing", "no kelurahan given", col("kelurahan_known").is_null()),
        _check(
            "kelurahan_unknown",
            "kelurahan given but not found in the Depok gazetteer",
            col("kelurahan_known").eq(False),
        ),
        _check("rt_rw_missing", "RT or RW missing", or_(col("rt").is_null(), col("rw").is_null())),
    )


QUALITY_CHECKS: tuple[QualityCheck, ...] = _checks()
"""Every check :func:`quality_profile` counts, in report order."""


def quality_profile(con: Any, table_name: str) -> pd.DataFrame:
    """Counts and rates of every problem, per source, in a standardised table.

    ``con`` is an engine (:class:`~dtks_link.backends.engine.Engine`, DuckDB or Spark: the
    checks are rendered in its dialect) or a DuckDB connection; ``table_name`` names a table
    or view (``schema.table`` allowed) with a ``source`` column and the standardised columns.
    Returns a DataFrame with columns ``source``, ``check``, ``description``, ``records``,
    ``flagged`` and ``rate``, sorted by source and check order.
    """
    import pandas as pd

    engine = as_engine(con)
    d = engine.dialect
    table_sql = ".".join(d.quote(p) for p in table_name.split("."))
    columns = set(engine.frame(f"SELECT * FROM {table_sql} LIMIT 0").columns)
    if "source" not in columns:
        raise EngineError(f"table {table_name!r} has no 'source' column to group by")
    checks = [c for c in QUALITY_CHECKS if set(c.columns) <= columns]
    renderer = Renderer(d)
    counts = "".join(f", {d.count_if(renderer.expression(c.condition))} AS {d.quote(c.name)}" for c in checks)
    by = d.quote("source")
    rows = engine.rows(
        f"SELECT {by}, count(*) AS __records{counts} FROM {table_sql} GROUP BY {by} ORDER BY {by}"
    )
    records: list[dict[str, object]] = []
    for row in rows:
        source, total = row[0], int(row[1])
        for check, flagged in zip(checks, row[2:], strict=True):
            records.append(
                {
                    "source": source,
                    "check": check.name,
                    "description": check.description,
                    "records": total,
                    "flagged": int(flagged),
                    "rate": (int(flagged) / total) if total else 0.0,
                }
            )
    return pd.DataFrame(records, columns=["source", "check", "description", "records", "flagged", "rate"])


def quality_chart(profile: pd.DataFrame) -> Any:
    """An Altair bar chart of a :func:`quality_profile` table: one bar per check and source,
    length = rate. Checks that flag nothing in any source are left out.

    Needs ``altair`` (``pip install 'dtks_link[notebooks]'``)."""
    try:
        import altair as alt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise EngineError("quality_chart needs altair: pip install 'dtks_link[notebooks]'") from exc
    data = profile[profile.groupby("check")["flagged"].transform("sum") > 0]
    order = [c.name for c in QUALITY_CHECKS if c.name in set(data["check"])]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("rate:Q", title="share of records", axis=alt.Axis(format="%")),
            y=alt.Y("check:N", sort=order, title=None),
            yOffset="source:N",
            color=alt.Color("source:N", title="source"),
            tooltip=[
                "source",
                "check",
                "description",
                "records",
                "flagged",
                alt.Tooltip("rate:Q", format=".2%"),
            ],
        )
        .properties(title="Data quality by source", width=420)
    )
