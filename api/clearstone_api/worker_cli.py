"""``clearstone-api worker``: job-queue worker processes (PostgreSQL).

One process runs one procrastinate worker: it takes a job, runs its task, takes the next.
``--concurrency`` jobs run at once within a process (threads: worth it for jobs that wait on
the network, such as webhook deliveries; CPU-bound re-assessment batches scale with
processes); ``--processes`` starts that many worker processes under this one, which passes
SIGTERM on and waits for them. Start workers on as many machines as you like: they share the
queue in PostgreSQL.

Example::

    clearstone-api worker --processes 2                  # every queue, two processes
    clearstone-api worker --queue webhooks --concurrency 16
    clearstone-api worker --burst                        # until no job is due or running, then exit
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import sys
from types import FrameType
from typing import Any

from clearstone_api.container import AppContainer
from clearstone_api.services.job_queue import WorkerOptions
from clearstone_api.services.job_workers import run_worker
from clearstone_api.services.jobs import QUEUES
from clearstone_api.settings import Settings

__all__ = ["add_worker_command", "run_workers"]


def add_worker_command(commands: Any, run: Any) -> None:
    """The ``worker`` subcommand on ``commands`` (argparse subparsers)."""
    worker = commands.add_parser(
        "worker",
        help="run job-queue workers (PostgreSQL): re-assessments, webhook deliveries, sweeps",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    worker.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes to start (default 1; about one per core for re-assessment)",
    )
    worker.add_argument(
        "--concurrency", type=int, default=1, help="jobs one process runs at once (default 1)"
    )
    worker.add_argument(
        "--queue",
        action="append",
        choices=QUEUES,
        help="take jobs from this queue only (repeatable; default: every queue)",
    )
    worker.add_argument(
        "--burst",
        action="store_true",
        help="exit once no job of these queues is due or running in any worker (cron, CI, "
        "benchmarks: every process of the pool works until a fanned-out run is done)",
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        help="serve this process's job metrics on 127.0.0.1:PORT/metrics (process i of "
        "--processes on PORT+i)",
    )
    worker.add_argument(
        "--metrics-host", default="127.0.0.1", help="address for --metrics-port (default loopback)"
    )
    worker.set_defaults(run=run)


def _one(settings: Settings, args: argparse.Namespace, index: int) -> None:
    """One worker process, until it is stopped (or, with ``--burst``, no work is left)."""
    from clearstone_api.observability.logs import configure_logging

    configure_logging(settings)
    if args.metrics_port is not None:
        from prometheus_client import start_http_server

        from clearstone_api.observability.metrics import registry

        start_http_server(args.metrics_port + index, args.metrics_host, registry())
    container = AppContainer.from_settings(settings)
    options = WorkerOptions(
        settings,
        concurrency=args.concurrency,
        burst=args.burst,
        queues=args.queue,
        name=f"{os.uname().nodename}-{os.getpid()}",
    )

    async def main() -> None:
        try:
            await run_worker(settings, container, options)
        finally:
            await container.aclose()

    asyncio.run(main())


def run_workers(settings: Settings, args: argparse.Namespace) -> None:
    """``clearstone-api worker``: one process, or ``--processes`` children of this one."""
    if settings.is_sqlite:
        sys.exit(
            "clearstone-api worker: the database is SQLite, whose jobs run inside "
            "`clearstone-api serve`; workers need PostgreSQL (CLEARSTONE_DATABASE_URL)"
        )
    if args.processes <= 1:
        _one(settings, args, 0)
        return
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_one, args=(settings, args, i), name=f"clearstone-worker-{i}")
        for i in range(args.processes)
    ]
    for child in children:
        child.start()

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.pid is not None and child.is_alive():
                os.kill(child.pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.join()
    failed = [c.exitcode for c in children if c.exitcode not in (0, -signal.SIGTERM)]
    if failed:
        sys.exit(f"clearstone-api worker: {len(failed)} worker process(es) failed: {failed}")
