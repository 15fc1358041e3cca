"""Supplier writes and reads of stones, and their custody verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import (
    AuthorizedRoute,
    EvidenceReader,
    RecordsReader,
    RecordsWriter,
    RetailerReader,
    requires,
)
from clearstone_api.routes.created import LOCATION_HEADER, created_at
from clearstone_api.routes.dependencies import (
    ContainerDep,
    IdempotencyDep,
    SessionDep,
    UnitOfWorkDep,
    attester,
    current_reference,
)
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services import stones
from clearstone_api.services.custody_verification import CustodyVerification, verify_custody
from clearstone_api.services.sanctions_evidence import (
    Jurisdiction,
    SanctionsEvidence,
    get_sanctions_evidence,
)
from clearstone_api.services.stone_summaries import StoneSummary, get_stone_summary
from clearstone_api.services.stones import StoneCreate, StonePublic

router = APIRouter(tags=["stones"], route_class=AuthorizedRoute)

StoneId = Annotated[str, Path(max_length=32, pattern=r"^CS-[0-9A-Z]{12}$")]
YourStoneId = Annotated[
    str,
    Path(
        max_length=128,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="Clearstone's id (`CS-...`) or your own id for the stone (`stone.id` as you "
        "registered it).",
    ),
]


@router.post(
    "/v1/stones",
    operation_id="stones-create",
    dependencies=[requires(Scope.records_write), strict_body(StoneCreate)],
    status_code=201,
    summary="Register a stone",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_stone(
    body: StoneCreate,
    response: Response,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: RecordsWriter,
    idempotency: IdempotencyDep,
) -> StonePublic:
    """Registers the stone under its certificate numbers, links it to its rough lots and
    assesses it; the certificate lookup serves it at once."""
    stone = stones.create_stone(uow, app, principal, body, idempotency)
    created_at(response, "/v1/stones", stone.id)
    return stone


@router.get(
    "/v1/stones/{stone_id}",
    operation_id="stones-get",
    summary="Get one of your stones",
    responses=problems(*AUTH, 404, 422),
)
def get_stone(stone_id: YourStoneId, session: SessionDep, principal: RecordsReader) -> StonePublic:
    """By Clearstone's id or by the id you registered the stone under. Your own stones only:
    another tenant's stone is a 404, as if it did not exist."""
    return stones.get_stone(session, principal, stone_id)


@router.get(
    "/v1/stones",
    operation_id="stones-list",
    summary="List your stones",
    responses=problems(*AUTH, 422),
)
def list_stones(
    page: PageParamsDep, session: SessionDep, principal: RecordsReader
) -> Page[StonePublic]:
    after = page.after if isinstance(page.after, int) else None
    data, has_more, last = stones.list_stones(session, principal, page.limit, after)
    return Page[StonePublic](
        data=data, has_more=has_more, next_cursor=page.cursor(last) if last else None
    )


@router.get(
    "/v1/stones/{stone_id}/custody/verification",
    operation_id="custody-verifications-get",
    summary="Re-check every hash in a stone's custody chains",
    responses=problems(*AUTH, 404, 422),
)
def get_custody_verification(
    stone_id: StoneId, request: Request, session: SessionDep, principal: RecordsReader
) -> CustodyVerification:
    """``valid`` is false, and ``problems`` says where, if any stored event or link was altered,
    removed or reordered, or if the log no longer matches its latest signed tree head
    (truncated, a chain deleted, history rewritten and re-hashed)."""
    return verify_custody(
        session, stones.find_stone(session, principal, stone_id), attester(request)
    )


@router.get(
    "/v1/stones/{stone_id}/summary",
    operation_id="stone-summaries-get",
    summary="The retailer tier of any stone: verdicts and custody summary",
    responses=problems(*AUTH, 404, 422),
)
def get_stone_summary_route(
    stone_id: StoneId, session: SessionDep, _principal: RetailerReader
) -> StoneSummary:
    """Where and when the stone's goods moved, through what kind of party, with what kind of
    document, beside its current verdicts. No prices, no counterparty names, no supplier record
    ids. Any registered stone, whoever registered it (the id is on the public certificate and
    in screening results)."""
    return get_stone_summary(session, stone_id)


JurisdictionQuery = Annotated[Jurisdiction, Query(description="EU, US or UK.")]


@router.get(
    "/v1/stones/{stone_id}/sanctions-evidence",
    operation_id="sanctions-evidence-get",
    summary="The importer's sanctions evidence pack for one jurisdiction",
    dependencies=[requires(Scope.sanctions_evidence)],
    responses=problems(*AUTH, 404, 422),
)
def get_sanctions_evidence_route(
    stone_id: StoneId,
    jurisdiction: JurisdictionQuery,
    request: Request,
    session: SessionDep,
    principal: EvidenceReader,
) -> SanctionsEvidence:
    """What an importer into the EU, the US or the UK must declare for the stone on its date of
    import, prefilled from the chain, what is missing and which rule asks for it. For the
    stone's supplier and for retailers who screened it at checkout (``sanctions:evidence``);
    anyone else gets a 404. It assists a declaration; it is not one."""
    return get_sanctions_evidence(
        session, principal, current_reference(request, session), stone_id, jurisdiction
    )
