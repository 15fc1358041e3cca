"""Examples and links in the contract.

- **Examples**: every parameter, request body and response carries one. Requests come from
  :mod:`clearstone_api.contract_examples`; successful responses are what the service answered
  to them (``captured.json``); an error response gets a problem of its status as this service
  writes them. Fuzzers start from them (schemathesis's examples phase), generators show them.
- **Links** (OpenAPI 3.1 §4.8.20): a creating operation links to every operation that reads
  ``<its path>/{id}`` (and what lies under it), with ``$response.body#/id``; a list links to
  the operations under ``<its path>/{id}`` with the first item's id. Stateful testers follow
  them from a create to its reads.
"""

from __future__ import annotations

from typing import Any

from clearstone_api.contract_examples import (
    OPERATION_PARAMETERS,
    PARAMETERS,
    captured,
    request_body,
)

__all__ = ["add_examples", "add_links", "problem_example"]

_PROBLEMS = {
    400: ("bad-request", "Bad request", "The cursor is not valid for this list."),
    401: ("unauthorized", "Authentication required", "The access token has expired."),
    403: ("forbidden", "Not allowed", "This operation needs the scope records:write."),
    404: ("not-found", "Not found", "No stone 'CS-7Q2K0000ABCD' in your account."),
    405: ("method-not-allowed", "Method not allowed", "This path takes GET, HEAD."),
    406: ("not-acceptable", "Not acceptable", "The Accept header admits none of JSON or HTML."),
    409: ("conflict", "Conflict", "Stone 'ACME-S-2026-0117' is already registered."),
    413: ("payload-too-large", "Request body too large", "The body is over 1048576 bytes."),
    415: ("unsupported-media-type", "Unsupported media type", "Send the body as JSON."),
    422: ("invalid-input", "Invalid input", "1 invalid field(s): body.carat"),
    429: ("rate-limited", "Too many requests", "Over the rate limit; retry in 12 s."),
    500: ("internal-error", "Internal error", "A fault of the service; quote the request id."),
    503: ("not-ready", "Not ready", "The database is unavailable; retry in 2 s."),
}
_OAUTH_ERRORS = {400: "invalid_request", 401: "invalid_client"}


def problem_example(status: int, schema_name: str) -> dict[str, Any]:
    """A problem of ``status`` as the service writes it (``OAuthProblem`` adds RFC 6749's)."""
    slug, title, detail = _PROBLEMS.get(status, ("error", "Error", "The request failed."))
    example: dict[str, Any] = {
        "type": f"https://clearstone.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "request_id": "0b8f6c1e2d3a4b5c9e7f1a2b3c4d5e6f",
    }
    if status == 422:
        example["errors"] = [
            {"path": "body.carat", "message": "Input should be greater than 0", "type": "gt"}
        ]
    if schema_name == "OAuthProblem":
        example["error"] = _OAUTH_ERRORS.get(status, "invalid_request")
        example["error_description"] = detail
    return example


def _parameter_example(op_id: str, name: str) -> Any:
    if (op_id, name) in OPERATION_PARAMETERS:
        return OPERATION_PARAMETERS[(op_id, name)]
    if name in PARAMETERS:
        return PARAMETERS[name]
    return captured()["parameters"].get(op_id, {}).get(name)


def add_examples(document: dict[str, Any]) -> None:
    """Set every example the contract module and the capture provide (none are invented)."""
    responses_seen = captured()["responses"]
    for item in document["paths"].values():
        for operation in item.values():
            op_id = operation["operationId"]
            for parameter in operation.get("parameters", []):
                example = _parameter_example(op_id, parameter["name"])
                if example is not None:
                    parameter["example"] = example
            body = request_body(op_id)
            if body is not None:
                for content in operation.get("requestBody", {}).get("content", {}).values():
                    content["example"] = body
            for status, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    if int(status) >= 400:
                        ref = content["schema"].get("$ref", "Problem").rsplit("/", 1)[-1]
                        content["example"] = problem_example(int(status), ref)
                    elif status in responses_seen.get(op_id, {}):
                        content["example"] = responses_seen[op_id][status]


def add_links(document: dict[str, Any]) -> None:
    paths: dict[str, Any] = document["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            created = operation["responses"].get("201")
            is_list = method == "get" and any(
                p["name"] == "after" for p in operation.get("parameters", [])
            )
            if created is not None:
                _link(paths, path, created, "$response.body#/id")
            elif is_list:
                _link(paths, path, operation["responses"]["200"], "$response.body#/data/0/id")


def _link(paths: dict[str, Any], collection: str, response: dict[str, Any], source: str) -> None:
    links: dict[str, Any] = {}
    for path, item in paths.items():
        rest = path.removeprefix(collection + "/")
        if rest == path or not rest.startswith("{"):
            continue
        segment = rest.split("/", 1)[0]
        if not segment.endswith("}") or path.count("{") != 1:
            continue
        name = segment[1:-1]
        for target in item.values():
            if target is response:
                continue
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": {f"path.{name}": source},
                "description": f"`{name}` is the id in this response.",
            }
    if links:
        response["links"] = dict(sorted(links.items()))
