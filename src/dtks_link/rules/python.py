"""Rule trees compiled to Python: the same meaning as the SQL, for one record at a time.

:func:`compile_py` turns a tree into a function of one record (column name -> value);
:func:`compile_record` does it for several named outputs that share their intermediate values.
An operation with a Python meaning in :data:`~.ops.OPS` gets NULL in, NULL out from here;
the forms that decide about NULLs or evaluation order themselves (``and``, ``or``, ``case``,
``coalesce``, ``greatest``, ``nullif``, ``concat_ws``, ``is_null``, ``let``, list lambdas...) are evaluated
below. A node that the tree uses several times is computed once per record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .ops import OPS
from .tree import Expr

__all__ = ["Compiled", "compile_py", "compile_record"]

Env = dict[Any, Any]
PyFn = Callable[[Env], Any]
Compiled = Callable[[Mapping[str, Any]], Any]
"""A rule compiled to Python: record (column name -> value) -> value."""

_MEMO = "__memo__"


def compile_py(expr: Expr) -> Compiled:
    """Compile a tree to a function of one record (column name -> value)."""
    (root,) = _Compiler([expr]).roots

    def run(record: Mapping[str, Any]) -> Any:
        env: Env = dict(record)
        env[_MEMO] = {}
        return root(env)

    return run


def compile_record(outputs: Mapping[str, Expr]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Compile several outputs into one function of a record giving output name -> value;
    values the outputs share are computed once per record."""
    names = list(outputs)
    roots = _Compiler([outputs[n] for n in names]).roots

    def run(record: Mapping[str, Any]) -> dict[str, Any]:
        env: Env = dict(record)
        env[_MEMO] = {}
        return {name: fn(env) for name, fn in zip(names, roots, strict=True)}

    return run


class _Compiler:
    def __init__(self, exprs: Sequence[Expr]) -> None:
        self.counts: dict[int, int] = {}
        for e in exprs:
            self._count(e)
        self.compiled: dict[int, PyFn] = {}
        self.roots = [self.c(e) for e in exprs]

    def _count(self, root: Expr) -> None:
        stack = [root]
        while stack:
            e = stack.pop()
            self.counts[id(e)] = self.counts.get(id(e), 0) + 1
            if self.counts[id(e)] == 1:
                stack.extend(e.args)

    def c(self, e: Expr) -> PyFn:
        key = id(e)
        if key in self.compiled:
            return self.compiled[key]
        form = _FORMS.get(e.op)
        if form is not None:
            fn = form(e, self.c)
        else:
            op = OPS[e.op]
            if op.py is None:
                raise AssertionError(f"rule operation {e.op!r} has no Python meaning")
            fn = _null_in_null_out(op.py(*e.data), [self.c(a) for a in e.args], op.strict)
        if self.counts.get(key, 0) > 1 and not OPS[e.op].leaf:
            fn = _memoised(fn, key)
        self.compiled[key] = fn
        return fn


def _memoised(inner: PyFn, key: int) -> PyFn:
    def memo_fn(env: Env) -> Any:
        cache: dict[int, Any] = env[_MEMO]
        if key in cache:
            return cache[key]
        value = inner(env)
        cache[key] = value
        return value

    return memo_fn


def _null_in_null_out(f: Callable[..., Any], args: list[PyFn], strict: tuple[int, ...] | None) -> PyFn:
    if strict is not None:  # only these arguments make the result NULL
        checked = frozenset(strict)

        def partly(env: Env) -> Any:
            values = []
            for i, a in enumerate(args):
                v = a(env)
                if v is None and i in checked:
                    return None
                values.append(v)
            return f(*values)

        return partly
    if len(args) == 1:
        (x,) = args

        def fn1(env: Env) -> Any:
            v = x(env)
            return None if v is None else f(v)

        return fn1
    if len(args) == 2:
        x, y = args

        def fn2(env: Env) -> Any:
            v = x(env)
            if v is None:
                return None
            w = y(env)
            return None if w is None else f(v, w)

        return fn2

    def fn(env: Env) -> Any:
        values = []
        for a in args:
            v = a(env)
            if v is None:
                return None
            values.append(v)
        return f(*values)

    return fn


# ---- the forms evaluated here ----------------------------------------------------------------

Compile = Callable[[Expr], PyFn]


def _col(e: Expr, c: Compile) -> PyFn:
    name = e.data[0]
    return lambda env: env.get(name)


def _lit(e: Expr, c: Compile) -> PyFn:
    value = e.data[0]
    return lambda env: value


def _null(e: Expr, c: Compile) -> PyFn:
    return lambda env: None


def _param(e: Expr, c: Compile) -> PyFn:
    return lambda env: env[e]


def _nullif(e: Expr, c: Compile) -> PyFn:
    x, y = c(e.args[0]), c(e.args[1])

    def nullif(env: Env) -> Any:
        v = x(env)
        if v is None:
            return None
        w = y(env)
        return None if w is not None and v == w else v

    return nullif


def _concat_ws(e: Expr, c: Compile) -> PyFn:
    sep: str = e.data[0]
    parts = [c(x) for x in e.args]
    return lambda env: sep.join(str(v) for v in (p(env) for p in parts) if v is not None)


def _list_lambda(e: Expr, c: Compile) -> PyFn:
    src, body, par = c(e.args[0]), c(e.args[1]), e.args[2]
    is_map = e.op == "list_map"

    def apply(env: Env) -> Any:
        lst = src(env)
        if lst is None:
            return None
        out = []
        for item in lst:
            inner = dict(env)
            inner[par] = item
            inner[_MEMO] = {}
            value = body(inner)
            if is_map:
                out.append(value)
            elif value is True:
                out.append(item)
        return out

    return apply


def _is_null(e: Expr, c: Compile) -> PyFn:
    x = c(e.args[0])
    return lambda env: x(env) is None


def _not_null(e: Expr, c: Compile) -> PyFn:
    x = c(e.args[0])
    return lambda env: x(env) is not None


def _cast(e: Expr, c: Compile) -> PyFn:
    return c(e.args[0])  # declares the SQL type; the Python value is already that type


def _connective(stop: bool) -> Callable[[Expr, Compile], PyFn]:
    """AND (``stop=False``: the first False decides) or OR (``stop=True``), in SQL's
    three-valued logic: NULL when no argument decides and one is NULL."""

    def form(e: Expr, c: Compile) -> PyFn:
        parts = [c(x) for x in e.args]

        def connective(env: Env) -> bool | None:
            unknown = False
            for p in parts:
                v = p(env)
                if v is stop:
                    return bool(v)
                if v is None:
                    unknown = True
            return None if unknown else not stop

        return connective

    return form


def _case(e: Expr, c: Compile) -> PyFn:
    has_default, a = e.data[0], e.args
    n = len(a) - 1 if has_default else len(a)
    pairs = [(c(a[i]), c(a[i + 1])) for i in range(0, n, 2)]
    default = c(a[-1]) if has_default else None

    def case_fn(env: Env) -> Any:
        for cond, value in pairs:
            if cond(env) is True:
                return value(env)
        return default(env) if default is not None else None

    return case_fn


def _coalesce(e: Expr, c: Compile) -> PyFn:
    parts = [c(x) for x in e.args]

    def coalesce_fn(env: Env) -> Any:
        for p in parts:
            v = p(env)
            if v is not None:
                return v
        return None

    return coalesce_fn


def _greatest(e: Expr, c: Compile) -> PyFn:
    parts = [c(x) for x in e.args]

    def greatest_fn(env: Env) -> Any:  # NULLs skipped, as SQL's greatest() does
        values = [v for v in (p(env) for p in parts) if v is not None]
        return max(values) if values else None

    return greatest_fn


def _let(e: Expr, c: Compile) -> PyFn:
    value_fn, body_fn, par = c(e.args[0]), c(e.args[1]), e.args[2]

    def let_fn(env: Env) -> Any:
        env[par] = value_fn(env)
        return body_fn(env)

    return let_fn


def _struct(e: Expr, c: Compile) -> PyFn:
    keys = e.data[0]
    parts = [c(x) for x in e.args]
    return lambda env: dict(zip(keys, (p(env) for p in parts), strict=True))


_FORMS: dict[str, Callable[[Expr, Compile], PyFn]] = {
    "col": _col,
    "lit": _lit,
    "null": _null,
    "param": _param,
    "nullif": _nullif,
    "concat_ws": _concat_ws,
    "list_map": _list_lambda,
    "list_filter": _list_lambda,
    "is_null": _is_null,
    "not_null": _not_null,
    "cast": _cast,
    "and": _connective(False),
    "or": _connective(True),
    "case": _case,
    "coalesce": _coalesce,
    "greatest": _greatest,
    "let": _let,
    "struct": _struct,
}
