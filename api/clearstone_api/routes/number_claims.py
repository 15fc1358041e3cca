"""Certificate-number claims: a grading lab confirms or rejects suppliers' claims on its own
report numbers; operators see every dispute."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict

from clearstone_api.pagination import Page, PageParams, PageParamsDep
from clearstone_api.routes.auth import AuthorizedRoute, DisputesReader, LabDecider, requires
from clearstone_api.routes.dependencies import ContainerDep, SessionDep, UnitOfWorkDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services import number_claims
from clearstone_api.services.number_claims import ClaimDecision, ClaimStatus, NumberClaimPublic

router = APIRouter(tags=["certificate-numbers"], route_class=AuthorizedRoute)

ClaimId = Annotated[str, Path(max_length=32, pattern=r"^NC-[0-9A-Z]{12}$")]
StatusFilter = Annotated[ClaimStatus | None, Query(description="Only claims in this status.")]


class ClaimDecisionCreate(BaseModel):
    """The lab's word on a claim."""

    model_config = ConfigDict(extra="forbid")

    decision: ClaimDecision
    """``confirm``: the number is this stone's (every other claim on it is rejected);
    ``reject``: it is not."""


def _page(
    page: PageParams, data: list[NumberClaimPublic], more: bool, last: int | None
) -> Page[NumberClaimPublic]:
    return Page[NumberClaimPublic](
        data=data, has_more=more, next_cursor=page.cursor(last) if last else None
    )


@router.get(
    "/v1/lab/claims",
    operation_id="lab-claims-list",
    summary="Claims on your laboratory's report numbers",
    responses=problems(*AUTH, 422),
)
def list_lab_claims(
    page: PageParamsDep, session: SessionDep, principal: LabDecider, status: StatusFilter = None
) -> Page[NumberClaimPublic]:
    """Every claim suppliers made on numbers of your lab (your tenant is the lab's code),
    oldest first; ``status=disputed`` for those waiting on you."""
    after = page.after if isinstance(page.after, int) else None
    return _page(
        page,
        *number_claims.list_claims(
            session, lab=principal.tenant_id, status=status, limit=page.limit, after=after
        ),
    )


@router.post(
    "/v1/lab/claims/{claim_id}/decisions",
    operation_id="lab-claim-decisions-create",
    dependencies=[requires(Scope.numbers_decide), strict_body(ClaimDecisionCreate)],
    summary="Confirm or reject a claim on your laboratory's number",
    responses=problems(*AUTH, 404, 422),
)
def create_claim_decision(
    claim_id: ClaimId,
    body: ClaimDecisionCreate,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: LabDecider,
) -> NumberClaimPublic:
    """Confirming makes the number name this stone, ``confirmed`` on the public lookup, and
    rejects every other claim on it; rejecting takes the stone's claim away. Another lab's
    claim is a 404."""
    decided = number_claims.decide_claim(uow.session, principal, claim_id, body.decision)
    uow.after_commit(app.certificate_cache.clear)
    return decided


@router.get(
    "/v1/certificate-numbers/disputes",
    operation_id="number-disputes-list",
    summary="Every disputed certificate number's claims",
    responses=problems(*AUTH, 422),
)
def list_disputes(
    page: PageParamsDep, session: SessionDep, _principal: DisputesReader
) -> Page[NumberClaimPublic]:
    """Operators' view: every claim in dispute, across labs and tenants, oldest first."""
    after = page.after if isinstance(page.after, int) else None
    return _page(
        page,
        *number_claims.list_claims(
            session, lab=None, status=ClaimStatus.disputed, limit=page.limit, after=after
        ),
    )
