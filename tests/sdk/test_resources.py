"""What the resource methods put on the wire, and what they give back (over a mock transport)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clearstone import Clearstone, CustodyEntry, Lot, Participant
from clearstone._exceptions import APIError
from clearstone._resource import SyncAPIResource
from clearstone._resources.checkout import degraded_reason

from .conftest import Harness
from .factories import MockServer, ok, page

Connect = Callable[..., Harness]

LOT = {
    "id": "CL-000000000001",
    "record_id": "L1",
    "created_at": "2026-11-01T10:00:00Z",
    "lot": {"id": "L1", "carat": "10.50", "kind": "rough_lot", "parcel_count": 1},
}


def test_unset_keywords_stay_out_of_the_body(connect: Connect) -> None:
    server = MockServer(ok(LOT, status=201))
    lot = connect(server).call("lots.create", "L1", carat="10.50", parcel_count=3)
    assert isinstance(lot, Lot) and lot.lot.carat == "10.50"
    assert json.loads(server.requests[0].content) == {
        "id": "L1",
        "carat": "10.50",
        "parcel_count": 3,
    }


def test_none_is_sent_as_null_where_the_caller_says_so(connect: Connect) -> None:
    server = MockServer(ok({"id": "CS-1"}, status=201))
    with pytest.raises(APIError):  # the answer is not a Stone; the request is what matters
        connect(server).call("stones.create", "S1", origin="natural", carat=1, description=None)
    assert json.loads(server.requests[0].content) == {
        "id": "S1",
        "origin": "natural",
        "carat": 1,
        "description": None,
    }


def test_dates_go_out_as_iso_strings(connect: Connect) -> None:
    participant = {
        "id": "CF",
        "name": "Central African Republic",
        "kind": "country",
        "on": "2019-06-01",
        "in_good_standing": False,
        "statuses": [],
    }
    server = MockServer(page([participant]))
    found = connect(server).call("reference.participants.list", on=dt.date(2019, 6, 1), limit=5)
    assert isinstance(found[0], Participant) and not found[0].in_good_standing
    assert server.requests[0].url.params["on"] == "2019-06-01"
    assert server.requests[0].url.params["limit"] == "5"


def test_list_filters_left_unset_are_not_sent(connect: Connect) -> None:
    server = MockServer(page([]))
    connect(server).call("reference.incidents.list", country="ZW")
    assert dict(server.requests[0].url.params) == {"country": "ZW"}


def test_a_list_walks_every_page(connect: Connect) -> None:
    server = MockServer(page([LOT], next_cursor="c1"), page([LOT]))
    assert len(connect(server).call("lots.list", limit=1)) == 2
    assert server.requests[1].url.params["after"] == "c1"


def test_the_attestation_is_read_as_text(connect: Connect) -> None:
    server = MockServer(
        httpx.Response(200, text="aaa.bbb.ccc", headers={"Content-Type": "application/jose"})
    )
    assert connect(server).call("certificates.attestations.get", "GIA-1") == "aaa.bbb.ccc"
    assert server.requests[0].headers["Accept"] == "application/jose"
    assert server.requests[0].url.path == "/v1/certificates/GIA-1/attestation"


def test_path_parameters_are_encoded(connect: Connect) -> None:
    server = MockServer(ok(LOT))
    connect(server).call("lots.get", "CL/../x")
    assert server.requests[0].url.raw_path == b"/v1/lots/CL%2F..%2Fx"


def test_a_custody_event_goes_with_its_parties_and_sites(connect: Connect) -> None:
    entry = {
        "id": "EV-1",
        "content_hash": "0" * 64,
        "created_at": "2026-11-01T10:00:00Z",
        "event": {
            "id": "E1",
            "type": "extraction",
            "date": "2023-03-01",
            "place": {"country": "BW"},
            "items": ["L1"],
        },
        "links": [{"item": "L1", "seq": 1, "prev_hash": "0" * 64, "hash": "1" * 64}],
        "reassessed_stones": [],
    }
    event: dict[str, Any] = entry["event"]
    server = MockServer(ok(entry, status=201))
    created = connect(server).call("custody.events.create", event, parties=[], idempotency_key="E1")
    assert isinstance(created, CustodyEntry) and created.links[0].seq == 1
    assert json.loads(server.requests[0].content) == {"event": event, "parties": []}
    assert server.requests[0].headers["Idempotency-Key"] == "E1"


def test_unknown_fields_and_enum_values_parse(connect: Connect) -> None:
    lot = {**LOT, "lot": {**LOT["lot"], "origin": "asteroid"}, "tier": "gold"}
    parsed = connect(MockServer(ok(lot))).call("lots.get", "CL-000000000001")
    assert parsed.lot.origin == "asteroid"
    assert parsed.model_extra == {"tier": "gold"}


def test_resources_are_built_once_per_client() -> None:
    client = Clearstone(base_url="http://x")
    assert client.stones is client.stones
    assert isinstance(client.reference.incidents, SyncAPIResource)


def test_a_parse_failure_is_not_a_reason_to_fall_back() -> None:
    assert degraded_reason(APIError("bad body")) is None
