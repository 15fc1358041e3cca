"""The custody transparency log: the stored Merkle tree and its signed tree heads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["TreeHead", "TreeNode"]


class TreeNode(SQLModel, table=True):
    """The root of a complete subtree: leaves ``[idx * 2**level, (idx + 1) * 2**level)``.
    Level 0 holds the leaf hashes, one per custody event, in the order they were appended."""

    __tablename__ = "custody_tree_nodes"

    level: int = Field(primary_key=True)
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True))
    hash: str = Field(max_length=64)
    """Hex SHA-256 (RFC 9162 §2.1.1 leaf or interior hash)."""


class TreeHead(SQLModel, table=True):
    """A signed tree head: the log's size and root at one moment, signed with the attestation
    key. One is made with every appended event; the latest is what verification trusts."""

    __tablename__ = "custody_tree_heads"

    tree_size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root_hash: str = Field(max_length=64)
    timestamp: int = Field(sa_column=Column(BigInteger, nullable=False))
    """Milliseconds since the Unix epoch, as RFC 9162 counts them."""
    signature: str = Field(sa_column=Column(Text, nullable=False))
    """Compact JWS (``typ: clearstone-tree-head+jws``) over the head's canonical JSON."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
