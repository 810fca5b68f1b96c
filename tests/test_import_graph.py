"""No import circles in the package: read one module, and what it needs is below it.

Every import of addin/scorecard counts, read from the source: at the top of a module, inside a function
(an import put there to dodge a circle is still one) and under ``if TYPE_CHECKING:``. ``from package import
name`` is an import of the submodule when ``name`` is one, else of the package itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import scorecard

PACKAGE = Path(scorecard.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["scorecard", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module of the package -> the modules of the package it imports."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    submodule = f"{target}.{alias.name}"
                    if submodule in modules:
                        imported.add(submodule)
                    elif target in modules:
                        imported.add(target)
        graph[name] = imported - {name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``, one for each group of modules that import each other (Tarjan's
    strongly connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_package_has_no_import_circle():
    graph = import_graph(_modules())
    assert circles(graph) == [], "\n".join(
        f"{member} imports {sorted(graph[member] & set(group))}" for group in circles(graph) for member in group
    )


def test_the_graph_sees_every_kind_of_import(tmp_path):
    """A circle made by an import inside a function, or under TYPE_CHECKING, or through a package's
    ``from . import name``, is found: the test above can fail."""
    (tmp_path / "scorecard" / "core").mkdir(parents=True)
    files = {
        "scorecard/__init__.py": "from .core import a\n",
        "scorecard/core/__init__.py": "",
        "scorecard/core/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
        "scorecard/core/b.py": "def f():\n    from . import a\n",
        "scorecard/core/c.py": "from .. import core\n",
        "scorecard/core/d.py": "import scorecard.core.c\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    modules = {
        ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
        for p in (tmp_path / "scorecard").rglob("*.py")
    }
    graph = import_graph(modules)
    assert graph["scorecard.core.b"] == {"scorecard.core.a"}
    assert graph["scorecard.core.c"] == {"scorecard.core"}
    assert graph["scorecard.core.d"] == {"scorecard.core.c"}
    assert circles(graph) == [["scorecard.core.a", "scorecard.core.b"]]
