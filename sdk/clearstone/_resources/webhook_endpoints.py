"""``webhook_endpoints``: where your events are delivered, their secrets, test deliveries,
replays and the delivery-attempt log."""

from __future__ import annotations

from collections.abc import Sequence

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._event_models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointSecret,
)
from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._types import NOT_GIVEN, NotGiven, NotGivenOr

__all__ = ["AsyncWebhookEndpoints", "WebhookEndpoints"]

_PATH = "/v1/webhook-endpoints"


def _one(endpoint_id: str, tail: str = "") -> str:
    return f"{_PATH}/{path_param(endpoint_id)}{tail}"


def _fields(
    url: NotGivenOr[str],
    event_types: NotGivenOr[Sequence[str]],
    description: NotGivenOr[str | None],
    enabled: NotGivenOr[bool] = NOT_GIVEN,
) -> dict[str, object]:
    types = event_types if isinstance(event_types, NotGiven) else list(event_types)
    return {"url": url, "event_types": types, "description": description, "enabled": enabled}


class SecretRotations(SyncAPIResource):
    def create(
        self, endpoint_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> WebhookEndpointSecret:
        """A new signing secret, shown this once; the old one keeps signing beside it for 24 h
        (``webhook-endpoint-secret-rotations-create``)."""
        return self._client.request(
            "POST",
            _one(endpoint_id, "/secret-rotations"),
            cast_to=WebhookEndpointSecret,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class TestDeliveries(SyncAPIResource):
    def create(
        self, endpoint_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> WebhookDelivery:
        """Send a ``webhook.test`` event to the endpoint
        (``webhook-endpoint-test-deliveries-create``)."""
        return self._client.request(
            "POST",
            _one(endpoint_id, "/test-deliveries"),
            cast_to=WebhookDelivery,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class Replays(SyncAPIResource):
    def create(
        self,
        endpoint_id: str,
        *,
        event_id: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> WebhookDelivery:
        """Deliver an event of your feed again (``webhook-endpoint-replays-create``)."""
        return self._client.request(
            "POST",
            _one(endpoint_id, "/replays"),
            json={"event_id": event_id},
            cast_to=WebhookDelivery,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class Attempts(SyncAPIResource):
    def list(
        self, endpoint_id: str, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[WebhookAttempt]:
        """The endpoint's delivery attempts, newest first (``webhook-endpoint-attempts-list``)."""
        return self._client._paginate(
            _one(endpoint_id, "/attempts"),
            page_type=Page[WebhookAttempt],
            limit=limit,
            budget=budget,
        )


class WebhookEndpoints(SyncAPIResource):
    """Register receivers; verify what they receive with ``client.webhooks.unwrap``."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.secret_rotations = SecretRotations(client)
        self.test_deliveries = TestDeliveries(client)
        self.replays = Replays(client)
        self.attempts = Attempts(client)

    def create(
        self,
        url: str,
        *,
        event_types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> WebhookEndpointSecret:
        """Register ``url`` (``https``, public) for your events (``webhook-endpoints-create``);
        keep the returned ``secret``: it is not shown again.

        Example::

            endpoint = client.webhook_endpoints.create(
                "https://shop.example/hooks/clearstone", event_types=["stone.assessment.changed"]
            )
            save_secret(endpoint.secret)
        """
        return self._client.request(
            "POST",
            _PATH,
            json=_fields(url, event_types, description),
            cast_to=WebhookEndpointSecret,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    def get(self, endpoint_id: str, *, budget: float | None = None) -> WebhookEndpoint:
        """One of your endpoints, ``ep_...`` (``webhook-endpoints-get``)."""
        return self._client.request(
            "GET", _one(endpoint_id), cast_to=WebhookEndpoint, budget=budget
        )

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[WebhookEndpoint]:
        """Every endpoint you registered (``webhook-endpoints-list``)."""
        return self._client._paginate(
            _PATH, page_type=Page[WebhookEndpoint], limit=limit, budget=budget
        )

    def update(
        self,
        endpoint_id: str,
        *,
        url: NotGivenOr[str] = NOT_GIVEN,
        event_types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        enabled: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = None,
    ) -> WebhookEndpoint:
        """Change what you pass; ``enabled=True`` re-enables a disabled endpoint
        (``webhook-endpoints-update``)."""
        return self._client.request(
            "PATCH",
            _one(endpoint_id),
            json=_fields(url, event_types, description, enabled),
            cast_to=WebhookEndpoint,
            budget=budget,
        )

    def delete(self, endpoint_id: str, *, budget: float | None = None) -> None:
        """Delete the endpoint and its attempt log (``webhook-endpoints-delete``)."""
        self._client.request("DELETE", _one(endpoint_id), cast_to=type(None), budget=budget)


class AsyncSecretRotations(AsyncAPIResource):
    async def create(
        self, endpoint_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> WebhookEndpointSecret:
        """A new signing secret (``webhook-endpoint-secret-rotations-create``)."""
        return await self._client.request(
            "POST",
            _one(endpoint_id, "/secret-rotations"),
            cast_to=WebhookEndpointSecret,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class AsyncTestDeliveries(AsyncAPIResource):
    async def create(
        self, endpoint_id: str, *, idempotency_key: str | None = None, budget: float | None = None
    ) -> WebhookDelivery:
        """Send a test event (``webhook-endpoint-test-deliveries-create``)."""
        return await self._client.request(
            "POST",
            _one(endpoint_id, "/test-deliveries"),
            cast_to=WebhookDelivery,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class AsyncReplays(AsyncAPIResource):
    async def create(
        self,
        endpoint_id: str,
        *,
        event_id: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> WebhookDelivery:
        """Deliver an event again (``webhook-endpoint-replays-create``)."""
        return await self._client.request(
            "POST",
            _one(endpoint_id, "/replays"),
            json={"event_id": event_id},
            cast_to=WebhookDelivery,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class AsyncAttempts(AsyncAPIResource):
    def list(
        self, endpoint_id: str, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[WebhookAttempt]:
        """The delivery-attempt log, for ``async for`` (``webhook-endpoint-attempts-list``)."""
        return self._client._paginate(
            _one(endpoint_id, "/attempts"),
            page_type=Page[WebhookAttempt],
            limit=limit,
            budget=budget,
        )


class AsyncWebhookEndpoints(AsyncAPIResource):
    """Webhook endpoints for asyncio; see :class:`WebhookEndpoints`."""

    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.secret_rotations = AsyncSecretRotations(client)
        self.test_deliveries = AsyncTestDeliveries(client)
        self.replays = AsyncReplays(client)
        self.attempts = AsyncAttempts(client)

    async def create(
        self,
        url: str,
        *,
        event_types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> WebhookEndpointSecret:
        """Register ``url`` for your events (``webhook-endpoints-create``)."""
        return await self._client.request(
            "POST",
            _PATH,
            json=_fields(url, event_types, description),
            cast_to=WebhookEndpointSecret,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    async def get(self, endpoint_id: str, *, budget: float | None = None) -> WebhookEndpoint:
        """One of your endpoints (``webhook-endpoints-get``)."""
        return await self._client.request(
            "GET", _one(endpoint_id), cast_to=WebhookEndpoint, budget=budget
        )

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[WebhookEndpoint]:
        """Every endpoint you registered (``webhook-endpoints-list``)."""
        return self._client._paginate(
            _PATH, page_type=Page[WebhookEndpoint], limit=limit, budget=budget
        )

    async def update(
        self,
        endpoint_id: str,
        *,
        url: NotGivenOr[str] = NOT_GIVEN,
        event_types: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        enabled: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = None,
    ) -> WebhookEndpoint:
        """Change what you pass (``webhook-endpoints-update``)."""
        return await self._client.request(
            "PATCH",
            _one(endpoint_id),
            json=_fields(url, event_types, description, enabled),
            cast_to=WebhookEndpoint,
            budget=budget,
        )

    async def delete(self, endpoint_id: str, *, budget: float | None = None) -> None:
        """Delete the endpoint (``webhook-endpoints-delete``)."""
        await self._client.request("DELETE", _one(endpoint_id), cast_to=type(None), budget=budget)
