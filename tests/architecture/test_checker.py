"""The architecture test fails when it should: each rule, broken on purpose in a copy of the
service's sources (or in a small fake package), is reported by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.test_layers import API, ARCHITECTURE
from tests.support.architecture import ImportGraph, fresh_imports


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The service's Python sources, copied (the checker reads files; nothing is imported)."""
    shutil.copytree(
        API / "clearstone_api",
        tmp_path / "clearstone_api",
        ignore=shutil.ignore_patterns("*.json", "*.csv", "*.html", "*.css", "__pycache__"),
    )
    return tmp_path


def _append(root: Path, module: str, line: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = root / module.replace(".", "/") / "__init__.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


def _rules(root: Path) -> set[tuple[str, str]]:
    graph = ImportGraph.scan(root, "clearstone_api")
    return {(v.rule, v.module) for v in ARCHITECTURE.violations(graph)}


def test_the_copy_is_clean(copy: Path) -> None:
    assert _rules(copy) == set()


@pytest.mark.parametrize(
    ("module", "line", "rule", "reported"),
    [
        # The domain importing beyond the standard library and pydantic.
        (
            "clearstone_api.domain.names",
            "import sqlalchemy",
            "third-party",
            "clearstone_api.domain.names",
        ),
        # A service loading the web framework through a lower module, as errors.py once did.
        (
            "clearstone_api.canonical",
            "from starlette.responses import Response",
            "forbidden",
            "clearstone_api.services.custody",
        ),
        # A delayed import counts: the framework is loaded when the function runs.
        (
            "clearstone_api.services.lots",
            "def later() -> None:\n    import fastapi",
            "forbidden",
            "clearstone_api.services.lots",
        ),
        # A route reaching the database layer without a service.
        (
            "clearstone_api.routes.lots",
            "from clearstone_api.db import Database",
            "direct",
            "clearstone_api.routes.lots",
        ),
        (
            "clearstone_api.web.routes",
            "from sqlmodel import select",
            "direct",
            "clearstone_api.web.routes",
        ),
        # A lower layer importing a higher one.
        (
            "clearstone_api.services.lots",
            "from clearstone_api.routes.etags import if_none_match",
            "upward",
            "clearstone_api.services.lots",
        ),
        # An import cycle, even one hidden in a function or under TYPE_CHECKING.
        (
            "clearstone_api.db",
            "def _later() -> None:\n    from clearstone_api.schema import head_revision",
            "cycle",
            "clearstone_api.db",
        ),
    ],
)
def test_a_deliberate_violation_is_reported(
    copy: Path, module: str, line: str, rule: str, reported: str
) -> None:
    _append(copy, module, line)
    assert (rule, reported) in _rules(copy)


def test_a_new_module_outside_every_layer_is_reported(copy: Path) -> None:
    (copy / "clearstone_api" / "jobs.py").write_text('"""Somewhere new."""\n', encoding="utf-8")
    assert ("unassigned", "clearstone_api.jobs") in _rules(copy)


def test_a_fresh_interpreter_sees_what_a_third_party_library_pulls_in(tmp_path: Path) -> None:
    """The static graph stops at the package's edge; importing for real does not."""
    (tmp_path / "webframe").mkdir()
    (tmp_path / "webframe" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "helper.py").write_text("import webframe\n", encoding="utf-8")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "shop" / "pure.py").write_text("import json\n", encoding="utf-8")
    (tmp_path / "shop" / "service.py").write_text("import helper\n", encoding="utf-8")
    assert fresh_imports(["shop.pure"], ["webframe"], path=[tmp_path]) == []
    assert fresh_imports(["shop.pure", "shop.service"], ["webframe"], path=[tmp_path]) == [
        "webframe"
    ]
