"""Loading the demo data: every published test vector, through the supplier write path.

Each vector's record is taken apart the way a supplier would submit it (lots, then stones, then
custody events in date order with the documents, parties and sites they carry) under its own
demo tenant, so the demo exercises the same code as production writes. The stone is reachable
by the vector's certificate number (``DEMO-ZW-MARANGE-2008``). Rerunning skips loaded vectors.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from sqlmodel import select

from clearstone_api.certificate_numbers import lab_qualified
from clearstone_api.db import Database
from clearstone_api.domain import records
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.models.stone import Stone
from clearstone_api.security.principals import Principal
from clearstone_api.security.scopes import ROLE_SCOPES, Role
from clearstone_api.services.attestations import Attester
from clearstone_api.services.custody import CustodyEventCreate, append_event
from clearstone_api.services.lots import LotCreate, register_lot
from clearstone_api.services.number_claims import confirm_demo_claim
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.services.stones import StoneCreate, register_stone

__all__ = ["load_demo", "vectors_path"]


def vectors_path() -> Path:
    return Path(str(resources.files("clearstone_api") / "demo" / "vectors.json"))


def _lots_in_order(lots: list[records.RoughLot]) -> Iterator[records.RoughLot]:
    """Parents before children (lineage is a DAG, checked by ``parse_record``)."""
    done: set[str] = set()
    pending = list(lots)
    while pending:
        ready = [lot for lot in pending if all(p in done for p in lot.parent_lot_ids)]
        for lot in ready:
            done.add(lot.id)
            yield lot
        pending = [lot for lot in pending if lot.id not in done]


def _event_submissions(record: records.ProvenanceRecord) -> list[CustodyEventCreate]:
    events = sorted(enumerate(record.events), key=lambda pair: (pair[1].date, pair[0]))
    referenced = {doc_id for event in record.events for doc_id in event.document_ids}
    documents = {doc.id: doc for doc in record.documents}
    loose = [doc for doc in record.documents if doc.id not in referenced]
    submissions = []
    for position, (_, event) in enumerate(events):
        extra = loose if position == 0 else []
        submissions.append(
            CustodyEventCreate(
                event=event,
                documents=[documents[d] for d in event.document_ids] + extra,
                # Every party and site goes with the first event; later ones name them by id.
                parties=list(record.parties) if position == 0 else [],
                sites=list(record.sites) if position == 0 else [],
            )
        )
    return submissions


def load_vector(
    database: Database, store: ReferenceStore, vector: dict[str, Any], *, attester: Attester
) -> bool:
    """Load one vector; False when it is already loaded."""
    record = parse_record(vector["record"])
    principal = Principal(
        id="demo-loader",
        tenant_id=f"demo-{vector['name']}",
        role=Role.supplier,
        scopes=frozenset(ROLE_SCOPES[Role.supplier]),
    )
    with database.session() as session:
        if session.exec(
            select(Stone.id).where(
                Stone.tenant_id == principal.tenant_id, Stone.record_id == record.subject_id
            )
        ).first():
            return False
        reference = store.current(session)
        for lot in _lots_in_order(list(record.lots)):
            register_lot(session, principal, LotCreate.model_validate(lot.model_dump()))
        submissions = _event_submissions(record)
        for stone in record.stones:
            is_subject = stone.id == record.subject_id
            register_stone(
                session,
                principal,
                reference,
                StoneCreate.model_validate(
                    {
                        **stone.model_dump(),
                        "aliases": [vector["certificate"]] if is_subject else [],
                        "documents": [] if submissions else list(record.documents),
                    }
                ),
                attester=attester,
                pinned_as_of=dt.date.fromisoformat(vector["as_of"]),
            )
        for submission in submissions:
            append_event(session, principal, reference, submission, attester=attester)
    return True


DEMO_LAB_DECISIONS = (("IGI", "DEMO-LAB-GROWN"),)
"""Grading labs' decisions the demo applies: IGI confirms the lab-grown demo stone's report. Every
other demo stone's number stays *claimed* (one supplier, no decision yet)."""

SHARED_DIGITS = "0000000042"
"""Fictitious digits two labs' demo reports share: the bare number leads to a chooser."""

DEMO_NUMBER_STONES = (
    ("demo-claims", "DEMO-SHARED-HRD", "HRD", "0.70"),
    ("demo-claims-igi", "DEMO-SHARED-IGI", "IGI", "0.55"),
)
"""Stones with no chain whose fictitious report numbers share :data:`SHARED_DIGITS`, each
claimed by one supplier with no decision yet."""


def _register_number_stone(
    database: Database,
    store: ReferenceStore,
    stone: tuple[str, str, str, str],
    *,
    attester: Attester,
) -> None:
    tenant, record_id, lab, carat = stone
    principal = Principal(
        id="demo-loader",
        tenant_id=tenant,
        role=Role.supplier,
        scopes=frozenset(ROLE_SCOPES[Role.supplier]),
    )
    with database.session() as session:
        if session.exec(
            select(Stone.id).where(Stone.tenant_id == tenant, Stone.record_id == record_id)
        ).first():
            return
        register_stone(
            session,
            principal,
            store.current(session),
            StoneCreate.model_validate(
                {
                    "id": record_id,
                    "origin": "natural",
                    "carat": carat,
                    "grading_report": {"lab": lab, "number": SHARED_DIGITS},
                    "parent_lot_ids": [],
                    "aliases": [record_id],
                }
            ),
            attester=attester,
        )


def load_number_demo(
    database: Database,
    store: ReferenceStore,
    vectors: list[dict[str, Any]],
    *,
    attester: Attester,
) -> None:
    """The certificate-number demo: two labs' reports sharing digits, and the labs' decisions
    on the vectors' numbers (idempotent). Registered like any supplier's stone: the same
    uniqueness rule as the API, no exception for the demo."""
    for stone in DEMO_NUMBER_STONES:
        _register_number_stone(database, store, stone, attester=attester)
    reports = {
        v["certificate"]: s["grading_report"]
        for v in vectors
        for s in v["record"]["stones"]
        if s["id"] == v["record"]["subject_id"] and s.get("grading_report")
    }
    with database.session() as session:
        for lab, certificate in DEMO_LAB_DECISIONS:
            if certificate in reports:
                number = lab_qualified(lab, reports[certificate]["number"])
                confirm_demo_claim(session, lab, number, certificate)


def load_demo(
    database: Database, store: ReferenceStore, attester: Attester, path: Path | None = None
) -> tuple[int, int]:
    """Load every vector in ``path``; returns (loaded, already there)."""
    vectors = json.loads((path or vectors_path()).read_text(encoding="utf-8"))
    loaded = sum(load_vector(database, store, vector, attester=attester) for vector in vectors)
    load_number_demo(database, store, vectors, attester=attester)
    return loaded, len(vectors) - loaded
