"""Every operation, fuzzed from the contract with all of schemathesis's default checks, signed in.

Authentication is real: one client per role is registered in the contract database, and each
operation gets a token from ``POST /v1/oauth/token`` for the client whose role holds the scope the
operation declares (no client holds every scope: a role bounds its scopes). ``ignored_auth`` runs
with the rest, so every operation that declares security is also replayed without credentials
and with bad ones, and must refuse them.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case as GenericCase

from clearstone_api.app import create_app
from clearstone_api.db import Database
from clearstone_api.schema import upgrade
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.scopes import ROLE_SCOPES, Role, Scope
from clearstone_api.services.clients import CreatedClient, create_client
from clearstone_api.settings import Settings
from tests.support.harness import UNLIMITED

# One migrated SQLite database per worker process, built when this module is collected.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="clearstone-contract-"))
_SETTINGS = Settings(
    database_url=f"sqlite:///{_DATA_DIR / 'contract.db'}",
    data_dir=_DATA_DIR,
    environment="test",
    lookup_cache_ttl_seconds=0,
    redis_url=None,
    signing_keys=None,
    signing_keys_file=None,
    **UNLIMITED,
)
upgrade(_SETTINGS)
app = create_app(_SETTINGS)


def _register_clients() -> dict[Role, CreatedClient]:
    database = Database.from_settings(_SETTINGS)
    hasher = SecretHasher(load_pepper(_SETTINGS))
    try:
        with database.session() as session:
            return {
                role: create_client(session, hasher, role=role, tenant_id=f"contract-{role.value}")
                for role in Role
            }
    finally:
        database.engine.dispose()


Case = GenericCase[Any]
_CLIENTS = _register_clients()
_ROLE_OF_SCOPE = {scope: role for role, scopes in ROLE_SCOPES.items() for scope in scopes}

# All default checks run, `ignored_auth` included. One is told what "valid input accepted" may
# answer: a request can match the JSON schema and still be refused for what it means (a lot that
# was never registered, a cursor this server did not issue, a stone of another tenant), which the
# service reports as a 404, a 422 naming the field, or (the cursor) a 400 naming `query.after`.
_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_CONFIG)


def required_scope(case: Case, _ctx: Any = None) -> str:
    """The OAuth2 scope the operation declares; ``""`` for a public operation."""
    for requirement in case.operation.definition.raw.get("security", []):
        for scope in requirement.get("OAuth2", []):
            return str(scope)
    return ""


@schema.auth(cache_by_key=required_scope)
class ClientCredentials:
    """A token from the token endpoint, for the registered client of the right role."""

    def get(self, case: Case, _ctx: Any) -> str | None:
        scope = required_scope(case)
        if not scope:
            return None
        client = _CLIENTS[_ROLE_OF_SCOPE[Scope(scope)]]

        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://contract") as http:
                return await http.post(
                    "/v1/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(client.client_id, client.client_secret),
                )

        response = asyncio.run(fetch())
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def set(self, case: Case, data: str, _ctx: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_contract(case: Case) -> None:
    case.call_and_validate()
