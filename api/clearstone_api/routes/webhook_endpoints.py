"""Webhook endpoints: ``/v1/webhook-endpoints``, their secrets, test deliveries, replays and
delivery-attempt log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import AuthorizedRoute, WebhookManager, requires
from clearstone_api.routes.created import LOCATION_HEADER, created_at
from clearstone_api.routes.dependencies import (
    ContainerDep,
    IdempotencyDep,
    SessionDep,
    UnitOfWorkDep,
)
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services import webhook_endpoints as endpoints
from clearstone_api.services.webhook_endpoints import (
    AttemptPublic,
    DeliveryPublic,
    EndpointCreate,
    EndpointCreated,
    EndpointPublic,
    EndpointUpdate,
    ReplayCreate,
)

router = APIRouter(tags=["webhooks"], route_class=AuthorizedRoute)

_PATH = "/v1/webhook-endpoints"
EndpointId = Annotated[str, Path(max_length=40, pattern=r"^ep_[0-9a-f]{24}$")]


@router.post(
    _PATH,
    operation_id="webhook-endpoints-create",
    dependencies=[requires(Scope.webhooks), strict_body(EndpointCreate)],
    status_code=201,
    summary="Register a webhook endpoint",
    responses={201: {"headers": LOCATION_HEADER}, **problems(*AUTH, 409, 422)},
)
def create_endpoint(
    body: EndpointCreate,
    response: Response,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: WebhookManager,
    idempotency: IdempotencyDep,
) -> EndpointCreated:
    """Events written for your organization (and taken by ``event_types``) are delivered to
    ``url``, signed per Standard Webhooks with the ``secret`` returned here, once. The URL must
    be ``https`` to a public address (a private, loopback or link-local one is a 422 naming
    ``url``)."""
    created = endpoints.create_endpoint(
        uow,
        principal,
        body,
        idempotency,
        allow_private=app.settings.webhooks_allow_private,
    )
    created_at(response, _PATH, created.id)
    return created


@router.get(
    _PATH,
    operation_id="webhook-endpoints-list",
    summary="List your webhook endpoints",
    responses=problems(*AUTH, 422),
)
def list_endpoints(
    page: PageParamsDep, session: SessionDep, principal: WebhookManager
) -> Page[EndpointPublic]:
    after = page.after if isinstance(page.after, str) else None
    data, more, last = endpoints.list_endpoints(session, principal, page.limit, after)
    return Page[EndpointPublic](
        data=data, has_more=more, next_cursor=page.cursor(last) if last is not None else None
    )


@router.get(
    f"{_PATH}/{{endpoint_id}}",
    operation_id="webhook-endpoints-get",
    summary="Get one of your webhook endpoints",
    responses=problems(*AUTH, 404, 422),
)
def get_endpoint(
    endpoint_id: EndpointId, session: SessionDep, principal: WebhookManager
) -> EndpointPublic:
    return endpoints.get_endpoint(session, principal, endpoint_id)


@router.patch(
    f"{_PATH}/{{endpoint_id}}",
    operation_id="webhook-endpoints-update",
    dependencies=[requires(Scope.webhooks), strict_body(EndpointUpdate)],
    summary="Change a webhook endpoint's URL, event types, description, or enable it",
    responses=problems(*AUTH, 404, 422),
)
def update_endpoint(
    endpoint_id: EndpointId,
    body: EndpointUpdate,
    uow: UnitOfWorkDep,
    app: ContainerDep,
    principal: WebhookManager,
) -> EndpointPublic:
    """Keys left out stay as they are. ``enabled: true`` re-enables an endpoint disabled after
    sustained failure."""
    return endpoints.update_endpoint(
        uow.session,
        principal,
        endpoint_id,
        body,
        allow_private=app.settings.webhooks_allow_private,
    )


@router.delete(
    f"{_PATH}/{{endpoint_id}}",
    operation_id="webhook-endpoints-delete",
    status_code=204,
    summary="Delete a webhook endpoint",
    responses=problems(*AUTH, 404, 422),
)
def delete_endpoint(
    endpoint_id: EndpointId, uow: UnitOfWorkDep, principal: WebhookManager
) -> Response:
    """Its pending deliveries and its attempt log go with it."""
    endpoints.delete_endpoint(uow.session, principal, endpoint_id)
    return Response(status_code=204)


@router.post(
    f"{_PATH}/{{endpoint_id}}/secret-rotations",
    operation_id="webhook-endpoint-secret-rotations-create",
    dependencies=[requires(Scope.webhooks)],
    summary="Rotate a webhook endpoint's signing secret",
    responses=problems(*AUTH, 404, 409, 422),
)
def rotate_secret(
    endpoint_id: EndpointId,
    uow: UnitOfWorkDep,
    principal: WebhookManager,
    idempotency: IdempotencyDep,
) -> EndpointCreated:
    """A new secret, returned this once. For 24 hours every delivery carries two signatures,
    one with each secret (``webhook-signature: v1,<new> v1,<old>``), so your receiver can move
    to the new secret without missing a delivery."""
    rotated = endpoints.rotate_secret(uow.session, principal, endpoint_id)
    idempotency.record_on_commit(uow, 200, rotated)
    return rotated


@router.post(
    f"{_PATH}/{{endpoint_id}}/test-deliveries",
    operation_id="webhook-endpoint-test-deliveries-create",
    dependencies=[requires(Scope.webhooks)],
    status_code=202,
    summary="Send a test event to a webhook endpoint",
    responses=problems(*AUTH, 404, 409, 422),
)
def send_test(
    endpoint_id: EndpointId,
    uow: UnitOfWorkDep,
    principal: WebhookManager,
    idempotency: IdempotencyDep,
) -> DeliveryPublic:
    """A ``webhook.test`` event, delivered to this endpoint only, whatever its type filter;
    see the outcome in its attempt log."""
    delivery = endpoints.send_test(uow.session, principal, endpoint_id)
    idempotency.record_on_commit(uow, 202, delivery)
    return delivery


@router.post(
    f"{_PATH}/{{endpoint_id}}/replays",
    operation_id="webhook-endpoint-replays-create",
    dependencies=[requires(Scope.webhooks), strict_body(ReplayCreate)],
    status_code=202,
    summary="Deliver an event of your feed again to a webhook endpoint",
    responses=problems(*AUTH, 404, 409, 422),
)
def replay(
    endpoint_id: EndpointId,
    body: ReplayCreate,
    uow: UnitOfWorkDep,
    principal: WebhookManager,
    idempotency: IdempotencyDep,
) -> DeliveryPublic:
    """A new delivery of the event, with the same ``webhook-id`` (receivers that deduplicate
    by it see a duplicate)."""
    delivery = endpoints.replay(uow.session, principal, endpoint_id, body)
    idempotency.record_on_commit(uow, 202, delivery)
    return delivery


@router.get(
    f"{_PATH}/{{endpoint_id}}/attempts",
    operation_id="webhook-endpoint-attempts-list",
    summary="The delivery-attempt log of a webhook endpoint, newest first",
    responses=problems(*AUTH, 404, 422),
)
def list_attempts(
    endpoint_id: EndpointId, page: PageParamsDep, session: SessionDep, principal: WebhookManager
) -> Page[AttemptPublic]:
    after = page.after if isinstance(page.after, int) else None
    data, more, last = endpoints.list_attempts(session, principal, endpoint_id, page.limit, after)
    return Page[AttemptPublic](
        data=data, has_more=more, next_cursor=page.cursor(last) if last is not None else None
    )
