"""``clearstone.__all__`` is the public surface: complete and importable."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import clearstone


def test_all_lists_every_public_member() -> None:
    public = {name for name in vars(clearstone) if not name.startswith("_")}
    assert public | {"__version__"} == set(clearstone.__all__)


def test_all_has_no_duplicates() -> None:
    # Its order is ruff's (RUF022), checked by `make lint`.
    assert len(clearstone.__all__) == len(set(clearstone.__all__))


def test_every_exported_name_imports() -> None:
    module = importlib.import_module("clearstone")
    for name in clearstone.__all__:
        assert getattr(module, name) is not None, name


def test_public_classes_live_in_private_modules() -> None:
    for name in clearstone.__all__:
        member = getattr(clearstone, name)
        if inspect.isclass(member):
            assert member.__module__.startswith("clearstone._"), name


def test_the_sdk_imports_without_any_server_dependency() -> None:
    script = (
        "import sys, clearstone; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'fastapi', 'sqlmodel', 'sqlalchemy', 'clearstone_api'}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
