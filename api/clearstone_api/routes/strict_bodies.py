"""Strict JSON bodies: ``0`` is not ``false`` and ``"1"`` is not ``1``.

FastAPI validates bodies in pydantic's lax mode, which coerces such values and so accepts
requests the contract says are invalid (schemathesis' negative-data check finds them). Each
writing route also runs :func:`strict_body`, which re-validates the raw JSON in strict JSON mode
(dates and decimals as strings stay valid there) and reports the same 422 shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends as DependsParam
from pydantic import BaseModel, ValidationError

__all__ = ["strict_body", "strict_model_of"]


def strict_body(model: type[BaseModel]) -> DependsParam:
    """A route dependency that rejects what strict JSON validation of ``model`` rejects."""

    async def check(request: Request) -> None:
        try:
            model.model_validate_json(await request.body(), strict=True)
        except ValidationError as exc:
            raise RequestValidationError(
                [
                    {**error, "loc": ("body", *error["loc"])}
                    for error in exc.errors(include_url=False)
                ]
            ) from None

    check.strict_model = model  # type: ignore[attr-defined]  # read by routes/lean_body.py
    checker: Callable[[Request], Awaitable[None]] = check
    dependency: DependsParam = Depends(checker)
    return dependency


def strict_model_of(call: object) -> type[BaseModel] | None:
    """The model a :func:`strict_body` dependency checks; None for any other callable."""
    model = getattr(call, "strict_model", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None
