"""One small rule per operation of the rule language, and the records to run them on.

``tests/test_rules.py`` runs every rule as DuckDB SQL (one select list, and the staged query)
and in Python and asserts the same value for every record; ``tests/test_spark.py`` does the
same on Spark. :func:`used_ops` lets the tests check that every operation of
:data:`dtks_link.rules.OPS` appears here, so a new operation cannot skip the contract.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from dtks_link.rules import (
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
    struct,
    year_of,
)

#: (s, t): raw text columns, ASCII (rules fold text to ASCII before ``upper``/``lower``).
ROWS: list[tuple[str | None, str | None]] = [
    ("Siti Aminah", "SITI AMINA"),
    ("MARTHA", "MARHTA"),
    ("a,b,,c,b", "b"),
    ("12", "3"),
    ("2020-02-29", "2021-02-29"),
    ("", ""),
    (None, "x"),
    ("x", None),
    ("  padded  ", "ab"),
    ("CA", "ABC"),
    ("DIXON", "DICKSONX"),
    ("$1 \\2 'q'", "it's"),
]

_s, _t = col("s"), col("t")
_parts = _s.split(",")


def _catalogue() -> dict[str, Expr]:
    s, t, parts = _s, _t, _parts
    return {
        "col": s,
        "lit": lit("it's \\ 1"),
        "lit_list": lit_list(["a", "b'"]).list_join("|"),
        "null": null("INTEGER"),
        "upper": s.upper(),
        "lower": s.lower(),
        "trim": s.trim(),
        "length": s.length(),
        "replace": s.replace("a", "o'"),
        "translate": lit("Andréa").translate("éa", "E"),
        "re_sub": s.re_sub("[aeiou]+", "_"),
        "re_sub_first": s.re_sub("([A-Za-z])([a-z])", "\\2\\1", every=False),
        "re_sub_dollar": s.re_sub("[0-9]$", "$"),
        "re_extract": s.re_extract("([A-Za-z]+) ([A-Za-z]+)", 2),
        "re_has": s.re_has("^[0-9]+$"),
        "re_findall": s.re_findall("[0-9A-C]+"),
        "concat": s.concat("-", t),
        "substr": s.substr(2, 3),
        "substr_from": s.substr_from(t.length()),
        "contains": s.contains("a"),
        "has_non_ascii": or_(s.has_non_ascii(), lit("é").has_non_ascii()),
        "lpad": s.lpad(6, "0"),
        "split": parts,
        "split_part": s.split_part(",", 2),
        "split_part_beyond": s.split_part(" ", 3),
        "starts_with": s.starts_with(t),
        "sorted_chars": s.sorted_chars(),
        "nullif": s.nullif(t),
        "concat_ws": concat_ws("/", s, t, null("VARCHAR")),
        "try_date": s.try_date(),
        "try_date_checked": if_(s.re_has("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), s.try_date(checked=True)),
        "to_int": s.to_int(),
        "to_str": s.to_int().to_str(),
        "cast": s.to_int().cast("BIGINT"),
        "lookup": s.lookup({"MARTHA": 1, "x": 2}, "INTEGER"),
        "at": parts.at(2),
        "at_zero": parts.at(0),
        "at_expr": parts.at(t.length()),
        "list_len": parts.list_len(),
        "list_position": parts.list_position(t),
        "list_has": parts.list_has(t),
        "list_has_all": parts.list_has_all(t.split(",")),
        "list_overlaps": parts.list_overlaps(t.split(" ")),
        "list_slice": parts.list_slice(2),
        "list_slice_from": parts.list_slice_from(t.length()),
        "list_sort": parts.list_sort(),
        "list_distinct": parts.list_distinct().list_sort(),
        "list_min": parts.list_min(),
        "list_max": parts.list_max(),
        "list_map": parts.list_map(lambda x: x.concat("!")),
        "list_filter": parts.list_filter(lambda x: x.ne("")),
        "let": let(s.upper(), lambda u: u.concat(u)),
        "let_many": let_many([s.upper(), t.lower()], lambda u, v: coalesce(u, v)),
        "struct_field": struct(a=s, b=t).field("b"),
        "cmp": s.lt(t),
        "isin": s.isin(["MARTHA", "x"]),
        "is_null": s.is_null(),
        "not_null": t.not_null(),
        "and": and_(s.contains("a"), t.contains("A")),
        "or": or_(s.contains("a"), t.contains("A")),
        "not": not_(s.contains("a")),
        "case": case((s.eq("x"), "one"), (t.eq("x"), "two"), default=s),
        "case_rare": case((s.re_has("[0-9]"), s.re_sub("[^0-9]", "")), rare=True),
        "coalesce": coalesce(s, t, "none"),
        "greatest": greatest(s.length(), t.length().sub(1), null("INTEGER")),
        "float": jaro_winkler(s, t).ge(0.75),
        "arith": s.length().add(t.length()).mul(3).mod(7).sub(1),
        "abs": s.length().sub(t.length()).abs(),
        "floor_div": s.length().sub(5).floor_div(4),
        "make_date": make_date(s.length().add(2000), t.length().add(1), lit(29)),
        "date_add": date_add_days(dt.date(2000, 2, 28), s.length().cast("INTEGER")),
        "year": year_of(s.try_date()),
        "month": month_of(s.try_date()),
        "day": day_of(s.try_date()),
        "levenshtein": levenshtein(s, t),
        "damerau_levenshtein": damerau_levenshtein(s, t),
        "jaro_winkler": jaro_winkler(s, t),
    }


CATALOGUE: dict[str, Expr] = _catalogue()


def used_ops() -> set[str]:
    """The operations the catalogue's trees use."""
    seen: set[int] = set()
    ops: set[str] = set()
    stack = list(CATALOGUE.values())
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        ops.add(e.op)
        stack.extend(e.args)
    return ops


def same(a: Any, b: Any) -> bool:
    """Equal values; floats within 1e-12."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if hasattr(a, "tolist"):
        a = a.tolist()
    if hasattr(b, "tolist"):
        b = b.tolist()
    return (bool(a == b) and type(a) is type(b)) or (a is None and b is None)
