"""What the goods are and what ties them to a sanctioned country, read once from the chain.

Declared content counts as much as recorded custody: an invoice's declared source countries, a
KP certificate's country of origin and an origin report's country tie the goods to a country
just as an extraction event there does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pydantic import TypeAdapter

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.records import CustodyEvent, EventType, RoughLot, Stone
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import DeclaredCountry, EvidenceRef, GoodsProfile

__all__ = [
    "CountryLink",
    "declared_countries",
    "goods_profile",
    "link_to",
    "unique_refs",
    "weight_band",
]

PROCESSING = frozenset({EventType.cutting, EventType.polishing})

_DECLARED = TypeAdapter(list[DeclaredCountry])


def unique_refs(refs: list[EvidenceRef]) -> list[EvidenceRef]:
    """``refs`` without repeats, in order (an item cited twice is cited once)."""
    seen: set[tuple[str, str]] = set()
    out: list[EvidenceRef] = []
    for ref in refs:
        if (ref.kind, ref.id) not in seen:
            seen.add((ref.kind, ref.id))
            out.append(ref)
    return out


def declared_countries(chain: Chain) -> list[DeclaredCountry]:
    """Every country the goods were mined in or are declared to come from, with what says so."""
    found: dict[tuple[str, str, str], dict[str, object]] = {}

    def add(country: str, basis: str, kind: str, item: str) -> None:
        key = (country, basis, item)
        if key not in found:
            found[key] = {
                "country": country,
                "basis": basis,
                "evidence": {"kind": kind, "id": item},
            }

    for origin in chain.origins():
        add(origin.place.country, "extraction", "event", origin.event_id)
    for event in chain.events:
        for invoice in chain.invoices(event):
            for country in invoice.source_countries:
                add(country, "invoice", "document", invoice.id)
        for certificate in chain.certificates(event):
            origin_country = certificate.country_of_origin
            if origin_country and origin_country != "MIXED":
                add(origin_country, "kp_certificate", "document", certificate.id)
    for attestation in chain.attestations():
        if attestation.origin_country and attestation.subject_id in chain.items:
            add(attestation.origin_country, "origin_report", "document", attestation.id)
    return _DECLARED.validate_python([found[key] for key in sorted(found)])


@dataclass(frozen=True)
class CountryLink:
    """How the goods in their present form relate to ``country``."""

    country: str
    declared: list[DeclaredCountry]
    exports: list[CustodyEvent]
    transits: list[CustodyEvent]
    processing_elsewhere: list[CustodyEvent]
    route: str
    """``direct``, ``processed`` or ``none``."""

    @property
    def evidence(self) -> list[EvidenceRef]:
        refs = [d.evidence for d in self.declared]
        refs += [EvidenceRef(kind="event", id=e.id) for e in (*self.exports, *self.transits)]
        return unique_refs(refs)

    def left_country_on(self) -> dt.date | None:
        """The last day the goods left ``country`` (export or transit), if they did."""
        dates = [e.date for e in (*self.exports, *self.transits)]
        return max(dates) if dates else None

    def processed_on(self) -> dt.date | None:
        """The first day of processing in a third country, if any."""
        dates = [e.date for e in self.processing_elsewhere]
        return min(dates) if dates else None


def link_to(chain: Chain, country: str, declared: list[DeclaredCountry]) -> CountryLink:
    mine = [d for d in declared if d.country == country]
    exports = [e for e in chain.events if e.type is EventType.export and e.place.country == country]
    transits = [
        e for e in chain.events if e.type is EventType.transit and e.place.country == country
    ]
    elsewhere = [e for e in chain.events if e.type in PROCESSING and e.place.country != country]
    last_processing = max((e.date for e in elsewhere), default=None)
    left_after = [
        e for e in (*exports, *transits) if last_processing is None or e.date >= last_processing
    ]
    if not elsewhere and (mine or exports or transits):
        route = "direct"
    elif left_after:
        route = "direct"
    elif mine:
        route = "processed"
    else:
        route = "none"
    return CountryLink(country, mine, exports, transits, elsewhere, route)


def _industrial(chain: Chain, reference: Reference) -> bool:
    codes = [chain.lots[lot_id].hs_code for lot_id in chain.lineage]
    if not codes:
        return False
    forms = [reference.hs_codes[c].form if c in reference.hs_codes else None for c in codes]
    return all(form == "industrial" for form in forms)


def _mixed(chain: Chain) -> bool:
    if any(chain.lots[lot_id].mixed_origin for lot_id in chain.lineage):
        return True
    return any(
        certificate.country_of_origin in (None, "MIXED")
        for event in chain.events
        for certificate in chain.certificates(event)
    )


def goods_profile(
    chain: Chain, reference: Reference, declared: list[DeclaredCountry], route: str
) -> GoodsProfile:
    subject = chain.subject
    article = (subject.article or "loose") if isinstance(subject, Stone) else "loose"
    form = subject.form if isinstance(subject, Stone) else "rough"
    return GoodsProfile(
        goods=subject.origin.value,
        form=form,
        article=article,
        industrial=_industrial(chain, reference),
        carat=str(subject.carat),
        route=route,
        mixed_rough=_mixed(chain),
        mining_countries=sorted({d.country for d in declared}),
    )


def weight_band(chain: Chain) -> str:
    subject = chain.subject
    if isinstance(subject, RoughLot):
        return "parcel"
    if subject.carat < Decimal("0.50"):
        return "under_0.50"
    return "0.50_to_0.99" if subject.carat < Decimal("1.00") else "1.00_and_over"
