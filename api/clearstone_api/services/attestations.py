"""Attestations: every stored assessment's public view, signed so that it verifies offline.

An attestation is a compact JWS (RFC 7515), ES256, with the protected header
``{"alg": "ES256", "kid": <key id>, "typ": "clearstone-attestation+jws"}`` over this payload,
serialized in the JSON Canonicalization Scheme (RFC 8785) and UTF-8 encoded::

    {
      "v": 1,
      "iss": "https://clearstone.dev",          # the issuer; its JWKS verifies the signature
      "iat": 1795430400,                        # when the assessment was stored (Unix time)
      "sub": "CS-7K2M9QXH4D1P",                 # the stone's Clearstone id
      "certificate_numbers": ["GIA-2141438167"],
      "as_of": "2026-11-01",
      "policy_version": "...",
      "reference_data_version": "...",
      "assessment": {...}                       # the consumer view, as the lookup serves it
    }

The signed view is the consumer tier: no prices, no counterparties. It is made once, when the
assessment is stored, and kept beside the public view (``stone_assessments.attestation``).
docs/attestations.md says how to verify one by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from clearstone_api.canonical import jcs
from clearstone_api.security.tokens import TREE_HEAD_TYPE, InvalidToken, Tokens

__all__ = ["ATTESTED_NUMBER_KINDS", "PAYLOAD_VERSION", "Attester"]

PAYLOAD_VERSION = 1
ATTESTED_NUMBER_KINDS = frozenset({"lab_qualified", "alias"})
"""The numbers an attestation lists: the lab-qualified grading report and registered aliases.
The bare grading-report digits are left out (two labs may issue the same digits), and the
Clearstone id is ``sub``."""


class Attester:
    """Signs assessment views with the service's active key."""

    def __init__(self, tokens: Tokens, issuer: str) -> None:
        self._tokens = tokens
        self.issuer = issuer

    def payload(
        self,
        *,
        stone_id: str,
        certificate_numbers: Iterable[str],
        view: dict[str, Any],
        assessed_at: dt.datetime,
        lifecycle: dict[str, Any] | None = None,
    ) -> bytes:
        """The canonical bytes that are signed; ``lifecycle`` adds ``jti``, ``seq``, ``exp``,
        ``custody`` and ``tree_head`` (``attestation_lifecycle.issue``)."""
        return jcs(
            {
                "v": PAYLOAD_VERSION,
                "iss": self.issuer,
                "iat": int(assessed_at.timestamp()),
                "sub": stone_id,
                "certificate_numbers": sorted(set(certificate_numbers)),
                "as_of": view["as_of"],
                "policy_version": view["policy_version"],
                "reference_data_version": view["reference_data_version"],
                "assessment": view,
                **(lifecycle or {}),
            }
        )

    def sign_tree_head(self, head: dict[str, Any]) -> str:
        """The compact JWS (``typ: clearstone-tree-head+jws``) of a custody-log tree head."""
        return self._tokens.sign_attestation(
            jcs({"v": PAYLOAD_VERSION, "iss": self.issuer, **head}), TREE_HEAD_TYPE
        )

    def verify_tree_head(self, signature: str) -> dict[str, Any] | None:
        """The signed members of a tree head whose signature verifies with the key set; None
        when it does not (or was not made by this service)."""
        try:
            payload = json.loads(self._tokens.verify_attestation(signature, TREE_HEAD_TYPE))
        except (InvalidToken, ValueError):
            return None
        if not isinstance(payload, dict) or payload.get("iss") != self.issuer:
            return None
        return payload

    def attest(
        self,
        *,
        stone_id: str,
        certificate_numbers: Iterable[str],
        view: dict[str, Any],
        assessed_at: dt.datetime,
        lifecycle: dict[str, Any] | None = None,
    ) -> str:
        """The compact JWS of the view ``view`` (``CertificatePublic`` in JSON mode)."""
        return self._tokens.sign_attestation(
            self.payload(
                stone_id=stone_id,
                certificate_numbers=certificate_numbers,
                view=view,
                assessed_at=assessed_at,
                lifecycle=lifecycle,
            )
        )

    def read(self, token: str) -> dict[str, Any] | None:
        """The payload of an attestation this service signed, or None when it does not
        verify."""
        try:
            payload = json.loads(self._tokens.verify_attestation(token))
        except (InvalidToken, ValueError):
            return None
        return payload if isinstance(payload, dict) else None
