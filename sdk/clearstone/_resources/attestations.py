"""``attestations``: verify Clearstone's signed assessments, and ask whether they are current.

The trust anchor is the configured API: the key set is fetched only from its
``/.well-known/jwks.json``, over HTTPS (plain HTTP only for a loopback address), once per client
and cached; a token signed with a ``kid`` the cached set lacks triggers one more fetch, at most
every :data:`~clearstone._constants.JWKS_MIN_REFRESH` seconds (key rotation). A key set handed
over by the caller (a file kept with the attestation) is used only with ``trust_jwks=True``, and
with a warning: whoever wrote the file chose the keys. ``iss`` must be the client's ``issuer``
and ``sub`` the signed stone.

A valid signature says what Clearstone said, not that it still says it: ``check_status=True``
asks ``/v1/attestations/{jti}/status``; without it the answer says currency is unknown, with the
attestation's age.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import time
from urllib.parse import urlsplit

from clearstone._attestation import (
    AttestationError,
    JsonWebKeySet,
    JwksInput,
    VerifiedAttestation,
    parse_jwks,
    read_header,
    verify_attestation,
)
from clearstone._attestation_status import AttestationCurrency, AttestationStatus
from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._constants import JWKS_MIN_REFRESH, JWKS_PATH, LOGGER_NAME
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param

__all__ = [
    "AsyncAttestationStatuses",
    "AsyncAttestations",
    "AttestationStatuses",
    "Attestations",
    "is_trusted_origin",
]

logger = logging.getLogger(LOGGER_NAME)

UNTRUSTED_JWKS_WARNING = (
    "Verifying with a key set you supplied (trust_jwks=True): the signature only proves that a "
    "key in that set signed it. Check the key thumbprint against Clearstone's published keys."
)


def is_trusted_origin(base_url: str) -> bool:
    """HTTPS, or plain HTTP to a loopback address (a local server)."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or parts.hostname is None:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _check_origin(base_url: str) -> None:
    if not is_trusted_origin(base_url):
        raise AttestationError(
            f"Refusing to fetch signing keys from {base_url!r}: keys come from the configured "
            "API over HTTPS only (plain HTTP only for a loopback address)."
        )


def _supplied(jwks: JwksInput, trust_jwks: bool) -> JsonWebKeySet:
    if not trust_jwks:
        raise AttestationError(
            "A key set you supply is used only with trust_jwks=True: without it, keys come "
            "from the configured API."
        )
    logger.warning(UNTRUSTED_JWKS_WARNING)
    return parse_jwks(jwks)


def _offline(verified: VerifiedAttestation, now: float) -> AttestationCurrency:
    age = dt.timedelta(seconds=max(0, now - (verified.payload.iat or now)))
    return AttestationCurrency(
        status="unknown",
        checked_online=False,
        age=age,
        note=f"The signature is valid, but whether this is still Clearstone's current word is "
        f"unknown offline; it was issued {age.days} days ago.",
    )


def _online(
    verified: VerifiedAttestation, status: AttestationStatus, now: float
) -> AttestationCurrency:
    age = dt.timedelta(seconds=max(0, now - (verified.payload.iat or now)))
    notes = {
        "current": "The signature is valid and this is Clearstone's current attestation.",
        "superseded": f"The signature is valid, but a newer attestation ({status.current}) "
        "replaced this one: it is no longer Clearstone's current word.",
        "revoked": f"The signature is valid, but Clearstone revoked this attestation "
        f"({status.revocation_reason}).",
    }
    return AttestationCurrency(
        status=status.status,
        checked_online=True,
        age=age,
        superseded_by=status.superseded_by,
        current=status.current,
        note=notes.get(status.status, f"Status: {status.status}."),
    )


class _KeySetCache:
    """The last fetched key set and when it was fetched (on the client's monotonic clock)."""

    def __init__(self) -> None:
        self.jwks: JsonWebKeySet | None = None
        self.fetched_at = 0.0

    def needs_fetch(self, kid: str | None, now: float) -> bool:
        if self.jwks is None:
            return True
        known = kid is None or any(key.kid == kid for key in self.jwks.keys)
        return not known and now - self.fetched_at >= JWKS_MIN_REFRESH

    def store(self, jwks: JsonWebKeySet, now: float) -> JsonWebKeySet:
        self.jwks, self.fetched_at = jwks, now
        return jwks


class AttestationStatuses(SyncAPIResource):
    def get(self, attestation_id: str, *, budget: float | None = None) -> AttestationStatus:
        """Whether attestation ``attestation_id`` (its ``jti``) is current, superseded or
        revoked (``attestation-statuses-get``)."""
        path = f"/v1/attestations/{path_param(attestation_id)}/status"
        return self._client.request("GET", path, cast_to=AttestationStatus, budget=budget)


class AsyncAttestationStatuses(AsyncAPIResource):
    async def get(self, attestation_id: str, *, budget: float | None = None) -> AttestationStatus:
        """An attestation's status (``attestation-statuses-get``)."""
        path = f"/v1/attestations/{path_param(attestation_id)}/status"
        return await self._client.request("GET", path, cast_to=AttestationStatus, budget=budget)


class Attestations(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self._cache = _KeySetCache()
        self.statuses = AttestationStatuses(client)

    def fetch_jwks(self, *, budget: float | None = None) -> JsonWebKeySet:
        """Clearstone's public signing keys, fetched now from the configured API (HTTPS, or
        HTTP to loopback) and cached for :meth:`verify`.

        Example::

            jwks = client.attestations.fetch_jwks()
            Path("jwks.json").write_text(jwks.model_dump_json())  # verify offline later
        """
        _check_origin(self._client.base_url)
        jwks = self._client.request("GET", JWKS_PATH, cast_to=JsonWebKeySet, budget=budget)
        return self._cache.store(jwks, self._client._clock())

    def trusted_jwks(self, kid: str | None = None) -> JsonWebKeySet:
        """The configured API's key set: cached, fetched when needed."""
        if self._cache.needs_fetch(kid, self._client._clock()):
            self.fetch_jwks()
        assert self._cache.jwks is not None
        return self._cache.jwks

    def verify(
        self,
        token: str,
        jwks: JwksInput | None = None,
        *,
        trust_jwks: bool = False,
        check_status: bool = False,
    ) -> VerifiedAttestation:
        """Verify ``token`` (compact JWS, ES256) with the configured API's key set, its ``iss``
        against the client's ``issuer`` and its ``sub`` against the signed stone; the signed
        assessment, with ``currency``, or :class:`~clearstone.AttestationError`.

        ``jwks`` (a key set you kept) is used only with ``trust_jwks=True``, and logs a warning.
        ``check_status=True`` asks the API whether the attestation is still current; without
        it ``currency.status`` is ``unknown`` and says the attestation's age.

        Example::

            verified = client.attestations.verify(token, check_status=True)
            print(verified.currency.status, verified.assessment.kp.result)
        """
        keys = (
            _supplied(jwks, trust_jwks)
            if jwks is not None
            else self.trusted_jwks(read_header(token).kid)
        )
        verified = verify_attestation(token, keys, issuer=self._client.issuer)
        now = time.time()
        if check_status and verified.payload.jti:
            status = self.statuses.get(verified.payload.jti)
            verified.currency = _online(verified, status, now)
        else:
            verified.currency = _offline(verified, now)
        return verified


class AsyncAttestations(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self._cache = _KeySetCache()
        self.statuses = AsyncAttestationStatuses(client)

    async def fetch_jwks(self, *, budget: float | None = None) -> JsonWebKeySet:
        """Clearstone's public signing keys; see :meth:`Attestations.fetch_jwks`."""
        _check_origin(self._client.base_url)
        jwks = await self._client.request("GET", JWKS_PATH, cast_to=JsonWebKeySet, budget=budget)
        return self._cache.store(jwks, self._client._clock())

    async def trusted_jwks(self, kid: str | None = None) -> JsonWebKeySet:
        """The configured API's key set: cached, fetched when needed."""
        if self._cache.needs_fetch(kid, self._client._clock()):
            await self.fetch_jwks()
        assert self._cache.jwks is not None
        return self._cache.jwks

    async def verify(
        self,
        token: str,
        jwks: JwksInput | None = None,
        *,
        trust_jwks: bool = False,
        check_status: bool = False,
    ) -> VerifiedAttestation:
        """Verify ``token``; see :meth:`Attestations.verify`. Only fetching the key set and the
        status is asynchronous."""
        keys = (
            _supplied(jwks, trust_jwks)
            if jwks is not None
            else await self.trusted_jwks(read_header(token).kid)
        )
        verified = verify_attestation(token, keys, issuer=self._client.issuer)
        now = time.time()
        if check_status and verified.payload.jti:
            status = await self.statuses.get(verified.payload.jti)
            verified.currency = _online(verified, status, now)
        else:
            verified.currency = _offline(verified, now)
        return verified
