"""``lots``: a supplier's rough lots. Needs supplier credentials."""

from __future__ import annotations

from collections.abc import Sequence

from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._params import Carat
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._supplier_models import Lot
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = ["AsyncLots", "Lots"]

_PATH = "/v1/lots"


def _body(
    lot_id: str,
    carat: Carat,
    parcel_count: NotGivenOr[int],
    hs_code: NotGivenOr[str],
    origin: NotGivenOr[str],
    parent_lot_ids: NotGivenOr[Sequence[str]],
    mixed_origin: NotGivenOr[bool],
) -> dict[str, object]:
    return {
        "id": lot_id,
        "carat": carat,
        "parcel_count": parcel_count,
        "hs_code": hs_code,
        "origin": origin,
        "parent_lot_ids": parent_lot_ids,
        "mixed_origin": mixed_origin,
    }


class Lots(SyncAPIResource):
    def create(
        self,
        lot_id: str,
        *,
        carat: Carat,
        parcel_count: NotGivenOr[int] = NOT_GIVEN,
        hs_code: NotGivenOr[str] = NOT_GIVEN,
        origin: NotGivenOr[str] = NOT_GIVEN,
        parent_lot_ids: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        mixed_origin: NotGivenOr[bool] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> Lot:
        """Register a rough lot under your own id ``lot_id`` (``lots-create``). Parent lots
        (splits, merges) must be registered first; a lot never changes after.

        Example::

            lot = client.lots.create("L1", carat="10.50", idempotency_key="lot-L1")
        """
        body = _body(lot_id, carat, parcel_count, hs_code, origin, parent_lot_ids, mixed_origin)
        return self._client.request(
            "POST", _PATH, json=body, cast_to=Lot, idempotency_key=idempotency_key, budget=budget
        )

    def get(self, lot_id: str, *, budget: float | None = None) -> Lot:
        """One of your lots by Clearstone's id, ``CL-...`` (``lots-get``)."""
        path = f"{_PATH}/{path_param(lot_id)}"
        return self._client.request("GET", path, cast_to=Lot, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[Lot]:
        """Every lot you registered, oldest first, fetched ``limit`` per page (``lots-list``)."""
        return self._client._paginate(_PATH, page_type=Page[Lot], limit=limit, budget=budget)


class AsyncLots(AsyncAPIResource):
    async def create(
        self,
        lot_id: str,
        *,
        carat: Carat,
        parcel_count: NotGivenOr[int] = NOT_GIVEN,
        hs_code: NotGivenOr[str] = NOT_GIVEN,
        origin: NotGivenOr[str] = NOT_GIVEN,
        parent_lot_ids: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        mixed_origin: NotGivenOr[bool] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> Lot:
        """Register a rough lot (``lots-create``); see :meth:`Lots.create`."""
        body = _body(lot_id, carat, parcel_count, hs_code, origin, parent_lot_ids, mixed_origin)
        return await self._client.request(
            "POST", _PATH, json=body, cast_to=Lot, idempotency_key=idempotency_key, budget=budget
        )

    async def get(self, lot_id: str, *, budget: float | None = None) -> Lot:
        """One of your lots (``lots-get``)."""
        path = f"{_PATH}/{path_param(lot_id)}"
        return await self._client.request("GET", path, cast_to=Lot, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[Lot]:
        """Every lot you registered, for ``async for`` (``lots-list``)."""
        return self._client._paginate(_PATH, page_type=Page[Lot], limit=limit, budget=budget)
