"""Rule trees to SQL in any dialect: one renderer, the operations' templates, and the staging of
let bodies.

:class:`Renderer` turns one node into SQL from its operation's template (the dialect's own
when it has one, else the default of :data:`~.ops.OPS`), over its arguments already
rendered. :func:`render_sql` renders a whole tree as one self-contained expression (a select
list item); :mod:`.staged` renders many trees as one staged query instead.

How the single expression is shaped, and why (DuckDB 2.0 measurements on 1M rows, 2 threads):

* Outside lambdas DuckDB's common-subexpression elimination computes a repeated expression
  once, but it does not look inside ``CASE``, ``AND`` or ``OR``. A value needed several times
  is therefore bound with :func:`~.tree.let` (``list_transform([v], lambda p: body)[1]``);
  the bound value is a plain function argument, so identical lets in several output columns
  are computed once.
* Nested lambdas bind in time exponential in their depth, so a let may not sit inside another
  let's body (:func:`check_flat`); lets are chained instead.
* Inside a lambda there is no elimination at all, so the renderer *stages* each let body:
  nodes the body uses more than once are computed once in an earlier step and passed on as
  struct fields (``list_transform(list_transform([v], lambda p: {...}), lambda q: ...)``).
  Costly nodes that only some rows need (``case(..., rare=True)``) stay in their branch.
* Each step and each operation inside a lambda costs more than at the top level (about 2-4
  times per operation), so rules keep regular expressions at the top level where they can.

A renderer names lambda parameters and staged values itself, counting from 1: rendering has
no shared state, and the same tree gives the same text every time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .dialects import DUCKDB, Dialect, SqlParts, dialect_of
from .ops import OPS
from .tree import Expr

__all__ = ["Renderer", "check_flat", "children", "reached", "render_sql", "sql_size"]

# A step in the let chain costs about as much as a handful of cheap operations, so only
# repeats that would cost more than this (units of Op.cost) are computed once in a step.
_HOIST_AT = 8


class _Each:
    """``data[i]`` through a function, computed when a template asks for it."""

    __slots__ = ("data", "fn")

    def __init__(self, fn: Callable[[Any], str], data: Sequence[Any]) -> None:
        self.fn, self.data = fn, data

    def __getitem__(self, i: int) -> str:
        return self.fn(self.data[i])


class Renderer:
    """Renders rule trees in one dialect (one renderer per query: it owns the names)."""

    def __init__(
        self,
        dialect: Dialect | str = DUCKDB,
        *,
        table_alias: str | None = None,
        column: Callable[[str], str] | None = None,
    ) -> None:
        if table_alias is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table_alias):
            raise ValueError(f"bad table alias {table_alias!r}")
        self.dialect = dialect_of(dialect)
        prefix = f"{self.dialect.quote(table_alias)}." if table_alias else ""
        #: How a column is referred to: quoted (after ``table_alias``), or as ``column`` says.
        self.column: Callable[[str], str] = column or (lambda name: prefix + self.dialect.quote(name))
        self._names: dict[int, str] = {}
        self._named: list[Expr] = []  # keeps named and rendered nodes alive: ids stay unique
        # (a renderer may render many trees one after the other; a freed tree's ids are reused)
        self._counter = 0
        self._memo: dict[tuple[int, int], str] = {}
        self._top: dict[int, str] = {}  # the scope outside every let (memo keys hold scope ids,
        self._scopes: list[dict[int, str]] = [self._top]  # so every scope is kept alive)

    # -- names ---------------------------------------------------------------------------------
    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def name(self, node: Expr) -> str:
        """The name of a lambda parameter (or of a staged value) in this query."""
        key = id(node)
        if key not in self._names:
            self._names[key] = f"{'_p' if node.op == 'param' else 's'}{self._next()}"
            self._named.append(node)
        return self._names[key]

    def fresh(self) -> str:
        """A lambda parameter name no tree uses."""
        return f"_x{self._next()}"

    # -- one node --------------------------------------------------------------------------------
    def node(self, e: Expr, args: Sequence[str]) -> str:
        """One operation as SQL, over its arguments already rendered."""
        d = self.dialect
        template = d.op_templates.get(e.op)
        if template is None:
            op = OPS.get(e.op)
            if op is None:
                raise ValueError(f"unknown rule operation {e.op!r}")
            if op.sql is None:
                raise NotImplementedError(
                    f"SQL dialect {d.name!r} has no SQL for the rule operation {e.op!r}"
                )
            template = op.sql
        if isinstance(template, str):
            data = e.data
            return template.format(
                a=args,
                n=data,
                q=_Each(lambda v: d.string(str(v)), data),
                re=_Each(d.regex, data),
                t=_Each(d.type_name, data),
                T=d.types,
                f=d.functions,
            )
        return template(SqlParts(d, e, args, self.name, self.fresh, self.column))

    # -- a whole tree, let bodies staged ---------------------------------------------------------
    def expression(self, e: Expr) -> str:
        """A whole tree as one SQL expression (lets staged, see the module docstring)."""
        check_flat(e)
        return self._render(e, self._top)

    def _render(self, e: Expr, subst: dict[int, str]) -> str:
        if id(e) in subst:
            return subst[id(e)]
        key = (id(e), id(subst))
        if key not in self._memo:
            self._named.append(e)
            if e.op == "let":
                self._memo[key] = self._let(e, subst)
            else:
                self._memo[key] = self.node(e, [self._render(a, subst) for a in e.args])
        return self._memo[key]

    def _let(self, e: Expr, subst: dict[int, str]) -> str:
        value, body, param = e.args
        value_sql = self._render(value, subst)
        pname = self.name(param)
        levels, uses = _plan(body, param, subst)
        if not levels:
            inner = {**subst, id(param): pname}
            self._scopes.append(inner)
            return self.node(e, [value_sql, self._render(body, inner), pname])
        d = self.dialect
        final_uses = uses[id(body)]
        chain = d.list_of([value_sql])
        current = {**subst, id(param): pname}
        self._scopes.append(current)
        qname = pname
        for k, stage in enumerate(levels):
            # what stage k+1 and later still read: carried on as fields of this step's struct
            later: set[int] = set(final_uses)
            for later_stage in levels[k + 1 :]:
                for node in later_stage:
                    later |= uses[id(node)]
            fields: list[tuple[str, str]] = []
            carried = [
                (nid, ref)
                for nid, ref in current.items()
                if nid not in subst and nid in later and nid != id(param)
            ]
            if id(param) in later:
                fields.append(("v", current[id(param)]))
            fields.extend((ref.rsplit(".", 1)[-1], ref) for _, ref in carried)
            fields.extend((self.name(node), self._render(node, current)) for node in stage)
            chain = d.transform(chain, qname, d.struct(fields))
            next_q = f"{pname}_{k + 1}"
            nxt = dict(subst)
            if id(param) in later:
                nxt[id(param)] = f"{next_q}.v"
            for nid, ref in carried:
                nxt[nid] = f"{next_q}.{ref.rsplit('.', 1)[-1]}"
            for node in stage:
                nxt[id(node)] = f"{next_q}.{self.name(node)}"
            self._scopes.append(nxt)
            current, qname = nxt, next_q
        return d.first(d.transform(chain, qname, self._render(body, current)))


def render_sql(expr: Expr, *, table_alias: str | None = None, dialect: Dialect | str = DUCKDB) -> str:
    """Render a tree as one SQL expression in ``dialect`` (a :class:`~.dialects.Dialect` or
    its name). ``table_alias`` qualifies the column references."""
    return Renderer(dialect, table_alias=table_alias).expression(expr)


def children(e: Expr) -> list[tuple[Expr, bool]]:
    """Children of a node, each with whether it is evaluated only for some rows (the
    branches of a rare CASE). A list lambda's children are its list and the largest parts of
    its body that do not read the element; a let's child is its value."""
    op = OPS[e.op]
    if op.binds_element:
        # the list is evaluated for every row; the lambda body per element
        return [(e.args[0], False), *((x, False) for x in _frontier(e.args[1], e.args[2]))]
    if e.op == "case":
        has_default, rare = e.data[0], e.data[1]
        n = len(e.args) - 1 if has_default else len(e.args)
        out: list[tuple[Expr, bool]] = []
        for i in range(0, n, 2):
            out.append((e.args[i], False))
            out.append((e.args[i + 1], rare))
        if has_default:
            out.append((e.args[-1], rare))
        return out
    if e.op == "let":
        return [(e.args[0], False)]
    return [(x, False) for x in e.args]


def _frontier(body: Expr, p: Expr) -> list[Expr]:
    """Largest parts of a list-lambda body that do not use the element parameter."""
    out: list[Expr] = []
    seen: set[int] = set()
    uses: dict[int, bool] = {}

    def uses_p(x: Expr) -> bool:
        if id(x) not in uses:
            uses[id(x)] = x is p or any(uses_p(a) for a in x.args)
        return uses[id(x)]

    todo = [body]
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if not uses_p(x):
            if not OPS[x.op].leaf:
                out.append(x)
            continue
        todo.extend(x.args)
    return out


def _plan(body: Expr, param: Expr, subst: dict[int, str]) -> tuple[list[list[Expr]], dict[int, set[int]]]:
    """Which nodes of a let body to compute once, in which step.

    Returns the steps (lists of nodes; a node only reads nodes of earlier steps) and, for
    every node computed in a step and for the body, the ids of the step results (and of the
    parameter) it reads directly."""

    def fixed(node: Expr) -> bool:  # given: costs nothing here
        return id(node) in subst or node is param or OPS[node.op].leaf

    refs: dict[int, int] = {}
    uncond: set[int] = set()  # evaluated for every row, not only in a branch
    seen_uncond: set[int] = set()  # whose subtree was walked as evaluated for every row
    visited: set[int] = set()
    order: list[Expr] = []  # postorder
    stack: list[tuple[Expr, bool, bool]] = [(body, False, True)]
    while stack:
        node, done, unconditional = stack.pop()
        if done:
            order.append(node)
            continue
        if unconditional:
            uncond.add(id(node))
        first_visit = id(node) not in visited
        if not first_visit and not (unconditional and id(node) not in seen_uncond):
            continue
        visited.add(id(node))
        if unconditional:
            seen_uncond.add(id(node))
        if first_visit:
            stack.append((node, True, unconditional))
        if fixed(node):
            continue
        for child, cond in children(node):
            if first_visit:
                refs[id(child)] = refs.get(id(child), 0) + 1
            stack.append((child, False, unconditional and not cond))
    cost: dict[int, int] = {}
    heavy: dict[int, bool] = {}
    for node in order:
        if fixed(node) or (node.op == "field" and cost.get(id(node.args[0]), 1) == 0):
            cost[id(node)] = 0
        else:
            cost[id(node)] = OPS[node.op].cost + sum(cost.get(id(c), 0) for c, _ in children(node))
        heavy[id(node)] = not fixed(node) and (
            OPS[node.op].heavy or any(heavy.get(id(c), False) for c, _ in children(node))
        )
    shared = {
        id(n)
        for n in order
        if (id(n) in uncond or not heavy[id(n)])
        and cost[id(n)] > 0
        and n is not body
        and not OPS[n.op].guarded
        and (refs.get(id(n), 0) - 1) * cost[id(n)] >= _HOIST_AT
    }
    if not shared:
        return [], {}
    level: dict[int, int] = {}
    uses: dict[int, set[int]] = {}

    def direct(n: Expr) -> set[int]:
        return reached(
            [c for c, _ in children(n)],
            lambda x: id(x) in shared or x is param,
            lambda x: [] if id(x) in subst or OPS[x.op].leaf else [c for c, _ in children(x)],
        )

    for n in order:
        if id(n) in shared:
            uses[id(n)] = direct(n)
            level[id(n)] = 1 + max((level[u] for u in uses[id(n)] if u in level), default=-1)
    uses[id(body)] = direct(body) if id(body) not in shared else {id(body)}
    levels: list[list[Expr]] = [[] for _ in range(max(level.values()) + 1)]
    for n in order:
        if id(n) in shared:
            levels[level[id(n)]].append(n)
    return levels, uses


def reached(
    starts: Iterable[Expr], marked: Callable[[Expr], bool], below: Callable[[Expr], Iterable[Expr]]
) -> set[int]:
    """Ids of the marked nodes reachable from ``starts`` through unmarked ones (a node's
    successors are ``below(node)``): what a node reads directly among the marked nodes."""
    out: set[int] = set()
    seen: set[int] = set()
    todo = list(starts)
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if marked(x):
            out.add(id(x))
        else:
            todo.extend(below(x))
    return out


def check_flat(expr: Expr) -> None:
    """Refuse a :func:`~.tree.let` inside the body of another ``let`` or list lambda.

    DuckDB binds nested lambdas in time exponential in their depth; rules chain lets
    instead (a let may be the *value* of another)."""
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        e, inside = stack.pop()
        if (id(e), inside) in seen:
            continue
        seen.add((id(e), inside))
        if e.op == "let":
            if inside:
                raise ValueError("a let inside a lambda body; chain lets instead")
            stack.append((e.args[0], inside))
            stack.append((e.args[1], True))
        elif OPS[e.op].binds_element:
            stack.append((e.args[0], inside))
            stack.append((e.args[1], True))
        else:
            stack.extend((a, inside) for a in e.args)


def sql_size(expr: Expr) -> int:
    """Length of the rendered SQL, estimated without rendering (for tests on text growth)."""
    memo: dict[int, int] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if id(e) in memo:
            continue
        if ready:
            memo[id(e)] = 20 + sum(memo[id(a)] for a in e.args)
            continue
        stack.append((e, True))
        stack.extend((a, False) for a in e.args if id(a) not in memo)
    return memo[id(expr)]
