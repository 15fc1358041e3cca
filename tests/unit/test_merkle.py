"""The RFC 9162 Merkle tree of the custody log: the service's builder against a naive reference
of the RFC's definitions, the RFC 6962/9162 reference roots, and the SDK's verifier."""

from __future__ import annotations

import hashlib

import pytest

from clearstone import _merkle as sdk_merkle
from clearstone_api import merkle

# The reference inputs and roots of the Certificate Transparency test suite (RFC 6962 test
# vectors, unchanged by RFC 9162): the root after each of the first eight leaves.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _mth(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162 §2.1.1."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return merkle.leaf_hash(leaves[0])
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH from RFC 9162 §2.1.3.1, recursively."""
    if len(leaves) == 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    """SUBPROOF from RFC 9162 §2.1.4.1, recursively."""
    n = len(leaves)
    if m == n:
        return [] if whole else [_mth(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


class Tree:
    """The stored form: complete subtrees in a dict, as the database holds them."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def node(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def append(self, data: bytes) -> None:
        for level, index, value in merkle.appended_nodes(
            self.size, merkle.leaf_hash(data), self.node
        ):
            self.nodes[(level, index)] = value
        self.size += 1


def _tree(leaves: list[bytes]) -> Tree:
    tree = Tree()
    for data in leaves:
        tree.append(data)
    return tree


LEAVES = [f"event {i}".encode() for i in range(21)]


def test_roots_match_the_certificate_transparency_vectors() -> None:
    tree = Tree()
    assert merkle.root(0, tree.node).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    for size, data in enumerate(CT_LEAVES, start=1):
        tree.append(data)
        assert merkle.root(size, tree.node).hex() == CT_ROOTS[size - 1]


def test_stored_subtrees_give_every_root_of_the_definition() -> None:
    tree = _tree(LEAVES)
    for size in range(len(LEAVES) + 1):
        assert merkle.root(size, tree.node) == _mth(LEAVES[:size])


def test_inclusion_proofs_are_the_rfc_path_and_verify_in_both_verifiers() -> None:
    tree = _tree(LEAVES)
    for size in range(1, len(LEAVES) + 1):
        root = merkle.root(size, tree.node)
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, tree.node)
            assert proof == _path(index, LEAVES[:size])
            leaf = merkle.leaf_hash(LEAVES[index])
            assert merkle.verify_inclusion(index, size, leaf, proof, root)
            assert sdk_merkle.verify_inclusion(index, size, leaf, proof, root)


def test_consistency_proofs_are_the_rfc_proof_and_verify_in_both_verifiers() -> None:
    tree = _tree(LEAVES)
    for second in range(1, len(LEAVES) + 1):
        second_root = merkle.root(second, tree.node)
        for first in range(second + 1):
            proof = merkle.consistency_proof(first, second, tree.node)
            if 0 < first < second:
                assert proof == _subproof(first, LEAVES[:second], True)
            first_root = merkle.root(first, tree.node)
            for verify in (merkle.verify_consistency, sdk_merkle.verify_consistency):
                assert verify(first, second, first_root, second_root, proof), (first, second)


def test_a_changed_leaf_or_proof_fails_inclusion() -> None:
    tree = _tree(LEAVES)
    size = len(LEAVES)
    root = merkle.root(size, tree.node)
    proof = merkle.inclusion_proof(5, size, tree.node)
    leaf = merkle.leaf_hash(LEAVES[5])
    for verify in (merkle.verify_inclusion, sdk_merkle.verify_inclusion):
        assert not verify(5, size, merkle.leaf_hash(b"forged"), proof, root)
        assert not verify(6, size, leaf, proof, root)  # another position
        assert not verify(5, 16, leaf, proof, root)  # a tree of another shape
        assert not verify(5, size, leaf, proof[:-1], root)  # truncated path
        assert not verify(5, size, leaf, [*proof, proof[0]], root)  # padded path
        assert not verify(size, size, leaf, proof, root)  # index out of range
        assert not verify(5, size, leaf, proof, hashlib.sha256(b"x").digest())


def test_a_rewritten_history_fails_consistency() -> None:
    honest = _tree(LEAVES[:12])
    old_root = merkle.root(12, honest.node)
    rewritten = _tree([*LEAVES[:3], b"rewritten", *LEAVES[4:]])  # same sizes, re-hashed
    new_root = merkle.root(len(LEAVES), rewritten.node)
    proof = merkle.consistency_proof(12, len(LEAVES), rewritten.node)
    for verify in (merkle.verify_consistency, sdk_merkle.verify_consistency):
        assert not verify(12, len(LEAVES), old_root, new_root, proof)
        # ...and a truncated log is no extension of the old one either.
        assert not verify(12, 10, old_root, merkle.root(10, honest.node), [])
        assert not verify(12, len(LEAVES), old_root, new_root, [])


@pytest.mark.parametrize(("index", "size"), [(-1, 3), (3, 3), (0, 0)])
def test_proofs_outside_the_tree_are_refused(index: int, size: int) -> None:
    tree = _tree(LEAVES[:3])
    with pytest.raises(ValueError, match="below the tree size"):
        merkle.inclusion_proof(index, size, tree.node)
    with pytest.raises(ValueError, match="at most the second"):
        merkle.consistency_proof(3, 2, tree.node)
