"""Webhook endpoints and signed deliveries to a real receiver on 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select
from standardwebhooks import Webhook

from clearstone import (
    Clearstone,
    Event,
    StoneAssessmentChanged,
    WebhookVerificationError,
    unwrap_webhook,
)
from clearstone_api.container import container_of
from clearstone_api.models.webhook import WebhookDelivery
from clearstone_api.security.scopes import Role
from clearstone_api.services.webhook_delivery import SCHEDULE, deliver
from tests.api.conftest import Auth, Loader
from tests.api.factories import incident
from tests.api.receiver import Receiver, receiver
from tests.support.harness import ASGIClient

CERTIFICATE = "DEMO-BW-2023"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


@pytest.fixture
def shop(auth: Auth) -> dict[str, str]:
    return auth(Role.retailer, tenant="bright-jewels")


@pytest.fixture
def analyst(auth: Auth) -> dict[str, str]:
    return auth(Role.analyst, tenant="clearstone")


def _endpoint(client: ASGIClient, headers: dict[str, str], url: str, **body: Any) -> dict[str, Any]:
    created = client.post("/v1/webhook-endpoints", json={"url": url, **body}, headers=headers)
    assert created.status_code == 201, created.text
    endpoint: dict[str, Any] = created.json()
    return endpoint


def _attempts(client: ASGIClient, headers: dict[str, str], endpoint_id: str) -> list[Any]:
    response = client.get(f"/v1/webhook-endpoints/{endpoint_id}/attempts", headers=headers)
    assert response.status_code == 200, response.text
    data: list[Any] = response.json()["data"]
    return data


def test_an_incident_reaches_a_watching_retailer_as_a_signed_webhook_the_sdk_verifies(
    load: Loader, client: ASGIClient, shop: dict[str, str], analyst: dict[str, str], hook: Receiver
) -> None:
    load(CERTIFICATE)
    screened = client.post(
        "/v1/checkout/screenings", json={"items": [CERTIFICATE], "watch": True}, headers=shop
    )
    stone_id = screened.json()["items"][0]["stone_id"]
    endpoint = _endpoint(client, shop, hook.url, event_types=["stone.assessment.changed"])
    assert endpoint["secret"].startswith("whsec_")
    change = client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    assert change.status_code == 201, change.text
    assert len(hook.received) == 1
    delivered = hook.received[0]
    event = unwrap_webhook(delivered.body, delivered.headers, endpoint["secret"])
    assert isinstance(event, StoneAssessmentChanged)
    assert event.data.stone_id == stone_id
    assert event.data.cause.reference_change_id == change.json()["change_id"]
    assert event.data.before.csc_result != event.data.after.csc_result
    assert delivered.headers["webhook-id"] == event.id
    feed = client.get("/v1/events", params={"type": "stone.assessment.changed"}, headers=shop)
    assert [e["id"] for e in feed.json()["data"]] == [event.id]
    (attempt,) = _attempts(client, shop, endpoint["id"])
    assert (attempt["succeeded"], attempt["status_code"], attempt["event_id"]) == (
        True,
        204,
        event.id,
    )


def test_endpoints_are_created_listed_updated_and_deleted_and_the_secret_shown_once(
    client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, shop, hook.url, description="till 1")
    fetched = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=shop).json()
    assert "secret" not in fetched
    assert fetched == {k: v for k, v in endpoint.items() if k != "secret"}
    listed = client.get("/v1/webhook-endpoints", headers=shop).json()["data"]
    assert [e["id"] for e in listed] == [endpoint["id"]]
    updated = client.request(
        "PATCH",
        f"/v1/webhook-endpoints/{endpoint['id']}",
        json={"event_types": ["reference.change.applied"], "enabled": False},
        headers=shop,
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["event_types"], updated.json()["enabled"]) == (
        ["reference.change.applied"],
        False,
    )
    assert updated.json()["description"] == "till 1"  # left out: unchanged
    bad = client.request(
        "PATCH",
        f"/v1/webhook-endpoints/{endpoint['id']}",
        json={"event_types": ["nope"]},
        headers=shop,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "body.event_types"
    assert client.delete(f"/v1/webhook-endpoints/{endpoint['id']}", headers=shop).status_code == 204
    assert client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=shop).status_code == 404


def test_a_test_delivery_is_signed_and_logged(
    client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, shop, hook.url, event_types=["stone.assessment.changed"])
    sent = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    assert sent.status_code == 202, sent.text
    assert sent.json()["trigger"] == "test"
    (delivered,) = hook.received
    event = unwrap_webhook(delivered.body, delivered.headers, endpoint["secret"])
    assert (type(event), event.type) == (Event, "webhook.test")
    assert delivered.headers["Content-Type"] == "application/json"
    (attempt,) = _attempts(client, shop, endpoint["id"])
    assert attempt["delivery_id"] == sent.json()["id"]


def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, shop, hook.url)
    rotated = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/secret-rotations", headers=shop)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != endpoint["secret"] and new.startswith("whsec_")
    expires = dt.datetime.fromisoformat(rotated.json()["previous_secret_expires_at"])
    assert dt.timedelta(hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)
    client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    (delivered,) = hook.received
    assert len(delivered.headers["webhook-signature"].split(" ")) == 2
    for secret in (new, endpoint["secret"]):
        assert unwrap_webhook(delivered.body, delivered.headers, secret).type == "webhook.test"


def test_a_replay_delivers_an_event_of_the_feed_again_with_the_same_id(
    client: ASGIClient, analyst: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, analyst, hook.url, event_types=["reference.change.applied"])
    client.post(
        "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
    )
    (first,) = hook.received
    event_id = first.headers["webhook-id"]
    again = client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/replays",
        json={"event_id": event_id},
        headers=analyst,
    )
    assert again.status_code == 202, again.text
    assert again.json()["trigger"] == "replay"
    assert [r.headers["webhook-id"] for r in hook.received] == [event_id, event_id]
    assert hook.received[1].body == first.body
    ghost = client.post(
        f"/v1/webhook-endpoints/{endpoint['id']}/replays",
        json={"event_id": "evt_" + "0" * 24},
        headers=analyst,
    )
    assert ghost.status_code == 404


def test_failures_are_retried_on_the_schedule_then_the_endpoint_is_disabled(
    app: FastAPI, client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    hook.status = 500
    endpoint = _endpoint(client, shop, hook.url, event_types=["webhook.test"])
    sent = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    delivery_id = sent.json()["id"]
    held = container_of(app)
    with held.database.session() as session:
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None
        first_wait = row.next_attempt_at - dt.datetime.now(dt.UTC)  # type: ignore[operator]
    assert (row.state, row.attempts) == ("pending", 1)
    assert dt.timedelta(seconds=3) < first_wait <= dt.timedelta(seconds=6)  # 5 s ± 20 %
    moment = dt.datetime.now(dt.UTC)
    for expected in SCHEDULE[1:]:
        # Not due yet: nothing is sent.
        assert deliver(held.database, held.settings, delivery_id, now=moment).state == "skipped"
        moment += expected * 1.25
        outcome = deliver(held.database, held.settings, delivery_id, now=moment)
        assert outcome.state == "pending"
    moment += dt.timedelta(days=1)
    assert deliver(held.database, held.settings, delivery_id, now=moment).state == "failed"
    assert len(hook.received) == len(SCHEDULE) + 1
    after = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=shop).json()
    assert after["enabled"] is False
    assert "three days" in after["disabled_reason"]
    disabled = client.get(
        "/v1/events", params={"type": "webhook_endpoint.disabled"}, headers=shop
    ).json()["data"]
    assert [e["subject"] for e in disabled] == [endpoint["id"]]
    attempts = _attempts(client, shop, endpoint["id"])
    assert len(attempts) == len(SCHEDULE) + 1
    assert {a["status_code"] for a in attempts} == {500}
    # Re-enabled by its owner, it receives again.
    hook.status = 200
    client.request(
        "PATCH", f"/v1/webhook-endpoints/{endpoint['id']}", json={"enabled": True}, headers=shop
    )
    client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    assert _attempts(client, shop, endpoint["id"])[0]["succeeded"] is True


def test_410_gone_disables_the_endpoint_at_once_and_redirects_are_not_followed(
    app: FastAPI, client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    hook.status, hook.headers = 302, {"Location": "http://127.0.0.1:9/elsewhere"}
    endpoint = _endpoint(client, shop, hook.url)
    client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    (attempt,) = _attempts(client, shop, endpoint["id"])
    assert (attempt["succeeded"], attempt["status_code"]) == (False, 302)
    assert [r.path for r in hook.received] == ["/hook"]
    hook.status, hook.headers = 410, {}
    client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    after = client.get(f"/v1/webhook-endpoints/{endpoint['id']}", headers=shop).json()
    assert (after["enabled"], after["disabled_reason"]) == (
        False,
        "The receiver answered 410 Gone.",
    )
    with container_of(app).database.session() as session:
        states = {d.state for d in session.exec(select(WebhookDelivery)).all()}
    assert "failed" in states


def test_only_entitled_events_reach_an_endpoint_and_its_type_filter_holds(
    load: Loader,
    client: ASGIClient,
    auth: Auth,
    analyst: dict[str, str],
    hook: Receiver,
) -> None:
    load(CERTIFICATE)
    bystander = auth(Role.retailer, tenant="other-shop")
    with receiver() as other:
        _endpoint(client, bystander, other.url)
        filtered = _endpoint(client, analyst, hook.url, event_types=["reassessment.finished"])
        client.post(
            "/v1/reference/incidents", json={"incident": incident(), "note": "n"}, headers=analyst
        )
        assert other.received == []
    types = [json.loads(r.body)["type"] for r in hook.received]
    assert types == ["reassessment.finished"]
    assert filtered["event_types"] == ["reassessment.finished"]


def test_another_tenant_cannot_see_or_touch_an_endpoint(
    client: ASGIClient, auth: Auth, shop: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, shop, hook.url)
    rival = auth(Role.retailer, tenant="rival")
    assert client.get("/v1/webhook-endpoints", headers=rival).json()["data"] == []
    ghost = "ep_" + "0" * 24
    path = "/v1/webhook-endpoints/{}"
    for method, tail, body in (
        ("GET", "", None),
        ("PATCH", "", {"enabled": False}),
        ("DELETE", "", None),
        ("POST", "/secret-rotations", None),
        ("POST", "/test-deliveries", None),
        ("GET", "/attempts", None),
    ):
        theirs = client.request(
            method, path.format(endpoint["id"]) + tail, json=body, headers=rival
        )
        missing = client.request(method, path.format(ghost) + tail, json=body, headers=rival)
        assert theirs.status_code == missing.status_code == 404, (method, tail)
    assert hook.received == []
    assert client.get(path.format(endpoint["id"]), headers=shop).json()["enabled"] is True


def test_unwrap_refuses_a_bad_signature_a_stale_timestamp_and_missing_headers() -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps(
        {"id": "evt_1", "type": "x.new", "occurred_at": "2026-12-05T00:00:00Z", "data": {}}
    ).encode()
    now = dt.datetime.now(dt.UTC)

    def headers(at: dt.datetime, key: str = secret) -> dict[str, str]:
        return {
            "webhook-id": "evt_1",
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(key).sign("evt_1", at, body),
        }

    event = unwrap_webhook(body, headers(now), secret)
    assert (type(event), event.type) == (Event, "x.new")  # an unknown type still parses
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
    with pytest.raises(WebhookVerificationError, match="not authentic"):
        unwrap_webhook(body, headers(now, other), secret)
    with pytest.raises(WebhookVerificationError, match="too old"):
        unwrap_webhook(body, headers(now - dt.timedelta(minutes=10)), secret)
    with pytest.raises(WebhookVerificationError, match="not authentic"):
        unwrap_webhook(body + b" ", headers(now), secret)
    with pytest.raises(WebhookVerificationError, match="Missing"):
        unwrap_webhook(body, {}, secret)


def test_the_deliver_command_sends_what_is_due_once(
    app: FastAPI,
    settings: Any,
    client: ASGIClient,
    shop: dict[str, str],
    hook: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clearstone_api.cli import main

    container_of(app).webhooks.close()  # this process sends nothing itself: the command does
    endpoint = _endpoint(client, shop, hook.url)
    client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
    assert hook.received == []
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", settings.url)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    monkeypatch.setenv("CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE", "1")
    main(["deliver-webhooks"])
    main(["deliver-webhooks"])
    out = capsys.readouterr().out
    assert "attempted 1 due webhook delivery" in out
    assert "attempted 0 due webhook deliveries" in out
    assert len(hook.received) == 1


def test_deliveries_run_as_jobs_on_the_job_queue(settings: Any, hook: Receiver) -> None:
    from clearstone_api.app import create_app
    from clearstone_api.services.webhook_dispatch import deliver_due

    app = create_app(settings.model_copy(update={"webhook_delivery": "queue"}))
    client = ASGIClient(app)
    held = container_of(app)
    shop = {"Authorization": f"Bearer {_token(app)}"}
    try:
        endpoint = _endpoint(client, shop, hook.url)
        sent = client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
        assert sent.status_code == 202, sent.text
        assert held.jobs.wait_idle(30)
        (delivered,) = hook.received
        assert unwrap_webhook(delivered.body, delivered.headers, endpoint["secret"]).type == (
            "webhook.test"
        )
        # The sweep finds nothing left to do: the job delivered it.
        assert deliver_due(held.database, held.settings, enqueue=held.jobs) == 0
        hook.status = 503
        client.post(f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries", headers=shop)
        assert held.jobs.wait_idle(30)
        failed = _attempts(client, shop, endpoint["id"])[0]
        assert (failed["succeeded"], failed["status_code"]) == (False, 503)
        with held.database.session() as session:
            retry = session.get(WebhookDelivery, failed["delivery_id"])
            assert retry is not None
            assert (retry.state, retry.attempts) == ("pending", 1)
    finally:
        client.close()


def _token(app: FastAPI) -> str:
    from tests.support.harness import mint_token

    return mint_token(app, Role.retailer, tenant="bright-jewels")


def _deliveries_counted(client: ASGIClient, outcome: str) -> float:
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    for family in text_string_to_metric_families(metrics.text):
        for sample in family.samples:
            if sample.name == "clearstone_webhook_deliveries_total" and sample.labels == {
                "outcome": outcome
            }:
                return sample.value
    return 0.0


def test_delivery_attempts_are_counted_by_outcome_in_the_metrics(
    client: ASGIClient, shop: dict[str, str], hook: Receiver
) -> None:
    endpoint = _endpoint(client, shop, hook.url)
    test_delivery = f"/v1/webhook-endpoints/{endpoint['id']}/test-deliveries"
    delivered, failed = (_deliveries_counted(client, o) for o in ("delivered", "failed"))
    assert client.post(test_delivery, headers=shop).status_code == 202
    hook.status = 503
    assert client.post(test_delivery, headers=shop).status_code == 202
    assert client.post(test_delivery, headers=shop).status_code == 202
    assert len(hook.received) == 3
    assert _deliveries_counted(client, "delivered") == delivered + 1
    assert _deliveries_counted(client, "failed") == failed + 2


def _cli(*args: str, env: dict[str, str]) -> str:
    cli = Path(sys.executable).with_name("clearstone-api")
    return subprocess.run([cli, *args], env=env, capture_output=True, text=True, check=True).stdout


def _client(env: dict[str, str], role: str, tenant: str, base_url: str) -> Clearstone:
    made = json.loads(_cli("create-client", "--role", role, "--tenant", tenant, "--json", env=env))
    return Clearstone(
        base_url=base_url, client_id=made["client_id"], client_secret=made["client_secret"]
    )


def test_an_incident_reaches_a_watching_retailer_through_make_serve_on_sqlite(
    tmp_path: Path, hook: Receiver
) -> None:
    """What ``make serve`` runs (SQLite, jobs and deliveries in the serving process), over
    real HTTP: the analyst's incident re-assesses the watched stone and the retailer's
    receiver gets the change, signed, and its SDK verifies it."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLEARSTONE_")},
        "CLEARSTONE_DATA_DIR": str(tmp_path),
        "CLEARSTONE_ENVIRONMENT": "development",
        "CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE": "1",  # as `make serve`
        "CLEARSTONE_RATE_LIMIT_ENABLED": "false",
    }
    for step in ("migrate", "release-reference", "load-demo"):  # make serve's steps
        _cli(step, env=env)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    cli = Path(sys.executable).with_name("clearstone-api")
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90  # a busy machine starts an interpreter slowly
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        with (
            _client(env, "retailer", "serve-shop", base_url) as shop,
            _client(env, "analyst", "clearstone", base_url) as analyst,
        ):
            screened = shop.checkout.screen([CERTIFICATE], watch=True)
            stone_id = screened.items[0].stone_id
            endpoint = shop.webhook_endpoints.create(
                hook.url, event_types=["stone.assessment.changed"]
            )
            change = analyst.reference.incidents.create(incident(), note="test")
            deadline = time.monotonic() + 60
            while not hook.received:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
            (delivered,) = hook.received
            event = shop.webhooks.unwrap(delivered.body, delivered.headers, endpoint.secret)
            assert isinstance(event, StoneAssessmentChanged)
            assert event.data.stone_id == stone_id
            assert event.data.cause.reference_change_id == change.change_id
            assert event.data.before.csc_result != event.data.after.csc_result
            (attempt,) = shop.webhook_endpoints.attempts.list(endpoint.id)
            assert (attempt.event_id, attempt.status_code) == (event.id, 204)
    finally:
        server.terminate()
        server.wait(timeout=30)
