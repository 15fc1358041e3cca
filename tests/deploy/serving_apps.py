"""Tiny ASGI app factories for the server-process tests (``clearstone_api.serving``): one with a
slow route to hold a request in flight across a shutdown, and two that fail to build."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

MARKER_ENV = "CLEARSTONE_TEST_SLOW_MARKER"
"""A file the slow route creates when it starts, so that a test knows a request is in flight."""


async def _ping(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


async def _slow(_request: Request) -> PlainTextResponse:
    Path(os.environ[MARKER_ENV]).touch()
    await asyncio.sleep(15)  # long enough to watch the shutdown on a busy machine
    return PlainTextResponse("finished")


def slow() -> Starlette:
    return Starlette(routes=[Route("/ping", _ping), Route("/slow", _slow)])


def broken() -> Starlette:
    raise RuntimeError("the database URL names no host")


def broken_in_workers() -> Starlette:
    """Builds in the supervisor, fails in every worker (a fault the preflight cannot see)."""
    if multiprocessing.parent_process() is not None:
        raise RuntimeError("this worker cannot start")
    return slow()
