"""The service's one error vocabulary: plain exceptions the domain and services raise.

Nothing here knows of HTTP frameworks: each class carries the status, slug and title that the
HTTP layer (:mod:`clearstone_api.http_errors`) renders as RFC 9457 ``application/problem+json``,
so that a worker process or the CLI can run a service without the web stack::

    ClearstoneError            any problem the service reports on purpose
     ├── BadRequest            400
     ├── Unauthorized          401, with WWW-Authenticate: Bearer
     ├── Forbidden             403
     ├── NotFound              404
     ├── Conflict              409
     │    └── IdempotencyInProgress
     ├── PayloadTooLarge       413
     ├── Unprocessable         422, naming each invalid field in ``errors``
     │    └── IdempotencyKeyReused
     ├── TooManyRequests       429, with Retry-After
     └── ServiceUnavailable    503
          └── DatabaseUnavailable  503, with Retry-After (also raised for SQLAlchemy's
                                   connection errors: the database is down or restarting)

A bug is a 500 problem whose detail says nothing about the internals.

Example::

    raise NotFound(f"No stone {stone_id}.")
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

__all__ = [
    "BadRequest",
    "ClearstoneError",
    "Conflict",
    "DatabaseUnavailable",
    "FieldError",
    "Forbidden",
    "IdempotencyInProgress",
    "IdempotencyKeyReused",
    "NotFound",
    "NumberAmbiguous",
    "NumberDisputed",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "Unprocessable",
]


class FieldError(BaseModel):
    """One invalid input field."""

    path: str
    """Dotted path to the field, e.g. ``body.events.3.items.0`` or ``query.limit``."""
    message: str
    type: str
    """Machine-readable error type, e.g. ``missing``, ``string_too_long``, ``unknown_reference``."""


class ClearstoneError(Exception):
    """A problem the service reports on purpose."""

    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal server error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extensions: dict[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers = headers or {}
        self.extensions = extensions or {}
        """Extension members of the problem (RFC 9457 §3.2), such as OAuth's ``error``."""


class BadRequest(ClearstoneError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ClearstoneError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, *, error: str | None = None) -> None:
        # RFC 6750 §3: no error code when no credentials were sent, ``invalid_token`` otherwise.
        challenge = f'Bearer error="{error}"' if error else "Bearer"
        super().__init__(detail, headers={"WWW-Authenticate": challenge})


class Forbidden(ClearstoneError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ClearstoneError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ClearstoneError):
    status, slug, title = 409, "conflict", "Conflict"


class IdempotencyInProgress(Conflict):
    slug, title = "idempotency-in-progress", "A request with this Idempotency-Key is in progress"


class PayloadTooLarge(ClearstoneError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class Unprocessable(ClearstoneError):
    status, slug, title = 422, "invalid-input", "Invalid input"


class IdempotencyKeyReused(Unprocessable):
    slug, title = "idempotency-key-reused", "Idempotency-Key reused with a different request"


class TooManyRequests(ClearstoneError):
    status, slug, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(ClearstoneError):
    status, slug, title = 503, "not-ready", "Not ready"


class DatabaseUnavailable(ServiceUnavailable):
    slug, title = "database-unavailable", "Database unavailable"

    RETRY_AFTER_SECONDS = 2
    """A PostgreSQL restart or failover takes seconds; pools reconnect by themselves."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)})


class NumberDisputed(Conflict):
    """Several tenants claim the number and its grading lab has not decided: no verdict."""

    slug, title = "certificate-number-disputed", "Certificate number disputed"


class NumberAmbiguous(Conflict):
    """Several labs' reports share the bare number: ``choices`` lists the lab-qualified ones."""

    slug, title = "certificate-number-ambiguous", "Several reports have this number"
