"""The server process of ``clearstone-api serve``: uvicorn, with two behaviours a container needs
that uvicorn's own multi-worker supervisor lacks.

1. **A broken app stops the container.** The app is built once in the supervisor before any
   worker starts (:func:`preflight`), so a configuration error (a placeholder secret, an
   unreadable key file) ends the process with :data:`STARTUP_FAILURE` and a clear message,
   and the orchestrator's restart policy and alerts see it. A worker that still fails before it
   serves also ends the supervisor with that status, instead of exiting 0.
2. **Shutdown stops accepting before draining.** With several workers the listening socket is
   shared: when the workers close their copies after SIGTERM, the supervisor's copy keeps the
   port listening, so the kernel goes on completing handshakes for connections nobody will
   accept until every worker has finished draining; they then hang and are reset. Here the
   supervisor shuts the socket down as soon as the workers have stopped accepting: new
   connections are refused at once (a load balancer retries them elsewhere, even a POST, since
   nothing was sent), while the requests in flight finish within the graceful timeout.

Example::

    serve(ServerConfig("clearstone_api.app:create_app", factory=True, workers=2))
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import socket
import sys
import time
from pathlib import Path

import uvicorn
from prometheus_client.multiprocess import mark_process_dead
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

from clearstone_api.observability.metrics import multiprocess_dir

__all__ = [
    "STARTUP_FAILURE",
    "ServerConfig",
    "Supervisor",
    "freeze_long_lived",
    "preflight",
    "serve",
]

logger = logging.getLogger("clearstone.serve")

WORKER_CLOSE_WAIT_SECONDS = 1.0
"""How long the supervisor waits for the workers to close their listening sockets after SIGTERM
before it shuts the shared socket down anyway. A worker notices SIGTERM within 0.1 s."""


def preflight(import_string: str) -> None:
    """Build the app once, in this process, and exit with :data:`STARTUP_FAILURE` if it cannot
    be built. Building opens no connection (pools open on first use), so this is cheap."""
    module_name, _, attribute = import_string.partition(":")
    try:
        getattr(importlib.import_module(module_name), attribute)()
    except Exception as error:  # any failure of the factory stops the process, with its reason
        logger.error("the app cannot start: %s: %s", type(error).__name__, error)
        sys.exit(STARTUP_FAILURE)
    finally:
        # The supervisor serves nothing: the live gauges this app wrote (its pools' sizes) must
        # not be added to the workers' in /metrics.
        metrics_dir = multiprocess_dir()
        if metrics_dir is not None:
            mark_process_dead(os.getpid(), metrics_dir)  # type: ignore[no-untyped-call]  # unannotated upstream


class ServerConfig(uvicorn.Config):
    """uvicorn's configuration, whose app loading in a worker turns any failure of the factory
    into :data:`STARTUP_FAILURE`: uvicorn maps only a ``TypeError`` to it, and its supervisor
    respawns a worker that exits otherwise, forever."""

    def load(self) -> None:
        try:
            super().load()
        except Exception as error:  # whatever the factory raises
            logger.exception("the app cannot start: %s: %s", type(error).__name__, error)
            sys.exit(STARTUP_FAILURE)
        freeze_long_lived()


def freeze_long_lived() -> None:
    """Move everything the process has built so far (modules, the app, its routes and schemas)
    out of the garbage collector's sight: it lives as long as the process, and the collections
    that requests trigger by allocating stopped walking it (a lookup cost 30 % less server time
    with it frozen: bench/README.md). Garbage from building it is collected first."""
    gc.collect()
    gc.freeze()


def _socket_inode(sock: socket.socket) -> int:
    return os.fstat(sock.fileno()).st_ino


def _holds_socket(pid: int, inode: int) -> bool:
    """Whether process ``pid`` still has the socket open (Linux ``/proc``; False elsewhere)."""
    target = f"socket:[{inode}]"
    try:
        entries = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for entry in entries:
        try:
            if os.readlink(entry) == target:
                return True
        except OSError:
            continue
    return False


class Supervisor(Multiprocess):
    """uvicorn's worker supervisor, which also stops listening at shutdown and reports a worker
    that failed to start."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets)
        self.signalled = False

    def handle_int(self) -> None:
        self.signalled = True
        super().handle_int()

    def handle_term(self) -> None:
        self.signalled = True
        super().handle_term()

    @property
    def startup_failed(self) -> bool:
        """The supervisor stopped because a worker failed before serving, not on a signal."""
        return self.should_exit.is_set() and not self.signalled

    def terminate_all(self) -> None:
        super().terminate_all()  # SIGTERM: each worker closes its listener, then drains
        self.stop_listening()

    def stop_listening(self) -> None:
        """Once no worker accepts any more, take the port out of LISTEN: connections still
        queued and new ones are refused, not left to hang until the last worker exits.
        (Shutting it down while a worker still watches it would make that worker's accept
        loop fail on every turn, hence the wait.)"""
        inodes = [_socket_inode(sock) for sock in self.sockets]
        pids = [process.pid for process in self.processes if process.pid is not None]
        deadline = time.monotonic() + WORKER_CLOSE_WAIT_SECONDS
        while time.monotonic() < deadline and any(
            _holds_socket(pid, inode) for pid in pids for inode in inodes
        ):
            time.sleep(0.01)
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed or never listened
            sock.close()
        logger.info("stopped accepting connections; draining the requests in flight")


def serve(config: ServerConfig) -> None:
    """Serve ``config`` (an import string with ``factory=True``), exiting non-zero if the app
    cannot start."""
    assert isinstance(config.app, str), "an import string: each worker builds its own app"
    preflight(config.app)
    if config.workers <= 1:
        server = uvicorn.Server(config)
        server.run()  # closes its own listener before draining
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    supervisor = Supervisor(config, [config.bind_socket()])
    supervisor.run()
    if supervisor.startup_failed:
        sys.exit(STARTUP_FAILURE)
