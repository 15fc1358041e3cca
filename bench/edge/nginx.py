"""The deploy's nginx (``deploy/nginx.conf``), adapted to run here, unprivileged paths and all.

The adaptation changes only where things are, never how requests are handled: it listens on a
loopback port, sends to one API on a loopback port instead of the compose network's ``api``
(so no resolver), keeps its pid, temporary files, cache and log in a work directory, and runs
``workers`` worker processes. ``cache=False`` turns the public lookups' cache off
(``proxy_cache off``) and nothing else, for a with/without comparison.

    with running_nginx(listen_port=18080, api_port=18000, workdir=tmp) as base_url:
        httpx.get(base_url + "/v1/certificates/DEMO-BW-2023")
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["DEPLOY_NGINX", "adapt", "nginx_binary", "running_nginx"]

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_NGINX = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str | None:
    """Debian's nginx, if installed (``apt-get install nginx-light``)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def _sub(pattern: str, replacement: str, text: str) -> str:
    changed, count = re.subn(pattern, replacement, text, flags=re.M)
    if count == 0:
        raise ValueError(f"deploy/nginx.conf no longer has {pattern!r}: update bench/edge")
    return changed


def adapt(
    conf: str, *, listen_port: int, api_port: int, workdir: Path, cache: bool = True,
    workers: int = 1,
) -> str:  # fmt: skip
    """``conf`` (the deploy's nginx.conf) as it runs here."""
    conf = _sub(r"/tmp/", f"{workdir}/", conf)  # first: the paths set below may be under /tmp
    conf = _sub(r"^worker_processes\s+\S+;", f"worker_processes {workers};", conf)
    if os.geteuid() == 0:  # workers as this user, not nobody: the work directory is ours
        conf = f"user {pwd.getpwuid(0).pw_name};\n{conf}"
    conf = _sub(r"^error_log\s+\S+", f"error_log {workdir}/error.log", conf)
    conf = _sub(r"^(\s*)resolver(_timeout)?\s.*;\n", "", conf)
    conf = _sub(r"listen\s+8000;", f"listen 127.0.0.1:{listen_port};", conf)
    upstream = f"set $clearstone_api 127.0.0.1:{api_port};"
    conf = _sub(r"set\s+\$clearstone_api\s+api:8000;", upstream, conf)
    if not cache:
        conf = _sub(r"proxy_cache\s+clearstone_public;", "proxy_cache off;", conf)
    return conf


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


@contextmanager
def running_nginx(
    *, listen_port: int, api_port: int, workdir: Path, cache: bool = True, workers: int = 1,
    cpu: int | None = None,
) -> Iterator[str]:  # fmt: skip
    """nginx in the foreground with the adapted deploy config; stopped on the way out. Yields
    its base URL."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx-light")
    workdir.mkdir(parents=True, exist_ok=True)
    conf = adapt(
        DEPLOY_NGINX.read_text(), listen_port=listen_port, api_port=api_port,
        workdir=workdir, cache=cache, workers=workers,
    )  # fmt: skip
    path = workdir / "nginx.conf"
    path.write_text(conf)
    command = [binary, "-c", str(path), "-p", str(workdir), "-e", str(workdir / "error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refuses the adapted config: {checked.stderr}")
    pinned = ["taskset", "-c", str(cpu)] if cpu is not None else []
    process = subprocess.Popen([*pinned, *command, "-g", "daemon off;"], env=os.environ.copy())
    try:
        _wait_for_port(listen_port, process, 10)
        yield f"http://127.0.0.1:{listen_port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
