"""The Merkle tree of the custody transparency log, as RFC 9162 (Certificate Transparency 2.0)
defines it, over SHA-256.

- a leaf's hash is ``SHA-256(0x00 || leaf bytes)``, an interior node's
  ``SHA-256(0x01 || left || right)``; the empty tree's root is ``SHA-256("")`` (§2.1.1);
- the tree over ``n`` leaves splits at ``k``, the largest power of two below ``n``: left the first
  ``k`` leaves, right the rest (§2.1.1);
- inclusion proofs (§2.1.3) and consistency proofs (§2.1.4) are generated and verified exactly by
  the RFC's algorithms, so any RFC 9162 verifier accepts them.

The tree is stored as its *complete* subtrees: node ``(level, index)`` is the root of leaves
``[index * 2**level, (index + 1) * 2**level)``, written once, when its last leaf is appended
(:func:`appended_nodes`). Every hash the RFC's recursions need is one such node or is composed
from ``O(log n)`` of them, so proofs and roots never read the whole log. Storage stays outside:
the functions take a ``node(level, index)`` reader. Pure standard library; the SDK carries its
own copy of the verifying half (``clearstone/_merkle.py``), tested against this one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "NodeReader",
    "appended_nodes",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

NodeReader = Callable[[int, int], bytes]
"""``node(level, index)``: the stored root of a complete subtree."""

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def appended_nodes(index: int, leaf: bytes, node: NodeReader) -> list[tuple[int, int, bytes]]:
    """The nodes to store when leaf ``index`` (hash ``leaf``) is appended: the leaf itself and
    each complete subtree it completes, as ``(level, index, hash)``."""
    made = [(0, index, leaf)]
    level, position, current = 0, index, leaf
    while position % 2 == 1:
        current = node_hash(node(level, position - 1), current)
        level, position = level + 1, position // 2
        made.append((level, position, current))
    return made


def _subtree(start: int, end: int, node: NodeReader) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursions produce (``start`` is aligned to the
    largest power of two not above ``end - start``)."""
    size = end - start
    if size & (size - 1) == 0:
        level = size.bit_length() - 1
        return node(level, start >> level)
    k = _split(size)
    return node_hash(_subtree(start, start + k, node), _subtree(start + k, end, node))


def root(size: int, node: NodeReader) -> bytes:
    """MTH of the first ``size`` leaves."""
    return EMPTY_ROOT if size == 0 else _subtree(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeReader) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("the leaf index must be below the tree size")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(_subtree(start + k, end, node))
            end = start + k
        else:
            path.append(_subtree(start, start + k, node))
            start += k
    path.reverse()
    return path


def consistency_proof(first: int, second: int, node: NodeReader) -> list[bytes]:
    """PROOF(first, D[0:second]) (RFC 9162 §2.1.4.1); empty when ``first`` is 0 or equal."""
    if not 0 <= first <= second:
        raise ValueError("the first tree size must be at most the second")
    if first in (0, second):
        return []
    proof: list[bytes] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(_subtree(start + k, end, node))
            end = start + k
        else:
            proof.append(_subtree(start, start + k, node))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(_subtree(start, end, node))
    proof.reverse()
    return proof


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove leaf ``index`` (hash ``leaf``) in the tree of
    ``size`` leaves with root ``expected_root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of ``first`` leaves (``first_root``) a prefix of the tree
    of ``second`` leaves (``second_root``)?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof and first_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
