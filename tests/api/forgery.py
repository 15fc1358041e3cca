"""Hand-made JWS for attacking the service, with ``cryptography`` and no JOSE library.

Independent of python-jose on purpose: a forged token must not inherit the implementation it
attacks, and a test token signed correctly here (the positive control) shows the forgeries fail
for what they change, not for a mistake of this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi import FastAPI

from clearstone_api.container import container_of
from clearstone_api.security.keys import load_key_set

__all__ = [
    "b64url",
    "claims",
    "forge",
    "header",
    "public_key_der",
    "public_key_pem",
    "service_private_key",
    "unb64url",
]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _int(segment: str) -> int:
    return int.from_bytes(unb64url(segment), "big")


def service_private_key(app: FastAPI) -> ec.EllipticCurvePrivateKey:
    """The key the app signs with (test settings keep it in the data dir)."""
    active = load_key_set(container_of(app).settings).active
    return ec.derive_private_key(_int(active.jwk["d"]), ec.SECP256R1())


def public_key_pem(app: FastAPI) -> bytes:
    return (
        service_private_key(app)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def public_key_der(app: FastAPI) -> bytes:
    return (
        service_private_key(app)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def header(app: FastAPI, **changes: Any) -> dict[str, Any]:
    """A valid access-token header; a change to ``None`` removes the member."""
    base = {"alg": "ES256", "typ": "at+jwt", "kid": container_of(app).tokens.active_kid}
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def claims(app: FastAPI, **changes: Any) -> dict[str, Any]:
    """Valid supplier claims for tenant ``acme-mining``; a change to ``None`` removes one."""
    settings = container_of(app).settings
    now = int(time.time())
    base = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": "cli_forged",
        "iat": now,
        "exp": now + 300,
        "scope": "records:read records:write assessments",
        "tenant": "acme-mining",
        "role": "supplier",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def _signature(alg: str, signing_input: bytes, key: Any) -> bytes:
    if alg.lower() == "none":
        return b""
    if alg.startswith("HS"):
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        return hmac.new(key, signing_input, digest).digest()
    if alg.startswith("ES"):
        hash_algorithm = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384()}[alg]
        size = (key.curve.key_size + 7) // 8
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hash_algorithm)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg == "RS256":
        assert isinstance(key, rsa.RSAPrivateKey)
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    raise ValueError(alg)


def forge(head: dict[str, Any], body: dict[str, Any] | bytes, key: Any = None) -> str:
    """A compact JWS of ``head`` and ``body`` signed per ``head["alg"]`` with ``key`` (an EC or
    RSA private key, or HMAC secret bytes)."""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    signing_input = f"{b64url(json.dumps(head).encode())}.{b64url(payload)}"
    return f"{signing_input}.{b64url(_signature(head['alg'], signing_input.encode(), key))}"
