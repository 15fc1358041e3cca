"""``POST /v1/checkout/screenings``: a decision per cart item under the retailer's policy."""

from __future__ import annotations

from fastapi import APIRouter, Request

from clearstone_api.routes.auth import AuthorizedRoute, requires
from clearstone_api.routes.dependencies import container
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services.screening import ScreeningCreate, ScreeningPublic, screen

router = APIRouter(tags=["checkout"], route_class=AuthorizedRoute)


@router.post(
    "/v1/checkout/screenings",
    dependencies=[requires(Scope.screenings), strict_body(ScreeningCreate)],
    operation_id="screenings-create",
    summary="Screen a cart of up to 100 certificate numbers",
    responses=problems(*AUTH, 422),
)
async def create_screening(body: ScreeningCreate, request: Request) -> ScreeningPublic:
    """Read in one database round trip; nothing is stored, so retries are naturally safe."""
    return await screen(container(request).database, body)
