"""``certificates``: the public consumer lookup and its signed attestation. No credentials."""

from __future__ import annotations

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._constants import LOOKUP_BUDGET
from clearstone._models import CertificateView
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param

__all__ = [
    "AsyncCertificateAttestations",
    "AsyncCertificates",
    "CertificateAttestations",
    "Certificates",
]

_JOSE = {"Accept": "application/jose"}


def _path(number: str) -> str:
    return f"/v1/certificates/{path_param(number)}"


class CertificateAttestations(SyncAPIResource):
    def get(self, number: str, *, budget: float | None = LOOKUP_BUDGET) -> str:
        """The stone's signed attestation, a compact JWS (``certificate-attestations-get``).
        Keep it: :meth:`clearstone.Clearstone.attestations` verifies it offline, for good.

        Example::

            token = client.certificates.attestations.get("GIA-2141438167")
            verified = client.attestations.verify(token)
        """
        path = f"{_path(number)}/attestation"
        return self._client.request("GET", path, cast_to=str, headers=_JOSE, budget=budget)


class AsyncCertificateAttestations(AsyncAPIResource):
    async def get(self, number: str, *, budget: float | None = LOOKUP_BUDGET) -> str:
        """The stone's signed attestation (``certificate-attestations-get``)."""
        path = f"{_path(number)}/attestation"
        return await self._client.request("GET", path, cast_to=str, headers=_JOSE, budget=budget)


class Certificates(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.attestations = CertificateAttestations(client)

    def get(self, number: str, *, budget: float | None = LOOKUP_BUDGET) -> CertificateView:
        """The consumer view of a stone: both verdicts with reasons and sources
        (``certificates-get``).

        ``number`` is a grading-report number (``2141438167``), lab-qualified
        (``GIA-2141438167``), Clearstone's id (``CS-...``) or a registered alias.

        Example::

            view = client.certificates.get("2141438167")
            print(view.kp.result, view.csc.result, view.origin.evidence_level)
        """
        return self._client.request("GET", _path(number), cast_to=CertificateView, budget=budget)


class AsyncCertificates(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.attestations = AsyncCertificateAttestations(client)

    async def get(self, number: str, *, budget: float | None = LOOKUP_BUDGET) -> CertificateView:
        """The consumer view of a stone (``certificates-get``); see :meth:`Certificates.get`."""
        return await self._client.request(
            "GET", _path(number), cast_to=CertificateView, budget=budget
        )
