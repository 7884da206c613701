"""The code's layout holds: imports point down the story, no module imports itself back through
others, and no function outgrows a screen.

The layer order is the one written in ``referatbygg/__init__.py`` (LAYERS). Every import counts:
at the top of a module, inside a function (the lazy imports that keep ``check`` fast), and under
``TYPE_CHECKING`` — a type from a higher layer is still a dependency on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import referatbygg

PACKAGE = Path(referatbygg.__file__).parent
LONGEST = 80  # lines, def to last line; the aim is ~60


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) of every referatbygg module ``name`` imports. ``from P import a`` names
    the submodule P.a when there is one, else P itself (a is defined there)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source not in MODULES:
                continue
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                found.append((node.lineno, sub if sub in MODULES else source))
    return [(line, target) for line, target in found if target != name]


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _unit(name: str) -> str:
    """The layer unit a module belongs to: its top-level module or subpackage."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "referatbygg"


def _entry_point(name: str) -> bool:
    """``__main__`` modules start a process: they stand above every layer."""
    return name.endswith("__main__")


def test_every_unit_has_a_layer() -> None:
    placed = set(referatbygg.LAYERS)
    units = {_unit(n) for n in MODULES if not _entry_point(n)} - {"referatbygg"}
    assert units - placed == set(), "modules with no place in referatbygg.LAYERS"
    assert placed - units == set(), "LAYERS names what does not exist"


def _rank(name: str) -> int:
    unit = _unit(name)
    if unit == "referatbygg":
        return -1  # the package itself: its version, nothing else
    return referatbygg.LAYERS.index(unit)


def violations() -> list[str]:
    found = []
    for name, imports in GRAPH.items():
        if _entry_point(name):
            continue
        for line, target in imports:
            if _unit(target) == _unit(name):
                continue
            if _rank(target) >= _rank(name):
                found.append(
                    f"{MODULES[name].relative_to(PACKAGE.parent)}:{line}: {name} "
                    f"({_unit(name)}) imports {target} ({_unit(target)}), not below it"
                )
    return found


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _line, nxt in GRAPH[node]:
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

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_imports_point_down_the_layers() -> None:
    assert violations() == []


def test_no_import_cycles() -> None:
    assert cycles() == []


def long_functions(limit: int = LONGEST) -> list[str]:
    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > limit:
                    found.append(f"{name}.{node.name}: {lines} lines (line {node.lineno})")
    return found


def test_no_function_outgrows_a_screen() -> None:
    assert long_functions() == []


# --- the checks themselves can fail ------------------------------------------------------------


def test_the_layer_check_sees_an_upward_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, "referatbygg.meeting.load", [(1, "referatbygg.pipeline")])
    assert any("meeting.load" in v and "pipeline" in v for v in violations())


def test_the_cycle_check_sees_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(GRAPH, "referatbygg.errors", [(1, "referatbygg.fsutil")])
    assert ["referatbygg.errors", "referatbygg.fsutil"] in cycles()


def test_the_length_check_sees_a_long_function() -> None:
    assert long_functions(limit=20)


def readme_problems(section: str) -> list[str]:
    """What is wrong with the README's list of the layers: a layer it does not name, or one
    named out of LAYERS' order."""
    places = {}
    for unit in referatbygg.LAYERS:
        found = [i for i in (section.find(f"{unit}/"), section.find(f"{unit}.py")) if i >= 0]
        if found:
            places[unit] = min(found)
    problems = [f"README does not name {u}" for u in referatbygg.LAYERS if u not in places]
    order = sorted(places, key=places.__getitem__)
    if order != [u for u in referatbygg.LAYERS if u in places]:
        problems.append(f"README lists the layers as {order}")
    return problems


def test_the_readme_lists_the_layers_in_their_order() -> None:
    """README's "How the code is laid out" names every layer, in the order of LAYERS."""
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1].split("Beside the code", 1)[0]
    assert readme_problems(section) == []


def test_the_readme_check_sees_a_missing_or_misplaced_layer() -> None:
    right = "\n".join(f"{unit}/" for unit in referatbygg.LAYERS)
    assert readme_problems(right) == []
    assert readme_problems(right.replace("signing/", "")) == ["README does not name signing"]
    swapped = right.replace("pdf/", "@").replace("document/", "pdf/").replace("@", "document/")
    assert any("lists the layers as" in p for p in readme_problems(swapped))
