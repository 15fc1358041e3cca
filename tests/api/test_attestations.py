"""Attestations: every stored assessment signed, served beside the lookup, verifiable offline.

The verification here is independent of the service's JOSE library: ``cryptography`` directly,
following docs/attestations.md step by step (split the compact JWS, base64url-decode, turn the
64-byte R||S into DER, verify with the JWK's public numbers).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from fastapi import FastAPI
from sqlalchemy import update

from clearstone_api.canonical import jcs
from clearstone_api.container import container_of
from clearstone_api.db import Database
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.services.attestation_lifecycle import sign_missing
from tests.api.factories import export_event, register_chain
from tests.support.harness import ASGIClient


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class Forged(Exception):
    """The attestation does not verify."""


def verify_offline(
    attestation: str, jwks: dict[str, Any], typ: str = "clearstone-attestation+jws"
) -> dict[str, Any]:
    """docs/attestations.md, "Verify it yourself", in Python with ``cryptography`` only (also
    for signed tree heads, ``typ`` ``clearstone-tree-head+jws``)."""
    header_b64, payload_b64, signature_b64 = attestation.split(".")
    header = json.loads(_b64decode(header_b64))
    if header.get("alg") != "ES256" or header.get("typ") != typ:
        raise Forged("not an ES256 Clearstone attestation")
    key = next((k for k in jwks["keys"] if k["kid"] == header["kid"]), None)
    if key is None or (key["kty"], key["crv"]) != ("EC", "P-256"):
        raise Forged("unknown key")
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64decode(key["x"]), "big"),
        int.from_bytes(_b64decode(key["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    raw = _b64decode(signature_b64)
    if len(raw) != 64:
        raise Forged("not a 64-byte R||S signature")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{payload_b64}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Forged("bad signature") from None
    payload: dict[str, Any] = json.loads(_b64decode(payload_b64))
    return payload


def _flip(attestation: str, part: int, position: int) -> str:
    """``attestation`` with one byte of one decoded part changed."""
    parts = attestation.split(".")
    raw = bytearray(_b64decode(parts[part]))
    raw[position % len(raw)] ^= 0x01
    parts[part] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return ".".join(parts)


@pytest.fixture
def signed(supplier: ASGIClient) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A registered stone's attestation, the JWKS, and the stone."""
    stone = register_chain(supplier)
    response = supplier.get("/v1/certificates/GIA-7770001/attestation")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/jose"
    assert response.headers["content-disposition"] == f'attachment; filename="{stone["id"]}.jws"'
    jwks = supplier.get("/.well-known/jwks.json").json()
    return response.text, jwks, stone


def test_an_attestation_verifies_offline_with_cryptography_alone(
    signed: tuple[str, dict[str, Any], dict[str, Any]], app: FastAPI, client: ASGIClient
) -> None:
    attestation, jwks, stone = signed
    payload = verify_offline(attestation, jwks)
    view = client.get("/v1/certificates/GIA-7770001").json()
    assert view.pop("number_status") == "claimed"  # the number's status, not signed
    assert payload["v"] == 1
    assert payload["iss"] == container_of(app).settings.token_issuer
    assert payload["sub"] == stone["id"]
    assert payload["certificate_numbers"] == ["GIA-7770001"]
    assert payload["as_of"] == view["as_of"] == view["assessed_at"][:10]
    assert payload["policy_version"] == view["policy_version"]
    assert payload["reference_data_version"] == view["reference_data_version"]
    assert payload["assessment"] == view
    assert isinstance(payload["iat"], int)


def test_the_payload_is_its_own_canonical_json(
    signed: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    attestation, _, _ = signed
    payload_bytes = _b64decode(attestation.split(".")[1])
    assert jcs(json.loads(payload_bytes)) == payload_bytes


@pytest.mark.parametrize(("part", "position"), [(0, 3), (1, 0), (1, 200), (1, -1), (2, 5)])
def test_a_changed_byte_fails_verification(
    signed: tuple[str, dict[str, Any], dict[str, Any]], part: int, position: int
) -> None:
    attestation, jwks, _ = signed
    with pytest.raises(Forged):
        verify_offline(_flip(attestation, part, position), jwks)


def test_a_changed_verdict_fails_verification(
    signed: tuple[str, dict[str, Any], dict[str, Any]],
) -> None:
    attestation, jwks, _ = signed
    header, payload, signature = attestation.split(".")
    claims = json.loads(_b64decode(payload))
    claims["assessment"]["csc"]["result"] = "red_flag"
    claims["assessment"]["kp"]["result"] = "fail"
    altered = base64.urlsafe_b64encode(jcs(claims)).rstrip(b"=").decode()
    assert altered != payload
    with pytest.raises(Forged):
        verify_offline(f"{header}.{altered}.{signature}", jwks)


def test_the_lookup_links_to_the_attestation(supplier: ASGIClient) -> None:
    register_chain(supplier)
    link = supplier.get("/v1/certificates/GIA-7770001").headers["link"]
    assert (
        link
        == '</v1/certificates/GIA-7770001/attestation>; rel="alternate"; type="application/jose"'
    )


def test_a_new_assessment_is_signed_anew(supplier: ASGIClient) -> None:
    register_chain(supplier)
    jwks = supplier.get("/.well-known/jwks.json").json()
    first = supplier.get("/v1/certificates/GIA-7770001/attestation")
    assert supplier.post("/v1/custody/events", json=export_event("E2")).status_code == 201
    second = supplier.get("/v1/certificates/GIA-7770001/attestation")
    assert second.text != first.text
    assert verify_offline(second.text, jwks)["sub"] == verify_offline(first.text, jwks)["sub"]
    assert (
        supplier.get(
            "/v1/certificates/GIA-7770001/attestation",
            headers={"If-None-Match": second.headers["etag"]},
        ).status_code
        == 304
    )


def test_unsigned_rows_are_signed_by_the_backfill(
    app: FastAPI, supplier: ASGIClient, database: Database
) -> None:
    register_chain(supplier)
    with database.engine.begin() as connection:
        connection.execute(update(StoneAssessment).values(attestation=None))
    missing = supplier.get("/v1/certificates/GIA-7770001/attestation")
    assert missing.status_code == 404
    assert sign_missing(database, container_of(app).attester) == 1
    jwks = supplier.get("/.well-known/jwks.json").json()
    backfilled = supplier.get("/v1/certificates/GIA-7770001/attestation").text
    view = supplier.get("/v1/certificates/GIA-7770001").json()
    assert view.pop("number_status") == "claimed"
    assert verify_offline(backfilled, jwks)["assessment"] == view
    assert sign_missing(database, container_of(app).attester) == 0
    assert sign_missing(database, container_of(app).attester, everything=True) == 1


def test_an_unknown_number_has_no_attestation(client: ASGIClient) -> None:
    response = client.get("/v1/certificates/GIA-0000000000/attestation")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
