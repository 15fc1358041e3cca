"""Every error the SDK raises, as one tree::

    ClearstoneError
     └── APIError
          ├── APIConnectionError
          │    └── APITimeoutError
          └── APIStatusError
               ├── BadRequestError            400
               ├── AuthenticationError        401
               ├── PermissionDeniedError      403
               ├── NotFoundError              404
               ├── ConflictError              409
               ├── UnprocessableEntityError   422
               ├── RateLimitError             429
               └── InternalServerError        5xx

``ClearstoneError`` itself is raised for a misconfigured client (say, a client id without its
secret); ``APIError`` itself when a successful response cannot be read as the promised model;
``APIStatusError`` itself for a status without a class of its own (405, 408, 413...). No
``httpx`` exception escapes: each is wrapped, and kept as ``__cause__``.

Example::

    try:
        client.request("GET", "/v1/certificates/123", cast_to=CertificateView)
    except NotFoundError as exc:
        print(exc.status_code, exc.request_id, exc.detail)
"""

from __future__ import annotations

import json

import httpx
import pydantic

from clearstone._models import FieldError, Problem

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClearstoneError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "status_error_from_response",
]

REQUEST_ID_HEADER = "X-Request-Id"


class ClearstoneError(Exception):
    """The base of every error this SDK raises."""


class APIError(ClearstoneError):
    """A call to the API failed."""

    message: str
    request: httpx.Request | None
    """The request that failed (its headers include the credentials: do not log them)."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """No response: the connection failed or broke. Retried."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """No response in time, or the call's budget ran out. Retried while the budget allows."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status; the problem detail is parsed into it."""

    status_code: int
    request_id: str | None
    """The ``X-Request-Id`` of the response: quote it to support."""
    problem: Problem
    response: httpx.Response

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        problem: Problem,
        request_id: str | None,
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.problem = problem
        self.request_id = request_id

    @property
    def type(self) -> str:
        """The problem type URI (``about:blank`` when the status says it all)."""
        return self.problem.type

    @property
    def title(self) -> str | None:
        return self.problem.title

    @property
    def detail(self) -> str | None:
        return self.problem.detail

    @property
    def errors(self) -> list[FieldError]:
        """For 422: every invalid field, by its path."""
        return self.problem.errors

    def __str__(self) -> str:
        return f"{self.message} [request_id: {self.request_id or 'none'}]"


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: missing, wrong or expired credentials."""


class PermissionDeniedError(APIStatusError):
    """403: authenticated, but the token lacks the scope."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409, e.g. the same ``Idempotency-Key`` is still being processed."""


class UnprocessableEntityError(APIStatusError):
    """422: invalid input; ``errors`` names each invalid field."""


class RateLimitError(APIStatusError):
    """429. Retried after ``Retry-After``."""


class InternalServerError(APIStatusError):
    """5xx. Retried."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _problem_of(response: httpx.Response) -> Problem:
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return Problem(status=response.status_code)
    if "title" not in body and "detail" not in body and "error" in body:
        # An OAuth error (RFC 6749 §5.2) rather than a problem detail.
        body = {"title": body.get("error"), "detail": body.get("error_description"), **body}
    try:
        return Problem.model_validate(body)
    except pydantic.ValidationError:
        return Problem(status=response.status_code)


def _message(response: httpx.Response, problem: Problem) -> str:
    reason = problem.title or response.reason_phrase or "Error"
    message = f"{response.status_code} {reason}"
    if problem.detail:
        message += f": {problem.detail}"
    if problem.errors:
        message += " (" + "; ".join(f"{e.path}: {e.message}" for e in problem.errors[:5]) + ")"
    return message


def status_error_from_response(response: httpx.Response) -> APIStatusError:
    """The exception for an error ``response``, its problem+json body parsed into it."""
    status = response.status_code
    cls = InternalServerError if status >= 500 else _STATUS_ERRORS.get(status, APIStatusError)
    problem = _problem_of(response)
    request_id = response.headers.get(REQUEST_ID_HEADER) or problem.request_id
    return cls(
        _message(response, problem), response=response, problem=problem, request_id=request_id
    )
