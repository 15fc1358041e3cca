"""Liveness and readiness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from clearstone_api.errors import ServiceUnavailable
from clearstone_api.http_errors import Problem
from clearstone_api.routes.dependencies import container
from clearstone_api.services.readiness import readiness_problem

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
    found = await run_in_threadpool(readiness_problem, container(request).database)
    if found is not None:
        raise ServiceUnavailable(found)
    return Health(status="ok")
