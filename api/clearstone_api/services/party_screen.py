"""Name screening against the listed parties: transliteration, legal forms, token order, typos.

A name is normalised before it is compared:

1. transliterated to ASCII with ``anyascii`` (``АЛРОСА`` → ``ALROSA``, ``Иванов`` → ``Ivanov``);
2. case-folded and cut into letter/digit tokens (quotes, brackets and hyphens go);
3. stripped of legal forms, as phrases first (``public joint stock company``, ``publichnoe
   aktsionernoe obshchestvo``) and then as single tokens (PJSC, PAO, AO, OOO, JSC, AK, LLC,
   Ltd, GmbH, BV, NV...); a name that is nothing but a legal form keeps its tokens.

Two normalised names are then scored 0-100 by ``rapidfuzz``: the best of the token-sort ratio
(word order does not count), the ratio of the names with their spaces removed (``Al Rosa``),
and, for names of similar length, Jaro-Winkler on the space-free forms (a transposed or doubled
letter: ``Alorsa``, ``Alrossa``); names with the same number of words must match word by word
(:data:`TOKEN_GATE`). A score at or above :data:`THRESHOLD` is a match. The
threshold and its measured precision and recall are in ``bench/sanctions/README.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from clearstone_api.domain.name_screen import NameMatch
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SanctionedParty

__all__ = ["THRESHOLD", "PartyScreen", "normalize", "score", "screened"]

THRESHOLD = 90.0
"""The score from which a name is a match (chosen on the labelled set in ``bench/sanctions``)."""

METHOD = "anyascii + legal-form removal; max(token_sort_ratio, compact ratio, Jaro-Winkler)"

_LEGAL_PHRASES = [
    "public joint stock company",
    "open joint stock company",
    "closed joint stock company",
    "joint stock company",
    "limited liability company",
    "private limited company",
    "public limited company",
    "publichnoe aktsionernoe obshchestvo",
    "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "aktsionernoe obshchestvo",
    "aktsionernaya kompaniya",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostiu",
    "private limited",
    "joint stock",
]
_LEGAL_TOKENS = frozenset(
    """pjsc pao ao ooo oao zao jsc ojsc cjsc ak llc ltd limited gmbh bv nv sa ag inc
    incorporated corp corporation co company plc llp lp sarl srl spa pvt pte pty kg oy ab
    bvba sprl fze fzco fzc dmcc tov pat the""".split()
)
_PHRASES = sorted((tuple(p.split()) for p in _LEGAL_PHRASES), key=len, reverse=True)
_TOKEN = re.compile(r"[a-z0-9]+")
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
"""Dotted abbreviations (``P.J.S.C.``, ``A.K.``) are joined before tokenising."""
TOKEN_GATE = 80.0
"""Names of several words, as many in the query as listed: each listed word needs a word of
the query scoring this much (``Ivashov`` is not ``Ivanov``; ``Ivanow`` is)."""


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """``name`` transliterated, case-folded, without legal forms: the form that is scored."""
    raw = anyascii(name).casefold().replace("'", "").replace("&", " and ")
    raw = _DOTTED.sub(lambda m: m.group(0).replace(".", "") + " ", raw)
    tokens = _TOKEN.findall(raw)
    kept = _drop_phrases(tokens)
    kept = [t for t in kept if t not in _LEGAL_TOKENS]
    return " ".join(kept or tokens)


def _drop_phrases(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in _PHRASES:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def score(left: str, right: str) -> float:
    """0-100 similarity of two normalised names."""
    if not left or not right:
        return 0.0
    words, listed = left.split(), right.split()
    if len(words) == len(listed) > 1 and any(
        max(fuzz.ratio(w, other) for other in words) < TOKEN_GATE for w in listed
    ):
        return 0.0
    best = fuzz.token_sort_ratio(left, right)
    a = "".join(sorted(left.split()))
    b = "".join(sorted(right.split()))
    best = max(best, fuzz.ratio(a, b), fuzz.ratio(left.replace(" ", ""), right.replace(" ", "")))
    if abs(len(a) - len(b)) <= 2 and min(len(a), len(b)) >= 5:
        best = max(best, 100 * JaroWinkler.similarity(a, b))
    return float(best)


@dataclass(frozen=True)
class _Listed:
    party: SanctionedParty
    name: str
    kind: str
    normal: str


class PartyScreen:
    """Screens names against a set of listed parties (every name, alias and former name).

    The answer for a name depends on nothing but the name and this screen's fixed list, and the
    same parties recur from record to record (a supplier's chains share their exporters and
    dealers), so answers are remembered per screen (:data:`MEMO_SIZE` names, least recently used
    out first): a re-assessment scores each distinct party name once, not once per stone.
    """

    MEMO_SIZE = 65536

    def __init__(self, parties: Iterable[SanctionedParty], threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._listed: list[_Listed] = []
        for party in parties:
            names = [(party.name, "name")]
            names += [(alias, "alias") for alias in party.aliases]
            names += [(former, "former_name") for former in party.former_names]
            for name, kind in names:
                self._listed.append(_Listed(party, name, kind, normalize(name)))
        self.screen = lru_cache(maxsize=self.MEMO_SIZE)(self._screen)  # type: ignore[method-assign]

    def screen(self, name: str) -> Sequence[NameMatch]:
        """Every listed row ``name`` matches, each through its best-scoring listed name."""
        return self._screen(name)  # replaced per instance by the memoized form

    def _screen(self, name: str) -> tuple[NameMatch, ...]:
        query = normalize(name)
        best: dict[str, NameMatch] = {}
        for listed in self._listed:
            value = score(query, listed.normal)
            if value < self.threshold:
                continue
            current = best.get(listed.party.id)
            if current is None or value > current.score:
                best[listed.party.id] = NameMatch(
                    listed=listed.party,
                    matched_name=listed.name,
                    name_kind=listed.kind,
                    score=value,
                    threshold=self.threshold,
                    method=METHOD,
                )
        return tuple(sorted(best.values(), key=lambda m: (-m.score, m.listed.id)))


def screened(reference: Reference) -> Reference:
    """``reference`` with a :class:`PartyScreen` over its listed parties attached."""
    return reference.with_name_screen(PartyScreen(reference.sanctioned_parties))
