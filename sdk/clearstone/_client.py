"""The public clients: the transport of ``_base_client`` plus one attribute per API tag.

Resources are built on first use (``cached_property``), so a client costs nothing for the tags
it does not touch.
"""

from __future__ import annotations

from functools import cached_property

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._resources.assessments import Assessments, AsyncAssessments
from clearstone._resources.attestations import AsyncAttestations, Attestations
from clearstone._resources.certificate_numbers import (
    AsyncCertificateNumbers,
    AsyncLab,
    CertificateNumbers,
    Lab,
)
from clearstone._resources.certificates import AsyncCertificates, Certificates
from clearstone._resources.checkout import AsyncCheckout, Checkout
from clearstone._resources.custody import AsyncCustody, Custody
from clearstone._resources.events import AsyncEvents, AsyncWatches, Events, Watches
from clearstone._resources.health import AsyncHealthResource, HealthResource
from clearstone._resources.lots import AsyncLots, Lots
from clearstone._resources.reference import AsyncReference, Reference
from clearstone._resources.stones import AsyncStones, Stones
from clearstone._resources.transparency import AsyncTransparency, Transparency
from clearstone._resources.webhook_endpoints import AsyncWebhookEndpoints, WebhookEndpoints
from clearstone._webhooks import AsyncWebhooks, Webhooks

__all__ = ["AsyncClearstone", "Clearstone"]


class Clearstone(SyncAPIClient):
    """The Clearstone API client.

    Arguments, each falling back to the environment:

    - ``base_url`` (``CLEARSTONE_BASE_URL``, else the local development server);
    - ``api_key`` (``CLEARSTONE_API_KEY``): a static bearer token; or ``client_id`` and
      ``client_secret`` (``CLEARSTONE_CLIENT_ID``, ``CLEARSTONE_CLIENT_SECRET``): OAuth2 client
      credentials, exchanged for short-lived tokens as needed;
    - ``timeout`` per attempt (``None``: none), ``max_retries`` (default 2), and ``budget``:
      the seconds a whole call may take, retries and waits included (default
      :data:`~clearstone._constants.DEFAULT_BUDGET`, 15 s; ``None``: unbounded). A call's own
      ``budget=`` wins; ``certificates.get`` defaults to 5 s, ``checkout.screen`` to 2 s;
    - ``http_client``: your own :class:`httpx.Client` (proxies, certificates); you close it.

    Example::

        with Clearstone(client_id="shop-42", client_secret=secret) as client:
            view = client.certificates.get("2141438167")
            result = client.checkout.screen(["2141438167"], fallback="fail_closed")
    """

    @cached_property
    def certificates(self) -> Certificates:
        """The public consumer lookup."""
        return Certificates(self)

    @cached_property
    def checkout(self) -> Checkout:
        """Cart screening with a fallback."""
        return Checkout(self)

    @cached_property
    def assessments(self) -> Assessments:
        """Assess a record inline."""
        return Assessments(self)

    @cached_property
    def stones(self) -> Stones:
        """Supplier: stones and their custody verification."""
        return Stones(self)

    @cached_property
    def lots(self) -> Lots:
        """Supplier: rough lots."""
        return Lots(self)

    @cached_property
    def custody(self) -> Custody:
        """Supplier: the append-only custody log."""
        return Custody(self)

    @cached_property
    def reference(self) -> Reference:
        """Reference data and analyst changes."""
        return Reference(self)

    @cached_property
    def health(self) -> HealthResource:
        """Liveness and readiness."""
        return HealthResource(self)

    @cached_property
    def attestations(self) -> Attestations:
        """Offline verification of signed assessments."""
        return Attestations(self)

    @cached_property
    def lab(self) -> Lab:
        """Grading laboratories: claims on their report numbers."""
        return Lab(self)

    @cached_property
    def certificate_numbers(self) -> CertificateNumbers:
        """Operators: disputed certificate numbers."""
        return CertificateNumbers(self)

    @cached_property
    def transparency(self) -> Transparency:
        """The custody transparency log: signed tree heads and proofs."""
        return Transparency(self, self.attestations)

    @cached_property
    def events(self) -> Events:
        """The change feed: what changed that you are entitled to."""
        return Events(self)

    @cached_property
    def watches(self) -> Watches:
        """Retailers: the stones whose events reach you."""
        return Watches(self)

    @cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        """Where your events are delivered, signed."""
        return WebhookEndpoints(self)

    @cached_property
    def webhooks(self) -> Webhooks:
        """Verify a delivery: ``unwrap(body, headers, secret)`` (no request is made)."""
        return Webhooks()


class AsyncClearstone(AsyncAPIClient):
    """The Clearstone API client for asyncio; same arguments and attributes as
    :class:`Clearstone`.

    Example::

        async with AsyncClearstone() as client:
            view = await client.certificates.get("2141438167", budget=2.0)
    """

    @cached_property
    def certificates(self) -> AsyncCertificates:
        """The public consumer lookup."""
        return AsyncCertificates(self)

    @cached_property
    def checkout(self) -> AsyncCheckout:
        """Cart screening with a fallback."""
        return AsyncCheckout(self)

    @cached_property
    def assessments(self) -> AsyncAssessments:
        """Assess a record inline."""
        return AsyncAssessments(self)

    @cached_property
    def stones(self) -> AsyncStones:
        """Supplier: stones and their custody verification."""
        return AsyncStones(self)

    @cached_property
    def lots(self) -> AsyncLots:
        """Supplier: rough lots."""
        return AsyncLots(self)

    @cached_property
    def custody(self) -> AsyncCustody:
        """Supplier: the append-only custody log."""
        return AsyncCustody(self)

    @cached_property
    def reference(self) -> AsyncReference:
        """Reference data and analyst changes."""
        return AsyncReference(self)

    @cached_property
    def health(self) -> AsyncHealthResource:
        """Liveness and readiness."""
        return AsyncHealthResource(self)

    @cached_property
    def attestations(self) -> AsyncAttestations:
        """Offline verification of signed assessments."""
        return AsyncAttestations(self)

    @cached_property
    def lab(self) -> AsyncLab:
        """Grading laboratories: claims on their report numbers."""
        return AsyncLab(self)

    @cached_property
    def certificate_numbers(self) -> AsyncCertificateNumbers:
        """Operators: disputed certificate numbers."""
        return AsyncCertificateNumbers(self)

    @cached_property
    def transparency(self) -> AsyncTransparency:
        """The custody transparency log: signed tree heads and proofs."""
        return AsyncTransparency(self, self.attestations)

    @cached_property
    def events(self) -> AsyncEvents:
        """The change feed: what changed that you are entitled to."""
        return AsyncEvents(self)

    @cached_property
    def watches(self) -> AsyncWatches:
        """Retailers: the stones whose events reach you."""
        return AsyncWatches(self)

    @cached_property
    def webhook_endpoints(self) -> AsyncWebhookEndpoints:
        """Where your events are delivered, signed."""
        return AsyncWebhookEndpoints(self)

    @cached_property
    def webhooks(self) -> AsyncWebhooks:
        """Verify a delivery: ``unwrap(body, headers, secret)`` (local, synchronous)."""
        return AsyncWebhooks()
