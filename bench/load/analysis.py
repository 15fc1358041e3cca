"""What the attempts say: throughput, percentiles, errors, the outage window by window, and
the database's own count of the writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import create_engine, text

from bench.load.postgres import Outage
from bench.load.traffic import Attempt, Write

__all__ = ["outage_windows", "percentile", "summarize", "verify_writes", "write_summary"]

OK = frozenset({200, 201})
DATABASE_DOWN = "https://clearstone.dev/problems/database-unavailable"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank] * 1000


def _status(attempt: Attempt) -> str:
    return str(attempt.status) if attempt.status else (attempt.error or "no response")


def summarize(attempts: Iterable[Attempt], seconds: float | None = None) -> dict[str, Any]:
    attempts = list(attempts)
    latencies = [a.latency for a in attempts]
    if seconds is None:
        seconds = max((a.started + a.latency for a in attempts), default=0.0) - min(
            (a.started for a in attempts), default=0.0
        )
    by_op: dict[str, Any] = {}
    for op in sorted({a.op for a in attempts}):
        of_op = [a for a in attempts if a.op == op]
        by_op[op] = {
            "requests": len(of_op),
            "p50_ms": round(percentile([a.latency for a in of_op], 50), 1),
            "p99_ms": round(percentile([a.latency for a in of_op], 99), 1),
            "errors": sum(a.status not in OK for a in of_op),
        }
    return {
        "requests": len(attempts),
        "seconds": round(seconds, 1),
        "rps": round(len(attempts) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        "errors": sum(a.status not in OK for a in attempts),
        "statuses": dict(sorted(Counter(_status(a) for a in attempts).items())),
        "by_op": by_op,
    }


def outage_windows(attempts: list[Attempt], outage: Outage, grace: float = 2.0) -> dict[str, Any]:
    """Before the stop, while the database is down (stop issued → accepting again), the first
    ``grace`` seconds after, and the rest."""
    spans = {
        "before": (0.0, outage.stop_issued),
        "down": (outage.stop_issued, outage.ready),
        "recovering": (outage.ready, outage.ready + grace),
        "after": (outage.ready + grace, float("inf")),
    }
    windows: dict[str, Any] = {}
    for name, (start, end) in spans.items():
        inside = [a for a in attempts if start <= a.started < end]
        failed = [a for a in inside if a.status not in OK]
        unavailable = [a for a in inside if a.status == 503]
        windows[name] = {
            **summarize(inside, seconds=min(end, _last(attempts)) - start),
            "failed_max_ms": round(max((a.latency for a in failed), default=0.0) * 1000, 1),
            "503": len(unavailable),
            "503_problem_with_retry_after": sum(
                a.problem_type == DATABASE_DOWN and a.retry_after is not None for a in unavailable
            ),
            "500": sum(a.status == 500 for a in inside),
            "no_response": sum(a.status == 0 for a in inside),
        }
    after_ready = [a for a in attempts if a.started >= outage.ready]
    first_ok = {
        op: round(
            min((a.started for a in after_ready if a.op == op and a.status in OK), default=-1)
            - outage.ready,
            2,
        )
        for op in sorted({a.op for a in attempts})
    }
    last_failure = max(
        (a.started + a.latency for a in attempts if a.status not in OK), default=outage.ready
    )
    return {
        "windows": windows,
        "first_success_after_ready_s": first_ok,
        "last_failure_after_ready_s": round(last_failure - outage.ready, 2),
    }


def _last(attempts: list[Attempt]) -> float:
    return max((a.started + a.latency for a in attempts), default=0.0)


def write_summary(writes: list[Write]) -> dict[str, Any]:
    acked = [w for w in writes if w.status == 201]
    retried = [w for w in writes if w.attempts > 1]
    return {
        "writes": len(writes),
        "acknowledged": len(acked),
        "not_acknowledged": len(writes) - len(acked),
        "retried": len(retried),
        "retried_then_acknowledged": sum(w.status == 201 for w in retried),
        "acknowledged_by_replay": sum(w.replayed for w in acked),
        "attempts_max": max((w.attempts for w in writes), default=0),
        "by_kind": dict(Counter(w.kind for w in acked)),
    }


def verify_writes(url: str, tenant: str, client_id: str, writes: list[Write]) -> dict[str, Any]:
    """Count in the database: each acknowledged write exists exactly once, as the record the
    client was told about; nothing else was written; no key is left claimed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows: dict[str, list[tuple[str, str]]] = {"lot": [], "stone": []}
            for kind, table in (("lot", "rough_lots"), ("stone", "stones")):
                rows[kind] = [
                    (r.record_id, r.public_id)
                    for r in connection.execute(
                        text(f"SELECT record_id, public_id FROM {table} WHERE tenant_id = :t"),
                        {"t": tenant},
                    )
                ]
            keys = Counter(
                r.state
                for r in connection.execute(
                    text("SELECT state FROM idempotency_keys WHERE client_id = :c"),
                    {"c": f"client:{client_id}"},
                )
            )
    finally:
        engine.dispose()
    found: dict[tuple[str, str], list[str]] = {}
    for kind, pairs in rows.items():
        for record_id, public_id in pairs:
            found.setdefault((kind, record_id), []).append(public_id)
    acked = [w for w in writes if w.status == 201]
    exactly_once = sum(found.get((w.kind, w.record_id)) == [w.public_id] for w in acked)
    acked_ids = {(w.kind, w.record_id) for w in acked}
    return {
        "rows": sum(len(v) for v in rows.values()),
        "acknowledged": len(acked),
        "acknowledged_exactly_once": exactly_once,
        "lost": sum((w.kind, w.record_id) not in found for w in acked),
        "duplicated": sum(len(ids) > 1 for ids in found.values()),
        "unacknowledged_but_stored": sum(1 for key in found if key not in acked_ids),
        "idempotency_keys": dict(keys),
        "ok": exactly_once == len(acked) == sum(len(v) for v in rows.values())
        and keys.get("in_progress", 0) == 0,
    }
