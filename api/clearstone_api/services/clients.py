"""API clients: creation (the secret shown once) and authentication for the token endpoint.

Secrets are 256 random bits, stored only as HMAC-SHA-256 under a server-side pepper
(``security/client_secrets.py`` says why not a password hash). Checking an unknown client id
costs the same HMAC as checking a known one, so response times do not tell which ids exist.

Example::

    hasher = SecretHasher(load_pepper(settings))
    created = create_client(session, hasher, role=Role.supplier, tenant_id="ACME")
    print(created.client_id, created.client_secret)  # the only time the secret is seen
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session

from clearstone_api.db import Database
from clearstone_api.models.client import Client
from clearstone_api.models.columns import utcnow
from clearstone_api.security.client_secrets import SecretHasher
from clearstone_api.security.scopes import ROLE_SCOPES, Role, Scope
from clearstone_api.security.tokens import IssuedToken, Tokens

__all__ = [
    "TENANT_PATTERN",
    "ClientRefused",
    "CreatedClient",
    "ScopeRefused",
    "authenticate_client",
    "create_client",
    "disable_client",
    "grant_token",
]

TENANT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$"
CLIENT_ID_PATTERN = re.compile(r"^cli_[0-9a-f]{20}$")
"""Every client id has this shape; anything else is refused without a database look-up."""
MAX_CREDENTIAL_LENGTH = 256
"""Longer ids or secrets are refused before any hashing (they cannot be ours)."""


class ClientRefused(Exception):
    """Unknown client, wrong secret or disabled client: all the same to the caller."""


@dataclass(frozen=True)
class CreatedClient:
    client_id: str
    client_secret: str = field(repr=False)
    role: Role
    tenant_id: str
    scopes: tuple[str, ...]


def create_client(
    session: Session,
    hasher: SecretHasher,
    *,
    role: Role,
    tenant_id: str,
    scopes: Iterable[str] | None = None,
    name: str | None = None,
) -> CreatedClient:
    """Register a client; ``scopes`` default to everything its role may hold."""
    if not re.match(TENANT_PATTERN, tenant_id):
        raise ValueError("a tenant id is 1-64 letters, digits or . _ : - (starting alphanumeric)")
    allowed = ROLE_SCOPES[role]
    wanted = set(allowed) if scopes is None else set(scopes)
    unknown = wanted - {scope.value for scope in Scope}
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
    beyond = wanted - set(allowed)
    if beyond:
        raise ValueError(f"a {role.value} may not hold: {', '.join(sorted(beyond))}")
    if not wanted:
        raise ValueError("a client needs at least one scope")
    client_id = "cli_" + secrets.token_hex(10)
    secret = "cs_" + secrets.token_urlsafe(32)
    granted = tuple(sorted(wanted))
    session.add(
        Client(
            id=client_id,
            role=role.value,
            tenant_id=tenant_id,
            scopes=" ".join(granted),
            secret_hash=hasher.hash(secret),
            name=name,
        )
    )
    session.flush()
    return CreatedClient(client_id, secret, role, tenant_id, granted)


def authenticate_client(
    session: Session, hasher: SecretHasher, client_id: str, secret: str
) -> Client:
    """The enabled client whose id and secret these are; :class:`ClientRefused` otherwise.
    A hash of an older scheme is rewritten in the current one on success."""
    if len(secret) > MAX_CREDENTIAL_LENGTH or not CLIENT_ID_PATTERN.match(client_id):
        raise ClientRefused  # cannot be a client of ours: no need to spend a hash on it
    client = session.get(Client, client_id)
    verified = hasher.verify(client.secret_hash if client is not None else None, secret)
    if not verified.ok or client is None or client.disabled_at is not None:
        raise ClientRefused
    if verified.needs_rehash:
        client.secret_hash = hasher.hash(secret)
    return client


def disable_client(session: Session, client_id: str) -> bool:
    """Stop issuing tokens to ``client_id``; False when there is no such client."""
    client = session.get(Client, client_id)
    if client is None:
        return False
    if client.disabled_at is None:
        client.disabled_at = utcnow()
    return True


class ScopeRefused(Exception):
    """A client asked for scopes it does not hold."""

    def __init__(self, scopes: set[str]) -> None:
        super().__init__(" ".join(sorted(scopes)))
        self.scopes = scopes


def grant_token(
    database: Database,
    hasher: SecretHasher,
    tokens: Tokens,
    client_id: str,
    secret: str,
    scope: str | None,
) -> IssuedToken:
    """Authenticate the client (a database read: call it off the event loop) and issue its token,
    for
    ``scope`` (space-separated) or, when None or blank, every scope it holds. Raises
    :class:`ClientRefused` or :class:`ScopeRefused`."""
    with database.session() as session:
        client = authenticate_client(session, hasher, client_id, secret)
        role = Role(client.role)
        held = set(client.scopes.split()) & set(ROLE_SCOPES[role])
        wanted = set(scope.split()) if scope and scope.strip() else held
        if not wanted <= held:
            raise ScopeRefused(wanted - held)
        return tokens.issue(client_id=client.id, role=role, tenant=client.tenant_id, scopes=wanted)
