"""The exception tree and how an error response becomes an exception."""

from __future__ import annotations

import httpx
import pytest

import clearstone
from clearstone import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClearstoneError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from clearstone._exceptions import status_error_from_response

from .factories import problem

TREE = {
    APIError: ClearstoneError,
    APIConnectionError: APIError,
    APITimeoutError: APIConnectionError,
    APIStatusError: APIError,
    BadRequestError: APIStatusError,
    AuthenticationError: APIStatusError,
    PermissionDeniedError: APIStatusError,
    NotFoundError: APIStatusError,
    ConflictError: APIStatusError,
    UnprocessableEntityError: APIStatusError,
    RateLimitError: APIStatusError,
    InternalServerError: APIStatusError,
}


def _answered(response: httpx.Response) -> httpx.Response:
    response.request = httpx.Request("GET", "https://api.clearstone.test/v1/things")
    return response


@pytest.mark.parametrize(("cls", "parent"), TREE.items())
def test_each_error_has_the_documented_parent(
    cls: type[Exception], parent: type[Exception]
) -> None:
    assert cls.__bases__ == (parent,)


def test_the_module_docstring_draws_every_class() -> None:
    doc = clearstone._exceptions.__doc__ or ""
    for cls in [ClearstoneError, *TREE]:
        assert f" {cls.__name__}" in doc


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (599, InternalServerError),
        (405, APIStatusError),
        (408, APIStatusError),
    ],
)
def test_status_maps_to_its_class(status: int, cls: type[APIStatusError]) -> None:
    error = status_error_from_response(_answered(problem(status, request_id="req-9")))
    assert type(error) is cls
    assert error.status_code == status
    assert error.request_id == "req-9"


def test_problem_details_are_parsed_into_the_error() -> None:
    response = problem(
        422,
        title="Invalid input",
        detail="1 invalid field(s): body.items.0",
        errors=[{"path": "body.items.0", "message": "string too long", "type": "string_too_long"}],
    )
    error = status_error_from_response(_answered(response))
    assert error.type == "https://clearstone.dev/problems/status-422"
    assert error.title == "Invalid input"
    assert error.detail == "1 invalid field(s): body.items.0"
    assert [e.path for e in error.errors] == ["body.items.0"]
    assert error.problem.status == 422


def test_str_names_status_detail_fields_and_request_id() -> None:
    response = problem(
        422,
        title="Invalid input",
        detail="Bad cart.",
        request_id="req-abc",
        errors=[{"path": "body.items", "message": "too many", "type": "too_long"}],
    )
    text = str(status_error_from_response(_answered(response)))
    assert text == "422 Invalid input: Bad cart. (body.items: too many) [request_id: req-abc]"


def test_request_id_comes_from_the_body_when_the_header_is_missing() -> None:
    response = httpx.Response(404, json={"title": "Not found", "request_id": "req-body"})
    assert status_error_from_response(_answered(response)).request_id == "req-body"


def test_a_body_that_is_not_json_still_gives_a_typed_error() -> None:
    response = httpx.Response(502, text="<html>Bad gateway</html>")
    error = status_error_from_response(_answered(response))
    assert isinstance(error, InternalServerError)
    assert error.problem.status == 502
    assert str(error) == "502 Bad Gateway [request_id: none]"


def test_an_oauth_error_body_reads_as_a_problem() -> None:
    response = httpx.Response(
        401, json={"error": "invalid_client", "error_description": "Unknown client."}
    )
    error = status_error_from_response(_answered(response))
    assert isinstance(error, AuthenticationError)
    assert (error.title, error.detail) == ("invalid_client", "Unknown client.")
