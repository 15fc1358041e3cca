"""``POST /v1/checkout/screenings``: a decision per cart item under the retailer's policy."""

from __future__ import annotations

from fastapi import APIRouter, Request

from clearstone_api.routes.auth import Screener, requires
from clearstone_api.routes.dependencies import container
from clearstone_api.routes.lean_body import LeanBodyRoute
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services.screening import ScreeningCreate, ScreeningPublic, screen

router = APIRouter(tags=["checkout"], route_class=LeanBodyRoute)


@router.post(
    "/v1/checkout/screenings",
    dependencies=[requires(Scope.screenings), strict_body(ScreeningCreate)],
    operation_id="screenings-create",
    summary="Screen a cart of up to 100 certificate numbers",
    responses=problems(*AUTH, 422),
)
async def create_screening(
    body: ScreeningCreate, request: Request, principal: Screener
) -> ScreeningPublic:
    """Read in one database round trip. The only thing stored is that your organization
    screened each known stone (once, whatever the retries), which lets you read its sanctions
    evidence pack; retries are safe."""
    return await screen(container(request).database, body, principal.tenant_id)
