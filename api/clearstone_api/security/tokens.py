"""Everything JOSE, in one place: access tokens, attestations and the published key set.

python-jose is the project's JOSE library and its defaults are unsafe, so no other module imports
it, and this one never lets a token choose how it is checked:

- exactly one algorithm, ES256, fixed here and never read from a token (an ``alg: none`` token,
  or HS256 "signed" with the public key as the HMAC secret, is refused before any key is used);
- the key is chosen by ``kid`` from the local key set, and an unknown or missing ``kid`` is
  refused (python-jose would try every key it is given);
- ``exp``, ``iat``, ``iss``, ``aud`` and ``sub`` are required (python-jose skips the audience
  check when ``aud`` is absent unless told to require it), with a leeway of 30 s, and no token
  is good for longer than this service issues them (plus the leeway), whatever it says;
- tokens are explicitly typed (``typ: at+jwt``, RFC 9068; attestations
  ``clearstone-attestation+jws``), so neither can stand in for the other;
- headers that point at other keys (``jku``, ``jwk``, ``x5u``, ``x5c``) or demand extensions
  (``crit``) are refused;
- only public keys are published (``key.public_key().to_dict()``: the private key's own
  ``to_dict()`` includes ``d``).

Example::

    tokens = Tokens(load_key_set(settings), issuer=..., audience=..., ttl_seconds=900)
    issued = tokens.issue(client_id="cli_...", role=Role.supplier, tenant="ACME", scopes=[...])
    claims = tokens.verify(issued.token)

A verified access token is remembered until it expires (``cache_size`` of them, by their SHA-256:
:mod:`clearstone_api.security.token_cache`), so a client that reuses its token pays the ES256
check once per process; the expiry is still checked on every request.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from jose import jwk, jws, jwt
from jose.exceptions import ExpiredSignatureError, JOSEError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from clearstone_api.security.keys import KeySet
from clearstone_api.security.scopes import Role
from clearstone_api.security.token_cache import TokenExpired, VerifiedTokenCache

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "ALGORITHM",
    "ATTESTATION_TYPE",
    "LEEWAY_SECONDS",
    "TREE_HEAD_TYPE",
    "AccessClaims",
    "InvalidToken",
    "IssuedToken",
    "Tokens",
]

ALGORITHM = "ES256"
"""The one algorithm this service signs and accepts."""
ACCESS_TOKEN_TYPE = "at+jwt"
"""``typ`` of access tokens (RFC 9068 §2.1)."""
ATTESTATION_TYPE = "clearstone-attestation+jws"
"""``typ`` of attestations (docs/attestations.md)."""
TREE_HEAD_TYPE = "clearstone-tree-head+jws"
"""``typ`` of the custody log's signed tree heads (docs/attestations.md)."""
LEEWAY_SECONDS = 30
"""Clock skew tolerated on ``exp`` and ``iat``."""
MAX_TOKEN_LENGTH = 4096
"""Longer bearer tokens are refused unparsed; ours are well under 1 KiB."""
MAX_ATTESTATION_LENGTH = 512 * 1024
"""Longer attestations are refused unparsed. An attestation signs a stone's whole consumer view
(every check that did not pass, with its reference rows and sources), so it is far longer than a
bearer token; the request-body limit bounds what a caller can send anyway."""
_REFUSED_HEADERS = frozenset({"jku", "jwk", "x5u", "x5c", "crit"})

Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class InvalidToken(Exception):
    """A bearer token that must be refused. ``reason`` is for logs and tests, never for the
    caller, who learns only that the token is invalid or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def expired(self) -> bool:
        return self.reason == "expired"


class AccessClaims(BaseModel):
    """The claims of a verified access token, strictly typed."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    iss: Text
    aud: Text
    sub: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """The client id (stored as ``created_by`` and in idempotency keys)."""
    iat: int
    exp: int
    scope: Annotated[str, StringConstraints(max_length=1000)]
    """Space-separated scopes (RFC 8693 §4.2)."""
    tenant: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    """Stored as the ``tenant_id`` of every record the client writes."""
    role: Annotated[Role, Field(strict=False)]
    """Lax only to read the JSON string as the enum; still one of its values."""

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope.split())


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    scope: str


class Tokens:
    """Signs and verifies with one :class:`KeySet`."""

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int = 900,
        cache_size: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < ttl_seconds <= 900:
            raise ValueError("access tokens live at most 15 minutes")
        self.clock = clock
        self.verified: VerifiedTokenCache[AccessClaims] = VerifiedTokenCache(
            cache_size, leeway=LEEWAY_SECONDS, clock=clock
        )
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds
        self.active_kid = keys.active_kid
        self._signing = jwk.construct(dict(keys.active.jwk), ALGORITHM)
        self._verifying = {key.kid: jwk.construct(key.public_jwk, ALGORITHM) for key in keys.keys}

    # Access tokens.

    def issue(
        self,
        *,
        client_id: str,
        role: Role,
        tenant: str,
        scopes: Iterable[str],
        now: int | None = None,
    ) -> IssuedToken:
        """A signed access token for the client, good for ``ttl_seconds``."""
        issued_at = int(time.time()) if now is None else now
        scope = " ".join(sorted(set(scopes)))
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": client_id,
            "client_id": client_id,
            "iat": issued_at,
            "exp": issued_at + self.ttl_seconds,
            "jti": uuid.uuid4().hex,
            "scope": scope,
            "tenant": tenant,
            "role": role.value,
        }
        token = jwt.encode(
            claims,
            self._signing,
            algorithm=ALGORITHM,
            headers={"kid": self.active_kid, "typ": ACCESS_TOKEN_TYPE},
        )
        return IssuedToken(token=token, expires_in=self.ttl_seconds, scope=scope)

    def _header(self, token: str, expected_type: str) -> Any:
        """The key a token's header names, after every header check."""
        limit = MAX_TOKEN_LENGTH if expected_type == ACCESS_TOKEN_TYPE else MAX_ATTESTATION_LENGTH
        if len(token) > limit or token.count(".") != 2:
            raise InvalidToken("malformed")
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise InvalidToken("malformed") from None
        if not isinstance(header, dict):
            raise InvalidToken("malformed")
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm")
        if str(header.get("typ", "")).lower() != expected_type:
            raise InvalidToken("type")
        if _REFUSED_HEADERS & set(header):
            raise InvalidToken("header")
        kid = header.get("kid")
        key = self._verifying.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("kid")
        return key

    def verify(self, token: str) -> AccessClaims:
        """The claims of a valid access token; :class:`InvalidToken` for anything else.
        Verified in full the first time, then from the cache until it expires."""
        try:
            cached = self.verified.get(token)
        except TokenExpired:
            raise InvalidToken("expired") from None
        if cached is not None:
            return cached
        verified = self._verify(token)
        self.verified.put(token, verified)
        return verified

    def _verify(self, token: str) -> AccessClaims:
        key = self._header(token, ACCESS_TOKEN_TYPE)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_iss": True,
                    "require_aud": True,
                    "require_sub": True,
                    "verify_at_hash": False,
                    "leeway": LEEWAY_SECONDS,
                },
            )
        except ExpiredSignatureError:
            raise InvalidToken("expired") from None
        except JOSEError as exc:
            # The label only tells logs and tests which check refused the token.
            signature = "Signature verification failed" in str(exc)
            raise InvalidToken("signature" if signature else "claims") from None
        except (TypeError, ValueError, OverflowError):
            # python-jose lets these out of its claim checks: ``exp: null`` is a TypeError, and
            # ``exp: 1e400`` or ``Infinity`` (JSON numbers Python reads as float infinity) an
            # OverflowError when it converts them to a date.
            raise InvalidToken("claims") from None
        try:
            verified = AccessClaims.model_validate(claims)
        except ValidationError:
            raise InvalidToken("claims") from None
        now = int(self.clock())
        if verified.iat > now + LEEWAY_SECONDS or not verified.iat < verified.exp:
            raise InvalidToken("claims")
        if verified.exp - verified.iat > self.ttl_seconds + LEEWAY_SECONDS:
            # A token we never issued, or one signed with a stolen key for ten years: whatever a
            # signature says, no token lives longer than this service issues them.
            raise InvalidToken("lifetime")
        return verified

    # Attestations.

    def sign_attestation(self, payload: bytes, typ: str = ATTESTATION_TYPE) -> str:
        """A compact JWS over ``payload`` (its canonical JSON), with ``kid`` and ``typ``
        (an attestation, or with ``TREE_HEAD_TYPE`` a signed tree head)."""
        signed: str = jws.sign(
            payload,
            self._signing,
            headers={"kid": self.active_kid, "typ": typ},
            algorithm=ALGORITHM,
        )
        return signed

    def verify_attestation(self, attestation: str, typ: str = ATTESTATION_TYPE) -> bytes:
        """The payload of a valid attestation (or signed tree head, with ``TREE_HEAD_TYPE``);
        :class:`InvalidToken` otherwise."""
        key = self._header(attestation, typ)
        try:
            payload: bytes = jws.verify(attestation, key, algorithms=[ALGORITHM])
        except JOSEError:
            raise InvalidToken("signature") from None
        return payload

    # The published key set.

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public half of every key, as a JWK Set: nothing private, ever."""
        keys = []
        for kid, key in self._verifying.items():
            public = key.public_key().to_dict()
            keys.append({**public, "kid": kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": keys}
