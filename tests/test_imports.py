"""Every module of the package imports on its own, and the import graph has no cycle.

A cycle (``build`` importing the dataset modules that import ``build``) works only as long as the
imports stay inside functions; this keeps the layering explicit: ``store`` knows tables, not
datasets; ``sources`` use ``store``; ``build`` collects ``sources``.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_analysis import paths

PACKAGE = "cchc_analysis"
ROOT = paths.PACKAGE_DIR


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) for every module of the package."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The package modules ``name`` imports anywhere in its file (functions included)."""
    path, is_package = MODULES[name]
    here = name if is_package else name.rpartition(".")[0]
    wanted: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wanted.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            wanted.add(module)
            wanted.update(f"{module}.{alias.name}" for alias in node.names)
    edges = set()
    for target in wanted:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        # The root package only maps names lazily (importlib), so it is nobody's dependency.
        if target and target not in (name, PACKAGE):
            edges.add(target)
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
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
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    graph = {name: _imports(name) for name in MODULES}
    assert _cycles(graph) == []
    # The layering the store split is for.
    assert "cchc_analysis.build" not in graph["cchc_analysis.store"]
    for name, edges in graph.items():
        if name.startswith("cchc_analysis.sources"):
            assert "cchc_analysis.build" not in edges, name


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "cchc_analysis.store",
        "cchc_analysis.sources.papi",
        "cchc_analysis.sources.facts",
        "cchc_analysis.sources.par_sipas",
        "cchc_analysis.build",
    ],
)
def test_each_layer_imports_first_in_a_fresh_interpreter(name):
    """Import order must not matter: what the store split separated imports first on its own."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
