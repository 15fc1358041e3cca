"""The public clients. Resources (one per API tag) become attributes here as they are added."""

from __future__ import annotations

from clearstone._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncClearstone", "Clearstone"]


class Clearstone(SyncAPIClient):
    """The Clearstone API client.

    Arguments, each falling back to the environment:

    - ``base_url`` (``CLEARSTONE_BASE_URL``, else the local development server);
    - ``api_key`` (``CLEARSTONE_API_KEY``): a static bearer token; or ``client_id`` and
      ``client_secret`` (``CLEARSTONE_CLIENT_ID``, ``CLEARSTONE_CLIENT_SECRET``): OAuth2 client
      credentials, exchanged for short-lived tokens as needed;
    - ``timeout`` per attempt (``None``: none), ``max_retries`` (default 2);
    - ``http_client``: your own :class:`httpx.Client` (proxies, certificates); you close it.

    Example::

        with Clearstone(client_id="shop-42", client_secret=secret) as client:
            view = client.request("GET", "/v1/certificates/2141438167", cast_to=CertificateView)
    """


class AsyncClearstone(AsyncAPIClient):
    """The Clearstone API client for asyncio; same arguments as :class:`Clearstone`.

    Example::

        async with AsyncClearstone() as client:
            view = await client.request(
                "GET", "/v1/certificates/2141438167", cast_to=CertificateView, budget=2.0
            )
    """
