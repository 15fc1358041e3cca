"""Verifying webhook deliveries: ``client.webhooks.unwrap(body, headers, secret)``.

Clearstone signs every delivery per Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``) with the endpoint's ``whsec_`` secret; verification uses the maintained
``standardwebhooks`` package. :func:`unwrap` checks the signature over the exact bytes received
and that the timestamp is within five minutes of now (a replayed old delivery is refused), then
returns the typed event (:func:`~clearstone._event_models.parse_event`).

Example (any web framework; pass the raw body, not re-serialized JSON)::

    event = client.webhooks.unwrap(request_body, request_headers, secret=WEBHOOK_SECRET)
    if isinstance(event, StoneAssessmentChanged):
        print(event.data.stone_id, event.data.after.csc_result)
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as _Refused

from clearstone._event_models import Event, parse_event
from clearstone._exceptions import ClearstoneError

__all__ = ["AsyncWebhooks", "WebhookVerificationError", "Webhooks", "unwrap"]


class WebhookVerificationError(ClearstoneError):
    """A delivery that must not be trusted: a missing header, a signature that does not
    match the secret, a timestamp more than five minutes old (or ahead), or a body that is not
    an event. Answer it with a 4xx and do not act on it."""


def unwrap(payload: bytes | str, headers: Mapping[str, str], secret: str) -> Event:
    """The event of a verified delivery; :class:`WebhookVerificationError` otherwise."""
    try:
        hook = Webhook(secret)
    except Exception as exc:  # a malformed secret: base64 or empty
        raise WebhookVerificationError(f"The webhook secret is not valid: {exc}") from exc
    try:
        hook.verify(payload, dict(headers.items()), json_parse=False)
    except _Refused as exc:
        raise WebhookVerificationError(f"The webhook delivery is not authentic: {exc}") from exc
    try:
        return parse_event(json.loads(payload))
    except ValueError as exc:
        raise WebhookVerificationError("The webhook body is not a Clearstone event.") from exc


class Webhooks:
    """``client.webhooks``: verification only; no request is made."""

    def unwrap(self, payload: bytes | str, headers: Mapping[str, str], secret: str) -> Event:
        """Verify a delivery and return its typed event; see :func:`unwrap`.

        Example::

            event = client.webhooks.unwrap(await request.body(), request.headers, secret)
        """
        return unwrap(payload, headers, secret)


class AsyncWebhooks(Webhooks):
    """``client.webhooks`` of :class:`~clearstone.AsyncClearstone`: verification is local and
    synchronous, the same as the sync client's."""
