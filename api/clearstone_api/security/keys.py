"""The ES256 signing key set: configured, or generated on first start in development and test.

The set is a JWK Set (RFC 7517 §5) of EC P-256 keys, each with a unique ``kid``::

    {"keys": [{"kty": "EC", "crv": "P-256", "kid": "2026-11-a", "x": "...", "y": "...",
               "d": "..."}]}

A key with its private part ``d`` can sign; a key without it only verifies (a retired key kept so
that old attestations still verify). One key signs: ``CLEARSTONE_SIGNING_KEY_ID``, or else the
first key with a private part. Every key in the set verifies, and the JWKS publishes the public
half of each. This module validates the keys with ``cryptography``; everything JOSE is in
:mod:`clearstone_api.security.tokens`.

Example::

    keys = load_key_set(settings)
    keys.active.kid
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from clearstone_api.security.secret_files import SecretFileError, create_once, read_secret_file
from clearstone_api.settings import DEVELOPMENT_ENVIRONMENTS, PLACEHOLDER_MARKER, Settings

__all__ = [
    "DEVELOPMENT_KID_PREFIX",
    "KeySet",
    "KeySetError",
    "SigningKey",
    "generate_jwk",
    "load_key_set",
    "parse_key_set",
    "thumbprint",
]

DEVELOPMENT_KID_PREFIX = "dev-"
"""The ``kid`` prefix of generated development keys; refused in production."""

_KID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_COORDINATE_BYTES = 32  # P-256


class KeySetError(ValueError):
    """The configured key set is unusable. Messages never quote key material."""


@dataclass(frozen=True)
class SigningKey:
    """One validated key of the set, as its JWK members."""

    kid: str
    jwk: Mapping[str, str]
    """``kty``, ``crv``, ``x``, ``y``, ``kid`` and, for a signing key, ``d``."""

    @property
    def is_private(self) -> bool:
        return "d" in self.jwk

    @property
    def public_jwk(self) -> dict[str, str]:
        return {k: v for k, v in self.jwk.items() if k != "d"}


@dataclass(frozen=True)
class KeySet:
    """Every key that verifies, and the one that signs."""

    keys: tuple[SigningKey, ...]
    active_kid: str

    @property
    def active(self) -> SigningKey:
        return next(key for key in self.keys if key.kid == self.active_kid)

    def get(self, kid: str) -> SigningKey | None:
        return next((key for key in self.keys if key.kid == kid), None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", value):
        raise KeySetError(f"{what} is not base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise KeySetError(f"{what} is not base64url") from None


def thumbprint(jwk: Mapping[str, str]) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256) of an EC key."""
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode())
    return _b64(digest.digest())


def generate_jwk(kid: str | None = None) -> dict[str, str]:
    """A new P-256 private key as a JWK; ``kid`` defaults to ``<date>-<thumbprint prefix>``."""
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.private_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.public_numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": _b64(numbers.public_numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
        "d": _b64(numbers.private_value.to_bytes(_COORDINATE_BYTES, "big")),
    }
    jwk["kid"] = kid or f"{dt.date.today().isoformat()}-{thumbprint(jwk)[:8]}"
    return {**jwk, "alg": "ES256", "use": "sig"}


def _validate_key(raw: object, index: int) -> SigningKey:
    where = f"key {index}"
    if not isinstance(raw, dict):
        raise KeySetError(f"{where} is not a JSON object")
    kid = raw.get("kid")
    if not isinstance(kid, str) or not _KID.match(kid):
        raise KeySetError(f"{where} needs a kid of 1-128 letters, digits or . _ : -")
    where = f"key {kid!r}"
    if raw.get("kty") != "EC" or raw.get("crv") != "P-256":
        raise KeySetError(f"{where} is not an EC P-256 key (kty EC, crv P-256)")
    if raw.get("alg", "ES256") != "ES256" or raw.get("use", "sig") != "sig":
        raise KeySetError(f"{where} is declared for another use than ES256 signatures")
    coordinates = [_unb64(raw.get(name), f"{where}: {name}") for name in ("x", "y")]
    if any(len(c) != _COORDINATE_BYTES for c in coordinates):
        raise KeySetError(f"{where}: x and y must be 32 bytes each")
    x, y = (int.from_bytes(c, "big") for c in coordinates)
    try:
        ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError:
        raise KeySetError(f"{where}: the point is not on P-256") from None
    jwk = {"kty": "EC", "crv": "P-256", "kid": kid, "x": raw["x"], "y": raw["y"]}
    if "d" in raw:
        secret = _unb64(raw["d"], f"{where}: d")
        if len(secret) != _COORDINATE_BYTES:
            raise KeySetError(f"{where}: d must be 32 bytes")
        try:
            derived = ec.derive_private_key(int.from_bytes(secret, "big"), ec.SECP256R1())
        except ValueError:
            raise KeySetError(f"{where}: d is not a valid P-256 private key") from None
        public = derived.public_key().public_numbers()
        if (public.x, public.y) != (x, y):
            raise KeySetError(f"{where}: d does not belong to x and y")
        jwk["d"] = raw["d"]
    return SigningKey(kid=kid, jwk=jwk)


def parse_key_set(
    document: str | bytes, *, active_kid: str | None = None, production: bool = False
) -> KeySet:
    """Validate a JWK Set and pick the signing key."""
    try:
        parsed: Any = json.loads(document)
    except ValueError:
        raise KeySetError("the signing key set is not valid JSON") from None
    raw_keys = parsed.get("keys") if isinstance(parsed, dict) else None
    if not isinstance(raw_keys, list) or not raw_keys:
        raise KeySetError('the signing key set needs a non-empty "keys" array')
    keys = tuple(_validate_key(raw, index) for index, raw in enumerate(raw_keys))
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise KeySetError("two keys in the signing key set share a kid")
    if production and any(kid.startswith(DEVELOPMENT_KID_PREFIX) for kid in kids):
        raise KeySetError(
            f"a generated development key (kid {DEVELOPMENT_KID_PREFIX}...) is configured outside "
            "development and test; generate real keys with `clearstone-api generate-signing-key`"
        )
    if active_kid is None:
        active = next((key for key in keys if key.is_private), None)
        if active is None:
            raise KeySetError("no key in the signing key set has a private part (d)")
    else:
        active = next((key for key in keys if key.kid == active_kid), None)
        if active is None or not active.is_private:
            raise KeySetError(f"the signing key {active_kid!r} is not a private key of the set")
    return KeySet(keys=keys, active_kid=active.kid)


def _generated(path: Path) -> str:
    """The development key set at ``path``, created (mode 0600) if absent."""

    def make() -> str:
        key = generate_jwk()
        key["kid"] = DEVELOPMENT_KID_PREFIX + thumbprint(key)[:16]
        return json.dumps({"keys": [key]}, indent=2) + "\n"

    return create_once(path, make)


def load_key_set(settings: Settings) -> KeySet:
    """The key set ``settings`` configure; generated under ``data_dir`` in development and test
    when none is configured (``Settings`` refuses that anywhere else)."""
    production = settings.environment not in DEVELOPMENT_ENVIRONMENTS
    if settings.signing_keys is not None:
        document = settings.signing_keys.get_secret_value()
    elif settings.signing_keys_file is not None:
        try:
            document = read_secret_file(
                settings.signing_keys_file, "the signing key set", production=production
            )
        except SecretFileError as error:
            raise KeySetError(str(error)) from None
    else:
        document = _generated(settings.generated_keys_path)
    if production and PLACEHOLDER_MARKER.lower() in document.lower():
        raise KeySetError(
            f"the signing key set still holds the template placeholder {PLACEHOLDER_MARKER}: "
            "write a real key set (`clearstone-api generate-signing-key`)"
        )
    return parse_key_set(document, active_kid=settings.signing_key_id, production=production)
