"""The custody transparency log's public face: signed tree heads, inclusion and consistency
proofs. No authentication: anyone may audit the log (docs/attestations.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from clearstone_api.errors import NotFound
from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.dependencies import SessionDep
from clearstone_api.routes.responses import problems
from clearstone_api.services import transparency
from clearstone_api.services.transparency import (
    ConsistencyProof,
    InclusionProof,
    SignedTreeHead,
)

router = APIRouter(tags=["transparency"])

_PREFIX = "/v1/transparency"
MAX_SIZE = 2**53
TreeSize = Annotated[int, Query(ge=1, le=MAX_SIZE, description="A signed tree head's size.")]
_CACHE = "public, max-age=5, stale-while-revalidate=30"


@router.get(
    f"{_PREFIX}/tree-heads/latest",
    operation_id="tree-heads-latest-get",
    summary="The custody log's latest signed tree head",
    responses=problems(404),
)
def get_latest_tree_head(session: SessionDep, response: Response) -> SignedTreeHead:
    """The log's size and root now, signed with the attestation key. Keep it: a later head must
    be consistent with it (``consistency``), or the log was rewritten."""
    head = transparency.latest_tree_head(session)
    if head is None:
        raise NotFound("The custody log is empty: no tree head has been signed yet.")
    response.headers["Cache-Control"] = _CACHE
    return head


@router.get(
    f"{_PREFIX}/tree-heads",
    operation_id="tree-heads-list",
    summary="Every signed tree head, oldest first",
    responses=problems(422),
)
def list_tree_heads(page: PageParamsDep, session: SessionDep) -> Page[SignedTreeHead]:
    after = page.after if isinstance(page.after, int) else None
    data, more, last = transparency.list_tree_heads(session, page.limit, after)
    return Page[SignedTreeHead](
        data=data, has_more=more, next_cursor=page.cursor(last) if last else None
    )


@router.get(
    f"{_PREFIX}/tree-heads/{{tree_size}}",
    operation_id="tree-heads-get",
    summary="The signed tree head of one size",
    responses=problems(404, 422),
)
def get_tree_head(
    tree_size: Annotated[int, Path(ge=1, le=MAX_SIZE)], session: SessionDep, response: Response
) -> SignedTreeHead:
    head = transparency.tree_head(session, tree_size)
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return head


@router.get(
    f"{_PREFIX}/proofs/inclusion",
    operation_id="inclusion-proofs-get",
    summary="Prove that a leaf is in the tree of a signed tree head",
    responses=problems(422),
)
def get_inclusion_proof(
    leaf_index: Annotated[int, Query(ge=0, le=MAX_SIZE, description="The event's log_index.")],
    tree_size: TreeSize,
    session: SessionDep,
) -> InclusionProof:
    """RFC 9162 §2.1.3: hash the leaf with the audit path up to the root of ``tree_size``, and
    compare with that tree head's signed ``root_hash``."""
    return transparency.inclusion(session, leaf_index, tree_size)


@router.get(
    f"{_PREFIX}/proofs/consistency",
    operation_id="consistency-proofs-get",
    summary="Prove that an older tree head is a prefix of a newer one",
    responses=problems(422),
)
def get_consistency_proof(
    first: Annotated[int, Query(ge=1, le=MAX_SIZE, description="The older tree size.")],
    second: TreeSize,
    session: SessionDep,
) -> ConsistencyProof:
    """RFC 9162 §2.1.4: the log of ``second`` leaves extends the log of ``first`` unchanged."""
    return transparency.consistency(session, first, second)
