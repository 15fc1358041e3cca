"""An import-graph checker for layered packages: what ``tests/architecture`` enforces.

It reads source files (never imports them) into a graph of modules and the modules they import,
anywhere in the file (a delayed import inside a function, or one under ``TYPE_CHECKING``, is
still a dependency), and reports every violation of an :class:`Architecture`:

- ``unassigned``: a module that belongs to no named layer;
- ``upward``: a module importing one of a higher layer;
- ``third-party``: a module of a *pure* layer importing outside the standard library and the
  distributions that layer allows;
- ``forbidden``: a module importing, directly or through any chain of the package's own modules,
  one of the layer's forbidden packages (the chain is in the message);
- ``cycle``: modules that import each other, directly or round a loop.

:func:`fresh_imports` complements the static graph: it imports modules in a fresh interpreter
and reports which forbidden packages ended up in ``sys.modules`` (third-party code that pulls a
framework in counts too).

Example::

    graph = ImportGraph.scan(Path("api"), "clearstone_api")
    assert ARCHITECTURE.violations(graph) == []
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Architecture", "ImportGraph", "Layer", "Violation", "fresh_imports"]


@dataclass(frozen=True)
class Violation:
    """One broken rule: which, where, and why."""

    rule: str
    module: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.module}: {self.detail}"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, node.module] if node.module else base)


@dataclass
class ImportGraph:
    """Modules of one or more packages, each with every module name it imports."""

    imports: dict[str, set[str]] = field(default_factory=dict)
    """Module -> imported names: the package's own modules resolved exactly, others as given."""
    packages: set[str] = field(default_factory=set)
    """Top-level package names scanned (their modules are "internal")."""

    @classmethod
    def scan(cls, root: Path, *packages: str) -> ImportGraph:
        """Read every ``.py`` file of ``packages`` under ``root``."""
        graph = cls(packages=set(packages))
        found: dict[str, tuple[Path, bool]] = {}
        for package in packages:
            for path in sorted((root / package).rglob("*.py")):
                found[_module_name(root, path)] = (path, path.name == "__init__.py")
        for module, (path, is_package) in found.items():
            names: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom):
                    target = _resolve(module, is_package, node)
                    for alias in node.names:
                        sub = f"{target}.{alias.name}"
                        names.add(sub if sub in found else target)
            names.discard(module)
            graph.imports[module] = names
        return graph

    def is_internal(self, name: str) -> bool:
        return name.split(".", 1)[0] in self.packages

    def internal(self, module: str) -> set[str]:
        """The package's own modules that importing ``module`` runs: those it names, and the
        ``__init__`` of each package they are in (Python runs it first), except the packages
        ``module`` is itself in (already running when it is imported)."""
        named = {self._owner(n) for n in self.imports[module] if self.is_internal(n)} - {""}
        own = set(_ancestors(module))
        packages = {p for n in named for p in _ancestors(n) if p in self.imports} - own
        return named | packages

    def _owner(self, name: str) -> str:
        """``name`` or, for ``package.attribute``, the nearest enclosing scanned module."""
        while name and name not in self.imports:
            name = name.rpartition(".")[0]
        return name

    def loaded_with(self, module: str) -> set[str]:
        """Every internal module that importing ``module`` can load: its packages' ``__init__``
        files, and what they and it import, transitively."""
        seen: set[str] = set()
        pending = [module]
        while pending:
            current = pending.pop()
            if current in seen or current not in self.imports:
                continue
            seen.add(current)
            pending.extend(self.internal(current))
            parts = current.split(".")
            pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        return seen

    def chain(self, start: str, goal: str) -> list[str]:
        """A shortest import chain from ``start`` to ``goal`` (both internal), as module names."""
        previous: dict[str, str | None] = {start: None}
        queue = [start]
        while queue:
            current = queue.pop(0)
            if current == goal:
                path = [current]
                while (before := previous[path[-1]]) is not None:
                    path.append(before)
                return path[::-1]
            parts = current.split(".")
            parents = {".".join(parts[:i]) for i in range(1, len(parts))} & set(self.imports)
            for after in sorted(self.internal(current) | parents):
                if after not in previous:
                    previous[after] = current
                    queue.append(after)
        return [start, goal]

    def cycles(self) -> list[list[str]]:
        """Groups of modules that import one another (strongly connected components of more
        than one module), by Tarjan's algorithm."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            for after in sorted(self.internal(node)):
                if after not in index:
                    visit(after)
                    low[node] = min(low[node], low[after])
                elif after in on_stack:
                    low[node] = min(low[node], index[after])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 10 * len(self.imports) + 100))
        try:
            for node in sorted(self.imports):
                if node not in index:
                    visit(node)
        finally:
            sys.setrecursionlimit(limit)
        return found


@dataclass(frozen=True)
class Layer:
    """A named layer: its members (a module, or a package with everything under it), what it may
    not load at all, and, for a pure layer, the only third-party distributions it may import."""

    name: str
    members: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    """Packages no module of this layer may import, directly or through the package's own."""
    pure: tuple[str, ...] | None = None
    """When set: the third-party top-level packages allowed (beside the standard library)."""


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@dataclass(frozen=True)
class Architecture:
    """Layers from the top (may import everything below) to the bottom (imports nothing above),
    plus packages some modules may not import directly."""

    layers: tuple[Layer, ...]
    roots: tuple[str, ...] = ()
    """Package roots (bare ``__init__`` files) that belong to no layer."""
    direct_bans: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Module prefix -> names its modules may not import directly (only through a lower layer)."""

    def layer_of(self, module: str) -> tuple[int, Layer] | None:
        best: tuple[int, int, Layer] | None = None
        for rank, layer in enumerate(self.layers):
            for member in layer.members:
                if _matches(module, member) and (best is None or len(member) > best[0]):
                    best = (len(member), rank, layer)
        return (best[1], best[2]) if best else None

    def violations(self, graph: ImportGraph) -> list[Violation]:
        return sorted(self._violations(graph), key=lambda v: (v.rule, v.module, v.detail))

    def _violations(self, graph: ImportGraph) -> Iterator[Violation]:
        for module in sorted(graph.imports):
            if module in self.roots:
                if graph.internal(module):
                    yield Violation("unassigned", module, "a package root imports nothing")
                continue
            placed = self.layer_of(module)
            if placed is None:
                yield Violation("unassigned", module, "belongs to no layer")
                continue
            rank, layer = placed
            yield from self._upward(graph, module, rank, layer)
            yield from self._third_party(graph, module, layer)
            yield from self._forbidden(graph, module, layer)
            yield from self._direct(graph, module)
        for group in graph.cycles():
            yield Violation("cycle", group[0], "modules importing one another: " + ", ".join(group))

    def _upward(
        self, graph: ImportGraph, module: str, rank: int, layer: Layer
    ) -> Iterator[Violation]:
        for target in sorted(graph.internal(module)):
            placed = self.layer_of(target)
            if placed is not None and placed[0] < rank:
                yield Violation(
                    "upward", module, f"{layer.name} imports {target} ({placed[1].name})"
                )

    def _third_party(self, graph: ImportGraph, module: str, layer: Layer) -> Iterator[Violation]:
        if layer.pure is None:
            return
        for name in sorted(graph.imports[module]):
            top = name.split(".", 1)[0]
            if graph.is_internal(name) or top in sys.stdlib_module_names or top in layer.pure:
                continue
            yield Violation("third-party", module, f"{layer.name} imports {name}")

    def _forbidden(self, graph: ImportGraph, module: str, layer: Layer) -> Iterator[Violation]:
        if not layer.forbidden:
            return
        for loaded in sorted(graph.loaded_with(module)):
            for name in sorted(graph.imports[loaded]):
                if any(_matches(name, banned) for banned in layer.forbidden):
                    via = " -> ".join(graph.chain(module, loaded))
                    yield Violation("forbidden", module, f"loads {name} via {via}")

    def _direct(self, graph: ImportGraph, module: str) -> Iterator[Violation]:
        for prefix, banned in self.direct_bans.items():
            if not _matches(module, prefix):
                continue
            for name in sorted(graph.imports[module]):
                if any(_matches(name, ban) for ban in banned):
                    yield Violation("direct", module, f"imports {name} (go through a service)")


def fresh_imports(
    modules: Iterable[str], watched: Iterable[str], *, path: Iterable[Path] = ()
) -> list[str]:
    """The ``watched`` packages found in ``sys.modules`` after importing ``modules`` in a fresh
    interpreter (with ``path`` on ``sys.path``)."""
    script = (
        "import importlib, json, sys\n"
        f"sys.path[:0] = {[str(p) for p in path]!r}\n"
        f"for name in {sorted(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        f"watched = {sorted(watched)!r}\n"
        "print(json.dumps(sorted({m for m in sys.modules for w in watched\n"
        "    if m == w or m.startswith(w + '.')})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    found: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return sorted({name.split(".", 1)[0] for name in found} & set(watched))
