"""The package's structure: no import circle between modules of ``src/dtks_link``, no source
module over 600 lines, and no reach into another object's underscore members (Splink's private
API is touched only in ``backends/splink_compat.py``).

Imports are read from the source text (nothing is imported): those at the top of a module,
inside functions (a lazy import is still a dependency) and under ``if TYPE_CHECKING:`` (a type
is one too). Importing ``a.b.c`` from outside package ``a.b`` also runs ``a/b/__init__.py``, so
it counts as an import of that package as well.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 600


def modules(src: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``src``."""
    found: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of ``known`` that module ``name`` imports, anywhere in its text."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                targets.add(submodule if submodule in known else module)
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
    found: set[str] = set()
    for target in targets:
        if target not in known:
            continue
        found.add(target)
        parts = target.split(".")
        # importing a.b.c from outside a.b runs a/b/__init__.py first
        found.update(
            parent
            for parent in (".".join(parts[:i]) for i in range(1, len(parts)))
            if parent in known and parent not in ancestors
        )
    found.discard(name)
    return found


def import_graph(src: Path, package: str) -> dict[str, set[str]]:
    known = modules(src, package)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe(group: list[str], graph: Mapping[str, set[str]]) -> str:
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & set(group)))}" for m in group)


def test_no_module_of_the_package_imports_in_a_circle() -> None:
    graph = import_graph(SRC, "dtks_link")
    assert len(graph) > 100 and "dtks_link.registry.registry" in graph
    assert "dtks_link.registry.store" in graph["dtks_link.registry.ingest"]
    found = circles(graph)
    assert not found, "import circles: " + " | ".join(describe(g, graph) for g in found)


def test_no_source_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in sorted((SRC / "dtks_link").rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them along their seams): {long}"


#: Where a private name of another object may be read: Splink's private API, behind one module.
PRIVATE_ACCESS_ALLOWED = {"dtks_link/backends/splink_compat.py"}
#: Private names of the standard library that have no public spelling (annotations only).
STDLIB_PRIVATE = {"argparse._SubParsersAction"}


def private_reaches(source: str) -> list[str]:
    """``line: expression`` for each ``obj._name`` in ``source`` where ``obj`` is not ``self`` or
    ``cls`` (dunder names are public protocol), and each ``splink.internals`` import."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            name, owner = node.attr, node.value
            if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
                continue
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if ast.unparse(node) in STDLIB_PRIVATE:
                continue
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            modules = (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            )
            found += [f"{node.lineno}: import {m}" for m in modules if m.startswith("splink.internals")]
    return found


def test_no_module_reaches_into_another_objects_private_members() -> None:
    reaches = {
        relative: found
        for path in sorted((SRC / "dtks_link").rglob("*.py"))
        if (relative := str(path.relative_to(SRC))) not in PRIVATE_ACCESS_ALLOWED
        and (found := private_reaches(path.read_text(encoding="utf-8")))
    }
    assert not reaches, (
        "these modules use another object's underscore members; give its class a public method "
        f"(Splink's private API goes in backends/splink_compat.py): {reaches}"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("store._apply_changes(c, 1, replace_all=False)\n", ["1: store._apply_changes"]),
        ("x = registry._meta\n", ["1: registry._meta"]),
        (
            "linker._settings_obj._probability_two_random_records_match\n",
            [
                "1: linker._settings_obj._probability_two_random_records_match",
                "1: linker._settings_obj",
            ],
        ),
        ("from splink.internals.dialects import DuckDBDialect\n", ["1: import splink.internals.dialects"]),
        ("self._meta('k')\ncls._cache\nobj.__class__\nstore.meta('k')\n", []),
    ],
)
def test_the_private_reach_check_finds_what_it_must(source: str, expected: list[str]) -> None:
    assert private_reaches(source) == expected


def _package(root: Path, files: Mapping[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"pkg/__init__.py": "", "pkg/a.py": "from .b import x\n", "pkg/b.py": "import pkg.a\n"},
            [["pkg.a", "pkg.b"]],
            id="top-level",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "from .b import x\n",
                "pkg/b.py": "def f():\n    from .a import y\n",
            },
            [["pkg.a", "pkg.b"]],
            id="inside-a-function",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/a.py": "from pkg import b\n",
                "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import A\n",
            },
            [["pkg.a", "pkg.b"]],
            id="type-only",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "from .facade import F\n",
                "pkg/sub/facade.py": "from ..other import g\n",
                "pkg/sub/low.py": "X = 1\n",
                "pkg/other.py": "from .sub.low import X\n",
            },
            [["pkg.other", "pkg.sub", "pkg.sub.facade"]],
            id="through-a-package-init",
        ),
        pytest.param(
            {
                "pkg/__init__.py": "from .a import A\n",
                "pkg/a.py": "from .b import x\n",
                "pkg/b.py": "X = 1\n",
            },
            [],
            id="one-way",
        ),
    ],
)
def test_the_circle_check_finds_what_it_must(
    tmp_path: Path, files: Mapping[str, str], expected: list[list[str]]
) -> None:
    root = _package(tmp_path, files)
    assert circles(import_graph(root, "pkg")) == expected


def test_every_data_file_of_the_package_ships_in_the_wheel() -> None:
    """Files beside the modules that are not Python (string tables, generator data, the model)
    are read at run time, so ``[tool.setuptools.package-data]`` must name each of them."""
    import fnmatch
    import tomllib

    pyproject = tomllib.loads((SRC.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["dtks_link"]
    package = SRC / "dtks_link"
    data = [
        path.relative_to(package).as_posix()
        for path in sorted(package.rglob("*"))
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert len(data) > 10
    left_out = [name for name in data if not any(fnmatch.fnmatch(name, p) for p in patterns)]
    assert not left_out, f"add these to [tool.setuptools.package-data] in pyproject.toml: {left_out}"
