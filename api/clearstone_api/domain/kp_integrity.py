"""Checks on the chain's own integrity and its warranties: the System of Warranties on every
business-to-business invoice (K13), mass balance (K14) and chronology (K16)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.kp_checks import KP_START, CheckId
from clearstone_api.domain.kp_findings import EvidenceRow, Findings, fact, ref
from clearstone_api.domain.records import CustodyEvent, EventType, Invoice, Stone
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SowStatement
from clearstone_api.domain.verdicts import CheckStatus

__all__ = ["check_chronology", "check_mass_balance", "check_warranties", "recognise_sow"]

_TRANSFORMS = {EventType.sorting, EventType.cutting, EventType.polishing}


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


def recognise_sow(reference: Reference, text: str | None) -> SowStatement | None:
    """The System of Warranties wording an invoice statement matches, newest first."""
    if not text:
        return None
    folded = " ".join(text.split())
    for statement in sorted(reference.sow_statements, key=lambda s: s.accepted_from, reverse=True):
        if _compiled(statement.pattern).search(folded):
            return statement
    return None


def check_warranties(chain: Chain, reference: Reference, findings: Findings) -> None:
    """K13: every business-to-business sale carries an invoice with a recognised SoW statement."""
    sales = [event for event in chain.events if event.type is EventType.sale]
    if not sales:
        findings.add(
            CheckId.K13,
            CheckStatus.not_applicable,
            "No business-to-business sale is recorded in the chain.",
        )
        return
    for event in sales:
        subject = f"event:{event.id}"
        if event.date < KP_START:
            findings.add(
                CheckId.K13,
                CheckStatus.not_applicable,
                f"The sale on {event.date} predates the System of Warranties, which started "
                f"with the KP on {KP_START}.",
                subject,
                [ref("event", event.id, day=event.date)],
            )
            continue
        invoices = chain.invoices(event)
        if not invoices:
            findings.add(
                CheckId.K13,
                CheckStatus.missing,
                f"The sale on {event.date} has no invoice recorded, so no warranty.",
                subject,
                [ref("event", event.id)],
            )
            continue
        for invoice in invoices:
            _check_invoice(chain, reference, invoice, event, findings)


def _check_invoice(
    chain: Chain, reference: Reference, invoice: Invoice, event: CustodyEvent, findings: Findings
) -> None:
    subject = f"event:{event.id}"
    evidence = [ref("document", invoice.id, day=invoice.date)]
    statement = recognise_sow(reference, invoice.sow_statement)
    if statement is None:
        findings.add(
            CheckId.K13,
            CheckStatus.fail,
            f"Invoice {invoice.number} ({invoice.date}) carries no recognised System of "
            "Warranties statement.",
            subject,
            evidence,
        )
        return
    rough = any(chain.is_rough(item) for item in invoice.lot_ids or event.items)
    until = statement.rough_accepted_until if rough else statement.polished_accepted_until
    if until is not None and invoice.date >= until:
        findings.add(
            CheckId.K13,
            CheckStatus.warn,
            f"Invoice {invoice.number} ({invoice.date}) uses the {statement.version} warranty "
            f"wording, accepted for {'rough' if rough else 'polished'} only until {until}; the "
            "revised wording was due.",
            subject,
            [*evidence, _sow_fact(statement)],
        )
    elif invoice.date < statement.accepted_from:
        findings.add(
            CheckId.K13,
            CheckStatus.warn,
            f"Invoice {invoice.number} is dated {invoice.date}, before the {statement.version} "
            f"wording it carries existed ({statement.accepted_from}).",
            subject,
            [*evidence, _sow_fact(statement)],
        )
    else:
        findings.add(
            CheckId.K13,
            CheckStatus.pass_,
            f"Invoice {invoice.number} ({invoice.date}) carries the {statement.version} System "
            "of Warranties statement.",
            subject,
            evidence,
        )


def _sow_fact(statement: SowStatement) -> EvidenceRow:
    until = statement.rough_accepted_until
    return fact(
        "sow_statement",
        statement.version,
        f"the {statement.version} System of Warranties wording"
        + (f", accepted for rough until {until}" if until else ""),
        statement.source_ids,
        statement.accepted_from,
        until,
    )


def check_mass_balance(chain: Chain, findings: Findings) -> None:
    """K14: a stone weighs no more than its rough; split lots no more than their parent."""
    subject = chain.subject
    failures: list[tuple[str, str]] = []
    if isinstance(subject, Stone) and not subject.parent_lot_ids:
        findings.add(
            CheckId.K14,
            CheckStatus.missing,
            "The stone is not linked to any rough lot, so no KP certificate can be traced to it.",
            f"stone:{subject.id}",
        )
        return
    if isinstance(subject, Stone):
        rough = sum(
            (chain.lots[i].carat for i in subject.parent_lot_ids if i in chain.lots), Decimal(0)
        )
        if subject.carat > rough:
            failures.append(
                (
                    f"stone:{subject.id}",
                    f"the stone weighs {subject.carat} ct, more than the "
                    f"{rough} ct of rough it is attributed to",
                )
            )
    children: dict[str, list[str]] = {}
    for lot_id in chain.lineage:
        lot = chain.lots[lot_id]
        parents = [chain.lots[p] for p in lot.parent_lot_ids if p in chain.lots]
        if parents and lot.carat > sum((p.carat for p in parents), Decimal(0)):
            failures.append(
                (f"lot:{lot.id}", f"lot {lot.id} ({lot.carat} ct) outweighs its parents")
            )
        for parent in lot.parent_lot_ids:
            children.setdefault(parent, []).append(lot_id)
    for parent_id, child_ids in children.items():
        # Children that merged other parents too cannot be attributed by weight alone.
        sole = [c for c in child_ids if len(chain.lots[c].parent_lot_ids) == 1]
        total = sum((chain.lots[c].carat for c in sole), Decimal(0))
        if parent_id in chain.lots and total > chain.lots[parent_id].carat:
            failures.append(
                (
                    f"lot:{parent_id}",
                    f"lots split from {parent_id} weigh {total} ct, more than "
                    f"its {chain.lots[parent_id].carat} ct",
                )
            )
    for event in chain.events:
        if event.type in _TRANSFORMS and event.carat_in and event.carat_out:
            if event.carat_out > event.carat_in:
                failures.append(
                    (
                        f"event:{event.id}",
                        f"the {event.type.value} on {event.date} put out "
                        f"{event.carat_out} ct from {event.carat_in} ct",
                    )
                )
    for where, reason in failures:
        findings.add(CheckId.K14, CheckStatus.fail, reason[0].upper() + reason[1:] + ".", where)
    if not failures:
        findings.add(CheckId.K14, CheckStatus.pass_, "Weights balance from rough to the subject.")


def check_chronology(chain: Chain, as_of: dt.date, findings: Findings) -> None:
    """K16: the log is in date order per item, children follow parents, nothing is in the future."""
    failures: list[tuple[str, str]] = []
    last: dict[str, tuple[dt.date, str]] = {}
    for event in chain.events:
        if event.date > as_of:
            failures.append((event.id, f"event {event.id} is dated {event.date}, after {as_of}"))
        for item in event.items:
            previous = last.get(item)
            if previous and event.date < previous[0]:
                failures.append(
                    (
                        event.id,
                        f"event {event.id} ({event.date}) is logged after event "
                        f"{previous[1]} ({previous[0]}) for {item}",
                    )
                )
            last[item] = (event.date, event.id)
            if event.type is EventType.extraction and previous is not None:
                failures.append((event.id, f"{item} was handled before it was extracted"))
    first: dict[str, dt.date] = {}
    for event in chain.events:
        for item in event.items:
            first.setdefault(item, event.date)
    parents_of = {lot_id: chain.lots[lot_id].parent_lot_ids for lot_id in chain.lineage}
    if isinstance(chain.subject, Stone):
        parents_of[chain.subject.id] = chain.subject.parent_lot_ids
    for item, parents in parents_of.items():
        for parent in parents:
            if item in first and parent in first and first[item] < first[parent]:
                failures.append(
                    (
                        item,
                        f"{item} appears on {first[item]}, before {parent} it came from "
                        f"({first[parent]})",
                    )
                )
    exported: dict[str, dt.date] = {}
    for event in chain.events:
        for doc_id in event.document_ids:
            if event.type is EventType.export:
                exported.setdefault(doc_id, event.date)
            elif (
                event.type is EventType.import_
                and doc_id in exported
                and event.date < exported[doc_id]
            ):
                failures.append((event.id, f"the import on {event.date} precedes its export"))
    for where, reason in failures:
        findings.add(
            CheckId.K16,
            CheckStatus.fail,
            reason[0].upper() + reason[1:] + ".",
            _subject(chain, where),
        )
    if not failures:
        findings.add(CheckId.K16, CheckStatus.pass_, "The custody log is in a possible order.")


def _subject(chain: Chain, item: str) -> str:
    if item in chain.lots:
        return f"lot:{item}"
    if item in chain.stones:
        return f"stone:{item}"
    return f"event:{item}"
