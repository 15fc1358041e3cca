"""``python -m bench.api reassess``: re-assessment after an incident, on worker processes.

For each worker count asked for (``--workers 1 2``), in one run of this command: record an
incident in ``country`` with the reference-change service (its re-assessment run is queued in
the same transaction, as the analyst route does), start ``clearstone-api worker --processes N
--burst`` on the benchmark database and wait for it to exit (it exits once no job is due: the
run is done). Throughput is the run's stones over its wall time, from the change's commit to
the last batch's commit (the run's own timestamps), so the workers' start-up counts against
it. The ratio of N workers to 1 is taken within the same command, minutes apart.

``--profile N`` first re-assesses N stones in this process under cProfile and charges the time
(wall, so a database round trip counts as the database's) to the engine, canonical JSON,
signing, the stored views and log entries, reading records, and the database.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import os
import pstats
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.api.config import DATA_DIR, database_url
from bench.api.load import wait_for_quiet
from clearstone_api.container import AppContainer
from clearstone_api.domain.reference_rows import Incident
from clearstone_api.security.principals import Principal
from clearstone_api.security.scopes import Role
from clearstone_api.services.reassessment_jobs import plan, reassess_batch
from clearstone_api.services.reassessment_runs import start_run
from clearstone_api.services.reference_changes import record_change
from clearstone_api.services.unit_of_work import unit_of_work
from clearstone_api.settings import Settings

__all__ = ["run_reassess"]

BATCH = 500
"""Stones per job: the product default."""
ANALYST = Principal(
    id="bench-analyst",
    tenant_id="bench-analyst",
    role=Role.analyst,
    scopes=frozenset({"reference:write", "reference:read"}),
)

# Where a profiled batch spends its time: each component is the cumulative wall time of the
# functions named (``path/suffix.py:function``), called from the batch job's own code.
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("engine (assess)", ("domain/assessment.py:assess",)),
    ("canonical JSON (jcs)", ("clearstone_api/canonical.py:jcs",)),
    ("signing (ES256)", ("security/tokens.py:sign_attestation",)),
    (
        "stored views and log entries",
        ("services/assessments.py:assessment_row", "sqlmodel/main.py:model_validate"),
    ),
    ("reading stored records", ("pydantic/main.py:model_validate_json",)),
    (
        "database (statements and commit, client side and waiting)",
        (
            "sqlmodel/orm/session.py:execute",
            "sqlmodel/orm/session.py:exec",
            "sqlalchemy/orm/session.py:get",
            "sqlalchemy/orm/session.py:commit",
        ),
    ),
]


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        data_dir=DATA_DIR,
        environment="development",
        jobs_in_process=False,
        jobs_periodic=False,
        reassessment_batch_size=BATCH,
    )


def _incident(country: str) -> Incident:
    stamp = time.strftime("%Y%m%d%H%M%S")
    return Incident.model_validate(
        {
            "id": f"INC-BENCH-{country}-{stamp}",
            "title": f"Benchmark incident in {country}",
            "summary": "A synthetic incident added by the benchmark to time re-assessment.",
            "date_start": "2000-01-01",
            "date_end": None,
            "reported_on": "2001-01-01",
            "country": country,
            "actors": ["state_security_forces"],
            "categories": ["C01"],
            "status": "documented",
            "sources": [{"source_id": "BENCH", "title": "Clearstone benchmark"}],
            "retrieved_at": "2026-11-01",
            "verification": "unverified",
        }
    )


def _start(container: AppContainer, country: str) -> int:
    """Record an incident in ``country`` and queue its re-assessment run; the run's id."""
    with unit_of_work(container.database) as uow:
        change = record_change(
            uow.session,
            ANALYST,
            container.references.current(uow.session),
            kind="incident",
            row=_incident(country),
            note="Added by bench/api to time the re-assessment of the stones it reaches.",
            action="create",
        )
        assert change.id is not None
        run = start_run(
            uow, container.jobs, reason="reference_change", change_id=change.id, batch_size=BATCH
        )
    assert run.id is not None
    return run.id


def _drop_queued(container: AppContainer, run_id: int) -> None:
    with container.database.session() as session:
        session.execute(
            text(
                "DELETE FROM procrastinate_jobs WHERE status = 'todo' "
                "AND (args->>'run_id')::int = :run"
            ),
            {"run": run_id},
        )
        session.execute(
            text("UPDATE reassessment_runs SET state = 'done' WHERE id = :run"), {"run": run_id}
        )


def _queue_is_empty(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            waiting = connection.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar_one()
    finally:
        engine.dispose()
    if waiting:
        raise SystemExit(f"{waiting} job(s) already queued in the benchmark database: not timed")


def _run_row(url: str, run_id: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT r.state, r.total, r.created_at, r.started_at, r.finished_at, "
                    "coalesce(sum(b.stones), 0), coalesce(sum(b.changed), 0), count(b.seq) "
                    "FROM reassessment_runs r LEFT JOIN reassessment_batches b "
                    "ON b.run_id = r.id WHERE r.id = :id GROUP BY r.id"
                ),
                {"id": run_id},
            ).one()
    finally:
        engine.dispose()
    state, total, created, started, finished, done, changed, batches = row
    return {
        "state": state,
        "total": total,
        "done": int(done),
        "changed": int(changed),
        "batches": batches,
        "created_at": created,
        "started_at": started,
        "finished_at": finished,
    }


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds used so far by each live PostgreSQL process on this machine (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if name.startswith("postgres"):
            fields = stat[stat.rindex(")") + 2 :].split()
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return used


class _PostgresMeter:
    """PostgreSQL's CPU over an interval, sampled every 0.2 s: a backend's time is counted
    up to its last sample, so the workers' connections count though they close at the end."""

    def __init__(self) -> None:
        self._start = _postgres_cpu()
        self._last = dict(self._start)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self._last.update(_postgres_cpu())

    def seconds(self) -> float:
        self._stop.set()
        self._thread.join()
        self._last.update(_postgres_cpu())
        return sum(used - self._start.get(pid, 0.0) for pid, used in self._last.items())


def _cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _workers(url: str, processes: int, timeout: float) -> float:
    """Run ``clearstone-api worker --processes N --burst`` to the end; its wall seconds."""
    cli = Path(sys.executable).with_name("clearstone-api")
    env = {
        **os.environ,
        "CLEARSTONE_DATABASE_URL": url,
        "CLEARSTONE_DATA_DIR": str(DATA_DIR),
        "CLEARSTONE_ENVIRONMENT": "development",
        "CLEARSTONE_JOBS_PERIODIC": "false",
        "CLEARSTONE_LOG_LEVEL": "WARNING",
    }
    command = [str(cli), "worker", "--processes", str(processes), "--burst"]
    command += ["--queue", "default", "--queue", "reassessment"]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, timeout=timeout)
    return time.perf_counter() - started


def _one(url: str, country: str, processes: int, timeout: float) -> dict[str, Any]:
    _queue_is_empty(url)
    container = AppContainer.from_settings(_settings(url))
    try:
        run_id = _start(container, country)
    finally:
        container.database.engine.dispose()
    busy0, total0 = _cpu_busy()
    load0 = os.getloadavg()[0]
    postgres = _PostgresMeter()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_wall = _workers(url, processes, timeout)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    postgres_s = postgres.seconds()
    busy1, total1 = _cpu_busy()
    run = _run_row(url, run_id)
    if run["state"] != "done":
        raise SystemExit(f"run {run_id} not done after the workers exited: {run}")
    wall = (run["finished_at"] - run["created_at"]).total_seconds()
    report = {
        "workers": processes,
        "run_id": run_id,
        "stones": run["done"],
        "changed": run["changed"],
        "batches": run["batches"],
        "wall_s": round(wall, 1),
        "planning_s": round((run["started_at"] - run["created_at"]).total_seconds(), 2),
        "worker_process_s": round(worker_wall, 1),
        "stones_per_s": round(run["done"] / wall, 1),
        "worker_cpu_ms_per_stone": round(
            1000
            * (children1.ru_utime + children1.ru_stime - children0.ru_utime - children0.ru_stime)
            / max(run["done"], 1),
            3,
        ),
        "postgres_cpu_ms_per_stone": round(1000 * postgres_s / max(run["done"], 1), 3),
        "machine_cpu_busy": round((busy1 - busy0) / max(total1 - total0, 1), 2),
        "load1_before": round(load0, 2),
        "load1_after": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(report), flush=True)
    return report


def _profile(url: str, country: str, stones: int) -> dict[str, Any]:
    """Re-assess about ``stones`` stones in this process under cProfile (wall time)."""
    container = AppContainer.from_settings(_settings(url))
    try:
        run_id = _start(container, country)
        plan(container, run_id=run_id)
        profiler = cProfile.Profile(time.perf_counter)
        batches = max(1, stones // BATCH)
        cpu = time.process_time()
        wall = time.perf_counter()
        profiler.enable()
        for seq in range(batches):
            reassess_batch(container, run_id=run_id, seq=seq)
        profiler.disable()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        _drop_queued(container, run_id)  # the rest of this run must not wait for the workers
    finally:
        container.database.engine.dispose()
    done = batches * BATCH
    stats = pstats.Stats(profiler)
    cumulative: dict[str, float] = {}
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        label = f"{filename}:{name}"
        cumulative[label] = cumulative.get(label, 0.0) + row[3]

    def charged(patterns: tuple[str, ...]) -> float:
        return sum(
            seconds
            for label, seconds in cumulative.items()
            if any(label.endswith(pattern) for pattern in patterns)
        )

    split = {name: round(1000 * charged(patterns) / done, 3) for name, patterns in COMPONENTS}
    report = {
        "stones": done,
        "wall_ms_per_stone": round(1000 * wall / done, 3),
        "cpu_ms_per_stone": round(1000 * cpu / done, 3),
        "ms_per_stone_by_component": split,
        "note": "cumulative wall time per component; nested calls (the database inside the "
        "attestation bookkeeping) are counted where they run",
    }
    print(json.dumps(report, indent=2), flush=True)
    return report


def run_reassess(
    database: str,
    country: str,
    *,
    workers: list[int],
    profile: int,
    wait_quiet: float,
    timeout: float,
    results: Path,
) -> dict[str, Any]:
    url = database_url(database)
    report: dict[str, Any] = {
        "database": database,
        "country": country,
        "batch_size": BATCH,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    if wait_quiet > 0:
        report["quiet"] = wait_for_quiet(wait_quiet)
    if profile:
        report["profile"] = _profile(url, country, profile)
    runs = [_one(url, country, n, timeout) for n in workers]
    report["runs"] = runs
    if len(runs) > 1:
        base = runs[0]["stones_per_s"]
        report["ratios_vs_first"] = {
            str(r["workers"]): round(r["stones_per_s"] / base, 2) for r in runs[1:]
        }
    print(json.dumps(report, indent=2, default=str))
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = results / f"reassess-workers-{database}-{country}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report
