"""``Idempotency-Key`` on creating POSTs."""

from __future__ import annotations

from sqlalchemy import func, select

from clearstone_api.db import Database
from clearstone_api.models.idempotency import IdempotencyKey
from clearstone_api.models.lot import RoughLot
from clearstone_api.security.scopes import Role
from tests.api.conftest import SUPPLIER_ID, Auth
from tests.api.factories import lot
from tests.support.harness import ASGIClient


def _lots(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(RoughLot)).scalar_one())


def test_same_key_and_body_replays_without_a_second_write(
    supplier: ASGIClient, database: Database
) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = supplier.post("/v1/lots", json=lot(), headers=headers)
    second = supplier.post("/v1/lots", json=lot(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert _lots(database) == 1


def test_same_key_with_another_body_is_422(supplier: ASGIClient) -> None:
    headers = {"Idempotency-Key": "k-2"}
    assert supplier.post("/v1/lots", json=lot(), headers=headers).status_code == 201
    response = supplier.post("/v1/lots", json=lot("L2"), headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_concurrent_duplicate_is_409(supplier: ASGIClient, database: Database) -> None:
    first = supplier.post("/v1/lots", json=lot(), headers={"Idempotency-Key": "k-3"})
    assert first.status_code == 201
    with database.session() as session:  # a request that has claimed the key and not finished
        session.add(
            IdempotencyKey(
                client_id=f"client:{SUPPLIER_ID}",
                key="k-4",
                operation="POST /v1/lots",
                request_hash="x",
                state="in_progress",
            )
        )
    response = supplier.post("/v1/lots", json=lot("L9"), headers={"Idempotency-Key": "k-4"})
    assert response.status_code == 422  # a different body: reuse, reported before "in progress"


def test_duplicate_while_first_is_in_progress_is_409(
    supplier: ASGIClient, database: Database
) -> None:
    from clearstone_api.services.idempotency import _request_hash

    body = b'{"id":"L1","carat":"10.50"}'
    with database.session() as session:
        session.add(
            IdempotencyKey(
                client_id=f"client:{SUPPLIER_ID}",
                key="k-5",
                operation="POST /v1/lots",
                request_hash=_request_hash(body),
                state="in_progress",
            )
        )
    response = supplier.post(
        "/v1/lots",
        content=body,
        headers={"Idempotency-Key": "k-5", "content-type": "application/json"},
    )
    assert response.status_code == 409
    assert _lots(database) == 0


def test_failed_request_releases_its_key(supplier: ASGIClient, database: Database) -> None:
    headers = {"Idempotency-Key": "k-6"}
    assert (
        supplier.post("/v1/lots", json=lot(parent_lot_ids=["missing"]), headers=headers).status_code
        == 422
    )
    with database.engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(IdempotencyKey)).scalar_one() == 0
        )


def test_keys_are_scoped_per_client(supplier: ASGIClient, auth: Auth) -> None:
    headers = {"Idempotency-Key": "shared"}
    assert supplier.post("/v1/lots", json=lot(), headers=headers).status_code == 201
    other = supplier.post(
        "/v1/lots", json=lot(), headers={**headers, **auth(Role.supplier, tenant="other-co")}
    )
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers
