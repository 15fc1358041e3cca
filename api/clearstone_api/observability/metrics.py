"""Prometheus metrics: what the service counts, and ``GET /metrics`` that exposes it.

=============================================  =========  ==================================
metric                                         type       labels
=============================================  =========  ==================================
``clearstone_http_requests_total``             counter    ``method``, ``route``, ``status``
``clearstone_http_request_duration_seconds``   histogram  ``method``, ``route``
``clearstone_http_requests_in_flight``         gauge
``clearstone_assessments_total``               counter    ``source``, ``kp``, ``csc``
``clearstone_reassessment_runs_total``         counter    ``outcome``
``clearstone_reassessment_duration_seconds``   histogram
``clearstone_reassessment_stones_total``       counter    ``result``
``clearstone_db_pool_checked_out``             gauge      ``engine``
``clearstone_db_pool_size``                    gauge      ``engine``
``clearstone_db_pool_limit``                   gauge      ``engine``
``clearstone_db_connection_budget``            gauge
``clearstone_job_queue_depth``                 gauge      ``queue``
``clearstone_jobs_total``                      counter    ``task``, ``queue``, ``outcome``
``clearstone_job_duration_seconds``            histogram  ``task``
``clearstone_job_wait_seconds``                histogram  ``queue``
``clearstone_webhook_deliveries_total``        counter    ``outcome``
=============================================  =========  ==================================

``clearstone_job_queue_depth`` (jobs due and not started, per queue) is read from the queue at
each scrape, so every API process reports the same, whole figure; the job counters and
histograms come from the process that ran the job (a worker's own ``--metrics-port``, or the
serving process on SQLite).

``route`` is the route's template (``/v1/certificates/{number}``, or ``unmatched``), never the
raw path, so label values stay bounded whatever clients send.

**Several worker processes.** Each uvicorn worker is a process with its own counters, and a
scrape reaches one of them. When ``PROMETHEUS_MULTIPROC_DIR`` names a writable directory (set
before the process starts), prometheus_client keeps every value in memory-mapped files there and
``/metrics`` adds up the files of all workers: counters and histograms of workers that have
exited are kept (they only ever grow), gauges count live workers only.

The metric objects are built once per process, on first use (:func:`process_metrics`), not at
import time, so that the directory can be prepared first.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Metric,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from clearstone_api.db import Database

__all__ = [
    "MULTIPROC_ENV",
    "Metrics",
    "QueueDepth",
    "SampledGauges",
    "count_assessments",
    "count_delivery",
    "count_reassessed",
    "count_run_finished",
    "measured_reassessment",
    "multiprocess_dir",
    "observe_job",
    "process_metrics",
    "registry",
    "reset_multiprocess_dir",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# From a cached certificate (~0.2 ms) to a re-assessing write under load.
_HTTP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RUN_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
# From a webhook delivery (tens of ms) to a re-assessment batch (seconds); waits up to hours
# (a retry's backoff is not counted: the wait starts when the job falls due).
_JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
_WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
P = ParamSpec("P")
R = TypeVar("R")
_LIVE_FILE = re.compile(r"^gauge_live\w*?_(\d+)\.db$")


class Metrics:
    """Every metric of the service, built once per process."""

    def __init__(self) -> None:
        self.requests = Counter(
            "clearstone_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ("method", "route", "status"),
            registry=None,
        )
        self.duration = Histogram(
            "clearstone_http_request_duration_seconds",
            "Time from the request reaching the app to the end of its response.",
            ("method", "route"),
            buckets=_HTTP_BUCKETS,
            registry=None,
        )
        self.in_flight = Gauge(
            "clearstone_http_requests_in_flight",
            "HTTP requests being handled now.",
            registry=None,
            multiprocess_mode="livesum",
        )
        self.assessments = Counter(
            "clearstone_assessments",
            "Assessments computed: inline (POST /v1/assessments) or stored, with the write "
            "that caused them (stone_registered, custody_event, reference_change, ...).",
            ("source", "kp", "csc"),
            registry=None,
        )
        self.reassessment_runs = Counter(
            "clearstone_reassessment_runs",
            "Re-assessment runs after a reference-data change, by outcome (done, failed).",
            ("outcome",),
            registry=None,
        )
        self.reassessment_duration = Histogram(
            "clearstone_reassessment_duration_seconds",
            "Duration of re-assessment runs, whatever their outcome.",
            buckets=_RUN_BUCKETS,
            registry=None,
        )
        self.reassessment_stones = Counter(
            "clearstone_reassessment_stones",
            "Stones re-assessed by reference-data changes, by whether a verdict changed.",
            ("result",),
            registry=None,
        )
        self.pool_checked_out = Gauge(
            "clearstone_db_pool_checked_out",
            "Database connections in use, per pool (sync: writes; async: reads through "
            "SQLAlchemy; asyncpg: the raw pool of the certificate lookup).",
            ("engine",),
            registry=None,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "clearstone_db_pool_size",
            "Connections each pool keeps open (CLEARSTONE_POOL_SIZE).",
            ("engine",),
            registry=None,
            multiprocess_mode="livesum",
        )
        self.pool_limit = Gauge(
            "clearstone_db_pool_limit",
            "The most connections a pool opens (its size plus its overflow); a request that "
            "finds them all in use waits.",
            ("engine",),
            registry=None,
            multiprocess_mode="livesum",
        )

        self.connection_budget = Gauge(
            "clearstone_db_connection_budget",
            "The most database connections the process can open, every pool at its limit "
            "(summed over the live workers of a container).",
            registry=None,
            multiprocess_mode="livesum",
        )
        self.jobs = Counter(
            "clearstone_jobs",
            "Jobs run, by task, queue and outcome (succeeded; failed: it raised, and is "
            "retried if its task's attempts are not spent).",
            ("task", "queue", "outcome"),
            registry=None,
        )
        self.job_duration = Histogram(
            "clearstone_job_duration_seconds",
            "Time a job's task function ran, whatever its outcome.",
            ("task",),
            buckets=_JOB_BUCKETS,
            registry=None,
        )
        self.job_wait = Histogram(
            "clearstone_job_wait_seconds",
            "Time from a job being enqueued (or falling due) to a worker starting it.",
            ("queue",),
            buckets=_WAIT_BUCKETS,
            registry=None,
        )
        self.webhook_deliveries = Counter(
            "clearstone_webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, failed, disabled).",
            ("outcome",),
            registry=None,
        )

    def collectors(self) -> list[Counter | Gauge | Histogram]:
        return [
            self.requests,
            self.duration,
            self.in_flight,
            self.assessments,
            self.reassessment_runs,
            self.reassessment_duration,
            self.reassessment_stones,
            self.pool_checked_out,
            self.pool_size,
            self.pool_limit,
            self.connection_budget,
            self.jobs,
            self.job_duration,
            self.job_wait,
            self.webhook_deliveries,
        ]


def multiprocess_dir() -> str | None:
    """The directory shared by the workers, when multiprocess mode is on."""
    return os.environ.get(MULTIPROC_ENV) or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_stale_live_gauges(path: str) -> None:
    """Forget the live gauges of processes that are gone, and this pid's own earlier ones (a
    restarted container can hand a new worker the pid of an old one)."""
    for name in os.listdir(path):
        found = _LIVE_FILE.match(name)
        if found is None:
            continue
        pid = int(found.group(1))
        if pid == os.getpid() or not _alive(pid):
            mark_process_dead(pid, path)  # type: ignore[no-untyped-call]  # unannotated upstream


def reset_multiprocess_dir() -> None:
    """Empty the multiprocess directory; only before any worker starts (``clearstone-api
    serve`` does it)."""
    path = multiprocess_dir()
    if path is None:
        return
    os.makedirs(path, exist_ok=True)
    for stale in glob.glob(os.path.join(path, "*.db")):
        os.remove(stale)


@functools.cache
def process_metrics() -> Metrics:
    """This process's metrics; the first call prepares the multiprocess directory."""
    # No *_created series: they double the output and nothing here reads them.
    disable_created_metrics()  # type: ignore[no-untyped-call]  # unannotated upstream
    path = multiprocess_dir()
    if path is not None:
        os.makedirs(path, exist_ok=True)
        _drop_stale_live_gauges(path)
    return Metrics()


def count_assessments(source: str, results: Iterable[tuple[str, str]]) -> None:
    """Count computed assessments by ``(kp_result, csc_result)``."""
    tally = Tally(results)
    counter = process_metrics().assessments
    for (kp, csc), count in tally.items():
        counter.labels(source, kp, csc).inc(count)


def measured_reassessment(run: Callable[P, R]) -> Callable[P, R]:
    """Count a re-assessment run by its outcome (``done``, or ``failed`` when it raises) and
    time it."""

    @functools.wraps(run)
    def measured(*args: P.args, **kwargs: P.kwargs) -> R:
        metrics = process_metrics()
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = run(*args, **kwargs)
            outcome = "done"
            return result
        finally:
            metrics.reassessment_runs.labels(outcome).inc()
            metrics.reassessment_duration.observe(time.perf_counter() - started)

    return measured


def count_run_finished(seconds: float) -> None:
    """A re-assessment run finished, ``seconds`` after it started."""
    metrics = process_metrics()
    metrics.reassessment_runs.labels("done").inc()
    metrics.reassessment_duration.observe(seconds)


def count_reassessed(reassessed: int, changed: int) -> None:
    """Stones a re-assessment batch re-assessed, and how many of their verdicts changed."""
    stones = process_metrics().reassessment_stones
    stones.labels("changed").inc(changed)
    stones.labels("unchanged").inc(reassessed - changed)


def observe_job(task: str, queue: str, outcome: str, seconds: float, waited: float | None) -> None:
    """One job run: its outcome, how long it ran and how long it had waited."""
    metrics = process_metrics()
    metrics.jobs.labels(task, queue, outcome).inc()
    metrics.job_duration.labels(task).observe(seconds)
    if waited is not None:
        metrics.job_wait.labels(queue).observe(waited)


def count_delivery(outcome: str) -> None:
    """One webhook delivery attempt: ``delivered``, ``failed`` or ``disabled``."""
    process_metrics().webhook_deliveries.labels(outcome).inc()


class QueueDepth(Collector):
    """``clearstone_job_queue_depth``: read from the queue when scraped."""

    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self._depth = depth

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "clearstone_job_queue_depth",
            "Jobs due and not yet started, per queue (what the worker autoscaler follows).",
            labels=("queue",),
        )
        try:
            depth = self._depth()
        except Exception:  # a scrape must not fail because the database is away
            return []
        for queue, count in sorted(depth.items()):
            family.add_metric((queue,), float(count))
        return [family]


class SampledGauges:
    """Requests in flight and both pools' connections in use, written into their gauges by
    sampling rather than on every change.

    A pool's ``checkin`` event fires before the connection is back in the pool, so counts kept
    from pool events drift under concurrency, whereas a sample is exact when it is taken; and
    a sample costs one gauge write instead of two per request. Samples are taken at most every
    :attr:`INTERVAL` seconds under load, whenever the process falls idle (so an idle worker
    never reports stale connections in use), and at every scrape.
    """

    INTERVAL = 0.05

    def __init__(self, database: Database) -> None:
        metrics = process_metrics()
        self.active = 0
        """Requests this process is handling now (the middleware counts them)."""
        self._in_flight = metrics.in_flight
        self._sampled_at = 0.0
        self._last: list[float] = []
        self._pools: list[tuple[Engine, Gauge]] = []
        self._database = database
        budget = 0
        for label, engine in (
            ("sync", database.engine),
            ("async", database.async_engine.sync_engine),
        ):
            pool = engine.pool
            if not isinstance(pool, QueuePool):  # SQLite in memory: one static connection
                continue
            metrics.pool_size.labels(label).set(pool.size())
            max_overflow: int = getattr(pool, "_max_overflow", 0)
            limit = pool.size() + max(max_overflow, 0)
            metrics.pool_limit.labels(label).set(limit)
            budget += limit
            self._pools.append((engine, metrics.pool_checked_out.labels(label)))
        self._hot: Gauge | None = None
        if database.has_hot_pool:  # the raw asyncpg pool: its size plus the same as overflow
            metrics.pool_size.labels("asyncpg").set(database.hot_pool_limit // 2)
            metrics.pool_limit.labels("asyncpg").set(database.hot_pool_limit)
            budget += database.hot_pool_limit
            self._hot = metrics.pool_checked_out.labels("asyncpg")
        metrics.connection_budget.set(budget)
        self.sample()

    def sample(self, now: float | None = None) -> None:
        self._sampled_at = time.perf_counter() if now is None else now
        values = [float(self.active)]
        for engine, _ in self._pools:
            pool = engine.pool  # dispose() replaces it
            values.append(float(pool.checkedout()) if isinstance(pool, QueuePool) else 0.0)
        if self._hot is not None:
            values.append(float(self._database.hot_pool_in_use()))
        if values == self._last:
            return  # in multiprocess mode every gauge write is a locked write to a shared file
        self._last = values
        self._in_flight.set(values[0])
        gauges = [gauge for _, gauge in self._pools]
        if self._hot is not None:
            gauges.append(self._hot)
        for checked_out, value in zip(gauges, values[1:], strict=True):
            checked_out.set(value)

    def request_done(self, now: float) -> None:
        self.active -= 1
        if self.active == 0 or now - self._sampled_at >= self.INTERVAL:
            self.sample(now)


def registry(depth: Callable[[], dict[str, int]] | None = None) -> CollectorRegistry:
    """What ``GET /metrics`` exposes: this process's metrics, or every worker's in multiprocess
    mode; with ``depth``, the job queue's depth as well."""
    registry = CollectorRegistry(auto_describe=False)
    if depth is not None:
        registry.register(QueueDepth(depth))
    if multiprocess_dir() is not None:
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
    else:
        for collector in process_metrics().collectors():
            registry.register(collector)
        ProcessCollector(registry=registry)
    return registry
