"""Validating a provenance record: its shape, then every cross-reference, each problem named by
its path (``events.3.items.0``) so that a malformed record is rejected whole.

Example::

    record = parse_record(json.loads(path.read_text()))
    record.subject.id  # the stone (or rough lot) being assessed
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from clearstone_api.domain.records import (
    Attestation,
    AttestationLevel,
    CertificateOfOrigin,
    CustodyEvent,
    Invoice,
    KPCertificate,
    ProvenanceRecord,
)

__all__ = ["RecordInvalid", "RecordProblem", "parse_record"]


class RecordProblem(BaseModel):
    """One thing wrong with a record, named by its path (``events.3.items.0``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loc: tuple[str | int, ...]
    msg: str
    type: str

    @property
    def path(self) -> str:
        return ".".join(str(part) for part in self.loc)


class RecordInvalid(ValueError):
    """A record that cannot be assessed; ``problems`` names every one by its path."""

    def __init__(self, problems: list[RecordProblem]) -> None:
        self.problems = problems
        summary = "; ".join(f"{p.path}: {p.msg}" for p in problems[:5])
        more = f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} problem(s) in the provenance record: {summary}{more}")


def parse_record(data: Any) -> ProvenanceRecord:
    """Validate ``data`` as a provenance record, shape first, then every cross-reference.

    Raises :class:`RecordInvalid` naming every problem found, never just the first.
    """
    try:
        record = ProvenanceRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordInvalid(
            [
                RecordProblem(loc=tuple(err["loc"]), msg=err["msg"], type=err["type"])
                for err in exc.errors(include_url=False)
            ]
        ) from None
    problems = list(_reference_problems(record))
    if problems:
        raise RecordInvalid(problems)
    return record


def _duplicates(kind: str, ids: list[str]) -> Iterator[RecordProblem]:
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield RecordProblem(
                loc=(kind, index, "id"), msg=f"duplicate id {item_id!r}", type="duplicate_id"
            )
        seen.add(item_id)


@dataclass(frozen=True)
class _Ids:
    """The ids a record declares, by kind: what its cross-references may name."""

    lots: frozenset[str]
    stones: frozenset[str]
    parties: frozenset[str]
    sites: frozenset[str]
    documents: frozenset[str]

    @classmethod
    def of(cls, record: ProvenanceRecord) -> _Ids:
        return cls(
            lots=frozenset(lot.id for lot in record.lots),
            stones=frozenset(stone.id for stone in record.stones),
            parties=frozenset(party.id for party in record.parties),
            sites=frozenset(site.id for site in record.sites),
            documents=frozenset(doc.id for doc in record.documents),
        )

    @property
    def items(self) -> frozenset[str]:
        """Lots and stones: what an event handles."""
        return self.lots | self.stones


def _missing(
    loc: tuple[str | int, ...], ref: str | None, pool: frozenset[str], what: str
) -> Iterator[RecordProblem]:
    if ref is not None and ref not in pool:
        yield RecordProblem(loc=loc, msg=f"unknown {what} {ref!r}", type="unknown_reference")


def _reference_problems(record: ProvenanceRecord) -> Iterator[RecordProblem]:
    """Every cross-reference problem, in the record's order: duplicate ids, the subject, the
    lot lineage, then what sites, events and documents name."""
    ids = _Ids.of(record)
    yield from _duplicate_problems(record, ids)
    yield from _missing(("subject_id",), record.subject_id, ids.items, "stone or lot")
    yield from _lineage_problems(record, ids)
    yield from _cycle_problems(record)
    for i, site in enumerate(record.sites):
        yield from _missing(
            ("sites", i, "operator_party_id"), site.operator_party_id, ids.parties, "party"
        )
    for i, event in enumerate(record.events):
        yield from _event_problems(i, event, ids)
    for i, doc in enumerate(record.documents):
        yield from _document_problems(i, doc, ids)


def _duplicate_problems(record: ProvenanceRecord, ids: _Ids) -> Iterator[RecordProblem]:
    yield from _duplicates("lots", [lot.id for lot in record.lots])
    yield from _duplicates("stones", [stone.id for stone in record.stones])
    yield from _duplicates("parties", [party.id for party in record.parties])
    yield from _duplicates("sites", [site.id for site in record.sites])
    yield from _duplicates("events", [event.id for event in record.events])
    yield from _duplicates("documents", [doc.id for doc in record.documents])
    for item_id in sorted(ids.lots & ids.stones):
        yield RecordProblem(
            loc=("stones",), msg=f"id {item_id!r} names both a stone and a lot", type="duplicate_id"
        )


def _lineage_problems(record: ProvenanceRecord, ids: _Ids) -> Iterator[RecordProblem]:
    for i, stone in enumerate(record.stones):
        for j, parent in enumerate(stone.parent_lot_ids):
            yield from _missing(("stones", i, "parent_lot_ids", j), parent, ids.lots, "lot")
    for i, lot in enumerate(record.lots):
        for j, parent in enumerate(lot.parent_lot_ids):
            yield from _missing(("lots", i, "parent_lot_ids", j), parent, ids.lots, "lot")
            if parent == lot.id:
                yield RecordProblem(
                    loc=("lots", i, "parent_lot_ids", j),
                    msg="a lot cannot be its own parent",
                    type="lineage_cycle",
                )


def _event_problems(i: int, event: CustodyEvent, ids: _Ids) -> Iterator[RecordProblem]:
    for j, item in enumerate(event.items):
        yield from _missing(("events", i, "items", j), item, ids.items, "lot or stone")
    yield from _missing(("events", i, "from_party_id"), event.from_party_id, ids.parties, "party")
    yield from _missing(("events", i, "to_party_id"), event.to_party_id, ids.parties, "party")
    yield from _missing(("events", i, "place", "site_id"), event.place.site_id, ids.sites, "site")
    for j, doc_id in enumerate(event.document_ids):
        yield from _missing(("events", i, "document_ids", j), doc_id, ids.documents, "document")


def _document_problems(
    i: int, doc: KPCertificate | CertificateOfOrigin | Invoice | Attestation, ids: _Ids
) -> Iterator[RecordProblem]:
    if isinstance(doc, KPCertificate | CertificateOfOrigin):
        for j, lot_id in enumerate(doc.lot_ids):
            yield from _missing(("documents", i, "lot_ids", j), lot_id, ids.lots, "lot")
    elif isinstance(doc, Invoice):
        for role in ("seller_party_id", "buyer_party_id"):
            yield from _missing(("documents", i, role), getattr(doc, role), ids.parties, "party")
        for j, lot_id in enumerate(doc.lot_ids):
            yield from _missing(("documents", i, "lot_ids", j), lot_id, ids.items, "lot or stone")
    else:
        yield from _attestation_problems(i, doc, ids)


def _attestation_problems(i: int, doc: Attestation, ids: _Ids) -> Iterator[RecordProblem]:
    if doc.valid_to is not None and doc.valid_to < doc.valid_from:
        yield RecordProblem(
            loc=("documents", i, "valid_to"),
            msg="valid_to is before valid_from",
            type="date_order",
        )
    pool = {
        AttestationLevel.site: ids.sites,
        AttestationLevel.company: ids.parties,
        AttestationLevel.shipment: ids.lots | ids.documents,
        AttestationLevel.transaction: ids.documents,
        AttestationLevel.stone: ids.stones | ids.lots,
    }.get(doc.level)
    if pool is not None:
        yield from _missing(
            ("documents", i, "subject_id"), doc.subject_id, pool, f"{doc.level.value} subject"
        )


def _cycle_problems(record: ProvenanceRecord) -> Iterator[RecordProblem]:
    """Lot lineage must be a DAG: a lot cannot descend from itself."""
    parents = {lot.id: lot.parent_lot_ids for lot in record.lots}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(lot_id: str) -> bool:
        stack: list[tuple[str, Iterator[str]]] = [(lot_id, iter(parents.get(lot_id, [])))]
        state[lot_id] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return True
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(parents.get(child, []))))
        return False

    for index, lot in enumerate(record.lots):
        if lot.id not in state and visit(lot.id):
            yield RecordProblem(
                loc=("lots", index, "parent_lot_ids"),
                msg=f"lot lineage through {lot.id!r} forms a cycle",
                type="lineage_cycle",
            )
