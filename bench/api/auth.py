"""Credentials for the benchmark's callers: a registered client and an OAuth access token.

The checkout screen needs a retailer's token (``screenings``) and analyst writes an analyst's
(``reference:write``), as any real caller would. The client is registered with the service's own
``create_client`` (what ``clearstone-api create-client`` does), and each token comes from
``POST /v1/oauth/token`` (client-credentials grant), so the measured requests carry a real ES256
token that the server verifies on every request.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from bench.api.config import server_settings
from clearstone_api.db import Database
from clearstone_api.security.client_secrets import SecretHasher, load_pepper
from clearstone_api.security.scopes import Role
from clearstone_api.services.clients import create_client

__all__ = ["Credentials"]


class Credentials:
    """A client registered in the bench database; ``token()`` mints a fresh access token."""

    def __init__(self, database_url: str, role: Role) -> None:
        settings = server_settings(database_url)  # the served app's pepper, in its data dir
        database = Database.from_settings(settings)
        try:
            with database.session() as session:
                created = create_client(
                    session,
                    SecretHasher(load_pepper(settings)),
                    role=role,
                    tenant_id=f"bench-{role.value}",
                    name="bench/api",
                )
        finally:
            database.engine.dispose()
        self.client_id = created.client_id
        self._secret = created.client_secret

    def token(self, base: str) -> str:
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self._secret,
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/v1/oauth/token",
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            token: str = json.loads(response.read())["access_token"]
        return token

    def header(self, base: str) -> str:
        return f"Authorization: Bearer {self.token(base)}"
