"""Retailers' watches: ``/v1/watches``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import AuthorizedRoute, Watcher, requires
from clearstone_api.routes.created import LOCATION_HEADER, created_at
from clearstone_api.routes.dependencies import IdempotencyDep, SessionDep, UnitOfWorkDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services import watches
from clearstone_api.services.watches import WatchCreate, WatchPublic

router = APIRouter(tags=["watches"], route_class=AuthorizedRoute)

WatchId = Annotated[str, Path(max_length=40, pattern=r"^wat_[0-9a-f]{24}[0-9]*$")]


@router.post(
    "/v1/watches",
    operation_id="watches-create",
    dependencies=[requires(Scope.watches), strict_body(WatchCreate)],
    status_code=201,
    summary="Watch a stone",
    responses={
        200: {"model": WatchPublic, "description": "You already watch this stone."},
        201: {"headers": LOCATION_HEADER},
        **problems(*AUTH, 409, 422),
    },
)
def create_watch(
    body: WatchCreate,
    response: Response,
    uow: UnitOfWorkDep,
    principal: Watcher,
    idempotency: IdempotencyDep,
) -> WatchPublic:
    """Its events (a changed verdict, a superseded attestation, a disputed number) then reach
    your change feed and webhook endpoints. Watching a stone twice answers the first watch
    (200)."""
    watch, created = watches.create_watch(uow, principal, body, idempotency)
    if created:
        created_at(response, "/v1/watches", watch.id)
    else:
        response.status_code = 200
    return watch


@router.get(
    "/v1/watches",
    operation_id="watches-list",
    summary="List the stones you watch",
    responses=problems(*AUTH, 422),
)
def list_watches(page: PageParamsDep, session: SessionDep, principal: Watcher) -> Page[WatchPublic]:
    after = page.after if isinstance(page.after, str) else None
    data, more, last = watches.list_watches(session, principal, page.limit, after)
    return Page[WatchPublic](
        data=data, has_more=more, next_cursor=page.cursor(last) if last is not None else None
    )


@router.get(
    "/v1/watches/{watch_id}",
    operation_id="watches-get",
    summary="Get one of your watches",
    responses=problems(*AUTH, 404, 422),
)
def get_watch(watch_id: WatchId, session: SessionDep, principal: Watcher) -> WatchPublic:
    return watches.get_watch(session, principal, watch_id)


@router.delete(
    "/v1/watches/{watch_id}",
    operation_id="watches-delete",
    status_code=204,
    summary="Stop watching a stone",
    responses=problems(*AUTH, 404, 422),
)
def delete_watch(watch_id: WatchId, uow: UnitOfWorkDep, principal: Watcher) -> Response:
    """Events already in your feed stay there; new ones no longer reach you."""
    watches.delete_watch(uow.session, principal, watch_id)
    return Response(status_code=204)
