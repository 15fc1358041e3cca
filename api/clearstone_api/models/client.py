"""Registered API clients: who may ask for an access token, with which role and scopes."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel

from clearstone_api.models.columns import UtcDateTime, utcnow

__all__ = ["Client"]


class Client(SQLModel, table=True):
    """A client of the client-credentials grant. The secret is stored only as its keyed hash;
    the plain secret is shown once, by ``clearstone-api create-client``."""

    __tablename__ = "clients"

    id: str = Field(primary_key=True, max_length=64)
    """The ``client_id`` (``cli_...``); the ``sub`` of its access tokens."""
    role: str = Field(max_length=16)
    """``supplier``, ``retailer`` or ``analyst``: bounds the scopes it may hold."""
    tenant_id: str = Field(max_length=64, index=True)
    """The organization it acts for; a supplier reads and writes only this tenant's records."""
    scopes: str = Field(max_length=1000)
    """Space-separated scopes it may request."""
    secret_hash: str = Field(max_length=255)
    """``hmac-sha256$<hex>`` under the server's pepper (``security/client_secrets.py``); a PHC
    ``$argon2id$`` hash of an older release until the client's next successful token request."""
    name: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    disabled_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Set: the client gets no new tokens (its current ones expire within 15 minutes)."""
