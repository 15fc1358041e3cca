"""Shaping the generated OpenAPI document into the contract.

FastAPI declares error responses as ``application/json`` and adds its own ``HTTPValidationError``;
the service answers every error as ``application/problem+json`` with :class:`~errors.Problem`
(or a declared extension of it). This rewrites the document to say what the server does, and
documents what middleware adds to every operation: ``X-Request-Id``, the rate-limit headers and
429, and 413 for a body over the size limit. The security schemes come from the routes'
dependencies (``security.principals``), plus HTTP Basic for the token endpoint.

Pydantic names a model that reads and writes differently ``Stone-Input`` and ``Stone-Output``,
both titled ``Stone``; generators name classes after titles, so two schemas with one title lose
one of them. The contract names them ``StoneInput`` (what a client sends) and ``Stone`` (what
the service answers), each with its own title; a page of ``X`` is ``XPage`` (not ``Page_X_``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from clearstone_api.http_errors import PROBLEM_MEDIA_TYPE
from clearstone_api.openapi_examples import add_examples, add_links

__all__ = ["build_openapi", "install_openapi"]

_REQUEST_ID = {
    "description": "The request's id; also in error bodies and the access log.",
    "schema": {"type": "string"},
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The quota policy (draft-ietf-httpapi-ratelimit-headers), e.g. "
        '`"public";q=300;w=60`.',
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "What is left of it: `r` remaining, `t` seconds until the window resets.",
        "schema": {"type": "string"},
    },
}
_UNLIMITED = frozenset({"/healthz", "/readyz"})
_BASIC_SCHEME = {
    "clientSecretBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "The token endpoint's client authentication (RFC 6749 §2.3.1): client id "
        "and secret, each form-urlencoded, as HTTP Basic. Or send them in the form body.",
    }
}


_DESCRIPTION = (
    "Public certificate lookups, retailer checkout screening, supplier records and the custody "
    "log, reference data and its audited changes. Errors are RFC 9457 problem details; lists "
    "are cursor-paginated; every GET has a strong ETag. Notes for generators and fuzzers: "
    "docs/contract.md."
)


def _problem_schema(response: dict[str, Any]) -> dict[str, Any]:
    """The declared problem schema (an extension of ``Problem``), else ``Problem``."""
    declared = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = declared.get("$ref", "")
    if ref and not ref.endswith("/HTTPValidationError"):
        return {"$ref": ref}
    return _PROBLEM_REF


_ETAG_HEADER = {
    "ETag": {
        "description": "Strong validator of the representation; send it back in "
        "`If-None-Match` to get 304 while it has not changed.",
        "schema": {"type": "string"},
    }
}
_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The `ETag` of a representation you hold: 304 (no body) while it is current.",
    "schema": {"type": "string"},
    "example": '"3f1a8c2e9b4d5f60718293a4b5c6d7e8f9a0b1c2"',
}


def _declare_http_semantics(method: str, operation: dict[str, Any]) -> None:
    """What every operation can answer whatever its route says: conditional GETs (a strong
    ``ETag`` and 304), 405 (``Allow``) and 406 (an ``Accept`` that admits no JSON), and 400 for
    a cursor this list did not issue."""
    responses = operation["responses"]
    if method == "get":
        ok = responses.get("200")
        if ok is not None:
            ok.setdefault("headers", {}).update(_ETAG_HEADER)
        responses.setdefault(
            "304",
            {
                "description": "Not modified: `If-None-Match` matched the current `ETag`.",
                "headers": dict(_ETAG_HEADER),
            },
        )
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name", "").lower() == "if-none-match" for p in parameters):
            parameters.append(dict(_IF_NONE_MATCH))
    if any(p.get("name") == "after" for p in operation.get("parameters", [])):
        responses.setdefault(
            "400",
            {"description": "`after` is not a cursor of this list (the error names it)."},
        )
    responses.setdefault(
        "405",
        {
            "description": "The path does not take this method; `Allow` lists those it takes.",
            "headers": {"Allow": {"schema": {"type": "string"}}},
        },
    )
    responses.setdefault(
        "406",
        {"description": "The `Accept` header admits none of the media types this answers."},
    )


def _shape_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    _declare_http_semantics(method, operation)
    responses = operation["responses"]
    for requirement in operation.get("security", []):
        for scheme in requirement:
            if scheme != "OAuth2":  # scopes belong to the OAuth2 requirement only
                requirement[scheme] = []
    if "requestBody" in operation:
        # A body that is not JSON at all (bad bytes, wrong encoding) is a 400 from the framework.
        responses.setdefault("400", {"description": "The body could not be parsed as JSON."})
        responses.setdefault(
            "413", {"description": "The request body is over the size limit (before parsing)."}
        )
        if "application/json" in operation["requestBody"].get("content", {}):
            responses.setdefault(
                "415", {"description": "The body was sent as something other than JSON."}
            )
    responses.setdefault("500", {"description": "A fault of the service; quote the request id."})
    responses.setdefault(
        "503",
        {
            "description": "The database or a dependency is unavailable for a moment; retry "
            "after `Retry-After` seconds.",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    )
    if path not in _UNLIMITED:
        responses.setdefault(
            "429",
            {
                "description": "Over the rate limit; retry after `Retry-After` seconds.",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
            },
        )
    for status, response in responses.items():
        code = int(status) if status.isdigit() else 0
        if code >= 400:
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _problem_schema(response)}}
        headers = response.setdefault("headers", {})
        headers["X-Request-Id"] = _REQUEST_ID
        if path not in _UNLIMITED:
            headers.update(_RATE_LIMIT_HEADERS)
        if code == 401:
            headers["WWW-Authenticate"] = {"schema": {"type": "string"}}


def _schema_name(name: str) -> str:
    """``X-Input`` -> ``XInput`` (sent), ``X-Output`` -> ``X`` (answered), ``Page_X_`` ->
    ``XPage``; others unchanged."""
    if name.startswith("Page_") and name.endswith("_"):
        return name.removeprefix("Page_").removesuffix("_") + "Page"
    if name.endswith("-Input"):
        return name.removesuffix("-Input") + "Input"
    return name.removesuffix("-Output")


def _unique_schema_names(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    renames = {name: _schema_name(name) for name in schemas if _schema_name(name) != name}
    if not renames:
        return document
    text = json.dumps(document)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    components = renamed["components"]
    components["schemas"] = {
        renames.get(name, name): schema for name, schema in components["schemas"].items()
    }
    for new in renames.values():
        components["schemas"][new]["title"] = new
    return renamed


def build_openapi(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
    )
    for path, path_item in document.get("paths", {}).items():
        for method, operation in path_item.items():
            _shape_operation(path, method, operation)
            # spectral:oas asks every operation for a description: the summary says it.
            operation.setdefault("description", operation.get("summary", ""))
    info = document["info"]
    info.setdefault("description", _DESCRIPTION)
    info.setdefault("contact", {"name": "Clearstone", "url": "https://clearstone.dev"})
    if not document.get("servers"):
        document["servers"] = [
            {"url": "http://127.0.0.1:8000", "description": "`make serve` on this machine"}
        ]
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(_BASIC_SCHEME)
    schemas = components.get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    _require_discriminators(schemas)
    _union_consts_as_enums(schemas)
    add_examples(document)
    add_links(document)
    return _unique_schema_names(document)


def _union_consts_as_enums(node: Any) -> None:
    """``anyOf: [{pattern}, {const: "MIXED"}]`` -> ``{enum: ["MIXED"]}``: the same set of
    values, and openapi-python-client parses a ``const`` member of a union without trying the
    other members (a country code then fails as "must match const 'MIXED'")."""
    if isinstance(node, list):
        for item in node:
            _union_consts_as_enums(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("anyOf", "oneOf"):
        for member in node.get(key, []):
            if isinstance(member, dict) and "const" in member:
                member["enum"] = [member.pop("const")]
    for value in node.values():
        _union_consts_as_enums(value)


def _require_discriminators(schemas: dict[str, Any]) -> None:
    """A discriminated union's tag is required in each member: the server cannot tell a
    document's kind without ``type``, although the Python models give it a default."""

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        if not isinstance(node, dict):
            return
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict):
            tag = discriminator["propertyName"]
            for ref in discriminator.get("mapping", {}).values():
                member = schemas[ref.rsplit("/", 1)[1]]
                required = member.setdefault("required", [])
                if tag not in required:
                    required.insert(0, tag)
                member["properties"][tag].pop("default", None)
        for value in node.values():
            visit(value)

    visit(schemas)


def install_openapi(app: FastAPI) -> None:
    """Serve the shaped document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
