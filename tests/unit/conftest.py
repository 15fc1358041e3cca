from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from clearstone_api.demo.scenarios import load_vectors
from clearstone_api.domain.reference import Reference, load_reference
from clearstone_api.services.party_screen import screened

Vector = dict[str, Any]


@pytest.fixture(scope="session")
def reference() -> Reference:
    return screened(load_reference())


@pytest.fixture(scope="session")
def _vectors() -> dict[str, Vector]:
    return {vector["name"]: vector for vector in load_vectors()}


@pytest.fixture
def vector(_vectors: dict[str, Vector]) -> Callable[[str], Vector]:
    """A fresh deep copy of a published test vector, safe to edit."""

    def get(name: str) -> Vector:
        return copy.deepcopy(_vectors[name])

    return get
