"""Every operation, exercised by schemathesis from the contract in all four of its phases, signed
in, with all of its default checks; and every operation answered at least one 2xx.

One test drives schemathesis's engine (``schemathesis.engine.from_schema(schema).execute()``,
what ``schemathesis run`` executes) over the app in process: the **examples** phase (the
contract's own examples), **coverage** (boundary and invalid values derived from each schema),
**fuzzing** (generated requests, valid and invalid) and **stateful** (sequences that follow the
contract's OpenAPI links from a create or a list to the reads of what it returned). Values seen
in responses feed later requests, as in the CLI. The run is one test rather than a test per
operation so that the success of every operation can be asserted over the whole run, whatever
the order or the process the suite's tests run in.

Authentication is real: each role has a registered client, and each operation gets a token from
``POST /v1/oauth/token`` for the role in :data:`SIGNED_IN_AS` (the token endpoint itself is called
with the supplier client's credentials). ``ignored_auth`` runs with the rest, so every operation
that declares security is also sent without credentials and with bad ones, and must refuse them.

What the run works on is in ``contract_data.py``: the demo data and a small world submitted by
each role, whose ids the fuzzer is given. Rerun it alone (about 2-3 minutes on two cores)::

    .venv/bin/python -m pytest tests/contract/test_schemathesis.py -p no:randomly -v
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.engine import Status, events
from schemathesis.generation.case import Case as GenericCase

from clearstone_api.app import create_app
from clearstone_api.container import container_of
from clearstone_api.schema import upgrade
from clearstone_api.security.scopes import ROLE_SCOPES, Role, Scope
from clearstone_api.services import webhook_urls
from clearstone_api.services.clients import CreatedClient, create_client
from clearstone_api.settings import Settings
from tests.conftest import SCHEMATHESIS_REPORT
from tests.contract.contract_data import TENANTS, fuzz_dictionaries, resolve_example_host, seed
from tests.support.harness import UNLIMITED

Case = GenericCase[Any]

SIGNED_IN_AS: dict[Scope, Role] = {
    Scope.records_read: Role.supplier,
    Scope.records_write: Role.supplier,
    Scope.sanctions_evidence: Role.supplier,
    Scope.screenings: Role.retailer,
    Scope.stones_summary: Role.retailer,
    Scope.assessments: Role.retailer,
    Scope.watches: Role.retailer,
    # The feed and the webhooks as the same organization, so that a replay names an event of its
    # own feed; the retailer's is the feed the seeded world fills.
    Scope.events_read: Role.retailer,
    Scope.webhooks: Role.retailer,
    Scope.reference_read: Role.analyst,
    Scope.reference_write: Role.analyst,
    Scope.numbers_disputes: Role.analyst,
    Scope.numbers_decide: Role.lab,
}
"""The role each operation is signed in as, by the scope it declares."""

PHASES = ("examples", "coverage", "fuzzing", "stateful")
UNREACHABLE: dict[str, str] = {}
"""Operations excused from answering a 2xx in the run, with the reason. None are."""

# "Valid input accepted" is told what a request that matches the schema may still be refused
# for, by what it means: a lot that was never registered, a cursor this server did not issue, a
# stone of another tenant, a second decision on a claim (404, 422 naming the field, 400 naming
# `query.after`, 409).
ACCEPTABLE = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]


def _settings(data_dir: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{data_dir / 'contract.db'}",
        data_dir=data_dir,
        environment="test",
        lookup_cache_ttl_seconds=0,
        redis_url=None,
        signing_keys=None,
        signing_keys_file=None,
        jobs_periodic=False,
        # Deliveries are recorded, never sent: the run has no network.
        webhook_delivery="off",
        **UNLIMITED,
    )


def _config(dictionaries: dict[str, Any]) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 20261205,
            "generation": {"max-examples": 10, "deterministic": True},
            "phases": {"stateful": {"max-steps": 10}},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTABLE}},
            **dictionaries,
        }
    )


@schemathesis.check
def strong_etag_on_every_read(_ctx: schemathesis.CheckContext, response: Any, case: Case) -> None:
    """A ``GET`` answered 200 sends a strong ``ETag`` (event streams aside)."""
    if case.method.upper() != "GET" or response.status_code != 200:
        return
    media = (response.headers.get("content-type") or [""])[0]
    if media.startswith("text/event-stream"):
        return
    etag = (response.headers.get("etag") or [""])[0]
    assert etag.startswith('"') and etag.endswith('"'), f"no strong ETag: {etag!r}"


@schemathesis.check
def location_on_every_201(_ctx: schemathesis.CheckContext, response: Any, case: Case) -> None:
    """A 201 says where the resource is read, by its own id: ``Location: <path>/<id>``."""
    if response.status_code != 201:
        return
    location = (response.headers.get("location") or [""])[0]
    expected = f"{case.formatted_path}/{response.json()['id']}"
    assert location == expected, f"Location {location!r}, expected {expected!r}"


def _scope(case: Case, _ctx: Any = None) -> str:
    """The OAuth2 scope the operation declares, ``basic`` for the token endpoint, ``""`` for a
    public operation."""
    for requirement in case.operation.definition.raw.get("security", []):
        for scope in requirement.get("OAuth2", []):
            return str(scope)
        if "clientSecretBasic" in requirement:
            return "basic"
    return ""


@dataclass
class Run:
    """What the run answered, per operation, and what went wrong."""

    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    phases: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def unreached(self, operations: list[str]) -> dict[str, dict[int, int]]:
        return {
            op: dict(self.statuses[op])
            for op in operations
            if op not in UNREACHABLE and not any(200 <= s < 300 for s in self.statuses[op])
        }


def _drive(schema: Any, run: Run) -> None:
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished) and event.status != Status.SKIP:
            if event.phase.name.value in PHASES:
                run.phases.append(event.phase.name.value)
        elif isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info
                        run.failures.append(
                            f"{event.label}: {check.name}: {failure.failure.title}\n"
                            f"    {failure.failure.message}\n    {failure.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.seconds = time.monotonic() - started


@pytest.fixture
def contract_app(tmp_path: Path) -> Any:
    settings = _settings(tmp_path)
    upgrade(settings)
    app = create_app(settings)
    yield app
    container_of(app).jobs.close()


def test_every_phase_passes_every_check_and_every_operation_succeeds(
    contract_app: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    app = contract_app
    held = container_of(app)
    # The SSRF guard's resolver (the guard stays on; contract_data.resolve_example_host).
    monkeypatch.setattr(f"{webhook_urls.__name__}.socket.getaddrinfo", resolve_example_host)
    seeded = seed(app)
    with held.database.session() as session:
        clients: dict[Role, CreatedClient] = {
            role: create_client(session, held.secret_hasher, role=role, tenant_id=TENANTS[role])
            for role in Role
        }
    assert set(SIGNED_IN_AS) == set(Scope)
    assert set(SIGNED_IN_AS.values()) == set(Role), "every role signs in"
    assert all(scope in ROLE_SCOPES[role] for scope, role in SIGNED_IN_AS.items())

    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", app, config=_config(fuzz_dictionaries(seeded))
    )

    @schema.auth(cache_by_key=_scope)
    class ClientCredentials:
        """A token from the token endpoint for the client of the operation's role; the
        supplier client's id and secret for the token endpoint itself."""

        def get(self, case: Case, _ctx: Any) -> str | None:
            scope = _scope(case)
            if scope == "basic":
                client = clients[Role.supplier]
                pair = f"{client.client_id}:{client.client_secret}".encode()
                return f"Basic {base64.b64encode(pair).decode()}"
            if not scope:
                return None
            client = clients[SIGNED_IN_AS[Scope(scope)]]

            async def fetch() -> httpx.Response:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://c") as http:
                    return await http.post(
                        "/v1/oauth/token",
                        data={"grant_type": "client_credentials"},
                        auth=(client.client_id, client.client_secret),
                    )

            response = asyncio.run(fetch())
            assert response.status_code == 200, response.text
            return f"Bearer {response.json()['access_token']}"

        def set(self, case: Case, data: str, _ctx: Any) -> None:
            case.headers["Authorization"] = data

    run = Run()

    @schema.hook
    def after_call(_context: Any, case: Case, response: Any) -> None:
        run.statuses[case.operation.label][response.status_code] += 1

    _drive(schema, run)
    operations = [r.ok().label for r in schema.get_all_operations() if isinstance(r, Ok)]
    _report(request, run, operations)

    assert run.errors == [], "\n".join(run.errors)
    assert run.failures == [], f"{len(run.failures)} failed checks:\n" + "\n".join(run.failures)
    assert set(run.phases) == set(PHASES), f"phases that ran: {run.phases}"
    assert run.unreached(operations) == {}, "operations that never answered a 2xx"


def _report(request: pytest.FixtureRequest, run: Run, operations: list[str]) -> None:
    """Kept in pytest's cache for the terminal summary (``tests/conftest.py``)."""
    if request.config.cache is None:  # -p no:cacheprovider
        return
    request.config.cache.set(
        SCHEMATHESIS_REPORT,
        {
            "finished": time.time(),
            "seconds": round(run.seconds, 1),
            "phases": run.phases,
            "operations": {
                op: {str(s): n for s, n in sorted(run.statuses[op].items())} for op in operations
            },
        },
    )
