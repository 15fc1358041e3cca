"""Numbers in bodies: decimals are strict, integers accept what JSON Schema calls an integer."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.factories import lot
from tests.support.harness import ASGIClient


@pytest.mark.parametrize("carat", ["", " ", "1e3", "1,5", "abc", " 1.5", "1.5 ", "0x10"])
def test_a_decimal_string_must_be_plain_digits(supplier: ASGIClient, carat: str) -> None:
    response = supplier.post("/v1/lots", json=lot(carat=carat))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["body.carat"]
    listed = supplier.get("/v1/lots")
    assert listed.status_code == 200
    assert listed.json()["data"] == []  # nothing half-written


@pytest.mark.parametrize("carat", ["10.5", "10", 10.5, 10])
def test_a_decimal_as_digits_or_a_number_is_taken(supplier: ASGIClient, carat: Any) -> None:
    response = supplier.post("/v1/lots", json=lot(carat=carat))
    assert response.status_code == 201, response.text
    assert response.json()["lot"]["carat"] in {"10.5", "10", "10.500", "10.000"}


def test_an_integral_float_is_an_integer(supplier: ASGIClient) -> None:
    response = supplier.post("/v1/lots", json=lot(parcel_count=60.0))
    assert response.status_code == 201, response.text
    assert response.json()["lot"]["parcel_count"] == 60


@pytest.mark.parametrize("count", [60.5, "60", True])
def test_a_fraction_a_string_or_a_bool_is_not_an_integer(supplier: ASGIClient, count: Any) -> None:
    response = supplier.post("/v1/lots", json=lot(parcel_count=count))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["body.parcel_count"]
