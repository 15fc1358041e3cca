"""``custody``: the append-only custody log. Needs supplier credentials."""

from __future__ import annotations

from collections.abc import Sequence

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._params import CustodyEventParam, DocumentParam, PartyParam, SiteParam
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._supplier_models import CustodyEntry
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = ["AsyncCustody", "AsyncCustodyEvents", "Custody", "CustodyEvents"]

_PATH = "/v1/custody/events"


class CustodyEvents(SyncAPIResource):
    def get(self, event_id: str, *, budget: float | None = None) -> CustodyEntry:
        """One of your custody events by Clearstone's id (``CE-...``) or your own
        (``custody-events-get``): its chain links and its place in the transparency log."""
        path = f"{_PATH}/{path_param(event_id)}"
        return self._client.request("GET", path, cast_to=CustodyEntry, budget=budget)

    def create(
        self,
        event: CustodyEventParam,
        *,
        documents: NotGivenOr[Sequence[DocumentParam]] = NOT_GIVEN,
        parties: NotGivenOr[Sequence[PartyParam]] = NOT_GIVEN,
        sites: NotGivenOr[Sequence[SiteParam]] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> CustodyEntry:
        """Append ``event`` with the documents it cites and the parties and sites it names that
        Clearstone does not know yet (``custody-events-create``). The event joins the hash chain
        of every lot and stone it handled, and the stones descending from them are re-assessed.

        Pass your own ``idempotency_key`` (say, your event id) to make a resubmission after a
        crash safe; within one call the SDK reuses one key across retries anyway.

        Example::

            entry = client.custody.events.create(event, parties=[miner], idempotency_key="E1")
            print(entry.content_hash, entry.reassessed_stones)
        """
        body = {"event": event, "documents": documents, "parties": parties, "sites": sites}
        return self._client.request(
            "POST",
            _PATH,
            json=body,
            cast_to=CustodyEntry,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class AsyncCustodyEvents(AsyncAPIResource):
    async def get(self, event_id: str, *, budget: float | None = None) -> CustodyEntry:
        """One of your custody events (``custody-events-get``)."""
        path = f"{_PATH}/{path_param(event_id)}"
        return await self._client.request("GET", path, cast_to=CustodyEntry, budget=budget)

    async def create(
        self,
        event: CustodyEventParam,
        *,
        documents: NotGivenOr[Sequence[DocumentParam]] = NOT_GIVEN,
        parties: NotGivenOr[Sequence[PartyParam]] = NOT_GIVEN,
        sites: NotGivenOr[Sequence[SiteParam]] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> CustodyEntry:
        """Append a custody event (``custody-events-create``); see :meth:`CustodyEvents.create`."""
        body = {"event": event, "documents": documents, "parties": parties, "sites": sites}
        return await self._client.request(
            "POST",
            _PATH,
            json=body,
            cast_to=CustodyEntry,
            idempotency_key=idempotency_key,
            budget=budget,
        )


class Custody(SyncAPIResource):
    """The custody log; its events are under :attr:`events`."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.events = CustodyEvents(client)


class AsyncCustody(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.events = AsyncCustodyEvents(client)
