"""``clearstone-api serve``'s server process (``clearstone_api.serving``) as an orchestrator sees
it: a real supervisor with two worker processes on a local port, signalled like a container.

- An app that cannot be built ends the process with a non-zero status (uvicorn's own supervisor
  respawned a failing worker forever, or exited 0), so a restart policy and alerts fire.
- After SIGTERM the port refuses new connections at once, while the request in flight finishes:
  a load balancer can retry elsewhere instead of waiting on a connection nobody will accept.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from clearstone_api.serving import STARTUP_FAILURE
from tests.deploy.deployfiles import ROOT
from tests.deploy.serving_apps import MARKER_ENV


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(factory: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    script = (
        "import logging\n"
        "from clearstone_api.serving import ServerConfig, serve\n"
        "logging.basicConfig(level=logging.INFO)\n"
        f"serve(ServerConfig('tests.deploy.serving_apps:{factory}', factory=True, "
        f"host='127.0.0.1', port={port}, workers=2, timeout_graceful_shutdown=40, "
        "timeout_worker_healthcheck=120))\n"
    )
    # A session of its own: the cleanup can kill the workers too, which would otherwise keep
    # the output pipe open (and a test waiting on it) after their supervisor is gone.
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _finish(server: subprocess.Popen[str], timeout: float) -> str:
    """The server's output once it has exited; everything it started is killed if it has not
    exited within ``timeout``."""
    try:
        output, _ = server.communicate(timeout=timeout)
        return output
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        output, _ = server.communicate(timeout=30)
        raise AssertionError(f"the server did not exit in time:\n{output}") from None


def _wait_until_serving(base: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 180  # three interpreters starting on a busy machine
    while True:
        assert server.poll() is None, server.communicate()[0]
        try:
            if httpx.get(f"{base}/ping", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


def test_an_app_that_cannot_be_built_stops_the_process_with_its_reason() -> None:
    server = _serve("broken", _free_port())
    output = _finish(server, timeout=180)
    assert server.returncode == STARTUP_FAILURE != 0
    assert "the database URL names no host" in output


def test_a_worker_that_cannot_start_stops_the_supervisor_instead_of_respawning() -> None:
    server = _serve("broken_in_workers", _free_port())
    output = _finish(server, timeout=300)
    assert server.returncode == STARTUP_FAILURE, output
    assert "this worker cannot start" in output


def test_sigterm_refuses_new_connections_while_the_request_in_flight_finishes(
    tmp_path: Path,
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    marker = tmp_path / "slow-started"
    server = _serve("slow", port, {MARKER_ENV: str(marker)})
    try:
        _wait_until_serving(base, server)
        answers: list[httpx.Response] = []
        in_flight = threading.Thread(
            target=lambda: answers.append(httpx.get(f"{base}/slow", timeout=60))
        )
        in_flight.start()
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, "the slow request never reached the app"
            time.sleep(0.05)

        server.send_signal(signal.SIGTERM)
        refused = False
        while not refused and in_flight.is_alive():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass  # still listening (the workers have not closed yet): try again
            except ConnectionRefusedError:
                refused = True
            except TimeoutError:
                pass
            time.sleep(0.05)
        still_draining = in_flight.is_alive()

        in_flight.join(timeout=60)
        assert refused, "new connections were still accepted until the drain ended"
        assert still_draining, "the port was refused only after the request in flight ended"
        assert [(r.status_code, r.text) for r in answers] == [(200, "finished")]
        output = _finish(server, timeout=90)
        assert server.returncode == 0, output
        assert "stopped accepting connections" in output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.communicate(timeout=30)
