"""Data-quality profile per source: how often each problem occurs, as a table and a chart.

:func:`quality_profile` runs one aggregate query over a standardised table (any table with a
``source`` column and the columns of :data:`~dtks_link.standardise.OUTPUT_COLUMNS`) and
returns one row per source and check: ``source``, ``check``, ``description``, ``records``,
``flagged``, ``rate`` (flagged / records). Checks whose columns the table lacks are left out.
:func:`quality_chart` draws it for notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import EngineError
from .nik import KK_PROBLEMS, NIK_PROBLEMS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QUALITY_CHECKS", "QualityCheck", "quality_chart", "quality_profile"]


@dataclass(frozen=True, kw_only=True)
class QualityCheck:
    """One problem counted by :func:`quality_profile`: a SQL condition over its columns."""

    name: str
    description: str
    condition: str
    columns: tuple[str, ...]


def _problem(column: str, code: str) -> str:
    return f"list_contains(string_split(coalesce(\"{column}\", ''), ','), '{code}')"


def _checks() -> tuple[QualityCheck, ...]:
    out = [
        QualityCheck(
            name="nik_invalid",
            description="NIK not valid (any problem, or missing)",
            condition='NOT coalesce("nik_valid", false)',
            columns=("nik_valid",),
        ),
    ]
    out += [
        QualityCheck(
            name=f"nik_{code}",
            description=f"NIK problem: {code}",
            condition=_problem("nik_problems", code),
            columns=("nik_problems",),
        )
        for code in NIK_PROBLEMS
    ]
    out += [
        QualityCheck(
            name="nik_dob_mismatch",
            description="NIK date part differs from the recorded birth date",
            condition='coalesce("nik_dob_mismatch", false)',
            columns=("nik_dob_mismatch",),
        ),
        QualityCheck(
            name="nik_sex_mismatch",
            description="NIK sex differs from the recorded sex",
            condition='coalesce("nik_sex_mismatch", false)',
            columns=("nik_sex_mismatch",),
        ),
        QualityCheck(
            name="kk_invalid",
            description="No. KK not valid (any problem, or missing)",
            condition='NOT coalesce("kk_valid", false)',
            columns=("kk_valid",),
        ),
    ]
    out += [
        QualityCheck(
            name=f"kk_{code}",
            description=f"No. KK problem: {code}",
            condition=_problem("kk_problems", code),
            columns=("kk_problems",),
        )
        for code in KK_PROBLEMS
    ]
    out += [
        QualityCheck(
            name="nama_missing",
            description="no usable name",
            condition='"nama_clean" IS NULL',
            columns=("nama_clean",),
        ),
        QualityCheck(
            name="deceased_marker",
            description="name carries Alm./Almh.",
            condition='coalesce("is_deceased", false)',
            columns=("is_deceased",),
        ),
        QualityCheck(
            name="birth_date_missing",
            description="no birth date (a birth year from an age or a bare year may exist)",
            condition='"tanggal_lahir" IS NULL',
            columns=("tanggal_lahir",),
        ),
        QualityCheck(
            name="birth_year_missing",
            description="no birth date, year or age at all",
            condition='"birth_year" IS NULL',
            columns=("birth_year",),
        ),
        QualityCheck(
            name="birth_date_placeholder",
            description="placeholder birth date (1 Jul, 31 Dec, 1 Jan, 15th)",
            condition='coalesce("tanggal_lahir_placeholder", false)',
            columns=("tanggal_lahir_placeholder",),
        ),
        QualityCheck(
            name="sex_missing",
            description="no recognisable sex",
            condition='"jenis_kelamin" IS NULL',
            columns=("jenis_kelamin",),
        ),
        QualityCheck(
            name="kelurahan_missing",
            description="no kelurahan given",
            condition='"kelurahan_known" IS NULL',
            columns=("kelurahan_known",),
        ),
        QualityCheck(
            name="kelurahan_unknown",
            description="kelurahan given but not found in the Depok gazetteer",
            condition='"kelurahan_known" = false',
            columns=("kelurahan_known",),
        ),
        QualityCheck(
            name="rt_rw_missing",
            description="RT or RW missing",
            condition='"rt" IS NULL OR "rw" IS NULL',
            columns=("rt", "rw"),
        ),
    ]
    return tuple(out)


QUALITY_CHECKS: tuple[QualityCheck, ...] = _checks()
"""Every check :func:`quality_profile` counts, in report order."""


class _Connection(Protocol):
    def execute(self, query: str, /) -> Any: ...


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quality_profile(con: Any, table_name: str) -> pd.DataFrame:
    """Counts and rates of every problem, per source, in a standardised table.

    ``con`` is a DuckDB connection (anything with ``execute(sql)`` returning a relation with
    ``fetchall()``) or an engine (:class:`~dtks_link.backends.engine.Engine`, e.g. Spark:
    the query is translated by sqlglot); ``table_name`` names a table or view with a ``source`` column and the
    standardised columns. Returns a DataFrame with columns ``source``, ``check``,
    ``description``, ``records``, ``flagged`` and ``rate``, sorted by source and check order.
    """
    import pandas as pd

    parts = table_name.split(".")
    table_sql = ".".join(_ident(p) for p in parts)
    engine_dialect = getattr(con, "dialect", None)
    if isinstance(engine_dialect, str) and engine_dialect != "duckdb":
        # An engine of another dialect (Spark): the same query, translated by sqlglot.
        import sqlglot

        columns = set(con.columns(table_name))

        def run(sql: str) -> list[tuple[Any, ...]]:
            translated = sqlglot.transpile(sql, read="duckdb", write=engine_dialect)[0]
            return list(con.rows(translated))
    else:
        if engine_dialect == "duckdb":
            con = con.con
        described = con.execute(f"DESCRIBE SELECT * FROM {table_sql}").fetchall()
        columns = {str(row[0]) for row in described}

        def run(sql: str) -> list[tuple[Any, ...]]:
            return list(con.execute(sql).fetchall())

    if "source" not in columns:
        raise EngineError(f"table {table_name!r} has no 'source' column to group by")
    checks = [c for c in QUALITY_CHECKS if set(c.columns) <= columns]
    sums = ", ".join(f"count(*) FILTER (WHERE {c.condition}) AS {_ident(c.name)}" for c in checks)
    select = "count(*) AS __records" + (f", {sums}" if sums else "")
    rows = run(f'SELECT "source", {select} FROM {table_sql} GROUP BY "source" ORDER BY "source"')
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
