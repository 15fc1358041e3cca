"""Canonical JSON and its SHA-256: the bytes that hashes and digests are computed over.

Sorted keys, no insignificant whitespace, UTF-8. The custody hash chain, idempotency request
hashes and record digests all go through here so that they agree byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["GENESIS_HASH", "canonical_json", "chain_hash", "sha256_hex"]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event in a chain."""


def canonical_json(value: Any) -> bytes:
    """``value`` (JSON types only) as canonical bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chain_hash(prev_hash: str, content_hash: str) -> str:
    """The hash of one link: what it follows and what it holds."""
    return sha256_hex(f"{prev_hash}:{content_hash}".encode("ascii"))
