"""The base of the resource classes: one per API tag, one method per operation.

A resource is thin: it names the path, the parameters and the model, and leaves everything else
to the client's transport. Adding one takes a class like this and one attribute on each client::

    class Certificates(SyncAPIResource):
        def get(self, number: str, *, budget: float | None = None) -> CertificateView:
            path = f"/v1/certificates/{path_param(number)}"
            return self._client.request("GET", path, cast_to=CertificateView, budget=budget)

    class AsyncCertificates(AsyncAPIResource):
        async def get(self, number: str, *, budget: float | None = None) -> CertificateView:
            path = f"/v1/certificates/{path_param(number)}"
            return await self._client.request("GET", path, cast_to=CertificateView, budget=budget)

Every value put into a path goes through :func:`path_param`.
"""

from __future__ import annotations

import urllib.parse

from clearstone._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncAPIResource", "SyncAPIResource", "path_param"]


def path_param(value: str) -> str:
    """``value`` as one path segment: percent-encoded, and never empty or a dot segment, which
    URL normalisation would turn into another endpoint (``../oauth/token``)."""
    if value in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be a path parameter")
    return urllib.parse.quote(value, safe="")


class SyncAPIResource:
    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client


class AsyncAPIResource:
    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client
