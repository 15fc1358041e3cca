"""The SDK, sync and async, against the real app in-process (``httpx.ASGITransport``).

A fresh migrated database per test (``tests.support.harness``); credentials are access tokens
signed by the app's own key (``mint_token``), except where the OAuth client-credentials flow
itself is under test, which registers a real client and lets the SDK fetch its token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi import FastAPI
from sqlalchemy import text

from clearstone import (
    AsyncClearstone,
    AttestationError,
    AuthenticationError,
    Clearstone,
    NotFoundError,
    PermissionDeniedError,
    TransparencyError,
    TreeHeadMemory,
    UnprocessableEntityError,
    verify_attestation,
    verify_consistency_proof,
    verify_inclusion_proof,
    verify_tree_head,
)
from clearstone._cli import EXIT_DOES_NOT_PASS
from clearstone._cli import main as cli_main
from clearstone._constants import ENV_API_KEY
from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import create_client
from clearstone_api.services.demo import load_vector, vectors_path
from clearstone_api.settings import Settings
from tests.api.factories import incident
from tests.support.harness import DatabaseTemplate, _templates, mint_token

from .conftest import Kind, LoopThread, resolve

__all__ = ["_templates"]

BASE_URL = "http://localhost"

CHAIN_EVENT: dict[str, Any] = {
    "id": "E1",
    "type": "extraction",
    "date": "2023-03-01",
    "place": {"country": "BW", "admin1": "Southern", "site_id": "jwaneng"},
    "items": ["L1"],
    "to_party_id": "miner",
}
MINER: dict[str, Any] = {
    "id": "miner",
    "name": "Debswana Diamond Company",
    "type": "lsm_miner",
    "country": "BW",
}
JWANENG: dict[str, Any] = {
    "id": "jwaneng",
    "name": "Jwaneng mine",
    "country": "BW",
    "registry_id": "BW-JWANENG",
    "operator_party_id": "miner",
}


class PortalTransport(httpx.BaseTransport):
    """A sync transport over an ASGI app: the app runs on an event loop in a portal thread, as
    uvicorn would run it, and each request blocks until its whole response is read."""

    def __init__(self, app: FastAPI) -> None:
        self._portal_cm = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return self.portal.call(send)

    def close(self) -> None:
        self._portal_cm.__exit__(None, None, None)


class InProcess:
    """Clients of one kind, sync or async, over the app; ``call`` runs a resource method."""

    def __init__(self, kind: Kind, app: FastAPI) -> None:
        self.kind, self.app = kind, app
        self.runner = LoopThread()
        self._portal: PortalTransport | None = None
        self.http: httpx.Client | httpx.AsyncClient
        if kind == "sync":
            self._portal = PortalTransport(app)
            self.http = httpx.Client(transport=self._portal)
        else:
            self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))

    def client(self, **options: Any) -> Clearstone | AsyncClearstone:
        if isinstance(self.http, httpx.Client):
            return Clearstone(base_url=BASE_URL, http_client=self.http, **options)
        return AsyncClearstone(base_url=BASE_URL, http_client=self.http, **options)

    def as_role(self, role: Role, tenant: str = "acme-mining") -> Clearstone | AsyncClearstone:
        return self.client(api_key=mint_token(self.app, role, tenant=tenant))

    def call(
        self, client: Clearstone | AsyncClearstone, dotted: str, *args: Any, **kwargs: Any
    ) -> Any:
        return resolve(client, dotted, self.runner, *args, **kwargs)

    def close(self) -> None:
        if self._portal is not None:
            assert isinstance(self.http, httpx.Client)
            self._portal.portal.call(container_of(self.app).database.dispose)
            self.http.close()  # closes the transport, and with it the portal
        else:
            assert isinstance(self.http, httpx.AsyncClient)
            self.runner.run(self.http.aclose())
            self.runner.run(container_of(self.app).database.dispose())
        self.runner.close()


@pytest.fixture
def settings(
    request: pytest.FixtureRequest,
    _templates: dict[str, DatabaseTemplate],
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    """A fresh migrated SQLite database: the SDK's behaviour does not depend on the backend,
    which the API suite covers on PostgreSQL too."""
    if "sqlite" not in _templates:
        _templates["sqlite"] = DatabaseTemplate("sqlite", tmp_path_factory.mktemp("db-sqlite"))
    return _templates["sqlite"].fresh("".join(c if c.isalnum() else "_" for c in request.node.name))


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def api(kind: Kind, app: FastAPI) -> Iterator[InProcess]:
    harness = InProcess(kind, app)
    yield harness
    harness.close()


def load(app: FastAPI, *certificates: str) -> None:
    for vector in json.loads(vectors_path().read_text(encoding="utf-8")):
        if vector["certificate"] in certificates:
            held = container_of(app)
            load_vector(held.database, held.references, vector, attester=held.attester)


def vector(certificate: str) -> dict[str, Any]:
    vectors = json.loads(vectors_path().read_text(encoding="utf-8"))
    found: dict[str, Any] = next(v for v in vectors if v["certificate"] == certificate)
    return found


Call = Callable[..., Any]


# The consumer lookup.


def test_lookup_returns_the_typed_consumer_view(api: InProcess) -> None:
    load(api.app, "DEMO-ZW-MARANGE-2008")
    view = api.call(api.client(), "certificates.get", "DEMO-ZW-MARANGE-2008")
    assert view.stone.id.startswith("CS-")
    assert view.kp.result == "pass"
    assert view.csc.result == "red_flag"
    assert view.origin.countries == ["ZW"]
    assert any(c.incidents for c in view.csc.criteria)


def test_the_typed_view_carries_the_coverage_statement_and_the_context(api: InProcess) -> None:
    load(api.app, "VEC-CA-2023", "VEC-ZW-MARANGE-2023")
    canada = api.call(api.client(), "certificates.get", "VEC-CA-2023")
    assert canada.csc.result == "country_context_only"
    assert canada.csc.coverage is not None and canada.csc.coverage.level == "country"
    assert canada.csc.coverage.statement.startswith("No site-level data for Diavik mine")
    marange = api.call(api.client(), "certificates.get", "VEC-ZW-MARANGE-2023")
    [listing] = marange.csc.area_context
    assert (listing.layer, listing.id, listing.effect) == ("eu_cahra", "CAHRA-ZW", "elevated")
    assert listing.sources and listing.sources[0].url


def test_an_unknown_number_is_not_found_with_request_id_and_problem(api: InProcess) -> None:
    with pytest.raises(NotFoundError) as caught:
        api.call(api.client(), "certificates.get", "NO-SUCH-STONE")
    error = caught.value
    assert error.status_code == 404
    assert error.request_id and error.request_id == error.response.headers["X-Request-Id"]
    assert error.problem.status == 404
    assert error.problem.request_id == error.request_id
    assert error.problem.detail and "NO-SUCH-STONE" in error.problem.detail
    assert error.request_id in str(error)


# Assessments and checkout.


def test_a_record_is_assessed_inline(api: InProcess) -> None:
    marange = vector("DEMO-ZW-MARANGE-2008")
    client = api.as_role(Role.retailer)
    assessment = api.call(client, "assessments.create", marange["record"], as_of=marange["as_of"])
    assert (assessment.kp.result, assessment.csc.result) == ("pass", "red_flag")
    assert assessment.as_of.isoformat() == marange["as_of"]
    assert assessment.record_digest


def test_an_invalid_record_names_each_field(api: InProcess) -> None:
    client = api.as_role(Role.retailer)
    with pytest.raises(UnprocessableEntityError) as caught:
        api.call(client, "assessments.create", {"stones": []})  # no subject_id
    assert any(e.path.endswith("subject_id") for e in caught.value.errors)


def test_a_cart_is_screened_in_one_call(api: InProcess) -> None:
    load(api.app, "DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED")
    cart = ["DEMO-BW-2023", "DEMO-ZW-MARANGE-2008", "DEMO-POLISHED-UNLINKED", "UNKNOWN-1"]
    result = api.call(api.as_role(Role.retailer), "checkout.screen", cart, fallback="fail_open")
    assert not result.degraded
    assert [i.decision for i in result.items] == ["allow", "block", "review", "review"]
    assert result.decision == "block"
    assert result.items[0].stone_id and result.items[0].kp_result == "pass"


def test_the_retailer_policy_decides(api: InProcess) -> None:
    load(api.app, "DEMO-ZW-MARANGE-2008")
    result = api.call(
        api.as_role(Role.retailer),
        "checkout.screen",
        ["DEMO-ZW-MARANGE-2008", "NOPE"],
        policy={"block_csc": [], "review_csc": [], "unknown": "block"},
    )
    assert [i.decision for i in result.items] == ["allow", "block"]


def test_a_client_without_the_scope_is_refused_not_fallen_back(api: InProcess) -> None:
    # A supplier token cannot screen: 403 raises, even with fail_open.
    with pytest.raises(PermissionDeniedError):
        api.call(api.as_role(Role.supplier), "checkout.screen", ["X"], fallback="fail_open")


def test_no_credentials_is_an_authentication_error(api: InProcess) -> None:
    with pytest.raises(AuthenticationError) as caught:
        api.call(api.client(), "checkout.screen", ["X"], fallback="fail_open")
    assert caught.value.response.headers["WWW-Authenticate"].startswith("Bearer")


# Supplier writes.


def test_a_supplier_write_with_the_same_key_is_applied_once(api: InProcess) -> None:
    client = api.as_role(Role.supplier)
    first = api.call(client, "lots.create", "L1", carat="10.50", idempotency_key="lot-L1")
    again = api.call(client, "lots.create", "L1", carat="10.50", idempotency_key="lot-L1")
    assert first.id == again.id and first.id.startswith("CL-")
    assert first.lot.carat == "10.50"
    assert [lot.id for lot in api.call(client, "lots.list")] == [first.id]


def test_the_same_key_with_another_body_is_refused(api: InProcess) -> None:
    client = api.as_role(Role.supplier)
    api.call(client, "lots.create", "L1", carat="10.50", idempotency_key="lot-L1")
    with pytest.raises(UnprocessableEntityError):
        api.call(client, "lots.create", "L1", carat="99", idempotency_key="lot-L1")


def test_a_supplier_chain_end_to_end(api: InProcess) -> None:
    supplier = api.as_role(Role.supplier)
    api.call(supplier, "lots.create", "L1", carat="10.50")
    stone = api.call(
        supplier,
        "stones.create",
        "S1",
        origin="natural",
        carat="1.01",
        grading_report={"lab": "GIA", "number": "7770001"},
        parent_lot_ids=["L1"],
    )
    assert "GIA-7770001" in stone.certificate_numbers
    entry = api.call(
        supplier, "custody.events.create", CHAIN_EVENT, parties=[MINER], sites=[JWANENG]
    )
    assert entry.event.id == "E1" and len(entry.content_hash) == 64
    assert api.call(supplier, "stones.get", stone.id).stone.id == "S1"
    report = api.call(supplier, "stones.custody_verifications.get", stone.id)
    assert report.valid and report.events_checked == 1
    summary = api.call(api.as_role(Role.retailer, "shop"), "stones.summaries.get", stone.id)
    assert [(s.type, s.country) for s in summary.custody] == [("extraction", "BW")]
    assert api.call(api.client(), "certificates.get", "GIA-7770001").stone.id == stone.id


def test_another_tenants_stone_is_not_found(api: InProcess) -> None:
    owner = api.as_role(Role.supplier, "acme-mining")
    api.call(owner, "lots.create", "L1", carat="1")
    stone = api.call(
        owner, "stones.create", "S1", origin="natural", carat="1", parent_lot_ids=["L1"]
    )
    with pytest.raises(NotFoundError):
        api.call(api.as_role(Role.supplier, "rival"), "stones.get", stone.id)


def test_lists_walk_every_page(api: InProcess) -> None:
    client = api.as_role(Role.supplier)
    created = [api.call(client, "lots.create", f"L{i}", carat="1.5").id for i in range(5)]
    assert [lot.id for lot in api.call(client, "lots.list", limit=2)] == created
    codes = [c.code for c in api.call(api.client(), "reference.taxonomy.list", limit=4)]
    assert len(codes) == len(set(codes)) == 15


def test_reference_reads_are_public(api: InProcess) -> None:
    client = api.client()
    participants = api.call(client, "reference.participants.list", on="2019-06-01", limit=50)
    car = next(p for p in participants if p.id == "CF")
    assert not car.in_good_standing
    incidents = api.call(client, "reference.incidents.list", country="ZW")
    assert incidents and all(i.country == "ZW" for i in incidents)
    assert api.call(client, "reference.incidents.get", incidents[0].id).id == incidents[0].id


def test_health(api: InProcess) -> None:
    assert api.call(api.client(), "health.get").status == "ok"
    assert api.call(api.client(), "health.readiness.get").status == "ok"


# OAuth: the SDK fetches and uses its own token.


def _register(app: FastAPI, role: Role, tenant: str) -> dict[str, str]:
    with container_of(app).database.session() as session:
        created = create_client(
            session,
            SecretHasher(load_pepper(container_of(app).settings)),
            role=role,
            tenant_id=tenant,
        )
    return {"client_id": created.client_id, "client_secret": created.client_secret}


def test_client_credentials_are_exchanged_for_a_token(api: InProcess) -> None:
    client = api.client(**_register(api.app, Role.supplier, "acme-mining"))
    lot = api.call(client, "lots.create", "L1", carat="2")
    assert api.call(client, "lots.get", lot.id).id == lot.id


def test_a_wrong_secret_is_an_authentication_error(api: InProcess) -> None:
    credentials = {**_register(api.app, Role.retailer, "shop"), "client_secret": "cs_wrong"}
    with pytest.raises(AuthenticationError):
        api.call(api.client(**credentials), "checkout.screen", ["X"], fallback="fail_open")


# Attestations.


def test_the_attestation_of_a_stone_verifies_offline(api: InProcess) -> None:
    load(api.app, "DEMO-BW-2023")
    client = api.client()
    token = api.call(client, "certificates.attestations.get", "DEMO-BW-2023")
    view = api.call(client, "certificates.get", "DEMO-BW-2023")
    verified = api.call(client, "attestations.verify", token)
    assert verified.payload.sub == view.stone.id
    assert verified.assessment.model_dump() == view.model_dump()
    jwks = api.call(client, "attestations.fetch_jwks")
    assert verify_attestation(token, jwks).header.kid == verified.header.kid


def test_a_tampered_attestation_from_the_server_is_refused(api: InProcess) -> None:
    load(api.app, "DEMO-BW-2023")
    client = api.client()
    head, _, signature = api.call(client, "certificates.attestations.get", "DEMO-BW-2023").split(
        "."
    )
    forged = f"{head}.eyJhc3Nlc3NtZW50Ijp7fX0.{signature}"
    with pytest.raises(AttestationError, match="signature does not match"):
        api.call(client, "attestations.verify", forged)


def test_a_superseded_attestation_is_reported_online_and_unknown_offline(api: InProcess) -> None:
    """Finding 4: after the verdict changed, the old ``no_known_red_flags`` attestation still
    verified, with nothing to say it was no longer current."""
    load(api.app, "DEMO-BW-2023")
    client = api.client()
    old = api.call(client, "certificates.attestations.get", "DEMO-BW-2023")
    analyst = api.as_role(Role.analyst, "clearstone")
    api.call(analyst, "reference.incidents.create", incident(), note="a new report")
    new = api.call(client, "certificates.attestations.get", "DEMO-BW-2023")
    online = api.call(client, "attestations.verify", old, check_status=True)
    assert online.assessment.csc.result == "no_known_red_flags"  # what was said, then
    assert online.currency is not None
    assert (online.currency.status, online.currency.checked_online) == ("superseded", True)
    current = api.call(client, "attestations.verify", new, check_status=True)
    assert online.currency.current == current.payload.jti
    assert current.currency is not None and current.currency.status == "current"
    assert current.assessment.csc.result != "no_known_red_flags"
    offline = api.call(client, "attestations.verify", old)
    assert offline.currency is not None and offline.currency.status == "unknown"
    assert "unknown offline" in offline.currency.note
    assert "days ago" in offline.currency.note


def test_an_attestation_of_another_issuer_is_refused(api: InProcess) -> None:
    load(api.app, "DEMO-BW-2023")
    token = api.call(api.client(), "certificates.attestations.get", "DEMO-BW-2023")
    with pytest.raises(AttestationError, match="the Clearstone you trust"):
        api.call(api.client(issuer="https://other.example"), "attestations.verify", token)


# The custody transparency log, audited by the SDK: tree heads verified with the API's keys,
# proofs checked offline, and a remembered tree head that catches a history rewritten since.


def _append(api: InProcess, count: int) -> list[str]:
    """Append ``count`` events on lot L1; the leaf hashes, in log order."""
    supplier = api.as_role(Role.supplier)
    api.call(supplier, "lots.create", "L1", carat="10.50")
    leaves = []
    for index in range(count):
        event = {**CHAIN_EVENT, "id": f"E{index}", "date": f"2023-03-{index + 1:02d}"}
        extra = {"parties": [MINER], "sites": [JWANENG]} if index == 0 else {}
        entry = api.call(supplier, "custody.events.create", event, **extra)
        assert entry.log_index == index
        leaves.append(entry.leaf_hash)
    return leaves


def test_proofs_verify_offline_against_a_verified_head(api: InProcess) -> None:
    leaves = _append(api, 5)
    client = api.client()
    jwks = api.call(client, "attestations.fetch_jwks")
    head = verify_tree_head(api.call(client, "transparency.latest_tree_head.get"), jwks)
    assert head.tree_size == 5
    for index, leaf in enumerate(leaves):
        proof = api.call(client, "transparency.inclusion_proofs.get", index, head.tree_size)
        verify_inclusion_proof(leaf, proof, head)
    old = api.call(client, "transparency.tree_heads.get", 2)
    proof = api.call(client, "transparency.consistency_proofs.get", 2, 5)
    verify_consistency_proof(old, head, proof)
    with pytest.raises(TransparencyError, match="not in the signed tree"):
        other = api.call(client, "transparency.inclusion_proofs.get", 1, head.tree_size)
        verify_inclusion_proof(leaves[1], other.model_copy(update={"leaf_index": 2}), head)
    forged = head.model_copy(update={"root_hash": old.root_hash})
    with pytest.raises(TransparencyError, match="another tree head"):
        verify_tree_head(forged, jwks)


def test_a_remembered_head_catches_a_rewritten_log(api: InProcess, tmp_path: Path) -> None:
    _append(api, 3)
    memory = TreeHeadMemory(tmp_path / "tree-head.json")
    client = api.client()
    first = api.call(client, "transparency.check_latest", memory=memory)
    assert first.tree_size == 3
    assert TreeHeadMemory(tmp_path / "tree-head.json").last() == first  # kept on disk
    supplier = api.as_role(Role.supplier)
    api.call(supplier, "custody.events.create", {**CHAIN_EVENT, "id": "E9", "date": "2023-04-01"})
    assert api.call(client, "transparency.check_latest", memory=memory).tree_size == 4
    # Someone with the database cannot sign a new head, so to hide history they fall back on
    # an older, genuinely signed one: the server now says the log holds two events.
    database = container_of(api.app).database
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM custody_tree_heads WHERE tree_size > 2"))
    with pytest.raises(TransparencyError, match="rewritten or truncated"):
        api.call(client, "transparency.check_latest", memory=memory)


# The sanctions evidence pack.


def test_a_retailer_reads_the_evidence_pack_of_a_stone_it_screened(api: InProcess) -> None:
    load(api.app, "VEC-RU-2024")
    shop = api.as_role(Role.retailer, "shop")
    screened = api.call(shop, "checkout.screen", ["VEC-RU-2024"], fallback="fail_closed")
    stone_id = screened.items[0].stone_id
    pack = api.call(shop, "stones.sanctions_evidence", stone_id, jurisdiction="US")
    assert pack.stone_id == stone_id and pack.jurisdiction == "US"
    assert pack.verdict.result == "flagged"
    assert [line.country for line in pack.mining_countries] == ["RU"]
    assert any(rule.rule_id == "US-RU-PROC-1CT" for rule in pack.verdict.rules)
    assert "not a declaration" in pack.notice
    page = api.call(shop, "stones.sanctions_evidence_pages.get", stone_id, jurisdiction="US")
    assert "not a declaration" in page and stone_id in page
    with pytest.raises(NotFoundError):
        api.call(
            api.as_role(Role.retailer, "other-shop"),
            "stones.sanctions_evidence.get",
            stone_id,
            jurisdiction="US",
        )


def test_the_cli_prints_the_pack_and_saves_the_page(
    api: InProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if api.kind != "sync":
        pytest.skip("the command line is synchronous")
    load(api.app, "VEC-RU-2024")
    token = mint_token(api.app, Role.retailer, tenant="shop")
    monkeypatch.setenv(ENV_API_KEY, token)
    options = {"http_client": api.http}
    cart = tmp_path / "cart.json"
    cart.write_text('["VEC-RU-2024"]', encoding="utf-8")
    screened = cli_main(["screen", str(cart), "--base-url", BASE_URL], _client_options=options)
    assert screened == EXIT_DOES_NOT_PASS, "a sanctioned stone is blocked"
    capsys.readouterr()
    page = tmp_path / "pack.html"
    argv = ["evidence", "VEC-RU-2024", "--jurisdiction", "EU", "--html", str(page)]
    code = cli_main([*argv, "--base-url", BASE_URL], _client_options=options)
    out = capsys.readouterr().out
    assert code == EXIT_DOES_NOT_PASS
    assert "import into the EU" in out and "RU: extraction" in out
    assert "[PROHIBITED] Prohibited import (EU-RU-PROC-1CT)" in out
    assert "not a declaration" in out
    assert "not a declaration" in page.read_text(encoding="utf-8")
