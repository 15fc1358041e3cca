"""The route layer's FastAPI dependencies: the app's container, the request's unit of work and
session, and ``Idempotency-Key`` claims. (The principal dependencies are in :mod:`.auth`.)

Services never see a request: a route takes these and passes plain objects on::

    def create_lot(
        body: LotCreate, uow: UnitOfWorkDep, principal: RecordsWriter, claim: IdempotencyDep
    ) -> LotPublic:
        return lots.create_lot(uow, principal, body, claim)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Header, Request
from starlette.responses import Response

from clearstone_api.container import AppContainer, container_of
from clearstone_api.domain.reference import Reference
from clearstone_api.routes.auth import Authenticated
from clearstone_api.routes.created import location_of
from clearstone_api.services.attestations import Attester
from clearstone_api.services.certificates import CertificateCache
from clearstone_api.services.idempotency import (
    IdempotencyClaim,
    IdempotentReplay,
    claim_key,
    release_after_failure,
)
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.services.unit_of_work import Session, UnitOfWork, unit_of_work

__all__ = [
    "IDEMPOTENCY_HEADER",
    "REPLAYED_HEADER",
    "ContainerDep",
    "IdempotencyDep",
    "SessionDep",
    "UnitOfWorkDep",
    "attester",
    "certificate_cache",
    "container",
    "current_reference",
    "reference_store",
    "replay_response",
]

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def container(request: Request) -> AppContainer:
    """What the app holds (:class:`~clearstone_api.container.AppContainer`)."""
    return container_of(request.app)


ContainerDep = Annotated[AppContainer, Depends(container)]


def attester(request: Request) -> Attester:
    return container(request).attester


def reference_store(request: Request) -> ReferenceStore:
    return container(request).references


def current_reference(request: Request, session: Session) -> Reference:
    return reference_store(request).current(session)


def certificate_cache(request: Request) -> CertificateCache:
    return container(request).certificate_cache


def _unit_of_work(request: Request, background: BackgroundTasks) -> Iterator[UnitOfWork]:
    """The request's unit of work, committed before the response is sent.

    Used with ``scope="function"`` so that the commit happens before the response starts: a
    failing commit becomes an error response, never a 201 for a write that did not happen.
    Deferred work runs as a background task, after the response.
    """
    with unit_of_work(container(request).database, defer=background.add_task) as uow:
        yield uow


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]


def _session(uow: UnitOfWorkDep) -> Session:
    return uow.session


SessionDep = Annotated[Session, Depends(_session)]
"""The session of the request's unit of work (for routes that only read)."""


async def replay_response(request: Request, exc: Exception) -> Response:
    """The stored response of a request already answered (an exception handler); a 201 keeps
    its ``Location``."""
    assert isinstance(exc, IdempotentReplay)
    headers = {REPLAYED_HEADER: "true"}
    if exc.status_code == 201:
        resource_id = json.loads(exc.body).get("id")
        if isinstance(resource_id, str | int):
            headers["Location"] = location_of(request.url.path, resource_id)
    return Response(
        exc.body, status_code=exc.status_code, media_type="application/json", headers=headers
    )


async def _idempotency(
    request: Request,
    principal: Authenticated,
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=255,
            pattern=r"^[\x21-\x7E]+$",
            description="Retry-safe key: the same key and body replay the first response.",
        ),
    ] = None,
) -> AsyncIterator[IdempotencyClaim]:
    """Claim ``Idempotency-Key`` for this request, in the caller's own key space; release it if
    the request fails."""
    app = container(request)
    lock_seconds = app.settings.idempotency_lock_seconds
    claim = await claim_key(
        app.database,
        "client:" + principal.id,
        key,
        f"{request.method} {request.url.path}",
        await request.body() if key is not None else b"",
        lock_seconds,
    )
    try:
        yield claim
    except BaseException:
        await release_after_failure(claim, lock_seconds)
        raise


IdempotencyDep = Annotated[IdempotencyClaim, Depends(_idempotency)]
