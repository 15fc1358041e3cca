"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from clearstone_api.db import database_of
from clearstone_api.errors import Problem, ServiceUnavailable
from clearstone_api.schema import serves_schema

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


@router.get("/healthz", operation_id="health-get", summary="Liveness: the process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="readiness-get",
    summary="Readiness: the database answers and its schema is not behind this release",
    responses={503: {"model": Problem, "description": "Not ready."}},
)
async def readyz(request: Request) -> Health:
    def problem() -> str | None:
        try:
            with database_of(request).engine.connect() as connection:
                if serves_schema(connection):
                    return None
                return "The database schema is behind this release's migrations."
        except SQLAlchemyError:
            return "The database is unreachable."

    found = await run_in_threadpool(problem)
    if found is not None:
        raise ServiceUnavailable(found)
    return Health(status="ok")
