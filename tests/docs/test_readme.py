"""Every Python block of the README runs as written, in order, against a real server.

The server is the one `make serve` starts (``clearstone-api serve`` with the demo data), on a free
loopback port; the blocks reach it the way the README tells a reader to: ``CLEARSTONE_BASE_URL``,
``CLEARSTONE_CLIENT_ID`` and ``CLEARSTONE_CLIENT_SECRET`` of a retailer made with
``clearstone-api create-client``. The blocks share one namespace, as they would in one session,
and run as ``__main__`` (so a block's ``if __name__ == "__main__":`` part runs too).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clearstone import Clearstone

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _api(*args: str, env: dict[str, str]) -> str:
    cli = Path(sys.executable).with_name("clearstone-api")
    done = subprocess.run([cli, *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("readme")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLEARSTONE_")},
        "CLEARSTONE_DATA_DIR": str(data_dir),
        "CLEARSTONE_ENVIRONMENT": "development",
        "CLEARSTONE_RATE_LIMIT_ENABLED": "false",
        "CLEARSTONE_WEBHOOKS_ALLOW_PRIVATE": "1",  # as `make serve`: the receiver example
    }
    _api("migrate", env=env)
    _api("load-demo", env=env)
    created = json.loads(
        _api("create-client", "--role", "retailer", "--tenant", "readme-shop", "--json", env=env)
    )
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    cli = Path(sys.executable).with_name("clearstone-api")
    with (data_dir / "server.log").open("w") as log:
        process = subprocess.Popen(
            [cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 90  # a busy machine starts an interpreter slowly
        while True:
            assert process.poll() is None, (data_dir / "server.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield {
            "CLEARSTONE_BASE_URL": base_url,
            "CLEARSTONE_CLIENT_ID": created["client_id"],
            "CLEARSTONE_CLIENT_SECRET": created["client_secret"],
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 4


def test_every_python_block_runs_as_written(
    server: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in server.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    try:
        for line, source in python_blocks():
            code = compile(source, f"README.md:{line}", "exec")
            exec(code, namespace)  # the README's own code, run as a reader would run it
    finally:
        for value in namespace.values():  # a reader's process would exit; this one goes on
            if isinstance(value, Clearstone):
                value.close()
    printed = capsys.readouterr().out
    assert "red_flag" in printed  # the Marange lookup said what the README says it says
    assert "'DEMO-ZW-MARANGE-2008': 'block'" in printed  # the checkout example's own output
    assert "received: ['webhook.test']" in printed  # the webhook receiver verified a delivery
