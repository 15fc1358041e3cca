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

from sqlalchemy import update
from sqlmodel import col, select

from clearstone_api.canonical import jcs
from clearstone_api.db import Database
from clearstone_api.models.assessment import StoneAssessment
from clearstone_api.models.stone import Stone, StoneNumber
from clearstone_api.security.tokens import TREE_HEAD_TYPE, InvalidToken, Tokens

__all__ = ["ATTESTED_NUMBER_KINDS", "PAYLOAD_VERSION", "Attester", "sign_missing"]

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
    ) -> bytes:
        """The canonical bytes that are signed."""
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
    ) -> str:
        """The compact JWS of the view ``view`` (``CertificatePublic`` in JSON mode)."""
        return self._tokens.sign_attestation(
            self.payload(
                stone_id=stone_id,
                certificate_numbers=certificate_numbers,
                view=view,
                assessed_at=assessed_at,
            )
        )


def sign_missing(
    database: Database, attester: Attester, batch_size: int = 500, *, everything: bool = False
) -> int:
    """Sign every stored assessment that has no attestation yet (rows stored before
    attestations existed, or bulk-loaded), or with ``everything`` every stored assessment anew
    with the active key (after a key is withdrawn); returns how many. Each batch commits."""
    signed = 0
    after = 0
    while True:
        with database.session() as session:
            query = (
                select(
                    StoneAssessment.stone_id,
                    Stone.public_id,
                    StoneAssessment.public_json,
                    StoneAssessment.assessed_at,
                )
                .join(Stone, col(Stone.id) == col(StoneAssessment.stone_id))
                .where(col(StoneAssessment.stone_id) > after)
                .order_by(col(StoneAssessment.stone_id))
                .limit(batch_size)
            )
            if not everything:
                query = query.where(col(StoneAssessment.attestation).is_(None))
            rows = session.exec(query).all()
            if not rows:
                return signed
            after = rows[-1][0]
            numbers: dict[int, list[str]] = {row[0]: [] for row in rows}
            for stone_id, number in session.exec(
                select(StoneNumber.stone_id, StoneNumber.number).where(
                    col(StoneNumber.stone_id).in_(list(numbers)),
                    col(StoneNumber.kind).in_(sorted(ATTESTED_NUMBER_KINDS)),
                )
            ).all():
                numbers[stone_id].append(number)
            for stone_id, public_id, public_json, assessed_at in rows:
                attestation = attester.attest(
                    stone_id=public_id,
                    certificate_numbers=numbers[stone_id],
                    view=json.loads(public_json),
                    assessed_at=assessed_at,
                )
                session.execute(
                    update(StoneAssessment)
                    .where(col(StoneAssessment.stone_id) == stone_id)
                    .values(attestation=attestation)
                )
            signed += len(rows)
