"""The package's shape: the import graph of src/checkout_tester has no circles and no upward imports.

Run `make arch` (or this file) to print the strongly connected components and every module's layer.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "checkout_tester"
# Bottom to top. A module may import its own layer or a lower one, never a higher one.
LAYERS = ["demostore", "base", "flow", "target", "run", "observe", "mail", "report", "session", "monitor", "reproduce", "pytest", "cli", ""]

# Known debt, to shrink and never to grow: each entry is one import edge the rules would refuse. The test fails
# when a new circle or upward import appears, and when a listed edge is gone (then delete it here). Empty now:
# observers are registered with the engine (run/observers.py), which names none of them.
DEBT: set[tuple[str, str]] = set()


def module_names() -> dict[str, Path]:
    """Dotted module name (without `checkout_tester.`) -> file, packages by their __init__."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(tree: ast.AST, modules: dict[str, Path]) -> set[str]:
    """Every checkout_tester module a file imports: top level, inside functions and under TYPE_CHECKING."""
    def known(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {known(a.name[16:]) for a in node.names if a.name.startswith("checkout_tester.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and (
                node.module == "checkout_tester" or node.module.startswith("checkout_tester.")):
            base = node.module[16:]
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                names.add(full if full in modules else known(base))
    return names


def import_graph() -> nx.DiGraph:
    """Modules as nodes, an edge from importer to imported."""
    modules = module_names()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in imported(ast.parse(path.read_text(), str(path)), modules):
            if target != name and not name.startswith(target + "."):  # a package's own modules are not its importers
                graph.add_edge(name, target)
    return graph


def layer(module: str) -> int:
    """Rank of a module's layer: its first dotted part ('' is the package root, the top)."""
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else LAYERS.index("")


def circles(graph: nx.DiGraph) -> list[list[str]]:
    """Strongly connected components of more than one module."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def without_debt(graph: nx.DiGraph) -> nx.DiGraph:
    """The graph less the DEBT edges: what must already hold the rules."""
    clean = graph.copy()
    clean.remove_edges_from(DEBT & set(graph.edges))
    return clean


def upward(graph: nx.DiGraph) -> list[str]:
    """Imports from a lower layer to a higher one; demostore imports nothing outside itself."""
    bad = [f"{a} ({LAYERS[layer(a)] or 'root'}) imports {b} ({LAYERS[layer(b)] or 'root'})"
           for a, b in graph.edges if layer(a) < layer(b) or layer(a) == 0 < layer(b)]
    return sorted(bad)


def report(graph: nx.DiGraph) -> str:
    """Layers with their modules, then the strongly connected components."""
    lines = []
    for rank, name in enumerate(LAYERS):
        members = sorted(m for m in graph if layer(m) == rank)
        lines.append(f"layer {rank} {name or 'checkout_tester (root)'}: {', '.join(m or '__init__' for m in members)}")
    found = circles(graph)
    lines.append(f"strongly connected components of more than one module: {len(found)}")
    lines += ["  " + " <-> ".join(c) for c in found]
    lines += [f"upward: {u}" for u in upward(graph)]
    lines.append(f"after the {len(DEBT)} listed debt edges: circles {circles(without_debt(graph))}, "
                 f"upward {upward(without_debt(graph))}")
    return "\n".join(lines)


def test_the_import_graph_has_no_circles_but_the_listed_debt() -> None:
    graph = import_graph()
    print(report(graph))
    assert circles(without_debt(graph)) == [], report(graph)


def test_no_module_imports_a_layer_above_it_but_the_listed_debt() -> None:
    assert upward(without_debt(import_graph())) == [], report(import_graph())


def test_every_listed_debt_edge_still_exists() -> None:
    assert DEBT - set(import_graph().edges) == set(), "paid off: delete these from DEBT"


def test_the_rules_catch_a_circle_and_an_upward_import() -> None:
    graph = import_graph()
    graph.add_edges_from([("flow.model", "report.console"), ("report.console", "flow.model")])
    assert ["flow.model", "report.console"] in circles(without_debt(graph))
    assert "flow.model (flow) imports report.console (report)" in upward(without_debt(graph))


def test_only_the_pytest_package_imports_pytest() -> None:
    importers = [name for name, path in module_names().items()
                 if any(isinstance(n, (ast.Import, ast.ImportFrom)) and (
                     any(a.name.split(".")[0] == "pytest" for a in getattr(n, "names", [])) and isinstance(n, ast.Import)
                     or isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] in {"pytest", "_pytest"}
                     and n.level == 0)
                        for n in ast.walk(ast.parse(path.read_text())))]
    assert [m for m in importers if not m.startswith("pytest")] == []


def test_the_graph_sees_imports_inside_functions_and_type_checking() -> None:
    graph = import_graph()
    assert graph.has_edge("session", "demostore")  # imported inside a function
    assert graph.has_edge("observe.page_scan", "flow.detector_policy")  # under TYPE_CHECKING
    assert graph.has_edge("pytest.plugin", "base.errors")


if __name__ == "__main__":
    text = report(import_graph())
    print(text)
    clean = without_debt(import_graph())
    sys.exit(1 if circles(clean) or upward(clean) or DEBT - set(import_graph().edges) else 0)
