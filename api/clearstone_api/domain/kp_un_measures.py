"""K10: UN Security Council measures on rough diamonds, before and after the KP.

The bans (Angola/UNITA from 1 July 1998, Sierra Leone from 5 July 2000, Liberia from May 2001,
Côte d'Ivoire from 15 December 2005) apply to the export on its own date. Angola's and Sierra
Leone's exempted goods under the government's certificate-of-origin regime: a pre-KP government
certificate of origin, or from 2003 a KP certificate issued by that government. The exemption
follows the goods: they left the country under it, on this shipment or an earlier one.
"""

from __future__ import annotations

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.geography import origins_of
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.kp_findings import EvidenceRow, Findings, fact, ref
from clearstone_api.domain.records import CustodyEvent, EventType
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import Embargo
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["check_embargoes", "embargo_fact"]


def embargo_fact(embargo: Embargo) -> EvidenceRow:
    return fact(
        "embargo",
        embargo.id,
        embargo.resolution,
        embargo.source_ids,
        embargo.valid_from,
        embargo.valid_to,
    )


def _government_documents(chain: Chain, event: CustodyEvent, country: str) -> list[EvidenceRow]:
    """The government certificates (KP or pre-KP certificates of origin) under which the goods
    left ``country``: on this shipment, or on an earlier export out of it."""
    exports = [event] + [
        e for e in chain.events if e.type is EventType.export and e.place.country == country
    ]
    found: dict[str, EvidenceRow] = {}
    for export in exports:
        for cert in chain.certificates(export):
            if cert.issuing_participant == country:
                found.setdefault(cert.id, ref("document", cert.id, day=cert.date_of_issue))
        for origin in chain.certificates_of_origin(export):
            if origin.issuing_country == country:
                found.setdefault(origin.id, ref("document", origin.id, day=origin.date_of_issue))
    return list(found.values())


def check_embargoes(
    chain: Chain, reference: Reference, event: CustodyEvent, findings: Findings
) -> None:
    """K10 for one export: every UN ban on the goods' origin or the exporting country."""
    countries = {o.place.country for o in origins_of(chain, event)} | {event.place.country}
    countries |= {
        c.country_of_origin
        for c in chain.certificates(event)
        if c.country_of_origin not in (None, "MIXED")
    }
    countries |= {
        c.country_of_origin for c in chain.certificates_of_origin(event) if c.country_of_origin
    }
    subject = f"event:{event.id}"
    applied = False
    for country in sorted(c for c in countries if c):
        for embargo in reference.embargoes_on(country, event.date):
            applied = True
            period = f"in force from {embargo.valid_from}" + (
                f" to {embargo.valid_to}" if embargo.valid_to else ""
            )
            evidence = [ref("event", event.id, day=event.date), embargo_fact(embargo)]
            documents = (
                _government_documents(chain, event, country)
                if embargo.exempt_government_certificate
                else []
            )
            if documents:
                findings.add(
                    CheckId.K10,
                    CheckStatus.pass_,
                    f"{embargo.measure} ({embargo.resolution}, {period}) exempted goods under "
                    "the government's certificate-of-origin regime, which these goods carry.",
                    subject,
                    evidence + documents,
                )
            else:
                findings.add(
                    CheckId.K10,
                    CheckStatus.fail,
                    f"On {event.date} the UN Security Council banned rough diamonds from "
                    f"{country}: {embargo.measure} ({embargo.resolution}, {period}).",
                    subject,
                    evidence,
                )
    if not applied:
        findings.add(
            CheckId.K10,
            CheckStatus.pass_,
            f"No UN Security Council rough-diamond ban applied on {event.date}.",
            subject,
            [ref("event", event.id, day=event.date)],
        )
