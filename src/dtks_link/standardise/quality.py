"""Data-quality profile per source: how often each problem occurs, as a table and a chart.

Counted with one SQL aggregate over the standardised records (a ``source`` column plus the
columns :func:`~dtks_link.standardise.standardise_select_sql` produces). Rates are over the
source's records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["QUALITY_CHECKS", "quality_chart", "quality_profile"]

#: check -> SQL condition that flags a record (over the standardised columns).
QUALITY_CHECKS: dict[str, str] = {
    "nik_missing": "nik_problems LIKE '%missing%'",
    "nik_invalid": "NOT coalesce(nik_valid, false) AND NOT (nik_problems LIKE '%missing%')",
    "nik_excel_damaged": "nik_problems LIKE '%excel_damaged%'",
    "nik_birth_date_mismatch": "nik_valid AND tanggal_lahir IS NOT NULL AND nik_birth_date IS NOT NULL "
    "AND tanggal_lahir <> nik_birth_date",
    "nik_sex_mismatch": "nik_valid AND jenis_kelamin IS NOT NULL AND nik_sex IS NOT NULL "
    "AND jenis_kelamin <> nik_sex",
    "kk_invalid": "no_kk IS NOT NULL AND NOT coalesce(kk_valid, false)",
    "name_missing": "nama_clean IS NULL",
    "birth_date_missing": "tanggal_lahir IS NULL",
    "birth_date_placeholder": "coalesce(tanggal_lahir_placeholder, false)",
    "kelurahan_unknown": "kelurahan_known = false",
    "deceased_flag": "coalesce(is_deceased, false)",
}


class _Connection(Protocol):
    def execute(self, query: str, parameters: object = ..., /) -> Any: ...


def quality_profile(con: _Connection, table_name: str) -> pd.DataFrame:
    """Counts and rates of every check in :data:`QUALITY_CHECKS`, per source.

    Returns a long table: ``source, check, records, count, rate``.
    """
    import pandas as pd

    quoted = '"' + table_name.replace('"', '""') + '"'
    counts = ", ".join(
        f'count(*) FILTER (WHERE {condition}) AS "{check}"' for check, condition in QUALITY_CHECKS.items()
    )
    frame = con.execute(
        f"SELECT source, count(*) AS records, {counts} FROM {quoted} GROUP BY source ORDER BY source"
    ).df()
    long = frame.melt(id_vars=["source", "records"], var_name="check", value_name="count")
    long["count"] = long["count"].astype("int64")
    long["rate"] = (long["count"] / long["records"]).where(long["records"] > 0, 0.0)
    order = {check: i for i, check in enumerate(QUALITY_CHECKS)}
    long = long.sort_values(["source", "check"], key=lambda s: s.map(order) if s.name == "check" else s)
    return pd.DataFrame(long[["source", "check", "records", "count", "rate"]]).reset_index(drop=True)


def quality_chart(profile: pd.DataFrame) -> Any:
    """Altair heat map: rate of each problem (rows) in each source (columns)."""
    import altair as alt

    return (
        alt.Chart(profile)
        .mark_rect()
        .encode(
            x=alt.X("source:N", title="source"),
            y=alt.Y("check:N", sort=list(QUALITY_CHECKS), title="problem"),
            color=alt.Color("rate:Q", scale=alt.Scale(scheme="orangered"), title="share of records"),
            tooltip=["source", "check", "count", alt.Tooltip("rate:Q", format=".2%")],
        )
        .properties(title="Data quality per source")
    )
