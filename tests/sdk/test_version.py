from __future__ import annotations

import tomllib
from pathlib import Path

import clearstone
from clearstone._constants import USER_AGENT

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_version_matches_pyproject() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    assert clearstone.__version__ == project["version"]


def test_user_agent_names_the_version() -> None:
    assert USER_AGENT == f"clearstone-python/{clearstone.__version__}"
