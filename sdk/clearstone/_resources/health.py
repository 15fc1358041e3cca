"""``health``: liveness (``/healthz``) and readiness (``/readyz``)."""

from __future__ import annotations

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._models import Health
from clearstone._resource import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncHealthResource", "AsyncReadiness", "HealthResource", "Readiness"]


class Readiness(SyncAPIResource):
    def get(self, *, budget: float | None = None) -> Health:
        """Whether the database answers and its schema is current (``readiness-get``); a 503
        raises :class:`~clearstone.InternalServerError` after the retries."""
        return self._client.request("GET", "/readyz", cast_to=Health, budget=budget)


class HealthResource(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.readiness = Readiness(client)

    def get(self, *, budget: float | None = None) -> Health:
        """Whether the process answers (``health-get``).

        Example::

            assert client.health.get().status == "ok"
        """
        return self._client.request("GET", "/healthz", cast_to=Health, budget=budget)


class AsyncReadiness(AsyncAPIResource):
    async def get(self, *, budget: float | None = None) -> Health:
        """Readiness (``readiness-get``); see :meth:`Readiness.get`."""
        return await self._client.request("GET", "/readyz", cast_to=Health, budget=budget)


class AsyncHealthResource(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.readiness = AsyncReadiness(client)

    async def get(self, *, budget: float | None = None) -> Health:
        """Liveness (``health-get``); see :meth:`HealthResource.get`."""
        return await self._client.request("GET", "/healthz", cast_to=Health, budget=budget)
