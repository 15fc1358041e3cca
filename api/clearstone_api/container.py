"""What a running service holds, typed: one :class:`AppContainer` instead of untyped
``app.state`` attributes.

``create_app`` builds one from the settings and keeps it on the app; routes reach it through
:func:`clearstone_api.routes.dependencies.container`, tests and benchmarks through
:func:`container_of`. Nothing here imports the web stack, so a worker process or a CLI command
can build the same container and call services with it::

    container = AppContainer.from_settings(Settings())
    with unit_of_work(container.database) as uow:
        reference = container.references.current(uow.session)
    await container.aclose()
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Protocol

from clearstone_api.db import Database
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.keys import load_key_set
from clearstone_api.security.rate_limits import RateLimiter
from clearstone_api.security.token_grants import GrantGuard
from clearstone_api.security.tokens import Tokens
from clearstone_api.services.attestations import Attester
from clearstone_api.services.certificates import CertificateCache
from clearstone_api.services.job_queue import ProcrastinateQueue
from clearstone_api.services.jobs import JobQueue
from clearstone_api.services.reference_store import ReferenceStore
from clearstone_api.services.webhook_dispatch import Dispatcher
from clearstone_api.settings import Settings

__all__ = ["AppContainer", "HasState", "container_of", "install_container"]

_STATE_KEY = "container"


@dataclass(frozen=True, eq=False)
class AppContainer:
    """The long-lived objects of one service process, each built once from its settings."""

    settings: Settings
    database: Database
    """Both engines, and on PostgreSQL the asyncpg pool of the hot reads."""
    references: ReferenceStore
    """The reference data in force (shipped files plus analyst changes), cached by revision."""
    certificate_cache: CertificateCache
    """Public certificate views; cleared after every write that can change one."""
    tokens: Tokens
    """Issues and verifies access tokens with the signing key set."""
    attester: Attester
    """Signs assessments as attestations."""
    rate_limiter: RateLimiter
    """The rate-limit policies and their counters (in process, or in Redis)."""
    secret_hasher: SecretHasher
    """Checks client secrets under the server-side pepper."""
    grant_guard: GrantGuard
    """Caps concurrent token grants and throttles failed secrets per client id."""
    jobs: JobQueue
    """The job queue: enqueue background work (:mod:`clearstone_api.services.jobs`)."""
    cursor_key: bytes
    """Signs list cursors (derived from the pepper)."""
    webhooks: Dispatcher
    """Sends webhook deliveries once their event commits (``CLEARSTONE_WEBHOOK_DELIVERY``)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> AppContainer:
        """Everything built for ``settings``; nothing connects until first used."""
        tokens = Tokens(
            load_key_set(settings),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            ttl_seconds=settings.access_token_ttl_seconds,
            cache_size=settings.token_cache_size,
        )
        limiter = RateLimiter(settings)
        database = Database.from_settings(settings)
        jobs = ProcrastinateQueue(settings, database)
        pepper = load_pepper(settings)
        webhooks = Dispatcher(database, settings, jobs)
        webhooks.install()
        container = cls(
            settings=settings,
            database=database,
            references=ReferenceStore(settings.reference_dir),
            certificate_cache=CertificateCache(
                settings.lookup_cache_ttl_seconds, settings.lookup_cache_size
            ),
            tokens=tokens,
            attester=Attester(tokens, settings.token_issuer),
            rate_limiter=limiter,
            secret_hasher=SecretHasher(pepper),
            grant_guard=GrantGuard(settings, limiter),
            jobs=jobs,
            cursor_key=hmac.new(pepper, b"clearstone cursors v1", hashlib.sha256).digest(),
            webhooks=webhooks,
        )
        jobs.attach(container)  # what the in-process worker hands to tasks
        return container

    async def aclose(self) -> None:
        """Stop the in-process job worker and webhook timers; close the rate limiter's store and
        every database connection."""
        self.webhooks.close()
        self.jobs.close()
        await self.rate_limiter.aclose()
        await self.database.dispose()


class HasState(Protocol):
    """An application with a ``state`` namespace (Starlette's and FastAPI's apps)."""

    state: Any


def install_container(app: HasState, container: AppContainer) -> None:
    """Keep ``container`` on ``app``: the one attribute the app's state holds."""
    setattr(app.state, _STATE_KEY, container)


def container_of(app: HasState) -> AppContainer:
    """The container :func:`install_container` kept on ``app``."""
    found = getattr(app.state, _STATE_KEY, None)
    if not isinstance(found, AppContainer):
        raise LookupError("this app has no AppContainer: build it with create_app")
    return found
