"""The domain layer's import rules, read from the source: the domain is pure (stdlib and
pydantic), and the human-rights score does not depend on the KP rule modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import clearstone_api.domain

DOMAIN = Path(clearstone_api.domain.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_domain_imports_only_stdlib_pydantic_and_itself() -> None:
    allowed = set(sys.stdlib_module_names) | {"pydantic", "pydantic_core", "clearstone_api"}
    strays = {
        f"{path.name}: {name}"
        for path in sorted(DOMAIN.glob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] not in allowed
        or (name.startswith("clearstone_api.") and not name.startswith("clearstone_api.domain"))
    }
    assert strays == set()


def test_csc_reads_geography_not_kp_rules() -> None:
    for path in sorted(DOMAIN.glob("csc*.py")):
        kp = {name for name in _imports(path) if name.startswith("clearstone_api.domain.kp")}
        assert kp == set(), f"{path.name} imports {kp}"
