"""Offline verification of attestations, with keys made here (independent of the server)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from clearstone import (
    AttestationError,
    ClearstoneError,
    JsonWebKey,
    JsonWebKeySet,
    VerifiedAttestation,
    thumbprint,
    verify_attestation,
)
from clearstone._attestation import ATTESTATION_TYPE
from clearstone._constants import JWKS_MIN_REFRESH, JWKS_PATH

from .conftest import FakeClock, Harness
from .factories import MockServer, certificate_view, ok

Connect = Callable[..., Harness]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())


class SigningKey:
    """An ES256 key with a ``kid``, as a signer and as a public JWK."""

    def __init__(self, kid: str, curve: ec.EllipticCurve | None = None) -> None:
        self.kid = kid
        self.private = ec.generate_private_key(curve or ec.SECP256R1())

    def jwk(self, **changes: Any) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        size = (self.private.curve.key_size + 7) // 8
        return {
            "kty": "EC",
            "crv": "P-256",
            "kid": self.kid,
            "use": "sig",
            "alg": "ES256",
            "x": b64(numbers.x.to_bytes(size, "big")),
            "y": b64(numbers.y.to_bytes(size, "big")),
            **changes,
        }

    def sign(self, signing_input: bytes) -> bytes:
        der = self.private.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def signed_payload(**changes: Any) -> dict[str, Any]:
    """The payload as the server signs it (``services/attestations.py``)."""
    view = certificate_view()
    return {
        "v": 1,
        "iss": "https://clearstone.dev",
        "iat": 1_795_430_400,
        "sub": "CS-7Q2K",
        "certificate_numbers": ["GIA-7770001"],
        "as_of": view["as_of"],
        "policy_version": view["policy_version"],
        "reference_data_version": view["reference_data_version"],
        "assessment": view,
        **changes,
    }


def attestation(
    key: SigningKey,
    payload: object | None = None,
    *,
    header: dict[str, Any] | None = None,
    kid: str | None = None,
) -> str:
    protected = {"alg": "ES256", "kid": kid or key.kid, "typ": ATTESTATION_TYPE, **(header or {})}
    head = b64json(protected)
    body = b64json(signed_payload() if payload is None else payload)
    signing_input = f"{head}.{body}".encode()
    return f"{head}.{body}.{b64(key.sign(signing_input))}"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey("2026-11-a")


@pytest.fixture(scope="module")
def other_key() -> SigningKey:
    return SigningKey("2026-11-b")


@pytest.fixture(scope="module")
def jwks(key: SigningKey, other_key: SigningKey) -> dict[str, Any]:
    return {"keys": [key.jwk(), other_key.jwk()]}


# What a valid attestation gives.


def test_a_valid_attestation_gives_the_typed_assessment(
    key: SigningKey, jwks: dict[str, Any]
) -> None:
    verified = verify_attestation(attestation(key), jwks)
    assert isinstance(verified, VerifiedAttestation)
    assert (verified.header.kid, verified.header.typ) == (key.kid, ATTESTATION_TYPE)
    assert verified.payload.sub == "CS-7Q2K"
    assert verified.payload.certificate_numbers == ["GIA-7770001"]
    assert verified.assessment.stone.id == "CS-7Q2K"
    assert verified.assessment.kp.result == "pass"
    assert verified.assessment.csc.risk_score == 3


def test_new_payload_members_are_kept(key: SigningKey, jwks: dict[str, Any]) -> None:
    verified = verify_attestation(attestation(key, signed_payload(v=2, tier="consumer")), jwks)
    assert verified.payload.model_extra == {"tier": "consumer"}


@pytest.mark.parametrize("form", ["dict", "json", "bytes", "model"])
def test_the_key_set_may_be_given_in_any_form(
    key: SigningKey, jwks: dict[str, Any], form: str
) -> None:
    given: Any = {
        "dict": jwks,
        "json": json.dumps(jwks),
        "bytes": json.dumps(jwks).encode(),
        "model": JsonWebKeySet.model_validate(jwks),
    }[form]
    assert verify_attestation(attestation(key), given).header.kid == key.kid


def test_a_retired_key_still_verifies_what_it_signed(
    other_key: SigningKey, jwks: dict[str, Any]
) -> None:
    assert verify_attestation(attestation(other_key), jwks).header.kid == other_key.kid


# What is refused.


def test_a_tampered_payload_is_refused(key: SigningKey, jwks: dict[str, Any]) -> None:
    head, _, signature = attestation(key).split(".")
    forged_view = certificate_view(kp={"result": "pass", "summary": "forged", "checks": []})
    forged = b64json(signed_payload(assessment=forged_view))
    with pytest.raises(AttestationError, match="signature does not match"):
        verify_attestation(f"{head}.{forged}.{signature}", jwks)


def test_a_tampered_header_is_refused(key: SigningKey, other_key: SigningKey, jwks: Any) -> None:
    _, body, signature = attestation(key).split(".")
    head = b64json({"alg": "ES256", "kid": other_key.kid, "typ": ATTESTATION_TYPE})
    with pytest.raises(AttestationError, match="signature does not match"):
        verify_attestation(f"{head}.{body}.{signature}", jwks)


def test_a_token_signed_by_a_foreign_key_is_refused(key: SigningKey, jwks: Any) -> None:
    impostor = SigningKey(key.kid)  # claims our kid, holds another key
    with pytest.raises(AttestationError, match="signature does not match"):
        verify_attestation(attestation(impostor), jwks)


def test_an_unknown_kid_is_refused(jwks: dict[str, Any]) -> None:
    with pytest.raises(AttestationError, match="No key with kid 'nobody'"):
        verify_attestation(attestation(SigningKey("nobody")), jwks)


def test_alg_none_is_refused(key: SigningKey, jwks: dict[str, Any]) -> None:
    head = b64json({"alg": "none", "kid": key.kid, "typ": ATTESTATION_TYPE})
    with pytest.raises(AttestationError, match="'none' is not accepted"):
        verify_attestation(f"{head}.{b64json(signed_payload())}.e30", jwks)


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_hs256_keyed_with_the_public_key_is_refused(
    key: SigningKey, jwks: dict[str, Any], encoding: serialization.Encoding
) -> None:
    # The classic confusion: an HMAC "signed" with the public key, which anyone has.
    public = key.private.public_key().public_bytes(
        encoding, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = b64json({"alg": "HS256", "kid": key.kid, "typ": ATTESTATION_TYPE})
    body = b64json(signed_payload())
    mac = hmac.new(public, f"{head}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(AttestationError, match="'HS256' is not accepted"):
        verify_attestation(f"{head}.{body}.{b64(mac)}", jwks)


@pytest.mark.parametrize("alg", ["ES384", "RS256", "es256", None])
def test_any_other_alg_is_refused(key: SigningKey, jwks: dict[str, Any], alg: str | None) -> None:
    with pytest.raises(AttestationError, match="is not accepted"):
        verify_attestation(attestation(key, header={"alg": alg}), jwks)


@pytest.mark.parametrize("typ", ["at+jwt", "JWT", None])
def test_a_token_of_another_type_is_refused(
    key: SigningKey, jwks: dict[str, Any], typ: str | None
) -> None:
    # An access token is signed with the same keys; it must not pass for an attestation.
    with pytest.raises(AttestationError, match="not an attestation"):
        verify_attestation(attestation(key, header={"typ": typ}), jwks)


@pytest.mark.parametrize("name", ["crit", "jku", "jwk", "x5u", "x5c"])
def test_headers_pointing_elsewhere_or_demanding_extensions_are_refused(
    key: SigningKey, jwks: dict[str, Any], name: str
) -> None:
    with pytest.raises(AttestationError, match=name):
        verify_attestation(attestation(key, header={name: ["x"]}), jwks)


def test_a_header_without_kid_is_refused(key: SigningKey, jwks: dict[str, Any]) -> None:
    with pytest.raises(AttestationError, match="kid"):
        verify_attestation(attestation(key, header={"kid": None}), jwks)


def test_an_expired_attestation_is_refused(key: SigningKey, jwks: dict[str, Any]) -> None:
    token = attestation(key, signed_payload(exp=1_000_000))
    with pytest.raises(AttestationError, match="expired"):
        verify_attestation(token, jwks, now=2_000_000)
    assert verify_attestation(token, jwks, now=999_000).payload.exp == 1_000_000


def test_a_der_signature_is_refused(key: SigningKey, jwks: dict[str, Any]) -> None:
    head, body, _ = attestation(key).split(".")
    der = key.private.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(AttestationError, match="64-byte"):
        verify_attestation(f"{head}.{body}.{b64(der)}", jwks)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "three non-empty"),
        ("a.b", "three non-empty"),
        ("a.b.c.d", "three non-empty"),
        ("a..c", "three non-empty"),
        ("***.e30.e30", "not base64url"),
        (f"{b64(b'not json')}.e30.e30", "not JSON"),
        (f"{b64json([1])}.e30.e30", "not a JSON object"),
        (b64(b'{"alg":"ES256","alg":"none"}') + ".e30.e30", "duplicate"),
    ],
)
def test_a_malformed_token_is_refused(jwks: dict[str, Any], token: str, message: str) -> None:
    with pytest.raises(AttestationError, match=message):
        verify_attestation(token, jwks)


def test_a_payload_that_is_not_an_assessment_is_refused(
    key: SigningKey, jwks: dict[str, Any]
) -> None:
    with pytest.raises(AttestationError, match="not an attested assessment"):
        verify_attestation(attestation(key, {"hello": "world"}), jwks)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"crv": "P-384"}, "not an EC P-256 key"),
        ({"kty": "RSA"}, "not an EC P-256 key"),
        ({"alg": "RS256"}, "not an ES256 signing key"),
        ({"use": "enc"}, "not an ES256 signing key"),
        ({"x": "AAAA"}, "malformed x coordinate"),
        ({"y": b64(b"\x00" * 32)}, "not a point on P-256"),
    ],
)
def test_an_unusable_key_is_refused(key: SigningKey, changes: dict[str, str], message: str) -> None:
    with pytest.raises(AttestationError, match=message):
        verify_attestation(attestation(key), {"keys": [key.jwk(**changes)]})


@pytest.mark.parametrize("jwks", ['{"nope": 1}', "not json", {"keys": "x"}])
def test_a_key_set_that_is_not_one_is_refused(key: SigningKey, jwks: Any) -> None:
    with pytest.raises(AttestationError, match="not a JWKS"):
        verify_attestation(attestation(key), jwks)


def test_attestation_errors_are_clearstone_errors() -> None:
    assert issubclass(AttestationError, ClearstoneError)


# Through the client: the published key set, fetched once and cached.


def test_the_client_fetches_the_key_set_once(
    connect: Connect, key: SigningKey, jwks: dict[str, Any]
) -> None:
    server = MockServer(ok(jwks))
    harness = connect(server)
    for _ in range(3):
        verified = harness.call("attestations.verify", attestation(key))
        assert verified.assessment.kp.result == "pass"
    assert [r.url.path for r in server.requests] == [JWKS_PATH]


def test_a_given_key_set_needs_no_request(
    connect: Connect, key: SigningKey, jwks: dict[str, Any]
) -> None:
    server = MockServer()
    verified = connect(server).call(
        "attestations.verify", attestation(key), jwks=jwks, trust_jwks=True
    )
    assert verified.currency.status == "unknown"
    assert server.requests == []


def test_an_unknown_kid_refetches_the_key_set_at_most_every_few_minutes(
    connect: Connect, clock: FakeClock, key: SigningKey
) -> None:
    rotated = SigningKey("2027-01-a")
    server = MockServer(ok({"keys": [key.jwk()]}), ok({"keys": [key.jwk(), rotated.jwk()]}))
    harness = connect(server)
    harness.call("attestations.verify", attestation(key))
    with pytest.raises(AttestationError, match="No key with kid"):
        harness.call("attestations.verify", attestation(rotated))  # too soon to refetch
    clock.advance(JWKS_MIN_REFRESH)
    assert harness.call("attestations.verify", attestation(rotated)).header.kid == rotated.kid
    assert len(server.requests) == 2


def test_a_malformed_token_is_refused_before_any_fetch(connect: Connect) -> None:
    server = MockServer()
    with pytest.raises(AttestationError):
        connect(server).call("attestations.verify", "x.y")
    assert server.requests == []


def test_fetch_jwks_returns_the_typed_key_set(connect: Connect, jwks: dict[str, Any]) -> None:
    fetched = connect(MockServer(ok(jwks))).call("attestations.fetch_jwks")
    assert isinstance(fetched, JsonWebKeySet)
    assert [k.kid for k in fetched.keys] == ["2026-11-a", "2026-11-b"]


def test_the_key_set_request_is_a_plain_get(connect: Connect, jwks: dict[str, Any]) -> None:
    server = MockServer(ok(jwks))
    connect(server).call("attestations.fetch_jwks")
    request: httpx.Request = server.requests[0]
    assert (request.method, "Idempotency-Key" in request.headers) == ("GET", False)


# The trust anchor (finding 5 of the security review): keys only from the configured API over
# HTTPS, a supplied key set only when trusted explicitly, iss and sub checked.


@pytest.mark.parametrize(
    "base_url", ["http://api.clearstone.example", "http://10.0.0.8:8000", "http://127.0.0.1.nip.io"]
)
def test_keys_are_never_fetched_over_plain_http_from_elsewhere(
    connect: Connect, key: SigningKey, jwks: dict[str, Any], base_url: str
) -> None:
    server = MockServer(ok(jwks))
    harness = connect(server, base_url=base_url)
    with pytest.raises(AttestationError, match="over HTTPS only"):
        harness.call("attestations.verify", attestation(key))
    assert server.requests == []


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]"])
def test_loopback_may_serve_keys_over_plain_http(
    connect: Connect, key: SigningKey, jwks: dict[str, Any], base_url: str
) -> None:
    harness = connect(MockServer(ok(jwks)), base_url=base_url)
    assert harness.call("attestations.verify", attestation(key)).assessment.kp.result == "pass"


def test_a_supplied_key_set_needs_trust_jwks(
    connect: Connect, key: SigningKey, jwks: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    server = MockServer()
    with pytest.raises(AttestationError, match="only with trust_jwks=True"):
        connect(server).call("attestations.verify", attestation(key), jwks=jwks)
    verified = connect(server).call(
        "attestations.verify", attestation(key), jwks=jwks, trust_jwks=True
    )
    assert verified.thumbprint == thumbprint(JsonWebKey(**key.jwk()))
    assert "Verifying with a key set you supplied" in caplog.text
    assert server.requests == []


def test_another_issuer_is_refused(connect: Connect, key: SigningKey, jwks: dict[str, Any]) -> None:
    harness = connect(MockServer(ok(jwks)), issuer="https://clearstone.example")
    with pytest.raises(AttestationError, match=r"not by 'https://clearstone\.example'"):
        harness.call("attestations.verify", attestation(key))
    with pytest.raises(AttestationError, match="the Clearstone you trust"):
        verify_attestation(attestation(key), jwks, issuer="https://clearstone.example")


def test_a_subject_that_is_not_the_signed_stone_is_refused(
    key: SigningKey, jwks: dict[str, Any]
) -> None:
    token = attestation(key, signed_payload(sub="CS-SOMEONEELSE"))
    with pytest.raises(AttestationError, match="is not the stone it signs"):
        verify_attestation(token, jwks)


def test_the_thumbprint_is_rfc_7638() -> None:
    x, y = (
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    )
    key = JsonWebKey(kty="EC", crv="P-256", x=x, y=y, kid="k1", use="sig")
    # RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
    members = f'{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}'.encode()
    expected = base64.urlsafe_b64encode(hashlib.sha256(members).digest()).rstrip(b"=").decode()
    assert thumbprint(key) == expected
