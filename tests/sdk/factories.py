"""Named test data for the SDK: API answers, problems, tokens, pages and a mock server."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from clearstone._constants import TOKEN_PATH

__all__ = [
    "BASE_URL",
    "MockServer",
    "Reply",
    "certificate_view",
    "http_date",
    "ok",
    "page",
    "problem",
    "screening_result",
    "token",
]

BASE_URL = "https://api.clearstone.test"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def ok(
    body: Any = None, *, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        json={"ok": True} if body is None else body,
        headers={"X-Request-Id": "req-ok", **(headers or {})},
    )


def problem(
    status: int,
    *,
    title: str = "Problem",
    detail: str = "Something went wrong.",
    request_id: str = "req-123",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """An RFC 9457 answer as the Clearstone server renders it."""
    body: dict[str, Any] = {
        "type": f"https://clearstone.dev/problems/status-{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }
    if errors is not None:
        body["errors"] = errors
    return httpx.Response(
        status,
        json=body,
        headers={
            "Content-Type": "application/problem+json",
            "X-Request-Id": request_id,
            **(headers or {}),
        },
    )


def token(access_token: str = "tok-1", *, expires_in: float | None = 900) -> httpx.Response:
    body: dict[str, Any] = {
        "access_token": access_token,
        "token_type": "Bearer",
        "scope": "screenings",
    }
    if expires_in is not None:
        body["expires_in"] = expires_in
    return httpx.Response(200, json=body)


def page(items: Sequence[Any], *, next_cursor: str | None = None) -> httpx.Response:
    return ok(
        {"data": list(items), "has_more": next_cursor is not None, "next_cursor": next_cursor}
    )


def http_date(seconds_from_now: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now)
    return email.utils.format_datetime(when, usegmt=True)


def certificate_view(**changes: Any) -> dict[str, Any]:
    """The consumer view of a Botswana stone that passes both standards."""
    return {
        "stone": {
            "id": "CS-7Q2K",
            "origin": "natural",
            "form": "polished",
            "carat": "1.01",
            "grading_lab": "GIA",
            "grading_report_number": "7770001",
        },
        "origin": {
            "countries": ["BW"],
            "areas": ["BW/Southern"],
            "sites": ["jwaneng"],
            "mixed": False,
            "evidence_level": "documented",
        },
        "as_of": "2026-11-01",
        "assessed_at": "2026-11-01T10:00:00Z",
        "policy_version": "2026.1",
        "reference_data_version": "2026-10-15",
        "kp": {
            "result": "pass",
            "summary": "Meets the KP's narrow definition.",
            "checks": [
                {
                    "id": "K01",
                    "title": "Participant",
                    "status": "pass",
                    "reason": "Botswana was a participant in good standing.",
                    "evidence": [{"kind": "participant_status", "id": "BW-2003"}],
                }
            ],
        },
        "csc": {
            "result": "no_known_red_flags",
            "risk_score": 3,
            "summary": "No known red flags.",
            "criteria": [
                {
                    "code": "C01",
                    "name": "Excessive use of force",
                    "level": "none",
                    "score": 0.0,
                    "reason": "No incident matched.",
                }
            ],
            "context": [],
            "scope_note": None,
        },
        "sanctions": {"result": "clear", "hits": []},
        "disclaimer": "A KP pass does not mean conflict-free in the broad sense.",
        **changes,
    }


def screening_result(**changes: Any) -> dict[str, Any]:
    return {
        "decision": "review",
        "items": [
            {
                "number": "7770001",
                "decision": "allow",
                "reasons": ["No rule applies."],
                "stone_id": "CS-7Q2K",
                "kp_result": "pass",
                "csc_result": "no_known_red_flags",
                "risk_score": 3,
                "as_of": "2026-11-01",
            },
            {
                "number": "9990000",
                "decision": "review",
                "reasons": ["Unknown number."],
                "stone_id": None,
                "kp_result": None,
                "csc_result": None,
                "risk_score": None,
                "as_of": None,
            },
        ],
        **changes,
    }


class MockServer:
    """Answers API requests in order from ``replies`` and token requests from ``tokens``.

    A reply is a response, an exception to raise (a transport failure) or a function of the
    request. Every request is recorded; an unexpected one fails the test.
    """

    def __init__(self, *replies: Reply, tokens: Sequence[Reply] = ()) -> None:
        self.replies = list(replies)
        self.tokens = list(tokens)
        self.requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        is_token = request.url.path == TOKEN_PATH
        queue = self.tokens if is_token else self.replies
        (self.token_requests if is_token else self.requests).append(request)
        assert queue, f"unexpected request {request.method} {request.url}"
        reply = queue.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)
