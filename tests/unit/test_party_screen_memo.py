"""The party screen remembers its answers per name (``services/party_screen.py``): the same
matches as scoring afresh, for names that match and names that do not, and nothing a caller
could change in place."""

from __future__ import annotations

import gc

import pytest

from clearstone_api.domain.reference import Reference
from clearstone_api.services.party_screen import PartyScreen
from clearstone_api.services.reference_store import base_reference

NAMES = [
    "ALROSA",
    "АЛРОСА",
    "PJSC Alrosa",
    "Alorsa",
    "Al Rosa Trading",
    "Antwerp Diamond House",
    "Ivanov",
    "",
]


@pytest.mark.parametrize("name", NAMES)
def test_remembered_answers_equal_fresh_ones(reference: Reference, name: str) -> None:
    screen = PartyScreen(reference.sanctioned_parties)
    fresh = PartyScreen(reference.sanctioned_parties)._screen(name)
    first = screen.screen(name)
    again = screen.screen(name)
    assert first == fresh
    assert again is first  # remembered, not recomputed
    assert isinstance(first, tuple)  # shared, so immutable


def test_one_name_matches_and_another_does_not(reference: Reference) -> None:
    screen = PartyScreen(reference.sanctioned_parties)
    assert screen.screen("PJSC ALROSA")
    assert not screen.screen("Antwerp Diamond House")


def test_the_shipped_reference_is_frozen_out_of_the_collectors_sight() -> None:
    base_reference(None)
    assert gc.get_freeze_count() > 0
