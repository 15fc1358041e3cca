"""The custody transparency log, checked offline: signed tree heads, inclusion proofs and
consistency proofs (RFC 9162), and a memory of the last tree head seen.

A tree head is ``{tree_size, root_hash, timestamp, signature}``; ``signature`` is a compact JWS
(ES256, ``typ: clearstone-tree-head+jws``) over the JCS of
``{"v": 1, "iss", "tree_size", "root_hash", "timestamp"}``, verified with the same key set as
attestations. Remember the last head you trusted (:class:`TreeHeadMemory`): every later head must
be proven consistent with it, so a log rewritten after you looked is caught, whatever the
database now says.

Example::

    memory = TreeHeadMemory("~/.clearstone/tree-head.json")
    head = client.transparency.check_latest(memory=memory)  # raises on a rewritten log
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from clearstone import _merkle
from clearstone._attestation import AttestationError, JwksInput, verify_signature
from clearstone._models import BaseModel

__all__ = [
    "TREE_HEAD_TYPE",
    "ConsistencyProof",
    "InclusionProof",
    "SignedTreeHead",
    "TransparencyError",
    "TreeHeadMemory",
    "verify_consistency_proof",
    "verify_inclusion_proof",
    "verify_tree_head",
]

TREE_HEAD_TYPE = "clearstone-tree-head+jws"


class TransparencyError(AttestationError):
    """A tree head, inclusion proof or consistency proof does not verify."""


class SignedTreeHead(BaseModel):
    """The custody log's size and root at one moment, signed by Clearstone."""

    tree_size: int
    root_hash: str
    """Hex SHA-256 Merkle root (RFC 9162 §2.1.1)."""
    timestamp: int
    """Milliseconds since the Unix epoch."""
    signature: str


class InclusionProof(BaseModel):
    """RFC 9162 §2.1.3: the audit path from a leaf to the root of ``tree_size``."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProof(BaseModel):
    """RFC 9162 §2.1.4: that the tree of ``first`` leaves is a prefix of the tree of ``second``."""

    first: int
    second: int
    proof: list[str]


def _hex(value: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise TransparencyError(f"The {what} is not hexadecimal.") from None
    if len(raw) != 32:
        raise TransparencyError(f"The {what} is not a SHA-256 hash.")
    return raw


def verify_tree_head(
    head: SignedTreeHead, jwks: JwksInput, *, issuer: str | None = None
) -> SignedTreeHead:
    """``head`` when its signature verifies with ``jwks`` and signs exactly its size, root and
    timestamp (and, given ``issuer``, was issued by it); :class:`TransparencyError` otherwise."""
    try:
        _, claims = verify_signature(head.signature, jwks, TREE_HEAD_TYPE)
    except TransparencyError:
        raise
    except AttestationError as exc:
        raise TransparencyError(f"The tree head's signature does not verify: {exc}") from None
    signed = {k: claims.get(k) for k in ("tree_size", "root_hash", "timestamp")}
    if signed != {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
    }:
        raise TransparencyError("The signature is for another tree head.")
    if issuer is not None and claims.get("iss") != issuer:
        raise TransparencyError(
            f"The tree head was issued by {claims.get('iss')!r}, not {issuer!r}."
        )
    return head


def verify_inclusion_proof(leaf_hash: str, proof: InclusionProof, head: SignedTreeHead) -> None:
    """Raise :class:`TransparencyError` unless ``proof`` proves the leaf ``leaf_hash`` (hex) in
    the tree of the (already verified) ``head``."""
    if proof.tree_size != head.tree_size:
        raise TransparencyError("The proof is for another tree size than the tree head.")
    if proof.leaf_hash != leaf_hash:
        raise TransparencyError("The proof is for another leaf.")
    path = [_hex(p, "audit path") for p in proof.audit_path]
    root = _hex(head.root_hash, "root hash")
    leaf = _hex(leaf_hash, "leaf hash")
    if not _merkle.verify_inclusion(proof.leaf_index, head.tree_size, leaf, path, root):
        raise TransparencyError(
            f"Leaf {proof.leaf_index} is not in the signed tree of {head.tree_size} leaves."
        )


def verify_consistency_proof(
    old: SignedTreeHead, new: SignedTreeHead, proof: ConsistencyProof
) -> None:
    """Raise :class:`TransparencyError` unless ``proof`` shows the log of ``old`` to be a prefix
    of the log of ``new`` (both already verified): nothing removed, nothing rewritten."""
    if (proof.first, proof.second) != (old.tree_size, new.tree_size):
        raise TransparencyError("The proof is for other tree sizes.")
    ok = _merkle.verify_consistency(
        old.tree_size,
        new.tree_size,
        _hex(old.root_hash, "root hash"),
        _hex(new.root_hash, "root hash"),
        [_hex(p, "consistency proof") for p in proof.proof],
    )
    if not ok:
        raise TransparencyError(
            f"The log of {new.tree_size} leaves does not extend the log of {old.tree_size} you "
            "saw before: its history was rewritten or truncated."
        )


class TreeHeadMemory:
    """The last verified tree head, kept in memory or, with ``path``, in a JSON file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else None
        self._head: SignedTreeHead | None = None

    def last(self) -> SignedTreeHead | None:
        """The last tree head remembered, or None."""
        if self._head is None and self.path is not None and self.path.exists():
            self._head = SignedTreeHead.model_validate(json.loads(self.path.read_text("utf-8")))
        return self._head

    def remember(self, head: SignedTreeHead) -> None:
        """Keep ``head`` (verified, and consistent with the one before) as the last seen."""
        self._head = head
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(head.model_dump_json(), "utf-8")
            temporary.replace(self.path)
