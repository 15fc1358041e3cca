"""``attestations``: verify Clearstone's signed assessments offline.

The key set comes from the caller (``jwks=``: keep a copy and verification outlives Clearstone)
or from ``/.well-known/jwks.json``, fetched once per client and cached. A token signed with a
``kid`` the cached set lacks triggers one more fetch, at most every
:data:`~clearstone._constants.JWKS_MIN_REFRESH` seconds, so that a key rotation is picked up
without letting junk tokens hammer the server.
"""

from __future__ import annotations

from clearstone._attestation import (
    JsonWebKeySet,
    JwksInput,
    VerifiedAttestation,
    parse_jwks,
    read_header,
    verify_attestation,
)
from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._constants import JWKS_MIN_REFRESH, JWKS_PATH
from clearstone._resource import AsyncAPIResource, SyncAPIResource

__all__ = ["AsyncAttestations", "Attestations"]


class _KeySetCache:
    """The last fetched key set and when it was fetched (on the client's monotonic clock)."""

    def __init__(self) -> None:
        self.jwks: JsonWebKeySet | None = None
        self.fetched_at = 0.0

    def needs_fetch(self, kid: str, now: float) -> bool:
        if self.jwks is None:
            return True
        known = any(key.kid == kid for key in self.jwks.keys)
        return not known and now - self.fetched_at >= JWKS_MIN_REFRESH

    def store(self, jwks: JsonWebKeySet, now: float) -> JsonWebKeySet:
        self.jwks, self.fetched_at = jwks, now
        return jwks


class Attestations(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self._cache = _KeySetCache()

    def fetch_jwks(self, *, budget: float | None = None) -> JsonWebKeySet:
        """Clearstone's public signing keys, fetched now (and cached for :meth:`verify`).

        Example::

            jwks = client.attestations.fetch_jwks()
            Path("jwks.json").write_text(jwks.model_dump_json())  # verify offline later
        """
        jwks = self._client.request("GET", JWKS_PATH, cast_to=JsonWebKeySet, budget=budget)
        return self._cache.store(jwks, self._client._clock())

    def trusted_jwks(self) -> JsonWebKeySet:
        """The configured API's key set: cached, fetched on first use."""
        if self._cache.jwks is None:
            self.fetch_jwks()
        assert self._cache.jwks is not None
        return self._cache.jwks

    def verify(self, token: str, jwks: JwksInput | None = None) -> VerifiedAttestation:
        """Verify ``token`` (compact JWS, ES256) against ``jwks`` or the cached published key
        set; the signed assessment, or :class:`~clearstone.AttestationError`.

        Example::

            verified = client.attestations.verify(view.attestation)
            print(verified.assessment.kp.result)
        """
        if jwks is not None:
            return verify_attestation(token, parse_jwks(jwks))
        kid = read_header(token).kid
        if self._cache.needs_fetch(kid, self._client._clock()):
            self.fetch_jwks()
        assert self._cache.jwks is not None
        return verify_attestation(token, self._cache.jwks)


class AsyncAttestations(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self._cache = _KeySetCache()

    async def fetch_jwks(self, *, budget: float | None = None) -> JsonWebKeySet:
        """Clearstone's public signing keys; see :meth:`Attestations.fetch_jwks`."""
        jwks = await self._client.request("GET", JWKS_PATH, cast_to=JsonWebKeySet, budget=budget)
        return self._cache.store(jwks, self._client._clock())

    async def trusted_jwks(self) -> JsonWebKeySet:
        """The configured API's key set: cached, fetched on first use."""
        if self._cache.jwks is None:
            await self.fetch_jwks()
        assert self._cache.jwks is not None
        return self._cache.jwks

    async def verify(self, token: str, jwks: JwksInput | None = None) -> VerifiedAttestation:
        """Verify ``token`` offline; see :meth:`Attestations.verify`. Only fetching the key set
        (once) is asynchronous."""
        if jwks is not None:
            return verify_attestation(token, parse_jwks(jwks))
        kid = read_header(token).kid
        if self._cache.needs_fetch(kid, self._client._clock()):
            await self.fetch_jwks()
        assert self._cache.jwks is not None
        return verify_attestation(token, self._cache.jwks)
