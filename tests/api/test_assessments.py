"""``POST /v1/assessments``: inline records, not stored."""

from __future__ import annotations

import json

import pytest

from clearstone_api.security.scopes import Role
from clearstone_api.services.demo import vectors_path
from tests.api.conftest import Auth
from tests.support.harness import ASGIClient


def _vector(certificate: str) -> dict[str, object]:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    found: dict[str, object] = next(v for v in vectors if v["certificate"] == certificate)
    return found


@pytest.fixture
def assessor(client: ASGIClient, auth: Auth) -> ASGIClient:
    client.headers.update(auth(Role.retailer))
    return client


def test_inline_record_is_assessed(assessor: ASGIClient) -> None:
    client = assessor
    vector = _vector("DEMO-CF-BRIA-2019")
    response = client.post(
        "/v1/assessments", json={"record": vector["record"], "as_of": vector["as_of"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["kp"]["result"], body["as_of"]) == ("fail", vector["as_of"])


def test_record_with_dangling_reference_is_422_naming_the_path(assessor: ASGIClient) -> None:
    client = assessor
    record = dict(_vector("DEMO-BW-2023")["record"])  # type: ignore[call-overload]
    record["subject_id"] = "missing"
    response = client.post("/v1/assessments", json={"record": record})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body.record.subject_id"


def test_inline_assessment_stores_nothing(assessor: ASGIClient) -> None:
    client = assessor
    vector = _vector("DEMO-BW-2023")
    client.post("/v1/assessments", json={"record": vector["record"]})
    assert client.get("/v1/certificates/DEMO-BW-2023").status_code == 404
