"""Validating a provenance record: its shape, then every cross-reference, each problem named by
its path (``events.3.items.0``) so that a malformed record is rejected whole.

Example::

    record = parse_record(json.loads(path.read_text()))
    record.subject.id  # the stone (or rough lot) being assessed
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from clearstone_api.domain.records import (
    AttestationLevel,
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


def _reference_problems(record: ProvenanceRecord) -> Iterator[RecordProblem]:
    lots = {lot.id for lot in record.lots}
    stones = {stone.id for stone in record.stones}
    parties = {party.id for party in record.parties}
    sites = {site.id for site in record.sites}
    documents = {doc.id for doc in record.documents}

    yield from _duplicates("lots", [lot.id for lot in record.lots])
    yield from _duplicates("stones", [stone.id for stone in record.stones])
    yield from _duplicates("parties", [party.id for party in record.parties])
    yield from _duplicates("sites", [site.id for site in record.sites])
    yield from _duplicates("events", [event.id for event in record.events])
    yield from _duplicates("documents", [doc.id for doc in record.documents])
    shared = lots & stones
    for item_id in sorted(shared):
        yield RecordProblem(
            loc=("stones",), msg=f"id {item_id!r} names both a stone and a lot", type="duplicate_id"
        )

    def missing(
        loc: tuple[str | int, ...], ref: str | None, pool: set[str], what: str
    ) -> Iterator[RecordProblem]:
        if ref is not None and ref not in pool:
            yield RecordProblem(loc=loc, msg=f"unknown {what} {ref!r}", type="unknown_reference")

    if record.subject_id not in lots | stones:
        yield RecordProblem(
            loc=("subject_id",),
            msg=f"unknown stone or lot {record.subject_id!r}",
            type="unknown_reference",
        )
    for i, stone in enumerate(record.stones):
        for j, parent in enumerate(stone.parent_lot_ids):
            yield from missing(("stones", i, "parent_lot_ids", j), parent, lots, "lot")
    for i, lot in enumerate(record.lots):
        for j, parent in enumerate(lot.parent_lot_ids):
            yield from missing(("lots", i, "parent_lot_ids", j), parent, lots, "lot")
            if parent == lot.id:
                yield RecordProblem(
                    loc=("lots", i, "parent_lot_ids", j),
                    msg="a lot cannot be its own parent",
                    type="lineage_cycle",
                )
    yield from _cycle_problems(record)
    for i, site in enumerate(record.sites):
        yield from missing(
            ("sites", i, "operator_party_id"), site.operator_party_id, parties, "party"
        )
    for i, event in enumerate(record.events):
        for j, item in enumerate(event.items):
            yield from missing(("events", i, "items", j), item, lots | stones, "lot or stone")
        yield from missing(("events", i, "from_party_id"), event.from_party_id, parties, "party")
        yield from missing(("events", i, "to_party_id"), event.to_party_id, parties, "party")
        yield from missing(("events", i, "place", "site_id"), event.place.site_id, sites, "site")
        for j, doc_id in enumerate(event.document_ids):
            yield from missing(("events", i, "document_ids", j), doc_id, documents, "document")
    for i, doc in enumerate(record.documents):
        if isinstance(doc, KPCertificate):
            for j, lot_id in enumerate(doc.lot_ids):
                yield from missing(("documents", i, "lot_ids", j), lot_id, lots, "lot")
        elif isinstance(doc, Invoice):
            yield from missing(
                ("documents", i, "seller_party_id"), doc.seller_party_id, parties, "party"
            )
            yield from missing(
                ("documents", i, "buyer_party_id"), doc.buyer_party_id, parties, "party"
            )
            for j, lot_id in enumerate(doc.lot_ids):
                yield from missing(
                    ("documents", i, "lot_ids", j), lot_id, lots | stones, "lot or stone"
                )
        else:
            if doc.valid_to is not None and doc.valid_to < doc.valid_from:
                yield RecordProblem(
                    loc=("documents", i, "valid_to"),
                    msg="valid_to is before valid_from",
                    type="date_order",
                )
            pool = {
                AttestationLevel.site: sites,
                AttestationLevel.company: parties,
                AttestationLevel.shipment: lots | documents,
                AttestationLevel.transaction: documents,
                AttestationLevel.stone: stones | lots,
            }.get(doc.level)
            if pool is not None:
                yield from missing(
                    ("documents", i, "subject_id"),
                    doc.subject_id,
                    pool,
                    f"{doc.level.value} subject",
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
