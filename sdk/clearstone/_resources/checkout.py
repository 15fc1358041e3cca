"""``checkout``: screen a cart in one call, and never let Clearstone be why a sale hangs.

:meth:`Checkout.screen` is the retailer's call. It sends the cart with a ``budget`` (seconds for
the whole call, retries included). When Clearstone cannot answer within it, because of a timeout,
a connection failure, a 5xx, a 408 or a 429 that the budget cannot wait out, it does not raise:
it returns the retailer's ``fallback`` for every line, marked ``degraded``:

- ``fail_open``: every line ``allow`` (sell, and screen again later);
- ``fail_closed``: every line ``review`` (hold the sale for a person).

A caller's error (400, 401, 403, 404, 409, 422, or a response that is not a screening) still
raises: a bug must not silently allow sales. :attr:`Checkout.screenings` is the plain operation,
which raises on every failure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal, TypeAlias

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._constants import DEFAULT_SCREEN_BUDGET, LOGGER_NAME, MAX_CART_ITEMS
from clearstone._exceptions import APIConnectionError, APIError, APIStatusError, APITimeoutError
from clearstone._models import ScreeningItem, ScreeningResult
from clearstone._params import ScreeningPolicyParam
from clearstone._resource import AsyncAPIResource, SyncAPIResource
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = [
    "AsyncCheckout",
    "AsyncScreenings",
    "Checkout",
    "Fallback",
    "Screenings",
    "degraded_reason",
    "fallback_result",
]

logger = logging.getLogger(LOGGER_NAME)

_PATH = "/v1/checkout/screenings"

Fallback: TypeAlias = Literal["fail_open", "fail_closed"]
"""What every line gets when Clearstone cannot answer: ``allow`` or ``review``."""

_FALLBACK_DECISION = {"fail_open": "allow", "fail_closed": "review"}
_FALLBACK_WORDS = {
    "fail_open": "allowed under your fail-open fallback",
    "fail_closed": "sent to review under your fail-closed fallback",
}


def _body(
    items: Sequence[str],
    policy: NotGivenOr[ScreeningPolicyParam],
    watch: NotGivenOr[bool] = NOT_GIVEN,
) -> dict[str, object]:
    if isinstance(items, str):
        raise TypeError("items must be a sequence of certificate numbers, not one string")
    if not 1 <= len(items) <= MAX_CART_ITEMS:
        raise ValueError(f"a screening takes 1 to {MAX_CART_ITEMS} items, not {len(items)}")
    return {"items": list(items), "policy": policy, "watch": watch}


def degraded_reason(error: APIError) -> str | None:
    """Why Clearstone could not answer (``timeout``, ``connection_error``, ``http_503``...), or
    None when ``error`` is the caller's and must be raised."""
    if isinstance(error, APITimeoutError):
        return "timeout"
    if isinstance(error, APIConnectionError):
        return "connection_error"
    if isinstance(error, APIStatusError):
        status = error.status_code
        if status in (408, 429) or status >= 500:
            return f"http_{status}"
    return None


def fallback_result(
    items: Sequence[str], fallback: Fallback, reason: str, error: APIError
) -> ScreeningResult:
    """The degraded answer: ``fallback``'s decision for every line, saying why."""
    decision = _FALLBACK_DECISION[fallback]
    request_id = error.request_id if isinstance(error, APIStatusError) else None
    because = f"Clearstone could not answer ({reason}"
    because += f", request_id {request_id})" if request_id else ")"
    line_reason = f"{because}; {_FALLBACK_WORDS[fallback]}. Screen it again before shipping."
    logger.warning(
        "checkout screening degraded (%s): %s applied to %d item(s)", reason, fallback, len(items)
    )
    return ScreeningResult(
        decision=decision,
        items=[
            ScreeningItem(number=number, decision=decision, reasons=[line_reason], degraded=True)
            for number in items
        ],
        degraded=True,
        degraded_reason=reason,
        fallback=fallback,
    )


def _check_fallback(fallback: str) -> None:
    if fallback not in _FALLBACK_DECISION:
        raise ValueError(f"fallback must be 'fail_open' or 'fail_closed', not {fallback!r}")


class Screenings(SyncAPIResource):
    def create(
        self,
        items: Sequence[str],
        *,
        policy: NotGivenOr[ScreeningPolicyParam] = NOT_GIVEN,
        watch: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = None,
        idempotency_key: str | None = None,
    ) -> ScreeningResult:
        """Screen a cart, raising on any failure (``screenings-create``); checkout code wants
        :meth:`Checkout.screen`, which falls back instead. ``watch=True`` watches every known
        stone of the cart (``client.watches``)."""
        return self._client.request(
            "POST",
            _PATH,
            json=_body(items, policy, watch),
            cast_to=ScreeningResult,
            budget=budget,
            idempotency_key=idempotency_key,
        )


class Checkout(SyncAPIResource):
    """Checkout screening: :meth:`screen` for the till, :attr:`screenings` for the raw call."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.screenings = Screenings(client)

    def screen(
        self,
        items: Sequence[str],
        *,
        policy: NotGivenOr[ScreeningPolicyParam] = NOT_GIVEN,
        watch: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = DEFAULT_SCREEN_BUDGET,
        fallback: Fallback = "fail_closed",
        idempotency_key: str | None = None,
    ) -> ScreeningResult:
        """A decision per cart line (``allow``/``review``/``block``) under your ``policy``,
        within ``budget`` seconds, or your ``fallback`` for every line, marked ``degraded``.

        Raises only for the caller's mistakes (400, 401, 403, 404, 409, 422, a cart of 0 or
        more than 100 lines), never because Clearstone is slow or down.

        Example::

            result = client.checkout.screen(
                ["2141438167", "GIA-7770001"], budget=1.5, fallback="fail_closed"
            )
            if result.degraded:
                log.warning("screening degraded: %s", result.degraded_reason)
            for line in result.items:
                print(line.number, line.decision, line.reasons)
        """
        _check_fallback(fallback)
        try:
            return self.screenings.create(
                items,
                policy=policy,
                watch=watch,
                budget=budget,
                idempotency_key=idempotency_key,
            )
        except APIError as exc:
            reason = degraded_reason(exc)
            if reason is None:
                raise
            return fallback_result(items, fallback, reason, exc)


class AsyncScreenings(AsyncAPIResource):
    async def create(
        self,
        items: Sequence[str],
        *,
        policy: NotGivenOr[ScreeningPolicyParam] = NOT_GIVEN,
        watch: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = None,
        idempotency_key: str | None = None,
    ) -> ScreeningResult:
        """Screen a cart, raising on any failure (``screenings-create``)."""
        return await self._client.request(
            "POST",
            _PATH,
            json=_body(items, policy, watch),
            cast_to=ScreeningResult,
            budget=budget,
            idempotency_key=idempotency_key,
        )


class AsyncCheckout(AsyncAPIResource):
    """Checkout screening for asyncio; see :class:`Checkout`."""

    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.screenings = AsyncScreenings(client)

    async def screen(
        self,
        items: Sequence[str],
        *,
        policy: NotGivenOr[ScreeningPolicyParam] = NOT_GIVEN,
        watch: NotGivenOr[bool] = NOT_GIVEN,
        budget: float | None = DEFAULT_SCREEN_BUDGET,
        fallback: Fallback = "fail_closed",
        idempotency_key: str | None = None,
    ) -> ScreeningResult:
        """A decision per cart line, or the ``fallback`` when Clearstone cannot answer within
        ``budget``; see :meth:`Checkout.screen`.

        Example::

            result = await client.checkout.screen(cart, fallback="fail_open")
        """
        _check_fallback(fallback)
        try:
            return await self.screenings.create(
                items,
                policy=policy,
                watch=watch,
                budget=budget,
                idempotency_key=idempotency_key,
            )
        except APIError as exc:
            reason = degraded_reason(exc)
            if reason is None:
                raise
            return fallback_result(items, fallback, reason, exc)
