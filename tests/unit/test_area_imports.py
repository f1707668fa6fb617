"""The areas (packages under tracker/) import each other one way: a newer area may import an
older one, never the reverse. An import inside a function counts (it only hides the cycle).
Where an older area needs something of a newer one, the newer one provides it through a hook
(tracker/wiring.py)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[2] / "tracker"

Edges = dict[str, dict[str, list[str]]]  # area → imported area → where (file:line)


def areas() -> set[str]:
    return {p.name for p in TRACKER.iterdir() if (p / "__init__.py").exists()}


def imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return []


def area_graph() -> Edges:
    known = areas()
    edges: Edges = defaultdict(lambda: defaultdict(list))
    for path in TRACKER.rglob("*.py"):
        parts = path.relative_to(TRACKER).parts
        if len(parts) < 2 or parts[0] not in known:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for module in imported_modules(node):
                names = module.split(".")
                if names[0] == "tracker" and len(names) > 1 and names[1] in known:
                    if names[1] != parts[0]:
                        where = f"{path.relative_to(TRACKER.parent)}:{node.lineno}"
                        edges[parts[0]][names[1]].append(where)
    return edges


def cycles(edges: Edges) -> list[list[str]]:
    """The strongly connected groups of more than one area (Tarjan), each in a cycle's order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(area: str) -> None:
        index[area] = low[area] = len(index)
        stack.append(area)
        for other in sorted(edges.get(area, {})):
            if other not in index:
                visit(other)
                low[area] = min(low[area], low[other])
            elif other in stack:
                low[area] = min(low[area], index[other])
        if low[area] == index[area]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == area:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for area in sorted(edges):
        if area not in index:
            visit(area)
    return found


def describe(edges: Edges, group: list[str]) -> str:
    lines = [" ↔ ".join(group)]
    for a in group:
        for b in group:
            if b in edges.get(a, {}):
                lines.append(f"  {a} → {b}: {', '.join(sorted(set(edges[a][b]))[:4])}")
    return "\n".join(lines)


def test_no_two_areas_import_each_other() -> None:
    edges = area_graph()
    assert edges, "no imports between areas were found: the reader is broken"
    found = cycles(edges)
    assert not found, "areas importing each other:\n" + "\n".join(describe(edges, g) for g in found)


def test_the_cycle_finder_sees_a_cycle_through_three_areas() -> None:
    edges: Edges = {"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": ["z"]}, "d": {"a": ["w"]}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert "c → a: z" in describe(edges, ["a", "b", "c"])


def test_an_import_inside_a_function_counts() -> None:
    tree = ast.parse("def f():\n    from tracker.gates import rules\n")
    assert [m for n in ast.walk(tree) for m in imported_modules(n)] == [
        "tracker.gates",
        "tracker.gates.rules",
    ]


def test_every_hook_is_wired_and_an_unwired_one_says_so() -> None:
    import importlib

    import pytest

    from tracker import wiring
    from tracker.hooks import Hook

    wiring.install()
    hooks = [
        value
        for area in sorted(areas())
        if (TRACKER / area / "hooks.py").exists()
        for value in vars(importlib.import_module(f"tracker.{area}.hooks")).values()
        if isinstance(value, Hook)
    ]
    assert len(hooks) >= 6
    assert all(callable(h.call) for h in hooks)
    with pytest.raises(RuntimeError, match=r"hook a\.B is not wired"):
        Hook("a.B").call  # noqa: B018
