"""Supplier writes and reads of rough lots."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import AuthorizedRoute, RecordsReader, RecordsWriter, requires
from clearstone_api.routes.created import LOCATION_HEADER, created_at
from clearstone_api.routes.dependencies import IdempotencyDep, SessionDep, UnitOfWorkDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services import lots
from clearstone_api.services.lots import LotCreate, LotPublic

router = APIRouter(tags=["lots"], route_class=AuthorizedRoute)

LotId = Annotated[str, Path(max_length=32, pattern=r"^CL-[0-9A-Z]{12}$")]


@router.post(
    "/v1/lots",
    operation_id="lots-create",
    dependencies=[requires(Scope.records_write), strict_body(LotCreate)],
    status_code=201,
    summary="Register a rough lot",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_lot(
    body: LotCreate,
    response: Response,
    uow: UnitOfWorkDep,
    principal: RecordsWriter,
    idempotency: IdempotencyDep,
) -> LotPublic:
    """Parent lots (splits and merges) must be registered first; a lot never changes after."""
    lot = lots.create_lot(uow, principal, body, idempotency)
    created_at(response, "/v1/lots", lot.id)
    return lot


@router.get(
    "/v1/lots/{lot_id}",
    operation_id="lots-get",
    summary="Get one of your rough lots",
    responses=problems(*AUTH, 404, 422),
)
def get_lot(lot_id: LotId, session: SessionDep, principal: RecordsReader) -> LotPublic:
    """Your own lots only: another tenant's lot is a 404, as if it did not exist."""
    return lots.get_lot(session, principal, lot_id)


@router.get(
    "/v1/lots",
    operation_id="lots-list",
    summary="List your rough lots",
    responses=problems(*AUTH, 422),
)
def list_lots(
    page: PageParamsDep, session: SessionDep, principal: RecordsReader
) -> Page[LotPublic]:
    after = page.after if isinstance(page.after, int) else None
    data, has_more, last = lots.list_lots(session, principal, page.limit, after)
    return Page[LotPublic](
        data=data, has_more=has_more, next_cursor=page.cursor(last) if last else None
    )
