"""``transparency``: the custody log's signed tree heads and proofs. Public; no credentials.

:meth:`Transparency.check_latest` is the audit step a careful client runs: fetch the latest tree
head, verify its signature with the configured API's key set, and prove it consistent with the
last head it remembers, so that a history rewritten or truncated since is caught.
"""

from __future__ import annotations

from clearstone._attestation import JwksInput
from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._resource import AsyncAPIResource, SyncAPIResource
from clearstone._resources.attestations import AsyncAttestations, Attestations
from clearstone._transparency import (
    ConsistencyProof,
    InclusionProof,
    SignedTreeHead,
    TreeHeadMemory,
    verify_consistency_proof,
    verify_tree_head,
)
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = [
    "AsyncConsistencyProofs",
    "AsyncInclusionProofs",
    "AsyncLatestTreeHead",
    "AsyncTransparency",
    "AsyncTreeHeads",
    "ConsistencyProofs",
    "InclusionProofs",
    "LatestTreeHead",
    "Transparency",
    "TreeHeads",
]

_HEADS = "/v1/transparency/tree-heads"
_PROOFS = "/v1/transparency/proofs"


class LatestTreeHead(SyncAPIResource):
    def get(self, *, budget: float | None = None) -> SignedTreeHead:
        """The newest signed tree head (``tree-heads-latest-get``); not yet verified."""
        return self._client.request(
            "GET", f"{_HEADS}/latest", cast_to=SignedTreeHead, budget=budget
        )


class TreeHeads(SyncAPIResource):
    def get(self, tree_size: int, *, budget: float | None = None) -> SignedTreeHead:
        """The signed tree head of ``tree_size`` leaves (``tree-heads-get``)."""
        return self._client.request(
            "GET", f"{_HEADS}/{int(tree_size)}", cast_to=SignedTreeHead, budget=budget
        )

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[SignedTreeHead]:
        """Every signed tree head, oldest first (``tree-heads-list``)."""
        return self._client._paginate(
            _HEADS, page_type=Page[SignedTreeHead], limit=limit, budget=budget
        )


class InclusionProofs(SyncAPIResource):
    def get(
        self, leaf_index: int, tree_size: int, *, budget: float | None = None
    ) -> InclusionProof:
        """The audit path of leaf ``leaf_index`` in the tree of ``tree_size``
        (``inclusion-proofs-get``); check it with :func:`clearstone.verify_inclusion_proof`."""
        params = {"leaf_index": leaf_index, "tree_size": tree_size}
        return self._client.request(
            "GET", f"{_PROOFS}/inclusion", params=params, cast_to=InclusionProof, budget=budget
        )


class ConsistencyProofs(SyncAPIResource):
    def get(self, first: int, second: int, *, budget: float | None = None) -> ConsistencyProof:
        """That the tree of ``first`` leaves is a prefix of ``second`` (``consistency-proofs-get``);
        check it with :func:`clearstone.verify_consistency_proof`."""
        params = {"first": first, "second": second}
        return self._client.request(
            "GET", f"{_PROOFS}/consistency", params=params, cast_to=ConsistencyProof, budget=budget
        )


class Transparency(SyncAPIResource):
    def __init__(self, client: SyncAPIClient, attestations: Attestations) -> None:
        super().__init__(client)
        self.latest_tree_head = LatestTreeHead(client)
        self.tree_heads = TreeHeads(client)
        self.inclusion_proofs = InclusionProofs(client)
        self.consistency_proofs = ConsistencyProofs(client)
        self._attestations = attestations

    def check_latest(
        self, *, memory: TreeHeadMemory | None = None, jwks: JwksInput | None = None
    ) -> SignedTreeHead:
        """The latest tree head, its signature verified (with ``jwks`` or the key set of the
        configured API) and, given ``memory``, proven consistent with the head remembered there,
        which it then replaces. Raises :class:`~clearstone.TransparencyError` on a forged head or
        a rewritten log.

        Example::

            memory = TreeHeadMemory("tree-head.json")
            head = client.transparency.check_latest(memory=memory)
        """
        keys = jwks if jwks is not None else self._attestations.trusted_jwks()
        head = verify_tree_head(self.latest_tree_head.get(), keys, issuer=self._client.issuer)
        last = memory.last() if memory is not None else None
        if last is not None and memory is not None:
            verify_tree_head(last, keys)
            proof = (
                self.consistency_proofs.get(last.tree_size, head.tree_size)
                if last.tree_size <= head.tree_size
                else ConsistencyProof(first=last.tree_size, second=head.tree_size, proof=[])
            )
            verify_consistency_proof(last, head, proof)
        if memory is not None:
            memory.remember(head)
        return head


class AsyncLatestTreeHead(AsyncAPIResource):
    async def get(self, *, budget: float | None = None) -> SignedTreeHead:
        """The newest signed tree head (``tree-heads-latest-get``)."""
        return await self._client.request(
            "GET", f"{_HEADS}/latest", cast_to=SignedTreeHead, budget=budget
        )


class AsyncTreeHeads(AsyncAPIResource):
    async def get(self, tree_size: int, *, budget: float | None = None) -> SignedTreeHead:
        """The signed tree head of ``tree_size`` leaves (``tree-heads-get``)."""
        return await self._client.request(
            "GET", f"{_HEADS}/{int(tree_size)}", cast_to=SignedTreeHead, budget=budget
        )

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[SignedTreeHead]:
        """Every signed tree head, oldest first (``tree-heads-list``)."""
        return self._client._paginate(
            _HEADS, page_type=Page[SignedTreeHead], limit=limit, budget=budget
        )


class AsyncInclusionProofs(AsyncAPIResource):
    async def get(
        self, leaf_index: int, tree_size: int, *, budget: float | None = None
    ) -> InclusionProof:
        """An inclusion proof (``inclusion-proofs-get``); see :meth:`InclusionProofs.get`."""
        params = {"leaf_index": leaf_index, "tree_size": tree_size}
        return await self._client.request(
            "GET", f"{_PROOFS}/inclusion", params=params, cast_to=InclusionProof, budget=budget
        )


class AsyncConsistencyProofs(AsyncAPIResource):
    async def get(
        self, first: int, second: int, *, budget: float | None = None
    ) -> ConsistencyProof:
        """A consistency proof (``consistency-proofs-get``); see :meth:`ConsistencyProofs.get`."""
        params = {"first": first, "second": second}
        return await self._client.request(
            "GET", f"{_PROOFS}/consistency", params=params, cast_to=ConsistencyProof, budget=budget
        )


class AsyncTransparency(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient, attestations: AsyncAttestations) -> None:
        super().__init__(client)
        self.latest_tree_head = AsyncLatestTreeHead(client)
        self.tree_heads = AsyncTreeHeads(client)
        self.inclusion_proofs = AsyncInclusionProofs(client)
        self.consistency_proofs = AsyncConsistencyProofs(client)
        self._attestations = attestations

    async def check_latest(
        self, *, memory: TreeHeadMemory | None = None, jwks: JwksInput | None = None
    ) -> SignedTreeHead:
        """The latest tree head, verified and checked against ``memory``; see
        :meth:`Transparency.check_latest`."""
        keys = jwks if jwks is not None else await self._attestations.trusted_jwks()
        head = verify_tree_head(await self.latest_tree_head.get(), keys, issuer=self._client.issuer)
        last = memory.last() if memory is not None else None
        if last is not None and memory is not None:
            verify_tree_head(last, keys)
            proof = (
                await self.consistency_proofs.get(last.tree_size, head.tree_size)
                if last.tree_size <= head.tree_size
                else ConsistencyProof(first=last.tree_size, second=head.tree_size, proof=[])
            )
            verify_consistency_proof(last, head, proof)
        if memory is not None:
            memory.remember(head)
        return head
