"""The custody transparency log: signed tree heads, proofs, and the attacks of someone with write
access to the database (finding 3 of the security review), made as direct SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from clearstone import _merkle as offline
from clearstone_api import merkle
from clearstone_api.canonical import canonical_json, chain_hash, sha256_hex
from clearstone_api.cli import main
from clearstone_api.db import Database
from clearstone_api.models.custody import CustodyEvent, CustodyLink
from clearstone_api.services.transparency import event_leaf
from clearstone_api.settings import Settings
from tests.api.factories import export_event, lot, register_chain, stone
from tests.api.test_attestations import verify_offline
from tests.support.harness import ASGIClient


def _events(supplier: ASGIClient) -> dict[str, Any]:
    """Two stones: S1 from L1 (three events), S2 from L2 (one event)."""
    first = register_chain(supplier)
    for index in (2, 3):
        event = export_event(f"E{index}", date=dt.date(2023, 3, index))
        assert supplier.post("/v1/custody/events", json=event).status_code == 201
    assert supplier.post("/v1/lots", json=lot("L2")).status_code == 201
    second = supplier.post("/v1/stones", json=stone("S2", number="7770002", parents=["L2"]))
    assert second.status_code == 201
    event = export_event("F1", items=["L2"])
    assert supplier.post("/v1/custody/events", json=event).status_code == 201
    return {"S1": first["id"], "S2": second.json()["id"]}


def _verify(client: ASGIClient, stone_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/stones/{stone_id}/custody/verification")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _problems(report: dict[str, Any]) -> set[str]:
    return {p["problem"] for p in report["problems"]}


def test_every_append_signs_a_tree_head_that_verifies_offline(supplier: ASGIClient) -> None:
    _events(supplier)
    jwks = supplier.get("/.well-known/jwks.json").json()
    latest = supplier.get("/v1/transparency/tree-heads/latest")
    assert latest.status_code == 200
    head = latest.json()
    assert head["tree_size"] == 4
    signed = verify_offline(head["signature"], jwks, typ="clearstone-tree-head+jws")
    assert {k: signed[k] for k in ("tree_size", "root_hash", "timestamp")} == {
        k: head[k] for k in ("tree_size", "root_hash", "timestamp")
    }
    history = supplier.get("/v1/transparency/tree-heads", params={"limit": 3}).json()
    assert [h["tree_size"] for h in history["data"]] == [1, 2, 3]
    rest = supplier.get(
        "/v1/transparency/tree-heads", params={"after": history["next_cursor"]}
    ).json()
    assert [h["tree_size"] for h in rest["data"]] == [4] and rest["has_more"] is False
    assert supplier.get("/v1/transparency/tree-heads/2").json() == history["data"][1]


def test_inclusion_and_consistency_proofs_verify_offline(
    supplier: ASGIClient, database: Database
) -> None:
    _events(supplier)
    heads = supplier.get("/v1/transparency/tree-heads").json()["data"]
    latest = heads[-1]
    root = bytes.fromhex(latest["root_hash"])
    with Session(database.engine) as session:
        events = session.exec(select(CustodyEvent).order_by(col(CustodyEvent.log_index))).all()
        leaves = [
            merkle.leaf_hash(
                event_leaf(
                    e, session.exec(select(CustodyLink).where(CustodyLink.event_id == e.id)).all()
                )
            )
            for e in events
        ]
    for index, leaf in enumerate(leaves):
        proof = supplier.get(
            "/v1/transparency/proofs/inclusion",
            params={"leaf_index": index, "tree_size": latest["tree_size"]},
        ).json()
        assert proof["leaf_hash"] == leaf.hex()
        path = [bytes.fromhex(p) for p in proof["audit_path"]]
        assert offline.verify_inclusion(index, latest["tree_size"], leaf, path, root)
    for old in heads[:-1]:
        proof = supplier.get(
            "/v1/transparency/proofs/consistency",
            params={"first": old["tree_size"], "second": latest["tree_size"]},
        ).json()
        assert offline.verify_consistency(
            old["tree_size"],
            latest["tree_size"],
            bytes.fromhex(old["root_hash"]),
            root,
            [bytes.fromhex(p) for p in proof["proof"]],
        )


def test_proofs_outside_the_log_are_422(client: ASGIClient, supplier: ASGIClient) -> None:
    assert client.get("/v1/transparency/tree-heads/latest").status_code == 404
    register_chain(supplier)
    for path, params, field in [
        ("inclusion", {"leaf_index": 0, "tree_size": 2}, "query.tree_size"),
        ("inclusion", {"leaf_index": 1, "tree_size": 1}, "query.leaf_index"),
        ("consistency", {"first": 1, "second": 2}, "query.second"),
    ]:
        response = client.get(f"/v1/transparency/proofs/{path}", params=params)
        assert response.status_code == 422, response.text
        assert [e["path"] for e in response.json()["errors"]] == [field]


def test_an_untouched_log_verifies(supplier: ASGIClient) -> None:
    stones = _events(supplier)
    for stone_id in stones.values():
        report = _verify(supplier, stone_id)
        assert report["valid"] is True, report["problems"]
        assert report["tree_head"]["tree_size"] == 4


# The attacks. Each is what someone with write access to the database can do, done as SQL.


def _delete_events(database: Database, where: str) -> None:
    with database.engine.begin() as connection:
        ids = [r[0] for r in connection.execute(text(f"SELECT id FROM custody_events {where}"))]
        for event_id in ids:
            connection.execute(
                text("DELETE FROM custody_links WHERE event_id = :i"), {"i": event_id}
            )
            connection.execute(text("DELETE FROM custody_events WHERE id = :i"), {"i": event_id})


def test_deleting_the_last_event_is_detected(supplier: ASGIClient, database: Database) -> None:
    stones = _events(supplier)
    _delete_events(database, "WHERE record_id = 'F1'")
    report = _verify(supplier, stones["S2"])
    assert report["valid"] is False
    assert "log_size_mismatch" in _problems(report)


def test_deleting_the_last_event_of_a_chain_is_detected(
    supplier: ASGIClient, database: Database
) -> None:
    stones = _events(supplier)
    _delete_events(database, "WHERE record_id = 'E3'")  # the hash chain of L1 is still intact
    report = _verify(supplier, stones["S1"])
    assert report["valid"] is False
    assert {"log_size_mismatch", "attested_custody_mismatch"} <= _problems(report)
    assert not {"broken_link", "sequence_gap"} & _problems(report)


def test_deleting_a_whole_chain_is_detected(supplier: ASGIClient, database: Database) -> None:
    stones = _events(supplier)
    _delete_events(database, "WHERE record_id IN ('E1', 'E2', 'E3')")
    report = _verify(supplier, stones["S1"])
    assert report["valid"] is False
    assert {"log_size_mismatch", "attested_custody_mismatch"} <= _problems(report)


def _rewrite_and_rehash(database: Database, rebuild_tree: bool) -> None:
    """Change E1's country, recompute its content hash and every later link of its chain, and
    (``rebuild_tree``) every leaf and node of the log by the published algorithm."""
    with Session(database.engine) as session:
        event = session.exec(select(CustodyEvent).where(CustodyEvent.record_id == "E1")).one()
        payload = canonical_json(event.payload).decode().replace('"BW"', '"ZW"')
        session.execute(
            text("UPDATE custody_events SET payload = :p, content_hash = :h WHERE id = :i"),
            {"p": payload, "h": sha256_hex(payload.encode()), "i": event.id},
        )
        session.commit()
        session.expire_all()
        first = session.exec(select(CustodyLink).where(CustodyLink.event_id == event.id)).one()
        links = session.exec(
            select(CustodyLink)
            .where(CustodyLink.item_kind == first.item_kind, CustodyLink.item_id == first.item_id)
            .order_by(col(CustodyLink.seq))
        ).all()
        prev = "0" * 64
        for link in links:
            owner = session.get(CustodyEvent, link.event_id)
            assert owner is not None
            new = chain_hash(prev, owner.content_hash)
            session.execute(
                text("UPDATE custody_links SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": new, "i": link.id},
            )
            prev = new
        session.commit()
        session.expire_all()
        if not rebuild_tree:
            return
        nodes: dict[tuple[int, int], bytes] = {}
        events = session.exec(select(CustodyEvent).order_by(col(CustodyEvent.log_index))).all()
        for e in events:
            own = session.exec(select(CustodyLink).where(CustodyLink.event_id == e.id)).all()
            assert e.log_index is not None
            for level, index, value in merkle.appended_nodes(
                e.log_index,
                merkle.leaf_hash(event_leaf(e, own)),
                lambda lv, i: nodes[(lv, i)],
            ):
                nodes[(level, index)] = value
        for (level, index), value in nodes.items():
            session.execute(
                text("UPDATE custody_tree_nodes SET hash = :h WHERE level = :l AND idx = :i"),
                {"h": value.hex(), "l": level, "i": index},
            )
        session.commit()


@pytest.mark.parametrize("rebuild_tree", [False, True])
def test_a_consistent_rewrite_with_rehashing_is_detected(
    supplier: ASGIClient, database: Database, rebuild_tree: bool
) -> None:
    stones = _events(supplier)
    _rewrite_and_rehash(database, rebuild_tree)
    report = _verify(supplier, stones["S1"])
    assert report["valid"] is False
    # The hash chain is consistent again: only the signed root, and the chain head the
    # stone's attestation signed, give the rewrite away.
    assert _problems(report) == {"not_in_signed_tree", "attested_custody_mismatch"}


def test_a_forged_tree_head_is_detected(supplier: ASGIClient, database: Database) -> None:
    stones = _events(supplier)
    _rewrite_and_rehash(database, rebuild_tree=True)
    with database.engine.begin() as connection:
        forged_root = connection.execute(
            text("SELECT hash FROM custody_tree_nodes WHERE level = 2 AND idx = 0")
        ).scalar_one()
        signature = connection.execute(
            text("SELECT signature FROM custody_tree_heads WHERE tree_size = 4")
        ).scalar_one()
        connection.execute(text("DELETE FROM custody_tree_heads WHERE tree_size = 4"))
        connection.execute(
            text(
                "INSERT INTO custody_tree_heads (tree_size, root_hash, timestamp, signature, "
                "created_at) VALUES (4, :r, 1, :s, :c)"
            ),
            {"r": forged_root, "s": signature, "c": dt.datetime.now(dt.UTC)},
        )
    report = _verify(supplier, stones["S1"])
    assert report["valid"] is False
    assert "tree_head_signature_invalid" in _problems(report)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_by", "cli_someone_else"),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("event_date", dt.date(2001, 1, 1)),
        ("tenant_id", "another-tenant"),
    ],
)
def test_who_wrote_an_event_and_when_are_in_the_hash(
    supplier: ASGIClient, database: Database, column: str, value: object
) -> None:
    stones = _events(supplier)
    with database.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE custody_events SET {column} = :v WHERE record_id = 'E2'"), {"v": value}
        )
    report = _verify(supplier, stones["S1"])
    assert report["valid"] is False
    assert _problems(report) == {"not_in_signed_tree"}


def test_a_log_rolled_back_behind_an_attestation_is_detected(
    supplier: ASGIClient, database: Database
) -> None:
    """The attacker removes the last event and every trace of it in the tree, leaving an older,
    genuinely signed tree head as the latest: the stone's attestation still names the newer
    head and the longer chain."""
    stones = _events(supplier)
    _delete_events(database, "WHERE record_id = 'F1'")
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM custody_tree_heads WHERE tree_size = 4"))
        connection.execute(text("DELETE FROM custody_tree_nodes WHERE level = 0 AND idx = 3"))
        connection.execute(text("DELETE FROM custody_tree_nodes WHERE level = 1 AND idx = 1"))
        connection.execute(text("DELETE FROM custody_tree_nodes WHERE level = 2"))
    report = _verify(supplier, stones["S2"])
    assert report["valid"] is False
    assert {"tree_head_behind_attestation", "attested_custody_mismatch"} <= _problems(report)


def test_events_from_before_the_log_are_entered_by_anchor_custody_log(
    supplier: ASGIClient,
    database: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stones = _events(supplier)
    before = _verify(supplier, stones["S1"])["tree_head"]["root_hash"]
    with database.engine.begin() as connection:  # the state a database migrated to 0003 is in
        connection.execute(text("UPDATE custody_events SET log_index = NULL"))
        connection.execute(text("DELETE FROM custody_tree_nodes"))
        connection.execute(text("DELETE FROM custody_tree_heads"))
    assert _verify(supplier, stones["S1"])["valid"] is False
    monkeypatch.setenv("CLEARSTONE_DATABASE_URL", settings.url)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CLEARSTONE_ENVIRONMENT", "test")
    main(["anchor-custody-log"])
    assert "entered 4 custody event(s)" in capsys.readouterr().out
    for stone_id in stones.values():
        report = _verify(supplier, stone_id)
        assert report["valid"] is True, report["problems"]
    assert report["tree_head"]["root_hash"] == before  # the same events, in the same order
    main(["anchor-custody-log"])
    assert "entered 0 custody event(s)" in capsys.readouterr().out
