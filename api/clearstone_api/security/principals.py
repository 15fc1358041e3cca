"""The calling principal, in ONE place so that issue 4 can swap in OAuth2.

PLACEHOLDER until issue 4: in development and test, the ``X-Clearstone-Client`` header names the
client and it is trusted as-is (supplier tenant and analyst alike). In production the
placeholder refuses every write, so nothing ships that trusts a header. Issue 4 replaces
:func:`current_principal` with bearer-token verification and scope checks; routes only ever see
:class:`Principal` through :data:`PrincipalDep`.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import BaseModel

from clearstone_api.errors import Unauthorized

__all__ = ["CLIENT_HEADER", "Principal", "PrincipalDep", "current_principal"]

CLIENT_HEADER = "X-Clearstone-Client"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")

ClientHeader = Annotated[
    str | None,
    Header(
        alias=CLIENT_HEADER,
        description="Development placeholder for authentication, replaced by OAuth2 in issue 4: "
        "the client id, used as the supplier tenant and the analyst name. Declared as a header, "
        "not a security scheme, because it proves nothing.",
    ),
]


class Principal(BaseModel):
    """An authenticated caller."""

    id: str
    """Who acts; recorded as ``created_by`` and ``actor``."""
    tenant_id: str
    """The supplier whose stones, lots and events the caller may write and read."""


def current_principal(request: Request, client: ClientHeader = None) -> Principal:
    """PLACEHOLDER (issue 4): trust ``X-Clearstone-Client`` outside production."""
    if request.app.state.settings.environment == "production":
        raise Unauthorized("Authentication is not configured on this server.")
    if client is None:
        raise Unauthorized(f"Send the {CLIENT_HEADER} header (development placeholder).")
    if not _CLIENT_ID.match(client):
        raise Unauthorized(f"{CLIENT_HEADER} must be 1-64 letters, digits or . _ : -")
    return Principal(id=client, tenant_id=client)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
