"""The wheel built from the repository installs alone: a working ``clearstone`` command in a
fresh virtual environment, with none of the server's dependencies.

One test on purpose: building and installing takes most of its ~25 s (dependencies from the
package index), and one test runs on one pytest-xdist worker instead of once per worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from .test_attestations import SigningKey, attestation

REPO = Path(__file__).resolve().parents[2]
SERVER_MODULES = ("fastapi", "sqlmodel", "sqlalchemy", "clearstone_api")


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_wheel_installs_a_working_cli_without_the_server(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, REPO)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("clearstone-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "clearstone/py.typed" in names
    assert "clearstone/_resources/checkout.py" in names
    assert not [n for n in names if n.startswith("clearstone_api")]

    # The fresh environment gets no pip of its own: this interpreter's pip installs into it.
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python, cli = env / "bin" / "python", env / "bin" / "clearstone"
    installed = _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr

    for command in ([], ["check"], ["screen"], ["assess"], ["verify"]):
        shown = _run(cli, *command, "--help")
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith("usage: clearstone")

    for module in SERVER_MODULES:
        imported = _run(python, "-c", f"import {module}")
        assert imported.returncode == 1, f"{module} is installed beside the SDK"
        assert "ModuleNotFoundError" in imported.stderr

    # Offline verification works from the installed command alone.
    key = SigningKey("2026-11-a")
    (tmp_path / "stone.jws").write_text(attestation(key), encoding="utf-8")
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [key.jwk()]}), encoding="utf-8")
    verified = _run(cli, "verify", "stone.jws", "--jwks", "jwks.json", "--trust-jwks", cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("VALID attestation")

    unreachable = _run(
        cli, "check", "2141438167", "--base-url", "http://127.0.0.1:9", "--timeout", "1"
    )
    assert unreachable.returncode == 2
    assert "cannot reach http://127.0.0.1:9" in unreachable.stderr
