"""Several rule trees as one *staged* query instead of one select list.

:func:`~.sql.render_sql` turns every output into one self-contained expression; values
needed in several places travel through ``list_transform`` lambdas (:func:`~.tree.let`),
and every step and operation inside a lambda costs several times what it costs at the top
level. A staged query has no such lets at all::

    SELECT <select>, <outputs> FROM (
        SELECT *, <stage 2 columns> FROM (
            SELECT *, <stage 1 columns> FROM <source>))

How the trees are turned into stages (:func:`staged_query`):

1. **Lets are inlined.** ``let(v, body)`` becomes ``body`` with its parameter replaced by
   ``v`` (the same node, shared), and ``struct(a=x, ...).a`` becomes ``x``, so a struct
   built by one let and read by the next disappears.
2. **Equal subtrees are merged** (hash-consing): rules build the same value in several
   places (e.g. the upper-cased address for the street and for the kelurahan).
3. **Shared nodes become columns.** A node that several places use is computed once as a
   column of an earlier stage, when that is safe and does not lose laziness: it must not
   read a list-lambda's element parameter, must not be ``make_date`` (only safe under the
   check that wraps it), and when it is only needed inside ``rare`` CASE branches it must be
   cheap (costly work for few rows stays in its branch, as in :func:`~.sql.render_sql`).
   A let value counts as needed by every row (``render_sql`` computes it for every row).
   A column's stage is one more than the latest stage of the columns it reads.

The meaning is unchanged: every operation renders exactly as in :func:`~.sql.render_sql`;
only *where* a value is computed moves. DuckDB passes a subquery's projected columns on as
they are (it does not inline their expressions into the outer query), so a column is
computed once however many outputs read it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .dialects import DUCKDB, Dialect, dialect_of
from .ops import OPS
from .sql import Renderer, check_flat, children, reached
from .tree import Expr

__all__ = ["inline_lets", "staged_plan", "staged_query"]

# A shared node becomes a column when it costs at least this much (units of Op.cost);
# cheaper repeats are left to DuckDB (a column costs a vector of its own).
_COLUMN_AT = 2


def _data_key(data: tuple[object, ...]) -> str:
    return repr(data)


class _Inliner:
    """Lets inlined, struct fields resolved, equal subtrees merged (one node each)."""

    def __init__(self) -> None:
        self.memo: dict[int, Expr] = {}
        self.subst: dict[int, Expr] = {}
        self.interned: dict[tuple[object, ...], Expr] = {}
        self.bound: set[int] = set()  # let values (computed for every row by render_sql)
        self._keep: list[Expr] = []  # keeps the originals alive: ids stay unique

    def intern(self, e: Expr) -> Expr:
        if e.op == "param":  # every lambda parameter is its own node
            return e
        key = (e.op, _data_key(e.data), tuple(id(a) for a in e.args))
        found = self.interned.get(key)
        if found is None:
            self.interned[key] = e
            return e
        return found

    def run(self, root: Expr) -> Expr:
        # iterative post-order: trees are deep
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            e, ready = stack.pop()
            if id(e) in self.memo:
                continue
            if e.op == "let":
                value, body, param = e.args
                if not ready:
                    if id(value) not in self.memo:
                        stack.append((e, False))
                        stack.append((value, False))
                        continue
                    bound = self.memo[id(value)]
                    self.subst[id(param)] = bound
                    self.bound.add(id(bound))
                    if bound.op == "struct":  # let_many: each value
                        self.bound.update(id(a) for a in bound.args)
                    if id(body) not in self.memo:
                        stack.append((e, True))
                        stack.append((body, False))
                        continue
                self._keep.append(e)
                self.memo[id(e)] = self.memo[id(body)]
                continue
            if e.op == "param":
                self._keep.append(e)
                self.memo[id(e)] = self.subst.get(id(e), e)
                continue
            if not ready:
                pending = [a for a in e.args if id(a) not in self.memo]
                if pending:
                    stack.append((e, True))
                    stack.extend((a, False) for a in pending)
                    continue
            args = tuple(self.memo[id(a)] for a in e.args)
            self._keep.append(e)
            if e.op == "field" and args[0].op == "struct":
                names: tuple[str, ...] = args[0].data[0]
                self.memo[id(e)] = args[0].args[names.index(e.data[0])]
                continue
            same = all(x is y for x, y in zip(args, e.args, strict=True))
            node = e if same else Expr(e.op, args, e.data)
            self.memo[id(e)] = self.intern(node)
        return self.memo[id(root)]


def inline_lets(roots: Sequence[Expr]) -> tuple[list[Expr], set[int]]:
    """The trees with every let inlined and equal subtrees merged (see the module doc), and
    the ids of the nodes that were let values."""
    for root in roots:
        check_flat(root)
    inliner = _Inliner()
    out = [inliner.run(root) for root in roots]
    return out, inliner.bound


def _lambda_params(roots: Sequence[Expr]) -> dict[int, bool]:
    """node id -> whether the node reads a list-lambda element parameter it does not bind."""
    free: dict[int, frozenset[int]] = {}
    stack: list[tuple[Expr, bool]] = [(r, False) for r in roots]
    while stack:
        e, ready = stack.pop()
        if id(e) in free:
            continue
        if e.op == "param":
            free[id(e)] = frozenset((id(e),))
            continue
        if not ready:
            stack.append((e, True))
            stack.extend((a, False) for a in e.args if id(a) not in free)
            continue
        if OPS[e.op].binds_element:
            lst, body, param = e.args
            free[id(e)] = free[id(lst)] | (free[id(body)] - {id(param)})
        else:
            free[id(e)] = frozenset().union(*(free[id(a)] for a in e.args))
    return {k: bool(v) for k, v in free.items()}


def staged_plan(
    outputs: Mapping[str, Expr],
    *,
    types: Mapping[str, str] | None = None,
    prefix: str = "__std",
    dialect: Dialect | str = DUCKDB,
) -> tuple[list[list[tuple[str, str]]], list[tuple[str, str]]]:
    """The stages (each a list of (internal column, SQL)) and the outputs ((name, SQL))
    of :func:`staged_query`."""
    renderer = Renderer(dialect)
    d = renderer.dialect
    names = list(outputs)
    roots, bound = inline_lets([outputs[n] for n in names])
    reads_param = _lambda_params(roots)

    # references, unconditional reach, cost, heaviness (lambda bodies: only the parts that
    # do not read the element, as in sql.children)
    refs: dict[int, int] = {}
    order: list[Expr] = []
    seen: set[int] = set()
    for root in roots:
        refs[id(root)] = refs.get(id(root), 0) + 1
        stack: list[tuple[Expr, bool]] = [(root, False)]
        while stack:
            e, ready = stack.pop()
            if ready:
                order.append(e)
                continue
            if id(e) in seen:
                continue
            seen.add(id(e))
            stack.append((e, True))
            if OPS[e.op].leaf:
                continue
            for child, _ in children(e):
                refs[id(child)] = refs.get(id(child), 0) + 1
                stack.append((child, False))
    uncond: set[int] = set()
    stack2: list[Expr] = list(roots)
    while stack2:
        e = stack2.pop()
        if id(e) in uncond:
            continue
        uncond.add(id(e))
        if OPS[e.op].leaf:
            continue
        stack2.extend(child for child, cond in children(e) if not cond)
    cost: dict[int, int] = {}
    heavy: dict[int, bool] = {}
    for e in order:
        op = OPS[e.op]
        if op.leaf:
            cost[id(e)], heavy[id(e)] = 0, False
            continue
        kids = [c for c, _ in children(e)]
        cost[id(e)] = op.cost + sum(cost[id(c)] for c in kids)
        heavy[id(e)] = op.heavy or any(heavy[id(c)] for c in kids)
    column = {
        id(e)
        for e in order
        if not OPS[e.op].leaf
        and not OPS[e.op].guarded
        and not reads_param[id(e)]
        and (id(e) in uncond or id(e) in bound or not heavy[id(e)])
        and refs.get(id(e), 0) >= 2
        and cost[id(e)] >= _COLUMN_AT
    }

    # stage of every column: one after the latest column it reads
    stage: dict[int, int] = {}
    colname: dict[int, str] = {}

    def reads(e: Expr) -> set[int]:
        return reached(e.args, lambda x: id(x) in column, lambda x: x.args)

    for e in order:  # post-order: what a node reads comes first
        if id(e) in column:
            stage[id(e)] = 1 + max((stage[c] for c in reads(e)), default=0)
            colname[id(e)] = f"{prefix}_{len(colname)}"

    memo: dict[int, str] = {}

    def render(e: Expr, *, top: bool = False) -> str:
        if not top and id(e) in colname:
            return d.quote(colname[id(e)])
        key = id(e) if not top else -id(e)
        if key not in memo:
            memo[key] = renderer.node(e, [render(a) for a in e.args])
        return memo[key]

    depth = max(stage.values(), default=0)
    levels: list[list[Expr]] = [[] for _ in range(depth + 1)]
    for e in order:
        if id(e) in colname:
            levels[stage[id(e)]].append(e)
    stages = [[(colname[id(e)], render(e, top=True)) for e in levels[k]] for k in range(1, depth + 1)]
    outs = []
    for name, root in zip(names, roots, strict=True):
        body = render(root)
        if types is not None:
            body = d.cast(body, types[name])
        outs.append((name, body))
    return stages, outs


def staged_query(
    outputs: Mapping[str, Expr],
    *,
    source: str,
    select: str = "",
    types: Mapping[str, str] | None = None,
    prefix: str = "__std",
    dialect: Dialect | str = DUCKDB,
) -> str:
    """One SQL query computing every output (``CAST(... AS type) AS "name"`` when ``types``
    gives the rule type) over ``source`` (a table name or a parenthesised subquery with an
    alias), after the select items ``select`` (e.g. ``"id, source"``; they may read any
    column of ``source``). Internal columns are named ``<prefix>_<n>``; ``source`` must not
    have such columns. The SQL is in ``dialect``."""
    stages, outs = staged_plan(outputs, types=types, prefix=prefix, dialect=dialect)
    q = dialect_of(dialect).quote
    sql = source
    for items in stages:
        listed = ", ".join(f"{body} AS {q(name)}" for name, body in items)
        sql = f"(SELECT *, {listed} FROM {sql})"
    head = f"{select}, " if select.strip() else ""
    listed = ", ".join(f"{body} AS {q(name)}" for name, body in outs)
    return f"SELECT {head}{listed} FROM {sql}"
