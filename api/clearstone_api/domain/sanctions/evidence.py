"""The importer's evidence pack: what an import into one jurisdiction asks for, prefilled.

Built from the same rule rows as the jurisdiction's verdict: each requirement in force names an
evidence item; the chain prefills what it can (countries of mining, one line per country; the
carat against the threshold; KP certificates and whether each names every mining country; G7
certificates; dates against the grandfathering cut-offs) and the rest is listed as missing,
with the rule that asks for it. The pack assists a declaration; it is not one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.records import AttestationScheme, ProvenanceRecord
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions import assess_sanctions
from clearstone_api.domain.sanctions.content import link_to
from clearstone_api.domain.verdicts import (
    DeclaredCountry,
    EvidenceRef,
    JurisdictionVerdict,
    RuleApplication,
    RuleOutcome,
)

__all__ = [
    "NOTICE",
    "CertificateLine",
    "DateCheck",
    "EvidenceItem",
    "EvidencePack",
    "MiningCountryLine",
    "evidence_pack",
]

NOTICE = (
    "This evidence pack assists an importer's declaration. It is not a declaration, a "
    "certificate, a licence or legal advice: the importer declares, and answers for, what it "
    "files. Rows marked unverified rest on secondary or weak sources."
)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class MiningCountryLine(_Out):
    """One country of mining: one declaration line."""

    country: str
    bases: list[str]
    """``extraction``, ``invoice``, ``kp_certificate``, ``origin_report``."""
    evidence: list[EvidenceRef]


class CertificateLine(_Out):
    """A KP certificate in the chain and whether it names every country of mining."""

    document_id: str
    number: str
    issuing_participant: str
    country_of_origin: str | None
    names_every_mining_country: bool
    missing_countries: list[str]


class DateCheck(_Out):
    """A chain date against a grandfathering cut-off."""

    rule_id: str
    what: str
    date: dt.date | None
    cut_off: dt.date
    before_cut_off: bool | None
    """Null when the chain does not record the date."""


class EvidenceItem(_Out):
    """One thing the importer must provide, and how far the chain gets it."""

    code: str
    title: str
    status: str
    """``prefilled`` (the chain supplies it), ``importer_to_complete`` (the importer signs or
    files it, from the prefilled facts), ``missing`` (nothing in the chain) or ``prohibited``
    (a ban applies: no declaration cures it)."""
    detail: str
    rule_ids: list[str]
    values: list[str] = []


class EvidencePack(_Out):
    """What an importer into ``jurisdiction`` must declare for the stone on its date of import."""

    subject_id: str
    jurisdiction: str
    import_date: dt.date
    date_basis: str
    """``import`` or ``arrival`` (the chain records the entry), ``as_of`` (an import now)."""
    carat: str
    weight_band: str
    threshold_carat: str | None
    """The lowest weight from which a rule in force on the import date reaches the stone."""
    above_threshold: bool | None
    mining_countries: list[MiningCountryLine]
    kp_certificates: list[CertificateLine]
    g7_certificates: list[str]
    dates: list[DateCheck]
    items: list[EvidenceItem]
    missing: list[EvidenceItem]
    verdict: JurisdictionVerdict
    notice: str = NOTICE


_TITLES = {
    "country_of_mining_lines": "Country of mining, one entry line per country",
    "kp_names_all_mining_countries": "KP certificate naming every country of mining",
    "g7_or_documentary_evidence": "G7 certificate, or documentary evidence of non-Russian origin",
    "due_diligence_statement": "Due Diligence Statement on Diamond Origin",
    "self_certification": "Importer self-certification (not mined in Russia)",
    "ace_cbp167_upload": "Self-certification uploaded to ACE (CBP167)",
    "supply_chain_evidence": "Supply-chain evidence of non-Russian origin",
    "grandfathering_proof": "Proof of the date before the grandfathering cut-off",
    "prohibition": "Prohibited import",
}


def _mining_lines(declared: list[DeclaredCountry]) -> list[MiningCountryLine]:
    bases: dict[str, list[str]] = defaultdict(list)
    refs: dict[str, list[EvidenceRef]] = defaultdict(list)
    for item in declared:
        if item.basis not in bases[item.country]:
            bases[item.country].append(item.basis)
        refs[item.country].append(item.evidence)
    return [MiningCountryLine(country=c, bases=bases[c], evidence=refs[c]) for c in sorted(bases)]


def _certificates(chain: Chain, countries: set[str]) -> list[CertificateLine]:
    lines: dict[str, CertificateLine] = {}
    for event in chain.events:
        for cert in chain.certificates(event):
            named = (
                {cert.country_of_origin} if cert.country_of_origin not in (None, "MIXED") else set()
            )
            missing = sorted(countries - named)
            lines.setdefault(
                cert.id,
                CertificateLine(
                    document_id=cert.id,
                    number=cert.number,
                    issuing_participant=cert.issuing_participant,
                    country_of_origin=cert.country_of_origin,
                    names_every_mining_country=bool(countries) and not missing,
                    missing_countries=missing,
                ),
            )
    return list(lines.values())


def _item(
    code: str, rows: list[RuleApplication], status: str, detail: str, values: list[str]
) -> EvidenceItem:
    return EvidenceItem(
        code=code,
        title=_TITLES.get(code, code.replace("_", " ")),
        status=status,
        detail=detail,
        rule_ids=[r.rule_id for r in rows],
        values=values,
    )


_SIGNED = {"due_diligence_statement", "self_certification", "ace_cbp167_upload"}


def _requirement(
    code: str,
    rows: list[RuleApplication],
    mining: list[MiningCountryLine],
    certs: list[CertificateLine],
    g7: list[str],
    chain: Chain,
) -> EvidenceItem:
    lines = [f"{m.country}: {', '.join(m.bases)}" for m in mining]
    russian = any(m.country == "RU" for m in mining)
    if code == "country_of_mining_lines":
        if mining:
            return _item(code, rows, "prefilled", "One line per country, from the chain.", lines)
        return _item(code, rows, "missing", "The chain names no country of mining.", [])
    if code == "kp_names_all_mining_countries":
        short = [c for c in certs if not c.names_every_mining_country]
        values = [
            f"{c.number}: origin {c.country_of_origin or 'not stated'}"
            + (f", lacks {', '.join(c.missing_countries)}" if c.missing_countries else "")
            for c in certs
        ]
        if certs and not short:
            return _item(code, rows, "prefilled", "Every certificate names them.", values)
        return _item(
            code, rows, "missing", "A certificate says 'mixed' or lacks a country.", values
        )
    if code == "g7_or_documentary_evidence":
        if g7:
            return _item(code, rows, "prefilled", "G7 certificate in the record.", g7)
        documents = [c.number for c in certs] + [
            i.number for e in chain.events for i in chain.invoices(e)
        ]
        if documents:
            detail = "No G7 certificate; documentary evidence from the chain, plus a signed "
            detail += "not-Russian declaration by the importer."
            return _item(code, rows, "importer_to_complete", detail, documents)
        return _item(code, rows, "missing", "No G7 certificate and no documents.", [])
    if code in _SIGNED:
        if russian:
            detail = "The chain ties the goods to Russia: this cannot truthfully be signed."
            return _item(code, rows, "prohibited", detail, lines)
        detail = "The importer signs or files it; the countries of mining below prefill it."
        return _item(code, rows, "importer_to_complete", detail, lines)
    has_mine = any("extraction" in m.bases for m in mining)
    if has_mine and certs:
        detail = "Custody from the mine with KP certificates."
        return _item(code, rows, "prefilled", detail, lines + [c.number for c in certs])
    return _item(code, rows, "missing", "The chain does not reach the mine.", lines)


def evidence_pack(
    record: ProvenanceRecord, reference: Reference, jurisdiction: str, as_of: dt.date
) -> EvidencePack:
    """The pack for an import of ``record``'s subject into ``jurisdiction`` (EU, US or UK)."""
    chain = Chain(record)
    sanctions = assess_sanctions(chain, reference, as_of)
    verdict = next(j for j in sanctions.jurisdictions if j.jurisdiction == jurisdiction)
    goods = sanctions.goods
    assert goods is not None  # assess_sanctions always fills it
    mining = _mining_lines(sanctions.declared_countries)
    certs = _certificates(chain, {m.country for m in mining})
    g7 = [
        f"{a.id}: {a.issuer}"
        for a in chain.attestations()
        if a.scheme is AttestationScheme.g7_certificate
    ]
    rows = {m.id: m for m in reference.sanction_measures}
    in_force = [r for r in verdict.rules if r.outcome is not RuleOutcome.not_in_force]
    bands = [rows[r.rule_id].min_carat for r in in_force]
    threshold = min((b for b in bands if b is not None), default=None)
    above = (
        None if threshold is None or goods.form == "rough" else Decimal(goods.carat) >= threshold
    )
    dates: list[DateCheck] = []
    items: list[EvidenceItem] = []
    for applied in verdict.rules:
        row = rows[applied.rule_id]
        if row.kind != "ban" or applied.outcome not in (
            RuleOutcome.applies,
            RuleOutcome.grandfathered,
        ):
            continue
        if applied.outcome is RuleOutcome.applies:
            items.append(_item("prohibition", [applied], "prohibited", applied.reason, []))
        if row.grandfather_before is None or row.grandfather_by == "none":
            continue
        link = link_to(chain, row.country, sanctions.declared_countries)
        day = {
            "processing": link.processed_on(),
            "export": link.left_country_on(),
            "import": verdict.date if verdict.date_basis != "as_of" else None,
        }[row.grandfather_by]
        before = None if day is None else day < row.grandfather_before
        dates.append(
            DateCheck(
                rule_id=row.id,
                what=row.grandfather_by,
                date=day,
                cut_off=row.grandfather_before,
                before_cut_off=before,
            )
        )
        if applied.outcome is RuleOutcome.grandfathered:
            items.append(
                _item(
                    "grandfathering_proof",
                    [applied],
                    "prefilled" if day else "missing",
                    applied.reason,
                    [str(day)] if day else [],
                )
            )
    wanted: dict[str, list[RuleApplication]] = defaultdict(list)
    for applied in verdict.rules:
        if (
            applied.kind == "requirement"
            and applied.outcome is RuleOutcome.applies
            and applied.requires
        ):
            wanted[applied.requires].append(applied)
    for code, asking in wanted.items():
        items.append(_requirement(code, asking, mining, certs, g7, chain))
    return EvidencePack(
        subject_id=record.subject_id,
        jurisdiction=jurisdiction,
        import_date=verdict.date,
        date_basis=verdict.date_basis,
        carat=goods.carat,
        weight_band=verdict.weight_band,
        threshold_carat=str(threshold) if threshold is not None else None,
        above_threshold=above,
        mining_countries=mining,
        kp_certificates=certs,
        g7_certificates=g7,
        dates=dates,
        items=items,
        missing=[i for i in items if i.status == "missing"],
        verdict=verdict,
    )
