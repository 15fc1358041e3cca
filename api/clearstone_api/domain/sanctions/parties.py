"""Listed parties in the chain: every name the chain gives, screened against every listed name.

The domain does not match names itself: a :class:`NameScreen` does (the service attaches one
built on ``rapidfuzz`` and ``anyascii``, see ``clearstone_api.services.party_screen``), and this
module turns its matches into explained hits. A party is also hit when the record states that
a listed party owns 50 % or more of it.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import NamedTuple

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.name_screen import NameMatch, NameScreen
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Source
from clearstone_api.domain.verdicts import EvidenceRef, PartyMatch, SanctionHit, SourceRef

__all__ = ["NameMatch", "NameScreen", "party_hits"]

OWNERSHIP_THRESHOLD = Decimal(50)
"""An owner with this share or more passes its listing on (OFAC, EU and UK 50 % rules)."""


class _Named(NamedTuple):
    """A name the chain gives, the events it is involved in, and an owner's share if any."""

    name: str
    events: list[tuple[str, dt.date]]
    party_name: str
    owner_share: Decimal | None = None


def _names(chain: Chain) -> list[_Named]:
    named: list[_Named] = []
    for party in chain.chain_parties():
        involved = [
            (e.id, e.date)
            for e in chain.events
            if party.id in (e.from_party_id, e.to_party_id)
            or (e.place.site_id and _operator(chain, e.place.site_id) == party.id)
        ]
        named.append(_Named(party.name, involved, party.name))
        for owner in party.owners or ():
            named.append(_Named(owner.name, involved, party.name, owner.share_percent))
    for event in chain.events:
        for certificate in chain.certificates(event):
            for ref in (certificate.exporter, certificate.importer):
                if ref is not None:
                    named.append(_Named(ref.name, [(event.id, event.date)], ref.name))
    return named


def _operator(chain: Chain, site_id: str) -> str | None:
    site = chain.sites.get(site_id)
    return site.operator_party_id if site else None


def party_hits(
    chain: Chain, reference: Reference, screen: NameScreen, as_of: dt.date
) -> list[SanctionHit]:
    """A hit per (listed row, name) whose listing was in force when the named party handled the
    goods, on or before ``as_of``. An owner's listing counts at 50 % or more."""
    hits: dict[tuple[str, str], SanctionHit] = {}
    for named in _names(chain):
        if named.owner_share is not None and named.owner_share < OWNERSHIP_THRESHOLD:
            continue
        for match in screen.screen(named.name):
            listed = match.listed
            if listed.valid_from > as_of:
                continue
            involved = [
                (event_id, day)
                for event_id, day in named.events
                if listed.valid_from <= day and (listed.valid_to is None or day < listed.valid_to)
            ]
            key = (listed.id, named.party_name)
            if not involved or key in hits:
                continue
            hits[key] = _hit(reference, named, match, involved)
    return list(hits.values())


def _hit(
    reference: Reference,
    named: _Named,
    match: NameMatch,
    involved: list[tuple[str, dt.date]],
) -> SanctionHit:
    listed = match.listed
    owner = named.owner_share is not None
    how = (
        f"{named.party_name} is {named.owner_share} % owned by {named.name}, which"
        if owner
        else f"{named.name}"
    )
    basis = (
        f"blocked as 50 % or more owned by {listed.owner_id}"
        if listed.basis == "owned_50"
        else "designated"
    )
    reason = (
        f"{how} matches {listed.name!r} on the {listed.list} ({listed.jurisdiction}, "
        f"{basis}, listed {listed.valid_from}) through the {match.name_kind.replace('_', ' ')} "
        f"{match.matched_name!r}, score {match.score:.0f} (threshold {match.threshold:.0f}); "
        f"it handled the goods on {involved[0][1]}."
    )
    return SanctionHit(
        regime_id=listed.id,
        regime=listed.regime,
        reason=reason,
        evidence=[EvidenceRef(kind="event", id=event_id) for event_id, _ in involved],
        sources=source_refs(reference, listed.source_ids),
        jurisdiction=listed.jurisdiction,
        party=PartyMatch(
            name=named.party_name if not owner else named.name,
            listed_id=listed.id,
            listed_name=listed.name,
            matched_name=match.matched_name,
            name_kind=match.name_kind,
            score=round(match.score, 1),
            threshold=match.threshold,
            method=match.method,
            list=listed.list,
            list_ref=listed.list_ref,
            jurisdiction=listed.jurisdiction,
            listed_on=listed.valid_from,
            basis=listed.basis,
            via_owner=named.name if owner else None,
            owner_share=float(named.owner_share) if named.owner_share is not None else None,
        ),
    )


def source_refs(reference: Reference, source_ids: list[str]) -> list[SourceRef]:
    return [_source_ref(s) for s in reference.source_refs(source_ids)]


@functools.lru_cache(maxsize=4096)
def _source_ref(source: Source) -> SourceRef:
    """The (frozen) reference to ``source``, built once: every rule row and listed party that
    cites it shares it."""
    return SourceRef(
        id=source.id,
        title=source.title,
        publisher=source.publisher,
        url=source.url,
        strength=source.strength,
    )
