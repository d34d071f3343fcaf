"""The rule language: write a rule once, run it as SQL on any engine and as Python on one record.

* :mod:`.tree` — the expression tree and its builders (``col("nama").upper()``, :func:`case`...);
* :mod:`.ops` — every operation declared once: cost, flags, default SQL, Python meaning;
* :mod:`.dialects` — one :class:`Dialect` per engine (DuckDB, Spark): quoting, types,
  literals, function names, lists, lambdas, structs, regular expressions;
* :mod:`.sql` — one renderer for every dialect (:func:`render_sql`, one expression);
* :mod:`.staged` — many trees as one staged query (:func:`staged_query`), the fast form;
* :mod:`.python` — the same trees compiled to Python (:func:`compile_py`);
* :mod:`.pairs` — rules over two records (comparison levels, blocking keys, constraints);
* :mod:`.regex` — the regular-expression subset and its translations; :mod:`.datefmt` —
  strptime formats and their Java spelling.

>>> rule = col("nama").upper().re_sub("[^A-Z]+", "")
>>> render_sql(rule)
'regexp_replace(upper("nama"), \\'[^A-Z]+\\', \\'\\', \\'g\\')'
>>> compile_py(rule)({"nama": "Siti A."})
'SITIA'
"""

from __future__ import annotations

from .dialects import DUCKDB, SPARK, Dialect, DuckDBDialect, SparkDialect, dialect_of
from .ops import OPS, Op
from .pairs import PairFunction, compile_pair, left, pair_columns, pair_sql, right
from .python import Compiled, compile_py, compile_record
from .sql import Renderer, check_flat, render_sql, sql_size
from .staged import inline_lets, staged_plan, staged_query
from .tree import (
    TYPES,
    Expr,
    and_,
    case,
    coalesce,
    col,
    concat_ws,
    damerau_levenshtein,
    date_add_days,
    day_of,
    greatest,
    if_,
    jaro_winkler,
    let,
    let_many,
    levenshtein,
    lit,
    lit_list,
    make_date,
    month_of,
    not_,
    null,
    or_,
    param,
    struct,
    year_of,
)

__all__ = [
    "DUCKDB",
    "OPS",
    "SPARK",
    "TYPES",
    "Compiled",
    "Dialect",
    "DuckDBDialect",
    "Expr",
    "Op",
    "PairFunction",
    "Renderer",
    "SparkDialect",
    "and_",
    "case",
    "check_flat",
    "coalesce",
    "col",
    "compile_pair",
    "compile_py",
    "compile_record",
    "concat_ws",
    "damerau_levenshtein",
    "date_add_days",
    "day_of",
    "dialect_of",
    "greatest",
    "if_",
    "inline_lets",
    "jaro_winkler",
    "left",
    "let",
    "let_many",
    "levenshtein",
    "lit",
    "lit_list",
    "make_date",
    "month_of",
    "not_",
    "null",
    "or_",
    "pair_columns",
    "pair_sql",
    "param",
    "render_sql",
    "right",
    "sql_size",
    "staged_plan",
    "staged_query",
    "struct",
    "year_of",
]
