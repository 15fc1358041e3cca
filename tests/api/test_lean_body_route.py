"""The checkout screen's :class:`~clearstone_api.routes.lean_body.LeanBodyRoute`: the same answer,
byte for byte, as FastAPI's own handler for the same endpoint, and the same refusals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from clearstone_api.routes.auth import AuthorizedRoute, requires
from clearstone_api.routes.checkout import create_screening
from clearstone_api.routes.lean_body import LeanBodyRoute
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Role, Scope
from clearstone_api.services.screening import ScreeningCreate, ScreeningPublic
from tests.api.conftest import Auth, Loader
from tests.support.harness import ASGIClient

LEAN = "/v1/checkout/screenings"
REFERENCE = "/test/screenings-through-fastapi"


@pytest.fixture
def both(app: FastAPI) -> FastAPI:
    """The app, plus the screen's endpoint on FastAPI's own handler at ``REFERENCE``."""
    router = APIRouter(route_class=AuthorizedRoute)
    router.add_api_route(
        REFERENCE,
        create_screening,
        methods=["POST"],
        dependencies=[requires(Scope.screenings), strict_body(ScreeningCreate)],
        response_model=ScreeningPublic,
    )
    app.include_router(router)
    return app


CASES: list[tuple[str, Any, dict[str, str]]] = [
    ("valid", {"items": ["DEMO-BW-2023", "GIA-0000000001", " DEMO-BW-2023 "]}, {}),
    ("policy", {"items": ["DEMO-BW-2023"], "policy": {"unknown": "block"}}, {}),
    ("lax only", {"items": ["DEMO-BW-2023"], "policy": {"block_sanctions": 1}}, {}),
    ("unknown key", {"items": ["DEMO-BW-2023"], "extra": True}, {}),
    ("no items", {"items": []}, {}),
    ("not json", "items=1", {"Content-Type": "text/plain"}),
    ("malformed", "{", {"Content-Type": "application/json"}),
]


@pytest.mark.parametrize(("case", "body", "headers"), CASES, ids=[c[0] for c in CASES])
def test_the_lean_route_answers_as_fastapi_does(
    both: FastAPI, load: Loader, auth: Auth, case: str, body: Any, headers: dict[str, str]
) -> None:
    load("DEMO-BW-2023")
    client = ASGIClient(both)
    try:
        token = auth(Role.retailer, tenant="shop-1")
        sent: dict[str, Any] = (
            {"json": body} if not isinstance(body, str) else {"content": body.encode()}
        )
        lean = client.post(LEAN, headers={**token, **headers}, **sent)
        reference = client.post(REFERENCE, headers={**token, **headers}, **sent)
        assert lean.status_code == reference.status_code, (case, lean.text, reference.text)
        if lean.status_code == 200:
            assert lean.content == reference.content
        else:
            plain, expected = lean.json(), reference.json()
            for answer in (plain, expected):
                answer.pop("request_id", None)
                answer.pop("instance", None)
            assert plain == expected
        assert lean.headers["content-type"] == reference.headers["content-type"]
    finally:
        client.close()


@pytest.mark.parametrize("role", [None, Role.supplier])
def test_credentials_come_first_whatever_the_body(
    client: ASGIClient, auth: Auth, role: Role | None
) -> None:
    headers = auth(role) if role else {}
    for body in ({"items": ["DEMO-BW-2023"]}, {"items": 7}):
        response = client.post(LEAN, json=body, headers=headers)
        assert response.status_code == (401 if role is None else 403)


def test_a_lean_body_route_refuses_endpoints_it_cannot_serve_faithfully() -> None:
    router = APIRouter(route_class=LeanBodyRoute)
    with pytest.raises(TypeError, match="LeanBodyRoute"):
        router.add_api_route(  # no strict_body: FastAPI's lax body would be the only check
            "/x", create_screening, methods=["POST"], dependencies=[requires(Scope.screenings)]
        )
