"""The package's shape: top-level packages import each other in one direction, modules stay small."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import scicatlive

PACKAGE = Path(scicatlive.__file__).parent
REPOSITORY = PACKAGE.parent
MAX_LINES = 400


def _top_level(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "scicatlive" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    """Every scicatlive module ``path`` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("scicatlive.")}


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "_data":
            continue
        source = relative.parts[0].removesuffix(".py")
        for module in _imports(path):
            target = _top_level(module)
            if target is not None and target != source and _is_part(target):
                edges[source].add(target)
    return edges


def _is_part(name: str) -> bool:
    """A module or package of scicatlive (not a name imported from ``scicatlive/__init__``)."""
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").is_file()


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_top_level_packages_import_each_other_without_cycles() -> None:
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle between top-level packages: " + " → ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_no_module_is_over_400_lines() -> None:
    roots = [PACKAGE, *(p / "src" for p in (REPOSITORY / "services").iterdir() if (p / "src").is_dir())]
    long = {
        str(path.relative_to(REPOSITORY)): lines
        for root in roots
        for path in root.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"
