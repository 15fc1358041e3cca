"""Near matches for a certificate number that names no stone: "did you mean GIA-0000310040?".

A shopper copies ten digits off a report and gets one wrong, reads an ``O`` for a ``0`` or adds
spaces and dashes. The suggestion is drawn from the grading labs' report numbers that suppliers
have claimed (never from aliases or Clearstone ids, which are not printed on a report), and says
nothing but each candidate's lab and number: no stone, no verdict, no claimant.

Enumeration is bounded: at most :data:`MAX_SUGGESTIONS` candidates, only within one edit (a
substitution, an insertion, a deletion or two neighbours swapped) of what was typed after the
look-alike letters are read as digits, only for inputs of at least :data:`MIN_LENGTH`
characters, and every request spends the per-address rate-limit budget of the public pages.
What a guesser learns per request is therefore at most what three exact lookups would tell.

The scoring is rapidfuzz's optimal-string-alignment distance (Damerau-Levenshtein without
repeated edits of one substring); the database narrows the candidates first to numbers sharing
the first or the second half of the typed digits (one edit leaves one half intact), at most
:data:`MAX_CANDIDATES` rows.

Example::

    suggest_numbers(session, "GIA 0000310O41")  # ["GIA-0000310040"] (one digit, one O)
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import or_
from sqlmodel import Session, col, select

from clearstone_api.certificate_numbers import lookup_key
from clearstone_api.models.number_claim import NumberClaim

__all__ = ["MAX_SUGGESTIONS", "MIN_LENGTH", "suggest_numbers"]

MAX_SUGGESTIONS = 3
MIN_LENGTH = 6
MAX_CANDIDATES = 500
MAX_DISTANCE = 1

# Letters people read for digits on a printed report or a girdle inscription.
_LOOK_ALIKES = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8"})
_LAB_PREFIX = re.compile(r"^([A-Z]{2,8})(?=[0-9OQDILSB]*[0-9])(.+)$")


def _readings(typed: str) -> list[tuple[str | None, str]]:
    """(lab, digits) the typed text may mean: with and without a leading lab code."""
    key = lookup_key(typed)
    readings: list[tuple[str | None, str]] = [(None, key.translate(_LOOK_ALIKES))]
    prefixed = _LAB_PREFIX.match(key)
    if prefixed:
        readings.insert(0, (prefixed.group(1), prefixed.group(2).translate(_LOOK_ALIKES)))
    return [(lab, digits) for lab, digits in readings if len(digits) >= MIN_LENGTH]


def _candidates(session: Session, digits: str) -> list[tuple[str, str, str]]:
    half = len(digits) // 2
    rows = session.exec(
        select(NumberClaim.digits, NumberClaim.lab, NumberClaim.number)
        .where(
            or_(
                col(NumberClaim.digits).startswith(digits[:half], autoescape=True),
                col(NumberClaim.digits).endswith(digits[half:], autoescape=True),
            ),
            col(NumberClaim.status) != "rejected",
        )
        .limit(MAX_CANDIDATES)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def suggest_numbers(session: Session, typed: str) -> list[str]:
    """At most :data:`MAX_SUGGESTIONS` lab-qualified report numbers within one edit of
    ``typed``: the typed lab's first, then the nearest, then in order."""
    if len(lookup_key(typed)) < MIN_LENGTH:
        return []
    scored: dict[str, tuple[int, int, str]] = {}
    for lab, digits in _readings(typed):
        candidates = _candidates(session, digits)
        matches = process.extract(
            digits,
            [c[0] for c in candidates],
            scorer=OSA.distance,
            score_cutoff=MAX_DISTANCE,
            limit=None,
        )
        for _, distance, index in matches:
            _, claim_lab, number = candidates[index]
            rank = (0 if claim_lab == lab else 1, int(distance), number)
            if number not in scored or rank < scored[number]:
                scored[number] = rank
    typed_key = lookup_key(typed)
    ranked = sorted(scored.values())
    return [n for *_, n in ranked if lookup_key(n) != typed_key][:MAX_SUGGESTIONS]
