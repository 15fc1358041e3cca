"""Stopping and starting this machine's PostgreSQL cluster, and always starting it again.

``outage(seconds)`` stops the cluster (fast shutdown: open transactions are rolled back and
connections cut, as in a crash-free restart or a failover), waits, starts it, and waits until it
accepts connections. The start is in a ``finally``; :func:`ensure_running` is the last thing the
load test does on every path out.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Outage", "cluster", "ensure_running", "is_ready", "outage"]

HOST, PORT = "127.0.0.1", "5432"


def cluster() -> tuple[str, str]:
    """The (version, name) of the local cluster: the one .ci/run starts."""
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if p.is_dir())
    return versions[-1], "main"


def _ctl(action: str, *extra: str) -> None:
    version, name = cluster()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *extra],
        check=True,
        capture_output=True,
        timeout=120,
    )


def is_ready() -> bool:
    probe = subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", PORT], check=False)
    return probe.returncode == 0


def wait_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not is_ready():
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not come back")
        time.sleep(0.1)


def ensure_running() -> None:
    """Start the cluster if it is not accepting connections; wait until it does."""
    if is_ready():
        return
    try:
        _ctl("start")
    except subprocess.CalledProcessError:
        if not is_ready():  # "already running" while still starting up is fine
            raise
    wait_ready()


@dataclass
class Outage:
    """When the database went away and came back, on the load's clock (seconds)."""

    stop_issued: float = 0.0
    stopped: float = 0.0
    start_issued: float = 0.0
    ready: float = 0.0


def outage(seconds: float, clock: float) -> Outage:
    """Stop PostgreSQL, keep it down ``seconds``, start it; times relative to ``clock``
    (a ``time.monotonic()`` value). Blocking: run it in a thread beside the load."""
    record = Outage()
    record.stop_issued = time.monotonic() - clock
    try:
        _ctl("stop", "-m", "fast")
        record.stopped = time.monotonic() - clock
        time.sleep(seconds)
    finally:
        record.start_issued = time.monotonic() - clock
        ensure_running()
        record.ready = time.monotonic() - clock
    return record
